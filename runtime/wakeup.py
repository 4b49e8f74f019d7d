"""The scheduler's idle wait in the main thread, which a signal always ends (Ctrl-C is never late).

How this works: while a cell (`run_as`) or `run`'s main runs and every process
waits, the scheduler waits in the main thread until the next timer or until
another thread hands it work. A `threading.Event` wait there can miss Ctrl-C.
CPython's C-level handler only notes the signal; the Python handler
(`interrupts_to`'s) runs between two bytecodes of the main thread, and a lock
wait is cut short only if the OS delivers the signal to the main thread while
it waits. A signal that lands a moment before the wait starts (the kernel
widens that window: the output that tells the front end the cell is waiting
goes out while the main thread releases the GIL to wait), or on another
thread (Linux picks another thread when the main thread already has a signal
pending), is handled only when the wait ends: at the next timer, 30 s later
for `time.sleep(30)`. Nor may the handler end the wait by setting the Event:
that takes the Event's lock, which the main thread it interrupted may hold at
that very moment, and then it waits for itself forever (the kernel hangs).

So while `interrupts_to` is active (`enter`/`leave`), the wait is a `select` on
a socket pair that `signal.set_wakeup_fd` writes each signal's number to,
from the C-level handler, in whatever thread it runs and however early: the
wait ends at once, and the Python handler runs next. Other threads end it
through the same socket (`notify`). A wake-up fd that was set before (an
asyncio loop's signal handling) gets the signal numbers passed on, so its
handlers still run. One per Python process, as the wake-up fd is (a forked child
makes its own).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import threading

__all__ = ["WAKEUP", "SignalWakeup"]

_NOTIFY = b"\0"     # what `notify` writes; signal numbers start at 1


class SignalWakeup:
    """The socket pair the main thread's idle wait selects on while signals must wake it."""

    def __init__(self):
        self._r = self._w = None     # made on first use, kept for the process's life
        self._outer: list[int] = []  # the wake-up fd each `enter` replaced (-1: none)
        self.active = False          # between the outermost enter and its leave

    def _after_fork_in_child(self) -> None:
        """A forked child gets a socket pair of its own: sharing the parent's, each would
        read the other's wake-ups. Forked inside `enter`/`leave`, its wake-up fd moves too."""
        old = (self._r, self._w)
        self._r = self._w = None
        if self.active:
            try:
                self._make()
                signal.set_wakeup_fd(self._w.fileno(), warn_on_full_buffer=False)
            except (OSError, ValueError):
                pass
            if old[1] is not None and self._w is not None:   # a nested enter's: ours again
                self._outer = [self._w.fileno() if fd == old[1].fileno() else fd
                               for fd in self._outer]
        for sock in old:
            if sock is not None:
                sock.close()

    def _make(self) -> None:
        r, w = socket.socketpair()
        r.setblocking(False)
        w.setblocking(False)
        self._r, self._w = r, w

    def enter(self) -> bool:
        """Main thread: from now on a signal ends `wait` at once. False if that cannot be
        set up here (then nothing changed, and `leave` must not be called)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        try:
            if self._r is None:
                self._make()
            old = signal.set_wakeup_fd(self._w.fileno(), warn_on_full_buffer=False)
        except (OSError, ValueError):
            return False
        self._outer.append(old)
        self.active = True
        return True

    def leave(self) -> None:
        """Undo the last `enter`; signals that came meanwhile go on to the fd it replaced."""
        first = self._outer[0]
        old = self._outer.pop()
        try:
            signal.set_wakeup_fd(old)
        except (OSError, ValueError):
            pass
        if not self._outer:
            self.active = False
        self._drain(first)

    def wait(self, event, seconds: float | None) -> None:
        """Block until `event` is set, `seconds` pass (None: no limit), a signal comes or
        another thread calls `notify`. Only while active, in the main thread."""
        if not event.is_set():
            # select, then drain: a signal noted while this drains has its byte read, but
            # its Python handler then runs at the next bytecode, before the scheduler looks
            # at its run queue again; bytes of earlier signals (preemption ticks) only make
            # this return at once, and the scheduler come back here.
            select.select([self._r], [], [], None if seconds is None else max(seconds, 0.0))
        self._drain(self._outer[0] if self._outer else -1)

    def notify(self) -> None:
        """Any thread: end the main thread's wait now (the Event is set too, by the caller)."""
        w = self._w
        if self.active and w is not None:
            try:
                w.send(_NOTIFY)
            except OSError:     # full (the wait will end anyway) or closed
                pass

    def _drain(self, outer: int) -> None:
        """Empty the socket; the signal numbers in it go on to `outer` (the wake-up fd
        set before ours, -1: none)."""
        r = self._r
        if r is None:
            return
        got = []
        try:
            while True:
                data = r.recv(4096)
                if not data:
                    break
                got.append(data)
        except OSError:        # BlockingIOError: all read
            pass
        signals = b"".join(got).replace(_NOTIFY, b"")
        if signals and outer != -1 and outer != self._w.fileno():
            try:
                os.write(outer, signals)
            except OSError:
                pass


WAKEUP = SignalWakeup()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WAKEUP._after_fork_in_child)
