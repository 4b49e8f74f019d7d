"""The scheduler: processes as greenlets, run in turn in one thread.

How this works (the principles everything else relies on):

1. One thread. The runtime runs in the thread that drives it (the main thread,
   so SIGALRM can preempt). Exactly one process runs at a time; `current` is it.
2. Processes are greenlets. A process gives up the CPU when it blocks in
   `receive`, or when the preemption tick interrupts it at a safe point. It then
   hands the CPU straight to the next runnable process (`_switch_away`), and only
   goes back to the driving loop every so often, or when the tick asks, to fire
   timers, run callbacks from other threads and flush output.
3. The driving loop (`_drive`) runs in the greenlet of whoever drives the
   runtime: `run(main)` in a script, `run_as`/`run_pending` in the kernel. Process
   greenlets are its children, so a finished process returns to it.
4. Reactors (OTP behaviours) have no greenlet while idle: when a message
   arrives they borrow a pooled greenlet, run their callbacks until the mailbox
   is empty, and give it back. So do stackless function processes (a generator
   waiting at a receive of its own body, see _receive.py): woken, one resumes
   its generator on whatever pooled greenlet runs; parked again, it gives it back.
   `Runtime(stackless=False)` turns that off.
5. Everything a process can do to another (send, signals, links, monitors) is a
   plain method call on the runtime's tables; nothing ever blocks but receive.

The driving loop and the entry points (`run`, `run_as`, `run_pending`) live in
`_driver.py`; signals in `_signals.py`; timers, registry and introspection in
their own mixins.
"""

from __future__ import annotations

import collections
import contextvars
import itertools
import threading
import time
import types
import greenlet
from greenlet import getcurrent as _getcurrent
from _thread import get_ident as _get_ident

from .clock import SystemClock
from .halt import halt
from .errors import Crash, NotInProcess, ProcessExit, SystemLimit
from .introspection import IntrospectionMixin
from .io import GroupLeader, install_stdio, uninstall_stdio
from .limits import check_process_limit, default_process_limit
from .messages import _ATOMIC, to_message
from .pid import Pid, _ROUTE
from .preempt import Preemptor
from .recorder import attach as _attach_recorder
from ._accel import framed
from ._gc import GcPolicy
from ._process import EXITING, RUNNABLE, RUNNING, WAITING, Process
from ._driver import Deadlock, DriverMixin
from ._receive import ReceiveMixin, _popleft
from ._registry import RegistryMixin
from ._signals import SYSTEM_PID, SignalsMixin
from ._timers import TimersMixin
from .telemetry import Telemetry
from .watchdog import Watchdog

__all__ = ["Runtime", "current_runtime", "Deadlock", "spawn_reactor"]

_POOL_MAX = 256
# A mailbox's append, taken once: compiled, `mb.append(m)` looks the method up on every
# call (~200 instructions); calling the descriptor skips that. Same in pure (its popleft,
# _popleft, is _receive's).
_append = collections.deque.append
# Compiled, _core.pxd's inline functions of these two names call the deque's own C
# functions (taken from the descriptors above) with no Python call between; pure, they
# are the descriptors. Bound through locals() so Cython does not take the assignment for
# a second definition of its inline functions (gevent binds its getcurrent so).
locals()["_mb_append"] = _append
locals()["_mb_popleft"] = _popleft
locals()["_mb_any"] = bool     # (pure: `_drain` asks `while mb`, compiled _mb_any)
# Compiled, an inline C function (_core.pxd) reading the OS thread's ident; pure, this.
locals()["_thread_id"] = _get_ident
# Compiled, an inline C function (_core.pxd) taking a queued message tuple that can hold
# no cycle out of the collector's lists; pure, never called (messages stay tracked).
locals()["_gc_untrack"] = None
# A Pid's `id`: compiled, send reads it from its slot through _receive.pxd's inline _id_of
# (no attribute lookup); pure, `pid.id` is read where `_COMPILED` is false.
locals()["_id_of"] = Pid.__dict__["id"].__get__
# spawn's new pid: compiled, _core.pxd's inline _new_pid fills the slots of `id` and `node`
# itself (no Python frame of Pid.__new__); pure, Pid(n).
_PID_NODE = Pid.__dict__["node"]
locals()["_new_pid"] = Pid
# A pid's route to its live record: compiled, spawn fills it, exit empties it and send
# follows it (_core.pxd's inline _set_route, _clear_route, _routed; pid.py's _ROUTE); pure,
# never filled: send looks every pid's number up in the table.
_PID_ROUTE = _ROUTE
locals()["_routed"] = locals()["_set_route"] = locals()["_clear_route"] = None
# Each runtime's number (`_home`), which its records carry: a route is followed only by
# the runtime it leads into (tests, a kernel's restarts and `run` make many runtimes)
_homes = itertools.count(1)
_copy_context = contextvars.copy_context
_current: "Runtime | None" = None


def _running():
    """The running runtime, or None: `_current`, as a C call for the compiled _client."""
    return _current


def _worker_run(rt):
    """The function a runtime's pooled greenlets run: `rt._worker`, called from a
    plain function. Given the bound method itself, greenlet would call it through
    one more C frame, which every switch of every process then saves and restores.
    It is started with no arguments: its first process is `rt.current` (see `_worker`)."""
    def run():
        return rt._worker()
    return run


def _generator_function_maker():
    """stackless.generator_function, or None when that module is not there."""
    try:
        from .stackless import generator_function
    except ImportError:
        return None
    return generator_function


def current_runtime() -> "Runtime":
    """The runtime of this kernel or `beamlab.run` (the one most recently started).

        >>> current_runtime().stats()["processes"]
        12
    """
    if _current is None:
        raise NotInProcess("no beamlab runtime is running: use beamlab.run(main) in a script, "
                           "or the 'BEAM Lab (Python)' kernel in Jupyter")
    return _current


def api_send(dest, msg):
    """Put `msg` in the mailbox of `dest` (a pid or a registered name); returns `msg`.

    Sending to a dead pid does nothing, as on the BEAM. Mutable values are copied,
    so changing `msg` after sending never changes what the receiver sees.

        >>> send(pid, ("ping", self()))
    """
    # beamlab.runtime.send (api.py takes it from here): compiled with the runtime, a
    # learner's send() is one C call into Runtime.send, with no Python frame between
    rt = _current
    if rt is None:
        rt = current_runtime()
    return rt.send(dest, msg)


class Runtime(ReceiveMixin, DriverMixin, SignalsMixin, RegistryMixin, TimersMixin, IntrospectionMixin):
    """A BEAM-like runtime: processes, mailboxes, links, monitors, timers, a preempting scheduler.

        >>> rt = Runtime()
        >>> rt.run(main)          # or beamlab.run(main)

    `preemption`: "auto" (SIGALRM when in the main thread, else cooperative),
    "signal", or "cooperative" (processes switch only when they receive).
    `tick`: the preemption time slice in seconds. `long_schedule`: seconds a
    process may hold the scheduler before a long_schedule event names it.
    `process_limit`: how many processes may exist at once (Erlang's `+P`; the
    default is sized to the available memory, see limits.py); `spawn` beyond it
    raises `SystemLimit`.
    `record`: the flight recorder (recorder.py): True, a `Recorder(max_events=...,
    max_bytes=...)` or a dict of its options; off by default, on in the kernel.
    `stackless`: run a function process whose receives sit in its own body as a
    generator, holding no greenlet while it waits (_receive.py, "Stackless processes");
    False runs every function process on a greenlet, for comparison and bisecting.
    """

    def __init__(self, clock=None, preemption: str = "auto", tick: float = 0.001,
                 long_schedule: float = 0.1, crash_reports: bool = True,
                 process_limit: int | None = None, record=False, stackless: bool = True):
        self.clock = clock if clock is not None else SystemClock()
        # stackless function processes (see _receive.py): the generator-function maker
        # (stackless.py), or None to run every function process on a greenlet
        self._generator_function = _generator_function_maker() if stackless else None
        self._process_limit = (default_process_limit() if process_limit is None
                               else check_process_limit(process_limit))
        self._thread = _get_ident()   # the thread that drives it (set again by start())
        self._table: dict[int, Process] = {}
        self._home = next(_homes)
        self._next_id = 1
        self._runq: collections.deque = collections.deque()
        # its append and popleft, bound once: the compiled hot path calls them with no
        # method lookup (a deque's methods looked up each time cost ~200 instructions a call)
        self._runq_append = self._runq.append
        self._runq_popleft = self._runq.popleft
        self.current: Process | None = None
        self._loop_g = None
        self._driving = False
        self._service_due = False
        self._switches = 0
        self._pool: list = []
        # what a pooled greenlet runs (see _worker); framed: a Python frame under it when
        # this module runs compiled (_accel.py)
        self._worker_run = framed(_worker_run(self))
        self._external: collections.deque = collections.deque()
        self._event = threading.Event()
        self._wakeup = None
        self._stopped = False
        self._started = False
        self._outstanding = 0
        self._dirty_gls: list = []
        self._send_tracers: list = []     # called on every send
        self._flag_tracers: list = []     # called when the sender or receiver is traced
        self._on_exit_hooks: list = []
        self.messages_sent = 0
        self.messages_received = 0
        self.stats_interval = 1.0      # seconds between ("beamlab", "vm", "stats") events
        self._stats_due = 0.0
        self._reductions_of_dead = 0
        self._interrupt_pending = False
        self.crash_reports = crash_reports
        self.long_schedule = long_schedule
        self.default_group_leader = GroupLeader(label="runtime")
        self.telemetry = Telemetry(self)
        self._preemptor = Preemptor(self, preemption, tick)
        self.watchdog = Watchdog(self)     # names a process holding the scheduler, live (watchdog.py)
        self.gc_policy = GcPolicy(self)     # also sets self.gc_seconds, read by the preemptor
        self._timers_init()
        self._registry_init()
        self._dist = None       # the simulated cluster (runtime/nodes), made by the first start_node
        # the flight recorder (recorder.py): True, Recorder(...) or its options; None when off
        self._recorder = None
        self.recorder = _attach_recorder(self, record)

    def __del__(self):
        # Dropped without stop() (which ends every process, as run() and the kernel do):
        # compiled, the pids of its processes still alive lead to their records (send's
        # route, _core.pxd); now they lead nowhere, and keep no record alive. (A process
        # waiting on a greenlet keeps this runtime reachable from its record: such a
        # runtime is not dropped while one of that process's pids is kept.) Pure, no pid
        # has a route.
        if _COMPILED and not self._stopped and self._table:    # (None: __init__ failed)
            for proc in list(self._table.values()):
                try:
                    _ROUTE.__delete__(proc.pid)
                except AttributeError:
                    pass    # no route (the interpreter ending: the module's names are gone)

    def __repr__(self):
        return f"<beamlab Runtime: {len(self._table)} processes, {self._preemptor.mode} preemption>"

    @property
    def process_limit(self) -> int:
        """How many processes may exist at once (Erlang's `+P`); settable while it runs.

            >>> current_runtime().process_limit = 2_000_000
        """
        return self._process_limit

    @process_limit.setter
    def process_limit(self, limit: int) -> None:
        self._process_limit = check_process_limit(limit)

    @property
    def preemption(self) -> str:
        """"signal" (a busy process is switched out every tick) or "cooperative"
        (processes switch only when they receive, sleep or exit)."""
        return self._preemptor.mode

    # ------------------------------------------------------------------ life
    def start(self) -> "Runtime":
        """Make this the current runtime (the kernel calls it once; run() does it for you)."""
        global _current
        if self._stopped:
            raise RuntimeError("this runtime was stopped; create a new Runtime()")
        self._thread = _get_ident()
        if not self._started:
            self._started = True
            install_stdio(self)
            self._preemptor.install()
            # thresholds, freezing the long-lived heap, timing collections (see _gc.py)
            self.gc_policy.install()
        _current = self
        return self

    def stop(self, unwind: float | None = None) -> None:
        """Kill every process, cancel timers, restore signal handlers and sys.stdout.

        `unwind`: at most this many seconds for the processes' cleanup (`finally`
        blocks); past it the rest are dropped without running any code, as the
        BEAM halts (halt.py): for a program that ends right after, such as the
        kernel shutting down with 100,000 processes."""
        global _current
        if self._stopped:
            return
        halt_at = None if unwind is None else time.monotonic() + unwind
        # Every live process, and the killed ones still waiting to unwind: those
        # with a greenlet unwind now (their `finally` blocks run), as they would
        # after a kill; one that will not stop is abandoned.
        procs = list(self._table.values())
        procs += [p for p in self._runq if p.unwinds is not None and not p.alive]
        for proc in procs:
            if halt_at is not None and time.monotonic() > halt_at:
                halt(self)          # out of time: the rest go without unwinding
                break
            g = proc.greenlet
            if g is None or g.dead:
                proc.gen = None     # parked stackless: dropped, no code of it runs (see _receive)
                self._exit_process(proc, "killed")
                continue
            if proc.alive:
                self._mark_dead(proc, "killed")
                proc.unwinds = 0
            self.current = proc     # so what it calls while unwinding knows who it is
            try:
                g.throw(greenlet.GreenletExit)
            except BaseException:
                pass
            self.current = None
            if proc.unwinds is not None and proc.greenlet is g and not g.dead:
                self._abandon_unwinding(proc, "did not stop when the runtime stopped")
            proc.greenlet = None
            self._exit_process(proc, "killed")
        self._runq.clear()
        self._timers.clear()
        self._timeouts_due.clear()
        self._pool.clear()
        self._flush_output()
        self._preemptor.uninstall()
        self.watchdog.stop()
        uninstall_stdio(self)
        self.gc_policy.uninstall()
        from . import dirty
        dirty.shutdown(self)
        if _COMPILED:
            for proc in procs:      # the halted ones: dropped without an exit (halt.py)
                _clear_route(proc)
        self._stopped = True
        if _current is self:
            _current = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ spawn
    def spawn(self, fn, args=(), kwargs=None, *, link=False, monitor=False, reactor=None,
              group_leader=None, external=False, node=None):
        """Create a process; returns its Pid (or (Pid, Ref) with monitor=True).

        Only from the runtime's own thread: another thread would get whichever
        process happens to run as its parent. `SystemLimit` when `process_limit`
        processes exist (external ones, the shells, are exempt: they are the
        way in to stop the others). `node`: a node of the simulated cluster to
        start it on (runtime/nodes; by default the spawner's node)."""
        if self._stopped:
            raise RuntimeError("this runtime was stopped; processes can no longer be spawned")
        if _thread_id() != self._thread:
            self._refuse_foreign_thread("spawn")
        if len(self._table) >= self._process_limit and not external:
            self._refuse_spawn()
        if reactor is None and not external and not callable(fn):
            from .errors import BadArg
            raise BadArg(f"spawn({fn!r}): the first argument must be a function to run")
        n = self._next_id
        self._next_id = n + 1
        cur = self.current
        if self._dist is None:
            pid = _new_pid(n)
        else:
            pid = self._dist.spawn_pid(n, cur, node)
            if pid is None:     # on an unreachable node: a pid that never lived, as Erlang's
                return self._dist.spawn_failed(n, cur, node, fn, link, monitor)
        gl = group_leader or (cur.group_leader if cur is not None else self.default_group_leader)
        proc = Process(pid, fn, args, kwargs, gl, cur.pid if cur is not None else None)
        proc.context = _copy_context()
        self._table[n] = proc
        if _COMPILED:
            _set_route(pid, proc, self._home)     # send's way to it (_core.pxd)
        if reactor is not None:
            proc.reactor = reactor
        if self._recorder is not None:
            self._recorder.spawn(proc)
        if link:
            self.link(cur if cur is not None else self._require_process(), pid)
        ref = None
        if monitor:
            ref = self.monitor(cur if cur is not None else self._require_process(), pid)
        if external:
            proc.external = True
            proc.status = WAITING
        else:
            proc.queued = True
            self._runq_append(proc)
            if not self._driving:
                self._notify()
        tele = self.telemetry
        if tele.handlers:
            tele.execute(("beamlab", "process", "spawn"), {"count": 1},
                         {"pid": pid, "parent": proc.parent, "initial_call": self.initial_call(proc)})
        return (pid, ref) if monitor else pid

    def _refuse_spawn(self):
        n, limit = len(self._table), self._process_limit
        raise SystemLimit(
            f"spawn failed: system_limit: {n:,} processes exist and the process limit is "
            f"{limit:,}. Is a process spawning in a loop? Stop what you do not need "
            f"(exit(pid, 'kill')), or raise the limit: Runtime(process_limit=N), or "
            f"current_runtime().process_limit = N (Erlang: erl +P N)")

    def _refuse_foreign_thread(self, what: str):
        raise NotInProcess(
            f"{what} was called from the OS thread {threading.current_thread().name!r}, not "
            f"the runtime's: a process started there would get whichever process happens to "
            f"run as its parent. Hand it to the runtime instead: "
            f"rt.call_soon_threadsafe(rt.{what}, fn), with rt = current_runtime(), or send a "
            f"process a message (send is safe from any thread) and let it {what}")

    def new_process(self, label: str = "shell", group_leader=None) -> Pid:
        """A process with no body, like Erlang's shell: run code as it with `run_as`."""
        pid = self.spawn(None, external=True, group_leader=group_leader)
        self._table[pid.id].label = label
        return pid

    # ------------------------------------------------------------------ tracing
    def trace(self, pid: Pid, on: bool = True) -> bool:
        """Flag a process as traced, like `erlang:trace(Pid, true, [send, 'receive'])`:
        tracers added with `trace_sends(fn, traced_only=True)` see its messages.
        Returns False if the process is not alive."""
        proc = self._table.get(pid.id)
        if proc is None:
            return False
        proc.traced = bool(on)
        return True

    def trace_sends(self, fn, traced_only: bool = False):
        """Call `fn(from_pid, to_pid, message)` on each send (only those to or from a
        traced process with `traced_only=True`, which costs nothing for the rest).
        `fn` runs on the hot path: it must only record. Returns a function that stops it."""
        lst = self._flag_tracers if traced_only else self._send_tracers
        lst.append(fn)

        def stop() -> None:
            if fn in lst:
                lst.remove(fn)
        return stop

    def _require_process(self):
        raise NotInProcess("spawn_link/spawn_monitor must be called from inside a process "
                           "(a cell in the beamlab kernel, or a function given to beamlab.run)")

    # ------------------------------------------------------------------ messages
    def send(self, dest, msg, copy: bool = True):
        """Send `msg` to a pid or registered name (`copy=False`: the caller has
        already made it a message, as `call` does). Safe from any thread: from
        another one it is copied there and delivered by the scheduler."""
        pid = dest if type(dest) is Pid else self.resolve(dest)
        # the copy check of every hot path: compiled, _receive.pxd's inline _atomic_type
        if copy and not (_atomic_type(type(msg)) if _COMPILED else type(msg) in _ATOMIC):
            msg = to_message(msg)
        cur = self.current
        # From another thread only if both say so (the running process's greenlet is the
        # runtime's thread's). Compiled, the thread first (a C call and a C compare); pure,
        # the greenlet first (get_ident makes an int object), as before.
        if _COMPILED:
            away = _thread_id() != self._thread and (cur is None or _getcurrent() is not cur.greenlet)
        else:
            away = (cur is None or _getcurrent() is not cur.greenlet) and _get_ident() != self._thread
        if away:
            # Another OS thread must not touch the mailboxes and the run queue
            # while the scheduler runs, and must wake it even when it is idle
            # in the middle of a run (in a script, or while a cell runs).
            self.call_soon_threadsafe(self._send_from_thread, pid, msg)
            return msg
        self.messages_sent += 1
        if cur is not None:
            cur.reductions += 1
        if self._send_tracers:
            frm = cur.pid if cur is not None else SYSTEM_PID
            for tracer in self._send_tracers:
                tracer(frm, pid, msg)
        if _COMPILED:
            # a pid made by spawn leads to its live record (_routed, _core.pxd); any
            # other is looked up by its number: the same record, or None
            target = _routed(pid, self._home)
            if target is None:
                target = self._table.get(_id_of(pid))
        else:
            target = self._table.get(pid.id)
        if self._flag_tracers and ((cur is not None and cur.traced)
                                   or (target is not None and target.traced)):
            frm = cur.pid if cur is not None else SYSTEM_PID
            for tracer in self._flag_tracers:
                tracer(frm, pid, msg)
        dist = self._dist   # another node's process (runtime/nodes); from outside any process,
        if dist is not None and cur is not None and pid.node != cur.pid.node:  # no network
            dist.send(cur.pid.node, pid, msg)
            return msg
        if target is None:
            if self._recorder is not None:
                self._recorder.lost(pid, msg)
            return msg
        self._deliver(target, msg)
        return msg

    def _send_from_thread(self, pid, msg) -> None:
        """A send from another OS thread, in the scheduler now. A receiver it wakes
        runs next, as one woken by its timer does: like I/O on the BEAM, a message
        from outside is not made to wait a round of a run queue of busy processes."""
        runq = self._runq
        n = len(runq)
        self.send(pid, msg, False)
        if len(runq) > n and runq[-1].pid is pid:
            runq.appendleft(runq.pop())

    def _deliver(self, target, msg) -> None:
        """Queue `msg` for `target` and wake it if it waits for such a message."""
        if self._recorder is not None:
            self._recorder.deliver(target, msg)
        mb = target.mailbox
        if mb is None:
            mb = target.mailbox = collections.deque()
        _mb_append(mb, msg)
        if _COMPILED:
            _gc_untrack(msg)    # out of the collector's way while queued (_core.pxd)
        if target.blocked:
            m = target.matcher
            if m is not None:
                try:
                    if not m(msg):
                        return      # not what it waits for: it sleeps on
                except Exception:
                    pass    # let the receiver evaluate it and see its own error
            target.blocked = False
            if not target.queued:   # _ready, written out: every send comes here
                target.queued = True
                target.status = RUNNABLE
                _mb_append(self._runq, target)      # the run queue is a deque too
                if not self._driving:
                    self._notify()

    def _ready(self, proc, front: bool = False) -> None:
        """Make `proc` runnable: at the back of the run queue, or the front with `front`."""
        if not proc.queued:
            proc.queued = True
            if proc.status is not EXITING:
                proc.status = RUNNABLE
            if front:
                self._runq.appendleft(proc)
            else:
                self._runq.append(proc)
            if not self._driving:
                self._notify()

    # ------------------------------------------------------------------ switching
    #
    # A switch hands the CPU to a process through `self.current`, never as an argument
    # or a local kept across the switch: a greenlet suspended in the switch (parked in
    # the pool, or a process waiting) outlives the process it handed over, and must not
    # keep that one's record alive once it died (its closure, its arguments, a server's
    # state). A greenlet switched to takes its process from `self.current`.

    def _enter(self, proc):
        """Switch into `proc` from wherever we are; returns what resumes the caller."""
        self.current = proc
        return self._switch_in()

    def _enter_head(self):
        """Switch into the head of the run queue (the loop's, `_drive`): as `_enter`, with
        the process taken here, so the waiting loop's frames keep no reference to it."""
        proc = self._runq_popleft()
        proc.queued = False
        self.current = proc
        proc = None
        return self._switch_in()

    def _switch_in(self):
        """Switch into `self.current`; returns what resumes the caller."""
        proc = self.current
        self._switches += 1
        g = proc.greenlet
        if g is None:
            # A process not yet started, or an idle reactor: it runs on a pooled
            # greenlet (a new one only when the pool is empty; see `_worker`).
            proc.status = RUNNING
            pool = self._pool
            g = pool.pop() if pool else greenlet.greenlet(self._worker_run, self._loop_g)
            g.gr_context = proc.context
            proc.greenlet = g
            proc = None
            return g.switch()
        exc = proc.throw
        if exc is not None and proc.preempted is None:
            proc.throw = None
            proc = None
            return g.throw(exc)
        # A process switched out by the preemption tick raises its pending exit
        # from inside the tick handler, on the way back (see preempt.py).
        proc.status = RUNNING
        proc = None
        return g.switch()

    def _switch_away(self):
        """Called in the running process's greenlet after it set its own state.

        Hands the CPU straight to the next runnable process when it already has
        a greenlet. A process that needs a new greenlet is started by the loop:
        a greenlet starts at the C stack depth it is first switched to from, so
        starting one from inside another process would nest stacks ever deeper
        and make every later switch copy more memory."""
        # Back to the loop when the tick asks (every ms), or every 1024 switches as
        # a backstop for cooperative mode: a visit to the loop greenlet can cost
        # tens of µs when it runs deeper in the C stack than the processes began.
        if not self._service_due and self._switches & 1023:
            runq = self._runq
            while runq:
                nxt = runq[0]
                if nxt.greenlet is None:
                    if not nxt.alive:
                        self._runq_popleft()
                        nxt.queued = False
                        continue
                    if not self._pool or nxt.external:
                        break       # a new greenlet is started by the loop (see above)
                self._runq_popleft()
                nxt.queued = False
                # `nxt` is let go before the switch: a dead process's data must not be
                # held by a parked greenlet's frame (see _switch_in)
                self.current = nxt
                nxt = None
                return self._switch_in()
        return self._loop_g.switch()

    def _yield_current(self) -> None:
        """Preempt the running process: back of the run queue, next one runs."""
        proc = self.current
        if proc.unwinds is not None:
            self._unwind_slice(proc)      # killed, still unwinding: first in line, bounded
            return
        proc.queued = True
        if proc.status is not EXITING:
            proc.status = RUNNABLE
        self._runq.append(proc)
        self._switch_away()

    def _process_main(self, proc) -> bool:
        """Run a function process to its end; True if it was torn down by GreenletExit."""
        reason = "normal"
        try:
            # A plain call for the common shapes: `fn(*args)` would go through a
            # C-level call, one more interpreter frame on the C stack, which every
            # switch of this process then saves and restores (see benchmarks/PERFORMANCE.md).
            fn, args = proc.fn, proc.args
            if proc.kwargs:
                value = fn(*args, **proc.kwargs)
            elif not args:
                value = fn()
            elif len(args) == 1:
                value = fn(args[0])
            elif len(args) == 2:
                value = fn(args[0], args[1])
            else:
                value = fn(*args)
            if proc.label is not None:      # run()'s main: run returns it (_driver)
                self._main_ended(proc, value, None)
        except ProcessExit as e:
            reason = e.reason
        except greenlet.GreenletExit:
            self._finish(proc, "killed")
            return True     # torn down (stop, an abandoned process): the greenlet ends
        except BaseException as e:
            if proc.label is not None:      # run()'s main: run raises it, traceback and all
                self._main_ended(proc, None, e)
            reason = Crash.from_exception(e)
        self._finish(proc, reason)
        return False

    def _worker(self):
        """The life of a pooled greenlet: run processes, one after another.

        A function process runs here from start to end; a reactor runs its
        callbacks until its mailbox is empty, then gives the greenlet back. The
        greenlet then parks in the pool and goes straight on to the next runnable
        process (or the loop). Reusing it saves a new greenlet, and the fresh
        interpreter data stack (a 16 KB mapping, first touched by a page fault)
        each new greenlet gets, on every spawn that follows an exit. A greenlet
        whose code was torn down (GreenletExit: `stop`, an abandoned process) or
        that unwound a killed process for its killer (`_unwind_now` made the
        killer its parent, which it must return to) ends instead.

        Each process it runs is `self.current` when it is switched in (see
        "switching"); parked, it holds nothing of the last one (no local, no
        argument), which may die meanwhile and must then be freed."""
        me = greenlet.getcurrent()
        proc = self.current
        while True:
            r = proc.reactor
            if r is None:
                if proc.gen is not None:
                    # a stackless process woken in its receive: it finishes the receive and
                    # runs on here until it parks again (or ends)
                    done = self._stackless(proc, None)
                elif self._generator_function is not None \
                        and (gf := self._stackless_start(proc)) is not None:
                    done = self._stackless(proc, gf)
                else:
                    done = 2 if self._process_main(proc) else 1
                if done:
                    if done == 2 or me.parent is not self._loop_g or self._stopped:
                        return  # torn down, or unwound for its killer, which waits for it
                else:
                    self.current = None     # parked with no greenlet: this one serves on
            else:
                try:
                    if not proc.started:
                        proc.started = True
                        r.start()
                    self._drain(proc, r)
                    reason = None if proc.alive else proc.exit_reason
                except ProcessExit as e:
                    reason = e.reason
                except greenlet.GreenletExit:
                    self._finish(proc, "killed")
                    return
                except BaseException as e:
                    reason = Crash.from_exception(e)
                if reason is not None or not proc.alive:
                    self._finish(proc, reason)
                else:
                    proc.greenlet = None
                    proc.status = WAITING
                    proc.matcher = None
                    proc.blocked = True
                self.current = None
            proc = self._run_here(me)   # the next one, if it has no greenlet: here
            if proc is not None:
                continue
            if len(self._pool) >= _POOL_MAX:
                return
            # parked: no local keeps the last process's record, reactor, exit reason
            # (a traceback) or generator function alive while it waits
            r = reason = gf = None
            self._pool.append(me)
            self._switch_away()
            proc = self.current
            while proc is None or proc.greenlet is not me:  # woken by the loop with no work
                self._loop_g.switch()
                proc = self.current

    def _drain(self, proc, r) -> None:
        """A reactor's callbacks, one per message, until its mailbox is empty (or it
        died). Its own method, typed (_core.pxd): compiled, `proc`'s fields are C
        fields here (in `_worker` it is untyped), a cast 4.9k -> 4.1k instructions."""
        mb = proc.mailbox
        if _COMPILED and isinstance(r, Reactor):
            reactor = r     # typed Reactor (_core.pxd): `handle` is a C method call
            while _mb_any(mb) and proc.alive:   # (its length read in C: _core.pxd)
                proc.reductions += 1
                reactor.handle(_mb_popleft(mb))
            return
        handle = r.handle
        while mb and proc.alive:
            proc.reductions += 1
            handle(_mb_popleft(mb))

    def _finish(self, proc, reason) -> None:
        """A process's own code is done (returned, raised, or unwound after a kill):
        its links and monitors hear of it now."""
        proc.greenlet = None
        if proc.label is not None and self._main_finished(proc):
            pass    # run()'s main: run raises what it raised (_driver)
        elif proc.alive and self.crash_reports and type(reason) is Crash:
            proc.group_leader.write_err(
                f"=ERROR REPORT==== process {proc.pid!r} ({self.initial_call(proc)}) crashed:\n"
                f"{reason.traceback}")
        self._exit_process(proc, reason)    # a killed one: with the reason it was killed with
        proc.status = "dead"
        self.current = None

    def exit(self, pid: Pid, reason) -> bool:
        """Send `pid` an exit signal from outside any process (a widget's Kill button,
        a magic): `rt.exit(pid, "kill")`. Inside a process use `exit(pid, reason)`."""
        return self.send_exit(SYSTEM_PID, pid, reason)

    def _on_exit(self, proc, reason) -> None:
        if _COMPILED:
            _clear_route(proc)      # the pid no longer leads to the dead record, nor keeps it
        self._reductions_of_dead += proc.reductions
        tele = self.telemetry
        if tele.handlers:
            tele.execute(("beamlab", "process", "exit"), {"count": 1},
                         {"pid": proc.pid, "reason": reason, "name": proc.name})
        for hook in self._on_exit_hooks:
            hook(proc, reason)


class Reactor:
    """What the runtime's own reactors (the GenServer's `_Server`) derive from: compiled
    (_core.pxd) an extension type whose `handle` the scheduler's `_drain` calls as a C
    method, with no Python call between. A reactor need not derive from it: anything
    with `start()` and `handle(msg)` is driven the same way."""

    __slots__ = ()

    def start(self) -> None:
        """Run once, before the first message (as the process starts)."""

    def handle(self, msg) -> None:
        """Handle one message from the mailbox."""
        raise NotImplementedError(f"{type(self).__name__} must define handle(msg)")


# Whether this module runs compiled (its functions are then Cython's, not Python's): _drain
# calls a Reactor's handle as a C method compiled; pure, a bound method held in a local
# is the cheaper call (`reactor.handle(msg)` costs a method lookup a message there)
_COMPILED = not isinstance(current_runtime, types.FunctionType)


def spawn_reactor(reactor, *, link: bool = False, monitor: bool = False, group_leader=None):
    """Spawn a stackless process driven by `reactor.start()` and `reactor.handle(msg)`.

    The process borrows a greenlet only while a callback runs, so an idle
    server costs its record and state (see DESIGN.md, "Idle behaviour processes
    need no stack")."""
    return current_runtime().spawn(None, reactor=reactor, link=link, monitor=monitor,
                                   group_leader=group_leader)


# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
