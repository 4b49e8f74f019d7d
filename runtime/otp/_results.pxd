# Declarations for the compiled accelerator (runtime/_accel.py); _results.py is the source.
#
# The result values a GenServer callback builds on every call and cast become
# extension types (Cython keeps them dataclasses: fields, repr, ==, match, pickling),
# so a learner's `NoReply(count + 1)` is a C allocation instead of a Python __init__,
# and the compiled server (_server.pxd) reads their fields from C structs.
# Reply and NoReply keep a freelist (below), written out here: Cython applies no class
# decorator (@cython.freelist) written here to a class the .py defines, and the .py
# imports nothing beyond the standard library (tests/test_layout.py).
from cpython.object cimport (PyObject, PyTypeObject, destructor, Py_TPFLAGS_HEAPTYPE,
                             Py_TPFLAGS_IS_ABSTRACT)
from libc.string cimport memset

cdef class Ok:
    cdef public object state, timeout, continue_, hibernate

cdef class Reply:
    cdef public object value, state, timeout, continue_, hibernate

cdef class NoReply:
    cdef public object state, timeout, continue_, hibernate

cdef class Stop:
    cdef public object reason, state, reply

# `Reply(value, state)` and `NoReply(state)`, as callbacks write them, built by a C
# constructor: the type's own vectorcall slot (what the interpreter calls for `Reply(...)`)
# becomes _new_reply / _new_noreply, which for exactly those positional arguments fill
# a new value's fields with no argument parsing: the other fields are copied from a value
# built the ordinary way at import (_DEFAULTS_*), so the dataclass's defaults stay the
# only ones. Any other call (keywords, another number of arguments, a subclass) goes to
# the constructor Cython made (_cy_new_*), errors and all. Installed by _fast_new(), on
# the last lines of _results.py, compiled only.
#
# The freelist: what Cython writes for a `@cython.freelist(N)` class, by hand. The types'
# dealloc slot becomes _dealloc_reply / _dealloc_noreply: a value of exactly that type
# (Cython's test: the type's size, not a heap type, so never a subclass's instance) is
# untracked by the collector and its fields cleared, as Cython's dealloc does, then kept
# in _free_* (up to _FREELIST of them) instead of freed; anything else goes to Cython's
# own dealloc (_cy_dealloc_*). The constructors above take a kept one when there is one
# (zeroed, PyObject_INIT, tracked again, as Cython's tp_new does) and fill every field,
# so a value from the freelist is a fresh one; the other constructors (Cython's) allocate
# as before. A reference the learner holds keeps its value out of the list (only a freed
# value gets there). _ReplyObject / _NoReplyObject are the C structs Cython makes for the
# types, field for field; _fast_new() checks that against a value before installing.
cdef extern from "Python.h":
    ctypedef object (*vectorcallfunc)(object, PyObject **, size_t, PyObject *)
    ctypedef struct _VectorcallType "PyTypeObject":
        vectorcallfunc tp_vectorcall
    Py_ssize_t PyVectorcall_NARGS(size_t)
    PyObject *PyObject_INIT(PyObject *, PyTypeObject *)
    void PyObject_GC_Track(void *)
    void PyObject_GC_UnTrack(void *)
    void _incref "Py_INCREF"(PyObject *)
    void _decref "Py_DECREF"(PyObject *)
    void _clear "Py_CLEAR"(PyObject *)

# Whether Cython would keep a freelist here: not where it cannot rely on the GIL (a
# free-threaded CPython), nor for the limited API or PyPy (CYTHON_USE_FREELISTS; a Cython
# older than that macro: CPython with the GIL).
cdef extern from *:
    """
    #if defined(CYTHON_USE_FREELISTS)
    #define __BEAMLAB_RESULTS_FREELISTS CYTHON_USE_FREELISTS
    #elif CYTHON_COMPILING_IN_CPYTHON && !defined(Py_GIL_DISABLED)
    #define __BEAMLAB_RESULTS_FREELISTS 1
    #else
    #define __BEAMLAB_RESULTS_FREELISTS 0
    #endif
    """
    const bint _FREELISTS "__BEAMLAB_RESULTS_FREELISTS"

ctypedef struct _ReplyObject:
    PyObject ob_base
    PyObject *value
    PyObject *state
    PyObject *timeout
    PyObject *continue_
    PyObject *hibernate

ctypedef struct _NoReplyObject:
    PyObject ob_base
    PyObject *state
    PyObject *timeout
    PyObject *continue_
    PyObject *hibernate

cdef enum:
    _FREELIST = 16      # values kept per type (a server holds one result at a time)

# (untyped: a module cimporting this file imports these by their C type's name, which
# differs between the twin, _cy__results, and the name it cimports)
cdef vectorcallfunc _cy_new_reply, _cy_new_noreply
cdef destructor _cy_dealloc_reply, _cy_dealloc_noreply
cdef object _DEFAULTS_REPLY, _DEFAULTS_NOREPLY
cdef PyObject *_free_reply[16]         # (16: _FREELIST, written out: a module cimporting
cdef PyObject *_free_noreply[16]       # this file checks these names' C type, enum and all)
cdef int _nfree_reply, _nfree_noreply

cdef inline PyObject *_take(PyObject **free, int *nfree, size_t size, PyTypeObject *t) noexcept:
    """The last value kept in `free`, made new as Cython's tp_new makes one from its
    freelist: zeroed, PyObject_INIT, tracked (the caller saw *nfree > 0)."""
    nfree[0] -= 1
    cdef PyObject *o = free[nfree[0]]
    memset(o, 0, size)
    PyObject_INIT(o, t)
    PyObject_GC_Track(o)
    return o

cdef inline void _fill(PyObject **fields, PyObject **args, Py_ssize_t nargs,
                       PyObject **rest) noexcept:
    """A value from _take given its fields: the arguments, then `rest`, the timeout,
    continue_ and hibernate of a value built the ordinary way (_DEFAULTS_*)."""
    cdef Py_ssize_t i
    for i in range(nargs):
        fields[i] = args[i]
        _incref(fields[i])
    for i in range(3):
        fields[nargs + i] = rest[i]
        _incref(rest[i])

cdef inline object _new_reply(object cls, PyObject **args, size_t nargsf, PyObject *kwnames):
    cdef Reply r, d
    cdef PyObject *o
    if kwnames is NULL and PyVectorcall_NARGS(nargsf) == 2 and cls is Reply:
        d = <Reply>_DEFAULTS_REPLY
        if _nfree_reply > 0:        # (cls is Reply: Cython's type test for a freelist holds)
            o = _take(_free_reply, &_nfree_reply, sizeof(_ReplyObject), <PyTypeObject*>Reply)
            _fill(&(<_ReplyObject*>o).value, args, 2, &(<_ReplyObject*><PyObject*>d).timeout)
            r = <Reply>o
            _decref(o)      # r holds the one reference PyObject_INIT made
            return r
        r = <Reply>Reply.__new__(Reply)
        r.value = <object>args[0]
        r.state = <object>args[1]
        r.timeout = d.timeout
        r.continue_ = d.continue_
        r.hibernate = d.hibernate
        return r
    return _cy_new_reply(cls, args, nargsf, kwnames)

cdef inline object _new_noreply(object cls, PyObject **args, size_t nargsf, PyObject *kwnames):
    cdef NoReply r, d
    cdef PyObject *o
    if kwnames is NULL and PyVectorcall_NARGS(nargsf) == 1 and cls is NoReply:
        d = <NoReply>_DEFAULTS_NOREPLY
        if _nfree_noreply > 0:      # (cls is NoReply: Cython's type test for a freelist holds)
            o = _take(_free_noreply, &_nfree_noreply, sizeof(_NoReplyObject),
                      <PyTypeObject*>NoReply)
            _fill(&(<_NoReplyObject*>o).state, args, 1, &(<_NoReplyObject*><PyObject*>d).timeout)
            r = <NoReply>o
            _decref(o)      # r holds the one reference PyObject_INIT made
            return r
        r = <NoReply>NoReply.__new__(NoReply)
        r.state = <object>args[0]
        r.timeout = d.timeout
        r.continue_ = d.continue_
        r.hibernate = d.hibernate
        return r
    return _cy_new_noreply(cls, args, nargsf, kwnames)

cdef inline bint _kept(PyTypeObject *t, size_t size) noexcept:
    """Cython's test of a type for its freelist: the class's own size, not a heap type
    (a Python subclass) nor an abstract one."""
    return t.tp_basicsize == <Py_ssize_t>size and not (
        t.tp_flags & (Py_TPFLAGS_IS_ABSTRACT | Py_TPFLAGS_HEAPTYPE))

cdef inline void _keep(PyObject *o, PyObject **fields, Py_ssize_t nfields, size_t size,
                       PyObject **free, int *nfree, destructor cy_dealloc) noexcept:
    """A value's dealloc with Cython's freelist: one of exactly the type (`size`) is untracked,
    its `nfields` fields cleared, and kept in `free` while it has room (else tp_free);
    anything else (a subclass's instance) goes to Cython's own dealloc, as before."""
    cdef PyTypeObject *t = o.ob_type
    cdef Py_ssize_t i
    if not _kept(t, size):
        cy_dealloc(o)
        return
    PyObject_GC_UnTrack(o)
    for i in range(nfields):
        _clear(fields[i])
    if nfree[0] < _FREELIST:        # (counted after the fields went: freeing them may free values)
        free[nfree[0]] = o
        nfree[0] += 1
    else:
        t.tp_free(o)

cdef inline void _dealloc_reply(PyObject *o) noexcept:
    _keep(o, &(<_ReplyObject*>o).value, 5, sizeof(_ReplyObject), _free_reply, &_nfree_reply,
          _cy_dealloc_reply)

cdef inline void _dealloc_noreply(PyObject *o) noexcept:
    _keep(o, &(<_NoReplyObject*>o).state, 4, sizeof(_NoReplyObject), _free_noreply,
          &_nfree_noreply, _cy_dealloc_noreply)

cdef inline bint _fields_at(PyObject **fields, tuple expected):
    """Whether the fields a struct declared above reads from a value are `expected`."""
    cdef Py_ssize_t i
    for i in range(len(expected)):
        if fields[i] != <PyObject*>expected[i]:
            return False
    return True

cdef inline _fast_new():
    """Install the constructors above, where Cython gave the types a vectorcall slot
    and the classes run nothing more than their fields' defaults (no __post_init__);
    and the freelist's deallocs, where the structs above are the types' own and the
    types have no finalizer (Cython's dealloc runs one first)."""
    global _cy_new_reply, _cy_new_noreply, _DEFAULTS_REPLY, _DEFAULTS_NOREPLY
    global _cy_dealloc_reply, _cy_dealloc_noreply
    cdef _VectorcallType *reply = <_VectorcallType*>Reply
    cdef _VectorcallType *noreply = <_VectorcallType*>NoReply
    cdef PyTypeObject *reply_type = <PyTypeObject*>Reply
    cdef PyTypeObject *noreply_type = <PyTypeObject*>NoReply
    fields = (object(), object(), object(), object(), object())
    if reply.tp_vectorcall is not NULL and not hasattr(Reply, "__post_init__"):
        _DEFAULTS_REPLY = Reply(None, None)
        probe = Reply(*fields)
        if (_FREELISTS and reply_type.tp_finalize is NULL
                and _kept(reply_type, sizeof(_ReplyObject))
                and _fields_at(&(<_ReplyObject*><PyObject*>probe).value, fields)):
            _cy_dealloc_reply = reply_type.tp_dealloc
            reply_type.tp_dealloc = _dealloc_reply
        _cy_new_reply = reply.tp_vectorcall
        reply.tp_vectorcall = <vectorcallfunc>_new_reply
    if noreply.tp_vectorcall is not NULL and not hasattr(NoReply, "__post_init__"):
        _DEFAULTS_NOREPLY = NoReply(None)
        probe = NoReply(*fields[:4])
        if (_FREELISTS and noreply_type.tp_finalize is NULL
                and _kept(noreply_type, sizeof(_NoReplyObject))
                and _fields_at(&(<_NoReplyObject*><PyObject*>probe).state, fields[:4])):
            _cy_dealloc_noreply = noreply_type.tp_dealloc
            noreply_type.tp_dealloc = _dealloc_noreply
        _cy_new_noreply = noreply.tp_vectorcall
        noreply.tp_vectorcall = <vectorcallfunc>_new_noreply
