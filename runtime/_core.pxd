# Declarations for the compiled accelerator (runtime/_accel.py); _core.py is the source.
#
# Runtime becomes an extension type (its other bases, the pure-Python mixins, stay as
# they are; fields not declared here live in its __dict__ as before). The hot path,
# send -> _deliver and _switch_away, runs as C functions on typed records.
cimport cython
from beamlab.runtime._process cimport Process
# A Pid's `id` (send's process-table key) read from its slot: _receive.pxd's inline _id_of,
# at the offset of its member descriptor _PID_SLOT (the descriptor is shared, not copied).
from beamlab.runtime._receive cimport (ReceiveMixin, _id_of, _PID_SLOT, _slot, PyObject,
                                      PyDescr_TYPE, _atomic_type)
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

# Whether a mailbox has messages, as `_drain`'s loop asks before each one: a deque keeps
# its length in its object header (Py_SIZE, what len() of it returns), read with no call;
# anything else (None: no mailbox yet) by its truth value, as `while mb` did.
cdef extern from "Python.h":
    Py_ssize_t _deque_size "Py_SIZE"(object)

cdef inline bint _mb_any(object mb):
    if <void*>Py_TYPE(mb) == PyDescr_TYPE(_popleft):
        return _deque_size(mb) > 0
    return True if mb else False

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
    _slot(pid, _PID_SLOT)[0] = <PyObject*>n
    cdef object zero = 0
    Py_INCREF(zero)
    _slot(pid, _PID_NODE)[0] = <PyObject*>zero
    return pid

# A pid's route to its process record (pid.py's hidden slot `_ROUTE`): spawn fills it
# (_set_route), the process's exit empties it (_clear_route), and send follows it
# (_routed) instead of looking the pid's number up in the table: only to a record that
# is alive and of this runtime (`home`, the runtime's number `_home`), which is then the
# very record the table holds under that number (spawn puts every record there, and a
# record leaves it only as it dies: _signals' _mark_dead, halt). Anything else (no route:
# a pid rebuilt by hand, unpickled; a dead record; another runtime's) returns None, and
# send looks the number up as before. Pure, the route is never filled.
cdef object _PID_ROUTE
cdef extern from "Python.h":
    void Py_XDECREF(PyObject *)

cdef inline PyObject **_route_slot(object pid) noexcept:
    """The route slot of `pid`, or NULL for anything not exactly a Pid (no route)."""
    if <void*>Py_TYPE(pid) != PyDescr_TYPE(_PID_ROUTE):
        return NULL
    return _slot(pid, _PID_ROUTE)

cdef inline Process _routed(object pid, unsigned int home):
    cdef PyObject **slot = _route_slot(pid)
    cdef PyObject *v
    if slot is not NULL:
        v = slot[0]
        if v is not NULL and (<Process>v).alive and (<Process>v).home == home:
            return <Process>v
    return None

cdef inline void _set_route(object pid, Process proc, unsigned int home) noexcept:
    cdef PyObject **slot = _route_slot(pid)
    proc.home = home
    if slot is not NULL:
        Py_INCREF(proc)
        Py_XDECREF(slot[0])
        slot[0] = <PyObject*>proc

cdef inline void _clear_route(Process proc) noexcept:
    cdef PyObject **slot = _route_slot(proc.pid)
    cdef PyObject *v
    if slot is not NULL:
        v = slot[0]
        if v == <PyObject*>proc:
            slot[0] = NULL
            Py_XDECREF(v)

# A message tuple queued in a mailbox taken out of the cyclic collector's lists, as
# CPython's collector itself does to a tuple that can never be part of a cycle (every
# item of it is no container, or such a tuple itself), only at its first collection: a
# mailbox that fills up (a flood of casts between two ticks) otherwise makes every
# generation-0 collection walk each message queued in it. Nested one level: `("add", 5)`
# in `("$gen_cast", ("add", 5))`. Pure, messages stay tracked until a collection.
cdef extern from "Python.h":
    bint PyTuple_CheckExact(PyObject *)
    bint PyType_IS_GC(void *)
    void PyObject_GC_UnTrack(void *)
    Py_ssize_t PyTuple_GET_SIZE(PyObject *)
    PyObject *PyTuple_GET_ITEM(PyObject *, Py_ssize_t)

# (an item of a type the collector knows, untracked or not, keeps the tuple tracked: a
# dict or an object may take a reference later; no tracked-or-not test, which is no
# public C API, and PyObject_GC_UnTrack of an untracked tuple does nothing)
cdef inline bint _untracked(PyObject *t):
    """Untrack the tuple `t` if none of its items may hold a cycle; whether it was."""
    cdef Py_ssize_t i
    for i in range(PyTuple_GET_SIZE(t)):
        if PyType_IS_GC(Py_TYPE(<object>PyTuple_GET_ITEM(t, i))):
            return False
    PyObject_GC_UnTrack(t)
    return True

cdef inline void _gc_untrack(object msg) noexcept:
    cdef Py_ssize_t i
    cdef PyObject *m = <PyObject *>msg
    cdef PyObject *v
    if not PyTuple_CheckExact(m):
        return
    for i in range(PyTuple_GET_SIZE(m)):
        v = PyTuple_GET_ITEM(m, i)
        if PyType_IS_GC(Py_TYPE(<object>v)) and not (PyTuple_CheckExact(v) and _untracked(v)):
            return
    PyObject_GC_UnTrack(m)

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
    # this runtime's number, in each of its records (`home`): what a pid's route is checked against
    cdef unsigned int _home

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
