"""Selective receive: take the first matching message, or wait for one.

How this works: the mailbox is a deque in arrival order. `receive` scans it
once with the compiled pattern; if nothing matches it records the pattern on
the process and blocks. A sender checks each new message against that
pattern only, and wakes the receiver only on a match, so a process waiting for
one reply is not woken by the rest of its traffic. On waking, the receiver
scans just the messages that arrived since its last scan. A timeout is a timer
tagged with the receive it belongs to, so a stale timer never wakes a later
receive.
"""

from __future__ import annotations

from types import FunctionType

import greenlet

from .errors import BadArg, NotInProcess, ProcessExit, ReceiveTimeout
from .patterns import compile_patterns
from ._process import WAITING

__all__ = ["ReceiveMixin"]

_NO_DEFAULT = object()


class ReceiveMixin:
    def receive(self, patterns=(), timeout=None, default=_NO_DEFAULT):
        proc = self.current
        if proc is None or greenlet.getcurrent() is not proc.greenlet:
            raise NotInProcess("receive() must be called from inside a process")
        if not proc.alive:
            raise ProcessExit(proc.exit_reason)
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout != timeout:
                raise BadArg(f"receive(timeout={timeout!r}): the timeout must be a number of "
                             f"seconds >= 0, or None to wait forever")
            if timeout < 0:
                raise BadArg(f"receive(timeout={timeout!r}): the timeout cannot be negative; "
                             f"use 0 to only check the mailbox")
        proc.reductions += 1
        if not patterns:
            matcher = None
        elif len(patterns) == 1 and type(patterns[0]) is FunctionType:
            matcher = patterns[0]          # a predicate, as OTP's calls pass: no compiling
        else:
            matcher = compile_patterns(patterns)
        mb = proc.mailbox
        if mb:
            if matcher is None:
                self.messages_received += 1
                return mb.popleft()
            for i, m in enumerate(mb):
                if matcher(m):
                    del mb[i]
                    self.messages_received += 1
                    return m
            scanned = len(mb)
        else:
            scanned = 0
        if timeout == 0:
            return self._timeout_result(default, timeout)
        token = proc.wait_token = proc.wait_token + 1
        timer = None
        if timeout is not None:
            timer = self.add_timer(timeout, self._receive_timeout, proc, token)
        proc.timed_out = False
        try:
            while True:
                proc.matcher = matcher
                proc.blocked = True
                proc.status = WAITING
                self._switch_away()
                if not proc.alive:
                    raise ProcessExit(proc.exit_reason)
                mb = proc.mailbox
                if mb is not None and len(mb) > scanned:
                    if matcher is None:
                        self.messages_received += 1
                        return mb.popleft()
                    for i in range(scanned, len(mb)):
                        m = mb[i]
                        if matcher(m):
                            del mb[i]
                            self.messages_received += 1
                            return m
                    scanned = len(mb)
                if proc.timed_out:
                    return self._timeout_result(default, timeout)
        finally:
            proc.blocked = False
            proc.matcher = None
            proc.wait_token += 1
            if timer is not None:
                self._cancel(timer)

    @staticmethod
    def _timeout_result(default, timeout):
        if default is _NO_DEFAULT:
            raise ReceiveTimeout(f"receive timed out after {timeout} s with no matching message "
                                 f"(pass default=... to get a value instead of this error)")
        return default

    def _receive_timeout(self, proc, token) -> None:
        if proc.alive and proc.wait_token == token and proc.blocked:
            proc.timed_out = True
            proc.blocked = False
            # A process whose timer fired goes to the head of the run queue, so a
            # 10 ms ticker is not late by a full slice of every busy process.
            # It cannot starve the others: each wake needs a timer, and it is
            # preempted like anyone once it runs.
            self._ready(proc, front=True)

    def _wake_if_match(self, target, msg) -> None:
        try:
            ok = target.matcher(msg)
        except Exception:
            ok = True   # let the receiver evaluate it and see its own error
        if ok:
            target.blocked = False
            self._ready(target)

