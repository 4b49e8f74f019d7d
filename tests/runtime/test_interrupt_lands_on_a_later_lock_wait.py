"""An interrupt that arrives before the thread is stuck still frees it (a flaky kernel test's cause).

Ctrl-C / Interrupt is for the cell's process. When it arrives while that process is not
running, the process is made ready to raise KeyboardInterrupt. If another process then
runs first and blocks the one thread in `acquire()` on a lock no process can release, the
cell would never get to raise it: the kernel stayed busy for good (tests/kernel/
test_wedges.py's interrupt test failed so under load, about once in 30 runs, when the
interrupt came while the waiter was spawned but not yet waiting). The tick now fails
such a wait while an interrupt is pending, as the interrupt itself does when it finds a
process stuck there. Here the order is made certain: a third process sends the SIGINT.
"""
from __future__ import annotations

import signal
import sys
import textwrap

import pytest

from test_lock_deadlock import run_script

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer") or sys.platform != "linux",
                                reason="needs SIGALRM and Linux's interruptible lock waits")

INTERRUPT_THEN_STUCK = textwrap.dedent("""
    import os, signal, threading
    import beamlab
    from beamlab.runtime import receive, spawn

    lock = threading.Lock()
    lock.acquire()                  # held by this OS thread's code outside any process, forever

    def interrupter():
        os.kill(os.getpid(), signal.SIGINT)      # Ctrl-C while main waits in receive()

    def waiter():
        with lock:                               # runs before main can raise the interrupt
            pass

    def main():
        spawn(interrupter)
        spawn(waiter)
        receive()

    try:
        beamlab.run(main, preemption="signal")
    except KeyboardInterrupt:
        print("MAIN INTERRUPTED")
""")


def test_an_interrupt_pending_when_another_process_blocks_the_thread_on_a_lock_still_lands(tmp_path):
    done = run_script(tmp_path, INTERRUPT_THEN_STUCK, timeout=20)
    assert "MAIN INTERRUPTED" in done.stdout, done.stdout + done.stderr[-3000:]
    assert "Wedged: interrupted: <0.3.0> (__main__.waiter) was blocked" in done.stderr
    assert "locks.py:13 in waiter" in done.stderr
