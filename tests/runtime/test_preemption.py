"""Preemption: one process in `while True: pass` must not stop the others.

These run on the real clock with SIGALRM preemption (the spinners never call
into the runtime, so only the tick can switch them out). Each takes a fraction
of a second; the receive timeouts are generous hang guards, never assertions
about speed.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
import threading

import pytest

import beamlab
from beamlab.runtime import (ANY, GroupLeader, Runtime, exit, group_leader, is_process_alive,
                             monitor, process_info, receive, self, send, sleep, spawn, spawn_link,
                             spawn_monitor)

pytestmark = pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"),
                                reason="signal preemption needs SIGALRM (not on Windows)")

GUARD = 5.0     # seconds a receive may wait before the test fails instead of hanging


def real_run(main, *args):
    return beamlab.run(main, *args, preemption="signal")


def spinner():
    while True:
        pass


def spinner_with_finally(parent):
    try:
        while True:
            pass
    finally:
        send(parent, "finally ran")


def ticker(parent, n):
    for i in range(n):
        sleep(0.01)
        send(parent, ("tick", i))


def test_a_ten_ms_ticker_keeps_ticking_beside_spinners():
    def main():
        for _ in range(2):
            spawn(spinner)
        spawn(ticker, self(), 10)
        return [receive(("tick", ANY), timeout=GUARD)[1] for _ in range(10)]

    assert real_run(main) == list(range(10))


def test_other_processes_keep_receiving_beside_spinners():
    def echo():
        while True:
            frm, msg = receive()
            send(frm, msg)

    def main():
        for _ in range(2):
            spawn(spinner)
        pid = spawn(echo)
        replies = []
        for i in range(20):
            send(pid, (self(), i))
            replies.append(receive(timeout=GUARD))
        return replies

    assert real_run(main) == list(range(20))


def test_a_spinner_is_killed_by_exit_kill_and_its_finally_block_runs():
    def main():
        pid = spawn(spinner_with_finally, self())
        sleep(0.02)                     # it is spinning now
        ref = monitor(pid)
        exit(pid, "kill")
        reason = receive(("DOWN", ref, "process", pid, ANY), timeout=GUARD)[4]
        return reason, receive("finally ran", timeout=GUARD), is_process_alive(pid)

    assert real_run(main) == ("killed", "finally ran", False)


def test_a_spinner_is_ended_by_an_ordinary_exit_signal_too():
    def main():
        pid, ref = spawn_monitor(spinner)
        sleep(0.02)
        exit(pid, "shutdown")
        return receive(("DOWN", ref, "process", pid, ANY), timeout=GUARD)[4]

    assert real_run(main) == "shutdown"


def test_a_spinner_linked_to_a_crashing_process_is_taken_down():
    def doomed_spinner():
        spawn_link(lambda: (sleep(0.02), 1 / 0))
        spinner()

    def main():
        pid, ref = spawn_monitor(doomed_spinner)
        return receive(("DOWN", ref, "process", pid, ANY), timeout=GUARD)[4].kind

    assert real_run(main) == "ZeroDivisionError"


def test_a_spinner_that_catches_exception_is_still_killed():
    def stubborn():
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    def main():
        pid, ref = spawn_monitor(stubborn)
        sleep(0.02)
        exit(pid, "kill")
        return receive(("DOWN", ref, "process", pid, ANY), timeout=GUARD)[4]

    assert real_run(main) == "killed"


def test_a_busy_main_process_is_preempted_so_the_others_run():
    flag = []

    def setter():
        flag.append("set by another process")

    def main():
        spawn(setter)
        while not flag:         # never calls the runtime: only preemption lets setter run
            pass
        return flag[0]

    assert real_run(main) == "set by another process"


def test_many_spinners_each_get_a_turn():
    counts = [0] * 4        # shared through the closure, so main can read what each has done

    def counting_spinner(i):
        while True:
            counts[i] += 1

    def main():
        for i in range(4):
            spawn(counting_spinner, i)
        sleep(0.2)
        return counts

    assert all(c > 0 for c in real_run(main))


# ---------------------------------------------------------------- modes

def test_auto_mode_in_the_main_thread_uses_signals():
    assert "signal preemption" in repr(Runtime())


def test_cooperative_mode_is_shown_in_the_runtimes_repr():
    assert "cooperative preemption" in repr(Runtime(preemption="cooperative"))


def test_in_cooperative_mode_a_process_runs_until_it_receives():
    # Documented fallback: processes switch only when they receive, sleep or exit,
    # so main's busy loop finishes before the spawned process gets its turn.
    log = []

    def other():
        log.append("other ran")

    def main():
        spawn(other)
        for i in range(200_000):
            if i % 50_000 == 0:
                log.append(f"main at {i}")
        log.append("main receives")
        receive(timeout=0.01, default=None)
        return log

    result = Runtime(preemption="cooperative").run(main)
    assert result == ["main at 0", "main at 50000", "main at 100000", "main at 150000",
                      "main receives", "other ran"]


def test_auto_mode_outside_the_main_thread_falls_back_to_cooperative():
    modes = []
    t = threading.Thread(target=lambda: modes.append(repr(Runtime())))
    t.start()
    t.join()
    assert "cooperative preemption" in modes[0]


def test_signal_mode_outside_the_main_thread_is_an_error_saying_what_to_use():
    errors = []

    def make():
        try:
            Runtime(preemption="signal")
        except RuntimeError as e:
            errors.append(str(e))

    t = threading.Thread(target=make)
    t.start()
    t.join()
    assert errors and "preemption='cooperative'" in errors[0]


def test_an_unknown_preemption_mode_is_an_error():
    with pytest.raises(ValueError, match="'auto', 'signal' or 'cooperative'"):
        Runtime(preemption="sometimes")


# ---------------------------------------------------------------- output and stress

def test_a_line_printed_by_one_process_is_never_split_by_another_processs_output():
    def printer(i):
        n = 0
        while True:
            n += 1
            print("printer", i, "line", n)     # five writes: a switch between them tears the line

    def main():
        out = io.StringIO()
        group_leader(GroupLeader(out), self())
        pids = [spawn(printer, i) for i in range(4)]
        sleep(0.1)
        for pid in pids:
            exit(pid, "kill")
        return out.getvalue()

    lines = real_run(main).split("\n")[:-1]
    torn = [line for line in lines if not re.fullmatch(r"printer \d line \d+", line)]
    assert len(lines) > 100
    assert torn == []


STRESS_SCRIPT = textwrap.dedent('''
    import queue, sys
    import beamlab
    from beamlab.runtime import ANY, exit, receive, self, send, sleep, spawn

    shared = queue.Queue()      # a threading.Lock inside: preempting while holding it would hang

    def printer(i):
        n = 0
        while True:
            n += 1
            print("printer", i, "line", n, "x" * 40)
            for _ in range(2000):
                pass

    def queue_user(i):
        while True:
            shared.put(i)
            shared.get()
            print("queue user", i, file=sys.stderr)

    def spinner():
        while True:
            pass

    def ticker(parent):
        n = 0
        while True:
            sleep(0.01)
            n += 1
            send(parent, ("tick", n))

    def main():
        pids = [spawn(printer, i) for i in range(8)]
        pids += [spawn(queue_user, i) for i in range(4)]
        pids += [spawn(spinner) for _ in range(4)]
        pids.append(spawn(ticker, self()))
        ticks = [receive(("tick", ANY), timeout=10) for _ in range(%(ticks)d)]
        for pid in pids:
            exit(pid, "kill")
        return len(ticks)

    print("STRESS DONE", beamlab.run(main, preemption="signal"), file=sys.__stderr__)
''')


def test_many_processes_printing_and_spinning_at_once_do_not_hang(tmp_path):
    script = tmp_path / "stress.py"       # a real file: code from `python -c` is never preempted
    script.write_text(STRESS_SCRIPT % {"ticks": 40})
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    try:
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=60, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the runtime hung with processes printing and spinning: {e}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "STRESS DONE 40" in proc.stderr
    assert "printer 7 line" in proc.stdout
    assert "queue user 3" in proc.stderr


def test_every_finally_block_on_a_killed_spinners_stack_runs_innermost_first():
    def inner(parent):
        try:
            while True:
                pass
        finally:
            send(parent, "inner finally")

    def outer(parent):
        try:
            inner(parent)
        finally:
            send(parent, "outer finally")

    def main():
        pid = spawn(outer, self())
        sleep(0.02)
        exit(pid, "kill")
        return [receive(timeout=GUARD) for _ in range(2)]

    assert real_run(main) == ["inner finally", "outer finally"]


def test_process_info_of_a_preempted_spinner_shows_the_line_it_spins_on():
    def main():
        pid = spawn(spinner)
        sleep(0.02)
        return process_info(pid, "current_function"), process_info(pid, "current_location")

    function, location = real_run(main)
    assert function == "spinner"
    assert location[0] == __file__
    assert location[1] in (spinner.__code__.co_firstlineno + 1, spinner.__code__.co_firstlineno + 2)


def test_library_code_in_a_virtualenv_inside_the_checkout_is_never_a_safe_point():
    # `make` puts .venv inside the checkout; its libraries are still libraries: a
    # process must never be switched out inside them (it may hold their locks)
    import json.decoder

    import _pytest.runner

    from beamlab.runtime.preempt import BEAMLAB, LIBRARY, USER, frame_kind
    from beamlab.widgets import tree

    assert frame_kind(_pytest.runner.runtestprotocol.__code__) == LIBRARY
    assert frame_kind(json.decoder.JSONDecoder.decode.__code__) == LIBRARY
    assert frame_kind(tree.__loader__.get_code("beamlab.widgets.tree")) == BEAMLAB
    assert frame_kind(test_library_code_in_a_virtualenv_inside_the_checkout_is_never_a_safe_point.__code__) == USER
