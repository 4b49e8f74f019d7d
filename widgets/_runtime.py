"""The few things widgets ask of the runtime, in one place.

How this works: widgets observe the runtime from outside, like observer attached
to a node: `process_info`, `processes`, `stats`, `whereis` and `clock` on the
Runtime object. Acting on a process (kill it, make it exit) has to happen inside
the scheduler, so `exit_signal` posts the signal with `call_soon_threadsafe`.
`current_runtime()` finds the runtime of the kernel (or of `beamlab.run`) when a
widget is created without `runtime=`.
"""
from __future__ import annotations

__all__ = ["current_runtime", "behaviour_status", "exit_signal", "trace_sends", "in_scheduler", "telemetry_of", "pid_text", "safe_repr"]

from beamlab.runtime.chaos import behaviour_status  # format_status() read from outside: one reader
from beamlab.runtime.messages import preview


def safe_repr(value, limit: int = 2000) -> str:
    """A repr that never raises and never floods the browser: bounded in time and
    length however big or deep `value` is (the runtime's message preview)."""
    return preview(value, limit)


def pid_text(pid) -> str:
    return "" if pid is None else str(pid)


def current_runtime():
    """The runtime this code runs in: the kernel's, or the one `beamlab.run` started.

    Raises a RuntimeError that says what to pass when there is none.
    """
    from beamlab.runtime import current_runtime as current
    try:
        return current()
    except Exception as exc:
        raise RuntimeError("no beamlab runtime is running here: use the 'BEAM Lab (Python)' kernel, "
                           "run %load_ext beamlab in this notebook first, call the widget inside "
                           "beamlab.run(main), or pass runtime=Runtime(...)") from exc


def in_scheduler(runtime, fn, *args) -> None:
    """Run `fn(*args)` inside the runtime's scheduler, outside any process, soon.

    Widgets act on processes this way, whichever thread a click arrives on. A
    runtime without a scheduler (a test fake) runs it at once.
    """
    post = getattr(runtime, "call_soon_threadsafe", None)
    if post is None or getattr(runtime, "_stopped", False):   # nothing runs: safe to do it now
        fn(*args)
    else:
        post(fn, *args)


def exit_signal(runtime, pid, reason, *, from_self: bool = False) -> None:
    """Send `pid` the exit signal `reason`, as `exit(pid, reason)` sent from outside any process.

    `from_self=True` sends it as if `pid` sent it to itself, which is how a
    `normal` exit signal ends a process that does not trap exits (Erlang drops
    a normal exit signal from anyone else).
    """
    send_exit = getattr(runtime, "send_exit", None)
    if send_exit is None:                 # a test fake: runtime.exit(pid, reason)
        in_scheduler(runtime, runtime.exit, pid, reason)
        return
    from beamlab.runtime._signals import SYSTEM_PID
    in_scheduler(runtime, send_exit, pid if from_self else SYSTEM_PID, pid, reason)


def telemetry_of(runtime):
    """The runtime's telemetry handler table (attach/attach_many/detach/execute)."""
    table = getattr(runtime, "telemetry", None)
    if table is None:
        raise RuntimeError(f"{runtime!r} has no telemetry table")
    return table


def trace_sends(runtime, fn, traced_only: bool = False):
    """Call `fn(from_pid, to_pid, message)` on every send (or, with `traced_only`, on sends
    to or from processes flagged with `runtime.trace(pid)`); returns a function that stops it.

    `fn` runs on the hot path of `send`: it must only record, never draw.
    Uses the runtime's public hook when it has one; else its send-tracer list.
    """
    public = getattr(runtime, "trace_sends", None)
    if callable(public):
        return public(fn, traced_only=traced_only)
    tracers = getattr(runtime, "_send_tracers", None)
    if tracers is None:
        raise RuntimeError(f"{runtime!r} cannot trace messages (no send hook)")
    tracers.append(fn)

    def stop() -> None:
        try:
            tracers.remove(fn)
        except ValueError:
            pass
    return stop
