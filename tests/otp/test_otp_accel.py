"""The GenServer's result values and its cast path: the same, compiled or pure.

In the compiled build (runtime/_accel.py) ``Ok``, ``Reply``, ``NoReply`` and ``Stop``
are extension types (otp/_results.pxd) and the server's dispatch is C (otp/_server.pxd);
CI runs these tests in both builds, and they pin what a learner sees of them.
"""
from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from beamlab.runtime import monitor, receive, send
from beamlab.runtime import self as self_pid
from beamlab.runtime.messages import to_message
from beamlab.runtime.otp import (BadReturn, CallExit, GenServer, Ignore, NoReply, Ok, Reply,
                                 Stop)
from beamlab.runtime.otp._rt import GEN_CALL, GEN_CAST
from otp_helpers import as_test, report


# ---------------------------------------------------------------- the values

def test_result_values_print_compare_and_default_as_the_dataclasses_they_are():
    assert repr(NoReply(1)) == "NoReply(state=1, timeout=None, continue_=<unset>, hibernate=False)"
    assert repr(Reply("v", 2, timeout=3)) == \
        "Reply(value='v', state=2, timeout=3, continue_=<unset>, hibernate=False)"
    assert repr(Ok([1], continue_="load")) == \
        "Ok(state=[1], timeout=None, continue_='load', hibernate=False)"
    assert repr(Stop("normal")) == "Stop(reason='normal', state=None, reply=<unset>)"
    assert Reply(1, 2) == Reply(value=1, state=2) != Reply(1, 3)
    assert NoReply(5) != Ok(5) and NoReply(5) == NoReply(5, None)
    assert not Stop("x", 1).has_reply and Stop("x", 1, reply=None).has_reply
    assert Ignore() == Ignore()


def test_result_values_are_dataclasses_with_their_fields_in_order():
    assert [f.name for f in dataclasses.fields(Reply)] == \
        ["value", "state", "timeout", "continue_", "hibernate"]
    assert [f.name for f in dataclasses.fields(Stop)] == ["reason", "state", "reply"]
    assert dataclasses.asdict(NoReply(3, timeout=1.5))["timeout"] == 1.5
    assert dataclasses.replace(Reply(1, 2), state=7) == Reply(1, 7)
    assert all(dataclasses.is_dataclass(c) for c in (Ok, Reply, NoReply, Stop, Ignore))


def test_result_values_match_positionally_as_elixir_tuples_do():
    match Reply("pong", 4):
        case Reply(value, state):
            assert (value, state) == ("pong", 4)
        case _:
            pytest.fail("Reply(value, state) did not match")
    match NoReply(9):
        case Reply():
            pytest.fail("a NoReply matched Reply")
        case NoReply(state):
            assert state == 9


def test_a_result_value_needs_its_fields():
    with pytest.raises(TypeError):
        Reply(1)
    with pytest.raises(TypeError):
        NoReply()
    with pytest.raises(TypeError):
        NoReply(1, bogus=2)


def test_result_values_survive_pickle_copy_and_being_sent():
    for value in (Ok({"a": [1]}), Reply([1], {"k": 2}, timeout=5), NoReply([3], continue_=("go", 1)),
                  Stop("shutdown", [4], reply="bye"), Ignore()):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value
        sent = to_message(("wrapped", value))
        assert sent == ("wrapped", value) and type(sent[1]) is type(value)
    unset = pickle.loads(pickle.dumps(NoReply(1)))
    assert unset.continue_ is NoReply(2).continue_          # the one "no value given" marker


# ---------------------------------------------------------------- the cast path

class Tally(GenServer):
    def init(self, arg):
        return Ok({"n": 0})

    def handle_call(self, request, from_, state):
        return Reply(state["n"], state)

    def handle_cast(self, request, state):
        n = state["n"] + 1
        if request == "tuple":
            return ("noreply", {**state, "n": n})
        if request == "continue":
            return NoReply({**state, "n": n}, continue_="after")
        if request == "stop":
            return Stop("done", state)
        if request == "stop-tuple":
            return ("stop", "done-tuple", state)
        if request == "bad":
            return n                # not a result value
        if request == "raise":
            raise ValueError("cast blew up")
        return NoReply({**state, "n": n})

    def handle_continue(self, arg, state):
        report("continued", arg, state["n"])
        return NoReply(state)

    def terminate(self, reason, state):
        report("terminate", reason if not hasattr(reason, "exception") else
               type(reason.exception).__name__)


def _down_reason(cast_request):
    """Cast `cast_request` to a fresh Tally; what its terminate saw and the call after it."""
    def main():
        as_test()
        pid = Tally.start(None)
        GenServer.cast(pid, "bump")
        GenServer.cast(pid, cast_request)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "count")
        return receive(("terminate", object)), info.value.reason[0]
    return main


def test_casts_returning_each_kind_of_result_all_count(run):
    def main():
        as_test()
        pid = Tally.start(None)
        for request in ("bump", "tuple", "continue", "bump"):
            GenServer.cast(pid, request)
        count = GenServer.call(pid, "count")
        return count, receive(("continued", "after", int))
    assert run(main) == (4, ("continued", "after", 3))


@pytest.mark.parametrize("request_, reason", [("stop", "done"), ("stop-tuple", "done-tuple")])
def test_a_cast_returning_stop_terminates_the_server_with_its_reason(run, request_, reason):
    terminated, why = run(_down_reason(request_))
    assert terminated == ("terminate", reason) and why == reason


def test_a_cast_returning_a_plain_value_crashes_the_server_saying_what_to_return(run):
    terminated, crash = run(_down_reason("bad"))
    assert terminated == ("terminate", "BadReturn")
    assert isinstance(crash.exception, BadReturn)
    assert str(crash.exception).startswith(
        "handle_cast returned 2; return NoReply(state) or Stop(reason, state)")


def test_a_cast_that_raises_crashes_the_server_with_the_exception(run):
    terminated, crash = run(_down_reason("raise"))
    assert terminated == ("terminate", "ValueError")
    assert str(crash.exception) == "cast blew up"



def test_gen_server_tags_made_elsewhere_are_a_cast_and_a_call_all_the_same(run):
    # The compiled dispatch matches the client's own tag objects by identity; a tag equal
    # to them but made elsewhere (a message written by hand, one from another node) must
    # still be a cast and a call, not handle_info.
    cast_tag, call_tag = "".join(["$gen_", "cast"]), "".join(["$gen_", "call"])
    assert cast_tag == GEN_CAST and cast_tag is not GEN_CAST
    assert call_tag == GEN_CALL and call_tag is not GEN_CALL

    def main():
        as_test()
        pid = Tally.start(None)
        send(pid, (cast_tag, "bump"))
        GenServer.cast(pid, "bump")
        ref = monitor(pid)      # a call's tag is the caller's monitor of the server
        send(pid, (call_tag, (self_pid(), ref), "count"))
        return receive((ref, object))[1], GenServer.call(pid, "count")
    assert run(main) == (2, 2)


def test_a_handle_cast_patched_on_a_running_server_takes_effect_at_once(run):
    class Patched(Tally):
        pass

    def main():
        as_test()
        pid = Patched.start(None)
        GenServer.cast(pid, "bump")
        assert GenServer.call(pid, "count") == 1
        Patched.handle_cast = lambda self, request, state: NoReply({"n": state["n"] + 10})
        GenServer.cast(pid, "bump")
        return GenServer.call(pid, "count")
    assert run(main) == 11


def test_the_result_values_show_their_fields_as_their_signature():
    # IPython's `NoReply?` and Shift-Tab read inspect.signature: compiled, the result
    # classes are extension types whose __init__ has no signature of its own
    import inspect
    from beamlab.runtime.otp import NoReply, Ok, Reply, Stop
    assert str(inspect.signature(NoReply)) == \
        "(state, timeout=None, continue_=<unset>, hibernate=False)"
    assert str(inspect.signature(Reply)) == \
        "(value, state, timeout=None, continue_=<unset>, hibernate=False)"
    assert str(inspect.signature(Ok)) == "(state, timeout=None, continue_=<unset>, hibernate=False)"
    assert str(inspect.signature(Stop)) == "(reason, state=None, reply=<unset>)"
