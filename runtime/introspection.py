"""Introspection: `process_info`, `processes`, system stats — observer's view of the node.

How this works: everything is read straight from the process records, from
outside, without sending the process a message (like observer attaching to a
node), so it works on a process that is stuck. A suspended process's stack is
read from its greenlet's frames (a stackless process parked in receive: its
generator's frame, under the `receive` entry a greenlet one shows there); the runtime's own frames are left out so the
stack shows the learner's code and the beamlab call it waits in (`receive`,
`sleep`, `GenServer.call`). Memory is an estimate (record, mailbox, state,
stack), stated as such.
"""

from __future__ import annotations

import os
import sys

import greenlet

from .preempt import BEAMLAB, frame_kind

__all__ = ["IntrospectionMixin"]

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_API_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "api.py")
_STACK_BYTES = 2048          # a suspended greenlet's saved C stack, roughly


def frame_kind_of_file(filename: str) -> int:
    from .preempt import USER
    return BEAMLAB if filename.startswith(_RUNTIME_DIR) else USER


def _rss_bytes() -> int:
    """Resident memory of this OS process (what observer calls total memory), or 0."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


_RECEIVE_LINES: dict = {}


def _receive_entry(plain: bool) -> tuple:
    """The top of the stack of a process waiting in `api.receive` on a greenlet,
    which a parked stackless process (whose stack is its generator) shows too:
    `receive()` with no arguments waits on the line of its inline fast path when
    that runs (the pure-Python runtime), any other on the line calling the runtime's."""
    from . import api
    inline = plain and api._INLINE_RECEIVE
    line = _RECEIVE_LINES.get(inline)
    if line is None:
        import inspect
        lines, first = inspect.getsourcelines(api.receive)
        mark = "rt._switch_away()" if inline else "return rt.receive("
        line = _RECEIVE_LINES[inline] = first + next(
            i for i, text in enumerate(lines) if mark in text)
    return (_API_FILE, line, "receive")


def _describe_fn(fn) -> str:
    if fn is None:
        return "undefined"
    mod = getattr(fn, "__module__", None) or "?"
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    return f"{mod}.{name}"


class IntrospectionMixin:
    def initial_call(self, proc) -> str:
        if proc.reactor is not None:
            desc = getattr(proc.reactor, "describe", None)
            return desc() if desc else type(proc.reactor).__qualname__
        if proc.external:
            return proc.label or "shell"
        return _describe_fn(proc.fn)

    def _frames(self, proc):
        g = proc.greenlet
        if g is None:
            gen = proc.gen      # a stackless process parked in a receive of its own body
            return gen.gi_frame if gen is not None else None
        if greenlet.getcurrent() is g:
            f = sys._getframe(2)
        else:
            f = g.gr_frame
        return f

    def stacktrace(self, proc, limit: int = 30) -> list:
        """[(file, line, function)], innermost first, without the runtime's internals."""
        out = []
        if proc.greenlet is None and proc.gen is not None and limit > 0:
            pending = proc.pending
            if pending is None or type(pending) is tuple:
                out.append(_receive_entry(pending is None))     # where a greenlet one waits
            else:   # parked in a GenServer.call of its own body (_receive._Call): the same
                from .otp._client import _waiting_stack
                out.extend(_waiting_stack())
        f = self._frames(proc)
        while f is not None and len(out) < limit:
            code = f.f_code
            if frame_kind(code) != BEAMLAB or code.co_filename == _API_FILE or "otp" in code.co_filename:
                out.append((code.co_filename, f.f_lineno, code.co_name))
            f = f.f_back
        return out

    def process_info(self, pid) -> dict | None:
        """Everything observer shows about one process, or None if it is not alive."""
        proc = self._table.get(pid.id) if pid is not None else None
        if proc is None or not proc.alive:
            return None
        stack = self.stacktrace(proc)
        if stack:
            # The function is where it is (e.g. `receive`); the location is the
            # learner's line that called it, as Erlang's current_location shows.
            current_function = stack[0][2]
            user = next((s for s in stack if frame_kind_of_file(s[0]) != BEAMLAB), stack[0])
            location = (user[0], user[1])
        elif proc.reactor is not None:
            current_function = f"{self.initial_call(proc)} (idle, waiting for a message)"
            location = None
        else:
            current_function = self.initial_call(proc) if not proc.external else "idle"
            location = None
        mb = proc.mailbox
        hook = proc.reactor
        state = None
        behaviour = None
        if hook is not None and hasattr(hook, "format_status"):
            try:
                status = hook.format_status()
            except Exception as exc:  # introspection must never crash the observer
                status = {"error": repr(exc)}
            if isinstance(status, dict):
                behaviour = status.get("behaviour")
                state = status.get("state", status)
            else:
                state = status
        return {
            "pid": proc.pid,
            "registered_name": proc.name,
            "status": proc.status,
            "initial_call": self.initial_call(proc),
            "current_function": current_function,
            "current_location": location,
            "current_stacktrace": stack,
            "reductions": proc.reductions,
            "message_queue_len": len(mb) if mb else 0,
            "messages": list(mb) if mb else [],
            "memory": self.memory_of(proc),
            "links": sorted(proc.links) if proc.links else [],
            "monitors": sorted(proc.monitors.values()) if proc.monitors else [],
            "monitored_by": sorted(proc.monitored_by.values()) if proc.monitored_by else [],
            "trap_exit": proc.trap_exit,
            "group_leader": proc.group_leader,
            "parent": proc.parent,
            "behaviour": behaviour,
            "state": state,
            "label": proc.label,
        }

    def memory_of(self, proc) -> int:
        """Estimated bytes held by the process (record, mailbox, links, stack)."""
        size = sys.getsizeof(proc) + 56
        mb = proc.mailbox
        if mb is not None:
            size += sys.getsizeof(mb) + sum(sys.getsizeof(m) for m in list(mb)[:1000])
        for coll in (proc.links, proc.monitors, proc.monitored_by):
            if coll:
                size += sys.getsizeof(coll)
        if proc.greenlet is not None:
            size += _STACK_BYTES
        elif proc.gen is not None:      # a parked stackless process: its frame, no stack
            size += sys.getsizeof(proc.gen) + 8 * proc.gen.gi_code.co_stacksize
        if proc.reactor is not None:
            size += sys.getsizeof(proc.reactor) + sys.getsizeof(getattr(proc.reactor, "__dict__", {}))
        return size

    def get_status(self, pid) -> dict | None:
        """The behaviour's full status (like `sys:get_status`), read without a message:
        for a GenServer its state, for a Supervisor its strategy, children and
        restart window. None for a dead process or one with no behaviour."""
        proc = self._table.get(pid.id) if pid is not None else None
        hook = proc.reactor if proc is not None and proc.alive else None
        if hook is None or not hasattr(hook, "format_status"):
            return None
        return hook.format_status()

    def processes(self) -> list:
        """Pids of every live process, oldest first."""
        return [p.pid for p in self._table.values() if p.alive]

    def is_process_alive(self, pid) -> bool:
        proc = self._table.get(pid.id)
        return proc is not None and proc.alive

    def stats(self) -> dict:
        """System-wide figures for observer's charts."""
        procs = self._table.values()
        if self._timeouts_due:
            self._arm_timeouts()
        return {
            "processes": len(self._table),
            # what spawn's limit counts, and the limit (Erlang's +P): the observer shows both
            "process_count": len(self._table),
            "process_limit": self._process_limit,
            "run_queue": len(self._runq),
            # a running total: what live processes did plus what the dead ones had done
            "reductions": self._reductions_of_dead + sum(p.reductions for p in procs),
            "messages_sent": self.messages_sent,
            "messages_received": self.messages_received,
            "preemptions": self._preemptor.preemptions,
            "timers": len(self._timers) - self._timers_cancelled,
            "memory": _rss_bytes(),
        }
