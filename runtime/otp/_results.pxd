# Declarations for the compiled accelerator (runtime/_accel.py); _results.py is the source.
#
# The result values a GenServer callback builds on every call and cast become
# extension types (Cython keeps them dataclasses: fields, repr, ==, match, pickling),
# so a learner's `NoReply(count + 1)` is a C allocation instead of a Python __init__,
# and the compiled server (_server.pxd) reads their fields from C structs.
# Reply and NoReply keep a freelist: Cython applies no class decorator written here to
# a class the .py defines (a `@cython.freelist(8)` here compiled to none), so the .py
# decorates them, and this file cimports no `cython` (its name would clash with the
# .py's stand-in for when Cython is not installed).

cdef class Ok:
    cdef public object state, timeout, continue_, hibernate

cdef class Reply:
    cdef public object value, state, timeout, continue_, hibernate

cdef class NoReply:
    cdef public object state, timeout, continue_, hibernate

cdef class Stop:
    cdef public object reason, state, reply
