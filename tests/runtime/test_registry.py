"""The name registry: register, unregister, whereis, registered, send to a name; OTP's errors."""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, BadArg, exit, monitor, process_info, receive, register,
                             registered, self, send, send_after, sleep, spawn, spawn_monitor,
                             unregister, whereis)


def idle():
    receive(lambda m: False)


def dead_pid():
    pid, ref = spawn_monitor(lambda: None)
    receive(("DOWN", ref, ANY, ANY, ANY))
    return pid


def test_whereis_returns_the_pid_registered_under_a_name(run):
    def main():
        pid = spawn(idle)
        register("worker", pid)
        return pid, whereis("worker")

    pid, found = run(main)
    assert found == pid


def test_whereis_returns_none_for_an_unknown_name(run):
    assert run(lambda: whereis("nobody")) is None


def test_send_to_a_registered_name_delivers_to_that_process(run):
    def echo():
        sender, msg = receive()
        send(sender, ("echo", msg))

    def main():
        register("echo", spawn(echo))
        send("echo", (self(), "hi"))
        return receive()

    assert run(main) == ("echo", "hi")


def test_registered_lists_every_registered_name(run):
    def main():
        register("a", spawn(idle))
        register("b", spawn(idle))
        return registered()

    assert sorted(run(main)) == ["a", "b"]


def test_process_info_shows_the_registered_name(run):
    def main():
        register("me", self())
        return process_info(self(), "registered_name")

    assert run(main) == "me"


def test_unregister_frees_the_name(run):
    def main():
        pid = spawn(idle)
        register("temp", pid)
        unregister("temp")
        return whereis("temp"), registered(), process_info(pid, "registered_name")

    assert run(main) == (None, [], None)


def test_a_name_is_freed_when_its_process_exits(run):
    def main():
        pid = spawn(idle)
        register("short_lived", pid)
        ref = monitor(pid)
        exit(pid, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY))
        return whereis("short_lived"), "short_lived" in registered()

    assert run(main) == (None, False)


def test_a_freed_name_can_be_registered_again(run):
    def main():
        first = spawn(idle)
        register("reused", first)
        ref = monitor(first)
        exit(first, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY))
        second = spawn(idle)
        register("reused", second)
        return second, whereis("reused")

    second, found = run(main)
    assert found == second


def test_registering_a_taken_name_is_a_badarg(run):
    def main():
        register("taken", spawn(idle))
        with pytest.raises(BadArg, match="already registered"):
            register("taken", spawn(idle))
        return "ok"

    assert run(main) == "ok"


def test_registering_a_dead_process_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="not alive"):
            register("ghost", dead_pid())
        return whereis("ghost")

    assert run(main) is None


def test_registering_a_process_that_already_has_a_name_is_a_badarg(run):
    def main():
        pid = spawn(idle)
        register("first", pid)
        with pytest.raises(BadArg, match="already registered as 'first'"):
            register("second", pid)
        return registered()

    assert run(main) == ["first"]


def test_sending_to_an_unregistered_name_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="no process is registered as 'nobody'"):
            send("nobody", "hello")
        return "ok"

    assert run(main) == "ok"


def test_unregistering_an_unknown_name_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="no process is registered"):
            unregister("nobody")
        return "ok"

    assert run(main) == "ok"


@pytest.mark.parametrize("bad_name", ["", 42, None, "undefined"])
def test_a_name_must_be_a_non_empty_string_other_than_undefined(run, bad_name):
    def main():
        with pytest.raises(BadArg, match="name"):
            register(bad_name, self())
        return "ok"

    assert run(main) == "ok"


def test_registering_something_that_is_not_a_pid_is_a_badarg(run):
    def main():
        with pytest.raises(BadArg, match="pid"):
            register("name", "not a pid")
        return "ok"

    assert run(main) == "ok"


def test_sending_to_the_name_of_a_process_that_exited_is_a_badarg(run):
    def main():
        pid = spawn(idle)
        register("gone", pid)
        ref = monitor(pid)
        exit(pid, "kill")
        receive(("DOWN", ref, ANY, ANY, ANY))
        with pytest.raises(BadArg, match="'gone'"):
            send("gone", "hello?")
        return "ok"

    assert run(main) == "ok"


def test_a_send_after_to_a_name_that_is_gone_by_then_is_dropped(run):
    def main():
        pid = spawn(idle)
        register("soon_gone", pid)
        send_after(5, "soon_gone", "too late")
        exit(pid, "kill")
        sleep(10)
        return ping()

    assert run(main) == "runtime still fine"


def ping():
    send(self(), "runtime still fine")
    return receive(timeout=0)
