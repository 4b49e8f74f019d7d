"""The garbage collection policy (runtime/_gc.py): what pauses is reported, the
long-lived heap is frozen out of the collector's way, and what was frozen does
not leak.

Collections are timed with the runtime's MockClock put in as the policy's
timer and the collector's callback called directly, so no test depends on how
long a real collection takes.
"""
from __future__ import annotations

import gc
import weakref

import pytest

from beamlab.runtime import (current_runtime, exit, receive, self as self_pid, sleep, spawn,
                             telemetry)
from beamlab.runtime._process import Process

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")


def record_long_schedules():
    events = []
    telemetry.attach("test-long", LONG_SCHEDULE,
                     lambda event, measurements, metadata, config:
                     events.append((measurements, metadata)))
    return events


def fake_collection(policy, clock, seconds, generation=1, collected=4321):
    """What the collector's callback sees for a collection taking `seconds` of `clock`."""
    enabled = gc.isenabled()
    gc.disable()             # no real collection in between to interleave with ours
    try:
        policy._on_gc("start", {"generation": generation, "collected": 0, "uncollectable": 0})
        clock.advance(seconds)
        policy._on_gc("stop", {"generation": generation, "collected": collected,
                               "uncollectable": 0})
    finally:
        if enabled:
            gc.enable()


def idle_forever():
    receive()


class Cycle:
    """An object that only the cyclic collector can free."""

    def __init__(self):
        self.me = self


LIVE_CYCLES: "weakref.WeakSet[Cycle]" = weakref.WeakSet()


def hold_a_cycle():
    c = Cycle()
    LIVE_CYCLES.add(c)
    receive()


# ----------------------------------------------------------------------------
# what still pauses is reported, as the garbage collector's


def test_a_collection_longer_than_long_schedule_is_a_long_schedule_event_naming_the_gc(run, clock):
    def main():
        rt = current_runtime()
        events = record_long_schedules()
        rt.gc_policy.timer = clock.now
        fake_collection(rt.gc_policy, clock, 0.25, generation=2, collected=4321)
        sleep(0.01)             # the scheduler reports it at its next service
        return events

    [(measurements, metadata)] = run(main)
    assert measurements == {"ms": 250.0}
    assert metadata == {"pid": None, "name": "gc", "location": ("gc", 2), "generation": 2,
                        "collected": 4321}


def test_a_collection_shorter_than_long_schedule_is_not_reported(run, clock):
    def main():
        rt = current_runtime()
        events = record_long_schedules()
        rt.gc_policy.timer = clock.now
        fake_collection(rt.gc_policy, clock, rt.long_schedule / 2)
        sleep(0.01)
        return events

    assert run(main) == []


def test_the_time_spent_collecting_adds_up_in_gc_seconds_for_the_preemption_tick(run, clock):
    def main():
        rt = current_runtime()
        rt.gc_policy.timer = clock.now
        before = rt.gc_seconds
        fake_collection(rt.gc_policy, clock, 0.25)
        fake_collection(rt.gc_policy, clock, 0.5, generation=0)
        stats = rt.gc_policy.stats()
        return rt.gc_seconds - before, stats

    total, stats = run(main)
    assert total == pytest.approx(0.75)
    assert stats["longest_ms"] == pytest.approx(500.0)
    assert stats["longest_generation"] == 0


def test_the_start_of_a_collection_under_way_is_known_until_it_ends(run, clock):
    """The preemption tick can run inside the collector's stop callbacks, before
    gc_seconds is updated: it adds the time since gc_running_since."""
    def main():
        rt = current_runtime()
        policy = rt.gc_policy
        policy.timer = clock.now
        before = rt.gc_running_since
        gc.disable()
        try:
            policy._on_gc("start", {"generation": 0, "collected": 0, "uncollectable": 0})
            during = rt.gc_running_since
            clock.advance(0.2)
            policy._on_gc("stop", {"generation": 0, "collected": 0, "uncollectable": 0})
        finally:
            gc.enable()
        return before, during, clock.now() - 0.2, rt.gc_running_since

    before, during, started, after = run(main)
    assert before is None and after is None
    assert during == started


def test_every_real_collection_is_timed_while_the_runtime_runs_and_not_after(run):
    policy = {}

    def main():
        policy["p"] = current_runtime().gc_policy
        gc.collect()
        return policy["p"].collections[2]

    assert run(main) >= 1
    gc.collect()
    assert policy["p"].collections[2] == 1 and policy["p"]._on_gc not in gc.callbacks


# ----------------------------------------------------------------------------
# the long-lived heap is frozen out of the collector's way


def test_processes_spawned_in_bulk_are_frozen_so_full_collections_do_not_walk_them(run):
    def main():
        rt = current_runtime()
        for _ in range(15_000):
            spawn(idle_forever)
        sleep(0.01)
        walked = sum(1 for o in gc.get_objects() if type(o) is Process)
        return rt.gc_policy.freezes, gc.get_freeze_count(), walked, rt.gc_policy.freeze_after

    freezes, frozen, walked, freeze_after = run(main)
    assert freezes >= 1
    assert frozen > 10_000
    # of 15,001 process records, the collector walks at most those of the last few thousand
    # spawns (fewer than freeze_after): the others are frozen
    assert walked <= freeze_after < 10_000
    assert gc.get_freeze_count() == 0      # stop() unfroze them


def test_stop_restores_the_collector_as_it_was(run):
    before = gc.get_threshold()

    def main():
        for _ in range(6_000):
            spawn(idle_forever)
        sleep(0.01)
        return gc.get_threshold(), current_runtime().gc_policy.frozen

    threshold, frozen = run(main)
    assert threshold[0] >= 10_000 and frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nothing_is_frozen_or_collected_by_force_while_the_user_has_disabled_gc(run):
    def main():
        gc.disable()
        try:
            for _ in range(6_000):
                spawn(idle_forever)
            sleep(0.01)
            return current_runtime().gc_policy.freezes, gc.get_freeze_count()
        finally:
            gc.enable()

    assert run(main) == (0, 0)


# ----------------------------------------------------------------------------
# what was frozen does not leak


def test_cycles_left_by_killed_frozen_processes_do_not_pile_up_round_after_round(run):
    def main():
        rt = current_runtime()
        left = []
        for _ in range(4):
            pids = [spawn(hold_a_cycle) for _ in range(10_000)]
            sleep(0.01)                  # they run, block, and are frozen
            assert rt.gc_policy.frozen
            for pid in pids:
                exit(pid, "kill")
            sleep(0.01)                  # they unwind; their cycles are frozen garbage
            gc.collect()                 # frees what is not frozen, never what is
            left.append((len(LIVE_CYCLES), gc.get_freeze_count()))
        thaws = rt.gc_policy.thaws
        rt.gc_policy.thaw_interval = 0.0
        sleep(5)                         # idle: what is still frozen is thawed
        gc.collect()
        return left, thaws, len(LIVE_CYCLES)

    left, thaws, finally_left = run(main)
    assert thaws >= 2
    # a freeze can catch processes still unwinding, so some cycles may wait for a later
    # thaw; without thaws 10,000 more would stay for good each round
    assert max(cycles for cycles, _ in left) < 10_000
    frozen = [count for _, count in left]
    assert max(frozen) < min(frozen) + 20_000     # ~25,000 more in 4 rounds without thaws
    assert finally_left == 0


def test_an_idle_runtime_thaws_and_collects_what_was_frozen(run):
    def main():
        rt = current_runtime()
        policy = rt.gc_policy
        policy.thaw_interval = 0.0
        policy.freeze_pause = float("inf")      # a slow thaw would freeze again: not here
        pids = [spawn(hold_a_cycle) for _ in range(6_000)]
        sleep(0.01)
        frozen_then = policy.frozen
        for pid in pids[:100]:            # too few deaths for a forced thaw
            exit(pid, "kill")
        sleep(5)                          # idle, nothing due for 5 s
        return frozen_then, policy.thaws, gc.get_freeze_count(), len(LIVE_CYCLES)

    frozen_then, thaws, frozen_now, cycles = run(main)
    assert frozen_then and thaws >= 1
    assert frozen_now == 0
    assert cycles == 5_900


def test_a_census_sees_every_object_inside_thawed_and_the_heap_is_frozen_again_after(run):
    def main():
        rt = current_runtime()
        for _ in range(6_000):
            spawn(idle_forever)
        sleep(0.01)
        with rt.gc_policy.thawed():       # (records of runtimes that earlier tests left do not count)
            inside = (gc.get_freeze_count(),
                      sum(1 for o in gc.get_objects()
                          if type(o) is Process and rt._table.get(o.pid.id) is o))
        return inside, gc.get_freeze_count()

    (frozen_inside, seen), frozen_after = run(main)
    assert frozen_inside == 0 and seen == 6_001
    assert frozen_after > 6_000
