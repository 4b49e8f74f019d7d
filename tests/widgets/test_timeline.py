"""The live scrubber (issue 13, points 2 and 3): the tree, the inspector and the sequence
trace at a past moment of the flight recorder, on the real runtime with a MockClock.

Each test runs a supervision tree in a recording runtime, then scrubs the widget as the
front end does (`{"type": "scrub", "seq": N}`) and reads what the learner would see: the
DOT the tree draws (through its snapshot), the inspector's data, the sequence rows.
"""
from __future__ import annotations

import pytest
from widget_clicks import click

from beamlab.runtime import (MockClock, Runtime, current_runtime, exit as exit_, receive, send, sleep,
                             spawn, spawn_link)
from beamlab.runtime.otp import ChildSpec, GenServer, NoReply, Ok, Reply, Supervisor
from beamlab.widgets import SequenceTrace, SupervisionTree


class Counter(GenServer):
    def init(self, arg):
        return Ok(arg)

    def handle_call(self, request, from_, state):
        return Reply(state + 1, state + 1)

    def handle_cast(self, request, state):
        return NoReply(state)


def spec(cid):
    return ChildSpec(id=cid, start=(Counter.start_link, 0))


def run(main, record=True):
    return Runtime(clock=MockClock(autojump=True), record=record).run(main)


def children(sup):
    return {cid: pid for cid, pid, _, _ in Supervisor.which_children(sup)}


def clicked(widget, **content) -> None:
    """A click from the front end, then let the runtime run it (clicks are handled in the
    scheduler, outside any process)."""
    click(widget, **content)
    sleep(0.001)


def sent(widget) -> list:
    out: list = []
    widget.send = lambda content, buffers=None: out.append(content)
    return out


def errors(out) -> list[str]:
    return [m["error"] for m in out if isinstance(m, dict) and m.get("type") == "error"]


def seq_now() -> int:
    return current_runtime().recorder._seq


def node(tree, name):
    return tree.snapshot.by_name(name)


def test_scrubbing_back_shows_who_was_alive_then_and_live_snaps_back():
    def main():
        sup = Supervisor.start_link([spec("a"), spec("b"), spec("c")], strategy="one_for_all",
                                    name="app", max_restarts=3, max_seconds=5)
        tree = SupervisionTree("app", live=False)
        old = children(sup)
        before_kill = seq_now()
        exit_(old["b"], "kill")
        sleep(0.1)
        tree.refresh()
        new = children(sup)
        live_dot = tree.dot
        clicked(tree, type="scrub", seq=before_kill)
        then = {n: (str(node(tree, n).pid), node(tree, n).restarts) for n in "abc"}
        then_intensity = str(tree.snapshot.nodes[0].intensity)
        then_status = tree.status_text
        scrubbed_dot = tree.dot
        clicked(tree, type="scrub", seq=None)
        return old, new, then, then_intensity, then_status, scrubbed_dot, live_dot, tree
    old, new, then, then_intensity, then_status, scrubbed_dot, live_dot, tree = run(main)
    assert then == {n: (str(old[n]), 0) for n in "abc"}
    assert then_intensity == "0/3 in 5s"
    assert then_status.startswith("replay: event ") and "4 alive · 0 restarts then" in then_status
    assert str(old["b"]) in scrubbed_dot and str(new["b"]) not in scrubbed_dot
    # Live: the picture is the runtime's now again
    assert tree.at == -1 and tree.moment == {}
    assert tree.dot == live_dot and str(new["b"]) in tree.dot
    assert {n: str(node(tree, n).pid) for n in "abc"} == {n: str(new[n]) for n in "abc"}


def test_restart_counts_and_the_intensity_window_are_as_they_were_at_that_moment():
    def main():
        sup = Supervisor.start_link([spec("a"), spec("b")], strategy="one_for_one", name="app",
                                    max_restarts=3, max_seconds=5)
        tree = SupervisionTree("app", live=False)
        exit_(children(sup)["a"], "kill")
        sleep(0.1)
        after_first = seq_now()
        sleep(6)                                       # the first failure leaves the 5 s window
        exit_(children(sup)["a"], "kill")
        sleep(0.1)
        after_second = seq_now()
        exit_(children(sup)["b"], "kill")
        sleep(0.1)
        tree.refresh()
        seen = []
        for seq in (after_first, after_second):
            tree.scrub(seq)
            seen.append((node(tree, "a").restarts, node(tree, "b").restarts,
                         str(tree.snapshot.nodes[0].intensity)))
        tree.scrub(None)
        seen.append((node(tree, "a").restarts, node(tree, "b").restarts,
                     str(tree.snapshot.nodes[0].intensity)))
        return seen
    assert run(main) == [(1, 0, "1/3 in 5s"), (2, 0, "1/3 in 5s"), (2, 1, "2/3 in 5s")]


def test_the_ticker_does_not_overwrite_a_past_picture_but_keeps_the_timeline_growing():
    def main():
        sup = Supervisor.start_link([spec("a")], name="app")
        tree = SupervisionTree("app", live=False)
        first_pid = str(children(sup)["a"])
        tree.scrub(seq_now())
        dot, last = tree.dot, tree.timeline["last"]
        exit_(children(sup)["a"], "kill")
        sleep(0.1)
        changed = tree.refresh()                   # what the ticker does while scrubbed
        return first_pid, dot, tree.dot, last, tree.timeline, tree.marks, changed, tree.at
    first_pid, dot, dot_after, last, timeline, marks, changed, at = run(main)
    assert changed is False and dot_after == dot and first_pid in dot_after and at != -1
    assert timeline["last"] > last
    assert [m["kind"] for m in marks] == ["restart"]


def test_marks_are_sent_only_when_one_comes_not_with_every_event():
    def main():
        from beamlab.runtime import self as me
        sup = Supervisor.start_link([spec("a")], name="app")
        tree = SupervisionTree("app", live=False)
        changes = []
        tree.observe(lambda ch: changes.append(ch["name"]), names=["marks", "timeline"])
        send(me(), "tick")
        receive()
        tree.refresh()                              # events, no mark: the span only
        exit_(children(sup)["a"], "kill")
        sleep(0.1)
        tree.refresh()                              # a restart: the marks too
        return changes
    assert run(main) == ["timeline", "marks", "timeline"]


def test_a_restart_mark_jumps_to_where_the_death_began_and_says_the_decision():
    def main():
        sup = Supervisor.start_link([spec("a"), spec("b"), spec("c")], strategy="one_for_all",
                                    name="app", max_restarts=3, max_seconds=5)
        tree = SupervisionTree("app", live=False)
        b = children(sup)["b"]
        kill_at = seq_now() + 1                    # the next event: the kill signal
        exit_(b, "kill")
        sleep(0.1)
        tree.refresh()
        return kill_at, tree.marks
    kill_at, marks = run(main)
    assert [m["kind"] for m in marks] == ["restart"] * 3
    b = marks[1]
    assert b["text"].startswith("one_for_all: restarting b → <0.") and b["text"].endswith("— 1/3 in 5 s")
    assert b["from"] == kill_at < b["seq"]


def test_stepping_through_a_kill_gives_the_front_end_each_event_and_what_it_touched():
    def main():
        sup = Supervisor.start_link([spec("a"), spec("b")], strategy="one_for_all", name="app")
        tree = SupervisionTree("app", live=False)
        old = children(sup)
        start = seq_now()
        exit_(old["b"], "kill")
        sleep(0.1)
        tree.refresh()
        steps = []
        for seq in range(start + 1, tree.timeline["last"] + 1):
            clicked(tree, type="scrub", seq=seq)
            e = tree.moment["event"]
            steps.append((e["kind"], e.get("outcome"), e.get("via_link"), tree.moment["keys"],
                          [x["seq"] for x in tree.moment["events"]]))
        keys = {n: node(tree, n).key for n in ("app", "a", "b")}
        return steps, keys, old
    steps, keys, old = run(main)
    kinds = [(k, o) for k, o, *_ in steps]
    assert kinds[:2] == [("signal", "killed"), ("exit", None)]
    # b's death travels along its link to the supervisor, which traps it: an EXIT message
    trapped = next(s for s in steps if s[0] == "signal" and s[1] == "trapped")
    assert trapped[2] is True and trapped[3] == {"pid": keys["app"], "other": keys["b"]}
    assert ("send", None) in kinds[kinds.index(("signal", "trapped")):]
    assert kinds.count(("sup", None)) >= 3          # child_exit, a terminated, the restarts
    # each moment carries the events around it (for describe() and the decision's group)
    assert all(s[4] and min(s[4]) < max(s[4]) for s in steps)


def test_the_inspector_shows_the_mailbox_then_and_what_a_selective_receive_took_and_skipped():
    def picky():
        while True:
            receive(lambda m: m[0] == "want" or None)

    def start_picky():
        return spawn_link(picky)

    def main():
        sup = Supervisor.start_link([ChildSpec(id="picky", start=(start_picky,))], name="app")
        tree = SupervisionTree("app", live=False)
        p = children(sup)["picky"]
        send(p, ("noise", 1))
        queued_at = seq_now()
        send(p, ("want", 2))
        sleep(0.1)
        took_at = next(ev[0] for ev in current_runtime().recorder.events()
                       if ev[2] == "recv" and ev[3] == p.id)
        tree.refresh()
        n = node(tree, "picky")
        clicked(tree, type="inspect", key=n.key, pid=str(n.pid))
        clicked(tree, type="scrub", seq=queued_at)
        queued = tree.inspector
        clicked(tree, type="scrub", seq=took_at)
        taking = tree.inspector
        return queued, taking
    queued, taking = run(main)
    assert queued["alive"] and queued["actions"] == [] and queued["message"].startswith("As it was at event ")
    assert " s in). " in queued["message"]          # seconds into the recording, not the clock's reading
    assert queued["mailbox"] == ["('noise', 1)  ← <0.1.0>"] and queued["mailbox_len"] == 1
    assert [(q["text"].split("  ←")[0], q["cls"]) for q in taking["queue"]] == [
        ("('noise', 1)", "skipped"), ("('want', 2)", "took")]
    assert taking["mailbox"] == ["('noise', 1)  ← <0.1.0>"]       # the skipped one stays behind


def test_the_inspector_shows_a_genservers_state_after_its_last_callback_then():
    def main():
        sup = Supervisor.start_link([spec("count")], name="app")
        c = children(sup)["count"]
        tree = SupervisionTree("app", live=False)
        Counter.call(c, "inc")
        at_one = seq_now()
        Counter.call(c, "inc")
        n = node(tree, "count")
        tree.inspect(n.key, str(n.pid))
        tree.scrub(at_one)
        return tree.inspector
    data = run(main)
    assert data["state"] == "1"
    assert ["last callback", f"handle_call → reply 1 (event {data['fields'][-1][1].split('event ')[1]}"] \
        == data["fields"][-1]


def test_bad_scrub_input_gets_a_clear_error_and_changes_nothing():
    def main():
        sup = Supervisor.start_link([spec("a")], name="app")
        tree = SupervisionTree("app", live=False)
        out = sent(tree)
        dot = tree.dot
        last = tree.timeline["last"]
        for bad in ({"type": "scrub", "seq": last + 1000}, {"type": "scrub", "seq": -5},
                    {"type": "scrub", "seq": "12"}, {"type": "scrub", "seq": True},
                    {"type": "scrub", "seq": 1.5}, {"type": "scrub"},
                    {"type": "scrub", "seq": 3, "speed": 2}):
            clicked(tree, **bad)
        state = (tree.at, tree.dot == dot, tree.moment)
        clicked(tree, type="scrub", seq=last)                      # a good one still works
        return out, last, state, tree.at, sup
    out, last, state, at, _ = run(main)
    errs = errors(out)
    assert len(errs) == 7 and all(e.startswith("ignored a message from the browser: ") for e in errs)
    assert f"seq {last + 1000} is outside the recording, which holds events 1..{last} (0 is its start); " \
           "drag within the timeline, or send null for live" in errs[0]
    assert "seq -5 is outside the recording" in errs[1]
    assert [e.split(": ", 1)[1] for e in errs[2:]] == [
        '"scrub" message: "seq" must be an integer or null, not \'12\'',
        '"scrub" message: "seq" must be an integer or null, not True',
        '"scrub" message: "seq" must be an integer or null, not 1.5',
        '"scrub" message: "seq" is missing',
        '"scrub" message: unexpected key \'speed\'; it takes seq']
    assert state == (-1, True, {})
    assert at == last


def test_a_runtime_that_does_not_record_has_no_timeline_and_says_how_to_get_one():
    def main():
        Supervisor.start_link([spec("a")], name="app")
        tree = SupervisionTree("app", live=False)
        out = sent(tree)
        clicked(tree, type="scrub", seq=1)
        return tree.timeline, errors(out), tree.at
    timeline, errs, at = run(main, record=False)
    assert timeline == {} and at == -1
    assert errs == ['ignored a message from the browser: "scrub" message: nothing to scrub: this runtime '
                    "does not record; start it with Runtime(record=True) (the beamlab kernel does) to scrub back"]


def test_timeline_false_leaves_the_timeline_out():
    def main():
        Supervisor.start_link([spec("a")], name="app")
        tree = SupervisionTree("app", live=False, timeline=False)
        out = sent(tree)
        clicked(tree, type="scrub", seq=1)
        return tree.timeline, errors(out)
    timeline, errs = run(main)
    assert timeline == {} and "its timeline is off (timeline=False)" in errs[0]


# ------------------------------------------------------------------ the sequence trace
def ping_pong():
    def pong():
        while True:
            frm, n = receive()
            send(frm, ("pong", n))
    return spawn(pong)


def test_the_sequence_trace_scrubbed_shows_the_messages_up_to_then_and_live_snaps_back():
    def main():
        from beamlab.runtime import self as me
        p = ping_pong()
        trace = SequenceTrace(me(), p, live=False)
        send(p, (me(), 0))
        receive()
        mid = seq_now()
        send(p, (me(), 1))
        receive()
        trace.refresh()
        live = [e["label"] for e in trace.events]
        clicked(trace, type="scrub", seq=mid)
        then = [(e["label"], e["queued"]) for e in trace.events]
        queues = trace.moment["queues"]
        send(p, (me(), 2))                    # traced while scrubbed: kept for Live, not drawn
        receive()
        trace.refresh()
        still = [e["label"] for e in trace.events]
        clicked(trace, type="scrub", seq=None)
        return me(), live, then, queues, still, [e["label"] for e in trace.events]
    me, live, then, queues, still, back = run(main)
    assert live == [f"({me!r}, 0)", "('pong', 0)", f"({me!r}, 1)", "('pong', 1)"]
    assert then == [(f"({me!r}, 0)", False), ("('pong', 0)", False)]
    # the moment is main's receive of the first pong: its mailbox drawn before it, the pong taken
    assert queues == {str(me): [{"text": "('pong', 0)", "seq": queues[str(me)][0]["seq"], "cls": "took"}],
                      next(k for k in queues if k != str(me)): []}
    assert [x for x, _ in then] == still
    assert back == live + [f"({me!r}, 2)", "('pong', 2)"]


def test_the_sequence_trace_at_a_send_marks_it_moving_and_queued_until_received():
    def main():
        from beamlab.runtime import self as me
        sink = spawn(lambda: receive(lambda m: m == "b" or None) and sleep(10))
        trace = SequenceTrace(me(), sink, live=False)
        send(sink, "a")
        send(sink, "b")
        at_b = seq_now()
        sleep(0.1)
        took = next(ev[0] for ev in current_runtime().recorder.events() if ev[2] == "recv" and ev[3] == sink.id)
        trace.scrub(at_b)
        sending = [(e["label"], e["queued"], e["now"]) for e in trace.events]
        queue_then = trace.moment["queues"][str(sink)]
        trace.scrub(took)
        taking = trace.moment["queues"][str(sink)]
        after = [(e["label"], e["queued"]) for e in trace.events]
        return sending, queue_then, taking, after
    sending, queue_then, taking, after = run(main)
    assert sending == [("'a'", True, False), ("'b'", True, True)]
    assert [(q["text"], q["cls"]) for q in queue_then] == [("'a'", ""), ("'b'", "")]
    assert [(q["text"], q["cls"]) for q in taking] == [("'a'", "skipped"), ("'b'", "took")]
    assert after == [("'a'", True), ("'b'", False)]


def test_a_sequence_trace_no_view_shows_reads_and_sends_nothing_until_one_does():
    def main():
        from beamlab.runtime import self as me
        p = ping_pong()
        trace = SequenceTrace(me(), p, live=False)
        out = sent(trace)
        send(p, (me(), 0))
        receive()
        trace._tick()                             # what the ticker does: no view, nothing
        unseen = (list(trace.events), len(trace._buf))
        trace._handle = 1                         # as if started (live): a first view refreshes now
        clicked(trace, type="view", id="v1", visible=True)
        return unseen, [e["label"] for e in trace.events], out
    unseen, seen, out = run(main)
    assert unseen == ([], 2)
    assert len(seen) == 2 and errors(out) == []


def test_a_bad_message_to_the_sequence_trace_is_answered_with_an_error():
    def main():
        from beamlab.runtime import self as me
        trace = SequenceTrace(me(), live=False)
        out = sent(trace)
        clicked(trace, type="scrub", seq="late")
        clicked(trace, type="explode")
        return errors(out)
    errs = run(main)
    assert errs[0] == ('ignored a message from the browser: "scrub" message: "seq" must be an integer or '
                       "null, not 'late'")
    assert 'unknown message type \'explode\'; this widget understands "clear", "scrub"' in errs[1]


def test_the_sequence_traces_front_end_keeps_its_saved_picture_current():
    def main():
        from beamlab.runtime import self as me
        return SequenceTrace(me(), live=False)
    trace = run(main)
    part = trace.saved_part()
    assert trace.static_id and f'data-beamlab-part="{trace.static_id}"' in part
    assert trace.keys and "static_id" in trace.keys      # synced: the front end writes into that part


def test_a_live_sequence_trace_answers_a_scrub_too():
    # a started trace holds its ticker subscription in `_handle`: a scrub must not call that
    def main():
        from beamlab.runtime import self as me
        p = ping_pong()
        trace = SequenceTrace(me(), p)             # live: subscribed to the ticker
        out = sent(trace)
        send(p, (me(), 0))
        receive()
        last = seq_now()
        clicked(trace, type="scrub", seq=last)
        trace.close()
        return trace.at, last, errors(out), [e["label"] for e in trace.events]
    at, last, errs, labels = run(main)
    assert errs == [] and at == last and labels[-1] == "('pong', 0)"


def test_a_folded_group_expands_at_a_past_moment_too():
    def main():
        sup = Supervisor.start_link([spec(f"w{i}") for i in range(12)], name="app")
        tree = SupervisionTree("app", live=False, max_children=4)
        tree.scrub(seq_now())
        group = next(n for n in tree.snapshot.nodes if n.kind == "group")
        folded = group.hidden
        clicked(tree, type="expand", key=group.key)
        return folded, tree.at != -1, [n.kind for n in tree.snapshot.nodes].count("worker")
    folded, scrubbed, workers = run(main)
    assert folded == 10 and scrubbed and workers == 12


def test_with_nothing_selected_the_inspector_follows_the_events_process_while_stepping():
    def main():
        sup = Supervisor.start_link([spec("a"), spec("b")], strategy="one_for_all", name="app")
        tree = SupervisionTree("app", live=False)
        old = children(sup)["b"]
        start = seq_now()
        exit_(old, "kill")
        sleep(0.1)
        tree.refresh()
        shown = []
        for seq in range(start + 1, start + 6):
            tree.scrub(seq)
            shown.append((tree.moment["event"]["kind"], tree.inspector.get("title"),
                          tree.inspector.get("mailbox"), tree.inspector.get("alive")))
        tree.scrub(None)
        return old, sup, shown, tree.inspector
    old, sup, shown, live = run(main)
    assert shown[0] == ("signal", f"b {old}", [], True)            # the kill reaching b
    assert shown[1][:2] == ("exit", f"b {old}") and shown[1][3] is False
    exit_msg = next(s for s in shown if s[0] == "send")             # b's EXIT, queued for app
    assert exit_msg[1] == f"app {sup}" and exit_msg[2] == [f"('EXIT', {old}, 'killed')  ← {old}"]
    assert live == {}                                               # Live: nothing was selected
