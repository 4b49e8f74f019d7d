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

from concurrent.futures import ThreadPoolExecutor

from .patterns import ANY

__all__ = ["dirty_call", "shutdown"]

_TAG = "$dirty_result"


def _pool(rt) -> ThreadPoolExecutor:
    pool = getattr(rt, "_dirty_pool", None)
    if pool is None:
        pool = rt._dirty_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="beamlab-dirty")
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
    if proc is None:
        return fn(*args, **kwargs)
    ref = Ref()
    pid = proc.pid

    def done(fut):
        rt.call_soon_threadsafe(_deliver, rt, pid, ref, fut)

    rt._outstanding += 1
    fut = _pool(rt).submit(fn, *args, **kwargs)
    fut.add_done_callback(done)
    _, _, ok, value = rt.receive(((_TAG, ref, ANY, ANY),))
    if ok:
        return value
    raise value


def _deliver(rt, pid, ref, fut) -> None:
    rt._outstanding -= 1
    exc = fut.exception()
    msg = (_TAG, ref, exc is None, fut.result() if exc is None else exc)
    target = rt._table.get(pid.id)
    if target is not None:
        rt._deliver(target, msg)


def shutdown(rt) -> None:
    pool = getattr(rt, "_dirty_pool", None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
        rt._dirty_pool = None
