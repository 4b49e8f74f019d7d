"""A simulated cluster of Erlang nodes inside one runtime, for teaching (docs/distribution.md).

    >>> start_node("b")
    'b@lab'
    >>> node()                           # the home node is renamed, as net_kernel:start does
    'main@lab'
    >>> pid = spawn("b@lab", receive)    # Erlang's spawn(Node, Fun)
    >>> pid, node(pid)
    (<1.57.0>, 'b@lab')
    >>> monitor_node("b@lab", True)
    True
    >>> partition([["main"], ["b"]])     # links across the cut fire with noconnection
    True
    >>> receive(("nodedown", ANY))
    ('nodedown', 'b@lab')
    >>> heal()                           # they reconnect on the next send
    True

Everything here is a simulation: every node runs in this one kernel, and a
"connection" is a rule about which processes may reach which. The rules are
Erlang's (see _cluster.py for how).
"""

from __future__ import annotations

from .._core import current_runtime
from ..errors import BadArg
from ._cluster import HOST, Cluster
from ._tables import _here
from .global_names import (global_register_name, global_registered_names, global_send,
                           global_unregister_name, global_whereis_name)
from .pg import pg_get_local_members, pg_get_members, pg_join, pg_leave, pg_which_groups

__all__ = ["start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition",
           "cut", "heal", "connect_node", "set_latency",
           "global_register_name", "global_whereis_name", "global_unregister_name",
           "global_send", "global_registered_names",
           "pg_join", "pg_leave", "pg_get_members", "pg_get_local_members", "pg_which_groups"]


def _cluster(what: str, start: bool = False):
    rt = current_runtime()
    if rt._dist is None:
        if not start:
            raise BadArg(f"{what}: there is only the home node; start another with "
                         f"start_node('b') first")
        rt._dist = Cluster(rt)
    return rt, rt._dist



def start_node(name: str) -> str:
    """Start a node of the simulated cluster, connected to the caller's; returns its name.

    "b" becomes "b@lab". The first call also names the home node "main@lab"
    (before it, `node()` is "nonode@nohost", as on an Erlang node that is not
    distributed). Starting a stopped node again gives a fresh node of that name.

        >>> start_node("b")
        'b@lab'
    """
    rt, dist = _cluster(f"start_node({name!r})", start=True)
    return dist.start_node(name, _here(rt))


def stop_node(name: str) -> bool:
    """Stop a node: its processes die, and every other node sees it go as Erlang's
    do: links to it fire with `noconnection`, monitors give DOWN `noconnection`,
    `monitor_node` gives `("nodedown", name)`.

        >>> stop_node("b@lab")
        True
    """
    rt, dist = _cluster(f"stop_node({name!r})")
    dist.stop_node(dist.get(name, f"stop_node({name!r})"))
    cur = rt.current
    if cur is not None and cur.throw is not None and not cur.alive:
        exc, cur.throw = cur.throw, None
        raise exc           # the caller was on that node
    return True


def nodes() -> list:
    """The nodes the caller's node is connected to now (not itself), as Erlang's `nodes()`.

        >>> nodes()
        ['b@lab']
    """
    rt = current_runtime()
    if rt._dist is None:
        return []
    return rt._dist.visible(_here(rt))


def monitor_node(name: str, flag: bool = True) -> bool:
    """Ask for `("nodedown", name)` when the connection to that node goes down
    (once per call; `flag=False` takes one back). A node that cannot be reached
    gives it at once, as Erlang's does.

        >>> monitor_node("b@lab", True)
        True
    """
    rt = current_runtime()
    from ..api import _me
    proc = _me(rt, "monitor_node()")
    if rt._dist is None:
        if flag:
            full = name if isinstance(name, str) and "@" in name else f"{name}@{HOST}"
            rt._deliver(proc, ("nodedown", full))
        return True
    return rt._dist.monitor_node(proc, name, bool(flag))


def disconnect(a: str, b: str | None = None) -> bool:
    """Drop the connection between two nodes (`disconnect(b)`: between the caller's
    node and b), as `erlang:disconnect_node/1` does: links, monitors and node
    monitors across it fire, messages in flight on it are lost. The nodes
    reconnect at their next send. Returns whether they were connected.

        >>> disconnect("b@lab")
        True
    """
    rt, dist = _cluster(f"disconnect({a!r})")
    x, y = _two(rt, dist, "disconnect", a, b)
    return _after(rt, dist.cut(x, y))


def _two(rt, dist, what: str, a, b) -> tuple:
    """The node indexes of the pair a-b; with b None, the caller's node and a."""
    if b is None:
        return _here(rt), dist.get(a, f"{what}({a!r})").index
    return dist.get(a, f"{what}({a!r}, {b!r})").index, dist.get(b, f"{what}({a!r}, {b!r})").index


def partition(groups) -> bool:
    """Split the cluster: nodes in different groups are cut apart and cannot
    reconnect until `heal()`. Every running node must be in one group.

        >>> partition([["main", "b"], ["c"]])
        True
    """
    rt, dist = _cluster(f"partition({groups!r})")
    dist.partition(groups)
    return _after(rt, True)


def cut(a: str, b: str | None = None) -> bool:
    """Cut the connection between two nodes (`cut(b)`: between the caller's node and
    b) and keep it cut until `heal`: a partition of that one pair, for when
    `partition` cannot say it (a-b cut, a-c and b-c up). What goes down is what
    `disconnect` does (links fire with noconnection, monitors DOWN, node monitors
    nodedown, what is in flight is lost); unlike it, no send reconnects them.
    Returns whether they were connected.

        >>> cut("b", "c")
        True
    """
    rt, dist = _cluster(f"cut({a!r})")
    x, y = _two(rt, dist, "cut", a, b)
    return _after(rt, dist.block(x, y))


def heal(a: str | None = None, b: str | None = None) -> bool:
    """End every partition and cut (`heal()`), or the cut of one pair (`heal(a, b)`;
    `heal(b)`: the caller's node and b). Nodes connect again at their next send
    (auto-connect), or at once with `connect_node`.

        >>> heal()
        True
    """
    if a is None and b is not None:
        raise BadArg(f"heal(None, {b!r}): name both nodes of the connection, or one (with the "
                     f"caller's node), or none to heal everything")
    rt, dist = _cluster("heal()" if a is None else f"heal({a!r})")
    if a is None:
        dist.heal()
        return True
    x, y = _two(rt, dist, "heal", a, b)
    if x == y:
        raise BadArg(f"heal({a!r}, {b!r}): a connection joins two different nodes")
    dist.heal(x, y)
    return True


def connect_node(a: str, b: str | None = None) -> bool:
    """Connect two nodes now (`connect_node(b)`: the caller's node and b), as
    `net_kernel:connect_node/1`, rather than at their next send: `global`'s names
    merge, and a name conflict is resolved, right then. True if they are connected
    (a node is always connected to itself), False if they cannot be: one is stopped,
    or the pair is cut (`heal` it first).

        >>> connect_node("b")
        True
    """
    rt, dist = _cluster(f"connect_node({a!r})")
    x, y = _two(rt, dist, "connect_node", a, b)
    return _after(rt, dist.connect(x, y))


def set_latency(seconds: float, a: str | None = None, b: str | None = None) -> bool:
    """How long a message or signal takes between two nodes (both ways), or,
    without nodes, between every pair. Order per pair is kept; what is in flight
    when the connection goes down is lost.

        >>> set_latency(0.05, "main", "b")
        True
    """
    rt, dist = _cluster(f"set_latency({seconds!r})")
    dist.set_latency(seconds, a, b)
    return True


def _after(rt, result):
    """The caller may have been killed by a link that fired (it was not trapping exits)."""
    cur = rt.current
    if cur is not None and cur.throw is not None and not cur.alive:
        exc, cur.throw = cur.throw, None
        raise exc
    return result
