# Declarations for the compiled accelerator (runtime/_accel.py); _receive.py is the source.
#
# ReceiveMixin becomes an extension type holding the runtime's fields that a send and
# a receive touch, so the compiled code reads them directly; Runtime (_core.pxd)
# extends it. `cpdef`: called from compiled code as C functions, from Python as before.
cimport cython
from beamlab.runtime._process cimport Process
from beamlab.runtime.recorder cimport Recorder

cdef object _GC_PARK, _GC_RESULT
cdef object _send
cdef set _ATOMIC
cdef object _NOW_CLOCK, _NOW

# messages._atomic_type, inline: whether a value of exactly type `t` is sent with no copy
# (_receive's own copy checks, and _client's, which cimports it)
cdef inline bint _atomic_type(object t):
    return t is str or t is int or t in _ATOMIC
cdef bint _COMPILED

cdef extern from "Python.h":
    ctypedef struct PyObject
    int PyIter_Send(object it, object arg, PyObject **presult) except -1
    bint PyGen_CheckExact(object)
    void Py_DECREF(PyObject *)
    int PYGEN_NEXT

# A stackless process's generator's send (GeneratorType.send, _send in _receive.py) as
# the C call PyIter_Send: no descriptor call, no bound arguments. Its return raises
# StopIteration(value), as send does; an error propagates (except -1); anything not
# exactly a generator is sent to through _send, as before.
cdef inline object _gen_send(object gen, object value):
    cdef PyObject *res = NULL
    cdef int r
    if not PyGen_CheckExact(gen):
        return _send(gen, value)
    r = PyIter_Send(gen, value, &res)
    out = <object>res
    Py_DECREF(res)
    if r == PYGEN_NEXT:
        return out
    raise StopIteration(out)

# The running greenlet's contextvars context set to `ctx` (_receive.py's `_enter_context`,
# there `greenlet.gr_context.__set__`): what greenlet's gr_context setter does for the
# greenlet running in this thread, as one C assignment: the thread state's context
# replaced, its version bumped (the contextvars cache). `me` must be the running
# greenlet (the pooled worker that calls `_runs_here`); anything but a Context (None:
# no context) goes through the setter, as before.
cdef extern from "Python.h":
    ctypedef struct PyThreadState:
        PyObject *context
        unsigned long long context_ver
    PyThreadState *PyThreadState_Get()
    bint PyContext_CheckExact(object)
    void Py_INCREF(object)
    void Py_XDECREF(PyObject *)

cdef object _enter_context_setter

cdef inline int _enter_context(object me, object ctx) except -1:
    cdef PyThreadState *ts
    cdef PyObject *old
    if not PyContext_CheckExact(ctx):
        _enter_context_setter(me, ctx)
        return 0
    ts = PyThreadState_Get()
    old = ts.context
    if old == <PyObject *>ctx:
        return 0
    Py_INCREF(ctx)
    ts.context = <PyObject *>ctx
    ts.context_ver += 1
    Py_XDECREF(old)
    return 0

# A Pid's `id` read from its slot at the offset of the member descriptor `_PID_SLOT`
# (Pid.__dict__["id"]): no attribute lookup (_core.pxd's send and spawn and _client
# cimport it). Anything not exactly of the descriptor's class, or an unset slot, is asked
# as before.
cdef extern from "structmember.h":
    ctypedef struct PyMemberDef:
        Py_ssize_t offset

cdef extern from "Python.h":
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    void *PyDescr_TYPE(object)
    void *Py_TYPE(object)

cdef object _PID_SLOT

# The slot of `obj` that the member descriptor `descr` reads and writes (its place in the
# object: the descriptor's offset), for an `obj` exactly of the descriptor's class: a
# Pid's id, node and route here and in _core.pxd
cdef inline PyObject **_slot(object obj, object descr) noexcept:
    return <PyObject**>(<char*><void*>obj + (<PyMemberDescrObject*><void*>descr).d_member.offset)

cdef inline object _id_of(object pid):
    cdef PyObject *v
    if Py_TYPE(pid) == PyDescr_TYPE(_PID_SLOT):
        v = _slot(pid, _PID_SLOT)[0]
        if v is not NULL:
            return <object>v
    return pid.id

cdef class _Call:
    cdef public object ref, wait, pid, server, request, timeout, label
    cdef public dict mons
    cdef public Process other
    cdef public Py_ssize_t scanned

cdef class ReceiveMixin:
    cdef public Process current
    cdef public Py_ssize_t messages_sent, messages_received
    cdef public dict _table
    cdef public list _send_tracers, _flag_tracers, _timeouts_due
    cdef public bint _driving, _service_due
    cdef public Py_ssize_t _switches
    cdef public Recorder _recorder     # the flight recorder's hooks: C calls (recorder.pxd)
    cdef public object clock, _dist, _runq, _runq_append, _runq_popleft, _generator_function

    @cython.locals(proc=Process)
    cpdef receive(self, patterns=*, timeout=*, default=*)
    cpdef _receive_start(self, Process proc, patterns, timeout)
    cpdef _take(self, Process proc, matcher, Py_ssize_t scanned)
    cpdef _park(self, Process proc, timeout, awaiting)
    cpdef _woken(self, Process proc, matcher, Py_ssize_t scanned)
    cpdef _unpark(self, Process proc)
    cpdef _wait(self, Process proc, matcher, Py_ssize_t scanned, timeout, awaiting=*)
    cpdef _stackless_start(self, Process proc)
    @cython.locals(nxt=Process, c=_Call, n=Py_ssize_t)
    cpdef _stackless(self, Process proc, gf)
    cdef int _waits_on(self, Process proc) except -1
    cdef int _runs_here(self, Process nxt, me) except -1
    @cython.locals(nxt=Process)
    cpdef _run_here(self, me)
    @cython.locals(c=_Call)
    cpdef call(self, Process proc, pid, kind, request, timeout)
    @cython.locals(other=Process, c=_Call, mons=dict, watchers=dict, t=type)
    cpdef _call_start(self, Process proc, pid, kind, request)
    @cython.locals(mons=dict, watchers=dict)
    cpdef _call_end(self, Process proc, _Call c)
    @cython.locals(proc=Process, cur=Process, rec=Recorder, mons=dict, t=type)
    cpdef reply(self, pid, tag, value)
    cpdef _deliver(self, Process target, msg)
