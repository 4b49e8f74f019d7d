"""DynamicSupervisor, Task and Agent: the twins of elixir/behaviours.exs."""
from __future__ import annotations

from beamlab.runtime import (ANY, exit, is_process_alive, monitor, process_flag, receive, self,
                             send, sleep, spawn)
from beamlab.runtime.otp import (Agent, AlreadyStarted, CallExit, DynamicSupervisor, GenServer,
                                 Stop, Supervisor, SupervisorError, Task)
from oracle_trace import emit, flush, role

from . import scenario
from .supervisors import worker_start


def child(tag):
    return {"id": tag, "start": (worker_start, tag)}


def pids(sup):
    return [pid for _, pid, _, _ in DynamicSupervisor.which_children(sup)]


def result(fn, *args):
    try:
        value = fn(*args)
    except SupervisorError as e:
        return ("error", e.reason)
    return "ok" if value is None else ("ok", value)


@scenario
def dynsup_start_and_terminate_children():
    sup = DynamicSupervisor.start_link()
    a = DynamicSupervisor.start_child(sup, child("a"))
    role(a, "a")
    b = DynamicSupervisor.start_child(sup, child("b"))
    role(b, "b")
    emit(pids(sup))
    emit(DynamicSupervisor.count_children(sup))
    emit(result(DynamicSupervisor.terminate_child, sup, a))
    emit(result(DynamicSupervisor.terminate_child, sup, a))
    emit(pids(sup))


@scenario
def dynsup_max_children():
    sup = DynamicSupervisor.start_link(max_children=1)
    DynamicSupervisor.start_child(sup, child("a"))
    emit(result(DynamicSupervisor.start_child, sup, child("b")))


class FailsToStart(GenServer):
    def init(self, arg):
        return Stop("no_db")


@scenario
def dynsup_start_child_failure_is_the_bare_reason():
    sup = DynamicSupervisor.start_link()
    emit(result(DynamicSupervisor.start_child, sup,
                {"id": "bad", "start": (FailsToStart.start_link, "x")}))
    emit(pids(sup))


@scenario
def dynsup_restarts_a_crashed_child():
    sup = DynamicSupervisor.start_link()
    a = DynamicSupervisor.start_child(sup, child("a"))
    role(a, "a")
    ref = monitor(a)
    send(a, ("exit", "boom"))
    down = receive(("DOWN", ref, ANY, ANY, ANY))
    now = pids(sup)
    emit(down)
    emit(now)


@scenario
def task_async_await():
    task = Task.async_(lambda: 21 * 2)
    emit(Task.await_(task))
    emit(flush())


def caught(fn):
    try:
        return fn()
    except CallExit as e:
        return ("caught", e.reason)


@scenario
def task_await_timeout():
    task = Task.async_(lambda: receive("never", timeout=1.0, default=None))
    emit(caught(lambda: Task.await_(task, 0.05)))


def boom():
    raise RuntimeError("boom")


@scenario
def task_crash_reaches_the_awaiting_caller():
    process_flag("trap_exit", True)
    task = Task.async_(boom)
    role(task.pid, "task")
    emit(caught(lambda: Task.await_(task)))
    emit(flush())


@scenario
def task_yield_returns_nil_while_running():
    task = Task.async_(lambda: receive("go") and "done")
    emit(Task.yield_(task, 0.02))
    send(task.pid, "go")
    emit(Task.yield_(task, 1.0))


@scenario
def agent_get_update_and_stop():
    agent = Agent.start_link(lambda: 1)
    emit(result(Agent.update, agent, lambda n: n + 1))
    emit(Agent.get(agent, lambda n: n))
    emit(Agent.get_and_update(agent, lambda n: (n, n * 10)))
    emit(result(Agent.cast, agent, lambda n: n + 5))
    emit(Agent.get(agent, lambda n: n))
    emit(result(Agent.stop, agent))
    emit(is_process_alive(agent))


@scenario
def agent_start_with_a_taken_name():
    agent = Agent.start(lambda: 0, name="store")
    role(agent, "first")
    try:
        emit(("ok", Agent.start(lambda: 0, name="store")))
    except AlreadyStarted as e:
        emit(("error", e.reason))


@scenario
def dynsup_beyond_intensity_exits_shutdown():
    process_flag("trap_exit", True)
    sup = DynamicSupervisor.start_link(max_restarts=1)
    role(sup, "sup")
    a = DynamicSupervisor.start_child(sup, child("a"))
    ref = monitor(a)
    send(a, ("exit", "boom"))
    receive(("DOWN", ref, ANY, ANY, ANY))
    [a2] = pids(sup)
    send(a2, ("exit", "boom"))
    emit(receive(("EXIT", sup, ANY)))


@scenario
def dynsup_temporary_child_is_not_restarted():
    sup = DynamicSupervisor.start_link()
    a = DynamicSupervisor.start_child(sup, {**child("a"), "restart": "temporary"})
    ref = monitor(a)
    send(a, ("exit", "boom"))
    receive(("DOWN", ref, ANY, ANY, ANY))
    emit(pids(sup))
    emit(DynamicSupervisor.count_children(sup))


@scenario
def agent_get_and_update_from_two_processes():
    agent = Agent.start_link(lambda: [])
    test = self()
    for tag in ("one", "two"):
        def body(tag=tag):
            Agent.update(agent, lambda lst: [tag, *lst])
            send(test, ("done", tag))
        spawn(body)
        receive(("done", tag))
    emit(Agent.get(agent, lambda lst: list(reversed(lst))))


@scenario
def supervisor_start_child_failure_in_elixir_gives_reason_and_spec():
    sup = Supervisor.start_link([], strategy="one_for_one")
    bad = {"id": "bad", "start": (FailsToStart.start_link, "x")}
    emit(result(Supervisor.start_child, sup, bad))
    emit(Supervisor.count_children(sup))


class Ignores(GenServer):
    def init(self, arg):
        return "ignore"


@scenario
def supervisor_keeps_an_ignoring_child_without_a_pid():
    sup = Supervisor.start_link([], strategy="one_for_one")
    # Supervisor.start_child returns the pid, None for an ignoring child ({ok, undefined})
    emit(("ok", Supervisor.start_child(sup, {"id": "ig", "start": (Ignores.start_link, 1)})))
    emit([(cid, pid) for cid, pid, _, _ in Supervisor.which_children(sup)])
    emit(Supervisor.count_children(sup))
    emit(("ok", Supervisor.restart_child(sup, "ig")))
    emit(result(Supervisor.delete_child, sup, "ig"))


@scenario
def task_yield_and_shutdown():
    process_flag("trap_exit", True)
    crashing = Task.async_(lambda: exit("boom"))
    role(crashing.pid, "crashing")
    emit(Task.yield_(crashing, 1.0))
    running = Task.async_(lambda: sleep(1.0))
    emit(Task.shutdown(running))
    done = Task.async_(lambda: "done")
    role(done.pid, "done")
    ref = monitor(done.pid)
    receive(("DOWN", ref, ANY, ANY, ANY))
    emit(Task.shutdown(done))
    emit(flush())
