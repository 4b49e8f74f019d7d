"""What the cluster-wide tables (global_names.py's names, pg.py's groups) share.

How this works: a `ClusterTable` subclass is one table per runtime, made the first
time it is used (`of(rt)`) and kept on the runtime (`rt.<attr>`, where the Cluster's
snapshot and the cluster widget read it) and in `services(rt)`, the list the Cluster
tells (`Cluster._tell`) of each connection that comes up (`connected(a, b)`: the two
sides' views merge), goes down (`disconnected(a, b)`: each side forgets the other's)
and of each node that stops (`node_stopped(index)`). A table that keeps a view per
node (global names) does that upkeep there; one that computes each node's view from
the connections of the moment (pg) has nothing to do, the default here. A process in
a table that exits leaves it (`forget(pid)`), as global and pg monitor theirs; `pids`
is the exit hook's quick test, as every process's exit comes to it and most were
never in a table.
"""

from __future__ import annotations

from ..errors import BadArg
from ..pid import Pid

__all__ = []


def services(rt) -> list:
    """The per-runtime tables (global names, pg groups) the Cluster tells of connections."""
    s = rt.__dict__.get("_node_services")
    if s is None:
        s = rt._node_services = []
    return s


def check_hashable(term, what: str, should: str) -> None:
    """A name or group must be hashable: else BadArg "`what`: `should`, got `term`"."""
    try:
        hash(term)
    except TypeError:
        raise BadArg(f"{what}: {should}, got {term!r}") from None


def _here(rt) -> int:
    """The caller's node (the home node's, 0, outside any process)."""
    cur = rt.current
    return cur.pid.node if cur is not None else 0


class ClusterTable:
    """One cluster-wide table of a runtime; `attr` names it on the runtime."""

    attr = ""

    def __init__(self, rt):
        self.rt = rt
        self.pids: set = set()        # every pid in the table (the exit hook's quick test)
        rt._on_exit_hooks.append(self._on_exit)

    @classmethod
    def of(cls, rt):
        """The runtime's table, made and registered with the Cluster the first time."""
        table = rt.__dict__.get(cls.attr)
        if table is None:
            table = cls(rt)
            setattr(rt, cls.attr, table)
            services(rt).append(table)
        return table

    # -- what the Cluster tells (see the module doc) -----------------------------------------
    def connected(self, a: int, b: int) -> None:
        pass

    def disconnected(self, a: int, b: int) -> None:
        pass

    def node_stopped(self, index: int) -> None:
        pass

    # -- exits ---------------------------------------------------------------------------------
    def _on_exit(self, proc, reason) -> None:
        pid = proc.pid
        if pid not in self.pids:
            return              # (every process's exit comes here: most were never in the table)
        self.pids.discard(pid)
        self.forget(pid)

    def forget(self, pid: Pid) -> None:
        """Take `pid`, which has exited, out of the table."""
        raise NotImplementedError
