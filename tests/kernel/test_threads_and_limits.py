"""Over the Jupyter protocol: a send from an OS thread wakes its receiver while a cell runs and
between cells; a process spawning in a loop meets the process limit and the kernel carries on."""

from __future__ import annotations

import time


def test_a_send_from_a_thread_wakes_a_cell_waiting_in_receive(kernel):
    # Issue 10.10: the cell waited until something else woke the scheduler (here: for ever).
    cell = kernel.run("import threading, time\n"
                      "me = self()\n"
                      "threading.Thread(target=lambda: (time.sleep(0.2), send(me, 'from a thread')),"
                      " daemon=True).start()\n"
                      "receive()", timeout=10)
    assert cell.status == "ok", cell.errors
    assert cell.result == "'from a thread'"


def test_a_send_from_a_thread_wakes_a_process_between_cells(kernel):
    kernel.ok("import threading, time\n"
              "got = threading.Event()\n"
              "waiter = spawn(lambda: (receive(), got.set()))\n"
              "threading.Thread(target=lambda: (time.sleep(0.2), send(waiter, 'go')),"
              " daemon=True).start()")
    time.sleep(1.0)        # no cell runs meanwhile: only the kernel's wake-up can deliver it
    assert kernel.ok("got.wait(0)").result == "True"


def test_spawn_from_a_thread_is_refused_in_the_thread(kernel):
    cell = kernel.ok("errors = []\n"
                     "def try_spawn():\n"
                     "    try:\n"
                     "        spawn(lambda: None)\n"
                     "    except NotInProcess as e:\n"
                     "        errors.append(str(e))\n"
                     "t = threading.Thread(target=try_spawn); t.start(); t.join(5)\n"
                     "'call_soon_threadsafe' in errors[0]")
    assert cell.result == "True"


def test_a_process_spawning_in_a_loop_meets_the_process_limit_and_the_kernel_carries_on(kernel):
    kernel.ok("from beamlab import current_runtime\n"
              "before = len(processes())\n"
              "current_runtime().process_limit = before + 300")
    bomb = kernel.run("while True:\n    spawn(receive)", timeout=20)
    assert bomb.status == "error"
    (ename, evalue, *_), = bomb.errors
    assert ename == "SystemLimit" and "system_limit" in evalue and "process_limit" in evalue
    after = kernel.ok("n = len(processes()); n - before").result
    assert int(after) >= 290
    kernel.ok("current_runtime().process_limit = 1_000_000")
    assert kernel.ok("1 + 1").result == "2"
