"""Cluster-wide names (runtime/nodes/global_names.py), as Erlang's :global.

What real OTP 25 showed (two nodes on one machine, `erl -sname a` and its peer
`b`, tests/oracle/distributed/ has the scenarios):

    global:register_name(x, P), global:register_name(y, P)   % yes, no
    global:register_name(z, DeadPid), global:whereis_name(z)  % yes, undefined
    global:unregister_name(nobody)                            % ok
    global:send(nobody, hi)                                   % exit {badarg,{nobody,hi}}
    erlang:disconnect_node(b), global:whereis_name(onb)       % undefined on a; b still has it
    x registered on both sides of the split, net_adm:ping(b), global:sync():
      global: Name conflict terminating {x,<8743.90.0>}       % a@vm kept its own, b's killed
      {'DOWN',_,process,<8743.90.0>,killed}
    (with the nodes z and b it is z's process that is killed: the node name sorting first keeps it)

Every test runs on the MockClock.
"""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, is_process_alive, monitor, receive, self, send, sleep, spawn, exit,
                             current_runtime, telemetry)
from beamlab.runtime.nodes import (disconnect, global_register_name, global_registered_names,
                                   global_send, global_unregister_name, global_whereis_name,
                                   heal, partition, start_node, stop_node)


def _idle():
    receive()


def _agent():
    """A process that runs what it is sent on its node: ("do", fn, reply_to)."""
    while True:
        _, fn, to = receive(("do", ANY, ANY))
        send(to, ("done", fn()))


def on(agent, fn):
    """Run fn() on the agent's node; its result."""
    send(agent, ("do", fn, self()))
    return receive(("done", ANY))[1]


def test_register_whereis_send_unregister_on_one_node(run):
    def main():
        p = spawn(lambda: send(receive(("to", ANY))[1], "got it"))
        out = [global_register_name("x", p), global_register_name("x", self()),
               global_register_name("y", p), global_whereis_name("x"),
               global_registered_names()]
        out.append(global_send("x", ("to", self())) == p)
        out.append(receive("got it", timeout=1))
        sleep(0.01)
        out.append(global_whereis_name("x"))    # p has ended: the name is gone
        out.append(global_unregister_name("nobody"))
        return out, p
    out, p = run(main)
    assert out == ["yes", "no", "no", p, ["x"], True, "got it", None, "ok"]


def test_a_dead_process_registers_yes_but_is_never_found(run):
    def main():
        p = spawn(lambda: None)
        sleep(0.01)
        return global_register_name("z", p), global_whereis_name("z"), global_registered_names()
    assert run(main) == ("yes", None, [])


def test_global_send_to_an_unknown_name_is_badarg_saying_what_to_do(run):
    def main():
        with pytest.raises(BadArg, match="no process is registered globally as 'nobody'"):
            global_send("nobody", "hi")
        return True
    assert run(main)


def test_a_name_registered_on_one_node_is_seen_and_reachable_from_another(run):
    def main():
        start_node("b")
        global_register_name("leader", self())
        b = spawn("b@lab", _agent)
        seen = on(b, lambda: (global_whereis_name("leader"), global_registered_names()))
        on(b, lambda: global_send("leader", "from b"))
        return seen, receive("from b", timeout=1), self()
    (where, names), msg, me = run(main)
    assert (where, names, msg) == (me, ["leader"], "from b")


def test_after_a_cut_each_side_forgets_the_other_sides_names_and_may_take_them(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        pb = on(b, lambda: spawn(_idle))
        assert on(b, lambda: global_register_name("onb", pb)) == "yes"
        before = global_whereis_name("onb")
        disconnect("b@lab")
        after = global_whereis_name("onb"), global_registered_names()
        mine = global_register_name("onb", self())
        return before == pb, after, mine
    assert run(main) == (True, (None, []), "yes")


def _register_later(name, seconds=1.0):
    """On its node: wait (the split happens meanwhile), then take `name` there; idle."""
    sleep(seconds)
    global_register_name(name, self())
    while True:
        receive()


def test_on_heal_a_name_taken_on_both_sides_is_kept_by_the_first_node_name_the_other_killed(
        run, capsys):
    """OTP 25: `global: Name conflict terminating {x,<8743.90.0>}` and the DOWN says killed
    (a@vm kept its own; with z@vm and b@vm, z's died). b@lab sorts before main@lab: b keeps it."""
    def main():
        start_node("b")
        pb = spawn("b@lab", _register_later, "x")
        partition([["main"], ["b"]])
        pa = spawn(_idle)
        assert global_register_name("x", pa) == "yes"
        sleep(2)                                # b's process has taken "x" on its side
        split = global_whereis_name("x") == pa
        ma = monitor(pa)
        heal()
        now = global_whereis_name("x") == pa    # not connected yet: nothing merged
        send(pb, "reconnect")                   # the first send after the heal reconnects
        down = receive(("DOWN", ANY, "process", ANY, ANY), timeout=1)
        return (split, now, down == ("DOWN", ma, "process", pa, "killed"),
                global_whereis_name("x") == pb, global_registered_names(),
                is_process_alive(pb))
    assert run(main) == (True, True, True, True, ["x"], True)
    assert "=INFO REPORT==== global: Name conflict terminating ('x', <0.3.0>)" in \
        capsys.readouterr().err


def test_three_nodes_split_apart_the_conflict_is_resolved_when_the_holders_views_meet(run):
    """Three nodes each split off, b@lab and c@lab each with an "x": when they meet (through
    main, which connects to both), c's process is the one killed."""
    def main():
        start_node("b"), start_node("c")
        pb = spawn("b@lab", _register_later, "x")
        pc = spawn("c@lab", _register_later, "x")
        partition([["main"], ["b"], ["c"]])
        sleep(2)
        heal()
        send(pb, "hi")                       # main and b connect: b's x comes to main
        mc = monitor(pc)                     # main and c connect: c's x conflicts
        down = receive(("DOWN", ANY, ANY, ANY, ANY), timeout=1)
        return (down == ("DOWN", mc, "process", pc, "killed"), global_whereis_name("x") == pb,
                is_process_alive(pb))
    assert run(main) == (True, True, True)


def test_a_conflict_sends_a_telemetry_event_for_observers(run):
    seen = []

    def main():
        telemetry.attach("t", ("beamlab", "global", "conflict"),
                         lambda ev, m, meta, cfg: seen.append(meta), None)
        start_node("b")
        pb = spawn("b@lab", _register_later, "x")
        partition([["main"], ["b"]])
        pa = spawn(_idle)
        global_register_name("x", pa)
        sleep(2)
        heal()
        send(pb, "hi")
        sleep(0.1)
        return pa, pb
    pa, pb = run(main)
    assert seen == [{"name": "x", "kept": pb, "killed": pa, "node": "main@lab"}]


def test_a_registered_process_that_dies_loses_its_name_on_every_node(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        p = spawn(_idle)
        global_register_name("p", p)
        before = on(b, lambda: global_whereis_name("p"))
        exit(p, "kill")
        sleep(0.01)
        return before == p, on(b, lambda: global_registered_names()), global_registered_names()
    assert run(main) == (True, [], [])


def test_a_stopped_nodes_names_are_gone_and_it_restarts_with_none(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        on(b, lambda: global_register_name("onb", self()))
        global_register_name("home", self())
        stop_node("b@lab")
        gone = global_registered_names()
        start_node("b")
        b = spawn("b@lab", _agent)
        return gone, on(b, lambda: global_registered_names())
    # the restarted node connects to main and learns main's names
    assert run(main) == (["home"], ["home"])


def test_unregister_removes_the_name_on_every_connected_node(run):
    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        global_register_name("x", self())
        on(b, lambda: global_unregister_name("x"))
        return global_whereis_name("x")
    assert run(main) is None


def test_bad_names_and_pids_are_badarg(run):
    def main():
        with pytest.raises(BadArg, match="second argument must be a pid"):
            global_register_name("x", "not a pid")
        with pytest.raises(BadArg, match="hashable"):
            global_register_name(["x"], self())
        return True
    assert run(main)


def test_the_cluster_snapshot_shows_each_nodes_view_of_the_names_and_the_groups(run):
    from beamlab.runtime.nodes import pg_join

    def main():
        start_node("b")
        b = spawn("b@lab", _agent)
        pb = on(b, lambda: spawn(_idle))
        on(b, lambda: (global_register_name("onb", pb), pg_join("grp", pb)))
        global_register_name("home", self())
        pg_join("grp", self())
        whole = current_runtime()._dist.snapshot()
        disconnect("b@lab")
        split = current_runtime()._dist.snapshot()
        return self(), pb, whole, split
    me, pb, whole, split = run(main)
    views = lambda snap: {n["name"]: n["global_names"] for n in snap["nodes"]}
    assert views(whole) == {"main@lab": {"home": me, "onb": pb},
                            "b@lab": {"home": me, "onb": pb}}
    assert views(split) == {"main@lab": {"home": me}, "b@lab": {"onb": pb}}
    assert whole["groups"] == split["groups"] == {"grp": [pb, me]}
