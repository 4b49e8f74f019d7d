"""beamlab.runtime.otp: OTP's behaviours — GenServer, Supervisor, DynamicSupervisor, Task, Agent.

How this works: each behaviour is a stackless *reactor* process built on
``beamlab.runtime._core.spawn_reactor`` (an idle server holds no greenlet),
following OTP's own modules: ``gen_server.py`` (gen_server), ``supervisor.py``
(supervisor.erl, with its pure decisions in ``_rules.py`` and child specs in
``_childspec.py``), ``dynamic_supervisor.py``, ``task.py`` and ``agent.py``.
Callbacks return values (``Ok``, ``Reply``, ``NoReply``, ``Stop``...) — see
``_results.py`` for how they map onto Elixir's tuples.

    >>> from beamlab.runtime.otp import GenServer, Supervisor, Ok, Reply
"""
from ._childspec import ChildSpec, ChildSpecError, SupervisorFlagsError, child_spec
from ._results import BadReturn, Ignore, NoReply, Ok, Reply, Stop
from .agent import Agent
from .dynamic_supervisor import DynamicSupervisor, DynamicSupervisorSpec
from .gen_server import AlreadyStarted, CallExit, GenServer, StartError
from .supervisor import Supervisor, SupervisorError, SupervisorSpec
from .task import Task, TaskSupervisor

__all__ = [
    # GenServer and its result values
    "GenServer", "Ok", "Ignore", "Reply", "NoReply", "Stop", "BadReturn",
    "CallExit", "StartError", "AlreadyStarted",
    # supervisors and child specs
    "Supervisor", "SupervisorSpec", "SupervisorError", "DynamicSupervisor",
    "DynamicSupervisorSpec", "ChildSpec", "ChildSpecError", "SupervisorFlagsError", "child_spec",
    # conveniences
    "Task", "TaskSupervisor", "Agent",
]
