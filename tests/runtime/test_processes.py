"""Processes: spawn, spawn_link, spawn_monitor, self, send, receive, and beamlab.run."""
from __future__ import annotations

import pytest

import beamlab
from beamlab.runtime import (ANY, MockClock, NotInProcess, Pid, Ref, Runtime, is_process_alive,
                             make_ref, process_info, processes, receive, self, send, spawn,
                             spawn_link, spawn_monitor, telemetry)


def test_run_returns_what_main_returns(run):
    assert run(lambda: 42) == 42


def test_run_passes_arguments_to_main(run):
    assert run(lambda a, b: a + b, 2, 3) == 5


def test_an_exception_in_main_is_raised_by_run(run):
    def main():
        raise ValueError("bad main")

    with pytest.raises(ValueError, match="bad main"):
        run(main)


def test_spawn_runs_the_function_with_its_arguments(run):
    def worker(parent, a, b, *, c):
        send(parent, ("sum", a + b + c))

    def main():
        spawn(worker, self(), 1, 2, c=3)
        return receive()

    assert run(main) == ("sum", 6)


def test_spawn_returns_a_pid_that_prints_like_erlangs(run):
    def main():
        return spawn(lambda: None)

    pid = run(main)
    assert isinstance(pid, Pid)
    assert repr(pid).startswith("<0.") and repr(pid).endswith(".0>")


def test_self_inside_a_process_is_the_pid_spawn_returned(run):
    def main():
        parent = self()
        child = spawn(lambda: send(parent, self()))
        return child, receive()

    child, reported = run(main)
    assert reported == child


def test_every_process_has_its_own_pid(run):
    def main():
        return [spawn(lambda: None) for _ in range(5)] + [self()]

    pids = run(main)
    assert len(set(pids)) == 6


def test_a_process_whose_function_returns_exits_normally(run):
    def main():
        pid, ref = spawn_monitor(lambda: "done")
        return receive(("DOWN", ref, "process", pid, ANY))

    assert run(main)[4] == "normal"


def test_spawn_link_links_the_new_process_to_its_spawner_both_ways(run):
    def main():
        child = spawn_link(receive)
        return child, process_info(self(), "links"), process_info(child, "links")

    child, my_links, child_links = run(main)
    assert my_links == [child]
    assert len(child_links) == 1


def test_spawn_monitor_returns_a_pid_and_a_ref_and_a_down_message_follows(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        return pid, ref, receive()

    pid, ref, msg = run(main)
    assert isinstance(pid, Pid) and isinstance(ref, Ref)
    assert msg == ("DOWN", ref, "process", pid, "normal")


def test_send_puts_a_message_in_the_receivers_mailbox(run):
    def echo():
        sender, msg = receive()
        send(sender, ("echo", msg))

    def main():
        pid = spawn(echo)
        send(pid, (self(), "hello"))
        return receive()

    assert run(main) == ("echo", "hello")


def test_send_returns_the_message(run):
    def main():
        return send(self(), ("ping", 1))

    assert run(main) == ("ping", 1)


def test_a_process_can_send_to_itself(run):
    def main():
        send(self(), "note to self")
        return receive(timeout=0)

    assert run(main) == "note to self"


def test_receive_without_patterns_takes_the_oldest_message(run):
    def main():
        for m in ("first", "second", "third"):
            send(self(), m)
        return [receive() for _ in range(3)]

    assert run(main) == ["first", "second", "third"]


def test_messages_from_one_sender_arrive_in_the_order_they_were_sent(run):
    def sender(to, n):
        for i in range(n):
            send(to, i)

    def main():
        spawn(sender, self(), 200)
        return [receive() for _ in range(200)]

    assert run(main) == list(range(200))


def test_order_is_kept_per_sender_when_two_senders_interleave(run):
    def sender(to, tag, n):
        for i in range(n):
            send(to, (tag, i))

    def main():
        spawn(sender, self(), "a", 100)
        spawn(sender, self(), "b", 100)
        got = [receive() for _ in range(200)]
        return [i for tag, i in got if tag == "a"], [i for tag, i in got if tag == "b"]

    from_a, from_b = run(main)
    assert from_a == list(range(100))
    assert from_b == list(range(100))


def test_is_process_alive_is_true_while_running_and_false_after_exit(run):
    def main():
        pid, ref = spawn_monitor(lambda: receive("stop"))
        alive_before = is_process_alive(pid)
        send(pid, "stop")
        receive(("DOWN", ref, "process", pid, ANY))
        return alive_before, is_process_alive(pid)

    assert run(main) == (True, False)


def test_processes_lists_live_processes_and_not_dead_ones(run):
    def main():
        waiting = spawn(receive)
        pid, ref = spawn_monitor(lambda: None)
        receive(("DOWN", ref, "process", pid, ANY))
        return waiting, pid, processes()

    waiting, dead, listed = run(main)
    assert waiting in listed
    assert dead not in listed


def test_make_ref_gives_a_new_unique_ref_each_time(run):
    def main():
        return [make_ref() for _ in range(3)]

    refs = run(main)
    assert len(set(refs)) == 3
    assert all(repr(r).startswith("#Ref<") for r in refs)


def test_every_process_still_alive_when_main_returns_is_killed(run):
    exits = {}

    def main():
        telemetry.attach("exits", ("beamlab", "process", "exit"),
                         lambda event, m, meta, cfg: exits.setdefault(meta["pid"], meta["reason"]))
        return spawn(receive)

    left_waiting = run(main)
    assert exits[left_waiting] == "killed"


def test_after_run_returns_no_runtime_is_current(run):
    run(lambda: None)
    with pytest.raises(NotInProcess, match="beamlab.run"):
        beamlab.current_runtime()


def test_a_runtime_object_runs_main_like_beamlab_run():
    rt = Runtime(clock=MockClock())
    assert rt.run(lambda: receive(timeout=60, default="waited a mock minute")) == \
        "waited a mock minute"


def test_a_stopped_runtime_cannot_run_again_and_says_to_make_a_new_one():
    rt = Runtime(clock=MockClock())
    rt.run(lambda: None)
    with pytest.raises(RuntimeError, match="create a new Runtime"):
        rt.run(lambda: None)
