"""Selective receive: patterns, what stays queued, timeouts and `default=`."""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, Pid, ReceiveTimeout, process_info, receive, self, send,
                             send_after, spawn, spawn_monitor)


def fill(*msgs):
    for m in msgs:
        send(self(), m)


def mailbox():
    return process_info(self(), "messages")


# ---------------------------------------------------------------- selective receive

def test_selective_receive_takes_the_first_matching_message(run):
    def main():
        fill(("a", 1), ("b", 2), ("b", 3))
        return receive(("b", ANY))

    assert run(main) == ("b", 2)


def test_messages_that_do_not_match_stay_queued_in_their_order(run):
    def main():
        fill("one", ("wanted", 1), "two", "three")
        receive(("wanted", ANY))
        return mailbox()

    assert run(main) == ["one", "two", "three"]


def test_skipped_messages_are_received_later_in_arrival_order(run):
    def main():
        fill("x1", "x2", ("reply", 7), "x3")
        reply = receive(("reply", ANY))
        return reply, [receive() for _ in range(3)]

    assert run(main) == (("reply", 7), ["x1", "x2", "x3"])


def test_a_waiting_receive_wakes_only_for_a_matching_message(run):
    def sender(to):
        send(to, "noise")
        send(to, ("answer", 42))

    def main():
        spawn(sender, self())
        answer = receive(("answer", ANY))
        return answer, mailbox()

    assert run(main) == (("answer", 42), ["noise"])


# ---------------------------------------------------------------- patterns

def test_any_matches_any_value_inside_a_tuple(run):
    def main():
        fill(("reply", "object", [1, 2]))
        return receive(("reply", ANY, ANY))

    assert run(main) == ("reply", "object", [1, 2])


def test_a_tuple_pattern_only_matches_tuples_of_the_same_length(run):
    def main():
        fill(("ok",), ("ok", 1, 2), ("ok", 1))
        return receive(("ok", ANY)), mailbox()

    assert run(main) == (("ok", 1), [("ok",), ("ok", 1, 2)])


def test_a_type_inside_a_tuple_matches_instances_of_that_type(run):
    def main():
        fill(("count", "three"), ("count", 3))
        return receive(("count", int))

    assert run(main) == ("count", 3)


def test_a_type_as_the_whole_pattern_matches_instances(run):
    def main():
        fill(1, 2.5, "text", b"bytes")
        return receive(str), receive(bytes), mailbox()

    assert run(main) == ("text", b"bytes", [1, 2.5])


def test_pid_as_a_type_matches_any_pid_inside_a_tuple(run):
    def main():
        fill(("from", "somebody"), ("from", self()))
        return receive(("from", Pid))

    sender_msg = run(main)
    assert isinstance(sender_msg[1], Pid)


def test_a_predicate_pattern_matches_when_it_returns_true(run):
    def main():
        fill(1, 5, 10, 20)
        return receive(lambda m: m > 7), mailbox()

    assert run(main) == (10, [1, 5, 20])


def test_a_plain_value_pattern_matches_an_equal_message(run):
    def main():
        fill("stop", "go")
        return receive("go"), mailbox()

    assert run(main) == ("go", ["stop"])


def test_with_several_patterns_the_oldest_message_matching_any_is_taken(run):
    def main():
        fill("skip", ("b", 1), ("a", 2))
        return receive(("a", ANY), ("b", ANY)), mailbox()

    assert run(main) == (("b", 1), ["skip", ("a", 2)])


def test_nested_tuples_match_element_by_element(run):
    def main():
        fill(("req", ("get", "x")), ("req", ("put", "y")))
        return receive(("req", ("put", ANY)))

    assert run(main) == ("req", ("put", "y"))


def test_a_predicate_that_raises_crashes_the_receiving_process_with_that_error(run):
    def picky():
        receive(lambda m: m["x"] > 1)

    def main():
        pid, ref = spawn_monitor(picky)
        send(pid, 5)
        return receive(("DOWN", ref, "process", pid, ANY))[4].kind

    assert run(main) == "TypeError"


# ---------------------------------------------------------------- timeouts

def test_a_receive_that_times_out_raises_receive_timeout(run):
    def main():
        with pytest.raises(ReceiveTimeout, match="timed out after 1.5 s"):
            receive(timeout=1.5)
        return "ok"

    assert run(main) == "ok"


def test_receive_timeout_is_a_timeout_error():
    assert issubclass(ReceiveTimeout, TimeoutError)


def test_a_receive_timeout_returns_the_default_instead_of_raising(run):
    def main():
        return receive(timeout=2, default="nothing came")

    assert run(main) == "nothing came"


def test_a_default_of_none_is_returned_as_none(run):
    def main():
        return receive(timeout=1, default=None)

    assert run(main) is None


def test_timeout_zero_on_an_empty_mailbox_returns_at_once(run, clock):
    def main():
        return receive(timeout=0, default="empty"), clock.now()

    assert run(main) == ("empty", 0.0)


def test_timeout_zero_returns_a_message_already_in_the_mailbox(run):
    def main():
        fill("there")
        return receive(timeout=0)

    assert run(main) == "there"


def test_timeout_zero_ignores_messages_that_do_not_match(run):
    def main():
        fill("other")
        return receive("wanted", timeout=0, default=None), mailbox()

    assert run(main) == (None, ["other"])


def test_a_message_arriving_before_the_timeout_is_returned(run):
    def main():
        send_after(1, self(), "in time")
        return receive(timeout=5)

    assert run(main) == "in time"


def test_a_message_arriving_after_the_timeout_stays_in_the_mailbox(run):
    def main():
        send_after(5, self(), "late")
        first = receive(timeout=1, default="timed out")
        return first, receive(timeout=10)

    assert run(main) == ("timed out", "late")


def test_non_matching_messages_do_not_end_a_timed_receive_early(run, clock):
    def main():
        send_after(1, self(), "noise")
        result = receive("wanted", timeout=3, default="timed out")
        return result, clock.now(), mailbox()

    result, now, left = run(main)
    assert result == "timed out"
    assert now >= 3
    assert left == ["noise"]


@pytest.mark.parametrize("bad", [-1, -0.001])
def test_a_negative_timeout_is_a_badarg(run, bad):
    def main():
        with pytest.raises(BadArg, match="cannot be negative"):
            receive(timeout=bad)
        return "ok"

    assert run(main) == "ok"


@pytest.mark.parametrize("bad", ["1", [1], True, float("nan")])
def test_a_non_numeric_timeout_is_a_badarg(run, bad):
    def main():
        with pytest.raises(BadArg, match="timeout"):
            receive(timeout=bad)
        return "ok"

    assert run(main) == "ok"
