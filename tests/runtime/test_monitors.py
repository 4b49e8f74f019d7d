"""Monitors: ("DOWN", ref, "process", pid, reason), one-way and independent."""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, Ref, demonitor, exit, is_process_alive, monitor, node,
                             process_info, receive, register, self, send, sleep, spawn,
                             spawn_monitor, unregister)


def idle():
    receive(lambda m: False)


def test_a_monitor_delivers_a_down_message_with_the_exit_reason(run):
    def main():
        pid = spawn(lambda: (receive("go"), exit("bye")))
        ref = monitor(pid)
        send(pid, "go")
        return pid, ref, receive()

    pid, ref, msg = run(main)
    assert isinstance(ref, Ref)
    assert msg == ("DOWN", ref, "process", pid, "bye")


def test_monitoring_a_dead_process_delivers_down_noproc_at_once(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        receive(("DOWN", ref, ANY, ANY, ANY))
        ref2 = monitor(pid)
        return pid, ref2, receive(timeout=0, default="nothing yet")

    pid, ref2, msg = run(main)
    assert msg == ("DOWN", ref2, "process", pid, "noproc")


def test_monitoring_an_unregistered_name_delivers_down_noproc_naming_it_with_the_node(run):
    # Erlang: monitor(process, nobody) -> {'DOWN', Ref, process, {nobody, nonode@nohost}, noproc}
    def main():
        ref = monitor("nobody")
        return ref, receive(timeout=0, default="nothing yet")

    ref, msg = run(main)
    assert msg == ("DOWN", ref, "process", ("nobody", "nonode@nohost"), "noproc")


def test_a_process_monitored_by_its_name_is_named_in_the_down_as_name_and_node(run):
    # Erlang: {'DOWN', Ref, process, {watched, nonode@nohost}, killed}, not the pid
    def main():
        pid = spawn(idle)
        register("watched", pid)
        ref = monitor("watched")
        exit(pid, "kill")
        return ref, receive(("DOWN", ref, "process", ANY, ANY))

    ref, msg = run(main)
    assert msg == ("DOWN", ref, "process", ("watched", "nonode@nohost"), "killed")


def test_a_name_monitor_watches_the_process_even_after_it_gives_up_the_name(run):
    def main():
        pid = spawn(idle)
        register("watched", pid)
        ref = monitor("watched")
        unregister("watched")
        exit(pid, "bye")
        return ref, receive(("DOWN", ref, "process", ANY, ANY))

    ref, msg = run(main)
    assert msg == ("DOWN", ref, "process", ("watched", "nonode@nohost"), "bye")


def test_a_name_and_node_tuple_monitors_like_the_name(run):
    def main():
        pid = spawn(idle)
        register("watched", pid)
        ref = monitor(("watched", node()))
        exit(pid, "bye")
        ref2 = monitor(("nobody", "nonode@nohost"))
        down = receive(("DOWN", ref, ANY, ANY, ANY))
        return ref, down, ref2, receive(("DOWN", ref2, ANY, ANY, ANY))

    ref, msg, ref2, msg2 = run(main)
    assert msg == ("DOWN", ref, "process", ("watched", "nonode@nohost"), "bye")
    assert msg2 == ("DOWN", ref2, "process", ("nobody", "nonode@nohost"), "noproc")


def test_monitoring_a_name_on_another_node_is_a_badarg_naming_this_node(run):
    def main():
        with pytest.raises(BadArg, match="one node, 'nonode@nohost'"):
            monitor(("watched", "other@host"))
        return "ok"

    assert run(main) == "ok"


def test_a_demonitored_name_monitor_delivers_nothing(run):
    def main():
        pid = spawn(idle)
        register("watched", pid)
        ref = monitor("watched")
        demonitor(ref)
        exit(pid, "kill")
        sleep(0.01)
        return receive(timeout=0, default="nothing")

    assert run(main) == "nothing"


def test_node_is_nonode_at_nohost_as_on_an_undistributed_erlang_node():
    assert node() == "nonode@nohost"


def test_the_death_of_a_monitored_process_does_not_harm_the_watcher(run):
    def main():
        pid = spawn(lambda: 1 / 0)
        monitor(pid)
        receive(("DOWN", ANY, "process", pid, ANY))
        return "watcher survived"

    assert run(main) == "watcher survived"


def test_monitors_are_one_way_the_watchers_death_does_not_harm_the_watched(run):
    def watcher(target):
        monitor(target)
        raise RuntimeError("watcher crashes")

    def main():
        target = spawn(idle)
        w, ref = spawn_monitor(watcher, target)
        receive(("DOWN", ref, "process", w, ANY))
        return is_process_alive(target), process_info(target, "monitored_by")

    assert run(main) == (True, [])


def test_two_monitors_on_one_process_give_two_down_messages(run):
    def main():
        pid = spawn(idle)
        r1, r2 = monitor(pid), monitor(pid)
        exit(pid, "boom")
        downs = [receive(("DOWN", ANY, "process", pid, ANY)) for _ in range(2)]
        return r1, r2, downs

    r1, r2, downs = run(main)
    assert r1 != r2
    assert {d[1] for d in downs} == {r1, r2}
    assert all(d[4] == "boom" for d in downs)


def test_demonitor_means_no_down_message_arrives(run):
    def main():
        pid = spawn(idle)
        ref = monitor(pid)
        demonitor(ref)
        exit(pid, "kill")
        sleep(1)
        return receive(timeout=0, default="no DOWN")

    assert run(main) == "no DOWN"


def test_demonitor_of_one_monitor_leaves_the_other_in_place(run):
    def main():
        pid = spawn(idle)
        r1, r2 = monitor(pid), monitor(pid)
        demonitor(r1)
        exit(pid, "kill")
        sleep(1)
        return r2, process_info(self(), "messages")

    r2, msgs = run(main)
    assert [m[1] for m in msgs] == [r2]


def test_demonitor_with_flush_removes_a_down_message_that_already_arrived(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        send(self(), "keep me")
        sleep(1)                       # the DOWN message is in the mailbox now
        before = process_info(self(), "message_queue_len")
        demonitor(ref, flush=True)
        return before, process_info(self(), "messages")

    assert run(main) == (2, ["keep me"])


def test_demonitor_without_flush_leaves_an_arrived_down_message(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        sleep(1)
        demonitor(ref)
        return ref, receive(timeout=0)

    ref, msg = run(main)
    assert msg[:2] == ("DOWN", ref)


def test_process_info_lists_monitors_both_ways(run):
    def main():
        pid = spawn(idle)
        monitor(pid)
        return pid, process_info(self(), "monitors"), process_info(pid, "monitored_by")

    pid, monitors, monitored_by = run(main)
    assert monitors == [pid]
    assert len(monitored_by) == 1


def test_demonitor_of_something_that_is_not_a_ref_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="ref"):
            demonitor("not a ref")
        return "ok"

    assert run(main) == "ok"


def test_monitor_of_something_that_is_neither_a_pid_nor_a_name_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="pid or a registered name"):
            monitor(42)
        return "ok"

    assert run(main) == "ok"
