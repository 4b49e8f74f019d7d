"""Metric definitions and their accumulation, as Elixir's Telemetry.Metrics.

How this works: a metric names an event and a measurement in one dotted
string, as Telemetry.Metrics does: `counter("beamlab.process.exit.count")`
counts `("beamlab", "process", "exit")` events; `summary("my_app.request.stop.
duration")` summarises the `duration` measurement of `("my_app", "request",
"stop")`. `tags=["reason"]` splits a metric by a metadata value.

`Accumulator` is the telemetry handler behind a chart. On the hot path it does
O(1) work per event (add to a count or a sum, keep a last value, append to a
bounded list for a summary) — nothing is drawn there. The chart calls
`take()` at its own pace to read the totals and this period's summaries.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ._runtime import telemetry_of

__all__ = ["Metric", "counter", "sum_", "last_value", "summary", "Accumulator"]

KINDS = ("counter", "sum", "last_value", "summary")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Metric:
    """One metric: `kind` of `measurement` of `event`, optionally split by `tags`.

    >>> counter("beamlab.process.spawn.count").event
    ('beamlab', 'process', 'spawn')
    """
    kind: str
    event: tuple
    measurement: Any                 # a measurement key, or fn(measurements, metadata) -> number
    name: str
    tags: tuple = ()
    unit: str = ""
    description: str = ""
    tag_values: Callable[[dict], dict] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.description or f"{self.name} ({self.kind.replace('_', ' ')})"


def _metric(kind: str, name: str, *, event=None, measurement=None, tags=(), unit: str = "",
            description: str = "", tag_values=None) -> Metric:
    if kind not in KINDS:
        raise ValueError(f"unknown metric kind {kind!r}; use one of {', '.join(KINDS)}")
    parts = tuple(name.split("."))
    if event is None:
        if len(parts) < 2:
            raise ValueError(f"metric name {name!r} must look like 'my_app.event.name.measurement' "
                             "(the event, then the measurement), or pass event=(...)")
        event = parts[:-1]
    if measurement is None:
        measurement = parts[-1]
    return Metric(kind, tuple(event), measurement, name, tuple(tags), unit, description, tag_values)


def counter(name: str, **kw) -> Metric:
    """Count the events (the measurement is not read). Telemetry.Metrics.counter/2."""
    return _metric("counter", name, **kw)


def sum_(name: str, **kw) -> Metric:
    """Add up a measurement over time. Telemetry.Metrics.sum/2."""
    return _metric("sum", name, **kw)


def last_value(name: str, **kw) -> Metric:
    """The most recent value of a measurement. Telemetry.Metrics.last_value/2."""
    return _metric("last_value", name, **kw)


def summary(name: str, **kw) -> Metric:
    """Mean, min and max of a measurement per chart period. Telemetry.Metrics.summary/2."""
    return _metric("summary", name, **kw)


class _Series:
    __slots__ = ("count", "total", "last", "values")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.last = None
        self.values: list = []


class Accumulator:
    """Aggregates the metrics' events as they happen; `take()` reads them.

    >>> acc = Accumulator(rt, [counter("beamlab.process.exit.count", tags=["reason"])])  # doctest: +SKIP
    >>> acc.take()                                                                       # doctest: +SKIP
    {0: {'killed': {'value': 3, ...}}}
    """

    MAX_TAGS = 12          # distinct tag values per metric; more go to "other"
    MAX_SAMPLES = 10_000   # summary values kept per period; beyond that one in n is kept

    def __init__(self, runtime, metrics) -> None:
        self.metrics = list(metrics)
        self._series: list[dict[str, _Series]] = [dict() for _ in self.metrics]
        self._by_event: dict[tuple, list[int]] = {}
        for i, m in enumerate(self.metrics):
            self._by_event.setdefault(m.event, []).append(i)
        self._telemetry = telemetry_of(runtime)
        self.handler_id = f"beamlab.widgets.metrics.{next(_ids)}"
        self._telemetry.attach_many(self.handler_id, list(self._by_event), self._handle, None)

    @staticmethod
    def _tag(metric: Metric, metadata: dict) -> str:
        if not metric.tags:
            return ""
        meta = metric.tag_values(metadata) if metric.tag_values else metadata
        vals = []
        for t in metric.tags:
            v = meta.get(t)
            kind = getattr(v, "kind", None)        # a Crash reason: its exception's class name
            vals.append(str(kind) if isinstance(kind, str) else str(v))
        return ", ".join(vals)

    def _handle(self, event, measurements, metadata, config) -> None:
        for i in self._by_event.get(event, ()):
            m = self.metrics[i]
            tag = self._tag(m, metadata)
            series = self._series[i]
            s = series.get(tag)
            if s is None:
                if len(series) >= self.MAX_TAGS:
                    tag = "other"
                    s = series.get(tag)
                if s is None:
                    s = series[tag] = _Series()
            s.count += 1
            if m.kind == "counter":
                continue
            mm = m.measurement
            v = mm(measurements, metadata) if callable(mm) else measurements.get(mm)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v:
                continue
            s.total += v
            s.last = v
            if m.kind == "summary":
                if len(s.values) < self.MAX_SAMPLES:
                    s.values.append(v)

    def take(self) -> list[dict[str, dict]]:
        """Per metric, per tag value: the value to plot now (summaries reset each take)."""
        out = []
        for m, series in zip(self.metrics, self._series):
            row = {}
            for tag, s in series.items():
                if m.kind == "counter":
                    row[tag] = {"value": s.count}
                elif m.kind == "sum":
                    row[tag] = {"value": s.total}
                elif m.kind == "last_value":
                    row[tag] = {"value": s.last}
                else:
                    vals, s.values = s.values, []
                    if vals:
                        row[tag] = {"value": math.fsum(vals) / len(vals), "min": min(vals),
                                    "max": max(vals), "n": len(vals)}
                    else:
                        row[tag] = {"value": None, "n": 0}
            out.append(row)
        return out

    def close(self) -> None:
        try:
            self._telemetry.detach(self.handler_id)
        except Exception:
            pass
