"""The updater that keeps widgets live: a tick thread that asks the runtime to refresh them.

How this works: widgets must read the runtime from the thread that runs it (the
scheduler is not thread-safe), and must never block it. One daemon thread per
runtime wakes every `TICK` seconds and, if no refresh is still queued, posts one
with `runtime.call_soon_threadsafe(...)`. The runtime runs it between processes
(also while a long cell runs, since a running cell drives the scheduler), and
each subscribed widget whose interval has passed refreshes: it reads a snapshot
and sets traits. Setting traits sends comm messages on IOPub, which ipykernel
allows from any thread; nothing here calls `display()`.

A runtime that stops refuses new callbacks; the thread then ends by itself. A
refresh that raises is reported on that widget (`on_error`) and does not stop
the others.
"""
from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

__all__ = ["Ticker", "ticker_for"]

TICK = 0.05


class _Sub:
    __slots__ = ("ref", "interval", "due", "on_error")

    def __init__(self, fn, interval, on_error):
        self.ref = weakref.WeakMethod(fn) if hasattr(fn, "__self__") else (lambda f=fn: f)
        self.interval = interval
        self.due = 0.0
        self.on_error = on_error


class Ticker:
    """Calls subscribed refresh functions inside the runtime, each at its own interval.

    >>> handle = ticker_for(rt).subscribe(tree.refresh, 0.25)  # doctest: +SKIP
    >>> ticker_for(rt).unsubscribe(handle)                     # doctest: +SKIP
    """

    def __init__(self, runtime) -> None:
        self._runtime = weakref.ref(runtime)
        self._subs: dict[int, _Sub] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._queued = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, fn: Callable[[], object], interval: float,
                  on_error: Callable[[BaseException], None] | None = None) -> int:
        with self._lock:
            self._next += 1
            self._subs[self._next] = _Sub(fn, interval, on_error)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="beamlab-widgets-ticker",
                                                daemon=True)
                self._thread.start()
            return self._next

    def unsubscribe(self, handle: int) -> None:
        with self._lock:
            self._subs.pop(handle, None)
            if not self._subs:
                self._stop.set()

    def _next_wait(self) -> float:
        """Sleep until the earliest subscriber is due (at least TICK, at most 1 s)."""
        with self._lock:
            due = min((s.due for s in self._subs.values()), default=time.monotonic() + 1.0)
        return min(1.0, max(TICK, due - time.monotonic()))

    def _loop(self) -> None:
        while not self._stop.wait(self._next_wait()):
            runtime = self._runtime()
            if runtime is None:
                return
            with self._lock:
                if self._queued or not self._subs:
                    continue
                self._queued = True
            post = getattr(runtime, "call_soon_threadsafe", None)
            try:
                if post is None:
                    self.run_due()
                else:
                    post(self.run_due)
            except Exception:          # the runtime has stopped: nothing left to watch
                with self._lock:
                    self._queued = False
                return

    def run_due(self, now: float | None = None) -> None:
        """Refresh every subscriber whose interval has passed (runs inside the runtime)."""
        with self._lock:
            self._queued = False
            subs = list(self._subs.items())
        now = time.monotonic() if now is None else now
        for handle, sub in subs:
            if now < sub.due:
                continue
            sub.due = now + sub.interval
            fn = sub.ref()
            if fn is None:
                self.unsubscribe(handle)
                continue
            try:
                fn()
            except Exception as exc:   # one broken widget must not stop the others
                if sub.on_error is not None:
                    try:
                        sub.on_error(exc)
                    except Exception:
                        pass


_tickers: "weakref.WeakKeyDictionary[object, Ticker]" = weakref.WeakKeyDictionary()
_tickers_lock = threading.Lock()


def ticker_for(runtime) -> Ticker:
    """The one ticker that serves every widget watching `runtime`."""
    with _tickers_lock:
        t = _tickers.get(runtime)
        if t is None:
            t = _tickers[runtime] = Ticker(runtime)
        return t


class Live:
    """`start`/`stop` for a widget that the runtime's ticker refreshes (mixed into the widgets).

    A widget sets `default_interval`, has a `runtime` and a `refresh()`, and may have
    `_report(exc)` to show a failed refresh instead of raising. Each tick calls `_tick()`:
    `refresh()`, unless the widget says otherwise (_views.Watched: only while on screen)."""

    default_interval = 0.25
    _ticker = None
    _handle = None

    def start(self, interval: float | None = None) -> None:
        """Keep refreshing every `interval` seconds (from inside the runtime)."""
        self.stop()
        self._ticker = ticker_for(self.runtime)
        self._handle = self._ticker.subscribe(self._tick, interval or self.default_interval,
                                              on_error=getattr(self, "_report", None))

    def _tick(self) -> None:
        self.refresh()

    def stop(self) -> None:
        """Stop refreshing; the last picture stays."""
        if self._ticker is not None and self._handle is not None:
            self._ticker.unsubscribe(self._handle)
        self._handle = None
