"""A stackless process's own GenServer.call parks it like its receive (runtime/_receive.py,
"Stackless processes"; stackless.py rewrites `X.call(...)`): it waits holding no greenlet,
and everything a user sees is what the same process on a greenlet shows.

Each program runs twice, stackless (through stackless.py, as spawn does) and with
`Runtime(stackless=False)`, and the two results must be equal; the stackless run must
really have run the client stackless (`STARTED`) and, where it waits, parked in the call.
"""
from __future__ import annotations

import io
import re
import sys

import pytest

from beamlab.runtime import (ANY, GroupLeader, MockClock, Runtime, current_runtime, exit,
                             process_info, receive, self, send, sleep, spawn, spawn_monitor)
from beamlab.runtime.otp import CallExit, GenServer, NoReply, Ok, Reply, Stop

STARTED: list = []      # the functions a stackless run started as generators


def runtime(on: bool, **kw) -> Runtime:
    kw.setdefault("clock", MockClock(autojump=True))
    rt = Runtime(stackless=on, **kw)
    if on:
        make = rt._generator_function

        def spy(fn):
            gf = make(fn)
            if gf is not None:
                STARTED.append(fn.__name__)
            return gf
        rt._generator_function = spy
    return rt


def both(main, *args, client="client", **kw):
    """main's result stackless and on greenlets (each in a fresh runtime)."""
    STARTED.clear()
    on = runtime(True, **kw).run(main, *args)
    assert client in STARTED, f"{client} did not run stackless: {STARTED}"
    off = runtime(False, **kw).run(main, *args)
    return on, off


def parked_in_call(pid) -> bool:
    """`pid` waits in a GenServer.call with no greenlet: its generator and the call."""
    rec = current_runtime()._table[pid.id]
    return rec.greenlet is None and rec.gen is not None and type(rec.pending).__name__ == "_Call"


def on_greenlet(pid) -> bool:
    return current_runtime()._table[pid.id].greenlet is not None


class Echo(GenServer):
    """Replies to ("echo", x) with x; holds a ("hold", x) call until ("release",) comes;
    crashes on "crash"; replies then stops on "stop"."""

    def init(self, arg):
        return Ok([])

    def handle_call(self, request, from_, held):
        if request == "crash":
            raise ValueError("boom")
        if request == "stop":
            return Stop("normal", held, reply="bye")
        if request[0] == "hold":
            return NoReply(held + [(from_, request[1])])
        return Reply(request[1], held)

    def handle_cast(self, request, held):
        for from_, x in held:
            GenServer.reply(from_, ("released", x))
        return NoReply([])


def down_reason(ref):
    return receive(("DOWN", ref, ANY, ANY, ANY))[4]


def exit_of(reason):
    """How a client ended: its exit reason (a failed call's CallExit is an exit, with
    OTP's reason), or a crash's exception class and message."""
    exc = getattr(reason, "exception", None)
    if exc is not None:
        return type(exc).__name__, str(exc)
    return reason


# ---------------------------------------------------------------- replies, order, waiting

def client(parent, server, n):
    out = [GenServer.call(server, ("echo", i)) for i in range(0)]   # (a comprehension: not ours)
    for i in range(n):
        out.append(GenServer.call(server, ("echo", i)))
        send(parent, ("progress", i))
    out.append(GenServer.call(server, ("hold", "h")))
    send(parent, ("done", out))


def test_replies_come_back_in_order_and_the_caller_waits_parked_in_its_call():
    def main():
        server = Echo.start_link(None)
        pid = spawn(client, self(), server, 3)
        got = [receive(("progress", ANY))[1] for _ in range(3)]
        sleep(0.1)
        parked = parked_in_call(pid) if current_runtime()._generator_function else \
            on_greenlet(pid)
        GenServer.cast(server, ("release",))
        return got, parked, receive(("done", ANY))[1]
    on, off = both(main)
    assert on == off == ([0, 1, 2], True, [0, 1, 2, ("released", "h")])


def test_a_call_counts_its_messages_and_leaves_no_monitor():
    def main():
        rt = current_runtime()
        server = Echo.start_link(None)
        before = rt.stats()
        pid, ref = spawn_monitor(client, self(), server, 5)
        for _ in range(5):
            receive(("progress", ANY))
        sleep(0.1)
        mons = process_info(pid, "monitors"), process_info(server, "monitored_by")
        GenServer.cast(server, ("release",))
        receive(("done", ANY))
        down_reason(ref)
        after = rt.stats()
        return (mons, process_info(server, "monitored_by"),
                after["messages_sent"] - before["messages_sent"])
    on, off = both(main)
    assert on == off
    (mons, watchers), after, _ = on
    assert len(mons) == 1 and len(watchers) == 1 and after == []


# ---------------------------------------------------------------- how a call fails

def failing(server, request, timeout=5.0):
    GenServer.call(server, request, timeout)


def _fail(server_kind, request, timeout=5.0):
    def main():
        server = Echo.start(None)
        if server_kind == "dead":
            exit(server, "kill")
            sleep(0.1)
        elif server_kind == "name":
            server = "nobody"
        elif server_kind == "self":
            server = None
        pid, ref = spawn_monitor(failing, server, request, timeout) if server is not None \
            else spawn_monitor(calls_itself)
        return exit_of(down_reason(ref)), process_info(server, "message_queue_len") \
            if not isinstance(server, str) and server is not None else None
    return main


def calls_itself():
    GenServer.call(self(), "me")


@pytest.mark.parametrize("case", [
    ("dead", ("echo", 1), 5.0), ("name", ("echo", 1), 5.0), ("live", ("hold", 1), 2),
    ("live", "crash", 5.0), ("live", ("hold", 1), 0), ("dead", ("echo", 1), 0),
    ("self", None, 5.0), ("live", ("echo", 1), "soon"),
])
def test_a_failed_call_exits_the_caller_as_on_a_greenlet(case):
    on, off = both(_fail(*case), client="calls_itself" if case[0] == "self" else "failing")
    assert on == off
    assert on[0] != "normal"


def test_the_exit_reasons_are_otps():
    def reason(*case):
        on, off = both(_fail(*case), client="calls_itself" if case[0] == "self" else "failing")
        assert on == off
        return on
    assert reason("live", ("hold", 1), 2)[0][0] == "timeout"
    (why, (_, _, request, timeout)), queue = reason("live", ("hold", 1), 0)
    assert (why, request, timeout, queue) == ("timeout", ("hold", 1), 0, 0)   # held: it came
    assert reason("live", "crash", 5.0)[0][0].kind == "ValueError"     # the server's crash
    assert reason("dead", ("echo", 1), 5.0)[0][0] == "noproc"
    assert reason("dead", ("echo", 1), 0)[0][0] == "noproc"
    assert reason("name", ("echo", 1), 5.0)[0] == ("noproc", ("GenServer.call", "nobody",
                                                              ("echo", 1), 5.0))
    assert reason("self", None)[0][0] == ("calling_self")
    assert reason("live", ("echo", 1), "soon")[0][0] == "TypeError"


def test_a_call_with_wrong_arguments_raises_the_real_calls_typeerror():
    def wrong(server):
        GenServer.call(server)

    def main():
        pid, ref = spawn_monitor(wrong, Echo.start(None))
        return exit_of(down_reason(ref))
    on, off = both(main, client="wrong")
    assert on == off and on[0] == "TypeError"


def stops_then_checks(parent, server):
    answer = GenServer.call(server, "stop")     # replies, then stops: its DOWN comes too
    send(parent, (answer, receive(timeout=0.5, default="no DOWN left")))


def test_the_down_of_a_server_that_stopped_after_replying_is_flushed():
    def main():
        spawn(stops_then_checks, self(), Echo.start(None))
        return receive()
    on, off = both(main, client="stops_then_checks")
    assert on == off == ("bye", "no DOWN left")


def times_out(server):
    GenServer.call(server, ("hold", "late"), 1)


def test_a_reply_after_the_timeout_is_dropped_and_the_monitor_is_gone():
    def main():
        server = Echo.start(None)
        pid, ref = spawn_monitor(times_out, server)
        reason = exit_of(down_reason(ref))
        GenServer.cast(server, ("release",))        # the late reply: to nobody
        sleep(0.1)
        return reason, process_info(server, "monitored_by"), process_info(server, "status")
    on, off = both(main, client="times_out")
    assert on == off
    assert on[0][0] == "timeout" and on[1] == []


# ---------------------------------------------------------------- killed while it waits

def test_a_process_killed_while_parked_in_a_call_dies_at_once_and_its_monitor_goes():
    def main():
        server = Echo.start(None)
        pid, ref = spawn_monitor(failing, server, ("hold", 1), "infinity")
        sleep(0.1)
        waiting = parked_in_call(pid) if current_runtime()._generator_function else \
            on_greenlet(pid)
        watched = len(process_info(server, "monitored_by"))
        exit(pid, "kill")
        reason = receive(("DOWN", ref, ANY, ANY, ANY), timeout=0)[4]
        return waiting, watched, reason, process_info(server, "monitored_by")
    on, off = both(main, client="failing")
    assert on == off == (True, 1, "killed", [])


# ---------------------------------------------------------------- what observers see

def test_process_info_of_a_caller_parked_in_a_call_is_a_greenlet_callers():
    def main():
        server = Echo.start(None)
        pid = spawn(failing, server, ("hold", 1), "infinity")
        sleep(0.1)
        info = process_info(pid)
        return (info["status"], info["current_function"], info["current_location"],
                info["current_stacktrace"])
    on, off = both(main, client="failing")
    assert on == off
    assert on[2] == (__file__, failing.__code__.co_firstlineno + 1)


def learners_part(report):
    """This file's entries of a crash report: its File line, source line and carets."""
    lines = report.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith(f'  File "{__file__}"'):
            out.append(line)
            for more in lines[i + 1:i + 3]:
                if more.startswith("  File") or not more.startswith("    "):
                    break
                out.append(more)
    return out


def bad_timeout(server):
    value = GenServer.call(server,
                           ("echo", 1), timeout="soon")
    return value


def test_a_failed_calls_traceback_shows_the_learners_line_and_carets():
    def main():
        pid, ref = spawn_monitor(bad_timeout, Echo.start(None))
        return down_reason(ref).traceback
    on, off = both(main, client="bad_timeout")
    assert learners_part(on) == learners_part(off)
    assert learners_part(on)[:3] == [
        f'  File "{__file__}", line {bad_timeout.__code__.co_firstlineno + 1}, in bad_timeout',
        "    value = GenServer.call(server,",
        "            ^^^^^^^^^^^^^^^^^^^^^^"]
    assert on.splitlines()[-1] == off.splitlines()[-1]


def test_the_recorder_sees_the_same_events():
    def main():
        server = Echo.start_link(None)
        pid, ref = spawn_monitor(client, self(), server, 2)
        for _ in range(2):
            receive(("progress", ANY))
        sleep(0.1)
        GenServer.cast(server, ("release",))
        receive(("done", ANY))
        down_reason(ref)
        # (seq, t, kind, pid, other, a, b, c, size): all but when, and the refs' numbers
        return [re.sub(r"#Ref<[\d.]+>", "#Ref", repr((e[2], e[3], e[4], e[5], e[7])))
                for e in current_runtime().recorder.events()]
    on, off = both(main, record=True)
    assert on == off
    assert sum(1 for e in on if e.startswith("('send'") and "'call'" in e) == 3   # requests


# ---------------------------------------------------------------- calls that stay calls

def call_in_try(parent, server):
    try:
        value = GenServer.call(server, ("hold", 1), 1)     # in a try: an ordinary call
    except CallExit as e:
        value = e.reason[0]
    send(parent, (value, GenServer.call(server, ("echo", 2))))
    receive()


def test_a_call_inside_try_stays_an_ordinary_call_and_works():
    def main():
        pid = spawn(call_in_try, self(), Echo.start(None))
        got = receive()
        sleep(0.1)
        rec = current_runtime()._table[pid.id]
        return got, rec.gen is not None and rec.greenlet is None
    on, off = both(main, client="call_in_try")
    assert on[0] == off[0] == ("timeout", 2)
    assert on[1] is True        # it parks in its receive: the function did run stackless


class Phone:
    def __init__(self):
        self.log = []

    def call(self, who, *more, loud=False):
        caller = sys._getframe(1).f_code.co_name      # where it was called from
        if who == "nobody":
            raise LookupError(f"no number for {who}")
        self.log.append((who, more, loud))
        return f"rang {who} from {caller}"


def rings(parent, phone):
    first = phone.call("ann")
    second = phone.call(*["bob", 1], **{"loud": True})
    send(parent, (first, second, phone.log))
    phone.call("nobody")


def test_call_on_any_other_object_is_an_ordinary_call_in_the_learners_frame():
    def main():
        pid, ref = spawn_monitor(rings, self(), Phone())
        got = receive()
        return got, down_reason(ref).traceback
    (got_on, tb_on), (got_off, tb_off) = both(main, client="rings")
    assert got_on == got_off == ("rang ann from rings", "rang bob from rings",
                                 [("ann", (), False), ("bob", (1,), True)])
    assert learners_part(tb_on) == learners_part(tb_off)
    assert tb_on.splitlines()[-1] == tb_off.splitlines()[-1] == \
        "LookupError: no number for nobody"
    # the learner's line, then the method's: nothing of the runtime's between
    on_lines = tb_on.splitlines()
    at = next(i for i, line in enumerate(on_lines) if line.endswith(", in rings"))
    assert next(line for line in on_lines[at + 1:] if line.startswith("  File")).endswith(
        ", in call")


def returns_after_calls(server):
    return GenServer.call(server, ("echo", 7)) + 1


def test_a_function_whose_only_waits_are_calls_runs_stackless_and_ends_normally():
    def main():
        pid, ref = spawn_monitor(returns_after_calls, Echo.start(None))
        return down_reason(ref)
    on, off = both(main, client="returns_after_calls")
    assert on == off == "normal"


def test_a_crash_report_of_a_stackless_caller_reads_as_on_a_greenlet():
    err = {True: io.StringIO(), False: io.StringIO()}

    def main(stream):
        current_runtime().default_group_leader = GroupLeader(stream=stream)
        pid, ref = spawn_monitor(failing, Echo.start(None), ("echo", 1), "soon")
        return exit_of(down_reason(ref))
    STARTED.clear()
    rt = runtime(True)
    rt.default_group_leader = GroupLeader(stream=err[True])
    on = rt.run(main, err[True])
    rt._flush_output()
    assert "failing" in STARTED
    rt = runtime(False)
    rt.default_group_leader = GroupLeader(stream=err[False])
    off = rt.run(main, err[False])
    rt._flush_output()
    assert on == off
    reports = [learners_part(e.getvalue()) for e in (err[True], err[False])]
    assert reports[0] == reports[1] and reports[0]


# ---------------------------------------------------------------- another node

def test_a_call_to_a_server_on_a_node_that_is_down_exits_nodedown():
    from beamlab.runtime.nodes import start_node, stop_node

    def main():
        start_node("b")
        me = self()
        spawn("b@lab", lambda: (send(me, Echo.start(None, name="srv")), receive()))
        server = receive()
        pid, ref = spawn_monitor(failing, ("srv", "b@lab"), ("echo", 1))
        ok = down_reason(ref)
        stop_node("b@lab")
        by_name = spawn_monitor(failing, ("srv", "b@lab"), ("echo", 1))[1]
        by_pid = spawn_monitor(failing, server, ("echo", 1))[1]
        return ok, exit_of(down_reason(by_name)), exit_of(down_reason(by_pid)), server
    on, off = both(main, client="failing")
    assert on[:3] == off[:3]
    assert on[:3] == ("normal",
                      (("nodedown", "b@lab"), ("GenServer.call", ("srv", "b@lab"), ("echo", 1), 5.0)),
                      (("nodedown", "b@lab"), ("GenServer.call", on[3], ("echo", 1), 5.0)))
