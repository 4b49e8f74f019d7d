"""GenServer.call's fast paths keep what a learner can see: traces, counts, order, timers.

A call to an idle, untraced server is delivered inline and its reply is handed
straight to the waiting caller; these tests check that every other case takes
the general path and that nothing observable changed.
"""
from __future__ import annotations

from beamlab.runtime import current_runtime, receive, self, send, sleep, spawn
from beamlab.runtime.otp import GenServer, NoReply, Ok, Reply


class Echo(GenServer):
    def init(self, arg):
        return Ok(arg)

    def handle_call(self, request, from_, other):
        if request == "via_other":          # busy in a call of its own meanwhile
            return Reply(("other said", GenServer.call(other, "slow_echo")), other)
        if request == "slow_echo":
            sleep(5)
            return Reply("slow", other)
        return Reply(request, other)


def test_a_traced_call_shows_the_request_then_the_reply():
    def main(seen):
        rt = current_runtime()
        server = Echo.start_link(None)
        stop = rt.trace_sends(lambda frm, to, msg: seen.append((frm, to, msg)))
        answer = GenServer.call(server, "hello")
        stop()
        return self(), server, answer
    seen = []
    me, server, answer = _run(main, seen)
    assert answer == "hello"
    assert [(frm, to, msg[0], msg[2]) for frm, to, msg in seen[:1]] == \
        [(me, server, "$gen_call", "hello")]
    ref = seen[0][2][1][1]
    assert seen[1:] == [(server, me, (ref, "hello"))]


def test_a_call_for_a_process_flagged_for_tracing_shows_both_messages():
    def main(seen):
        rt = current_runtime()
        server = Echo.start_link(None)
        rt.trace(server)
        rt.trace_sends(lambda frm, to, msg: seen.append(msg), traced_only=True)
        GenServer.call(server, "hi")
    seen = []
    _run(main, seen)
    assert [m[0] if m[0] == "$gen_call" else m[1] for m in seen] == ["$gen_call", "hi"]


def test_each_call_counts_one_message_sent_and_one_received_each_way():
    def main():
        rt = current_runtime()
        server = Echo.start_link(None)
        before = rt.stats()
        for i in range(10):
            GenServer.call(server, i)
        after = rt.stats()
        return (after["messages_sent"] - before["messages_sent"],
                after["messages_received"] - before["messages_received"])
    sent, received = _run(main)
    assert sent == 20
    assert received >= 10       # the caller took its 10 replies (the server's are handled, not received)


def test_a_call_to_a_server_busy_in_its_own_call_waits_its_turn():
    def main():
        slow = Echo.start_link(None)
        front = Echo.start_link(slow)
        me = self()

        def second_caller():
            send(me, ("second", GenServer.call(front, "after")))
        spawn(lambda: send(me, ("first", GenServer.call(front, "via_other"))))
        sleep(1)                            # front is now waiting on slow
        spawn(second_caller)
        return [receive(), receive()]
    assert _run(main) == [("first", ("other said", "slow")), ("second", "after")]


def test_calls_answered_in_time_leave_no_timer_behind_and_a_waiting_one_shows_one():
    def main():
        rt = current_runtime()
        server = Echo.start_link(None)
        for i in range(500):
            GenServer.call(server, i)
        idle = rt.stats()["timers"]
        me = self()
        spawn(lambda: send(me, GenServer.call(server, "slow_echo")))
        sleep(1)                            # the caller now waits, up to 5 s
        waiting = rt.stats()["timers"]
        return idle, waiting, receive()
    idle, waiting, answer = _run(main)
    assert (idle, answer) == (0, "slow")
    assert waiting == 2     # the waiting caller's call timeout, and the server's sleep


def test_a_deferred_reply_from_another_process_reaches_the_waiting_caller():
    class Deferring(GenServer):
        def handle_call(self, request, from_, state):
            spawn(lambda: (sleep(1), GenServer.reply(from_, ("later", request))))
            return NoReply(state)

    def main():
        return GenServer.call(Deferring.start_link(None), "q")
    assert _run(main) == ("later", "q")


def _run(main, *args):
    from beamlab.runtime import MockClock, run
    return run(main, *args, clock=MockClock(autojump=True))


def test_a_reply_to_a_process_waiting_in_its_own_receive_wakes_it_on_a_match():
    # GenServer.reply with a from_ made by hand: the monitor ref is the tag, and
    # the process waits for it in a plain receive, not in a call.
    from beamlab.runtime import ANY, monitor

    def main():
        me = self()
        partner = spawn(lambda: receive())
        ref = monitor(partner)
        spawn(lambda: (sleep(1), GenServer.reply((me, ref), "by hand")))
        got = receive((ref, ANY), timeout=5)
        return got[1], current_runtime().clock.now()
    assert _run(main) == ("by hand", 1.0)      # woken by the reply, not at the timeout


def test_a_call_interrupted_by_ctrl_c_leaves_no_late_reply_or_down_behind():
    import os
    import signal

    def main():
        server = Echo.start(None)
        spawn(lambda: (sleep(1), os.kill(os.getpid(), signal.SIGINT)))
        try:
            GenServer.call(server, "slow_echo")     # answers at t=5
        except KeyboardInterrupt:
            pass
        sleep(10)                                   # the late reply comes and goes
        GenServer.stop(server)                      # and the server's DOWN would follow
        return receive(timeout=0, default="empty")
    assert _run(main) == "empty"


def test_a_start_interrupted_by_ctrl_c_stops_the_server_and_leaves_nothing_behind():
    import os
    import signal

    class SlowStart(GenServer):
        def init(self, arg):
            sleep(5)
            return Ok(arg)

    def main():
        before = set(current_runtime().processes())
        spawn(lambda: (sleep(1), os.kill(os.getpid(), signal.SIGINT)))
        try:
            SlowStart.start_link(None)
        except KeyboardInterrupt:
            pass
        sleep(10)               # long after init would have returned
        left = set(current_runtime().processes()) - before
        return left, receive(timeout=0, default="empty")
    assert _run(main) == (set(), "empty")


def test_a_request_that_cannot_be_copied_is_refused_and_leaves_nothing_behind():
    import threading

    from beamlab.runtime import BadArg

    def main():
        server = Echo.start(None)
        try:
            GenServer.call(server, ("lock", threading.Lock()))
        except BadArg as exc:
            text = str(exc)
        answer = GenServer.call(server, "still there")
        GenServer.stop(server)
        return text, answer, receive(timeout=0, default="empty")
    text, answer, left = _run(main)
    assert text.startswith("cannot send a lock (in a tuple): messages are copied")
    assert (answer, left) == ("still there", "empty")
