"""The OTP layer's one door into the runtime core.

How this works: everything ``beamlab.runtime.otp`` needs from the engine is
imported here, so the behaviours depend on the core in one place only (as
``gen_server`` depends on ``erlang`` BIFs).  A few helpers read the current
process record directly, where OTP would use a BIF: ``now()`` (the runtime's
clock, mockable in tests), ``trapping_exits()`` and ``alive()``.
"""
from __future__ import annotations

import sys

from .. import _core
from .._core import current_runtime, spawn_reactor
from .._receive import TIMED_OUT
from ..api import (cancel_timer, demonitor, is_process_alive, link, monitor, process_flag,
                   register, send, send_after, spawn, spawn_link, unlink, whereis)
from ..api import exit as _exit
from ..api import self as self_pid
from ..messages import _ATOMIC as ATOMIC, to_message   # ATOMIC: types sent as they are
from ..errors import BadArg, Crash, NoProc, NotInProcess, ProcessExit, format_reason
from ..patterns import ANY
from ..pid import Pid, Ref

__all__ = ["current_runtime", "spawn_reactor", "TIMED_OUT", "BadArg", "Crash", "NoProc", "NotInProcess",
           "ProcessExit", "format_reason", "ANY", "Pid", "Ref", "now", "alive",
           "trapping_exits", "emit", "describe", "self_pid", "send", "receive", "monitor",
           "demonitor", "link", "unlink", "exit_signal", "process_flag", "register", "whereis",
           "send_after", "cancel_timer", "is_process_alive", "spawn", "spawn_link",
           "registered_name", "cast_self", "reply_to", "to_message", "ATOMIC", "remote_server",
           "node_name", "GEN_CALL", "GEN_CAST"]

_NO_DEFAULT = object()

# gen_server's tags, interned (so hashed): a message that carries one of these very objects
# matches it by identity, and a tag that is not it is told apart by the hash, not by its text
GEN_CALL = sys.intern("$gen_call")
GEN_CAST = sys.intern("$gen_cast")


def receive(*patterns, timeout=None, default=_NO_DEFAULT):
    """The public ``receive`` minus its argument checks (the OTP layer is trusted)."""
    rt = current_runtime()
    if default is _NO_DEFAULT:
        return rt.receive(patterns, timeout)
    return rt.receive(patterns, timeout, default)


def exit_signal(pid: Pid, reason) -> None:
    """Erlang's ``exit(Pid, Reason)``."""
    _exit(pid, reason)


def reply_to(pid: Pid, tag, value) -> None:
    """Send a call's reply only while the caller still waits for it (see ``Runtime.reply``)."""
    (_core._current or current_runtime()).reply(pid, tag, value)


def registered_name():
    """The calling process's registered name, or None."""
    return current_runtime().current.name


def cast_self(request) -> None:
    """``gen_server:cast(self(), Request)``."""
    send(self_pid(), (GEN_CAST, request))


def now() -> float:
    """The runtime clock's time in seconds (a MockClock's in tests)."""
    return current_runtime().clock.now()


def alive() -> bool:
    """Whether the calling process is still alive (False once it has been killed)."""
    proc = current_runtime().current
    return proc is not None and proc.alive


def trapping_exits() -> bool:
    proc = current_runtime().current
    return bool(proc is not None and proc.trap_exit)


def emit(event: tuple, metadata: dict) -> None:
    """Emit a telemetry event with the clock's time as its measurement (cheap when unobserved)."""
    rt = current_runtime()
    if rt._recorder is not None:        # the flight recorder keeps supervisors' decisions
        rt._recorder.supervisor(event, metadata)
    tele = rt.telemetry
    if tele.handlers:
        tele.execute(event, {"monotonic_time": rt.clock.now(), "count": 1}, metadata)


def describe(server) -> str:
    """``<0.12.0 Counter>``: a pid with its registered name or behaviour class, for messages."""
    rt = current_runtime()
    pid = server
    if isinstance(server, str):
        pid = rt.whereis(server)
        if pid is None:
            return repr(server)
    proc = rt._table.get(pid.id) if isinstance(pid, Pid) else None
    if proc is None:
        return repr(server)
    label = proc.name
    if label is None and proc.reactor is not None:
        mod = getattr(proc.reactor, "mod", None)
        label = type(mod).__name__ if mod is not None else None
    return f"<{pid.node}.{pid.id}.0 {label}>" if label else repr(pid)


def node_name(rt, pid: Pid) -> str:
    """The name of a pid's node ("b@lab"), as Erlang's node(Pid)."""
    dist = rt._dist
    return dist.name_of(pid.node) if dist is not None else "nonode@nohost"


def remote_server(rt, me, server: tuple):
    """The pid a call to ``(name, node)`` goes to, or why it cannot go: ``("nodedown",
    node)`` if that node is stopped, cut off or was never started (gen:call's monitor gives
    noconnection), ``"noproc"`` if nobody there has the name (runtime/nodes)."""
    if len(server) != 2 or not isinstance(server[0], str) or not isinstance(server[1], str):
        raise TypeError(f"GenServer.call: a server on a node is (name, node), e.g. "
                        f"('db', 'b@lab'), got {server!r}")
    name, node = server
    full = node if "@" in node else f"{node}@lab"
    dist = rt._dist
    if dist is None:
        if full == "nonode@nohost":
            return rt.whereis(name) or "noproc"
        return ("nodedown", full)
    target = dist.find(node, f"GenServer.call({server!r}, ...)")
    here = me.pid.node
    if target is None or not dist.reach(here, target.index):
        return ("nodedown", target.name if target is not None else full)
    return target.names.get(name) or "noproc"
