"""The simulated cluster (runtime/nodes): nodes in one runtime, with Erlang's rules.

The traces quoted are from two real OTP 25 nodes on one machine
(`erl -sname a` and `erl -sname b`, same cookie), node a trapping exits:

    P = spawn_link(B, fun() -> receive _ -> ok end end)  % <8659.88.0>, node(P) = b@vm
    Q = spawn(B, ...), monitor(process, Q), monitor(process, {reg, B}), monitor_node(B, true),
    erlang:disconnect_node(B), nodes()                    % []
    got {'EXIT',<8659.88.0>,noconnection}
    got {'DOWN',#Ref<...>,process,<8659.89.0>,noconnection}
    got {'DOWN',#Ref<...>,process,{reg,b@vm},noconnection}
    got {nodedown,b@vm}
    {reg, B} ! hello_after_reconnect                      % b got hello_after_reconnect
    monitor_node(nosuch@nohost, true)                     % got {nodedown,nosuch@nohost}
    S = spawn_link(nosuch@nohost, F)                      % <0.92.0>, and a warning
    got {'EXIT',<0.92.0>,noconnection}                    %   ** Can not start ... on nosuch@nohost
    monitor(process, S)                                   % got {'DOWN',_,process,<0.92.0>,noproc}
    {reg, nosuch@nohost} ! x                              % no error

Every test runs on the MockClock, so latencies are exact and instant.
"""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, demonitor, exit, is_process_alive, link, monitor, node,
                             process_flag, process_info, receive, register, self, send,
                             send_after, sleep, spawn, spawn_link, spawn_monitor, unlink,
                             whereis)
from beamlab.runtime.nodes import (connect_node, cut, disconnect, heal, monitor_node, nodes,
                                   partition, set_latency, start_node, stop_node)


def _idle():
    receive()


def _forward(to):
    while True:
        send(to, receive())


def _flush_all():
    out = []
    while True:
        m = receive(timeout=0, default=None)
        if m is None:
            return out
        out.append(m)


# -- 1. nodes -------------------------------------------------------------------------
def test_the_home_node_is_nonode_until_a_node_starts_then_main_at_lab(run):
    def main():
        before = node()
        b = start_node("b")
        return before, b, node(), nodes()

    assert run(main) == ("nonode@nohost", "b@lab", "main@lab", ["b@lab"])


def test_a_process_spawned_on_a_node_has_a_pid_naming_that_node_and_its_children_stay_there(run):
    def main():
        start_node("b")
        me = self()

        def on_b():
            child = spawn(_idle)
            send(me, (node(), child, nodes()))
            receive()

        p = spawn("b@lab", on_b)
        where, child, seen = receive()
        return repr(p), node(p), where, node(child), seen, repr(me)

    p, where_p, where, where_child, seen, me = run(main)
    assert p.startswith("<1.") and p.endswith(".0>")      # a non-zero node part, as on the BEAM
    assert me.startswith("<0.")
    assert (where_p, where, where_child, seen) == ("b@lab", "b@lab", "b@lab", ["main@lab"])


def test_each_node_has_its_own_registry_and_a_name_node_pair_reaches_it(run):
    def main():
        start_node("b")
        me = self()

        def on_b():
            register("svc", self())
            send(me, ("b sees", whereis("svc") == self()))
            _forward(me)

        register("svc", self())        # the same name on the home node is another process
        spawn("b", on_b)
        seen = receive(("b sees", ANY))
        send(("svc", "b@lab"), "to b")
        got = receive(timeout=1)
        send(("nobody", "b@lab"), "lost")      # no error, as Erlang's {nobody, B} ! x
        return seen, whereis("svc") == self(), got, receive(timeout=1, default="nothing")

    assert run(main) == (("b sees", True), True, "to b", "nothing")


def test_only_a_pid_of_the_callers_own_node_can_be_registered(run):
    """Erlang: register(x, RemotePid) is badarg."""
    def main():
        start_node("b")
        with pytest.raises(BadArg, match="lives on b@lab"):
            register("x", spawn("b", _idle))
        return whereis("x")

    assert run(main) is None


def test_process_info_of_a_remote_process(run):
    def main():
        start_node("b")
        p = spawn("b", lambda: receive("never"))
        send(p, "one")
        sleep(0.001)
        return process_info(p, "message_queue_len"), process_info(p, "status")

    assert run(main) == (1, "waiting")


def test_a_crash_on_another_node_reaches_a_linked_and_a_monitoring_process_with_its_reason(run):
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        p = spawn_link("b", lambda: (receive(), exit("boom")))
        ref = monitor(p)
        send(p, "go")
        return receive(("EXIT", p, ANY))[2], receive(("DOWN", ref, ANY, ANY, ANY))[4]

    assert run(main) == ("boom", "boom")


# -- 2. failures --------------------------------------------------------------------------
def test_disconnect_fires_a_link_across_it_with_noconnection(run):
    """Erlang: got {'EXIT',<8659.88.0>,noconnection} after erlang:disconnect_node(B)."""
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        p = spawn_link("b", _idle)
        disconnect("b@lab")
        return receive(("EXIT", ANY, ANY)) == ("EXIT", p, "noconnection"), is_process_alive(p)

    # both ends of the link hear of it: the one on b, not trapping exits, dies of it
    assert run(main) == (True, False)


def test_a_linked_process_not_trapping_exits_dies_of_noconnection(run):
    def main():
        start_node("b")
        _, ref = spawn_monitor(lambda: (link(spawn("b", _idle)), receive()))
        sleep(0.001)
        disconnect("main", "b")
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    assert run(main) == "noconnection"


def test_a_monitor_across_a_cut_delivers_down_noconnection_by_pid_and_by_name(run):
    """Erlang: {'DOWN',_,process,<8659.89.0>,noconnection}
    and {'DOWN',_,process,{reg,b@vm},noconnection}."""
    def main():
        start_node("b")
        q = spawn("b", lambda: (register("reg", self()), receive()))
        sleep(0.001)
        r1, r2 = monitor(q), monitor(("reg", "b@lab"))
        disconnect("b")
        return (receive(("DOWN", r1, ANY, ANY, ANY)) == ("DOWN", r1, "process", q, "noconnection"),
                receive(("DOWN", r2, ANY, ANY, ANY))[3:])

    assert run(main) == (True, (("reg", "b@lab"), "noconnection"))


def test_monitor_node_delivers_nodedown_once_per_call(run):
    """Erlang: got {nodedown,b@vm}; after monitor_node(C, true) twice and c halting,
    got {nodedown,c@vm} twice."""
    def main():
        start_node("b")
        monitor_node("b", True)
        monitor_node("b@lab", True)
        disconnect("b")
        msgs = _flush_all()
        disconnect("b")         # no longer connected, nothing more
        return msgs, _flush_all()

    assert run(main) == ([("nodedown", "b@lab")] * 2, [])


def test_monitor_node_false_takes_one_back(run):
    def main():
        start_node("b")
        monitor_node("b", True)
        monitor_node("b", False)
        disconnect("b")
        return _flush_all()

    assert run(main) == []


def test_monitor_node_of_a_node_that_cannot_be_reached_is_nodedown_at_once(run):
    """Erlang: monitor_node(nosuch@nohost, true) -> got {nodedown,nosuch@nohost}."""
    def main():
        start_node("b")
        monitor_node("nosuch@nohost", True)
        partition([["main"], ["b"]])
        monitor_node("b", True)
        return _flush_all()

    assert run(main) == [("nodedown", "nosuch@nohost"), ("nodedown", "b@lab")]


def test_stopping_a_node_kills_its_processes_and_the_others_see_noconnection(run):
    """Erlang (node c halts; a traps exits, linked to P and monitoring Q on c):
    got {'EXIT',<8655.88.0>,noconnection}
    got {'DOWN',#Ref<...>,process,<8655.89.0>,noconnection}
    got {nodedown,c@vm}
    nodes() = []"""
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        p = spawn_link("b", _idle)
        q = spawn("b", _idle)
        ref = monitor(q)
        monitor_node("b", True)
        sleep(0.001)        # both are running, waiting in receive
        stop_node("b")
        return (_flush_all() == [("EXIT", p, "noconnection"),
                                 ("DOWN", ref, "process", q, "noconnection"),
                                 ("nodedown", "b@lab")],
                is_process_alive(p), is_process_alive(q), nodes())

    assert run(main) == (True, False, False, [])


def test_a_stopped_node_can_be_started_afresh_with_an_empty_registry(run):
    def main():
        start_node("b")
        spawn("b", lambda: (register("x", self()), receive()))
        sleep(0.001)
        stop_node("b")
        start_node("b")
        me = self()
        spawn("b", lambda: send(me, whereis("x")))
        return receive(), nodes()

    assert run(main) == (None, ["b@lab"])


def test_a_partition_cuts_across_groups_only(run):
    def main():
        start_node("b")
        start_node("c")
        process_flag("trap_exit", True)
        pb = spawn_link("b", _idle)
        pc = spawn_link("c", _idle)
        partition([["main", "b"], ["c"]])
        exits = _flush_all()
        return exits == [("EXIT", pc, "noconnection")], nodes(), is_process_alive(pb)

    assert run(main) == (True, ["b@lab"], True)


def test_a_send_across_a_partition_is_dropped(run):
    def main():
        start_node("b")
        me = self()
        p = spawn("b", _forward, me)
        partition([["main"], ["b"]])
        send(p, "lost")
        return receive(timeout=5, default="nothing"), nodes()

    assert run(main) == ("nothing", [])


def test_after_heal_nodes_reconnect_on_the_next_send_not_before(run):
    def main():
        start_node("b")
        me = self()
        p = spawn("b", _forward, me)
        partition([["main"], ["b"]])
        heal()
        before = nodes()
        send(p, "back")
        return before, receive(timeout=5, default="nothing"), nodes()

    assert run(main) == ([], "back", ["b@lab"])


def test_after_a_disconnect_the_next_send_reconnects(run):
    """Erlang: after erlang:disconnect_node(B), {reg, B} ! hello_after_reconnect arrives."""
    def main():
        start_node("b")
        me = self()
        p = spawn("b", _forward, me)
        disconnect("b")
        send(p, "hello_after_reconnect")
        return receive(timeout=5, default="nothing"), nodes()

    assert run(main) == ("hello_after_reconnect", ["b@lab"])


def test_cut_takes_one_pair_out_of_three_and_no_send_reconnects_it_until_heal(run):
    """What partition cannot say: b-c cut while main-b and main-c stay up. A cut fires
    what disconnect fires, but, as a partition, no send reconnects the pair."""
    def main():
        start_node("b"), start_node("c")
        me = self()
        pc = spawn("c", lambda: (process_flag("trap_exit", True), _forward(me)))

        def on_b():
            process_flag("trap_exit", True)
            link(pc)
            send(me, "linked")
            while True:
                m = receive()
                if m == "send to c":
                    send(pc, "from b")
                elif m == "nodes?":
                    send(me, ("nodes of b", nodes()))
                else:
                    send(me, ("b got", m))

        pb = spawn("b", on_b)
        receive("linked")

        def nodes_of_b():
            send(pb, "nodes?")
            return receive(("nodes of b", ANY))[1]

        was = cut("b", "c")
        fired = receive(("b got", ANY))[1]
        seen_by_b = nodes_of_b()
        send(pb, "send to c")                   # lost, and the pair stays down
        lost = receive("from b", timeout=1, default="nothing")
        still = nodes_of_b(), nodes()
        again = cut("b", "c")                   # it was down already
        heal("c", "b")
        send(pb, "send to c")                   # auto-connect, as after a disconnect
        return (was, fired == ("EXIT", pc, "noconnection"), seen_by_b, lost, still, again,
                receive("from b", timeout=1, default="nothing"), nodes_of_b())

    assert run(main) == (True, True, ["main@lab"], "nothing",
                         (["main@lab"], ["b@lab", "c@lab"]), False, "from b",
                         ["main@lab", "c@lab"])


def test_cut_of_the_callers_own_connection_kills_it_if_linked_and_not_trapping(run):
    def main():
        start_node("b")
        me = self()

        def victim():
            link(spawn("b", _idle))
            send(me, "ready")
            cut("b")                            # its own node and b
            send(me, "survived")

        _, ref = spawn_monitor(victim)
        receive("ready")
        return receive(("DOWN", ref, ANY, ANY, ANY))[4], receive(timeout=0, default=None)

    assert run(main) == ("noconnection", None)


def test_heal_of_one_pair_leaves_the_other_cuts(run):
    def main():
        start_node("b"), start_node("c")
        me = self()
        pb = spawn("b", _forward, me)
        pc = spawn("c", _forward, me)
        partition([["main"], ["b"], ["c"]])
        heal("b")                               # the caller's node and b
        send(pb, "to b"), send(pc, "to c")
        got = _wait_all(1)
        return got, nodes()

    assert run(main) == (["to b"], ["b@lab"])


def test_connect_node_connects_now_unless_the_pair_is_cut_or_a_node_stopped(run):
    """net_kernel:connect_node/1: connected at once, not at the next send."""
    def main():
        start_node("b"), start_node("c")
        out = []
        disconnect("b")
        out.append(nodes())
        out.append((connect_node("b"), nodes()))
        cut("b")
        out.append((connect_node("b"), nodes()))
        heal()
        out.append((connect_node("b@lab"), nodes()))
        cut("b", "c")
        out.append(connect_node("b", "c"))
        stop_node("c")
        heal("b", "c")
        out.append((connect_node("b", "c"), connect_node("main")))
        return out

    assert run(main) == [["c@lab"], (True, ["b@lab", "c@lab"]), (False, ["c@lab"]),
                         (True, ["b@lab", "c@lab"]), False, (False, True)]


def test_a_node_restarted_across_a_cut_stays_cut_until_healed(run):
    def main():
        start_node("b")
        cut("b")
        stop_node("b")
        start_node("b")
        me = self()
        p = spawn("b", _forward, me)            # cannot be reached: a pid that never lived
        send(p, "lost")
        cut_off = nodes(), receive(timeout=1, default="nothing")
        heal()
        p = spawn("b", _forward, me)
        send(p, "back")
        return cut_off, receive(timeout=1, default="nothing"), nodes()

    assert run(main) == (([], "nothing"), "back", ["b@lab"])


def test_bad_cut_and_heal_requests_say_what_to_do(run):
    def main():
        start_node("b")
        errors = []
        for call in (lambda: cut("b", "b"), lambda: cut("nope"), lambda: heal(None, "b"),
                     lambda: heal("main", "main"), lambda: connect_node(3)):
            with pytest.raises(BadArg) as e:
                call()
            errors.append(str(e.value))
        return errors

    errors = run(main)
    assert "two different nodes" in errors[0] and "two different nodes" in errors[3]
    assert "no node 'nope'" in errors[1]
    assert "name both nodes" in errors[2]
    assert "a string like 'b'" in errors[4]


def test_latency_delays_a_message_by_exactly_that_long(run, clock):
    def main():
        start_node("b")
        set_latency(0.25, "main", "b")
        me = self()
        p = spawn("b", _forward, me)
        sleep(0.001)
        t0 = clock.now()
        send(p, "x")        # main -> b -> main: two crossings
        receive()
        return clock.now() - t0

    assert run(main) == pytest.approx(0.5)


def test_order_per_pair_holds_when_the_latency_drops_with_messages_in_flight(run, clock):
    def main():
        start_node("b")
        p = spawn("b", lambda: receive("never"))
        sleep(0.001)
        t0 = clock.now()
        set_latency(1.0)
        send(p, 1)
        set_latency(0)
        send(p, 2)          # would overtake 1 if each took its own latency
        sleep(0.5)
        before = process_info(p, "messages")
        sleep(1)
        return before, process_info(p, "messages"), clock.now() - t0

    before, after, _ = run(main)
    assert (before, after) == ([], [1, 2])


def test_messages_in_flight_across_a_cut_are_lost_and_later_ones_arrive_on_time(run, clock):
    def main():
        start_node("b")
        p = spawn("b", lambda: receive("never"))
        sleep(0.001)
        set_latency(1.0)
        send(p, "in flight")
        disconnect("b")
        sleep(0.5)
        send(p, "after")    # reconnects; it takes its own second
        sleep(0.75)         # 1.25 s after the first, which would have arrived at 1 s
        early = process_info(p, "messages")
        sleep(0.5)
        return early, process_info(p, "messages")

    assert run(main) == ([], ["after"])


def _wait_all(seconds):
    out = []
    while True:
        m = receive(timeout=seconds, default=None)
        if m is None:
            return out
        out.append(m)


def test_a_message_sent_before_an_exit_arrives_before_the_exit_signal(run):
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        me = self()
        set_latency(0.5)
        spawn_link("b", lambda: (send(me, "last words"), exit("bye")))
        return _wait_all(2)

    pids_free = run(main)
    assert pids_free[0] == "last words" and pids_free[1][2] == "bye"


def test_an_exit_signal_lost_in_flight_becomes_noconnection(run):
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        set_latency(1.0)
        p = spawn_link("b", lambda: exit("bye"))
        sleep(0.5)          # it has exited; its EXIT is half way
        disconnect("b")
        return _wait_all(3) == [("EXIT", p, "noconnection")]

    assert run(main)


def test_linking_or_monitoring_across_a_partition_gives_noconnection_at_once(run):
    def main():
        start_node("b")
        p = spawn("b", _idle)
        partition([["main"], ["b"]])
        process_flag("trap_exit", True)
        link(p)
        ref = monitor(p)
        return _flush_all() == [("EXIT", p, "noconnection"),
                                ("DOWN", ref, "process", p, "noconnection")]

    assert run(main)


def test_spawn_on_an_unreachable_node_links_noconnection_and_monitors_noproc(run, capsys):
    """Erlang: S = spawn_link(nosuch@nohost, F) gives {'EXIT',S,noconnection};
    monitor(process, S) gives {'DOWN',_,process,S,noproc}."""
    def main():
        start_node("b")
        partition([["main"], ["b"]])
        process_flag("trap_exit", True)
        s = spawn_link("b", _idle)
        ref = monitor(s)
        return _flush_all() == [("EXIT", s, "noconnection"),
                                ("DOWN", ref, "process", s, "noproc")], node(s)

    assert run(main) == (True, "main@lab")
    assert "Can not start" in capsys.readouterr().err


def test_sending_to_a_remote_pid_with_latency_zero_is_immediate(run):
    def main():
        start_node("b")
        me = self()
        p = spawn("b", _forward, me)
        send(p, "now")
        return receive(timeout=0, default=None) is None, receive()

    # spawned but not yet run: nothing yet, then it forwards
    assert run(main) == (True, "now")


# -- bad input ----------------------------------------------------------------------------
def test_bad_cluster_requests_say_what_to_do(run):
    def main():
        errors = []
        for call in (lambda: disconnect("b"), lambda: start_node(""),
                     lambda: (start_node("b"), start_node("b")), lambda: stop_node("main"),
                     lambda: partition([["main"]]), lambda: partition(["main", "b"]),
                     lambda: partition([["main"], ["nope"]]), lambda: set_latency(-1)):
            with pytest.raises(BadArg) as e:
                call()
            errors.append(str(e.value))
        return errors

    errors = run(main)
    assert "start_node('b') first" in errors[0]
    assert "already running" in errors[2]
    assert "home node" in errors[3]
    assert "b@lab is not" in errors[4]
    assert "list of groups" in errors[5]
    assert "no node 'nope'" in errors[6]
    assert ">= 0" in errors[7]


def test_without_start_node_pids_and_names_are_as_before(run):
    def main():
        p = spawn(_idle)
        return repr(p).startswith("<0."), node(p), nodes()

    assert run(main) == (True, "nonode@nohost", [])


def test_after_unlink_or_demonitor_nothing_in_flight_from_them_arrives(run):
    """Erlang: once unlink/demonitor has returned, the link or monitor has no effect."""
    def main():
        start_node("b")
        process_flag("trap_exit", True)
        set_latency(1.0)
        p = spawn_link("b", lambda: exit("bye"))
        ref = monitor(p)
        sleep(0.5)          # it has exited; its EXIT and DOWN are half way
        unlink(p)
        demonitor(ref)
        return _wait_all(3)

    assert run(main) == []


def test_a_process_killed_by_a_cut_it_caused_dies_of_noconnection(run):
    def main():
        start_node("b")
        me = self()

        def caller():
            link(spawn("b", _idle))
            send(me, "linked")
            stop_node("b")
            send(me, "survived")

        _, ref = spawn_monitor(caller)
        receive("linked")
        return receive(("DOWN", ref, ANY, ANY, ANY))[4], _flush_all()

    assert run(main) == ("noconnection", [])


def test_a_process_on_a_node_that_stops_itself_is_killed(run):
    def main():
        start_node("b")
        _, ref = spawn_monitor("b", lambda: (stop_node("b"), send("main", "survived")))
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    assert run(main) == "noconnection"


def test_a_genserver_call_to_another_node_is_answered_and_a_cut_ends_it_at_once(run):
    """A call whose server is cut off fails when the connection goes, not at its timeout,
    with gen:call's reason: OTP 25 exits {{nodedown,b@vm},{gen_server,call,[<8757.103.0>,req]}}."""
    from beamlab.runtime.otp import CallExit, GenServer

    class Where(GenServer):
        def init(self, arg):
            return ("ok", None)

        def handle_call(self, request, from_, state):
            return ("reply", (request, node()), state)

    def main():
        start_node("b")
        me = self()
        spawn("b", lambda: (send(me, Where.start(None)), receive()))
        server = receive()
        set_latency(1.0)
        t0 = clock_now()
        answer = GenServer.call(server, "where")        # there and back: 2 s
        took = clock_now() - t0
        partition([["main"], ["b"]])
        with pytest.raises(CallExit, match=r"node b@lab is down or cut off .*\(nodedown\)") as e:
            GenServer.call(server, "again", 60)
        assert e.value.reason == (("nodedown", "b@lab"), ("GenServer.call", server, "again", 60))
        return answer, node(server), took, clock_now() - t0 - took

    def clock_now():
        from beamlab.runtime import current_runtime
        return current_runtime().clock.now()

    assert run(main) == (("where", "b@lab"), "b@lab", 2.0, 0.0)


def test_a_late_reply_from_another_node_never_lands_in_the_callers_mailbox(run):
    """As OTP 24+'s alias: a call that timed out gets no stray reply later."""
    from beamlab.runtime.otp import CallExit, GenServer

    class Slow(GenServer):
        def init(self, arg):
            return ("ok", None)

        def handle_call(self, request, from_, state):
            return ("reply", "late", state)

    def main():
        start_node("b")
        me = self()
        spawn("b", lambda: (send(me, Slow.start(None)), receive()))
        server = receive()
        set_latency(1.0)
        with pytest.raises(CallExit, match="timed out"):
            GenServer.call(server, "hi", 1.5)       # the reply would come at 2 s
        return _wait_all(3)

    assert run(main) == []


@pytest.mark.parametrize("tracer", ["every send", "traced caller"])
def test_a_late_reply_from_another_node_is_dropped_with_a_send_tracer_too(run, tracer):
    """A tracer (the cluster view, a sequence trace) sees the reply go, and the caller
    that gave up still never finds it in its mailbox; latency 0.2 s each way, timeout 0.3."""
    from beamlab.runtime import current_runtime
    from beamlab.runtime.otp import CallExit, GenServer

    class Echo(GenServer):
        def init(self, arg):
            return ("ok", None)

        def handle_call(self, request, from_, state):
            return ("reply", ("echo", request), state)

    seen = []

    def main():
        rt = current_runtime()
        start_node("b")
        me = self()
        spawn("b", lambda: (send(me, Echo.start(None)), receive()))
        server = receive()
        rt.trace_sends(lambda frm, to, msg: seen.append(msg), traced_only=tracer != "every send")
        rt.trace(me)
        set_latency(0.2)
        try:
            GenServer.call(server, "hi", 0.3)           # the reply would come at 0.4 s
            return "answered"
        except CallExit as e:
            timed_out = e.reason[0]
        return timed_out, _wait_all(1)

    assert run(main) == ("timeout", [])
    assert any(type(m) is tuple and m[1:] == (("echo", "hi"),) for m in seen)   # it was sent


def test_what_comes_from_outside_any_process_crosses_no_network(run):
    """A widget's Kill button (rt.exit) or a send from another thread is not a node's."""
    from beamlab.runtime import current_runtime

    def main():
        rt = current_runtime()
        start_node("b")
        p = spawn("b", _idle)
        q = spawn("b", lambda: receive("never"))
        partition([["main"], ["b"]])
        # run by the loop, outside any process, as a send from another thread is
        rt.call_soon_threadsafe(rt.send, q, "from outside")
        rt.exit(p, "kill")          # from no process, as a widget's Kill button
        sleep(0.001)
        return is_process_alive(p), process_info(q, "messages")

    assert run(main) == (False, ["from outside"])


def test_send_after_sends_from_the_node_that_set_it(run):
    """Its name is looked up there, and a message to another node crosses the connection."""
    def main():
        start_node("b")
        me = self()

        def on_b():
            register("here", self())
            send_after(1, "here", "to b's own name")
            send_after(2, me, "to main")
            receive("never")

        p = spawn("b", on_b)
        sleep(1.5)
        seen = process_info(p, "messages")
        partition([["main"], ["b"]])
        return seen, receive(timeout=5, default="lost across the cut")

    assert run(main) == (["to b's own name"], "lost across the cut")


def test_spawn_on_a_node_never_started_is_a_badarg_saying_to_start_it(run):
    def main():
        with pytest.raises(BadArg, match=r"start_node\('b'\)"):
            spawn("b@lab", _idle)
        start_node("c")
        with pytest.raises(BadArg, match="no node 'b@lab'"):
            spawn_link("b@lab", _idle)
        return nodes()

    assert run(main) == ["c@lab"]


def test_a_snapshot_of_the_cluster_for_observers(run):
    from beamlab.runtime import current_runtime

    def main():
        start_node("b")
        start_node("c")
        set_latency(2, "main", "b")
        p = spawn("b", lambda: receive("never"))
        send(p, "on its way")
        partition([["main", "b"], ["c"]])
        return current_runtime()._dist.snapshot()

    snap = run(main)
    assert [(n["name"], n["running"]) for n in snap["nodes"]] == [
        ("main@lab", True), ("b@lab", True), ("c@lab", True)]
    assert snap["nodes"][1]["processes"] == 1
    assert snap["connections"] == [
        {"nodes": ("main@lab", "b@lab"), "up": True, "blocked": False, "latency": 2.0,
         "in_flight": 1},
        {"nodes": ("main@lab", "c@lab"), "up": False, "blocked": True, "latency": 0.0,
         "in_flight": 0},
        {"nodes": ("b@lab", "c@lab"), "up": False, "blocked": True, "latency": 0.0,
         "in_flight": 0},
    ]


def test_nodes_and_connections_emit_telemetry_for_observers(run):
    from beamlab.runtime import telemetry

    def main():
        seen = []
        telemetry.attach_many("cluster", [("beamlab", "node", "start"),
                                          ("beamlab", "node", "stop"),
                                          ("beamlab", "connection", "up"),
                                          ("beamlab", "connection", "down")],
                              lambda event, m, meta, cfg: seen.append((event[1:], m, meta)))
        start_node("b")
        p = spawn("b", lambda: receive("never"))
        set_latency(1)
        send(p, "lost")
        partition([["main"], ["b"]])
        heal()
        send(p, "reconnects")
        stop_node("b")
        return seen

    main_b = ("main@lab", "b@lab")
    assert run(main) == [
        (("node", "start"), {"count": 1}, {"node": "b@lab"}),
        (("connection", "up"), {"count": 1}, {"nodes": main_b}),
        (("connection", "down"), {"count": 1, "lost": 1},
         {"nodes": main_b, "reason": "partition"}),
        (("connection", "up"), {"count": 1}, {"nodes": main_b}),
        (("connection", "down"), {"count": 1, "lost": 1},
         {"nodes": ("b@lab", "main@lab"), "reason": "node_stopped"}),
        (("node", "stop"), {"count": 1}, {"node": "b@lab"}),
    ]


class _Named:
    """A GenServer registered as "srv" on its node, answering (request, its node)."""

    @staticmethod
    def start_on(nodename):
        from beamlab.runtime.otp import GenServer

        class Srv(GenServer):
            def init(self, arg):
                return ("ok", None)

            def handle_call(self, request, from_, state):
                if request == "die":
                    return ("stop", "boom", state)
                return ("reply", (request, node()), state)

        me = self()
        spawn(nodename, lambda: (send(me, Srv.start(None, name="srv")), receive()))
        return receive()


def test_genserver_call_to_a_name_on_another_node(run):
    """OTP 25: gen_server:call({srv, b@vm}, req) reaches b's srv; {nobody, b@vm} exits
    {noproc,{gen_server,call,[{nobody,b@vm},req]}}."""
    from beamlab.runtime.otp import CallExit, GenServer

    def main():
        start_node("b")
        _Named.start_on("b@lab")
        answer = GenServer.call(("srv", "b@lab"), "where")
        short = GenServer.call(("srv", "b"), "short name")
        with pytest.raises(CallExit, match="no process is registered as 'nobody' on b@lab") as e:
            GenServer.call(("nobody", "b@lab"), "req")
        return answer, short, e.value.reason
    assert run(main) == (("where", "b@lab"), ("short name", "b@lab"),
                         ("noproc", ("GenServer.call", ("nobody", "b@lab"), "req", 5.0)))


def test_genserver_call_to_a_stopped_cut_off_or_unknown_node_exits_nodedown(run):
    """OTP 25, b@vm stopped: gen_server:call({srv, b@vm}, req) exits
    {{nodedown,b@vm},{gen_server,call,[{srv,b@vm},req]}}, and by pid
    {{nodedown,b@vm},{gen_server,call,[<8757.103.0>,req]}}; a node never started:
    {{nodedown,nosuch@vm},{gen_server,call,[{srv,nosuch@vm},req]}}."""
    from beamlab.runtime.otp import CallExit, GenServer

    def reason(server, timeout=5.0):
        try:
            GenServer.call(server, "req", timeout)
        except CallExit as e:
            return e.reason
        return "answered"

    def main():
        start_node("b"), start_node("c")
        pid = _Named.start_on("b@lab")
        _Named.start_on("c@lab")
        out = [reason(("srv", "nosuch@lab"))]
        partition([["main"], ["b", "c"]])
        out += [reason(("srv", "c@lab")), reason(pid, 0)]
        heal()
        out.append(reason(("srv", "c@lab")))
        stop_node("b@lab")
        out += [reason(("srv", "b@lab")), reason(pid)]
        return pid, out
    pid, out = run(main)
    assert out == [
        (("nodedown", "nosuch@lab"), ("GenServer.call", ("srv", "nosuch@lab"), "req", 5.0)),
        (("nodedown", "c@lab"), ("GenServer.call", ("srv", "c@lab"), "req", 5.0)),
        (("nodedown", "b@lab"), ("GenServer.call", pid, "req", 0)),
        "answered",
        (("nodedown", "b@lab"), ("GenServer.call", ("srv", "b@lab"), "req", 5.0)),
        (("nodedown", "b@lab"), ("GenServer.call", pid, "req", 5.0)),
    ]


def test_a_dead_pid_on_a_node_cut_off_is_noconnection_to_a_call_as_to_a_monitor(run):
    """The node is asked first, then the process. OTP 25, P killed, then its node stopped:
    monitor(process, P) gives {'DOWN',_,process,<8982.92.0>,noconnection}, and
    gen_server:call(P, req) exits {{nodedown,'b@vm'},{gen_server,call,[<8982.92.0>,req]}}."""
    from beamlab.runtime import current_runtime
    from beamlab.runtime.otp import CallExit, GenServer

    def main():
        start_node("b")
        pid, ref = spawn_monitor("b", _idle)
        exit(pid, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY))
        partition([["main"], ["b"]])
        by_monitor = receive(("DOWN", monitor(pid), ANY, ANY, ANY))[4]
        by_call = current_runtime().call(current_runtime().current, pid, "$gen_call", "req", 1)
        with pytest.raises(CallExit, match=r"\(nodedown\)") as e:
            GenServer.call(pid, "req")
        return by_monitor, by_call[0], by_call[4], e.value.reason[0]
    assert run(main) == ("noconnection", "DOWN", "noconnection", ("nodedown", "b@lab"))


def test_a_remote_server_that_crashes_during_a_call_exits_the_caller_with_its_reason(run):
    from beamlab.runtime.otp import CallExit, GenServer

    def main():
        start_node("b")
        _Named.start_on("b@lab")
        with pytest.raises(CallExit) as e:
            GenServer.call(("srv", "b@lab"), "die")
        return e.value.reason
    assert run(main) == ("boom", ("GenServer.call", ("srv", "b@lab"), "die", 5.0))


def test_genserver_cast_to_a_name_on_another_node_and_to_one_nobody_has(run):
    from beamlab.runtime.otp import GenServer

    def main():
        start_node("b")
        me = self()
        spawn("b@lab", lambda: (register("sink", self()), send(me, "ready"),
                                send(me, receive(("$gen_cast", ANY)))))
        receive("ready")
        GenServer.cast(("nobody", "b@lab"), "lost")       # no error, as OTP's
        GenServer.cast(("nobody", "nosuch@lab"), "lost")
        GenServer.cast(("sink", "b@lab"), "hello")
        return receive(("$gen_cast", ANY), timeout=1)
    assert run(main) == ("$gen_cast", "hello")


def test_a_connection_cut_while_a_call_waits_exits_the_caller_nodedown_at_once(run):
    """gen:call's DOWN noconnection, mid-call, is exit({nodedown, Node}), when it happens."""
    from beamlab.runtime import current_runtime
    from beamlab.runtime.otp import CallExit, GenServer

    class Slow(GenServer):
        def init(self, arg):
            return ("ok", None)

        def handle_call(self, request, from_, state):
            sleep(10)
            return ("reply", "late", state)

    def main():
        start_node("b")
        me = self()
        spawn("b", lambda: (send(me, Slow.start(None, name="slow")), receive()))
        receive()
        spawn(lambda: (sleep(0.5), disconnect("main", "b")))
        t0 = current_runtime().clock.now()
        try:
            GenServer.call(("slow", "b@lab"), "req", 60)
        except CallExit as e:
            return e.reason, current_runtime().clock.now() - t0
    assert run(main) == ((("nodedown", "b@lab"), ("GenServer.call", ("slow", "b@lab"), "req", 60)),
                         0.5)
