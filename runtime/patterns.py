"""Patterns for selective receive.

How this works: Erlang's `receive {reply, Ref, X} -> ...` picks the first
message that matches and leaves the rest queued. In beamlab a pattern is
one of:

- a callable: `receive(lambda m: m > 3)` matches when it returns true;
- a type: `receive(str)` matches any str (isinstance);
- a value: matches an equal message; inside tuples `ANY` matches anything and a
  type matches any instance: `receive(("reply", ref, ANY))`, `receive(("EXIT", Pid, ANY))`.

`compile_patterns` turns the patterns into one predicate, checked once per
message; messages that do not match stay in the mailbox in order.
"""

from __future__ import annotations

__all__ = ["ANY", "compile_patterns", "matches"]


class _Any:
    __slots__ = ()

    def __repr__(self):
        return "ANY"

    def __reduce__(self):
        return "ANY"


ANY = _Any()
"""Matches any value inside a receive pattern, like `_` in Erlang."""


def matches(pattern, value) -> bool:
    """True if `value` matches `pattern` (see the module docs for the rules)."""
    if pattern is ANY:
        return True
    pt = type(pattern)
    if pt is tuple:
        if type(value) is not tuple or len(value) != len(pattern):
            return False
        for p, v in zip(pattern, value):
            if not matches(p, v):
                return False
        return True
    if pt is list and type(value) is list:
        return len(value) == len(pattern) and all(matches(p, v) for p, v in zip(pattern, value))
    if isinstance(pattern, type):
        return isinstance(value, pattern)
    try:
        return bool(pattern == value)
    except Exception:
        return False


def _compile_one(pattern):
    if pattern is ANY:
        return None
    if isinstance(pattern, type):
        return lambda m: isinstance(m, pattern)
    if callable(pattern) and not isinstance(pattern, tuple):
        return pattern
    return lambda m: matches(pattern, m)


def compile_patterns(patterns: tuple):
    """One predicate for a tuple of patterns (any may match), or None for 'anything'."""
    if not patterns:
        return None
    if len(patterns) == 1:
        return _compile_one(patterns[0])
    preds = [_compile_one(p) for p in patterns]
    if any(p is None for p in preds):
        return None
    return lambda m: any(p(m) for p in preds)
