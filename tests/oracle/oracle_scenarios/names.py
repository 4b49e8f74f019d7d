"""The name registry: the twins of erlang/sc_names.erl."""
from __future__ import annotations

from beamlab.runtime import (ANY, BadArg, exit, monitor, receive, register, self, send, spawn,
                             spawn_monitor, unregister, whereis)
from oracle_trace import emit, role

from . import scenario


def idle():
    receive("never")


def badarg(fn):
    try:
        return fn()
    except BadArg:
        return "badarg"


@scenario
def register_whereis_unregister():
    p = spawn(idle)
    role(p, "worker")
    emit(register("w", p))
    emit(whereis("w"))
    emit(unregister("w"))
    emit(whereis("w"))
    emit(badarg(lambda: unregister("w")))


@scenario
def register_refuses_what_erlang_refuses():
    p1, p2 = spawn(idle), spawn(idle)
    role(p1, "first")
    role(p2, "second")
    dead, ref = spawn_monitor(lambda: None)
    receive(("DOWN", ref, ANY, ANY, ANY))
    emit(register("w", p1))
    emit(("taken", badarg(lambda: register("w", p2))))
    emit(("already_named", badarg(lambda: register("w2", p1))))
    emit(("dead", badarg(lambda: register("w3", dead))))
    emit((None, badarg(lambda: register("undefined", p2))))
    emit(whereis("w"))


@scenario
def a_name_is_freed_when_its_process_exits():
    p = spawn(idle)
    register("w", p)
    ref = monitor(p)
    exit(p, "kill")
    receive(("DOWN", ref, ANY, ANY, ANY))
    emit(whereis("w"))
    emit(register("w", self()))
    emit(whereis("w"))


@scenario
def send_to_an_unknown_name_is_badarg():
    emit(badarg(lambda: send("nobody", "hello")))


@scenario
def send_to_a_name_delivers():
    def echo():
        frm = receive(("ping", ANY))[1]
        send(frm, ("pong", self()))
    p = spawn(echo)
    role(p, "echo")
    register("echo", p)
    send("echo", ("ping", self()))
    emit(receive())
