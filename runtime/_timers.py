"""Timers: receive timeouts, `sleep`, `send_after`.

How this works: one heap of (deadline, seq, Timer) per runtime, read through the
runtime's clock. The scheduler fires due timers between process switches; a
cancelled timer stays in the heap, marked, until it reaches the top.

A receive's timeout is first only noted in `_timeouts_due` as (deadline,
process, token); each service (at least every tick) turns the ones whose
receive is still waiting into timers and drops the rest. A call answered in
microseconds so never touches the heap, and a timeout fires at most a tick
late, as any timer does.

A timer's callback that raises is reported (`_callback_failed`) and dropped;
the other timers and the scheduler carry on.
"""

from __future__ import annotations

import heapq
import itertools

from .errors import ProcessExit

__all__ = ["Timer", "TimersMixin"]


class Timer:
    """A handle from `send_after`; pass it to `cancel_timer`."""

    __slots__ = ("deadline", "fn", "args", "cancelled", "fired", "seq")

    def __init__(self, deadline, fn, args, seq):
        self.deadline = deadline
        self.fn = fn
        self.args = args
        self.cancelled = False
        self.fired = False
        self.seq = seq

    def __lt__(self, other):
        return (self.deadline, self.seq) < (other.deadline, other.seq)

    def __repr__(self):
        return f"#TimerRef<{self.seq}>"

    def __deepcopy__(self, memo):
        return self


class TimersMixin:
    def _timers_init(self):
        self._timers: list[Timer] = []
        self._timer_seq = itertools.count()
        self._timers_cancelled = 0
        self._timeouts_due: list = []

    def _arm_timeouts(self) -> None:
        """Make timers of the noted receive timeouts whose receive still waits."""
        due = self._timeouts_due
        self._timeouts_due = []
        timers, seq, fire = self._timers, self._timer_seq, self._receive_timeout
        for deadline, proc, token in due:
            if proc.wait_token == token and proc.alive:
                t = proc.timer = Timer(deadline, fire, (proc, token), next(seq))
                heapq.heappush(timers, t)

    def add_timer(self, seconds: float, fn, *args) -> Timer:
        """Call `fn(*args)` inside the scheduler after `seconds` (on the runtime's clock)."""
        t = Timer(self.clock.now() + seconds, fn, args, next(self._timer_seq))
        heapq.heappush(self._timers, t)
        if self._recorder is not None:
            self._recorder.timer("set", t, seconds)
        return t

    def _cancel(self, timer: Timer) -> None:
        """Mark a timer cancelled; rebuild the heap when most of it is dead timers
        (every receive with a timeout arms one, so a busy call loop would
        otherwise leave thousands behind)."""
        if timer.cancelled or timer.fired:
            return
        timer.cancelled = True
        self._timers_cancelled += 1
        timers = self._timers
        if self._timers_cancelled > 64 and self._timers_cancelled * 2 > len(timers):
            live = [t for t in timers if not t.cancelled]
            heapq.heapify(live)
            self._timers = live
            self._timers_cancelled = 0

    def _fire_timers(self) -> None:
        if self._timeouts_due:
            self._arm_timeouts()
        timers = self._timers
        if not timers:
            return
        now = self.clock.now()
        while timers and timers[0].deadline <= now:
            t = heapq.heappop(timers)
            if t.cancelled:
                self._timers_cancelled -= 1
            else:
                t.fired = True
                if self._recorder is not None:
                    self._recorder.timer("fire", t)
                try:
                    t.fn(*t.args)
                except (Exception, ProcessExit) as exc:   # reported, never fatal
                    self._callback_failed("timer", t.fn, exc)

    def _next_timer_delay(self):
        if self._timeouts_due:
            self._arm_timeouts()
        timers = self._timers
        while timers and timers[0].cancelled:
            heapq.heappop(timers)
            self._timers_cancelled -= 1
        if not timers:
            return None
        return max(0.0, timers[0].deadline - self.clock.now())

    def cancel_timer(self, timer: Timer):
        """Cancel a `send_after` timer: seconds that were left, or False if it already fired."""
        if not isinstance(timer, Timer):
            from .errors import BadArg
            raise BadArg(f"cancel_timer expects the value send_after returned, not {timer!r}")
        if timer.fired or timer.cancelled:
            return False
        if self._recorder is not None:
            self._recorder.timer("cancel", timer)
        self._cancel(timer)
        return max(0.0, timer.deadline - self.clock.now())
