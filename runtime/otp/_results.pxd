# Declarations for the compiled accelerator (runtime/_accel.py); _results.py is the source.
#
# The result values a GenServer callback builds on every call and cast become
# extension types (Cython keeps them dataclasses: fields, repr, ==, match, pickling),
# so a learner's `NoReply(count + 1)` is a C allocation instead of a Python __init__,
# and the compiled server (_server.pxd) reads their fields from C structs. The ones built
# per message keep a few freed instances for reuse (freelist: no allocator call).
cimport cython

@cython.freelist(8)
cdef class Ok:
    cdef public object state, timeout, continue_, hibernate

@cython.freelist(8)
cdef class Reply:
    cdef public object value, state, timeout, continue_, hibernate

@cython.freelist(8)
cdef class NoReply:
    cdef public object state, timeout, continue_, hibernate

cdef class Stop:
    cdef public object reason, state, reply
