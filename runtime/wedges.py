"""Wedges: what would otherwise freeze every process for good, noticed and undone.

How this works. Two things can stop the one thread all processes share, and
the preemption tick (preempt.py) cannot undo either on its own:

1. Preemption switched off. Code in a process that runs
   `signal.signal(SIGALRM, SIG_IGN)`, installs its own SIGALRM handler or calls
   `signal.setitimer(ITIMER_REAL, 0)` takes the tick away, and the next
   `while True: pass` then holds the thread forever. `SignalGuard` keeps a
   second, slow timer running: `ITIMER_VIRTUAL` counts the process's CPU time
   and sends SIGVTALRM every `WATCH` seconds of it, so it fires exactly when
   something spins, and costs nothing while the runtime idles (no thread, no
   GIL hand-offs). Its handler checks that SIGALRM's handler is still ours and
   our interval timer still runs; if not, it puts them back, preempts the
   running process as the missed tick would have, and warns the learner,
   naming the process and line that did it (`signal.signal` and
   `signal.setitimer` are wrapped while the runtime runs so that a call about
   SIGALRM notes who made it; the call itself goes through unchanged). The
   warning goes to that process's group leader (in the kernel, the cell that
   spawned it) and as the telemetry event
   `("beamlab", "runtime", "preemption_restored")`.

   Why restore rather than refuse: code that borrows SIGALRM for a moment and
   puts it back (a timeout helper) still works, and code that calls
   `signal.signal` through a reference taken before the runtime started is
   caught all the same. (Re-arming SIGALRM at every switch instead would cost
   a setitimer system call, ~1-10 us, per switch.)

2. A lock shared by two processes. Processes share one OS thread, so a
   `threading.Lock` held by a process switched out in `sleep`/`receive` can
   never be released while another process waits for it in `acquire()`: the
   thread waits for itself. On Linux a blocked `acquire()` still runs signal
   handlers, so the tick sees the waiting process stuck at the same call; after
   `LOCK_PATIENCE` seconds `find_lock_deadlock` looks for a locked lock that
   the stuck frame uses and another, switched-out process whose frames use the
   same lock. If it finds one, the tick raises `LockDeadlock` in the waiting
   process (its `acquire()` fails with it), naming both processes and where
   each one is. A kernel interrupt while a process other than the cell is stuck
   in such a call raises `LockDeadlock` (or `Wedged`) in that process too, and
   so does the tick when the interrupt came just before the process blocked
   (the cell was not running, so it could not take it): Interrupt always frees
   the kernel.
"""

from __future__ import annotations

import inspect
import os
import signal
import sys
import threading

import greenlet

from ._driver import Deadlock

__all__ = ["LockDeadlock", "Wedged", "SignalGuard", "find_lock_deadlock"]

WATCH = 0.05              # seconds of CPU time between two checks of SIGALRM
LOCK_PATIENCE = 0.2       # seconds stuck in one call before looking for a lock deadlock
RESTORED = ("beamlab", "runtime", "preemption_restored")
LOCK_DEADLOCK = ("beamlab", "process", "lock_deadlock")

WATCH_SIGNAL = getattr(signal, "SIGVTALRM", None)     # sent by ITIMER_VIRTUAL

_real_signal = signal.signal
_real_setitimer = getattr(signal, "setitimer", None)
_LOCK_TYPES = (type(threading.Lock()),)


class LockDeadlock(Deadlock):
    """A process waits for a lock that only a switched-out process can release."""


class Wedged(RuntimeError):
    """Raised by an interrupt in a process that held up every other in a blocking call."""


# ---------------------------------------------------------------- where code is
def where(frame) -> str:
    """`file:line in function` of the innermost user frame at or under `frame`."""
    from .preempt import USER, _kind
    f = frame
    while f is not None and _kind(f) != USER:
        f = f.f_back
    f = f or frame
    if f is None:
        return "an unknown place"
    return f"{_short(f.f_code.co_filename)}:{f.f_lineno} in {f.f_code.co_name}"


def _short(filename: str) -> str:
    if filename.startswith("<"):
        return filename
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return rel if not rel.startswith("..") else filename


def _who(rt, proc) -> str:
    if proc is None:
        return "code outside any process"
    return f"{proc.pid!r} ({rt.initial_call(proc)})"


# ---------------------------------------------------------------- 1. the signal guard
class SignalGuard:
    """Notices SIGALRM's handler or timer taken away while processes run, and puts them back."""

    def __init__(self, preemptor):
        self.pre = preemptor
        self.culprit = None          # (process or None, where, what) of the last SIGALRM change
        self.restored = 0
        self._old_watch = None
        self._signal_wrapper = self._signal        # one bound method each, so `is` finds them
        self._setitimer_wrapper = self._setitimer

    # -- life
    def install(self) -> None:
        if WATCH_SIGNAL is not None:
            self._old_watch = _real_signal(WATCH_SIGNAL, self._on_watch)
            _real_setitimer(signal.ITIMER_VIRTUAL, WATCH, WATCH)
        signal.signal = self._signal_wrapper
        if _real_setitimer is not None:
            signal.setitimer = self._setitimer_wrapper

    def uninstall(self) -> None:
        if signal.signal is self._signal_wrapper:
            signal.signal = _real_signal
        if _real_setitimer is not None and signal.setitimer is self._setitimer_wrapper:
            signal.setitimer = _real_setitimer
        if WATCH_SIGNAL is not None:
            _real_setitimer(signal.ITIMER_VIRTUAL, 0)
            _real_signal(WATCH_SIGNAL, self._old_watch or signal.SIG_DFL)

    # -- the wrappers: note who changes SIGALRM, let the call through
    # The caller is noted before the call: the watch may fire the moment the call has
    # gone through, and must find who made it. A call that fails takes its note back.
    def _signal(self, signalnum, handler):
        if signalnum != signal.SIGALRM or handler is self.pre._handler:
            return _real_signal(signalnum, handler)
        before = self._note(f"signal.signal(SIGALRM, {_handler_name(handler)})")
        try:
            return _real_signal(signalnum, handler)
        except BaseException:
            self.culprit = before
            raise

    def _setitimer(self, which, seconds, interval=0.0):
        if which != signal.ITIMER_REAL:
            return _real_setitimer(which, seconds, interval)
        before = self._note(f"signal.setitimer(ITIMER_REAL, {seconds!r}"
                            + (f", {interval!r})" if interval else ")"))
        try:
            return _real_setitimer(which, seconds, interval)
        except BaseException:
            self.culprit = before
            raise

    def _note(self, what: str):
        """Note the wrapper's caller as the culprit; returns the culprit it replaces."""
        rt = self.pre.rt
        proc = rt.current
        if proc is not None and greenlet.getcurrent() is not proc.greenlet:
            proc = None
        before, self.culprit = self.culprit, (proc, where(sys._getframe(2)), what)
        return before

    # -- the watch: every WATCH seconds of CPU time, in the main thread
    def _on_watch(self, signum, frame) -> None:
        if self.pre.armed and not self.intact():
            self._repair(frame)

    def intact(self) -> bool:
        """SIGALRM's handler is ours and, while armed, our timer runs."""
        pre = self.pre
        if signal.getsignal(signal.SIGALRM) is not pre._handler:
            return False
        if pre.armed:
            delay, interval = signal.getitimer(signal.ITIMER_REAL)
            if not delay or abs(interval - pre.tick) > 1e-5:
                return False
        return True

    def _repair(self, frame) -> None:
        pre = self.pre
        if not pre.installed:
            return
        handler = signal.getsignal(signal.SIGALRM)
        problems = []
        if handler is not pre._handler:
            problems.append(f"SIGALRM's handler was {_handler_name(handler)}")
            _real_signal(signal.SIGALRM, pre._handler)
        if pre.armed:
            delay, interval = signal.getitimer(signal.ITIMER_REAL)
            if not interval:
                problems.append("the preemption timer was stopped")
            elif abs(interval - pre.tick) > 1e-5:
                problems.append(f"the preemption timer was set to {interval:g} s")
            # Linux stops an interval timer whose signal is ignored: start it again too.
            _real_setitimer(signal.ITIMER_REAL, pre.tick, pre.tick)
        if not problems:
            return
        self.restored += 1
        self._warn(problems)
        if pre.armed:
            pre._on_alarm(signal.SIGALRM, frame)    # the tick that was missed: preempt now

    def _warn(self, problems: list) -> None:
        rt = self.pre.rt
        culprit, self.culprit = self.culprit, None
        proc, place, what = culprit if culprit else (None, None, None)
        if culprit:
            by = f"{_who(rt, proc)} switched preemption off at {place} with {what}"
        else:
            by = (f"preemption was switched off ({'; '.join(problems)}) by code that did not "
                  f"go through signal.signal or signal.setitimer")
        text = (f"beamlab: {by}. SIGALRM drives the scheduler: without it one busy process "
                f"freezes all the others, so beamlab has switched it back on. To time "
                f"something out in a process, use receive(timeout=...) or send_after, "
                f"not SIGALRM.\n")
        gl = proc.group_leader if proc is not None else None
        if gl is None:
            cur = rt.current
            gl = cur.group_leader if cur is not None else rt.default_group_leader
        gl.write_err(text)
        tele = rt.telemetry
        if tele.handlers:
            tele.execute(RESTORED, {"count": 1},
                         {"pid": proc.pid if proc is not None else None, "location": place,
                          "call": what, "problems": tuple(problems)})


def _handler_name(handler) -> str:
    if handler is signal.SIG_IGN:
        return "SIG_IGN"
    if handler is signal.SIG_DFL:
        return "SIG_DFL"
    if handler is None:
        return "a handler installed outside Python"
    name = getattr(handler, "__qualname__", None) or repr(handler)
    return f"another handler ({name})"


# ---------------------------------------------------------------- 2. lock deadlocks
def _locks_used_by(frame) -> list:
    """Locks a frame can reach: its locals, the globals its code names, and one
    attribute level down (`self.lock`, `shared.lock`)."""
    found = []
    seen = set()
    code = frame.f_code
    names = code.co_names
    values = list(frame.f_locals.values())
    g = frame.f_globals
    values += [g[n] for n in names if n in g]
    for v in values:
        cands = [v]
        for n in names:
            try:
                # getattr_static: this runs in a signal handler, so run no properties
                a = (inspect.getattr_static(v, n, None)
                     if not isinstance(v, (int, float, str, bytes)) else None)
            except Exception:
                a = None
            if a is not None:
                cands.append(a)
        for c in cands:
            if isinstance(c, _LOCK_TYPES) and id(c) not in seen:
                seen.add(id(c))
                found.append(c)
    return found


def _frames(g):
    f = g.gr_frame if g is not None else None
    while f is not None:
        yield f
        f = f.f_back


def waits_for_lock(frame) -> bool:
    """The frame is in `with lock:` or a call of a method named `acquire`."""
    import dis
    lasti = frame.f_lasti
    prev = None
    for ins in dis.get_instructions(frame.f_code):
        if ins.offset == lasti:
            if ins.opname in ("BEFORE_WITH", "SETUP_WITH"):
                return True
            return prev is not None and prev.argval == "acquire"
        if ins.opname in ("LOAD_METHOD", "LOAD_ATTR"):
            prev = ins
        elif ins.opname not in ("PRECALL", "CALL", "CACHE", "KW_NAMES", "PUSH_NULL", "LOAD_CONST",
                                "LOAD_FAST", "LOAD_NAME", "LOAD_GLOBAL", "LOAD_DEREF",
                                "CALL_FUNCTION", "CALL_METHOD", "CALL_FUNCTION_KW"):
            prev = None
    return False


def find_lock_deadlock(rt, proc, frame):
    """(lock, holder, holder's frame) if `proc`, stuck in a call at `frame`, waits for
    a locked lock that a switched-out process also uses; else None."""
    from .preempt import USER, _kind
    if not waits_for_lock(frame):
        return None
    locked = [lk for lk in _locks_used_by(frame) if lk.locked()]
    if not locked:
        return None
    for other in list(rt._table.values()):
        if other is proc or not other.alive:
            continue
        for f in _frames(other.greenlet):
            if _kind(f) != USER:
                continue
            for lk in _locks_used_by(f):
                if any(lk is l2 for l2 in locked) and _acquired_before(f, lk):
                    return lk, other, f
    return None


def _acquired_before(frame, lock) -> bool:
    """The frame's code takes `lock` (`with lock:` or `lock.acquire()`) before the
    instruction it is suspended at: it probably holds it."""
    import dis
    lasti = frame.f_lasti
    loc, glob = frame.f_locals, frame.f_globals
    value = _MISSING = object()
    for ins in dis.get_instructions(frame.f_code):
        if ins.offset >= lasti:
            return False
        op = ins.opname
        if op in ("LOAD_FAST", "LOAD_NAME", "LOAD_GLOBAL", "LOAD_DEREF", "LOAD_CLASSDEREF"):
            name = ins.argval
            value = loc.get(name, glob.get(name, _MISSING))
        elif op in ("LOAD_ATTR", "LOAD_METHOD") and value is not _MISSING:
            if value is lock and ins.argval == "acquire":
                return True
            try:
                value = inspect.getattr_static(value, ins.argval, _MISSING)
            except Exception:
                value = _MISSING
        elif op in ("BEFORE_WITH", "SETUP_WITH") and value is lock:
            return True
        elif op not in ("CACHE", "PUSH_NULL", "EXTENDED_ARG"):
            value = _MISSING
    return False


def lock_deadlock_error(rt, proc, frame, found, waited: float) -> LockDeadlock:
    lock, holder, hframe = found
    msg = (f"deadlock: {_who(rt, proc)} waited {waited:.1f} s at {where(frame)} to acquire "
           f"a threading.Lock that {_who(rt, holder)} holds, switched out at "
           f"{where(hframe)}. Processes share one OS thread, so that process cannot run "
           f"to release the lock while this one waits: the thread would wait for itself "
           f"forever. Don't hold a threading.Lock across sleep()/receive(); keep shared "
           f"state in one process (a GenServer) and send it messages instead.")
    tele = rt.telemetry
    if tele.handlers:
        tele.execute(LOCK_DEADLOCK, {"waited_ms": waited * 1000.0},
                     {"pid": proc.pid, "holder": holder.pid, "location": where(frame),
                      "holder_location": where(hframe)})
    return LockDeadlock(msg)


def interrupted_error(rt, proc, frame, waited: float) -> RuntimeError:
    """The error an interrupt raises in a process stuck in a blocking call (not the cell)."""
    found = find_lock_deadlock(rt, proc, frame)
    if found is not None:
        return lock_deadlock_error(rt, proc, frame, found, waited)
    return Wedged(
        f"interrupted: {_who(rt, proc)} was blocked for {waited:.1f} s in a call at "
        f"{where(frame)} (a lock.acquire() or another blocking call), and every process "
        f"waited with it, since processes share one OS thread. If it waits for a lock "
        f"another process holds, don't hold locks across sleep()/receive(); for blocking "
        f"calls, use dirty_call.")
