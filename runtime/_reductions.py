"""Counting work for deterministic runs: reductions in the learner's code, slices, preemption.

How this works (deterministic.py has the whole story): `_Determinism` is what a
deterministic run adds to its runtime (`rt._det`): its generator, the work meter,
and the refusal of other threads. The meter counts one reduction per function
call and one per line run in user code (preempt.py's `frame_kind`; `counted`). Two
front ends count, and share one `_Slices` meter: a front end counts down `left`, the
reductions the slice under way has left, in a closure cell (the cheapest thing to
count down on every line), and calls the meter's `end` when it is used up; the
meter keeps the rest (`work()` = all counted so far, which the VirtualClock reads)
and reads and sets `left` through that cell. When a slice is used up at a line that
is a safe point, the running process is switched out (`_switch_out`) to the back of
the run queue, through the driving loop. The front ends: a trace function (`sys.settrace`, Python 3.11: every instruction runs in the
eval loop's tracing mode while it is set) and `sys.monitoring` (3.12+: PY_START and
LINE events, DISABLEd for other code after its first event, so the runtime runs at
full speed).
"""

from __future__ import annotations

import dis
import functools
import os
import sys
import threading

import greenlet

from .errors import NotInProcess
from .preempt import _LIB_DIRS, USER, frame_kind, is_safe_point

__all__ = []

_RETRY = 16             # lines until a process past its slice but not at a safe point is asked again
_counted: dict = {}     # code -> True if its calls and lines are counted


def counted(code) -> bool:
    """True if `code` is the learner's (preempt.py's USER), not a library's. A library
    installed inside the checkout (a .venv in the repo) is USER for frame_kind; it is
    not counted here: libraries keep caches, so their work differs from run to run."""
    r = _counted.get(code)
    if r is None:
        fn = code.co_filename
        r = frame_kind(code) == USER and not (fn.startswith(os.sep) and
                                               os.path.realpath(fn).startswith(_LIB_DIRS))
        _counted[code] = r
    return r


_JUMPS_BACK = frozenset(op for name, op in dis.opmap.items() if name.startswith("JUMP_BACKWARD"))
_self_loops: dict = {}  # code -> True if it has a loop of one instruction (`while True: pass`)


def has_self_loop(code) -> bool:
    """True if `code` has a jump back to itself (`while True: pass` on one line compiles to
    one JUMP_BACKWARD to its own offset): a loop that runs no line, so line events never
    come; the meters count its jumps instead."""
    r = _self_loops.get(code)
    if r is None:
        r = _self_loops[code] = any(ins.opname.startswith("JUMP_BACKWARD") and ins.argval == ins.offset
                                    for ins in dis.get_instructions(code))
    return r


class _Determinism:
    """What a deterministic run adds to its runtime (`rt._det`): the generator, the
    work meter and its trace function, and the refusal of other threads."""

    def __init__(self, rt, spec: DeterministicRun, recorder):
        self.rt = rt
        self.spec = spec
        from .deterministic import RunRandom
        self.random = RunRandom(spec.seeds, recorder)
        self.lo = max(1, spec.slice // 2)
        self.hi = max(self.lo, spec.slice + spec.slice // 2)
        self.preemptions = 0
        self.thread = threading.get_ident()
        self.meter = "sys.settrace"
        self.trace, self.work = _work_meter(self)
        self._monitor = None
        if sys.version_info >= (3, 12):
            self._monitor = _monitor_meter(self)   # cheaper: no events from other code
            if self._monitor is not None:
                self.meter = "sys.monitoring"
                self.work = self._monitor[2]

    def install(self):
        """Start counting (for the run): returns what to call to stop."""
        if self._monitor is not None:
            start, stop, _work = self._monitor
            start()
            return stop
        saved = sys.gettrace()
        sys.settrace(self.trace)
        return lambda: sys.settrace(saved)

    def draw_slice(self) -> int:
        return self.random.randint(self.lo, self.hi)

    def check_thread(self, fn) -> None:
        """`call_soon_threadsafe` from another OS thread: refused (it would land at a
        moment that depends on the machine)."""
        if threading.get_ident() != self.thread:
            name = getattr(fn, "__qualname__", None) or repr(fn)
            raise NotInProcess(
                f"a deterministic run (seed {self.spec.seed}) takes nothing from other OS threads: "
                f"{name} from thread {threading.current_thread().name!r} was refused, as its "
                f"moment would depend on the machine. Do that work in a process instead "
                f"(dirty_call runs its function in the process itself in a deterministic run), "
                f"or run without seed=")

    def on_exit(self, proc, reason) -> None:
        """A process exited: if a kill was raised from the trace function (which ends
        tracing), trace again from here (the same moment in every run)."""
        if self._monitor is None and sys.gettrace() is not self.trace:
            sys.settrace(self.trace)


class _Slices:
    """The work meter both front ends share: the slices of a deterministic run.

    A front end counts `left -= 1` per reduction in a closure cell of its own, and calls
    `end(frame)` when `left` reaches 0; this reads and sets `left` through that cell
    (`left_cell`). Reductions counted so far: `work()` = `until - left`, `until` being
    the count at which the slice under way is used up. `switch(proc, frame)` switches
    the running process out (the front end's way)."""

    __slots__ = ("det", "left_cell", "switch", "until", "seen")

    def __init__(self, det, left_cell, switch):
        self.det = det
        self.left_cell = left_cell      # the front end's `left`: reductions left in this slice
        self.switch = switch
        self.until = 0                  # reductions counted once the slice under way is used up
        self.seen = -1                  # rt._switches when the slice under way was granted

    def work(self) -> int:
        return self.until - self.left_cell.cell_contents

    def end(self, frame) -> None:
        """The slice under way is used up (at `frame`): grant the next, or switch out."""
        cell = self.left_cell
        done = self.until - cell.cell_contents
        rt = self.det.rt
        sw = rt._switches
        proc = rt.current
        if sw != self.seen or proc is None:
            # switched in since this slice began: a whole slice of its own first
            self.seen = sw
            grant = self.det.draw_slice()
        elif greenlet.getcurrent() is not proc.greenlet or not is_safe_point(frame):
            grant = _RETRY              # inside a library call: ask again a few lines on
        else:
            grant = 0                   # the next line of whoever runs next starts a slice
        self.until = done + grant
        cell.cell_contents = grant      # before switching out: the next process counts on from it
        if not grant:
            # call_tracing: the others run counted (a trace function or a sys.monitoring
            # callback runs with tracing or events off)
            sys.call_tracing(self.switch, (proc, frame))


def _work_meter(det):
    """(trace function, work()) for `sys.settrace`: counts reductions, preempts at slice ends
    (`_Slices`)."""
    known = _counted
    settrace = sys.settrace
    hand_over = sys.version_info < (3, 12)      # 3.12+ keeps no tracing flag per C frame
    left = 0          # reductions left in the slice under way (the meter's left_cell)

    def local(frame, event, arg):
        nonlocal left
        if event == "line":
            left -= 1
            if left <= 0:
                meter.end(frame)
        return local

    def local_ops(frame, event, arg):
        # a frame with a one-instruction loop: its jumps back count too (no line event comes)
        nonlocal left
        if event == "line" or (event == "opcode" and frame.f_code.co_code[frame.f_lasti] in _JUMPS_BACK):
            left -= 1
            if left <= 0:
                meter.end(frame)
        return local_ops

    def trace(frame, event, arg):
        nonlocal left
        code = frame.f_code
        k = known.get(code)
        if k is None:
            k = counted(code)
        if k:
            left -= 1           # a function call is a reduction, as on the BEAM
            if has_self_loop(code):
                frame.f_trace_opcodes = True
                return local_ops
            return local
        return None

    def switch_out(proc, frame) -> None:
        if hand_over:
            # 3.11: tracing is on here (call_tracing), and greenlet hands its per-frame
            # flag to the greenlet it switches to: set it so the next process runs traced.
            settrace(trace)
        _switch_out(det, proc, frame)

    meter = _Slices(det, (lambda: left).__closure__[0], switch_out)
    return trace, meter.work


_TOOL_IDS = (3, 4)      # sys.monitoring tool ids beamlab may take (0-2 and 5 are named ones)


def _monitor_meter(det):
    """(start, stop, work()) counting with `sys.monitoring` (3.12+): PY_START and LINE
    events, the same reductions as the trace function, but code that is not the
    learner's is switched off after its first event (DISABLE), so the runtime's
    and libraries' code runs at full speed. Events come from every thread: only the
    run's own counts. None if no tool id is free (then the trace function counts)."""
    mon = sys.monitoring
    tool = next((t for t in _TOOL_IDS if mon.get_tool(t) is None), None)
    if tool is None:
        return None
    events = mon.events
    disable = mon.DISABLE
    known = _counted
    getframe = sys._getframe
    get_ident = threading.get_ident
    thread = det.thread
    left = 0          # reductions left in the slice under way (the meter's left_cell)
    jumping: set = set()        # code objects with JUMP events on (see has_self_loop)

    def on_start(code, offset):
        nonlocal left
        k = known.get(code)
        if k is None:
            k = counted(code)
        if not k:
            return disable
        if get_ident() == thread:
            left -= 1           # a function call is a reduction, as on the BEAM
            if code not in jumping and has_self_loop(code):
                jumping.add(code)       # no LINE event in its one-instruction loop: count jumps
                mon.set_local_events(tool, code, events.JUMP)
        return None

    def on_jump(code, offset, destination):
        nonlocal left
        if destination != offset or get_ident() != thread:
            return None                 # only the one-instruction loop's jump: others have lines
        left -= 1
        if left <= 0:
            meter.end(getframe(1))
        return None

    def on_line(code, line):
        nonlocal left
        k = known.get(code)
        if k is None:
            k = counted(code)
        if not k:
            return disable
        if get_ident() == thread:
            left -= 1
            if left <= 0:
                meter.end(getframe(1))
        return None

    meter = _Slices(det, (lambda: left).__closure__[0], functools.partial(_switch_out, det))

    def start() -> None:
        mon.use_tool_id(tool, "beamlab deterministic run")
        mon.register_callback(tool, events.PY_START, on_start)
        mon.register_callback(tool, events.LINE, on_line)
        mon.register_callback(tool, events.JUMP, on_jump)
        mon.set_events(tool, events.PY_START | events.LINE)

    def stop() -> None:
        mon.set_events(tool, 0)
        for code in jumping:
            mon.set_local_events(tool, code, 0)
        jumping.clear()
        mon.register_callback(tool, events.PY_START, None)
        mon.register_callback(tool, events.LINE, None)
        mon.register_callback(tool, events.JUMP, None)
        mon.free_tool_id(tool)

    return start, stop, meter.work


def _switch_out(det, proc, frame) -> None:
    """Switch the running process out at `frame` (its slice is used up)."""
    rt = det.rt
    det.preemptions += 1
    rt._service_due = True          # through the loop: the timers due fire
    proc.preempted = frame
    rt._yield_current()
    proc.preempted = None
    exc = proc.throw
    if exc is not None:             # killed while switched out: unwind from here
        proc.throw = None
        raise exc
