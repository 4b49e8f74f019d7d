"""Queued messages and the cyclic collector (runtime/_core.py `_deliver`, _core.pxd).

Compiled, a message tuple that can hold no cycle (its items are numbers, strings, bytes,
or such tuples one level down) leaves the collector's lists as it is queued, as CPython
does to such a tuple at its first collection: a flood of casts between two ticks no
longer makes every generation-0 collection walk each queued message. A message that can
hold a cycle (a list, a dict, an object, a pid) stays tracked, so a cycle made through
it is still collected, in both builds."""
from __future__ import annotations

import gc
import weakref

import pytest

import beamlab.runtime as bl
from beamlab.runtime import receive, self, send

COMPILED = bl.accelerated().get("_core") == "compiled"


def _queued(make):
    """Send the messages `make()` builds (at run time: constants, and tuples a collection
    has seen, are untracked already) to ourselves, then report which of the queued ones are tracked
    (with the collector off: a collection meanwhile would untrack some itself)."""
    me = self()
    was = gc.isenabled()
    gc.disable()
    try:
        messages = make()
        for m in messages:
            send(me, m)
        return [gc.is_tracked(receive()) for _ in messages]
    finally:
        if was:
            gc.enable()


@pytest.mark.skipif(not COMPILED, reason="compiled build only: pure, messages stay tracked")
def test_queued_messages_that_hold_no_cycle_leave_the_collector(run):
    def made(n=7):
        return [("$gen_cast", "bump" + str(n)), ("add", n, 2.5, b"x", None),
                ("$gen_cast", ("add", n)), ("nested", ("a", (n,)))]
    assert run(lambda: _queued(made)) == [False, False, False, True]


def test_queued_messages_that_may_hold_a_cycle_stay_tracked(run):
    def made(n=7):
        return [("x", [n]), ("x", {"k": n}), ("x", ("y", [n])), ("from", self())]
    assert run(lambda: _queued(made)) == [True, True, True, True]


class Node:
    pass


def test_a_cycle_through_a_queued_message_is_collected(run):
    def main():
        me = self()
        send(me, ("box", [1]))
        msg = receive()
        node = Node()
        msg[1].append(node)
        node.msg = msg          # a cycle: node -> msg -> list -> node
        return weakref.ref(node)
    ref = run(main)
    gc.collect()
    assert ref() is None
