"""Introspection: process_info(pid) and processes(), read from outside like observer."""
from __future__ import annotations

import io

import pytest

from beamlab.runtime import (ANY, BadArg, GroupLeader, exit, group_leader, link, monitor,
                             process_flag, process_info, processes, receive, register, self, send,
                             sleep, spawn, spawn_monitor)


def waiter():
    receive("go")        # the line a waiting process is reported at


def counter():
    while True:
        receive()


def settle():
    sleep(1)


def test_process_info_has_every_key_observer_shows(run):
    def main():
        return process_info(spawn(waiter))

    info = run(main)
    for key in ("pid", "status", "reductions", "message_queue_len", "messages", "memory",
                "current_function", "current_location", "current_stacktrace", "initial_call",
                "links", "monitors", "monitored_by", "trap_exit", "registered_name",
                "group_leader", "parent"):
        assert key in info, key


def test_a_process_asking_about_itself_is_running(run):
    assert run(lambda: process_info(self(), "status")) == "running"


def test_a_process_spawned_but_not_yet_run_is_runnable(run):
    assert run(lambda: process_info(spawn(waiter), "status")) == "runnable"


def test_a_process_blocked_in_receive_is_waiting(run):
    def main():
        pid = spawn(waiter)
        settle()
        return process_info(pid, "status")

    assert run(main) == "waiting"


def test_process_info_of_a_dead_process_is_none(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        receive(("DOWN", ref, ANY, ANY, ANY))
        return process_info(pid), process_info(pid, "status")

    assert run(main) == (None, None)


def test_one_item_can_be_asked_for_by_name(run):
    def main():
        send(self(), "x")
        return process_info(self(), "message_queue_len")

    assert run(main) == 1


def test_asking_for_an_unknown_item_is_a_badarg_listing_the_items(run):
    def main():
        with pytest.raises(BadArg, match="message_queue_len"):
            process_info(self(), "no_such_item")
        return "ok"

    assert run(main) == "ok"


def test_process_info_of_something_that_is_not_a_pid_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="pid"):
            process_info("someone")
        return "ok"

    assert run(main) == "ok"


def test_reductions_grow_as_a_process_works(run):
    def main():
        pid = spawn(counter)
        settle()
        before = process_info(pid, "reductions")
        for i in range(50):
            send(pid, i)
        settle()
        return before, process_info(pid, "reductions")

    before, after = run(main)
    assert after > before


def test_message_queue_len_and_messages_show_what_waits_in_the_mailbox(run):
    def main():
        pid = spawn(waiter)
        settle()
        send(pid, "a")
        send(pid, ("b", 2))
        return process_info(pid, "message_queue_len"), process_info(pid, "messages")

    assert run(main) == (2, ["a", ("b", 2)])


def test_a_process_waiting_in_receive_reports_receive_as_its_current_function(run):
    def main():
        pid = spawn(waiter)
        settle()
        return process_info(pid, "current_function")

    assert run(main) == "receive"


def test_the_stacktrace_of_a_waiting_process_shows_the_users_line(run):
    def main():
        pid = spawn(waiter)
        settle()
        return process_info(pid, "current_stacktrace")

    stack = run(main)
    line = waiter.__code__.co_firstlineno + 1
    assert (__file__, line, "waiter") in stack
    assert stack[0][2] == "receive"


def test_the_current_location_is_the_learners_line_that_called_receive(run):
    def main():
        pid = spawn(waiter)
        settle()
        return process_info(pid, "current_location"), process_info(pid, "current_stacktrace")

    location, stack = run(main)
    assert stack[0][2] == "receive"                 # the function it waits in...
    assert location == stack[1][:2]                  # ...called from the learner's line
    assert location[0] == __file__


def test_initial_call_names_the_function_the_process_was_spawned_with(run):
    def main():
        return process_info(spawn(waiter), "initial_call")

    assert run(main).endswith("waiter")


def test_links_and_monitors_and_trap_exit_are_shown(run):
    def main():
        a, b = spawn(waiter), spawn(waiter)
        link(a)
        monitor(b)
        process_flag("trap_exit", True)
        info = process_info(self())
        return a, b, info["links"], info["monitors"], info["trap_exit"]

    a, b, links, monitors, trap = run(main)
    assert links == [a]
    assert monitors == [b]
    assert trap is True


def test_the_registered_name_is_none_for_an_unnamed_process(run):
    assert run(lambda: process_info(spawn(waiter), "registered_name")) is None


def test_the_registered_name_is_shown(run):
    def main():
        pid = spawn(waiter)
        register("named", pid)
        return process_info(pid, "registered_name")

    assert run(main) == "named"


def test_the_group_leader_is_the_one_the_process_inherited(run):
    def main():
        gl = GroupLeader(io.StringIO(), label="mine")
        group_leader(gl, self())
        child = spawn(waiter)
        return gl, process_info(child, "group_leader")

    gl, child_gl = run(main)
    assert child_gl is gl


def test_the_parent_is_the_spawner(run):
    def main():
        return self(), process_info(spawn(waiter), "parent")

    me, parent = run(main)
    assert parent == me


def test_memory_is_a_positive_estimate_that_grows_with_the_mailbox(run):
    def main():
        pid = spawn(waiter)
        settle()
        before = process_info(pid, "memory")
        for i in range(100):
            send(pid, "x" * 1000)
        return before, process_info(pid, "memory")

    before, after = run(main)
    assert before > 0
    assert after > before


def test_processes_lists_every_live_process_including_the_caller(run):
    def main():
        pids = [spawn(waiter) for _ in range(3)]
        return self(), pids, processes()

    me, pids, listed = run(main)
    assert set(pids) | {me} <= set(listed)


def test_a_killed_process_disappears_from_processes(run):
    def main():
        pid = spawn(waiter)
        ref = monitor(pid)
        exit(pid, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY))
        return pid, processes()

    pid, listed = run(main)
    assert pid not in listed
