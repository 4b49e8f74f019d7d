"""What a learner finds in the namespace of a beamlab notebook.

How this works: the kernel copies these names into the IPython user namespace
once at start. The runtime's primitives always; OTP's behaviours and the
widgets when their packages import (they are built alongside the runtime, and
a missing or broken one must never stop the kernel from starting).
"""

from __future__ import annotations

import logging

__all__ = ["learner_namespace", "RUNTIME_NAMES", "OTP_NAMES", "WIDGET_NAMES"]

log = logging.getLogger("beamlab.kernel")

RUNTIME_NAMES = (
    "spawn", "spawn_link", "spawn_monitor", "send", "receive", "ANY", "self",
    "link", "unlink", "monitor", "demonitor", "exit", "process_flag", "is_process_alive",
    "register", "unregister", "whereis", "registered", "node",
    "sleep", "send_after", "cancel_timer", "make_ref",
    "process_info", "processes", "group_leader", "flush", "telemetry", "dirty_call",
    "Pid", "Ref", "pid", "Crash", "ProcessExit", "ReceiveTimeout", "BadArg", "NoProc",
    "NotInProcess", "SystemLimit", "Deadlock", "LockDeadlock", "Wedged", "format_reason",
    "system_info",
    "start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition", "heal",
    "set_latency", "cut", "connect_node",   # the simulated cluster (runtime/nodes)
    "global_register_name", "global_whereis_name", "global_unregister_name", "global_send",
    "global_registered_names",
    "pg_join", "pg_leave", "pg_get_members", "pg_get_local_members", "pg_which_groups",
    "chaos_monkey", "replay", "fork",       # deterministic runs (%%beamlab_run, runtime/deterministic.py)
)
OTP_NAMES = (
    "GenServer", "Supervisor", "DynamicSupervisor", "Task", "Agent",
    "Ok", "Reply", "NoReply", "Stop", "Ignore", "From", "child_spec",
)
WIDGET_NAMES = (
    "supervision_tree", "observer", "telemetry_chart", "metrics", "sequence_trace", "chaos",
    "cluster_view",
)


def learner_namespace() -> dict:
    """The names a beamlab notebook starts with.

        >>> ns = learner_namespace()
        >>> ns["spawn"], ns["GenServer"]          # doctest: +SKIP
    """
    import beamlab.runtime as runtime

    ns = {name: getattr(runtime, name) for name in RUNTIME_NAMES if hasattr(runtime, name)}
    ns.update(_optional("beamlab.runtime.otp", OTP_NAMES))
    ns.update(_optional("beamlab.widgets", WIDGET_NAMES))
    return ns


def _optional(module: str, names) -> dict:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return {}
    except Exception:   # a bug in an optional part must not stop the kernel
        log.warning("beamlab: could not import %s", module, exc_info=True)
        return {}
    return {name: getattr(mod, name) for name in names if hasattr(mod, name)}
