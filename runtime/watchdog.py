"""The watchdog: a process that holds the scheduler is named while it holds it.

How this works. The preemption tick (preempt.py) notices a process that ran
`long_schedule` seconds without switching, but only once the tick runs again,
and CPython runs signal handlers between two bytecodes of the main thread: for
a long call into C the report comes after the call. The watchdog is a thread
that looks at the main thread from outside while the runtime drives: every
`period` seconds it reads two plain attributes, the running process
(`runtime.current`) and the runtime's switch count (`runtime._switches`, which
every switch increments). When both are unchanged since it first saw them for
longer than `max(runtime.long_schedule, min_live)` seconds, it calls its
callbacks with a `Hold`: which process, for how long, where the main thread is
(`sys._current_frames()`, the learner's own innermost frame: library and
runtime frames skipped as preempt.py's `frame_kind` tells them), and whether
that frame waits in a native call. Every `update` seconds it reports again
with the time grown; when the process is switched out it reports once more
with `final=True`.

It never changes runtime state and takes no runtime lock: it reads attributes
(an attribute read is atomic in CPython) and frames. It sleeps on an Event
while the runtime is idle (`_drive` wakes it), so an idle runtime costs
nothing. It starts with the first callback (`watch`), so a runtime nobody
watches has no thread.

What it cannot see. A thread runs only while the main thread lets the GIL go:
a blocking call that releases it (`time.sleep`, `select`, `Event().wait()`,
`lock.acquire()`, file and socket I/O, many numpy and hashlib calls) or a long
stretch of Python code the tick cannot preempt (inside a library, cooperative
mode). A C loop that keeps the GIL (`sum(range(10**9))`, `sorted` of a big
list) stops every thread of the interpreter, this one included; such a call is
reported when it returns, by the tick's `long_schedule` event. A check that
wakes up much later than asked was frozen that way: it reports nothing (the
tick's event will), and a hold is counted only from when it was seen.

The kernel registers a callback that shows the notice in the spawning cell
(kernel/long_schedule.py). In a script, `print_holds` writes a line to stderr:

    >>> rt = Runtime(); rt.watchdog.watch(print_holds)
"""

from __future__ import annotations

import linecache
import sys
import threading
import time
from dataclasses import dataclass

from .preempt import _CALLS, USER, frame_kind

__all__ = ["Hold", "Watchdog", "print_holds", "PERIOD", "MIN_LIVE", "UPDATE"]

PERIOD = 0.2     # seconds between two looks at the main thread
MIN_LIVE = 1.0   # a hold is reported live from this many seconds (and from long_schedule)
UPDATE = 1.0     # seconds between two reports about the same hold
LATE = 0.5       # a look this much later than asked was frozen by a call holding the GIL


@dataclass(frozen=True)
class Hold:
    """A process has held the scheduler for `held` seconds (see the module docstring).

    `location` is (filename, line, function) of the learner's innermost frame, or None;
    `source` that line's text ("" if unknown); `native` is True when that stack is
    waiting in a call into C. `switches` identifies the stretch (the runtime's
    switch count while it lasts); `final` is True once the process was switched out."""

    process: object
    pid: object
    name: str | None
    switches: int
    held: float
    location: tuple | None
    source: str
    native: bool
    final: bool = False


class Watchdog:
    """Looks at the main thread every `period` seconds while `runtime` drives (see module docstring)."""

    def __init__(self, runtime, *, period: float = PERIOD, min_live: float = MIN_LIVE,
                 update: float = UPDATE, clock=time.monotonic, frames=sys._current_frames):
        if period <= 0:
            raise ValueError("period must be a positive number of seconds")
        self.rt = runtime
        self.period = period
        self.min_live = min_live
        self.update = update
        self.clock = clock
        self._frames = frames
        self._callbacks: list = []
        self._lock = threading.Lock()
        self._wake = threading.Event()     # set when the runtime starts driving
        self._stop = threading.Event()     # set when the runtime stops
        self._stopped = False
        self._thread: threading.Thread | None = None
        # the stretch being watched: (process, switches), when first seen, last report
        self._stamp = None
        self._since = 0.0
        self._seen = 0.0           # how long the stretch has been seen held
        self._last_look = None
        self._reported = None      # the last Hold reported for this stretch, or None
        self._reported_at = 0.0

    # ------------------------------------------------------------------ callbacks
    def watch(self, callback) -> None:
        """Call `callback(hold)` from the watchdog thread for every report; starts the thread."""
        if not callable(callback):
            raise TypeError(f"watch() takes a callable, called with a Hold; got {callback!r}")
        with self._lock:
            if callback not in self._callbacks:
                self._callbacks = self._callbacks + [callback]
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="beamlab-watchdog",
                                                daemon=True)
                self._thread.start()

    def unwatch(self, callback) -> None:
        """Stop calling `callback`; the thread stays (it is idle without callbacks)."""
        with self._lock:
            self._callbacks = [c for c in self._callbacks if c != callback]

    def stop(self) -> None:
        """End the thread (the runtime stops). Idempotent."""
        self._stopped = True
        self._stop.set()
        self._wake.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2 * self.period + 1.0)

    def driving(self) -> None:
        """The runtime starts driving (called by `_drive`, main thread): look again."""
        if not self._wake.is_set():
            self._wake.set()

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        wake, stop = self._wake, self._stop
        while not self._stopped:
            if not self.rt._driving or not self._callbacks:
                try:
                    self.check(self.clock())   # ends a stretch that was being reported
                except Exception:
                    pass
                self._last_look = None
                wake.clear()
                if not (self.rt._driving and self._callbacks):
                    wake.wait()                # until the runtime drives again (or stops)
            # One look per period however often the runtime starts driving (a pump
            # every few ms between cells must not wake this thread each time).
            stop.wait(self.period)
            if self._stopped:
                break
            try:
                self.check(self.clock())
            except Exception:   # a bad look must never end the watchdog, nor disturb the runtime
                pass
        try:
            self.check(self.clock())     # the runtime stopped: a hold being reported is over
        except Exception:
            pass

    def check(self, now: float) -> list:
        """One look at the main thread at time `now`; calls the callbacks; returns the Holds reported."""
        rt = self.rt
        late = self._last_look is not None and now - self._last_look > self.period + LATE
        self._last_look = now
        proc = rt.current if rt._driving and not self._stopped else None
        switches = rt._switches
        stamp = (proc, switches) if proc is not None else None
        reports = []
        if stamp != self._stamp:
            last = self._reported
            if last is not None:
                reports.append(self._hold(last.process, last.switches, max(last.held, self._seen),
                                          final=True, last=last))
            self._stamp, self._since, self._seen = stamp, now, 0.0
            self._reported = None
        elif proc is not None:
            held = now - self._since
            if late:
                # This thread was frozen with everyone else (a C call holding the GIL):
                # the tick reports that call; count this hold from now on.
                self._since, held = now - self._seen, self._seen
            self._seen = held
            threshold = max(rt.long_schedule, self.min_live)
            if held >= threshold and not late and (
                    self._reported is None or now - self._reported_at >= self.update):
                hold = self._hold(proc, switches, held)
                self._reported, self._reported_at = hold, now
                reports.append(hold)
        for hold in reports:
            for cb in self._callbacks:
                try:
                    cb(hold)
                except Exception:
                    pass
        return reports

    def _hold(self, proc, switches: int, held: float, *, final: bool = False, last=None) -> Hold:
        if last is not None:   # the stretch is over: where it was when last seen
            return Hold(proc, last.pid, last.name, switches, held, last.location, last.source,
                        last.native, final)
        location, source, native = None, "", False
        frame = self._frames().get(self.rt._thread)
        if frame is not None:
            try:
                native = frame.f_code.co_code[frame.f_lasti] in _CALLS
            except (IndexError, AttributeError):
                native = False
            f = frame
            while f is not None and frame_kind(f.f_code) != USER:
                f = f.f_back
            if f is not None:
                code = f.f_code
                line = f.f_lineno or code.co_firstlineno
                location = (code.co_filename, line, code.co_name)
                source = linecache.getline(code.co_filename, line).strip()
        return Hold(proc, getattr(proc, "pid", None), getattr(proc, "name", None), switches,
                    held, location, source, native, final)


def print_holds(hold: Hold, file=None) -> None:
    """A watchdog callback for scripts: one line on stderr per report."""
    out = file or sys.__stderr__
    if out is None:
        return
    who = f"{hold.pid!r}" + (f" ({hold.name})" if hold.name else "")
    where = ""
    if hold.location is not None:
        filename, line, function = hold.location
        where = f" in {function} at {filename}:{line}" + (f": {hold.source}" if hold.source else "")
    how = " in a native call" if hold.native else ""
    if hold.final:
        text = f"beamlab watchdog: {who} held the scheduler for {hold.held:.1f} s{how}{where}\n"
    else:
        text = (f"beamlab watchdog: {who} has held the scheduler for {hold.held:.0f} s{how}{where}; "
                f"nothing else runs meanwhile. Run a long call with dirty_call(fn, *args).\n")
    try:
        out.write(text)
        out.flush()
    except Exception:
        pass
