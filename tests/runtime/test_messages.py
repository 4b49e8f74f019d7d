"""Messages are values: immutable ones pass as they are, mutable ones are copied at send."""
from __future__ import annotations

import dataclasses
import threading

import pytest

from beamlab.runtime import ANY, BadArg, receive, self, send, spawn, spawn_monitor


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Box:
    items: list


def holder(parent):
    """Receives one message, waits, then reports what it holds."""
    msg = receive()
    receive("report")
    send(parent, ("held", msg))


def send_mutate_and_read_back(value, mutate):
    pid = spawn(holder, self())
    send(pid, value)
    mutate(value)
    send(pid, "report")
    return receive(("held", ANY))[1]


def test_mutating_a_list_after_send_does_not_change_what_the_receiver_sees(run):
    def main():
        data = [1, 2, 3]
        return send_mutate_and_read_back(data, lambda d: d.append(4))

    assert run(main) == [1, 2, 3]


def test_mutating_a_nested_dict_after_send_does_not_change_what_the_receiver_sees(run):
    def main():
        data = {"user": {"name": "joe", "langs": ["erlang"]}}
        return send_mutate_and_read_back(data, lambda d: d["user"]["langs"].append("python"))

    assert run(main) == {"user": {"name": "joe", "langs": ["erlang"]}}


def test_a_mutable_value_inside_a_tuple_is_copied_too(run):
    def main():
        data = ("tag", [1])
        return send_mutate_and_read_back(data, lambda d: d[1].append(2))

    assert run(main) == ("tag", [1])


def test_a_plain_dataclass_is_copied(run):
    def main():
        box = Box([1])
        return send_mutate_and_read_back(box, lambda b: b.items.append(2))

    assert run(main) == Box([1])


def test_the_receiver_changing_its_copy_does_not_change_the_senders_value(run):
    def mutator():
        msg = receive()
        msg.append("changed by receiver")

    def main():
        data = ["original"]
        pid, ref = spawn_monitor(mutator)
        send(pid, data)
        receive(("DOWN", ref, ANY, ANY, ANY))
        return data

    assert run(main) == ["original"]


def test_an_immutable_tuple_is_passed_as_the_same_object(run):
    def main():
        msg = ("point", 1, 2.5, "text", b"raw", None, True, frozenset({1, 2}), self())
        return msg, send(self(), msg), receive()

    sent, returned, received = run(main)
    assert received is sent
    assert returned is sent


def test_a_frozen_dataclass_passes_as_the_same_object(run):
    def main():
        p = Point(1, 2)
        send(self(), p)
        return p, receive()

    sent, received = run(main)
    assert received is sent


def test_a_frozen_dataclass_holding_a_list_is_copied(run):
    @dataclasses.dataclass(frozen=True)
    class Holder:
        items: list

    def main():
        h = Holder([1])
        send(self(), h)
        h.items.append(2)
        return receive()

    assert run(main).items == [1]


def test_sending_a_lock_is_a_badarg_that_says_why(run):
    def main():
        with pytest.raises(BadArg, match="cannot send a lock: messages are copied") as e:
            send(self(), threading.Lock())
        return str(e.value)

    text = run(main)
    assert "Send plain data" in text


def test_sending_a_generator_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="cannot send a generator"):
            send(self(), (i for i in range(3)))
        return "ok"

    assert run(main) == "ok"


def test_an_uncopyable_value_inside_a_container_is_a_badarg_at_the_send(run):
    def main():
        with pytest.raises(BadArg, match=r"cannot send a lock \(in a dict\)"):
            send(self(), {"lock": threading.Lock()})
        with pytest.raises(BadArg, match=r"cannot send a lock \(in a list in a tuple\)"):
            send(self(), ("locks", [1, threading.Lock()]))
        return receive(timeout=0, default="nothing was delivered")

    assert run(main) == "nothing was delivered"


def test_sending_to_a_dead_pid_is_silently_dropped(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        receive(("DOWN", ref, ANY, ANY, ANY))
        return send(pid, "anyone there?")

    assert run(main) == "anyone there?"


def test_sending_to_something_that_is_neither_a_pid_nor_a_name_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="pid or a registered name"):
            send(42, "hello")
        return "ok"

    assert run(main) == "ok"


def test_a_pid_can_be_sent_and_used_by_the_receiver(run):
    def relay():
        to = receive()
        send(to, "via relay")

    def main():
        send(spawn(relay), self())
        return receive()

    assert run(main) == "via relay"


def test_a_function_can_be_sent_as_a_message(run):
    def runner():
        fn, to = receive()
        send(to, fn(20))

    def double(x):
        return 2 * x

    def main():
        send(spawn(runner), (double, self()))
        return receive()

    assert run(main) == 40


def test_mutating_a_list_after_passing_it_to_spawn_does_not_change_what_the_child_sees(run):
    def child(parent, data):
        receive("go")
        send(parent, ("child has", data))

    def main():
        data = [1]
        pid = spawn(child, self(), data)
        data.append(2)
        send(pid, "go")
        return receive(("child has", ANY))[1]

    assert run(main) == [1]


def test_mutating_a_dict_passed_to_spawn_as_a_keyword_does_not_change_what_the_child_sees(run):
    def child(parent, *, config):
        receive("go")
        send(parent, ("child has", config))

    def main():
        config = {"level": 1}
        pid = spawn(child, self(), config=config)
        config["level"] = 2
        send(pid, "go")
        return receive(("child has", ANY))[1]

    assert run(main) == {"level": 1}
