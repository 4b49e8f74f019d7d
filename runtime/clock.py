"""Clocks: the real one, and a controllable one so tests never sleep on wall time.

How this works: the runtime reads time only through `clock.now()` and, when it
has nothing to run, asks the clock to wait until the next timer
(`clock.wait(runtime, seconds)`). `SystemClock` really waits; `MockClock`
never does: with `autojump=True` it jumps straight to the next deadline when
every process is blocked (like trio's autojump clock), and `advance(seconds)`
moves it by hand. `VirtualClock` (deterministic runs, deterministic.py) is a
MockClock that also moves with the work the processes do: its time is the
seconds it jumped plus the reductions counted so far times `per_reduction`.
"""

from __future__ import annotations

import math
import time

__all__ = ["SystemClock", "MockClock", "VirtualClock"]


class SystemClock:
    """Monotonic wall-clock time in seconds: the default clock.

        >>> Runtime(clock=SystemClock()).clock.now()
        1234.56
    """

    autojump = False
    now = staticmethod(time.monotonic)   # seconds; read on every receive with a timeout

    def wait(self, event, seconds: float | None) -> None:
        """Block until `event` is set or `seconds` pass (None: until the event)."""
        event.wait(seconds)

    def __repr__(self):
        return "SystemClock()"


class MockClock:
    """A clock that moves only when told, or jumps to the next timer when idle.

        >>> clock = MockClock(autojump=True)
        >>> beamlab.run(lambda: sleep(3600), clock=clock)   # returns at once
        >>> clock.now()
        3600.0
    """

    def __init__(self, start: float = 0.0, autojump: bool = True):
        self._now = float(start)
        self.autojump = autojump

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    def wait(self, event, seconds: float | None) -> None:
        if event.is_set():
            return
        if seconds is not None and self.autojump:
            self._now += max(seconds, 0.0)
            return
        # Nothing to jump to: a dirty call or another thread may still wake us.
        event.wait(0.01 if seconds is None else min(seconds, 0.01))

    def __repr__(self):
        return f"MockClock(now={self._now}, autojump={self.autojump})"


class VirtualClock(MockClock):
    """The clock of a deterministic run: it jumps to the next timer when every process
    waits, and moves with the work processes do (`per_reduction` seconds a reduction),
    so a process that computes also lets time pass, the same on any machine.

        >>> beamlab.run(main, seed=42)          # runs on a VirtualClock
        >>> current_runtime().clock.now()       # inside: jumped seconds + reductions * 1 µs
        0.004213

    `work` is a function giving the reductions counted so far (set by the run).
    """

    def __init__(self, start: float = 0.0, per_reduction: float = 1e-6, work=None):
        super().__init__(start, autojump=True)
        if not per_reduction >= 0:
            raise ValueError(f"per_reduction={per_reduction!r}: give seconds (>= 0) a reduction takes")
        self.per_reduction = float(per_reduction)
        self.work = work if work is not None else (lambda: 0)

    def now(self) -> float:
        return self._now + self.work() * self.per_reduction

    def wait(self, event, seconds: float | None) -> None:
        if event.is_set() or seconds is None:
            # nothing to jump to: a deterministic run raises Deadlock before it gets here
            super().wait(event, seconds)
            return
        seconds = max(seconds, 0.0)
        before = self.now()
        target = before + seconds
        self._now += seconds
        # never short of the deadline by a rounding error, or the timer would not fire
        while self.now() < target or (seconds > 0 and self.now() <= before):
            self._now = math.nextafter(self._now, math.inf)

    def __repr__(self):
        return f"VirtualClock(now={self.now()}, per_reduction={self.per_reduction})"
