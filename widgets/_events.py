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
import weakref
from collections import OrderedDict, deque
from typing import Any, Callable

from ._runtime import telemetry_of

__all__ = ["EventBuffer", "ExitLog", "exit_log"]

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
        reasons[metadata.get("pid")] = metadata.get("reason")
        if len(reasons) > self._keep:
            reasons.popitem(last=False)

    def reason(self, pid, default=None):
        return self._reasons.get(pid, default)

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
