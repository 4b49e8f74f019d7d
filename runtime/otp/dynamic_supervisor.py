"""DynamicSupervisor: children started on demand, one_for_one, stopped concurrently.

How this works (modelled on Elixir's ``DynamicSupervisor``): a GenServer
(``_DynamicServer``) that traps exits and keeps ``{pid: ChildSpec}``.
``start_child`` runs the spec's start function (with ``extra_arguments``
first) unless ``max_children`` are running.  An EXIT from a child is judged by
its restart type, counted in the intensity window exactly as ``Supervisor``
does (``_rules``), and the child restarted with the same spec; beyond the
intensity the supervisor exits ``"shutdown"``.  On shutdown every child gets
its exit signal at once and the supervisor waits for all of them, each within
its own ``shutdown`` time (``_children.shutdown_children``), so stopping 10,000
children does not take 10,000 timeouts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _rt
from ._childspec import ChildSpecError, SupervisorFlagsError, check_flags, child_spec
from ._children import shutdown_child, shutdown_children, start_child
from ._results import Ignore, NoReply, Ok, Reply, Stop
from ._rules import add_restart, restart_allowed, restart_wanted, restarts_in_window
from ._errors import StartError
from ._supervisor_server import _Restarting, spec_from_init
from .gen_server import GenServer, _ClassOrModule, _start
from .supervisor import Supervisor, sup_call

__all__ = ["DynamicSupervisor", "DynamicSupervisorSpec"]

_EVENT = ("beamlab", "supervisor")


@dataclass(frozen=True)
class DynamicSupervisorSpec:
    """What a DynamicSupervisor's ``init`` returns: ``DynamicSupervisor.init(...)``.

    >>> class Pool(DynamicSupervisor):
    ...     def init(self, size):
    ...         return DynamicSupervisor.init(max_children=size)
    """

    max_restarts: int = 3
    max_seconds: float = 5
    max_children: int | str = "infinity"
    extra_arguments: tuple = ()


class _DynState:
    __slots__ = (
        "name",            # registered name or None
        "module",          # the user's DynamicSupervisor subclass name, or None
        "intensity",       # max_restarts within `period`
        "period",          # max_seconds
        "max_children",    # int or "infinity"
        "extra",           # extra_arguments, prepended to every child's start args
        "children",        # {Pid | _Restarting: ChildSpec}, in start order
        "restarts",        # times of recent restarts, newest first
    )

    def __init__(self, name, module, spec: DynamicSupervisorSpec):
        self.name = name
        self.module = module
        self.intensity = spec.max_restarts
        self.period = spec.max_seconds
        self.max_children = spec.max_children
        self.extra = tuple(spec.extra_arguments)
        self.children: dict = {}
        self.restarts: list[float] = []

    def __repr__(self) -> str:
        return f"<dynamic supervisor children={len(self.children)}>"


class _DynamicServer(GenServer):
    _behaviour = "DynamicSupervisor"
    label = "DynamicSupervisor"

    def init(self, source):
        _rt.process_flag("trap_exit", True)
        spec, module = spec_from_init(self, source, DynamicSupervisorSpec,
                                      "DynamicSupervisor.init(max_children=...)")
        if spec is None:
            return Ignore()
        return Ok(_DynState(_rt.registered_name(), module, spec))

    def handle_call(self, request, from_, state):
        tag = request[0] if type(request) is tuple else request
        if tag == "start_child":
            return Reply(_start_child_req(state, request[1]), state)
        if tag == "terminate_child":
            return Reply(_terminate_child_req(state, request[1]), state)
        if tag == "which_children":
            return Reply(("ok", [(None, "restarting" if type(p) is _Restarting else p,
                                  s.type, _modules(s)) for p, s in state.children.items()]), state)
        if tag == "count_children":
            return Reply(("ok", _count(state)), state)
        return Reply(("error", ("unknown_request", request)), state)

    def handle_cast(self, request, state):
        if type(request) is tuple and request[0] == "try_again_restart":
            key = request[1]
            spec = state.children.get(key)
            if spec is not None and _restart(state, key, spec, request[2]) == "shutdown":
                return Stop("shutdown", state)
        return NoReply(state)

    def handle_info(self, message, state):
        if type(message) is tuple and len(message) == 3 and message[0] == "EXIT":
            pid, reason = message[1], message[2]
            spec = state.children.get(pid)
            if spec is not None:
                wanted = restart_wanted(spec.restart, reason)
                _emit("child_exit", state, child_id=spec.id, pid=pid, reason=reason,
                      restart=spec.restart, restarting=wanted)
                if not wanted:
                    del state.children[pid]
                elif _restart(state, pid, spec, reason) == "shutdown":
                    return Stop("shutdown", state)
            return NoReply(state)
        print(f"DynamicSupervisor {_rt.self_pid()!r} received an unexpected message: {message!r}")
        return NoReply(state)

    def terminate(self, reason, state):
        if state is None:
            return
        running = [(p, s.shutdown) for p, s in state.children.items() if type(p) is _rt.Pid]
        specs = dict(state.children)
        state.children.clear()
        for pid, why in shutdown_children(running).items():
            _emit("child_terminate", state, child_id=specs[pid].id, pid=pid, reason=why,
                  shutdown=specs[pid].shutdown)
        _rt.emit((*_EVENT, "shutdown"), {"supervisor": _rt.self_pid(), "name": state.name,
                                         "reason": reason})

    def format_status(self, status):
        st = status.get("state")
        if not isinstance(st, _DynState):
            return status
        children = [{"id": s.id, "pid": p, "restart": s.restart, "shutdown": s.shutdown,
                     "type": s.type} for p, s in list(st.children.items())]
        status.update(behaviour="DynamicSupervisor", module=st.module or "DynamicSupervisor",
                      strategy="one_for_one", intensity=st.intensity, period=st.period,
                      max_children=st.max_children, children=children,
                      restarts=restarts_in_window(list(st.restarts), _rt.now(), st.period))
        return status


def _emit(event: str, state: _DynState, **meta) -> None:
    _rt.emit((*_EVENT, event), {"supervisor": _rt.self_pid(), "name": state.name, **meta})


def _modules(spec) -> list:
    owner = getattr(spec.start[0], "__self__", None)
    return [owner.__name__] if isinstance(owner, type) else \
        [getattr(spec.start[0], "__name__", repr(spec.start[0]))]


def _count(state: _DynState) -> dict:
    specs = list(state.children.items())
    sups = sum(1 for _, s in specs if s.type == "supervisor")
    active = sum(1 for p, _ in specs if type(p) is _rt.Pid and _rt.is_process_alive(p))
    return {"specs": len(specs), "active": active, "supervisors": sups,
            "workers": len(specs) - sups}


def _start_child_req(state: _DynState, spec) -> tuple:
    if state.max_children != "infinity" and len(state.children) >= state.max_children:
        return ("error", "max_children")
    status, pid = start_child(spec.start, state.extra)
    if status == "ok":
        state.children[pid] = spec
        _emit("child_start", state, child_id=spec.id, pid=pid, type=spec.type)
    return (status if status != "ignore" else "ok", pid)


def _terminate_child_req(state: _DynState, pid) -> tuple:
    spec = state.children.get(pid)
    if spec is None or type(pid) is not _rt.Pid:
        return ("error", "not_found")
    del state.children[pid]
    reason = shutdown_child(pid, spec.shutdown)
    _emit("child_terminate", state, child_id=spec.id, pid=pid, reason=reason,
          shutdown=spec.shutdown)
    return ("ok", None)


def _restart(state: _DynState, key, spec, reason) -> str:
    """Count the restart; give up ("shutdown") beyond the intensity, else start it again."""
    state.restarts = add_restart(state.restarts, _rt.now(), state.period)
    del state.children[key]
    if not restart_allowed(state.restarts, state.intensity):
        _emit("escalate", state, child_id=spec.id, reason=reason,
              restarts_in_window=len(state.restarts), max_restarts=state.intensity,
              max_seconds=state.period)
        return "shutdown"
    old = key.old if type(key) is _Restarting else key
    status, pid = start_child(spec.start, state.extra)
    window = {"restarts_in_window": len(state.restarts), "max_restarts": state.intensity,
              "max_seconds": state.period, "strategy": "one_for_one"}
    if status == "error":
        marker = _Restarting(old)
        state.children[marker] = spec
        _emit("restart", state, child_id=spec.id, old_pid=old, new_pid=None, reason=reason,
              error=pid, **window)
        _rt.cast_self(("try_again_restart", marker, reason))
    elif status == "ok":
        state.children[pid] = spec
        _emit("restart", state, child_id=spec.id, old_pid=old, new_pid=pid, reason=reason,
              **window)
    return "ok"


# ======================================================================
# The client API
# ======================================================================

def _init(*, max_restarts: int = 3, max_seconds: float = 5, max_children: Any = "infinity",
          extra_arguments: Any = (), strategy: str = "one_for_one") -> DynamicSupervisorSpec:
    check_flags(strategy, max_restarts, max_seconds, strategies=("one_for_one",))
    if max_children != "infinity" and not (isinstance(max_children, int)
                                           and not isinstance(max_children, bool)
                                           and max_children >= 0):
        raise SupervisorFlagsError("invalid_max_children", max_children,
                                   "max_children must be a whole number >= 0 or 'infinity'")
    return DynamicSupervisorSpec(max_restarts, max_seconds, max_children, tuple(extra_arguments))


def _start_link(module: Any = None, arg: Any = None, *, name: str | None = None,
                **options) -> Any:
    if isinstance(module, type) and issubclass(module, DynamicSupervisor):
        source = (module, arg)
    else:
        if module is not None or arg is not None:
            raise TypeError("DynamicSupervisor.start_link takes keywords: max_children=, "
                            "max_restarts=, max_seconds=, extra_arguments=, name=")
        source = _init(**options)
    try:
        return _start(_DynamicServer, source, name=name, link=True)
    except StartError as err:
        exc = getattr(err.reason, "exception", None)
        if isinstance(exc, (ChildSpecError, SupervisorFlagsError)):
            raise exc from None
        raise


def start_dynamic_supervisor(name=None, max_children="infinity", max_restarts=3, max_seconds=5):
    """``DynamicSupervisor.start_link`` with positional options, for a child spec's ``start``."""
    return _start_link(name=name, max_children=max_children, max_restarts=max_restarts,
                       max_seconds=max_seconds)


def _child_spec(owner: Any = None, arg: Any = None, *, id: Any = None, name: str | None = None,
                **options):
    """A child spec for a DynamicSupervisor under another supervisor.

    ``DynamicSupervisor.child_spec(id="jobs", name="jobs", max_children=...)``,
    or ``MyPool.child_spec(arg)`` for a DynamicSupervisor subclass.
    """
    from ._childspec import ChildSpec
    if isinstance(owner, type) and issubclass(owner, DynamicSupervisor) \
            and owner is not DynamicSupervisor:
        return ChildSpec(id=owner.__name__ if id is None else id,
                         start=(owner.start_link, arg), type="supervisor")
    if owner is not None or arg is not None:
        raise TypeError("DynamicSupervisor.child_spec takes keywords: id=, name=, max_children=, "
                        "max_restarts=, max_seconds=")
    spec = _init(**options)
    return ChildSpec(id="DynamicSupervisor" if id is None else id,
                     start=(start_dynamic_supervisor, name, spec.max_children,
                            spec.max_restarts, spec.max_seconds), type="supervisor")


class DynamicSupervisor:
    """A supervisor for children started on demand (Elixir's ``DynamicSupervisor``).

    >>> sup = DynamicSupervisor.start_link(max_children=100)
    >>> pid = DynamicSupervisor.start_child(sup, (Worker, "job-1"))
    >>> DynamicSupervisor.count_children(sup)
    {'specs': 1, 'active': 1, 'supervisors': 0, 'workers': 1}
    >>> DynamicSupervisor.terminate_child(sup, pid)

    Always ``one_for_one``; each child keeps its own spec (restart type,
    shutdown).  On shutdown all children are stopped concurrently.
    """

    init = staticmethod(_init)
    start_link = _ClassOrModule(_start_link)
    child_spec = _ClassOrModule(_child_spec)

    def __call__(self):
        """Inside ``init``, ``self()`` is the supervisor's pid, as in Erlang."""
        return _rt.self_pid()

    @staticmethod
    def start_child(sup, spec) -> Any:
        """Start a child from any child form; returns its pid (None if its start ignored).

        Raises ``SupervisorError("max_children")`` when full, or with the start error."""
        spec = child_spec(spec)
        return sup_call(sup, ("start_child", spec), f"start_child({spec.id!r})")

    @staticmethod
    def terminate_child(sup, pid) -> None:
        """Stop the child ``pid`` (it is not restarted)."""
        sup_call(sup, ("terminate_child", pid), f"terminate_child({pid!r})")

    @staticmethod
    def which_children(sup) -> list:
        """``[(None, pid | "restarting", type, modules)]`` (ids are not used)."""
        return sup_call(sup, "which_children", "which_children")

    @staticmethod
    def count_children(sup) -> dict:
        return sup_call(sup, "count_children", "count_children")

    @staticmethod
    def stop(sup, reason: Any = "normal", timeout: Any = "infinity") -> None:
        """Stop every child (concurrently), then the supervisor."""
        GenServer.stop(sup, reason, timeout)


_ = Supervisor
