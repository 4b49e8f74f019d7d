"""beamlab in any IPython kernel: `%load_ext beamlab`; and the part the beamlab kernel shares.

A `BeamSession` is one runtime attached to one IPython shell. It is the whole
of beamlab in a notebook except what only a kernel can do (BeamKernel adds
that: comm messages routed through the runtime while a cell runs, the
debugger switched off, shutdown before jupyter_client's SIGTERM):

- Start (`BeamSession(shell)`, main thread): one `Runtime` (it wraps
  sys.stdout/sys.stderr and installs its SIGALRM handler), the shell
  process, the learner's names in the namespace, the magics, `time.sleep` as
  beamlab's `sleep` in processes (sleeping.py), notices for processes that
  hold the scheduler (long_schedule.py).
- Cells run as the shell process: shell.py puts wrappers on the shell
  instance (`run_cell_async` brackets a cell with `begin`/`end`, `run_code`
  runs the `exec` with `run_as`), so it works in a stock kernel too.
- Between cells processes keep running: the runtime calls `wake` (from any
  thread) when work arrives while nobody drives it, and `pump` answers on the
  kernel's asyncio loop with `run_pending` slices, then sleeps until the next
  timer with `call_later`. While a cell runs, the cell drives the scheduler
  itself (it is a preempted process).
- Interrupts reach only the cell: `run_as` turns SIGINT into KeyboardInterrupt
  in the shell process; between cells ipykernel ignores SIGINT.
- Stop (`stop`: `%unload_ext beamlab`, kernel shutdown, interpreter exit):
  every process killed, timers cancelled, the wrappers taken off, signal
  handlers, sys.stdout and time.sleep restored. Called from a cell, it
  happens once the cell is done.

In a stock kernel, `load_ipython_extension` (src/__init__.py) makes the
session and finds the asyncio loop ipykernel runs on (`kernel.io_loop`);
in the beamlab kernel the session already exists and loading does nothing.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import functools
import gc
import logging
import sys
import threading

from beamlab.runtime import GroupLeader, NotInProcess, ProcessExit, Runtime, group_leader

from . import shell as shell_hooks
from . import sleeping
from .cells import Cells, _exit_self
from .comms import COMM_MSG_TYPES
from .long_schedule import LongScheduleNotices
from .magics import BeamMagics
from .namespace import learner_namespace
from .shell import FlushingStream

__all__ = ["BeamSession", "load_ipython_extension", "unload_ipython_extension", "SHUTDOWN_UNWIND"]

log = logging.getLogger("beamlab.kernel")
SHUTDOWN_UNWIND = 0.5   # seconds processes may spend in cleanup when the kernel process ends
PUMP_SLICE = 0.05       # seconds of process work per asyncio callback between cells


class BeamSession:
    """One beamlab runtime attached to one IPython shell (see the module docstring)."""

    def __init__(self, shell, *, record: bool = True, pump_slice: float = PUMP_SLICE):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("beamlab must be started from the main thread")
        self.shell = shell
        self.pump_slice = pump_slice
        self.stopped = True
        self.stopping = False     # stop() was called from a cell: it happens once the cell is done
        self._loop = None
        self._pump_timer = None
        self._wake_pending = False
        self.real_stdout, self.real_stderr = sys.stdout, sys.stderr
        self.runtime = Runtime(record=record)     # the flight recorder (issue 13): on in notebooks
        self.runtime.start()
        self.stopped = False
        self._proxies = (sys.stdout, sys.stderr)   # the runtime's per-process streams
        sys.stdout = FlushingStream(sys.stdout, self)
        sys.stderr = FlushingStream(sys.stderr, self)
        sleeping.install()
        self.cells = Cells(self.runtime, self.real_stdout, self.real_stderr)
        self.names = learner_namespace()
        shell.user_ns.update(self.names)
        self._magics = BeamMagics(shell)
        shell.register_magics(self._magics)
        self.long_schedule = LongScheduleNotices(self.runtime)   # notices in the spawning cell
        self._uninstall_hooks = shell_hooks.install(shell, self)
        self._undo_comms: list = []
        shell.beamlab = self
        self.runtime.set_wakeup(self.wake)
        atexit.register(self._at_exit)

    # ------------------------------------------------------------------ cells
    def begin(self, code: str, cell_id: str | None, *, keep: bool = False,
              silent: bool = False, label: str = "") -> None:
        """A cell starts (outside any process): its group leader, re-run hygiene."""
        self.cells.begin(code, cell_id, keep=keep, silent=silent, label=label)

    def end(self) -> None:
        """The cell is done: processes go on between cells."""
        self.cells.end()
        self.wake()

    def flush_process_output(self) -> None:
        """Write out the calling process's buffered prints now (before a display)."""
        if self.stopped:
            return
        try:
            gl = group_leader()          # the calling process's; NotInProcess outside processes
        except NotInProcess:
            return
        try:
            gl.flush_out(self.runtime)
        except Exception:
            pass

    # ------------------------------------------------------------------ loop
    def attach_loop(self, loop) -> None:
        """Pump the runtime between cells on `loop` (the kernel's asyncio loop)."""
        self._loop = loop
        self.wake()

    def wake(self) -> None:
        """The runtime has work and nobody drives it (called from any thread)."""
        loop = self._loop
        if loop is None or self.stopped or self._wake_pending:
            return
        self._wake_pending = True
        try:
            loop.call_soon_threadsafe(self.pump)
        except RuntimeError:   # the loop is closed: we are shutting down
            self._wake_pending = False

    def pump(self) -> None:
        """Run processes for a slice; come back when the next timer is due."""
        self._wake_pending = False
        if self._pump_timer is not None:
            self._pump_timer.cancel()
            self._pump_timer = None
        if self.stopped:
            return
        try:
            delay = self.runtime.run_pending(self.pump_slice)
        except Exception:
            log.error("beamlab: the scheduler failed between cells", exc_info=True)
            delay = 0.05
        if delay is not None and not self.stopped:
            self._pump_timer = self._loop.call_later(max(delay, 0.0), self.pump)

    # ------------------------------------------------------------------ stop
    def stop(self, unwind: float | None = None, exiting: bool = False) -> bool:
        """Kill every process, cancel timers and restore what beamlab changed. Idempotent.

        `unwind`: seconds the processes may spend in their cleanup (see Runtime.stop);
        `exiting`: the Python process ends next, so no garbage collection is worth running.
        Called from a cell (inside a process), it happens once the cell is done; returns
        False then, True once stopped."""
        if self.stopped or threading.current_thread() is not threading.main_thread():
            return self.stopped
        if self.cells.in_process():
            if not self.stopping:
                self.stopping = True
                self._later(self.stop, unwind, exiting)
            return False
        if exiting:
            gc.disable()
        self.stopped = True
        if self._pump_timer is not None:
            self._pump_timer.cancel()
            self._pump_timer = None
        self.runtime.set_wakeup(None)
        self._uninstall_hooks()
        self._unregister_magics()
        self._restore_comms()
        if getattr(self.shell, "beamlab", None) is self:
            self.shell.beamlab = None
        self.cells.close()
        self.long_schedule.close()
        sleeping.uninstall()
        if isinstance(sys.stdout, FlushingStream):
            sys.stdout, sys.stderr = self._proxies   # so the runtime can put the originals back
        try:
            self.runtime.stop(unwind=unwind)
        except Exception:
            log.error("beamlab: stopping the runtime failed", exc_info=True)
        try:
            atexit.unregister(self._at_exit)
        except Exception:
            pass
        return True

    # ------------------------------------------------------------------ comms (a stock kernel)
    def handle_comms_in_processes(self, kernel) -> None:
        """Widget callbacks run as a short-lived process, as in the beamlab kernel (there
        comms.py does it, even while a cell runs): `self()`, `send`, `GenServer.call` work in
        them. ipykernel calls them on its main thread between cells (a stock kernel holds
        them while a cell runs), where we run them with `run_as`."""
        handlers = getattr(kernel, "shell_handlers", None)
        if not isinstance(handlers, dict):
            return
        for kind in COMM_MSG_TYPES:
            handler = handlers.get(kind)
            if handler is None:
                continue
            wrapped = functools.partial(self._comm_in_process, handler)
            handlers[kind] = wrapped
            self._undo_comms.append((handlers, kind, handler, wrapped))

    def _comm_in_process(self, handler, stream, idents, msg):
        if (self.stopped or threading.current_thread() is not threading.main_thread()
                or self.cells.in_process()):
            return handler(stream, idents, msg)
        rt = self.runtime
        leader = GroupLeader(self.real_stdout, context=contextvars.copy_context(), label="comm",
                             err_stream=self.real_stderr)
        pid = rt.new_process(label="comm", group_leader=leader)
        try:
            return rt.run_as(pid, _then_exit, handler, stream, idents, msg)
        except ProcessExit:
            return None
        finally:
            self.wake()

    def _restore_comms(self) -> None:
        for handlers, kind, handler, wrapped in self._undo_comms:
            if handlers.get(kind) is wrapped:
                handlers[kind] = handler
        self._undo_comms.clear()

    def _unregister_magics(self) -> None:
        """%observer, %tree, %crash and %%keep go with the runtime they act on."""
        try:
            mm = self.shell.magics_manager
            for table in mm.magics.values():
                for name, fn in list(table.items()):
                    if getattr(fn, "__self__", None) is self._magics:
                        del table[name]
            if mm.registry.get(type(self._magics).__name__) is self._magics:
                del mm.registry[type(self._magics).__name__]
        except Exception:
            log.warning("beamlab: could not unregister the magics", exc_info=True)

    def remove_names(self) -> list[str]:
        """Take the learner's names out of the namespace (those still ours); returns them."""
        ns = self.shell.user_ns
        gone = [name for name, value in self.names.items() if ns.get(name) is value]
        for name in gone:
            del ns[name]
        return gone

    def _later(self, fn, *args) -> None:
        """Run `fn(*args)` once the running cell is done."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(fn, *args)
            return
        events = self.shell.events

        def once(*_):
            events.unregister("post_execute", once)
            fn(*args)

        events.register("post_execute", once)

    def _at_exit(self) -> None:
        self.stop(SHUTDOWN_UNWIND, True)


def _then_exit(handler, *args):
    """Runs as a comm's process: the handler, then the process ends (reason normal)."""
    try:
        handler(*args)
    except Exception:
        log.error("Exception in comm handler", exc_info=True)
    _exit_self("normal")


def kernel_loop(shell):
    """The asyncio loop the shell's kernel handles messages on, or None (a terminal IPython)."""
    kernel = getattr(shell, "kernel", None)
    io_loop = getattr(kernel, "io_loop", None)
    loop = getattr(io_loop, "asyncio_loop", None)
    if loop is not None:
        return loop
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def load_ipython_extension(shell) -> None:
    """`%load_ext beamlab`: a runtime for this shell; cells run as the shell process.

    In the beamlab kernel (or when already loaded) it does nothing."""
    session = getattr(shell, "beamlab", None)
    if isinstance(session, BeamSession) and session.stopping:   # %reload_ext: once it has stopped
        session._later(load_ipython_extension, shell)
        return
    if isinstance(session, BeamSession) and not session.stopped:
        return
    session = BeamSession(shell)
    session.attach_loop(kernel_loop(shell))
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        session.handle_comms_in_processes(kernel)
    if session._loop is None:
        print("beamlab: no asyncio loop found in this IPython; processes run only while a cell runs",
              file=sys.stderr)


def unload_ipython_extension(shell) -> None:
    """`%unload_ext beamlab`: stop every process, restore the shell; the names go too.

    The beamlab kernel's own runtime lives as long as the kernel (restart the kernel instead)."""
    session = getattr(shell, "beamlab", None)
    if not isinstance(session, BeamSession) or session.stopped or session.stopping:
        return
    kernel = getattr(shell, "kernel", None)
    if getattr(kernel, "beam", None) is session:
        print("beamlab: this is the BEAM Lab kernel, whose runtime lives as long as the kernel: "
              "restart the kernel to start afresh", file=sys.stderr)
        return
    session.remove_names()
    session.stop(SHUTDOWN_UNWIND)
