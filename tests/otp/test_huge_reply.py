"""A huge reply copy takes turns with other processes; a caller that gave up meanwhile never gets it.

(The copy taking turns is tested in tests/runtime/test_deep_messages.py.)
"""
from __future__ import annotations

import gc

import pytest

from beamlab.runtime import MockClock, Runtime, current_runtime, receive, sleep
from beamlab.runtime.otp import CallExit, GenServer, Ok, Reply


class ClockJump:
    """A reply part whose copy lets an hour pass and asks for a switch."""

    def __deepcopy__(self, memo):
        rt = current_runtime()
        rt.clock.advance(3600)
        rt._service_due = True
        return ClockJump()


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs SIGALRM")
def test_a_caller_that_gives_up_while_a_huge_reply_is_copied_never_gets_it_late():
    class Big(GenServer):
        def init(self, arg):
            return Ok(arg)

        def handle_call(self, request, from_, state):
            return Reply([ClockJump(), *([i] for i in range(50_000))], state)

    def main():
        server = Big.start_link(None)
        try:
            GenServer.call(server, "big", timeout=1)
            outcome = "answered"
        except CallExit as e:
            outcome = e.reason[0]
        sleep(7200)               # the server finishes copying its reply meanwhile
        GenServer.stop(server)
        return outcome, receive(timeout=0, default="no late reply")

    rt = Runtime(clock=MockClock(autojump=True), preemption="signal", tick=3600.0)
    gc.disable()
    try:
        assert rt.run(main) == ("timeout", "no late reply")
    finally:
        gc.enable()
        gc.collect()        # what died meanwhile, before a later runtime freezes it
