"""Clocks: the real one, and a controllable one so tests never sleep on wall time.

How this works: the runtime reads time only through `clock.now()` and, when it
has nothing to run, asks the clock to wait until the next timer
(`clock.wait(runtime, seconds)`). `SystemClock` really waits; `MockClock`
never does: with `autojump=True` it jumps straight to the next deadline when
every process is blocked (like trio's autojump clock), and `advance(seconds)`
moves it by hand.
"""

from __future__ import annotations

import time

__all__ = ["SystemClock", "MockClock"]


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
