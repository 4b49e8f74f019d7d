"""stackless.generator_function: a process function's own receive() calls become yields.

The generators are driven by hand here (no runtime): `next` runs to the first
receive, `send` gives a receive its message, `throw` makes it raise.
"""
from __future__ import annotations

import ast
import functools
import linecache
import traceback
import types

import pytest

import beamlab.runtime as bl
from beamlab.runtime import ANY, ReceiveTimeout, receive
from beamlab.runtime import receive as recv
from beamlab.runtime.stackless import generator_function, original_exception


def finish(gen, value):
    """Send `value` in and return what the generator returns (it must end there)."""
    with pytest.raises(StopIteration) as stop:
        gen.send(value)
    return stop.value.value


# ---------------------------------------------------------------- what is yielded

def _idle():
    return receive()


def test_a_bare_receive_yields_the_receive_function_and_returns_what_is_sent_in():
    gen = generator_function(_idle)()
    assert isinstance(gen, types.GeneratorType)
    assert next(gen) is receive
    assert finish(gen, "hello") == "hello"


def _forward(nxt, count=0):
    while True:
        msg = receive()
        if msg == "stop":
            return count
        nxt.append(msg)
        count += 1


def test_a_forwarding_loop_waits_at_each_receive_and_returns_at_the_end():
    out = []
    gen = generator_function(_forward)(out)
    assert next(gen) is receive
    assert gen.send(1) is receive
    assert gen.send(2) is receive
    assert finish(gen, "stop") == 2
    assert out == [1, 2]


def _selective(ref):
    reply = receive(("reply", ref, ANY), timeout=1.0)
    polled = receive(timeout=0, default=None)
    return reply, polled


def test_a_receive_with_patterns_and_options_yields_callee_args_and_keywords():
    gen = generator_function(_selective)("r1")
    assert next(gen) == (receive, (("reply", "r1", ANY),), {"timeout": 1.0})
    assert gen.send(("reply", "r1", 5)) == (receive, (), {"timeout": 0, "default": None})
    assert finish(gen, None) == (("reply", "r1", 5), None)


def _unpacking(patterns, options):
    return receive("first", *patterns, timeout=2, **options)


def test_starred_arguments_and_keyword_unpacking_are_passed_through():
    gen = generator_function(_unpacking)(("a", "b"), {"default": 0})
    assert next(gen) == (receive, ("first", "a", "b"), {"timeout": 2, "default": 0})
    assert finish(gen, "a") == "a"


def test_a_bad_star_argument_fails_with_the_message_of_the_real_call():
    with pytest.raises(TypeError) as real:
        _unpacking(5, {})
    with pytest.raises(TypeError) as ours:
        next(generator_function(_unpacking)(5, {}))
    assert str(ours.value) == str(real.value)
    assert "after * must be an iterable, not int" in str(ours.value)


def test_a_keyword_given_twice_fails_with_the_message_of_the_real_call():
    with pytest.raises(TypeError) as real:
        _unpacking((), {"timeout": 3})
    with pytest.raises(TypeError) as ours:
        next(generator_function(_unpacking)((), {"timeout": 3}))
    assert str(ours.value) == str(real.value)
    assert "got multiple values for keyword argument 'timeout'" in str(ours.value)


def _aliases():
    a = recv()
    b = bl.receive(timeout=5)
    return a, b


def test_an_alias_of_receive_and_a_module_attribute_receive_are_yields_too():
    gen = generator_function(_aliases)()
    assert next(gen) is receive
    assert gen.send("a") == (receive, (), {"timeout": 5})
    assert finish(gen, "b") == ("a", "b")


def test_what_is_yielded_is_what_the_name_holds_when_the_receive_runs():
    g = {}
    code = "from beamlab.runtime import receive\ndef waits():\n    return receive()\n"
    fn = _define(code, "waits", g, "<stackless test rebinding>")
    gen = generator_function(fn)()
    g["receive"] = stand_in = lambda: "stand-in"
    assert next(gen) is stand_in


# ---------------------------------------------------------------- the function around it

def _make_counter(start, step):
    def counter(n=1, *, scale=10):
        """Count the messages."""
        total = start
        for _ in range(n):
            total += receive() * step * scale
        return total
    return counter


def test_closure_cells_defaults_and_keyword_defaults_are_the_original_functions():
    counter = _make_counter(100, 2)
    gen_fn = generator_function(counter)
    assert gen_fn.__closure__ is counter.__closure__
    assert gen_fn.__defaults__ == (1,) and gen_fn.__kwdefaults__ == {"scale": 10}
    assert (gen_fn.__name__, gen_fn.__qualname__, gen_fn.__module__, gen_fn.__doc__) == \
        ("counter", "_make_counter.<locals>.counter", __name__, "Count the messages.")
    assert gen_fn.__code__.co_qualname == "_make_counter.<locals>.counter"
    assert gen_fn.__code__.co_filename == counter.__code__.co_filename
    gen = gen_fn(2)
    next(gen)
    gen.send(1)
    assert finish(gen, 3) == 100 + 1 * 2 * 10 + 3 * 2 * 10


def test_functions_made_by_one_def_share_one_transformed_code_with_their_own_cells():
    a, b = _make_counter(0, 1), _make_counter(1000, 1)
    ga, gb = generator_function(a), generator_function(b)
    assert ga.__code__ is gb.__code__
    gen = gb(scale=1)
    next(gen)
    assert finish(gen, 5) == 1005


class _Account:
    def __init__(self):
        self.__balance = 0

    def serve(self):
        self.__balance += receive()
        return self.__balance


def test_a_method_keeps_its_private_names_mangled():
    account = _Account()
    gen = generator_function(_Account.serve)(account)
    next(gen)
    assert finish(gen, 7) == 7
    assert account._Account__balance == 7


def _countdown(n):
    if n == 0:
        return "done"
    receive()
    return _countdown(n - 1)


def test_a_recursive_call_to_itself_stays_an_ordinary_call():
    assert finish_at_once(generator_function(_countdown)(0)) == "done"
    gen = generator_function(_countdown)(1)
    assert next(gen) is receive
    assert finish(gen, "tick") == "done"      # _countdown(0) ran as the plain function


def finish_at_once(gen):
    with pytest.raises(StopIteration) as stop:
        next(gen)
    return stop.value.value


def _outer_and_nested():
    first = receive()

    def later():
        return receive()
    return first, later


def test_a_receive_in_a_nested_def_is_left_alone_and_the_outer_one_transformed():
    gen = generator_function(_outer_and_nested)()
    assert next(gen) is receive
    first, later = finish(gen, 1)
    assert first == 1
    assert not isinstance(later, types.GeneratorType) and later.__code__.co_flags & 0x20 == 0
    assert later.__qualname__ == "_outer_and_nested.<locals>.later"


def _stop_iteration():
    receive()
    return next(iter([]))


def test_a_stop_iteration_the_function_raises_is_given_back_by_original_exception():
    gen = generator_function(_stop_iteration)()
    next(gen)
    with pytest.raises(RuntimeError) as err:
        gen.send(None)
    assert type(original_exception(err.value)) is StopIteration
    other = RuntimeError("mine")
    assert original_exception(other) is other


# ---------------------------------------------------------------- tracebacks

def _crashes(n):
    msg = receive(timeout=n)
    return 1 / msg


def _frame_of(exc, name):
    """The traceback entry of `name` as a learner sees it: position and the printed lines."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.name == name]
    assert len(frames) == 1
    f = frames[0]
    text = traceback.format_list([f])[0]
    return (f.filename, f.lineno, f.end_lineno, f.colno, f.end_colno, text)


def test_an_exception_thrown_in_points_at_the_receive_line_with_its_carets():
    with pytest.raises(Exception) as real:
        _crashes(1)     # outside any runtime: receive itself raises
    gen = generator_function(_crashes)(1)
    next(gen)
    with pytest.raises(ReceiveTimeout) as ours:
        gen.throw(ReceiveTimeout("no message"))
    assert _frame_of(ours.value, "_crashes") == _frame_of(real.value, "_crashes")
    assert "msg = receive(timeout=n)" in _frame_of(ours.value, "_crashes")[-1]


def _with_stub_receive(fn, value):
    """`fn`'s own code, run as it is, with a receive that returns `value`."""
    g = dict(fn.__globals__, receive=lambda *args, **kwargs: value)
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


def test_a_crash_after_a_receive_shows_the_original_line_and_carets():
    with pytest.raises(ZeroDivisionError) as real:
        _with_stub_receive(_crashes, 0)(1)
    gen = generator_function(_crashes)(1)
    next(gen)
    with pytest.raises(ZeroDivisionError) as ours:
        gen.send(0)
    assert _frame_of(ours.value, "_crashes") == _frame_of(real.value, "_crashes")
    assert _frame_of(ours.value, "_crashes")[-1].splitlines()[1:] == \
        ["    return 1 / msg", "           ~~^~~~~"]


def _make_indented():
    class Inner:
        def deep(self):
            value = receive()
            return value.missing
    return Inner


def test_an_indented_def_keeps_its_columns_in_a_traceback():
    inner = _make_indented()
    with pytest.raises(AttributeError) as real:
        _with_stub_receive(inner.deep, 1)(inner())
    gen = generator_function(inner.deep)(inner())
    next(gen)
    with pytest.raises(AttributeError) as ours:
        gen.send(1)
    assert _frame_of(ours.value, "deep") == _frame_of(real.value, "deep")
    assert _frame_of(ours.value, "deep")[-1].splitlines()[1:] == \
        ["    return value.missing", "           ^^^^^^^^^^^^^"]


# ---------------------------------------------------------------- refused: None

def _in_try():
    try:
        return receive()
    except ValueError:
        return None


def _in_finally():
    try:
        pass
    finally:
        receive()


def _in_with(lock):
    with lock:
        return receive()


def _in_a_loop_in_a_try():
    try:
        while True:
            receive()
    finally:
        pass


def _in_match_guard(x):
    match x:
        case 1 if receive():
            return 1
    return 0


def _one_protected_one_not():
    receive()
    try:
        receive()
    finally:
        pass


@pytest.mark.parametrize("fn", [_in_try, _in_finally, _in_with, _in_a_loop_in_a_try,
                                _in_match_guard, _one_protected_one_not])
def test_a_receive_in_a_try_a_with_or_a_guard_is_refused(fn):
    assert generator_function(fn) is None


def _already_a_generator():
    yield receive()


async def _a_coroutine():
    return receive()


def _no_receive():
    return 1


def _shadowed_by_parameter(receive):
    return receive()


def _shadowed_by_local():
    receive = list
    return receive()


def _nested_only():
    return [receive() for _ in range(2)], (lambda: receive())


class _Base:
    def handle(self):
        return 0


class _UsesSuper(_Base):
    def handle(self):
        receive()
        return super().handle()


class _CallableObject:
    def __call__(self):
        return receive()


@pytest.mark.parametrize("fn", [
    _already_a_generator, _a_coroutine, _no_receive, _shadowed_by_parameter, _shadowed_by_local,
    _nested_only, _UsesSuper().handle, _UsesSuper.handle, lambda: receive(), len,
    functools.partial(_forward, []), _Account().serve, _CallableObject(), _Account, "receive"])
def test_what_cannot_be_run_as_a_generator_is_refused(fn):
    assert generator_function(fn) is None


def _define(source, name, g, filename, *, cache=True):
    if cache:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), g)
    return g[name]


def test_code_whose_source_cannot_be_found_is_refused():
    fn = _define("from beamlab.runtime import receive\ndef f():\n    return receive()\n", "f", {},
                 "<stackless test no source>", cache=False)
    assert generator_function(fn) is None


def test_code_whose_source_was_edited_since_is_refused():
    name = "<stackless test edited>"
    fn = _define("from beamlab.runtime import receive\ndef f():\n    return receive()\n", "f", {},
                 name)
    source = "from beamlab.runtime import receive\ndef f():\n    return receive(timeout=1)\n"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    assert generator_function(fn) is None


def test_a_redefined_function_gets_the_new_version_and_the_old_keeps_its_own():
    name, g = "<stackless test redefined>", {}
    old = _define("from beamlab.runtime import receive\ndef f():\n    return receive()\n", "f", g,
                  name)
    old_gen = generator_function(old)
    new = _define("from beamlab.runtime import receive\ndef f():\n    return receive(timeout=2)\n",
                  "f", g, name)
    assert next(generator_function(new)()) == (receive, (), {"timeout": 2})
    assert generator_function(old) is old_gen
    assert next(old_gen()) is receive


def test_a_function_is_transformed_once_and_then_served_from_the_cache():
    gen_fn = generator_function(_forward)
    assert generator_function(_forward) is gen_fn
    assert generator_function(_no_receive) is None and generator_function(_no_receive) is None


def test_a_receive_rebound_to_something_else_is_no_longer_transformed():
    g = {}
    fn = _define("from beamlab.runtime import receive\ndef f():\n    return receive()\n", "f", g,
                 "<stackless test rebound>")
    assert generator_function(fn) is not None
    g["receive"] = print
    assert generator_function(fn) is None


def test_a_function_in_an_ipython_cell_is_transformed():
    # IPython registers the cell's code in linecache and compiles it one statement at a time
    compilerop = pytest.importorskip("IPython.core.compilerop")
    compiler = compilerop.CachingCompiler()
    cell = ("import beamlab.runtime as bl\n"
            "from beamlab.runtime import receive\n\n"
            "def pong():\n"
            "    first = bl.receive(timeout=1)\n"
            "    return ('pong', first, receive())\n")
    name, g = compiler.cache(cell, 1), {}
    for node in ast.parse(cell).body:
        exec(compiler(ast.Module([node], []), name, "exec"), g)
    gen = generator_function(g["pong"])()
    assert next(gen) == (receive, (), {"timeout": 1})
    assert gen.send(1) is receive
    assert finish(gen, 2) == ("pong", 1, 2)


def _decorate(fn):
    fn.decorated = True
    return fn


@_decorate
@_decorate
def _decorated(x):
    return x, receive()


def test_a_decorated_function_is_transformed_without_running_its_decorators_again():
    gen_fn = generator_function(_decorated)
    assert gen_fn.decorated and gen_fn.__code__.co_firstlineno == _decorated.__code__.co_firstlineno
    gen = gen_fn(1)
    next(gen)
    assert finish(gen, 2) == (1, 2)


# ---------------------------------------------------------------- with the runtime's driver

def _make_relay(label):
    def relay(to, times, *, wait=1.0):
        for _ in range(times):
            _, n = recv(("msg", ANY), timeout=wait)
            bl.send(to, (label, n))
        return bl.receive("never", timeout=wait)    # never comes: ReceiveTimeout here
    return relay


def _relay_run(stackless):
    import io

    err = io.StringIO()
    rt = bl.Runtime(stackless=stackless, clock=bl.MockClock(autojump=True))
    rt.default_group_leader = bl.GroupLeader(stream=err)
    relay = _make_relay("r")

    def main():
        pid, ref = bl.spawn_monitor(relay, bl.self(), 2, wait=5.0)
        bl.sleep(0.001)
        record = bl.current_runtime()._table[pid.id]
        parked = record.greenlet is None and record.gen is not None
        bl.send(pid, ("noise", 0))
        bl.send(pid, ("msg", 1))
        bl.send(pid, ("msg", 2))
        got = [receive(("r", ANY)) for _ in range(2)]
        reason = receive(("DOWN", ref, ANY, ANY, ANY))[4]
        return parked, got, reason.kind

    result = rt.run(main)
    rt._flush_output()
    report = [line for line in err.getvalue().splitlines() if not line.startswith("=ERROR")]
    return result, report


def test_a_transformed_closure_runs_parked_under_the_runtime_and_crashes_as_on_a_greenlet():
    (on, report_on), (off, report_off) = _relay_run(True), _relay_run(False)
    assert on == (True, [("r", 1), ("r", 2)], "ReceiveTimeout")
    assert off == (False, [("r", 1), ("r", 2)], "ReceiveTimeout")
    assert learners_part(report_on) == learners_part(report_off)
    assert learners_part(report_on)[1:] == ['    return bl.receive("never", timeout=wait)    # '
                                            'never comes: ReceiveTimeout here',
                                            '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^']
    assert report_on[-1] == report_off[-1] and report_on[-1].startswith("beamlab.runtime.errors.")


def learners_part(report):
    """The traceback's entry for this file's code: its File line, source line and carets."""
    at = next(i for i, line in enumerate(report) if line.startswith(f'  File "{__file__}"'))
    return report[at:at + 3]


def _match_subject_and_global():
    global receive
    match receive():
        case ("add", n):
            return n + receive()
        case _:
            return None


def test_a_receive_as_a_match_subject_and_under_a_global_statement_is_a_yield():
    gen = generator_function(_match_subject_and_global)()
    assert next(gen) is receive
    assert gen.send(("add", 1)) is receive
    assert finish(gen, 2) == 3


def _passes_receive_on(apply):
    return apply(receive), receive()


def test_receive_named_but_not_called_is_left_as_it_is():
    gen = generator_function(_passes_receive_on)(lambda f: f)
    assert next(gen) is receive
    assert finish(gen, "m") == (receive, "m")


def _make_recursive():
    def again(n):
        if n:
            receive()
            return again(n - 1)
        return "done"
    return again


def test_a_recursive_closure_is_not_kept_alive_by_the_cache():
    import gc
    import weakref

    again = _make_recursive()
    gen = generator_function(again)(1)
    next(gen)
    assert finish(gen, "m") == "done"
    gone = weakref.ref(again)
    del again, gen
    gc.collect()
    assert gone() is None


def test_a_code_object_that_dies_at_interpreter_exit_leaves_no_noise(monkeypatch):
    # At exit the module's globals may already be None when a cached code object
    # goes: its weakref callback must not print "Exception ignored ... 'NoneType'".
    import beamlab.runtime.stackless as sl
    code = compile("def g():\n    pass\n", "<exit-test>", "exec").co_consts[0]
    info = sl._info_for(code, {})
    monkeypatch.setattr(sl, "_by_code", None)
    info.ref.__callback__(info.ref)     # what the interpreter runs when the code goes


# ---------------------------------------------------------------- X.call(...): GenServer calls

from beamlab.runtime import _receive as _recv_mod          # noqa: E402
from beamlab.runtime.otp import GenServer                  # noqa: E402
from beamlab.runtime.otp import _client as _client_mod     # noqa: E402

_ORDER: list = []


class _Seen:
    """An object whose `.call` and attribute read are logged, to check the order."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        _ORDER.append(f"{self.name}.{attr}")
        return lambda *a, **k: (self.name, a, k)


def _arg(x):
    _ORDER.append(f"arg {x}")
    return x


def _only_calls(server, other):
    reply = GenServer.call(server, ("get", _arg(1)), timeout=_arg(2))
    return reply, other.call(*[_arg(3)], **{"k": _arg(4)})


def _parked(gen_value):
    """The arguments a GenServer call yields for the driver to park on: (args, kwargs)."""
    assert type(gen_value) is tuple
    if gen_value[0] is _recv_mod._CALL_PARK_KW:
        assert len(gen_value) == 3
        return gen_value[1], gen_value[2]
    assert gen_value[0] is _recv_mod._CALL_PARK
    return gen_value[1:], {}


class _SeenCall:
    """A `.call` read and logged, whose call is logged with its arguments too."""

    def __init__(self, name):
        self.name = name

    @property
    def call(self):
        _ORDER.append(f"{self.name}.call")
        return lambda *a, **k: _ORDER.append(("called", a, k)) or (self.name, a, k)


def test_a_function_whose_only_waits_are_calls_yields_only_genservers_calls():
    # `X.call(args)` -> `((yield (PARK, *args)) if (.c := X.call) is CALL else .c(args))`
    # (keywords: `(yield (PARK_KW, (args), {kwargs}))`): X.call first, then the arguments; GenServer's call yields them (the
    # driver starts the call and sends back its reply), anything else is called right there
    _ORDER.clear()
    gen = generator_function(_only_calls)("srv", _SeenCall("other"))
    assert _parked(next(gen)) == (("srv", ("get", 1)), {"timeout": 2})
    assert _ORDER == ["arg 1", "arg 2"]
    # the reply is the call's value; the other object's call runs in the frame, no yield
    assert finish(gen, "the reply") == ("the reply", ("other", (3,), {"k": 4}))
    assert _ORDER == ["arg 1", "arg 2", "other.call", "arg 3", "arg 4",
                      ("called", (3,), {"k": 4})]


def _gs_call_order(x):
    return GenServer.call(_arg(1), *[_arg(2)], **{"timeout": _arg(3)})


def test_genservers_call_with_star_arguments_yields_them_packed_in_order():
    _ORDER.clear()
    gen = generator_function(_gs_call_order)(None)
    assert _parked(next(gen)) == ((1, 2), {"timeout": 3})
    assert _ORDER == ["arg 1", "arg 2", "arg 3"]
    assert finish(gen, "reply") == "reply"


def _gs_call_bad_star(x):
    return GenServer.call(*x)


def test_a_bad_star_argument_of_genservers_call_fails_as_the_call_would():
    with pytest.raises(TypeError) as real:
        _gs_call_bad_star(5)
    gen = generator_function(_gs_call_bad_star)(5)
    with pytest.raises(TypeError) as ours:
        next(gen)
    assert str(ours.value) == str(real.value)
    assert "call() argument after * must be an iterable, not int" in str(ours.value)


def _two_locals(other):
    a = other.call(1)
    b = 2
    return locals()


def test_the_hidden_local_keeps_xcall_once_and_the_functions_own_locals_are_unchanged():
    gen = generator_function(_two_locals)(_SeenCall("o"))
    _ORDER.clear()
    got = finish(gen, None)
    assert _ORDER == ["o.call", ("called", (1,), {})]      # X.call read once
    assert {k: v for k, v in got.items() if not k.startswith(".")} == \
        {"other": got["other"], "a": ("o", (1,), {}), "b": 2}
    code = generator_function(_two_locals).__code__
    assert tuple(n for n in code.co_varnames if n.isidentifier()) == _two_locals.__code__.co_varnames


def _call_in_try(server):
    msg = receive()
    try:
        return msg, GenServer.call(server, "x")
    except Exception as e:
        return msg, e


def test_a_call_inside_try_stays_a_call_and_does_not_refuse_the_function():
    gen = generator_function(_call_in_try)(None)
    assert next(gen) is receive
    msg, err = finish(gen, "m")     # the call ran as written (outside a runtime: it raises)
    assert msg == "m" and isinstance(err, bl.NotInProcess)


_gs_call = GenServer.call


def _by_name(server):
    return _gs_call(server, "x")


def test_a_global_name_bound_to_genservers_call_is_a_call_too():
    assert _gs_call is _client_mod.call
    gen = generator_function(_by_name)("srv")
    assert _parked(next(gen)) == (("srv", "x"), {})
    assert finish(gen, "reply") == "reply"


def _plain_names(f):
    return f(1), len([1])


def test_a_function_with_no_receive_and_no_x_call_is_not_made_a_generator():
    assert generator_function(_plain_names) is None


def _fails_in_call(other):
    x = 1
    return other.call(x,
                      "bad")


class _Raises:
    def call(self, *args):
        raise KeyError("nope")


def test_an_error_in_a_rewritten_call_points_at_the_call_with_its_carets():
    with pytest.raises(KeyError) as real:
        _fails_in_call(_Raises())
    gen = generator_function(_fails_in_call)(_Raises())
    with pytest.raises(KeyError) as ours:
        next(gen)                       # called in the learner's frame, as written
    assert _frame_of(ours.value, "_fails_in_call") == _frame_of(real.value, "_fails_in_call")
    assert [f.name for f in traceback.extract_tb(ours.value.__traceback__)][-2:] == \
        ["_fails_in_call", "call"]


def _gs_fails_in_call(server):
    x = 1
    return GenServer.call(x,
                          "bad")


def test_a_call_exit_thrown_in_points_at_the_calls_line():
    gen = generator_function(_gs_fails_in_call)(None)
    assert _parked(next(gen)) == ((1, "bad"), {})
    with pytest.raises(bl.NotInProcess) as ours:
        gen.throw(bl.NotInProcess("thrown"))
    with pytest.raises(bl.NotInProcess) as real:
        _gs_fails_in_call(None)         # outside a runtime the call raises at its line
    assert _frame_of(ours.value, "_gs_fails_in_call") == \
        _frame_of(real.value, "_gs_fails_in_call")


def _constant_call():
    return GenServer.call("srv", ("get", 1))


def test_a_call_with_constant_arguments_yields_the_park_marker_not_a_folded_string():
    # the compiler folds `(PARK, ("srv", ("get", 1)))` into one constant: the marker in it
    # is swapped too
    gen = generator_function(_constant_call)()
    assert _parked(next(gen)) == (("srv", ("get", 1)), {})
    assert finish(gen, "reply") == "reply"
