"""The flight recorder (issue 13, point 1) and the state it replays at any moment (point 2).

Each test records a run on a MockClock and reads the events or the replayed
state, as the scrubber and the exported page do.
"""
from __future__ import annotations

import time
import tracemalloc

import pytest

import beamlab
from beamlab.runtime import (ANY, MockClock, ProcessExit, Runtime, cancel_timer, current_runtime, exit, link,
                             process_flag, receive, register, self, send, send_after, sleep, spawn,
                             spawn_link, unlink, unregister)
from beamlab.runtime.otp import GenServer, NoReply, Ok, Reply, Supervisor
from beamlab.runtime.recorder import EVENT_BYTES, Recorder, preview, render
from beamlab.runtime.recording import state_at


def record(main, **options):
    """Run `main` on a MockClock with a recorder; returns (main's result, Recording)."""
    rec = Recorder(**options)
    result = beamlab.run(main, clock=MockClock(autojump=True), record=rec)
    return result, rec.recording()


def kinds(recording, *wanted):
    return [e for e in recording.events() if e["kind"] in wanted]


def idle():
    receive()


# ------------------------------------------------------------------ on / off
def test_a_runtime_records_nothing_unless_asked():
    rt = Runtime()
    assert rt.recorder is None and rt._recorder is None


def test_record_true_gives_the_runtime_a_recorder_read_inside_the_run():
    def main():
        spawn(idle)
        return len(current_runtime().recorder)
    assert beamlab.run(main, clock=MockClock(), record=True) >= 2      # main's spawn and idle's


def test_a_bad_record_option_says_what_to_give():
    with pytest.raises(ValueError, match="give True, False, a Recorder"):
        Runtime(record="yes")
    with pytest.raises(ValueError, match="positive number of events"):
        Recorder(max_events=0)
    with pytest.raises(ValueError, match="number of bytes"):
        Recorder(max_bytes=10)


def test_a_recorder_records_one_runtime():
    rec = Recorder()
    Runtime(record=rec)
    with pytest.raises(ValueError, match="another runtime"):
        Runtime(record=rec)


def test_detach_stops_recording_and_keeps_what_was_recorded():
    rec = Recorder()

    def main():
        spawn(idle)
        rec.detach()
        spawn(idle)
    beamlab.run(main, clock=MockClock(), record=rec)
    assert [e["kind"] for e in rec.recording().events()] == ["spawn", "spawn"]   # main, first idle


# ------------------------------------------------------------------ processes
def test_spawn_link_and_exit_are_recorded_with_parent_function_and_reason():
    def crasher():
        receive()
        raise ValueError("boom")

    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(crasher)
        send(pid, "go")
        receive(("EXIT", ANY, ANY))
        return pid
    pid, rec = record(main)
    me = state_at(rec).process(pid)["parent"]
    spawn_ev, = [e for e in kinds(rec, "spawn") if e["pid"] == pid.id]
    assert spawn_ev["parent"] == me and spawn_ev["call"].endswith("crasher")
    assert {"kind": "link", "pid": me, "other": pid.id}.items() <= kinds(rec, "link")[0].items()
    exit_ev, = [e for e in kinds(rec, "exit") if e["pid"] == pid.id]
    assert exit_ev["reason"] == "ValueError: boom"


def test_each_event_has_a_sequence_number_and_the_clock_time():
    def main():
        spawn(idle)
        sleep(5)
        spawn(idle)
    _, rec = record(main)
    events = rec.events()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    spawns = kinds(rec, "spawn")
    assert spawns[1]["t"] == 0.0 and spawns[2]["t"] == 5.0


def test_unlink_monitor_demonitor_register_unregister_are_recorded():
    def main():
        pid = spawn(idle)
        link(pid)
        unlink(pid)
        ref = beamlab.monitor(pid)
        beamlab.demonitor(ref)
        register("worker", pid)
        unregister("worker")
        return pid
    pid, rec = record(main)
    seen = [(e["kind"], e["pid"]) for e in rec.events()
            if e["kind"] in ("link", "unlink", "monitor", "demonitor", "register", "unregister")]
    me = seen[0][1]
    assert seen == [("link", me), ("unlink", me), ("monitor", me), ("demonitor", me),
                    ("register", pid.id), ("unregister", pid.id)]
    assert kinds(rec, "register")[0]["name"] == "worker"


# ------------------------------------------------------------------ exit signals
def test_each_exit_signal_says_what_its_receiver_did():
    def trapper():
        process_flag("trap_exit", True)
        receive("never")        # the EXIT stays queued

    def main():
        a, b, c, d = spawn(trapper), spawn(idle), spawn(idle), spawn(idle)
        sleep(0.1)      # a traps exits by now
        exit(a, "bye")          # trapping: becomes an EXIT message
        exit(b, "normal")       # ignored
        exit(c, "kill")         # untrappable
        exit(d, "bye")          # dies with that reason
        sleep(0.1)
        return a, b, c, d
    (a, b, c, d), rec = record(main)
    outcome = {e["pid"]: (e["outcome"], e["reason"]) for e in kinds(rec, "signal")}
    assert outcome == {a.id: ("trapped", "bye"), b.id: ("ignored", "normal"),
                       c.id: ("killed", "kill"), d.id: ("exit", "bye")}
    d_exit, = [e for e in kinds(rec, "exit") if e["pid"] == d.id]
    snap = state_at(rec, d_exit["seq"])         # before the run's end stops them all
    assert snap.mailbox(a)[0]["text"].startswith("('EXIT', <0.")
    assert snap.process(c)["reason"] == "killed" and snap.process(d)["reason"] == "bye"
    assert snap.process(b)["alive"]


def test_a_signal_through_a_link_is_marked_so():
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(idle)
        exit(pid, "kill")
        receive(("EXIT", ANY, ANY))
    _, rec = record(main)
    via = [(e["outcome"], e["via_link"]) for e in kinds(rec, "signal")]
    assert via == [("killed", False), ("trapped", True)]


# ------------------------------------------------------------------ messages
def test_a_selective_receive_records_its_pattern_and_the_messages_it_skipped():
    def picky(parent):
        send(parent, "ready")
        receive(("ok", ANY))        # skips "a" and "b", queued before it
        send(parent, "took")
        receive()

    def main():
        pid = spawn(picky, self())
        receive("ready")
        send(pid, "a")
        send(pid, "b")
        send(pid, ("ok", 1))
        receive("took")
        return pid
    pid, rec = record(main)
    recv = [e for e in kinds(rec, "recv") if e["pid"] == pid.id and e["pattern"]][0]
    assert recv["pattern"] == "('ok', ANY)" and recv["index"] == 2
    sends = {e["text"]: e["seq"] for e in kinds(rec, "send") if e["pid"] == pid.id}
    assert recv["took"] == sends["('ok', 1)"] and recv["skipped"] == [sends["'a'"], sends["'b'"]]
    # the mailbox then and after
    before, after = state_at(rec, recv["seq"] - 1), state_at(rec, recv["seq"])
    assert [m["text"] for m in before.mailbox(pid)] == ["'a'", "'b'", "('ok', 1)"]
    assert [m["text"] for m in after.mailbox(pid)] == ["'a'", "'b'"]


def test_the_sequence_trace_data_is_the_messages_up_to_a_moment():
    def echo():
        while True:
            frm, msg = receive()
            send(frm, ("echo", msg))

    def main():
        pid = spawn(echo)
        for i in range(3):
            send(pid, (self(), i))
            receive()
        return pid
    pid, rec = record(main)
    snap = state_at(rec)
    texts = [m["text"] for m in snap.messages]
    assert texts[-2:] == [f"({snap.process(pid)['parent'] and '<0.1.0>'}, 2)", "('echo', 2)"]
    assert all(m["taken"] is not None for m in snap.messages)
    middle = state_at(rec, snap.messages[2]["seq"])
    assert len(middle.messages) == 3


def test_a_message_sent_after_the_receiver_changed_it_shows_what_was_sent():
    def main():
        pid = spawn(idle)
        data = [1, 2]
        send(pid, ("data", data))
        data.append(3)      # the sender's copy: the message is a copy anyway
        return pid
    _, rec = record(main)
    assert kinds(rec, "send")[-1]["text"] == "('data', [1, 2])"


def test_flush_takes_every_queued_message():
    def main():
        send(self(), "a")
        send(self(), "b")
        beamlab.flush()
    _, rec = record(main)
    snap = state_at(rec)
    assert [e["pattern"] for e in kinds(rec, "recv")] == ["flush", "flush"]
    assert snap.mailbox(1) == []


# ------------------------------------------------------------------ timers
def test_timers_set_fire_and_cancel_are_recorded():
    def main():
        send_after(1.0, self(), "tick")
        t = send_after(5.0, self(), "never")
        receive("tick")
        cancel_timer(t)
        receive(timeout=2.0, default=None)      # a receive timeout, on the clock
    _, rec = record(main)
    assert [(e["action"], e["timer"]) for e in kinds(rec, "timer")][:4] == \
        [("set", 0), ("set", 1), ("fire", 0), ("cancel", 1)]
    assert kinds(rec, "timer")[-1]["action"] == "timeout"


# ------------------------------------------------------------------ GenServer
class Counter(GenServer):
    def init(self, start):
        return Ok({"count": start})

    def handle_call(self, request, from_, state):
        state["count"] += 1
        return Reply(state["count"], state)

    def handle_cast(self, request, state):
        return NoReply({"count": 0})


def test_genserver_callbacks_are_recorded_with_result_and_a_preview_of_the_new_state():
    def main():
        pid = Counter.start_link(5)
        Counter.call(pid, "bump")
        Counter.call(pid, "bump")
        Counter.cast(pid, "reset")
        Counter.call(pid, "bump")
        return pid
    pid, rec = record(main)
    init, = [e for e in kinds(rec, "gen") if e["pid"] == pid.id]
    assert (init["callback"], init["result"], init["state"]) == ("init", "ok", "{'count': 5}")
    done = [(e["callback"], e["result"], e["state"], e["reply"])
            for e in kinds(rec, "recv") if e["pid"] == pid.id]
    assert done == [("handle_call", "reply", "{'count': 6}", "6"),
                    ("handle_call", "reply", "{'count': 7}", "7"),
                    ("handle_cast", "noreply", "{'count': 0}", None),
                    ("handle_call", "reply", "{'count': 1}", "1")]
    # the state as it was at each moment (the server's dict is mutated in place)
    first_call = [e for e in kinds(rec, "recv") if e["pid"] == pid.id][0]
    assert state_at(rec, first_call["seq"]).last_state(pid) == "{'count': 6}"
    assert state_at(rec).last_state(pid) == "{'count': 1}"
    # the call's request and its reply are in the sequence trace
    msgs = [(m["text"], m.get("reply", False)) for m in state_at(rec).messages if pid.id in (m["to"], m["from"])]
    assert msgs[-2:] == [("('$gen_call', (<0.1.0>, #Ref), 'bump')", False), ("1", True)]


# ------------------------------------------------------------------ supervisors
def child():
    receive()


def start_child():
    return spawn_link(child)


def test_supervisor_decisions_and_the_tree_at_each_moment():
    specs = [{"id": c, "start": (start_child,)} for c in ("a", "b", "c")]

    def main():
        sup = Supervisor.start_link(specs, strategy="one_for_all", max_restarts=2, max_seconds=5)
        first = dict((cid, pid) for cid, pid, _, _ in Supervisor.which_children(sup))
        sleep(1)
        exit(first["b"], "kill")
        sleep(1)
        second = dict((cid, pid) for cid, pid, _, _ in Supervisor.which_children(sup))
        return sup, first, second
    (sup, first, second), rec = record(main)
    restarts = [e for e in kinds(rec, "sup") if e["event"] == "restart"]
    assert [e["details"]["child_id"] for e in restarts] == ["a", "b", "c"]
    assert restarts[1]["text"] == f"one_for_all: restarting b → <0.{second['b'].id}.0> — 1/2 in 5 s"
    # before the kill: the first children, no restart; after: the new ones, one restart
    kill = [e for e in kinds(rec, "signal") if e["pid"] == first["b"].id][0]
    before, after = state_at(rec, kill["seq"] - 1), state_at(rec, restarts[-1]["seq"])
    assert before.children(sup) == sorted(p.id for p in first.values())
    assert after.children(sup) == sorted(p.id for p in second.values())
    b = before.supervisor(sup)      # known from its init, before any restart
    assert (b["strategy"], b["intensity"], b["period"], b["restarts"], b["window"]) == \
        ("one_for_all", 2, 5, 0, [])
    s = after.supervisor(sup)
    assert (s["strategy"], s["restarts"], s["intensity"], s["period"]) == ("one_for_all", 3, 2, 5)
    assert s["window"] == [1.0] and s["child_restarts"] == {"a": 1, "b": 1, "c": 1}
    assert before.process(first["b"])["alive"] and not after.process(first["b"])["alive"]


def test_a_supervisor_giving_up_is_recorded():
    specs = [{"id": "a", "start": (start_child,)}]

    def main():
        process_flag("trap_exit", True)
        sup = Supervisor.start_link(specs, strategy="one_for_one", max_restarts=1, max_seconds=5)
        for _ in range(2):
            (_, pid, _, _), = Supervisor.which_children(sup)
            exit(pid, "kill")
            sleep(0.1)
        receive(("EXIT", sup, ANY))
        return sup
    sup, rec = record(main)
    give_up, = [e for e in kinds(rec, "sup") if e["event"] == "escalate"]
    assert give_up["text"].startswith("giving up: 2/1 in 5 s")
    assert state_at(rec).supervisor(sup)["gave_up"]


# ------------------------------------------------------------------ the caps
def test_the_event_cap_holds_and_the_baseline_still_knows_who_is_alive():
    def main():
        early = spawn(idle)
        for i in range(2000):
            send(self(), i)
            receive()
        return early
    early, rec = record(main, max_events=500)
    assert len(rec) <= 500 and rec.evicted > 0
    assert early.id in state_at(rec, rec.first_seq).alive()
    assert rec.base.procs[early.id]["call"].endswith("idle")


def test_the_byte_cap_holds_with_big_messages():
    big = "x" * 100_000

    def main():
        for i in range(300):
            send(self(), (i, big, list(range(1000))))
            receive()
    rec = Recorder(max_bytes=64 * 1024)
    beamlab.run(main, clock=MockClock(), record=rec)
    assert rec.bytes <= 64 * 1024 and len(rec) > 10
    assert all(len(e["text"]) < 300 for e in rec.recording().events() if e["kind"] == "send")


def test_the_byte_estimate_is_what_the_ring_really_holds():
    """tracemalloc's count of what a full ring keeps stays within the byte cap's
    estimate (give or take a fifth): the cap is a real bound on memory."""
    def main():
        pid = Counter.start_link(0)
        for i in range(3000):
            send(self(), ("msg", i, [i] * 20))
            receive()
            Counter.call(pid, i)
    cap = 512 * 1024
    tracemalloc.start()
    rt = Runtime(clock=MockClock(), record=Recorder(max_bytes=cap))
    base = tracemalloc.get_traced_memory()[0]
    rt.run(main)
    rec = rt.recorder
    rt = None
    import gc
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert rec.evicted > 0
    assert held <= cap * 1.2, f"the ring holds {held:,} bytes for a cap of {cap:,}"


def test_events_alone_never_exceed_the_cap_one_by_one():
    rec = Recorder(max_events=10, max_bytes=10 * EVENT_BYTES * 4)

    def main():
        for i in range(100):
            send(self(), i)
            receive()
            assert len(rec) <= 10 and rec.bytes <= rec.max_bytes
    beamlab.run(main, clock=MockClock(), record=rec)


def test_the_byte_count_is_the_sum_of_the_events_it_holds_after_evictions():
    """The ring adds up its events' sizes in batches and evicts in batches: what it says
    it holds is exactly what the events it still has add up to, and the readers' view of
    the ring (`_ring`, walked from its end by the timeline) is the same events."""
    rec = Recorder(max_events=300, max_bytes=40_000)

    def main():
        pid = Counter.start_link(0)
        for i in range(400):
            send(self(), ("msg", i) if i % 3 else "x" * (i % 90))
            receive()
            Counter.call(pid, i)
    beamlab.run(main, clock=MockClock(), record=rec)
    events = rec.events()
    assert rec.evicted > 0 and 0 < len(events) <= 300
    assert rec.bytes == sum(ev[8] for ev in events) <= 40_000
    assert [ev[0] for ev in events] == list(range(events[0][0], events[0][0] + len(events)))
    assert events[-1][0] == rec.evicted + len(events)
    assert list(reversed(rec._ring)) == events[::-1] and rec._ring[-1] == events[-1]
    assert rec._ring[0] == events[0] and len(rec._ring) == len(events)


# ------------------------------------------------------------------ previews
def test_a_10000_deep_nested_list_previews_at_once():
    deep = []
    for _ in range(10_000):
        deep = [deep]
    t0 = time.perf_counter()
    p, size = preview(deep)
    assert render(p).startswith("[[[[") and len(render(p)) < 100
    assert time.perf_counter() - t0 < 0.5     # generous: it is microseconds

    def main():
        pid = spawn(idle)
        send(pid, ("deep", deep))
    _, rec = record(main)
    assert kinds(rec, "send")[-1]["text"].startswith("('deep', [[[[")


def test_previews_are_bounded_and_small_terms_kept_as_they_are():
    assert preview(("ok", 1))[0] == ("ok", 1)
    wide = [[[["a" * 100] * 8] * 8] * 8] * 8        # reprlib bounds each level: 8**4 leaves
    p, size = preview(wide)
    assert len(render(p)) <= 1000 and render(p).endswith("...") and size == 49 + len(p)
    assert len(render(preview("y" * 10_000)[0])) < 100
    assert len(render(preview(list(range(100_000)))[0])) < 100
    assert len(render(preview({i: i for i in range(10_000)})[0])) < 100

    class Loud:
        def __repr__(self):
            raise RuntimeError("no")
    assert render(preview(Loud())[0]) == "<test_previews_are_bounded_and_small_terms_kept_as_they_are.<locals>.Loud>"


class Front(GenServer):
    """Calls Counter from inside its own handle_call (a nested call)."""
    def init(self, counter):
        return Ok(counter)

    def handle_call(self, request, from_, counter):
        if request == "boom":
            raise ValueError("boom")
        return Reply(("front", Counter.call(counter, request)), counter)


def test_a_call_made_inside_a_callback_keeps_both_callbacks_events():
    def main():
        counter = Counter.start_link(0)
        front = Front.start_link(counter)
        GenServer.get_state(front)          # a $system message: taken, no callback
        return counter, front, Front.call(front, "bump")
    (counter, front, answer), rec = record(main)
    assert answer == ("front", 1)
    done = {e["pid"]: (e["callback"], e["reply"]) for e in kinds(rec, "recv")
            if e.get("callback") == "handle_call"}
    assert done == {counter.id: ("handle_call", "1"), front.id: ("handle_call", "('front', 1)")}
    # every message to the front server was taken: its mailbox replays empty
    last_call = max(e["seq"] for e in kinds(rec, "recv") if e["pid"] == front.id)
    assert state_at(rec, last_call).mailbox(front) == []
    handed = [e["text"] for e in kinds(rec, "send") if e["direct"] and e["other"] == front.id]
    # get_state's reply, handed over directly; the call's reply is in the callback's event
    assert len(handed) == 1 and handed[0].endswith(f", <0.{counter.id}.0>)")
    to_front = [m for m in state_at(rec, last_call).messages if m["to"] == front.id]
    assert len(to_front) == 3 and all(m["taken"] is not None for m in to_front)   # + Counter's reply


def test_a_callback_that_crashes_still_records_the_message_it_took():
    def main():
        process_flag("trap_exit", True)
        front = Front.start_link(None)
        try:
            Front.call(front, "boom")
        except ProcessExit:     # the call fails: the server exited before replying
            pass
        receive(("EXIT", front, ANY))
        return front
    front, rec = record(main)
    took = [e for e in kinds(rec, "recv") if e["pid"] == front.id]
    assert len(took) == 1 and took[0]["took"] is not None
    assert (took[0]["callback"], took[0]["result"], took[0]["reason"]) == \
        ("raised", "crash", "ValueError: boom")
    exit_ev, = [e for e in kinds(rec, "exit") if e["pid"] == front.id]
    assert took[0]["seq"] < exit_ev["seq"] and exit_ev["reason"] == "ValueError: boom"


def test_scrubbing_with_keyframes_gives_the_same_state_as_a_replay_from_the_start():
    from beamlab.runtime.recording import Recording
    specs = [{"id": c, "start": (start_child,)} for c in ("a", "b")]

    def main():
        sup = Supervisor.start_link(specs, strategy="one_for_one", max_restarts=100, max_seconds=5)
        pid = Counter.start_link(0)
        for i in range(30):
            send(self(), ("tick", i))
            Counter.call(pid, "bump")
            if i % 10 == 0:
                exit(which(sup, "a"), "kill")
            sleep(0.1)
        receive(("tick", 29))       # the others stay queued
    _, rec = record(main)
    Recording.KEYFRAME = 37         # small, so that most seqs fall between keyframes
    try:
        for seq in range(rec.first_seq, rec.last_seq + 1, 7):
            fast, slow = rec.state_at(seq), state_at(rec, seq)
            assert (fast.alive(), fast.tree(), fast.messages, fast.took) == \
                (slow.alive(), slow.tree(), slow.messages, slow.took), seq
            assert [fast.mailbox(p) for p in fast.alive()] == [slow.mailbox(p) for p in slow.alive()]
            assert [fast.supervisor(p) for p in fast.sups] == [slow.supervisor(p) for p in slow.sups]
    finally:
        Recording.KEYFRAME = 2000


def which(sup, cid):
    return [pid for i, pid, _, _ in Supervisor.which_children(sup) if i == cid][0]


def test_a_message_to_a_process_that_is_gone_is_recorded_as_lost():
    def main():
        pid = spawn(lambda: None)
        sleep(0.1)          # it has exited
        send(pid, "anyone there?")
        return pid
    pid, rec = record(main)
    lost, = [e for e in kinds(rec, "send") if e["pid"] == pid.id]
    assert lost["lost"] and lost["text"] == "'anyone there?'"
    snap = state_at(rec)
    assert [m.get("lost") for m in snap.messages if m["to"] == pid.id] == [True]


def test_a_recorder_attached_to_a_running_runtime_starts_from_who_is_alive():
    rec = Recorder()

    def main():
        early = spawn(idle)
        register("early", early)
        rec.attach(current_runtime())
        send(early, "hi")
        return early
    early = beamlab.run(main, clock=MockClock())
    r = rec.recording()
    exists = {e["pid"]: e for e in kinds(r, "exists")}
    assert exists[early.id]["name"] == "early" and exists[early.id]["call"].endswith("idle")
    snap = state_at(r, kinds(r, "send")[0]["seq"])
    assert early.id in snap.alive() and snap.process(early)["name"] == "early"


def test_a_dynamic_supervisors_restarts_are_recorded():
    from beamlab.runtime.otp import DynamicSupervisor

    def main():
        sup = DynamicSupervisor.start_link(max_restarts=3, max_seconds=5)
        child = DynamicSupervisor.start_child(sup, {"id": "w", "start": (start_child,)})
        exit(child, "kill")
        sleep(0.1)
        return sup, child
    (sup, child), rec = record(main)
    restart, = [e for e in kinds(rec, "sup") if e["event"] == "restart"]
    assert restart["pid"] == sup.id and restart["details"]["old_pid"] == child.id
    s = state_at(rec, restart["seq"]).supervisor(sup)
    assert (s["intensity"], s["period"], s["restarts"]) == (3, 5, 1)


def test_the_timeline_marks_crashes_restarts_and_giving_up():
    specs = [{"id": "a", "start": (start_child,)}]

    def crasher():
        raise ValueError("oops")

    def main():
        process_flag("trap_exit", True)
        spawn(crasher)
        sup = Supervisor.start_link(specs, strategy="one_for_one", max_restarts=1, max_seconds=5)
        for _ in range(2):
            exit(which(sup, "a"), "kill")
            sleep(0.1)
        receive(("EXIT", sup, ANY))
    _, rec = record(main)
    marks = [(m["kind"], m["text"].split(":")[0]) for m in rec.marks()]
    assert marks[0] == ("crash", "<0.2.0> crashed")
    assert [k for k, _ in marks[1:]] == ["restart", "giveup"]
    assert rec.marks()[1]["text"].startswith("one_for_one: restarting a → <0.")


def test_a_window_of_a_recording_replays_the_same_moments():
    specs = [{"id": c, "start": (start_child,)} for c in ("a", "b")]

    def main():
        sup = Supervisor.start_link(specs, strategy="one_for_all", max_restarts=10, max_seconds=5)
        for _ in range(3):
            exit(which(sup, "b"), "kill")
            sleep(0.1)
        return sup
    sup, rec = record(main)
    restarts = [e["seq"] for e in kinds(rec, "sup") if e["event"] == "restart"]
    part = rec.window(first=restarts[2], last=restarts[-1])
    assert part.first_seq == restarts[2] and part.last_seq == restarts[-1]
    assert part.evicted == len([e for e in rec.events() if e["seq"] < restarts[2]])
    for seq in range(restarts[2], restarts[-1] + 1):
        a, b = part.state_at(seq), rec.state_at(seq)
        assert (a.alive(), a.tree()) == (b.alive(), b.tree())
        assert a.supervisor(sup) == b.supervisor(sup)
    assert len(rec.tail(5)) == 5 and rec.tail(5).last_seq == rec.last_seq


def test_the_same_run_on_a_mock_clock_records_the_same_log_twice():
    """The baseline for deterministic runs (issue 13, point 4): cooperative scheduling on a
    MockClock gives the same event log, crashes, restarts and timers included. Refs are
    numbered when first shown, across runtimes, so they are compared without their number."""
    import re
    specs = [{"id": "counter", "start": (Counter.start_link, 0)}] + \
        [{"id": c, "start": (start_child,)} for c in "abc"]

    def main():
        sup = Supervisor.start_link(specs, strategy="rest_for_one", max_restarts=100, max_seconds=5)
        for k in range(6):
            Counter.call(which(sup, "counter"), "bump")
            exit(which(sup, "abc"[k % 3]), "boom")
            send_after(0.05, which(sup, "a"), "late")
            sleep(0.1)

    def log():
        rec = Recorder()
        Runtime(clock=MockClock(), preemption="cooperative", crash_reports=False,
                record=rec).run(main)
        return [re.sub(r"#Ref<[0-9.]+>", "#Ref", repr(e)) for e in rec.recording().events()]
    first = log()
    assert len(first) > 150 and log() == first


def test_recording_attaches_no_telemetry_handler():
    """Supervisor decisions reach the recorder where they are emitted: a telemetry handler
    would make every spawn and exit build its telemetry event too."""
    rt = Runtime(clock=MockClock(), record=True)
    assert rt.telemetry.handlers == {}


class Lister(GenServer):
    def init(self, arg):
        return Ok(None)

    def handle_call(self, request, from_, state):
        if request == "later":      # answered by a worker the server starts: not its event's reply
            spawn(lambda: GenServer.reply(from_, [1, 2]))
            return NoReply(state)
        return Reply([1, 2], state)     # a list: the caller gets a copy of it


def test_a_calls_reply_is_recorded_once_and_one_given_later_is_recorded_too():
    def main():
        pid = GenServer.start_link(Lister, None)
        return pid, GenServer.call(pid, "now"), GenServer.call(pid, "later")
    (pid, now, later), rec = record(main)
    assert now == later == [1, 2]
    done = [(e["callback"], e["reply"]) for e in kinds(rec, "recv") if e["pid"] == pid.id]
    assert done == [("handle_call", "[1, 2]"), ("handle_call", None)]
    # the callback's event holds the first reply (a copy of it handed over is not logged
    # again); the worker's reply is a message of its own
    handed = [e for e in kinds(rec, "send") if e["direct"]]
    assert len(handed) == 1 and handed[0]["other"] != pid.id and handed[0]["text"].endswith(", [1, 2])")
