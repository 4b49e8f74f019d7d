# Declarations for the compiled accelerator (runtime/_accel.py); recorder.py is the source.
#
# Recorder becomes an extension type, so the hooks that run for every message and every
# call (deliver, take_head, take, handoff, callback) run as C functions with no Python
# frame, read the process record's fields from its C struct (Process, _process.pxd),
# and the log and its limit from their own. `cpdef`: called from compiled code as C
# functions, from Python as before. Fields not declared here live in its __dict__.
cimport cython
from beamlab.runtime._process cimport Process

cdef class Recorder:
    cdef dict __dict__
    cdef object __weakref__
    cdef public list _log
    cdef public Py_ssize_t _limit, _kept_x
    cdef public object rt, _now, _kept, _reply_tag

    @cython.locals(target=Process, cur=Process, n=Py_ssize_t, size=Py_ssize_t, log=list)
    cpdef deliver(self, target, msg)
    @cython.locals(proc=Process)
    cpdef take_head(self, proc)
    @cython.locals(proc=Process, size=Py_ssize_t)
    cpdef take(self, proc, index, matcher)
    @cython.locals(proc=Process, cur=Process)
    cpdef handoff(self, proc, tag, value)
    @cython.locals(proc=Process, x=Py_ssize_t, log=list)
    cpdef callback(self, server, name, result, tag=*)
    @cython.locals(log=list)
    cpdef _add(self, kind, pid, other, a, b, c, size)
    cpdef _check(self)
