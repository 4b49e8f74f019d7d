"""Starting and stopping one child, as a supervisor does (``supervisor.erl``'s
``do_start_child_i`` and ``shutdown``), shared by Supervisor and DynamicSupervisor.

How this works: ``start_child(spec)`` calls the spec's start function in the
supervisor's process and classifies the outcome as ``("ok", pid)``,
``("ignore", None)`` or ``("error", reason)``, catching what a start can raise.
``shutdown_child`` monitors the child, sends ``"shutdown"`` (or ``"kill"`` for
``brutal_kill``), waits up to the spec's milliseconds, kills it if it is still
alive, then unlinks and flushes the child's EXIT so the supervisor does not
mistake it for a crash.  ``shutdown_children`` does the same to many children
at once (DynamicSupervisor's concurrent shutdown): every signal first, then one
wait with one deadline per child.
"""
from __future__ import annotations

from typing import Any, Iterable

from . import _rt
from ._rt import ANY, Crash, Pid, ProcessExit
from ._errors import StartError

__all__ = ["start_child", "shutdown_child", "shutdown_children"]


def start_child(start: tuple, extra: tuple = ()) -> tuple[str, Any]:
    """Run ``fn(*extra, *args)``; ``("ok", pid)`` | ``("ignore", None)`` | ``("error", reason)``."""
    fn, *args = start
    try:
        result = fn(*extra, *args)
    except StartError as exc:
        return ("error", exc.reason)
    except Exception as exc:
        return ("error", Crash.from_exception(exc))
    except ProcessExit as exc:
        if not _rt.alive():
            raise                     # the supervisor itself was killed meanwhile
        return ("error", exc.reason)
    if type(result) is Pid:
        return _linked(result)
    if result is None or result == "ignore":
        return ("ignore", None)
    if type(result) is tuple and len(result) >= 2 and result[0] == "ok" and type(result[1]) is Pid:
        return _linked(result[1])
    if type(result) is tuple and len(result) == 2 and result[0] == "error":
        return ("error", result[1])
    return ("error", ("bad_start_return", result,
                      "a start function must return the new process's pid (or None to ignore)"))


def _linked(pid: Pid) -> tuple[str, Any]:
    """A running child must be linked to its supervisor, or its exits would go unseen."""
    rt = _rt.current_runtime()
    me = rt.current
    if rt.is_process_alive(pid) and not (me.links and pid in me.links):
        return ("error", ("not_linked", pid,
                          "the start function returned a process that is not linked to the "
                          "supervisor, so its exits would go unnoticed; start it with "
                          "spawn_link / start_link"))
    return ("ok", pid)


def _unlink_flush(pid: Pid, default: Any) -> Any:
    """Unlink, and take the child's EXIT message if it is already here (its reason wins)."""
    _rt.unlink(pid)
    msg = _rt.receive(("EXIT", pid, ANY), timeout=0, default=None)
    return default if msg is None else msg[2]


def shutdown_child(pid: Pid, shutdown: Any) -> Any:
    """Stop one child as ``supervisor:shutdown/1`` does; returns the reason it died with."""
    mref = _rt.monitor(pid)
    if shutdown == "brutal_kill":
        _rt.exit_signal(pid, "kill")
        msg = _rt.receive(("DOWN", mref, ANY, ANY, ANY))
    else:
        _rt.exit_signal(pid, "shutdown")
        wait = None if shutdown == "infinity" else shutdown / 1000
        msg = _rt.receive(("DOWN", mref, ANY, ANY, ANY), timeout=wait, default=None)
        if msg is None:               # it did not stop in time: kill it
            _rt.exit_signal(pid, "kill")
            msg = _rt.receive(("DOWN", mref, ANY, ANY, ANY))
    return _unlink_flush(pid, msg[4])


def shutdown_children(children: Iterable[tuple[Pid, Any]]) -> dict[Pid, Any]:
    """Stop many children concurrently; ``children`` is ``(pid, shutdown)`` pairs.

    Returns ``{pid: reason}``.  Children with a millisecond shutdown are killed
    when their own time runs out; ``brutal_kill`` ones are killed at once.
    """
    start = _rt.now()
    waiting: dict[Any, tuple[Pid, float | None]] = {}   # monitor ref -> (pid, deadline)
    for pid, shutdown in children:
        mref = _rt.monitor(pid)
        if shutdown == "brutal_kill":
            _rt.exit_signal(pid, "kill")
            deadline = None
        else:
            _rt.exit_signal(pid, "shutdown")
            deadline = None if shutdown == "infinity" else start + shutdown / 1000
        waiting[mref] = (pid, deadline)
    reasons: dict[Pid, Any] = {}
    killed: set = set()

    def is_ours(m) -> bool:
        return type(m) is tuple and len(m) == 5 and m[0] == "DOWN" and m[1] in waiting

    while waiting:
        deadlines = [d for ref, (_, d) in waiting.items() if d is not None and ref not in killed]
        timeout = max(0.0, min(deadlines) - _rt.now()) if deadlines else None
        msg = _rt.receive(is_ours, timeout=timeout, default=None)
        if msg is None:
            now = _rt.now()
            for ref, (pid, d) in waiting.items():
                if d is not None and d <= now and ref not in killed:
                    _rt.exit_signal(pid, "kill")
                    killed.add(ref)
            continue
        pid, _ = waiting.pop(msg[1])
        reasons[pid] = _unlink_flush(pid, msg[4])
    return reasons
