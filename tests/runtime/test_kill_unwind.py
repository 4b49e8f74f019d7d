"""After a kill nothing of the process runs past its cleanup, and its DOWN comes after that.

A killed process's `finally` blocks run at once (before `exit(pid, "kill")`
returns), then its links and monitors hear of it. Code that catches the exit
and goes on gets it again at its next runtime call that would wait; if it keeps
going, it is abandoned with a warning, and never runs again.
"""
from __future__ import annotations

import io

import beamlab
from beamlab import (ANY, GroupLeader, exit, group_leader, is_process_alive, processes, receive,
                     self, send, spawn, spawn_monitor)
from beamlab.runtime.otp import Supervisor


def yield_a_few_rounds(rounds=5):
    """Let every runnable process run a little: round trips through a helper process."""
    echo = spawn(lambda: [send(m, m) for m in iter(receive, None)])
    for i in range(rounds):
        send(echo, self())
        receive(self())
    exit(echo, "kill")


def messages_now():
    out = []
    while (m := receive(timeout=0, default=None)) is not None:
        out.append(m)
    return out


def test_a_killed_process_runs_its_finally_block_before_its_down_is_sent(run):
    def worker(parent):
        try:
            receive()
        finally:
            send(parent, "cleanup done")

    def main():
        pid, ref = spawn_monitor(worker, self())
        yield_a_few_rounds(1)
        exit(pid, "kill")
        return [receive(), receive()]
    first, second = run(main)
    assert first == "cleanup done" and second[0] == "DOWN" and second[4] == "killed"


def test_the_cleanup_has_run_when_exit_kill_returns(run):
    def worker(parent):
        try:
            receive()
        finally:
            send(parent, "cleanup done")

    def main():
        pid = spawn(worker, self())
        yield_a_few_rounds(1)
        exit(pid, "kill")
        return receive(timeout=0, default="cleanup not run yet"), is_process_alive(pid)
    assert run(main) == ("cleanup done", False)


def test_the_cleanup_is_not_late_behind_busy_processes():
    # Issue 10.12: behind 1,000 busy processes a killed process's finally ran up to 1 s late.
    def spinner():
        while True:
            pass

    def worker(parent):
        try:
            receive()
        finally:
            send(parent, "cleanup done")

    def main():
        pid = spawn(worker, self())
        yield_a_few_rounds(1)
        spinners = [spawn(spinner) for _ in range(50)]
        yield_a_few_rounds(1)
        exit(pid, "kill")
        got = receive(timeout=0, default="cleanup not run yet")
        for s in spinners:
            exit(s, "kill")
        return got
    assert beamlab.run(main) == "cleanup done"


def test_a_process_that_catches_the_kill_around_receive_runs_nothing_after_its_down(run):
    # Issue 10.11: it reported DOWN killed, vanished from processes(), and kept running.
    def swallower(parent):
        n = 0
        while True:
            try:
                receive()
            except BaseException:
                n += 1
                send(parent, ("still running", n))

    def main():
        pid, ref = spawn_monitor(swallower, self())
        yield_a_few_rounds(1)
        exit(pid, "kill")
        msgs = messages_now()
        yield_a_few_rounds()
        return msgs, messages_now(), is_process_alive(pid), pid in processes()
    before, after, alive, listed = run(main)
    assert before[-1][0] == "DOWN" and before[-1][4] == "killed"
    assert after == [] and not alive and not listed
    # it got its exit again at each receive, a bounded number of times
    swallows = [m for m in before if m[0] == "still running"]
    assert 1 <= len(swallows) <= beamlab.runtime._signals.UNWIND_LIMIT + 1


def test_a_process_that_keeps_swallowing_its_kill_is_abandoned_with_a_warning_naming_it(run):
    out = io.StringIO()

    def swallower():
        while True:
            try:
                receive()
            except BaseException:
                pass

    def main():
        group_leader(GroupLeader(out, label="test"), self())
        pid, ref = spawn_monitor(swallower)
        yield_a_few_rounds(1)
        exit(pid, "kill")
        return pid, receive(("DOWN", ref, ANY, ANY, ANY), timeout=1, default=None)
    pid, down = run(main)
    assert down is not None and down[4] == "killed"
    text = out.getvalue()
    assert f"{pid!r}" in text and "swallower" in text and "abandoned" in text
    assert "BaseException" in text


def test_a_killed_spinner_that_swallows_the_exit_stops_running_when_its_down_is_sent():
    def swallower(parent):
        try:
            while True:
                pass
        except BaseException:
            n = 0
            while True:       # no runtime call that waits: only the time slices bound it
                n += 1
                if n % 10_000 == 0:
                    send(parent, "spinning")

    def main():
        pid, ref = spawn_monitor(swallower, self())
        yield_a_few_rounds(1)
        exit(pid, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY), timeout=5)
        messages_now()
        yield_a_few_rounds()
        return messages_now()
    gl_out = io.StringIO()
    rt = beamlab.Runtime()
    rt.default_group_leader = GroupLeader(gl_out)
    assert rt.run(main) == []


def test_a_supervisor_restarts_a_killed_child_only_after_its_cleanup(run):
    def child(parent):
        try:
            receive()
        finally:
            send(parent, ("cleaned up", self()))

    def start_child(parent):      # runs in the supervisor: it reports the restart itself
        pid = beamlab.spawn_link(child, parent)
        send(parent, ("started", pid))
        return pid

    def main():
        me = self()
        sup = Supervisor.start_link([{"id": "c", "start": (start_child, me)}])
        _, old = receive(("started", ANY))
        exit(old, "kill")
        first = receive(("cleaned up", ANY), ("started", ANY), timeout=1)
        second = receive(("cleaned up", ANY), ("started", ANY), timeout=1)
        exit(sup, "shutdown")
        return old, first, second
    old, first, second = run(main)
    assert first == ("cleaned up", old)
    assert second[0] == "started" and second[1] != old


def test_a_finally_block_that_waits_for_a_message_gets_the_exit_and_the_down_still_comes(run):
    def worker():
        try:
            receive()
        finally:
            receive(timeout=5)        # a killed process cannot wait: this raises the exit

    def main():
        pid, ref = spawn_monitor(worker)
        yield_a_few_rounds(1)
        exit(pid, "kill")
        return receive(("DOWN", ref, ANY, ANY, ANY), timeout=1, default="no DOWN")[4]
    assert run(main) == "killed"


def test_the_runtime_and_other_processes_carry_on_after_a_process_is_abandoned(run):
    def swallower():
        while True:
            try:
                receive()
            except BaseException:
                pass

    def main():
        for _ in range(3):
            pid, ref = spawn_monitor(swallower)
            yield_a_few_rounds(1)
            exit(pid, "kill")
            receive(("DOWN", ref, ANY, ANY, ANY))
        other = spawn(lambda p: send(p, "still fine"), self())
        return receive(timeout=1)
    rt = beamlab.Runtime(clock=beamlab.MockClock())
    rt.default_group_leader = GroupLeader(io.StringIO())
    assert rt.run(main) == "still fine"


def test_a_chain_of_thousands_of_linked_processes_all_die_when_its_head_does(run):
    # Each dies through a link in turn: no recursion (it was a RecursionError at ~300).
    def link_next(n, parent):
        if n:
            beamlab.spawn_link(link_next, n - 1, parent)
        else:
            send(parent, ("bottom", self()))
        receive()

    def main():
        head, ref = spawn_monitor(link_next, 3000, self())
        _, bottom = receive(("bottom", ANY))
        tail_ref = beamlab.monitor(bottom)
        exit(head, "boom")
        return (receive(("DOWN", ref, ANY, ANY, ANY))[4],
                receive(("DOWN", tail_ref, ANY, ANY, ANY), timeout=30)[4], len(processes()))
    assert run(main) == ("boom", "boom", 1)


def test_a_chain_of_thousands_of_linked_idle_genservers_all_die_when_its_head_does(run):
    from beamlab.runtime.otp import GenServer, Ok, Reply

    class Linker(GenServer):
        def init(self, arg):
            return Ok(None)

        def handle_call(self, other, frm, state):
            beamlab.link(other)
            return Reply("linked", state)

    def main():
        servers = [Linker.start(None) for _ in range(3000)]
        for a, b in zip(servers, servers[1:]):
            Linker.call(a, b)
        ref = beamlab.monitor(servers[-1])
        exit(servers[0], "boom")
        return receive(("DOWN", ref, ANY, ANY, ANY), timeout=30)[4], len(processes())
    assert run(main) == ("boom", 1)
