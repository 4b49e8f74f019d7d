"""Supervisor: the twins of erlang/sc_supervisor.erl."""
from __future__ import annotations

from beamlab.runtime import (ANY, exit, is_process_alive, monitor, process_flag, receive,
                             register, self, send, sleep, spawn, spawn_link)
from beamlab.runtime.otp import GenServer, StartError, Stop, Supervisor, SupervisorError
from oracle_trace import emit, flush, role

from . import scenario


def worker_start(tag, *opts):
    """oracle:worker_start/2: emits ("started", tag) in the supervisor, then starts the child.
    Options: "trap" (an exit signal is emitted as ("exiting", tag, reason), then obeyed),
    "stubborn" (with trap: emitted as ("ignored", tag, reason); the child keeps running)."""
    emit(("started", tag))
    parent = self()

    def body():
        process_flag("trap_exit", "trap" in opts)
        send(parent, ("ready", self()))
        while True:
            m = receive()
            if type(m) is tuple and m[0] == "exit":
                exit(m[1])
            if type(m) is tuple and m[0] == "EXIT":
                if "stubborn" in opts:
                    emit(("ignored", tag, m[2]))
                else:
                    emit(("exiting", tag, m[2]))
                    exit(m[2])
    pid = spawn_link(body)
    receive(("ready", pid))
    return pid


def child(cid, *worker_opts, **spec):
    return {"id": cid, "start": (worker_start, cid, *worker_opts), **spec}


def sup(strategy, children, max_restarts=3):
    s = Supervisor.start_link(children, strategy=strategy, max_restarts=max_restarts,
                              max_seconds=5)
    role(s, "sup")
    return s


def pids(s):
    return [(cid, pid) for cid, pid, _, _ in Supervisor.which_children(s)]


def name_children(s):
    for cid, pid in pids(s):
        if pid is not None:
            role(pid, cid)


def crash(s, cid, reason):
    pid = dict(pids(s))[cid]
    ref = monitor(pid)
    send(pid, ("exit", reason))
    receive(("DOWN", ref, ANY, ANY, ANY))


def result(fn, *args):
    """Erlang's ok | {ok, Pid} | {error, Reason} from beamlab's value or SupervisorError."""
    try:
        value = fn(*args)
    except SupervisorError as e:
        return ("error", e.reason)
    return "ok" if value is None else ("ok", value)


@scenario
def sup_one_for_one_restarts_only_the_failed_child():
    s = sup("one_for_one", [child("a"), child("b"), child("c")])
    name_children(s)
    crash(s, "b", "boom")
    emit(pids(s))


@scenario
def sup_one_for_all_restarts_every_child():
    s = sup("one_for_all", [child("a", "trap"), child("b"), child("c", "trap")])
    name_children(s)
    crash(s, "b", "boom")
    emit(pids(s))


@scenario
def sup_rest_for_one_restarts_the_later_children():
    s = sup("rest_for_one", [child("a", "trap"), child("b"), child("c", "trap")])
    name_children(s)
    crash(s, "b", "boom")
    emit(pids(s))


@scenario
def sup_beyond_intensity_the_supervisor_exits_shutdown():
    process_flag("trap_exit", True)
    s = sup("one_for_one", [child("a"), child("b", "trap")], max_restarts=1)
    crash(s, "a", "boom")
    crash(s, "a", "boom")
    emit(receive(("EXIT", s, ANY)))


@scenario
def sup_transient_child_is_restarted_only_after_an_abnormal_exit():
    s = sup("one_for_one", [child("t", restart="transient")])
    crash(s, "t", "boom")
    emit(len(pids(s)))
    crash(s, "t", "normal")
    emit(pids(s))
    Supervisor.restart_child(s, "t")
    emit("restarted")
    crash(s, "t", "shutdown")
    emit(pids(s))


@scenario
def sup_temporary_child_is_never_restarted():
    s = sup("one_for_one", [child("t", restart="temporary"), child("p")])
    name_children(s)
    crash(s, "t", "boom")
    emit(pids(s))


@scenario
def sup_permanent_child_is_restarted_after_normal():
    s = sup("one_for_one", [child("p")])
    name_children(s)
    crash(s, "p", "normal")
    emit(pids(s))


def terminate_and_watch(s, cid):
    pid = dict(pids(s))[cid]
    role(pid, cid)
    ref = monitor(pid)
    emit(result(Supervisor.terminate_child, s, cid))
    emit(receive(("DOWN", ref, ANY, ANY, ANY)))


@scenario
def sup_shutdown_brutal_kill():
    s = sup("one_for_one", [child("a", "trap", "stubborn", shutdown="brutal_kill")])
    terminate_and_watch(s, "a")


@scenario
def sup_shutdown_timeout_then_kill():
    s = sup("one_for_one", [child("a", "trap", "stubborn", shutdown=50)])
    terminate_and_watch(s, "a")


@scenario
def sup_shutdown_a_trapping_child_exits_shutdown():
    s = sup("one_for_one", [child("a", "trap", shutdown=5000)])
    terminate_and_watch(s, "a")


@scenario
def sup_stops_children_in_reverse_order():
    process_flag("trap_exit", True)
    s = sup("one_for_one", [child("a", "trap"), child("b", "trap"), child("c", "trap")])
    Supervisor.stop(s)
    emit("ok")


class FailsToStart(GenServer):
    def init(self, arg):
        return Stop("no_db")


def failing(cid):
    return {"id": cid, "start": (FailsToStart.start_link, "x")}


@scenario
def sup_start_child_failure_gives_reason_and_spec():
    s = sup("one_for_one", [])
    emit(result(Supervisor.start_child, s, failing("bad")))
    emit(pids(s))
    emit(is_process_alive(s))


@scenario
def sup_child_api():
    s = sup("one_for_one", [child("a")])
    name_children(s)
    d = Supervisor.start_child(s, child("d"))
    role(d, "d")
    emit(result(Supervisor.start_child, s, child("d")))
    emit(result(Supervisor.restart_child, s, "d"))
    emit(result(Supervisor.delete_child, s, "d"))
    emit(result(Supervisor.terminate_child, s, "d"))
    emit(result(Supervisor.start_child, s, child("d")))
    emit(result(Supervisor.restart_child, s, "d"))
    emit(result(Supervisor.terminate_child, s, "d"))
    emit(result(Supervisor.delete_child, s, "d"))
    emit(result(Supervisor.delete_child, s, "d"))
    emit(result(Supervisor.restart_child, s, "nope"))
    emit(result(Supervisor.terminate_child, s, "nope"))
    emit(pids(s))


@scenario
def sup_which_children_and_count_children():
    inner = Supervisor.child_spec([], id="inner")
    s = sup("one_for_one", [child("a"), child("b"), inner])
    Supervisor.terminate_child(s, "b")
    emit([(cid, pid is not None, kind) for cid, pid, kind, _ in Supervisor.which_children(s)])
    emit(Supervisor.count_children(s))


@scenario
def sup_init_fails_when_a_child_fails_to_start():
    process_flag("trap_exit", True)
    try:
        emit(("ok", Supervisor.start_link([child("a", "trap"), failing("bad"), child("c")])))
    except StartError as e:
        emit(("error", e.reason))
    emit([m for m in flush() if type(m) is tuple and m[0] == "EXIT"])


@scenario
def sup_escalation_reaches_the_parent_supervisor():
    inner = Supervisor.child_spec([child("a")], id="inner", max_restarts=0, max_seconds=5)
    s = sup("one_for_one", [inner, child("b")])
    i = dict(pids(s))["inner"]
    role(i, "inner")
    a = dict(pids(i))["a"]
    ref = monitor(i)
    send(a, ("exit", "boom"))
    emit(receive(("DOWN", ref, ANY, ANY, ANY)))
    emit([cid for cid, pid in pids(s) if pid is not None])


def named(cid):
    return {"id": cid, "start": (lambda: GenServer.start_link(Idle, 0, name=cid),)}


class Idle(GenServer):
    pass


@scenario
def sup_restart_child_that_fails_to_start():
    s = sup("one_for_one", [named("db")])
    Supervisor.terminate_child(s, "db")
    squatter = spawn(lambda: receive("never"))
    role(squatter, "squatter")
    register("db", squatter)
    emit(result(Supervisor.restart_child, s, "db"))
    emit(pids(s))


@scenario
def sup_terminate_child_forgets_a_temporary_child():
    s = sup("one_for_one", [child("t", restart="temporary"), child("p")])
    emit(result(Supervisor.terminate_child, s, "t"))
    emit([cid for cid, _ in pids(s)])
    emit(result(Supervisor.restart_child, s, "t"))


@scenario
def sup_transient_child_is_not_restarted_after_shutdown_tuple():
    s = sup("one_for_one", [child("t", restart="transient")])
    crash(s, "t", ("shutdown", "done"))
    emit(pids(s))


@scenario
def sup_one_for_all_does_not_restart_a_temporary_sibling():
    s = sup("one_for_all", [child("a"), child("t", restart="temporary"), child("c")])
    crash(s, "a", "boom")
    emit([cid for cid, _ in pids(s)])


class IgnoringSupervisor(Supervisor):
    def init(self, arg):
        return "ignore"


@scenario
def sup_init_ignore():
    try:
        pid = IgnoringSupervisor.start_link(None)
    except StartError as e:
        emit(("error", e.reason))
    else:
        emit("ignore" if pid is None else ("ok", pid))


@scenario
def sup_restarts_outside_the_period_do_not_add_up():
    s = Supervisor.start_link([child("a")], strategy="one_for_one", max_restarts=1,
                              max_seconds=1)
    role(s, "sup")
    crash(s, "a", "boom")
    sleep(2.1)
    crash(s, "a", "boom")
    emit(is_process_alive(s))
    emit([cid for cid, pid in pids(s) if pid is not None])


@scenario
def sup_terminate_child_by_pid_is_not_found():
    s = sup("one_for_one", [child("a")])
    [(_, p)] = pids(s)
    emit(result(Supervisor.terminate_child, s, p))
    emit(is_process_alive(p))


def start_once(attempts):
    """The first start works; every later one fails (attempts counted, as in the supervisor)."""
    n = attempts[0]
    attempts[0] += 1
    emit(("attempt", n))
    if n == 0:
        return worker_start("a")
    return ("error", "down")


@scenario
def sup_a_child_that_keeps_failing_to_restart_exhausts_intensity():
    process_flag("trap_exit", True)
    counter = [0]
    s = sup("one_for_one", [{"id": "a", "start": (start_once, counter)}], max_restarts=3)
    crash(s, "a", "boom")
    emit(receive(("EXIT", s, ANY)))
