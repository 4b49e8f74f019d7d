"""Widget messages are handled while a cell runs: comm messages go through the runtime.

Why. ipykernel 7 reads the shell socket in a "shell channel" thread and
forwards every request to the main thread, which handles them one at a time
on its asyncio loop — so while a cell runs, nothing else on the main shell is
handled. JupyterLab 4.4+ therefore sends comm messages on a per-comm-target
*subshell* (a thread of its own); with ipykernel 7.3 a widget click was
handled there at once. ipykernel 7.4.0 added "reply routing": a comm_msg for
a comm last used from the main shell (every widget a cell creates) is routed
back to the main shell, where it waits for the running cell to finish.
(Measured with a plain python3 kernel: 7.3.0 answers a comm_msg sent on a
subshell during `time.sleep(4)` in 0.00 s, 7.4.0 after 3.7 s.)

What we do. The beamlab kernel's main thread is not stuck while a cell runs:
the cell is a process, preempted every few ms, and the scheduler services
callbacks from other threads between time slices (a cell in `time.sleep`
included: the preemption signal interrupts it). So our shell channel thread
takes every comm_open / comm_msg / comm_close off the wire before ipykernel
routes it, and posts it into the runtime with `call_soon_threadsafe`; there
it is handled in a short-lived process (so a widget callback may use
`send`, `GenServer.call`, `receive`...), in the main thread, with the comm
message as the parent of whatever it publishes — as if ipykernel had
dispatched it. This works with or without subshells, for every front end.
Other requests keep ipykernel's path. A cell stuck in native code (a NIF)
still delays clicks until it returns to Python.
"""

from __future__ import annotations

import contextvars
import logging

from beamlab.runtime import GroupLeader, group_leader
from beamlab.runtime import self as self_pid

__all__ = ["CommRouter", "COMM_MSG_TYPES"]

COMM_MSG_TYPES = frozenset({"comm_open", "comm_msg", "comm_close"})
log = logging.getLogger("beamlab.kernel.comms")


class CommRouter:
    """Takes comm messages off the shell channel and handles them inside the runtime."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.enabled = True
        self.handled = 0

    # -- shell channel thread ---------------------------------------------------
    def intercept(self, raw) -> bool:
        """Called with each raw shell message; True if we took it."""
        k = self.kernel
        rt = getattr(k, "runtime", None)
        if not self.enabled or rt is None or k.session is None or getattr(k, "_runtime_stopped", True):
            return False
        try:
            _, frames = k.session.feed_identities(raw, copy=False)
            header = k.session.deserialize(frames, content=False, copy=False)["header"]
        except Exception:
            return False   # let ipykernel report the bad message
        if header.get("msg_type") not in COMM_MSG_TYPES:
            return False
        rt.call_soon_threadsafe(self._spawn_handler, raw)
        return True

    # -- inside the scheduler (main thread, outside any process) ----------------
    def _spawn_handler(self, raw) -> None:
        k = self.kernel
        if getattr(k, "_runtime_stopped", True):
            return
        k.runtime.spawn(self._handle, (raw,))

    # -- in the handler process ---------------------------------------------------
    def _handle(self, raw) -> None:
        k = self.kernel
        idents, frames = k.session.feed_identities(raw, copy=False)
        try:
            msg = k.session.deserialize(frames, content=True, copy=False)
        except Exception:
            log.error("Invalid comm message", exc_info=True)
            return
        _set_parent(k, idents, msg)   # this process's Context is its own copy
        group_leader(GroupLeader(k.real_stdout, context=contextvars.copy_context(),
                                 label="comm", err_stream=k.real_stderr), self_pid())
        k._publish_status("busy", "shell", parent=msg)
        try:
            handler = k.shell_handlers.get(msg["header"]["msg_type"])
            if handler is not None:
                handler(k.shell_stream, idents, msg)
        except Exception:
            log.error("Exception in comm handler", exc_info=True)
        finally:
            self.handled += 1
            k._publish_status("idle", "shell", parent=msg)


def _set_parent(kernel, idents, msg) -> None:
    """Make `msg` the parent of everything published from this Context (and only here)."""
    kernel._shell_parent.set(msg)
    kernel._shell_parent_ident.set(idents)
    shell = kernel.shell
    targets = [getattr(shell, "displayhook", None), getattr(shell, "display_pub", None),
               kernel.real_stdout, kernel.real_stderr]
    var = getattr(shell, "_parent_header", None)
    if var is not None:
        var.set(msg)
    for t in targets:
        setter = getattr(t, "set_thread_parent", None)
        if setter is not None:
            setter(msg)
