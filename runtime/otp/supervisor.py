"""Supervisor: starts children in order, restarts them by strategy, gives up by intensity.

How this works (modelled on OTP's ``supervisor.erl``): a supervisor is a
GenServer (``_SupervisorServer``) that traps exits.  Its state is two records,
``_SupState`` and ``_Child``.  ``init`` starts the children in order (stopping
the started ones in reverse if one fails).  Each ``("EXIT", pid, reason)``
from a child goes through ``_do_restart`` — restart type × reason, decided by
``_rules.restart_wanted`` — then ``_restart`` adds a timestamp to the
intensity window (``_rules.add_restart``) and either applies the strategy or,
beyond ``max_restarts`` in ``max_seconds``, stops every child and exits with
``"shutdown"``, which its own supervisor sees as a child's exit (escalation).
A child that fails to restart is retried through a cast to itself, so calls
(e.g. ``terminate_child``) get handled in between, as in OTP.

Telemetry (``("beamlab", "supervisor", event)``): ``child_start``,
``child_exit``, ``restart``, ``escalate``, ``child_terminate``, ``shutdown``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _rt
from ._childspec import (ChildSpec, ChildSpecError, SupervisorFlagsError, check_child_specs,
                         check_flags, child_spec)
from ._children import shutdown_child, start_child
from ._results import Ignore, NoReply, Ok, Reply, Stop
from ._rules import STRATEGY, add_restart, restart_allowed, restart_wanted, restarts_in_window
from .gen_server import CallExit, GenServer, StartError, _ClassOrModule, _start

__all__ = ["Supervisor", "SupervisorSpec", "SupervisorError"]

_EVENT = ("beamlab", "supervisor")


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


class SupervisorError(Exception):
    """A supervisor request failed; ``reason`` is OTP's ``{error, Reason}`` term.

    ``"not_found"``, ``"running"``, ``"restarting"``, ``"already_present"``,
    ``("already_started", pid)``, ``"max_children"`` or the child's start error.

    >>> Supervisor.terminate_child(sup, "nope")
    Traceback (most recent call last):
    SupervisorError: terminate_child('nope'): no child with that id (not_found) ...
    """

    def __init__(self, reason: Any, message: str):
        super().__init__(message)
        self.reason = reason


class _Restarting:
    """A child whose restart failed and will be tried again (``{restarting, OldPid}``)."""

    __slots__ = ("old",)

    def __init__(self, old):
        self.old = old

    def __repr__(self) -> str:
        return "restarting"

    def __deepcopy__(self, memo):
        return self


class _Child:
    """OTP's ``#child{}``."""

    __slots__ = (
        "spec",   # ChildSpec: how to start, restart and stop it
        "pid",    # Pid while running, None when not running, _Restarting while retrying
    )

    def __init__(self, spec: ChildSpec, pid=None):
        self.spec = spec
        self.pid = pid

    def __repr__(self) -> str:
        return f"<child {self.spec.id!r} {self.pid!r}>"


class _SupState:
    """OTP's ``#state{}``."""

    __slots__ = (
        "name",       # registered name or None
        "module",     # the user's Supervisor subclass name, or None for a list-of-children one
        "strategy",   # "one_for_one" | "one_for_all" | "rest_for_one"
        "intensity",  # max_restarts allowed within `period`
        "period",     # max_seconds: the length of the intensity window
        "ids",        # child ids in start order (stop order is the reverse)
        "children",   # {id: _Child}
        "restarts",   # times (runtime clock, s) of recent restarts, newest first
    )

    def __init__(self, name, module, spec: SupervisorSpec):
        self.name = name
        self.module = module
        self.strategy = spec.strategy
        self.intensity = spec.max_restarts
        self.period = spec.max_seconds
        self.ids = [c.id for c in spec.children]
        self.children = {c.id: _Child(c) for c in spec.children}
        self.restarts: list[float] = []

    def __repr__(self) -> str:
        return (f"<supervisor {self.strategy} children={self.ids!r} "
                f"restarts={len(self.restarts)}/{self.intensity} in {self.period}s>")


# ======================================================================
# The supervisor process
# ======================================================================

class _SupervisorServer(GenServer):
    _behaviour = "Supervisor"
    label = "Supervisor"          # what observer shows as the initial call

    def init(self, source):
        _rt.process_flag("trap_exit", True)
        module = None
        if isinstance(source, SupervisorSpec):
            spec = source
        else:
            module, arg = source
            spec = module().init(arg)
            if isinstance(spec, Ignore) or spec == "ignore":
                return Ignore()
            if not isinstance(spec, SupervisorSpec):
                raise TypeError(f"{module.__name__}.init returned {spec!r}; return "
                                f"Supervisor.init(children, strategy=...) (or Ignore())")
            module = self.label = module.__name__
        state = _SupState(_rt.registered_name(), module, spec)
        failed = _start_children(state, list(state.ids))
        if failed is not None:
            _terminate_children(state, list(reversed(state.ids)))
            return Stop(("shutdown", ("failed_to_start_child", *failed)))
        return Ok(state)

    def handle_call(self, request, from_, state):
        tag = request[0] if type(request) is tuple else request
        handler = _CALLS.get(tag)
        if handler is None:
            return Reply(("error", ("unknown_request", request)), state)
        return Reply(handler(state, *request[1:]) if type(request) is tuple else handler(state),
                     state)

    def handle_cast(self, request, state):
        if type(request) is tuple and request[0] == "try_again_restart":
            _, child_id, reason = request
            child = state.children.get(child_id)
            if child is not None and type(child.pid) is _Restarting:
                if _restart(state, child, reason) == "shutdown":
                    return Stop("shutdown", state)
        return NoReply(state)

    def handle_info(self, message, state):
        if type(message) is tuple and len(message) == 3 and message[0] == "EXIT":
            child = _find_by_pid(state, message[1])
            if child is not None and _do_restart(state, child, message[2]) == "shutdown":
                return Stop("shutdown", state)
            return NoReply(state)
        print(f"Supervisor {_rt.self_pid()!r} received an unexpected message: {message!r}")
        return NoReply(state)

    def terminate(self, reason, state):
        if state is None:
            return
        _terminate_children(state, list(reversed(state.ids)))
        _rt.emit((*_EVENT, "shutdown"), {"supervisor": _rt.self_pid(), "name": state.name,
                                         "reason": reason})

    def format_status(self, status):
        st = status.get("state")
        if not isinstance(st, _SupState):
            return status
        status.update(behaviour="Supervisor", module=st.module or "Supervisor",
                      **_status_of(st))
        return status


def _status_of(st: _SupState) -> dict:
    children = []
    for cid in list(st.ids):
        c = st.children.get(cid)
        if c is None:
            continue
        s = c.spec
        children.append({"id": cid, "pid": c.pid, "restart": s.restart,
                         "shutdown": s.shutdown, "type": s.type})
    return {"strategy": st.strategy, "intensity": st.intensity, "period": st.period,
            "children": children,
            "restarts": restarts_in_window(list(st.restarts), _rt.now(), st.period)}


# ======================================================================
# Starting, restarting, stopping (one small function per case)
# ======================================================================

def _emit(event: str, state: _SupState, **meta) -> None:
    _rt.emit((*_EVENT, event), {"supervisor": _rt.self_pid(), "name": state.name, **meta})


def _start_children(state: _SupState, ids: list) -> tuple | None:
    """Start ``ids`` in order; on the first failure return ``(id, reason)``."""
    for cid in ids:
        child = state.children.get(cid)
        if child is None:
            continue
        status, value = start_child(child.spec.start)
        if status == "error":
            return (cid, value)
        if status == "ignore" and child.spec.restart == "temporary":
            _remove(state, cid)
            continue
        child.pid = value
        if value is not None:
            _emit("child_start", state, child_id=cid, pid=value, type=child.spec.type)
    return None


def _find_by_pid(state: _SupState, pid) -> _Child | None:
    for child in state.children.values():
        if child.pid == pid:
            return child
    return None


def _remove(state: _SupState, cid) -> None:
    state.ids.remove(cid)
    del state.children[cid]


def _del_child(state: _SupState, child: _Child) -> None:
    """A stopped child: temporary ones are forgotten, the others kept without a pid."""
    if child.spec.restart == "temporary":
        _remove(state, child.spec.id)
    else:
        child.pid = None


def _do_restart(state: _SupState, child: _Child, reason) -> str:
    """A child exited with ``reason``: restart it or not, by its restart type."""
    wanted = restart_wanted(child.spec.restart, reason)
    _emit("child_exit", state, child_id=child.spec.id, pid=child.pid, reason=reason,
          restart=child.spec.restart, restarting=wanted)
    if not wanted:
        _del_child(state, child)
        return "ok"
    return _restart(state, child, reason)


def _restart(state: _SupState, child: _Child, reason) -> str:
    """Count the restart in the window; apply the strategy, or give up ("shutdown")."""
    state.restarts = add_restart(state.restarts, _rt.now(), state.period)
    if not restart_allowed(state.restarts, state.intensity):
        _emit("escalate", state, child_id=child.spec.id, reason=reason,
              restarts_in_window=len(state.restarts), max_restarts=state.intensity,
              max_seconds=state.period)
        _del_child(state, child)
        return "shutdown"
    _apply_strategy(state, child, reason)
    return "ok"


def _apply_strategy(state: _SupState, child: _Child, reason) -> None:
    failed = child.spec.id
    old_pids = {failed: child.pid.old if type(child.pid) is _Restarting else child.pid}
    child.pid = None
    to_stop, to_start = STRATEGY[state.strategy](list(state.ids), failed)
    old_pids.update(_terminate_children(state, to_stop))
    for cid in to_start:
        c = state.children.get(cid)
        if c is None:               # a temporary sibling: stopped, not restarted
            continue
        status, pid = start_child(c.spec.start)
        why = reason if cid == failed else ("shutdown", ("sibling", failed))
        if status == "error":
            c.pid = _Restarting(old_pids.get(cid))
            _emit("restart", state, child_id=cid, old_pid=old_pids.get(cid), new_pid=None,
                  reason=why, error=pid, **_window(state))
            _rt.cast_self(("try_again_restart", cid, reason))
            return
        if status == "ignore" and c.spec.restart == "temporary":
            _remove(state, cid)
            continue
        c.pid = pid
        _emit("restart", state, child_id=cid, old_pid=old_pids.get(cid), new_pid=pid,
              reason=why, **_window(state))


def _window(state: _SupState) -> dict:
    return {"restarts_in_window": len(state.restarts), "max_restarts": state.intensity,
            "max_seconds": state.period, "strategy": state.strategy}


def _terminate_children(state: _SupState, ids: list) -> dict:
    """Stop ``ids`` one by one in the order given; returns {id: old pid}."""
    old = {}
    for cid in ids:
        child = state.children.get(cid)
        if child is None:
            continue
        old[cid] = _terminate_one(state, child)
        _del_child(state, child)
    return old


def _terminate_one(state: _SupState, child: _Child):
    pid = child.pid
    if type(pid) is not _rt.Pid:
        return pid.old if type(pid) is _Restarting else None
    reason = shutdown_child(pid, child.spec.shutdown)
    _emit("child_terminate", state, child_id=child.spec.id, pid=pid, reason=reason,
          shutdown=child.spec.shutdown)
    return pid


# ======================================================================
# Requests (handle_call), one function each
# ======================================================================

def _which_children(state):
    out = []
    for cid in reversed(state.ids):          # as OTP: the latest started first
        c = state.children[cid]
        out.append((cid, "restarting" if type(c.pid) is _Restarting else c.pid,
                    c.spec.type, _modules(c.spec)))
    return ("ok", out)


def _modules(spec: ChildSpec) -> list:
    if spec.modules is not None:
        return spec.modules
    owner = getattr(spec.start[0], "__self__", None)
    if isinstance(owner, type):
        return [owner.__name__]
    return [getattr(spec.start[0], "__name__", repr(spec.start[0]))]


def _count_children(state):
    counts = {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
    for c in state.children.values():
        counts["specs"] += 1
        counts["supervisors" if c.spec.type == "supervisor" else "workers"] += 1
        if type(c.pid) is _rt.Pid and _rt.is_process_alive(c.pid):
            counts["active"] += 1
    return ("ok", counts)


def _start_child_req(state, spec):
    try:
        spec = child_spec(spec)
    except ChildSpecError as err:
        return ("error", err.reason)
    existing = state.children.get(spec.id)
    if existing is not None:
        if type(existing.pid) is _rt.Pid:
            return ("error", ("already_started", existing.pid))
        return ("error", "already_present")
    status, pid = start_child(spec.start)
    if status == "error":
        return ("error", pid)
    if status == "ignore" and spec.restart == "temporary":
        return ("ok", None)
    state.ids.append(spec.id)
    state.children[spec.id] = _Child(spec, pid)
    if pid is not None:
        _emit("child_start", state, child_id=spec.id, pid=pid, type=spec.type)
    return ("ok", pid)


def _terminate_child_req(state, cid):
    child = state.children.get(cid)
    if child is None:
        return ("error", "not_found")
    _terminate_one(state, child)
    _del_child(state, child)
    return ("ok", None)


def _restart_child_req(state, cid):
    child = state.children.get(cid)
    if child is None:
        return ("error", "not_found")
    if type(child.pid) is _Restarting:
        return ("error", "restarting")
    if child.pid is not None:
        return ("error", "running")
    status, pid = start_child(child.spec.start)
    if status == "error":
        return ("error", pid)
    child.pid = pid
    if pid is not None:
        _emit("child_start", state, child_id=cid, pid=pid, type=child.spec.type)
    return ("ok", pid)


def _delete_child_req(state, cid):
    child = state.children.get(cid)
    if child is None:
        return ("error", "not_found")
    if type(child.pid) is _Restarting:
        return ("error", "restarting")
    if child.pid is not None:
        return ("error", "running")
    _remove(state, cid)
    return ("ok", None)


def _get_childspec_req(state, cid):
    child = state.children.get(cid) or _find_by_pid(state, cid)
    return ("ok", child.spec) if child is not None else ("error", "not_found")


_CALLS = {
    "which_children": _which_children,
    "count_children": _count_children,
    "start_child": _start_child_req,
    "terminate_child": _terminate_child_req,
    "restart_child": _restart_child_req,
    "delete_child": _delete_child_req,
    "get_childspec": _get_childspec_req,
}

_ERRORS = {
    "not_found": "no child with that id (not_found); see which_children(sup)",
    "running": "the child is running; terminate_child(sup, id) it first",
    "restarting": "the child is being restarted; try again in a moment",
    "already_present": "a child with that id exists but is not running; use "
                       "restart_child(sup, id), or delete_child(sup, id) first",
    "max_children": "the supervisor already has max_children children",
}


# ======================================================================
# The client API
# ======================================================================

def sup_call(sup, request, what: str):
    """Call a supervisor (timeout infinity, as OTP); unpack ("ok", v) or raise SupervisorError."""
    status, value = GenServer.call(sup, request, "infinity")
    if status == "ok":
        return value
    key = value[0] if type(value) is tuple else value
    hint = _ERRORS.get(key) if isinstance(key, str) else None
    if key == "already_started":
        hint = f"it is already running as {value[1]!r}"
    raise SupervisorError(value, f"{what}: {hint or _rt.format_reason(value)}")


def _init(children: Any, *, strategy: str = "one_for_one", max_restarts: int = 3,
          max_seconds: float = 5) -> SupervisorSpec:
    check_flags(strategy, max_restarts, max_seconds)
    return SupervisorSpec(tuple(check_child_specs(children)), strategy, max_restarts, max_seconds)


def _start_link(children_or_module: Any, arg: Any = None, *, strategy: str = "one_for_one",
                max_restarts: int = 3, max_seconds: float = 5, name: str | None = None):
    if isinstance(children_or_module, type) and issubclass(children_or_module, Supervisor):
        source = (children_or_module, arg)
    else:
        if arg is not None:
            raise TypeError("Supervisor.start_link(children, ...) takes the options as keywords: "
                            "strategy=, max_restarts=, max_seconds=, name=")
        source = _init(children_or_module, strategy=strategy, max_restarts=max_restarts,
                       max_seconds=max_seconds)
    try:
        return _start(_SupervisorServer, source, name=name, link=True)
    except StartError as err:
        exc = getattr(err.reason, "exception", None)
        if isinstance(exc, (ChildSpecError, SupervisorFlagsError)):
            raise exc from None
        raise


def start_supervisor(children, strategy="one_for_one", max_restarts=3, max_seconds=5, name=None):
    """``Supervisor.start_link`` with positional options, for a child spec's ``start`` tuple."""
    return _start_link(children, strategy=strategy, max_restarts=max_restarts,
                       max_seconds=max_seconds, name=name)


def _child_spec(owner, arg: Any = None, *, id: Any = None, strategy: str = "one_for_one",
                max_restarts: int = 3, max_seconds: float = 5, name: str | None = None,
                **overrides) -> ChildSpec:
    """A child spec for a nested supervisor.

    ``Supervisor.child_spec(children, id="workers", strategy=..., name=...)`` for a
    list of children, or ``MySup.child_spec(arg)`` for a Supervisor subclass.
    ``overrides`` (restart, shutdown) replace fields of the spec.
    """
    if isinstance(owner, type) and issubclass(owner, Supervisor) and owner is not Supervisor:
        spec = ChildSpec(id=owner.__name__ if id is None else id,
                         start=(owner.start_link, arg), type="supervisor")
    else:
        children = owner
        if id is None:
            raise ChildSpecError("missing_id", None, "a nested supervisor needs an id: "
                                 "Supervisor.child_spec(children, id='workers', strategy=...)")
        _init(children, strategy=strategy, max_restarts=max_restarts, max_seconds=max_seconds)
        spec = ChildSpec(id=id, start=(start_supervisor, list(children), strategy, max_restarts,
                                       max_seconds, name), type="supervisor")
    return child_spec(spec, **overrides) if overrides else spec


class Supervisor:
    """Start children, watch them, restart them by strategy (Elixir's ``Supervisor``).

    >>> sup = Supervisor.start_link([
    ...     (Counter, 0),                                   # id "Counter", permanent
    ...     {"id": "cache", "start": (Cache.start_link, {}), "restart": "transient"},
    ... ], strategy="one_for_one", max_restarts=3, max_seconds=5)
    >>> Supervisor.which_children(sup)
    [('Counter', <0.43.0>, 'worker', ['Counter']), ('cache', <0.44.0>, 'worker', ['Cache'])]

    Or as a class, like ``use Supervisor``::

        class App(Supervisor):
            def init(self, arg):
                return Supervisor.init([Counter, Cache], strategy="one_for_all")
        App.start_link(None)        # or Supervisor.start_link(App, None)

    Children start in order and stop in reverse.  Beyond ``max_restarts``
    restarts in ``max_seconds`` the supervisor stops its children and exits
    with ``"shutdown"``; its own supervisor then deals with that (escalation).
    """

    init = staticmethod(_init)
    start_link = _ClassOrModule(_start_link)
    child_spec = _ClassOrModule(_child_spec)

    def __call__(self):
        """Inside ``init``, ``self()`` is the supervisor's pid, as in Erlang."""
        return _rt.self_pid()

    @staticmethod
    def which_children(sup) -> list:
        """``[(id, pid | "restarting" | None, type, modules)]``, latest started first (as OTP)."""
        return sup_call(sup, "which_children", "which_children")

    @staticmethod
    def count_children(sup) -> dict:
        """``{"specs", "active", "supervisors", "workers"}`` counts."""
        return sup_call(sup, "count_children", "count_children")

    @staticmethod
    def start_child(sup, spec) -> Any:
        """Add a child (any child form) and start it; returns its pid."""
        spec = child_spec(spec)          # validate here so the error is raised in the caller
        return sup_call(sup, ("start_child", spec), f"start_child({spec.id!r})")

    @staticmethod
    def terminate_child(sup, child_id) -> None:
        """Stop a child (its spec is kept, except for temporary children)."""
        sup_call(sup, ("terminate_child", child_id), f"terminate_child({child_id!r})")

    @staticmethod
    def restart_child(sup, child_id) -> Any:
        """Start again a child that was terminated; returns its new pid."""
        return sup_call(sup, ("restart_child", child_id), f"restart_child({child_id!r})")

    @staticmethod
    def delete_child(sup, child_id) -> None:
        """Forget a terminated child's spec."""
        sup_call(sup, ("delete_child", child_id), f"delete_child({child_id!r})")

    @staticmethod
    def get_childspec(sup, child_id) -> ChildSpec:
        return sup_call(sup, ("get_childspec", child_id), f"get_childspec({child_id!r})")

    @staticmethod
    def stop(sup, reason: Any = "normal", timeout: Any = "infinity") -> None:
        """Stop the supervisor and, first, all its children (in reverse start order)."""
        GenServer.stop(sup, reason, timeout)


_ = CallExit  # re-exported by the package
