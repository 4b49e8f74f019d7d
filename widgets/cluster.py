"""The cluster widget: the simulated nodes, their connections, and what crosses them.

How this works: `ClusterView()` observes the runtime's simulated cluster
(`rt._dist`, runtime/nodes) from outside, as observer attached to a node would.
It draws three things, refreshed by the shared ticker while a view shows it:

- the **map**: one box per node with its processes (supervisors' children
  indented under them), and a line per pair of nodes that have talked: up
  (with its latency and what is in flight), down (disconnected; Erlang's
  auto-connect brings it back at the next send) or cut (blocked until healed);
- a **lane diagram** (Lamport-style): one vertical lane per node, time flowing
  down, every message between nodes an arrow from the sender's lane to the
  receiver's, slanted by the latency, ending in ✕ where a cut lost it in
  flight; cuts, reconnections, node stops and what a cut fired (links with
  `noconnection`, DOWN messages, `nodedown`) are marked on the lanes. Each end
  of an arrow carries its Lamport clock, so causality reads off the numbers.
- a **notice** saying what a click did.

Messages between nodes are seen by a send tracer that records, on the hot path,
only sends whose sender and receiver are on different nodes (one comparison for
the others). When it arrives is worked out as the cluster does (per-pair FIFO:
never before what was sent on that channel earlier), and a connection going
down marks what was still in flight on it as lost. What a cut fires is read
from the `("beamlab", "connection", "down")` telemetry event (it runs before
the cut's consequences, so the links and monitors across it are still there)
and from `("beamlab", "process", "exit")`.

Clicks are checked (`_messages.dispatch`) and acted on inside the scheduler:
a connection that is up is cut (and stays cut until healed: runtime/nodes'
`cut(a, b)`), a cut or down one is healed and reconnected at once (`heal(a, b)`,
then `connect_node(a, b)`, as Erlang's `net_kernel:connect_node`); a running node is stopped, a stopped one restarted
(a fresh node under the same name). The home node, where the notebook runs,
cannot be stopped.

Saved notebooks keep a picture (see _saved.py): the live view writes its
drawing into it when the notebook is saved; before that, `static_html()` draws
the boxes, the connections and the messages as plain HTML.
"""
from __future__ import annotations

import html
import itertools
import pathlib
import time
from collections import deque

import anywidget
import traitlets as t

from ._messages import Field, FrontEndChecked, report_error
from ._runtime import current_runtime, pid_text, safe_repr, telemetry_of, trace_sends
from ._saved import SavedPicture
from ._ticker import Live
from ._views import Watched

__all__ = ["ClusterView", "cluster_view"]

STATIC = pathlib.Path(__file__).parent / "static"
NODE_NAME = Field(str, required=True, max_len=255)

# What the front end may send (checked by _messages.dispatch before anything acts on it).
MESSAGES = {
    "connection": {"a": NODE_NAME, "b": NODE_NAME,
                   "action": Field(str, required=True, choices=("cut", "heal", "disconnect"))},
    "node": {"node": NODE_NAME, "action": Field(str, required=True, choices=("stop", "restart"))},
    "clear": {},
}

_ids = itertools.count(1)
_TELEMETRY = [("beamlab", "connection", "up"), ("beamlab", "connection", "down"),
              ("beamlab", "node", "start"), ("beamlab", "node", "stop"),
              ("beamlab", "process", "exit")]
NOT_DISTRIBUTED = "nonode@nohost"
MAX_GLOBAL = 4          # global names shown in a node's box


def _pair(a: int, b: int) -> frozenset:
    return frozenset((a, b))


def _process_label(proc) -> str:
    if proc.name is not None:
        return str(proc.name)
    if proc.label:
        return str(proc.label)
    reactor = proc.reactor
    if reactor is not None:
        name = _behaviour_class(reactor).__name__
        return name if not name.startswith("_") else _kind(reactor)
    fn = proc.fn
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    return name.replace(".<locals>", "")


def _behaviour_class(reactor) -> type:
    """The callback module of a behaviour process (a GenServer's class), else the reactor's type."""
    mod = getattr(reactor, "mod", None)
    if mod is None:
        return type(reactor)
    return mod if isinstance(mod, type) else type(mod)


def _kind(reactor) -> str:
    if reactor is None:
        return "process"
    return ("supervisor" if any("Supervisor" in c.__name__ for c in _behaviour_class(reactor).__mro__)
            else "server")


class ClusterView(FrontEndChecked, SavedPicture, Watched, Live, anywidget.AnyWidget):
    """The simulated cluster, live: nodes and their processes, connections, cross-node messages.

    >>> start_node("b"); start_node("c")                       # doctest: +SKIP
    >>> ClusterView()                                          # doctest: +SKIP

    Click a connection to cut it (links across fire with `noconnection`) and
    again to heal it; click a node's stop/restart. `max_processes` bounds the
    rows of a node's box, `max_events` the messages the lane diagram keeps.
    `live=False` refreshes only when you call `refresh()` (what tests do).
    """

    default_interval = 0.25

    _esm = STATIC / "cluster.js"

    title = t.Unicode("").tag(sync=True)
    status_text = t.Unicode("").tag(sync=True)
    nodes = t.List().tag(sync=True)          # [{name, index, running, home, processes, more, registered}]
    connections = t.List().tag(sync=True)    # [{a, b, state: up|down|cut, latency_ms, in_flight}]
    lanes = t.List().tag(sync=True)          # node names, one lane each
    trace = t.List().tag(sync=True)          # the lane diagram's arrows and marks, with rows
    dropped = t.Int(0).tag(sync=True)
    notice = t.Dict().tag(sync=True)
    revision = t.Int(0).tag(sync=True)
    static_id = t.Unicode("").tag(sync=True)

    def __init__(self, *, runtime=None, title: str = "", max_processes: int = 10,
                 max_events: int = 120, interval: float = 0.25, live: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime if runtime is not None else current_runtime()
        self.max_processes = max_processes
        self.max_events = max_events
        self.title = title or "cluster"
        self._t0 = self.runtime.clock.now()
        self._buf: deque = deque(maxlen=max(20 * max_events, 2000))   # filled on the hot path
        self._events: list = []          # recorded events (dicts), oldest first
        self._pending: list = []         # messages in flight: (event dict, src, dst)
        self._seen: set = set()          # pairs of node indexes that were ever connected
        self._seq = 0
        self._notice_seq = 0
        self._fault = ""                 # what went wrong recording an event, shown in the status
        self._stop_trace = trace_sends(self.runtime, self._on_send)
        self._tele = telemetry_of(self.runtime)
        self._tele_id = f"beamlab.widgets.cluster.{next(_ids)}"
        self._tele.attach_many(self._tele_id, _TELEMETRY, self._on_event, None)
        self.listen(MESSAGES, self._handle_click)     # and the views' messages (_views.py)
        self.refresh()
        if live:
            self.start(interval)

    # ------------------------------------------------------------------ hot path
    def _dist(self):
        return getattr(self.runtime, "_dist", None)

    def _now(self) -> float:
        return self.runtime.clock.now()

    def _on_send(self, frm, to, msg) -> None:
        """A send (any): keep the ones that cross nodes, with when they will arrive."""
        if frm.node == to.node:
            return
        rt = self.runtime
        dist = rt._dist
        if dist is None or rt.current is None:
            return            # from outside any process: no network is crossed
        src, dst = frm.node, to.node
        nodes = dist.nodes
        if dst >= len(nodes) or src >= len(nodes):
            return
        now = rt.clock.now()
        p = _pair(src, dst)
        if not (nodes[src].alive and nodes[dst].alive) or (p not in dist.connected and p in dist.blocked):
            due = None       # unreachable: lost at once
        else:                # as Cluster.transmit: never before what went earlier on this channel
            lat = dist.latency.get(p, dist.default_latency)
            ch = dist.channels.get((src, dst))
            if lat <= 0 and (ch is None or not ch.queue):
                due = now
            else:
                due = max(now + lat, ch.last_due if ch is not None else 0.0)
        self._buf.append(("msg", now, src, dst, frm, to, msg, due))

    def _on_event(self, event, measurements, meta, _config) -> None:
        # never raise into the runtime's telemetry (it would detach this handler for good)
        try:
            self._record_event(event, measurements, meta)
        except Exception as exc:
            self._fault = f"could not record {'.'.join(map(str, event))}: {type(exc).__name__}: {exc}"

    def _record_event(self, event, measurements, meta) -> None:
        what = event[-1]
        now = self._now()
        if event[1] == "process":
            if meta.get("reason") == "noconnection":
                pid = meta.get("pid")
                self._buf.append(("exit", now, getattr(pid, "node", 0), pid, meta.get("name")))
            return
        if event[1] == "node":
            self._buf.append((what, now, meta.get("node")))
            return
        a, b = meta.get("nodes", (None, None))
        if what == "up":
            self._buf.append(("up", now, a, b))
            return
        self._buf.append(("down", now, a, b, meta.get("reason"), measurements.get("lost", 0)))
        self._what_a_cut_fires(now, a, b)

    def _what_a_cut_fires(self, now, a, b) -> None:
        """Runs as the connection goes down, before its consequences: note the links, monitors
        and node monitors across it (each becomes an exit signal, a DOWN or a nodedown)."""
        dist = self._dist()
        if dist is None:
            return
        na, nb = dist.find(a, "cluster view"), dist.find(b, "cluster view")
        if na is None or nb is None:
            return
        ia, ib = na.index, nb.index
        buf = self._buf
        for proc in list(self.runtime._table.values()):
            n = proc.pid.node
            other = ib if n == ia else ia if n == ib else None
            if other is None:
                continue
            for lp in proc.links or ():
                if lp.node == other:
                    what = (f"gets ('EXIT', {lp}, 'noconnection')" if proc.trap_exit
                            else "gets exit signal noconnection")
                    buf.append(("fired", now, n, proc.pid, f"link to {lp} fires: {what}"))
            names = getattr(self.runtime, "_name_monitors", None) or {}
            for ref, mp in (proc.monitors or {}).items():
                if mp.node == other:
                    item = names.get(ref, mp)
                    buf.append(("fired", now, n, proc.pid, f"gets DOWN for {item}: noconnection"))
        for watcher, watched in dist.node_monitors.items():
            n = watcher.node
            other = ib if n == ia else ia if n == ib else None
            if other is not None and other in watched:
                buf.append(("fired", now, n, watcher, f"gets ('nodedown', {dist.name_of(other)!r})"))

    # ------------------------------------------------------------------ reading the cluster
    def _node_list(self, dist) -> list:
        rt = self.runtime
        by_node: dict = {}
        for proc in list(rt._table.values()):
            by_node.setdefault(proc.pid.node, []).append(proc)
        if dist is None:
            names = [(0, NOT_DISTRIBUTED, True, sorted(getattr(rt, "_names", {}) or {}))]
        else:
            names = [(n.index, n.name, n.alive, sorted(map(str, n.names))) for n in dist.nodes]
        # each node's own view of the cluster-wide names (runtime/nodes/global_names.py):
        # in a split the two sides' views differ, which is what split brain looks like
        g = getattr(rt, "__dict__", {}).get("_global_names")
        views = g.snapshot() if g is not None else {}
        out = []
        for index, name, alive, registered in names:
            procs = by_node.get(index, []) if alive else []
            rows = self._tree_rows(procs)
            known = sorted(views.get(index, {}).items(), key=lambda kv: repr(kv[0])) if alive else []
            out.append({"name": name, "index": index, "running": alive, "home": index == 0,
                        "count": len(procs), "processes": rows[:self.max_processes],
                        "more": max(0, len(rows) - self.max_processes), "registered": registered[:20],
                        "global_names": [{"name": k if isinstance(k, str) else safe_repr(k, 40),
                                          "pid": pid_text(v)} for k, v in known[:MAX_GLOBAL]]})
        return out

    def _tree_rows(self, procs) -> list:
        """A node's processes, each child under its parent (supervision trees read as trees)."""
        procs = sorted(procs, key=lambda p: p.pid.id)
        here = {p.pid: p for p in procs}
        kids: dict = {}
        roots = []
        for p in procs:
            if p.parent in here and p.parent != p.pid:
                kids.setdefault(p.parent, []).append(p)
            else:
                roots.append(p)
        rows = []
        stack = [(p, 0) for p in reversed(roots)]
        while stack:
            p, depth = stack.pop()
            rows.append({"pid": pid_text(p.pid), "label": _process_label(p), "status": p.status,
                         "depth": min(depth, 6), "kind": _kind(p.reactor), "trap_exit": bool(p.trap_exit)})
            stack.extend((c, depth + 1) for c in reversed(kids.get(p.pid, ())))
        return rows

    def _connection_list(self, dist) -> list:
        if dist is None:
            return []
        self._seen |= dist.connected | dist.blocked
        nodes = dist.nodes
        out = []
        for p in sorted(self._seen, key=sorted):
            a, b = sorted(p)
            if p in dist.connected:
                state = "up"
            elif p in dist.blocked:
                state = "cut"
            else:
                state = "down"
            flying = sum(len(ch.queue) for key in ((a, b), (b, a))
                         if (ch := dist.channels.get(key)) is not None)
            out.append({"a": nodes[a].name, "b": nodes[b].name, "state": state,
                        "latency_ms": round(1000 * dist.latency.get(p, dist.default_latency), 3),
                        "in_flight": flying if state == "up" else 0})
        return out

    # ------------------------------------------------------------------ the lane diagram
    def _drain(self, dist) -> None:
        buf = self._buf
        name = (lambda i: dist.name_of(i) if dist is not None and i < len(dist.nodes) else NOT_DISTRIBUTED)
        while buf:
            item = buf.popleft()
            kind, at = item[0], item[1]
            self._seq += 1
            ev = {"seq": self._seq, "kind": kind, "t": at}
            if kind == "msg":
                _, _, src, dst, frm, to, msg, due = item
                ev.update(src=name(src), dst=name(dst), from_pid=pid_text(frm), to_pid=pid_text(to),
                          label=safe_repr(msg, 60), t1=at if due is None else due, lost=due is None)
                if due is not None:
                    self._pending.append((ev, _pair(src, dst)))
            elif kind in ("start", "stop"):
                ev.update(node=item[2], label=f"node {'started' if kind == 'start' else 'stopped'}")
            elif kind == "up":
                ev.update(a=item[2], b=item[3], label=f"{item[2]} — {item[3]} connected")
            elif kind == "down":
                _, _, a, b, why, lost = item
                ev.update(a=a, b=b, lost=lost,
                          label=f"{a} — {b} down ({why or 'cut'})" + (f": {lost} lost in flight" if lost else ""))
                self._lose_in_flight(dist, a, b, at)
            elif kind == "exit":
                _, _, n, pid, pname = item
                who = f"{pname} {pid}" if pname else str(pid)
                ev.update(node=name(n), pid=pid_text(pid), label=f"{who} exited: noconnection")
            elif kind == "fired":
                _, _, n, pid, text = item
                ev.update(node=name(n), pid=pid_text(pid), label=f"{pid}: {text}")
            self._events.append(ev)
        now = self._now()
        self._pending = [(ev, p) for ev, p in self._pending if not ev["lost"] and ev["t1"] > now]
        if len(self._events) > self.max_events:
            self.dropped += len(self._events) - self.max_events
            self._events = self._events[-self.max_events:]

    def _lose_in_flight(self, dist, a, b, at) -> None:
        if dist is None:
            return
        na, nb = dist.find(a, "cluster view"), dist.find(b, "cluster view")
        if na is None or nb is None:
            return
        p = _pair(na.index, nb.index)
        keep = []
        for ev, q in self._pending:
            if q == p and ev["t1"] > at and not ev["lost"]:
                ev["lost"], ev["t1"] = True, at
            else:
                keep.append((ev, q))
        self._pending = keep

    def _trace_rows(self, now: float) -> list:
        """The events with a row each (time order; a message that arrives at once shares its
        send's row) and Lamport clocks (per node: +1 per event, max(own, sent)+1 on receipt)."""
        points = []
        for ev in self._events:
            points.append((ev["t"], ev["seq"], 0, ev))
            if ev["kind"] == "msg" and ev["t1"] != ev["t"]:
                points.append((ev["t1"], ev["seq"], 1, ev))
        # at one instant an arrival goes first: what is sent then may be its answer (causality)
        points.sort(key=lambda x: (x[0], -x[2], x[1]))
        clocks: dict = {}
        out = {}
        row = -1
        for at, seq, end, ev in points:
            row += 1
            kind = ev["kind"]
            if kind == "msg":
                d = out.setdefault(seq, {**ev, "t": round(ev["t"] - self._t0, 6),
                                         "t1": round(ev["t1"] - self._t0, 6),
                                         "in_flight": (not ev["lost"]) and ev["t1"] > now})
                if end == 0:
                    d["row"] = row
                    clocks[ev["src"]] = clocks.get(ev["src"], 0) + 1
                    d["l0"] = clocks[ev["src"]]
                    if ev["t1"] == ev["t"]:
                        d["row1"] = row
                        if not ev["lost"]:
                            self._receive(clocks, d)
                else:
                    d["row1"] = row
                    if not ev["lost"] and not d["in_flight"]:
                        self._receive(clocks, d)
            else:
                d = out[seq] = {**ev, "t": round(ev["t"] - self._t0, 6), "row": row}
                lane = ev.get("node")
                if lane is not None:
                    clocks[lane] = clocks.get(lane, 0) + 1
                    d["l0"] = clocks[lane]
        return [out[ev["seq"]] for ev in self._events]

    @staticmethod
    def _receive(clocks, d) -> None:
        clocks[d["dst"]] = max(clocks.get(d["dst"], 0), d["l0"]) + 1
        d["l1"] = clocks[d["dst"]]

    # ------------------------------------------------------------------ refresh
    def _report(self, exc: BaseException) -> None:
        self.status_text = f"refresh failed: {type(exc).__name__}: {exc}"

    def refresh(self) -> bool:
        """Read the cluster now; returns True if anything drawn changed."""
        dist = self._dist()
        self._drain(dist)
        nodes = self._node_list(dist)
        conns = self._connection_list(dist)
        lanes = [n["name"] for n in nodes]
        trace = self._trace_rows(self._now())
        running = sum(1 for n in nodes if n["running"])
        up = sum(1 for c in conns if c["state"] == "up")
        cut = sum(1 for c in conns if c["state"] == "cut")
        if dist is None:
            status = "one node, not distributed: start_node('b') makes a cluster"
        else:
            status = (f"{running} node{'s' if running != 1 else ''} running · {up} connection"
                      f"{'s' if up != 1 else ''} up" + (f" · {cut} cut" if cut else "")
                      + f" · {sum(1 for e in trace if e['kind'] == 'msg')} messages between nodes")
        if self._fault:
            status += f" · {self._fault}"
        changed = (nodes != self.nodes or conns != self.connections or lanes != self.lanes
                   or trace != self.trace)
        if changed:
            with self.hold_sync():
                self.nodes = nodes
                self.connections = conns
                self.lanes = lanes
                self.trace = trace
                self.revision += 1
        if status != self.status_text:
            self.status_text = status
        return changed

    # ------------------------------------------------------------------ clicks
    def set_state(self, sync_data):
        """The front end sets no trait: what it draws comes from the runtime, and what it asks
        for comes as a checked message. An update of a trait is refused and undone."""
        if isinstance(sync_data, dict) and sync_data:
            names = sorted(map(str, sync_data))
            report_error(self, f"ignored an update of {', '.join(names)} from the browser: the cluster "
                               f"view's state comes from the runtime (click a connection or a node's "
                               f"button to change the cluster)")
            try:
                self.send_state([k for k in names if k in self.keys] or None)
            except Exception:
                pass
            return None
        return super().set_state(sync_data)

    def _handle_click(self, msg: dict) -> None:
        kind = msg["type"]
        if kind == "connection":
            self.act_on_connection(msg["a"], msg["b"], msg["action"])
        elif kind == "node":
            self.act_on_node(msg["node"], msg["action"])
        elif kind == "clear":
            self.clear()

    def _say(self, text: str, level: str = "info") -> None:
        self._notice_seq += 1
        self.notice = {"level": level, "text": text, "seq": self._notice_seq, "at": time.time()}

    def _cluster_for(self, what: str):
        dist = self._dist()
        if dist is None:
            raise ValueError(f"{what}: there is only the home node; start another with start_node('b')")
        return dist

    def act_on_connection(self, a: str, b: str, action: str) -> None:
        """Cut, heal or disconnect the connection a-b (what a click on it does; runs in the runtime).

        "cut": it goes down (links across fire with noconnection, monitors get DOWN, node
        monitors nodedown, what is in flight is lost) and stays down until healed.
        "heal": the pair may connect again, and connects now. "disconnect": it goes down
        once, as erlang:disconnect_node/1; the next send between them reconnects it."""
        dist = self._cluster_for(f"{action} {a} - {b}")
        na, nb = dist.get(a, f"{action} {a} - {b}"), dist.get(b, f"{action} {a} - {b}")
        if na is nb:
            raise ValueError(f"{action}: {a} and {b} are the same node; a connection joins two")
        if action == "cut":
            was = dist.block(na.index, nb.index)        # runtime/nodes' cut(a, b)
            self._say(f"cut {na.name} ✂ {nb.name}: " + (
                "links across it fired with noconnection, monitors got DOWN, node monitors nodedown, "
                "and what was in flight is lost. It stays cut until you heal it (click it again)."
                if was else "it was not connected; now it cannot connect until healed."), "warning")
        elif action == "disconnect":
            was = dist.cut(na.index, nb.index, "disconnect")
            self._say(f"disconnected {na.name} and {nb.name}" + (
                ": the next send between them reconnects them (auto-connect)." if was
                else ": they were not connected."))
        else:
            dist.heal(na.index, nb.index)               # heal(a, b)
            if not (na.alive and nb.alive):
                down = na if not na.alive else nb
                self._say(f"healed {na.name} - {nb.name}, but {down.name} is stopped: restart it "
                          f"(click it) and they connect again.", "warning")
            else:
                dist.connect(na.index, nb.index)    # connect_node(a, b)
                self._say(f"healed and reconnected {na.name} - {nb.name} (as net_kernel:connect_node). "
                          f"Nothing that was lost comes back; links and monitors that fired stay fired.")
        self.refresh()

    def act_on_node(self, name: str, action: str) -> None:
        """Stop or restart a node (what a click on its button does; runs in the runtime)."""
        dist = self._cluster_for(f"{action} {name}")
        node = dist.get(name, f"{action} {name}")
        if action == "stop":
            if node.index == 0:
                raise ValueError(f"{node.name} is the home node, where the notebook runs: it cannot be "
                                 f"stopped (stop the others, or restart the kernel)")
            if not node.alive:
                self._say(f"{node.name} is already stopped")
            else:
                dist.stop_node(node)
                self._say(f"stopped {node.name}: its processes were killed; every other node saw "
                          f"links fire with noconnection, DOWN noconnection and nodedown.", "warning")
        else:
            if node.alive:
                self._say(f"{node.name} is running already")
            else:
                dist.start_node(node.name, 0)
                self._say(f"restarted {node.name}: a fresh node of that name, with no processes "
                          f"and no names (nothing of the old one survives).")
        self.refresh()

    def clear(self) -> None:
        """Forget the messages drawn so far (the map stays)."""
        self._buf.clear()
        self._events = []
        self._pending = []
        self.dropped = 0
        self.refresh()

    def close(self) -> None:
        """Stop tracing and drawing."""
        self.stop()
        self._stop_trace()
        try:
            self._tele.detach(self._tele_id)
        except Exception:
            pass
        super().close()

    # ------------------------------------------------------------------ saved picture
    def saved_caption(self) -> str:
        return f"{self.title} — {self.status_text} (saved picture; run the cell for the live cluster)"

    def saved_body(self) -> str:
        return self._picture_body()

    def static_html(self) -> str:
        """The cluster as static HTML: node boxes, connections, messages between nodes."""
        return (f'<div class="beamlab-cluster-static" style="font:13px sans-serif">'
                f'<div style="color:#555">{html.escape(self.title)} — {html.escape(self.status_text)} '
                f'(static picture; run the notebook for the live view)</div>{self._picture_body()}</div>')

    def _picture_body(self) -> str:
        e = html.escape
        boxes = []
        for n in self.nodes:
            rows = "".join(
                f'<div style="padding-left:{8 * r["depth"]}px;font:12px monospace">{e(r["pid"])} '
                f'{e(r["label"])} <span style="color:#777">{e(r["status"])}</span></div>'
                for r in n["processes"])
            more = f'<div style="color:#777">+{n["more"]} more</div>' if n["more"] else ""
            known = "".join(f'<div style="color:#6a1b9a;font:12px monospace">global {e(g["name"])} → '
                            f'{e(g["pid"])}</div>' for g in n.get("global_names", ()))
            state = "running" if n["running"] else "stopped"
            boxes.append(
                f'<div style="border:1px solid #90a4ae;border-radius:4px;padding:4px 6px;min-width:180px;'
                f'background:{"#f1f8e9" if n["running"] else "#eeeeee"}"><b>{e(n["name"])}</b> '
                f'<span style="color:#555">{state}{" · home" if n["home"] else ""} · {n["count"]} '
                f'processes</span>{known}{rows}{more}</div>')
        colour = {"up": "#2e7d32", "down": "#757575", "cut": "#c62828"}
        conns = "".join(
            f'<li><span style="color:{colour[c["state"]]};font-weight:600">{c["state"]}</span> '
            f'{e(c["a"])} — {e(c["b"])} · {c["latency_ms"]:g} ms'
            + (f' · {c["in_flight"]} in flight' if c["in_flight"] else "") + "</li>"
            for c in self.connections)
        msgs = []
        for ev in self.trace:
            if ev["kind"] == "msg":
                fate = "lost" if ev["lost"] else ("in flight" if ev["in_flight"] else f'{ev["t1"]:.3f}')
                msgs.append(f'<tr><td>{ev["t"]:.3f}</td><td>{e(ev["src"])} → {e(ev["dst"])}</td>'
                            f'<td><code>{e(ev["label"])}</code></td><td>{fate}</td></tr>')
            else:
                msgs.append(f'<tr><td>{ev["t"]:.3f}</td><td colspan="3" style="color:#b71c1c">'
                            f'{e(ev.get("node") or "")} {e(ev["label"])}</td></tr>')
        table = (f'<table style="font:12px sans-serif"><tr><th>sent (s)</th><th>nodes</th><th>message</th>'
                 f'<th>arrived (s)</th></tr>{"".join(msgs)}</table>' if msgs else "")
        return (f'<div style="display:flex;flex-wrap:wrap;gap:8px">{"".join(boxes)}</div>'
                f'<ul style="margin:4px 0">{conns}</ul>{table}')

def cluster_view(**kwargs) -> ClusterView:
    """Show the simulated cluster live: nodes, connections (click to cut or heal), messages.

    >>> start_node("b")                                       # doctest: +SKIP
    >>> cluster_view()                                        # doctest: +SKIP
    """
    return ClusterView(**kwargs)
