"""Cluster-wide names, as Erlang's `:global` (docs/distribution.md).

    >>> global_register_name("leader", self())
    'yes'
    >>> global_whereis_name("leader")        # from any node connected to this one
    <0.57.0>
    >>> global_send("leader", "hello")       # a name nobody has raises BadArg
    <0.57.0>

How this works: each node keeps its own view of the name table (`views[node
index] -> {name: Pid}`), as each Erlang node's `global_name_server` does.
Registering a name writes it into the view of every node connected (directly or
through others) to the caller's node, if no node there has it yet. What the
connections do to the views, as OTP's global does:

- a connection going down (disconnect, partition, a node stopping): each side
  forgets the names of the other side's processes (in a split each side can
  then register the name again: split brain);
- a connection coming up (the first send after a heal, an auto-connect): the
  two sides' views merge; a name registered on both sides to two different
  processes is a conflict, resolved as `global:random_exit_name/3` does in OTP
  25: the process on the node whose name sorts first keeps the name, the other
  is killed (`exit(pid, "kill")`, so it dies `killed`), and the node logs
  `global: Name conflict terminating (name, pid)`;
- a registered process that dies loses its name on every node (global monitors
  it).

Simplifications: the merge happens at once when the connection comes up (OTP's
global syncs a moment later: `global:sync()` waits for it); a view is shared by
every node of a connected group (OTP's global connects them all to each other,
so the views agree); the "locks" of `global:set_lock` are not here.
"""

from __future__ import annotations

from .._core import current_runtime
from ..errors import BadArg
from ..pid import Pid
from ._tables import ClusterTable, _here, check_hashable

__all__ = ["global_register_name", "global_whereis_name", "global_unregister_name",
           "global_send", "global_registered_names", "GlobalNames"]


class GlobalNames(ClusterTable):
    """The name tables of every node of one runtime (`rt._global_names`); each node's
    view is kept up to date as connections go down and come up (_tables.py)."""

    attr = "_global_names"

    def __init__(self, rt):
        super().__init__(rt)
        self.views: dict[int, dict] = {}     # node index -> {name: Pid}

    def view(self, n: int) -> dict:
        v = self.views.get(n)
        if v is None:
            v = self.views[n] = {}
        return v

    # -- what the node's processes ask ---------------------------------------------
    def register(self, here: int, name, pid: Pid) -> str:
        view = self.view(here)
        self._drop_dead(view)
        if name in view or pid in view.values():
            return "no"     # the name is taken, or the process already has a global name
        rt = self.rt
        dist = rt._dist
        proc = rt._table.get(pid.id)
        if proc is None or not proc.alive or (
                dist is not None and pid.node != here and not dist.reach(here, pid.node)):
            return "yes"    # global monitors it, sees it gone, and drops the name at once
        for n in self.group(here):
            self.view(n)[name] = pid
        self.pids.add(pid)
        return "yes"

    def unregister(self, here: int, name) -> None:
        for n in self.group(here):
            self.view(n).pop(name, None)

    def whereis(self, here: int, name) -> Pid | None:
        view = self.view(here)
        pid = view.get(name)
        if pid is not None and not self._alive(pid):
            del view[name]
            return None
        return pid

    def names(self, here: int) -> list:
        view = self.view(here)
        self._drop_dead(view)
        return sorted(view, key=repr)

    # -- how connections change the views (called by the Cluster) ---------------------
    def group(self, here: int) -> list:
        """The nodes `here` is connected to, directly or through others, and itself."""
        dist = self.rt._dist
        if dist is None:
            return [here]
        seen = {here}
        todo = [here]
        while todo:
            a = todo.pop()
            for p in dist.connected:
                if a in p:
                    for b in p:
                        if b not in seen and dist.nodes[b].alive:
                            seen.add(b)
                            todo.append(b)
        return sorted(seen)

    def disconnected(self, a: int, b: int) -> None:
        for x, y in ((a, b), (b, a)):
            view = self.views.get(x)
            if view:
                for name in [k for k, p in view.items() if p.node == y]:
                    del view[name]

    def connected(self, a: int, b: int) -> None:
        va, vb = self.view(a), self.view(b)
        self._drop_dead(va)
        self._drop_dead(vb)
        merged = dict(va)
        losers = []
        for name, pid in vb.items():
            mine = merged.get(name)
            if mine is None or mine == pid:
                merged[name] = pid
                continue
            keep, kill = self._resolve(mine, pid)
            merged[name] = keep
            losers.append((name, kill, keep))
        for n in self.group(a):
            self.views[n] = dict(merged)
        for name, pid, keep in losers:
            self._conflict(name, pid, keep)

    def node_stopped(self, index: int) -> None:
        self.views.pop(index, None)

    def _resolve(self, p1: Pid, p2: Pid):
        """OTP 25's global:random_exit_name/3: {Min, Max} by the pids' node names; Min keeps
        the name, Max is killed (two pids of one node: the lower number keeps it)."""
        dist = self.rt._dist
        k1 = (dist.name_of(p1.node), p1.id)
        k2 = (dist.name_of(p2.node), p2.id)
        return (p1, p2) if k1 < k2 else (p2, p1)

    def _conflict(self, name, pid: Pid, keep: Pid) -> None:
        rt = self.rt
        dist = rt._dist
        if rt.crash_reports:    # the runtime's reports; Runtime(crash_reports=False) silences them
            text = f"global: Name conflict terminating {(name, pid)!r}"
            try:
                rt.default_group_leader.write_err(f"=INFO REPORT==== {text}\n")
            except Exception:
                pass
        tele = rt.telemetry
        if tele.handlers:
            tele.execute(("beamlab", "global", "conflict"), {"count": 1},
                         {"name": name, "kept": keep, "killed": pid,
                          "node": dist.name_of(pid.node) if dist is not None else None})
        # as global's own process does it, a moment later, from outside the killed one
        rt.add_timer(0, rt.exit, pid, "kill")

    # -- dead processes ------------------------------------------------------------------
    def _alive(self, pid: Pid) -> bool:
        proc = self.rt._table.get(pid.id)
        return proc is not None and proc.alive

    def _drop_dead(self, view: dict) -> None:
        for name in [k for k, p in view.items() if not self._alive(p)]:
            del view[name]

    def forget(self, pid: Pid) -> None:
        for view in self.views.values():
            if view:
                for name in [k for k, p in view.items() if p == pid]:
                    del view[name]

    def snapshot(self) -> dict:
        """{node index: {name: Pid}} of live registrations, for observers."""
        out = {}
        for n, view in self.views.items():
            self._drop_dead(view)
            out[n] = dict(view)
        return out


def _check_name(name, what: str) -> None:
    if name is None or isinstance(name, (list, dict, set)):
        raise BadArg(f"{what}: a global name is a string or a tuple (any hashable term but "
                     f"None), got {name!r}")
    check_hashable(name, what, "a global name must be hashable (a string, a number, a tuple)")


def global_register_name(name, pid) -> str:
    """Register `pid` under `name` on every node connected to the caller's, as
    `global:register_name/2`: `"yes"`, or `"no"` if the name is taken or the process
    already has a global name. A process that dies loses its name.

        >>> global_register_name("leader", self())
        'yes'
    """
    rt = current_runtime()
    what = f"global_register_name({name!r}, {pid!r})"
    _check_name(name, what)
    if type(pid) is not Pid:
        raise BadArg(f"{what}: the second argument must be a pid, e.g. self()")
    return GlobalNames.of(rt).register(_here(rt), name, pid)


def global_whereis_name(name):
    """The pid registered globally as `name`, as the caller's node sees it, or None
    (`global:whereis_name/1`; Erlang says `undefined`).

        >>> global_whereis_name("leader")
        <0.57.0>
    """
    rt = current_runtime()
    _check_name(name, f"global_whereis_name({name!r})")
    return GlobalNames.of(rt).whereis(_here(rt), name)


def global_unregister_name(name) -> str:
    """Remove a global name on every node connected to the caller's; `"ok"` even if
    nobody had it (`global:unregister_name/1`).

        >>> global_unregister_name("leader")
        'ok'
    """
    rt = current_runtime()
    _check_name(name, f"global_unregister_name({name!r})")
    GlobalNames.of(rt).unregister(_here(rt), name)
    return "ok"


def global_send(name, msg) -> Pid:
    """Send `msg` to the process registered globally as `name`; returns its pid. A name
    nobody has is a `BadArg` (Erlang exits `{badarg, {Name, Msg}}`).

        >>> global_send("leader", "hello")
        <0.57.0>
    """
    rt = current_runtime()
    _check_name(name, f"global_send({name!r}, ...)")
    pid = GlobalNames.of(rt).whereis(_here(rt), name)
    if pid is None:
        raise BadArg(f"global_send({name!r}, {msg!r}): no process is registered globally as "
                     f"{name!r} on this node's view (Erlang: badarg); register it with "
                     f"global_register_name, or check global_registered_names()")
    from ..api import send
    send(pid, msg)
    return pid


def global_registered_names() -> list:
    """The global names the caller's node knows of (`global:registered_names/0`).

        >>> global_registered_names()
        ['leader']
    """
    rt = current_runtime()
    return GlobalNames.of(rt).names(_here(rt))
