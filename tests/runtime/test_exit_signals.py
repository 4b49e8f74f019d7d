"""Exit signals and links, one OTP rule per test (DESIGN.md, "OTP semantics to match exactly").

Each test watches the target with a monitor, so the reason it died with is what
a user would see in the DOWN message.
"""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, Crash, NoProc, exit, is_process_alive, link, monitor,
                             process_flag, process_info, receive, self, send, sleep, spawn,
                             spawn_link, spawn_monitor, unlink)


def down_reason(pid, ref):
    return receive(("DOWN", ref, "process", pid, ANY), timeout=5)[4]


def idle():
    """A process that waits forever."""
    receive(lambda m: False)


def trapper(parent):
    """Traps exits and forwards every message it gets to `parent`."""
    process_flag("trap_exit", True)
    send(parent, ("ready", self()))
    while True:
        send(parent, ("got", receive()))


def start_trapper():
    pid = spawn(trapper, self())
    receive(("ready", pid))
    return pid


def settle():
    """Let every runnable process run (the mock clock jumps, nothing waits for real)."""
    sleep(1)


# ---------------------------------------------------------------- normal

def test_an_exit_signal_with_reason_normal_is_ignored_by_a_process_not_trapping(run):
    def main():
        pid = spawn(idle)
        exit(pid, "normal")
        settle()
        return is_process_alive(pid)

    assert run(main) is True


def test_a_linked_process_exiting_normally_does_not_take_its_partner_down(run):
    def partner(parent):
        spawn_link(lambda: None)
        sleep(1)
        send(parent, "still here")
        idle()

    def main():
        pid = spawn(partner, self())
        return receive(timeout=5), is_process_alive(pid)

    assert run(main) == ("still here", True)


def test_a_trapping_process_gets_a_normal_exit_signal_as_a_message(run):
    def main():
        pid = start_trapper()
        exit(pid, "normal")
        return self(), receive(("got", ANY))[1], is_process_alive(pid)

    me, msg, alive = run(main)
    assert msg == ("EXIT", me, "normal")
    assert alive is True


def test_a_trapping_process_gets_an_exit_message_when_a_linked_process_ends_normally(run):
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(lambda: None)
        return pid, receive(("EXIT", ANY, ANY))

    pid, msg = run(main)
    assert msg == ("EXIT", pid, "normal")


def test_a_process_sending_normal_to_itself_exits_with_normal(run):
    def suicidal():
        exit(self(), "normal")
        send(self(), "unreachable")     # never runs

    def main():
        pid, ref = spawn_monitor(suicidal)
        return down_reason(pid, ref)

    assert run(main) == "normal"


def test_a_trapping_process_sending_normal_to_itself_gets_an_exit_message(run):
    def trapping_self_signaller(parent):
        process_flag("trap_exit", True)
        exit(self(), "normal")
        send(parent, ("got", receive(timeout=1, default=None), self()))

    def main():
        spawn(trapping_self_signaller, self())
        _, msg, pid = receive(("got", ANY, ANY))
        return pid, msg

    pid, msg = run(main)
    assert msg == ("EXIT", pid, "normal")


def test_exit_with_a_reason_ends_the_calling_process_with_that_reason(run):
    def main():
        pid, ref = spawn_monitor(lambda: exit("shutdown"))
        return down_reason(pid, ref)

    assert run(main) == "shutdown"


# ---------------------------------------------------------------- kill / killed

def test_exit_kill_ends_a_process_with_reason_killed(run):
    def main():
        pid, ref = spawn_monitor(idle)
        exit(pid, "kill")
        return down_reason(pid, ref)

    assert run(main) == "killed"


def test_exit_kill_cannot_be_trapped(run):
    def main():
        pid = start_trapper()
        ref = monitor(pid)
        exit(pid, "kill")
        return down_reason(pid, ref), is_process_alive(pid)

    assert run(main) == ("killed", False)


def test_a_trapping_process_killing_itself_dies_with_killed(run):
    def main():
        pid, ref = spawn_monitor(lambda: (process_flag("trap_exit", True), exit(self(), "kill")))
        return down_reason(pid, ref)

    assert run(main) == "killed"


def test_a_sleeping_process_is_ended_by_an_exit_signal(run):
    def main():
        pid, ref = spawn_monitor(sleep, 100)
        settle()
        exit(pid, "boom")
        return down_reason(pid, ref)

    assert run(main) == "boom"


def test_a_killed_process_sends_killed_to_its_links(run):
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(idle)
        exit(pid, "kill")
        return pid, receive(("EXIT", ANY, ANY))

    pid, msg = run(main)
    assert msg == ("EXIT", pid, "killed")


def test_kill_arriving_through_a_link_is_trappable_and_stays_kill(run):
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(lambda: exit("kill"))
        return pid, receive(("EXIT", ANY, ANY))

    pid, msg = run(main)
    assert msg == ("EXIT", pid, "kill")


def test_kill_arriving_through_a_link_ends_a_non_trapping_process_with_kill_not_killed(run):
    def linked_to_a_killer():
        spawn_link(lambda: exit("kill"))
        idle()

    def main():
        pid, ref = spawn_monitor(linked_to_a_killer)
        return down_reason(pid, ref)

    assert run(main) == "kill"


# ---------------------------------------------------------------- other reasons

def test_an_abnormal_exit_signal_ends_a_non_trapping_process_with_that_reason(run):
    def main():
        pid, ref = spawn_monitor(idle)
        exit(pid, "boom")
        return down_reason(pid, ref)

    assert run(main) == "boom"


def test_trap_exit_turns_an_exit_signal_into_an_exit_message(run):
    def main():
        pid = start_trapper()
        exit(pid, "boom")
        return receive(("got", ANY)), is_process_alive(pid)

    got, alive = run(main)
    assert got[1][0] == "EXIT" and got[1][2] == "boom"
    assert alive is True


def test_the_exit_message_names_the_process_that_sent_the_signal(run):
    def main():
        pid = start_trapper()
        exit(pid, "boom")
        return self(), receive(("got", ANY))[1]

    me, msg = run(main)
    assert msg == ("EXIT", me, "boom")


def test_a_tuple_reason_passes_through_unchanged(run):
    def main():
        pid, ref = spawn_monitor(idle)
        exit(pid, ("shutdown", "maintenance"))
        return down_reason(pid, ref)

    assert run(main) == ("shutdown", "maintenance")


def test_process_flag_returns_the_old_value(run):
    def main():
        return process_flag("trap_exit", True), process_flag("trap_exit", False)

    assert run(main) == (False, True)


def test_an_exit_signal_to_a_dead_process_does_nothing(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        down_reason(pid, ref)
        return exit(pid, "boom")

    assert run(main) is True


# ---------------------------------------------------------------- links

def test_a_linked_crash_reaches_a_trapping_process_as_a_crash_reason(run):
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(lambda: 1 / 0)
        return pid, receive(("EXIT", ANY, ANY))

    pid, (tag, frm, reason) = run(main)
    assert (tag, frm) == ("EXIT", pid)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ZeroDivisionError)
    assert reason.kind == "ZeroDivisionError"


def test_a_crash_reason_carries_the_traceback_of_where_it_happened(run):
    def divide_by_zero():
        return 1 / 0

    def main():
        process_flag("trap_exit", True)
        spawn_link(divide_by_zero)
        return receive(("EXIT", ANY, ANY))[2]

    reason = run(main)
    assert "divide_by_zero" in reason.traceback
    assert "ZeroDivisionError: division by zero" in reason.traceback


def test_a_linked_crash_takes_a_non_trapping_process_down_with_the_same_reason(run):
    def linked_to_a_crasher():
        spawn_link(lambda: {}["missing"])
        idle()

    def main():
        pid, ref = spawn_monitor(linked_to_a_crasher)
        return down_reason(pid, ref)

    reason = run(main)
    assert isinstance(reason, Crash) and reason.kind == "KeyError"


def test_links_are_two_way_a_crashing_parent_takes_its_child_down(run):
    def parent(to):
        child = spawn_link(idle)
        send(to, ("child", child))
        receive("crash now")
        raise RuntimeError("parent crashed")

    def main():
        p = spawn(parent, self())
        child = receive(("child", ANY))[1]
        ref = monitor(child)
        send(p, "crash now")
        return down_reason(child, ref)

    reason = run(main)
    assert isinstance(reason, Crash) and str(reason.exception) == "parent crashed"


def test_unlink_stops_a_crash_from_propagating(run):
    def main():
        process_flag("trap_exit", True)
        pid = spawn_link(lambda: (receive("go"), 1 / 0))
        ref = monitor(pid)
        unlink(pid)
        send(pid, "go")
        reason = down_reason(pid, ref)
        return reason, receive(("EXIT", ANY, ANY), timeout=1, default="no EXIT")

    reason, exit_msg = run(main)
    assert isinstance(reason, Crash)
    assert exit_msg == "no EXIT"


def test_unlink_removes_the_link_on_both_sides(run):
    def main():
        pid = spawn_link(idle)
        unlink(pid)
        return process_info(self(), "links"), process_info(pid, "links")

    assert run(main) == ([], [])


def test_link_is_idempotent(run):
    def main():
        pid = spawn(idle)
        link(pid)
        link(pid)
        return process_info(self(), "links") == [pid]

    assert run(main) is True


def test_linking_to_a_dead_process_raises_noproc_when_not_trapping(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        down_reason(pid, ref)
        with pytest.raises(NoProc, match="noproc"):
            link(pid)
        return "ok"

    assert run(main) == "ok"


def test_linking_to_a_dead_process_gives_an_exit_noproc_message_when_trapping(run):
    def main():
        process_flag("trap_exit", True)
        pid, ref = spawn_monitor(lambda: None)
        down_reason(pid, ref)
        link(pid)
        return pid, receive(timeout=0)

    pid, msg = run(main)
    assert msg == ("EXIT", pid, "noproc")


@pytest.mark.parametrize("not_a_pid", ["someone", 42, None])
def test_linking_to_something_that_is_not_a_pid_is_a_badarg(run, not_a_pid):
    def main():
        with pytest.raises(BadArg, match="pid"):
            link(not_a_pid)
        return "ok"

    assert run(main) == "ok"


def test_exit_to_something_that_is_not_a_pid_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="pid"):
            exit("nobody", "kill")
        return "ok"

    assert run(main) == "ok"


def test_a_message_sent_before_exiting_arrives_before_the_exit_message(run):
    def last_words(parent):
        send(parent, "last words")
        raise RuntimeError("gone")

    def main():
        process_flag("trap_exit", True)
        spawn_link(last_words, self())
        first = receive()
        second = receive()
        return first, second[0]

    assert run(main) == ("last words", "EXIT")


def test_a_message_sent_before_exiting_arrives_before_the_down_message(run):
    def main():
        me = self()
        spawn_monitor(lambda: send(me, "last words"))
        return receive(), receive()[0]

    assert run(main) == ("last words", "DOWN")
