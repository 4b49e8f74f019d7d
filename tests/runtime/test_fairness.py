"""Time slices: a process keeps the CPU for a whole tick from when it is switched in.

Issue 10, point 7: a process switched in late in a tick period used to be
preempted microseconds later and then wait a whole round of the run queue, so a
10 ms ticker beside busy processes was seconds late. These tests drive the
preemption tick by hand (`tick()` calls the SIGALRM handler as the signal
would, at the line that calls it) in a cooperative runtime on the mock clock,
so the order of events is exact. The wall-clock figure is
benchmarks/fairness.py.
"""
from __future__ import annotations

import copy
import signal
import sys

from beamlab.runtime import current_runtime, receive, self, send, sleep, spawn, spawn_monitor, ANY


def tick(frame=None):
    """What SIGALRM does to the running process, with `frame` (default: the caller's) as
    the frame it interrupted."""
    current_runtime()._preemptor._on_alarm(signal.SIGALRM, frame or sys._getframe(1))


def run_all(run, *bodies):
    """Spawn `bodies` in order and wait until each has finished."""
    def main():
        refs = [spawn_monitor(b)[1] for b in bodies]
        for _ in refs:
            receive(("DOWN", ANY, "process", ANY, "normal"))
    run(main, preemption="cooperative")


def test_the_first_tick_after_a_switch_in_does_not_preempt_but_the_next_does(run):
    log = []

    def a():
        tick()                 # switched in since the last tick: its slice has just begun
        log.append("a: first tick")
        tick()                 # it has now held the CPU for a whole tick
        log.append("a: second tick")

    run_all(run, a, lambda: log.append("b"))
    assert log == ["a: first tick", "b", "a: second tick"]


class SlowToCopy:
    """Library code (copy.deepcopy) runs while the tick arrives: `hook` runs inside it."""

    def __init__(self, hook):
        self.hook = hook

    def __deepcopy__(self, memo):
        self.hook(sys._getframe(1))      # the frame of copy.deepcopy: library code
        return self


def test_a_process_in_library_code_when_its_slice_ends_is_switched_out_on_return(run):
    log = []

    def a():
        tick()
        copy.deepcopy(SlowToCopy(lambda lib_frame: (tick(lib_frame), log.append("a: in library"))))
        log.append("a: back in its own code")

    run_all(run, a, lambda: log.append("b"))
    assert log == ["a: in library", "b", "a: back in its own code"]


def test_a_process_that_slept_inside_the_library_call_gets_a_fresh_slice(run):
    log = []

    def b():
        receive("go")
        log.append("b")

    def a(b_pid):
        def in_library(lib_frame):
            tick(lib_frame)        # slice over: switch out when back in a()...
            sleep(0.5)             # ...but it switches out here, and later starts a new slice
            send(b_pid, "go")
        tick()
        copy.deepcopy(SlowToCopy(in_library))
        log.append("a: back in its own code")

    def main():
        b_pid, b_ref = spawn_monitor(b)
        me = self()
        spawn(lambda: (a(b_pid), send(me, "a done")))
        spawn(lambda: log.append("c"))    # runnable when a's slice ends
        receive("a done")
        receive(("DOWN", b_ref, "process", ANY, "normal"))

    run(main, preemption="cooperative")
    assert log == ["c", "a: back in its own code", "b"]


def test_time_the_garbage_collector_took_is_not_charged_to_the_running_process(run):
    """A collection between two ticks is reported as the GC's (runtime/_gc.py), so the
    tick must not also name the process that happened to be running as holding the CPU."""
    named = []

    def main():
        rt = current_runtime()
        rt.long_schedule = 0.1
        pre = rt._preemptor
        now = [100.0]
        pre.timer = lambda: now[0]
        pre._last, pre._gc_seen = now[0], rt.gc_seconds     # as arm() does
        rt.telemetry.attach("t", ("beamlab", "process", "long_schedule"),
                            lambda ev, m, meta, cfg: named.append((meta["pid"], round(m["ms"]))))
        me = self()
        tick()                                # the slice starts
        now[0] += 0.3
        rt.gc_seconds += 0.3                  # 300 ms of it was one full collection
        tick()
        now[0] += 0.05
        rt.gc_running_since = now[0] - 0.04   # a tick inside a collection under way
        tick()
        rt.gc_seconds += 0.05
        rt.gc_running_since = None
        now[0] += 0.01
        tick()
        assert named == []
        now[0] += 0.2                         # then the process itself holds on: it is named
        tick()
        return me

    me = run(main, preemption="cooperative")
    assert [pid for pid, _ in named] == [me] and 200 <= named[0][1] <= 220
