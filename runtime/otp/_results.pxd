# Declarations for the compiled accelerator (runtime/_accel.py); _results.py is the source.
#
# The result values a GenServer callback builds on every call and cast become
# extension types (Cython keeps them dataclasses: fields, repr, ==, match, pickling),
# so a learner's `NoReply(count + 1)` is a C allocation instead of a Python __init__,
# and the compiled server (_server.pxd) reads their fields from C structs.
# No freelist: Cython (3.x) applies no class decorator written here to a class the .py
# defines, so `@cython.freelist(8)` in this file compiled to no freelist at all (the
# generated tp_new allocated every NoReply anew, ~140 instructions a cast); it would
# have to decorate the class in the .py, which then imports cython.
cimport cython

cdef class Ok:
    cdef public object state, timeout, continue_, hibernate

cdef class Reply:
    cdef public object value, state, timeout, continue_, hibernate

cdef class NoReply:
    cdef public object state, timeout, continue_, hibernate

cdef class Stop:
    cdef public object reason, state, reply
