"""Issue 10, points 4 and 6, over the Jupyter protocol: the kernel cannot be wedged.

- Point 6: a process that switches preemption off (SIGALRM ignored or taken,
  the interval timer stopped) and then spins no longer freezes the kernel:
  preemption comes back and the cell that spawned it is told who did it.
- Point 4: two processes sharing a `threading.Lock` (one holds it and sleeps,
  the other blocks in `acquire`) no longer freeze the kernel: the waiting
  acquire fails with a LockDeadlock naming both; a process stuck on a lock
  nobody in the runtime can release is freed by Interrupt.

Before these fixes each of these cells hung the kernel for good; `TIMEOUT`s
here are hang guards, not speed checks.
"""

from __future__ import annotations

import time

import pytest

SWITCH_OFF = {
    "ignored": ("signal.signal(signal.SIGALRM, signal.SIG_IGN)", "signal.signal(SIGALRM, SIG_IGN)"),
    "another handler": ("signal.signal(signal.SIGALRM, lambda signum, frame: None)",
                        "signal.signal(SIGALRM, another handler"),
    "timer stopped": ("signal.setitimer(signal.ITIMER_REAL, 0)", "signal.setitimer(ITIMER_REAL, 0)"),
}


@pytest.mark.parametrize("how", list(SWITCH_OFF))
def test_a_process_switching_preemption_off_is_undone_and_named_in_its_cell(kernel, how):
    code, call = SWITCH_OFF[how]
    cell = kernel.run("import signal\n"
                      "def rogue():\n"
                      f"    {code}\n"
                      "    while True:\n"
                      "        pass\n"
                      "rogue_pid = spawn(rogue)\n"
                      "sleep(0.3)\n"
                      "'the kernel still answers'", timeout=30)
    assert cell.status == "ok", cell.errors
    assert cell.result == "'the kernel still answers'"
    pid = kernel.ok("rogue_pid").result
    assert f"beamlab: {pid} (__main__.rogue) switched preemption off at" in cell.stderr
    assert "in rogue with " + call in cell.stderr
    assert "switched it back on" in cell.stderr
    # the spinner is still preempted in later cells, and can be killed
    assert kernel.ok("sleep(0.1); is_process_alive(rogue_pid)").result == "True"
    kernel.ok("exit(rogue_pid, 'kill')")


def test_a_cell_waiting_for_a_lock_a_sleeping_process_holds_gets_a_lock_deadlock(kernel):
    cell = kernel.run("import threading\n"
                      "lock = threading.Lock()\n"
                      "def holder():\n"
                      "    with lock:\n"
                      "        sleep(1)\n"
                      "holder_pid = spawn(holder)\n"
                      "sleep(0.1)\n"
                      "with lock:\n"
                      "    pass", timeout=30)
    assert cell.status == "error"
    ename, evalue, _ = cell.errors[0]
    holder = kernel.ok("holder_pid").result
    assert ename == "LockDeadlock"
    assert f"{holder} (__main__.holder) holds" in evalue and "in holder" in evalue
    assert "(cell [" in evalue or "shell" in evalue     # the cell's process is named too
    assert "share one OS thread" in evalue
    assert kernel.ok("1 + 1").result == "2"


def test_two_spawned_processes_deadlocked_on_a_lock_are_reported_in_their_cell(kernel):
    cell = kernel.run("import threading\n"
                      "shared = threading.Lock()\n"
                      "def keeper():\n"
                      "    with shared:\n"
                      "        sleep(1)\n"
                      "def taker():\n"
                      "    with shared:\n"
                      "        pass\n"
                      "keeper_pid = spawn(keeper)\n"
                      "sleep(0.05)\n"
                      "taker_pid = spawn(taker)\n"
                      "sleep(0.5)\n"
                      "'the kernel still answers'", timeout=30)
    assert cell.status == "ok", cell.errors
    keeper, taker = kernel.ok("keeper_pid, taker_pid").result.strip("()").split(", ")
    assert f"=ERROR REPORT==== process {taker} (__main__.taker) crashed" in cell.stderr
    assert "LockDeadlock: deadlock: " in cell.stderr
    assert f"{keeper} (__main__.keeper) holds" in cell.stderr


def test_interrupt_frees_the_kernel_from_a_process_stuck_on_a_lock(kernel):
    kernel.ok("import threading\n"
              "blocker = threading.Lock()\n"
              "blocker.acquire()")                     # held outside any process: no holder to name
    cell = kernel.send("def waiter():\n"
                       "    with blocker:\n"
                       "        pass\n"
                       "print('waiting')\n"
                       "sleep(0.2)\n"
                       "waiter_pid = spawn(waiter)\n"
                       "receive()")
    assert kernel.drain(lambda: "waiting" in cell.stdout), cell.stderr
    time.sleep(0.5)                                    # the waiter now holds the thread
    kernel.km.interrupt_kernel()
    kernel.wait(cell, timeout=10)
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"
    waiter = kernel.ok("waiter_pid").result
    assert f"Wedged: interrupted: {waiter} (__main__.waiter) was blocked" in cell.stderr
    assert kernel.ok("blocker.release(); is_process_alive(waiter_pid)").result == "False"
