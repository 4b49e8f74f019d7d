"""Buffers between the runtime's telemetry and the widgets.

How this works: a telemetry handler runs inside the runtime, on the hot path, so
the handlers here only append to a bounded `collections.deque` (or bump a
counter) and return. Widgets drain the buffers at their own pace from their
refresh; a slow or stalled chart loses the oldest events (the deque is bounded)
and never slows the runtime down. This is the role `:telemetry` handlers that
write to an ETS table play on the BEAM.
"""
from __future__ import annotations

import itertools
import time
import os
import time
import weakref
from collections import OrderedDict, deque
from typing import Any, Callable

from ._runtime import telemetry_of

__all__ = ["EventBuffer", "ExitLog", "exit_log", "LongScheduleLog", "long_schedule_log"]

_ids = itertools.count(1)


class EventBuffer:
    """Collects telemetry events into a bounded buffer; `drain()` takes them out.

    >>> buf = EventBuffer(rt, [("beamlab", "process", "exit")])  # doctest: +SKIP
    >>> buf.drain()                                            # doctest: +SKIP
    [(('beamlab', 'process', 'exit'), {...}, {'pid': <0.42.0>, 'reason': 'killed'})]

    `keep` bounds memory; `dropped` counts events lost because nobody drained in time.
    `select(event, measurements, metadata)` (optional) filters on the hot path.
    """

    def __init__(self, runtime, events, *, keep: int = 10_000,
                 select: Callable[[tuple, dict, dict], bool] | None = None) -> None:
        self._telemetry = telemetry_of(runtime)
        self.events = [tuple(e) for e in events]
        self._buf: deque = deque(maxlen=keep)
        self.dropped = 0
        self._select = select
        self.handler_id = f"beamlab.widgets.buffer.{next(_ids)}"
        self._telemetry.attach_many(self.handler_id, self.events, self._handle, None)

    def _handle(self, event, measurements, metadata, config) -> None:
        if self._select is not None and not self._select(event, measurements, metadata):
            return
        buf = self._buf
        if len(buf) == buf.maxlen:
            self.dropped += 1
        buf.append((event, measurements, metadata))

    def drain(self) -> list[tuple[tuple, dict, dict]]:
        """Everything collected since the last drain, oldest first."""
        out = []
        buf = self._buf
        while buf:
            out.append(buf.popleft())
        return out

    def __len__(self) -> int:
        return len(self._buf)

    def close(self) -> None:
        """Detach from telemetry (idempotent)."""
        try:
            self._telemetry.detach(self.handler_id)
        except Exception:
            pass


class ExitLog:
    """Remembers why recent processes exited, so a click on a dead node can say.

    >>> exit_log(rt).reason(pid)                               # doctest: +SKIP
    'killed'
    """

    def __init__(self, runtime, keep: int = 20_000) -> None:
        self._reasons: OrderedDict[Any, Any] = OrderedDict()
        self._keep = keep
        self.handler_id = "beamlab.widgets.exit_log"
        telemetry_of(runtime).attach(self.handler_id, ("beamlab", "process", "exit"), self._handle, None)

    def _handle(self, event, measurements, metadata, config) -> None:
        reasons = self._reasons
        reasons[metadata.get("pid")] = (metadata.get("reason"), time.time())
        if len(reasons) > self._keep:
            reasons.popitem(last=False)

    def reason(self, pid, default=None):
        got = self._reasons.get(pid)
        return default if got is None else got[0]

    def when(self, pid) -> float | None:
        """The wall-clock time (time.time()) `pid` exited at, if it was seen."""
        got = self._reasons.get(pid)
        return None if got is None else got[1]

    def __contains__(self, pid) -> bool:
        return pid in self._reasons


_exit_logs: "weakref.WeakKeyDictionary[object, ExitLog]" = weakref.WeakKeyDictionary()


def exit_log(runtime) -> ExitLog | None:
    """The runtime's exit log, attached on first use (None if it has no telemetry)."""
    log = _exit_logs.get(runtime)
    if log is None:
        try:
            log = _exit_logs[runtime] = ExitLog(runtime)
        except Exception:
            return None
    return log


LONG_SCHEDULE = ("beamlab", "process", "long_schedule")


class LongScheduleLog:
    """Remembers each process's last long_schedule: how long it held the scheduler, and where.

    >>> long_schedule_log(rt).badge(pid)                        # doctest: +SKIP
    'long_schedule 1,234 ms'

    The runtime reports a process that ran `long_schedule` seconds without
    switching (a long native call: the tick cannot preempt C code). The tree and
    the observer show it on the process for `recent` seconds; the inspector always.
    """

    def __init__(self, runtime, keep: int = 5_000, recent: float = 60.0) -> None:
        self._last: OrderedDict[str, tuple] = OrderedDict()   # pid text -> (ms, location, when, times)
        self._keep = keep
        self.recent = recent
        self.handler_id = "beamlab.widgets.long_schedule_log"
        telemetry_of(runtime).attach(self.handler_id, LONG_SCHEDULE, self._handle, None)

    def _handle(self, event, measurements, metadata, config) -> None:
        last = self._last
        pid = str(metadata.get("pid"))
        old = last.pop(pid, None)
        last[pid] = (float(measurements.get("ms", 0.0)), metadata.get("location"), time.monotonic(),
                     (old[3] if old else 0) + 1)
        if len(last) > self._keep:
            last.popitem(last=False)

    def get(self, pid) -> dict | None:
        """{"ms", "location", "seconds_ago", "times"} of the last report on `pid` (a Pid or
        its text, "<0.42.0>"), or None."""
        entry = self._last.get(str(pid))
        if entry is None:
            return None
        ms, location, when, times = entry
        return {"ms": ms, "location": location, "seconds_ago": time.monotonic() - when, "times": times}

    def badge(self, pid) -> str:
        """"long_schedule 1,234 ms" if `pid` held the scheduler in the last `recent` seconds, else ""."""
        last = self.get(pid)
        if last is None or last["seconds_ago"] > self.recent:
            return ""
        return f"long_schedule {last['ms']:,.0f} ms"

    def describe(self, pid) -> str:
        """The inspector's line: how long, where, when, and the cure."""
        last = self.get(pid)
        if last is None:
            return ""
        text = f"held the scheduler {last['ms']:,.0f} ms"
        loc = last["location"]
        if isinstance(loc, (tuple, list)) and len(loc) == 3:
            text += f" in {loc[2]} ({os.path.basename(str(loc[0]))}:{loc[1]})"
        text += f", {last['seconds_ago']:.0f} s ago"
        if last["times"] > 1:
            text += f" ({last['times']} times)"
        return text + " — a long native call: run it with dirty_call(fn, *args)"


_long_logs: "weakref.WeakKeyDictionary[object, LongScheduleLog]" = weakref.WeakKeyDictionary()


def long_schedule_log(runtime, *, attach: bool = True) -> LongScheduleLog | None:
    """The runtime's long_schedule log, attached on first use (None if it has no telemetry,
    or with `attach=False` when no widget has attached it yet)."""
    log = _long_logs.get(runtime)
    if log is None and attach:
        try:
            log = _long_logs[runtime] = LongScheduleLog(runtime)
        except Exception:
            return None
    return log
