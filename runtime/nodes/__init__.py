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
from .global_names import (global_register_name, global_registered_names, global_send,
                           global_unregister_name, global_whereis_name)
from .pg import pg_get_local_members, pg_get_members, pg_join, pg_leave, pg_which_groups

__all__ = ["start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition",
           "heal", "set_latency",
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


def _here(rt) -> int:
    cur = rt.current
    return cur.pid.node if cur is not None else 0


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
    if b is None:
        x, y = _here(rt), dist.get(a, f"disconnect({a!r})").index
    else:
        x = dist.get(a, f"disconnect({a!r}, {b!r})").index
        y = dist.get(b, f"disconnect({a!r}, {b!r})").index
    return _after(rt, dist.cut(x, y))


def partition(groups) -> bool:
    """Split the cluster: nodes in different groups are cut apart and cannot
    reconnect until `heal()`. Every running node must be in one group.

        >>> partition([["main", "b"], ["c"]])
        True
    """
    rt, dist = _cluster(f"partition({groups!r})")
    dist.partition(groups)
    return _after(rt, True)


def heal() -> bool:
    """End every partition; nodes connect again at their next send (auto-connect).

        >>> heal()
        True
    """
    rt, dist = _cluster("heal()")
    dist.heal()
    return True


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
