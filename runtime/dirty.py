"""Dirty calls: run blocking native work in a thread while the process waits.

How this works: the BEAM runs long NIFs on *dirty schedulers* so they cannot
stall the normal ones. `dirty_call(fn, *args)` submits `fn` to a small thread
pool and blocks the calling process in an ordinary selective `receive` for the
result, so every other process keeps running. When the thread finishes, the
result is handed to the scheduler with `call_soon_threadsafe` and sent to the
process as a message. If the process dies meanwhile, the thread finishes its
work and the result is dropped, like a message to a dead pid.
"""

from __future__ import annotations

import queue
import threading

from .patterns import ANY

__all__ = ["dirty_call", "shutdown"]

_TAG = "$dirty_result"


class _DirtyPool:
    """Up to `size` daemon threads taking work from one queue.

    Daemon threads (unlike ThreadPoolExecutor's, which are joined at exit) let
    the kernel shut down while a dirty call is still running."""

    def __init__(self, size: int = 4):
        self.size = size
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.threads: list = []
        self.busy = 0
        self.lock = threading.Lock()

    def submit(self, fn, args, kwargs, done) -> None:
        with self.lock:
            self.busy += 1
            if self.busy > len(self.threads) and len(self.threads) < self.size:
                t = threading.Thread(target=self._work, name=f"beamlab-dirty-{len(self.threads)}",
                                     daemon=True)
                self.threads.append(t)
                t.start()
        self.queue.put((fn, args, kwargs, done))

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            fn, args, kwargs, done = item
            try:
                ok, value = True, fn(*args, **kwargs)
            except BaseException as exc:      # handed to the waiting process
                ok, value = False, exc
            with self.lock:
                self.busy -= 1
            done(ok, value)

    def shutdown(self) -> None:
        for _ in self.threads:
            self.queue.put(None)


def _pool(rt) -> _DirtyPool:
    pool = getattr(rt, "_dirty_pool", None)
    if pool is None:
        pool = rt._dirty_pool = _DirtyPool()
    return pool


def dirty_call(fn, *args, **kwargs):
    """Run `fn(*args, **kwargs)` in a dirty thread; the calling process waits, others run.

        >>> digest = dirty_call(hashlib.sha256(big_bytes).hexdigest)

    Returns fn's result or raises its exception in the calling process.
    Mirrors the BEAM's dirty schedulers; unlike them, the work cannot be killed
    (a thread cannot be stopped), only its result ignored. And it helps only
    with work that releases the GIL (sleeping, I/O, hashlib on big buffers,
    NumPy): `dirty_call(sum, range(10**9))` still holds the GIL, so the other
    processes wait for it all the same."""
    from ._core import current_runtime
    from .pid import Ref
    rt = current_runtime()
    proc = rt.current
    if proc is None or rt._det is not None:    # a deterministic run: here, now (deterministic.py)
        return fn(*args, **kwargs)
    ref = Ref()
    pid = proc.pid

    def done(ok, value):      # in the dirty thread
        rt.call_soon_threadsafe(_deliver, rt, pid, ref, ok, value)

    rt._outstanding += 1
    _pool(rt).submit(fn, args, kwargs, done)
    _, _, ok, value = rt.receive(((_TAG, ref, ANY, ANY),))
    if ok:
        return value
    raise value


def _deliver(rt, pid, ref, ok, value) -> None:
    rt._outstanding -= 1
    target = rt._table.get(pid.id)
    if target is not None:
        rt._deliver(target, (_TAG, ref, ok, value))


def shutdown(rt) -> None:
    pool = getattr(rt, "_dirty_pool", None)
    if pool is not None:
        pool.shutdown()
        rt._dirty_pool = None
