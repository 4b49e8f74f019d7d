"""The live scrubber: a timeline under a widget that replays the flight recorder (issue 13,
points 2 and 3).

    >>> tree = SupervisionTree("app")            # the timeline is on when the runtime records
    >>> tree.scrub(120)                          # the tree as it was after event 120
    >>> tree.moment["event"]["kind"]             # the event there ('signal', 'exit', 'sup', ...)
    >>> tree.scrub(None)                         # live again

How this works: a widget mixing in `Timeline` has four synced traits.
`timeline` is `{"first", "last", "t_first", "t_last"}`: the span of the runtime's
recorder (`runtime.recorder`, runtime/recorder.py), and `marks` its crashes, restarts
and giving up (`recording.marks_of`; a trait of its own, sent only when a mark comes
or goes, not with every event), refreshed by the widget's ticker refresh
from the events it has not seen yet (a walk back from the ring's end, so a refresh
costs what happened since the last one, not the ring's length). `at` is the seq the
widget shows, -1 for live. `moment` describes the event at `at` for the front end:
the event and a few around it as `Recording.events()` dicts (the front end's
`describe()` in widgets/js/src/recording.js, shared with the exported player, turns
them into a sentence, and groups a supervisor's restarts into one decision), plus
what the widget highlights.

The front end sends `{"type": "scrub", "seq": N}` (or `null` for live), checked by
`_messages.dispatch`: a seq outside the recording, or a scrub on a runtime that does
not record, is answered with an error saying what to do. A scrub copies the ring once
(`recorder.recording()`, kept while scrubbing, taken again when a later seq is asked
for), replays the state at that seq (`Recording.state_at`: keyframes; the first scrub of
a 51,000-event ring took 0.7 s, later ones ~30 ms, on this loaded machine), and hands it to the widget's `_show_moment(state, moment)`; the widget draws
that instead of the live picture, and its ticker refresh leaves the picture alone
while `at != -1`. Playing and stepping are the front end's: it asks for one seq at a
time and waits for the answer before asking for the next.
"""
from __future__ import annotations

import traitlets as t

from ._messages import BadMessage, Field

__all__ = ["Timeline", "SCRUB_MESSAGES", "MARKS_KEPT"]

SCRUB_MESSAGES = {"scrub": {"seq": Field((int, None), required=True)}}
MARKS_KEPT = 500           # the newest marks the timeline shows (a long chaos run has thousands)
WINDOW_BEFORE = 80         # events sent with a moment for describe(): before the cursor ...
WINDOW_AFTER = 40          # ... and after it (a supervisor's decision groups the restarts that follow)


def _new_events(recorder, after: int) -> list:
    """The raw events in `recorder`'s ring with a seq > `after`, oldest first (a walk back
    from the end: costs what happened since, not the ring's length)."""
    ring = getattr(recorder, "_ring", None)
    if ring is None:
        return [ev for ev in recorder.events() if ev[0] > after]
    out = []
    for ev in reversed(ring):
        if ev[0] <= after:
            break
        out.append(ev)
    out.reverse()
    return out


def _span(recorder) -> tuple[int, int, float | None, float | None]:
    ring = getattr(recorder, "_ring", None)
    if ring is None:
        evs = recorder.events()
        ring = evs
    if not len(ring):
        seq = getattr(recorder, "_seq", 0)
        return seq, seq, None, None
    return ring[0][0], ring[-1][0], ring[0][1], ring[-1][1]


class Timeline(t.HasTraits):
    """Mixed into a live widget (with `runtime`): scrubbing back through the flight recorder.

    The widget calls `_timeline_setup(enabled)` in its `__init__`, `refresh_timeline()` in
    its refresh, handles the "scrub" message with `scrub(seq)`, and implements
    `_show_moment(state, moment)` (draw the state at the moment) and `_show_live()`
    (draw the runtime now)."""

    timeline = t.Dict().tag(sync=True)
    marks = t.List().tag(sync=True)
    at = t.Int(-1).tag(sync=True)
    moment = t.Dict().tag(sync=True)

    def _timeline_setup(self, enabled) -> None:
        self._tl_on = (getattr(self.runtime, "recorder", None) is not None) if enabled is None else bool(enabled)
        self._tl_seen = 0
        self._tl_marks: list[dict] = []
        self._tl_death: dict = {}      # pid -> seq where its death began (see _note_deaths)
        self._tl_old: dict = {}        # a restart's seq -> the pid it replaced
        self._rec = None           # the recording copy being scrubbed (None while live)
        self._state = None         # the State shown while scrubbed
        self._moment_now = None    # the moment shown while scrubbed (what `moment` is set to)

    # ------------------------------------------------------------------ reading the recorder
    @property
    def recorder(self):
        return getattr(self.runtime, "recorder", None) if self._tl_on else None

    @property
    def scrubbed(self) -> bool:
        """True while the widget shows a past moment (not live)."""
        return self.at != -1

    def refresh_timeline(self) -> bool:
        """Bring the timeline's span and marks up to date; True if they changed."""
        rec = self.recorder
        if rec is None:
            if self.timeline:
                self.timeline = {}
                self.marks = []
            return False
        from beamlab.runtime.recording import marks_of
        new = _new_events(rec, self._tl_seen)
        first, last, t_first, t_last = _span(rec)
        if new:
            self._tl_seen = new[-1][0]
            self._note_deaths(new)
            for m in marks_of(new):
                m["old"] = self._tl_old.get(m["seq"])
                # a mark jumps to just before the death that led to it (the kill, then the restart)
                m["from"] = self._tl_death.get((m["pid"], m["seq"]) if m["kind"] == "crash" else m.get("old"),
                                               m["seq"])
                self._tl_marks.append(m)
        marks = [m for m in self._tl_marks if m["seq"] >= first]
        if len(marks) > MARKS_KEPT:
            marks = marks[-MARKS_KEPT:]
        self._tl_marks = marks
        changed = False
        shown = self.marks
        if len(marks) != len(shown) or (marks and (marks[0]["seq"] != shown[0]["seq"]
                                                   or marks[-1]["seq"] != shown[-1]["seq"])):
            self.marks = [{"seq": m["seq"], "from": m["from"], "t": m["t"], "kind": m["kind"],
                           "text": m["text"]} for m in marks]
            changed = True
        data = {"first": first, "last": last, "t_first": t_first, "t_last": t_last}
        if data != self.timeline:
            self.timeline = data
            changed = True
        return changed

    def _note_deaths(self, events) -> None:
        """Where each process's death began (the exit signal that killed it, else its exit),
        so a restart mark can jump there; and which pid each restart replaced."""
        deaths = self._tl_death
        for ev in events:
            kind = ev[2]
            if kind == "signal" and ev[6] in ("killed", "exit"):
                deaths.setdefault(("dying", ev[3]), ev[0])
            elif kind == "exit":
                start = deaths.pop(("dying", ev[3]), ev[0])
                deaths[ev[3]] = start
                deaths[(ev[3], ev[0])] = start
            elif kind == "sup" and ev[5] == "restart":
                old = (ev[6] or {}).get("old_pid")
                self._tl_old[ev[0]] = getattr(old, "id", old)
        if len(deaths) > 20_000:           # a long run: forget the oldest
            for k in list(deaths)[: len(deaths) - 10_000]:
                del deaths[k]
        if len(self._tl_old) > 5_000:
            for k in list(self._tl_old)[:2_500]:
                del self._tl_old[k]

    # ------------------------------------------------------------------ scrubbing
    def scrub(self, seq: int | None) -> None:
        """Show the moment just after event `seq` of the recording (None: live again).

        >>> tree.scrub(tree.marks[0]["from"] - 1)     # just before the first marked death  # doctest: +SKIP
        """
        if seq is None:
            self._rec = None
            self._state = None
            self._moment_now = None
            with self.hold_sync():
                self.at = -1
                self.moment = {}
            self._show_live()
            return
        rec = self.recorder
        if rec is None:
            why = ("its timeline is off (timeline=False)" if getattr(self.runtime, "recorder", None) is not None
                   else "this runtime does not record; start it with Runtime(record=True) "
                        "(the beamlab kernel does) to scrub back")
            raise BadMessage(f'"scrub" message: nothing to scrub: {why}')
        if isinstance(seq, bool) or not isinstance(seq, int):
            raise BadMessage(f'"scrub" message: "seq" must be an integer or null, not {seq!r}')
        if self._rec is None or seq > self._rec.last_seq:
            self.refresh_timeline()
            self._rec = rec.recording()
        first, last = self._rec.first_seq, self._rec.last_seq
        if not first - 1 <= seq <= last:
            raise BadMessage(f'"scrub" message: seq {seq} is outside the recording, which holds events '
                             f"{first}..{last} ({first - 1} is its start); drag within the timeline, "
                             "or send null for live")
        state = self._rec.state_at(seq)
        moment = self._moment(seq, state)
        self._state = state
        self._moment_now = moment
        with self.hold_sync():
            self.at = seq
            self._show_moment(state, moment)       # may add what the widget highlights
            self.moment = moment

    def _moment(self, seq: int, state) -> dict:
        rec = self._rec
        i = rec.index_of(seq)
        lo, hi = max(0, i - WINDOW_BEFORE), min(len(rec.raw), i + WINDOW_AFTER + 1)
        events = rec.events(lo, hi) if i >= 0 else []
        event = events[i - lo] if i >= 0 and rec.raw[i][0] == seq else None
        if event is not None and event.get("took") is not None and not any(
                e["seq"] == event["took"] for e in events):
            j = rec.index_of(event["took"])           # the message it took, sent long before
            if j >= 0:
                events = rec.events(j, j + 1) + events
        t0 = rec.raw[0][1] if rec.raw else rec.base.t
        # other nodes' processes then ({pid: node}), so describe() prints their pids <K.N.0>
        nodes = {str(n): k for n, k in state.node_of.items()}
        return {"seq": seq, "t": state.t, "t0": t0, "first": rec.first_seq, "last": rec.last_seq,
                "event": event, "events": events, "nodes": nodes}

    # ------------------------------------------------------------------ what widgets provide
    def _show_moment(self, state, moment: dict) -> None:        # pragma: no cover - abstract
        raise NotImplementedError

    def _show_live(self) -> None:                                # pragma: no cover - abstract
        raise NotImplementedError
