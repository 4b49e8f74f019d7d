"""Let it crash, never the scheduler: a callback the scheduler runs that raises is reported, never fatal.

Callbacks come from `call_soon_threadsafe` (a widget click, a thread) and from
timers. Each one that raises gets an error report on stderr naming it and a
`("beamlab", "scheduler", "callback_error")` event; the processes carry on.
And if the driving loop itself fails while code runs as a process through
`run_as` (the kernel's cells), that code gets the error where it waits and the
process can run code again.
"""
from __future__ import annotations

import threading

import pytest

import beamlab
from beamlab.runtime import (Deadlock, MockClock, Runtime, current_runtime, receive, self, send,
                             sleep, telemetry)

CALLBACK_ERROR = ("beamlab", "scheduler", "callback_error")


def broken_click(content):
    raise TypeError(f"bad click {content!r}")


def test_a_raising_call_soon_threadsafe_callback_does_not_end_beamlab_run(run):
    def main():
        current_runtime().call_soon_threadsafe(broken_click, {"key": 123})
        sleep(1)
        return "main carried on"

    assert run(main) == "main carried on"


def test_a_raising_callback_is_reported_on_stderr_naming_it_and_its_error(run, capsys):
    def main():
        current_runtime().call_soon_threadsafe(broken_click, {"key": 123})
        sleep(1)

    run(main)
    err = capsys.readouterr().err
    assert "ERROR REPORT" in err
    assert "broken_click (call_soon_threadsafe)" in err
    assert "TypeError: bad click {'key': 123}" in err


def test_a_raising_callback_emits_a_callback_error_telemetry_event(run):
    events = []

    def main():
        telemetry.attach("t", CALLBACK_ERROR, lambda e, m, md, c: events.append(md))
        current_runtime().call_soon_threadsafe(broken_click, 1)
        sleep(1)

    run(main)
    assert [(md["name"], md["kind"], type(md["reason"])) for md in events] == [
        ("broken_click", "call_soon_threadsafe", TypeError)]
    assert "bad click 1" in events[0]["stacktrace"]


def test_the_callbacks_queued_after_a_raising_one_still_run(run):
    ran = []

    def main():
        rt = current_runtime()
        rt.call_soon_threadsafe(broken_click, 1)
        rt.call_soon_threadsafe(ran.append, "second")
        sleep(1)

    run(main)
    assert ran == ["second"]


def test_a_raising_timer_callback_is_reported_and_later_timers_still_fire(run, capsys):
    fired = []

    def main():
        rt = current_runtime()
        rt.add_timer(1, broken_click, "from a timer")
        rt.add_timer(2, fired.append, "later timer")
        sleep(3)
        return "done"

    assert run(main) == "done"
    assert fired == ["later timer"]
    err = capsys.readouterr().err
    assert "broken_click (timer)" in err and "bad click 'from a timer'" in err


def test_a_process_waiting_in_receive_gets_its_message_after_a_thread_posted_a_raising_callback():
    def main():
        rt, me = current_runtime(), self()

        def thread():
            rt.call_soon_threadsafe(broken_click, "from a thread")
            rt.call_soon_threadsafe(send, me, "after the bad one")

        threading.Thread(target=thread).start()
        return receive(timeout=10)

    assert beamlab.run(main) == "after the bad one"


# ---------------------------------------------------------------- run_as survives a failing loop

def test_a_failure_of_the_loop_is_raised_where_the_code_waits_and_its_finally_runs():
    rt = Runtime(clock=MockClock(autojump=True))
    shell = rt.new_process()
    unwound = []

    def cell():
        try:
            receive()                  # nothing can ever come: the loop raises Deadlock
        finally:
            unwound.append("finally ran")

    with pytest.raises(Deadlock):
        rt.run_as(shell, cell)
    assert unwound == ["finally ran"]
    rt.stop()


def test_after_the_loop_failed_during_run_as_the_process_runs_the_next_code():
    rt = Runtime(clock=MockClock(autojump=True))
    shell = rt.new_process()
    with pytest.raises(Deadlock):
        rt.run_as(shell, receive)
    assert rt.run_as(shell, lambda: "the next cell works") == "the next cell works"
    rt.stop()


def test_a_loop_failure_outside_any_callback_reaches_the_code_and_the_process_recovers():
    rt = Runtime(clock=MockClock(autojump=True))
    shell = rt.new_process()
    real = rt._fire_timers
    failures = [RuntimeError("the loop broke once")]

    def fire_timers():
        if failures:
            raise failures.pop()
        real()

    rt._fire_timers = fire_timers

    with pytest.raises(RuntimeError, match="the loop broke once"):
        rt.run_as(shell, lambda: receive(timeout=5))
    assert rt.run_as(shell, lambda: receive(timeout=1, default="fine")) == "fine"
    rt.stop()


def test_code_that_swallows_the_loop_failure_and_waits_again_is_killed_not_left_half_running():
    rt = Runtime(clock=MockClock(autojump=True))
    shell = rt.new_process()

    def stubborn():
        while True:
            try:
                receive()
            except Deadlock:
                pass

    with pytest.raises(Deadlock):
        rt.run_as(shell, stubborn)
    assert not rt.is_process_alive(shell)
    fresh = rt.new_process()
    assert rt.run_as(fresh, lambda: "a new shell works") == "a new shell works"
    rt.stop()
