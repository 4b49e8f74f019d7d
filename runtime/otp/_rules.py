"""The supervisor's decisions as small pure functions (no processes, no clock).

How this works: ``supervisor.erl`` writes each decision as one clause per
case; so does this module.

* ``add_restart`` / ``restart_allowed``: restart intensity.  A supervisor keeps
  the times of its recent restarts (newest first).  On each restart it drops
  the ones older than ``period`` seconds, adds ``now``, and may go on while
  there are at most ``intensity`` of them; one more and it gives up
  (``supervisor:add_restart/3``).  Default: 3 restarts in 5 seconds.
* ``restart_wanted``: whether a child that exited with ``reason`` is restarted,
  one clause per restart type × reason (``supervisor:do_restart/3``).
* ``one_for_one`` / ``one_for_all`` / ``rest_for_one``: which children a
  strategy stops (in reverse start order) and starts again (in start order).
* ``is_clean_shutdown``: whether the reason a child stopped with during a
  shutdown is the expected one (``supervisor:shutdown/2``) or an error to report.

OTP measures the window in whole seconds; beamlab uses the runtime clock's
float seconds, so a restart exactly ``period`` seconds old still counts.
"""
from __future__ import annotations

from typing import Any, Hashable, Sequence

__all__ = ["add_restart", "restart_allowed", "restarts_in_window", "restart_wanted",
           "is_normal_exit", "one_for_one", "one_for_all", "rest_for_one", "STRATEGY",
           "is_clean_shutdown"]


# ---------------------------------------------------------------- intensity

def add_restart(restarts: Sequence[float], now: float, period: float) -> list[float]:
    """The restart window after one more restart at ``now`` (newest first).

    >>> add_restart([4.0, 1.0], now=6.5, period=5)
    [6.5, 4.0]
    """
    threshold = now - period
    kept = []
    for t in restarts:            # newest first: stop at the first one too old
        if t < threshold:
            break
        kept.append(t)
    return [now, *kept]


def restart_allowed(restarts: Sequence[float], intensity: int) -> bool:
    """True while the window holds at most ``intensity`` restarts.

    >>> restart_allowed([3.0, 2.0, 1.0], intensity=3), restart_allowed([4.0, 3.0, 2.0, 1.0], 3)
    (True, False)
    """
    return len(restarts) <= intensity


def restarts_in_window(restarts: Sequence[float], now: float, period: float) -> list[float]:
    """The restarts that still count at ``now`` (what a widget shows as "used")."""
    threshold = now - period
    return [t for t in restarts if t >= threshold]


# ---------------------------------------------------------------- restart type × reason

def is_normal_exit(reason: Any) -> bool:
    """``normal``, ``shutdown`` and ``("shutdown", term)`` are clean exits."""
    return (reason == "normal" or reason == "shutdown"
            or (isinstance(reason, tuple) and len(reason) == 2 and reason[0] == "shutdown"))


def restart_wanted(restart_type: str, reason: Any) -> bool:
    """Whether a child of ``restart_type`` that exited with ``reason`` is restarted.

    >>> restart_wanted("transient", "normal"), restart_wanted("transient", "killed")
    (False, True)
    """
    if restart_type == "permanent":
        return True
    if restart_type == "temporary":
        return False
    # transient: restarted only after an abnormal exit
    return not is_normal_exit(reason)


def is_clean_shutdown(reason: Any, restart_type: str, brutal: bool) -> bool:
    """Whether a child stopped by its supervisor exited as expected.

    The expected reason is ``killed`` after ``brutal_kill`` and ``shutdown``
    otherwise; non-permanent children may also exit ``normal`` or
    ``("shutdown", _)``.  Anything else is reported as a shutdown error.
    """
    if brutal and reason == "killed":
        return True
    if not brutal and reason == "shutdown":
        return True
    return restart_type != "permanent" and is_normal_exit(reason)


# ---------------------------------------------------------------- strategies
# Each returns (ids to stop, in stop order = reverse start order,
#               ids to start again, in start order).  ``ids`` is in start order.

def one_for_one(ids: Sequence[Hashable], failed: Hashable) -> tuple[list, list]:
    """Only the child that died is restarted."""
    return [], [failed]


def one_for_all(ids: Sequence[Hashable], failed: Hashable) -> tuple[list, list]:
    """Every other child is stopped, then all are started again in order."""
    return [i for i in reversed(ids) if i != failed], list(ids)


def rest_for_one(ids: Sequence[Hashable], failed: Hashable) -> tuple[list, list]:
    """The children started after the one that died are stopped; it and they restart."""
    rest = list(ids[ids.index(failed):])
    return [i for i in reversed(rest) if i != failed], rest


STRATEGY = {"one_for_one": one_for_one, "one_for_all": one_for_all, "rest_for_one": rest_for_one}
