# Declarations for the compiled accelerator (runtime/_accel.py); _client.py is the source.
#
# The client side of every call and cast: the runtime typed, so its `send` is a C call.
cimport cython
from beamlab.runtime._core cimport Runtime
from beamlab.runtime._process cimport Process

cdef dict _CORE

cpdef call(server, request, timeout=*)
@cython.locals(rt=Runtime, me=Process)
cpdef _call(server, request, timeout, str _kind, str _label)
@cython.locals(rt=Runtime, t=type)
cpdef cast(server, request)
