"""Stackless function processes: a process function's own `receive()` calls turned into `yield`s.

How this works: a greenlet costs every process a C stack and an interpreter
data stack, even while it only waits in `receive`. A generator's frame lives in
the generator object, so a process whose `receive()` calls sit directly in its
own body can wait as a parked generator with no greenlet at all.
`generator_function(fn)` makes that generator function from `fn`'s source:

1. the source is the `def` block at `co_firstlineno` in `linecache` (files, and
   notebook cells: IPython puts each cell's code there); it is parsed with every
   line and column where it was, and compiled once *unchanged* the same way: that
   code must equal `fn.__code__` (same bytecode, constants, names, line and
   column table), or the source is not the one `fn` was made from and we refuse;
2. in fn's own scope only (not in nested defs, lambdas, classes or
   comprehensions) each call of beamlab's `receive` becomes a yield:
   `receive()` -> `(yield receive)`, `receive(a, k=1)` ->
   `(yield (receive, (a,), {"k": 1}))`; a call with `*x` or `**x` yields the
   same 3-tuple built by a helper called with the very same arguments, so a bad
   `*x`/`**x` fails with the message the real call would give. The yield keeps the
   call's position, so a traceback thrown in there draws the same line and carets.
   Each `X.call(args)` there (and `f(args)` for a global `f` bound to GenServer's
   call) becomes `((yield (PARK, *args)) if (.c := X.call) is CALL else .c(args))`
   (with keywords, `(yield (PARK_KW, (args), {kwargs}))`), CALL being GenServer's call itself (a constant of the code): X.call is
   evaluated once, into the hidden local `.c` (a name no source can spell); anything
   else is called right there, in fn's own frame, as written; GenServer's call yields
   its arguments, and the driver calls the call's parking twin with them (it starts
   the call and returns it, so the process parks in it as in a receive) and throws its
   errors in at this yield. Whether X.call is GenServer's is known only then (X may be
   any variable), so every `.call` is rewritten; another object's costs a compare;
3. the def is compiled inside a function that makes fn's free variables its
   locals (and inside a class of fn's class's name, for private-name mangling),
   with fn's `from __future__` flags and file name; the new code takes fn's
   closure cells, globals, defaults and names.

The driver (runtime/_receive.py) sends each receive's result in, or throws its
exception in, and gets `return`'s value from StopIteration. A waiting
generator is dropped without running any of its code when its process is
killed, so a function whose receive sits in a `try`, a `with` or a match guard
(a `finally` or `__exit__` would have to run) is refused: None means "run it on
a greenlet as before", never an error. A `.call(...)` there is left an ordinary
call (a GenServer call there waits on the worker greenlet) and refuses nothing.

Results are cached per code object (and per globals namespace and the names
that were bound to `receive`), and per function object (not a closure's) for
the fast path that runs on every spawn. A name bound to `receive` only after a
function's first call is not noticed: that call stays an ordinary one, which works.
"""

from __future__ import annotations

import __future__
import ast
import copy
import functools
import importlib
import inspect
import keyword
import linecache
import sys
import types
import warnings
import weakref

__all__ = ["generator_function", "original_exception"]

_FUTURE_FLAGS = functools.reduce(
    lambda a, b: a | b,
    (getattr(__future__, name).compiler_flag for name in __future__.all_feature_names))
_NOT_PLAIN = (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
              | inspect.CO_ITERABLE_COROUTINE)
# A constant put where the packing helper is called, swapped for it in the compiled code
# (an AST constant cannot be a function).
_PACK_MARK = "\0beamlab.stackless.pack\0"
# Constants put where a `X.call(...)` is rewritten, swapped the same way for GenServer's
# call, for _receive's marker of what a GenServer call yields, and for the packing helper
# of a call with *x or **x (named as GenServer's call)
_CALL_MARK = "\0beamlab.stackless.call\0"
_PARK_MARK = "\0beamlab.stackless.call.park\0"
_PARK_KW_MARK = "\0beamlab.stackless.call.park.kw\0"
_PACK_CALL_MARK = "\0beamlab.stackless.call.pack\0"
# The hidden local a rewritten `X.call(...)` keeps X.call in (no source can name it)
_CALLEE = ".c"
# Nodes whose insides are another scope: their calls are left alone.
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MISSING = object()


def generator_function(fn) -> types.FunctionType | None:
    """A generator function doing what `fn` does, its own `receive()` calls made yields; or None.

    The generator yields `receive` (the object the name holds then) for a bare
    `receive()`, and `(callee, args_tuple, kwargs_dict)` for any other receive
    call; the value sent back in is that call's result, an exception thrown in is
    raised at the call. None when `fn` cannot be run that way (not a plain
    function, no receive call of its own, one inside try/with, source not found,
    ...): run it as an ordinary function then.

        >>> def echo():
        ...     while True:
        ...         msg = receive()
        >>> gen = generator_function(echo)()
        >>> next(gen) is receive
        True
    """
    if type(fn) is not _FunctionType:
        return None
    entry = _by_fn.get(_weakref(fn))
    if entry is not None:
        code, defaults, kwdefaults, name, obj, more, result, _ = entry
        if code is fn.__code__ and defaults is fn.__defaults__ and kwdefaults is fn.__kwdefaults__ \
                and (name is None or fn.__globals__.get(name, _MISSING) is obj) \
                and (not more or _holds(fn.__globals__, more)):
            return result
    try:
        return _make(fn)
    except Exception:       # never the caller's problem: it runs on a greenlet instead
        return None


def original_exception(exc: BaseException) -> BaseException:
    """The exception a generator made by `generator_function` really raised.

    A StopIteration leaving a generator becomes RuntimeError("generator raised
    StopIteration") (PEP 479); the function itself would have raised the
    StopIteration. The driver gives the process this one as its exit reason.

        >>> original_exception(RuntimeError("x")).args
        ('x',)
    """
    cause = exc.__cause__
    if type(exc) is RuntimeError and isinstance(cause, StopIteration) \
            and exc.args == ("generator raised StopIteration",):
        return cause
    return exc


# ---------------------------------------------------------------- per-function cache

# weakref to fn -> (its __code__, __defaults__, __kwdefaults__, a global name found bound to
#                   receive (or a module) and that object, ((name, object), ...) for any
#                   more such names, the generator function or None, the plain weakref to fn)
# A weak reference to a live function equals (and hashes as) any other to it, so a lookup
# takes the plain weakref.ref(fn); the key's callback, the dict's own pop, drops the entry
# when fn goes, with no Python code run.
_by_fn: dict[weakref.ref, tuple] = {}
_weakref = weakref.ref


def _remember(fn, checks, result):
    name, obj = checks[0] if checks else (None, None)
    # the entry holds fn's plain weakref too, so each lookup's weakref.ref(fn) finds it
    # instead of making a new one
    _by_fn[_weakref(fn, _by_fn.pop)] = (fn.__code__, fn.__defaults__, fn.__kwdefaults__,
                                        name, obj, checks[1:], result, _weakref(fn))


_FunctionType = types.FunctionType
_HAS_TYPE_PARAMS = hasattr(_FunctionType, "__type_params__")     # Python 3.12+
_HAS_ANNOTATE = hasattr(_FunctionType, "__annotate__")           # Python 3.14+


def _make(fn):
    code = fn.__code__
    g = fn.__globals__
    info = _by_code.get(id(code)) or _info_for(code, g)
    if info.refused:
        _remember(fn, (), None)
        return None
    scan = info.scan
    if scan is None or scan[0] is not g or not _holds(g, scan[1]):
        scan = info.scan = _scan(info, code, g)
    _, checks, new_code = scan
    if new_code is None:
        _remember(fn, checks, None)
        return None
    new = _FunctionType(new_code, g, fn.__name__, fn.__defaults__, fn.__closure__)
    # the rest as fn's (the code gives the same qualname and docstring, the globals __module__,
    # unless they were changed on fn)
    if fn.__kwdefaults__ is not None:
        new.__kwdefaults__ = fn.__kwdefaults__
    if fn.__qualname__ is not new.__qualname__:
        new.__qualname__ = fn.__qualname__
    if fn.__module__ is not new.__module__:
        new.__module__ = fn.__module__
    if fn.__doc__ is not new.__doc__:
        new.__doc__ = fn.__doc__
    new.__dict__ = fn.__dict__          # shared, as are the annotations
    if _HAS_ANNOTATE:
        new.__annotate__ = fn.__annotate__      # 3.14: reading __annotations__ would run them
    else:
        new.__annotations__ = fn.__annotations__
    if _HAS_TYPE_PARAMS:
        new.__type_params__ = fn.__type_params__
    if fn.__closure__ is None:
        # not for a closure: its cells may hold fn itself (a recursive inner function), and
        # this entry, holding `new` and so the cells, would then keep fn alive for ever
        _remember(fn, checks, new)
    return new


def _holds(g, checks):
    for name, obj in checks:
        if g.get(name, _MISSING) is not obj:
            return False
    return True


def _scan(info, code, g):
    """(g, checks, new code or None) for `code` run in globals `g`: which names are receive."""
    receive = _RECEIVE or _receive()
    gen_call = _gen_call()
    names, modules, calls, checks = [], [], [], []
    for name in info.called_names:
        obj = g.get(name, _MISSING)
        found = obj is not _MISSING
        if not found:
            obj = _builtin(g, name)
        if obj is receive:
            names.append(name)
        elif obj is gen_call and obj is not None:
            calls.append(name)
        else:
            continue
        if found:
            checks.append((name, obj))
    for name in info.called_modules:
        obj = g.get(name, _MISSING)
        found = obj is not _MISSING
        if not found:
            obj = _builtin(g, name)
        if isinstance(obj, types.ModuleType) and getattr(obj, "receive", None) is receive:
            modules.append(name)
            if found:
                checks.append((name, obj))
    checks = tuple(checks)
    if not names and not modules and not calls and not info.method_calls:
        return (g, checks, None)
    key = (tuple(names), tuple(modules), tuple(calls))
    try:
        new_code = info.transformed[key]
    except KeyError:
        new_code = info.transformed[key] = _transform(info, code, set(names), set(modules),
                                                      set(calls))
    return (g, checks, new_code)


def _builtin(g, name):
    builtins_ns = g.get("__builtins__")
    if isinstance(builtins_ns, types.ModuleType):
        builtins_ns = builtins_ns.__dict__
    return builtins_ns.get(name, _MISSING) if isinstance(builtins_ns, dict) else _MISSING


_RECEIVE = None     # beamlab.runtime.api.receive, imported when first needed (no import cycle)
_CLIENT = __name__.rpartition(".")[0] + ".otp._client"


def _gen_call():
    """GenServer's call (otp/_client.py), or None when that is not imported yet (then
    no name can be bound to it)."""
    client = sys.modules.get(_CLIENT)
    return getattr(client, "call", None) if client is not None else None


def _receive():
    global _RECEIVE
    from .api import receive
    _RECEIVE = receive
    return receive


# ---------------------------------------------------------------- per-code analysis

class _Info:
    """What one code object's source says, found once (see _info_for)."""

    __slots__ = ("refused", "tree", "imports", "called_names", "called_modules", "method_calls",
                 "transformed", "scan", "ref")

    def __init__(self):
        self.refused = True
        self.tree = None            # the FunctionDef as parsed, at its file's lines and columns
        self.imports = ()           # the names to compile it with as imported at module level
        self.called_names = ()      # global names called as f(...) in fn's own scope
        self.called_modules = ()    # global names called as m.receive(...) there
        self.method_calls = False   # whether it calls some X.call(...) there
        self.transformed = {}       # (receive names, module names, call names) -> new code or None
        self.scan = None            # the last _scan: (globals, checks, new code or None)
        self.ref = None             # a weak reference to the code object


# id(code) -> _Info; an entry goes when its code object does.
_by_code: dict[int, _Info] = {}


def _info_for(code, module_globals):
    info = _Info()
    try:
        _analyse(code, module_globals, info)
    except Exception:
        info.refused = True
    key = id(code)

    def forget(ref, key=key, info=info, table=_by_code):
        # (the table bound here: at interpreter exit the module's globals may be None)
        if table.get(key) is info:
            del table[key]
    info.ref = weakref.ref(code, forget)     # kept by info, so its callback runs
    _by_code[key] = info
    return info


def _analyse(code, module_globals, info):
    if code.co_flags & _NOT_PLAIN or "__class__" in code.co_freevars \
            or code.co_name == "<lambda>":
        return
    tree = _parse_def(code, module_globals)
    if tree is None:
        return
    # Python 3.11 compiles m.f() differently when m is imported at module level (in the
    # compiled unit: a file, or one statement of an IPython cell): try both ways.
    try:
        imported = set(_module_imports(code.co_filename))
    except Exception:
        imported = set()
    used = sorted(imported.intersection(n.id for n in ast.walk(tree) if type(n) is ast.Name))
    for imports in ([tuple(used), ()] if used else [()]):
        if _compile_def(copy.deepcopy(tree), code, imports) == code:
            info.imports = imports
            break
    else:
        return      # not the source this code was compiled from (edited since, or not a def)
    own = _OwnScope()
    for stmt in tree.body:
        own.visit(stmt)
    if own.refuse:
        return
    local = set(code.co_varnames) | set(code.co_cellvars) | set(code.co_freevars)
    info.called_names = tuple(dict.fromkeys(n for n in own.called_names if n not in local))
    info.called_modules = tuple(dict.fromkeys(n for n in own.called_modules if n not in local))
    info.method_calls = own.method_calls > 0
    info.tree = tree
    info.refused = not (info.called_names or info.called_modules or info.method_calls)


def _parse_def(code, module_globals):
    """fn's `def` statement parsed at its lines and columns in its file, or None."""
    start = code.co_firstlineno
    lines = linecache.getlines(code.co_filename, module_globals)
    if not 0 < start <= len(lines):
        return None
    lines = inspect.getblock(lines[start - 1:])
    if not lines:
        return None
    text = "".join(lines)
    indented = lines[0][:1] in (" ", "\t")
    if indented:
        if start < 2:
            return None
        # an indented def parses as the body of an `if` on the line before it, columns kept
        source = "\n" * (start - 2) + "if 1:\n" + text
    else:
        source = "\n" * (start - 1) + text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = ast.parse(source, code.co_filename)
    node = module.body[0].body[0] if indented else module.body[0]
    if type(node) is not ast.FunctionDef or node.name != code.co_name:
        return None
    return node


class _OwnScope(ast.NodeVisitor):
    """Collects the calls in fn's own scope that could be receive calls."""

    def __init__(self):
        self.called_names = []
        self.called_modules = []
        self.method_calls = 0       # `X.call(...)` calls
        self.refuse = False

    def visit_Name(self, node):
        if node.id in ("super", "__class__"):
            self.refuse = True

    def visit_Yield(self, node):
        self.refuse = True

    visit_YieldFrom = visit_Await = visit_Yield

    def visit_Call(self, node):
        func = node.func
        if type(func) is ast.Name:
            self.called_names.append(func.id)
        elif type(func) is ast.Attribute:
            if func.attr == "receive" and type(func.value) is ast.Name:
                self.called_modules.append(func.value.id)
            elif func.attr == "call":
                self.method_calls += 1
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def generic_visit(self, node):
        if isinstance(node, _NESTED):
            return
        super().generic_visit(node)


# ---------------------------------------------------------------- the rewrite

class _Rewrite(ast.NodeTransformer):
    """Turns fn's own receive calls into yields; `refuse` if one sits in try/with/a guard."""

    def __init__(self, names, modules, calls=frozenset()):
        self.names = names
        self.modules = modules
        self.calls = calls          # global names bound to GenServer's call
        self.protected = 0
        self.count = 0
        self.refuse = False

    def _is_receive(self, func):
        if type(func) is ast.Name:
            return func.id in self.names
        return (type(func) is ast.Attribute and func.attr == "receive"
                and type(func.value) is ast.Name and func.value.id in self.modules)

    def visit_Call(self, node):
        self.generic_visit(node)
        if not self._is_receive(node.func):
            func = node.func
            if (type(func) is ast.Attribute and func.attr == "call") \
                    or (type(func) is ast.Name and func.id in self.calls):
                return self._call(node)
            return node
        if self.protected:
            self.refuse = True
            return node
        self.count += 1
        if not node.args and not node.keywords:
            value = node.func
        elif any(type(a) is ast.Starred for a in node.args) or any(k.arg is None for k in node.keywords):
            # the helper gets the same arguments: a bad *x / **x fails as the call would
            mark = ast.Constant(_PACK_MARK)
            value = ast.Call(mark, [node.func] + node.args, node.keywords)
            _place(mark, node)
            _place(value, node)
        else:
            keys = [ast.Constant(k.arg) for k in node.keywords]
            for k in keys:
                _place(k, node)
            args = ast.Tuple(node.args, ast.Load())
            kwargs = ast.Dict(keys, [k.value for k in node.keywords])
            value = ast.Tuple([node.func, args, kwargs], ast.Load())
            for n in (args, kwargs, value):
                _place(n, node)
        return _place(ast.Yield(value), node)

    def _call(self, node):
        """`X.call(args)` -> `((yield (PARK, *args)) if (.c := X.call) is CALL else
        .c(args))` (with keywords `(yield (PARK_KW, (args), {kwargs}))`, with *x or **x
        the helper's same tuple): X.call evaluated once, first; anything but GenServer's call then
        called here as written (its arguments after it, in this frame, its errors raised at
        this line); GenServer's call yields its arguments, evaluated in the same order, for
        the driver to start the call and park on it. Inside try/with/a guard it stays a
        plain call (a GenServer call there waits on the worker greenlet, as before)."""
        if self.protected:
            return node
        self.count += 1
        func = node.func
        callee = _place(ast.NamedExpr(_place(ast.Name(_CALLEE, ast.Store()), func), func), func)
        test = _place(ast.Compare(callee, [ast.Is()], [_place(ast.Constant(_CALL_MARK), func)]),
                      func)
        if any(type(a) is ast.Starred for a in node.args) or any(k.arg is None for k in node.keywords):
            # the helper gets the same arguments: a bad *x / **x fails as the call would
            value = ast.Call(_place(ast.Constant(_PACK_CALL_MARK), node),
                             copy.deepcopy(node.args), copy.deepcopy(node.keywords))
        elif node.keywords:
            keys = [_place(ast.Constant(k.arg), node) for k in node.keywords]
            value = ast.Tuple([_place(ast.Constant(_PARK_KW_MARK), node),
                               _place(ast.Tuple(copy.deepcopy(node.args), ast.Load()), node),
                               _place(ast.Dict(keys, [copy.deepcopy(k.value)
                                                      for k in node.keywords]), node)],
                              ast.Load())
        else:
            value = ast.Tuple([_place(ast.Constant(_PARK_MARK), node)] + copy.deepcopy(node.args),
                              ast.Load())
        parked = _place(ast.Yield(_place(value, node)), node)
        node.func = _place(ast.Name(_CALLEE, ast.Load()), func)
        return _place(ast.IfExp(test, parked, node), node)

    def _protect(self, node):
        self.protected += 1
        try:
            return self.generic_visit(node)
        finally:
            self.protected -= 1

    visit_Try = visit_With = visit_AsyncWith = _protect
    if hasattr(ast, "TryStar"):
        visit_TryStar = _protect

    def visit_match_case(self, node):
        node.pattern = self.visit(node.pattern)
        if node.guard is not None:
            self.protected += 1
            try:
                node.guard = self.visit(node.guard)
            finally:
                self.protected -= 1
        node.body = [self.visit(s) for s in node.body]
        return node

    def visit_AnnAssign(self, node):
        node.target = self.visit(node.target)
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def generic_visit(self, node):
        if isinstance(node, _NESTED):
            return node
        return super().generic_visit(node)


def _place(new, old):
    new.lineno, new.col_offset = old.lineno, old.col_offset
    new.end_lineno, new.end_col_offset = old.end_lineno, old.end_col_offset
    return new


def _transform(info, code, names, modules, calls=frozenset()):
    tree = copy.deepcopy(info.tree)
    rewrite = _Rewrite(names, modules, calls)
    tree.body = [rewrite.visit(stmt) for stmt in tree.body]
    if rewrite.refuse or not rewrite.count:
        return None
    new = _compile_def(tree, code, info.imports)
    if not new.co_flags & inspect.CO_GENERATOR or new.co_freevars != code.co_freevars \
            or tuple(n for n in new.co_varnames if n != _CALLEE) != code.co_varnames \
            or new.co_cellvars != code.co_cellvars \
            or new.co_argcount != code.co_argcount or new.co_kwonlyargcount != code.co_kwonlyargcount \
            or new.co_posonlyargcount != code.co_posonlyargcount:
        return None
    marks = _marks()
    consts = _swapped(new.co_consts, marks)
    if consts is not new.co_consts:
        new = new.replace(co_consts=consts)
    return new


def _swapped(consts, marks):
    """`consts` with each mark swapped for what it stands for, also inside the tuples the
    compiler folded (`(PARK, ("a", 1))` of a call with constant arguments); `consts`
    itself if it holds none."""
    out = tuple(marks.get(c, c) if type(c) is str else
                _swapped(c, marks) if type(c) is tuple else c for c in consts)
    return consts if all(a is b for a, b in zip(out, consts)) else out


def _compile_def(tree, code, imports):
    """Compile the FunctionDef `tree` where `code` was made; its code object, named as `code`."""
    body = [tree]
    parts = code.co_qualname.split(".")
    if len(parts) >= 2 and parts[-2] != "<locals>":
        cls = parts[-2]     # fn is a method: compile it in a class of that name (mangling)
        if not cls.isidentifier() or keyword.iskeyword(cls):
            raise ValueError(cls)
        body = [_node(ast.ClassDef, name=cls, bases=[], keywords=[], body=body, decorator_list=[])]
    if code.co_freevars or "<locals>" in parts:
        # in a function (CO_NESTED), whose locals are fn's free variables
        cells = [ast.Assign([ast.Name(v, ast.Store()) for v in code.co_freevars], ast.Constant(None))]
        body = [_node(ast.FunctionDef, name="__beamlab_outer__", args=_no_args(),
                      body=cells[:bool(code.co_freevars)] + body, decorator_list=[], returns=None)]
    if imports:
        body = [ast.Import([ast.alias(name) for name in imports])] + body
    module = ast.Module(body, [])
    ast.fix_missing_locations(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = compile(module, code.co_filename, "exec",
                           flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    found = _find_code(compiled, code.co_name, tree.lineno if not tree.decorator_list
                       else tree.decorator_list[0].lineno)
    if found is None:
        raise ValueError("compiled def not found")
    return _requalify(found, found.co_qualname, code.co_qualname)


def _module_imports(filename):
    """The names an import binds at module level in `filename`'s source (sorted)."""
    lines = linecache.getlines(filename)
    cached = _imports_by_file.get(filename)
    if cached is not None and cached[0] is lines:
        return cached[1]
    names = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse("".join(lines), filename)
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*")
        elif not isinstance(node, _NESTED):
            todo.extend(child for child in ast.iter_child_nodes(node)
                        if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)))
    names = tuple(sorted(names))
    _imports_by_file[filename] = (lines, names)
    return names


# file name -> (its linecache lines, the names imported at its module level)
_imports_by_file: dict[str, tuple] = {}


def _no_args():
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                         kwarg=None, defaults=[])


def _node(cls, **fields):
    if "type_params" in cls._fields:     # Python 3.12+
        fields["type_params"] = []
    return cls(**fields)


def _find_code(container, name, firstlineno):
    for c in container.co_consts:
        if isinstance(c, types.CodeType):
            if c.co_name == name and c.co_firstlineno == firstlineno:
                return c
            inner = _find_code(c, name, firstlineno)
            if inner is not None:
                return inner
    return None


def _requalify(code, made, wanted):
    """`code` and its nested code objects with the qualname prefix `made` changed to `wanted`."""
    consts = code.co_consts
    new_consts = tuple(_requalify(c, made, wanted) if isinstance(c, types.CodeType) else c
                       for c in consts)
    qualname = code.co_qualname
    if qualname == made:
        qualname = wanted
    elif qualname.startswith(made + "."):
        qualname = wanted + qualname[len(made):]
    if qualname == code.co_qualname and all(a is b for a, b in zip(new_consts, consts)):
        return code
    return code.replace(co_qualname=qualname, co_consts=new_consts)


def _marks():
    """The constants the rewrite puts in, and what they are swapped for."""
    from ._receive import _CALL_PARK, _CALL_PARK_KW
    gen_call = _gen_call() or importlib.import_module(_CLIENT).call
    return {_PACK_MARK: _pack(), _CALL_MARK: gen_call, _PARK_MARK: _CALL_PARK,
            _PARK_KW_MARK: _CALL_PARK_KW, _PACK_CALL_MARK: _pack_call(gen_call)}


def _packer(fn, callee=None):
    """A helper `pack(callee, *args, **kwargs)` -> `(callee, args, kwargs)` (with `callee`
    given: `pack(*args, **kwargs)`, the same), named as `fn` is, so a bad *x or **x gives
    the real call's message ("beamlab.runtime.api.receive() argument after * must be an
    iterable, not int")."""
    if callee is None:
        def pack(callee, /, *args, **kwargs):
            return (callee, args, kwargs)
    else:
        def pack(*args, **kwargs):
            return (callee, args, kwargs)
    pack.__name__ = fn.__name__
    pack.__qualname__ = fn.__qualname__
    pack.__module__ = fn.__module__
    return pack


@functools.lru_cache(maxsize=1)
def _pack():
    """The helper a receive call with *x or **x becomes: (callee, args, kwargs)."""
    return _packer(_receive())


@functools.lru_cache(maxsize=1)
def _pack_call(gen_call):
    """The helper GenServer's call with *x or **x becomes: (its park marker, args, kwargs),
    called with the very same arguments."""
    from ._receive import _CALL_PARK_KW
    return _packer(gen_call, _CALL_PARK_KW)
