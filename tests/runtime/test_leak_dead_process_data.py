"""What a process held is freed when it exits (runtime/_core.py `_worker`, `_switch_away`).

A pooled greenlet outlives the processes it runs, and a process switched out keeps
its frames. Neither may keep a dead process's record (and so its arguments, its
closure, a server's state: a learner's big data) alive: once the process has exited
and its monitor's DOWN arrived, `gc.collect()` frees what only it held, whichever
greenlets are parked in the pool or suspended in other processes meanwhile.
"""
from __future__ import annotations

import gc
import weakref

import pytest

from beamlab.runtime import ANY, MockClock, Runtime, receive, self, send, sleep, spawn, spawn_monitor
from beamlab.runtime.otp import GenServer, Ok, Reply


class Big:
    """Stands for a learner's large data: only its weak reference is kept here."""


def _run(main, stackless):
    rt = Runtime(clock=MockClock(autojump=True), preemption="cooperative", stackless=stackless)
    try:
        return rt.run(main)
    finally:
        rt.stop()


def _down(ref):
    return receive(("DOWN", ref, ANY, ANY, ANY))



def _sleep_then_report(parent):
    sleep(0.001)
    send(parent, "done")


def _wait_for_a_message():
    receive()


@pytest.fixture(params=[True, False], ids=["stackless", "greenlets"])
def stackless(request):
    return request.param


def test_what_sleeping_processes_held_is_freed_after_they_exit(stackless, holding):
    def main():
        me = self()
        downs = []
        for _ in range(3):
            downs.append(spawn_monitor(holding(_sleep_then_report), me)[1])
        for ref in downs:
            receive("done")
            _down(ref)
        gc.collect()
        return holding.freed()
    assert _run(main, stackless) == [True, True, True]


def test_what_a_process_held_is_freed_while_pooled_greenlets_are_parked(stackless, holding):
    def main():
        me = self()
        for round_ in range(4):
            # a few at once: several greenlets, then parked in the pool, each after
            # handing the CPU to the next process
            started = []
            for _ in range(3):
                started.append(spawn_monitor(holding(_wait_for_a_message)))
            sleep(0.001)
            for pid, _ in started:
                send(pid, "go")
            for _, ref in started:
                _down(ref)
        gc.collect()
        return holding.freed()
    assert _run(main, stackless) == [True] * 12


_REFS: list = []    # the weak references to the servers' states


class _Holder(GenServer):
    def init(self, _):
        big = Big()         # its state: made by the server, only it holds it
        _REFS.append(weakref.ref(big))
        return Ok(big)

    def handle_call(self, request, from_, big):
        return Reply("ok", big)


def _start_call_stop():
    pid = _Holder.start(None)
    ref = spawn_monitor(lambda: None)[1]     # another process runs meanwhile
    _down(ref)
    GenServer.call(pid, "hello")
    GenServer.stop(pid)


def test_what_a_stopped_server_held_is_freed(stackless):
    def main():
        _REFS.clear()
        for _ in range(3):
            _down(spawn_monitor(_start_call_stop)[1])
        gc.collect()
        return [r() is None for r in _REFS]
    assert _run(main, stackless) == [True, True, True]
