"""What the front end sends, checked before a widget acts on it.

How this works: a widget declares the messages its front end may send, as
`{type: {field: Field(...)}}`. `dispatch` checks each custom message against
that table (a dict, a known "type", only declared keys, each of the declared
type, length and choices) and only then runs the widget's handler inside the
runtime, guarded: a message that does not fit, or a handler that fails, is
answered with `{"type": "error", "error": text}` to the front end and shown in
the widget's `notice` (when it has one). Nothing reaches the scheduler
unchecked, and a bad click never costs more than that click.

Trait updates from the front end (`{"page_size": 0}`) go through traitlets'
validation; `FrontEndChecked.set_state` turns a rejected one into the same
error and sends the widget's true state back, so the browser shows what Python
holds.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import traitlets as t

from ._runtime import in_scheduler, safe_repr

__all__ = ["BadMessage", "Field", "check_message", "dispatch", "guarded", "report_error", "FrontEndChecked",
           "PID_TEXT", "OPTIONAL_PID_TEXT", "OPTIONAL_KEY"]

_NONE = type(None)
_seq = itertools.count(1)


class BadMessage(ValueError):
    """A message from the front end that does not fit what the widget expects."""


class Field:
    """One key of a front-end message: its types, whether it must be there, its length or choices.

    >>> Field(str, required=True, max_len=50)                # doctest: +SKIP
    >>> Field((str, None), choices=("kill", "crash"))        # doctest: +SKIP
    """

    def __init__(self, types, *, required: bool = False, max_len: int | None = None,
                 choices=None) -> None:
        types = types if isinstance(types, tuple) else (types,)
        self.types = tuple(_NONE if x is None else x for x in types)
        self.required = required
        self.max_len = max_len
        self.choices = tuple(choices) if choices is not None else None

    def describe(self) -> str:
        names = [("null" if x is _NONE else {"str": "a string", "int": "an integer",
                                              "bool": "true/false", "float": "a number"}.get(x.__name__, x.__name__))
                 for x in self.types]
        return " or ".join(names)

    def check(self, kind: str, key: str, value) -> Any:
        # bool is an int in Python: accept it only where bool is declared
        if not isinstance(value, self.types) or (isinstance(value, bool) and bool not in self.types):
            raise BadMessage(f'"{kind}" message: "{key}" must be {self.describe()}, '
                             f"not {safe_repr(value, 80)}")
        if value is None:
            return value
        if self.max_len is not None and isinstance(value, str) and len(value) > self.max_len:
            raise BadMessage(f'"{kind}" message: "{key}" is {len(value)} characters long; '
                             f"at most {self.max_len} are accepted")
        if self.choices is not None and value not in self.choices:
            raise BadMessage(f'"{kind}" message: "{key}" is {safe_repr(value, 80)}; '
                             f"use one of {', '.join(map(str, self.choices))}")
        return value


PID_TEXT = Field(str, required=True, max_len=64)
OPTIONAL_PID_TEXT = Field((str, None), max_len=64)
OPTIONAL_KEY = Field((str, None), max_len=500)


def check_message(content, kinds: dict[str, dict[str, Field]]) -> dict:
    """`content` checked against `kinds`; every declared key present (None if left out).

    >>> check_message({"type": "expand", "key": "a/b"}, {"expand": {"key": Field(str)}})
    {'type': 'expand', 'key': 'a/b'}

    Raises BadMessage saying what is wrong and what would be right."""
    if not isinstance(content, dict):
        raise BadMessage(f"a widget message is an object like {{\"type\": ...}}, not {safe_repr(content, 80)}")
    kind = content.get("type")
    if not isinstance(kind, str) or kind not in kinds:
        raise BadMessage(f"unknown message type {safe_repr(kind, 80)}; this widget understands "
                         + ", ".join(f'"{k}"' for k in kinds))
    fields = kinds[kind]
    unknown = [k for k in content if k != "type" and k not in fields]
    if unknown:
        raise BadMessage(f'"{kind}" message: unexpected key{"s" if len(unknown) > 1 else ""} '
                         + ", ".join(safe_repr(k, 40) for k in unknown)
                         + (f"; it takes {', '.join(fields)}" if fields else "; it takes none"))
    out = {"type": kind}
    for key, field in fields.items():
        if key not in content:
            if field.required:
                raise BadMessage(f'"{kind}" message: "{key}" is missing')
            out[key] = None
            continue
        out[key] = field.check(kind, key, content[key])
    return out


def report_error(widget, text: str) -> None:
    """Tell the front end: a `{"type": "error", "error": text}` message, and the widget's
    `notice` (an error notice) when it has one. Never raises."""
    try:
        widget.send({"type": "error", "error": text})
    except Exception:
        pass
    try:
        if widget.has_trait("notice"):
            old = widget.notice or {}
            seq = max(int(old.get("seq", 0) or 0), next(_seq)) + 1
            widget.notice = {"level": "error", "text": text, "seq": seq}
    except Exception:
        pass


def dispatch(widget, content, kinds: dict[str, dict[str, Field]], handler: Callable[[dict], Any],
             *, in_runtime: bool = True) -> None:
    """Check a custom message, then run `handler(message)` inside the widget's runtime
    (or right here with `in_runtime=False`, for a handler that touches only the widget).

    A message that does not fit `kinds`, or a handler that raises, is reported to
    the front end (`report_error`) and goes no further."""
    try:
        msg = check_message(content, kinds)
    except BadMessage as exc:
        report_error(widget, f"ignored a message from the browser: {exc}")
        return
    what = f'the "{msg["type"]}" message'
    if in_runtime:
        in_scheduler(widget.runtime, guarded, widget, what, handler, msg)
    else:
        guarded(widget, what, handler, msg)


def guarded(widget, what: str, fn: Callable, *args) -> None:
    """Run `fn(*args)`; if it raises, report it on `widget` as "could not handle `what`"."""
    try:
        fn(*args)
    except BadMessage as exc:      # the handler found the message does not fit (e.g. a seq past the end)
        report_error(widget, f"ignored a message from the browser: {exc}")
    except Exception as exc:
        report_error(widget, f"could not handle {what}: {type(exc).__name__}: {safe_repr(exc, 300)}")


class FrontEndChecked:
    """Mixed into a widget: a trait update from the front end that fails validation is
    reported (`report_error`) and undone in the browser, instead of raising in the kernel."""

    def set_state(self, sync_data):
        try:
            return super().set_state(sync_data)
        except (t.TraitError, TypeError, ValueError) as exc:
            names = ", ".join(sorted(map(str, sync_data))) if isinstance(sync_data, dict) else "?"
            report_error(self, f"ignored an update of {names} from the browser: {exc}")
            try:
                keys = [k for k in sync_data if k in self.keys] if isinstance(sync_data, dict) else None
                self.send_state(keys or None)
            except Exception:
                pass
            return None
