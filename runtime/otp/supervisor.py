"""Supervisor: starts children in order, restarts them by strategy, gives up by intensity.

How this works: this module is the client side — ``Supervisor.start_link``
validates every child spec and the flags *in the caller* (so a mistake is
raised before anything starts), then starts ``_supervisor_server``'s process
(modelled on OTP's ``supervisor.erl``; read it for the restart logic), and the
other functions are calls to it that raise ``SupervisorError`` where OTP
returns ``{error, Reason}``.
"""
from __future__ import annotations

from typing import Any

from . import _rt
from ._childspec import (ChildSpec, ChildSpecError, SupervisorFlagsError, SupervisorSpec,
                         check_child_specs, check_flags, child_spec)
from ._errors import StartError, SupervisorError
from ._supervisor_server import _SupervisorServer
from .gen_server import GenServer, _ClassOrModule, _start

__all__ = ["Supervisor", "SupervisorSpec", "SupervisorError"]

# ======================================================================
# The client API
# ======================================================================

_ERRORS = {
    "not_found": "no child with that id (not_found); see which_children(sup)",
    "running": "the child is running; terminate_child(sup, id) it first",
    "restarting": "the child is being restarted; try again in a moment",
    "already_present": "a child with that id exists but is not running; use "
                       "restart_child(sup, id), or delete_child(sup, id) first",
    "max_children": "the supervisor already has max_children children",
}


def sup_call(sup, request, what: str):
    """Call a supervisor (timeout infinity, as OTP); unpack ("ok", v) or raise SupervisorError."""
    status, value = GenServer.call(sup, request, "infinity")
    if status == "ok":
        return value
    key = value[0] if type(value) is tuple else value
    hint = _ERRORS.get(key) if isinstance(key, str) else None
    if key == "already_started":
        hint = f"it is already running as {value[1]!r}"
    elif type(value) is tuple and len(value) == 2 and isinstance(value[1], ChildSpec):
        hint = f"the child did not start: {_rt.format_reason(value[0])}"
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
        """Add a child (any child form) and start it; returns its pid.

        If the child does not start, ``SupervisorError.reason`` is ``(reason, spec)``,
        OTP's ``{error, {Reason, ChildSpec}}``: why it failed, and the spec it was
        started from.

        >>> Supervisor.start_child(sup, (Counter, 0))
        <0.51.0>
        """
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

