"""`run(main)` runs main as an ordinary process, stackless when it can be (runtime/_driver.py).

A main whose receives sit in its own body waits as a parked generator with no
greenlet, as any such process does; one that cannot (a receive inside try, a lambda,
`Runtime(stackless=False)`) runs on a greenlet. Either way a user sees the same: what
main returns, what it raised with its own traceback, ProcessExit when it was killed,
a Deadlock or Ctrl-C raised where it waits. Each program here runs both ways and
compares. The runtime's clock is a MockClock: nothing here reads the wall clock.
"""
from __future__ import annotations

import signal
import threading
import traceback

import greenlet
import pytest

import beamlab
from beamlab.runtime import (ANY, Deadlock, MockClock, ProcessExit, Runtime, current_runtime,
                             exit, process_info, receive, self, send, spawn)
from beamlab.runtime.deterministic import event_log
from beamlab.runtime.otp import GenServer, NoReply, Ok


def runtime(stackless=True, **kw):
    kw.setdefault("clock", MockClock(autojump=True))
    kw.setdefault("preemption", "cooperative")
    return Runtime(stackless=stackless, **kw)


def both(main, *args, **kwargs):
    """What `run(main, ...)` returns in a runtime with stackless processes and in one without."""
    return [runtime(on).run(main, *args, **kwargs) for on in (True, False)]


def raised_by(main, *args):
    """What `run(main, ...)` raised, in a runtime with stackless processes and in one without."""
    out = []
    for on in (True, False):
        rt = runtime(on)
        with pytest.raises(BaseException) as info:
            rt.run(main, *args)
        assert rt._stopped, "run stops the runtime when main fails"
        out.append(info.value)
    return out


def peek(main_pid):
    """Tell main whether it waits parked (no greenlet, its generator all that is left)."""
    rec = current_runtime()._table[main_pid.id]
    send(main_pid, ("parked", rec.greenlet is None and rec.gen is not None))


def user_frames(exc):
    """The traceback's frames from `run` on: (function, line, source line)."""
    frames = traceback.extract_tb(exc.__traceback__)
    names = [f.name for f in frames]
    return [(f.name, f.lineno, f.line) for f in frames[names.index("run"):]]


def last_frame_text(exc) -> list[str]:
    """The last frame as Python prints it: the file and line, the source, the carets."""
    text = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return text[-2].splitlines()


# ---- return value ----------------------------------------------------------------------

def returns(a, b=0, *, c=1):
    spawn(peek, self())
    _, parked = receive(("parked", ANY))
    return ("sum", a + b + c, parked)


def test_run_returns_mains_value_and_main_waited_parked_with_no_greenlet():
    on, off = both(returns, 1, 2, c=3)
    assert on == ("sum", 6, True)
    assert off == ("sum", 6, False)


def returns_at_once():
    return 42


def lambda_main():
    return (lambda: receive(timeout=0, default="nothing"))()


def test_a_main_that_never_waits_and_one_that_cannot_be_stackless_return_as_before():
    assert both(returns_at_once) == [42, 42]
    assert both(lambda_main) == ["nothing", "nothing"]
    assert both(lambda: 7) == [7, 7]


def echo():
    while True:
        frm, msg = receive()
        send(frm, msg)


def pingpong(n):
    pid, me = spawn(echo), self()
    total = 0
    for i in range(n):
        send(pid, (me, i))
        total += receive()
    return total


def test_a_stackless_main_waits_for_its_messages_with_no_greenlet_switch():
    """main and the echo both stackless: each parks and the other resumes on the same
    greenlet. On greenlets every round trip is two switches."""
    n = 300
    counts = []
    for on in (True, False):
        switches = [0]

        def trace(event, args):
            if event == "switch":
                switches[0] += 1
        old = greenlet.settrace(trace)
        try:
            assert runtime(on).run(pingpong, n) == sum(range(n))
        finally:
            greenlet.settrace(old)
        counts.append(switches[0])
    on, off = counts
    assert off >= 2 * n
    assert on < 10, f"{on} greenlet switches for {n} round trips with stackless processes"


# ---- exceptions ------------------------------------------------------------------------

def failing(values):
    spawn(peek, self())
    _, parked = receive(("parked", ANY))
    total = sum(values)
    return total / len(values)      # ZeroDivisionError for []


def test_a_failing_main_raises_its_own_exception_with_its_line_and_carets(capsys):
    on, off = raised_by(failing, [])
    for exc in (on, off):
        assert type(exc) is ZeroDivisionError      # the exception itself, not a Crash
        frames = user_frames(exc)
        assert [name for name, _, _ in frames] == ["run", "failing"]
        assert frames[-1][2] == "return total / len(values)      # ZeroDivisionError for []"
    assert last_frame_text(on) == last_frame_text(off)
    assert last_frame_text(on)[-1].strip() == "~~~~~~^~~~~~~~~~~~~"
    # run raises it: no crash report of main besides
    assert "ERROR REPORT" not in capsys.readouterr().err


def crashing_child():
    raise ValueError("child")


def main_with_a_crashing_child():
    spawn(crashing_child)
    receive(timeout=0.5, default=None)
    return "done"


def test_a_crashing_child_is_still_reported(capsys):
    assert both(main_with_a_crashing_child) == ["done", "done"]
    assert capsys.readouterr().err.count("ERROR REPORT") == 2


def stop_iteration_main():
    receive(timeout=0, default=None)
    raise StopIteration("from main")


def test_a_main_raising_stop_iteration_raises_it_as_it_was():
    on, off = raised_by(stop_iteration_main)
    assert type(on) is type(off) is StopIteration and on.args == off.args == ("from main",)


# ---- exits -----------------------------------------------------------------------------

def killer(pid):
    exit(pid, "kill")


def killed_main():
    spawn(killer, self())
    receive()


def exiting_main():
    receive(timeout=0, default=None)
    exit("shutdown")


def test_a_killed_main_makes_run_raise_process_exit():
    on, off = raised_by(killed_main)
    assert type(on) is type(off) is ProcessExit and on.reason == off.reason == "killed"
    on, off = raised_by(exiting_main)
    assert type(on) is type(off) is ProcessExit and on.reason == off.reason == "shutdown"


SEEN: list = []     # what other processes saw (spawn copies its arguments: no list passed)


def spinner():
    for _ in range(1000):
        pass
    SEEN.append("spinner ran")


def returns_while_others_are_runnable():
    receive(timeout=0, default=None)
    spawn(spinner)
    return "main done"


def returns_after_others_ran():
    spawn(spinner)
    receive(timeout=0.1, default=None)
    return "main done"


def test_run_returns_when_main_returns_and_stops_the_rest():
    for on in (True, False):
        SEEN.clear()
        rt = runtime(on)
        assert rt.run(returns_while_others_are_runnable) == "main done"
        assert SEEN == [] and rt._stopped and not rt._table
        SEEN.clear()
        assert runtime(on).run(returns_after_others_ran) == "main done"
        assert SEEN == ["spinner ran"]


# ---- the loop's failures, Ctrl-C -------------------------------------------------------

def deadlocked():
    send(self(), "not this one")
    receive(("never", ANY))


def test_a_deadlock_is_raised_in_mains_receive():
    on, off = raised_by(deadlocked)
    for exc in (on, off):
        assert type(exc) is Deadlock
        assert "every process is waiting in receive()" in str(exc) and "deadlocked" in str(exc)
        name, line, text = user_frames(exc)[1]
        assert (name, text) == ("deadlocked", 'receive(("never", ANY))')
    assert user_frames(on)[1] == user_frames(off)[1]


class Silent(GenServer):
    """Never answers a call."""

    def init(self, arg):
        return Ok(None)

    def handle_call(self, request, caller, state):
        return NoReply(state)


def calls_a_silent_server():
    server = Silent.start_link(None)
    spawn(peek_call, self())
    GenServer.call(server, "anyone there?", timeout="infinity")


def peek_call(main_pid):
    rec = current_runtime()._table[main_pid.id]
    SEEN.append(rec.greenlet is None and type(rec.pending).__name__ == "_Call")


def test_a_deadlock_is_raised_in_mains_own_genserver_call_where_it_waits():
    for on in (True, False):
        SEEN.clear()
        rt = runtime(on)
        with pytest.raises(Deadlock) as info:
            rt.run(calls_a_silent_server)
        assert SEEN == [on]     # stackless: parked in the call, with no greenlet
        name, line, text = user_frames(info.value)[1]
        assert (name, text) == ("calls_a_silent_server",
                                'GenServer.call(server, "anyone there?", timeout="infinity")')


def cleans_up(log):
    try:
        receive()           # inside try: on a greenlet, and the finally runs
    finally:
        log.append("cleaned up")


def test_a_deadlock_unwinds_a_greenlet_main_through_its_finally():
    for on in (True, False):
        log = []
        with pytest.raises(Deadlock):
            runtime(on).run(cleans_up, log)
        assert log == ["cleaned up"]


def interrupter():
    signal.raise_signal(signal.SIGINT)


def interrupted():
    spawn(interrupter)
    receive()
    return "not interrupted"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                    reason="Ctrl-C is handled in the main thread")
def test_ctrl_c_while_main_waits_is_raised_at_its_receive():
    on, off = raised_by(interrupted)
    for exc in (on, off):
        assert type(exc) is KeyboardInterrupt
        name, line, text = user_frames(exc)[1]
        assert (name, text) == ("interrupted", "receive()")


def nested():
    try:
        current_runtime().run(returns_at_once)
    except RuntimeError as e:
        refused = str(e)
    spawn(peek, self())
    return refused, receive()[1]


def test_run_inside_a_process_is_refused_and_the_runtime_goes_on():
    on, off = both(nested)
    assert on[0] == off[0] and "cannot be nested" in on[0]
    assert (on[1], off[1]) == (True, False)


# ---- what observers see ----------------------------------------------------------------

def observer(main_pid):
    info = process_info(main_pid)
    shown = {k: info[k] for k in ("label", "status", "current_location", "initial_call",
                                  "current_function", "registered_name", "parent")}
    shown["default_group_leader"] = info["group_leader"] is current_runtime().default_group_leader
    send(main_pid, shown)


def observed():
    print("main says hello")
    spawn(observer, self())
    info = receive()
    return info, self()


def test_process_info_output_and_pid_of_main_are_the_same_either_way(capsys):
    (on, pid_on), (off, pid_off) = both(observed)
    assert on == off and pid_on == pid_off
    assert on["label"] == "main" and on["status"] == "waiting" and on["default_group_leader"]
    assert on["current_function"] == "receive" and on["parent"] is None
    assert on["initial_call"] == f"{__name__}.observed"
    assert on["current_location"][1] == observed.__code__.co_firstlineno + 3
    assert capsys.readouterr().out == "main says hello\n" * 2


def relay(parent, n):
    for i in range(n):
        send(parent, ("hop", i))


def recorded_main():
    spawn(relay, self(), 3)
    spawn(peek, self())
    got = []
    for _ in range(3):
        got.append(receive(("hop", ANY)))
    return got, receive(("parked", ANY))[1]


def test_a_deterministic_run_of_a_stackless_main_gives_the_same_events_per_seed():
    recs = [beamlab.Recorder() for _ in range(2)]
    values = [beamlab.run(recorded_main, seed=11, record=rec) for rec in recs]
    assert values[0] == values[1] == ([("hop", 0), ("hop", 1), ("hop", 2)], True)
    logs = [event_log(rec) for rec in recs]
    assert logs[0] == logs[1]
    mains = [e for e in logs[0] if e["kind"] in ("spawn", "exit") and e["pid"] == 1]
    assert [e["kind"] for e in mains] == ["spawn", "exit"], mains
