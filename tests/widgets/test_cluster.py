"""The cluster widget on the real runtime (MockClock, no browser): what a learner sees of
nodes, connections, cuts and heals, and of the messages between nodes, one lane per node."""
from __future__ import annotations

import pytest
from widget_clicks import click

from beamlab.runtime import (MockClock, Runtime, current_runtime, is_process_alive, link, monitor,
                             monitor_node, process_flag, receive, register, self, send, set_latency,
                             sleep, spawn, start_node)
from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor
from beamlab.widgets import ClusterView, cluster_view


def run(main):
    return Runtime(clock=MockClock()).run(main)


def settle():
    """Let the runtime run what a click posted, and the signals it caused."""
    sleep(0.01)


def recording(widget) -> list:
    sent: list = []
    widget.send = lambda content, buffers=None: sent.append(content)
    return sent


def conn(w, a, b):
    for c in w.connections:
        if {c["a"], c["b"]} == {a, b}:
            return c
    raise AssertionError(f"no connection {a} - {b} in {w.connections}")


def node_of(w, name):
    return next(n for n in w.nodes if n["name"] == name)


def looper():
    while True:
        receive()


class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)


def test_before_any_node_starts_it_shows_the_home_node_and_says_how_to_make_a_cluster():
    def main():
        w = ClusterView(live=False)
        return [n["name"] for n in w.nodes], w.connections, w.status_text
    names, conns, status = run(main)
    assert names == ["nonode@nohost"] and conns == []
    assert "start_node('b')" in status


def test_each_node_is_a_box_with_its_processes_and_a_supervisors_children_under_it():
    def main():
        start_node("b")
        done = []

        def boot():
            sup = Supervisor.start_link([ChildSpec(id="db", start=(Worker.start_link, 0)),
                                         ChildSpec(id="cache", start=(Worker.start_link, 0))], name="app")
            done.append(sup)
            receive()
        spawn("b@lab", boot)
        spawn("b@lab", looper)
        settle()
        w = cluster_view(live=False)
        return w.nodes, w.connections, done[0]
    nodes, conns, sup = run(main)
    assert [(n["name"], n["running"], n["home"]) for n in nodes] == [
        ("main@lab", True, True), ("b@lab", True, False)]
    rows = nodes[1]["processes"]
    assert nodes[1]["count"] == 5 and nodes[1]["registered"] == ["app"]
    app = next(r for r in rows if r["label"] == "app")
    assert app["pid"] == str(sup) and app["kind"] == "supervisor" and str(sup).startswith("<1.")
    i = rows.index(app)
    # the two workers come right after their supervisor, one level deeper
    assert [(r["depth"] - app["depth"], r["kind"]) for r in rows[i + 1:i + 3]] == [(1, "server"), (1, "server")]
    assert conns == [{"a": "main@lab", "b": "b@lab", "state": "up", "latency_ms": 0.0, "in_flight": 0}]


def test_a_node_with_many_processes_shows_the_first_ones_and_how_many_more():
    def main():
        start_node("b")
        for _ in range(14):
            spawn("b@lab", looper)
        settle()
        return node_of(ClusterView(live=False, max_processes=10), "b@lab")
    b = run(main)
    assert len(b["processes"]) == 10 and b["more"] == 4 and b["count"] == 14


def test_clicking_a_connection_cuts_it_the_remote_link_fires_and_the_monitor_gets_down_then_heal_reconnects():
    def main():
        start_node("b")
        w = ClusterView(live=False)
        me = self()
        process_flag("trap_exit", True)
        remote = spawn("b@lab", looper)
        link(remote)
        ref = monitor(remote)
        monitor_node("b@lab", True)
        # a process on b linked to one on main: it dies of the cut (it does not trap exits)
        local = spawn(looper)
        partner = spawn("b@lab", lambda: (link(local), receive()))
        settle()
        click(w, type="connection", a="main@lab", b="b@lab", action="cut")
        settle()
        got = [receive(timeout=0.1) for _ in range(3)]
        cut = dict(conn(w, "main@lab", "b@lab")), dict(w.notice)
        # it stays cut: a send does not reconnect it (until healed)
        send(remote, "hello")
        settle()
        w.refresh()
        still = conn(w, "main@lab", "b@lab")["state"]
        trace_after_cut = list(w.trace)
        click(w, type="connection", a="main@lab", b="b@lab", action="heal")
        settle()
        healed = conn(w, "main@lab", "b@lab")["state"], dict(w.notice)
        return me, remote, ref, partner, got, cut, still, trace_after_cut, healed, current_runtime()
    me, remote, ref, partner, got, cut, still, trace, healed, rt = run(main)
    assert got == [("EXIT", remote, "noconnection"), ("DOWN", ref, "process", remote, "noconnection"),
                   ("nodedown", "b@lab")]
    (state, notice) = cut
    assert state["state"] == "cut"
    assert notice["level"] == "warning" and "noconnection" in notice["text"] and "heal" in notice["text"]
    assert still == "cut"
    labels = [e["label"] for e in trace]
    assert "main@lab — b@lab down (partition)" in labels
    assert f"{me}: gets DOWN for {remote}: noconnection" in labels
    assert f"{me}: gets ('nodedown', 'b@lab')" in labels
    assert f"{partner} exited: noconnection" in labels     # the remote process's link fired
    lost = [e for e in trace if e["kind"] == "msg" and e["label"] == "'hello'"]
    assert lost and lost[0]["lost"], "a send across a cut is lost, and drawn so"
    assert healed[0] == "up" and "reconnected" in healed[1]["text"]


def test_a_disconnect_click_comes_back_at_the_next_send_as_erlangs_auto_connect():
    def main():
        start_node("b")
        w = ClusterView(live=False)
        remote = spawn("b@lab", looper)
        settle()
        click(w, type="connection", a="b@lab", b="main@lab", action="disconnect")
        settle()
        down = conn(w, "main@lab", "b@lab")["state"]
        send(remote, "hi")
        w.refresh()
        return down, conn(w, "main@lab", "b@lab")["state"]
    assert run(main) == ("down", "up")


def test_messages_between_nodes_are_arrows_between_lanes_slanted_by_latency_with_lamport_clocks():
    def main():
        start_node("b")
        set_latency(0.05, "main", "b")
        w = ClusterView(live=False)

        def echo():
            while True:
                frm, n = receive()
                send(frm, ("pong", n))
        e = spawn("b@lab", echo)
        send(e, (self(), 1))
        send(spawn(looper), "local: not drawn")
        w.refresh()
        flying = [dict(x) for x in w.trace if x["kind"] == "msg"]
        assert receive() == ("pong", 1)
        w.refresh()
        return flying, [x for x in w.trace if x["kind"] == "msg"], w.lanes
    flying, msgs, lanes = run(main)
    assert lanes == ["main@lab", "b@lab"]
    assert [(m["src"], m["dst"], m["in_flight"]) for m in flying] == [("main@lab", "b@lab", True)]
    ping, pong = msgs
    assert (ping["t"], ping["t1"], pong["t"], pong["t1"]) == (0.0, 0.05, 0.05, 0.1)
    assert ping["row1"] > ping["row"] and pong["row1"] > pong["row"]      # slanted: arrives later
    assert not ping["in_flight"] and not pong["in_flight"]
    # Lamport: the reply is sent after the ping arrived, so its clock is larger; its receipt larger still
    assert ping["l0"] < ping["l1"] <= pong["l0"] < pong["l1"]


def test_a_message_in_flight_when_the_connection_is_cut_is_drawn_lost_at_the_cut():
    def main():
        start_node("b")
        set_latency(0.05)
        w = ClusterView(live=False)
        r = spawn("b@lab", looper)
        send(r, "first")
        sleep(0.02)
        w.act_on_connection("main@lab", "b@lab", "cut")
        return [e for e in w.trace if e["kind"] == "msg"]
    (m,) = run(main)
    assert m["lost"] and m["t1"] == pytest.approx(0.02) and "l1" not in m


def test_stop_and_restart_a_node_from_its_button_and_the_home_node_cannot_be_stopped():
    def main():
        start_node("b")
        w = ClusterView(live=False)
        sent = recording(w)
        spawn("b@lab", looper)
        settle()
        click(w, type="node", node="b@lab", action="stop")
        settle()
        stopped = dict(node_of(w, "b@lab")), conn(w, "main@lab", "b@lab")["state"], w.notice["text"]
        click(w, type="node", node="b", action="restart")
        settle()
        restarted = dict(node_of(w, "b@lab")), conn(w, "main@lab", "b@lab")["state"]
        click(w, type="node", node="main@lab", action="stop")
        settle()
        return stopped, restarted, sent, w.notice, [n["running"] for n in w.nodes]
    stopped, restarted, sent, notice, running = run(main)
    assert (stopped[0]["running"], stopped[0]["count"], stopped[1]) == (False, 0, "down")
    assert "stopped b@lab" in stopped[2]
    assert (restarted[0]["running"], restarted[0]["count"], restarted[1]) == (True, 0, "up")
    assert notice["level"] == "error" and "home node" in notice["text"]
    assert running == [True, True]


@pytest.mark.parametrize("content, says", [
    ({"type": "connection", "a": "main@lab", "b": "b@lab", "action": "explode"},
     '"action" is \'explode\'; use one of cut, heal, disconnect'),
    ({"type": "connection", "a": "main@lab", "action": "cut"}, '"b" is missing'),
    ({"type": "connection", "a": 1, "b": "b@lab", "action": "cut"}, '"a" must be a string'),
    ({"type": "node", "node": "b@lab", "action": "stop", "extra": True}, "unexpected key 'extra'"),
    ({"type": "node", "node": "x" * 300, "action": "stop"}, "at most 255 are accepted"),
    ({"type": "teleport"}, 'unknown message type \'teleport\''),
    ("cut", "a widget message is an object"),
    ({"type": "connection", "a": "main@lab", "b": "nowhere", "action": "cut"},
     "there is no node 'nowhere'"),
    ({"type": "connection", "a": "b@lab", "b": "b", "action": "cut"}, "are the same node"),
    ({"type": "node", "node": "zz", "action": "restart"}, "there is no node 'zz'"),
])
def test_a_bad_click_is_answered_with_a_clear_error_and_changes_nothing(content, says):
    def main():
        start_node("b")
        w = ClusterView(live=False)
        sent = recording(w)
        before = (list(w.nodes), list(w.connections))
        w._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})
        settle()
        w.refresh()
        after = (list(w.nodes), list(w.connections))
        # and the next good click still works
        click(w, type="connection", a="main@lab", b="b@lab", action="cut")
        settle()
        return sent, w.notice, before == after, conn(w, "main@lab", "b@lab")["state"]
    sent, notice, unchanged, state = run(main)
    errors = [m["error"] for m in sent if isinstance(m, dict) and m.get("type") == "error"]
    assert len(errors) == 1 and says in errors[0], errors
    assert unchanged
    assert state == "cut"


def test_a_click_before_any_node_started_says_to_start_one():
    def main():
        w = ClusterView(live=False)
        sent = recording(w)
        click(w, type="node", node="b", action="restart")
        settle()
        return sent
    sent = run(main)
    assert any("start_node('b')" in m.get("error", "") for m in sent)


def test_nobody_watching_means_no_refresh_and_a_view_wakes_it():
    def main():
        from beamlab.widgets._ticker import ticker_for
        start_node("b")
        w = ClusterView(live=True)
        changes = []
        w.observe(lambda ch: changes.append(ch["name"]), names=["nodes", "connections", "trace"])
        start_node("c")
        spawn("c@lab", looper)
        settle()
        ticker = ticker_for(current_runtime())
        ticker.run_due(now=1e12)          # every subscriber due: a watched one would refresh
        quiet = list(changes)
        click(w, type="view", id="v1", visible=True)
        settle()
        woke = list(changes)
        w.close()
        return quiet, woke, [n["name"] for n in w.nodes]
    quiet, woke, names = run(main)
    assert quiet == []
    assert woke and names == ["main@lab", "b@lab", "c@lab"]


def test_the_saved_picture_shows_the_nodes_the_connections_and_the_messages():
    def main():
        start_node("b")
        w = ClusterView(live=False, title="two nodes")
        r = spawn("b@lab", looper)
        register_on_b = spawn("b@lab", lambda: (register("store", self()), receive()))
        send(r, "ping")
        settle()
        w.act_on_connection("main@lab", "b@lab", "cut")
        return w.saved_part(), w.saved_caption(), w._repr_mimebundle_()[0]["text/html"], register_on_b
    part, caption, html_, _ = run(main)
    assert "data-beamlab-part=" in part and "<!--bl:" in part
    assert "two nodes" in caption and "saved picture" in caption
    for shown in ("main@lab", "b@lab", ">cut<", "&#x27;ping&#x27;", "main@lab → b@lab", "store"):
        assert shown in part or shown in html_, shown


def test_closing_the_widget_stops_tracing_sends():
    def main():
        rt = current_runtime()
        start_node("b")
        before = len(rt._send_tracers)
        w = ClusterView(live=False)
        during = len(rt._send_tracers)
        w.close()
        return before, during, len(rt._send_tracers)
    before, during, after = run(main)
    assert (during, after) == (before + 1, before)


def test_a_bad_trait_update_from_the_browser_is_reported_and_undone():
    def main():
        start_node("b")
        w = ClusterView(live=False)
        sent = recording(w)
        before = list(w.connections)
        w._handle_msg({"content": {"data": {"method": "update", "state": {"connections": "everything cut"},
                                            "buffer_paths": []}}, "buffers": []})
        return sent, w.notice, before == w.connections
    sent, notice, unchanged = run(main)
    errors = [m["error"] for m in sent if isinstance(m, dict) and m.get("type") == "error"]
    assert errors and "ignored an update of connections from the browser" in errors[0]
    assert notice["level"] == "error" and unchanged


def test_split_brain_shows_as_two_views_of_one_global_name_and_the_heal_leaves_one():
    from beamlab.runtime import global_register_name, heal, partition

    def main():
        start_node("b")
        w = ClusterView(live=False)
        here = spawn(looper)
        assert global_register_name("leader", here) == "yes"
        there = []

        def candidate():
            while global_register_name("leader", self()) != "yes":
                sleep(0.01)
            there.append(self())
            looper()
        spawn("b@lab", candidate)
        settle()
        partition([["main"], ["b"]])
        sleep(0.05)
        w.refresh()
        split = {n["name"]: n["global_names"] for n in w.nodes}
        heal()
        send(there[0], "reconnect")          # the first send after the heal reconnects: names merge
        settle()
        w.refresh()
        return here, there[0], split, {n["name"]: n["global_names"] for n in w.nodes}, w.static_html()
    here, there, split, healed, static = run(main)
    assert split == {"main@lab": [{"name": "leader", "pid": str(here)}],
                     "b@lab": [{"name": "leader", "pid": str(there)}]}
    # OTP 25's resolution: the process on the node whose name sorts first (b@lab) keeps it
    assert healed == {"main@lab": [{"name": "leader", "pid": str(there)}],
                      "b@lab": [{"name": "leader", "pid": str(there)}]}
    assert f"global leader → {there}" in static.replace("&lt;", "<").replace("&gt;", ">")


def test_an_event_the_view_cannot_record_is_shown_in_its_status_and_the_runtime_goes_on():
    def main():
        start_node("b")
        w = ClusterView(live=False)
        w._what_a_cut_fires = lambda *a: 1 / 0         # a bug in the view, as it would surface
        remote = spawn("b@lab", looper)
        link_back = spawn(looper)
        w.act_on_connection("main@lab", "b@lab", "cut")
        start_node("c")                                 # the view still hears events afterwards
        w.refresh()
        return w.status_text, [n["name"] for n in w.nodes], is_process_alive(remote), link_back
    status, names, alive, _ = run(main)
    assert "could not record beamlab.connection.down: ZeroDivisionError" in status
    assert names == ["main@lab", "b@lab", "c@lab"] and alive
