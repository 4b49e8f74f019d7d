"""The stackless driver (runtime/_receive.py, "Stackless processes"): a function process
run as a generator holds no greenlet while it waits in a receive of its own body, and
everything a user can observe is what the same process on a greenlet shows.

The generator functions here are written by hand, following stackless.py's protocol
(`receive()` -> `(yield receive)`, `receive(*a, **k)` -> `(yield (receive, a, k))`), and
given to the runtime in place of stackless.generator_function, so these tests check the
driver alone. Each runs a program twice where it matters, stackless and with
`Runtime(stackless=False)`, and compares what a user sees.
"""
from __future__ import annotations

import contextvars
import io
import sys
import time

import pytest

import beamlab.runtime.api as api
from beamlab.runtime import (ANY, GroupLeader, MockClock, ReceiveTimeout, Runtime, exit, link,
                             monitor, process_flag, process_info, self, send, sleep, spawn,
                             spawn_monitor)
from beamlab.runtime.api import receive
from beamlab.runtime.deterministic import event_log


GENS: dict = {}     # function -> its hand-made generator function


def stackless(fn):
    """Register `fn`'s generator version for the function named by its `__name__` minus `_g`."""
    GENS[globals()[fn.__name__[:-2]]] = fn
    return fn


STARTED = []        # a generator started by the driver: (function name)


def generator_function(fn):
    gf = GENS.get(fn)
    if gf is None:
        return None

    def started(*args, **kwargs):
        STARTED.append(fn.__name__)
        return gf(*args, **kwargs)
    return started


def runtime(stackless_on=True, **kw):
    kw.setdefault("clock", MockClock(autojump=True))
    rt = Runtime(stackless=stackless_on, **kw)
    if stackless_on:
        rt._generator_function = generator_function
    return rt


def ran_stackless(rt, main, *args):
    """What `rt.run(main, *args)` returns, having checked some process ran stackless."""
    STARTED.clear()
    value = rt.run(main, *args)
    assert STARTED, "no process ran stackless"
    return value


def both(main, *args, **kw):
    """main's result in a stackless runtime and in one without (each fresh)."""
    return [ran_stackless(runtime(True, **kw), main, *args), runtime(False, **kw).run(main, *args)]


def record_of(pid):
    from beamlab.runtime import current_runtime
    return current_runtime()._table[pid.id]


def is_parked(pid) -> bool:
    """The process waits with no greenlet, its generator all that is left of its stack."""
    rec = record_of(pid)
    return rec.greenlet is None and rec.gen is not None


def settle():
    sleep(0.001)


# ---- process bodies and their generator versions ---------------------------------------

def forward(nxt):
    while True:
        send(nxt, receive())


@stackless
def forward_g(nxt):
    while True:
        send(nxt, (yield receive))


def collect(parent, n):
    got = []
    for _ in range(n):
        got.append(receive())
    send(parent, ("got", got))


@stackless
def collect_g(parent, n):
    got = []
    for _ in range(n):
        got.append((yield receive))
    send(parent, ("got", got))


def selective(parent, pattern):
    m = receive(pattern)
    send(parent, ("took", m))
    send(parent, ("rest", [receive(timeout=0) for _ in range(process_info(self())["message_queue_len"])]))


@stackless
def selective_g(parent, pattern):
    m = (yield (receive, (pattern,), {}))
    send(parent, ("took", m))
    rest = []
    for _ in range(process_info(self())["message_queue_len"]):
        rest.append((yield (receive, (), {"timeout": 0})))
    send(parent, ("rest", rest))


def timed(parent):
    send(parent, ("first", receive(timeout=1, default="nothing")))
    send(parent, ("second", receive(timeout=5)))


@stackless
def timed_g(parent):
    send(parent, ("first", (yield (receive, (), {"timeout": 1, "default": "nothing"}))))
    send(parent, ("second", (yield (receive, (), {"timeout": 5}))))


def idle():
    receive()


def remade(fn, source):
    """The generator version of `fn` from `source`, on fn's own lines of this file (as
    stackless.py makes it: a traceback or a stack shows the learner's lines)."""
    import ast
    tree = ast.parse(source)
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - 1)
    ns = {}
    exec(compile(tree, __file__, "exec"), globals(), ns)
    GENS[fn] = ns[fn.__name__]


remade(idle, "def idle():\n    (yield receive)\n")


def crasher():
    msg = receive()
    return 1 / msg


@stackless
def crasher_g():
    msg = (yield receive)
    return 1 / msg


def napper(parent):
    receive()
    nap(parent)             # blocks the ordinary way, inside a function it calls
    receive()


def nap(parent):
    try:
        send(parent, "napping")
        sleep(10)
    finally:
        send(parent, "cleaned up")


@stackless
def napper_g(parent):
    (yield receive)
    nap(parent)
    (yield receive)


def rebound(parent):
    send(parent, receive())


@stackless
def rebound_g(parent):
    send(parent, (yield (lambda: "not beamlab's receive")))


def stopper():
    receive()
    raise StopIteration("from the body")


@stackless
def stopper_g():
    (yield receive)
    raise StopIteration("from the body")


def spinner(parent):
    receive()
    x = 0
    while True:
        x += 1


@stackless
def spinner_g(parent):
    (yield receive)
    x = 0
    while True:
        x += 1


VAR = contextvars.ContextVar("VAR", default="unset")


def printer():
    while True:
        receive()
        print("value", VAR.get())


@stackless
def printer_g():
    while True:
        (yield receive)
        print("value", VAR.get())


def bad_kwarg():
    receive(timeot=1)


@stackless
def bad_kwarg_g():
    (yield (receive, (), {"timeot": 1}))


# ---- tests -------------------------------------------------------------------------------

def test_a_process_waiting_in_its_own_receive_holds_no_greenlet_and_off_switches_it_off():
    def main():
        pid = spawn(idle)
        settle()
        return is_parked(pid), record_of(pid).greenlet is not None

    assert both(main) == [(True, False), (False, True)]


def test_a_ring_passes_the_token_in_order_through_parked_processes():
    def main():
        first = self()
        for _ in range(50):
            first = spawn(forward, first)
        for i in range(3):
            send(first, ("token", i))
        got = [receive(), receive(), receive()]
        return got, is_parked(first)

    on, off = both(main)
    assert on == ([("token", 0), ("token", 1), ("token", 2)], True)
    assert off[0] == on[0]


def test_messages_arrive_in_order_across_parks():
    def main():
        pid = spawn(collect, self(), 5)
        for i in range(5):
            send(pid, i)
            if i % 2:
                settle()
        return receive()

    assert both(main) == [("got", [0, 1, 2, 3, 4])] * 2


def test_selective_receive_keeps_the_others_queued_in_order_and_only_a_match_wakes_it():
    calls = []

    def wanted(m):
        calls.append(m)
        return m == "b"

    def main():
        calls.clear()
        pid = spawn(selective, self(), wanted)
        settle()
        send(pid, "a")
        send(pid, "c")
        settle()
        asleep = process_info(pid, "status")
        send(pid, "b")
        took, rest = receive(), receive()
        return asleep, took, rest, list(calls)

    on, off = both(main)
    # each message tested by its sender (only "b" wakes it), then once by the receiver
    assert on == ("waiting", ("took", "b"), ("rest", ["a", "c"]), ["a", "c", "b"] * 2)
    assert off == on


def test_a_timeout_and_default_and_no_stale_timer_waking_a_later_receive(clock=None):
    def main():
        pid, ref = spawn_monitor(timed, self())
        first = receive(("first", ANY))         # its 1 s passed: the default
        settle()
        parked = is_parked(pid)
        sleep(3)                 # 4 s in: a stale timer of the first receive would wake it
        send(pid, "hello")
        second = receive(("second", ANY))
        return first, parked, second, receive(("DOWN", ref, ANY, ANY, ANY))[4]

    on, off = both(main)
    assert on == (("first", "nothing"), True, ("second", "hello"), "normal")
    assert off[0] == on[0] and off[2:] == on[2:]


def test_receive_timeout_is_raised_at_the_learners_line():
    def main():
        pid, ref = spawn_monitor(timed, self())
        receive(("first", ANY))
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    err = io.StringIO()
    for on in (True, False):
        rt = runtime(on)
        rt.default_group_leader = GroupLeader(stream=err)
        reason = ran_stackless(rt, main) if on else rt.run(main)
        assert reason.kind == "ReceiveTimeout"
        assert 'send(parent, ("second", receive(timeout=5)))' in reason.traceback \
            or "(yield (receive, (), {\"timeout\": 5})" in reason.traceback


def test_killing_a_parked_process_ends_it_at_once_with_its_links_and_monitors_told():
    def main():
        process_flag("trap_exit", True)
        pid = spawn(idle)
        link(pid)
        ref = monitor(pid)
        settle()
        parked = is_parked(pid)
        exit(pid, "kill")
        # no step of the scheduler needed: the DOWN and EXIT are there at once
        return (parked, process_info(pid), receive(("DOWN", ref, ANY, ANY, ANY), timeout=0)[4],
                receive(("EXIT", pid, ANY), timeout=0)[2])

    on, off = both(main)
    assert on == (True, None, "killed", "killed")
    assert off[1:] == on[1:]


def test_a_parked_process_trapping_exits_gets_them_as_messages():
    def main():
        pid = spawn(collect, self(), 2)
        settle()
        exit(pid, "shutdown")      # not trapping: it dies with that reason
        pid2, ref = spawn_monitor(collect, self(), 1)
        settle()
        record_of(pid2).trap_exit = True
        exit(pid2, "shutdown")
        return process_info(pid), receive(("got", ANY)), receive(("DOWN", ref, ANY, ANY, ANY))[4]

    on, off = both(main)
    assert on[0] is None and on[1][1][0][0] == "EXIT" and on[1][1][0][2] == "shutdown"
    assert on[2] == "normal"
    assert off == on


def test_killing_it_while_it_blocks_inside_a_function_it_calls_unwinds_that_function():
    def main():
        pid, ref = spawn_monitor(napper, self())
        send(pid, "go")
        assert receive() == "napping"
        holding = record_of(pid).greenlet is not None     # it keeps its worker meanwhile
        exit(pid, "kill")
        return holding, receive(), receive(("DOWN", ref, ANY, ANY, ANY))[4]

    assert both(main) == [(True, "cleaned up", "killed")] * 2


def test_after_blocking_the_ordinary_way_it_parks_again_with_no_greenlet():
    def main():
        pid = spawn(napper, self())
        send(pid, "go")
        receive()
        sleep(11)
        assert receive() == "cleaned up"
        settle()
        return is_parked(pid), process_info(pid, "status")

    assert both(main)[0] == (True, "waiting")


def report_of(fn, on):
    err = io.StringIO()
    rt = runtime(on)
    rt.default_group_leader = GroupLeader(stream=err)

    def main():
        pid, ref = spawn_monitor(fn)
        settle()
        send(pid, 0)
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    reason = ran_stackless(rt, main) if on else rt.run(main)
    rt._flush_output()
    return reason, err.getvalue()


def learner_lines(text):
    return [line for line in text.splitlines() if __file__ in line or line.startswith(("    ", "Zero", "Stop"))
            and "runtime" not in line]


def test_a_crash_reports_the_learners_line_as_a_greenlet_process_does():
    (r_on, on), (r_off, off) = report_of(crasher, True), report_of(crasher, False)
    assert r_on == r_off and r_on.kind == "ZeroDivisionError"
    first = on.splitlines()[0]
    assert first.startswith("=ERROR REPORT==== process <0.") and "crasher) crashed:" in first
    assert first.split(" ", 3)[3] == off.splitlines()[0].split(" ", 3)[3]
    assert "return 1 / msg" in on and on.rstrip().endswith("ZeroDivisionError: division by zero")
    assert on.splitlines()[-3:] == off.splitlines()[-3:]


def test_a_stopiteration_from_the_body_is_the_crash_reason_not_peps_runtime_error():
    (r_on, on), (r_off, off) = report_of(stopper, True), report_of(stopper, False)
    assert r_on.kind == r_off.kind == "StopIteration"
    assert "StopIteration: from the body" in on


def test_process_info_of_a_parked_process_shows_the_receive_line_as_a_greenlet_one():
    def main():
        pid = spawn(idle)
        settle()
        info = process_info(pid)
        return (is_parked(pid), info["current_function"], info["current_location"],
                info["current_stacktrace"], info["status"])

    on, off = both(main)
    assert on[0] and not off[0]
    assert on[1:] == off[1:]
    assert on[1] == "receive" and on[2][0] == __file__


def test_the_recorder_sees_the_same_events_as_for_greenlet_processes():
    def main():
        first = self()
        for _ in range(5):
            first = spawn(forward, first)
        pid = spawn(selective, self(), "b")
        send(pid, "a")
        send(pid, "b")
        receive(("took", ANY))
        receive(("rest", ANY))
        send(first, "token")
        receive()
        return "ok"

    logs = []
    for on in (True, False):
        # cooperative: a preemption tick (a loaded machine can stretch a slice past it)
        # would add events of its own to one log and not the other
        rt = runtime(on, record=True, preemption="cooperative")
        ran_stackless(rt, main) if on else rt.run(main)
        logs.append([{k: v for k, v in e.items() if k != "t"}
                     for e in event_log(rt.recorder.recording())])
    assert logs[0] == logs[1] and len(logs[0]) > 20


def test_a_spinning_stackless_process_is_preempted_and_resumed():
    def main():
        pid = spawn(spinner, self())
        settle()
        send(pid, "go")
        t0 = time.monotonic()
        sleep(0.05)         # the spinner runs meanwhile: only the tick lets this go on
        return record_of(pid).greenlet is not None, time.monotonic() - t0 < 5

    rt = Runtime(preemption="signal")
    rt._generator_function = generator_function
    assert ran_stackless(rt, main) == (True, True)


def test_stop_ends_parked_processes_without_running_or_printing_anything(capfd):
    unraisable = []
    old = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        rt = runtime()
        pids = []

        def main():
            for _ in range(20):
                pids.append(spawn(idle))
            settle()
            return all(is_parked(p) for p in pids)

        rt.start()
        shell = rt.new_process()
        assert rt.run_as(shell, main)
        rt.stop()
        import gc
        gc.collect()
    finally:
        sys.unraisablehook = old
    assert unraisable == []
    assert capfd.readouterr().err == ""
    assert rt.processes() == []


def test_output_goes_to_its_group_leader_in_its_own_context():
    out = io.StringIO()
    gl = GroupLeader(stream=out)

    def main():
        VAR.set("spawner's")
        pid = spawn(printer)
        from beamlab.runtime import group_leader
        group_leader(gl, pid)
        settle()
        VAR.set("changed later")
        send(pid, 1)
        settle()
        send(pid, 2)
        settle()
        return is_parked(pid)

    rt = runtime()
    assert ran_stackless(rt, main)
    gl.flush_out(rt)
    assert out.getvalue() == "value spawner's\nvalue spawner's\n"


def test_a_rebound_receive_is_called_as_the_line_would_call_it():
    def main():
        spawn(rebound, self())
        return receive()

    assert ran_stackless(runtime(), main) == "not beamlab's receive"


def test_a_wrong_keyword_to_receive_crashes_with_pythons_own_message():
    def main():
        pid, ref = spawn_monitor(bad_kwarg)
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]

    on, off = both(main)
    assert on.kind == off.kind == "TypeError"
    assert str(on.exception) == str(off.exception)


def test_parked_processes_count_against_the_process_limit():
    from beamlab.runtime import SystemLimit

    def main():
        pids = [spawn(idle) for _ in range(3)]
        settle()
        with pytest.raises(SystemLimit):
            spawn(idle)
        return all(is_parked(p) for p in pids)

    assert ran_stackless(runtime(process_limit=4), main)


def test_the_shell_process_is_never_stackless():
    """Code run_as runs (a notebook cell) runs on the external process's own greenlet.
    (run's main is an ordinary process, stackless when it can be: test_run_stackless.py.)"""
    def main():
        return record_of(self()).external, record_of(self()).gen, receive(timeout=0, default=7)

    remade(main, "def main():\n    (yield receive)\n")
    rt = runtime().start()
    try:
        assert rt.run_as(rt.new_process(), main) == (True, None, 7)
    finally:
        del GENS[main]
        rt.stop()


UNWOUND = []


def holder():
    receive()
    hold()
    receive()


def hold():
    try:
        sleep(100)
    finally:
        UNWOUND.append("hold's finally ran")


@stackless
def holder_g():
    (yield receive)
    hold()
    (yield receive)


def test_stop_unwinds_a_stackless_process_blocked_inside_a_function_it_calls():
    UNWOUND.clear()
    rt = runtime()
    rt.start()
    shell = rt.new_process()

    def main():
        pid = spawn(holder)
        send(pid, "go")
        settle()
        return record_of(pid).greenlet is not None

    STARTED.clear()
    assert rt.run_as(shell, main) and STARTED == ["holder"]
    rt.stop()
    assert UNWOUND == ["hold's finally ran"]
    assert rt.processes() == []

