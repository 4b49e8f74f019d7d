"""Task: run one function in its own process and (maybe) await its result.

How this works (as Elixir's ``Task``): ``Task.async_(fn, *args)`` spawns a
process *linked* to the caller that runs ``fn(*args)`` and sends
``(tag, result)`` back; the caller also monitors it, so ``Task.await_`` waits
for either the result or the task's DOWN (and then exits with the task's
reason, as the link would anyway).  ``Task.start``/``start_link`` just run a
function in a process.  ``Task.Supervisor`` is a DynamicSupervisor whose
children are temporary tasks; ``Task.Supervisor.async_`` runs a task under it,
still linked to (and awaited by) the caller.

``async`` and ``await`` are Python keywords, hence ``async_`` and ``await_``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import _rt
from ._childspec import ChildSpec
from ._rt import ANY, Pid, Ref
from .dynamic_supervisor import DynamicSupervisor
from ._errors import CallExit

__all__ = ["Task", "TaskSupervisor"]


def _run(owner: Pid, tag: Ref, link_owner: bool, fn: Callable, args: tuple) -> None:
    """The task's body: (link to the owner), run, send the result, exit normal."""
    if link_owner:
        _rt.link(owner)
    result = fn(*args)
    _rt.send(owner, (tag, result))


def _start_supervised_task(owner: Pid, tag: Ref, link_owner: bool, fn: Callable, args: tuple):
    """A Task.Supervisor child's start function (runs in the supervisor, links to it)."""
    return _rt.spawn_link(_run, owner, tag, link_owner, fn, args)


@dataclass(frozen=True)
class Task:
    """A running task: ``pid``, the ``owner`` who may await it, and its reply ``ref``.

    >>> task = Task.async_(lambda: sum(range(10)))
    >>> Task.await_(task)
    45
    """

    pid: Pid
    ref: Ref
    owner: Pid
    mref: Ref

    def __repr__(self) -> str:
        return f"Task(pid={self.pid!r}, owner={self.owner!r})"

    # -- starting ------------------------------------------------------------
    @staticmethod
    def async_(fn: Callable, *args: Any) -> "Task":
        """Run ``fn(*args)`` in a new process linked to the caller; ``await_`` its result.

        If the task crashes, the caller gets the exit signal through the link
        (Elixir ``Task.async/1``).

        >>> t = Task.async_(fetch, "https://...")
        """
        owner = _rt.self_pid()
        tag = _rt.Ref()
        pid = _rt.spawn_link(_run, owner, tag, False, fn, args)
        return Task(pid, tag, owner, _rt.monitor(pid))

    @staticmethod
    def start(fn: Callable, *args: Any) -> Pid:
        """Run ``fn(*args)`` in a new, unlinked process (fire and forget); returns its pid."""
        return _rt.spawn(fn, *args)

    @staticmethod
    def start_link(fn: Callable, *args: Any) -> Pid:
        """Run ``fn(*args)`` in a process linked to the caller (use it as a supervisor child)."""
        return _rt.spawn_link(fn, *args)

    @staticmethod
    def child_spec(fn: Callable, *args: Any, id: Any = "Task", restart: str = "temporary",
                   shutdown: Any = 5000) -> ChildSpec:
        """A temporary child running ``fn(*args)`` (Elixir's ``{Task, fun}`` child)."""
        return ChildSpec(id=id, start=(Task.start_link, fn, *args), restart=restart,
                         shutdown=shutdown)

    # -- results ---------------------------------------------------------------
    @staticmethod
    def await_(task: "Task", timeout: float | str = 5.0) -> Any:
        """The task's result; waits up to ``timeout`` seconds (default 5, or ``"infinity"``).

        On timeout the caller exits with ``("timeout", ("Task.await", task, timeout))``;
        if the task died, with ``(reason, ("Task.await", task, timeout))`` (Elixir's
        ``Task.await/2``).
        """
        _check_owner(task, "await_")
        info = ("Task.await", task, timeout)
        msg = _rt.receive((task.ref, ANY), ("DOWN", task.mref, ANY, ANY, ANY),
                          timeout=None if timeout == "infinity" else timeout, default=None)
        if msg is None:
            _rt.demonitor(task.mref, flush=True)
            raise CallExit(("timeout", info),
                           f"Task.await_({task!r}) timed out after {timeout} s; the task is "
                           f"still running (pass timeout=... to wait longer)")
        if len(msg) == 2:
            _rt.demonitor(task.mref, flush=True)
            return msg[1]
        raise CallExit((msg[4], info), f"Task.await_({task!r}) failed: the task exited with "
                                       f"{_rt.format_reason(msg[4])}")

    @staticmethod
    def yield_(task: "Task", timeout: float = 5.0):
        """``("ok", result)``, ``("exit", reason)``, or None if still running (Elixir ``Task.yield/2``)."""
        _check_owner(task, "yield_")
        msg = _rt.receive((task.ref, ANY), ("DOWN", task.mref, ANY, ANY, ANY),
                          timeout=timeout, default=None)
        if msg is None:
            return None
        if len(msg) == 2:
            _rt.demonitor(task.mref, flush=True)
            return ("ok", msg[1])
        return ("exit", msg[4])

    @staticmethod
    def shutdown(task: "Task", shutdown: int | str = 5000):
        """Stop the task; its result if it finished meanwhile (``("ok", r)``), else
        ``("exit", reason)`` for a crash, or None (Elixir ``Task.shutdown/2``)."""
        _check_owner(task, "shutdown")
        _rt.unlink(task.pid)
        _rt.exit_signal(task.pid, "kill" if shutdown == "brutal_kill" else "shutdown")
        wait = None if shutdown in ("infinity", "brutal_kill") else shutdown / 1000
        down = _rt.receive(("DOWN", task.mref, ANY, ANY, ANY), timeout=wait, default=None)
        if down is None:
            _rt.exit_signal(task.pid, "kill")
            down = _rt.receive(("DOWN", task.mref, ANY, ANY, ANY))
        done = _rt.receive((task.ref, ANY), timeout=0, default=None)
        if done is not None:
            return ("ok", done[1])
        reason = down[4]
        if reason in ("shutdown", "killed", "noproc", "normal"):
            return None
        return ("exit", reason)


def _check_owner(task: Task, what: str) -> None:
    if not isinstance(task, Task):
        raise TypeError(f"Task.{what} expects the Task that Task.async_ returned, got {task!r}")
    me = _rt.self_pid()
    if task.owner != me:
        raise ValueError(f"Task.{what}: {task!r} belongs to {task.owner!r} and can only be "
                         f"awaited there, not from {me!r}")


class TaskSupervisor:
    """A supervisor for tasks started on demand (Elixir's ``Task.Supervisor``).

    >>> sup = Task.Supervisor.start_link()
    >>> Task.Supervisor.start_child(sup, send_report, "daily")   # fire and forget
    >>> t = Task.Supervisor.async_(sup, compute, 42)              # supervised, awaitable
    >>> Task.await_(t)
    """

    @staticmethod
    def start_link(name: str | None = None, max_children: Any = "infinity") -> Pid:
        """Start the task supervisor (a DynamicSupervisor), linked to the caller."""
        return DynamicSupervisor.start_link(name=name, max_children=max_children)

    @staticmethod
    def child_spec(id: Any = "Task.Supervisor", name: str | None = None,
                   max_children: Any = "infinity") -> ChildSpec:
        return DynamicSupervisor.child_spec(id=id, name=name, max_children=max_children)

    @staticmethod
    def start_child(sup, fn: Callable, *args: Any, restart: str = "temporary",
                    shutdown: Any = 5000) -> Pid:
        """Run ``fn(*args)`` as a (temporary) child of ``sup``; returns its pid."""
        spec = ChildSpec(id="Task", start=(Task.start_link, fn, *args), restart=restart,
                         shutdown=shutdown)
        return DynamicSupervisor.start_child(sup, spec)

    @staticmethod
    def async_(sup, fn: Callable, *args: Any) -> Task:
        """Like ``Task.async_`` (linked to the caller, awaitable) but supervised by ``sup``."""
        return _supervised_async(sup, fn, args, link_owner=True)

    @staticmethod
    def async_nolink(sup, fn: Callable, *args: Any) -> Task:
        """A supervised task *not* linked to the caller: its crash arrives only as DOWN."""
        return _supervised_async(sup, fn, args, link_owner=False)


def _supervised_async(sup, fn, args, link_owner: bool) -> Task:
    owner = _rt.self_pid()
    tag = _rt.Ref()
    spec = ChildSpec(id="Task", start=(_start_supervised_task, owner, tag, link_owner, fn, args),
                     restart="temporary", shutdown=5000)
    pid = DynamicSupervisor.start_child(sup, spec)
    return Task(pid, tag, owner, _rt.monitor(pid))


Task.Supervisor = TaskSupervisor
