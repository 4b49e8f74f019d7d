"""The supervision tree as a plain snapshot: what the tree widget draws.

How this works: `tree_snapshot(runtime, root)` walks a supervisor from the outside,
like Erlang's observer attached to a node. For every process it reads
`runtime.process_info(pid)`; a supervisor exposes its internals through its
behaviour hook (`format_status()`, read by `_runtime.behaviour_status`):

    {"strategy": "one_for_one", "intensity": 3, "period": 5,
     "children": [{"id", "pid", "restart", "shutdown", "type"}, ...],
     "restarts": [timestamps of recent restarts, runtime clock]}

Each node is identified by its *path* of child ids from the root (not its pid),
so a restarted child keeps its place and its key. A `RestartHistory` remembers the
pid last seen at every path across snapshots; a new pid at the same path is a
restart. Links that are not parent/child edges become dotted edges, including
links to processes outside the tree. A supervisor with more children than
`max_children` shows the interesting ones (dead, restarting, recently restarted)
and the first few, and folds the rest into one "group" node.

The snapshot is plain data (`to_json()`), so it can be tested without a browser
and sent to the front end as it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ._runtime import behaviour_status

__all__ = ["Intensity", "TreeNode", "TreeSnapshot", "RestartHistory", "tree_snapshot", "last_known",
           "resolve_root", "snapshot_from_state", "root_then"]

SUPERVISOR_BEHAVIOURS = {"Supervisor", "DynamicSupervisor", "supervisor"}
ALIVE = {"running", "runnable", "waiting", "exiting"}


@dataclass(frozen=True)
class Intensity:
    """A supervisor's restart-intensity window: `used` restarts of `allowed` in `period` s.

    >>> str(Intensity(used=2, allowed=3, period=5))
    '2/3 in 5s'
    """
    used: int
    allowed: int
    period: float

    def __str__(self) -> str:
        period = int(self.period) if float(self.period).is_integer() else self.period
        return f"{self.used}/{self.allowed} in {period}s"

    @property
    def exhausted(self) -> bool:
        """True when one more restart would make the supervisor give up."""
        return self.used >= self.allowed


@dataclass(frozen=True)
class TreeNode:
    """One box in the supervision tree.

    `key` is stable across restarts (it names the child's place, not its pid);
    `pid` is the live Pid or None while the child is not running.
    kind: "supervisor" | "worker" | "process" (linked, outside the tree) | "group".
    status: "running" | "runnable" | "waiting" | "exiting" (alive), "restarting" (its
    supervisor is restarting it), "stopped" (the supervisor holds no pid for it, e.g. a
    transient child that exited normally) or "dead" (its pid is no longer alive).
    """
    key: str
    pid: Any
    name: str
    kind: str
    status: str
    restarts: int = 0
    recently_restarted: bool = False
    parent: str | None = None
    children: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    intensity: Intensity | None = None
    strategy: str | None = None
    restart: str | None = None
    behaviour: str | None = None
    hidden: int = 0            # for a "group" node: how many children it stands for
    summary: str = ""          # for a "group" node: e.g. "964 waiting, 2 dead"

    @property
    def alive(self) -> bool:
        return self.status in ALIVE

    def to_json(self) -> dict:
        """This node as JSON-able data (pids as their repr, e.g. "<0.42.0>")."""
        return {
            "key": self.key, "pid": None if self.pid is None else str(self.pid),
            "name": self.name, "kind": self.kind, "status": self.status,
            "restarts": self.restarts, "recently_restarted": self.recently_restarted,
            "parent": self.parent, "children": list(self.children), "links": list(self.links),
            "intensity": None if self.intensity is None else {
                "used": self.intensity.used, "allowed": self.intensity.allowed,
                "period": self.intensity.period, "text": str(self.intensity)},
            "strategy": self.strategy, "restart": self.restart, "behaviour": self.behaviour,
            "hidden": self.hidden, "summary": self.summary,
        }


@dataclass(frozen=True)
class TreeSnapshot:
    """The whole tree at one instant: `nodes` in drawing order, root first.

    >>> snap = tree_snapshot(rt, sup)                       # doctest: +SKIP
    >>> [n.name for n in snap.nodes if n.kind == "worker"]  # doctest: +SKIP
    ['db', 'cache']
    """
    root: str | None
    nodes: tuple[TreeNode, ...]
    taken_at: float = 0.0
    note: str = ""             # e.g. "the root <0.40.0> is not alive"

    def node(self, key: str) -> TreeNode | None:
        for n in self.nodes:
            if n.key == key:
                return n
        return None

    def by_name(self, name: str) -> TreeNode | None:
        for n in self.nodes:
            if n.name == name:
                return n
        return None

    def to_json(self) -> dict:
        return {"root": self.root, "taken_at": self.taken_at, "note": self.note,
                "nodes": [n.to_json() for n in self.nodes]}


@dataclass
class _Seen:
    key: str
    pid: Any = None
    restarts: int = 0
    last_restart: float | None = None


@dataclass
class RestartHistory:
    """What earlier snapshots saw at each place in the tree, to count restarts.

    A child whose place shows a different pid than last time was restarted.
    `recent` is how long (runtime seconds) a restart stays highlighted.
    """
    recent: float = 3.0
    _seen: dict[tuple, _Seen] = field(default_factory=dict)
    _path_of: dict[Any, tuple] = field(default_factory=dict)

    def observe(self, path: tuple, pid: Any, now: float) -> _Seen:
        if pid is not None:
            self._path_of[pid] = path
        seen = self._seen.get(path)
        if seen is None:
            seen = self._seen[path] = _Seen(key=f"n{len(self._seen)}", pid=pid)
            return seen
        if pid is not None and seen.pid is not None and pid != seen.pid:
            seen.restarts += 1
            seen.last_restart = now
        if pid is not None:
            seen.pid = pid
        return seen

    def record_restart(self, supervisor, child_id, new_pid, now: float) -> bool:
        """A supervisor reported restarting `child_id` (its restart telemetry event).

        Counts restarts that happen faster than snapshots are taken; the pid seen
        is updated so the next snapshot does not count the same restart again.
        Returns False for a supervisor no snapshot has seen yet.
        """
        sup_path = self._path_of.get(supervisor)
        if sup_path is None:
            return False
        path = sup_path + (child_id,)
        self.key(path)
        seen = self._seen[path]
        seen.restarts += 1
        seen.last_restart = now
        if new_pid is not None:
            seen.pid = new_pid
            self._path_of[new_pid] = path
        return True

    def key(self, path: tuple) -> str:
        seen = self._seen.get(path)
        if seen is None:
            seen = self._seen[path] = _Seen(key=f"n{len(self._seen)}")
        return seen.key


# --------------------------------------------------------------------------- reading the runtime

def supervisor_status(runtime, pid, info: dict | None) -> dict | None:
    """The supervisor internals of `pid` (from its behaviour hook), or None for a non-supervisor."""
    if not info:
        return None
    status = behaviour_status(runtime, pid, info)
    if isinstance(status, dict) and "children" in status and "strategy" in status:
        return status
    return None


def _name(info: dict | None, fallback: str) -> str:
    if info and info.get("registered_name"):
        return str(info["registered_name"])
    return fallback


def _status(info: dict | None) -> str:
    if not info:
        return "dead"
    return str(info.get("status") or "running")


def _in_window(restarts: Iterable[float], period: float, now: float) -> int:
    return sum(1 for t in restarts if now - t <= period)


def _call_name(info: dict | None) -> str:
    if not info:
        return "?"
    call = info.get("initial_call")
    if isinstance(call, (tuple, list)) and call:
        return str(call[0])
    return str(call) if call else "process"


def _root_label(info: dict | None) -> str:
    """An unnamed root as a learner knows it: `Supervisor`, or their own class (`MyApp`),
    rather than the callback it runs (`Supervisor.init/1`)."""
    call = _call_name(info)
    for suffix in (".init/1", ".init"):
        if call.endswith(suffix):
            return call[: -len(suffix)].rsplit(".", 1)[-1] or call
    return call


# --------------------------------------------------------------------------- the walk

def tree_snapshot(runtime, root, *, history: RestartHistory | None = None,
                  max_children: int = 40, shown: dict[str, int] | None = None,
                  max_outside_links: int = 24, now: float | None = None) -> TreeSnapshot:
    """Walk the supervision tree under `root` (a Pid or a registered name) now.

    Mirrors what observer's "Applications" tab shows. Supervisors with more than
    `max_children` children fold the rest into a group node; `shown[key]` asks to
    show more children of the supervisor at `key`.

    >>> snap = tree_snapshot(rt, "my_sup")                  # doctest: +SKIP
    >>> snap.nodes[0].intensity                             # doctest: +SKIP
    Intensity(used=0, allowed=3, period=5)
    """
    history = history if history is not None else RestartHistory()
    shown = shown or {}
    if now is None:
        clock = getattr(runtime, "clock", None)
        now = clock.now() if clock is not None else 0.0
    pid = _resolve(runtime, root)
    nodes: dict[str, dict] = {}
    order: list[str] = []
    pid_key: dict[Any, str] = {}

    def add(path, pid, name, parent, kind_hint=None, restart=None, marker=None):
        info = runtime.process_info(pid) if pid is not None else None
        if info:
            seen = history.observe(path, pid, now)
        else:                      # not running: keep the last pid seen, so a new one counts
            history.key(path)
            seen = history._seen[path]
        key = seen.key
        sup = supervisor_status(runtime, pid, info)
        if info is not None:
            status = _status(info)
        elif marker == "restarting":
            status = "restarting"
        else:
            status = "stopped" if pid is None else "dead"
        kind = "supervisor" if (sup is not None or kind_hint == "supervisor") else "worker"
        node = dict(key=key, pid=pid if info else None, name=_name(info, name), kind=kind,
                    status=status, restarts=seen.restarts,
                    recently_restarted=(seen.last_restart is not None and now - seen.last_restart <= history.recent),
                    parent=parent, children=[], links=[], restart=restart,
                    behaviour=(info or {}).get("behaviour"), intensity=None, strategy=None,
                    hidden=0, summary="", _info=info)
        nodes[key] = node
        order.append(key)
        if info:
            pid_key[pid] = key
        if parent is not None:
            nodes[parent]["children"].append(key)
        if sup is not None:
            node["strategy"] = sup.get("strategy")
            period = sup.get("period", 5)
            node["intensity"] = Intensity(used=_in_window(sup.get("restarts", ()), period, now),
                                          allowed=sup.get("intensity", 3), period=period)
            add_children(path, key, sup.get("children", []))
        return key

    def add_children(path, key, children):
        limit = max(max_children, shown.get(key, 0))
        if len(children) <= limit:
            for i, ch in enumerate(children):
                add_child(path, key, i, ch)
            return
        # Too many to draw: show the first ones and the interesting ones, fold the rest.
        # Folded children are still observed (pid only, no process_info) so their restarts count.
        folded = []
        for i, ch in enumerate(children):
            cpath = path + (_child_id(ch, i),)
            pid = ch.get("pid")
            if _is_pid(pid):
                history.observe(cpath, pid, now)
            history.key(cpath)
            seen = history._seen[cpath]
            recent = seen.last_restart is not None and now - seen.last_restart <= history.recent
            if i < limit // 2 or not _is_pid(pid) or recent:
                add_child(path, key, i, ch)
            else:
                folded.append(ch)
        alive = sum(1 for ch in folded if _is_pid(ch.get("pid")))
        counts = {"alive": alive, "not running": len(folded) - alive}
        gkey = history.key(path + ("…group",))
        nodes[gkey] = dict(key=gkey, pid=None, name=f"{len(folded)} more", kind="group",
                           status="running", restarts=0, recently_restarted=False, parent=key,
                           children=[], links=[], restart=None, behaviour=None, intensity=None,
                           strategy=None, hidden=len(folded),
                           summary=", ".join(f"{n} {what}" for what, n in counts.items() if n),
                           _info=None)
        order.append(gkey)
        nodes[key]["children"].append(gkey)

    def add_child(path, key, i, ch):
        cid = _child_id(ch, i)
        pid = ch.get("pid")
        add(path + (cid,), pid if _is_pid(pid) else None, str(cid), key,
            kind_hint=ch.get("type"), restart=ch.get("restart"),
            marker=_marker(pid))

    note = ""
    if pid is None or runtime.process_info(pid) is None:
        note = f"{root!s} is not alive" if pid is not None else f"no process is registered as {root!r}"
        rkey = history.key(("root",))
        n = TreeNode(key=rkey, pid=None, name=str(root), kind="supervisor", status="dead")
        return TreeSnapshot(root=rkey, nodes=(n,), taken_at=now, note=note)
    root_info = runtime.process_info(pid)
    rkey = add(("root",), pid, _name(root_info, _root_label(root_info)), None)
    _add_links(runtime, nodes, order, pid_key, history, max_outside_links)
    out = []
    for key in order:
        d = dict(nodes[key])
        d.pop("_info")
        d["children"] = tuple(d["children"])
        d["links"] = tuple(d["links"])
        out.append(TreeNode(**d))
    return TreeSnapshot(root=rkey, nodes=tuple(out), taken_at=now, note=note)


def _add_links(runtime, nodes, order, pid_key, history, max_outside):
    """Dotted edges for links that are not the parent/child supervision edges."""
    pairs = set()
    outside = 0
    for key in list(order):
        node = nodes[key]
        info = node["_info"]
        if not info:
            continue
        for other in info.get("links") or ():
            okey = pid_key.get(other)
            if okey is None:
                if node["kind"] != "worker" or outside >= max_outside:
                    continue      # a supervisor's link to its own parent is not news
                oinfo = runtime.process_info(other)
                if oinfo is None:
                    continue
                okey = history.key(("linked", other))
                if okey not in nodes:
                    outside += 1
                    nodes[okey] = dict(key=okey, pid=other, name=_name(oinfo, _call_name(oinfo)),
                                       kind="process", status=_status(oinfo), restarts=0,
                                       recently_restarted=False, parent=None, children=[], links=[],
                                       restart=None, behaviour=oinfo.get("behaviour"), intensity=None,
                                       strategy=None, hidden=0, summary="", _info=None)
                    order.append(okey)
                    pid_key[other] = okey
            if okey == key or nodes[okey]["parent"] == key or node["parent"] == okey:
                continue
            pair = tuple(sorted((key, okey)))
            if pair in pairs:
                continue
            pairs.add(pair)
            node["links"].append(okey)


def _child_id(ch: dict, i: int):
    cid = ch.get("id")
    if cid is None:
        pid = ch.get("pid")
        return str(pid) if _is_pid(pid) else f"#{i}"
    return cid


def _is_pid(x) -> bool:
    """A child's pid slot holds a Pid, None (not running) or a "restarting" marker."""
    return type(x).__name__ == "Pid"


def _marker(x) -> str | None:
    return "restarting" if x is not None and str(x) == "restarting" else None


def last_known(previous: TreeSnapshot, note: str) -> TreeSnapshot:
    """`previous` (the last snapshot of a living tree) greyed out: every node "gone",
    its structure kept, with `note` saying what happened."""
    from dataclasses import replace
    nodes = tuple(replace(n, status="gone", recently_restarted=False) for n in previous.nodes)
    return TreeSnapshot(root=previous.root, nodes=nodes, taken_at=previous.taken_at, note=note)


def resolve_root(runtime, root):
    """The pid `root` stands for now (a registered name is looked up), or None."""
    return _resolve(runtime, root)


def _resolve(runtime, root):
    if isinstance(root, str):
        whereis = getattr(runtime, "whereis", None)
        return whereis(root) if whereis else None
    return root



# --------------------------------------------------------------------------- a moment of a recording

def _pid_then(n, state=None):
    """A recorded pid number as a Pid, on its node (`state.node_of`: prints <1.N.0> for the
    first node started, and equals the live process's pid)."""
    if n is None:
        return None
    try:
        from beamlab.runtime.pid import Pid
        node_of = getattr(state, "node_of", None)
        return Pid(int(n), node_of.get(n, 0) if node_of else 0)
    except ImportError:            # pragma: no cover - widgets without the runtime package
        return n


def _number(pid):
    return getattr(pid, "id", pid)


def root_then(state, root):
    """The pid number `root` (a Pid, a number or a registered name) stood for at `state`'s
    moment: a name is looked up in the names registered then. None if nobody had it."""
    if isinstance(root, str):
        return state.names.get(root)
    return _number(root)


def snapshot_from_state(state, root, *, history: RestartHistory | None = None,
                        max_children: int = 40, shown: dict[str, int] | None = None,
                        max_outside_links: int = 24) -> TreeSnapshot:
    """The supervision tree under `root` as a recording says it was at one moment.

    `state` is `runtime.recording.state_at(recording, seq)` (a `State`). The result is
    the same `TreeSnapshot` the live tree draws (so `to_dot` draws it unchanged): a
    supervisor's children are the ones it had started then, in its order, each at its
    place (`history.key(path)`, the same keys as the live tree's, so a selection carries
    over); `restarts` counts its restarts up to then; a supervisor's intensity is the
    failures within its period at that moment; a child whose supervisor is between
    stopping and restarting it is "restarting", one whose pid had died "dead".

    >>> rec = rt.recorder.recording()                             # doctest: +SKIP
    >>> snapshot_from_state(rec.state_at(120), "app").nodes[0].intensity   # doctest: +SKIP
    Intensity(used=1, allowed=3, period=5)
    """
    history = history if history is not None else RestartHistory()
    shown = shown or {}
    now = state.t or 0.0
    n_root = root_then(state, root)
    proc = state.procs.get(n_root) if n_root is not None else None
    if proc is None or not proc["alive"]:
        rkey = history.key(("root",))
        if proc is None and isinstance(root, str):
            note = f"no process was registered as {root!r} at this moment"
        elif proc is None:
            note = f"{_pid_then(n_root, state)} had not started at this moment"
        else:
            note = f"{_pid_then(n_root, state)} had exited ({proc['reason']}) at this moment"
        n = TreeNode(key=rkey, pid=None, name=str(root), kind="supervisor", status="dead")
        return TreeSnapshot(root=rkey, nodes=(n,), taken_at=now, note=note)
    nodes: dict[str, dict] = {}
    order: list[str] = []
    key_of: dict[int, str] = {}

    def add(path, n, name, parent, *, restarts=0, restarting=False):
        p = state.procs.get(n) if n is not None else None
        key = history.key(path)
        sup = state.supervisor(n) if n is not None else None
        alive = p is not None and p["alive"]
        if alive:
            status = "running"
        elif n is None:
            status = "restarting" if restarting else "stopped"
        else:
            status = "dead"
        label = (p or {}).get("name") or name
        node = dict(key=key, pid=_pid_then(n, state) if alive else None, name=str(label),
                    kind="supervisor" if sup is not None else "worker", status=status,
                    restarts=restarts, recently_restarted=False, parent=parent, children=[],
                    links=[], restart=None, behaviour=None, intensity=None, strategy=None,
                    hidden=0, summary="", _n=n if alive else None)
        if not alive and n is not None:
            node["_dead"] = _pid_then(n, state)
        nodes[key] = node
        order.append(key)
        if alive:
            key_of[n] = key
        if parent is not None:
            nodes[parent]["children"].append(key)
        if sup is not None and alive:
            node["strategy"] = sup.get("strategy")
            if sup.get("intensity") is not None:
                node["intensity"] = Intensity(used=len(sup["window"]), allowed=sup["intensity"],
                                              period=sup.get("period") or 5)
            kids = [(cid, pid) for cid, pid in sup["children"].items()]
            started = {pid for _cid, pid in kids if pid is not None}
            # spawned by it but not (yet) reported as its child: a child being started
            kids += [(str(_pid_then(m, state)), m) for m in state.children(n) if m not in started]
            add_children(path, key, kids, sup)
        elif alive and n is not None and state.sups.get(n) is None:
            pass                       # a worker: its own spawns are not supervision
        return key

    def add_children(path, key, kids, sup):
        limit = max(max_children, shown.get(key, 0))
        folded = []
        for i, (cid, pid) in enumerate(kids):
            p = state.procs.get(pid) if pid is not None else None
            plain = p is not None and p["alive"]
            if len(kids) <= limit or i < limit // 2 or not plain:
                add(path + (cid,), pid, str(cid), key,
                    restarts=sup["child_restarts"].get(cid, 0), restarting=pid is None)
            else:
                folded.append(cid)
        if folded:
            gkey = history.key(path + ("…group",))
            nodes[gkey] = dict(key=gkey, pid=None, name=f"{len(folded)} more", kind="group",
                               status="running", restarts=0, recently_restarted=False, parent=key,
                               children=[], links=[], restart=None, behaviour=None, intensity=None,
                               strategy=None, hidden=len(folded), summary=f"{len(folded)} alive",
                               _n=None)
            order.append(gkey)
            nodes[key]["children"].append(gkey)

    call = proc.get("call") or "process"
    base = call[:-len(".init/1")] if call.endswith(".init/1") else call
    rkey = add(("root",), n_root, proc.get("name") or base.rsplit(".", 1)[-1] or call, None)
    # dotted edges for links that are not supervision edges
    pairs = set()
    outside = 0
    for key in list(order):
        node = nodes[key]
        n = node["_n"]
        if n is None:
            continue
        for m in sorted(state.procs[n]["links"]):
            okey = key_of.get(m)
            if okey is None:
                q = state.procs.get(m)
                if node["kind"] != "worker" or outside >= max_outside_links or q is None or not q["alive"]:
                    continue
                okey = history.key(("linked", _pid_then(m, state)))
                outside += 1
                nodes[okey] = dict(key=okey, pid=_pid_then(m, state), name=str(q.get("name") or q.get("call")),
                                   kind="process", status="running", restarts=0,
                                   recently_restarted=False, parent=None, children=[], links=[],
                                   restart=None, behaviour=None, intensity=None, strategy=None,
                                   hidden=0, summary="", _n=None)
                order.append(okey)
                key_of[m] = okey
            if okey == key or nodes[okey]["parent"] == key or node["parent"] == okey:
                continue
            pair = tuple(sorted((key, okey)))
            if pair not in pairs:
                pairs.add(pair)
                node["links"].append(okey)
    out = []
    dead = {}
    for key in order:
        d = dict(nodes[key])
        d.pop("_n")
        if "_dead" in d:
            dead[key] = d.pop("_dead")
        d["children"] = tuple(d["children"])
        d["links"] = tuple(d["links"])
        out.append(TreeNode(**d))
    snap = TreeSnapshot(root=rkey, nodes=tuple(out), taken_at=now, note="")
    object.__setattr__(snap, "dead_pids", dead)        # key -> the pid that had died there
    return snap
