"""Halting: every process dropped at once, as `erlang:halt()` does.

How this works: stopping a runtime normally unwinds each process (its `finally`
blocks run, as after a kill). That is a switch into each greenlet, some tens
of microseconds apiece, so 100,000 processes waiting in `receive` take seconds
(7-9 s measured on a loaded 2-core machine). When the program ends right after,
as the kernel does on shutdown or restart, that is time the front end does not
give: jupyter_client sends SIGTERM 2.5 s after asking a kernel to shut down.

So `Runtime.stop(unwind=seconds)` unwinds processes for at most that long and
then calls `halt`: each remaining process is marked dead at once, without exit
signals, DOWN messages or telemetry (nobody is left to receive them), and its
greenlet is kept in `_HALTED` instead of freed, because freeing a suspended
greenlet unwinds it (the same cost again); they go with the OS process, whose
exit does not run them. Their cleanup code does not run: only for a program
that is ending.
"""

from __future__ import annotations

__all__ = ["halt"]

_HALTED: list = []   # greenlets of halted processes: kept, never resumed (see above)


def halt(rt) -> int:
    """Drop every process of `rt` still there without running any of its code; returns how many."""
    procs = list(rt._table.values())
    procs += [p for p in rt._runq if not p.alive and p.greenlet is not None]   # killed, not yet unwound
    keep = _HALTED
    for proc in procs:
        g = proc.greenlet
        if g is not None and not g.dead:
            keep.append(g)
        proc.greenlet = None
        proc.alive = False
        proc.exit_reason = "killed"
        proc.status = "dead"
        proc.queued = False
    rt._table.clear()
    rt._runq.clear()
    rt._names.clear()
    return len(procs)
