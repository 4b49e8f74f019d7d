# Declarations for the compiled accelerator (runtime/_accel.py); _core.py is the source.
#
# Runtime becomes an extension type (its other bases, the pure-Python mixins, stay as
# they are; fields not declared here live in its __dict__ as before). The hot path,
# send -> _deliver and _switch_away, runs as C functions on typed records.
cimport cython
from beamlab.runtime._process cimport Process
from beamlab.runtime._receive cimport ReceiveMixin

cdef class Reactor:
    cpdef start(self)
    cpdef handle(self, msg)

cdef class Runtime(ReceiveMixin):
    cdef dict __dict__
    cdef object __weakref__
    cdef public bint _stopped
    cdef public list _pool
    cdef public object _thread, _loop_g, crash_reports

    @cython.locals(cur=Process, target=Process)
    cpdef send(self, dest, msg, copy=*)
    cpdef _deliver(self, Process target, msg)
    cpdef _enter(self, Process proc)
    @cython.locals(reactor=Reactor)
    cpdef _drain(self, Process proc, r)
    @cython.locals(nxt=Process)
    cpdef _switch_away(self)

@cython.locals(rt=Runtime)
cpdef api_send(dest, msg)
