"""beamlab.runtime: BEAM processes in Python.

Processes are greenlets run by one scheduler in the main thread, preempted at
safe points by SIGALRM; they share nothing and talk by messages. This package
never imports Jupyter: the kernel and the widgets observe it from outside.
"""

from . import telemetry
from ._accel import accelerated     # which modules run compiled (runtime/_accel.py)
from ._core import Deadlock, Runtime, current_runtime
from .api import (cancel_timer, demonitor, exit, flush, group_leader, is_process_alive, link,
                  make_ref, monitor, node, process_flag, process_info, processes, receive, register,
                  registered, self, send, send_after, sleep, spawn, spawn_link, spawn_monitor,
                  system_info, unlink, unregister, whereis)
from .clock import MockClock, SystemClock
from .dirty import dirty_call
from .errors import (BadArg, Crash, NoProc, NotInProcess, ProcessExit, ReceiveTimeout,
                     SystemLimit, format_reason, is_normal_exit)
from .io import GroupLeader
from .nodes import (connect_node, cut, disconnect, heal, monitor_node, nodes, partition,
                    set_latency, start_node, stop_node)
from .nodes import (global_register_name, global_registered_names, global_send,
                    global_unregister_name, global_whereis_name, pg_get_local_members,
                    pg_get_members, pg_join, pg_leave, pg_which_groups)
from .patterns import ANY
from .pid import Pid, Ref, pid
from .recorder import Recorder
from .chaos import chaos_monkey
from .deterministic import fork, replay
from .wedges import LockDeadlock, Wedged


def run(main, *args, clock=None, preemption: str = "auto", record=False, process_limit=None,
        seed=None, **kwargs):
    """Run `main(*args)` as a process in a fresh runtime, in a plain Python script.

        >>> import beamlab
        >>> def main():
        ...     pid = beamlab.spawn(lambda: beamlab.send(parent, "hi"))
        >>> beamlab.run(main)

    Returns what `main` returns; every process still alive is then stopped.
    `record`: a `Recorder()` to fill with the run's events (see recorder.py), or
    True / a dict of its options (then read it inside the run as
    `current_runtime().recorder`); off by default. `process_limit`: the most
    processes alive at once (Erlang's `+P`; default sized to the memory available).
    `seed`: a deterministic run (deterministic.py): a virtual clock, processes switched
    by counted work, every choice from `random.Random(seed)`, always recorded, so the
    same code and seed give the same events anywhere; `replay` and `fork` make it again.
    """
    if seed is not None:
        if clock is not None or preemption != "auto":
            raise ValueError("a deterministic run (seed=...) has its own virtual clock and "
                             "scheduling: leave out clock= and preemption=")
        from .deterministic import run as run_deterministic
        return run_deterministic(main, *args, seed=seed, record=record if record else True,
                                 process_limit=process_limit, **kwargs)
    return Runtime(clock=clock, preemption=preemption, record=record,
                   process_limit=process_limit).run(main, *args, **kwargs)


__all__ = [
    "run", "Runtime", "current_runtime", "Deadlock", "telemetry", "MockClock", "SystemClock",
    "spawn", "spawn_link", "spawn_monitor", "self", "send", "receive", "ANY", "link", "unlink",
    "monitor", "demonitor", "node", "exit", "process_flag", "is_process_alive", "register",
    "unregister", "whereis", "registered", "sleep", "send_after", "cancel_timer", "make_ref",
    "process_info", "processes", "group_leader", "flush", "system_info", "dirty_call",
    "GroupLeader", "Pid",
    "Ref", "pid", "Crash", "ProcessExit", "BadArg", "NoProc", "NotInProcess", "ReceiveTimeout",
    "SystemLimit", "format_reason", "is_normal_exit", "Recorder", "LockDeadlock", "Wedged",
    "start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition", "heal",
    "set_latency", "cut", "connect_node",
    "global_register_name", "global_whereis_name", "global_unregister_name", "global_send",
    "global_registered_names",
    "pg_join", "pg_leave", "pg_get_members", "pg_get_local_members", "pg_which_groups",
    "chaos_monkey", "replay", "fork",
]
