# Declarations for the compiled accelerator (runtime/_accel.py); _server.py is the source.
#
# _Server, the reactor behind every GenServer, becomes an extension type: the worker's
# `handle(msg)` is one C call per message, the result values (_results.pxd) are read
# from their C structs, and the replies (Runtime.reply) and the flight recorder's hook
# are C calls too.
cimport cython
from beamlab.runtime._core cimport Reactor, Runtime
from beamlab.runtime.otp._results cimport NoReply, Reply

cdef str _CALL, _CAST
cdef object _UNSET          # (from _results: a C global, not a module lookup a call)

cdef bint _COMPILED

# The learner's handle_call, handle_cast and handle_info, found as CPython's own method-call
# specialization finds them (LOAD_METHOD's inline cache), not looked up at each message.
# `mod.handle_cast(request, state)` looks the name up along type(mod)'s MRO (_PyType_Lookup,
# which Cython's own utility code calls too), then in mod's __dict__; a plain function found
# on the class is called with mod first. A _Server keeps the functions it found on type(mod)
# (_handle_call, _handle_cast, _handle_info; NULL: not exactly a function there, or the class
# has a __getattribute__ of its own) with the class's version tag (_cb_version). CPython gives
# a class a new tag whenever it or a base changes (an attribute set or deleted, __bases__),
# tags are never reused (another class, e.g. a new mod.__class__, has another), and a class
# keeps its functions while its tag stands: as in CPython's cache, they are borrowed. An
# instance attribute of the name wins, as in Python: mod's __dict__ is looked in while it
# changes (before 3.12: skipped while its ma_version_tag is the one seen with none of the
# three names in it; 3.12 on, at every message). Whatever cannot be vouched for (a tag that is
# not valid, an error) answers false, and handle makes the method call as written, errors and
# all. A tag is valid from 3.13 when it is not 0 (bases get theirs first), before when the
# class has Py_TPFLAGS_VALID_VERSION_TAG. Free-threaded builds never cache.
cdef extern from *:
    """
    #if defined(Py_GIL_DISABLED) || !CYTHON_USE_PYTYPE_LOOKUP || !CYTHON_USE_TYPE_SLOTS
    #define __pyx_bl_type_version(t) 0u
    #elif PY_VERSION_HEX >= 0x030D0000
    #define __pyx_bl_type_version(t) (((PyTypeObject *)(t))->tp_version_tag)
    #else
    #define __pyx_bl_type_version(t) (PyType_HasFeature((PyTypeObject *)(t), \
        Py_TPFLAGS_VALID_VERSION_TAG) ? ((PyTypeObject *)(t))->tp_version_tag : 0u)
    #endif
    #if defined(__GNUC__)
    #define __pyx_bl_COLD __attribute__((noinline, cold))
    #else
    #define __pyx_bl_COLD
    #endif

    /* type(mod)'s plain functions of the three names, with its tag (0, all NULL: none) */
    static __pyx_bl_COLD void __pyx_bl_learn(PyObject *mod, PyObject *names, unsigned int *version,
                               PyObject **call, PyObject **cast, PyObject **info) {
        PyTypeObject *t = Py_TYPE(mod);
        unsigned int v = __pyx_bl_type_version(t);
        PyObject *f[3] = {NULL, NULL, NULL};
        *version = 0;
        *call = *cast = *info = NULL;
        if (v == 0)
            return;         /* the method call as written, until the class has a valid tag */
    #if !(defined(Py_GIL_DISABLED) || !CYTHON_USE_PYTYPE_LOOKUP || !CYTHON_USE_TYPE_SLOTS)
        if (t->tp_getattro == PyObject_GenericGetAttr) {
            for (int i = 0; i < 3; i++) {
                /* borrowed; sets no error */
                PyObject *d = _PyType_Lookup(t, PyTuple_GET_ITEM(names, i));
                f[i] = (d != NULL && Py_IS_TYPE(d, &PyFunction_Type)) ? d : NULL;
            }
            if (__pyx_bl_type_version(t) != v)
                return;     /* the lookups changed the class (they run no Python code) */
        }
    #endif
        *call = f[0];
        *cast = f[1];
        *info = f[2];
        *version = v;
    }

    /* Whether mod's __dict__ d lacks names[which] (an instance attribute would win). Before
       3.12, a dict seen without any of the three names is skipped while its ma_version_tag
       (PEP 509: new at each change of it, unique among dicts) stays the one seen. */
    #if PY_VERSION_HEX < 0x030C0000
    static __pyx_bl_COLD int __pyx_bl_look_in(PyObject *d, PyObject *names, int which,
    #else
    static CYTHON_INLINE int __pyx_bl_look_in(PyObject *d, PyObject *names, int which,
    #endif
                                              PY_UINT64_T *seen) {
        int absent = 1, all = 1;
    #if PY_VERSION_HEX < 0x030C0000
        for (int i = 0; i < 3; i++) {
    #else
        for (int i = which; i == which; i++) {
    #endif
            if (PyDict_GetItemWithError(d, PyTuple_GET_ITEM(names, i)) != NULL
                    || PyErr_Occurred()) {
                PyErr_Clear();
                all = 0;
                if (i == which)
                    absent = 0;
            }
        }
    #if PY_VERSION_HEX < 0x030C0000
        if (all)
            *seen = ((PyDictObject *)d)->ma_version_tag;
    #else
        (void)all; (void)seen;
    #endif
        return absent;
    }
    static CYTHON_INLINE int __pyx_bl_unshadowed(PyObject *mod, PyObject *names, int which,
                                                 PY_UINT64_T *seen) {
        PyObject *d = PyObject_GenericGetDict(mod, NULL);       /* mod.__dict__ */
        int absent;
        if (d == NULL) {
            PyErr_Clear();  /* the method call as written raises it again */
            return 0;
        }
    #if PY_VERSION_HEX < 0x030C0000
        absent = ((PyDictObject *)d)->ma_version_tag == *seen
                 || __pyx_bl_look_in(d, names, which, seen);
    #else
        absent = __pyx_bl_look_in(d, names, which, seen);
    #endif
        Py_DECREF(d);
        return absent;
    }

    /* fn(a, b, c) and fn(a, b, c, d): a function's own vectorcall, called */
    static CYTHON_INLINE PyObject *__pyx_bl_call3(PyObject *fn, PyObject *a, PyObject *b,
                                                  PyObject *c) {
        PyObject *args[4] = {NULL, a, b, c};
        vectorcallfunc f = PyVectorcall_Function(fn);
        if (f != NULL)
            return f(fn, args + 1, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        return PyObject_Vectorcall(fn, args + 1, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
    static CYTHON_INLINE PyObject *__pyx_bl_call4(PyObject *fn, PyObject *a, PyObject *b,
                                                  PyObject *c, PyObject *d) {
        PyObject *args[5] = {NULL, a, b, c, d};
        vectorcallfunc f = PyVectorcall_Function(fn);
        if (f != NULL)
            return f(fn, args + 1, 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        return PyObject_Vectorcall(fn, args + 1, 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
    """
    ctypedef struct PyObject
    ctypedef unsigned long long PY_UINT64_T
    unsigned int _type_version "__pyx_bl_type_version"(void *t)
    void _learn "__pyx_bl_learn"(PyObject *mod, PyObject *names, unsigned int *version,
                                 PyObject **call, PyObject **cast, PyObject **info)
    bint _unshadowed "__pyx_bl_unshadowed"(PyObject *mod, PyObject *names, int which,
                                           PY_UINT64_T *seen)
    object _apply3 "__pyx_bl_call3"(PyObject *fn, object a, object b, object c)
    object _apply4 "__pyx_bl_call4"(PyObject *fn, object a, object b, object c, object d)

cdef extern from "Python.h":
    ctypedef struct _AttrType "PyTypeObject":
        Py_ssize_t tp_dictoffset
    void *Py_TYPE(object)

cdef tuple _CALLBACKS         # ("handle_call", "handle_cast", "handle_info")

# A Reactor (_core.pxd), so the scheduler calls its handle as a C method; not final (Cython
# lets no final class override its base's start and handle)
cdef class _Server(Reactor):
    cdef public object mod, state, parent, name, boot, timer
    cdef public Runtime rt
    cdef unsigned int _cb_version               # (see above, and _method below)
    cdef PyObject *_handle_call
    cdef PyObject *_handle_cast
    cdef PyObject *_handle_info
    cdef PY_UINT64_T _dict_seen

    cpdef start(self)
    @cython.locals(noreply=NoReply, reply=Reply, m=tuple, n=Py_ssize_t)
    cpdef handle(self, msg)
    cpdef _run(self, callback, name, arg)
    cpdef _result(self, result, name)
    cpdef _after(self, result)
    cdef _run_method(self, PyObject *fn, name, arg)

# Whether type(s.mod)'s function of the callback `which` (0 handle_call, 1 handle_cast,
# 2 handle_info; s._handle_call, _handle_cast, _handle_info) is what `s.mod.<name>` binds
# to s.mod now
cdef inline bint _method(_Server s, int which) noexcept:
    cdef void *t = Py_TYPE(s.mod)
    cdef PyObject *fn
    if _type_version(t) != s._cb_version:
        _learn(<PyObject*>s.mod, <PyObject*>_CALLBACKS, &s._cb_version, &s._handle_call,
               &s._handle_cast, &s._handle_info)
    fn = s._handle_call if which == 0 else s._handle_cast if which == 1 else s._handle_info
    if fn is NULL:
        return False
    return ((<_AttrType*>t).tp_dictoffset == 0       # no __dict__ (__slots__ only)
            or _unshadowed(<PyObject*>s.mod, <PyObject*>_CALLBACKS, which, &s._dict_seen))
