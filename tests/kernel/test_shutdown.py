"""Shutdown and restart stop the runtime cleanly: the kernel process exits on its own."""

from __future__ import annotations

import time


from kernel_client import start_kernel, stop_kernel

BUSY_RUNTIME = """
import time

def ticker():
    while True:
        sleep(0.01)
for _ in range(3):
    spawn(ticker)
send_after(3600, self(), 'much later')
dirty_call(time.sleep, 0.01)        # starts the dirty thread pool
len(processes())
"""


def exit_code_after_shutdown(kernel, timeout: float = 20.0):
    """Ask the kernel to shut down (as a front end does) and wait for its process to exit."""
    process = kernel.km.provisioner.process
    kernel.kc.shutdown()
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.poll()


def test_shutdown_stops_the_runtime_and_the_kernel_exits_by_itself(kernelspec):
    kernel = start_kernel()
    try:
        assert int(kernel.ok(BUSY_RUNTIME).result) >= 4
        assert exit_code_after_shutdown(kernel) == 0   # not killed: nothing was left running
    finally:
        stop_kernel(kernel)


def test_stopping_the_runtime_leaves_no_beamlab_thread_or_timer_behind(kernelspec):
    kernel = start_kernel()
    try:
        kernel.ok(BUSY_RUNTIME)
        kernel.ok("get_ipython().kernel.stop_runtime()   # takes effect when this cell is done")
        probe = ("import signal, sys, threading, time\n"
                 "([t.name for t in threading.enumerate() if t.name.startswith('beamlab')],"
                 " signal.getitimer(signal.ITIMER_REAL)[0],"
                 " len(get_ipython().kernel.runtime.processes()),"
                 " time.sleep.__module__, type(sys.stdout).__name__)")
        cell = kernel.ok(probe)
        deadline = time.monotonic() + 10
        while "beamlab" in cell.result and time.monotonic() < deadline:   # idle pool threads exiting
            cell = kernel.ok(probe)
        assert cell.result == "([], 0.0, 0, 'time', 'OutStream')"   # time.sleep, stdout restored
    finally:
        stop_kernel(kernel)


def test_restart_gives_a_fresh_runtime(kernelspec):
    kernel = start_kernel()
    try:
        kernel.ok("x = spawn(lambda: receive())")
        kernel.km.restart_kernel(now=False)
        kernel.kc.wait_for_ready(timeout=60)
        cell = kernel.ok("('x' in globals(), len(processes()), repr(self()))")
        assert cell.result.startswith("(False, 1, ")   # only the new shell process
    finally:
        stop_kernel(kernel)


def test_a_dirty_call_still_running_does_not_hold_the_kernel_at_shutdown(kernelspec):
    kernel = start_kernel()
    try:
        kernel.ok("import time\nspawn(lambda: dirty_call(time.sleep, 60)); sleep(0.1)")
        assert exit_code_after_shutdown(kernel, timeout=4.0) == 0
    finally:
        stop_kernel(kernel)
