"""Deep, cyclic and huge messages: checked and copied without recursion, in turns.

The BEAM sends a list nested 100,000 deep like any other term. beamlab checks
and copies a message with an explicit stack, so depth costs no Python
recursion; a part that cannot be copied is a short BadArg naming it; and a
huge copy lets the other processes run while the sender copies.
"""
from __future__ import annotations

import dataclasses
import enum
import gc
import sys
import threading
import time

import pytest

import beamlab
from beamlab.runtime import (ANY, BadArg, MockClock, Runtime, current_runtime, flush,
                             process_info, receive, self, send, spawn, telemetry)
from beamlab.runtime.messages import preview

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")


def nested_list(depth, leaf=0):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def cons_chain(n):
    value = None
    for i in range(n, 0, -1):
        value = (i, value)
    return value


def same_shape(a, b) -> bool:
    """a == b for nested lists, tuples and dicts of any depth (== itself recurses)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if type(x) in (list, tuple):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(x) is dict:
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif x != y:
            return False
    return True


def depth_of(value) -> int:
    n = 0
    while type(value) is list:
        value, n = value[0], n + 1
    return n


def frames_left() -> int:
    """How many more frames this code may nest before RecursionError."""
    count = 0

    def dive():
        nonlocal count
        count += 1
        dive()

    try:
        dive()
    except RecursionError:
        return count


def echo_to_self(value):
    send(self(), value)
    return receive()


# ------------------------------------------------------------------ deep values
@pytest.mark.parametrize("depth", [600, 1_000, 10_000, 100_000])
def test_a_deeply_nested_list_arrives_equal_and_is_a_copy(run, depth):
    def main():
        sent = nested_list(depth, leaf="bottom")
        received = echo_to_self(sent)
        return sent, received

    sent, received = run(main)
    assert received is not sent
    assert depth_of(received) == depth
    assert same_shape(received, sent)


def test_a_1000_element_cons_chain_of_tuples_is_immutable_and_passes_as_the_same_object(run):
    def main():
        sent = cons_chain(1_000)
        return sent, echo_to_self(sent)

    sent, received = run(main)
    assert received is sent


def test_a_cons_chain_holding_a_list_at_the_bottom_is_copied_whole(run):
    def main():
        bottom = [1]
        sent = (0, cons_chain(1_000)[1], bottom)
        received = echo_to_self(sent)
        bottom.append(2)
        return received

    received = run(main)
    assert received[2] == [1]
    assert same_shape(received[1], cons_chain(1_000)[1])


def test_sending_a_deep_list_needs_no_python_recursion(run):
    # With the recursion limit barely above the current depth, any recursive
    # check or copy fails; the iterative one does not notice the depth.
    def main():
        value = nested_list(10_000)
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(old - frames_left() + 40)
        try:
            send(self(), value)
        finally:
            sys.setrecursionlimit(old)
        return depth_of(receive())

    assert beamlab.run(main, clock=MockClock(autojump=True), preemption="cooperative") == 10_000


def test_a_cyclic_list_arrives_with_the_same_cycle(run):
    def main():
        sent = [1]
        sent.append(sent)
        return sent, echo_to_self(sent)

    sent, received = run(main)
    assert received is not sent
    assert received[0] == 1 and received[1] is received


def test_a_cycle_through_a_tuple_and_a_dict_is_kept(run):
    def main():
        d = {"name": "node"}
        d["self"] = (d, 1)
        return d, echo_to_self(d)

    sent, received = run(main)
    assert received is not sent
    assert received["self"][0] is received


def test_a_part_reached_twice_is_copied_once(run):
    def main():
        shared = [1, 2]
        sent = {"a": shared, "b": [shared, shared]}
        return echo_to_self(sent)

    received = run(main)
    assert received["a"] is received["b"][0] is received["b"][1]


def test_a_tuple_dag_with_exponentially_many_paths_is_checked_in_linear_time(run):
    def main():
        t = ("leaf",)
        for _ in range(200):
            t = (t, t)            # 2**200 paths, 201 distinct tuples
        return t, echo_to_self(t), echo_to_self([t])

    sent, received, in_list = run(main)
    assert received is sent
    assert in_list[0] is sent


# ------------------------------------------------------------------ what is shared, what is copied
@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclasses.dataclass(frozen=True)
class Tagged:
    tag: str
    items: list


class Color(enum.Enum):
    RED = 1


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b


class Counter:
    def __init__(self):
        self.n = [0]
        self.copies = 0

    def __deepcopy__(self, memo):
        c = Counter()
        c.n = list(self.n)
        c.copies = self.copies + 1
        return c


class WithState:
    def __init__(self, items):
        self.items = items

    def __getstate__(self):
        return {"items": self.items, "restored": False}

    def __setstate__(self, state):
        self.__dict__.update(state, restored=True)


def test_immutable_parts_of_a_copied_message_are_shared_and_mutable_ones_copied(run):
    big = b"x" * 100_000_000

    def main():
        p, frozen_with_list = Point(1, 2), Tagged("t", [1])
        sent = [big, p, Color.RED, ("a", 1), frozen_with_list, {1, 2}, frozenset({3})]
        return sent, echo_to_self(sent)

    sent, received = run(main)
    assert received == sent
    assert received[0] is big                 # 100 MB of bytes: shared, never copied
    assert received[1] is sent[1]             # a frozen dataclass of immutables
    assert received[2] is Color.RED
    assert received[3] is sent[3]
    assert received[4] is not sent[4] and received[4].items is not sent[4].items
    assert received[5] is not sent[5]


def test_objects_copy_as_deepcopy_copies_them(run):
    import collections
    import copy

    def main():
        shared = [1]
        d = collections.defaultdict(list, {"k": shared})
        od = collections.OrderedDict(a=shared)
        counter = Counter()
        sent = [Slotted(shared, 2), d, od, counter, WithState(shared), counter.__deepcopy__, bytearray(b"ab")]
        return sent, echo_to_self(sent)

    sent, received = run(main)
    expected = copy.deepcopy(sent)
    slotted, d, od, counter, with_state, method, ba = received
    assert (slotted.a, slotted.b) == (expected[0].a, expected[0].b)
    assert slotted.a is d["k"] is od["a"] is with_state.items     # one copy of the shared list
    assert slotted.a is not sent[0].a
    assert type(d) is type(expected[1]) and d == expected[1] and d.default_factory is list
    assert type(od) is type(expected[2]) and od == expected[2]
    assert counter.copies == expected[3].copies == 1
    assert with_state.restored is True
    assert method.__self__ is not sent[3] and method.__func__ is sent[5].__func__
    assert ba == bytearray(b"ab") and ba is not sent[6]


# ------------------------------------------------------------------ errors
def test_a_lock_5000_deep_is_a_short_badarg_naming_it_and_where_it_sits(run):
    def main():
        with pytest.raises(BadArg) as e:
            send(self(), ("locks", nested_list(5_000, threading.Lock())))
        return e.value

    error = run(main)
    text = str(error)
    assert text.startswith("cannot send a lock (in a list in a list in a list in …")
    assert "in a list in a list in a tuple; 5,001 levels deep)" in text
    assert len(text) < 600
    assert error.__cause__ is None and error.__context__ is None


def test_the_badarg_for_an_uncopyable_attribute_names_the_object_holding_it(run):
    @dataclasses.dataclass
    class Job:
        lock: object

    def main():
        with pytest.raises(BadArg, match=r"cannot send a lock \(in a Job in a list\)"):
            send(self(), [Job(threading.Lock())])
        return "ok"

    assert run(main) == "ok"


# ------------------------------------------------------------------ receiving, inspecting, printing
def test_selective_receive_skips_and_takes_10000_deep_messages(run):
    def main():
        send(self(), nested_list(10_000))
        send(self(), ("tag", nested_list(10_000)))
        send(self(), "last")
        last = receive("last")
        tagged = receive(("tag", ANY))
        plain = receive(list)
        return last, depth_of(tagged[1]), depth_of(plain)

    assert run(main) == ("last", 10_000, 10_000)


def test_process_info_of_a_process_holding_a_10000_deep_message(run):
    def main():
        pid = spawn(receive, "never sent")
        send(pid, nested_list(10_000))
        info = process_info(pid)
        return info["message_queue_len"], depth_of(info["messages"][0]), info["memory"] > 0

    assert run(main) == (1, 10_000, True)


@pytest.mark.parametrize("value, starts", [
    (nested_list(100_000), "[[[["),
    (cons_chain(100_000), "(1, (2, (3,"),
    (list(range(1_000_000)), "[0, 1, 2,"),
    ({i: [i] for i in range(100_000)}, "{0: [0], 1: [1],"),
    ([b"y" * 100_000_000], "[b'yyyy"),
])
def test_preview_of_a_huge_or_deep_term_is_short(value, starts):
    text = preview(value)
    assert text.startswith(starts) and len(text) <= 4001


def test_preview_of_a_small_term_is_its_repr():
    value = {"a": [1, 2], "b": (3, "x"), "c": nested_list(30)}
    assert preview(value) == repr(value)


def test_flush_prints_a_bounded_preview_of_a_10000_deep_message(run, capsys):
    def main():
        send(self(), nested_list(10_000))
        send(self(), list(range(100_000)))
        send(self(), "after")
        flush()
        return receive(timeout=0, default="mailbox empty")

    assert run(main) == "mailbox empty"
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Shell got [[[[") and len(lines[0]) < 200
    assert lines[1].startswith("Shell got [0, 1, 2,") and "..." in lines[1] and len(lines[1]) < 1000
    assert lines[2] == "Shell got 'after'"


# ------------------------------------------------------------------ huge copies take turns
class Nudge:
    """An element whose copy asks for a switch, as the preemption tick does."""

    def __init__(self, log):
        self.log = log

    def __deepcopy__(self, memo):
        self.log.append("nudged")
        current_runtime()._service_due = True
        return Nudge(self.log)


class Tally:
    copied = 0

    def __deepcopy__(self, memo):
        Tally.copied += 1
        return Tally()


def run_huge_copy(nudge: bool):
    """The sender copies 100,000 elements; the tick never fires on its own
    (tick=1 hour), so a switch happens only where the copy's Nudge asks."""
    n = 100_000

    def main():
        Tally.copied = 0
        log = []
        seen = []

        def watcher(parent):
            seen.append(Tally.copied)
            send(parent, "watched")

        spawn(watcher, self())    # runnable, waiting for its turn
        items = [Tally() for _ in range(n)]
        if nudge:
            items[50_000] = Nudge(log)
        send(self(), items)
        received = receive(list)
        receive("watched")
        return seen, len(received), log

    rt = Runtime(clock=MockClock(autojump=True), preemption="signal", tick=3600.0)
    gc.disable()        # a slow collection asks for a switch too (to report itself)
    try:
        return rt.run(main), n
    finally:
        gc.enable()
        gc.collect()        # what died meanwhile, before a later runtime freezes it


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs SIGALRM")
def test_a_huge_copy_lets_another_process_run_when_the_tick_asks():
    (seen, length, log), n = run_huge_copy(nudge=True)
    assert log == ["nudged"]
    assert length == n
    assert len(seen) == 1 and 50_000 <= seen[0] < n - 1    # it ran in the middle of the copy


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs SIGALRM")
def test_a_huge_copy_runs_through_when_no_one_asks_for_a_switch():
    (seen, length, _), n = run_huge_copy(nudge=False)
    assert seen == [n]           # the watcher ran only after the whole copy


def test_a_long_copy_without_preemption_emits_long_schedule_naming_the_sender():
    events = []

    def main():
        rt = current_runtime()
        rt.long_schedule = 0.0        # every copy long enough to reach a checkpoint is "long"
        telemetry.attach("collect", LONG_SCHEDULE, lambda e, m, md, c: events.append((m, md)))
        send(self(), [[i] for i in range(50_000)]); line = sys._getframe().f_lineno
        receive()
        return self(), line

    me, line = beamlab.run(main, clock=MockClock(autojump=True), preemption="cooperative")
    copies = [(m, md) for m, md in events if md.get("activity") == "copying a message"]
    assert copies, f"no long_schedule event for the copy (got {events})"
    measurements, metadata = copies[0]
    assert metadata["pid"] == me
    assert metadata["location"] == (__file__, line, "main")
    assert measurements["ms"] >= 0


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs SIGALRM")
def test_a_spinning_deepcopy_is_preempted_like_any_user_code():
    flag = []

    class Spinner:
        def __deepcopy__(self, memo):
            deadline = time.monotonic() + 10
            while not flag and time.monotonic() < deadline:
                pass
            return Spinner()

    def main():
        spawn(lambda: flag.append("the other process ran"))
        send(self(), [Spinner()])
        receive()
        return flag

    assert beamlab.run(main, preemption="signal") == ["the other process ran"]

