"""Observer: a live, sortable process table and system charts, like Erlang's observer.

How this works: `Observer()` is a column of two parts. `ProcessTable` is an
anywidget (static/table.js): Python sorts and filters every process and sends
one page of rows; the browser sets `sort_by`, `descending`, `page` and `query`
when the user clicks a header, the pager or types a filter, and Python answers
with the new page. A click on a row opens the same inspector as the
supervision tree (kill / crash / exit normal / exit shutdown). The charts are
bqplot figures fed by `SystemSampler` — processes, run queue, reductions/s,
messages/s and memory — updated in place (only the new arrays travel). Both
refresh inside the runtime from the shared ticker, once a second by default.
"""
from __future__ import annotations

import html
import pathlib
import time

import anywidget
import ipywidgets as W
import traitlets as t

from ._charts import COUNT_FORMAT, fit_x, fit_y, twice_if_single
from ._events import exit_log, long_schedule_log
from ._inspect import ACTIONS, describe, perform
from ._messages import OPTIONAL_KEY, OPTIONAL_PID_TEXT, PID_TEXT, Field, FrontEndChecked, guarded
from ._procs import COLUMNS, SORTABLE, SystemSampler, process_rows
from ._runtime import current_runtime, in_scheduler
from ._saved import SavedPicture
from ._views import Watched, listen
from ._ticker import Live

__all__ = ["Observer", "ProcessTable", "SystemCharts", "observer"]

STATIC = pathlib.Path(__file__).parent / "static"
MAX_PAGE_SIZE = 500
MAX_QUERY = 200

# What the table's front end may send (checked by _messages.dispatch before anything acts on it).
MESSAGES = {
    "inspect": {"pid": PID_TEXT},
    "action": {"action": Field(str, required=True, choices=ACTIONS),
               "reason": Field((str, None), max_len=200), "key": OPTIONAL_KEY, "pid": OPTIONAL_PID_TEXT},
}


class ProcessTable(FrontEndChecked, anywidget.AnyWidget):
    """Every process, one sorted page at a time; click a row to inspect it.

    >>> ProcessTable(sort_by="message_queue_len")               # doctest: +SKIP
    """

    _esm = STATIC / "table.js"

    columns = t.List(COLUMNS).tag(sync=True)
    rows = t.List().tag(sync=True)
    sort_by = t.Unicode("reductions").tag(sync=True)
    descending = t.Bool(True).tag(sync=True)
    page = t.Int(0).tag(sync=True)
    page_size = t.Int(25).tag(sync=True)
    total = t.Int(0).tag(sync=True)
    query = t.Unicode("").tag(sync=True)
    selected = t.Unicode("").tag(sync=True)
    summary = t.Unicode("").tag(sync=True)
    inspector = t.Dict().tag(sync=True)
    notice = t.Dict().tag(sync=True)
    static_id = t.Unicode("").tag(sync=True)     # the observer's saved picture (see _saved.py)

    def __init__(self, runtime=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime if runtime is not None else current_runtime()
        self._exits = exit_log(self.runtime)
        self._long = long_schedule_log(self.runtime)
        self.on_first_view = None          # called when a view starts watching
        self._pid = None
        self._seq = 0
        # clicks, and the views' messages: the observer refreshes only while a view shows it
        listen(self, MESSAGES, self._handle_click, on_view=self._view_message)
        self.observe(self._view_changed, names=["sort_by", "descending", "page", "query", "page_size"])
        self.refresh()

    @t.validate("sort_by")
    def _valid_sort(self, proposal):
        if proposal["value"] not in SORTABLE:
            raise t.TraitError(f"cannot sort by {proposal['value']!r}; use one of {', '.join(sorted(SORTABLE))}")
        return proposal["value"]

    @t.validate("page")
    def _valid_page(self, proposal):
        if proposal["value"] < 0:
            raise t.TraitError(f"page {proposal['value']} does not exist; pages count from 0")
        return proposal["value"]

    @t.validate("page_size")
    def _valid_page_size(self, proposal):
        if not 1 <= proposal["value"] <= MAX_PAGE_SIZE:
            raise t.TraitError(f"page_size {proposal['value']} is out of range; show 1 to "
                               f"{MAX_PAGE_SIZE} rows per page")
        return proposal["value"]

    @t.validate("query")
    def _valid_query(self, proposal):
        if len(proposal["value"]) > MAX_QUERY:
            raise t.TraitError(f"the filter is {len(proposal['value'])} characters long; "
                               f"at most {MAX_QUERY} are accepted")
        return proposal["value"]

    def _view_changed(self, _change) -> None:
        in_scheduler(self.runtime, guarded, self, "the new view", self.refresh)

    def refresh(self) -> None:
        """Recompute the visible page (and the inspector, if a process is selected)."""
        total, rows = process_rows(self.runtime, sort=self.sort_by, descending=self.descending,
                                   page=self.page, page_size=self.page_size, query=self.query)
        last = max(0, (total - 1) // self.page_size)
        if self._long is not None:          # a process that held the scheduler says so in its row
            for row in rows:
                badge = self._long.badge(row["pid"])
                if badge:
                    row["status"] = f"{row['status']} · {badge}"
        with self.hold_sync():
            if self.page > last:
                self.page = last
            self.total = total
            if rows != self.rows:
                self.rows = rows
            self.summary = f"{total:,} process{'es' if total != 1 else ''}" + (
                f" matching {self.query!r}" if self.query else "") + self._limit_text(total)
            if self._pid is not None:
                data = describe(self.runtime, self._pid, exits=self._exits)
                if data != self.inspector:
                    self.inspector = data

    def _limit_text(self, total: int) -> str:
        """How many processes exist of how many may (the process limit, Erlang's +P)."""
        limit = getattr(self.runtime, "process_limit", None)
        if not isinstance(limit, int) or isinstance(limit, bool):
            return ""
        if not self.query:
            return f" · limit {limit:,} (+P)"
        table = getattr(self.runtime, "_table", None)
        count = len(table) if table is not None else len(self.runtime.processes())
        return f" · {count:,} of at most {limit:,} in all (+P)"

    def _view_message(self, msg: dict) -> None:
        if self.views.heard(msg["id"], msg["visible"]) and self.on_first_view is not None:
            self.on_first_view()

    def _handle_click(self, msg: dict) -> None:
        if msg["type"] == "inspect":
            self.inspect(msg["pid"])
        elif msg["type"] == "action":
            self.act(msg["action"], msg["reason"])

    def inspect(self, pid_text: str) -> dict:
        """Select the process whose pid reads `pid_text` (what a row click does)."""
        pid = next((p for p in self.runtime.processes() if str(p) == pid_text), None)
        self._pid = pid
        self.selected = pid_text or ""
        if pid is None:
            self.inspector = {"pid": pid_text, "alive": False, "title": pid_text, "actions": [],
                              "message": f"{pid_text} is no longer alive; the table will drop it "
                                         "at its next refresh."}
        else:
            self.inspector = describe(self.runtime, pid, exits=self._exits)
        return self.inspector

    def act(self, action: str, reason: str | None = None) -> dict:
        if self._pid is None:
            notice = {"level": "warning", "text": "select a process first (click its row)"}
        else:
            notice = perform(self.runtime, self._pid, action, reason)
        self._seq += 1
        self.notice = dict(notice, seq=self._seq, at=time.time())
        return self.notice


class SystemCharts(W.GridBox):
    """Observer's load charts (bqplot): processes, run queue, reductions/s, messages/s, memory."""

    TITLES = {"processes": "processes", "run_queue": "run queue",
              "reductions_per_s": "reductions / s", "messages_per_s": "messages / s",
              "memory": "memory (bytes)"}

    def __init__(self, runtime=None, keep: int = 120, **kwargs) -> None:
        import bqplot as bq
        self.runtime = runtime if runtime is not None else current_runtime()
        self.sampler = SystemSampler(self.runtime, keep=keep)
        self.lines = {}
        self.y_axes = {}
        figures = []
        x = bq.LinearScale(min=-1.0, max=0.0)      # one time axis for all: one update a refresh
        for key, title in self.TITLES.items():
            y = bq.LinearScale(min=0.0, max=1.0)
            line = bq.Lines(x=[], y=[], scales={"x": x, "y": y}, colors=["#1565c0"], stroke_width=1.5)
            y_axis = bq.Axis(scale=y, side="left", tick_format=COUNT_FORMAT, tick_values=[0.0, 1.0])
            self.y_axes[key] = y_axis
            fig = bq.Figure(marks=[line], title=title, animation_duration=0, padding_x=0.0, padding_y=0.0,
                            axes=[bq.Axis(scale=x, label="seconds ago", num_ticks=3, tick_format=".1~f"),
                                  y_axis],
                            fig_margin={"top": 30, "bottom": 32, "left": 50, "right": 12},
                            layout=W.Layout(width="100%", height="170px"),
                            title_style={"font-size": "12px"})
            self.lines[key] = line
            figures.append(fig)
        super().__init__(figures, layout=W.Layout(grid_template_columns="repeat(auto-fill, minmax(230px, 1fr))",
                                                  width="100%"), **kwargs)
        self.refresh()

    def refresh(self) -> None:
        """Take one sample and extend every chart by one point."""
        self.sampler.sample()
        times = list(self.sampler.times)
        if not times:
            return
        t0 = times[-1]
        xs = [t - t0 for t in times]
        fit_x(next(iter(self.lines.values())).scales["x"], xs)     # shared by every chart
        for key, line in self.lines.items():
            ys = list(self.sampler.series[key])
            fit_y(line.scales["y"], ys, self.y_axes[key])
            x2, y2 = twice_if_single(xs, ys)
            with line.hold_sync():
                line.x = x2
                line.y = y2


class Observer(SavedPicture, Watched, Live, W.VBox):
    """Erlang's observer in a notebook: process table, inspector, load charts — live.

    >>> Observer()                    # in a beamlab notebook          # doctest: +SKIP
    >>> Observer(sort_by="memory", interval=2.0)                       # doctest: +SKIP

    `interval` is seconds between refreshes; `live=False` refreshes only on `refresh()`.
    """

    default_interval = 1.0

    def __init__(self, runtime=None, *, sort_by: str = "reductions", page_size: int = 25,
                 interval: float = 1.0, live: bool = True, charts: bool = True, **kwargs) -> None:
        runtime = runtime if runtime is not None else current_runtime()
        self.runtime = runtime
        self.table = ProcessTable(runtime, sort_by=sort_by, page_size=page_size)
        self.charts = SystemCharts(runtime) if charts else None
        parts = [self.table] + ([self.charts] if self.charts is not None else [])
        super().__init__(parts, **kwargs)
        if live:
            self.table.on_first_view = self.refresh
            self.start(interval)

    def close(self) -> None:
        self.stop()
        super().close()

    def _report(self, exc: BaseException) -> None:
        self.table.summary = f"refresh failed: {type(exc).__name__}: {exc}"

    def refresh(self) -> None:
        self.table.refresh()
        if self.charts is not None:
            self.charts.refresh()

    def _static_host(self):
        return self.table          # its front end keeps the saved picture current

    def _views_of(self):
        return self.table          # its front end says whether the observer is on screen

    def saved_caption(self) -> str:
        return (f"observer — {self.table.summary}, sorted by {self.table.sort_by} "
                "(saved picture; run the cell for the live view)")

    def saved_body(self) -> str:
        html_ = self.static_html()
        return html_.split("</div>", 1)[1] if "</div>" in html_ else html_    # without the caption

    def static_html(self) -> str:
        """The table's current page and the latest figures, as plain HTML."""
        cols = COLUMNS
        head = "".join(f"<th>{html.escape(c['label'])}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c['key'], '')))}</td>" for c in cols)
                       + "</tr>" for r in self.table.rows)
        figures = ""
        if self.charts is not None and self.charts.sampler.times:
            last = {k: v[-1] for k, v in self.charts.sampler.series.items() if v}
            figures = " · ".join(f"{SystemCharts.TITLES[k]}: {v:,.0f}" for k, v in last.items())
        return (f'<div class="beamlab-observer-static"><div style="font:12px sans-serif;color:#555">'
                f"observer — {html.escape(self.table.summary)}, sorted by {html.escape(self.table.sort_by)}"
                f" (static picture; run the notebook for the live view)</div>"
                f"<div style=\"font:12px sans-serif\">{html.escape(figures)}</div>"
                f'<table style="font:12px monospace"><tr>{head}</tr>{body}</table></div>')


def observer(**kwargs) -> Observer:
    """Open the observer on the current runtime (`Observer(**kwargs)`)."""
    return Observer(**kwargs)
