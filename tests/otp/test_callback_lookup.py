"""Which handle_call / handle_cast / handle_info a running server calls: Python's own answer.

Compiled, a server keeps the functions it found on its module's class while the class's
version tag stands (runtime/otp/_server.pxd); a learner may still patch the class or a
base, give the instance an attribute of that name, make the callback a staticmethod, a
partial or any callable, or swap the instance's class, and the next message must go where
`getattr(server_module, "handle_cast")(...)` would send it. CI runs these pure and compiled.
"""
from __future__ import annotations

import functools
import sys

import pytest

from beamlab.runtime import monitor, receive, send
from beamlab.runtime.otp import GenServer, NoReply, Ok, Reply
from otp_helpers import as_test, report


class Base(GenServer):
    """Every callback says who ran it: ("cast" | "call" | "info", who, request)."""

    def init(self, arg):
        return Ok(0)

    def handle_call(self, request, from_, state):
        return Reply(("base", request), state)

    def handle_cast(self, request, state):
        report("cast", "base", request)
        return NoReply(state)

    def handle_info(self, msg, state):
        report("info", "base", msg)
        return NoReply(state)


def poke(pid, n):
    """A cast, a plain message and a call: who ran each (the call's reply last). Twice, the
    same: a change takes effect at the next message and stays (compiled, the first message
    after a change of the class makes the method call as written, the next ones not)."""
    rounds = []
    for _ in range(2):
        GenServer.cast(pid, n)
        send(pid, n)
        reply = GenServer.call(pid, n)
        rounds.append([receive(("cast", object, n))[1], receive(("info", object, n))[1],
                       reply[0]])
    assert rounds[0] == rounds[1], rounds
    return rounds[0]


def fresh(name):
    """A new subclass of Base per test: patching it touches no other test."""
    return type(name, (Base,), {})


def remembering(cls):
    """A subclass of `cls` whose servers' instances are kept in the list returned with it,
    for a test to change from outside the server."""
    instances = []

    class Remember(cls):
        def init(self, arg):
            instances.append(self)
            return Ok(0)
    return Remember, instances


@pytest.mark.parametrize("where", ["class", "base"])
def test_callbacks_patched_on_the_class_or_a_base_of_a_running_server_are_called_next(run, where):
    Mid = fresh("Mid")
    Leaf = type("Leaf", (Mid,), {})

    def main():
        as_test()
        pid = Leaf.start(None)
        before = poke(pid, 1)
        target = Leaf if where == "class" else Mid
        target.handle_cast = lambda self, request, state: (report("cast", where, request),
                                                           NoReply(state))[1]
        target.handle_info = lambda self, msg, state: (report("info", where, msg), NoReply(state))[1]
        target.handle_call = lambda self, request, from_, state: Reply((where, request), state)
        after = poke(pid, 2)
        del target.handle_cast, target.handle_info, target.handle_call
        return before, after, poke(pid, 3)
    assert run(main) == (["base"] * 3, [where] * 3, ["base"] * 3)


def test_a_subclass_overriding_a_callback_does_not_change_a_server_of_its_base(run):
    Parent = fresh("Parent")

    def main():
        as_test()
        parent = Parent.start(None)
        poke(parent, 0)

        class Child(Parent):
            def handle_cast(self, request, state):
                report("cast", "child", request)
                return NoReply(state)
        child = Child.start(None)
        return poke(parent, 1), poke(child, 2), poke(parent, 3)
    assert run(main) == (["base"] * 3, ["child", "base", "base"], ["base"] * 3)


def test_a_callback_added_to_a_base_later_is_found_as_python_finds_it(run):
    class Plain(GenServer):         # defines no handle_info: GenServer's default prints
        def init(self, arg):
            return Ok(0)

        def handle_call(self, request, from_, state):
            return Reply(request, state)
    Leaf = type("Leaf", (Plain,), {})

    def main():
        as_test()
        pid = Leaf.start(None)
        send(pid, "early")          # GenServer's default handle_info: a line, the server lives
        GenServer.call(pid, "sync")
        Plain.handle_info = lambda self, msg, state: (report("info", "added", msg),
                                                      NoReply(state))[1]
        send(pid, "late")
        return receive(("info", object, object)), GenServer.call(pid, "alive")
    assert run(main) == (("info", "added", "late"), "alive")


class Recording:
    """A callable object (not a descriptor): Python calls it without the instance."""

    def __call__(self, request, state):
        report("cast", "callable", request)
        return NoReply(state)


class Descriptor:
    """A non-data descriptor whose __get__ decides what the server calls."""

    def __get__(self, obj, cls=None):
        return lambda request, state: (report("cast", ("descriptor", type(obj).__name__),
                                              request), NoReply(state))[1]


def _partial_cast(who, request, state):
    report("cast", who, request)
    return NoReply(state)


def _static_cast(request, state):
    report("cast", "static", request)
    return NoReply(state)


@pytest.mark.parametrize("callback, who", [
    (staticmethod(_static_cast), "static"),
    (classmethod(lambda cls, request, state: (report("cast", cls.__name__, request),
                                              NoReply(state))[1]), "Odd"),
    (Recording(), "callable"),
    (functools.partial(_partial_cast, "partial"), "partial"),
    (Descriptor(), ("descriptor", "Odd")),
])
def test_a_handle_cast_that_is_not_a_plain_function_is_called_as_python_calls_it(run, callback,
                                                                                  who):
    Odd = fresh("Odd")

    def main():
        as_test()
        pid = Odd.start(None)
        first = poke(pid, 1)[0]
        Odd.handle_cast = callback
        second = poke(pid, 2)[0]
        del Odd.handle_cast
        return first, second, poke(pid, 3)[0]
    assert run(main) == ("base", who, "base")


def test_an_instance_attribute_of_a_callbacks_name_wins_over_the_class_as_in_python(run):
    class Own(Base):
        def init(self, arg):
            self.handle_cast = lambda request, state: (report("cast", "instance", request),
                                                       NoReply(state))[1]
            return Ok(0)

        def handle_call(self, request, from_, state):
            if request == "drop":
                del self.handle_cast
            elif request == "info":     # set from inside a callback, mid-run
                self.handle_info = lambda msg, state: (report("info", "instance", msg),
                                                       NoReply(state))[1]
            elif request == "calls":
                self.handle_call = lambda request, from_, state: Reply(("instance", request),
                                                                       state)
            return Reply(("class", request), state)

    def main():
        as_test()
        pid = Own.start(None)
        first = poke(pid, 1)
        GenServer.call(pid, "info")
        second = poke(pid, 2)
        GenServer.call(pid, "drop")
        third = poke(pid, 3)
        GenServer.call(pid, "calls")
        return first, second, third, poke(pid, 4)
    assert run(main) == (["instance", "base", "class"], ["instance", "instance", "class"],
                         ["base", "instance", "class"], ["base", "instance", "instance"])


def test_an_instance_attribute_set_from_outside_the_server_is_called_next(run):
    Remember, instances = remembering(fresh("Target"))

    def main():
        as_test()
        pid = Remember.start(None)
        first = poke(pid, 1)
        vars(instances[0])["handle_cast"] = lambda request, state: (
            report("cast", "vars", request), NoReply(state))[1]
        second = poke(pid, 2)
        instances[0].__dict__.clear()
        return first, second, poke(pid, 3)
    assert run(main) == (["base"] * 3, ["vars", "base", "base"], ["base"] * 3)


def test_a_server_whose_module_changes_class_calls_the_new_classs_callbacks(run):
    First, Second = fresh("First"), fresh("Second")
    Second.handle_cast = lambda self, request, state: (report("cast", "second", request),
                                                       NoReply(state))[1]
    Keep, instances = remembering(First)

    def main():
        as_test()
        pid = Keep.start(None)
        first = poke(pid, 1)[0]
        instances[0].__class__ = Second
        return first, poke(pid, 2)[0]
    assert run(main) == ("base", "second")


def test_a_class_with_its_own_getattribute_is_asked_at_every_message(run):
    class Asked(Base):
        def __getattribute__(self, name):
            if name == "handle_cast":
                report("asked", name)
            return object.__getattribute__(self, name)

    def main():
        as_test()
        pid = Asked.start(None)
        out = [poke(pid, n)[0] for n in range(3)]
        return out, [receive(("asked", object)) for _ in range(3)]
    assert run(main) == (["base"] * 3, [("asked", "handle_cast")] * 3)


def test_a_callback_deleted_from_the_class_falls_back_to_genservers_default(run):
    Gone = fresh("Gone")
    Gone.handle_cast = Base.handle_cast

    def main():
        as_test()
        pid = Gone.start(None)
        poke(pid, 1)
        del Gone.handle_cast, Base.handle_cast
        try:
            ref = monitor(pid)
            GenServer.cast(pid, 2)
            return receive(("DOWN", ref, object, object, object))[4]
        finally:
            Base.handle_cast = Gone_cast
    Gone_cast = Base.handle_cast
    crash = run(main)
    assert type(crash.exception) is NotImplementedError
    assert "Gone got cast 2 but defines no handle_cast" in str(crash.exception)


def test_a_crashing_callback_s_traceback_ends_in_the_learner_s_line(run):
    class Boom(Base):
        def handle_cast(self, request, state):
            return 1 / request

    def main():
        pid = Boom.start(None)
        ref = monitor(pid)
        GenServer.cast(pid, 0)
        return receive(("DOWN", ref, object, object, object))[4]
    crash = run(main)
    assert type(crash.exception) is ZeroDivisionError
    lines = crash.traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "_server.py" in lines[1]
    assert lines[-4].endswith("in handle_cast") and lines[-3].strip() == "return 1 / request"
    assert lines[-1] == "ZeroDivisionError: division by zero"


def test_calling_callbacks_keeps_every_reference_count(run):
    Counted = fresh("Counted")
    request, state = "".join(["re", "quest"]), object()     # a str of its own: sent uncopied
    fns = [Base.__dict__[name] for name in ("handle_call", "handle_cast", "handle_info")]

    class Holds(Counted):
        def init(self, arg):
            return Ok(state)

    def main():
        as_test()
        pid = Holds.start(None)
        poke(pid, request)
        before = [sys.getrefcount(x) for x in [request, state, *fns]]
        for _ in range(50):
            poke(pid, request)
        return before, [sys.getrefcount(x) for x in [request, state, *fns]]
    before, after = run(main)
    assert after == before
