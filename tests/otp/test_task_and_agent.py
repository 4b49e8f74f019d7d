"""Task (async/await, start, Task.Supervisor) and Agent — the Elixir conveniences."""
from __future__ import annotations

import pytest

from beamlab.runtime import (ANY, Crash, process_flag, receive, self, send, sleep, spawn,
                             spawn_monitor)
from beamlab.runtime.otp import Agent, CallExit, DynamicSupervisor, Supervisor, Task


def test_await_returns_the_tasks_result(run):
    assert run(lambda: Task.await_(Task.async_(lambda a, b: a * b, 6, 7))) == 42


def test_await_times_out_exiting_the_caller_with_a_reason_naming_the_task(run):
    def main():
        task = Task.async_(sleep, 60)
        with pytest.raises(CallExit) as info:
            Task.await_(task, timeout=1.0)
        return task, info.value
    task, err = run(main)
    assert err.reason == ("timeout", ("Task.await", task, 1.0))
    assert "timed out after 1.0 s" in str(err)


def test_a_crashing_async_task_takes_its_linked_caller_down(run):
    def caller():
        Task.await_(Task.async_(lambda: 1 / 0))

    def main():
        pid, ref = spawn_monitor(caller)
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]
    reason = run(main)
    assert isinstance(reason, Crash) and reason.kind == "ZeroDivisionError"


def test_a_caller_trapping_exits_gets_the_crash_from_await(run):
    def main():
        process_flag("trap_exit", True)
        with pytest.raises(CallExit) as info:
            Task.await_(Task.async_(lambda: [][1]))
        return info.value.reason[0].kind
    assert run(main) == "IndexError"


def test_only_the_owner_may_await_a_task(run):
    def main():
        task = Task.async_(lambda: 1)
        me = self()

        def other():
            try:
                Task.await_(task)
            except ValueError as exc:
                send(me, str(exc))
        spawn(other)
        message = receive(str)
        Task.await_(task)
        return message
    assert "can only be awaited there" in run(main)


def test_yield_returns_none_while_the_task_runs_then_its_result(run):
    def main():
        task = Task.async_(lambda: (sleep(5), "done")[1])
        first = Task.yield_(task, timeout=1)
        return first, Task.yield_(task, timeout=10)
    assert run(main) == (None, ("ok", "done"))


def test_shutdown_stops_a_running_task(run):
    def main():
        task = Task.async_(sleep, 60)
        result = Task.shutdown(task)
        from beamlab.runtime import is_process_alive
        return result, is_process_alive(task.pid)
    assert run(main) == (None, False)


def test_task_start_runs_a_function_unlinked(run):
    def main():
        me = self()
        Task.start(lambda: send(me, "ran"))
        return receive(timeout=1)
    assert run(main) == "ran"


def test_task_supervisor_start_child_runs_a_temporary_child(run):
    def main():
        me = self()
        sup = Task.Supervisor.start_link()
        Task.Supervisor.start_child(sup, lambda: (send(me, "hello"), 1 / 0))
        got = receive(timeout=1)
        sleep(0.1)
        return got, DynamicSupervisor.which_children(sup)
    assert run(main) == ("hello", [])


def test_task_supervisor_async_is_supervised_and_awaitable(run):
    def main():
        sup = Task.Supervisor.start_link()
        task = Task.Supervisor.async_(sup, lambda: "from a supervised task")
        return Task.await_(task)
    assert run(main) == "from a supervised task"


def test_a_task_child_spec_is_temporary(run):
    def main():
        me = self()
        sup = Supervisor.start_link([Task.child_spec(send, me, "task ran")])
        got = receive(timeout=1)
        sleep(0.1)
        return got, Supervisor.which_children(sup)
    assert run(main) == ("task ran", [])


# ---------------------------------------------------------------- Agent

def test_an_agent_holds_state_changed_by_functions(run):
    def main():
        agent = Agent.start_link(lambda: {"hits": 0})
        Agent.update(agent, lambda d: {**d, "hits": d["hits"] + 1})
        return Agent.get(agent, lambda d: d["hits"])
    assert run(main) == 1


def test_get_and_update_returns_a_value_and_stores_the_new_state(run):
    def main():
        Agent.start_link(lambda n: n, 10, name="counter")
        taken = Agent.get_and_update("counter", lambda n: (n, n + 1))
        return taken, Agent.get("counter", lambda n: n)
    assert run(main) == (10, 11)


def test_an_agent_cast_updates_without_waiting(run):
    def main():
        agent = Agent.start_link(lambda: [])
        Agent.cast(agent, lambda items: items + ["x"])
        return Agent.get(agent, list)
    assert run(main) == ["x"]


def test_a_stopped_agent_is_gone(run):
    def main():
        agent = Agent.start_link(lambda: 0)
        Agent.stop(agent)
        with pytest.raises(CallExit) as info:
            Agent.get(agent, lambda n: n)
        return info.value.reason[0]
    assert run(main) == "noproc"


def test_an_agent_is_a_supervisor_child_with_its_state_rebuilt_on_restart(run):
    def main():
        from beamlab.runtime import exit, whereis
        Supervisor.start_link([Agent.child_spec(lambda: 0, id="count", name="count")])
        Agent.update("count", lambda n: n + 5)
        exit(whereis("count"), "kill")
        sleep(0.1)
        return Agent.get("count", lambda n: n)
    assert run(main) == 0
