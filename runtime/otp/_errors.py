"""The errors OTP calls raise in the caller, each with OTP's reason and a clear message.

How this works: where Erlang returns ``{error, Reason}`` or exits the caller,
beamlab raises: ``CallExit`` (a ``ProcessExit``, so uncaught it exits the
process with OTP's reason), ``StartError``/``AlreadyStarted`` (``start``
returned ``{error, Reason}``) and ``SupervisorError`` (a supervisor request
returned ``{error, Reason}``).  ``reason`` always holds the OTP term.
"""
from __future__ import annotations

from typing import Any

from . import _rt
from ._rt import Pid, ProcessExit

__all__ = ["CallExit", "StartError", "AlreadyStarted", "SupervisorError"]


class CallExit(ProcessExit):
    """The exit a caller takes when ``call`` fails; ``reason`` is OTP-shaped.

    ``reason`` is ``(why, ("GenServer.call", server, request, timeout))`` where
    ``why`` is ``"timeout"``, ``"noproc"`` or the reason the server died with.
    It is a ``ProcessExit``: uncaught, the caller exits with that reason (and a
    supervisor restarts it); ``except CallExit`` catches it, as Elixir's
    ``catch :exit, reason``.

    >>> try:
    ...     GenServer.call(pid, "slow", timeout=1)
    ... except CallExit as e:
    ...     e.reason
    ('timeout', ('GenServer.call', <0.42.0>, 'slow', 1))
    """

    def __init__(self, reason: Any, message: str):
        super().__init__(reason)
        self.message = message

    def __str__(self) -> str:
        return self.message


class StartError(Exception):
    """``start``/``start_link`` failed: ``reason`` is Elixir's ``{:error, reason}`` term.

    >>> try: GenServer.start(Broken, 0)
    ... except StartError as e: e.reason
    Crash(ZeroDivisionError('division by zero'))
    """

    def __init__(self, reason: Any, message: str | None = None):
        super().__init__(message or f"the process did not start: {_rt.format_reason(reason)}")
        self.reason = reason


class AlreadyStarted(StartError):
    """A process is already registered under the requested name; ``pid`` is that process.

    >>> try: Counter.start(0, name="counter")
    ... except AlreadyStarted as e: e.pid          # the one already running
    <0.42.0>
    """

    def __init__(self, name: str, pid: Pid | None):
        super().__init__(("already_started", pid),
                         f"a process is already registered as {name!r} ({pid!r}); "
                         f"stop it first, use it, or pick another name")
        self.pid = pid
        self.name = name


class SupervisorError(Exception):
    """A supervisor request failed; ``reason`` is OTP's ``{error, Reason}`` term.

    ``"not_found"``, ``"running"``, ``"restarting"``, ``"already_present"``,
    ``("already_started", pid)``, ``"max_children"`` or the child's start error
    (from ``Supervisor.start_child``: ``(reason, child_spec)``, as OTP's
    ``{error, {Reason, ChildSpec}}``; from ``DynamicSupervisor.start_child``
    the bare reason, as Elixir's).

    >>> Supervisor.terminate_child(sup, "nope")
    Traceback (most recent call last):
    SupervisorError: terminate_child('nope'): no child with that id (not_found) ...
    """

    def __init__(self, reason: Any, message: str):
        super().__init__(message)
        self.reason = reason
