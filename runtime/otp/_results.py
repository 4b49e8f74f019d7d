"""What GenServer callbacks return: values, as in Elixir's result tuples.

How this works: every callback returns one of the dataclasses below
(``Ok``/``Ignore``/``Stop`` from ``init``; ``Reply``/``NoReply``/``Stop`` from
``handle_call``; ``NoReply``/``Stop`` from ``handle_cast``, ``handle_info`` and
``handle_continue``).  The Elixir tuple shapes are accepted too and turned into
the same values by the ``normalize_*`` functions, so code copied from the
Elixir docs keeps working:

=============================  =====================================
Elixir                         beamlab
=============================  =====================================
``{:ok, state}``               ``Ok(state)``  or ``("ok", state)``
``:ignore``                    ``Ignore()``   or ``"ignore"``
``{:stop, reason}`` (init)     ``Stop(reason)`` or ``("stop", reason)``
``{:reply, v, state}``         ``Reply(v, state)`` or ``("reply", v, state)``
``{:noreply, state}``          ``NoReply(state)`` or ``("noreply", state)``
``{:stop, r, state}``          ``Stop(r, state)`` or ``("stop", r, state)``
``{:stop, r, v, state}``       ``Stop(r, state, reply=v)`` or ``("stop", r, v, state)``
=============================  =====================================

The optional last element of Elixir's ``{:ok | :reply | :noreply, ...}`` —
a timeout, ``:hibernate`` or ``{:continue, arg}`` — is the ``timeout=`` /
``continue_=`` / ``hibernate=`` field here (a trailing number, ``"hibernate"``
or ``("continue", arg)`` in tuple form).  Timeouts are in seconds (Elixir: ms).

They are dataclasses but not frozen ones: a frozen dataclass takes four
times as long to build (its ``__init__`` goes through ``object.__setattr__``
per field), and a ``Reply`` is built on every call, a ``NoReply`` on every cast.
Treat them as values.  In the compiled build (runtime/_accel.py) ``_results.pxd``
makes ``Ok``, ``Reply``, ``NoReply`` and ``Stop`` extension types, which Cython
still makes dataclasses (fields, repr, ``==``, ``match``, pickling, no
attributes beyond their fields): ``NoReply(1)`` takes ~100 ns there instead of
~350 ns (CPython 3.11 runs a Python ``__init__`` for a Python class), and
``Reply(value, state)`` and ``NoReply(state)`` skip the ``__init__``'s argument
parsing (``_results.pxd``).  Cython's
dataclass has no ``slots=``, so the pure classes are plain dataclasses, and
stay as lax as a plain class about extra attributes.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import FunctionType
from typing import Any

__all__ = ["Ok", "Ignore", "Reply", "NoReply", "Stop", "BadReturn"]


class _Unset:
    """Marker for "no value given" (a reply of None is a real reply)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"

    def __reduce__(self):
        return "_UNSET"


_UNSET: Any = _Unset()


class _FieldsSignature:
    """A result class's ``__signature__``: its fields with their defaults, as
    ``inspect.signature`` (and so IPython's ``NoReply?`` and Shift-Tab) shows them,
    e.g. ``(state, timeout=None, continue_=<unset>, hibernate=False)``, in both
    builds. Compiled (runtime/_accel.py) the classes are extension types, whose
    ``__init__`` carries no signature of its own."""

    def __get__(self, obj, cls=None):
        import dataclasses
        import inspect
        cls = cls if cls is not None else type(obj)
        empty, kind = inspect.Parameter.empty, inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature(
            [inspect.Parameter(f.name, kind,
                               default=empty if f.default is dataclasses.MISSING else f.default)
             for f in dataclasses.fields(cls)])


@dataclass
class Ok:
    """``init`` succeeded; ``state`` is the server's first state (Elixir ``{:ok, state}``).

    >>> class Counter(GenServer):
    ...     def init(self, start):
    ...         return Ok(start)
    """

    state: Any
    timeout: float | None = None
    continue_: Any = _UNSET
    hibernate: bool = False

    __signature__ = _FieldsSignature()


@dataclass(frozen=True, slots=True)
class Ignore:
    """``init`` declines to start; ``start``/``start_link`` return None (Elixir ``:ignore``).

    >>> def init(self, arg):
    ...     return Ignore() if arg is None else Ok(arg)
    """


@dataclass
class Reply:
    """Reply ``value`` to the caller and continue with ``state`` (Elixir ``{:reply, value, state}``).

    >>> def handle_call(self, request, from_, count):
    ...     return Reply(count, count + 1)
    """

    value: Any
    state: Any
    timeout: float | None = None
    continue_: Any = _UNSET
    hibernate: bool = False

    __signature__ = _FieldsSignature()


@dataclass
class NoReply:
    """Continue with ``state`` without replying now (Elixir ``{:noreply, state}``).

    From ``handle_call`` it defers the reply: keep ``from_`` and answer later
    with ``GenServer.reply(from_, value)``.

    >>> def handle_cast(self, request, count):
    ...     return NoReply(count + 1)
    """

    state: Any
    timeout: float | None = None
    continue_: Any = _UNSET
    hibernate: bool = False

    __signature__ = _FieldsSignature()


@dataclass
class Stop:
    """Stop the server with ``reason`` after running ``terminate(reason, state)``.

    Elixir ``{:stop, reason, state}``; from ``handle_call`` give ``reply=`` to
    answer the caller too (``{:stop, reason, reply, state}``): as in OTP the
    reply is sent after ``terminate`` has run; from ``init`` only the reason
    matters (``{:stop, reason}``).

    >>> def handle_call(self, request, from_, state):
    ...     return Stop("normal", state, reply="bye")
    """

    reason: Any
    state: Any = None
    reply: Any = _UNSET

    __signature__ = _FieldsSignature()

    @property
    def has_reply(self) -> bool:
        return self.reply is not _UNSET


class BadReturn(Exception):
    """A callback returned something that is not a result value.

    Mirrors OTP's ``{bad_return_value, Value}`` exit reason; the server crashes
    with it (the message says what to return instead).

    >>> def handle_call(self, request, from_, n):
    ...     return n + 1        # crashes: handle_call returned 1; return Reply(value, state), ...
    """

    def __init__(self, callback: str, value: Any, expected: str):
        self.callback = callback
        self.value = value
        super().__init__(
            f"{callback} returned {value!r}; return {expected} "
            f"(see help(beamlab.runtime.otp.Reply) for the result values)"
        )


# ---------------------------------------------------------------- normalizing

def _extra(value: Any, callback: str, whole: Any, expected: str) -> dict:
    """The optional trailing element of an Elixir result tuple, as keywords."""
    if value == "hibernate":
        return {"hibernate": True}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "continue":
        return {"continue_": value[1]}
    if value == "infinity":
        return {}
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return {"timeout": value}
    raise BadReturn(callback, whole, expected)


_INIT_EXPECTED = "Ok(state), Ignore() or Stop(reason)"
_CALL_EXPECTED = "Reply(value, state), NoReply(state) or Stop(reason, state, reply=...)"
_NOREPLY_EXPECTED = "NoReply(state) or Stop(reason, state)"


def normalize_init(result: Any) -> Ok | Ignore | Stop:
    """Turn what ``init`` returned into ``Ok``, ``Ignore`` or ``Stop``."""
    cls = type(result)
    if cls is Ok or cls is Ignore or cls is Stop:
        return result
    if result == "ignore":
        return Ignore()
    if isinstance(result, tuple) and result:
        tag = result[0]
        if tag == "ok" and len(result) == 2:
            return Ok(result[1])
        if tag == "ok" and len(result) == 3:
            return Ok(result[1], **_extra(result[2], "init", result, _INIT_EXPECTED))
        if tag == "stop" and len(result) == 2:
            return Stop(result[1])
    raise BadReturn("init", result, _INIT_EXPECTED)


def normalize_call(result: Any) -> Reply | NoReply | Stop:
    """Turn what ``handle_call`` returned into ``Reply``, ``NoReply`` or ``Stop``."""
    cls = type(result)
    if cls is Reply or cls is NoReply or cls is Stop:
        return result
    if isinstance(result, tuple) and result:
        tag, n = result[0], len(result)
        if tag == "reply" and n == 3:
            return Reply(result[1], result[2])
        if tag == "reply" and n == 4:
            return Reply(result[1], result[2],
                         **_extra(result[3], "handle_call", result, _CALL_EXPECTED))
        if tag == "stop" and n == 3:
            return Stop(result[1], result[2])
        if tag == "stop" and n == 4:
            return Stop(result[1], result[3], reply=result[2])
        if tag == "noreply":
            return _noreply_tuple(result, "handle_call", _CALL_EXPECTED)
    raise BadReturn("handle_call", result, _CALL_EXPECTED)


def normalize_noreply(result: Any, callback: str) -> NoReply | Stop:
    """Turn what ``handle_cast``/``handle_info``/``handle_continue`` returned into a value."""
    cls = type(result)
    if cls is NoReply or cls is Stop:
        return result
    if isinstance(result, tuple) and result:
        tag = result[0]
        if tag == "stop" and len(result) == 3:
            return Stop(result[1], result[2])
        if tag == "noreply":
            return _noreply_tuple(result, callback, _NOREPLY_EXPECTED)
    raise BadReturn(callback, result, _NOREPLY_EXPECTED)


def _noreply_tuple(result: tuple, callback: str, expected: str) -> NoReply:
    if len(result) == 2:
        return NoReply(result[1])
    if len(result) == 3:
        return NoReply(result[1], **_extra(result[2], callback, result, expected))
    raise BadReturn(callback, result, expected)


# Compiled, `Reply(value, state)` and `NoReply(state)` skip the argument parsing of the
# dataclass's __init__ (a C constructor in _results.pxd; the same values either way)
if type(_noreply_tuple) is not FunctionType:       # compiled
    _fast_new()


# Last: this module's compiled twin, when one was built, replaces it (see _accel.py).
from .._accel import swap as _swap  # noqa: E402
_swap(__name__)
