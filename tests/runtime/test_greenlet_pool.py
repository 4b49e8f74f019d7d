"""A process that has exited leaves its greenlet to the next one spawned (runtime/_core.py `_worker`).

Reusing greenlets must never show: each process starts with its own context
variables, exit reasons and links behave as before, and a killed process still
unwinds before its killer goes on.
"""
from __future__ import annotations

import contextvars

import greenlet

from beamlab.runtime import ANY, exit, receive, self, send, sleep, spawn, spawn_monitor

_colour = contextvars.ContextVar("colour", default="none")


def _report_greenlet(parent):
    send(parent, ("greenlet", id(greenlet.getcurrent())))


def test_a_process_spawned_after_another_exited_runs_on_its_greenlet(run):
    def main():
        me = self()
        spawn(_report_greenlet, me)
        _, first = receive(("greenlet", ANY))
        sleep(0.001)        # the first one has ended and parked its greenlet
        spawn(_report_greenlet, me)
        _, second = receive(("greenlet", ANY))
        return first == second
    assert run(main) is True


def test_a_reused_greenlet_does_not_carry_the_last_process_s_context_variables(run):
    def paint(parent):
        _colour.set("red")
        send(parent, "painted")

    def look(parent):
        send(parent, ("colour", _colour.get()))

    def main():
        me = self()
        spawn(paint, me)
        receive("painted")
        sleep(0.001)
        spawn(look, me)
        return receive(("colour", ANY))[1]
    assert run(main) == "none"


def test_exit_reasons_reach_monitors_for_each_process_run_on_one_greenlet(run):
    def crash():
        raise ValueError("boom")

    def quit_with(reason):
        exit(reason)

    def main():
        reasons = []
        for fn, args in ((crash, ()), (quit_with, ("shutdown",)), (lambda: None, ())):
            pid, ref = spawn_monitor(fn, *args)
            reasons.append(receive(("DOWN", ref, "process", pid, ANY))[4])
        return [r if isinstance(r, str) else type(r).__name__ for r in reasons]
    assert run(main) == ["Crash", "shutdown", "normal"]


def test_a_killed_process_on_a_reused_greenlet_unwinds_before_its_killer_goes_on(run):
    def waiter(parent):
        try:
            receive()
        finally:
            send(parent, "unwound")

    def main():
        me = self()
        spawn(lambda: None)
        sleep(0.001)                # its greenlet is in the pool now
        pid = spawn(waiter, me)
        sleep(0.001)                # the waiter is blocked in receive
        exit(pid, "kill")
        got = receive(timeout=0, default=None)      # already there: it unwound first
        spawn(_report_greenlet, me)                 # and the pool still works after
        return got, receive(("greenlet", ANY))[0]
    assert run(main) == ("unwound", "greenlet")
