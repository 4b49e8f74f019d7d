"""Child specifications and supervisor flags, validated before anything starts.

How this works: a supervisor's children may be written as a ``ChildSpec``, a
dict with the same keys (Erlang's child spec map), a GenServer class, or a
``(GenServerClass, arg)`` pair (Elixir's ``{Counter, 0}``).  ``child_spec()``
turns any of them into a ``ChildSpec``, checking one field at a time like
``supervisor:check_childspec/2``; each mistake raises ``ChildSpecError`` whose
``tag`` is OTP's (``invalid_shutdown``, ``duplicate_child_id``, ...) and whose
message says what to write instead.  ``check_flags()`` does the same for the
supervisor's strategy, intensity and period.

Units follow OTP: ``shutdown`` is milliseconds (or ``"brutal_kill"`` /
``"infinity"``), ``max_seconds`` is seconds.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["ChildSpec", "ChildSpecError", "SupervisorFlagsError", "SupervisorSpec", "child_spec",
           "check_child_specs", "check_flags", "RESTART_TYPES", "CHILD_TYPES", "STRATEGIES"]

RESTART_TYPES = ("permanent", "transient", "temporary")
CHILD_TYPES = ("worker", "supervisor")
STRATEGIES = ("one_for_one", "one_for_all", "rest_for_one")
_SPEC_KEYS = ("id", "start", "restart", "shutdown", "type", "modules", "significant")


class ChildSpecError(ValueError):
    """A child specification is invalid; nothing was started.

    ``tag`` is OTP's reason (``"missing_id"``, ``"invalid_start"``,
    ``"invalid_restart_type"``, ``"invalid_shutdown"``, ``"invalid_child_type"``,
    ``"duplicate_child_id"``, ``"unknown_key"``, ``"invalid_child_spec"``),
    ``value`` the offending value, ``child_id`` the child's id when known.

    >>> Supervisor.start_link([{"id": "a", "start": (f,), "restart": "always"}])
    Traceback (most recent call last):
    ChildSpecError: child 'a': invalid_restart_type 'always' — use one of 'permanent', ...
    """

    def __init__(self, tag: str, value: Any, hint: str, child_id: Any = None):
        self.tag = tag
        self.value = value
        self.child_id = child_id
        self.hint = hint
        where = f"child {child_id!r}: " if child_id is not None else "child spec: "
        super().__init__(f"{where}{tag} {value!r} — {hint}")

    @property
    def reason(self) -> tuple:
        """The OTP-shaped reason, e.g. ``("invalid_shutdown", -1)``."""
        return (self.tag, self.value)


class SupervisorFlagsError(ValueError):
    """A supervisor flag (strategy, max_restarts, max_seconds, max_children) is invalid.

    ``tag`` is OTP's (``"invalid_strategy"``, ``"invalid_intensity"``,
    ``"invalid_period"``, ``"invalid_max_children"``).

    >>> Supervisor.start_link([], strategy="one_for_none")
    Traceback (most recent call last):
    SupervisorFlagsError: invalid_strategy 'one_for_none' — use one of ...
    """

    def __init__(self, tag: str, value: Any, hint: str):
        self.tag = tag
        self.value = value
        super().__init__(f"{tag} {value!r} — {hint}")

    @property
    def reason(self) -> tuple:
        return (self.tag, self.value)


@dataclass(frozen=True)
class ChildSpec:
    """How a supervisor starts, restarts and stops one child (Elixir's child_spec map).

    ``start`` is ``(function, *args)``: calling ``function(*args)`` from the
    supervisor must start a process *linked to the caller* and return its pid
    (``GenServer.start_link``, ``spawn_link``, ``Supervisor.start_link`` ...);
    returning None means "ignore" (nothing started).  ``shutdown`` is how long
    (ms) the child gets to stop after a ``"shutdown"`` exit signal before it is
    killed, or ``"brutal_kill"`` / ``"infinity"``; the default is 5000 for
    workers and ``"infinity"`` for supervisors.

    >>> ChildSpec(id="counter", start=(GenServer.start_link, Counter, 0))
    >>> Counter.child_spec(0)                     # the same, from the class
    >>> {"id": "counter", "start": (Counter, 0)}  # a dict works too
    """

    id: Any
    start: tuple
    restart: str = "permanent"
    shutdown: int | str | None = None  # None: 5000 for a worker, "infinity" for a supervisor
    type: str = "worker"
    modules: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.shutdown is None:
            object.__setattr__(self, "shutdown", "infinity" if self.type == "supervisor" else 5000)

    def to_dict(self) -> dict:
        """The spec as Erlang's child spec map (for display)."""
        return {"id": self.id, "start": self.start, "restart": self.restart,
                "shutdown": self.shutdown, "type": self.type}

    def __repr__(self) -> str:
        fn, *args = self.start
        call = f"{_fn_name(fn)}({', '.join(map(repr, args))})"
        return (f"ChildSpec(id={self.id!r}, start={call}, restart={self.restart!r}, "
                f"shutdown={self.shutdown!r}, type={self.type!r})")


def _fn_name(fn: Callable) -> str:
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):
        return f"{owner.__name__}.{getattr(fn, '__name__', '?')}"
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


# ---------------------------------------------------------------- normalizing

def child_spec(spec: Any, **overrides: Any) -> ChildSpec:
    """Turn any accepted child form into a validated ``ChildSpec`` (Elixir's ``Supervisor.child_spec/2``).

    Accepts a ``ChildSpec``, a dict, a GenServer/Supervisor class (started with
    ``arg=None``) or a ``(Class, arg)`` pair; keyword ``overrides`` replace fields.

    >>> child_spec((Counter, 0), id="c1", restart="transient")
    ChildSpec(id='c1', start=Counter.start_link(0), restart='transient', ...)
    """
    if isinstance(spec, ChildSpec):
        base = spec.to_dict()
    elif isinstance(spec, dict):
        base = dict(spec)
    elif isinstance(spec, type) and hasattr(spec, "child_spec"):
        base = spec.child_spec(None).to_dict()
    elif (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], type)
          and hasattr(spec[0], "child_spec")):
        base = spec[0].child_spec(spec[1]).to_dict()
    else:
        raise ChildSpecError(
            "invalid_child_spec", spec,
            "write a child as a dict {'id': ..., 'start': (function, *args)}, a ChildSpec, "
            "a GenServer class, or a (GenServerClass, arg) pair")
    base.update(overrides)
    return _check(base)


def _check(spec: dict) -> ChildSpec:
    """``supervisor:do_check_childspec/2``: one field at a time, each with its own tag."""
    child_id = spec.get("id")
    for key in spec:
        if key not in _SPEC_KEYS:
            close = difflib.get_close_matches(str(key), _SPEC_KEYS, n=1)
            hint = (f"did you mean {close[0]!r}? " if close else "") + \
                "a child spec has the keys id, start, restart, shutdown, type"
            raise ChildSpecError("unknown_key", key, hint, _safe_id(child_id))
    if "id" not in spec:
        raise ChildSpecError("missing_id", spec, "give every child an 'id' (any hashable value, "
                             "unique under its supervisor)")
    _valid_id(child_id)
    if "start" not in spec:
        raise ChildSpecError("missing_start", spec, "give the child a 'start': (function, *args) "
                             "that starts a linked process and returns its pid", child_id)
    start = _valid_start(spec["start"], child_id)
    restart = spec.get("restart", "permanent")
    if restart not in RESTART_TYPES:
        raise ChildSpecError("invalid_restart_type", restart,
                             "use one of 'permanent' (always restart), 'transient' (restart only "
                             "after a crash) or 'temporary' (never restart)", child_id)
    ctype = spec.get("type", "worker")
    if ctype not in CHILD_TYPES:
        raise ChildSpecError("invalid_child_type", ctype,
                             "use 'worker' or 'supervisor'", child_id)
    shutdown = spec.get("shutdown")
    if shutdown is None:
        shutdown = "infinity" if ctype == "supervisor" else 5000
    _valid_shutdown(shutdown, child_id)
    return ChildSpec(id=child_id, start=start, restart=restart, shutdown=shutdown,
                     type=ctype, modules=spec.get("modules"))


def _safe_id(child_id: Any) -> Any:
    try:
        hash(child_id)
        return child_id
    except TypeError:
        return None


def _valid_id(child_id: Any) -> None:
    if child_id is None:
        raise ChildSpecError("invalid_id", None, "a child id cannot be None; use a string "
                             "such as the child's role ('cache', 'worker_1')")
    try:
        hash(child_id)
    except TypeError:
        raise ChildSpecError("invalid_id", child_id, "a child id must be hashable "
                             "(a string, number or tuple)") from None


def _valid_start(start: Any, child_id: Any) -> tuple:
    """``(fn, *args)``; a bare callable means ``(fn,)``; ``(GenServerClass, arg)`` means its start_link."""
    if callable(start) and not isinstance(start, tuple):
        start = (start,)
    if isinstance(start, list):
        start = tuple(start)
    if not isinstance(start, tuple) or not start or not callable(start[0]):
        raise ChildSpecError("invalid_start", start,
                             "'start' must be (function, *args), e.g. (GenServer.start_link, "
                             "Counter, 0) or (spawn_link, worker_fn)", child_id)
    fn = start[0]
    if isinstance(fn, type) and hasattr(fn, "start_link"):
        if len(start) > 2:
            raise ChildSpecError("invalid_start", start,
                                 f"a class takes one init argument: ({fn.__name__}, arg)", child_id)
        return (fn.start_link, *start[1:])
    return start


def _valid_shutdown(shutdown: Any, child_id: Any) -> None:
    if shutdown in ("brutal_kill", "infinity"):
        return
    if isinstance(shutdown, int) and not isinstance(shutdown, bool) and shutdown >= 0:
        return
    raise ChildSpecError("invalid_shutdown", shutdown,
                         "use a whole number of milliseconds >= 0 (the child gets that long to "
                         "stop, then is killed), 'brutal_kill' or 'infinity'", child_id)


def check_child_specs(children: Any) -> list[ChildSpec]:
    """Validate a whole children list (``supervisor:check_startspec/2``), ids unique, order kept.

    >>> check_child_specs([Counter, {"id": "Counter", "start": (f,)}])
    Traceback (most recent call last):
    ChildSpecError: child 'Counter': duplicate_child_id 'Counter' — ...
    """
    if not isinstance(children, (list, tuple)):
        raise ChildSpecError("invalid_child_spec", children,
                             "pass the children as a list, e.g. [Counter, (Cache, {})]")
    specs: list[ChildSpec] = []
    seen: set = set()
    for child in children:
        spec = child_spec(child)
        if spec.id in seen:
            raise ChildSpecError("duplicate_child_id", spec.id,
                                 "every child of a supervisor needs its own id; pass id=... "
                                 "(e.g. child_spec((Counter, 0), id='counter_2'))", spec.id)
        seen.add(spec.id)
        specs.append(spec)
    return specs


def check_flags(strategy: Any, max_restarts: Any, max_seconds: Any,
                strategies: tuple = STRATEGIES) -> None:
    """``supervisor:check_flags/1``: strategy, intensity (>= 0), period (> 0)."""
    if strategy not in strategies:
        raise SupervisorFlagsError("invalid_strategy", strategy,
                                   "use one of " + ", ".join(map(repr, strategies)))
    if not (isinstance(max_restarts, int) and not isinstance(max_restarts, bool)
            and max_restarts >= 0):
        raise SupervisorFlagsError("invalid_intensity", max_restarts,
                                   "max_restarts must be a whole number >= 0 (the default is 3)")
    if not (isinstance(max_seconds, (int, float)) and not isinstance(max_seconds, bool)
            and max_seconds > 0):
        raise SupervisorFlagsError("invalid_period", max_seconds,
                                   "max_seconds must be a number of seconds > 0 (the default is 5)")


@dataclass(frozen=True)
class SupervisorSpec:
    """What a supervisor's ``init`` returns: ``Supervisor.init(children, strategy=...)``.

    >>> class App(Supervisor):
    ...     def init(self, arg):
    ...         return Supervisor.init([Counter], strategy="one_for_all")  # a SupervisorSpec
    """

    children: tuple
    strategy: str = "one_for_one"
    max_restarts: int = 3
    max_seconds: float = 5
