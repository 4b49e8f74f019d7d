"""The public API: Erlang's process primitives as Python functions.

How this works: each function finds the current runtime (the kernel's, or the
one `beamlab.run` started) and the process calling it, and asks the runtime to
act. Names follow Erlang (`spawn`, `spawn_link`, `send`, `receive`, `link`,
`monitor`, `exit`, `register`, `whereis`, `process_flag`, `send_after`);
where Python differs it is said in the docstring.
"""

from __future__ import annotations

import greenlet as _greenlet
from greenlet import getcurrent as _getcurrent

from . import _accel, _core, _receive

from ._core import current_runtime
from ._receive import _NO_DEFAULT
from ._signals import NODE, SYSTEM_PID
from .errors import BadArg, NotInProcess, ProcessExit
from .messages import _atomic_type, preview, to_message
from .pid import Pid, Ref

__all__ = [
    "spawn", "spawn_link", "spawn_monitor", "self", "send", "receive", "link", "unlink",
    "monitor", "demonitor", "node", "exit", "process_flag", "is_process_alive", "register",
    "unregister", "whereis", "registered", "sleep", "send_after", "cancel_timer", "make_ref",
    "process_info", "processes", "group_leader", "flush", "system_info",
]


def _me(rt, what: str):
    proc = rt.current
    if proc is None or _greenlet.getcurrent() is not proc.greenlet:
        raise NotInProcess(f"{what} must be called from inside a process "
                           f"(a beamlab kernel cell, or code running under beamlab.run)")
    return proc


def _copied(args: tuple, kwargs: dict):
    """Erlang copies spawn's arguments into the new process, like a message."""
    for a in args:
        if not _atomic_type(type(a)):
            args = tuple(to_message(x) for x in args)
            break
    return args, ({k: to_message(v) for k, v in kwargs.items()} if kwargs else None)


def _on_node(name: str):
    """The runtime, for a spawn on the node `name`: BadArg if no node was ever started."""
    rt = current_runtime()
    if rt._dist is None:
        raise BadArg(f"spawn({name!r}, ...): there is no node {name!r}, only this one; start "
                     f"it first with start_node({name.split('@')[0]!r})")
    return rt


def spawn(fn, *args, **kwargs) -> Pid:
    """Start a new process running `fn(*args, **kwargs)`; returns its pid at once.

    The arguments are copied like a message (immutable values are shared), so
    the spawner changing a list afterwards never changes what the child sees.
    Beyond the process limit it raises `SystemLimit` (Erlang's `system_limit`;
    see `system_info("process_limit")`). Only from the runtime's thread: another
    OS thread hands it over, `rt.call_soon_threadsafe(rt.spawn, fn)` with
    `rt = current_runtime()`.

        >>> pid = spawn(lambda: print("hello from", self()))

    `spawn(node, fn, *args)`, with a node name first, starts it on that node of
    the simulated cluster (Erlang's `spawn(Node, Fun)`; see `start_node`).
    """
    if args:
        if isinstance(fn, str):
            return _on_node(fn).spawn(args[0], *_copied(args[1:], kwargs), node=fn)
    elif not kwargs:
        return current_runtime().spawn(fn)     # nothing to copy
    return current_runtime().spawn(fn, *_copied(args, kwargs))


def spawn_link(fn, *args, **kwargs) -> Pid:
    """`spawn`, and link the new process to the caller in the same step (no window to miss a crash).

        >>> worker = spawn_link(lambda: 1 / 0)   # its crash reaches the caller

    `spawn_link(node, fn, *args)` starts it on that node of the simulated cluster.
    """
    if args:
        if isinstance(fn, str):
            return _on_node(fn).spawn(args[0], *_copied(args[1:], kwargs), link=True, node=fn)
    elif not kwargs:
        return current_runtime().spawn(fn, link=True)     # nothing to copy
    return current_runtime().spawn(fn, *_copied(args, kwargs), link=True)


def spawn_monitor(fn, *args, **kwargs) -> tuple:
    """`spawn` and monitor it in one step; returns `(pid, ref)`. A DOWN message arrives when it exits.

        >>> pid, ref = spawn_monitor(lambda: exit("done"))
        >>> receive(("DOWN", ref, "process", pid, ANY))[4]
        'done'

    `spawn_monitor(node, fn, *args)` starts it on that node of the simulated cluster.
    """
    if args:
        if isinstance(fn, str):
            return _on_node(fn).spawn(args[0], *_copied(args[1:], kwargs), monitor=True, node=fn)
    elif not kwargs:
        return current_runtime().spawn(fn, monitor=True)     # nothing to copy
    return current_runtime().spawn(fn, *_copied(args, kwargs), monitor=True)


def self() -> Pid:
    """The pid of the calling process (Erlang's `self()`).

        >>> self()
        <0.5.0>
    """
    rt = current_runtime()
    return _me(rt, "self()").pid


# `send(dest, msg)`: defined beside the runtime's send (runtime/_core.py), so that compiled
# it reaches Runtime.send as a C call, with no Python frame between (a ring hop's cost)
send = _core.api_send
send.__module__, send.__name__, send.__qualname__ = __name__, "send", "send"


# `receive()` with no pattern takes its fast path inline below on the pure-Python runtime;
# compiled (runtime/_accel.py), the runtime's own receive is faster than this Python.
_INLINE_RECEIVE = _accel.accelerated().get("_receive") != "compiled"


def receive(*patterns, timeout=None, default=_NO_DEFAULT):
    """Take the first message matching any of `patterns` out of the mailbox, waiting if needed.

    Patterns: a predicate, a type, or a value/tuple where `ANY` is a wildcard.
    Messages that don't match stay queued, in order. `timeout` (seconds, 0 = just
    look) raises `ReceiveTimeout`, or returns `default` if one is given — Erlang's
    `after` clause.

        >>> msg = receive()
        >>> _, ref, value = receive(("reply", ref, ANY), timeout=1.0)
        >>> receive(timeout=0, default=None)     # poll
    """
    rt = _core._current
    if rt is None:
        rt = current_runtime()
    proc = rt.current
    if proc is None or _getcurrent() is not proc.greenlet:
        _me(rt, "receive()")
    if not patterns and timeout is None and _INLINE_RECEIVE and proc.alive:
        proc.reductions += 1
        mb = proc.mailbox
        if mb:
            rt.messages_received += 1
            if rt._recorder is not None:
                rt._recorder.take_head(proc)
            return mb.popleft()
        # Fast path: wait for any message. Only a message wakes a process
        # blocked with no matcher; a kill or an interrupt raises instead.
        proc.matcher = None
        proc.blocked = True
        proc.status = "waiting"
        try:
            rt._switch_away()
        finally:
            proc.blocked = False
        if not proc.alive:
            raise ProcessExit(proc.exit_reason)
        rt.messages_received += 1
        if rt._recorder is not None:
            rt._recorder.take_head(proc)
        return proc.mailbox.popleft()
    return rt.receive(patterns, timeout, default)


# A stackless process (see _receive.py) yields this function where its code calls it.
_receive._API_RECEIVE[0] = receive


def link(pid: Pid) -> bool:
    """Link the caller and `pid`: if either dies abnormally, the other gets an exit signal.

        >>> pid = spawn(worker); link(pid)
        True
    """
    rt = current_runtime()
    return rt.link(_me(rt, "link()"), pid)


def unlink(pid: Pid) -> bool:
    """Remove the link between the caller and `pid` (no error if there was none).

        >>> unlink(pid)
        True
    """
    rt = current_runtime()
    return rt.unlink(_me(rt, "unlink()"), pid)


def monitor(pid) -> Ref:
    """Watch `pid`: `("DOWN", ref, "process", pid, reason)` arrives when it exits.

    Monitoring a dead process delivers the DOWN message with reason "noproc" at once.
    A registered name (or a `(name, node)` tuple) watches the process that has
    the name now, and its DOWN names it as `(name, node())`, as Erlang's
    `{Name, Node}`: `("DOWN", ref, "process", ("db", "nonode@nohost"), reason)`;
    a name with nobody behind it gives `noproc` at once.

        >>> ref = monitor(pid); exit(pid, "kill")
        >>> receive(("DOWN", ref, ANY, ANY, ANY))[4]
        'killed'
        >>> ref = monitor("nobody")
        >>> receive(("DOWN", ref, ANY, ANY, ANY))[3:]
        (('nobody', 'nonode@nohost'), 'noproc')
    """
    rt = current_runtime()
    return rt.monitor(_me(rt, "monitor()"), pid)


def node(pid: Pid | None = None) -> str:
    """The name of this node: `"nonode@nohost"`, as Erlang's `node()` on a node that is not distributed.

    It is what a DOWN message for a monitor set up by name carries beside the name.
    Once `start_node` has started a node of the simulated cluster, the home node
    is `"main@lab"` (as `net_kernel:start` renames a node), and `node()` is the
    node of the calling process; `node(pid)` is the node `pid` lives on.

        >>> node()
        'nonode@nohost'
        >>> start_node("b"); node(spawn("b@lab", receive))
        'b@lab'
    """
    if pid is not None and type(pid) is not Pid:
        raise BadArg(f"node({pid!r}): node takes a pid, or nothing for the caller's node")
    rt = _core._current
    dist = rt._dist if rt is not None else None
    if dist is None:
        return NODE
    if pid is None:
        cur = rt.current
        return dist.name_of(cur.pid.node if cur is not None else 0)
    return dist.name_of(pid.node) if pid.node < len(dist.nodes) else NODE


def demonitor(ref: Ref, flush: bool = False) -> bool:
    """Stop a monitor; with `flush=True` also drop its DOWN message if it already came.

        >>> demonitor(ref, flush=True)
        True
    """
    rt = current_runtime()
    return rt.demonitor(_me(rt, "demonitor()"), ref, flush)


def exit(*args):
    """`exit(reason)` ends the calling process; `exit(pid, reason)` sends `pid` an exit signal.

        >>> exit(pid, "kill")       # untrappable: pid dies with "killed"
        >>> exit("shutdown")        # the caller exits with reason "shutdown"

    Note: this shadows Python's builtin `exit` in a beamlab namespace, as in Erlang.
    """
    rt = current_runtime()
    if len(args) == 1:
        _me(rt, "exit(reason)")
        raise ProcessExit(args[0])
    if len(args) != 2:
        raise TypeError("use exit(reason) to exit, or exit(pid, reason) to send an exit signal")
    pid, reason = args
    proc = rt.current
    if proc is not None and _greenlet.getcurrent() is not proc.greenlet:
        proc = None
    rt.send_exit(proc.pid if proc is not None else SYSTEM_PID, pid, reason)
    if proc is not None and proc.throw is not None:
        exc, proc.throw = proc.throw, None
        raise exc
    return True


def process_flag(flag: str, value):
    """Set a process flag and return its old value; beamlab has `"trap_exit"`.

        >>> process_flag("trap_exit", True)   # exit signals arrive as ("EXIT", pid, reason)
    """
    rt = current_runtime()
    return rt.process_flag(_me(rt, "process_flag()"), flag, value)


def is_process_alive(pid: Pid) -> bool:
    """True while `pid` is alive.

        >>> is_process_alive(spawn(lambda: None))
        True
    """
    if type(pid) is not Pid:
        raise BadArg(f"is_process_alive({pid!r}): expected a pid")
    return current_runtime().is_process_alive(pid)


def register(name: str, pid: Pid) -> bool:
    """Give `pid` a name that `send` and `whereis` accept. Fails if the name is taken,
    the process is dead, or it already has a name (Erlang's rules).

        >>> register("counter", spawn(counter_loop))
        True
        >>> send("counter", "inc")
    """
    return current_runtime().register(name, pid)


def unregister(name: str) -> bool:
    """Remove a registered name.

        >>> unregister("counter")
        True
    """
    return current_runtime().unregister(name)


def whereis(name: str):
    """The pid registered as `name`, or None.

        >>> whereis("counter")
        <0.7.0>
        >>> whereis("nobody") is None
        True
    """
    return current_runtime().whereis(name)


def registered() -> list:
    """All registered names.

        >>> registered()
        ['counter']
    """
    return current_runtime().registered()


def sleep(seconds: float) -> None:
    """Suspend the calling process for `seconds` (other processes run), like `timer:sleep`.

        >>> sleep(0.5)      # half a second; other processes keep running
    """
    rt = current_runtime()
    _me(rt, "sleep()")
    if seconds is None or isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise BadArg(f"sleep({seconds!r}): give a number of seconds >= 0")
    rt.receive((_never,), seconds, None)


def _never(_msg) -> bool:
    return False


def send_after(seconds: float, dest, msg):
    """Send `msg` to `dest` after `seconds`; returns a timer for `cancel_timer`.

        >>> t = send_after(1.0, self(), "tick")
        >>> receive("tick", timeout=2)
        'tick'
    """
    rt = current_runtime()
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise BadArg(f"send_after({seconds!r}, ...): give a number of seconds >= 0")
    msg = to_message(msg)
    cur = rt.current
    here = cur.pid.node if cur is not None else 0     # the node it is sent from (runtime/nodes)

    def fire():
        try:
            if rt._dist is not None:
                rt._dist.send_from(here, dest, msg)
            else:
                rt.send(dest, msg, False)    # copied once, when send_after was called
        except BadArg:
            pass   # a name that is gone by then: dropped, like erlang:send_after to a dead name
    return rt.add_timer(seconds, fire)


def cancel_timer(timer):
    """Cancel a `send_after`; the seconds that were left, or False if it already fired.

        >>> t = send_after(5, self(), "late"); cancel_timer(t)
        4.99...
    """
    return current_runtime().cancel_timer(timer)


def make_ref() -> Ref:
    """A unique reference, to tag a request and match its reply.

        >>> ref = make_ref(); send(server, ("get", self(), ref))
        >>> receive(("reply", ref, ANY))
    """
    return Ref()


def process_info(pid: Pid, item: str | None = None):
    """A dict describing a live process (None if dead), or one item of it.

        >>> process_info(pid, "message_queue_len")
        0
    """
    if type(pid) is not Pid:
        raise BadArg(f"process_info({pid!r}): expected a pid")
    info = current_runtime().process_info(pid)
    if item is None or info is None:
        return info
    if item not in info:
        raise BadArg(f"process_info: unknown item {item!r}; items are {', '.join(info)}")
    return info[item]


_SYSTEM_INFO = {
    "process_count": lambda rt: len(rt._table),
    "process_limit": lambda rt: rt.process_limit,
}


def system_info(item: str):
    """One figure about the runtime, like Erlang's `erlang:system_info/1`:
    `"process_count"` (processes that exist now) or `"process_limit"` (how many
    may exist at once, Erlang's `+P`; `spawn` beyond it raises `SystemLimit`).

        >>> system_info("process_limit")
        1048576
    """
    get = _SYSTEM_INFO.get(item) if isinstance(item, str) else None
    if get is None:
        raise BadArg(f"system_info({item!r}): beamlab knows {', '.join(map(repr, _SYSTEM_INFO))}")
    return get(current_runtime())


def processes() -> list:
    """The pids of all live processes.

        >>> len(processes())
        12
    """
    return current_runtime().processes()


def group_leader(gl=None, pid: Pid | None = None):
    """`group_leader()` returns the caller's; `group_leader(gl, pid)` sets `pid`'s.

        >>> gl = GroupLeader(io.StringIO(), label="log")
        >>> group_leader(gl, self())   # my prints now go to gl
        True
    """
    rt = current_runtime()
    if gl is None:
        return _me(rt, "group_leader()").group_leader
    proc = rt._table.get(pid.id) if isinstance(pid, Pid) else None
    if proc is None:
        raise BadArg(f"group_leader(..., {pid!r}): no such process")
    proc.group_leader = gl
    return True


def flush() -> None:
    """Print and remove every message in the caller's mailbox (the Erlang shell's `flush()`).

        >>> send(self(), "hi"); flush()
        Shell got 'hi'
    """
    rt = current_runtime()
    proc = _me(rt, "flush()")
    msgs = list(proc.mailbox or ())
    if proc.mailbox:
        if rt._recorder is not None:
            rt._recorder.flushed(proc)
        proc.mailbox.clear()
    for m in msgs:
        print(f"Shell got {preview(m)}")     # bounded: a 10,000-deep term prints as [[[[...]]]]
