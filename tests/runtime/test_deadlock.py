"""Deadlock: under a MockClock, run() says so when every process waits for a message forever."""
from __future__ import annotations

import pytest

from beamlab.runtime import Deadlock, receive, self, send, send_after, spawn


def test_run_raises_deadlock_when_every_process_waits_forever(run):
    with pytest.raises(Deadlock, match="every process is waiting in receive"):
        run(receive)


def test_the_deadlock_error_names_the_waiting_processes(run):
    def waiter():
        receive()

    def main():
        spawn(waiter)
        receive()

    with pytest.raises(Deadlock) as e:
        run(main)
    assert "main" in str(e.value)
    assert "waiter" in str(e.value)


def test_two_processes_waiting_for_each_other_are_a_deadlock(run):
    def main():
        me = self()
        spawn(lambda: (receive("your turn"), send(me, "done")))
        receive("done")

    with pytest.raises(Deadlock):
        run(main)


def test_a_pending_timer_is_not_a_deadlock(run):
    def main():
        send_after(3600, self(), "eventually")
        return receive()

    assert run(main) == "eventually"


def test_a_receive_with_a_timeout_is_not_a_deadlock(run):
    assert run(lambda: receive(timeout=60, default="gave up")) == "gave up"
