"""The few things widgets ask of the runtime, in one place.

How this works: widgets observe the runtime from outside, like observer attached
to a node: `process_info`, `processes`, `stats`, `whereis` and `clock` on the
Runtime object. Acting on a process (kill it, make it exit) has to happen inside
the scheduler, so `exit_signal` posts the signal with `call_soon_threadsafe`.
`current_runtime()` finds the runtime of the kernel (or of `beamlab.run`) when a
widget is created without `runtime=`.
"""
from __future__ import annotations

__all__ = ["current_runtime", "exit_signal", "pid_text", "safe_repr"]

import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 200
_repr.maxother = 200
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 20
_repr.maxlevel = 4


def safe_repr(value, limit: int = 2000) -> str:
    """A repr that never raises and never floods the browser."""
    try:
        text = repr(value)
    except Exception as exc:          # a user's __repr__ may be broken
        text = f"<unrepresentable {type(value).__name__}: {exc!r}>"
    if len(text) > limit:
        try:
            text = _repr.repr(value)
        except Exception:
            text = text[:limit]
        if len(text) > limit:
            text = text[:limit] + "…"
    return text


def pid_text(pid) -> str:
    return "" if pid is None else str(pid)


def current_runtime():
    """The runtime this code runs in: the kernel's, or the one `beamlab.run` started.

    Raises a RuntimeError that says what to pass when there is none.
    """
    try:
        from beamlab.runtime import _core
    except ImportError as exc:        # pragma: no cover - only before the runtime exists
        raise RuntimeError("beamlab.runtime is not available; pass runtime=...") from exc
    for name in ("current_runtime", "get_runtime", "default_runtime"):
        fn = getattr(_core, name, None)
        if callable(fn):
            try:
                rt = fn()
            except Exception:
                rt = None
            if rt is not None:
                return rt
    raise RuntimeError("no beamlab runtime is running here; start one (the beamlab kernel does, "
                       "or use beamlab.run(main)) or pass runtime=Runtime(...) to the widget")


def exit_signal(runtime, pid, reason) -> None:
    """Send the exit signal `reason` to `pid`, as `exit(pid, reason)` from outside any process."""
    direct = getattr(runtime, "exit", None)
    if callable(direct):
        direct(pid, reason)
        return

    def signal():
        from beamlab.runtime import exit as exit_
        exit_(pid, reason)

    runtime.call_soon_threadsafe(signal)
