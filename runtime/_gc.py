"""The garbage collection policy: keep the long-lived runtime out of the collector's way.

How this works: CPython's cyclic collector stops the whole thread. A full
(generation 2) collection walks every tracked object, and 100,000 idle
GenServers are about a million of them: 0.2 s on an idle 2-core machine,
0.75 s under load, during which no process runs and no timer fires. Most of
those objects live as long as their process, and a dead process is freed by
reference counting (its record, server and state form no cycle), so walking
them again and again finds nothing.

1. Freeze what a slow full collection kept. `gc.freeze()` moves every tracked
   object to the permanent generation, which collections do not walk. When a
   full collection takes longer than `freeze_pause`, its survivors (all
   generations were just merged into the oldest one, and its garbage is gone)
   are frozen from the collector's own `stop` callback, so later full
   collections walk only what was made since.
2. Freeze after bulk starts. Every `freeze_after` spawns, at a service point
   (the scheduler between two switches), the policy runs one full collection
   of what is not yet frozen, which freezes its survivors: spawning 100,000
   processes never builds up to one collection of all of them.
3. Thaw now and then. A frozen object that later becomes cyclic garbage (a
   process state holding a cycle, after the process dies) is not collected
   while frozen. The policy counts frozen processes that died; when they reach
   `thaw_fraction` of those frozen, or when the scheduler is idle with no timer
   due for `idle_window` seconds and `thaw_interval` has passed, it unfreezes
   and collects everything (one long pause, reported as below), and rule 1
   freezes the survivors again. The leak is bounded by a fraction of the
   frozen heap.
4. Report what still pauses. Every collection is timed (`gc.callbacks`, start
   to stop); `runtime.gc_seconds` is the running total and
   `runtime.gc_running_since` the start of the collection under way (the
   preemption tick can run inside the collector's `stop` callbacks, before the
   total is updated), for the tick to subtract from the time a process held
   the scheduler, so it does not blame the running process for the
   collector's time. A collection longer than `runtime.long_schedule` is emitted, at the
   next service point (never from inside the collector), as
   `("beamlab", "process", "long_schedule")` with `{"ms": ...}` and metadata
   `{"pid": None, "name": "gc", "location": ("gc", generation),
   "generation": generation, "collected": n}`.

The generation 0 threshold is also raised while the runtime lives (mass
spawning otherwise collects every ~700 allocations). `gc.disable()` by the
user is respected: no collection is then forced. The collector is global to
the Python process; `stop()` restores the thresholds and unfreezes what this
runtime froze.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import time

__all__ = ["GcPolicy", "LONG_SCHEDULE"]

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")
_GEN0_THRESHOLD = 10_000


class GcPolicy:
    """The garbage collection policy of one runtime (`runtime.gc_policy`).

        >>> rt.gc_policy.stats()["longest_ms"]
        12.5

    Tunables (attributes): `freeze_after` spawns between freezes, `freeze_pause`
    seconds a full collection may take before its survivors are frozen,
    `thaw_fraction` of frozen processes dead before a forced thaw,
    `thaw_interval` seconds between idle thaws, `idle_window` seconds of nothing
    due that count as idle. `enabled = False` turns freezing and thawing off
    (collections are still timed and reported).
    """

    def __init__(self, runtime, *, timer=time.perf_counter):
        self.rt = runtime
        self.timer = timer              # seconds; injectable so tests need no wall clock
        self.enabled = True
        self.freeze_after = 2_000
        self.freeze_pause = 0.01
        self.thaw_fraction = 0.5
        self.thaw_interval = 60.0
        self.idle_window = 1.0
        self.installed = False
        self._saved_threshold = None
        self._t0 = None                 # when the collection under way started
        self._want_freeze = False       # the collection under way was asked for by rule 2
        self.frozen = False             # this policy froze objects not yet thawed
        self.mark = 0                   # runtime._next_id at the last freeze
        self.frozen_procs = 0           # processes alive at the last freeze
        self.dead_frozen = 0            # frozen processes that died since the last thaw
        self._thaw_after = None         # a forced thaw waits for runtime._switches to get here
        self.freezes = 0
        self.thaws = 0
        self._last_thaw = 0.0
        self.collections = [0, 0, 0]    # per generation
        self.longest = 0.0              # seconds, the longest collection seen
        self.longest_generation = None
        # (generation, seconds, collected) of the last collections over long_schedule
        self.slow = collections.deque(maxlen=64)
        runtime.gc_seconds = 0.0            # time in finished collections (timer seconds)
        runtime.gc_running_since = None     # timer() when the collection under way began

    def __repr__(self):
        return (f"<GcPolicy {'on' if self.enabled else 'off'}: {self.freezes} freezes, "
                f"{self.thaws} thaws, longest {self.longest * 1000:.1f} ms>")

    # -- life ----------------------------------------------------------------
    def install(self) -> None:
        if self.installed:
            return
        self.installed = True
        self._saved_threshold = gc.get_threshold()
        t0, *rest = self._saved_threshold
        gc.set_threshold(max(t0, _GEN0_THRESHOLD), *rest)
        self.mark = self.rt._next_id
        self._last_thaw = self.timer()
        gc.callbacks.append(self._on_gc)
        self.rt._on_exit_hooks.append(self._on_exit)

    def uninstall(self) -> None:
        if not self.installed:
            return
        self.installed = False
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._on_exit in self.rt._on_exit_hooks:
            self.rt._on_exit_hooks.remove(self._on_exit)
        if self._saved_threshold:
            gc.set_threshold(*self._saved_threshold)
        if self.frozen:
            self.frozen = False
            gc.unfreeze()

    # -- the collector's callback ------------------------------------------
    def _on_gc(self, phase, info) -> None:
        rt = self.rt
        if phase == "start":
            self._t0 = rt.gc_running_since = self.timer()
            return
        t0, self._t0 = self._t0, None
        if t0 is None:
            return
        took = self.timer() - t0
        # one step for a signal handler reading them (the tick may run inside this callback)
        rt.gc_seconds, rt.gc_running_since = rt.gc_seconds + took, None
        gen = info.get("generation", 2)
        if 0 <= gen < 3:
            self.collections[gen] += 1
        if took > self.longest:
            self.longest = took
            self.longest_generation = gen
        if gen == 2 and self.enabled and (self._want_freeze or took >= self.freeze_pause):
            # Everything younger was just merged into this generation and its
            # garbage freed: what is left is alive. Freeze it.
            self._freeze()
        self._want_freeze = False
        if took >= rt.long_schedule:
            collected = info.get("collected", 0)
            self.slow.append((gen, took, collected))
            # Reported from the scheduler, not from inside the collector (which
            # may have started at any allocation, in the middle of bookkeeping).
            rt._external.append((self._report, (gen, took, collected)))
            rt._service_due = True

    def _report(self, gen: int, took: float, collected: int) -> None:
        tele = self.rt.telemetry
        if tele.handlers:
            tele.execute(LONG_SCHEDULE, {"ms": took * 1000.0},
                         {"pid": None, "name": "gc", "location": ("gc", gen),
                          "generation": gen, "collected": collected})

    def _freeze(self) -> None:
        gc.freeze()
        rt = self.rt
        self.frozen = True
        self.mark = rt._next_id
        self.frozen_procs = len(rt._table)
        self.freezes += 1

    def _on_exit(self, proc, reason) -> None:
        if self.frozen and proc.pid.id < self.mark:
            self.dead_frozen += 1

    # -- called by the scheduler between switches ----------------------------
    def service(self) -> None:
        """Rule 2 (bulk starts) and the forced thaw of rule 3; cheap when nothing is due."""
        if not self.enabled:
            return
        if self.rt._next_id - self.mark >= self.freeze_after:
            self.mark = self.rt._next_id
            if gc.isenabled():
                self._want_freeze = True
                gc.collect()
                self._want_freeze = False
        if self.frozen and self.dead_frozen >= max(self.freeze_after,
                                                   self.thaw_fraction * self.frozen_procs):
            # A killed process lets go of its objects only once its greenlet has
            # unwound: thaw when everything queued when the count got there has run.
            rt = self.rt
            if self._thaw_after is None:
                self._thaw_after = rt._switches + len(rt._runq)
            elif rt._switches >= self._thaw_after or not rt._runq:
                self.thaw()

    def idle(self, delay) -> bool:
        """The scheduler has nothing to run and the next timer is `delay` seconds away
        (None: no timer). Thaw if it is time to; True if it did."""
        if (self.frozen and self.enabled and (delay is None or delay >= self.idle_window)
                and self.timer() - self._last_thaw >= self.thaw_interval):
            self.thaw()
            return True
        return False

    def thaw(self) -> None:
        """Unfreeze and collect everything: frees cyclic garbage that was frozen.
        A slow collection freezes its survivors again (rule 1)."""
        self.frozen = False
        self.dead_frozen = 0
        self.frozen_procs = 0
        self._thaw_after = None
        self.thaws += 1
        gc.unfreeze()
        if gc.isenabled():
            gc.collect()
        self._last_thaw = self.timer()

    @contextlib.contextmanager
    def thawed(self):
        """Nothing frozen inside the block, garbage collected first, so
        `gc.get_objects()` sees every live object (a census of greenlets, say);
        what was frozen is frozen again after it.

            >>> with rt.gc_policy.thawed():
            ...     n = sum(isinstance(o, greenlet.greenlet) for o in gc.get_objects())
        """
        enabled, refreeze = self.enabled, self.frozen
        self.enabled = False
        self.frozen = False
        self.dead_frozen = 0
        gc.unfreeze()
        gc.collect()
        try:
            yield
        finally:
            self.enabled = enabled
            if refreeze and enabled:
                self._freeze()      # what the block made is mostly alive: no second collection

    # -- figures ---------------------------------------------------------------
    def stats(self) -> dict:
        """Collections per generation, the longest pause, freezes and thaws, time in GC."""
        return {
            "collections": tuple(self.collections),
            "longest_ms": self.longest * 1000.0,
            "longest_generation": self.longest_generation,
            "gc_seconds": self.rt.gc_seconds,
            "freezes": self.freezes,
            "thaws": self.thaws,
            "frozen": self.frozen,
            "dead_frozen": self.dead_frozen,
            "slow": list(self.slow),
        }
