"""The process behind every GenServer: a reactor, so an idle server holds no greenlet.

How this works: ``_core.spawn_reactor`` runs ``_Server.start()`` once (register
the name, call ``init``, acknowledge the starter) and ``_Server.handle(msg)``
once per message, borrowing a greenlet only while they run.  ``handle``
dispatches on the message's tag, as ``gen_server:decode_msg`` does:

* ``("$gen_call", (pid, tag), request)``  -> ``handle_call``
* ``("$gen_cast", request)``              -> ``handle_cast``
* ``("$system", (pid, tag), request)``    -> ``get_state`` / ``stop`` (Erlang's ``sys``)
* ``("EXIT", parent, reason)``            -> ``terminate``, then exit (when trapping exits)
  (the parent is the linked starter, e.g. a supervisor; a server started with
  ``start``, unlinked, is its own parent, as in OTP, so its starter's exit
  signals are ordinary ``handle_info`` messages)
* ``("$gen_timeout", token)``             -> ``handle_info("timeout")`` (a result's timeout)
* anything else                           -> ``handle_info``

A callback that raises runs ``terminate(Crash)`` and the process exits with
that ``Crash``; a killed server runs nothing, as on the BEAM.
"""
from __future__ import annotations

from types import FunctionType

from . import _rt
from .._core import Reactor
from ._results import (_UNSET, BadReturn, Ignore, NoReply, Ok, Reply, Stop,
                       normalize_call, normalize_init, normalize_noreply)
from ._rt import Crash, ProcessExit

__all__ = ["_Server"]

_CALL, _CAST = _rt.GEN_CALL, _rt.GEN_CAST     # "$gen_call", "$gen_cast" (typed str in _server.pxd)


class _Server(Reactor):
    """The reactor behind one GenServer process; ``format_status()`` is what observers read.
    A ``Reactor`` (``_core``): compiled, the scheduler calls its ``handle`` as a C method."""

    __slots__ = (
        "mod",      # the user's GenServer instance (callbacks)
        "state",    # the server's state
        "parent",   # Pid of the linked starter (its supervisor); its own pid if started unlinked
        "name",     # registered name or None
        "boot",     # (starter pid, ack tag, init arg) until start() has run, then None
        "timer",    # (Timer, token) of a pending Reply/NoReply timeout, or None
        "rt",       # the Runtime it runs in (replies go through rt.reply)
    )

    def __init__(self, mod, parent, name, boot):
        # parent None: started unlinked, the server is its own parent (set in start)
        self.mod = mod
        self.state = None
        self.parent = parent
        self.name = name
        self.boot = boot
        self.timer = None
        self.rt = _rt.current_runtime()

    # -- introspection ---------------------------------------------------
    @property
    def behaviour(self) -> str:
        return getattr(self.mod, "_behaviour", "GenServer")

    def describe(self) -> str:
        """The initial call observer shows, e.g. ``Counter.init/1``."""
        label = getattr(self.mod, "label", None) or type(self.mod).__name__
        return f"{label}.init/1"

    def format_status(self) -> dict:
        status = {"behaviour": self.behaviour, "module": type(self.mod).__name__,
                  "name": self.name, "state": self.state, "parent": self.parent}
        try:
            return self.mod.format_status(status)
        except Exception:
            return status

    # -- start -------------------------------------------------------------
    def start(self) -> None:
        starter, tag, arg = self.boot
        self.boot = None
        me = _rt.self_pid()
        if self.parent is None:
            self.parent = me
        if self.name is not None:
            try:
                _rt.register(self.name, me)
            except _rt.BadArg:
                self._ack(starter, tag, ("error", ("already_started", _rt.whereis(self.name))))
                raise ProcessExit("normal")
        try:
            result = normalize_init(self.mod.init(arg))
        except Exception as exc:
            crash = Crash.from_exception(exc)
            self._ack(starter, tag, ("error", crash))
            raise ProcessExit(crash) from None
        except ProcessExit as exc:
            if _rt.alive():
                self._ack(starter, tag, ("error", exc.reason))
            raise
        cls = type(result)
        if cls is Ok:
            self.state = result.state
            if self.rt._recorder is not None:
                self.rt._recorder.callback(self, "init", result)
            self._ack(starter, tag, ("ok", me))
            self._after(result)
        elif cls is Ignore:
            self._ack(starter, tag, ("ignore",))
            raise ProcessExit("normal")
        else:
            self._ack(starter, tag, ("error", result.reason))
            raise ProcessExit(result.reason)

    def _ack(self, starter, tag, result) -> None:
        _rt.send(starter, ("$ack", tag, result))

    # -- one message -------------------------------------------------------
    def handle(self, msg) -> None:
        if self.timer is not None:
            timer, token = self.timer
            if type(msg) is tuple and len(msg) == 2 and msg[0] == "$gen_timeout":
                if msg[1] is not token:
                    return          # a stale timeout
                self.timer = None
                return self._run(self.mod.handle_info, "handle_info", "timeout")
            _rt.cancel_timer(timer)
            self.timer = None
        m = msg if type(msg) is tuple else ()   # typed so in _server.pxd: C length, indexing
        n = len(m)
        if n:
            tag = m[0]
            if tag is not _CAST and tag is not _CALL:
                # the client's tags are these very objects (_rt.GEN_CALL/GEN_CAST): compared
                # by identity here; an equal tag made elsewhere (sent by hand) by value
                if tag == _CAST:
                    tag = _CAST
                elif tag == _CALL:
                    tag = _CALL
            if tag is _CALL and n == 3:
                # handle_call, written out here: this is half of every call's round trip
                from_ = m[1]
                try:
                    if _COMPILED and _method(self, 0):    # handle_call's function (_server.pxd)
                        result = _apply4(self._handle_call, self.mod, m[2], from_, self.state)
                    else:
                        result = self.mod.handle_call(m[2], from_, self.state)
                    cls = type(result)
                    if cls is not Reply:
                        result = normalize_call(result)
                        cls = type(result)
                except Exception as exc:
                    return self._crash(exc)
                except ProcessExit as exc:
                    return self._exited(exc)
                if cls is Reply:
                    reply = result
                    self.state = reply.state
                    if self.rt._recorder is not None:
                        self.rt._recorder.callback(self, "handle_call", reply, from_[1])
                    self.rt.reply(from_[0], from_[1], reply.value)
                    if reply.timeout is not None or reply.continue_ is not _UNSET:
                        self._after(reply)
                    return
                self.state = result.state
                if self.rt._recorder is not None:
                    self.rt._recorder.callback(self, "handle_call", result, from_[1])
                if cls is NoReply:
                    self._after(result)
                elif result.has_reply:
                    self._terminate_then_reply(result.reason, from_, result.reply)
                else:
                    self._terminate_and_exit(result.reason)
                return
            if tag is _CAST and n == 2:
                # handle_cast returning NoReply, written out here: a cast's whole server side
                try:
                    if _COMPILED and _method(self, 1):    # handle_cast's function (_server.pxd)
                        result = _apply3(self._handle_cast, self.mod, m[1], self.state)
                    else:
                        result = self.mod.handle_cast(m[1], self.state)
                except Exception as exc:
                    return self._crash(exc)
                except ProcessExit as exc:
                    return self._exited(exc)
                if type(result) is NoReply:
                    noreply = result
                    self.state = noreply.state
                    if self.rt._recorder is not None:
                        self.rt._recorder.callback(self, "handle_cast", noreply)
                    if noreply.timeout is not None or noreply.continue_ is not _UNSET:
                        self._after(noreply)
                    return
                return self._result(result, "handle_cast")
            if tag == "$system" and n == 3:
                return self._system(m[1], m[2])
            if tag == "EXIT" and n == 3 and m[1] == self.parent:
                return self._terminate_and_exit(m[2])
            if tag == "$gen_timeout" and n == 2:
                return              # a timeout that was cancelled
        if _COMPILED and _method(self, 2):        # handle_info's function (_server.pxd)
            return self._run_method(self._handle_info, "handle_info", msg)
        self._run(self.mod.handle_info, "handle_info", msg)

    def _run(self, callback, name: str, arg) -> None:
        """handle_cast / handle_info / handle_continue: NoReply or Stop."""
        try:
            result = callback(arg, self.state)
        except Exception as exc:
            return self._crash(exc)
        except ProcessExit as exc:
            return self._exited(exc)
        self._result(result, name)

    def _run_method(self, fn, name: str, arg) -> None:
        """_run for ``fn``, the function on the class of ``self.mod`` that
        ``getattr(self.mod, name)`` would bind to it (compiled only: _server.pxd's _method)."""
        try:
            result = _apply3(fn, self.mod, arg, self.state)
        except Exception as exc:
            return self._crash(exc)
        except ProcessExit as exc:
            return self._exited(exc)
        self._result(result, name)

    def _result(self, result, name: str) -> None:
        """What handle_cast / handle_info / handle_continue returned, applied."""
        if type(result) is not NoReply:
            try:
                result = normalize_noreply(result, name)
            except Exception as exc:
                return self._crash(exc)
        self.state = result.state
        if self.rt._recorder is not None:
            self.rt._recorder.callback(self, name, result)
        if type(result) is Stop:
            return self._terminate_and_exit(result.reason)
        self._after(result)

    def _after(self, result) -> None:
        """Apply a result's ``continue_`` (run now) and ``timeout`` (arm a timer)."""
        if result.continue_ is not _UNSET:
            return self._run(self.mod.handle_continue, "handle_continue", result.continue_)
        if result.timeout is not None:
            token = _rt.Ref()
            self.timer = (_rt.send_after(result.timeout, _rt.self_pid(),
                                         ("$gen_timeout", token)), token)

    def _system(self, from_: tuple, request) -> None:
        if request == "get_state":
            self.rt.reply(from_[0], from_[1], self.state)
        elif type(request) is tuple and request[0] == "terminate":
            self._terminate_and_exit(request[1])
        elif type(request) is tuple and request[0] == "replace_state":
            try:
                self.state = request[1](self.state)
            finally:
                self.rt.reply(from_[0], from_[1], self.state)
        else:
            self.rt.reply(from_[0], from_[1], ("error", ("unknown_system_msg", request)))

    # -- stopping ------------------------------------------------------------
    def _crash(self, exc: Exception) -> None:
        """A callback raised: terminate(Crash) runs, then the process exits with the Crash."""
        crash = Crash.from_exception(exc)
        if isinstance(exc, BadReturn):
            crash = Crash(exc, crash.traceback)
        if self.rt._recorder is not None:
            self.rt._recorder.callback(self, "raised", crash)
        self._terminate_and_exit(crash)

    def _exited(self, exc: ProcessExit) -> None:
        """A callback called exit(reason) (or a call it made failed): terminate, then exit."""
        if not _rt.alive():
            raise exc       # killed: no terminate, as on the BEAM
        if self.rt._recorder is not None:
            self.rt._recorder.callback(self, "exited", exc)
        self._terminate_and_exit(exc.reason)

    def _terminate_then_reply(self, reason, from_: tuple, value) -> None:
        """``Stop(reason, state, reply=value)``: as gen_server, ``terminate`` runs
        first and the reply is sent after it (even if it raised), then the exit."""
        try:
            self._terminate_and_exit(reason)
        finally:
            if _rt.alive():         # a server killed inside terminate sends nothing
                self.rt.reply(from_[0], from_[1], value)

    def _terminate_and_exit(self, reason) -> None:
        try:
            self.mod.terminate(reason, self.state)
        except Exception as exc:
            raise ProcessExit(Crash.from_exception(exc)) from None
        raise ProcessExit(reason)


# Whether this module runs compiled (its methods are not Python functions then). Compiled,
# handle calls the learner's handle_call, handle_cast and handle_info through the functions
# that _server.pxd's inline `_method(server, which)` finds on their class, with _apply3 and
# _apply4 (one vectorcall); pure, the method calls as written (these names go unused).
_COMPILED = type(_Server.__dict__["handle"]) is not FunctionType
_CALLBACKS = ("handle_call", "handle_cast", "handle_info")
locals()["_method"] = lambda server, which: False
locals()["_apply3"] = locals()["_apply4"] = lambda fn, *args: fn(*args)

# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from .._accel import swap as _swap  # noqa: E402
_swap(__name__)
