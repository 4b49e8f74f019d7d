"""Bad input: each a clear error or the OTP behaviour, and the runtime keeps working."""
from __future__ import annotations

import pytest

import beamlab
from beamlab.runtime import (ANY, BadArg, Crash, NotInProcess, ProcessExit, exit, process_flag,
                             receive, self, send, spawn, spawn_monitor)


def ping_pong():
    """Proof the runtime still works: a round trip through a fresh process."""
    def echo():
        sender, msg = receive()
        send(sender, msg)
    send(spawn(echo), (self(), "pong"))
    return receive(timeout=5)


def test_an_exception_in_a_process_gives_its_monitor_a_crash_reason(run):
    def main():
        pid, ref = spawn_monitor(lambda: int("not a number"))
        return receive(("DOWN", ref, "process", pid, ANY))[4]

    reason = run(main)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ValueError)
    assert "invalid literal for int()" in reason.traceback


def raise_(exc):
    raise exc


def test_the_runtime_keeps_working_after_processes_crash(run):
    def main():
        for exc in (ZeroDivisionError, KeyError, RuntimeError):
            pid, ref = spawn_monitor(raise_, exc("boom"))
            receive(("DOWN", ref, ANY, ANY, ANY))
        return ping_pong()

    assert run(main) == "pong"


def test_a_crash_in_an_unlinked_process_leaves_its_spawner_running(run):
    def main():
        pid, ref = spawn_monitor(lambda: 1 / 0)
        receive(("DOWN", ref, ANY, ANY, ANY))
        return "spawner still running"

    assert run(main) == "spawner still running"


def test_an_exit_cannot_be_swallowed_by_except_exception(run):
    def stubborn(parent):
        try:
            receive()
        except Exception:
            send(parent, "swallowed the exit")

    def main():
        pid, ref = spawn_monitor(stubborn, self())
        exit(pid, "boom")
        reason = receive(("DOWN", ref, ANY, ANY, ANY))[4]
        return reason, receive("swallowed the exit", timeout=1, default="not swallowed")

    assert run(main) == ("boom", "not swallowed")


def test_finally_blocks_run_when_a_waiting_process_is_killed(run):
    def cleaner(parent):
        try:
            receive()
        finally:
            send(parent, "cleaned up")

    def main():
        pid = spawn(cleaner, self())
        receive(timeout=0.5, default=None)      # let it start waiting
        exit(pid, "kill")
        return receive("cleaned up", timeout=5)

    assert run(main) == "cleaned up"


def test_spawning_something_that_is_not_a_function_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="must be a function"):
            spawn("not callable")
        return "ok"

    assert run(main) == "ok"


def test_an_unknown_process_flag_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="trap_exit"):
            process_flag("priority", "high")
        return "ok"

    assert run(main) == "ok"


def test_exit_with_the_wrong_number_of_arguments_says_how_to_call_it(run):
    def main():
        with pytest.raises(TypeError, match=r"exit\(reason\)"):
            exit()
        return "ok"

    assert run(main) == "ok"


def test_a_main_that_is_killed_makes_run_raise_process_exit(run):
    def main():
        exit(self(), "kill")

    with pytest.raises(ProcessExit) as e:
        run(main)
    assert e.value.reason == "killed"


@pytest.mark.parametrize("call", [lambda: beamlab.self(), lambda: beamlab.receive(timeout=0),
                                  lambda: beamlab.spawn(print)])
def test_process_calls_outside_a_runtime_raise_not_in_process_saying_what_to_do(call):
    with pytest.raises(NotInProcess, match="beamlab.run"):
        call()
