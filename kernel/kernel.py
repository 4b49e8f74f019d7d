"""The beamlab Jupyter kernel: an IPython kernel that hosts one BEAM-like runtime.

How this works:

- Start. `BeamKernel.__init__` (main thread) creates one `Runtime`, starts it
  (it wraps sys.stdout/stderr and installs its SIGALRM handler), creates the
  shell process, fills the namespace and registers the magics.
- Cells run as the shell process (see cells.py and shell.py). `do_execute`
  brackets each request: a group leader for the cell's output, re-run hygiene
  (`%%keep` on the first line skips it), and a wake-up of the background pump
  when the cell is done.
- `time.sleep` in notebook code waits like beamlab's `sleep` (sleeping.py), so
  a cell sleeping does not freeze the processes or the widgets.
- Between cells processes keep running: the runtime calls our wake-up hook
  (from any thread) when work arrives while nobody drives it, and we answer
  on the kernel's asyncio loop with `run_pending` slices, then sleep until the
  next timer with `call_later`. While a cell runs, the cell drives the
  scheduler itself (it is a preempted process).
- Comm messages are taken off the shell channel thread and handled inside the
  runtime, so widget clicks are answered while a cell runs (comms.py).
- A process that holds the scheduler (a long native call) is named in the cell
  that spawned it, with where it was and the cure, `dirty_call` (long_schedule.py).
- Interrupts reach only the cell: `run_as` turns SIGINT into KeyboardInterrupt
  in the shell process; between cells SIGINT is ignored, as in ipykernel.
- Shutdown and restart stop the runtime on the main thread: every process
  killed, timers cancelled, signal handlers and sys.stdout restored, the dirty
  thread pool shut down. Processes get SHUTDOWN_UNWIND seconds to run their
  cleanup; beyond that they are dropped as the BEAM halts, so 100,000 of them
  still let the kernel exit inside jupyter_client's 2.5 s grace.
"""

from __future__ import annotations

import atexit
import gc
import logging
import sys
import threading

from ipykernel.ipkernel import IPythonKernel
from traitlets import Float, Type

from beamlab.runtime import Runtime

from . import sleeping
from .cells import Cells
from .comms import CommRouter
from .long_schedule import LongScheduleNotices
from .magics import BeamMagics
from .namespace import learner_namespace
from .shell import BeamShell, FlushingStream

__all__ = ["BeamKernel"]

log = logging.getLogger("beamlab.kernel")
KEEP_MAGIC = "%%keep"
SHUTDOWN_UNWIND = 0.5   # seconds processes may spend in cleanup when the kernel shuts down


def split_keep(code: str) -> tuple[bool, str]:
    """(True, rest) if the cell's first line is `%%keep`, else (False, code).

        >>> split_keep("%%keep\\nspawn(f)")
        (True, 'spawn(f)')
    """
    stripped = code.lstrip()
    first, _, rest = stripped.partition("\n")
    if first.strip() == KEEP_MAGIC:
        return True, rest
    return False, code


class BeamKernel(IPythonKernel):
    """The "BEAM Lab (Python)" kernel. Start it with `python -m beamlab.kernel -f <connection file>`."""

    implementation = "beamlab"
    implementation_version = "0.1.0"
    shell_class = Type(BeamShell)
    pump_slice = Float(0.05, help="seconds of process work per asyncio callback between cells"
                       ).tag(config=True)

    @property
    def banner(self):
        return ("BEAM Lab (Python): a runtime of BEAM-like processes lives in this kernel.\n"
                "spawn, send, receive, link, monitor, GenServer, Supervisor... are ready to use;\n"
                "each cell runs as the shell process. Magics: %observer, %tree, %crash, %%keep.\n")

    @property
    def kernel_info(self):
        """ipykernel's, without "debugger": a debugger stepping the main thread would not
        follow processes switching under it (the kernelspec says so too)."""
        info = super().kernel_info
        info["supported_features"] = [f for f in info.get("supported_features", [])
                                      if f != "debugger"]
        return info

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._runtime_stopped = True
        self._loop = None
        self._pump_timer = None
        self._wake_pending = False
        self.real_stdout, self.real_stderr = sys.stdout, sys.stderr
        self.runtime = Runtime(record=True)     # the flight recorder (issue 13): on in the kernel
        self.runtime.start()
        self._runtime_stopped = False
        self._proxies = (sys.stdout, sys.stderr)   # the runtime's per-process streams
        sys.stdout = FlushingStream(sys.stdout, self.shell)
        sys.stderr = FlushingStream(sys.stderr, self.shell)
        sleeping.install()
        self.cells = Cells(self.runtime, self.real_stdout, self.real_stderr)
        self.shell.beam = self.cells
        self.shell.user_ns.update(learner_namespace())
        self.shell.register_magics(BeamMagics)
        self.comm_router = CommRouter(self)
        self.long_schedule = LongScheduleNotices(self.runtime)   # notices in the spawning cell
        self.runtime.set_wakeup(self._wake)
        atexit.register(self.stop_runtime, SHUTDOWN_UNWIND, True)   # the process is ending

    # ------------------------------------------------------------------ loop
    def start(self):
        super().start()
        self._loop = self.io_loop.asyncio_loop
        self._wake()

    def _wake(self) -> None:
        """The runtime has work and nobody drives it (called from any thread)."""
        loop = self._loop
        if loop is None or self._runtime_stopped or self._wake_pending:
            return
        self._wake_pending = True
        try:
            loop.call_soon_threadsafe(self._pump)
        except RuntimeError:   # the loop is closed: we are shutting down
            self._wake_pending = False

    def _pump(self) -> None:
        """Run processes for a slice; come back when the next timer is due."""
        self._wake_pending = False
        if self._pump_timer is not None:
            self._pump_timer.cancel()
            self._pump_timer = None
        if self._runtime_stopped:
            return
        try:
            delay = self.runtime.run_pending(self.pump_slice)
        except Exception:
            log.error("beamlab: the scheduler failed between cells", exc_info=True)
            delay = 0.05
        if delay is not None and not self._runtime_stopped:
            self._pump_timer = self._loop.call_later(max(delay, 0.0), self._pump)

    # ------------------------------------------------------------------ cells
    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, *, cell_meta=None, cell_id=None):
        keep, code = split_keep(code)
        if not self._runtime_stopped:
            try:
                self.cells.begin(code, cell_id, keep=keep, silent=silent,
                                 label=f"cell [{self.shell.execution_count}]")
            except BaseException as exc:   # e.g. interrupted while stopping the last run's processes
                return self._error_reply(exc)
        try:
            return await super().do_execute(code, silent, store_history, user_expressions,
                                            allow_stdin, cell_meta=cell_meta, cell_id=cell_id)
        finally:
            self.cells.end()
            self._wake()

    def _error_reply(self, exc: BaseException) -> dict:
        """Show `exc` in the cell and make the reply an error (the cell does not run)."""
        self.shell.showtraceback()
        return {"status": "error", "ename": type(exc).__name__, "evalue": str(exc),
                "traceback": self.shell._last_traceback or [],
                "execution_count": self.shell.execution_count,
                "user_expressions": {}, "payload": []}

    # ------------------------------------------------------------------ comms
    async def shell_channel_thread_main(self, msg):
        """Shell channel thread: comm messages go to the runtime, the rest to ipykernel."""
        if self.comm_router.intercept(msg):
            return
        await super().shell_channel_thread_main(msg)

    # ------------------------------------------------------------------ shutdown
    async def do_shutdown(self, restart):
        """Stop the runtime on the main thread, then shut down as ipykernel does.

        The kernel process ends right after (a restart starts a new one), and
        jupyter_client sends SIGTERM 2.5 s after asking: processes get at most
        SHUTDOWN_UNWIND seconds to run their cleanup, the rest are dropped as the
        BEAM halts, and the collector stays off while 100,000 of them are let go."""
        if threading.current_thread() is threading.main_thread():
            self.stop_runtime(unwind=SHUTDOWN_UNWIND, exiting=True)
        else:   # the control thread: the runtime belongs to the main thread
            self.io_loop.add_callback(self.stop_runtime, SHUTDOWN_UNWIND, True)
        return super().do_shutdown(restart)

    def stop_runtime(self, unwind: float | None = None, exiting: bool = False) -> None:
        """Kill every process, cancel timers and restore what the runtime changed. Idempotent.

        `unwind`: seconds the processes may spend in their cleanup (see Runtime.stop);
        `exiting`: the kernel process ends next, so no garbage collection is worth running."""
        if self._runtime_stopped or threading.current_thread() is not threading.main_thread():
            return
        if self.cells.in_process():   # called from a cell: do it once the cell is done
            self.io_loop.add_callback(self.stop_runtime, unwind, exiting)
            return
        if exiting:
            gc.disable()
        self._runtime_stopped = True
        self.shell.beam = None        # later cells (if any) run as plain IPython
        self.comm_router.enabled = False
        if self._pump_timer is not None:
            self._pump_timer.cancel()
            self._pump_timer = None
        self.runtime.set_wakeup(None)
        self.cells.close()
        self.long_schedule.close()
        sleeping.uninstall()
        if isinstance(sys.stdout, FlushingStream):
            sys.stdout, sys.stderr = self._proxies   # so the runtime can put the originals back
        try:
            self.runtime.stop(unwind=unwind)
        except Exception:
            log.error("beamlab: stopping the runtime failed", exc_info=True)
