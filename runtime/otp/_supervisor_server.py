"""The supervisor process: OTP's ``supervisor.erl`` records and clauses, one per case.

How this works: a supervisor is a GenServer (``_SupervisorServer``) that traps
exits.  Its state is two records, ``_SupState`` and ``_Child``, a comment on
every field.  ``init`` starts the children in order (stopping the started
ones in reverse if one fails).  Each ``("EXIT", pid, reason)`` from a child
goes through ``_do_restart`` — restart type × reason, decided by
``_rules.restart_wanted`` — then ``_restart`` adds a timestamp to the intensity
window (``_rules.add_restart``) and either applies the strategy or, beyond
``max_restarts`` in ``max_seconds``, stops every child and exits with
``"shutdown"``, which its own supervisor sees as a child's exit (escalation).
A child that fails to restart is retried through a cast to itself, so calls
(e.g. ``terminate_child``) get handled in between, as in OTP.

Telemetry (``("beamlab", "supervisor", event)``): ``child_start``,
``child_exit``, ``restart``, ``escalate``, ``child_terminate``, ``shutdown``.
"""
from __future__ import annotations

from . import _rt
from ._childspec import ChildSpec, ChildSpecError, SupervisorSpec, child_spec
from ._children import shutdown_child, start_child
from ._results import Ignore, NoReply, Ok, Reply, Stop
from ._rules import STRATEGY, add_restart, restart_allowed, restart_wanted, restarts_in_window
from .gen_server import GenServer

__all__ = ["_SupervisorServer", "_Restarting"]

_EVENT = ("beamlab", "supervisor")


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


def spec_from_init(server, source, spec_type: type, returns: str):
    """``(spec, module name)`` from what a supervisor was started with: a spec as is
    (module None), or ``(ModuleClass, arg)`` whose ``init(arg)`` returns one; the
    server's label becomes the module's name. ``(None, None)`` when init ignored."""
    if isinstance(source, spec_type):
        return source, None
    module, arg = source
    spec = module().init(arg)
    if isinstance(spec, Ignore) or spec == "ignore":
        return None, None
    if not isinstance(spec, spec_type):
        raise TypeError(f"{module.__name__}.init returned {spec!r}; return {returns} "
                        f"(or Ignore())")
    server.label = module.__name__
    return spec, module.__name__


class _SupervisorServer(GenServer):
    _behaviour = "Supervisor"
    label = "Supervisor"          # what observer shows as the initial call

    def init(self, source):
        _rt.process_flag("trap_exit", True)
        spec, module = spec_from_init(self, source, SupervisorSpec,
                                      "Supervisor.init(children, strategy=...)")
        if spec is None:
            return Ignore()
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
        return ("error", (pid, spec))     # OTP: {error, {Reason, Child}}
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


def _stopped_child(state, cid):
    """``(child, None)`` if child ``cid`` is stopped, the only state restart_child and
    delete_child act on; else ``(None, error)`` with OTP's not_found, restarting or running."""
    child = state.children.get(cid)
    if child is None:
        return None, ("error", "not_found")
    if type(child.pid) is _Restarting:
        return None, ("error", "restarting")
    if child.pid is not None:
        return None, ("error", "running")
    return child, None


def _restart_child_req(state, cid):
    child, error = _stopped_child(state, cid)
    if error is not None:
        return error
    status, pid = start_child(child.spec.start)
    if status == "error":
        return ("error", pid)
    child.pid = pid
    if pid is not None:
        _emit("child_start", state, child_id=cid, pid=pid, type=child.spec.type)
    return ("ok", pid)


def _delete_child_req(state, cid):
    _, error = _stopped_child(state, cid)
    if error is not None:
        return error
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
