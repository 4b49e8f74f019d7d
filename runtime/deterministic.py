"""Deterministic runs: one seed, a virtual clock, scheduling by counted work (issue 13, point 4).

    >>> import beamlab
    >>> rec = beamlab.Recorder()
    >>> beamlab.run(main, seed=42, record=rec)        # the same code and seed: the same events
    >>> first = rec.recording()                       # first.run says how it was made
    >>> again = beamlab.replay(first)                 # run it again: a new Recording
    >>> event_log(again) == event_log(first)          # every event, virtual times included
    True
    >>> other = beamlab.fork(first, at=120, seed=7)   # events 1..120 as recorded, then seed 7
    >>> event_log(other)[:120] == event_log(first)[:120]
    True

In the kernel the cell magic `%%beamlab_run --seed 42` runs a cell this way
(kernel/magics.py). docs/time-travel.md, "Deterministic runs", says it all.

How this works. A deterministic run is a fresh `Runtime` with three changes:

1. Time is virtual (`clock.VirtualClock`): it jumps to the next timer when every
   process waits, as MockClock's autojump does, and otherwise moves with the work
   done, `per_reduction` seconds (1 µs) a reduction. Nothing reads the wall clock.
2. Scheduling is by counted work, not by the SIGALRM tick (preemption is
   "cooperative" and this module preempts). Reductions are counted in the
   learner's code: one for each function call and one for each line run (a
   loop's jump back to its first line is a line), in code of the learner only
   (preempt.py's `frame_kind`; the runtime's and libraries' code is not counted,
   so a runtime call counts as the line that makes it). On 3.11 a trace function
   counts (`sys.settrace`, for the run); on 3.12+ `sys.monitoring` (PY_START and
   LINE events, switched off for other code after its first event, so that code
   runs at full speed; events of other threads are not counted). When the running process has used its slice (drawn
   from the run's generator, 2000..6000 reductions around `slice` = 4000) it is
   switched out at the next line that is a safe point (no library frame below
   it: the same rule as the tick's) and goes to the back of the run queue,
   through the driving loop, which fires the timers due. A process switched in
   first finishes the slice under way, then gets a whole one of its own, as the
   tick gives one whole tick (preempt.py). Counted lines and calls are the same
   on every machine under any load: the schedule is a function of the code and
   the seed.
3. Choices draw from one generator, `RunRandom(seed)`, owned by the run
   (`rt._det.random`): each slice's length, and the chaos monkey's victims
   (runtime/chaos.py) when it has no seed of its own. The `random` module is
   seeded with the seed too for the run (and restored after), so learner code that
   uses it is reproducible as well. Refs are numbered by the run (pid.ref_numbering):
   the refs in its log get the same numbers every time.

What would come from outside is kept out: a callback or a send from another OS
thread (`call_soon_threadsafe`) raises `NotInProcess` in that thread, and
`dirty_call` runs its function in the process itself (at once, taking no virtual
time), so a dirty call's result arrives at the same moment every time.

Replay and fork. A run's `Recording` carries a `DeterministicRun` (`recording.run`):
the function, its arguments, the seeds and options. `replay` runs it again;
`fork(recording, at=S, seed=X)` runs it again and, from the first choice made after
the recorder's event S, draws from `RunRandom(X)` instead (the `random` module is
reseeded then too): events 1..S are the recorded ones, what follows is what
another seed makes of the same moment. A fork of a fork keeps the earlier switches
before S.

Limits (docs/time-travel.md): counts depend on the Python version's line
table; code that reads the wall clock, iterates a set of strings (whose order
is PYTHONHASHSEED's) or runs from the garbage collector (`__del__`, weakref
callbacks) may still differ between runs; on 3.11 a killed process's `finally`
blocks run uncounted (a raise from a trace function ends the tracing; it is put
back when the process has exited).
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sys
import threading
from typing import Callable

import greenlet

from . import _core
from .clock import VirtualClock
from .errors import NotInProcess
from .pid import ref_numbering
from .preempt import USER, _kind_cache, frame_kind, is_safe_point
from .recorder import Recorder

__all__ = ["run", "replay", "fork", "event_log", "DeterministicRun", "RunRandom",
           "SLICE", "PER_REDUCTION"]

SLICE = 4000            # reductions a time slice has on average (the BEAM's budget)
PER_REDUCTION = 1e-6    # virtual seconds one reduction takes
_RETRY = 16             # lines until a process past its slice but not at a safe point is asked again


@dataclasses.dataclass(frozen=True)
class DeterministicRun:
    """How a deterministic run was made: enough to make it again (`recording.run`).

        >>> first.run
        DeterministicRun(main=<function main>, seed=42, slice=4000, ...)
        >>> first.run.replay()                 # == beamlab.replay(first)

    `seeds`: ((0, seed), (S, seed2), ...) — from the first choice after event S,
    the generator is seeded with seed2 (a fork); `record`: the recorder's options."""

    main: Callable
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict, hash=False)
    seeds: tuple = ((0, 0),)
    slice: int = SLICE
    per_reduction: float = PER_REDUCTION
    process_limit: int | None = None
    record: dict = dataclasses.field(default_factory=dict, hash=False)

    @property
    def seed(self) -> int:
        """The seed the run started with."""
        return self.seeds[0][1]

    def __repr__(self):
        name = getattr(self.main, "__qualname__", None) or repr(self.main)
        forks = "".join(f", then seed {s} after event {at}" for at, s in self.seeds[1:])
        return (f"DeterministicRun(main={name}, seed={self.seed}{forks}, slice={self.slice}, "
                f"per_reduction={self.per_reduction})")

    def replay(self, record=None):
        """Run it again; the new run's Recording (see `replay`)."""
        return _run_spec(self, record)

    def fork(self, at: int, seed: int, record=None):
        """Run it to event `at`, then on under `seed`; the new run's Recording (see `fork`)."""
        if isinstance(at, bool) or not isinstance(at, int) or at < 0:
            raise ValueError(f"fork(at={at!r}): give the seq of an event of the recording (an int >= 0)")
        _check_seed(seed)
        seeds = tuple((s, x) for s, x in self.seeds if s < at or s == 0) + ((at, seed),)
        return _run_spec(dataclasses.replace(self, seeds=seeds), record)


class RunRandom(random.Random):
    """The run's one random generator. Every choice the runtime makes draws from it;
    at a fork's event it is reseeded (at the first draw after that event).

        >>> current_runtime()._det.random.randrange(10)      # inside a deterministic run
        3
    """

    def __init__(self, seeds, recorder):
        self._pending = list(seeds[1:])
        self._recorder = recorder
        self._next = self._pending[0][0] if self._pending else None
        super().__init__(seeds[0][1])

    def _switch(self) -> None:
        seq = self._recorder._seq
        while self._pending and seq >= self._pending[0][0]:
            _at, seed = self._pending.pop(0)
            self.seed(seed)
            random.seed(seed)           # the learner's `random` module follows the fork too
        self._next = self._pending[0][0] if self._pending else None

    def random(self) -> float:
        if self._next is not None and self._recorder._seq >= self._next:
            self._switch()
        return super().random()

    def getrandbits(self, k: int) -> int:
        if self._next is not None and self._recorder._seq >= self._next:
            self._switch()
        return super().getrandbits(k)


class _Determinism:
    """What a deterministic run adds to its runtime (`rt._det`): the generator, the
    work meter and its trace function, and the refusal of other threads."""

    def __init__(self, rt, spec: DeterministicRun, recorder):
        self.rt = rt
        self.spec = spec
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


def _work_meter(det):
    """(trace function, work()) for `sys.settrace`: counts reductions, preempts at slice ends.

    The counter lives in closure cells: `left` is what the slice under way has left,
    `work()` = reductions counted so far = `base + granted - left`."""
    rt = det.rt
    kinds = _kind_cache
    user = USER
    getcurrent = greenlet.getcurrent
    settrace = sys.settrace
    call_tracing = sys.call_tracing
    hand_over = sys.version_info < (3, 12)      # 3.12+ keeps no tracing flag per C frame
    left = 0          # reductions left in the slice under way
    granted = 0       # the slice under way's length
    base = 0          # reductions counted in the slices before it
    seen = -1         # rt._switches when the slice under way was granted

    def local(frame, event, arg):
        nonlocal left
        if event == "line":
            left -= 1
            if left <= 0:
                slice_end(frame)
        return local

    def trace(frame, event, arg):
        nonlocal left
        code = frame.f_code
        k = kinds.get(code)
        if k is None:
            k = frame_kind(code)
        if k == user:
            left -= 1           # a function call is a reduction, as on the BEAM
            return local
        return None

    def work() -> int:
        return base + granted - left

    def slice_end(frame) -> None:
        nonlocal left, granted, base, seen
        base += granted - left
        sw = rt._switches
        proc = rt.current
        if sw != seen or proc is None:
            # switched in since this slice began: a whole slice of its own first
            seen = sw
            granted = left = det.draw_slice()
            return
        if getcurrent() is not proc.greenlet or not is_safe_point(frame):
            granted = left = _RETRY     # inside a library call: ask again a few lines on
            return
        granted = left = 0              # the next line of whoever runs next starts a slice
        call_tracing(switch_out, (proc, frame))

    def switch_out(proc, frame) -> None:
        if hand_over:
            # 3.11: tracing is on here (call_tracing), and greenlet hands its per-frame
            # flag to the greenlet it switches to: set it so the next process runs traced.
            settrace(trace)
        _switch_out(det, proc, frame)

    return trace, work


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
    rt = det.rt
    kinds = _kind_cache
    user = USER
    getframe = sys._getframe
    get_ident = threading.get_ident
    thread = det.thread
    getcurrent = greenlet.getcurrent
    call_tracing = sys.call_tracing
    left = 0
    granted = 0
    base = 0
    seen = -1

    def on_start(code, offset):
        nonlocal left
        k = kinds.get(code)
        if k is None:
            k = frame_kind(code)
        if k != user:
            return disable
        if get_ident() == thread:
            left -= 1           # a function call is a reduction, as on the BEAM
        return None

    def on_line(code, line):
        nonlocal left
        k = kinds.get(code)
        if k is None:
            k = frame_kind(code)
        if k != user:
            return disable
        if get_ident() == thread:
            left -= 1
            if left <= 0:
                slice_end(getframe(1))
        return None

    def work() -> int:
        return base + granted - left

    def slice_end(frame) -> None:
        nonlocal left, granted, base, seen
        base += granted - left
        sw = rt._switches
        proc = rt.current
        if sw != seen or proc is None:
            seen = sw
            granted = left = det.draw_slice()
            return
        if getcurrent() is not proc.greenlet or not is_safe_point(frame):
            granted = left = _RETRY
            return
        granted = left = 0
        # call_tracing: the others run with events on (a callback runs with them off)
        call_tracing(_switch_out, (det, proc, frame))

    def start() -> None:
        mon.use_tool_id(tool, "beamlab deterministic run")
        mon.register_callback(tool, events.PY_START, on_start)
        mon.register_callback(tool, events.LINE, on_line)
        mon.set_events(tool, events.PY_START | events.LINE)

    def stop() -> None:
        mon.set_events(tool, 0)
        mon.register_callback(tool, events.PY_START, None)
        mon.register_callback(tool, events.LINE, None)
        mon.free_tool_id(tool)

    return start, stop, work


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


def _check_seed(seed) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed={seed!r}: a deterministic run's seed is an int (e.g. seed=42)")


def _recorder(record) -> Recorder:
    if record is None or record is True or record is False:
        return Recorder()       # a deterministic run always records: replay and fork read its log
    if isinstance(record, dict):
        return Recorder(**record)
    if isinstance(record, Recorder):
        if record.rt is not None:
            raise ValueError("that Recorder already recorded a runtime; give a new Recorder()")
        return record
    raise ValueError(f"record={record!r}: give True, a Recorder(max_events=..., max_bytes=...), "
                     f"or a dict of those options")


@contextlib.contextmanager
def _installed(det, seed):
    """For the length of the run: the trace function, ref numbering, the `random` module
    seeded; another runtime this runs inside (the kernel's) paused and current again after."""
    outer = _core._current
    outer_pre = getattr(outer, "_preemptor", None)
    rearm = outer_pre is not None and outer_pre.armed
    if rearm:
        outer_pre.disarm()      # its tick must not switch the kernel's processes meanwhile
    saved_random = random.getstate()
    random.seed(seed)
    numbering = ref_numbering().__enter__()
    stop = det.install()
    try:
        yield numbering
    finally:
        stop()
        numbering.__exit__(None, None, None)
        random.setstate(saved_random)
        if outer is not None and not outer._stopped:
            _core._current = outer
        if rearm and outer._driving:
            outer_pre.arm()


def _run_spec(spec: DeterministicRun, record=None, value_box: list | None = None):
    """Make the run `spec` describes; its Recording."""
    from ._core import Runtime
    rec = _recorder(record if record is not None else (spec.record or True))
    clock = VirtualClock(per_reduction=spec.per_reduction)
    rt = Runtime(clock=clock, preemption="cooperative", record=rec,
                 process_limit=spec.process_limit)
    rt.gc_policy.enabled = False        # no freezing at moments of its own
    det = rt._det = _Determinism(rt, spec, rec)
    clock.work = det.work
    rt._on_exit_hooks.append(det.on_exit)
    rec.run = spec
    with _installed(det, spec.seed) as numbering:
        try:
            value = rt.run(spec.main, *spec.args, **spec.kwargs)
            if value_box is not None:
                value_box.append(value)
        finally:
            for ev in rec._ring:      # the log's refs numbered in its order, by this run
                numbering.number(ev[5:8])
    recording = rec.recording()
    recording.run = spec
    return recording


def run(main, *args, seed: int, record=True, slice: int = SLICE,
        per_reduction: float = PER_REDUCTION, process_limit: int | None = None, **kwargs):
    """Run `main(*args)` deterministically: what `beamlab.run(main, seed=42)` does.

        >>> rec = beamlab.Recorder()
        >>> beamlab.run(main, seed=42, record=rec)     # main's return value
        >>> rec.recording().run.seed
        42

    `slice`: reductions a process runs before it is switched out (on average; each
    slice is drawn from slice/2..3·slice/2); `per_reduction`: virtual seconds one
    takes. Returns what `main` returns; the recorder (`record`: True, a
    `Recorder()`, or a dict of its options) holds the log, and its `recording()`
    carries the `DeterministicRun` for `replay` and `fork`."""
    _check_seed(seed)
    if isinstance(slice, bool) or not isinstance(slice, int) or slice < 1:
        raise ValueError(f"slice={slice!r}: give a number of reductions (an int >= 1)")
    if not (isinstance(per_reduction, (int, float)) and per_reduction >= 0):
        raise ValueError(f"per_reduction={per_reduction!r}: give virtual seconds (>= 0)")
    rec = _recorder(record)
    spec = DeterministicRun(main, tuple(args), dict(kwargs), ((0, seed),), slice,
                            float(per_reduction), process_limit,
                            {"max_events": rec.max_events, "max_bytes": rec.max_bytes})
    box: list = []
    _run_spec(spec, rec, box)
    return box[0] if box else None


def _spec_of(recording) -> DeterministicRun:
    spec = getattr(recording, "run", None)
    if isinstance(spec, DeterministicRun):
        return spec
    raise ValueError(
        f"{recording!r} is not the recording of a deterministic run, so it cannot be made "
        f"again: record one with beamlab.run(main, seed=42, record=rec) (or %%beamlab_run "
        f"--seed 42 in the kernel), then replay(rec.recording())")


def replay(recording, record=None):
    """Run a recorded deterministic run again: the same events, in the same order, at the
    same virtual times. Returns the new run's Recording.

        >>> again = beamlab.replay(first)       # first = rec.recording() of beamlab.run(..., seed=42)
        >>> event_log(again) == event_log(first)
        True

    `record`: a Recorder to record into (so a live view watching it shows the run
    again), by default one like the original's. Also `first.run.replay()`."""
    if isinstance(recording, Recorder):
        recording = recording.recording()
    return _spec_of(recording).replay(record)


def fork(recording, at: int, seed: int, record=None):
    """"What if": run a recorded deterministic run again up to its event `at`, then go on
    under another seed. Returns the new run's Recording: its events 1..`at` are the
    recorded ones; from the first choice made after `at` (the next time slice, the
    next victim) the generator is seeded with `seed`.

        >>> other = beamlab.fork(first, at=120, seed=7)
        >>> event_log(other)[:120] == event_log(first)[:120]
        True
    """
    if isinstance(recording, Recorder):
        recording = recording.recording()
    return _spec_of(recording).fork(at, seed, record)


def event_log(recording) -> list[dict]:
    """The events of a recording as dicts (Recording.events(): seq, virtual time `t`,
    kind, pids as numbers, terms as text), to compare two runs with `==`."""
    if isinstance(recording, Recorder):
        recording = recording.recording()
    return recording.events()
