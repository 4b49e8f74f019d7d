"""Exit signals and links: the twins of erlang/sc_links.erl."""
from __future__ import annotations

from beamlab.runtime import (ANY, NoProc, exit, link, monitor, process_flag, receive, self,
                             send, spawn, spawn_link, spawn_monitor, unlink, is_process_alive)
from oracle_trace import emit, flush, role

from . import scenario


def forwarder(trap: bool):
    """A process that (maybe) traps exits, says ready, and forwards what it gets."""
    parent = self()

    def body():
        process_flag("trap_exit", trap)
        send(parent, "ready")
        while True:
            m = receive()
            if type(m) is tuple and m[0] == "ping":
                send(m[1], "pong")
            else:
                send(parent, ("got", m))
    p = spawn(body)
    receive("ready")
    return p


def down(ref):
    return receive(("DOWN", ref, ANY, ANY, ANY))


@scenario
def exit_kill_is_untrappable():
    p = forwarder(True)
    role(p, "target")
    ref = monitor(p)
    exit(p, "kill")
    emit(down(ref))


@scenario
def exit_normal_is_ignored():
    p = forwarder(False)
    role(p, "target")
    exit(p, "normal")
    send(p, ("ping", self()))
    receive("pong")
    emit(("alive", is_process_alive(p)))


@scenario
def exit_normal_is_trapped():
    p = forwarder(True)
    role(p, "target")
    exit(p, "normal")
    emit(receive(("got", ANY))[1])


@scenario
def exit_self_normal_ends_the_process():
    def body():
        exit(self(), "normal")
        receive("never")
    p, ref = spawn_monitor(body)
    role(p, "target")
    emit(down(ref))


@scenario
def exit_signal_kills_with_its_reason():
    p = forwarder(False)
    role(p, "target")
    ref = monitor(p)
    exit(p, "boom")
    emit(down(ref))


@scenario
def link_crash_reaches_a_trapping_process():
    process_flag("trap_exit", True)
    p = spawn_link(lambda: (receive("go"), 1 / 0))
    role(p, "child")
    send(p, "go")
    emit(receive(("EXIT", p, ANY)))


@scenario
def link_kill_reason_is_not_untrappable():
    process_flag("trap_exit", True)
    parent = self()
    b = spawn_link(lambda: (receive("go"), exit("kill")))
    role(b, "b")
    send(b, "go")
    emit(receive(("EXIT", b, ANY)))

    def middle():
        c = spawn_link(lambda: (receive("go"), exit("kill")))
        send(parent, ("c", c))
        receive("never")
    mid, ref = spawn_monitor(middle)
    role(mid, "middle")
    send(receive(("c", ANY))[1], "go")
    emit(down(ref))


@scenario
def link_to_a_dead_process():
    p, ref = spawn_monitor(lambda: None)
    role(p, "dead")
    down(ref)
    try:
        emit(link(p))
    except NoProc:
        emit("caught_noproc")
    process_flag("trap_exit", True)
    emit(link(p))
    emit(receive(("EXIT", p, ANY)))


@scenario
def unlink_stops_the_signal():
    process_flag("trap_exit", True)
    p = spawn_link(lambda: (receive("go"), exit("boom")))
    role(p, "child")
    emit(unlink(p))
    ref = monitor(p)
    send(p, "go")
    emit(down(ref))
    emit(flush())


@scenario
def exit_kill_to_self_is_killed():
    def body():
        exit(self(), "kill")
        receive("never")
    p, ref = spawn_monitor(body)
    role(p, "target")
    emit(down(ref))


@scenario
def a_normal_exit_does_not_kill_a_linked_process():
    p = forwarder(False)
    role(p, "partner")
    parent = self()

    def quitter():
        link(p)
        send(parent, "linked")
        receive("go")
    q, ref = spawn_monitor(quitter)
    role(q, "quitter")
    receive("linked")
    send(q, "go")
    emit(down(ref))
    send(p, ("ping", self()))
    receive("pong")
    emit(("partner_alive", is_process_alive(p)))


@scenario
def a_trapping_process_sees_a_normal_exit_as_a_message():
    process_flag("trap_exit", True)
    p = spawn_link(lambda: receive("go"))
    role(p, "child")
    send(p, "go")
    emit(receive(("EXIT", p, ANY)))


@scenario
def link_crash_kills_a_non_trapping_partner():
    parent = self()

    def middle():
        c = spawn_link(lambda: (receive("go"), 1 / 0))
        send(parent, ("c", c))
        receive("never")
    mid, ref = spawn_monitor(middle)
    role(mid, "middle")
    c = receive(("c", ANY))[1]
    role(c, "child")
    send(c, "go")
    emit(down(ref))


@scenario
def exit_comes_before_down():
    process_flag("trap_exit", True)
    p = spawn_link(lambda: (receive("go"), exit("boom")))
    role(p, "child")
    monitor(p)
    send(p, "go")
    first = receive()
    second = receive()
    emit([first, second])


@scenario
def trap_exit_flag_returns_the_old_value():
    emit(process_flag("trap_exit", True))
    emit(process_flag("trap_exit", False))
    emit(process_flag("trap_exit", False))
