"""The oracle's beamlab side: a scenario's trace, normalized as erlang/oracle.erl prints it.

A scenario calls ``t.emit(term)`` for each thing it observes and
``t.role(pid, "server")`` to name the pids it will show; the test process is
``<test>``. Terms print in one normalized form on both sides (keep this and
``oracle.erl``'s ``n/1`` in step): pids by role (others ``<pid1>``, ``<pid2>``...
in order of first appearance), refs as ``#ref1``..., a ``Crash`` as
``crash(Class)`` (``ZeroDivisionError`` is Erlang's ``badarith``), a failed call
``(why, ("GenServer.call", server, request, seconds))`` as
``call_failed(why,server,request,ms)``, None as ``none``, a ChildSpec as
``childspec(id)``.
"""
from __future__ import annotations

import re

from beamlab.runtime import Crash, MockClock, Pid, Ref, Runtime, receive, self
from beamlab.runtime.otp import ChildSpec

__all__ = ["Trace", "normalize", "emit", "role", "flush", "run_traced"]

_PLAIN = re.compile(r"^[A-Za-z0-9_@.]+$")

# Python exception classes that are an Erlang error class under another name
_CRASH_CLASS = {"ZeroDivisionError": "badarith", "ArithmeticError": "badarith"}


class Trace:
    """What one scenario saw, as normalized lines."""

    def __init__(self):
        self.lines: list[str] = []
        self._roles: dict[Pid, str] = {}
        self._refs: dict[int, int] = {}
        self._keep: list = []          # refs compare by identity: keep them alive
        self._npids = 0

    def role(self, pid: Pid, name: str) -> None:
        self._roles[pid] = name

    def emit(self, term) -> None:
        self.lines.append(self.norm(term))

    # -- normalizing ------------------------------------------------------------
    def norm(self, t) -> str:
        if t is None:
            return "none"
        if t is True:
            return "true"
        if t is False:
            return "false"
        if type(t) is int:
            return str(t)
        if isinstance(t, str):
            return t if _PLAIN.match(t) else f"'{t}'"
        if type(t) is Pid:
            return f"<{self._pid_name(t)}>"
        if type(t) is Ref:
            return f"#ref{self._ref_number(t)}"
        if isinstance(t, Crash):
            return f"crash({_CRASH_CLASS.get(t.kind, t.kind)})"
        if isinstance(t, ChildSpec):
            return f"childspec({self.norm(t.id)})"
        if type(t) is tuple:
            failed = self._call_failed(t)
            if failed is not None:
                return failed
            return "{" + ",".join(self.norm(x) for x in t) + "}"
        if type(t) is list:
            return "[" + ",".join(self.norm(x) for x in t) + "]"
        if type(t) is dict:
            pairs = sorted((self.norm(k), self.norm(v)) for k, v in t.items())
            return "#{" + ",".join(f"{k}=>{v}" for k, v in pairs) + "}"
        raise TypeError(f"the oracle's trace cannot show {t!r} ({type(t).__name__}); emit "
                        f"atoms (str), ints, pids, refs, tuples, lists or dicts")

    def _call_failed(self, t: tuple) -> str | None:
        if len(t) != 2 or type(t[1]) is not tuple or not t[1]:
            return None
        why, info = t
        if info[0] == "GenServer.call" and len(info) == 4:
            _, server, request, timeout = info
            return (f"call_failed({self.norm(why)},{self.norm(server)},{self.norm(request)},"
                    f"{_ms(timeout)})")
        if info[0] == "Task.await" and len(info) == 3:
            return f"await_failed({self.norm(why)},{_ms(info[2])})"
        return None

    def _pid_name(self, pid: Pid) -> str:
        name = self._roles.get(pid)
        if name is None:
            self._npids += 1
            name = self._roles[pid] = f"pid{self._npids}"
        return name

    def _ref_number(self, ref: Ref) -> int:
        n = self._refs.get(id(ref))
        if n is None:
            n = self._refs[id(ref)] = len(self._refs) + 1
            self._keep.append(ref)
        return n


def _ms(seconds) -> str:
    """A timeout in seconds as Erlang's milliseconds (or infinity)."""
    if seconds == "infinity":
        return "infinity"
    return str(round(seconds * 1000))


def normalize(term) -> str:
    """One term in the oracle's normalized form (a fresh trace: pids numbered from 1).

    >>> normalize(("EXIT", None, "normal"))
    '{EXIT,none,normal}'
    """
    return Trace().norm(term)


# -- what scenarios call (as oracle:emit/1, oracle:role/2, oracle:flush/0) ---------

_current: Trace | None = None


def emit(term) -> None:
    """Add `term` to the running scenario's trace (from any of its processes)."""
    _current.emit(term)


def role(pid: Pid, name: str) -> None:
    """Show `pid` as `<name>` in the trace."""
    _current.role(pid, name)


def flush() -> list:
    """Everything in the caller's mailbox, oldest first, without waiting."""
    out = []
    while True:
        msg = receive(timeout=0, default=_EMPTY)
        if msg is _EMPTY:
            return out
        out.append(msg)


_EMPTY = object()


def run_traced(scenario) -> list[str]:
    """Run `scenario()` as the test process of a fresh runtime on a MockClock; its trace."""
    global _current
    trace = _current = Trace()

    def main():
        role(self(), "test")
        scenario()
    try:
        # crash reports off: a scenario's crashes are what it traces
        Runtime(clock=MockClock(autojump=True), crash_reports=False).run(main)
    finally:
        _current = None
    return trace.lines
