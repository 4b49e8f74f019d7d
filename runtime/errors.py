"""Exit reasons and the errors the runtime raises.

How this works: exit reasons are values, as in Erlang: the atoms are plain
strings ("normal", "kill", "killed", "noproc", "shutdown"), `("shutdown", term)`
is a tuple, and a process that raised an exception exits with a `Crash` that
carries the exception and its formatted traceback. `ProcessExit` is the
exception that unwinds a process that is exiting; errors that a learner's call
can cause (`BadArg`, `NoProc`, `ReceiveTimeout`, `NotInProcess`,
`SystemLimit`) say what happened and what to do.
"""

from __future__ import annotations

import traceback as _tb
from dataclasses import dataclass

__all__ = [
    "Crash", "ProcessExit", "BadArg", "NoProc", "ReceiveTimeout", "NotInProcess", "SystemLimit",
    "is_normal_exit", "format_reason",
]


@dataclass(frozen=True, eq=False)
class Crash:
    """The exit reason of a process that raised: the exception and where it happened.

    Erlang gives `{badarith, Stacktrace}`; beamlab gives `Crash(exception, traceback)`.

        >>> pid, ref = spawn_monitor(lambda: 1 / 0)
        >>> receive(("DOWN", ref, "process", pid, ANY))[4]
        Crash(ZeroDivisionError('division by zero'))
    """

    exception: BaseException
    traceback: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> "Crash":
        text = "".join(_tb.format_exception(type(exc), exc, exc.__traceback__))
        exc = exc.with_traceback(None)
        return cls(exc, text)

    @property
    def kind(self) -> str:
        """The exception's class name, e.g. "ZeroDivisionError"."""
        return type(self.exception).__name__

    def __eq__(self, other):
        return (type(other) is Crash and type(other.exception) is type(self.exception)
                and other.exception.args == self.exception.args)

    def __hash__(self):
        return hash((type(self.exception), self.exception.args))

    def __repr__(self):
        return f"Crash({self.exception!r})"

    def __deepcopy__(self, memo):
        return self


class ProcessExit(BaseException):
    """Raised inside a process to make it exit with `reason` (what `exit(reason)` does).

    It derives from BaseException so `except Exception:` in user code does not
    swallow it.
    """

    def __init__(self, reason="normal"):
        super().__init__(reason)
        self.reason = reason

    def __str__(self):
        return f"process exited: {format_reason(self.reason)}"


class BadArg(Exception):
    """A runtime call got an argument it cannot use (Erlang's `badarg`)."""


class NoProc(Exception):
    """The process the call needs does not exist (Erlang's `noproc`)."""


class ReceiveTimeout(TimeoutError):
    """`receive(timeout=...)` ran out of time with no matching message and no `default`."""


class NotInProcess(RuntimeError):
    """A call that only works inside a process (receive, self, ...) was made outside one."""


class SystemLimit(RuntimeError):
    """A limit of the runtime was reached: `spawn` beyond the process limit (Erlang's
    `system_limit` error, raised by `erlang:spawn` when `+P` processes exist).

    The runtime and every other process carry on; only the `spawn` fails."""


def is_normal_exit(reason) -> bool:
    """True for the reasons a `transient` child is not restarted after.

        >>> is_normal_exit("shutdown"), is_normal_exit(("shutdown", "bye")), is_normal_exit("killed")
        (True, True, False)
    """
    return (reason == "normal" or reason == "shutdown"
            or (type(reason) is tuple and len(reason) == 2 and reason[0] == "shutdown"))


def format_reason(reason) -> str:
    """A one-line, readable form of an exit reason.

        >>> format_reason(Crash(ZeroDivisionError("division by zero")))
        'ZeroDivisionError: division by zero'
    """
    if isinstance(reason, Crash):
        return f"{reason.kind}: {reason.exception}"
    return repr(reason) if not isinstance(reason, str) else reason
