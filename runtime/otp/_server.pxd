# Declarations for the compiled accelerator (runtime/_accel.py); _server.py is the source.
#
# _Server, the reactor behind every GenServer, becomes an extension type: the worker's
# `handle(msg)` is one C call per message, the result values (_results.pxd) are read
# from their C structs, and the replies (Runtime.reply) and the flight recorder's hook
# are C calls too.
cimport cython
from beamlab.runtime._core cimport Reactor, Runtime
from beamlab.runtime.otp._results cimport NoReply, Reply

cdef str _CALL, _CAST
cdef object _UNSET          # (from _results: a C global, not a module lookup a call)

# A Reactor (_core.pxd), so the scheduler calls its handle as a C method; not final (Cython
# lets no final class override its base's start and handle)
cdef class _Server(Reactor):
    cdef public object mod, state, parent, name, boot, timer
    cdef public Runtime rt

    cpdef start(self)
    @cython.locals(noreply=NoReply, reply=Reply, m=tuple, n=Py_ssize_t)
    cpdef handle(self, msg)
    cpdef _run(self, callback, name, arg)
    cpdef _result(self, result, name)
    cpdef _after(self, result)
