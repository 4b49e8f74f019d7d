"""Process groups across the cluster, as Erlang's `pg` (its default scope).

    >>> pg_join("workers", self())
    'ok'
    >>> pg_get_members("workers")            # members on every node this one is connected to
    [<0.57.0>, <1.60.0>]
    >>> pg_get_local_members("workers")      # only this node's
    [<0.57.0>]

How this works: one list of memberships per group (a pid appears once per
join, as in pg). What a node sees is computed, as each node's pg scope process
keeps it: its own node's members, plus the members on every node it is
connected to now. So across a split each side sees only its own side's
members; when the connection comes back (the next send after a heal), the
other side's members are back in the view, as pg's scopes resync on `nodeup`.
A member that dies leaves every group (pg monitors it). Only a process of the
caller's node can join or leave (pg raises `{nolocal, Pid}`).

Simplifications: only the default scope; the list's order is join order (pg's
is unspecified); the view changes the moment a connection does (pg's scopes
exchange their members a moment later).
"""

from __future__ import annotations

from .._core import current_runtime
from ..errors import BadArg
from ..pid import Pid
from ._tables import ClusterTable, _here, check_hashable

__all__ = ["pg_join", "pg_leave", "pg_get_members", "pg_get_local_members", "pg_which_groups",
           "Groups"]


class Groups(ClusterTable):
    """Every group's members on every node of one runtime (`rt._pg_groups`). What a node
    sees is computed from the connections of the moment, so the Cluster's notices of
    connections change nothing here (_tables.py)."""

    attr = "_pg_groups"

    def __init__(self, rt):
        super().__init__(rt)
        self.members: dict = {}      # group -> [Pid, ...], one entry per join

    def _sees(self, here: int):
        """A test: is a member on node n in node `here`'s view?"""
        dist = self.rt._dist
        if dist is None:
            return lambda n: True
        connected = dist.connected
        nodes = dist.nodes

        def sees(n):
            return n == here or (nodes[n].alive and frozenset((here, n)) in connected)
        return sees

    def join(self, group, pids: list) -> None:
        self.members.setdefault(group, []).extend(pids)
        self.pids.update(pids)

    def leave(self, group, pids: list) -> bool:
        members = self.members.get(group)
        left = False
        for p in pids:
            if members and p in members:
                members.remove(p)
                left = True
        if members is not None and not members:
            del self.members[group]
        return left

    def get(self, here: int, group, local: bool) -> list:
        members = self.members.get(group)
        if not members:
            return []
        if local:
            return [p for p in members if p.node == here]
        sees = self._sees(here)
        return [p for p in members if sees(p.node)]

    def groups(self, here: int) -> list:
        sees = self._sees(here)
        return sorted((g for g, ms in self.members.items() if any(sees(p.node) for p in ms)),
                      key=repr)

    def forget(self, pid: Pid) -> None:
        for group in [g for g, ms in self.members.items() if pid in ms]:
            ms = [p for p in self.members[group] if p != pid]
            if ms:
                self.members[group] = ms
            else:
                del self.members[group]

    def snapshot(self) -> dict:
        """{group: [Pid, ...]} of every member on every node, for observers."""
        return {g: list(ms) for g, ms in self.members.items()}


def _pids(rt, call: str, group, pid_or_pids) -> list:
    """The caller's pids that `call(group, pid_or_pids)` (pg_join, pg_leave) names, checked."""
    what = f"{call}({group!r}, {pid_or_pids!r})"
    _check_group(group, what)
    here = _here(rt)
    pids = list(pid_or_pids) if isinstance(pid_or_pids, (list, tuple)) else [pid_or_pids]
    for p in pids:
        if type(p) is not Pid:
            raise BadArg(f"{what}: give a pid or a list of pids, got {p!r}")
        if p.node != here:
            dist = rt._dist
            where = dist.name_of(p.node) if dist is not None else "another node"
            raise BadArg(f"{what}: {p!r} lives on {where}; only a process of the caller's own "
                         f"node can join or leave a group there (Erlang: nolocal) — call it "
                         f"from a process on {where}")
    return pids


def _check_group(group, what: str) -> None:
    check_hashable(group, what, "a group is named by a string or a tuple (hashable)")


def pg_join(group, pid_or_pids) -> str:
    """Add a process (or a list of them) of the caller's node to `group`; a process may
    join many times and leaves once per join (`pg:join/2`). Returns "ok".

        >>> pg_join("workers", self())
        'ok'
    """
    rt = current_runtime()
    pids = [p for p in _pids(rt, "pg_join", group, pid_or_pids)
            if (pr := rt._table.get(p.id)) is not None and pr.alive]
    Groups.of(rt).join(group, pids)
    return "ok"


def pg_leave(group, pid_or_pids) -> str:
    """Take one join of each process out of `group` (`pg:leave/2`): "ok", or
    "not_joined" if none of them was a member.

        >>> pg_leave("workers", self())
        'ok'
    """
    rt = current_runtime()
    pids = _pids(rt, "pg_leave", group, pid_or_pids)
    return "ok" if Groups.of(rt).leave(group, pids) else "not_joined"


def pg_get_members(group) -> list:
    """The members of `group` the caller's node sees: its own and those on the nodes it
    is connected to now (`pg:get_members/1`). A pid appears once per join.

        >>> pg_get_members("workers")
        [<0.57.0>, <1.60.0>]
    """
    rt = current_runtime()
    _check_group(group, f"pg_get_members({group!r})")
    return Groups.of(rt).get(_here(rt), group, local=False)


def pg_get_local_members(group) -> list:
    """The members of `group` on the caller's own node (`pg:get_local_members/1`).

        >>> pg_get_local_members("workers")
        [<0.57.0>]
    """
    rt = current_runtime()
    _check_group(group, f"pg_get_local_members({group!r})")
    return Groups.of(rt).get(_here(rt), group, local=True)


def pg_which_groups() -> list:
    """The groups with a member the caller's node sees (`pg:which_groups/0`).

        >>> pg_which_groups()
        ['workers']
    """
    rt = current_runtime()
    return Groups.of(rt).groups(_here(rt))
