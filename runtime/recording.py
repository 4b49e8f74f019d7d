"""A recording and the state it describes at any moment (issue 13, point 2: scrub).

    >>> rec = rt.recorder.recording()
    >>> snap = rec.state_at(120)             # replay the events up to seq 120
    >>> snap.alive()                         # [1, 2, 5]: pids (their numbers) alive then
    >>> snap.children(2)                     # who process 2 had spawned and were alive
    >>> snap.supervisor(2)                   # strategy, restarts, the intensity window then
    >>> snap.mailbox(5)                      # [{'seq': .., 'from': .., 'text': ..}] queued then
    >>> snap.last_state(5)                   # its GenServer state after its last callback

How this works: `State.apply(event)` is the one place that knows what each
event means; `state_at` copies the recording's baseline (what the events that
left the ring said, see recorder.py) and applies the events up to a sequence
number. Nothing here touches a runtime: a Recording is plain data, and
`to_json()` is what the exported page replays in the browser.

Pids are kept as their numbers (`<0.12.0>` is 12). A mailbox is what the
replay saw queued: a process alive from before the window may have had
messages queued before it, counted as `unknown` once a receive shows the
mailbox's real length.
"""

from __future__ import annotations

import bisect
import copy

from .pid import Pid
from .recorder import MESSAGE_KINDS as _MESSAGE_KINDS
from .recorder import render

__all__ = ["Recording", "State", "state_at", "marks_of"]


_QUIET_EXITS = frozenset({"normal", "shutdown", "killed"})


def _n(pid):
    return None if pid is None else getattr(pid, "id", pid)


def call_text(frm, request, node_of=None) -> str:
    """A GenServer call as it sits in the mailbox (the recorder keeps only its request)."""
    return f"('$gen_call', ({pid_text(frm, node_of)}, #Ref), {render(request)})"


def pid_text(n, node_of=None) -> str:
    """A pid as the BEAM prints it, with its node: `<1.57.0>` for a process of the first
    node started (runtime/nodes). A Pid knows its node; a bare number (what events and
    states keep) finds it in `node_of` ({number: node}, from the spawn events), else home."""
    if n is None:
        return ""
    if type(n) is Pid:
        return f"<{n.node}.{n.id}.0>"
    return f"<{node_of.get(n, 0) if node_of else 0}.{n}.0>"


class State:
    """Who was alive, their parents, names, links, supervisors' restarts, mailboxes, last
    GenServer states, and the messages sent, after the events applied so far."""

    def __init__(self):
        self.seq = 0
        self.t = None
        self.procs: dict[int, dict] = {}
        self.names: dict[str, int] = {}
        self.sups: dict[int, dict] = {}
        self.mailboxes: dict[int, dict] = {}
        self.messages: list[dict] = []      # only while replaying a window, not in a baseline
        self.took: dict[int, dict] = {}     # recv seq -> {"msg": send seq | None, "skipped": [...]}
        self._folding = False
        self._quiet = False     # replaying between keyframes: no messages, no `took`
        self._by_seq: dict[int, dict] = {}
        self.node_of: dict[int, int] = {}   # pid number -> node, for other nodes' processes
        # the simulated cluster (runtime/nodes): {node: running}, {(a, b): up}
        self.cluster_nodes: dict[str, bool] = {}
        self.connections: dict[tuple, bool] = {}

    def copy(self) -> "State":
        return copy.deepcopy(self)

    # ------------------------------------------------------------ applying events
    def fold_many(self, batch: list) -> None:
        """`fold` each event of `batch` (oldest first); of the GenServer callbacks only each
        process's last one matters, so only it is applied."""
        if not batch:
            return
        gens = {}
        fold = self.fold
        for ev in batch:
            kind = ev[2]
            if kind in _MESSAGE_KINDS:
                if kind == "recv" and type(ev[6]) is tuple:     # a GenServer callback's
                    gens[ev[3]] = ev
                continue
            if kind == "gen":
                gens[ev[3]] = ev
                continue
            fold(ev)
        procs = self.procs
        for pid, ev in gens.items():
            p = procs.get(_n(pid))
            if p is None:
                continue
            if ev[2] == "gen":
                p["state"], p["callback"] = ev[7][0], (ev[0], ev[5], ev[6], ev[7][1])
            else:
                b = ev[6]
                p["state"], p["callback"] = b[2], (ev[0], b[0], b[1], b[3])
        self.seq, self.t = batch[-1][0], batch[-1][1]

    def fold(self, ev) -> None:
        """Apply an event that leaves the ring: the structure is kept, messages are not."""
        kind = ev[2]
        if kind in _MESSAGE_KINDS:      # a baseline keeps no messages
            self.seq, self.t = ev[0], ev[1]
            return
        self._folding = True
        try:
            self.apply(ev)
        finally:
            self._folding = False
        if kind == "exit":      # gone before the window: nothing of it is shown any more,
            n = _n(ev[3])       # but its node (`node_of`): events in the window may name it
            self.procs.pop(n, None)
            self.sups.pop(n, None)
            self.mailboxes.pop(n, None)

    def apply(self, ev) -> None:
        seq, t, kind = ev[0], ev[1], ev[2]
        self.seq, self.t = seq, t
        fn = _APPLY.get(kind)
        if fn is not None:
            fn(self, seq, t, _n(ev[3]), ev[4], ev[5], ev[6], ev[7])

    def _proc(self, n) -> dict:
        p = self.procs.get(n)
        if p is None:       # seen before its spawn was recorded
            p = self.procs[n] = {"pid": n, "parent": None, "call": "?", "name": None, "alive": True,
                                 "reason": None, "born": None, "died": None, "state": None,
                                 "callback": None, "links": set(), "trap": False}
        return p

    def _spawn(self, seq, t, n, other, a, b, c):
        p = self._proc(n)
        p.update(parent=_n(other), call=a, alive=True, born=seq)
        if c:
            p["node"] = self.node_of[n] = c
        if b is not None:
            p["name"] = b
            self.names[b] = n
        if seq is not None and not self._folding:
            self.mailboxes[n] = {"known": [], "unknown": 0 if b is None else None}

    def _exists(self, seq, t, n, other, a, b, c):
        self._spawn(None, t, n, other, a, b, c)
        self.procs[n]["born"] = None
        self.mailboxes.pop(n, None)

    def _exit(self, seq, t, n, other, a, b, c):
        p = self._proc(n)
        p.update(alive=False, reason=render(a), died=seq)
        if p["name"] is not None and self.names.get(p["name"]) == n:
            del self.names[p["name"]]
        for m in p["links"]:
            q = self.procs.get(m)
            if q is not None:
                q["links"].discard(n)
        p["links"] = set()
        self.mailboxes.pop(n, None)

    def _link(self, seq, t, n, other, a, b, c):
        m = _n(other)
        self._proc(n)["links"].add(m)
        self._proc(m)["links"].add(n)

    def _unlink(self, seq, t, n, other, a, b, c):
        m = _n(other)
        self._proc(n)["links"].discard(m)
        if m in self.procs:
            self.procs[m]["links"].discard(n)

    def _register(self, seq, t, n, other, a, b, c):
        self._proc(n)["name"] = a
        self.names[a] = n

    def _unregister(self, seq, t, n, other, a, b, c):
        if self.names.get(a) == n:
            del self.names[a]
        p = self.procs.get(n)
        if p is not None and p["name"] == a:
            p["name"] = None

    def _gen(self, seq, t, n, other, a, b, c):
        p = self._proc(n)
        p["state"] = c[0]         # previews, made text when read (folding runs on every call)
        p["callback"] = (seq, a, b, c[1])

    def _sup(self, seq, t, n, other, a, b, c):
        s = self.sups.get(n)
        if s is None:
            s = self.sups[n] = {"strategy": None, "intensity": None, "period": None,
                                "failures": [], "restarts": 0, "gave_up": False,
                                "children": {}, "child_restarts": {}, "decision": None}
        d = b or {}
        for key, field in (("strategy", "strategy"), ("max_restarts", "intensity"),
                           ("max_seconds", "period")):
            if d.get(key) is not None:
                s[field] = d[key]
        cid = d.get("child_id")
        if a == "child_start":
            s["children"][cid] = _n(d.get("pid", other))
        elif a == "child_exit":
            if d.get("restarting"):
                s["failures"].append(t)
                s["children"][cid] = None
        elif a == "restart":
            s["children"][cid] = _n(d.get("new_pid"))
            s["restarts"] += 1
            s["child_restarts"][cid] = s["child_restarts"].get(cid, 0) + 1
            s["decision"] = {"seq": seq, "text": decision_text(d)}
        elif a == "escalate":
            s["gave_up"] = True
            s["decision"] = {"seq": seq, "text": decision_text(d, gave_up=True)}
        elif a == "child_terminate":
            s["children"][cid] = None
        if self._folding and len(s["failures"]) > 64:
            s["failures"] = s["failures"][-64:]

    def _signal(self, seq, t, n, other, a, b, c):
        if b == "trapped":
            self._proc(n)["trap"] = True

    def _node(self, seq, t, n, other, a, b, c):
        self.cluster_nodes[b] = a == "start"

    def _connection(self, seq, t, n, other, a, b, c):
        self.connections[tuple(sorted(b))] = a == "up"

    def _send(self, seq, t, n, other, a, b, c):
        frm = _n(other)
        text = render(a) if c != "call" else call_text(frm, a, self.node_of)
        if not self._folding and not self._quiet:
            m = {"seq": seq, "t": t, "from": frm, "to": n, "text": text,
                 "direct": c == "direct", "taken": seq if c == "direct" else None}
            if c == "lost":
                m["lost"] = True
            self.messages.append(m)
            self._by_seq[seq] = m
        if c == "direct" or c == "lost":
            return
        mb = self.mailboxes.get(n)
        if mb is None:
            mb = self.mailboxes[n] = {"known": [], "unknown": None}
        mb["known"].append({"seq": seq, "from": frm, "text": text})

    def _take(self, seq, t, n, index, length_after, record: bool):
        mb = self.mailboxes.get(n)
        if mb is None:
            mb = self.mailboxes[n] = {"known": [], "unknown": None}
        known = mb["known"]
        before = length_after + 1
        u = before - len(known)
        dropped = []
        if u < 0:   # fewer queued than we saw: the oldest were taken unrecorded (a GenServer's
            dropped = [m["seq"] for m in known[:-u]]    # $system message, a callback's receive)
            del known[:-u]
            u = 0
        mb["unknown"] = u
        entry = None
        if index < u:
            mb["unknown"] = u - 1
            took, skipped = None, []
        else:
            j = index - u
            if j >= len(known):
                return None
            entry = known.pop(j)
            skipped = [m["seq"] for m in known[:j]]
            took = entry["seq"]
        if record and not self._quiet:
            self.took[seq] = {"msg": took, "skipped": skipped, "unknown_skipped": min(index, u),
                              "dropped": dropped}
            for s in dropped:
                m = self._by_seq.get(s)
                if m is not None and m["taken"] is None:
                    m["taken"] = seq
            m = self._by_seq.get(took) if took is not None else None
            if m is not None:
                m["taken"] = seq
        return entry

    def _recv(self, seq, t, n, other, a, b, c):
        entry = self._take(seq, t, n, a, c, True)
        if type(b) is tuple:    # a GenServer took it and ran (callback, result, state, reply)
            p = self._proc(n)
            p["state"] = b[2]
            p["callback"] = (seq, b[0], b[1], b[3])
            if b[1] == "reply" and not self._folding and not self._quiet:
                to = entry["from"] if entry is not None else None
                self.messages.append({"seq": seq, "t": t, "from": n, "to": to, "text": render(b[3]),
                                      "direct": True, "taken": seq, "reply": True})

    def _drop(self, seq, t, n, other, a, b, c):
        self._take(seq, t, n, a, c, False)

    # ------------------------------------------------------------ reading
    def alive(self) -> list[int]:
        return sorted(n for n, p in self.procs.items() if p["alive"])

    def process(self, n) -> dict | None:
        """What is known of process `n`: parent, initial call, name, alive, exit reason,
        links, its GenServer state and last callback (as text)."""
        p = self.procs.get(_n(n))
        return None if p is None else _shown(p)

    def children(self, n) -> list[int]:
        n = _n(n)
        return sorted(m for m, p in self.procs.items() if p["alive"] and p["parent"] == n)

    def tree(self) -> dict:
        """{pid: [alive children]} for every alive process; roots are those whose parent
        is not alive."""
        out = {n: [] for n in self.alive()}
        for n in out:
            par = self.procs[n]["parent"]
            if par in out:
                out[par].append(n)
        return out

    def roots(self) -> list[int]:
        alive = set(self.alive())
        return [n for n in sorted(alive) if self.procs[n]["parent"] not in alive]

    def mailbox(self, n) -> list[dict]:
        mb = self.mailboxes.get(_n(n))
        return [dict(m) for m in mb["known"]] if mb else []

    def mailbox_unknown(self, n):
        """Messages queued before the window (None: not known)."""
        mb = self.mailboxes.get(_n(n))
        return mb["unknown"] if mb else None

    def last_state(self, n):
        p = self.procs.get(_n(n))
        return None if p is None or p["state"] is None else render(p["state"])

    def supervisor(self, n) -> dict | None:
        """Strategy, restarts so far, and the intensity window at this moment."""
        s = self.sups.get(_n(n))
        if s is None:
            return None
        out = copy.deepcopy(s)
        period = s["period"]
        if period is not None and self.t is not None:
            out["window"] = [x for x in s["failures"] if x >= self.t - period]
        else:
            out["window"] = list(s["failures"])
        return out


def _shown(p: dict) -> dict:
    out = dict(p, links=sorted(p["links"]))
    if p["state"] is not None:
        out["state"] = render(p["state"])
    cb = p["callback"]
    if cb is not None:
        out["callback"] = {"seq": cb[0], "callback": cb[1], "result": cb[2],
                           "reply": None if cb[3] is None else render(cb[3])}
    return out


_APPLY = {"node": State._node, "connection": State._connection, "spawn": State._spawn, "exists": State._exists, "exit": State._exit,
          "link": State._link, "unlink": State._unlink, "register": State._register,
          "unregister": State._unregister, "gen": State._gen, "sup": State._sup,
          "signal": State._signal, "send": State._send, "recv": State._recv, "drop": State._drop}


def decision_text(d: dict, gave_up: bool = False) -> str:
    """'one_for_all: restarting b — 2/3 in 5 s', as a learner reads a decision."""
    used, allowed, period = d.get("restarts_in_window"), d.get("max_restarts"), d.get("max_seconds")
    window = f"{used}/{allowed} in {period:g} s" if None not in (used, allowed, period) else ""
    if gave_up:
        return (f"giving up: {window} restarts (more than {allowed}); "
                f"the supervisor stops ({d.get('child_id')} exited with {render(d.get('reason'))})")
    strategy = d.get("strategy") or "restart"
    new = pid_text(d.get("new_pid")) if d.get("new_pid") is not None else "failed to start"
    return f"{strategy}: restarting {d.get('child_id')} → {new} — {window}"


class Recording:
    """What a Recorder held at one moment: a baseline State and the events after it."""

    def __init__(self, base: State, events: list, evicted: int = 0, max_events=None,
                 max_bytes=None):
        self.base = base
        self.raw = events
        self.evicted = evicted
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._frames = None         # keyframes for state_at, made on first use
        self._seqs = None
        self._full_state = None

    def __len__(self):
        return len(self.raw)

    def __repr__(self):
        first = self.raw[0][0] if self.raw else None
        last = self.raw[-1][0] if self.raw else None
        return f"<beamlab Recording: {len(self.raw):,} events (seq {first}..{last}), {self.evicted:,} before>"

    @property
    def first_seq(self) -> int:
        return self.raw[0][0] if self.raw else self.base.seq

    @property
    def last_seq(self) -> int:
        return self.raw[-1][0] if self.raw else self.base.seq

    def events(self, start: int | None = None, stop: int | None = None) -> list[dict]:
        """Every event as a dict (pids as numbers, terms as text); a receive also says which
        send it took (`took`, a seq, None if from before the window) and which it skipped.
        `start`/`stop` take a slice of them (indices into the recording, as `raw[start:stop]`)."""
        full = self._replayed()
        out = []
        for ev in self.raw[start:stop]:
            d = event_dict(ev, full.node_of)
            took = full.took.get(ev[0])
            if took is not None:
                d["took"] = took["msg"]
                d["skipped"] = took["skipped"]
                if took["dropped"]:
                    d["dropped"] = took["dropped"]
            out.append(d)
        return out

    def window(self, first: int | None = None, last: int | None = None) -> "Recording":
        """The events from seq `first` to `last` (inclusive) as a Recording of their own,
        whose baseline is the state just before `first`: a shorter page to export.

            >>> export_html(rec.window(first=1200, last=1500), "the-crash.html")"""
        events = [ev for ev in self.raw if (first is None or ev[0] >= first)
                  and (last is None or ev[0] <= last)]
        skipped = sum(1 for ev in self.raw if first is not None and ev[0] < first)
        if not skipped:
            base = self.base.copy()
        else:
            base = self.state_at(events[0][0] - 1 if events else first - 1)
            base.messages, base.took, base._by_seq = [], {}, {}
        return Recording(base, events, evicted=self.evicted + skipped,
                         max_events=self.max_events, max_bytes=self.max_bytes)

    def tail(self, n: int) -> "Recording":
        """The last `n` events (see window)."""
        if n >= len(self.raw):
            return self
        return self.window(first=self.raw[-n][0])

    def marks(self) -> list[dict]:
        """What a timeline marks, oldest first: {seq, t, kind, pid, text} for each crash (an
        exit whose reason is not normal, shutdown or killed), supervisor restart and
        giving up. The exported page and the live scrubber draw these."""
        return marks_of(self.raw)

    def index_of(self, seq: int) -> int:
        """The index in the recording of the last event with a seq <= `seq` (-1: none)."""
        if self._seqs is None:
            self._seqs = [ev[0] for ev in self.raw]
        return bisect.bisect_right(self._seqs, seq) - 1

    KEYFRAME = 2000

    def state_at(self, seq: int | None = None) -> State:
        """`state_at(self, seq)`, fast for scrubbing: the structure from the nearest keyframe
        (every KEYFRAME events, made on first use), the messages from one full replay."""
        if seq is None or not self.raw or seq >= self.raw[-1][0]:
            return self._replayed().copy()
        if self._frames is None:
            self._build_frames()
        i = bisect.bisect_right(self._seqs, seq)        # events raw[:i] are applied
        k = min(i // self.KEYFRAME, len(self._frames) - 1)
        st = self._frames[k].copy()
        for ev in self.raw[k * self.KEYFRAME:i]:
            st.apply(ev)
        st._quiet = False
        full = self._replayed()
        st.messages = [dict(m, taken=m["taken"] if m["taken"] is not None and m["taken"] <= seq
                            else None) for m in full.messages if m["seq"] <= seq]
        st._by_seq = {m["seq"]: m for m in st.messages}
        st.took = {s: v for s, v in full.took.items() if s <= seq}
        return st

    def _replayed(self) -> State:
        """The state after every event (made once; not to be changed)."""
        if self._full_state is None:
            self._full_state = state_at(self, None)
        return self._full_state

    def _build_frames(self) -> None:
        st = self.base.copy()
        st.messages, st.took, st._quiet = [], {}, True
        self._seqs = [ev[0] for ev in self.raw]
        self._frames = [st.copy()]
        for i, ev in enumerate(self.raw, 1):
            st.apply(ev)
            if i % self.KEYFRAME == 0:
                self._frames.append(st.copy())

    def to_json(self) -> dict:
        """Plain JSON-able data: the baseline, the events, and each receive resolved to the
        send it took (what the exported page replays)."""
        events = self.events()
        base = self.base
        return {
            "version": 1,
            "evicted": self.evicted,
            "base": {
                "seq": base.seq, "t": base.t,
                "procs": [_shown(p) for p in base.procs.values()],
                "sups": {str(k): v for k, v in base.sups.items()},
            },
            "events": events,
        }


def marks_of(raw) -> list[dict]:
    """The marks (see `Recording.marks`) among raw event tuples, e.g. the ones a live
    scrubber has not seen yet."""
    out = []
    for ev in raw:
        kind = ev[2]
        if kind == "exit":
            reason = render(ev[5])
            if reason not in _QUIET_EXITS and not reason.startswith("('shutdown'"):
                out.append({"seq": ev[0], "t": ev[1], "kind": "crash", "pid": _n(ev[3]),
                            "text": f"{pid_text(ev[3], {ev[3]: ev[7]} if ev[7] else None)} "
                                    f"crashed: {reason}"})
        elif kind == "sup" and ev[5] in ("restart", "escalate"):
            out.append({"seq": ev[0], "t": ev[1], "pid": _n(ev[3]),
                        "kind": "restart" if ev[5] == "restart" else "giveup",
                        "text": decision_text(ev[6] or {}, gave_up=ev[5] == "escalate")})
    return out


def event_dict(ev, node_of=None) -> dict:
    """One event as plain data; `node_of` ({pid number: node}) prints a call's sender with
    its node."""
    seq, t, kind, pid, other, a, b, c = ev[:8]
    d = {"seq": seq, "t": t, "kind": kind, "pid": _n(pid)}
    if kind in ("spawn", "exists"):
        d.update(parent=_n(other), call=a, name=b)
        if c:
            d["node"] = c       # another node's process (runtime/nodes): <node.pid.0>
    elif kind == "exit":
        d["reason"] = render(a)
        if c:
            d["node"] = c
    elif kind == "node":
        d.update(action=a, node=b)
    elif kind == "connection":
        d.update(action=a, nodes=list(b))
        if c is not None:
            d.update(reason=c[0], lost=c[1])
    elif kind in ("link", "unlink"):
        d["other"] = _n(other)
    elif kind == "monitor":
        d.update(other=_n(other) if not isinstance(other, str) else None, target=render(other),
                 ref=render(a))
    elif kind == "demonitor":
        d["ref"] = render(a)
    elif kind == "signal":
        d.update(other=_n(other), reason=render(a), outcome=b, via_link=bool(c))
    elif kind == "send":
        d.update(other=_n(other), text=render(a) if c != "call" else call_text(_n(other), a,
                                                                                node_of),
                 direct=c == "direct", call=c == "call", lost=c == "lost")
        if b == "late":         # a reply from another node its caller no longer waited for
            d["late_reply"] = True
    elif kind in ("recv", "drop"):
        from .recorder import _pattern
        if type(b) is tuple:
            d.update(index=a, pattern=None, left=c, callback=b[0], result=b[1],
                     state=render(b[2]), reply=None if b[3] is None else render(b[3]))
            if b[1] in ("crash", "exited"):     # the callback raised / called exit: its reason
                d["reason"], d["reply"] = d["reply"], None
        else:
            d.update(index=a, pattern=_pattern(b), left=c)
    elif kind in ("register", "unregister"):
        d["name"] = a
    elif kind == "timer":
        d.update(action=a, timer=b, seconds=c)
    elif kind == "gen":
        d.update(callback=a, result=b, state=render(c[0]),
                 reply=None if c[1] is None else render(c[1]))
    elif kind == "sup":
        det = {k: (_n(v) if k in ("old_pid", "new_pid") else
                   v if type(v) in (int, float, bool, str, type(None)) else render(v))
               for k, v in (b or {}).items()}
        d.update(other=_n(other), event=a, details=det)
        if a == "restart":
            d["text"] = decision_text(b or {})
        elif a == "escalate":
            d["text"] = decision_text(b or {}, gave_up=True)
    return d


def state_at(recording: Recording, seq: int | None = None) -> State:
    """The state after every event up to `seq` (all of them with None), replayed from
    the recording's baseline. A pure function of the recording."""
    st = recording.base.copy()
    st.messages, st.took, st._by_seq, st._quiet = [], {}, {}, False
    for ev in recording.raw:
        if seq is not None and ev[0] > seq:
            break
        st.apply(ev)
    return st
