# Declarations for the compiled accelerator (runtime/_accel.py); _client.py is the source.
#
# The client side of every call and cast: the runtime typed, so its `send` is a C call.
cimport cython
from beamlab.runtime._core cimport Runtime, _running
from beamlab.runtime._process cimport Process
from beamlab.runtime._receive cimport _Call, _id_of, _atomic_type

cdef dict _CORE
cdef bint _COMPILED

cpdef call(server, request, timeout=*)
@cython.locals(rt=Runtime, me=Process, c=_Call)
cpdef _call(server, request, timeout, str _kind, str _label, bint _park=*)
cpdef _call_result(rt, msg, pid, server, request, timeout, str label)
cpdef _parked_result(rt, _Call c, msg)
@cython.locals(rt=Runtime, t=type, msg=tuple)
cpdef cast(server, request)
