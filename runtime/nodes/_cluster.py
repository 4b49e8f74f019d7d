"""The simulated cluster: nodes, connections, cuts, latency (see docs/distribution.md).

How this works: every node lives in the one runtime. A process's node is the
`node` number in its Pid (0 = the home node, where the notebook runs); the
process table stays one table, so `process_info`, links and monitors work across
nodes unchanged. What distribution adds is the *connection* between two nodes:

- a pair of nodes is connected once they have talked (auto-connect, as Erlang's:
  the first send, spawn, link or monitor between them connects them);
- `partition` blocks pairs (no connection can be made), `heal` unblocks them;
  they reconnect on the next send, not before;
- a connection going down (disconnect, partition, a node stopping) fires every
  link across it with `noconnection`, every monitor across it with a DOWN
  `noconnection`, every `monitor_node` on the other side with `("nodedown",
  node)`, and loses what was in flight on it;
- everything that crosses nodes (messages, exit signals, DOWN messages) goes
  through the directed channel of its pair: with latency 0 and nothing in
  flight it is delivered at once; otherwise it arrives on a timer, after all
  that was sent on that channel before it (per-pair FIFO, as Erlang promises).
  An exit signal or DOWN lost in flight is replaced by its `noconnection` one,
  as the BEAM's connection loss does.

The runtime holds this object as `rt._dist`; it is None until the first
`start_node`, and every hook in the runtime is behind `if rt._dist is not None`,
so a runtime that never starts a node runs exactly as before.
"""

from __future__ import annotations

import collections

from ..errors import BadArg
from .._signals import SYSTEM_PID
from ..pid import Pid

__all__ = ["Cluster", "HOST", "HOME"]

HOST = "lab"            # the host part of node names: start_node("b") is "b@lab"
HOME = "main"           # the home node's name once distribution starts: "main@lab"


class Node:
    __slots__ = ("index", "name", "alive", "names")

    def __init__(self, index, name, names):
        self.index = index
        self.name = name
        self.alive = True
        self.names = names          # this node's registry {name: Pid}

    def __repr__(self):
        return f"<node {self.name} #{self.index}{'' if self.alive else ' down'}>"


class _Channel:
    """The messages and signals in flight from one node to another, in order."""
    __slots__ = ("queue", "gen", "last_due")

    def __init__(self):
        self.queue = collections.deque()     # [fn, on_cut] in arrival order
        self.gen = 0                         # bumped when the connection goes down
        self.last_due = 0.0


def _pair(a: int, b: int) -> frozenset:
    return frozenset((a, b))


class Cluster:
    def __init__(self, rt):
        self.rt = rt
        home = Node(0, f"{HOME}@{HOST}", rt._names)
        self.nodes: list[Node] = [home]
        self.connected: set = set()       # frozenset pairs of node indexes
        self.blocked: set = set()         # pairs cut by partition() until heal()
        self.latency: dict = {}           # pair -> seconds
        self.default_latency = 0.0
        self.channels: dict = {}          # (src, dst) -> _Channel
        self.node_monitors: dict = {}     # watcher Pid -> [node index, ...] (one per call)
        # exit signals of links, and DOWN messages, in flight: unlink and demonitor
        # take them back, as Erlang promises (no effect after unlink/demonitor returns)
        self.links_in_flight: dict = {}   # (to Pid, from Pid) -> count
        self.downs_in_flight: set = set() # Ref

    # -- names ----------------------------------------------------------------
    def name_of(self, index: int) -> str:
        return self.nodes[index].name

    def find(self, name, what: str) -> Node | None:
        """The node called `name` ("b" or "b@lab"), or None if there never was one."""
        if not isinstance(name, str) or not name:
            raise BadArg(f"{what}: a node is named by a string like 'b' or 'b@{HOST}', "
                         f"got {name!r}")
        full = name if "@" in name else f"{name}@{HOST}"
        for n in self.nodes:
            if n.name == full:
                return n
        return None

    def get(self, name, what: str) -> Node:
        node = self.find(name, what)
        if node is None:
            raise BadArg(f"{what}: there is no node {name!r}; the nodes are "
                         f"{', '.join(n.name for n in self.nodes)} (start one with start_node)")
        return node

    # -- nodes ------------------------------------------------------------------
    def start_node(self, name, from_node: int) -> str:
        if not isinstance(name, str) or not name or name.count("@") > 1:
            raise BadArg(f"start_node({name!r}): name a node with a string like 'b' (it becomes "
                         f"'b@{HOST}') or 'b@{HOST}'")
        node = self.find(name, f"start_node({name!r})")
        if node is not None and node.alive:
            raise BadArg(f"start_node({name!r}): {node.name} is already running; "
                         f"stop_node({node.name!r}) first to start it afresh")
        if node is None:
            full = name if "@" in name else f"{name}@{HOST}"
            node = Node(len(self.nodes), full, {})
            self.nodes.append(node)
        else:                       # restarted: a fresh node under the old name
            node.alive = True
            node.names = {}
        self._event(("beamlab", "node", "start"), {"node": node.name})
        if _pair(from_node, node.index) in self.blocked:
            return node.name        # restarted across a cut: it stays cut until healed
        self.connected.add(_pair(from_node, node.index))
        self._event(("beamlab", "connection", "up"),
                    {"nodes": (self.nodes[from_node].name, node.name)})
        self._tell("connected", from_node, node.index)
        return node.name

    def _tell(self, what: str, *args) -> None:
        """Tell the cluster-wide tables (global names, pg groups: global_names.py, pg.py)
        that a connection came up or went down, or a node stopped."""
        services = self.rt.__dict__.get("_node_services")
        if services:
            for s in services:
                getattr(s, what)(*args)

    def _event(self, event, meta, measurements=None) -> None:
        """A telemetry event for observers (the cluster widget): node start/stop,
        connection up/down; the flight recorder records it too."""
        rt = self.rt
        if rt._recorder is not None:
            rt._recorder.cluster(event, meta, measurements or {})
        tele = rt.telemetry
        if tele.handlers:
            tele.execute(event, measurements or {"count": 1}, meta)

    def stop_node(self, node: Node) -> None:
        if node.index == 0:
            raise BadArg(f"stop_node({node.name!r}): that is the home node, where the notebook "
                         f"runs; stop the other nodes, or restart the kernel")
        if not node.alive:
            return
        for other in self.nodes:
            if other is not node:
                self.cut(node.index, other.index, "node_stopped")
        node.alive = False
        self._event(("beamlab", "node", "stop"), {"node": node.name})
        rt = self.rt
        for proc in [p for p in rt._table.values() if p.pid.node == node.index]:
            rt._kill(proc, "killed", now=proc is not rt.current)
        node.names.clear()
        self._tell("node_stopped", node.index)

    def visible(self, index: int) -> list:
        """Names of the nodes connected to node `index` (Erlang's nodes())."""
        return [n.name for n in self.nodes
                if n.index != index and n.alive and _pair(index, n.index) in self.connected]

    # -- connections -----------------------------------------------------------
    def reach(self, a: int, b: int) -> bool:
        """Can node a talk to node b now? Connects them if they may (auto-connect)."""
        if a == b:
            return True
        nodes = self.nodes
        if not (nodes[a].alive and nodes[b].alive):
            return False
        p = _pair(a, b)
        if p in self.connected:
            return True
        if p in self.blocked:
            return False
        self.connected.add(p)
        self._event(("beamlab", "connection", "up"), {"nodes": (nodes[a].name, nodes[b].name)})
        self._tell("connected", a, b)     # global's names merge (and conflicts resolve) here
        return True

    def transmit(self, src: int, dst: int, fn, on_cut=None) -> bool:
        """Carry `fn` (a delivery) from node src to node dst, in order; False if unreachable."""
        if not self.reach(src, dst):
            return False
        key = (src, dst)
        ch = self.channels.get(key)
        lat = self.latency.get(_pair(src, dst), self.default_latency)
        if lat <= 0 and (ch is None or not ch.queue):
            fn()
            return True
        if ch is None:
            ch = self.channels[key] = _Channel()
        now = self.rt.clock.now()
        due = max(now + lat, ch.last_due)
        ch.last_due = due
        ch.queue.append((fn, on_cut))
        self.rt.add_timer(due - now, self._arrive, ch, ch.gen)
        return True

    @staticmethod
    def _arrive(ch, gen) -> None:
        if gen != ch.gen or not ch.queue:
            return          # lost: the connection went down while it was in flight
        fn, _ = ch.queue.popleft()
        fn()

    def cut(self, a: int, b: int, why: str = "disconnect") -> bool:
        """The connection a-b goes down (if it was up): apply Erlang's consequences.
        `why`: "disconnect", "partition" or "node_stopped", for observers."""
        p = _pair(a, b)
        if a == b or p not in self.connected:
            return False
        self.connected.discard(p)
        self._tell("disconnected", a, b)
        lost = []
        lost_count = 0
        for key in ((a, b), (b, a)):
            ch = self.channels.get(key)
            if ch is not None:
                lost_count += len(ch.queue)
                ch.gen += 1
                lost.extend(on_cut for _, on_cut in ch.queue if on_cut is not None)
                ch.queue.clear()
                ch.last_due = 0.0
        self._event(("beamlab", "connection", "down"),
                    {"nodes": (self.nodes[a].name, self.nodes[b].name), "reason": why},
                    {"count": 1, "lost": lost_count})
        rt = self.rt
        table = rt._table
        exits, downs = [], []
        for proc in list(table.values()):
            n = proc.pid.node
            if n == a:
                other = b
            elif n == b:
                other = a
            else:
                continue
            if proc.links:
                for lp in [x for x in proc.links if x.node == other]:
                    proc.links.discard(lp)
                    exits.append((proc, lp))
            if proc.monitors:
                names = rt._name_monitors
                for ref, mp in [(r, m) for r, m in proc.monitors.items() if m.node == other]:
                    del proc.monitors[ref]
                    target = table.get(mp.id)
                    if target is not None and target.monitored_by:
                        target.monitored_by.pop(ref, None)
                    item = names.pop(ref, mp) if names else mp
                    downs.append((proc, ("DOWN", ref, "process", item, "noconnection")))
            if proc.monitored_by:
                for ref in [r for r, w in proc.monitored_by.items() if w.node == other]:
                    del proc.monitored_by[ref]
        for fn in lost:
            fn()
        # as the BEAM delivers them: the EXITs, then the DOWNs, then nodedown
        for proc, lp in exits:
            rt._exit_signal(proc, lp, "noconnection", via_link=True)
        for proc, msg in downs:
            if proc.alive:
                rt._deliver(proc, msg)
        for watcher, watched in list(self.node_monitors.items()):
            w = table.get(watcher.id)
            if w is None:
                del self.node_monitors[watcher]
                continue
            n = watcher.node
            other = b if n == a else a if n == b else None
            if other is None or other not in watched:
                continue
            down = self.nodes[other].name
            keep = [x for x in watched if x != other]
            for _ in range(len(watched) - len(keep)):
                rt._deliver(w, ("nodedown", down))
            if keep:
                self.node_monitors[watcher] = keep
            else:
                del self.node_monitors[watcher]
        return True

    def partition(self, groups) -> None:
        where = {}
        for g, group in enumerate(groups):
            if isinstance(group, str):
                raise BadArg(f"partition({groups!r}): give a list of groups, each a list of "
                             f"nodes, e.g. partition([['a', 'b'], ['c']])")
            for name in group:
                node = self.get(name, f"partition({groups!r})")
                if node.index in where:
                    raise BadArg(f"partition({groups!r}): {node.name} is in two groups")
                where[node.index] = g
        missing = [n.name for n in self.nodes if n.alive and n.index not in where]
        if missing:
            raise BadArg(f"partition({groups!r}): every running node must be in a group; "
                         f"{', '.join(missing)} is not (a group may hold one node)")
        for i in where:
            for j in where:
                if i < j and where[i] != where[j]:
                    self.blocked.add(_pair(i, j))
                    self.cut(i, j, "partition")

    def block(self, a: int, b: int) -> bool:
        """Cut the connection a-b and keep it cut until healed (a partition of that one
        pair): the public `cut(a, b)`. Returns whether it was up."""
        if a == b:
            raise BadArg(f"cut({self.nodes[a].name!r}, {self.nodes[b].name!r}): a connection "
                         f"joins two different nodes")
        self.blocked.add(_pair(a, b))
        return self.cut(a, b, "partition")

    def heal(self, a: int | None = None, b: int | None = None) -> None:
        """End every cut (no arguments) or that of the pair a-b. They connect again on
        the next send, not before (or at once with `connect`)."""
        if a is None:
            self.blocked.clear()
        else:
            self.blocked.discard(_pair(a, b))

    def connect(self, a: int, b: int) -> bool:
        """Connect a and b now if they may be (both running, not cut), as
        `net_kernel:connect_node/1`: global's names merge (and conflicts resolve) at once."""
        return self.reach(a, b)

    def set_latency(self, seconds, a=None, b=None) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise BadArg(f"set_latency: the latency is a number of seconds >= 0, got {seconds!r}")
        if a is None and b is None:
            self.default_latency = float(seconds)
            self.latency.clear()
            return
        if a is None or b is None:
            raise BadArg("set_latency(seconds, a, b): name both nodes of the connection, "
                         "or neither to set every connection's latency")
        na = self.get(a, "set_latency").index
        nb = self.get(b, "set_latency").index
        self.latency[_pair(na, nb)] = float(seconds)

    # -- node monitors ------------------------------------------------------------
    def monitor_node(self, proc, name, flag: bool) -> bool:
        me = proc.pid
        node = self.find(name, f"monitor_node({name!r}, {flag!r})")
        if not flag:
            lst = self.node_monitors.get(me)
            if lst and node is not None and node.index in lst:
                lst.remove(node.index)
                if not lst:
                    del self.node_monitors[me]
            return True
        if node is None or not self.reach(me.node, node.index):
            full = name if "@" in name else f"{name}@{HOST}"
            self.rt._deliver(proc, ("nodedown", full))
            return True
        if node.index != me.node:
            self.node_monitors.setdefault(me, []).append(node.index)
        return True

    # -- spawning on a node ---------------------------------------------------------
    def nowhere(self, n: int, cur) -> Pid:
        """The pid a spawn on an unreachable node returns: it never lived, as Erlang's."""
        return Pid(n, cur.pid.node if cur is not None else 0)

    # -- what crosses nodes -------------------------------------------------------------
    def send(self, src: int, pid: Pid, msg) -> None:
        """A message from node src to `pid` on another node."""
        rt = self.rt

        def arrive():
            t = rt._table.get(pid.id)
            if t is not None:
                rt._deliver(t, msg)
            elif rt._recorder is not None:
                rt._recorder.lost(pid, msg)

        if not self.transmit(src, pid.node, arrive) and rt._recorder is not None:
            rt._recorder.lost(pid, msg)

    def link_exit(self, other, from_pid: Pid, reason) -> None:
        """The exit signal of the dead `from_pid` through its link to `other` on another node."""
        rt = self.rt
        key = (other.pid, from_pid)
        flying = self.links_in_flight

        def arrive(reason=reason):
            n = flying.get(key)
            if not n:
                return          # unlinked while it was on its way
            if n == 1:
                del flying[key]
            else:
                flying[key] = n - 1
            rt._exit_signal(other, from_pid, reason, via_link=True)

        flying[key] = flying.get(key, 0) + 1
        if not self.transmit(from_pid.node, other.pid.node, arrive,
                             lambda: arrive("noconnection")):
            arrive("noconnection")

    def down(self, watcher, from_node: int, ref, item, reason) -> None:
        """A DOWN message for `watcher` about a process on node from_node."""
        rt = self.rt
        flying = self.downs_in_flight

        def arrive(reason=reason):
            if ref in flying:           # not demonitored while it was on its way
                flying.discard(ref)
                if watcher.alive:
                    rt._deliver(watcher, ("DOWN", ref, "process", item, reason))

        flying.add(ref)
        if not self.transmit(from_node, watcher.pid.node, arrive,
                             lambda: arrive("noconnection")):
            arrive("noconnection")

    def exit_signal(self, from_pid: Pid, target, reason) -> None:
        """`exit(pid, reason)` to a process on another node: lost if unreachable."""
        rt = self.rt
        self.transmit(from_pid.node, target.pid.node,
                      lambda: rt._exit_signal(target, from_pid, reason, via_link=False))

    def spawn_pid(self, n: int, cur, node) -> Pid | None:
        """The pid of a new process: on `node` if given, else on the spawner's node;
        None if `node` cannot be reached from the spawner's."""
        here = cur.pid.node if cur is not None else 0
        if node is None:
            return Pid(n, here)
        target = self.get(node, f"spawn({node!r}, ...)")     # a typo: BadArg
        if not self.reach(here, target.index):
            return None     # stopped, or cut off: Erlang's answer, see spawn_failed
        return Pid(n, target.index)

    def spawn_failed(self, n: int, cur, node, fn, link: bool, monitor: bool):
        """Erlang's spawn on a node it cannot reach: a warning, and a pid whose link
        gives `noconnection` and whose monitor gives `noproc` (as OTP 25 shows)."""
        rt = self.rt
        pid = Pid(n, cur.pid.node if cur is not None else 0)
        full = node if isinstance(node, str) and "@" in node else f"{node}@{HOST}"
        gl = cur.group_leader if cur is not None else rt.default_group_leader
        try:
            gl.write_err(f"=WARNING REPORT==== ** Can not start {getattr(fn, '__qualname__', fn)}"
                         f"{' ([link])' if link else ''} on {full} **\n")
        except Exception:
            pass
        if link and cur is not None:
            rt._exit_signal(cur, pid, "noconnection", via_link=True)
        if monitor:
            ref = rt.monitor(cur, pid) if cur is not None else None
            return pid, ref
        return pid

    def reply(self, pid: Pid, tag, value) -> bool:
        """A GenServer reply to a caller on another node (True: handled here). It is
        dropped on arrival if the caller gave up meanwhile, as OTP's alias does."""
        rt = self.rt
        cur = rt.current
        src = cur.pid.node if cur is not None else 0
        if src == pid.node:
            return False
        rt.messages_sent += 1
        if rt._send_tracers or rt._flag_tracers:    # they see it sent, as Runtime.send shows them
            msg = (tag, value)
            frm = cur.pid if cur is not None else SYSTEM_PID
            for tracer in rt._send_tracers:
                tracer(frm, pid, msg)
            if rt._flag_tracers:
                target = rt._table.get(pid.id)
                if (cur is not None and cur.traced) or (target is not None and target.traced):
                    for tracer in rt._flag_tracers:
                        tracer(frm, pid, msg)

        def arrive():
            proc = rt._table.get(pid.id)
            if proc is not None and proc.monitors and tag in proc.monitors:
                rt._deliver(proc, (tag, value))
            elif rt._recorder is not None:      # dropped on arrival: the recording says so
                rt._recorder.reply_dropped(pid, cur.pid if cur is not None else None, tag, value)

        self.transmit(src, pid.node, arrive)
        return True

    def registry_for(self, cur, name, pid: Pid) -> dict:
        """The registry `register(name, pid)` enters a name in: the caller's node's.
        As in Erlang, only a pid of the caller's own node can be registered there."""
        here = cur.pid.node if cur is not None else 0
        if pid.node != here:
            where = self.name_of(pid.node) if pid.node < len(self.nodes) else "another node"
            raise BadArg(f"register({name!r}, {pid!r}): that process lives on {where}, and a "
                         f"name is registered on the caller's own node ({self.name_of(here)}); "
                         f"register it from there, e.g. as the process's first act: "
                         f"spawn({where!r}, lambda: (register({name!r}, self()), ...))")
        return self.nodes[here].names

    def send_from(self, here: int, dest, msg) -> None:
        """A send made on node `here` by no running process (a send_after firing):
        a name is looked up on that node, and another node's pid is reached through
        the connection, as the BEAM's timer sends from the node that set it."""
        rt = self.rt
        if type(dest) is Pid:
            pid = dest
        elif isinstance(dest, str):
            pid = self.nodes[here].names.get(dest)
            if pid is None:
                return
        else:
            name, node = dest if type(dest) is tuple and len(dest) == 2 else (None, None)
            there = self.find(node, f"send_after(..., {dest!r}, ...)") if name else None
            if there is None:
                raise BadArg(f"send_after: {dest!r} is not a pid, a name or a (name, node)")
            pid = there.names.get(name) or Pid(0, there.index)
        if pid.node != here:
            self.send(here, pid, msg)
        else:
            rt.send(pid, msg, False)

    # -- for observers (the cluster widget of issue 14 point 4) -------------------------
    def snapshot(self) -> dict:
        """What a widget draws, as plain data: nodes (name, running, process count),
        connections (up, or blocked by a partition), latencies and what is in flight;
        each node's view of the global names ({name: pid}) and every pg group's members
        ({group: [pid, ...]}, on all nodes).

            >>> current_runtime()._dist.snapshot()["connections"]
            [{'nodes': ('main@lab', 'b@lab'), 'up': True, 'blocked': False, ...}]
        """
        counts = collections.Counter(p.pid.node for p in self.rt._table.values())
        nodes = [{"name": n.name, "index": n.index, "running": n.alive,
                  "processes": counts.get(n.index, 0) if n.alive else 0,
                  "registered": sorted(n.names)} for n in self.nodes]
        pairs = sorted(self.connected | self.blocked, key=sorted)
        conns = []
        for p in pairs:
            a, b = sorted(p)
            flying = sum(len(ch.queue) for key in ((a, b), (b, a))
                         if (ch := self.channels.get(key)) is not None)
            conns.append({"nodes": (self.nodes[a].name, self.nodes[b].name),
                          "up": p in self.connected, "blocked": p in self.blocked,
                          "latency": self.latency.get(p, self.default_latency),
                          "in_flight": flying})
        # cluster-wide names and groups (global_names.py, pg.py), once used
        g = self.rt.__dict__.get("_global_names")
        views = g.snapshot() if g is not None else {}
        for entry in nodes:
            entry["global_names"] = dict(sorted(views.get(entry["index"], {}).items(),
                                                key=lambda kv: repr(kv[0])))
        pg = self.rt.__dict__.get("_pg_groups")
        return {"nodes": nodes, "connections": conns,
                "groups": pg.snapshot() if pg is not None else {}}
