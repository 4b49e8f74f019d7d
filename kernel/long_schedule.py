"""A process that held the scheduler is named in the cell that spawned it.

How this works: the runtime reports a process that ran `long_schedule` seconds
without switching (a long native call such as `sum(range(10**9))`: the
preemption tick cannot interrupt C code) as a `("beamlab", "process",
"long_schedule")` telemetry event, like `erlang:system_monitor`. The kernel
attaches a handler that writes a short notice to that process's group leader,
which is the output of the cell that spawned it: which process, where it was,
how long everything else waited, and the cure (`dirty_call`). One notice per
process per `QUIET` seconds, so a loop of long calls cannot flood the cell; the
next notice says how many were left out. A cell's own long call (the shell
process) gets none: the learner is watching that cell run anyway, and the
observer marks it like any process.

The handler runs inside the preemption tick, in the process: it only formats a
line and appends it to the group leader's buffer (the scheduler writes it out).
"""

from __future__ import annotations

import time

__all__ = ["LongScheduleNotices", "LONG_SCHEDULE"]

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")
HANDLER_ID = "beamlab.kernel.long_schedule"
QUIET = 10.0   # seconds between two notices about the same process


class LongScheduleNotices:
    """Writes a notice into the spawning cell when one of its processes holds the scheduler."""

    def __init__(self, runtime, *, quiet: float = QUIET) -> None:
        self.rt = runtime
        self.quiet = quiet
        self._last: dict = {}        # pid -> (monotonic time of the last notice, reports left out)
        runtime.telemetry.attach(HANDLER_ID, LONG_SCHEDULE, self._on_event)

    def close(self) -> None:
        try:
            self.rt.telemetry.detach(HANDLER_ID)
        except Exception:
            pass

    def _on_event(self, event, measurements, metadata, config) -> None:
        try:
            pid = metadata.get("pid")
            proc = self.rt._table.get(pid.id) if pid is not None else None
            if proc is None or proc.external:   # the shell: its own cell is what is running
                return
            now = time.monotonic()
            last = self._last.get(pid)
            if last is not None and now - last[0] < self.quiet:
                self._last[pid] = (last[0], last[1] + 1)
                return
            skipped = last[1] if last is not None else 0
            self._last[pid] = (now, 0)
            if len(self._last) > 1000:   # forget the oldest processes
                for old in list(self._last)[:500]:
                    del self._last[old]
            proc.group_leader.write_err(notice(self.rt, proc, measurements.get("ms", 0.0),
                                               metadata.get("location"), skipped))
        except Exception:   # a notice must never disturb the process it is about
            pass


def notice(rt, proc, ms: float, location, skipped: int = 0) -> str:
    """The text a learner sees, e.g.

    long_schedule: process <0.42.0> (<lambda>) ran 1,234 ms without letting any other
    process run, in <lambda> at line 1 of cell In [3]. ...
    """
    who = f"process {proc.pid!r}"
    what = proc.name or rt.initial_call(proc)
    if what:
        who += f" ({what})"
    where = ""
    if isinstance(location, (tuple, list)) and len(location) == 3:
        filename, line, function = location
        where = f", in {function} at {_place(filename, line)}"
    again = f" (and {skipped} more time{'s' if skipped != 1 else ''} since the last notice)" if skipped else ""
    return (f"long_schedule: {who} ran {ms:,.0f} ms without letting any other process run{where}"
            f"{again}.\n"
            f"  Every other process, and the widgets, waited meanwhile: a long call into native code "
            f"(sum(range(...)), sorted() of a big list, numpy) cannot be preempted.\n"
            f"  Run it in a thread instead: dirty_call(fn, *args) returns its result and lets the "
            f"others run.\n")


def _place(filename: str, line: int) -> str:
    """"line 3 of cell In [5]" for notebook code, else "file.py:3"."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        fmt = getattr(getattr(shell, "compile", None), "format_code_name", None)
        named = fmt(filename) if fmt is not None else None
        if named:
            return f"line {line} of {named[0].lower()} {named[1]}"
    except Exception:
        pass
    return f"{filename}:{line}"
