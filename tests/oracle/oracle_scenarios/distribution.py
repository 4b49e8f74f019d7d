"""Distribution: the twins of erlang/dsc_distribution.erl (two nodes, main and b).

Erlang's side asks its peer node b things through the peer's control channel, which
works while the nodes are cut apart; here a process on b does b's part on its own
(on a timer, during the split: any message from main would reconnect them) and keeps
what it saw for main to emit after the heal. beamlab's side runs on a mock clock.
"""
from __future__ import annotations

from beamlab.runtime import (ANY, monitor, monitor_node, process_flag, receive, register,
                             self, send, sleep, spawn, spawn_link)
from beamlab.runtime.nodes import (disconnect, global_register_name, global_registered_names,
                                   global_whereis_name, nodes, pg_get_local_members,
                                   pg_get_members, pg_join, pg_leave, pg_which_groups,
                                   start_node, stop_node)
from beamlab.runtime.otp import CallExit, GenServer
from oracle_trace import emit, role

from . import scenario


def idle():
    receive("never")


def reg_idle(name, to):
    register(name, self())
    send(to, ("ready", self()))
    idle()


def collect(n):
    out = []
    for _ in range(n):
        out.append(receive(timeout=3, default="timeout"))
    return out


def count(p, ps):
    return sum(1 for x in ps if x == p)


def on_b(fn):
    """Run fn() in a process on b (while connected); its result."""
    me = self()
    spawn("b@lab", lambda: send(me, ("on_b", fn())))
    return receive(("on_b", ANY))[1]


@scenario
def dist_links_monitors_and_node_monitors_fire_noconnection_on_disconnect():
    start_node("b")
    process_flag("trap_exit", True)
    p = spawn_link("b@lab", idle)
    role(p, "p")
    q = spawn("b@lab", reg_idle, "reg", self())
    role(q, "q")
    receive(("ready", q))
    monitor(q)
    monitor(("reg", "b@lab"))
    monitor_node("b@lab", True)
    emit(("nodes", nodes()))
    disconnect("b@lab")
    emit(("nodes", nodes()))
    for m in collect(4):
        emit(m)


@scenario
def dist_a_stopped_node_fires_noconnection_and_nodedown():
    start_node("b")
    process_flag("trap_exit", True)
    p = spawn_link("b@lab", idle)
    role(p, "p")
    monitor_node("b@lab", True)
    stop_node("b@lab")
    for m in collect(2):
        emit(m)
    monitor_node("b@lab", True)
    for m in collect(1):
        emit(m)


class Echo(GenServer):
    def init(self, arg):
        return ("ok", None)

    def handle_call(self, request, from_, state):
        if request == "die":
            return ("stop", "boom", state)
        return ("reply", (request, _node()), state)


def _node():
    from beamlab.runtime import node
    return node()


def call(server, request):
    try:
        return GenServer.call(server, request)
    except CallExit as e:
        return ("exit", e.reason)


@scenario
def dist_call_to_a_remote_name_and_to_a_node_that_is_down():
    start_node("b")
    s = on_b(lambda: Echo.start(None, name="srv"))
    role(s, "srv")
    emit(call(("srv", "b@lab"), "where"))
    emit(call(("nobody", "b@lab"), "req"))
    emit(call(("srv", "nosuch@lab"), "req"))
    stop_node("b@lab")
    emit(call(("srv", "b@lab"), "req"))
    emit(call(s, "req"))


@scenario
def dist_global_names_in_a_split_and_the_conflict_on_heal():
    start_node("b")
    onb = on_b(lambda: spawn(idle))
    role(onb, "onb")
    emit(("b_registers_onb", on_b(lambda: global_register_name("onb", onb))))
    emit(("main_sees", global_whereis_name("onb"), global_registered_names()))
    seen = {}

    def b_side():               # on b, during the split: register b's own x
        sleep(1)
        pb = spawn(idle)
        seen["pb"] = pb
        seen["registered"] = global_register_name("x", pb)
        idle()

    spawn("b@lab", b_side)
    disconnect("b@lab")
    emit(("main_sees_in_split", global_whereis_name("onb"), global_registered_names()))
    pa = spawn(idle)
    role(pa, "pa")
    emit(("main_registers_x", global_register_name("x", pa)))
    sleep(2)
    role(seen["pb"], "pb")
    emit(("b_registers_x", seen["registered"]))
    ma = monitor(pa)
    on_b(lambda: None)          # contact: they reconnect, global merges the names
    msg = receive(("DOWN", ma, "process", pa, ANY), timeout=5, default=None)
    emit(("pa_down", msg[4]) if msg else "no_down")
    emit(("after_heal", global_whereis_name("x"), on_b(lambda: global_whereis_name("x")),
          sorted(global_registered_names())))
    pb = seen["pb"]
    emit(("pb_alive", on_b(lambda: _alive(pb))))


def _alive(pid):
    from beamlab.runtime import is_process_alive
    return is_process_alive(pid)


@scenario
def dist_pg_members_across_a_split_and_after_heal():
    start_node("b")
    pa = spawn(idle)
    role(pa, "pa")
    pg_join("grp", [pa, pa])
    seen = {}

    def b_side():
        pb = spawn(idle)
        pg_join("grp", pb)
        seen["pb"] = pb
        sleep(1)                # main cuts the connection meanwhile
        seen["split"] = pg_get_members("grp")
        idle()

    spawn("b@lab", b_side)
    sleep(0.1)
    pb = seen["pb"]
    role(pb, "pb")

    def counts(ms):
        return (count(pa, ms), count(pb, ms))
    emit(("whole", counts(pg_get_members("grp")), counts(pg_get_local_members("grp")),
          pg_which_groups()))
    disconnect("b@lab")
    mine = pg_get_members("grp")
    sleep(2)
    emit(("split", counts(mine), counts(seen["split"])))
    theirs = on_b(lambda: pg_get_members("grp"))     # contact: they reconnect
    emit(("healed", counts(pg_get_members("grp")), counts(theirs)))
    emit(("leave", pg_leave("grp", pa), counts(pg_get_members("grp")), pg_leave("nogrp", pa)))


def forward(name, to):
    register(name, self())
    send(to, ("ready", self()))
    while True:
        send(to, ("got", receive()))


@scenario
def dist_the_next_send_reconnects_and_spawn_on_a_stopped_node():
    start_node("b")
    process_flag("trap_exit", True)
    f = spawn("b@lab", forward, "fwd", self())
    role(f, "fwd")
    receive(("ready", f))
    disconnect("b@lab")
    emit(("nodes", nodes()))
    send(("fwd", "b@lab"), "hello")
    got = receive(("got", ANY), timeout=3, default=None)
    emit(got if got else "lost")
    emit(("nodes", nodes()))
    stop_node("b@lab")
    s = spawn_link("b@lab", idle)       # a warning: ** Can not start ... on b@lab **
    role(s, "nowhere")
    emit(receive(("EXIT", s, ANY), timeout=3, default="no_exit"))
    r = monitor(s)
    emit(receive(("DOWN", r, ANY, ANY, ANY), timeout=3, default="no_down"))
