"""A process that holds the scheduler is named in the cell that spawned it, while it holds it.

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

Live. That event comes from the tick, which runs only once the call returns
(or, for a call the signal interrupts, the group leader's output is written only
once the process switches out): the cell would sit frozen meanwhile. So the
runtime's watchdog thread (runtime/watchdog.py) also reports a hold while it
lasts, from `max(long_schedule, 1 s)` on, and this module shows it at once in
the spawning cell as a display ("⏳ ... has held the scheduler for 3 s ...")
sent straight to IOPub from that thread (`session.send` on the kernel's IOPub
socket, which hands the message to ipykernel's IOPub thread), with the cell's
parent header read from the group leader's Context. The display is updated as
the seconds grow, and once more when the process lets go ("⌛ ... held ...
for 3.1 s"), in place of the stderr notice. A C loop that keeps the GIL
(`sum(range(10**9))`) freezes the watchdog thread too: that one is still
named only when it returns, by the stderr notice.

The telemetry handler runs inside the preemption tick, in the process: it only
formats a line and appends it to the group leader's buffer (the scheduler writes
it out); in the kernel it hands the notice to the scheduler
(`call_soon_threadsafe`), which writes it once the process has switched out, and
only if no live display was shown for that hold.
"""

from __future__ import annotations

import threading
import time
import uuid

__all__ = ["LongScheduleNotices", "LONG_SCHEDULE"]

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")
HANDLER_ID = "beamlab.kernel.long_schedule"
QUIET = 10.0   # seconds between two notices about the same process


class _Display:
    """The live notice of one process in one cell: one display, updated for each hold."""

    __slots__ = ("id", "parent", "parent_id", "switches", "holds", "done", "last")

    def __init__(self, parent: dict, parent_id: str):
        self.id = f"beamlab-long-schedule-{uuid.uuid4().hex[:12]}"
        self.parent, self.parent_id = parent, parent_id
        self.switches = None     # the hold shown now (the runtime's switch count while it lasted)
        self.holds = 0           # how many holds this display has shown
        self.done = False        # the hold shown now is over and said so
        self.last = None         # the watchdog's last report of it (where it was)


class LongScheduleNotices:
    """Names a process that holds the scheduler in the cell that spawned it: live from the
    watchdog (in a kernel), else afterwards on the cell's stderr."""

    def __init__(self, runtime, *, quiet: float = QUIET, kernel=None) -> None:
        self.rt = runtime
        self.quiet = quiet
        self._last: dict = {}        # pid -> (monotonic time of the last notice, reports left out)
        self._displays: dict = {}    # pid -> _Display (live notices; also the watchdog's thread)
        self._lock = threading.Lock()
        self.kernel = kernel if kernel is not None else _find_kernel()
        runtime.telemetry.attach(HANDLER_ID, LONG_SCHEDULE, self._on_event)
        if self.kernel is not None:
            runtime.watchdog.watch(self._on_hold)

    def close(self) -> None:
        try:
            self.rt.telemetry.detach(HANDLER_ID)
        except Exception:
            pass
        self.rt.watchdog.unwatch(self._on_hold)

    # ------------------------------------------------------------------ after the hold
    def _on_event(self, event, measurements, metadata, config) -> None:
        try:
            pid = metadata.get("pid")
            proc = self.rt._table.get(pid.id) if pid is not None else None
            if proc is None or proc.external:   # the shell: its own cell is what is running
                return
            ms = measurements.get("ms", 0.0)
            location = metadata.get("location")
            if self.kernel is None:
                self._write(proc, ms, location)
                return
            # The process may still be in the call (a call the signal interrupts): say it
            # once it has switched out, and only if the watchdog did not show it live.
            started = time.monotonic() - ms / 1000.0
            self.rt.call_soon_threadsafe(self._hold_over, proc, self.rt._switches, started, location)
        except Exception:   # a notice must never disturb the process it is about
            pass

    def _hold_over(self, proc, switches: int, started: float, location) -> None:
        """In the scheduler, after the hold: finish the live notice, or write the stderr one."""
        now = time.monotonic()
        with self._lock:
            d = self._displays.get(proc.pid)
            shown = d is not None and d.switches == switches
            final = shown and not d.done
            if final:
                d.done = True
        if not shown:
            self._write(proc, (now - started) * 1000.0, location)
            return
        self._last[proc.pid] = (now, 0)
        if final:
            last = d.last       # where the watchdog last saw it: the call that held longest
            self._send(d, live_notice(self.rt, proc, max(now - started, last.held), last.location,
                                      last.source, last.native, True, d.holds), update=True)

    def _write(self, proc, ms: float, location) -> None:
        pid = proc.pid
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
        proc.group_leader.write_err(notice(self.rt, proc, ms, location, skipped))

    # ------------------------------------------------------------------ live (watchdog thread)
    def _on_hold(self, hold) -> None:
        """The watchdog's report (runtime/watchdog.py), from its thread: show or update the notice."""
        proc = hold.process
        if proc is None or getattr(proc, "external", True):   # the shell: see the module docstring
            return
        if not hold.final and self.rt._switches != hold.switches:
            return        # over already: the scheduler says it (_hold_over), not a stale live notice
        parent = self._parent(proc)
        if parent is None:
            return
        parent_id = parent.get("header", parent).get("msg_id")
        with self._lock:
            d = self._displays.get(proc.pid)
            if hold.final and (d is None or d.switches != hold.switches):
                return    # never shown live: the stderr notice covers it
            new = d is None or d.parent_id != parent_id
            if new:
                d = self._displays[proc.pid] = _Display(parent, parent_id)
                if len(self._displays) > 1000:
                    for old in list(self._displays)[:500]:
                        del self._displays[old]
            if d.switches != hold.switches:
                d.switches, d.done = hold.switches, False
                d.holds += 1
            if d.done:
                return
            if hold.final:
                d.done = True
            else:
                d.last = hold
        text = live_notice(self.rt, proc, hold.held, hold.location, hold.source, hold.native,
                           hold.final, d.holds)
        self._send(d, text, update=not new)

    def _parent(self, proc) -> dict | None:
        """The execute request of the cell `proc` writes to (its group leader's Context), or None."""
        gl = proc.group_leader
        ctx = getattr(gl, "context", None)
        if ctx is None:
            return None
        for var in (getattr(self.kernel, "_shell_parent", None),
                    getattr(getattr(gl, "stream", None), "_parent_header", None)):
            if var is None:
                continue
            try:
                parent = ctx.get(var)
            except TypeError:
                continue
            if isinstance(parent, dict) and (parent.get("header") or parent.get("msg_id")):
                return parent
        return None

    def _send(self, d: _Display, text: str, *, update: bool) -> None:
        kernel = self.kernel
        kind = "update_display_data" if update else "display_data"
        content = {"data": {"text/plain": text}, "metadata": {}, "transient": {"display_id": d.id}}
        try:
            topic = kernel._topic(kind) if hasattr(kernel, "_topic") else None
            session = kernel.session
            msg = session.msg(kind, content, parent=d.parent)
            # its own id: the session's counter is not meant to be bumped from two threads at once
            msg["header"]["msg_id"] = msg["msg_id"] = uuid.uuid4().hex
            session.send(kernel.iopub_socket, msg, ident=topic)
        except Exception:   # a closed socket at shutdown: the notice is not worth an error
            pass


def _find_kernel():
    """The ipykernel kernel this runs in (its session and IOPub socket), or None."""
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
    except Exception:
        return None
    if kernel is None or getattr(kernel, "session", None) is None \
            or getattr(kernel, "iopub_socket", None) is None:
        return None
    return kernel


def live_notice(rt, proc, held: float, location, source: str, native: bool, final: bool,
                holds: int = 1) -> str:
    """The live notice, e.g.

    ⏳ long_schedule: process <0.7.0> (__main__.block) has held the scheduler for 3 s, in a
    native call in block at line 3 of cell In [4]: threading.Event().wait(5)
    """
    who = f"process {proc.pid!r}"
    what = proc.name or rt.initial_call(proc)
    if what:
        who += f" ({what})"
    how = ", in a native call" if native else ""
    where = ""
    if isinstance(location, (tuple, list)) and len(location) == 3:
        filename, line, function = location
        where = f" in {function} at {_place(filename, line)}" + (f": {source}" if source else "")
    again = f" (hold number {holds} of this process)" if holds > 1 else ""
    if final:
        return (f"⌛ long_schedule: {who} held the scheduler for {held:.1f} s{how}{where}{again}.\n"
                f"  Every other process, and the widgets, waited meanwhile. Run such a call in a thread "
                f"with dirty_call(fn, *args): it returns the result and lets the others run.")
    return (f"⏳ long_schedule: {who} has held the scheduler for {held:.0f} s{how}{where}{again}.\n"
            f"  Nothing else runs meanwhile: every other process and the widgets wait until it "
            f"returns. Run such a call in a thread with dirty_call(fn, *args): it returns the "
            f"result and lets the others run.")


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
