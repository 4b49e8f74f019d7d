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
   runs at full speed; events of other threads are not counted); both are in
   _reductions.py. When the running process has used its slice (drawn from the
   run's generator, 2000..6000 reductions around `slice` = 4000) it is switched out at the next line that is a safe point (no library frame below
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
import re
from typing import Callable

from . import _core
from ._reductions import _Determinism
from .clock import VirtualClock
from .pid import ref_numbering
from .recorder import Recorder

__all__ = ["run", "replay", "fork", "event_log", "DeterministicRun", "RunRandom",
           "SLICE", "PER_REDUCTION"]

SLICE = 4000            # reductions a time slice has on average (the BEAM's budget)
PER_REDUCTION = 1e-6    # virtual seconds one reduction takes


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
    recording.runtime = rt      # stopped; a widget's timeline reads its recorder
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


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def event_log(recording) -> list[dict]:
    """The events of a recording as dicts (Recording.events(): seq, virtual time `t`,
    kind, pids as numbers, terms as text), to compare two runs with `==`. Memory
    addresses in the text (`<function f at 0x7f...>`) are masked: they are where
    Python put an object, different in every run."""
    if isinstance(recording, Recorder):
        recording = recording.recording()
    return [_masked(e) for e in recording.events()]


def _masked(x):
    t = type(x)
    if t is str:
        return _ADDRESS.sub(" at 0x…", x) if " at 0x" in x else x
    if t is dict:
        return {k: _masked(v) for k, v in x.items()}
    if t is list or t is tuple:
        return t(_masked(v) for v in x)
    return x
