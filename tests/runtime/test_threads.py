"""Other OS threads: send and exit from any thread reach the process at once; spawn is refused.

These use the real clock (a mock clock would call the wait a deadlock before the
thread sends). The 5 s bounds only keep a broken runtime from hanging the test:
a working one delivers within a millisecond or so.
"""
from __future__ import annotations

import threading
import time

import pytest

import beamlab
from beamlab import (ANY, BadArg, NotInProcess, current_runtime, exit, receive, self, send, spawn,
                     spawn_monitor)


def from_thread(fn, delay=0.05):
    """Run `fn()` in a new thread after `delay` seconds; returns the thread."""
    def body():
        time.sleep(delay)
        fn()
    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t


def test_a_send_from_a_thread_wakes_a_process_waiting_in_receive_without_a_timeout():
    # Issue 10.10: the message stayed unseen until something else woke the scheduler.
    got = threading.Event()
    woken = []

    def sender(rt, pid):
        send(pid, "hi")
        woken.append(got.wait(5))
        if not woken[0]:
            rt.call_soon_threadsafe(lambda: None)    # unstick the test: the old, safe path

    def main():
        me, rt = self(), current_runtime()
        t = from_thread(lambda: sender(rt, me))
        msg = receive()
        got.set()
        t.join()
        return msg
    assert beamlab.run(main) == "hi"
    assert woken == [True]


def test_a_send_from_a_thread_ends_a_receive_with_a_timeout_long_before_it_times_out():
    def main():
        me, rt = self(), current_runtime()
        from_thread(lambda: send(me, "hi"))
        t0 = time.monotonic()
        msg = receive(timeout=10, default="timed out")
        return msg, time.monotonic() - t0
    msg, waited = beamlab.run(main)
    assert msg == "hi" and waited < 5


def test_a_send_from_a_thread_reaches_a_process_while_others_are_busy():
    def spinner():
        while True:
            pass

    def waiter(parent):
        send(parent, ("got", receive()))

    def main():
        spinners = [spawn(spinner) for _ in range(4)]
        w = spawn(waiter, self())
        from_thread(lambda: send(w, "hi"))
        got = receive(("got", ANY), timeout=5, default=None)
        for s in spinners:
            exit(s, "kill")
        return got
    assert beamlab.run(main) == ("got", "hi")


def test_many_sends_from_a_thread_all_arrive_in_order_while_the_receiver_scans_selectively():
    n = 20_000

    def main():
        me = self()
        from_thread(lambda: [send(me, ("n", i)) for i in range(n)] and send(me, "done"), 0.01)
        receive("done", timeout=10)           # scans the mailbox as the thread fills it
        got = []
        while (m := receive(("n", ANY), timeout=0, default=None)) is not None:
            got.append(m[1])
        return got
    assert beamlab.run(main) == list(range(n))


def test_a_message_sent_from_a_thread_is_copied_when_it_is_sent():
    def main():
        me = self()
        box = [1]

        def send_then_change():
            send(me, box)
            box.append(2)
        from_thread(send_then_change)
        return receive(timeout=5)
    assert beamlab.run(main) == [1]


def test_a_send_from_a_thread_to_an_unknown_name_raises_badarg_in_that_thread():
    errors = []

    def main():
        done = threading.Event()

        def bad():
            try:
                send("nobody", "hi")
            except BadArg as e:
                errors.append(str(e))
            done.set()
        from_thread(bad, 0)
        done.wait(5)
    beamlab.run(main)
    assert len(errors) == 1 and "nobody" in errors[0]


def test_exit_kill_from_a_thread_kills_the_process():
    def main():
        victim, ref = spawn_monitor(receive)
        rt = current_runtime()
        from_thread(lambda: rt.exit(victim, "kill"))
        return receive(("DOWN", ref, ANY, ANY, ANY), timeout=5, default=None)
    down = beamlab.run(main)
    assert down is not None and down[4] == "killed"


def test_spawn_from_a_thread_is_refused_saying_how_to_hand_it_to_the_runtime():
    # Issue 10.12: it silently got whichever process was running as its parent.
    errors = []

    def main():
        done = threading.Event()

        def try_spawn():
            try:
                spawn(lambda: None)
            except NotInProcess as e:
                errors.append(str(e))
            done.set()
        from_thread(try_spawn, 0)
        done.wait(5)
    beamlab.run(main)
    assert len(errors) == 1
    assert "thread" in errors[0] and "call_soon_threadsafe" in errors[0]


def test_spawn_handed_to_the_runtime_with_call_soon_threadsafe_works_and_has_no_parent():
    def main():
        me, rt = self(), current_runtime()

        def report():
            send(me, ("parent", beamlab.process_info(self(), "parent")))
        from_thread(lambda: rt.call_soon_threadsafe(rt.spawn, report))
        return receive(("parent", ANY), timeout=5, default=None)
    assert beamlab.run(main) == ("parent", None)


def test_spawn_in_the_runtimes_own_thread_outside_any_process_still_works(clock):
    rt = beamlab.Runtime(clock=clock)
    rt.start()
    try:
        pid = rt.spawn(lambda: None)
        assert rt.is_process_alive(pid)
    finally:
        rt.stop()


def test_a_runtime_driven_from_a_worker_thread_accepts_spawns_there_and_refuses_the_main_thread():
    result = {}
    ready = threading.Event()

    def main():
        result["spawned"] = spawn(lambda: None) is not None
        ready.set()
        return receive(timeout=5, default="no message")

    def drive():
        result["main"] = beamlab.run(main, preemption="cooperative")

    t = threading.Thread(target=drive)
    t.start()
    ready.wait(5)
    rt = beamlab.runtime._core._current
    with pytest.raises(NotInProcess, match="call_soon_threadsafe"):
        rt.spawn(lambda: None)
    rt.send(rt.processes()[0], "from the main thread")
    t.join(5)
    assert result == {"spawned": True, "main": "from the main thread"}


def test_a_process_woken_by_a_send_from_a_thread_runs_before_processes_already_runnable():
    # Like a timer-woken one: a message from outside does not wait a round of busy processes.
    def reporter(parent, name):
        receive()
        send(parent, name)

    def main():
        me = self()
        r = spawn(reporter, me, "woken by the thread")
        a = spawn(reporter, me, "a")
        b = spawn(reporter, me, "b")
        receive(timeout=0.05, default=None)          # all three now wait in receive
        t = threading.Thread(target=send, args=(r, "from a thread"))
        t.start()
        t.join()                                     # handed to the scheduler, not run yet
        send(a, "go")
        send(b, "go")                                # a and b are runnable before r is woken
        return [receive(timeout=5) for _ in range(3)]
    assert beamlab.run(main, preemption="cooperative") == ["woken by the thread", "a", "b"]
