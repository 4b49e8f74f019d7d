"""Agent: state in a process, read and changed with functions (Elixir's ``Agent``).

How this works: an Agent is a GenServer (``_AgentServer``) whose state is
whatever the start function returned; ``get``/``update``/``get_and_update``
are calls carrying a function that runs *inside* the agent's process on its
state, so every change is serialized.  ``cast`` updates without waiting.

    >>> agent = Agent.start_link(lambda: {})
    >>> Agent.update(agent, lambda d: {**d, "hits": 1})
    >>> Agent.get(agent, lambda d: d["hits"])
    1
"""
from __future__ import annotations

from typing import Any, Callable

from ._childspec import ChildSpec
from ._results import NoReply, Ok, Reply
from .gen_server import GenServer

__all__ = ["Agent"]


class _AgentServer(GenServer):
    _behaviour = "Agent"
    label = "Agent"

    def init(self, start):
        fn, args = start
        return Ok(fn(*args))

    def handle_call(self, request, from_, state):
        kind, fn = request
        if kind == "get":
            return Reply(fn(state), state)
        if kind == "update":
            return Reply(None, fn(state))
        value, new_state = _pair(fn(state))
        return Reply(value, new_state)

    def handle_cast(self, request, state):
        _, fn = request
        return NoReply(fn(state))


def _pair(result: Any) -> tuple:
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(f"Agent.get_and_update: the function returned {result!r}; return a "
                        f"pair (value_to_return, new_state)")
    return result


class Agent:
    """A process holding one value (Elixir ``Agent``). Functions run in the agent.

    >>> counter = Agent.start_link(lambda: 0, name="counter")
    >>> Agent.get_and_update("counter", lambda n: (n, n + 1))
    0
    """

    @staticmethod
    def start_link(fn: Callable, *args: Any, name: str | None = None) -> Any:
        """Start an agent linked to the caller; its state is ``fn(*args)``."""
        return GenServer.start_link(_AgentServer, (fn, args), name=name)

    @staticmethod
    def start(fn: Callable, *args: Any, name: str | None = None) -> Any:
        """Start an agent not linked to the caller."""
        return GenServer.start(_AgentServer, (fn, args), name=name)

    @staticmethod
    def child_spec(fn: Callable, *args: Any, id: Any = "Agent", name: str | None = None,
                   restart: str = "permanent") -> ChildSpec:
        """A supervisor child that starts an agent with state ``fn(*args)``."""
        return ChildSpec(id=id, start=(_start_link_named, name, fn, *args), restart=restart)

    @staticmethod
    def get(agent, fn: Callable, timeout: float | str = 5.0) -> Any:
        """``fn(state)``, computed in the agent."""
        return GenServer.call(agent, ("get", fn), timeout)

    @staticmethod
    def update(agent, fn: Callable, timeout: float | str = 5.0) -> None:
        """Replace the state with ``fn(state)`` and wait until it is done."""
        GenServer.call(agent, ("update", fn), timeout)

    @staticmethod
    def get_and_update(agent, fn: Callable, timeout: float | str = 5.0) -> Any:
        """``fn(state)`` returns ``(value, new_state)``: store new_state, return value."""
        return GenServer.call(agent, ("get_and_update", fn), timeout)

    @staticmethod
    def cast(agent, fn: Callable) -> None:
        """Replace the state with ``fn(state)`` without waiting."""
        GenServer.cast(agent, ("update", fn))

    @staticmethod
    def stop(agent, reason: Any = "normal", timeout: Any = "infinity") -> None:
        """Stop the agent."""
        GenServer.stop(agent, reason, timeout)


def _start_link_named(name, fn, *args):
    return Agent.start_link(fn, *args, name=name)
