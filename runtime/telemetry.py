"""Telemetry, as Erlang's `:telemetry`: events, handlers, spans.

How this works: an event is a tuple of strings, e.g. `("beamlab", "process", "spawn")`.
Handlers are attached per event under a unique id and called synchronously, in
the process that executes the event, with `(event, measurements, metadata,
config)` — exactly like `:telemetry`. A handler that raises is detached from
all its events, the failure is logged, and a `("telemetry", "handler",
"failure")` event is emitted. Handlers must be quick: widgets attach handlers
that only append to a buffer and read it at their own pace, so a slow chart
never slows the runtime.

    >>> telemetry.attach("log-restarts", ("beamlab", "supervisor", "restart"),
    ...                  lambda event, m, meta, cfg: print(meta["child_id"]))
    >>> telemetry.execute(("my_app", "request", "done"), {"duration": 12}, {"path": "/"})

The module-level functions act on the current runtime (the kernel's, or the
one `beamlab.run` started).
"""

from __future__ import annotations

import logging
import time
import traceback

__all__ = ["Telemetry", "attach", "attach_many", "detach", "list_handlers", "execute", "span"]

_log = logging.getLogger("beamlab.telemetry")
FAILURE = ("telemetry", "handler", "failure")


def _event(event) -> tuple:
    if isinstance(event, list):
        event = tuple(event)
    if not isinstance(event, tuple) or not event or not all(isinstance(p, str) for p in event):
        raise ValueError(f"a telemetry event is a non-empty tuple of strings, like "
                         f"('my_app', 'request', 'stop'); got {event!r}")
    return event


class Telemetry:
    """The handler table of one runtime."""

    def __init__(self, runtime=None):
        self.rt = runtime
        self.handlers: dict[tuple, list] = {}     # event -> [(handler_id, fn, config)]
        self._by_id: dict[str, tuple] = {}        # handler_id -> (events, fn, config)

    def attach(self, handler_id: str, event, fn, config=None) -> None:
        self.attach_many(handler_id, [event], fn, config)

    def attach_many(self, handler_id: str, events, fn, config=None) -> None:
        if handler_id in self._by_id:
            raise ValueError(f"a telemetry handler with id {handler_id!r} is already attached; "
                             f"detach it first or use another id")
        if not callable(fn):
            raise ValueError(f"telemetry handler {handler_id!r} must be callable "
                             f"fn(event, measurements, metadata, config)")
        evs = [_event(e) for e in events]
        if not evs:
            raise ValueError("attach_many needs at least one event")
        self._by_id[handler_id] = (evs, fn, config)
        for e in evs:
            self.handlers.setdefault(e, []).append((handler_id, fn, config))

    def detach(self, handler_id: str) -> bool:
        entry = self._by_id.pop(handler_id, None)
        if entry is None:
            return False
        for e in entry[0]:
            lst = [h for h in self.handlers.get(e, ()) if h[0] != handler_id]
            if lst:
                self.handlers[e] = lst
            else:
                self.handlers.pop(e, None)
        return True

    def list_handlers(self, prefix=()) -> list[dict]:
        prefix = tuple(prefix)
        out = []
        for hid, (evs, fn, cfg) in self._by_id.items():
            for e in evs:
                if e[:len(prefix)] == prefix:
                    out.append({"id": hid, "event_name": e, "function": fn, "config": cfg})
        return out

    def execute(self, event, measurements=None, metadata=None) -> None:
        hs = self.handlers.get(event)
        if not hs:
            if type(event) is not tuple:
                hs = self.handlers.get(_event(event))
            if not hs:
                return
        measurements = measurements if measurements is not None else {}
        metadata = metadata if metadata is not None else {}
        for hid, fn, cfg in list(hs):
            try:
                fn(event, measurements, metadata, cfg)
            except Exception as exc:
                self.detach(hid)
                _log.error("telemetry handler %r failed on %r and was detached: %r", hid, event, exc)
                if event != FAILURE:
                    self.execute(FAILURE, {"monotonic_time": time.monotonic()},
                                 {"event_name": event, "handler_id": hid, "handler_config": cfg,
                                  "kind": type(exc).__name__, "reason": exc,
                                  "stacktrace": traceback.format_exc()})

    def span(self, event_prefix, start_metadata, fn):
        """Emit `prefix + ("start",)`, run `fn()`, then `("stop",)` with its duration, or
        `("exception",)` if it raised. `fn` returns `(result, stop_metadata)` as in
        `:telemetry.span`, or just a result."""
        prefix = _event(event_prefix)
        t0 = time.monotonic()
        self.execute(prefix + ("start",), {"monotonic_time": t0, "system_time": time.time()},
                     dict(start_metadata or {}))
        try:
            out = fn()
        except BaseException as exc:
            self.execute(prefix + ("exception",), {"duration": time.monotonic() - t0},
                         {**(start_metadata or {}), "kind": type(exc).__name__, "reason": exc})
            raise
        if isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict):
            result, stop_meta = out
        else:
            result, stop_meta = out, start_metadata or {}
        self.execute(prefix + ("stop",), {"duration": time.monotonic() - t0}, dict(stop_meta))
        return result


def _table() -> Telemetry:
    from ._core import current_runtime
    return current_runtime().telemetry


def attach(handler_id: str, event, fn, config=None) -> None:
    """Call `fn(event, measurements, metadata, config)` each time `event` is executed."""
    _table().attach(handler_id, event, fn, config)


def attach_many(handler_id: str, events, fn, config=None) -> None:
    """Like `attach`, for several events under one handler id."""
    _table().attach_many(handler_id, events, fn, config)


def detach(handler_id: str) -> bool:
    """Remove a handler from all its events; False if no such id."""
    return _table().detach(handler_id)


def list_handlers(prefix=()) -> list[dict]:
    """The attached handlers whose event starts with `prefix`."""
    return _table().list_handlers(prefix)


def execute(event, measurements=None, metadata=None) -> None:
    """Emit an event to every handler attached to it."""
    _table().execute(_event(event), measurements, metadata)


def span(event_prefix, start_metadata, fn):
    """Run `fn()` between a start and a stop (or exception) event; see Telemetry.span."""
    return _table().span(event_prefix, start_metadata, fn)
