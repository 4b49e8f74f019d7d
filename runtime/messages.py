"""Messages are values: what `send` does to the term it is given.

How this works: on the BEAM every term is immutable, so a message can never
change after it is sent. Python values can, so `send` passes immutable values
as they are (ints, floats, str, bytes, None, bools, pids, refs, and tuples,
frozensets and frozen dataclasses made only of those) and deep-copies anything
else. A value that cannot be copied (a lock, a generator, an open file) is an
error at the `send`, never a surprise later in the receiver.

Checking and copying never recurse: both walk the message with an explicit
stack, in time linear in its size, so a list nested 100,000 deep or a cons
chain `(1, (2, (3, ...)))` is sent like any other term. The copy keeps what
`copy.deepcopy` keeps: a part reachable twice is copied once, cycles stay
cycles, `__deepcopy__`, `__reduce_ex__`, `copyreg` and `__setstate__` are used
as deepcopy uses them, and immutable parts are shared, not copied.

Big copies take turns. The sender is the one copying, so the sender is the
one who waits: like the BEAM, which copies a message at the `send`. Under
signal preemption the copy looks at the clock every few thousand elements and,
when the tick has asked for a switch, lets the other processes run before it
carries on, so a 100 MB list delays its sender, not the ticker beside it. The
sender is paused inside `send`, so its own code cannot change the value
meanwhile; another process could only reach it through state shared outside
messages (a global, a closure), and a part it changes before that part is
copied arrives changed. Lists are read a chunk at a time and dicts and sets
from a snapshot, so such a change never breaks the copy. Where the copy cannot
take turns (cooperative preemption, or a send from outside any process) and
holds the scheduler longer than `Runtime.long_schedule`, it emits the same
`("beamlab", "process", "long_schedule")` event as a long native call, naming
the sender and the line of its `send`.
"""

from __future__ import annotations

import copyreg
import dataclasses
import enum
import reprlib
import sys
import time
import types
import weakref

import greenlet

from .errors import BadArg, Crash
from .pid import Pid, Ref

__all__ = ["to_message", "is_immutable", "preview"]

_ATOMIC = {int, float, complex, str, bytes, bool, type(None), Pid, Ref, range,
           type(Ellipsis), types.FunctionType, types.BuiltinFunctionType, type, Crash}
# What the copy shares as it is: the atoms above and what copy.deepcopy shares too.
_SHARED = frozenset(_ATOMIC | {type(NotImplemented), types.CodeType, weakref.ref, property})
_frozen_cache: dict = {}

_CHUNK = 4096          # list, dict and set elements handled per step of the copy
_CHECK_EVERY = 16384   # elements copied between two looks at the clock and the tick
_LEAF = 64             # a list or dict this short holding only shared values is copied at once
_PATH_SHOWN = 3        # containers named at each end of a long path in an error

_PUSHED = object()     # _Copy.begin: the part's copy goes on the stack, not returned
_NIL = object()


# Whether a value of exactly type `t` is sent as it is, with no copy (an atom of _ATOMIC):
# the one test of every copy check on the hot paths (send, call, reply, cast, spawn's
# arguments). The set's own bound `__contains__`, a C call with no Python frame; compiled
# modules use its inline twin in _receive.pxd, which tries str and int first.
_atomic_type = _ATOMIC.__contains__


def _frozen_fields(t: type):
    """Field names of a frozen dataclass type, or None if `t` is not one (cached)."""
    r = _frozen_cache.get(t, 0)
    if r == 0:
        params = getattr(t, "__dataclass_params__", None)
        r = (tuple(f.name for f in dataclasses.fields(t))
             if params is not None and params.frozen else None)
        _frozen_cache[t] = r
    return r


# ---------------------------------------------------------------- immutability
def is_immutable(value) -> bool:
    """True if `value` can be shared between processes without copying.

        >>> is_immutable(("point", 1, 2)), is_immutable(("point", [1, 2]))
        (True, False)
    """
    t = type(value)
    if t in _ATOMIC:
        return True
    if t is tuple or t is frozenset:
        for v in value:
            if type(v) not in _ATOMIC:
                return _immutable_walk(value)
        return True
    names = _frozen_fields(t)
    if names is not None:
        for n in names:
            if type(getattr(value, n)) not in _ATOMIC:
                return _immutable_walk(value)
        return True
    return isinstance(value, enum.Enum)


def _immutable_walk(value) -> bool:
    """is_immutable for a nested value: an explicit stack, each part looked at once."""
    seen = set()
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        x = pop()
        t = type(x)
        if t is tuple or t is frozenset:
            parts = x
        else:
            names = _frozen_fields(t)
            if names is None:
                if isinstance(x, enum.Enum):
                    continue
                return False
            parts = [getattr(x, n) for n in names]
        for v in parts:
            if type(v) not in _ATOMIC:
                i = id(v)
                if i not in seen:
                    seen.add(i)
                    push(v)
    return True


# ---------------------------------------------------------------- to_message
def to_message(value):
    """Return what the receiver will get for `value`: itself if immutable, else a deep copy.

        >>> data = [1, 2]
        >>> send(pid, data); data.append(3)   # the receiver still sees [1, 2]
    """
    t = type(value)
    if t in _ATOMIC:
        return value
    if t is tuple:
        # Fast path for the common ("tag", pid, payload) shapes.
        for v in value:
            if type(v) not in _ATOMIC and not is_immutable(v):
                break
        else:
            return value
    elif t is list:
        # A short list or dict of numbers and strings: one C-level copy.
        if len(value) <= _CHUNK and _SHARED.issuperset(map(type, value)):
            return value[:]
    elif t is dict:
        if (len(value) <= _CHUNK and _SHARED.issuperset(map(type, value.values()))
                and _SHARED.issuperset(map(type, value))):
            return value.copy()
    elif is_immutable(value):
        return value
    return _Copy().run(value)


class _Copy:
    """One deep copy in progress: deepcopy's algorithm with the recursion on a list.

    Each container being copied has a builder on `stack`: a generator that
    yields the parts it needs copied and is sent back their copies. Parts that
    are shared or already copied are handled by the builder itself; `begin`
    starts the copy of any other part. Everything lives on this object, so a
    copy paused for other processes is never disturbed by theirs."""

    __slots__ = ("memo", "keep", "stack", "work", "next_check", "held_from",
                 "reported", "rt", "proc", "yielding")

    def __init__(self):
        self.memo = {}          # id(original) -> copy, as deepcopy's memo (and given to __deepcopy__)
        self.keep = []          # temporaries from __reduce_ex__, kept alive so their ids stay unique
        self.stack = []         # [(builder, original)], outermost first
        self.work = 0
        self.next_check = _CHECK_EVERY
        self.held_from = 0.0    # when the copy last took the CPU (its start, or its last turn)
        self.reported = False
        self.rt = _NIL          # the runtime, found at the first checkpoint
        self.proc = None        # the sending process, if the copy runs in its greenlet
        self.yielding = False

    def run(self, value):
        stack = self.stack
        self.held_from = time.perf_counter()
        culprit = value
        try:
            result = self.begin(value)
            if result is _PUSHED:
                result = None
                while stack:
                    builder, culprit = stack[-1]
                    try:
                        part = builder.send(result)
                    except StopIteration as done:
                        stack.pop()
                        result = done.value
                        continue
                    culprit = part
                    result = self.begin(part)
                    if result is _PUSHED:
                        result = None
                    self.work += 1
                    if self.work >= self.next_check:
                        self.checkpoint()
        except Exception as exc:
            if self.yielding:
                raise           # thrown into the sender while it let others run: not the copy's
            error = _uncopyable(culprit, [type(o).__name__ for _, o in stack if o is not culprit], exc)
        else:
            if self.rt is not _NIL:
                self.report_if_long(time.perf_counter())
            return result
        finally:
            for builder, _ in stack:
                builder.close()
            stack.clear()
        raise error         # outside the handler: no chained context, however deep the value

    # -- starting the copy of one part ---------------------------------------
    def begin(self, x):
        """The copy of `x`, or _PUSHED when a builder for it went on the stack."""
        t = type(x)
        memo = self.memo
        if t is list:
            if len(x) <= _LEAF and _SHARED.issuperset(map(type, x)):
                y = memo[id(x)] = x[:]      # a leaf: no builder needed
                return y
            y = memo[id(x)] = []
            self.stack.append((self._list(x, y), x))
            return _PUSHED
        if t is dict:
            if (len(x) <= _LEAF and _SHARED.issuperset(map(type, x.values()))
                    and _SHARED.issuperset(map(type, x))):
                y = memo[id(x)] = x.copy()
                return y
            y = memo[id(x)] = {}
            self.stack.append((self._dict(x, y), x))
            return _PUSHED
        if t is tuple or t is frozenset:
            self.stack.append((self._immutable(x, t, x), x))
            return _PUSHED
        if t is set:
            y = memo[id(x)] = set()
            self.stack.append((self._set(x, y), x))
            return _PUSHED
        if t in _SHARED or issubclass(t, type):
            return x
        y = memo.get(id(x), _NIL)
        if y is not _NIL:
            return y
        names = _frozen_fields(t)
        if names is not None:
            self.stack.append((self._immutable(x, t, [getattr(x, n) for n in names]), x))
            return _PUSHED
        return self.begin_object(x, t)

    def begin_object(self, x, t):
        if t is types.MethodType:
            self.stack.append((self._method(x), x))
            return _PUSHED
        copier = getattr(x, "__deepcopy__", None)
        if copier is not None:
            y = copier(self.memo)
            self.memo[id(x)] = y
            return y
        rv = _reduce_value(x, t)
        if isinstance(rv, str):
            return x
        self.keep.append(rv)
        self.stack.append((self._reduce(x, *rv), x))
        return _PUSHED

    # -- builders: one per kind of container ----------------------------------
    def _list(self, x, y):
        memo, shared = self.memo, _SHARED
        i = 0
        while i < len(x):
            chunk = x[i:i + _CHUNK]        # a snapshot: safe if x changes while others run
            i += _CHUNK
            if shared.issuperset(map(type, chunk)):
                y += chunk                 # numbers, strings...: at C speed
            else:
                for v in chunk:
                    if type(v) not in shared:
                        c = memo.get(id(v), _NIL)
                        if c is _NIL:
                            c = _leaf(v, memo)
                            if c is _NIL:
                                c = yield v
                        v = c
                    y.append(v)
            self.work += len(chunk)
            if self.work >= self.next_check:
                self.checkpoint()
        return y

    def _dict(self, x, y):
        memo, shared = self.memo, _SHARED
        items = list(x.items())            # a snapshot: safe if x changes while others run
        for i in range(0, len(items), _CHUNK):
            chunk = items[i:i + _CHUNK] if len(items) > _CHUNK else items
            for k, v in chunk:
                if type(k) not in shared:
                    c = memo.get(id(k), _NIL)
                    k = (yield k) if c is _NIL else c
                if type(v) not in shared:
                    c = memo.get(id(v), _NIL)
                    if c is _NIL:
                        c = _leaf(v, memo)
                        if c is _NIL:
                            c = yield v
                    v = c
                y[k] = v
            self.work += len(chunk)
            if self.work >= self.next_check:
                self.checkpoint()
        return y

    def _set(self, x, y):
        memo, shared = self.memo, _SHARED
        items = list(x)
        for v in items:
            if type(v) not in shared:
                c = memo.get(id(v), _NIL)
                v = (yield v) if c is _NIL else c
            y.add(v)
        self.work += len(items)
        if self.work >= self.next_check:
            self.checkpoint()
        return y

    def _immutable(self, x, t, parts):
        """A tuple, frozenset or frozen dataclass: itself if every part is its own copy."""
        memo, shared = self.memo, _SHARED
        copies = []
        same = True
        for v in parts:
            if type(v) not in shared:
                c = memo.get(id(v), _NIL)
                if c is _NIL:
                    c = _leaf(v, memo)
                    if c is _NIL:
                        c = yield v
                if c is not v:
                    same = False
                v = c
            copies.append(v)
        self.work += len(copies)
        y = memo.get(id(x), _NIL)
        if y is not _NIL:
            return y            # copied meanwhile, through a cycle back to it
        if same:
            y = x
        elif t is tuple:
            y = tuple(copies)
        elif t is frozenset:
            y = frozenset(copies)
        else:
            # A frozen dataclass holding mutable parts: rebuilt as deepcopy
            # would; the parts already copied come from the memo.
            copier = getattr(x, "__deepcopy__", None)
            if copier is not None:
                y = copier(memo)
            else:
                rv = _reduce_value(x, t)
                if isinstance(rv, str):
                    y = x
                else:
                    self.keep.append(rv)
                    y = yield from self._reduce(x, *rv)
        memo[id(x)] = y
        return y

    def _method(self, x):
        s = x.__self__
        c = s if type(s) in _SHARED else self.memo.get(id(s), _NIL)
        if c is _NIL:
            c = yield s
        y = type(x)(x.__func__, c)
        self.memo[id(x)] = y
        return y

    def _reduce(self, x, func, args, state=None, listiter=None, dictiter=None):
        """copy._reconstruct, a part at a time."""
        memo, shared = self.memo, _SHARED
        if args:
            copied = []
            for v in args:
                if type(v) not in shared:
                    c = memo.get(id(v), _NIL)
                    v = (yield v) if c is _NIL else c
                copied.append(v)
            args = copied
        y = func(*args)
        memo[id(x)] = y
        if state is not None:
            if type(state) is dict:
                state = yield from self._dict_state(state)
            elif (type(state) is tuple and len(state) == 2
                  and all(s is None or type(s) is dict for s in state)):
                state = (None if state[0] is None else (yield from self._dict_state(state[0])),
                         None if state[1] is None else (yield from self._dict_state(state[1])))
            elif type(state) not in shared:
                c = memo.get(id(state), _NIL)
                state = (yield state) if c is _NIL else c
            if hasattr(y, "__setstate__"):
                y.__setstate__(state)
            else:
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                else:
                    slotstate = None
                if state is not None:
                    y.__dict__.update(state)
                if slotstate is not None:
                    for key, value in slotstate.items():
                        setattr(y, key, value)
        if listiter is not None:
            for v in list(listiter):
                if type(v) not in shared:
                    c = memo.get(id(v), _NIL)
                    v = (yield v) if c is _NIL else c
                y.append(v)
        if dictiter is not None:
            for k, v in list(dictiter):
                if type(k) not in shared:
                    c = memo.get(id(k), _NIL)
                    k = (yield k) if c is _NIL else c
                if type(v) not in shared:
                    c = memo.get(id(v), _NIL)
                    v = (yield v) if c is _NIL else c
                y[k] = v
        return y

    def _dict_state(self, state):
        """An object's attribute dict, copied value by value (the object, not the
        dict, is what an error names)."""
        memo, shared = self.memo, _SHARED
        out = {}
        for k, v in list(state.items()):
            if type(v) not in shared:
                c = memo.get(id(v), _NIL)
                v = (yield v) if c is _NIL else c
            out[k] = v
        return out

    # -- taking turns ------------------------------------------------------------
    def checkpoint(self) -> None:
        """Every _CHECK_EVERY elements: let the others run if the tick asked, and
        report a long hold of the scheduler that the preemptor cannot see."""
        self.next_check = self.work + _CHECK_EVERY
        rt = self.rt
        if rt is _NIL:
            rt = self.rt = _runtime()
            if rt is not None:
                proc = rt.current
                if proc is not None and greenlet.getcurrent() is proc.greenlet:
                    self.proc = proc
        if rt is None:
            return
        proc = self.proc
        if proc is not None and rt._preemptor.armed:
            # The tick sees this process (it reports a long hold itself): take
            # turns when it asks, unless a library below holds a lock.
            if rt._service_due and rt.current is proc and _may_switch():
                self.yielding = True
                rt._yield_current()
                self.yielding = False
                self.held_from = time.perf_counter()
                self.reported = False
            return
        self.report_if_long(time.perf_counter())

    def report_if_long(self, now: float) -> None:
        rt = self.rt
        if (rt is None or self.reported or now - self.held_from < rt.long_schedule
                or (self.proc is not None and rt._preemptor.armed)):
            return
        g = greenlet.getcurrent()
        if self.proc is None and g is not rt._loop_g:
            return          # another thread: its telemetry handlers are not ours to run
        self.reported = True
        tele = rt.telemetry
        if tele.handlers:
            proc = self.proc
            tele.execute(("beamlab", "process", "long_schedule"), {"ms": (now - self.held_from) * 1000.0},
                         {"pid": proc.pid if proc is not None else None,
                          "location": _sender_location(), "name": proc.name if proc is not None else None,
                          "activity": "copying a message"})


def _leaf(v, memo):
    """The copy of a short list or dict of numbers and strings (made at once), else _NIL."""
    t = type(v)
    if t is list:
        if len(v) <= _LEAF and _SHARED.issuperset(map(type, v)):
            c = memo[id(v)] = v[:]
            return c
    elif t is dict:
        if (len(v) <= _LEAF and _SHARED.issuperset(map(type, v.values()))
                and _SHARED.issuperset(map(type, v))):
            c = memo[id(v)] = v.copy()
            return c
    return _NIL


def _reduce_value(x, t):
    """What copy.deepcopy rebuilds `x` from (copyreg, __reduce_ex__(4), __reduce__)."""
    reductor = copyreg.dispatch_table.get(t)
    if reductor is not None:
        return reductor(x)
    reductor = getattr(x, "__reduce_ex__", None)
    if reductor is not None:
        return reductor(4)
    reductor = getattr(x, "__reduce__", None)
    if reductor is None:
        raise TypeError(f"un(deep)copyable object of type {t}")
    return reductor()


def _runtime():
    from . import _core
    return _core._current


def _may_switch() -> bool:
    """True if no library frame is on the stack (it might hold a lock: see preempt.py)."""
    from .preempt import LIBRARY, frame_kind
    f = sys._getframe()     # (from the innermost frame: compiled, this module has none)
    while f is not None:
        if frame_kind(f.f_code) == LIBRARY:
            return False
        f = f.f_back
    return True


def _sender_location():
    """(file, line, function) of the innermost frame outside the runtime: the send."""
    from .preempt import USER, frame_kind
    f = sys._getframe()
    while f is not None and frame_kind(f.f_code) != USER:
        f = f.f_back
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name) if f is not None else None


def _uncopyable(culprit, path: list, exc: Exception) -> BadArg:
    """A short BadArg naming the part that cannot be copied and where it sits."""
    path = path[::-1]                # innermost first
    if len(path) > 2 * _PATH_SHOWN + 1:
        middle = len(path) - 2 * _PATH_SHOWN
        shown = (" in a ".join(path[:_PATH_SHOWN]) + f" in … {middle:,} more containers …"
                 f" in a " + " in a ".join(path[-_PATH_SHOWN:]) + f"; {len(path):,} levels deep")
    else:
        shown = " in a ".join(path)
    where = f" (in a {shown})" if path else ""
    detail = f"{type(exc).__name__}: {exc}"
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return BadArg(
        f"cannot send a {type(culprit).__name__}{where}: messages are copied and this "
        f"value cannot be ({detail}). Send plain data (numbers, "
        f"strings, tuples, lists, dicts, dataclasses) or a pid to a process that owns "
        f"the object."
    )


# ---------------------------------------------------------------- preview
class _Preview(reprlib.Repr):
    def repr_bytes(self, x, level):
        return repr(x[:self.maxstring]) + ("..." if len(x) > self.maxstring else "")

    def repr_bytearray(self, x, level):
        return repr(x[:self.maxstring]) + ("..." if len(x) > self.maxstring else "")


_preview = _Preview()
_preview.maxlevel = 8
_preview.maxlist = _preview.maxtuple = _preview.maxset = _preview.maxfrozenset = 50
_preview.maxdict = _preview.maxdeque = _preview.maxarray = 50
_preview.maxstring = _preview.maxother = 400
_PREVIEW_PARTS = 2000    # a term with fewer parts than this, not deeper than 50, is shown whole


def preview(value, limit: int = 4000) -> str:
    """A repr of `value` that is bounded however big or deep it is (for printing messages).

        >>> preview(list(range(10**6)))[:30]
        '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9,'
    """
    if _is_small(value):
        try:
            text = repr(value)
        except Exception:               # a user's __repr__ may be broken, or recurse
            text = None
        if text is not None and len(text) <= limit:
            return text
    try:
        text = _preview.repr(value)     # shows a part that will not print as <Bad instance at 0x...>
    except Exception as exc:
        return f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


def _is_small(value) -> bool:
    """Few parts and shallow, counting the built-in containers (iteratively)."""
    budget = _PREVIEW_PARTS
    stack = [(value, 0)]
    while stack:
        x, depth = stack.pop()
        t = type(x)
        if t is dict:
            parts = [*x.keys(), *x.values()] if len(x) < budget else None
        elif t in (list, tuple, set, frozenset):
            parts = x if len(x) < budget else None
        elif t in (str, bytes, bytearray):
            if len(x) > 10_000:
                return False        # the preview shows its start, without a 100 MB repr
            continue
        else:
            continue
        if parts is None or depth >= 50:
            return False
        budget -= len(parts)
        if budget < 0:
            return False
        stack.extend((p, depth + 1) for p in parts
                     if type(p) not in _SHARED or (type(p) in (str, bytes) and len(p) > 10_000))
    return True

# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
