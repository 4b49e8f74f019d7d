"""`time.sleep` in notebook code is beamlab's `sleep`: other processes run meanwhile.

How this works: `time.sleep` is a C call, and the scheduler cannot switch a
process out in the middle of one (the BEAM's NIF caveat), so a cell doing
`time.sleep(5)` would freeze every process — and every widget click, which is
handled inside the runtime — for five seconds. While the kernel runs,
`time.sleep` is replaced by a function that checks who is calling: from a
process, in the main thread, at a safe point (the caller and everything under
it is user code: a cell, or a function the notebook defined — no library frame
that might hold a lock), it waits with beamlab's `sleep`, so the process
blocks like in `receive` and the others run. Anywhere else (library code,
other threads, the kernel itself) it is the real `time.sleep`. Code that did
`from time import sleep` before the kernel started keeps the real one.

    >>> import time
    >>> time.sleep(5)        # in a cell: a ticker process keeps ticking
"""

from __future__ import annotations

import sys
import threading
import time

import beamlab.runtime

from beamlab.runtime.preempt import is_safe_point   # the runtime's rule for switching out

__all__ = ["install", "uninstall", "real_sleep"]

real_sleep = time.sleep


def sleep(seconds):
    """`time.sleep` that lets other processes run when a process calls it from user code."""
    if (threading.current_thread() is threading.main_thread()
            and type(seconds) in (int, float) and seconds >= 0
            and is_safe_point(sys._getframe(1))):
        try:
            beamlab.runtime.self()
        except beamlab.runtime.NotInProcess:
            return real_sleep(seconds)
        return beamlab.runtime.sleep(seconds)
    return real_sleep(seconds)


def install() -> bool:
    """Put our `sleep` in `time` (unless someone else already replaced time.sleep)."""
    if time.sleep is real_sleep:
        time.sleep = sleep
        return True
    return False


def uninstall() -> None:
    if time.sleep is sleep:
        time.sleep = real_sleep
