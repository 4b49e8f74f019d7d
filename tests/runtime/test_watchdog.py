"""The watchdog names a process that holds the scheduler while it holds it (issue 10, point 5).

The decision logic runs on a fake runtime and a fake clock (`Watchdog.check(now)`):
no wall time is asserted. The last test runs a real runtime and shows the report
arrives *during* the call: the process waits on an Event that only the report sets.
"""
from __future__ import annotations

import io
import sys
import threading
import types

import pytest

import beamlab
from beamlab.runtime import ANY, receive, spawn_monitor
from beamlab.runtime.watchdog import Hold, Watchdog, print_holds


class FakeProcess:
    def __init__(self, n: int, external: bool = False):
        self.pid = f"<0.{n}.0>"
        self.name = None
        self.external = external


def fake_runtime(**kw):
    rt = types.SimpleNamespace(current=None, _switches=0, _driving=True, long_schedule=0.1,
                               _thread=-1)
    rt.__dict__.update(kw)
    return rt


def watchdog(rt, frames=dict, **kw):
    kw.setdefault("period", 0.2)
    kw.setdefault("min_live", 1.0)
    kw.setdefault("update", 1.0)
    wd = Watchdog(rt, frames=frames, **kw)
    seen: list = []
    wd._callbacks = [seen.append]       # no thread: the test calls check() itself
    return wd, seen


def looks(wd, times):
    for t in times:
        wd.check(t)


def test_a_hold_is_reported_from_the_threshold_on_updated_and_ended():
    p = FakeProcess(7)
    rt = fake_runtime(current=p, _switches=41)
    wd, seen = watchdog(rt)
    looks(wd, [10.0, 10.2, 10.4, 10.6, 10.8])
    assert seen == []                                   # under a second: nothing yet
    wd.check(11.0)
    assert [(h.pid, h.held, h.final, h.switches) for h in seen] == [("<0.7.0>", 1.0, False, 41)]
    looks(wd, [11.2, 11.4, 11.6, 11.8])
    assert len(seen) == 1                               # one report per `update` seconds
    wd.check(12.0)
    assert [h.held for h in seen] == [1.0, 2.0]
    rt._switches = 42                                   # switched out (and maybe in again)
    wd.check(12.2)
    assert [(h.held, h.final) for h in seen[2:]] == [(2.0, True)]
    looks(wd, [12.4, 12.6])
    assert len(seen) == 3                               # a new stretch starts from zero


def test_the_threshold_is_the_runtimes_long_schedule_when_that_is_longer():
    rt = fake_runtime(current=FakeProcess(3), long_schedule=2.5)
    wd, seen = watchdog(rt)
    looks(wd, [i * 0.2 for i in range(13)])            # up to 2.4 s
    assert seen == []
    wd.check(2.6)
    assert [h.held for h in seen] == [pytest.approx(2.6)]


def test_switching_processes_is_no_hold():
    a, b = FakeProcess(1), FakeProcess(2)
    rt = fake_runtime(current=a)
    wd, seen = watchdog(rt)
    for i in range(40):                     # every look sees another switch
        rt.current = a if i % 2 else b
        rt._switches += 1
        wd.check(i * 0.2)
    assert seen == []


def test_an_idle_runtime_is_no_hold_and_ends_one():
    p = FakeProcess(5)
    rt = fake_runtime(current=p)
    wd, seen = watchdog(rt)
    looks(wd, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert [h.final for h in seen] == [False]       # (a stale `current` is ignored too)
    rt._driving = False                     # the runtime stopped driving (current may be stale)
    wd.check(1.2)
    assert [h.final for h in seen] == [False, True]
    looks(wd, [5.0, 9.0])
    assert len(seen) == 2


def test_a_look_frozen_by_a_call_holding_the_gil_reports_nothing_and_counts_on_from_then():
    p = FakeProcess(9)
    rt = fake_runtime(current=p)
    wd, seen = watchdog(rt)
    looks(wd, [0.0, 0.2, 0.4])
    wd.check(30.0)                          # this thread could not run for 29.6 s
    assert seen == []                       # the tick reports that call when it returns
    looks(wd, [30.2, 30.4])
    assert seen == []                       # 0.4 s seen before, 0.4 s since: 0.8 s
    wd.check(30.6)
    assert [h.held for h in seen] == [pytest.approx(1.0)]


def test_a_failing_callback_does_not_stop_the_others():
    rt = fake_runtime(current=FakeProcess(4))
    wd, seen = watchdog(rt)

    def broken(hold):
        raise RuntimeError("a bad callback")

    wd._callbacks = [broken, seen.append]
    looks(wd, [0.0, 0.5, 1.0])
    assert len(seen) == 1


def test_watch_wants_a_callable():
    with pytest.raises(TypeError, match="watch\\(\\) takes a callable"):
        Watchdog(fake_runtime()).watch("print")


def blocked_in_native_call(ready: threading.Event, release: threading.Event) -> None:
    ready.set()
    release.wait(60)            # the learner's line: a call into C that does not return


def test_the_place_is_the_learners_own_frame_and_a_native_call_is_recognised():
    ready, release = threading.Event(), threading.Event()
    t = threading.Thread(target=blocked_in_native_call, args=(ready, release), daemon=True)
    t.start()
    ready.wait(10)
    try:
        rt = fake_runtime(current=FakeProcess(6), _thread=t.ident)
        wd, seen = watchdog(rt, frames=sys._current_frames)
        looks(wd, [0.0, 0.5, 1.0])
    finally:
        release.set()
        t.join(10)
    [hold] = seen
    filename, line, function = hold.location
    assert (filename, function) == (__file__, "blocked_in_native_call")   # not threading.py's wait
    assert hold.source == "release.wait(60)            # the learner's line: a call into C that does not return"
    assert hold.native


def test_print_holds_says_who_where_and_the_cure():
    out = io.StringIO()
    pid = type("Pid", (), {"__repr__": lambda self: "<0.7.0>"})()
    hold = Hold(None, pid, "crunch", 3, 2.0, ("lab.py", 4, "work"), "select.select([], [], [], 9)",
                True)
    print_holds(hold, file=out)
    assert out.getvalue() == ("beamlab watchdog: <0.7.0> (crunch) has held the scheduler for 2 s in a native "
                              "call in work at lab.py:4: select.select([], [], [], 9); nothing else runs "
                              "meanwhile. Run a long call with dirty_call(fn, *args).\n")


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs SIGALRM")
def test_a_real_runtime_reports_the_hold_while_the_call_is_still_running():
    reported = threading.Event()
    holds: list = []

    def on_hold(hold):
        holds.append(hold)
        reported.set()              # the only thing that ends the call below

    def blocker():
        return reported.wait(60)    # native: the tick cannot switch this process out

    def main():
        rt = beamlab.runtime.current_runtime()
        rt.watchdog.period, rt.watchdog.min_live = 0.02, 0.05
        rt.watchdog.watch(on_hold)
        pid, ref = spawn_monitor(blocker)
        down = receive(("DOWN", ref, ANY, ANY, ANY), timeout=120)
        return pid, down[4]

    pid, reason = beamlab.run(main)
    assert reason == "normal"
    live = [h for h in holds if not h.final]
    assert live and live[0].pid == pid and live[0].native
    assert live[0].location[2] == "blocker"
    assert holds[-1].final and holds[-1].pid == pid
