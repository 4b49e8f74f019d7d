"""Each process keeps its own contextvars while stackless processes and GenServer calls hand
the same worker greenlet from one process to the next with no greenlet switch
(runtime/_receive.py `_runs_here`: compiled, it sets the thread's context in C, as
greenlet's gr_context setter does). The kernel routes output to cells through these
contexts, so a process must never see another's values, nor the runtime's caller."""
from __future__ import annotations

import contextvars

import pytest

from beamlab.runtime import receive, self, send, spawn
from beamlab.runtime.otp import GenServer, Ok, Reply
from test_stackless_call import STARTED, runtime    # a runtime that notes what ran stackless

NAME = contextvars.ContextVar("NAME", default="unset")


def player(name, parent, rounds):
    NAME.set(name)
    seen = []
    for _ in range(rounds):
        other = receive()
        seen.append(NAME.get())
        send(other, self())
    send(parent, (name, seen))


class Named(GenServer):
    """Sets its own value of NAME in init and replies to "name" with what it sees."""

    def init(self, name):
        NAME.set(name)
        return Ok(None)

    def handle_call(self, request, from_, state):
        return Reply(NAME.get(), state)


def caller(parent, server, rounds):
    NAME.set("caller")
    seen = [(GenServer.call(server, "name"), NAME.get()) for _ in range(0)]
    for _ in range(rounds):
        seen.append((GenServer.call(server, "name"), NAME.get()))
    send(parent, seen)


@pytest.mark.parametrize("on", [True, False])
def test_two_processes_that_ping_pong_each_see_only_their_own_context(on):
    def main():
        NAME.set("main")
        a = spawn(player, "a", self(), 50)
        b = spawn(player, "b", self(), 50)
        send(a, b)      # a answers to b, b to a, 100 hops each way in all
        got = dict(receive() for _ in range(2))
        return got, NAME.get()
    STARTED.clear()
    got, main_sees = runtime(on).run(main)
    assert ("player" in STARTED) == on
    assert got == {"a": ["a"] * 50, "b": ["b"] * 50}
    assert main_sees == "main"
    assert NAME.get() == "unset"        # the runtime's caller: untouched


@pytest.mark.parametrize("on", [True, False])
def test_a_stackless_caller_and_its_server_each_see_only_their_own_context(on):
    def main():
        spawn(caller, self(), Named.start("server"), 30)
        return receive(), NAME.get()
    STARTED.clear()
    seen, main_sees = runtime(on).run(main)
    assert ("caller" in STARTED) == on
    assert seen == [("server", "caller")] * 30
    assert main_sees == "unset"
    assert NAME.get() == "unset"
