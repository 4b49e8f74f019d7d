"""Process groups (runtime/nodes/pg.py), as Erlang's pg in its default scope.

What real OTP 25 showed (`erl -sname a` and its peer b, pg started on both;
tests/oracle has the scenario):

    pg:join(grp, [PA, PA]) on a, pg:join(grp, PB) on b
    pg:get_members(grp)        % [<8757.95.0>,<0.93.0>,<0.93.0>]   local: [<0.93.0>,<0.93.0>]
    erlang:disconnect_node(b)  % a: [<0.93.0>,<0.93.0>]   b: [<8757.95.0>]
    net_adm:ping(b)            % both see all three again
    pg:leave(grp, PA)          % ok, one join of PA left; pg:leave(nogrp, PA): not_joined
    a member that exits        % leaves; its group, now empty, is gone from which_groups()

Every test runs on the MockClock.
"""
from __future__ import annotations

import collections

import pytest

from beamlab.runtime import ANY, BadArg, exit, receive, self, send, sleep, spawn
from beamlab.runtime.nodes import (disconnect, heal, partition, pg_get_local_members,
                                   pg_get_members, pg_join, pg_leave, pg_which_groups,
                                   start_node, stop_node)


def _idle():
    while True:
        receive()


def _agent():
    while True:
        _, fn, to = receive(("do", ANY, ANY))
        send(to, ("done", fn()))


def on(agent, fn):
    send(agent, ("do", fn, self()))
    return receive(("done", ANY))[1]


def count(pids):
    return collections.Counter(pids)


def test_join_twice_leave_once_and_not_joined(run):
    def main():
        me = self()
        out = [pg_join("g", [me, me]), count(pg_get_members("g")) == {me: 2}]
        out += [pg_leave("g", me), pg_get_members("g") == [me], pg_leave("g", me),
                pg_get_members("g"), pg_leave("g", me), pg_leave("nogroup", me),
                pg_which_groups()]
        return out
    assert run(main) == ["ok", True, "ok", True, "ok", [], "not_joined", "not_joined", []]


def test_a_member_that_exits_leaves_and_an_empty_group_is_gone(run):
    def main():
        p = spawn(lambda: (pg_join("g2", self()), pg_join("g3", self()), receive()))
        pg_join("g3", self())
        sleep(0.01)
        before = pg_which_groups(), pg_get_members("g2") == [p]
        exit(p, "kill")
        sleep(0.01)
        return before, pg_get_members("g2"), pg_which_groups(), pg_get_members("g3") == [self()]
    assert run(main) == ((["g2", "g3"], True), [], ["g3"], True)


def test_members_of_every_connected_node_and_local_members(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        pb = on(b, lambda: spawn(_idle))
        on(b, lambda: pg_join("grp", pb))
        me = self()
        pg_join("grp", [me, me])
        return (count(pg_get_members("grp")) == {me: 2, pb: 1},
                pg_get_local_members("grp") == [me, me],
                on(b, lambda: pg_get_local_members("grp")) == [pb],
                count(on(b, lambda: pg_get_members("grp"))) == {me: 2, pb: 1})
    assert run(main) == (True, True, True, True)


def test_across_a_split_each_side_sees_its_own_members_and_after_heal_all_again(run):
    def main():
        start_node("b")
        pb = spawn("b@lab", lambda: (pg_join("grp", self()), _idle()))
        sleep(0.01)
        me = self()
        pg_join("grp", me)
        whole = count(pg_get_members("grp")) == {me: 1, pb: 1}
        partition([["main"], ["b"]])
        split = pg_get_members("grp") == [me], pg_which_groups()
        heal()
        healed_before_contact = pg_get_members("grp") == [me]   # not reconnected yet
        send(pb, "reconnect")
        return whole, split, healed_before_contact, count(pg_get_members("grp")) == {me: 1, pb: 1}
    assert run(main) == (True, (True, ["grp"]), True, True)


def test_a_group_with_members_only_across_a_cut_is_not_in_which_groups(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        on(b, lambda: pg_join("onb", on_b_idle()))
        seen = pg_which_groups()
        disconnect("b@lab")
        return seen, pg_which_groups(), pg_get_members("onb")
    assert run(main) == (["onb"], [], [])


def on_b_idle():
    return spawn(_idle)


def test_a_stopped_nodes_members_are_gone(run):
    def main():
        start_node("b")
        spawn("b@lab", lambda: (pg_join("grp", self()), _idle()))
        sleep(0.01)
        n = len(pg_get_members("grp"))
        stop_node("b@lab")
        start_node("b")
        spawn("b@lab", lambda: None)
        return n, pg_get_members("grp"), pg_which_groups()
    assert run(main) == (1, [], [])


def test_only_the_callers_nodes_processes_join_or_leave(run):
    def main():
        start_node("b")
        pb = spawn("b@lab", _idle)
        with pytest.raises(BadArg, match="lives on b@lab; only a process of the caller's own"):
            pg_join("grp", pb)
        with pytest.raises(BadArg, match="nolocal"):
            pg_leave("grp", [self(), pb])
        with pytest.raises(BadArg, match="give a pid or a list of pids"):
            pg_join("grp", "me")
        return pg_which_groups()
    assert run(main) == []
