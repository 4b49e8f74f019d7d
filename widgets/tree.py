"""The live supervision tree widget.

How this works: `SupervisionTree(root)` is an anywidget: a few traitlets and one
ES module (static/tree.js, built from js/src/tree.js). On every refresh the Python
side walks the tree (`tree_snapshot`), describes it as DOT text (`to_dot`) and, if
anything changed, sets the `dot` and `nodes` traits; the browser lays the DOT out
with Graphviz compiled to WebAssembly, at most a few times a second. Refreshes run
inside the runtime, driven by the shared ticker (see _ticker.py), so the widget
stays live while a cell runs.

Clicks arrive as custom messages: {type: "inspect", key, pid} fills the
`inspector` trait (and keeps it live while selected), {type: "action", pid,
action, reason} sends an exit signal and sets `notice`, {type: "expand", key}
shows more children of a folded group. Saved notebooks keep a static picture: the
tree is displayed with a second output holding its picture, which the live view hides
and rewrites with its latest drawing whenever the notebook is saved (see _saved.py).
"""
from __future__ import annotations

import pathlib
import time

import anywidget
import traitlets as t

from ._dot import picture_body, static_html, to_dot
from ._events import EventBuffer, exit_log, long_schedule_log
from ._inspect import ACTIONS, describe, describe_then, perform
from ._messages import OPTIONAL_KEY, OPTIONAL_PID_TEXT, Field, FrontEndChecked
from ._runtime import current_runtime
from ._saved import SavedPicture
from ._snapshot import (RestartHistory, TreeSnapshot, last_known, resolve_root, snapshot_from_state,
                        tree_snapshot)
from ._ticker import Live
from .timeline import SCRUB_MESSAGES, Timeline
from ._views import Watched

try:
    from beamlab.runtime import format_reason
except ImportError:                # pragma: no cover - widgets used without the runtime package
    format_reason = repr

__all__ = ["SupervisionTree", "supervision_tree"]

STATIC = pathlib.Path(__file__).parent / "static"
FOLLOW_AFTER = 8.0     # seconds the inspector says "no longer alive" before following the new pid

# What the front end may send (checked by _messages.dispatch before anything acts on it).
MESSAGES = {
    "inspect": {"key": OPTIONAL_KEY, "pid": OPTIONAL_PID_TEXT},
    "action": {"action": Field(str, required=True, choices=ACTIONS),
               "reason": Field((str, None), max_len=200), "key": OPTIONAL_KEY, "pid": OPTIONAL_PID_TEXT},
    "expand": {"key": Field(str, required=True, max_len=500)},
    **SCRUB_MESSAGES,
}


class SupervisionTree(FrontEndChecked, SavedPicture, Watched, Live, Timeline, anywidget.AnyWidget):
    """A live, clickable supervision tree of `root` (a supervisor's Pid or registered name).

    >>> sup = Supervisor.start_link(children, strategy="one_for_one")   # doctest: +SKIP
    >>> SupervisionTree(sup)                                            # doctest: +SKIP

    Like Kino's `sup_tree` and observer's application tab, but live: restarts
    show up as they happen, and a click inspects or kills a process.
    `interval` is seconds between refreshes; `live=False` refreshes only when
    you call `refresh()` (what tests do). `max_children` folds big supervisors.

    When the runtime records (the beamlab kernel's does), a timeline under the tree
    scrubs back through the flight recorder: the tree, restart counts, intensity
    windows and the inspector as they were at any event, crashes and restarts marked,
    step and play through a crash (`scrub(seq)`, `scrub(None)` for live; see
    docs/time-travel.md). `timeline=False` leaves it out.
    """

    default_interval = 0.25

    _esm = STATIC / "tree.js"

    dot = t.Unicode("").tag(sync=True)
    nodes = t.Dict().tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    status_text = t.Unicode("").tag(sync=True)
    inspector = t.Dict().tag(sync=True)
    notice = t.Dict().tag(sync=True)
    selected = t.Unicode("").tag(sync=True)
    revision = t.Int(0).tag(sync=True)
    min_interval_ms = t.Int(250).tag(sync=True)
    static_id = t.Unicode("").tag(sync=True)     # the saved picture this view keeps current

    def __init__(self, root, *, runtime=None, title: str | None = None, interval: float = 0.25,
                 max_children: int = 40, live: bool = True, timeline: bool | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime if runtime is not None else current_runtime()
        self._timeline_setup(timeline)
        self.root = root
        self.max_children = max_children
        self.history = RestartHistory()
        self.snapshot: TreeSnapshot | None = None
        self._shown: dict[str, int] = {}
        self._selected_pid = None
        self._notice_seq = 0
        self._root_pid = None          # the incarnation of the root drawn now
        self._last_alive: TreeSnapshot | None = None   # the last snapshot with a living root
        self._ended = ""               # what happened to the root, once it has exited
        self._exits = exit_log(self.runtime)
        self._long = long_schedule_log(self.runtime)
        try:
            self._events = EventBuffer(self.runtime, [("beamlab", "supervisor", "restart"),
                                                      ("beamlab", "supervisor", "escalate")], keep=5000)
        except RuntimeError:               # a runtime without telemetry: pid changes still count
            self._events = None
        if title is None:
            info = self.runtime.process_info(root) if not isinstance(root, str) else None
            name = (info or {}).get("registered_name")
            title = f"supervision tree of {name} {root}" if name else f"supervision tree of {root}"
        self.title = title
        self.min_interval_ms = max(100, int(interval * 1000))
        # clicks, checked (_messages.py) and handled in the scheduler, and the views' messages:
        # refreshed by the ticker only while a view shows it (_views.py)
        self.listen(MESSAGES, self._handle_click)
        self.refresh()
        if live:
            self.start(interval)

    # ------------------------------------------------------------------ live updates
    def close(self) -> None:
        self.stop()
        if self._events is not None:
            self._events.close()
        super().close()

    def _report(self, exc: BaseException) -> None:
        self.status_text = f"refresh failed: {type(exc).__name__}: {exc}"

    def refresh(self) -> bool:
        """Read the tree now; returns True if the picture changed. While the timeline shows
        a past moment only the timeline is brought up to date: the picture stays."""
        self.refresh_timeline()
        if self.at != -1:
            self._drain_events()
            return False
        self._follow_incarnation()
        self._drain_events()
        snap = tree_snapshot(self.runtime, self.root, history=self.history,
                             max_children=self.max_children, shown=self._shown)
        if snap.note and self._last_alive is not None:
            # the root exited: keep its last known structure, greyed, and say what happened
            snap = last_known(self._last_alive, self._what_happened())
        elif not snap.note:
            self._last_alive = snap
        self.snapshot = snap
        # a process that held the scheduler lately (a long native call) says so on its node
        alerts = {n.key: badge for n in snap.nodes if n.pid is not None and self._long is not None
                  and (badge := self._long.badge(n.pid))}
        dot = to_dot(snap, alerts=alerts)
        changed = dot != self.dot
        if changed:
            with self.hold_sync():
                self.nodes = {n.key: {"pid": None if n.pid is None else str(n.pid), "name": n.name,
                                      "kind": n.kind, "status": n.status, "restarts": n.restarts,
                                      "long_schedule": alerts.get(n.key, "")}
                              for n in snap.nodes}
                self.dot = dot
                self.revision += 1
        alive = sum(1 for n in snap.nodes if n.alive and n.kind in ("worker", "supervisor"))
        restarts = sum(n.restarts for n in snap.nodes)
        status = f"{alive} alive · {restarts} restart{'s' if restarts != 1 else ''} seen"
        if snap.note:
            status = snap.note
        if status != self.status_text:
            self.status_text = status
        if self._selected_pid is not None or self.selected:
            self._update_inspector()
        return changed

    def _follow_incarnation(self) -> None:
        """A tree that follows a registered name starts afresh when a new process takes the
        name: restart counts, the last known structure and the notice belong to one
        incarnation of the root, not to every process that was ever called that."""
        pid = resolve_root(self.runtime, self.root)
        alive = pid is not None and self.runtime.process_info(pid) is not None
        if not alive:
            return
        if self._root_pid is not None and pid != self._root_pid:
            self.history = RestartHistory(recent=self.history.recent)
            self._shown.clear()
            self._last_alive = None
            self._ended = ""
            if self.notice:
                self.notice = {}
        self._root_pid = pid

    def _what_happened(self) -> str:
        root = self._last_alive.nodes[0] if self._last_alive and self._last_alive.nodes else None
        who = f"{root.name} {root.pid}" if root is not None else str(self.root)
        if self._ended:
            return f"{who} {self._ended} — its last known structure, greyed"
        reason = self._exits.reason(root.pid) if (self._exits is not None and root is not None) else None
        how = f"exited ({format_reason(reason)})" if reason is not None else "is no longer alive"
        return f"{who} {how} — its last known structure, greyed"

    def _drain_events(self) -> None:
        if self._events is None:
            return
        clock = getattr(self.runtime, "clock", None)
        now = clock.now() if clock is not None else 0.0
        for event, _m, meta in self._events.drain():
            if event[-1] == "restart":
                self.history.record_restart(meta.get("supervisor"), meta.get("child_id"),
                                            meta.get("new_pid"), now)
            elif event[-1] == "escalate" and meta.get("supervisor") in self.history._path_of:
                who = meta.get("name") or meta.get("supervisor")
                if meta.get("supervisor") == self._root_pid:
                    self._ended = (f"gave up after {meta.get('restarts_in_window')} restarts in "
                                   f"{meta.get('max_seconds')} s (max_restarts={meta.get('max_restarts')})")
                self._notice_seq += 1
                self.notice = {"level": "error", "seq": self._notice_seq, "at": time.time(), "text": (
                    f"supervisor {who} gave up: {meta.get('restarts_in_window')} restarts in "
                    f"{meta.get('max_seconds')} s is more than its intensity allows "
                    f"(max_restarts={meta.get('max_restarts')}). It stopped its children and exited "
                    f"with reason shutdown, so its own supervisor now handles that (escalation).")}

    # ------------------------------------------------------------------ clicks
    def _handle_click(self, msg: dict) -> None:
        kind = msg["type"]
        if kind == "inspect":
            self.inspect(msg["key"], msg["pid"])
        elif kind == "action":
            self.act(msg["action"], msg["reason"], key=msg["key"])
        elif kind == "expand":
            self.expand(msg["key"])
        elif kind == "scrub":
            self.scrub(msg["seq"])

    # ------------------------------------------------------------------ the timeline
    def _show_moment(self, state, moment: dict) -> None:
        """Draw the tree as the recording says it was at `moment` (see timeline.py)."""
        snap = snapshot_from_state(state, self.root, history=self.history,
                                   max_children=self.max_children, shown=self._shown)
        self.snapshot = snap
        dot = to_dot(snap)
        keys = {}
        for n in snap.nodes:
            if n.pid is not None:
                keys[getattr(n.pid, "id", n.pid)] = n.key
        for key, pid in getattr(snap, "dead_pids", {}).items():
            keys.setdefault(getattr(pid, "id", pid), key)
        event = moment.get("event") or {}
        moment["keys"] = {"pid": keys.get(event.get("pid")), "other": keys.get(event.get("other"))}
        if dot != self.dot:
            self.nodes = {n.key: {"pid": None if n.pid is None else str(n.pid), "name": n.name,
                                  "kind": n.kind, "status": n.status, "restarts": n.restarts,
                                  "long_schedule": ""} for n in snap.nodes}
            self.dot = dot
            self.revision += 1
        alive = sum(1 for n in snap.nodes if n.alive and n.kind in ("worker", "supervisor"))
        restarts = sum(n.restarts for n in snap.nodes)
        t0 = moment.get("t0")
        when = f"{state.t - t0:.3f} s in, " if state.t is not None and t0 is not None else ""
        self.status_text = (f"replay: event {moment['seq']} ({when}of {moment['first']}..{moment['last']}) — "
                            f"{alive} alive · {restarts} restart{'s' if restarts != 1 else ''} then"
                            + (f" · {snap.note}" if snap.note else ""))
        self._update_inspector()      # the selected process then, or else the event's

    def _show_live(self) -> None:
        self.refresh()
        node = self._node_for(key=self.selected) if self.selected else None
        if node is not None and node.pid is not None:
            self._selected_pid = node.pid
        if self._selected_pid is not None or self.selected:
            self._update_inspector()
        elif self.inspector:
            self.inspector = {}       # it showed the events' processes while stepping

    def _node_for(self, key=None, pid_text=None):
        if self.snapshot is None:
            return None
        for n in self.snapshot.nodes:
            if (key is not None and n.key == key) or (pid_text and n.pid is not None and str(n.pid) == pid_text):
                return n
        return None

    def inspect(self, key: str | None = None, pid_text: str | None = None) -> dict:
        """Select the node at `key` (what a click does); returns the inspector data."""
        node = self._node_for(key=key)
        pid = None
        if node is not None and (pid_text is None or node.pid is not None and str(node.pid) == pid_text):
            pid = node.pid
        elif pid_text:
            pid = self._known_pid(pid_text)
        self._selected_pid = pid
        self._selected_text = pid_text or (str(pid) if pid is not None else "")
        self.selected = key or ""
        self._update_inspector()
        return self.inspector

    def _known_pid(self, text):
        """A pid the history saw under that text (the node died since it was drawn)."""
        for seen in self.history._seen.values():
            if seen.pid is not None and str(seen.pid) == text:
                return seen.pid
        return None

    def _update_inspector(self) -> None:
        if self.at != -1 and self._state is not None:
            self._update_inspector_then()
            return
        node = self._node_for(key=self.selected) if self.selected else None
        name = node.name if node is not None else ""
        pid = self._selected_pid
        if pid is None and node is not None and node.pid is None:
            data = {"key": node.key, "pid": getattr(self, "_selected_text", "") or node.name,
                    "alive": False, "title": node.name,
                    "message": f"{node.name} is not running right now ({node.status}); "
                               "its supervisor holds no live process for it.", "actions": []}
        elif pid is None:
            data = {}
        else:
            replaced = node.pid if node is not None and node.pid is not None and node.pid != pid else None
            died = self._exits.when(pid) if (replaced is not None and self._exits is not None) else None
            if died is not None and time.time() - died > FOLLOW_AFTER:
                # "no longer alive" belongs to its moment: then show the process in its place
                self._selected_pid = replaced
                data = describe(self.runtime, replaced, key=self.selected or None, name=name,
                                exits=self._exits)
                data["message"] = (f"{pid} was replaced by {replaced} at "
                                   f"{time.strftime('%H:%M:%S', time.localtime(died))}")
            else:
                data = describe(self.runtime, pid, key=self.selected or None, name=name,
                                exits=self._exits, replaced_by=replaced)
        if data != self.inspector:
            self.inspector = data

    def _update_inspector_then(self) -> None:
        """The selected process as it was at the scrubbed moment; with nothing selected, the
        process of the event there (stepping through a crash, the inspector follows it:
        the killed child, then the supervisor with the EXIT message in its mailbox)."""
        key = self.selected
        following = not key and self._selected_pid is None
        if following:
            key = ((self._moment_now or {}).get("keys") or {}).get("pid")
        node = self._node_for(key=key) if key else None
        pid = node.pid if node is not None else self._selected_pid
        if pid is None and node is not None:
            pid = getattr(self.snapshot, "dead_pids", {}).get(node.key)
        if pid is None and node is not None:
            data = {"key": node.key, "pid": node.name, "alive": False, "title": node.name, "actions": [],
                    "message": f"{node.name} was not running at event {self.at} ({node.status})."}
        elif pid is None:
            data = {}
        else:
            n = getattr(pid, "id", pid)
            event = (self._moment_now or {}).get("event")
            before = None
            if event and event.get("pid") == n and event.get("kind") in ("recv", "drop") and self._rec is not None:
                before = self._rec.state_at(self.at - 1)
            data = describe_then(self._state, n, key=key or None,
                                 name=node.name if node is not None else "", before=before, event=event,
                                 t0=(self._moment_now or {}).get("t0"))
            if following and data.get("message"):
                data["message"] += " (The process of this event; click a node to follow another.)"
        if data != self.inspector:
            self.inspector = data

    def act(self, action: str, reason: str | None = None, *, key: str | None = None) -> dict:
        """Apply a button's action to the selected process; returns the notice shown."""
        pid = self._selected_pid
        if self.at != -1:
            notice = {"level": "warning", "text": "the tree shows a past moment: press Live, then act on "
                                                  "the process as it is now"}
        elif pid is None:
            notice = {"level": "warning", "text": "select a process first (click its node)"}
        else:
            notice = perform(self.runtime, pid, action, reason)
        self._notice_seq += 1
        self.notice = dict(notice, seq=self._notice_seq, at=time.time())
        return self.notice

    def expand(self, key: str) -> None:
        """Show more children of the supervisor whose folded group node is `key`."""
        node = self._node_for(key=key)
        if node is None or node.kind != "group" or node.parent is None:
            return
        parent = node.parent
        self._shown[parent] = max(self._shown.get(parent, self.max_children), self.max_children) + 50
        if self.at != -1:
            self.scrub(self.at)            # the past moment, with more of that supervisor shown
        else:
            self.refresh()

    # ------------------------------------------------------------------ static fallback
    def static_html(self) -> str:
        """The tree as static HTML (an SVG when `dot` is installed), as saved notebooks show it."""
        if self.snapshot is None:
            self.refresh()
        return static_html(self.snapshot, title=self.title, dot=self.dot or None)

    def saved_caption(self) -> str:
        return f"{self.title} — {self.status_text} (saved picture; run the cell for the live tree)"

    def saved_body(self) -> str:
        if self.snapshot is None:
            self.refresh()
        return picture_body(self.snapshot, dot=self.dot or None)

def supervision_tree(root, **kwargs) -> SupervisionTree:
    """Show the live supervision tree of `root` — the counterpart of Kino's `sup_tree`.

    >>> supervision_tree("my_sup")                            # doctest: +SKIP
    """
    return SupervisionTree(root, **kwargs)
