"""The live message sequence diagram."""
from __future__ import annotations

from widget_clicks import click

from beamlab.runtime import MockClock, Runtime, exit as exit_, receive, register, send, sleep, spawn
from beamlab.widgets import SequenceTrace


def run(main):
    return Runtime(clock=MockClock()).run(main)


def ping_pong():
    def pong():
        while True:
            frm, n = receive()
            send(frm, ("pong", n))

    p = spawn(pong)
    register("pong", p)
    return p


def test_messages_between_traced_processes_appear_in_order_with_their_time():
    def main():
        from beamlab.runtime import self as me
        p = ping_pong()
        trace = SequenceTrace(me(), "pong", live=False)
        for n in range(2):
            send(p, (me(), n))
            receive()
            sleep(1)
        trace.refresh()
        return me(), p, trace
    me, p, trace = run(main)
    assert [(e["from_pid"], e["to_pid"], e["label"]) for e in trace.events] == [
        (str(me), str(p), f"({me!r}, 0)"), (str(p), str(me), "('pong', 0)"),
        (str(me), str(p), f"({me!r}, 1)"), (str(p), str(me), "('pong', 1)")]
    assert [e["t"] for e in trace.events] == [0.0, 0.0, 1.0, 1.0]
    assert [part["label"] for part in trace.participants] == [str(me), f"pong {p}"]


def test_messages_with_untraced_processes_are_left_out_unless_others_is_on():
    def main():
        from beamlab.runtime import self as me
        p = ping_pong()
        quiet = SequenceTrace("pong", live=False)
        loud = SequenceTrace("pong", others=True, live=False)
        send(p, (me(), 0))
        receive()
        quiet.refresh(); loud.refresh()
        return quiet.events, loud.events, loud.participants
    quiet, loud, parts = run(main)
    assert quiet == []
    assert [(e["from"], e["to"]) for e in loud] == [("others", loud[0]["to"]), (loud[0]["to"], "others")]
    assert parts[-1]["id"] == "others"


def test_a_traced_process_that_exits_ends_its_lifeline_with_the_reason():
    def main():
        p = ping_pong()
        trace = SequenceTrace(p, live=False)
        exit_(p, "kill")
        sleep(0.01)
        trace.refresh()
        return trace.events
    [event] = run(main)
    assert (event["kind"], event["label"]) == ("exit", "exit: 'killed'")


def test_the_diagram_keeps_only_the_newest_messages_and_says_how_many_it_dropped():
    def main():
        from beamlab.runtime import self as me
        trace = SequenceTrace(me(), live=False, max_events=5)
        for n in range(12):
            send(me(), n)
        trace.refresh()
        return trace
    trace = run(main)
    assert [e["label"] for e in trace.events] == ["7", "8", "9", "10", "11"]
    assert trace.dropped == 7


def test_pause_stops_recording_and_clear_empties_the_diagram():
    def main():
        from beamlab.runtime import self as me
        trace = SequenceTrace(me(), live=False)
        send(me(), "kept")
        trace.set_state({"paused": True})          # the Pause button
        send(me(), "not recorded")
        trace.refresh()
        seen = [e["label"] for e in trace.events]
        click(trace, type="clear")
        return seen, trace.events
    seen, after = run(main)
    assert seen == ["'kept'"] and after == []


def test_closing_the_trace_removes_its_hook_from_the_send_path():
    def main():
        from beamlab.runtime import current_runtime, self as me
        rt = current_runtime()
        trace = SequenceTrace(me(), live=False)
        n = len(rt._flag_tracers)
        trace.close()
        return n, len(rt._flag_tracers), len(rt._send_tracers)
    assert run(main) == (1, 0, 0)   # and it never sat on the path of untraced sends
