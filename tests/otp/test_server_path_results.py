"""Reply(value, state) and NoReply(state), as callbacks write them on every call and cast,
and which messages the server takes for a call or a cast.

Compiled, those two forms are built by _results.pxd's own constructor (and the values
come from a freelist); every other form by the dataclass's. Both builds must give the
same values: these checks hold in each.
"""
from __future__ import annotations

import gc
import sys

import pytest

from beamlab.runtime import send
from beamlab.runtime.otp import GenServer, NoReply, Ok, Reply
from beamlab.runtime.otp._results import _UNSET
from beamlab.runtime.otp._rt import GEN_CAST


def test_the_positional_forms_give_the_values_the_keyword_forms_give():
    value, state = object(), ["state"]
    reply = Reply(value, state)
    assert reply == Reply(value=value, state=state) == Reply(value, state, None, _UNSET, False)
    assert reply.value is value and reply.state is state
    assert reply.timeout is None and reply.continue_ is _UNSET and reply.hibernate is False
    noreply = NoReply(state)
    assert noreply == NoReply(state=state) == NoReply(state, None, _UNSET, False)
    assert noreply.state is state
    assert noreply.timeout is None and noreply.continue_ is _UNSET and noreply.hibernate is False


def test_values_built_one_after_another_share_nothing():
    # a value handed back and built again (compiled: from the freelist) starts afresh
    first = Reply("a", 1, timeout=5, continue_="go", hibernate=True)
    del first
    again = Reply("b", 2)
    assert (again.value, again.state, again.timeout, again.continue_, again.hibernate) == \
        ("b", 2, None, _UNSET, False)
    many = [NoReply(i) for i in range(50)]          # more than a freelist keeps
    assert [n.state for n in many] == list(range(50))
    assert len({id(n) for n in many}) == 50


def test_building_and_dropping_values_keeps_no_reference_to_their_fields():
    value, state = object(), object()
    gc.collect()
    before = sys.getrefcount(value), sys.getrefcount(state)
    for _ in range(1000):
        Reply(value, state)
        NoReply(state)
    assert (sys.getrefcount(value), sys.getrefcount(state)) == before


def test_a_subclass_built_positionally_is_itself():
    class Answer(Reply):
        pass

    class Later(NoReply):
        pass

    answer, later = Answer(1, 2), Later(3)
    assert type(answer) is Answer and (answer.value, answer.state, answer.continue_) == (1, 2, _UNSET)
    assert type(later) is Later and (later.state, later.timeout) == (3, None)


@pytest.mark.parametrize("build", [lambda: Reply(1), lambda: Reply(1, 2, 3, 4, 5, 6),
                                   lambda: Reply(1, state=2, value=3), lambda: NoReply(),
                                   lambda: NoReply(1, 2, 3, 4, 5), lambda: NoReply(1, bogus=2)])
def test_a_wrong_call_is_still_a_type_error(build):
    with pytest.raises(TypeError):
        build()


# ---------------------------------------------------------------- the server's dispatch

class Infos(GenServer):
    """Answers calls, counts casts, and keeps every message handle_info gets."""

    def init(self, arg):
        return Ok({"casts": 0, "infos": []})

    def handle_call(self, request, from_, state):
        return Reply((request, state["casts"], state["infos"]), state)

    def handle_cast(self, request, state):
        return NoReply({**state, "casts": state["casts"] + 1})

    def handle_info(self, message, state):
        return NoReply({**state, "infos": state["infos"] + [message]})


class Pair(tuple):
    pass


def test_only_a_plain_tuple_with_a_tag_is_a_call_or_a_cast(run):
    # an empty tuple, a tuple subclass shaped like a cast, a list: all handle_info's
    shaped_like_a_cast = Pair((GEN_CAST, "bump"))

    def main():
        pid = Infos.start_link(None)
        for message in ((), shaped_like_a_cast, [GEN_CAST, "bump"], "hello"):
            send(pid, message)
        GenServer.cast(pid, "bump")
        return GenServer.call(pid, "state")
    request, casts, infos = run(main)
    assert (request, casts) == ("state", 1)
    assert infos == [(), shaped_like_a_cast, [GEN_CAST, "bump"], "hello"]
    assert type(infos[1]) is Pair
