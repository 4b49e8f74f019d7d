"""Monitors: the twins of erlang/sc_monitors.erl."""
from __future__ import annotations

from beamlab.runtime import (ANY, demonitor, exit, is_process_alive, monitor, node, receive,
                             register, self, send, spawn, spawn_monitor)
from oracle_trace import emit, flush, role

from . import scenario


def idle():
    receive("never")


def down(ref):
    return receive(("DOWN", ref, ANY, ANY, ANY))


@scenario
def monitor_reports_the_exit_reason():
    p = spawn(lambda: (receive("go"), exit("bye")))
    role(p, "target")
    ref = monitor(p)
    send(p, "go")
    emit(down(ref))


@scenario
def monitor_of_a_dead_process_is_noproc():
    p, ref = spawn_monitor(lambda: None)
    role(p, "target")
    emit(down(ref))
    ref2 = monitor(p)
    emit(down(ref2))


@scenario
def monitor_by_name_names_the_process_and_node():
    p = spawn(idle)
    register("watched", p)
    ref = monitor("watched")
    exit(p, "kill")
    emit(down(ref))
    emit(node())


@scenario
def monitor_of_an_unregistered_name_is_noproc():
    ref = monitor("nobody")
    emit(down(ref))


@scenario
def demonitor_flush_drops_the_down():
    p = spawn(idle)
    role(p, "target")
    ref1 = monitor(p)
    ref2 = monitor(p)
    exit(p, "kill")
    emit(down(ref2))
    emit(demonitor(ref1, flush=True))
    emit(flush())


@scenario
def two_monitors_give_two_downs():
    p = spawn(lambda: (receive("go"), exit("boom")))
    role(p, "target")
    ref1 = monitor(p)
    ref2 = monitor(p)
    send(p, "go")
    emit(down(ref1))
    emit(down(ref2))


@scenario
def spawn_monitor_gives_pid_and_ref():
    p, ref = spawn_monitor(lambda: exit("done"))
    role(p, "target")
    emit(receive(("DOWN", ref, "process", p, ANY)))


@scenario
def monitors_are_one_way():
    parent = self()

    def target():
        frm = receive(("ping", ANY))[1]
        send(frm, ("mailbox", flush()))
    t = spawn(target)
    role(t, "target")

    def watcher():
        monitor(t)
        send(parent, "watching")
        idle()
    w, ref = spawn_monitor(watcher)
    role(w, "watcher")
    receive("watching")
    exit(w, "kill")
    emit(down(ref))
    emit(("target_alive", is_process_alive(t)))
    send(t, ("ping", self()))
    emit(("target_mailbox", receive(("mailbox", ANY))[1]))
