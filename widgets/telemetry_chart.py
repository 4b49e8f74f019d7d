"""Live charts of telemetry metrics (bqplot), fed through a buffer that never slows the runtime.

How this works: `TelemetryChart(metrics)` attaches one `Accumulator` (a cheap
telemetry handler, see _metrics.py) and draws one bqplot figure per metric.
Every `interval` seconds the shared ticker asks the chart, inside the runtime,
to take the accumulated values and append one point per line (a line per tag
value; a summary draws mean, min and max). Only while a view shows it (see
_views.py) does it `refresh()`, sending the arrays of the last `window` points:
with no browser attached, the notebook closed or the chart scrolled away it
sends nothing, and a view that comes back draws the whole window. If the
browser is slow, only the drawing lags; the handler on the hot path still only
adds to a number. A `PictureKeeper` in the box reports the views, and keeps the
saved notebook's picture (an SVG of each chart, redrawn at every refresh) current.

    >>> TelemetryChart([counter("beamlab.process.exit.count", tags=["reason"]),
    ...                 summary("my_app.request.stop.duration")])      # doctest: +SKIP
"""
from __future__ import annotations

import html
from collections import deque

import ipywidgets as W

from ._charts import fit_x, fit_y
from ._keeper import KEEPS_PICTURE, PictureKeeper
from ._metrics import Accumulator, Metric, counter, last_value, sum_, summary
from ._runtime import current_runtime
from ._saved import SavedPicture   # shown with a picture beside it (saved notebooks)
from ._ticker import Live
from ._views import Watched

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


class TelemetryChart(SavedPicture, Watched, Live, W.VBox):
    """A live chart of each metric (counter, sum, last value, summary), like LiveDashboard's.

    `window` is how many points each chart keeps; `interval` seconds between points while
    a view shows the chart. `live=False` adds a point only when you call `refresh()`.
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
        self.title = title
        self.keeper = PictureKeeper(self.runtime, on_view=self.view_message, kind="chart")
        super().__init__(([self.header] if title else []) + [grid, self.keeper], **kwargs)
        self.add_class(KEEPS_PICTURE)
        self._keep_picture()
        if live:
            self.start(interval)

    def _now(self) -> float:
        clock = getattr(self.runtime, "clock", None)
        return clock.now() if clock is not None else 0.0

    def refresh(self) -> None:
        """Take the accumulated values, add one point to every chart and draw them."""
        self._sample()
        for fig in self.figures:
            fig.draw()
        self._keep_picture()

    def _sample(self) -> None:
        """Take the accumulated values as one point per chart (nothing is sent)."""
        now = self._now()
        for fig, row in zip(self.figures, self.acc.take()):
            fig.add(now, row)

    def _tick(self) -> None:
        # Watched: a point, drawn. Unwatched: the point only, so values() and the history
        # a view sees when it comes back stay whole, and no message goes anywhere.
        if self._views_of().views.watched():
            self.refresh()
        else:
            self._sample()

    def _keep_picture(self) -> None:
        """Give the keeper the picture as it is now (it is sent only when it changed)."""
        caption, picture = self.saved_caption(), self.static_html()
        with self.keeper.hold_sync():
            if self.keeper.caption != caption:
                self.keeper.caption = caption
            if self.keeper.picture != picture:
                self.keeper.picture = picture

    def _static_host(self):
        return self.keeper         # its front end writes the picture into the saved notebook

    def _views_of(self):
        return self.keeper         # its front end says whether the chart is on screen

    def saved_caption(self) -> str:
        names = ", ".join(f.metric.name for f in self.figures)
        return f"telemetry — {self.title + ': ' if self.title else ''}{names}"

    def values(self) -> dict[str, dict]:
        """The latest point of each metric, by its label: {"name (kind)": {line label: value}}."""
        return {f.metric.label: f.latest() for f in self.figures}

    def close(self) -> None:
        self.stop()
        self.acc.close()
        self.keeper.close()
        super().close()

    def static_html(self) -> str:
        """Each chart as it is now, as an SVG (a line per label, "seconds ago" across)."""
        charts = "".join(_chart_svg(f) for f in self.figures)
        return (f'<div class="beamlab-telemetry-static" style="display:flex;flex-wrap:wrap;gap:8px;'
                f'font:12px sans-serif">{charts}</div>')


COLORS = ["#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#c62828", "#00838f"]


def _fmt(v: float) -> str:
    return f"{v:,.4g}" if isinstance(v, (int, float)) and v == v else "–"


def _chart_svg(fig: _MetricFigure, width: int = 320, height: int = 150) -> str:
    """One metric's chart as a small SVG: its title, a line per label, 0 to the top value."""
    left, right, top, bottom = 48, 8, 22, 24
    w, h = width - left - right, height - top - bottom
    esc = html.escape
    parts = [f'<text x="{left}" y="14" font-size="12" font-weight="600">{esc(fig.metric.label)}</text>']
    points = list(fig.points)
    labels = list(fig.labels)
    values = [float(v) for _, row in points for v in row.values() if isinstance(v, (int, float)) and v == v]
    hi = max(values, default=0.0)
    lo = min(0.0, min(values, default=0.0))
    hi = hi if hi > lo else lo + 1.0
    now = points[-1][0] if points else 0.0
    span = max(1.0, now - points[0][0]) if points else 1.0
    xy = lambda t, v: (left + w * (1 - (now - t) / span), top + h * (1 - (v - lo) / (hi - lo)))  # noqa: E731
    parts.append(f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#999"/>'
                 f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#999"/>'
                 f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{esc(_fmt(hi))}</text>'
                 f'<text x="{left - 4}" y="{top + h}" font-size="10" text-anchor="end">{esc(_fmt(lo))}</text>'
                 f'<text x="{left}" y="{height - 6}" font-size="10">-{span:.1f} s</text>'
                 f'<text x="{left + w}" y="{height - 6}" font-size="10" text-anchor="end">now</text>')
    legend = []
    for i, label in enumerate(labels):
        color = COLORS[i % len(COLORS)]
        line = [xy(t, float(row[label])) for t, row in points
                if isinstance(row.get(label), (int, float)) and row[label] == row[label]]
        if len(line) == 1:
            line = line * 2
        if line:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        latest = fig.latest().get(label)
        legend.append(f'<span style="color:{color}">■</span> {esc(str(label))}: {esc(_fmt(latest))}')
    if not labels:
        legend.append("no events yet")
    return (f'<div style="display:inline-block"><svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" font-family="sans-serif">{"".join(parts)}</svg>'
            f'<div style="font-size:11px;max-width:{width}px">{" · ".join(legend)}</div></div>')


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
