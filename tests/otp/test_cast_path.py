"""A cast's path, client to handle_cast, kept as OTP has it while its cost is taken out.

The compiled build (runtime/_accel.py) shortens this path: the scheduler calls a
GenServer's ``handle`` as a C method (``_core.Reactor``). These tests pin what a learner
sees of it, in both builds (CI runs them pure and compiled).
"""
from __future__ import annotations

import pytest

from beamlab.runtime import current_runtime, receive, send, spawn
from beamlab.runtime import self as self_pid
from beamlab.runtime._core import Reactor, spawn_reactor
from beamlab.runtime.otp import GenServer, NoReply, Ok, Reply
from otp_helpers import as_test, report


class Log(GenServer):
    """Keeps every request cast to it, in order; a call returns them."""

    def init(self, arg):
        return Ok([])

    def handle_call(self, request, from_, state):
        return Reply(state, state)

    def handle_cast(self, request, state):
        return NoReply(state + [request])


def test_a_str_cast_again_and_again_arrives_every_time_as_its_own_message(run):
    def main():
        pid = Log.start(None)
        seen = []
        stop = current_runtime().trace_sends(lambda frm, to, msg: seen.append(msg))
        for request in ("tick", "tick", "tock", "tick", 7, "tick"):
            GenServer.cast(pid, request)
        stop()
        return GenServer.call(pid, "log"), seen
    log, seen = run(main)
    assert log == ["tick", "tick", "tock", "tick", 7, "tick"]
    assert seen == [("$gen_cast", r) for r in log]


def test_a_mutable_request_cast_twice_is_copied_each_time(run):
    def main():
        pid = Log.start(None)
        items = [1]
        GenServer.cast(pid, items)
        items.append(2)
        GenServer.cast(pid, items)
        items.append(3)
        return GenServer.call(pid, "log")
    assert run(main) == [[1], [1, 2]]


def test_casts_to_a_dead_server_or_an_unknown_name_are_dropped_as_in_otp(run):
    def main():
        dead = spawn(lambda: None)
        receive(timeout=0.01, default=None)      # it runs and ends
        GenServer.cast(dead, "tick")
        GenServer.cast(dead, "tick")
        GenServer.cast("nobody_by_this_name", "tick")
        pid = Log.start(None)
        GenServer.cast(pid, "tick")
        return GenServer.call(pid, "log")
    assert run(main) == ["tick"]


class Echo:
    """A reactor that does not derive from Reactor: anything with start() and handle()."""

    def __init__(self, to):
        self.to = to

    def start(self):
        send(self.to, ("started",))

    def handle(self, msg):
        send(self.to, ("got", msg))


class PyEcho(Reactor):
    """A Python subclass of Reactor: its own handle runs (compiled, through the C method)."""

    def __init__(self, to):
        self.to = to

    def handle(self, msg):
        send(self.to, ("py", msg))


@pytest.mark.parametrize("make, first", [(Echo, [("started",)]), (PyEcho, [])])
def test_a_reactor_is_driven_by_its_own_handle_whether_or_not_it_derives_from_reactor(
        run, make, first):
    tag = "got" if make is Echo else "py"

    def main():
        me = self_pid()
        pid = spawn_reactor(make(me))
        for n in range(3):
            send(pid, n)
        return [receive() for _ in range(len(first) + 3)]
    assert run(main) == first + [(tag, 0), (tag, 1), (tag, 2)]


def test_a_reactor_that_defines_no_handle_says_what_to_define():
    class Forgetful(Reactor):
        pass
    with pytest.raises(NotImplementedError, match=r"Forgetful must define handle\(msg\)"):
        Forgetful().handle("hello")


def test_a_handle_cast_patched_on_the_class_of_a_running_server_takes_effect(run):
    class Counter(Log):
        pass

    def main():
        as_test()
        pid = Counter.start(None)
        GenServer.cast(pid, "a")
        GenServer.call(pid, "log")
        Counter.handle_cast = lambda self, request, state: (report("patched", request),
                                                             NoReply(state + ["!"]))[1]
        GenServer.cast(pid, "b")
        return GenServer.call(pid, "log"), receive(("patched", object))
    assert run(main) == (["a", "!"], ("patched", "b"))
