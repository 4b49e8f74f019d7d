"""A live message sequence diagram between chosen processes.

How this works: `SequenceTrace(a, b, c)` installs a send tracer in the runtime.
On every `send`, the tracer checks (one set lookup each) whether the sender or
the receiver is traced and, if so, appends `(time, from, to, message)` to a
bounded deque — no formatting on the hot path. Process exits of traced pids
come from the `("beamlab", "process", "exit")` telemetry event the same way.
Every `interval` seconds, inside the runtime, the widget drains the buffer,
formats the new rows (message reprs cut to a line) and appends them to the
`events` trait, keeping the last `max_events`; the front end
(static/sequence.js) draws lifelines and arrows as SVG and grows downwards.
Kino draws a sequence diagram once the traced function has returned; this one
grows while the messages flow.

Like the tree, it refreshes only while a view shows it (views.js heartbeats, _views.py):
with no view on screen the tracer still buffers (bounded) but nothing is formatted or
sent. Its saved picture (a saved notebook's static fallback) is written by the front
end from its current drawing whenever the notebook is saved (saved.js), as the tree's.

When the runtime records, a timeline scrubs back (timeline.py): the diagram then shows
the recorder's messages between the traced processes up to that event, the current one
moving along its arrow, messages not yet received grey, and each lifeline's mailbox as
a queue (at a receive: the message taken green, the skipped ones staying behind).
"""
from __future__ import annotations

import html
import pathlib
from collections import deque

import anywidget
import traitlets as t

from ._messages import FrontEndChecked
from ._runtime import current_runtime, pid_text, safe_repr, telemetry_of, trace_sends
from ._saved import SavedPicture   # shown with a picture beside it (saved notebooks)
from ._ticker import Live
from ._views import Watched
from .timeline import SCRUB_MESSAGES, Timeline

__all__ = ["SequenceTrace", "sequence_trace"]

STATIC = pathlib.Path(__file__).parent / "static"
OTHERS = "others"
MESSAGES = {"clear": {}, **SCRUB_MESSAGES}   # what the front end may send (checked by _messages.dispatch)
QUEUE_SHOWN = 12             # messages drawn in a lifeline's mailbox while scrubbed


class SequenceTrace(FrontEndChecked, SavedPicture, Watched, Live, Timeline, anywidget.AnyWidget):
    """Trace messages between `processes` (pids or registered names) as a live sequence diagram.

    >>> SequenceTrace(client, "counter")                  # doctest: +SKIP

    `others=True` adds one lifeline for every untraced process that talks to a
    traced one; with `others=False` only messages between traced processes show.
    `max_events` bounds what the diagram keeps; `paused` (a button in the
    diagram) stops recording without detaching. When the runtime records, a timeline
    scrubs back through the recorder (`scrub(seq)`, `scrub(None)` for live);
    `timeline=False` leaves it out.
    """

    default_interval = 0.25

    _esm = STATIC / "sequence.js"

    participants = t.List().tag(sync=True)
    events = t.List().tag(sync=True)
    paused = t.Bool(False).tag(sync=True)
    dropped = t.Int(0).tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    static_id = t.Unicode("").tag(sync=True)     # the saved picture this view keeps current

    def __init__(self, *processes, runtime=None, others: bool = False, max_events: int = 200,
                 interval: float = 0.25, live: bool = True, title: str = "",
                 timeline: bool | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime if runtime is not None else current_runtime()
        self._timeline_setup(timeline)
        self._live: list = []              # the live diagram's rows (shown while not scrubbed)
        self.others = others
        self.max_events = max_events
        self._buf: deque = deque(maxlen=max(10 * max_events, 1000))
        self._seq = 0
        self._t0 = self.runtime.clock.now()   # times in the diagram count from here
        self._traced: dict = {}
        self.title = title or "message sequence"
        for p in processes:
            self.add(p)
        if others:
            self.participants = self.participants + [{"id": OTHERS, "label": "other processes"}]
        # Only sends to or from flagged processes reach the tracer: untraced
        # traffic pays nothing while the diagram is open.
        self._stop_trace = trace_sends(self.runtime, self._on_send, traced_only=True)
        self._tele = telemetry_of(self.runtime)
        self._exit_id = f"beamlab.widgets.sequence.{id(self)}"
        self._tele.attach(self._exit_id, ("beamlab", "process", "exit"), self._on_exit, None)
        self._paused = self.paused          # a plain attribute: read on every send
        self.observe(lambda ch: setattr(self, "_paused", ch["new"]), names=["paused"])
        # the views' messages (refreshed by the ticker only while a view shows it, _views.py),
        # and the clicks: clear touches only the widget; a scrub reads the recorder, so it
        # runs in the runtime
        self.listen(MESSAGES, self._handle_message, in_runtime={"scrub"})
        if live:
            self.start(interval)

    # ------------------------------------------------------------------ who is traced
    def add(self, process) -> None:
        """Trace one more process (a pid or a registered name) with its own lifeline."""
        pid = process
        if isinstance(process, str):
            pid = self.runtime.whereis(process)
            if pid is None:
                raise ValueError(f"no process is registered as {process!r}; pass its pid, "
                                 "or register it first")
        if pid in self._traced:
            return
        info = self.runtime.process_info(pid)
        name = (info or {}).get("registered_name") or (process if isinstance(process, str) else "")
        pid_s = pid_text(pid)
        self._traced[pid] = pid_s
        if hasattr(self.runtime, "trace"):
            self.runtime.trace(pid, True)
        label = f"{name} {pid_s}".strip()
        parts = [p for p in self.participants if p["id"] != OTHERS]
        parts.append({"id": pid_s, "label": label})
        if self.others:
            parts.append({"id": OTHERS, "label": "other processes"})
        self.participants = parts

    # ------------------------------------------------------------------ hot path
    def _now(self) -> float:
        return self.runtime.clock.now()

    def _on_send(self, frm, to, msg) -> None:
        traced = self._traced
        if self._paused or (frm not in traced and to not in traced):
            return
        if not self.others and (frm not in traced or to not in traced):
            return
        self._buf.append((self._now(), frm, to, msg, "send"))

    def _on_exit(self, event, measurements, metadata, config) -> None:
        pid = metadata.get("pid")
        if pid in self._traced and not self._paused:
            self._buf.append((self._now(), pid, pid, metadata.get("reason"), "exit"))

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> bool:
        """Move what was traced since the last refresh into the diagram; True if it grew.
        While the timeline shows a past moment the rows are kept for Live, not drawn."""
        self.refresh_timeline()
        buf = self._buf
        if not buf:
            return False
        rows = []
        while buf:
            at, frm, to, msg, kind = buf.popleft()
            self._seq += 1
            rows.append({"seq": self._seq, "t": round(at - self._t0, 6), "kind": kind,
                         "from": self._traced.get(frm, OTHERS), "to": self._traced.get(to, OTHERS),
                         "from_pid": pid_text(frm), "to_pid": pid_text(to),
                         "label": safe_repr(msg, 80) if kind == "send" else f"exit: {safe_repr(msg, 60)}"})
        events = self._live + rows
        if len(events) > self.max_events:
            self.dropped += len(events) - self.max_events
            events = events[-self.max_events:]
        self._live = events
        if self.at != -1:
            return False
        self.events = events
        return True

    def _handle_message(self, msg: dict) -> None:
        if msg["type"] == "clear":
            self.clear()
        elif msg["type"] == "scrub":
            self.scrub(msg["seq"])

    def clear(self) -> None:
        """Forget the messages drawn so far (tracing goes on)."""
        self._buf.clear()
        self._live = []
        self.events = []
        self.dropped = 0

    # ------------------------------------------------------------------ the timeline
    def _show_live(self) -> None:
        self.refresh()
        self.events = list(self._live)

    def _show_moment(self, state, moment: dict) -> None:
        """The messages between the traced processes up to `moment`, from the recording."""
        seq = moment["seq"]
        ids = {getattr(p, "id", p): pid_s for p, pid_s in self._traced.items()}
        event = moment.get("event") or {}

        def lane(n):
            return ids.get(n, OTHERS if self.others else None)

        rows = []
        for m in state.messages:
            a, b = lane(m["from"]), lane(m["to"])
            if a is None or b is None or (a == OTHERS and b == OTHERS):
                continue
            rows.append({"seq": m["seq"], "t": round((m["t"] or 0.0) - self._t0, 6), "kind": "send",
                         "from": a, "to": b, "from_pid": _then(m["from"], state), "to_pid": _then(m["to"], state),
                         "label": _clip(m["text"], 80), "reply": bool(m.get("reply")),
                         "lost": bool(m.get("lost")),
                         "queued": m["taken"] is None and not m["direct"] and not m.get("lost"),
                         "now": m["seq"] == seq})
        for n, pid_s in ids.items():
            p = state.procs.get(n)
            if p is not None and not p["alive"] and p["died"] is not None:
                rows.append({"seq": p["died"], "t": round((state.t or 0.0) - self._t0, 6), "kind": "exit",
                             "from": pid_s, "to": pid_s, "from_pid": pid_s, "to_pid": pid_s,
                             "label": f"exit: {_clip(p['reason'] or '', 60)}", "now": p["died"] == seq})
        rows.sort(key=lambda r: r["seq"])
        if len(rows) > self.max_events:
            rows = rows[-self.max_events:]
        before = None
        if event.get("kind") in ("recv", "drop") and event.get("pid") in ids and self._rec is not None:
            before = self._rec.state_at(seq - 1)
        queues = {}
        for n, pid_s in ids.items():
            if before is not None and event.get("pid") == n:
                skipped = set(event.get("skipped") or ())
                queue = [{"text": _clip(m["text"], 40), "seq": m["seq"],
                          "cls": "took" if m["seq"] == event.get("took") else
                                 "skipped" if m["seq"] in skipped else ""}
                         for m in before.mailbox(n)[:QUEUE_SHOWN]]
            else:
                queue = [{"text": _clip(m["text"], 40), "seq": m["seq"], "cls": ""}
                         for m in state.mailbox(n)[:QUEUE_SHOWN]]
            queues[pid_s] = queue
        moment["queues"] = queues
        self.events = rows

    def close(self) -> None:
        """Stop tracing and drawing (the runtime's send path is back to untraced)."""
        self.stop()
        self._stop_trace()
        self._tele.detach(self._exit_id)
        super().close()

    # ------------------------------------------------------------------ static fallback
    def static_html(self) -> str:
        """The diagram as a plain table: time, from, to, message."""
        self.refresh()
        names = {p["id"]: p["label"] for p in self.participants}
        rows = "".join(
            f"<tr><td>{e['t']:.3f}</td><td>{html.escape(names.get(e['from'], e['from']))}</td>"
            f"<td>→ {html.escape(names.get(e['to'], e['to']))}</td><td><code>{html.escape(e['label'])}</code></td></tr>"
            for e in self.events)
        return ('<div class="beamlab-sequence-static" style="font:12px sans-serif">'
                f"<div style=\"color:#555\">{html.escape(self.title)} (static picture; run the notebook "
                f"for the live diagram)</div><table>{rows}</table></div>")

    def saved_caption(self) -> str:
        return f"{self.title} (saved picture; run the cell for the live diagram)"

    def saved_body(self) -> str:
        return self.static_html()


def _then(n, state) -> str:
    """Recorded pid number `n` as it prints, with its node (<1.57.0> on the first node started)."""
    from beamlab.runtime.recording import pid_text as recorded_pid_text
    return recorded_pid_text(n, state.node_of)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def sequence_trace(*processes, **kwargs) -> SequenceTrace:
    """A live sequence diagram of the messages between `processes` (pids or names)."""
    return SequenceTrace(*processes, **kwargs)
