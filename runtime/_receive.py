"""Selective receive: take the first matching message, or wait for one.

How this works: the mailbox is a deque in arrival order. `receive` scans it
once with the compiled pattern; if nothing matches it records the pattern on
the process and blocks. A sender checks each new message against that
pattern only, and wakes the receiver only on a match, so a process waiting for
one reply is not woken by the rest of its traffic. On waking, the receiver
scans just the messages that arrived since its last scan. A timeout is tagged
with the receive it belongs to, so a stale timer never wakes a later receive;
it becomes a timer only if the receive is still waiting at the scheduler's
next service (see `_wait`). Both halves of a receive, "try now" (`_take`) and
"after a wake, scan what arrived since" (`_woken`), serve both kinds of process:

Stackless processes. A function process whose receives sit in its own body (not
inside a try or with) runs as a generator: stackless.py rewrites `receive(...)`
there to `(yield receive)` or `(yield (receive, args, kwargs))`, and `_stackless`
drives it on whatever pooled worker greenlet runs (as a reactor's callbacks run):
it sends in each receive's message, or throws in its exception. A receive with
nothing for it yet parks the process: its generator, its matcher and `pending`
(what the scan has covered, timeout, default) stay on the record and it holds no
greenlet, so an idle one costs its record and a generator; the worker goes on to
the next runnable process, resuming the next parked one (or running an idle
reactor, or a new process) without a switch. A GenServer.call of its own body parks
it the same way: stackless.py makes `X.call(args)` test, in the process's own frame,
whether X.call is GenServer's call: anything else is called there as written; GenServer's
yields the call's arguments, and the driver calls its parking twin (otp/_client.py) with
them, which does the call's first half (`_call_start`: monitor, send) and returns the
started call, a `_Call` (its errors are thrown in at the call's line); the process
parks on it (`pending`, with `awaiting` its ref, so `reply` hands the reply over)
and, woken by the reply, the DOWN or the timeout, does the second half (`_call_end`, then _client's `_call_result`), as `call` does
on a greenlet. A stackless process that blocks any other way (a receive in a
function it calls, a call in a try, sleep, the preemption tick) keeps its worker
greenlet until it parks in its own body again. Killed while parked it dies at
once, like an idle reactor: there is no `finally` to run. `Runtime(stackless=False)` runs every
function process on a greenlet.
"""

from __future__ import annotations

import collections
import sys
from itertools import islice
from types import FunctionType, GeneratorType

import greenlet

from .errors import BadArg, Crash, NotInProcess, ProcessExit, ReceiveTimeout
from .messages import _ATOMIC, to_message
from .patterns import compile_patterns
from .pid import Pid, Ref
from ._process import RUNNABLE, RUNNING, WAITING

__all__ = ["ReceiveMixin", "TIMED_OUT"]

_NO_DEFAULT = object()
_TIMED_OUT = TIMED_OUT = object()   # what _wait and call return when the timeout passed
_popleft = collections.deque.popleft  # a mailbox's, taken once (see _core._append)
_send = GeneratorType.send              # a stackless process's generator's, the same way
_throw = GeneratorType.throw
# Compiled, _receive.pxd's inline C function of this name sends with PyIter_Send (no
# descriptor call; a return raises StopIteration(value) as send does); pure, _send itself.
locals()["_gen_send"] = _send
# The running greenlet's context set (`me.gr_context = ctx`): compiled, _receive.pxd's
# inline C function of this name sets the thread state's context as greenlet's setter
# does (no attribute lookup, no descriptor); pure, the setter itself.
_enter_context_setter = greenlet.greenlet.gr_context.__set__
locals()["_enter_context"] = _enter_context_setter
# A Pid's `id`: compiled, _receive.pxd's inline C function of this name reads it from its
# slot (send, in _core, and _client use it too); pure, `pid.id` is read where `_COMPILED` is false.
_PID_SLOT = Pid.__dict__["id"]
locals()["_id_of"] = _PID_SLOT.__get__
# The copy check of every hot path (send, call, reply, cast): compiled, _receive.pxd's
# inline `_atomic_type(t)` (str and int first, then the set); pure, `t in _ATOMIC` as it is
# written out where it is made (a call of a function there would cost more than the test).
# The clock whose `now` `_park` read last, and that bound `now` (every GenServer call parks
# with a timeout: no attribute lookup each time)
_NOW_CLOCK = _NOW = None
_NOTHING = object()                 # what _take and _woken return when no message is for it
_API_RECEIVE = [None]               # api.receive, set when api is imported (it imports this)
# otp/_client.py's parking twin of GenServer's call and the end of a parked call; set
# by `_set_gen_call` when it is imported (it imports this)
_GC_PARK = _GC_RESULT = None
# What a stackless process's own GenServer call yields (stackless.py): `(_CALL_PARK, *args)`,
# or `(_CALL_PARK_KW, args, kwargs)` for a call with keywords or *x / **x
_CALL_PARK = ("beamlab: GenServer.call(...) in a stackless process's own body",)
_CALL_PARK_KW = ("beamlab: GenServer.call(..., k=v) in a stackless process's own body",)


def receive(*patterns, timeout=None, default=_NO_DEFAULT):
    """A stackless process's `receive(...)` arguments, checked as api.receive's are
    (named `receive`, so a wrong keyword's TypeError names it as the learner wrote it)."""
    return patterns, timeout, default


_receive_args = receive
del receive


def _unmetered(make, fn):
    """`make(fn)` with a deterministic run's work meter off (_reductions.py): making a
    generator function runs code under the learner's file name once, and a later run
    with the same seed finds it made, so counting it would change the schedule."""
    if sys.version_info >= (3, 12):
        mon = sys.monitoring
        tools = [(t, mon.get_events(t)) for t in range(6)
                 if mon.get_tool(t) == "beamlab deterministic run"]
        for t, _ in tools:
            mon.set_events(t, 0)
        try:
            return make(fn)
        finally:
            for t, ev in tools:
                mon.set_events(t, ev)
    trace = sys.gettrace()
    sys.settrace(None)
    try:
        return make(fn)
    finally:
        sys.settrace(trace)


class _Call:
    """A GenServer call under way (`ReceiveMixin._call_start`): its ref, the server's
    record and the caller's monitors (both hold the monitor), and how much of the caller's
    mailbox came before it; it is the matcher of its reply or DOWN too (called with a
    message, as a receive's matcher is). For a stackless process parked in it, also what
    otp/_client.py ends it with: the wait (seconds or None), the server's pid, and the
    server, request, timeout and name as the call was given them."""

    __slots__ = ("ref", "other", "mons", "scanned", "wait", "pid", "server",
                 "request", "timeout", "label")

    def __call__(self, m):
        """Whether `m` is this call's reply `(ref, value)` or its server's DOWN."""
        ref = self.ref
        return type(m) is tuple and (m[0] is ref if len(m) == 2 else
                                     (len(m) == 5 and m[1] is ref and m[0] == "DOWN"))

    @property
    def __code__(self):
        """What the flight recorder notes of this matcher, as of a function's: a code
        object named for what it matches, shared by every call (recorder.take)."""
        return _MATCHER_CODE


# The code object the recorder notes for a call's matcher (see _Call.__code__)
_MATCHER_CODE = (lambda m: None).__code__.replace(co_name="reply_or_down")


def _set_gen_call(park, result) -> None:
    """otp/_client.py's parking twin of `call` and the end of a parked call, for the
    driver of stackless processes (`_stackless`)."""
    global _GC_PARK, _GC_RESULT
    _GC_PARK, _GC_RESULT = park, result


def _raised_below(e):
    """`e`, raised in a function the driver called for a stackless process, with the
    driver's own frame (pure build) cut off its traceback: thrown into the process, it
    reads as raised by that function called at the process's line, as written."""
    tb = e.__traceback__
    if tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "_stackless" and code.co_filename == __file__:
            e.__traceback__ = tb.tb_next
    return e


class ReceiveMixin:
    def receive(self, patterns=(), timeout=None, default=_NO_DEFAULT):
        proc = self.current
        if proc is None or greenlet.getcurrent() is not proc.greenlet:
            raise NotInProcess("receive() must be called from inside a process")
        if not proc.alive:
            self._exit_again(proc)      # killed, and it caught the exit: raise it again
        matcher = self._receive_start(proc, patterns, timeout)
        m = self._take(proc, matcher, 0)
        if m is not _NOTHING:
            return m
        if timeout == 0:
            return self._timeout_result(default, timeout)
        mb = proc.mailbox
        m = self._wait(proc, matcher, len(mb) if mb else 0, timeout)
        if m is _TIMED_OUT:
            return self._timeout_result(default, timeout)
        return m

    def _receive_start(self, proc, patterns, timeout):
        """A receive's checks and its reduction; returns its matcher (None: any message)."""
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout != timeout:
                raise BadArg(f"receive(timeout={timeout!r}): the timeout must be a number of "
                             f"seconds >= 0, or None to wait forever")
            if timeout < 0:
                raise BadArg(f"receive(timeout={timeout!r}): the timeout cannot be negative; "
                             f"use 0 to only check the mailbox")
        proc.reductions += 1
        if not patterns:
            return None
        if len(patterns) == 1 and type(patterns[0]) is FunctionType:
            return patterns[0]          # a predicate, as OTP's calls pass: no compiling
        return compile_patterns(patterns)

    def _take(self, proc, matcher, scanned: int):
        """The "try now" half of a receive: take the first message after the first
        `scanned` that `matcher` accepts out of `proc`'s mailbox and return it, or
        `_NOTHING` (then every message has been scanned)."""
        mb = proc.mailbox
        if mb is None or len(mb) <= scanned:
            return _NOTHING
        if matcher is None:
            self.messages_received += 1
            if self._recorder is not None:
                self._recorder.take_head(proc)
            return _popleft(mb)
        for i, m in enumerate(islice(mb, scanned, None) if scanned else mb, scanned):
            if matcher(m):
                if self._recorder is not None:
                    self._recorder.take(proc, i, matcher)
                del mb[i]
                self.messages_received += 1
                return m
        return _NOTHING

    def _park(self, proc, timeout, awaiting) -> None:
        """A receive starts waiting: a new wait token (so a stale timer never wakes
        a later receive), its timeout noted for the next service, `awaiting` (see _wait)."""
        global _NOW_CLOCK, _NOW
        token = proc.wait_token = proc.wait_token + 1
        if timeout is not None:
            clock = self.clock
            if clock is not _NOW_CLOCK:     # its `now`, looked up once per clock
                _NOW_CLOCK, _NOW = clock, clock.now
            self._timeouts_due.append((_NOW() + timeout, proc, token))
        proc.wake = awaiting

    def _woken(self, proc, matcher, scanned: int):
        """The "after wake, scan" half: what woke a waiting receive. The reply handed
        over by `reply`, a message after the first `scanned` that matches (taken), or
        `_TIMED_OUT`; `_NOTHING` if it must wait on (the scan covered the mailbox)."""
        wake = proc.wake
        if type(wake) is tuple:
            proc.wake = None
            self.messages_received += 1
            return wake
        m = self._take(proc, matcher, scanned)
        if m is not _NOTHING:
            return m
        if wake is _TIMED_OUT:
            return _TIMED_OUT
        return _NOTHING

    def _unpark(self, proc) -> None:
        """A receive is over (a message, a timeout, or an exception in its process)."""
        proc.blocked = False
        proc.matcher = None
        proc.wait_token += 1
        if proc.timer is not None:      # it waited across a service: drop its timer
            self._cancel(proc.timer)
            proc.timer = None

    def _wait(self, proc, matcher, scanned: int, timeout, awaiting=None):
        """Block `proc` until a message after the first `scanned` matches (take and
        return it), or `timeout` seconds pass (return `_TIMED_OUT`).

        `proc.wake` says what woke it when no scan is needed: `_TIMED_OUT`, or
        the reply `reply` handed over to a `call` awaiting that ref (`awaiting`)
        without queueing it: nothing else could have taken it from the mailbox.
        A killed process never waits (nothing would wake it): its exit is raised again.

        The timeout is not a timer yet: it is noted in `_timeouts_due` and the
        scheduler turns it into one at its next service (within a tick), if the
        process is still waiting then. Most receives with a timeout (every
        GenServer.call) are answered well before that, and cost no timer at all."""
        if not proc.alive:
            self._exit_again(proc)
        self._park(proc, timeout, awaiting)
        try:
            while True:
                proc.matcher = matcher
                proc.blocked = True
                proc.status = WAITING
                self._switch_away()
                if not proc.alive:
                    raise ProcessExit(proc.exit_reason)
                m = self._woken(proc, matcher, scanned)
                if m is not _NOTHING:
                    return m
                mb = proc.mailbox
                scanned = len(mb) if mb else 0
        finally:
            self._unpark(proc)

    # ------------------------------------------------------------------ stackless
    def _stackless_start(self, proc):
        """Run a new function process stackless if its function can be (a generator
        version of it exists, see stackless.py): returns its generator function, or
        None. stackless.py keeps what it made per function (checking that the function
        still has the same code, defaults and `receive`), so this asks it every time."""
        make = self._generator_function
        if make is None:
            return None
        # Making it (the first time a function is seen: parsing its source, some ms)
        # is the runtime's work, not the process's: no process runs meanwhile, so the
        # tick does not switch it out there and the watchdog does not name it there.
        cur = self.current
        self.current = None
        try:
            if self._det is None:
                return make(proc.fn)
            return _unmetered(make, proc.fn)
        except Exception:
            return None         # not ours to judge: it runs on a greenlet as always
        finally:
            self.current = cur

    def _stackless(self, proc, gf):
        """Run the stackless process `proc` on the calling greenlet (a pooled worker's)
        until it parks in a receive of its own body or ends. `gf`: its generator
        function when it starts, None when it resumes after a wake. When it parks and
        the next runnable process is a parked stackless one too, that one resumes
        right here, as `_switch_away` would hand it this greenlet (no switch).

        Returns 0 when the last one parked (it holds no greenlet now), 1 when it
        ended (its exit done, as `_process_main`'s), 2 when its greenlet was torn
        down (GreenletExit: `stop`), which must then end too."""
        me = proc.greenlet
        recv = _API_RECEIVE[0]
        while True:
            value = None
            exc = None
            if gf is not None:
                try:
                    args = proc.args
                    if proc.kwargs:
                        gen = gf(*args, **proc.kwargs)
                    else:
                        gen = gf(*args)
                except BaseException as e:      # wrong arguments: it crashes, as fn(*args) would
                    self._finish(proc, Crash.from_exception(e))
                    return 1
            else:
                # woken in its receive: the receive's second half
                gen = proc.gen
                pending = proc.pending
                if proc.throw is not None:
                    # an exception for it, raised where it waits (run()'s main: Ctrl-C or
                    # a Deadlock, see _driver._drive_main): its receive or call ends
                    exc = proc.throw
                    proc.throw = None
                    proc.gen = None
                    proc.pending = None
                    self._unpark(proc)
                    if type(pending) is _Call:
                        self._call_end(proc, pending)
                elif pending is None:     # receive(): only a message wakes it
                    mb = proc.mailbox
                    if not mb:
                        return self._waits_on(proc)     # nothing for it after all
                    self.messages_received += 1
                    if self._recorder is not None:
                        self._recorder.take_head(proc)
                    value = _popleft(mb)
                    proc.gen = None
                    proc.wait_token += 1        # _unpark's, for a receive with no matcher
                    proc.blocked = False        # and no timeout (no timer)
                elif type(pending) is _Call:
                    # woken in a GenServer.call of its own body: the call's second half
                    c = pending
                    m = self._woken(proc, c, c.scanned)
                    if m is _NOTHING:
                        mb = proc.mailbox
                        c.scanned = len(mb) if mb else 0
                        return self._waits_on(proc)
                    proc.gen = None
                    proc.pending = None
                    self._unpark(proc)
                    try:
                        self._call_end(proc, c)
                        if type(m) is tuple and len(m) == 2:
                            value = m[1]    # its reply's value (_client's _call_result)
                        else:
                            value = _GC_RESULT(self, c, m)
                    except BaseException as e:      # the call's exit (CallExit), raised there
                        exc = e
                else:
                    failed = None
                    try:
                        m = self._woken(proc, proc.matcher, pending[0])
                    except BaseException as e:  # its matcher raised: raised at its receive
                        failed = e
                        m = None
                    if m is _NOTHING:
                        mb = proc.mailbox
                        proc.pending = (len(mb) if mb else 0, pending[1], pending[2])
                        return self._waits_on(proc)
                    proc.gen = None
                    proc.pending = None
                    self._unpark(proc)
                    if failed is not None:
                        exc = failed
                    elif m is _TIMED_OUT:
                        try:
                            value = self._timeout_result(pending[2], pending[1])
                        except BaseException as e:
                            exc = e
                    else:
                        value = m
            while True:         # run it to its next receive that waits
                try:
                    if exc is None:
                        req = _gen_send(gen, value)
                    else:
                        e, exc = exc, None
                        req = _throw(gen, e)
                except StopIteration as stop:
                    if proc.label is not None:      # run()'s main: run returns its value
                        self._main_ended(proc, stop.value, None)
                    self._finish(proc, "normal")
                    return 1
                except ProcessExit as e:
                    self._finish(proc, e.reason)
                    return 1
                except greenlet.GreenletExit:
                    self._finish(proc, "killed")
                    return 2
                except BaseException as e:
                    if type(e) is RuntimeError:     # PEP 479's StopIteration: the one fn raised
                        from .stackless import original_exception
                        e = original_exception(e)
                    if proc.label is not None:      # run()'s main: run raises it as it was
                        self._main_ended(proc, None, e)
                    self._finish(proc, Crash.from_exception(e))
                    return 1
                value = None
                if req is recv:
                    # receive() with no arguments, written out: the ring's every hop
                    if not proc.alive:
                        try:
                            self._exit_again(proc)      # killed, and it caught the exit
                        except BaseException as e:
                            exc = e
                        continue
                    proc.reductions += 1
                    mb = proc.mailbox
                    if mb:
                        self.messages_received += 1
                        if self._recorder is not None:
                            self._recorder.take_head(proc)
                        value = _popleft(mb)
                        continue
                    proc.wait_token += 1        # _park's, with no timeout
                    proc.wake = None
                    proc.matcher = None
                    break
                first = req[0] if type(req) is tuple else None
                if first is _CALL_PARK or first is _CALL_PARK_KW:
                    # GenServer's call in its own body, its arguments evaluated: its parking
                    # twin (same arguments, same errors, raised at the call's line) starts it
                    try:
                        n = len(req)
                        if first is _CALL_PARK_KW:
                            c = _GC_PARK(*req[1], **req[2])
                        elif n == 3:
                            c = _GC_PARK(req[1], req[2])
                        elif n == 4:
                            c = _GC_PARK(req[1], req[2], req[3])
                        else:
                            c = _GC_PARK(*req[1:])
                    except BaseException as e:
                        exc = _raised_below(e)
                        continue
                    # started (request sent, server monitored): it parks here until its
                    # reply, the server's DOWN or its timeout
                    if not proc.alive:      # killed, and it caught the exit (_wait's)
                        proc.pending = None
                        try:
                            try:
                                self._exit_again(proc)
                            finally:
                                self._call_end(proc, c)
                        except BaseException as e:
                            exc = e
                        continue
                    self._park(proc, c.wait, c.ref)
                    proc.matcher = c
                    break
                if type(req) is not tuple or len(req) != 3 or req[0] is not recv:
                    # the learner's own `receive`, or another callee: called as the line would
                    try:
                        if type(req) is tuple and len(req) == 3:
                            value = req[0](*req[1], **req[2])
                        else:
                            value = req()
                    except BaseException as e:
                        exc = e
                    continue
                try:
                    patterns, timeout, default = _receive_args(*req[1], **req[2])
                    if not proc.alive:
                        self._exit_again(proc)
                    matcher = self._receive_start(proc, patterns, timeout)
                    m = self._take(proc, matcher, 0)
                    if m is not _NOTHING:
                        value = m
                        continue
                    if timeout == 0:
                        value = self._timeout_result(default, timeout)
                        continue
                except BaseException as e:
                    exc = e
                    continue
                self._park(proc, timeout, None)
                proc.matcher = matcher
                if matcher is not None or timeout is not None:
                    mb = proc.mailbox
                    proc.pending = (len(mb) if mb else 0, timeout, default)
                break
            # parked: its generator is all that is left of its stack
            proc.gen = gen
            proc.blocked = True
            proc.status = WAITING
            proc.greenlet = None
            # the next runnable process, if a parked stackless one, resumes on this greenlet
            # (what _switch_away does, written out; the same visits to the loop)
            if self._service_due or not (self._switches & 1023):
                return 0
            runq = self._runq
            if not runq:
                return 0
            nxt = runq[0]
            if nxt.greenlet is not None:
                return 0
            if nxt.gen is None:     # a new process: here too if it runs stackless
                if nxt.reactor is not None or nxt.external or not nxt.alive:
                    return 0
                gf = self._stackless_start(nxt)
                if gf is None:
                    return 0
            else:
                gf = None
            self._runs_here(nxt, me)
            proc = nxt

    def _waits_on(self, proc) -> int:
        """A woken stackless process found nothing for it after all: it waits on,
        parked, holding no greenlet (`_stackless` returns this: 0)."""
        proc.blocked = True
        proc.status = WAITING
        proc.greenlet = None
        return 0

    def _run_here(self, me):
        """The next runnable process, switched in on `me` (the calling pooled worker
        greenlet, whose process just parked, ended or went idle) if it has no greenlet
        of its own (new, an idle reactor, a parked stackless process); else None.
        `_switch_away` would hand it a pooled greenlet, this very one (the pool is a
        stack, `me` on top), through a switch to itself; this is the same with no switch."""
        if self._service_due or not (self._switches & 1023):
            return None     # the loop's turn (see _switch_away)
        runq = self._runq
        if not runq:
            return None
        nxt = runq[0]
        if nxt.greenlet is not None or nxt.external or not nxt.alive:
            return None
        self._runs_here(nxt, me)
        return nxt

    def _runs_here(self, nxt, me) -> int:
        """`nxt`, the head of the run queue, is switched in on the worker greenlet `me`
        with no greenlet switch (what `_switch_away` does with a pooled greenlet)."""
        self._runq_popleft()
        nxt.queued = False
        self.current = nxt
        self._switches += 1
        nxt.status = RUNNING
        nxt.greenlet = me
        _enter_context(me, nxt.context)     # me.gr_context = nxt.context (me runs)
        return 0

    def call(self, proc, pid, kind, request, timeout):
        """The core of `gen:call`: monitor `pid`, send it `(kind, (caller, ref), request)`
        and wait for `(ref, reply)` or the server's DOWN.

        Returns the reply message, the DOWN message (reason "noconnection" if
        `pid`'s node cannot be reached, else "noproc" if `pid` is not alive), or
        `_TIMED_OUT`. The monitor is gone when it returns, with no
        DOWN left in the mailbox, as `demonitor(ref, [flush])` does. A stackless
        process's own call does the same in two halves around its park (`_stackless`)."""
        started = self._call_start(proc, pid, kind, request)
        if type(started) is not _Call:
            return started      # the DOWN: pid cannot be reached
        c = started
        try:
            return self._wait(proc, c, c.scanned, timeout, c.ref)
        finally:
            self._call_end(proc, c)

    def _call_start(self, proc, pid, kind, request):
        """`call`'s first half: copy the request, monitor `pid` and send it the request.
        Returns the call under way (a `_Call`: what it waits for), or the DOWN message
        when `pid` cannot be reached (see `call`)."""
        t = type(request)
        if t is tuple:      # to_message's own first check, inlined: most requests pass it
            for v in request:
                if not (_atomic_type(type(v)) if _COMPILED else type(v) in _ATOMIC):
                    request = to_message(request)
                    break
        elif not (_atomic_type(t) if _COMPILED else t in _ATOMIC):
            request = to_message(request)   # BadArg if it cannot be copied: before the monitor
        ref = Ref()
        # A server on another node (runtime/nodes): its node first, then the process, in
        # monitor's order (a dead pid on a node cut off is noconnection, as on the BEAM).
        dist = self._dist
        if dist is not None and pid.node != proc.pid.node and not dist.reach(proc.pid.node,
                                                                              pid.node):
            return ("DOWN", ref, "process", pid, "noconnection")
        other = self._table.get(_id_of(pid) if _COMPILED else pid.id)
        if other is None or not other.alive:
            return ("DOWN", ref, "process", pid, "noproc")
        me = proc.pid
        mons = proc.monitors
        if mons is None:
            mons = proc.monitors = {}
        mons[ref] = pid
        watchers = other.monitored_by
        if watchers is None:
            watchers = other.monitored_by = {}
        watchers[ref] = me
        mb = proc.mailbox
        scanned = len(mb) if mb else 0
        msg = (kind, (me, ref), request)
        if self._send_tracers or self._flag_tracers or dist is not None:
            self.send(pid, msg, False)      # (across nodes it goes through the connection)
        else:   # send's work, minus what is known here: the target's record, a message
            self.messages_sent += 1
            proc.reductions += 1
            self._deliver(other, msg)
        c = _Call.__new__(_Call)      # (compiled: its tp_new, no type call)
        c.ref = ref
        c.other = other
        c.mons = mons
        c.scanned = scanned
        proc.reductions += 1
        return c

    def _call_end(self, proc, c) -> None:
        """`call`'s second half, once it has its reply, DOWN or timeout (or an exception):
        the monitor gone, and no DOWN of it left in the mailbox."""
        # A reply, a timeout or an interrupt (Ctrl-C in a cell) leaves the
        # monitor in place (a DOWN would have been taken first, and it removes
        # the monitor): drop both sides, so no late reply or DOWN arrives.
        ref = c.ref
        mons = c.mons
        if mons.pop(ref, None) is not None:
            watchers = c.other.monitored_by
            if watchers:
                watchers.pop(ref, None)
        elif proc.mailbox:
            # The server died after it answered, before this caller ran again:
            # its DOWN came too. Drop it, as gen:call's demonitor(Mref, [flush]).
            mb = proc.mailbox
            for i, m in enumerate(mb):
                if type(m) is tuple and len(m) == 5 and m[1] is ref and m[0] == "DOWN":
                    if self._recorder is not None:
                        self._recorder.dropped(proc, i)
                    del mb[i]
                    break

    def reply(self, pid, tag, value) -> None:
        """Answer a `call` from `pid` tagged `tag`, only while the caller still waits.

        A caller waits holding a monitor whose ref is the call's tag, and drops it
        when it gives up (timeout). OTP 24+ gets the same effect from aliases: a
        late reply never lands in the caller's mailbox. A caller still blocked in
        that call's wait is handed the reply directly (see `_wait`), unless a
        tracer wants to see the send."""
        proc = self._table.get(_id_of(pid) if _COMPILED else pid.id)
        if proc is None:
            return
        mons = proc.monitors
        if not mons or tag not in mons:
            return
        if not (_atomic_type(type(value)) if _COMPILED else type(value) in _ATOMIC):
            value = to_message(value)
            if not proc.alive or not proc.monitors or tag not in proc.monitors:
                return      # a huge copy let others run: the caller gave up meanwhile
        if self._dist is not None and self._dist.reply(pid, tag, value):
            return      # to another node: through the connection, and dropped on arrival if
                        # the caller gave up meanwhile (runtime/nodes; it tells the tracers)
        if self._send_tracers or self._flag_tracers:
            self.send(pid, (tag, value), False)
            return
        self.messages_sent += 1
        cur = self.current
        if cur is not None:
            cur.reductions += 1
        if proc.blocked and proc.wake is tag:
            rec = self._recorder    # (a callback's event holds the reply to its call)
            if rec is not None and rec._reply_tag is not tag:
                rec.handoff(proc, tag, value)
            proc.wake = (tag, value)
            proc.blocked = False
            if not proc.queued:     # _ready, written out: half of every call
                proc.queued = True
                proc.status = RUNNABLE
                self._runq_append(proc)
                if not self._driving:
                    self._notify()
            return
        self._deliver(proc, (tag, value))

    def _deliver(self, target, msg) -> None:
        """Queue `msg` for `target` and wake it if it waits for such a message: the
        runtime's (_core.py's Runtime defines it); named here so that, compiled, the
        calls above are C calls of it (_receive.pxd declares it, _core.pxd overrides it)."""
        raise NotImplementedError("ReceiveMixin is the runtime's: use Runtime")

    @staticmethod
    def _timeout_result(default, timeout):
        if default is _NO_DEFAULT:
            raise ReceiveTimeout(f"receive timed out after {timeout} s with no matching message "
                                 f"(pass default=... to get a value instead of this error)")
        return default

    def _receive_timeout(self, proc, token) -> None:
        if proc.alive and proc.wait_token == token and proc.blocked:
            proc.wake = _TIMED_OUT
            proc.blocked = False
            # A process whose timer fired goes to the head of the run queue, so a
            # 10 ms ticker is not late by a full slice of every busy process.
            # It cannot starve the others: each wake needs a timer, and it is
            # preempted like anyone once it runs.
            self._ready(proc, front=True)

# Whether this module runs compiled (its functions are not Python functions then)
_COMPILED = type(_set_gen_call) is not FunctionType

# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
