"""The flight recorder across nodes: another node's pids print as the BEAM's, <1.N.0>.

On an Erlang node a remote pid prints with a non-zero first number (the node's
index, here the same for every viewer): what a recording's timeline, mailboxes and
call texts show must say which node a process is on, not <0.N.0> for all.
"""
from __future__ import annotations

import beamlab
from beamlab.runtime import ANY, MockClock, Recorder, receive, self, send, sleep, spawn
from beamlab.runtime.nodes import start_node
from beamlab.runtime.otp import GenServer, Supervisor
from beamlab.runtime.otp import _rt


def record(main):
    rec = Recorder()
    result = beamlab.run(main, clock=MockClock(autojump=True), record=rec)
    return result, rec.recording()


class Echo(GenServer):
    def init(self, arg):
        return ("ok", None)

    def handle_call(self, request, from_, state):
        return ("reply", request, state)


def test_a_crash_on_another_node_is_marked_with_its_remote_pid():
    def crasher():
        raise ValueError("oops")

    def main():
        start_node("b")
        p = spawn("b@lab", crasher)
        sleep(0.1)
        return p
    p, rec = record(main)
    assert repr(p).startswith("<1.")
    crashes = [m for m in rec.marks() if m["kind"] == "crash"]
    assert [m["text"].split(" crashed")[0] for m in crashes] == [repr(p)]


def test_a_call_from_another_node_shows_the_callers_remote_pid_and_events_carry_the_node():
    def main():
        start_node("b")
        server = Echo.start(None)
        me = self()
        caller = spawn("b@lab", lambda: send(me, GenServer.call(server, "hi")))
        receive("hi")
        return caller
    caller, rec = record(main)
    calls = [e for e in rec.events() if e["kind"] == "send" and e.get("call")]
    assert [e["text"] for e in calls] == [f"('$gen_call', ({caller!r}, #Ref), 'hi')"]
    assert [e.get("node") for e in rec.events() if e["kind"] == "spawn" and
            e["pid"] == caller.id] == [1]
    mailbox_texts = [m["text"] for m in rec.state_at(calls[0]["seq"]).mailbox(calls[0]["pid"])]
    assert mailbox_texts == [f"('$gen_call', ({caller!r}, #Ref), 'hi')"]


def test_a_restart_on_another_node_reads_with_the_new_remote_pid():
    def worker():
        receive()

    def start_worker():
        return ("ok", spawn_link_here(worker))

    def main():
        start_node("b")
        me = self()
        spawn("b@lab", lambda: (send(me, Supervisor.start_link(
            [{"id": "w", "start": (start_worker,)}], strategy="one_for_one")), receive()))
        sup = receive()
        child = Supervisor.which_children(sup)[0][1]
        beamlab.exit(child, "kill")
        sleep(0.1)
        return Supervisor.which_children(sup)[0][1]
    new, rec = record(main)
    restarts = [m["text"] for m in rec.marks() if m["kind"] == "restart"]
    assert len(restarts) == 1 and f"restarting w → {new!r}" in restarts[0]
    assert repr(new).startswith("<1.")


def spawn_link_here(fn):
    from beamlab.runtime import spawn_link
    return spawn_link(fn)


def test_describe_prints_a_remote_server_with_its_node():
    def main():
        start_node("b")
        me = self()
        spawn("b@lab", lambda: (send(me, Echo.start(None)), receive()))
        server = receive()
        return server, _rt.describe(server)
    server, text = beamlab.run(main, clock=MockClock(autojump=True))
    assert text == f"<1.{server.id}.0 Echo>"


def test_the_recorder_records_nodes_starting_and_stopping_and_connections_going_down_and_up():
    from beamlab.runtime.nodes import disconnect, heal, partition, stop_node

    def main():
        start_node("b")
        p = spawn("b@lab", lambda: receive())
        disconnect("b@lab")
        send(p, "reconnects")
        partition([["main"], ["b"]])
        heal()
        stop_node("b@lab")
    _, rec = record(main)
    got = [(e["kind"], e["action"], e.get("node") or tuple(e["nodes"]), e.get("reason"))
           for e in rec.events() if e["kind"] in ("node", "connection")]
    ab = ("main@lab", "b@lab")
    assert got == [("node", "start", "b@lab", None), ("connection", "up", ab, None),
                   ("connection", "down", ab, "disconnect"), ("connection", "up", ab, None),
                   ("connection", "down", ab, "partition"), ("node", "stop", "b@lab", None)]
    mid = [e["seq"] for e in rec.events() if e["kind"] == "connection"][1]
    st = rec.state_at(mid)
    assert st.cluster_nodes == {"b@lab": True} and st.connections == {("b@lab", "main@lab"): False}
    assert rec.state_at().cluster_nodes == {"b@lab": False}


def test_a_deterministic_run_records_the_same_cluster_events_and_conflict_each_time():
    from beamlab.runtime import current_runtime, monitor
    from beamlab.runtime.nodes import global_register_name, heal, partition

    def register_later():
        sleep(1)
        global_register_name("x", self())
        while True:
            receive()

    def main():
        start_node("b")
        pb = spawn("b@lab", register_later)
        partition([["main"], ["b"]])
        pa = spawn(lambda: receive())
        global_register_name("x", pa)
        sleep(2)
        heal()
        ref = monitor(pa)
        send(pb, "reconnect")
        receive(("DOWN", ref, ANY, ANY, ANY))
        rec = current_runtime().recorder.recording()
        return [(e["kind"], e.get("action"), e.get("reason"), e.get("node"))
                for e in rec.events() if e["kind"] in ("node", "connection", "exit")]

    first = beamlab.run(main, seed=7)
    assert first == beamlab.run(main, seed=7)
    assert ("connection", "down", "partition", None) in first
    assert first.count(("connection", "up", None, None)) == 2     # at start, and after the heal


def test_a_remote_pid_keeps_its_node_once_its_exit_has_left_the_window():
    """Events still in the window may name a process whose spawn and exit were evicted
    (here a message sent to it after, lost): its pid still prints with its node, <1.N.0>."""
    from beamlab.runtime.recording import pid_text

    def main():
        start_node("b")
        p = spawn("b@lab", lambda: None)
        sleep(0.1)                          # it ran and exited
        for i in range(300):                # its spawn and exit leave the ring
            send(self(), i)
            receive()
        send(p, "late")
        sleep(0.1)
        return p
    rec = Recorder(max_events=200)
    p = beamlab.run(main, clock=MockClock(autojump=True), record=rec)
    recording = rec.recording()
    events = recording.events()
    assert rec.evicted > 0
    assert not [e for e in events if e["kind"] in ("spawn", "exit") and e["pid"] == p.id]
    assert [e["pid"] for e in events if e["kind"] == "send" and e["lost"]] == [p.id]
    assert pid_text(p.id, recording.state_at().node_of) == repr(p)


def test_a_late_reply_from_another_node_dropped_on_arrival_is_recorded():
    """The caller gave up (its call timed out) before the server's reply crossed the
    connection: the reply is dropped on arrival, and the recording says so."""
    from beamlab.runtime.nodes import set_latency
    from beamlab.runtime.otp import CallExit

    def main():
        start_node("b")
        me = self()
        spawn("b@lab", lambda: (send(me, Echo.start(None)), receive()))
        server = receive()
        set_latency(0.2)
        try:
            GenServer.call(server, "hi", 0.3)       # the reply would come at 0.4 s
        except CallExit:
            pass
        sleep(1)
        return server
    server, rec = record(main)
    late = [e for e in rec.events() if e["kind"] == "send" and e.get("late_reply")]
    assert len(late) == 1
    assert late[0]["lost"] and late[0]["other"] == server.id and late[0]["text"].endswith(", 'hi')")
    call, = [e for e in rec.events() if e["kind"] == "send" and e["call"]]
    assert late[0]["pid"] == call["other"]          # to the caller
