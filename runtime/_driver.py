"""Driving the scheduler: `run`, `run_as`, `run_pending` and the loop they share.

How this works: whoever drives the runtime (a script's `run(main)`, the kernel's
`run_as` for a cell, or `run_pending` from an asyncio loop between cells) runs
`_drive` in its own greenlet. The loop fires due timers, runs callbacks handed
in from other threads, flushes process output, and switches into the next
runnable process; processes switch back to it when the run queue needs
servicing or a process finishes. With nothing runnable it waits on the clock
until the next timer or a wake-up from another thread; under a `MockClock` it
jumps straight there, and raises `Deadlock` if nothing could ever wake anyone.

A callback the loop runs (from another thread, or a timer) that raises is
reported and dropped, never fatal. If the loop itself fails while `run_as`
drives it, the failure is raised in the code running as that process, where it
waits, so it unwinds and the process can run code again (the kernel's next cell).

`run(main)` runs `main` as an ordinary process (labelled "main"), as `erl -run`
does: stackless when it can be (its receives in its own body, see
_receive.py), so waiting for a message costs it no greenlet switch; else on a
pooled greenlet like any function process. How it ended is kept for `run`
(`_Main`): the scheduler reports it through `_main_ended` (what it returned or
raised, the traceback kept) and `_main_finished` (no crash report: `run`
raises it; back to the loop at once, which sees main is done).
"""

from __future__ import annotations

import contextvars
import time
import traceback

import greenlet

from .clock import MockClock, SystemClock
from .errors import ProcessExit
from .pid import Pid
from ._process import RUNNABLE, WAITING
from ._signals import _ABANDONED
from .wakeup import WAKEUP

__all__ = ["DriverMixin", "Deadlock", "VM_STATS", "CALLBACK_ERROR"]

VM_STATS = ("beamlab", "vm", "stats")
CALLBACK_ERROR = ("beamlab", "scheduler", "callback_error")


def _callable_name(fn) -> str:
    """What to call a callback in a report: `SupervisionTree._handle_click`, `<lambda> (file:line)`."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__func__", None), "__code__", None)
    if name.endswith("<lambda>") and code is not None:
        name += f" ({code.co_filename}:{code.co_firstlineno})"
    return name


class Deadlock(RuntimeError):
    """Every process is waiting for a message and nothing (no timer, no thread) can send one."""


class _Box:
    __slots__ = ("done", "value", "error", "exit")

    def __init__(self):
        self.done = False
        self.value = None
        self.error = None
        self.exit = None


# What run() and run_as() say when called while the runtime already runs (inside a process)
_NESTED = "the runtime is already running: run()/run_as() cannot be nested inside a process"


class _Main:
    """`run`'s main process and how its code ended: returned `value`, or raised
    `error` (its traceback kept in `tb`: a crash's reason drops it). Neither: it
    exited, or was killed (its exit reason)."""
    __slots__ = ("proc", "returned", "value", "error", "tb")

    def __init__(self, proc):
        self.proc = proc
        self.returned = False
        self.value = None
        self.error = None
        self.tb = None


def _user_traceback(tb, fn):
    """`tb` from main's own frame on (`fn`'s code, or the generator version stackless.py
    made of it: same file, line and name), without the scheduler's frame that called
    it, so a failing main's traceback goes from `run` to main. All of it if not found."""
    code = getattr(fn, "__code__", None)
    t = tb
    while code is not None and t is not None:
        c = t.tb_frame.f_code
        if c is code or (c.co_firstlineno == code.co_firstlineno and c.co_name == code.co_name
                         and c.co_filename == code.co_filename):
            return t
        t = t.tb_next
    return tb


class DriverMixin:
    _det = None     # a deterministic run's part (deterministic.py), None otherwise
    _main = None    # while run() runs: its main process and how it ended (_Main)
    def _drive(self, done, block: bool, budget: float | None = None) -> None:
        if self._driving:
            raise RuntimeError(_NESTED)
        from . import _core
        if _core._current is not self:
            self.start()
        me = greenlet.getcurrent()
        if self._loop_g is not me:
            self._adopt_loop(me)
        self._driving = True
        self.watchdog.driving()
        stop_at = None if budget is None else time.monotonic() + budget
        pre = self._preemptor
        runq = self._runq
        try:
            while True:
                self._service()
                if self._interrupt_pending:
                    self._interrupt_pending = False
                    raise KeyboardInterrupt
                if done():
                    return
                while runq:
                    p = runq[0]
                    if p.alive or p.greenlet is not None:
                        break
                    runq.popleft()
                    p.queued = False
                else:
                    p = None
                    if not block:
                        return
                    self._idle()
                    continue
                # the head runs; the loop, waiting meanwhile, keeps no local of it (a
                # process that dies meanwhile must be freed: see _core, "switching")
                p = None
                pre.arm()
                self._enter_head()
                self.current = None
                if stop_at is not None and time.monotonic() >= stop_at:
                    return
        finally:
            pre.disarm()
            self.current = None
            self._driving = False
            self._flush_output()

    def _adopt_loop(self, g) -> None:
        self._loop_g = g
        for proc in self._table.values():
            if proc.greenlet is not None and not proc.greenlet.dead:
                proc.greenlet.parent = g
        for w in self._pool:
            w.parent = g

    def _service(self) -> None:
        self._service_due = False
        ext = self._external
        while ext:
            fn, args = ext.popleft()
            try:
                fn(*args)
            except (Exception, ProcessExit) as exc:   # reported, never fatal: the loop goes on
                self._callback_failed("call_soon_threadsafe", fn, exc)
        if self._timers or self._timeouts_due:
            self._fire_timers()
        if self._dirty_gls:
            self._flush_output()
        if VM_STATS in self.telemetry.handlers:
            now = self.clock.now()
            if now >= self._stats_due:
                # like telemetry_poller's VM measurements: counts for charts and handlers
                self._stats_due = now + self.stats_interval
                self.telemetry.execute(VM_STATS, self.stats(), {"runtime": self})
        self.gc_policy.service()    # freeze after bulk spawns, forced thaws (see _gc.py)

    def _callback_failed(self, kind: str, fn, exc: BaseException) -> None:
        """A callback the scheduler ran (from `call_soon_threadsafe`, or a timer) raised.

        Like a crashed process it is reported, and nothing else stops: an error
        report on the runtime's default group leader (stderr) naming the callback,
        and a `("beamlab", "scheduler", "callback_error")` telemetry event."""
        name = _callable_name(fn)
        try:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except Exception:
            tb = f"{type(exc).__name__}: {exc!r}\n"
        try:
            self.default_group_leader.write_err(
                f"=ERROR REPORT==== a callback the scheduler ran raised, and was dropped "
                f"(the runtime and its processes carry on): {name} ({kind})\n{tb}")
        except Exception:
            pass
        tele = self.telemetry
        if tele.handlers:
            tele.execute(CALLBACK_ERROR, {"count": 1},
                         {"callback": fn, "name": name, "kind": kind, "reason": exc,
                          "stacktrace": tb})

    def _idle(self) -> None:
        self._preemptor.disarm()
        self._flush_output()
        delay = self._next_timer_delay()
        if delay is None and not self._outstanding and not self._external \
                and isinstance(self.clock, MockClock):
            raise Deadlock("every process is waiting in receive() and no timer or thread can "
                           "wake one: " + ", ".join(
                               f"{p.pid!r} ({self.initial_call(p)})" for p in self._table.values()
                               if p.blocked)[:500])
        if self.gc_policy.idle(delay):      # a thaw took time: the next timer is nearer
            delay = self._next_timer_delay()
        ev = self._event
        if self._outstanding and isinstance(self.clock, MockClock):
            # A dirty call is running in a thread: give it a little real time,
            # then let the mock clock jump to the next timer (trio's autojump rule).
            if not ev.wait(0.01) and delay is not None:
                self.clock.wait(ev, delay)
        elif (self._preemptor._interrupt_target is not None and WAKEUP.active
              and isinstance(self.clock, SystemClock)):
            WAKEUP.wait(ev, delay)      # in the main thread, and Ctrl-C ends it (wakeup.py)
        else:
            self.clock.wait(ev, delay)
        ev.clear()

    def _notify(self) -> None:
        self._event.set()
        WAKEUP.notify()
        cb = self._wakeup
        if cb is not None:
            cb()

    def set_wakeup(self, callback) -> None:
        """`callback()` is called (maybe from another thread) when work arrives while idle."""
        self._wakeup = callback

    def call_soon_threadsafe(self, fn, *args) -> None:
        """Run `fn(*args)` inside the scheduler (outside any process) soon; any thread."""
        if self._det is not None:
            self._det.check_thread(fn)      # a deterministic run refuses other threads
        self._external.append((fn, args))
        self._service_due = True
        self._notify()

    def run(self, main, *args, **kwargs):
        """Run `main(*args)` as a process until it returns; then stop the runtime.

        Returns main's return value, or re-raises what it raised; `ProcessExit`
        if it exited or was killed. main is an ordinary process, labelled "main":
        stackless when its receives sit in its own body (no greenlet switch while
        it waits), else on a greenlet. Ctrl-C, or a failure of the scheduler's
        loop (a `Deadlock`), is raised in main where it waits, and so by `run`."""
        if self._main is not None or self._driving:
            raise RuntimeError(_NESTED)
        self.start()
        m = None
        try:
            pid = self.spawn(main, args, kwargs or None)
            proc = self._table[pid.id]
            proc.label = "main"
            runq = self._runq
            if runq and runq[-1] is proc and len(runq) > 1:
                runq.appendleft(runq.pop())     # first to run, before anything spawned earlier
            m = self._main = _Main(proc)
            with self._preemptor.interrupts_to(proc):
                self._drive_main(m)
        finally:
            self._main = None
            self.stop()
        if m.error is not None:
            raise m.error.with_traceback(_user_traceback(m.tb, main))
        if m.returned:
            return m.value
        raise ProcessExit(proc.exit_reason)

    def _drive_main(self, m) -> None:
        """Drive the loop until `run`'s main process is over, even if the loop fails.

        As `_drive_until_done` does for `run_as`: a failure of the loop (a
        `Deadlock`, a runtime bug, Ctrl-C that came while main had no greenlet) is
        raised in main where it waits, on its turn, so it unwinds through its own
        code and `run` raises it: on a greenlet as `_enter` throws it, parked
        stackless (in a receive of its own body) thrown into its generator at that
        receive (`_stackless`). If the loop fails again meanwhile, main is killed
        and `run` raises that failure."""
        proc = m.proc

        def done():
            return not proc.alive and proc.greenlet is None

        failed = False
        while True:
            try:
                self._drive(done, block=True)
                return
            except BaseException as exc:
                if done():
                    raise
                g = proc.greenlet
                parked = g is None and proc.gen is not None
                if failed or not proc.alive or self._stopped or not (parked or g and not g.dead):
                    if parked:
                        self._kill(proc, "killed")      # its generator dropped unrun
                    else:
                        self._abandon(proc)
                    raise
                failed = True
                # from main's line, as a greenlet's throw shows it
                proc.throw = exc.with_traceback(None) if parked else exc
                proc.blocked = False
                # Ctrl-C waits for main's turn, as when it lands on a greenlet main
                # (preempt.py); anything else comes first
                self._ready(proc, front=not isinstance(exc, KeyboardInterrupt))

    def _main_ended(self, proc, value, error) -> None:
        """A labelled function process's code returned `value` or raised `error`
        (None: it returned). The scheduler calls this for a process with a label
        only (among function processes only `run`'s main has one): if it is
        `run`'s main, `run` returns `value` or raises `error` with this traceback
        (the crash's reason drops it)."""
        m = self._main
        if m is not None and m.proc is proc:
            if error is None:
                m.returned = True
                m.value = value
            else:
                m.error = error
                m.tb = error.__traceback__

    def _main_finished(self, proc) -> bool:
        """`_finish` of a labelled process: True if it is `run`'s main. Then it gets
        no crash report (`run` raises what it raised), and the process that ran it
        hands the scheduler straight back to the loop, which sees main is done."""
        m = self._main
        if m is not None and m.proc is proc:
            self._service_due = True
            return True
        return False

    def run_as(self, pid: Pid, fn, *args, **kwargs):
        """Run `fn` as process `pid` (made by new_process), driving the scheduler meanwhile."""
        proc = self._table.get(pid.id) if isinstance(pid, Pid) else None
        if proc is None or not proc.alive:
            raise ProcessExit(getattr(proc, "exit_reason", "noproc"))
        if not proc.external or proc.greenlet is not None:
            raise RuntimeError(f"{pid!r} is not an idle external process")
        box = _Box()

        def body():
            try:
                box.value = fn(*args, **kwargs)
            except ProcessExit as e:
                box.exit = e
            except greenlet.GreenletExit:
                box.exit = ProcessExit("killed")
            except BaseException as e:
                box.error = e
            finally:
                box.done = True
                if proc.alive:
                    proc.greenlet = None
                    proc.status = WAITING
                    proc.blocked = False
                else:   # killed: its links and monitors hear of it now that it has unwound
                    self._exit_process(proc, proc.exit_reason)
                self.current = None

        self.start()
        if self._loop_g is not greenlet.getcurrent():
            self._adopt_loop(greenlet.getcurrent())
        g = proc.greenlet = greenlet.greenlet(body, self._loop_g)
        g.gr_context = contextvars.copy_context()
        proc.started = True
        proc.status = RUNNABLE
        proc.queued = True
        self._runq.appendleft(proc)
        with self._preemptor.interrupts_to(proc):
            self._drive_until_done(proc, box)
        if box.exit is not None:
            raise box.exit
        if box.error is not None:
            raise box.error.with_traceback(box.error.__traceback__)
        return box.value

    def _drive_until_done(self, proc, box) -> None:
        """Drive the loop until the code run as `proc` is done, even if the loop fails.

        A failure of the loop itself (a `Deadlock`, a runtime bug) is raised in that
        code where it waits (in `receive`, or preempted), like an interrupt, so it
        unwinds through the code's own `except`/`finally` and `run_as` raises it;
        the process is then idle again. If the loop fails again before the code
        has unwound, the process is killed and its greenlet dropped, and `run_as`
        raises the failure: the process is never left half-running."""
        failed = False
        while True:
            try:
                self._drive(lambda: box.done, block=True)
                return
            except BaseException as exc:
                g = proc.greenlet
                if box.done or g is None or g.dead:
                    raise
                if failed or not proc.alive or self._stopped:
                    self._abandon(proc)
                    raise
                failed = True
                proc.throw = exc
                proc.blocked = False
                self._ready(proc, front=True)

    def _abandon(self, proc) -> None:
        """Kill `proc` and unwind its greenlet now (from the loop's greenlet)."""
        g, proc.greenlet = proc.greenlet, None
        self._exit_process(proc, "killed")    # also a killed one's signals, still waiting
        proc.status = "dead"
        if g is not None and not g.dead:
            self.current = proc     # what its finally blocks call knows who they run as
            try:
                g.throw(greenlet.GreenletExit)
            except BaseException:
                pass
            if not g.dead:   # it would not die: keep it for good, so the collector never resumes it
                _ABANDONED.append(g)
        self.current = None

    def run_pending(self, max_seconds: float = 0.05):
        """Run runnable processes for up to `max_seconds`; the delay until more work is due.

        Returns 0 if processes are still runnable, the seconds until the next
        timer, or None if nothing is scheduled."""
        if self._driving or self._stopped:
            return None
        self._drive(lambda: False, block=False, budget=max_seconds)
        if self._runq or self._external:
            return 0.0
        self.gc_policy.idle(self._next_timer_delay())
        return self._next_timer_delay()

    # ------------------------------------------------------------------ output
    def _flush_output(self) -> None:
        gls = self._dirty_gls
        while gls:
            gls.pop().flush_out(self)

    def _mark_output(self, gl) -> None:
        self._dirty_gls.append(gl)
        if not self._driving:
            self._notify()



# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from ._accel import swap as _swap  # noqa: E402
_swap(__name__)
