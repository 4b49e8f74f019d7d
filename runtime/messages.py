"""Messages are values: what `send` does to the term it is given.

How this works: on the BEAM every term is immutable, so a message can never
change after it is sent. Python values can, so `send` passes immutable values
as they are (ints, floats, str, bytes, None, bools, pids, refs, and tuples,
frozensets and frozen dataclasses made only of those) and deep-copies anything
else. A value that cannot be copied (a lock, a generator, an open file) is an
error at the `send`, never a surprise later in the receiver.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import types

from .errors import BadArg, Crash
from .pid import Pid, Ref

__all__ = ["to_message", "is_immutable"]

_ATOMIC = {int, float, complex, str, bytes, bool, type(None), Pid, Ref, range,
           type(Ellipsis), types.FunctionType, types.BuiltinFunctionType, type, Crash}
_frozen_cache: dict = {}


def _frozen_fields(t: type):
    """Field names of a frozen dataclass type, or None if `t` is not one (cached)."""
    r = _frozen_cache.get(t, 0)
    if r == 0:
        params = getattr(t, "__dataclass_params__", None)
        r = (tuple(f.name for f in dataclasses.fields(t))
             if params is not None and params.frozen else None)
        _frozen_cache[t] = r
    return r


def is_immutable(value) -> bool:
    """True if `value` can be shared between processes without copying."""
    t = type(value)
    if t in _ATOMIC:
        return True
    if t is tuple or t is frozenset:
        for v in value:
            if type(v) not in _ATOMIC and not is_immutable(v):
                return False
        return True
    names = _frozen_fields(t)
    if names is not None:
        return all(is_immutable(getattr(value, n)) for n in names)
    return isinstance(value, enum.Enum)


def to_message(value):
    """Return what the receiver will get for `value`: itself if immutable, else a deep copy.

        >>> data = [1, 2]
        >>> send(pid, data); data.append(3)   # the receiver still sees [1, 2]
    """
    t = type(value)
    if t in _ATOMIC:
        return value
    if t is tuple:
        # Fast path for the common ("tag", pid, payload) shapes.
        for v in value:
            if type(v) not in _ATOMIC and not is_immutable(v):
                break
        else:
            return value
    elif is_immutable(value):
        return value
    try:
        return copy.deepcopy(value)
    except Exception as exc:
        culprit, path = _culprit(value)
        where = f" (in a {' in a '.join(path)})" if path else ""
        raise BadArg(
            f"cannot send a {type(culprit).__name__}{where}: messages are copied and this "
            f"value cannot be ({type(exc).__name__}: {exc}). Send plain data (numbers, "
            f"strings, tuples, lists, dicts, dataclasses) or a pid to a process that owns "
            f"the object."
        ) from None


def _culprit(value, path=()):
    """The innermost part of `value` that cannot be copied, and the containers around
    it (innermost first), so the error names the lock, not the tuple holding it."""
    if isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    elif isinstance(value, (tuple, list, set, frozenset)):
        parts = list(value)
    else:
        return value, path
    for part in parts:
        try:
            copy.deepcopy(part)
        except Exception:
            return _culprit(part, (type(value).__name__,) + path)
    return value, path
