"""Time: sleep, send_after, cancel_timer — all on a MockClock, so nothing waits for real."""
from __future__ import annotations

import pytest

from beamlab.runtime import (BadArg, cancel_timer, receive, register, self, send, send_after, sleep,
                             spawn)


def test_sleep_suspends_the_process_for_that_long_on_the_clock(run, clock):
    def main():
        sleep(3600)
        return clock.now()

    assert run(main) == 3600


def test_other_processes_run_while_one_sleeps(run):
    def chatter(to):
        for i in range(3):
            send(to, i)

    def main():
        spawn(chatter, self())
        sleep(10)
        return [receive(timeout=0) for _ in range(3)]

    assert run(main) == [0, 1, 2]


def test_a_sleeping_process_ignores_its_messages_and_keeps_them(run, clock):
    def main():
        send_after(1, self(), "wake up?")
        sleep(5)
        return clock.now(), receive(timeout=0)

    assert run(main) == (5, "wake up?")


def test_sleepers_wake_in_order_of_their_deadlines(run):
    def sleeper(to, seconds):
        sleep(seconds)
        send(to, seconds)

    def main():
        for s in (3, 1, 2):
            spawn(sleeper, self(), s)
        return [receive() for _ in range(3)]

    assert run(main) == [1, 2, 3]


def test_send_after_delivers_the_message_after_the_delay(run, clock):
    def main():
        send_after(2.5, self(), "later")
        return receive(), clock.now()

    assert run(main) == ("later", 2.5)


def test_send_after_has_not_delivered_before_the_delay(run):
    def main():
        send_after(2, self(), "later")
        return receive(timeout=1, default="not yet")

    assert run(main) == "not yet"


def test_send_after_can_send_to_a_registered_name(run):
    def main():
        register("me", self())
        send_after(1, "me", "by name")
        return receive()

    assert run(main) == "by name"


def test_cancel_timer_stops_the_message_and_returns_the_time_left(run):
    def main():
        timer = send_after(10, self(), "never")
        sleep(4)
        left = cancel_timer(timer)
        return left, receive(timeout=20, default="nothing came")

    left, msg = run(main)
    assert left == pytest.approx(6)
    assert msg == "nothing came"


def test_cancel_timer_after_it_fired_returns_false(run):
    def main():
        timer = send_after(1, self(), "fired")
        receive("fired")
        return cancel_timer(timer)

    assert run(main) is False


def test_cancelling_a_timer_twice_returns_false_the_second_time(run):
    def main():
        timer = send_after(1, self(), "x")
        return cancel_timer(timer) is not False, cancel_timer(timer)

    assert run(main) == (True, False)


def test_cancel_timer_of_something_that_is_not_a_timer_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="send_after"):
            cancel_timer("not a timer")
        return "ok"

    assert run(main) == "ok"


@pytest.mark.parametrize("bad", [-1, "soon", None])
def test_sleep_with_a_negative_or_non_numeric_time_is_a_badarg(run, bad):
    def main():
        with pytest.raises(BadArg, match="seconds"):
            sleep(bad)
        return "ok"

    assert run(main) == "ok"


def test_send_after_with_a_negative_time_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="seconds"):
            send_after(-1, self(), "x")
        return "ok"

    assert run(main) == "ok"
