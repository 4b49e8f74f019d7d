"""The client side of a GenServer: ``call`` (gen:call) and ``cast`` (gen_server:cast).

How this works: ``call`` resolves the server (a pid, a registered name, or
``(name, node)``), checks the timeout and hands the round trip to the runtime's
``call`` (monitor, send, wait for the reply or the DOWN, in one go); on failure
the caller exits with ``(reason, ("GenServer.call", server, request, timeout))``
and a message saying what happened.  ``cast`` is a plain send that never fails.
They sit in a module of their own, apart from ``gen_server.py``'s ``GenServer``
class, so the compiled build (runtime/_accel.py, ``_client.pxd``) compiles this
hot path of every call and cast and leaves the class learners subclass as written.
``GenServer.call``/``GenServer.cast`` are these functions.
"""
from __future__ import annotations

from types import FunctionType
from typing import Any

from . import _rt
from .. import _core
from .._core import _running
from ._errors import CallExit
from ._rt import ATOMIC, GEN_CALL, GEN_CAST, TIMED_OUT as _TIMEOUT, Pid
from .._receive import _Call, _set_gen_call

# The core's globals: `_CORE["_current"]` is the running runtime, read from the dict with
# no module attribute lookup (compiled, `_core._current` cost ~200 instructions a cast).
# Compiled, `cast` asks _core's C function `_running` instead (_client.pxd: the dict
# lookup cost ~130 instructions a cast); pure, `_CORE["_current"]` stays the cheaper.
_CORE = vars(_core)
# A Pid's id: compiled, _receive.pxd's inline `_id_of` reads its slot; pure, `pid.id` is
# read where `_COMPILED` is false.
locals()["_id_of"] = Pid.__dict__["id"].__get__

__all__ = ["call", "cast"]


def _call_failed(why, server, request, timeout, label: str, pid) -> None:
    """Exit the caller with ``(why, ("GenServer.call", server, request, timeout))`` and a
    message saying what happened and what to do."""
    info = (f"GenServer.{label}", server, request, timeout)
    where = f"{label}({_rt.describe(server)}, {request!r})" if label == "call" else \
        f"{label}({_rt.describe(server)})"
    if type(why) is tuple and len(why) == 2 and why[0] == "nodedown":
        text = (f"{where} failed: node {why[1]} is down or cut off from this node "
                f"(nodedown) — start it, heal() the partition, or check the node's name")
    elif why == "noproc" and pid is None:
        if not isinstance(server, (str, tuple)):
            raise TypeError(f"GenServer.{label}: the server must be a pid or a registered "
                            f"name, got {server!r}")
        text = (f"{where} failed: no process is registered as {server!r} — start it first, "
                f"or check the name (noproc)") if isinstance(server, str) else (
                f"{where} failed: no process is registered as {server[0]!r} on {server[1]} — "
                f"start it there first, or check the name (noproc)")
    elif why == "noproc":
        text = (f"{where} failed: the server {pid!r} is not alive (noproc) — was it stopped, "
                f"or did it crash earlier?")
    elif why == "calling_self":
        text = (f"{where}: a server cannot call itself (it would wait for its own reply "
                f"forever); call a helper function instead")
    elif why == "timeout":
        text = (f"{where} timed out after {timeout} s — is handle_call blocking, or is the "
                f"server busy? (pass timeout=... to wait longer)")
    else:
        text = f"{where} failed: the server exited with {_rt.format_reason(why)} before replying"
    raise CallExit((why, info), text)


def call(server: Pid | str, request: Any, timeout: float | str = 5.0) -> Any:
    """Send ``request`` and wait for the reply (Elixir ``GenServer.call/3``).

    ``timeout`` is in seconds (default 5, or ``"infinity"``).  If no reply comes
    in time, or the server is not alive (``noproc``), or it dies before
    replying, the caller exits with ``(reason, ("GenServer.call", server,
    request, timeout))`` — a ``CallExit`` exception whose message says which.

    >>> GenServer.call(counter, "inc")
    1
    """
    return _call(server, request, timeout, GEN_CALL, "call", False)


class _Stackless:
    @staticmethod
    def call(server, request, timeout=5.0):
        """``call`` made in a stackless process's own body (runtime/_receive.py): the
        call's first half only, returning the started call (a ``_Call``) that the driver
        parks the process on instead of waiting; ``_parked_result`` is its second half."""
        return _call(server, request, timeout, GEN_CALL, "call", True)


# The driver calls this for a stackless process's own `call` (see _receive.py); named as
# `call` is, so a wrong argument's TypeError reads as the real call's would.
_park_call = _Stackless.call
_park_call.__qualname__ = call.__qualname__


def _call(server, request, timeout, _kind: str, _label: str, _park=False):
    """``call``, with the message's tag and the name errors give (get_state: "$system").
    ``_park``: return the started call for a stackless caller's driver to park on
    (runtime/_receive.py) instead of waiting in it."""
    # gen:call. The hot path of every call: the runtime's `call` monitors the
    # server, sends the request tagged with the monitor ref and waits for the
    # reply, the DOWN or the timeout, in one go.
    rt = _running() if _COMPILED else _CORE["_current"]     # _core's C function (see cast)
    if rt is None:
        rt = _rt.current_runtime()
    me = rt.current
    if me is None:
        raise _rt.NotInProcess(f"GenServer.{_label} must be called from inside a process "
                               "(a notebook cell, or a function given to beamlab.run)")
    if type(server) is Pid:
        pid = server
    elif type(server) is tuple:     # (name, node): runtime/nodes
        pid = _rt.remote_server(rt, me, server)
        if type(pid) is not Pid:
            _call_failed(pid, server, request, timeout, _label, None)
    else:
        pid = rt.whereis(server) if isinstance(server, str) else None
        if pid is None:
            _call_failed("noproc", server, request, timeout, _label, None)
    if (_id_of(pid) == _id_of(me.pid)) if _COMPILED else (pid.id == me.pid.id):
        _call_failed("calling_self", server, request, timeout, _label, pid)
    if (type(timeout) is float or type(timeout) is int) and timeout >= 0:
        wait = timeout
    elif timeout == "infinity":
        wait = None
    else:
        raise TypeError(f"GenServer.{_label}(timeout={timeout!r}): the timeout must be a number "
                        f"of seconds >= 0, or \"infinity\"")
    if wait == 0:
        return _call_now(rt, me, pid, server, request, timeout, _kind, _label)
    if not _park:
        msg = rt.call(me, pid, _kind, request, wait)
    else:
        started = rt._call_start(me, pid, _kind, request)
        if type(started) is _Call:
            c = started
            c.wait = wait
            c.pid = pid
            c.server = server
            c.request = request
            c.timeout = timeout
            c.label = _label
            me.pending = c      # (the driver parks on this one only)
            return c
        msg = started       # the DOWN: pid cannot be reached
    return _call_result(rt, msg, pid, server, request, timeout, _label)


def _call_result(rt, msg, pid, server, request, timeout, label: str):
    """A call's end: the reply's value, or the exit for its DOWN or its timeout.

    A reply is the only 2-tuple that ends a call (`(ref, value)`; a DOWN has 5 items,
    `_TIMEOUT` is no tuple): the stackless driver (`_receive._stackless`) takes such a
    reply's value itself, on the hot path, and calls this for anything else."""
    if msg is _TIMEOUT:
        _call_failed("timeout", server, request, timeout, label, pid)
    if len(msg) == 2:
        return msg[1]
    why = msg[4]
    if why == "noconnection":   # the server's node is cut off, stopped, or went down mid-call
        why = ("nodedown", _rt.node_name(rt, pid))      # gen:call: exit({nodedown, Node})
    _call_failed(why, server, request, timeout, label, pid)


def _parked_result(rt, c, msg):
    """The end of a call a stackless process was parked in (``_Stackless.call``)."""
    return _call_result(rt, msg, c.pid, c.server, c.request, c.timeout, c.label)


def _call_now(rt, me, pid: Pid, server, request, timeout, kind: str, label: str) -> None:
    """A call with timeout 0: OTP sends the request, then ``receive ... after 0``.

    Nothing can have answered yet, so a live server means ``timeout`` (it still
    gets the request; its reply is dropped, as a late reply is) and a dead one
    ``noproc``, the DOWN a monitor of a dead process delivers at once."""
    dist = rt._dist
    if dist is not None and pid.node != me.pid.node and not dist.reach(me.pid.node, pid.node):
        _call_failed(("nodedown", dist.name_of(pid.node)), server, request, timeout, label, pid)
    if not rt.is_process_alive(pid):
        _call_failed("noproc", server, request, timeout, label, pid)
    rt.send(pid, (kind, (me.pid, _rt.Ref()), request))
    _call_failed("timeout", server, request, timeout, label, pid)


def cast(server: Pid | str, request: Any) -> None:
    """Send ``request`` without waiting (Elixir ``GenServer.cast/2``).

    Fire-and-forget, as in OTP: a dead server or an unknown name is not an
    error. A request that cannot be copied (a lock, an open file) is, since it
    would otherwise vanish without a trace.

    >>> GenServer.cast(counter, ("add", 5))
    """
    if type(server) is tuple:       # (name, node): runtime/nodes; lost if nobody has it there
        msg = (GEN_CAST, _rt.to_message(request))
        try:
            (_CORE["_current"] or _rt.current_runtime()).send(server, msg, False)
        except _rt.BadArg:
            pass            # an unknown name there: casts are fire-and-forget, as in OTP
        return
    if type(server) is not Pid:
        if not isinstance(server, str):
            raise TypeError(f"GenServer.cast: the server must be a pid or a registered name, "
                            f"got {server!r}")
        server = _rt.whereis(server)
        if server is None:
            return          # an unknown name: casts are fire-and-forget, as in OTP
    # copied here, so an error names the request rather than the message around it
    t = type(request)
    if t is tuple:          # to_message's own first check, inlined: most requests pass it
        for v in request:
            # (the copy check of every hot path: _receive.pxd's inline _atomic_type compiled)
            if not (_atomic_type(type(v)) if _COMPILED else type(v) in ATOMIC):
                request = _rt.to_message(request)
                break
    elif not (_atomic_type(t) if _COMPILED else t in ATOMIC):
        request = _rt.to_message(request)
    msg = (GEN_CAST, request)
    # (`is None`, not `or`: compiled, a truth test of the runtime cost ~20 instructions)
    rt = _running() if _COMPILED else _CORE["_current"]
    if rt is None:
        rt = _rt.current_runtime()
    rt.send(server, msg, False)


# Whether this module runs compiled (then _core does too: it is compiled first)
_COMPILED = type(cast) is not FunctionType


# The driver of stackless processes parks one in its own body's `call` (runtime/_receive.py)
_set_gen_call(_park_call, _parked_result)


def _waiting_stack() -> list:
    """What a process waiting in `call` on a greenlet shows above its own line in
    `process_info`'s stack: this module's frames, which it has only when it runs
    pure (compiled functions have no frames). A stackless process parked in a call
    shows the same (introspection.py)."""
    stack = _WAITING.get("stack")
    if stack is None:
        stack = []
        if type(call) is FunctionType:     # pure (compiled, no frames to show)
            import inspect
            for fn, mark in ((_call, "rt.call(me, pid"), (call, "return _call(")):
                lines, first = inspect.getsourcelines(fn)
                line = first + next(i for i, text in enumerate(lines) if mark in text)
                stack.append((fn.__code__.co_filename, line, fn.__name__))
        _WAITING["stack"] = stack
    return list(stack)


_WAITING: dict = {}     # "stack": _waiting_stack's, found once

# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from .._accel import swap as _swap  # noqa: E402
_swap(__name__)
