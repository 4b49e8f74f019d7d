"""Output: print inside a process goes to its group leader, inherited from its spawner."""
from __future__ import annotations

import io
import sys

import pytest

from beamlab.runtime import (ANY, BadArg, GroupLeader, flush, group_leader, receive, self, send,
                             sleep, spawn_monitor)


def wait_for(pid_ref):
    pid, ref = pid_ref
    receive(("DOWN", ref, "process", pid, ANY))


def test_print_in_a_process_goes_to_the_group_leader_set_for_it(run):
    out = io.StringIO()

    def main():
        pid, ref = spawn_monitor(lambda: (receive("go"), print("hello from a process")))
        group_leader(GroupLeader(out), pid)
        send(pid, "go")
        wait_for((pid, ref))

    run(main)
    assert out.getvalue() == "hello from a process\n"


def test_a_spawned_process_inherits_its_spawners_group_leader(run):
    out = io.StringIO()

    def main():
        group_leader(GroupLeader(out), self())
        wait_for(spawn_monitor(lambda: print("from the child")))

    run(main)
    assert out.getvalue() == "from the child\n"


def test_inheritance_carries_on_to_grandchildren(run):
    out = io.StringIO()

    def child():
        wait_for(spawn_monitor(lambda: print("from the grandchild")))

    def main():
        group_leader(GroupLeader(out), self())
        wait_for(spawn_monitor(child))

    run(main)
    assert out.getvalue() == "from the grandchild\n"


def test_processes_with_different_group_leaders_keep_their_output_apart(run):
    left, right = io.StringIO(), io.StringIO()

    def talker(word):
        for _ in range(3):
            print(word)
            sleep(0.1)

    def main():
        a = spawn_monitor(talker, "left")
        group_leader(GroupLeader(left), a[0])
        b = spawn_monitor(talker, "right")
        group_leader(GroupLeader(right), b[0])
        wait_for(a)
        wait_for(b)

    run(main)
    assert left.getvalue() == "left\n" * 3
    assert right.getvalue() == "right\n" * 3


def test_group_leader_without_arguments_returns_the_callers(run):
    gl = GroupLeader(io.StringIO(), label="mine")

    def main():
        group_leader(gl, self())
        return group_leader()

    assert run(main) is gl


def test_a_group_leader_prints_with_its_label():
    assert repr(GroupLeader(io.StringIO(), label="cell 3")) == "<group_leader cell 3>"


def test_writes_to_stderr_go_to_the_group_leaders_stream_too(run):
    out = io.StringIO()

    def main():
        group_leader(GroupLeader(out), self())
        wait_for(spawn_monitor(lambda: print("oops", file=sys.stderr)))

    run(main)
    assert out.getvalue() == "oops\n"


def test_a_separate_error_stream_receives_stderr_writes(run):
    out, err = io.StringIO(), io.StringIO()

    def main():
        group_leader(GroupLeader(out, err_stream=err), self())
        wait_for(spawn_monitor(lambda: (print("fine"), print("bad", file=sys.stderr))))

    run(main)
    assert (out.getvalue(), err.getvalue()) == ("fine\n", "bad\n")


def test_a_crash_report_goes_to_the_crashed_processs_group_leader(run):
    out = io.StringIO()

    def explode():
        raise ValueError("kaboom")

    def main():
        group_leader(GroupLeader(out), self())
        wait_for(spawn_monitor(explode))

    run(main)
    report = out.getvalue()
    assert "=ERROR REPORT====" in report
    assert "ValueError: kaboom" in report
    assert "explode" in report


def test_setting_the_group_leader_of_a_dead_process_is_a_badarg(run):
    def main():
        pid, ref = spawn_monitor(lambda: None)
        wait_for((pid, ref))
        with pytest.raises(BadArg, match="no such process"):
            group_leader(GroupLeader(io.StringIO()), pid)
        return "ok"

    assert run(main) == "ok"


def test_flush_prints_and_empties_the_mailbox(run):
    out = io.StringIO()

    def main():
        group_leader(GroupLeader(out), self())
        send(self(), "one")
        send(self(), ("two", 2))
        returned = flush()
        return returned, receive(timeout=0, default="empty")

    returned, after = run(main)
    assert returned is None          # like Erlang's flush() -> ok: nothing to echo twice in a cell
    assert after == "empty"
    assert out.getvalue() == "Shell got 'one'\nShell got ('two', 2)\n"


def test_by_default_a_process_prints_to_the_scripts_stdout(run, capsys):
    def main():
        wait_for(spawn_monitor(lambda: print("to the terminal")))

    run(main)
    assert capsys.readouterr().out == "to the terminal\n"


def test_the_runtime_puts_sys_stdout_back_when_it_stops(run):
    before = sys.stdout
    run(lambda: None)
    assert sys.stdout is before
