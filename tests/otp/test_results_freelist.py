"""Reply and NoReply values, built and dropped many times, as a server does on every call
and cast.

Compiled (runtime/_accel.py), ``Reply(value, state)`` and ``NoReply(state)`` take a
dropped value's memory from a freelist (otp/_results.pxd) instead of allocating; these
checks pin that such a value is indistinguishable from a fresh one, that nothing the
learner holds is ever handed out again, and that nothing leaks. They hold in both builds;
the last one checks, compiled, that the freelist is in use.
"""
from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref

import pytest

import beamlab.runtime as rt
from beamlab.runtime.otp import NoReply, Reply
from beamlab.runtime.otp._results import _UNSET

COMPILED = rt.accelerated().get("otp._results") == "compiled"


def _churn():
    """Build and drop values with every field set, as the keyword forms and a learner
    returning `Reply(v, s, timeout=5)` do: whatever gets reused held these."""
    for i in range(200):
        Reply(("old", i), ["old state"], timeout=5, continue_="go", hibernate=True)
        NoReply(["old state"], timeout=7, continue_=("more", i), hibernate=True)
        Reply(i, i)
        NoReply(i)


def test_a_value_built_after_many_others_is_a_fresh_one():
    _churn()
    state = {"count": 1}
    noreply = NoReply(state)
    assert noreply.state is state
    assert (noreply.timeout, noreply.continue_, noreply.hibernate) == (None, _UNSET, False)
    assert noreply == NoReply(state, None, _UNSET, False) == NoReply(state=state)
    assert repr(noreply) == \
        "NoReply(state={'count': 1}, timeout=None, continue_=<unset>, hibernate=False)"
    _churn()
    reply = Reply("v", 2)
    assert (reply.value, reply.state, reply.timeout, reply.continue_, reply.hibernate) == \
        ("v", 2, None, _UNSET, False)
    assert reply == Reply("v", 2, None, _UNSET, False) == Reply(value="v", state=2)
    assert repr(reply) == "Reply(value='v', state=2, timeout=None, continue_=<unset>, hibernate=False)"
    assert reply != Reply("v", 3) and noreply != NoReply({"count": 2})


def test_keyword_forms_built_between_reused_values_keep_their_fields():
    _churn()
    for i in range(50):
        NoReply(i)                                  # dropped: memory to reuse
        late = NoReply(state=i, timeout=i, continue_="c", hibernate=True)
        assert (late.state, late.timeout, late.continue_, late.hibernate) == (i, i, "c", True)
        quick = NoReply(i)
        assert (quick.state, quick.timeout, quick.continue_, quick.hibernate) == \
            (i, None, _UNSET, False)
        answer = Reply(i, state=i + 1, hibernate=True)
        assert (answer.value, answer.state, answer.hibernate, answer.timeout) == \
            (i, i + 1, True, None)


class LaterReply(Reply):
    pass


class LaterNoReply(NoReply):
    __slots__ = ()          # the base's size exactly, but a subclass: never reused as one


def test_subclass_values_stay_their_own_type_and_are_never_handed_out_as_the_base():
    for i in range(100):
        answer, later = LaterReply(i, i + 1), LaterNoReply(i)
        answer.note = "mine"                        # a subclass has what the base has not
        assert type(answer) is LaterReply and type(later) is LaterNoReply
        assert (answer.value, answer.state, answer.timeout, answer.note) == (i, i + 1, None, "mine")
        assert (later.state, later.continue_) == (i, _UNSET)
        del answer, later
        reply, noreply = Reply(i, i), NoReply(i)
        assert type(reply) is Reply and type(noreply) is NoReply
        assert not hasattr(reply, "note") and not hasattr(noreply, "note")


def test_a_subclass_finalizer_runs_once_per_value():
    finalized = []

    class Tracked(NoReply):
        def __del__(self):
            finalized.append(self.state)

    for i in range(40):
        Tracked(i)
        NoReply(i)
    gc.collect()
    assert finalized == list(range(40))


def test_values_the_learner_holds_are_never_reused():
    kept = []
    for i in range(100):
        kept.append(NoReply(("kept", i)))
        kept.append(Reply(("kept", i), i))
        for j in range(3):                          # dropped ones around the kept ones
            NoReply(j)
            Reply(j, j)
    assert len({id(value) for value in kept}) == len(kept)
    assert [v.state for v in kept[0::2]] == [("kept", i) for i in range(100)]
    assert [(v.value, v.state) for v in kept[1::2]] == [(("kept", i), i) for i in range(100)]
    assert all(v.timeout is None and v.continue_ is _UNSET and v.hibernate is False for v in kept)


def test_a_value_freed_while_its_fields_are_freed_is_kept_safely():
    # freeing a value frees its fields, which may free (or build) values themselves:
    # a chain far longer than any freelist, and fields whose finalizer builds values
    class BuildsOnFree:
        def __del__(self):
            self.built = [NoReply(i) for i in range(50)] + [Reply(i, i) for i in range(50)]

    chain = NoReply(0)
    for i in range(1, 300):
        chain = NoReply(chain) if i % 2 else Reply(i, chain)
    del chain
    for _ in range(20):
        NoReply(BuildsOnFree())
        Reply(BuildsOnFree(), BuildsOnFree())
    values = [NoReply(i) for i in range(100)] + [Reply(i, -i) for i in range(100)]
    assert [v.state for v in values] == list(range(100)) + [-i for i in range(100)]
    assert len({id(v) for v in values}) == 200


class Box:
    pass


def test_a_cycle_through_a_reply_is_collected():
    box = Box()
    box.reply = Reply(box, NoReply(box))
    gone = weakref.ref(box)
    del box
    gc.collect()
    assert gone() is None
    assert Reply(1, 2) == Reply(1, 2) and NoReply(3).state == 3


def _values_tracked():
    return sum(type(o) in (Reply, NoReply) for o in gc.get_objects())


def test_building_and_dropping_values_leaks_nothing():
    value, state = object(), object()
    for _ in range(1000):                           # warm: the freelists are full
        Reply(value, state)
        NoReply(state)
    gc.collect()
    refs = sys.getrefcount(value), sys.getrefcount(state)
    tracked = _values_tracked()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(100_000):
            Reply(value, state)
            NoReply(state)
            Reply(value, NoReply(state))
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    gc.collect()
    assert (sys.getrefcount(value), sys.getrefcount(state)) == refs
    assert _values_tracked() == tracked
    assert grown < 1000                              # (a leak would be 6.4 MB and more)


@pytest.mark.skipif(not COMPILED, reason="the freelist is the compiled build's (_results.pxd)")
def test_compiled_a_dropped_value_s_memory_builds_the_next_one():
    state = object()
    for _ in range(20):
        Reply(state, state)
        NoReply(state)
    tracemalloc.start()
    try:
        noreply = NoReply(state)                        # the line tracemalloc looks at
        line = sys._getframe().f_lineno - 1
        reply = Reply(state, state)
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    here = snapshot.filter_traces([tracemalloc.Filter(True, __file__, line),
                                   tracemalloc.Filter(True, __file__, line + 2)])
    assert here.statistics("lineno") == []          # no new block for either value
    assert (noreply.state, reply.value, reply.state) == (state, state, state)
