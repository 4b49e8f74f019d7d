"""Interrupting the kernel stops the cell, never the runtime or its processes."""

from __future__ import annotations

import re

ALSO_ON_EXTENSION = True   # also run in a stock python3 kernel with %load_ext beamlab (conftest.py)

def interrupt_when_printed(kernel, code: str, marker: str):
    """Start `code`, wait until it printed `marker` (so it is really waiting/spinning), interrupt.

    `code` prints the marker in the same statement that then waits or spins: IPython runs
    each top-level statement separately, and this test is about the waiting one."""
    cell = kernel.send(code)
    assert kernel.drain(lambda: marker in cell.stdout), cell.stderr
    kernel.km.interrupt_kernel()
    return kernel.wait(cell)


def test_interrupt_stops_a_cell_waiting_in_receive(kernel):
    shell = kernel.ok("self()").result
    cell = interrupt_when_printed(kernel, "print('waiting') or receive()", "waiting")
    assert cell.status == "error"
    ename, _, traceback = cell.errors[0]
    assert ename == "KeyboardInterrupt"
    assert "receive()" in traceback and "_core.py" not in traceback   # ends at the cell's line
    assert kernel.ok("self()").result == shell   # the shell process itself lives on


def test_interrupt_stops_a_spinning_cell(kernel):
    cell = interrupt_when_printed(kernel, "def spin():\n    print('spinning')\n    while True:\n        pass\nspin()", "spinning")
    assert cell.status == "error"
    assert cell.errors[0][0] == "KeyboardInterrupt"


def test_interrupt_leaves_other_processes_running(kernel):
    kernel.ok("beats = []\n"
              "def heart():\n"
              "    while True:\n"
              "        beats.append(1)\n"
              "        sleep(0.02)\n"
              "heart_pid = spawn(heart)")
    interrupt_when_printed(kernel, "print('blocked') or receive()", "blocked")
    cell = kernel.ok("n0 = len(beats); sleep(0.3); (is_process_alive(heart_pid), len(beats) > n0)")
    assert cell.result == "(True, True)"
    kernel.ok("exit(heart_pid, 'kill')")   # the next tests need a runtime with nothing to do


def test_an_interrupt_arriving_as_a_statement_finishes_still_stops_the_cell(kernel):
    # Deterministic stand-in for an interrupt landing in that window: the scheduler services
    # this callback right after the first statement's code has returned.
    cell = kernel.run("import os, signal\n"
                      "__import__('beamlab').current_runtime().call_soon_threadsafe(os.kill, os.getpid(), signal.SIGINT)\n"
                      "receive(timeout=1, default='the interrupt was lost')")
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"


def test_interrupting_time_sleep_ends_at_the_cells_line_without_beamlab_frames(kernel):
    cell = interrupt_when_printed(kernel, "import time\nprint('sleeping') or time.sleep(30)", "sleeping")
    assert cell.status == "error"
    ename, _, traceback = cell.errors[0]
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", traceback)
    assert ename == "KeyboardInterrupt"
    assert "time.sleep(30)" in traceback
    assert "sleeping.py" not in traceback and "/runtime/" not in traceback and "/kernel/" not in traceback


def test_an_interrupt_whose_signal_lands_on_another_thread_stops_a_waiting_cell(kernel):
    # While every process waits, the scheduler waits in the main thread. The OS may hand
    # the kernel's SIGINT to another thread (Linux does when the main thread has a signal
    # pending), or to the main thread a moment before its wait starts: either way only the
    # signal's C-level half has run, and the wait must end for the handler to run at all.
    # Deterministic stand-in: a thread sends SIGINT to itself once the cell waits.
    cell = kernel.run(
        "import signal, threading, time\n"
        "def interrupt_from_this_thread(shell):\n"
        "    while process_info(shell, 'status') != 'waiting':\n"
        "        time.sleep(0.01)\n"
        "    time.sleep(0.3)\n"
        "    signal.pthread_kill(threading.get_ident(), signal.SIGINT)\n"
        "threading.Thread(target=interrupt_from_this_thread, args=(self(),)).start()\n"
        "print('sleeping') or time.sleep(60)")     # longer than the test waits: late is lost
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"
    assert "time.sleep(60)" in re.sub(r"\x1b\[[0-9;]*m", "", cell.errors[0][2])


def test_an_interrupt_handled_while_the_scheduler_holds_its_wakeup_lock_stops_the_cell(kernel):
    # The scheduler's idle wait holds the lock of its wake-up Event for a few bytecodes,
    # and the SIGINT handler may run between any two of them, in the same thread: it must
    # not take that lock (the kernel would wait for itself forever). Deterministic
    # stand-in: a callback the scheduler runs raises SIGINT while it holds that lock.
    cell = kernel.run(
        "import signal\n"
        "rt = __import__('beamlab').current_runtime()\n"
        "def interrupt_holding_the_lock():\n"
        "    with rt._event._cond:\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "rt.call_soon_threadsafe(interrupt_holding_the_lock) or receive(timeout=60, default='lost')")
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"
    assert kernel.ok("1 + 1").result == "2"   # and the kernel goes on
