# Declarations for the compiled accelerator (runtime/_accel.py); _results.py is the source.
#
# The result values a GenServer callback builds on every call and cast become
# extension types (Cython keeps them dataclasses: fields, repr, ==, match, pickling),
# so a learner's `NoReply(count + 1)` is a C allocation instead of a Python __init__,
# and the compiled server (_server.pxd) reads their fields from C structs.
# No freelist: Cython applies no class decorator written here to a class the .py
# defines, and the .py imports nothing beyond the standard library (tests/test_layout.py).
from cpython.object cimport PyObject

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
cdef extern from "Python.h":
    ctypedef object (*vectorcallfunc)(object, PyObject **, size_t, PyObject *)
    ctypedef struct _VectorcallType "PyTypeObject":
        vectorcallfunc tp_vectorcall
    Py_ssize_t PyVectorcall_NARGS(size_t)

# (untyped: a module cimporting this file imports these by their C type's name, which
# differs between the twin, _cy__results, and the name it cimports)
cdef vectorcallfunc _cy_new_reply, _cy_new_noreply
cdef object _DEFAULTS_REPLY, _DEFAULTS_NOREPLY

cdef inline object _new_reply(object cls, PyObject **args, size_t nargsf, PyObject *kwnames):
    cdef Reply r, d
    if kwnames is NULL and PyVectorcall_NARGS(nargsf) == 2 and cls is Reply:
        r = <Reply>Reply.__new__(Reply)
        r.value = <object>args[0]
        r.state = <object>args[1]
        d = <Reply>_DEFAULTS_REPLY
        r.timeout = d.timeout
        r.continue_ = d.continue_
        r.hibernate = d.hibernate
        return r
    return _cy_new_reply(cls, args, nargsf, kwnames)

cdef inline object _new_noreply(object cls, PyObject **args, size_t nargsf, PyObject *kwnames):
    cdef NoReply r, d
    if kwnames is NULL and PyVectorcall_NARGS(nargsf) == 1 and cls is NoReply:
        r = <NoReply>NoReply.__new__(NoReply)
        r.state = <object>args[0]
        d = <NoReply>_DEFAULTS_NOREPLY
        r.timeout = d.timeout
        r.continue_ = d.continue_
        r.hibernate = d.hibernate
        return r
    return _cy_new_noreply(cls, args, nargsf, kwnames)

cdef inline _fast_new():
    """Install the constructors above, where Cython gave the types a vectorcall slot
    and the classes run nothing more than their fields' defaults (no __post_init__)."""
    global _cy_new_reply, _cy_new_noreply, _DEFAULTS_REPLY, _DEFAULTS_NOREPLY
    cdef _VectorcallType *reply = <_VectorcallType*>Reply
    cdef _VectorcallType *noreply = <_VectorcallType*>NoReply
    if reply.tp_vectorcall is not NULL and not hasattr(Reply, "__post_init__"):
        _DEFAULTS_REPLY = Reply(None, None)
        _cy_new_reply = reply.tp_vectorcall
        reply.tp_vectorcall = <vectorcallfunc>_new_reply
    if noreply.tp_vectorcall is not NULL and not hasattr(NoReply, "__post_init__"):
        _DEFAULTS_NOREPLY = NoReply(None)
        _cy_new_noreply = noreply.tp_vectorcall
        noreply.tp_vectorcall = <vectorcallfunc>_new_noreply
