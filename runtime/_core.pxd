# Declarations for the compiled accelerator (runtime/_accel.py); _core.py is the source.
#
# Runtime becomes an extension type (its other bases, the pure-Python mixins, stay as
# they are; fields not declared here live in its __dict__ as before). The hot path,
# send -> _deliver and _switch_away, runs as C functions on typed records.
cimport cython
from beamlab.runtime._process cimport Process
# A Pid's `id` (send's process-table key) read from its slot: _receive.pxd's inline _id_of,
# at the offset of its member descriptor _PID_SLOT (the descriptor is shared, not copied).
from beamlab.runtime._receive cimport (ReceiveMixin, _id_of, _PID_SLOT, PyObject,
                                      PyMemberDescrObject, PyDescr_TYPE)
from cpython.object cimport PyMethodDef, Py_TYPE
from cpython.pythread cimport PyThread_get_thread_ident

cdef extern from "Python.h":
    ctypedef struct PyMethodDescrObject:
        PyMethodDef *d_method
    int METH_O, METH_NOARGS

# A mailbox's append and popleft (collections.deque's, bound once in _core.py) called
# as the C functions behind them: no descriptor call, no argument tuple, no type check
# (a mailbox is always a deque made by _deliver). A descriptor whose function is not of
# the expected kind is called as it is.
cdef object _append, _popleft
cdef bint _COMPILED

cdef inline object _mb_append(object mb, object msg):
    cdef PyMethodDef *m = (<PyMethodDescrObject*><void*>_append).d_method
    if m.ml_flags == METH_O:
        return m.ml_meth(mb, msg)
    return _append(mb, msg)

cdef inline object _mb_popleft(object mb):
    cdef PyMethodDef *m = (<PyMethodDescrObject*><void*>_popleft).d_method
    if m.ml_flags == METH_NOARGS:
        return m.ml_meth(mb, None)
    return _popleft(mb)

# The OS thread running now, as a C number: `send` compares it with the runtime's
# `_thread` (a C field below) with no Python call and no int object; pure, the name is
# _thread.get_ident, as before.
cdef inline unsigned long _thread_id():
    return PyThread_get_thread_ident()

# A new Pid numbered `n` on this node (spawn's), as `Pid(n)` makes one (pid.py): allocated
# by its class (object.__new__ does PyType_GenericAlloc for a class statement's type) and
# its two slots filled at the member descriptors' offsets, with no Python __new__ frame.
# Pure, `Pid` itself.
cdef object _PID_NODE
cdef extern from "Python.h":
    object PyType_GenericAlloc(object, Py_ssize_t)
    void Py_INCREF(object)

cdef inline object _new_pid(object n):
    cls = <object>PyDescr_TYPE(_PID_SLOT)
    pid = PyType_GenericAlloc(cls, 0)
    Py_INCREF(n)
    (<PyObject**>(<char*><void*>pid + (<PyMemberDescrObject*><void*>_PID_SLOT).d_member.offset))[0] = <PyObject*>n
    cdef object zero = 0
    Py_INCREF(zero)
    (<PyObject**>(<char*><void*>pid + (<PyMemberDescrObject*><void*>_PID_NODE).d_member.offset))[0] = <PyObject*>zero
    return pid

# The running runtime (`_current`), for the compiled _client: a C call, where reading
# `_core`'s module dict cost ~130 instructions a cast.
cpdef _running()

cdef class Reactor:
    cpdef start(self)
    cpdef handle(self, msg)

cdef class Runtime(ReceiveMixin):
    cdef dict __dict__
    cdef object __weakref__
    cdef public bint _stopped
    cdef public list _pool
    cdef public unsigned long _thread
    cdef public object _loop_g, crash_reports
    # read on every process's exit (_on_exit): C fields, not the instance dict
    cdef public object telemetry
    cdef public list _on_exit_hooks
    cdef public Py_ssize_t _reductions_of_dead
    # read on every spawn: C fields (objects: a process limit may be any int >= 1)
    cdef public object _next_id, _process_limit

    @cython.locals(cur=Process, target=Process, away=bint)
    cpdef send(self, dest, msg, copy=*)
    cpdef _deliver(self, Process target, msg)
    cpdef _enter(self, Process proc)
    @cython.locals(proc=Process)
    cpdef _enter_head(self)
    @cython.locals(proc=Process)
    cdef _switch_in(self)
    @cython.locals(proc=Process)
    cpdef _worker(self)
    # a process's start, end and wake-ups: its fields are C fields here
    cpdef _ready(self, Process proc, bint front=*)
    cpdef _process_main(self, Process proc)
    cpdef _finish(self, Process proc, reason)
    cpdef _on_exit(self, Process proc, reason)
    @cython.locals(reactor=Reactor)
    cpdef _drain(self, Process proc, r)
    @cython.locals(nxt=Process)
    cpdef _switch_away(self)

@cython.locals(rt=Runtime)
cpdef api_send(dest, msg)
