"""Live charts of telemetry metrics (bqplot), fed through a buffer that never slows the runtime.

How this works: `TelemetryChart(metrics)` attaches one `Accumulator` (a cheap
telemetry handler, see _metrics.py) and draws one bqplot figure per metric.
Every `interval` seconds the shared ticker asks the chart to `refresh()`
inside the runtime: it takes the accumulated values, appends one point per
line (a line per tag value; a summary draws mean, min and max), and sends the
arrays of the last `window` points. If the browser is slow, only the drawing
lags; the handler on the hot path still only adds to a number.

    >>> TelemetryChart([counter("beamlab.process.exit.count", tags=["reason"]),
    ...                 summary("my_app.request.stop.duration")])      # doctest: +SKIP
"""
from __future__ import annotations

import html
from collections import deque

import ipywidgets as W

from ._charts import fit_x, fit_y
from ._metrics import Accumulator, Metric, counter, last_value, sum_, summary
from ._runtime import current_runtime
from ._saved import SavedPicture   # shown with a picture beside it (saved notebooks)
from ._ticker import Live

__all__ = ["TelemetryChart", "telemetry_chart", "counter", "sum_", "last_value", "summary"]

NAN = float("nan")


class _MetricFigure:
    def __init__(self, metric: Metric, window: int) -> None:
        import bqplot as bq
        self.metric = metric
        self.points: deque = deque(maxlen=window)      # (t, {label: value})
        self.labels: list[str] = []
        x, y = bq.LinearScale(min=-1.0, max=0.0), bq.LinearScale(min=0.0, max=1.0)
        self.line = bq.Lines(x=[], y=[], scales={"x": x, "y": y}, display_legend=True,
                             stroke_width=1.5, labels=[])
        self.figure = bq.Figure(
            marks=[self.line], title=metric.label, animation_duration=0, padding_x=0.0, padding_y=0.0,
            axes=[bq.Axis(scale=x, label="seconds ago", num_ticks=4, tick_format=".1~f"),
                  bq.Axis(scale=y, side="left", tick_format=".3s", num_ticks=4,
                          label=metric.unit or "")],
            fig_margin={"top": 34, "bottom": 36, "left": 56, "right": 12},
            legend_location="top-left", title_style={"font-size": "12px"},
            layout=W.Layout(width="100%", height="220px"))

    def add(self, t: float, row: dict) -> None:
        values = {}
        for tag, v in row.items():
            if self.metric.kind == "summary" and not self.metric.tags:
                values.update({"mean": v.get("value"), "min": v.get("min"), "max": v.get("max")})
            else:
                values[tag or self.metric.name] = v.get("value")
        for label in values:
            if label not in self.labels:
                self.labels.append(label)
        self.points.append((t, values))

    def draw(self) -> None:
        if not self.points:
            return
        now = self.points[-1][0]
        xs = [t - now for t, _ in self.points]
        # a counter or sum with no event yet is 0; other kinds have no value yet (a gap)
        missing = 0.0 if self.metric.kind in ("counter", "sum") else NAN
        ys = [[missing if (v := vals.get(label)) is None else float(v) for _, vals in self.points]
              for label in self.labels]
        labels = list(self.labels)
        if not ys:
            # No event yet: a flat line at 0 that says so (NaN points make the chart library
            # draw nothing and fill the browser console with errors).
            ys = [[0.0] * len(xs)]
            labels = [f"{self.metric.name}: no events yet"]
        fit_x(self.line.scales["x"], xs)
        fit_y(self.line.scales["y"], [v for row in ys for v in row])
        if len(xs) == 1:              # bqplot squeezes a 1-point array to a scalar: draw it twice
            xs = xs * 2
            ys = [row * 2 for row in ys]
        with self.line.hold_sync():
            self.line.x = xs
            self.line.y = ys[0] if len(ys) == 1 else ys
            self.line.labels = labels

    def latest(self) -> dict:
        return self.points[-1][1] if self.points else {}


class TelemetryChart(SavedPicture, Live, W.VBox):
    """A live chart of each metric (counter, sum, last value, summary), like LiveDashboard's.

    `window` is how many points each chart keeps; `interval` seconds between points.
    `live=False` adds a point only when you call `refresh()`.
    """

    default_interval = 0.5

    def __init__(self, metrics, *, runtime=None, window: int = 120, interval: float = 0.5,
                 live: bool = True, title: str = "", **kwargs) -> None:
        if isinstance(metrics, (Metric, str)):
            metrics = [metrics]
        metrics = [_as_metric(m) for m in metrics]
        self.runtime = runtime if runtime is not None else current_runtime()
        self.metrics = list(metrics)
        self.acc = Accumulator(self.runtime, self.metrics)
        self.figures = [_MetricFigure(m, window) for m in self.metrics]
        self.header = W.HTML(f"<b>{html.escape(title)}</b>" if title else "")
        grid = W.GridBox([f.figure for f in self.figures],
                         layout=W.Layout(grid_template_columns="repeat(auto-fill, minmax(320px, 1fr))",
                                         width="100%"))
        super().__init__([self.header, grid] if title else [grid], **kwargs)
        if live:
            self.start(interval)

    def _now(self) -> float:
        clock = getattr(self.runtime, "clock", None)
        return clock.now() if clock is not None else 0.0

    def refresh(self) -> None:
        """Take the accumulated values and add one point to every chart."""
        now = self._now()
        for fig, row in zip(self.figures, self.acc.take()):
            fig.add(now, row)
            fig.draw()

    def values(self) -> dict[str, dict]:
        """The latest point of each metric, by its label: {"name (kind)": {line label: value}}."""
        return {f.metric.label: f.latest() for f in self.figures}

    def close(self) -> None:
        self.stop()
        self.acc.close()
        super().close()

    def static_html(self) -> str:
        rows = []
        for f in self.figures:
            latest = ", ".join(f"{k}: {v:,.4g}" if isinstance(v, (int, float)) else f"{k}: –"
                               for k, v in f.latest().items()) or "no events yet"
            rows.append(f"<tr><td>{html.escape(f.metric.label)}</td><td>{html.escape(latest)}</td></tr>")
        return ('<div class="beamlab-telemetry-static" style="font:12px sans-serif">'
                "<div style=\"color:#555\">telemetry (static picture; run the notebook for live charts)</div>"
                f"<table>{''.join(rows)}</table></div>")

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        data["text/html"] = self.static_html()
        return data, meta


def _as_metric(m) -> Metric:
    if isinstance(m, Metric):
        return m
    if isinstance(m, str):        # a bare name: "x.y.count" counts events, anything else is summarised
        return counter(m) if m.endswith(".count") else summary(m)
    raise TypeError(f"{m!r} is not a metric: use counter('my_app.event.count'), sum_(...), "
                    "last_value(...) or summary('my_app.event.stop.duration')")


def telemetry_chart(*metrics, **kwargs) -> TelemetryChart:
    """A live chart per metric; a bare name ending in ".count" is a counter, any other a summary.

    >>> telemetry_chart("beamlab.process.exit.count", summary("my_app.request.stop.duration"))  # doctest: +SKIP
    """
    return TelemetryChart([_as_metric(m) for m in metrics], **kwargs)
