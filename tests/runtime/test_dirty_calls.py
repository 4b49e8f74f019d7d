"""Dirty calls: a blocking function runs in a thread while its process waits and others run."""
from __future__ import annotations

import threading

import pytest

import beamlab
from beamlab.runtime import (ANY, MockClock, dirty_call, exit, process_info, receive, self, send,
                             sleep, spawn, spawn_monitor)


def test_dirty_call_returns_the_functions_value(run):
    def main():
        return dirty_call(lambda a, b: a * b, 6, 7)

    assert run(main) == 42


def test_dirty_call_passes_keyword_arguments(run):
    def main():
        return dirty_call(sorted, [3, 1, 2], reverse=True)

    assert run(main) == [3, 2, 1]


def test_other_processes_keep_running_during_a_dirty_call(run):
    # The dirty function can only finish once another process has run: if the
    # scheduler were blocked by the call, the event would never be set.
    released = threading.Event()

    def releaser():
        send(self(), "a message to itself")
        receive()
        released.set()

    def main():
        spawn(releaser)
        return dirty_call(released.wait, 30)

    assert run(main) is True


def test_a_sleeping_process_wakes_on_the_mock_clock_during_a_dirty_call():
    released = threading.Event()

    def sleeper():
        sleep(0.1)
        released.set()

    def main():
        spawn(sleeper)
        return dirty_call(released.wait, 0.5)

    assert beamlab.run(main, clock=MockClock(autojump=True)) is True


def test_other_processes_can_message_each_other_during_a_dirty_call(run):
    done = threading.Event()

    def pinger(parent):
        def echo():
            frm, m = receive()
            send(frm, m)
        send(spawn(echo), (self(), "pong"))
        send(parent, ("echoed", receive()))
        done.set()

    def main():
        spawn(pinger, self())
        dirty_call(done.wait, 30)
        return receive(("echoed", ANY), timeout=0)

    assert run(main) == ("echoed", "pong")


def test_an_exception_in_a_dirty_call_is_raised_in_the_calling_process(run):
    def main():
        with pytest.raises(ValueError, match="invalid literal"):
            dirty_call(int, "not a number")
        return "still alive"

    assert run(main) == "still alive"


def test_an_uncaught_dirty_call_exception_crashes_the_process_with_that_exception(run):
    def main():
        pid, ref = spawn_monitor(lambda: dirty_call(int, "x"))
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    assert run(main).kind == "ValueError"


def test_a_process_waiting_on_a_dirty_call_shows_as_waiting(run):
    started, release = threading.Event(), threading.Event()

    def main():
        pid = spawn(dirty_call, lambda: (started.set(), release.wait(30)))
        dirty_call(started.wait, 30)           # its dirty function is running now
        status = process_info(pid, "status")
        release.set()
        return status

    assert run(main) == "waiting"


def test_killing_a_process_during_a_dirty_call_drops_the_result(run):
    started, release = threading.Event(), threading.Event()

    def main():
        pid, ref = spawn_monitor(dirty_call, lambda: (started.set(), release.wait(30)))
        dirty_call(started.wait, 30)
        exit(pid, "kill")
        reason = receive(("DOWN", ref, ANY, ANY, ANY))[4]
        release.set()
        still_works = dirty_call(lambda: "dirty calls still work")
        return reason, still_works, receive(timeout=0, default=None)

    assert run(main) == ("killed", "dirty calls still work", None)


def test_a_ticker_keeps_ticking_while_another_process_blocks_in_a_dirty_call():
    # The dirty function can only return True once the ticker has ticked five times.
    ticked = threading.Event()

    def ticker(parent):
        for i in range(5):
            sleep(0.01)
            send(parent, ("tick", i))
        ticked.set()

    def main():
        spawn(ticker, self())
        finished_waiting = dirty_call(ticked.wait, 30)
        return finished_waiting, [receive(("tick", ANY), timeout=0)[1] for _ in range(5)]

    assert beamlab.run(main, preemption="signal") == (True, [0, 1, 2, 3, 4])
