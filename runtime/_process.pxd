# The process record as a C struct, for the compiled accelerator (runtime/_accel.py).
#
# Cython reads this beside _process.py when it compiles it (the .py stays plain Python,
# the source of truth): `Process` becomes an extension type whose fields the compiled
# _core and _receive read and write directly, with no attribute lookup. Python code
# reads them as before (`public`). The flags are C ints, side by side: each is only ever
# True/False, and Python reads them back as bools.
cdef class Process:
    cdef public object pid, fn, args, kwargs, reactor, greenlet, context
    cdef public object mailbox, matcher
    cdef public bint blocked, queued, alive
    # compiled only: the number of the runtime whose table holds this record (its
    # `_home`), which a send following a pid's route checks (_core.pxd, _routed). Pure,
    # not there.
    cdef unsigned int home
    # (four 4-byte flags in the room of two objects: the record is 16 bytes smaller, as
    # much as the pid's route slot costs, 8 bytes rounded up by the allocator)
    cdef public bint external, started, traced, trap_exit
    cdef public object status
    cdef public object exit_reason, throw, wake, timer
    cdef public Py_ssize_t wait_token
    cdef public object links, monitors, monitored_by, name, group_leader
    cdef public Py_ssize_t reductions
    cdef public object parent, label, dictionary, preempted, unwinds
    cdef public object gen, pending
