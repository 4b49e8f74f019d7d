# DynamicSupervisor, Task and Agent, the Elixir behaviours
# (tests/oracle/oracle_scenarios/elixir_behaviours.py is the beamlab twin).
defmodule Oracle.FailsToStart do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def init(_), do: {:stop, :no_db}
end

defmodule Oracle.Ignores do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def init(_), do: :ignore
end

defmodule Oracle.Behaviours do
  import :oracle, only: [emit: 1, role: 2, flush: 0]

  def scenarios do
    [:dynsup_start_and_terminate_children, :dynsup_max_children,
     :dynsup_start_child_failure_is_the_bare_reason, :dynsup_restarts_a_crashed_child,
     :task_async_await, :task_await_timeout, :task_crash_reaches_the_awaiting_caller,
     :task_yield_returns_nil_while_running, :agent_get_update_and_stop,
     :agent_start_with_a_taken_name, :dynsup_beyond_intensity_exits_shutdown,
     :dynsup_temporary_child_is_not_restarted, :agent_get_and_update_from_two_processes,
     :supervisor_start_child_failure_in_elixir_gives_reason_and_spec,
     :supervisor_keeps_an_ignoring_child_without_a_pid, :task_yield_and_shutdown]
  end

  defp child(tag), do: %{id: tag, start: {:oracle, :worker_start, [tag]}}

  defp pids(sup), do: for({_, pid, _, _} <- DynamicSupervisor.which_children(sup), do: pid)

  def dynsup_start_and_terminate_children do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    {:ok, a} = DynamicSupervisor.start_child(sup, child(:a))
    role(a, :a)
    {:ok, b} = DynamicSupervisor.start_child(sup, child(:b))
    role(b, :b)
    emit(pids(sup))
    emit(DynamicSupervisor.count_children(sup))
    emit(DynamicSupervisor.terminate_child(sup, a))
    emit(DynamicSupervisor.terminate_child(sup, a))
    emit(pids(sup))
  end

  def dynsup_max_children do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_children: 1)
    {:ok, _} = DynamicSupervisor.start_child(sup, child(:a))
    emit(DynamicSupervisor.start_child(sup, child(:b)))
  end

  def dynsup_start_child_failure_is_the_bare_reason do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    bad = %{id: :bad, start: {Oracle.FailsToStart, :start_link, [:x]}}
    emit(DynamicSupervisor.start_child(sup, bad))
    emit(pids(sup))
  end

  def dynsup_restarts_a_crashed_child do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    {:ok, a} = DynamicSupervisor.start_child(sup, child(:a))
    role(a, :a)
    ref = Process.monitor(a)
    send(a, {:exit, :boom})
    down = receive do: ({:DOWN, ^ref, _, _, _} = down -> down)
    now = pids(sup)
    emit(down)
    emit(now)
  end

  def task_async_await do
    task = Task.async(fn -> 21 * 2 end)
    emit(Task.await(task))
    emit(flush())
  end

  def task_await_timeout do
    task = Task.async(fn -> Process.sleep(1000) end)
    emit(try do
      Task.await(task, 50)
    catch
      :exit, reason -> {:caught, reason}
    end)
  end

  def task_crash_reaches_the_awaiting_caller do
    Process.flag(:trap_exit, true)
    task = Task.async(fn -> raise "boom" end)
    role(task.pid, :task)
    emit(try do
      Task.await(task)
    catch
      :exit, reason -> {:caught, reason}
    end)
    emit(flush())
  end

  def task_yield_returns_nil_while_running do
    task = Task.async(fn -> receive do: (:go -> :done) end)
    emit(Task.yield(task, 20))
    send(task.pid, :go)
    emit(Task.yield(task, 1000))
  end

  def agent_get_update_and_stop do
    {:ok, agent} = Agent.start_link(fn -> 1 end)
    emit(Agent.update(agent, fn n -> n + 1 end))
    emit(Agent.get(agent, fn n -> n end))
    emit(Agent.get_and_update(agent, fn n -> {n, n * 10} end))
    emit(Agent.cast(agent, fn n -> n + 5 end))
    emit(Agent.get(agent, fn n -> n end))
    emit(Agent.stop(agent))
    emit(Process.alive?(agent))
  end

  def dynsup_beyond_intensity_exits_shutdown do
    Process.flag(:trap_exit, true)
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_restarts: 1)
    role(sup, :sup)
    {:ok, a} = DynamicSupervisor.start_child(sup, child(:a))
    ref = Process.monitor(a)
    send(a, {:exit, :boom})
    receive do: ({:DOWN, ^ref, _, _, _} -> :ok)
    [a2] = pids(sup)
    send(a2, {:exit, :boom})
    receive do
      {:EXIT, ^sup, _} = m -> emit(m)
    end
  end

  def dynsup_temporary_child_is_not_restarted do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    {:ok, a} = DynamicSupervisor.start_child(sup, Map.put(child(:a), :restart, :temporary))
    ref = Process.monitor(a)
    send(a, {:exit, :boom})
    receive do: ({:DOWN, ^ref, _, _, _} -> :ok)
    emit(pids(sup))
    emit(DynamicSupervisor.count_children(sup))
  end

  def agent_get_and_update_from_two_processes do
    {:ok, agent} = Agent.start_link(fn -> [] end)
    test = self()
    for tag <- [:one, :two] do
      spawn(fn ->
        Agent.update(agent, fn l -> [tag | l] end)
        send(test, {:done, tag})
      end)
      receive do: ({:done, ^tag} -> :ok)
    end
    emit(Agent.get(agent, &Enum.reverse/1))
  end

  # Elixir's Supervisor.start_child passes OTP's {:error, {reason, child}} through
  # (DynamicSupervisor's, above, is the bare reason)
  def supervisor_start_child_failure_in_elixir_gives_reason_and_spec do
    {:ok, sup} = Supervisor.start_link([], strategy: :one_for_one)
    bad = %{id: :bad, start: {Oracle.FailsToStart, :start_link, [:x]}}
    emit(Supervisor.start_child(sup, bad))
    emit(Supervisor.count_children(sup))
  end

  def supervisor_keeps_an_ignoring_child_without_a_pid do
    {:ok, sup} = Supervisor.start_link([], strategy: :one_for_one)
    emit(Supervisor.start_child(sup, %{id: :ig, start: {Oracle.Ignores, :start_link, [1]}}))
    emit(for {id, pid, _, _} <- Supervisor.which_children(sup), do: {id, pid})
    emit(Supervisor.count_children(sup))
    emit(Supervisor.restart_child(sup, :ig))
    emit(Supervisor.delete_child(sup, :ig))
  end

  def task_yield_and_shutdown do
    Process.flag(:trap_exit, true)
    crashing = Task.async(fn -> exit(:boom) end)
    role(crashing.pid, :crashing)
    emit(Task.yield(crashing, 1000))
    running = Task.async(fn -> Process.sleep(1000) end)
    emit(Task.shutdown(running))
    done = Task.async(fn -> :done end)
    role(done.pid, :done)
    ref = Process.monitor(done.pid)
    receive do: ({:DOWN, ^ref, _, _, _} -> :ok)
    emit(Task.shutdown(done))
    emit(flush())
  end

  def agent_start_with_a_taken_name do
    {:ok, agent} = Agent.start(fn -> 0 end, name: :store)
    role(agent, :first)
    emit(Agent.start(fn -> 0 end, name: :store))
  end
end
