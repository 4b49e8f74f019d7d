"""GenServer: a process that keeps state and answers calls, casts and messages.

How this works: ``GenServer.start_link(Counter, 0)`` spawns a stackless
*reactor* process (``_server._Server``, see there for the message loop) and
waits for ``init``'s acknowledgement.  ``call`` is ``gen:call``: the caller
monitors the server, sends the request tagged with the monitor ref and waits
for ``(ref, reply)``, the server's DOWN, or the timeout; on failure it exits
with ``(reason, ("GenServer.call", server, request, timeout))``, as Elixir
does.  ``cast`` is a plain send that never fails (both in ``_client.py``).
Callbacks return the values of ``_results`` (``Reply``, ``NoReply``, ``Stop``...).
"""
from __future__ import annotations

import functools
import types
from typing import Any

from . import _rt
from ._client import _call, call, cast
from ._errors import AlreadyStarted, CallExit, StartError
from ._results import NoReply, Ok
from ._rt import ANY, Crash, Pid
from ._server import _Server

__all__ = ["GenServer", "CallExit", "StartError", "AlreadyStarted"]


# ======================================================================
# The API
# ======================================================================

class _ClassOrModule:
    """``GenServer.start_link(Counter, 0)`` and ``Counter.start_link(0)`` both work.

    On the class that defines it the function is plain; on a subclass (or an
    instance) it is bound to that subclass, like Elixir's ``Counter.start_link``.
    """

    def __init__(self, fn):
        self.fn = fn
        self.base = None
        functools.update_wrapper(self, fn)

    def __set_name__(self, owner, name):
        self.base = owner

    def __get__(self, obj, owner):
        if obj is not None:
            owner = type(obj)
        if owner is self.base:
            return self.fn
        return types.MethodType(self.fn, owner)


def _start(module: type, arg: Any = None, *, name: str | None = None,
           link: bool = False, timeout: float | None = None) -> Pid | None:
    if not (isinstance(module, type) and issubclass(module, GenServer)):
        raise TypeError(f"GenServer.start needs a GenServer subclass, got {module!r}: "
                        f"write `class {getattr(module, '__name__', 'Counter')}(GenServer): ...`")
    if name is not None and not (isinstance(name, str) and name):
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    try:
        mod = module()
    except TypeError as exc:
        raise TypeError(f"{module.__name__}() failed ({exc}); a GenServer receives its "
                        f"argument in init(self, arg), not in __init__") from None
    rt = _rt.current_runtime()
    me = rt.current
    if me is None:
        raise _rt.NotInProcess("GenServer.start must be called from inside a process "
                               "(a notebook cell, or a function given to beamlab.run)")
    tag = _rt.Ref()
    # gen:start: a linked starter is the parent; an unlinked server is its own parent
    server = _Server(mod, me.pid if link else None, name, (me.pid, tag, arg))
    pid, mref = _rt.spawn_reactor(server, link=link, monitor=True)
    try:
        msg = _rt.receive(("$ack", tag, ANY), ("DOWN", mref, ANY, ANY, ANY),
                          timeout=timeout, default=None)
    except BaseException:   # an interrupt (Ctrl-C in a cell): what it started stops
        _abandon(pid, mref, tag, link)
        raise
    if msg is None:   # start timeout: kill it, as gen:start does
        _abandon(pid, mref, tag, link)
        raise StartError("timeout", f"{module.__name__}.init did not return within {timeout} s")
    _rt.demonitor(mref, flush=True)
    if msg[0] == "DOWN":
        raise StartError(msg[4])
    result = msg[2]
    if result[0] == "ok":
        return pid
    if result[0] == "ignore":
        return None
    reason = result[1]
    if type(reason) is tuple and reason[0] == "already_started":
        raise AlreadyStarted(name, reason[1])
    if isinstance(reason, Crash):
        raise StartError(reason, f"{module.__name__}.init crashed: "
                                 f"{_rt.format_reason(reason)}") from reason.exception
    raise StartError(reason, f"{module.__name__}.init stopped with {reason!r}")


def _abandon(pid: Pid, mref, tag, link: bool) -> None:
    """Give up on a start: kill the server and leave nothing of it in the mailbox."""
    _rt.demonitor(mref, flush=True)
    if link:
        _rt.unlink(pid)
    _rt.exit_signal(pid, "kill")
    _rt.receive(("$ack", tag, ANY), timeout=0, default=None)


def _start_unlinked(module: type, arg: Any = None, *, name: str | None = None,
                    timeout: float | None = None) -> Pid | None:
    """Start a server not linked to the caller (Elixir ``GenServer.start/3``); its pid.

    As in OTP the server is its own parent: an exit signal from the process that
    started it is an ordinary one (trapped, it arrives in ``handle_info`` as
    ``("EXIT", starter, reason)``). Raises ``StartError`` if ``init`` fails, and
    returns None if it returns ``Ignore()``.

    >>> pid = GenServer.start(Counter, 0, name="counter")
    """
    return _start(module, arg, name=name, link=False, timeout=timeout)


def _start_linked(module: type, arg: Any = None, *, name: str | None = None,
                  timeout: float | None = None) -> Pid | None:
    """Start a server linked to the caller, its parent (Elixir ``GenServer.start_link/3``).

    An exit signal from the parent stops the server (running ``terminate`` if it
    traps exits), as a supervisor's shutdown does.

    >>> pid = Counter.start_link(0)          # or GenServer.start_link(Counter, 0)
    """
    return _start(module, arg, name=name, link=True, timeout=timeout)


def reply(from_: tuple, value: Any) -> None:
    """Answer a call later, from ``handle_*`` or any process (Elixir ``GenServer.reply/2``).

    >>> def handle_call(self, request, from_, state):
    ...     return NoReply({**state, "waiting": from_})  # reply(from_, v) later
    """
    if not (type(from_) is tuple and len(from_) == 2 and type(from_[0]) is Pid):
        raise TypeError(f"GenServer.reply needs the from_ that handle_call received, got {from_!r}")
    _rt.reply_to(from_[0], from_[1], value)


def get_state(server: Pid | str, timeout: float | str = 5.0) -> Any:
    """The server's current state, for inspection (Erlang ``sys:get_state/1``).

    >>> GenServer.get_state(counter)
    3
    """
    return _call(server, "get_state", timeout, "$system", "get_state")


def stop(server: Pid | str, reason: Any = "normal", timeout: float | str = "infinity") -> None:
    """Stop the server with ``reason``: it runs ``terminate(reason, state)`` and exits.

    Mirrors Elixir ``GenServer.stop/3``: waits until the server is dead; exits
    with ``noproc`` if it is not alive, and with the server's own reason if it
    died with a different one.

    >>> GenServer.stop(counter)
    """
    rt = _rt.current_runtime()
    pid = server if type(server) is Pid else rt.whereis(server)
    if pid is None:
        raise CallExit("noproc", f"stop({server!r}): no such process (noproc)")
    mref = _rt.monitor(pid)
    _rt.send(pid, ("$system", (rt.current.pid, mref), ("terminate", reason)))
    try:
        msg = _rt.receive(("DOWN", mref, ANY, ANY, ANY),
                          timeout=None if timeout == "infinity" else timeout, default=None)
    except BaseException:   # an interrupt: no stray DOWN for the shell later
        _rt.demonitor(mref, flush=True)
        raise
    if msg is None:
        _rt.demonitor(mref, flush=True)
        raise CallExit("timeout", f"stop({_rt.describe(pid)}) timed out after {timeout} s")
    got = msg[4]
    if got == "noproc":
        raise CallExit("noproc", f"stop({server!r}): the process is not alive (noproc)")
    if got != reason:
        raise CallExit(got, f"stop({server!r}): the server exited with "
                            f"{_rt.format_reason(got)} instead of {reason!r}")


def whereis(server: Pid | str) -> Pid | None:
    """The pid for a name (or the pid itself if alive), else None (Elixir ``GenServer.whereis/1``)."""
    if type(server) is Pid:
        return server if _rt.is_process_alive(server) else None
    return _rt.current_runtime().whereis(server)


# ======================================================================
# The behaviour class users subclass
# ======================================================================

class GenServer:
    """Subclass it and write the callbacks; start it with ``start_link`` (Elixir ``use GenServer``).

    >>> class Counter(GenServer):
    ...     def init(self, start):
    ...         return Ok(start)
    ...     def handle_call(self, request, from_, count):
    ...         return Reply(count, count + 1)      # reply, then the new state
    ...     def handle_cast(self, n, count):
    ...         return NoReply(count + n)
    >>> pid = Counter.start_link(0)                 # or GenServer.start_link(Counter, 0)
    >>> GenServer.call(pid, "next"), GenServer.call(pid, "next")
    (0, 1)

    The instance (``self``) belongs to the one process, but keep the server's
    data in ``state``: that is what ``get_state``, the observer and restarts see.
    Inside a callback ``self()`` is still the server's pid (the instance is
    callable), so Elixir's ``send(self(), :tick)`` reads the same here.
    An idle server holds no greenlet, so a million of them fit in memory.
    """

    def __call__(self) -> Pid:
        """The server's own pid: lets ``self()`` inside a method mean what it means in Erlang."""
        return _rt.self_pid()

    # -- callbacks (override) ---------------------------------------------
    def init(self, arg: Any) -> Any:
        """Return ``Ok(state)``, ``Ignore()`` or ``Stop(reason)``; the default is ``Ok(arg)``."""
        return Ok(arg)

    def handle_call(self, request: Any, from_: tuple, state: Any) -> Any:
        """Return ``Reply(value, state)``, ``NoReply(state)`` or ``Stop(reason, state, reply=...)``.

        ``from_`` is Erlang's ``From``, a plain ``(caller_pid, tag)`` tuple: keep it
        and return ``NoReply`` to answer later with ``GenServer.reply(from_, value)``.
        """
        raise NotImplementedError(
            f"{type(self).__name__} got call {request!r} but defines no handle_call; "
            f"add `def handle_call(self, request, from_, state): return Reply(value, state)`")

    def handle_cast(self, request: Any, state: Any) -> Any:
        """Return ``NoReply(state)`` or ``Stop(reason, state)``."""
        raise NotImplementedError(
            f"{type(self).__name__} got cast {request!r} but defines no handle_cast; "
            f"add `def handle_cast(self, request, state): return NoReply(state)`")

    def handle_info(self, message: Any, state: Any) -> Any:
        """Plain messages (and ``"timeout"``); the default logs them and keeps going, as Elixir."""
        print(f"{type(self).__name__} {_rt.self_pid()!r} received an unexpected message in "
              f"handle_info: {message!r}")
        return NoReply(state)

    def handle_continue(self, arg: Any, state: Any) -> Any:
        """Runs right after a callback that returned ``continue_=arg``, before any message."""
        raise NotImplementedError(
            f"{type(self).__name__} returned continue_={arg!r} but defines no handle_continue")

    def terminate(self, reason: Any, state: Any) -> None:
        """Runs when the server stops: ``Stop``, a crash, ``GenServer.stop``, or its
        supervisor's shutdown when it traps exits (``process_flag("trap_exit", True)`` in init)."""

    def format_status(self, status: dict) -> dict:
        """Adjust what introspection shows (e.g. hide secrets in the state); default unchanged."""
        return status

    # -- starting -----------------------------------------------------------
    start = _ClassOrModule(_start_unlinked)
    start_link = _ClassOrModule(_start_linked)

    @classmethod
    def child_spec(cls, arg: Any = None):
        """How a supervisor starts this server: ``id`` is the class name (Elixir's ``child_spec/1``).

        Override to change ``restart``/``shutdown`` for every use of the class:

        >>> class Worker(GenServer):
        ...     @classmethod
        ...     def child_spec(cls, arg):
        ...         return child_spec(super().child_spec(arg), restart="transient")
        """
        from ._childspec import ChildSpec
        return ChildSpec(id=cls.__name__, start=(cls.start_link, arg))

    # -- the client API (static, as Elixir's GenServer module) --------------
    call = staticmethod(call)
    cast = staticmethod(cast)
    reply = staticmethod(reply)
    stop = staticmethod(stop)
    get_state = staticmethod(get_state)
    whereis = staticmethod(whereis)


start_unlinked = _start_unlinked
start_linked = _start_linked
