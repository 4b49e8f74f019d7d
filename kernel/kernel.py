"""The beamlab Jupyter kernel: an IPython kernel that hosts one BEAM-like runtime.

How this works: the kernel is the `%load_ext beamlab` extension (extension.py:
a `BeamSession` makes the runtime, runs each cell as the shell process, pumps
the processes between cells on the kernel's asyncio loop, and stops it all)
plus what only a kernel can do:

- Comm messages are taken off the shell channel thread and handled inside the
  runtime, so widget clicks are answered while a cell runs (comms.py); a
  stock ipykernel holds them until the cell ends.
- No "debugger" in kernel_info: a debugger stepping the main thread would not
  follow processes switching under it.
- Shutdown and restart stop the runtime on the main thread: every process
  killed, timers cancelled, signal handlers and sys.stdout restored, the dirty
  thread pool shut down. Processes get SHUTDOWN_UNWIND seconds to run their
  cleanup; beyond that they are dropped as the BEAM halts, so 100,000 of them
  still let the kernel exit inside jupyter_client's 2.5 s grace (with
  __main__.exit_without_teardown).
"""

from __future__ import annotations

import threading

from ipykernel.ipkernel import IPythonKernel
from traitlets import Float

from .comms import CommRouter
from .extension import SHUTDOWN_UNWIND, BeamSession
from .shell import KEEP_MAGIC, split_keep  # noqa: F401 (kept importable from here)

__all__ = ["BeamKernel"]


class BeamKernel(IPythonKernel):
    """The "BEAM Lab (Python)" kernel. Start it with `python -m beamlab.kernel -f <connection file>`."""

    implementation = "beamlab"
    implementation_version = "0.1.0"
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
        self.beam = BeamSession(self.shell, pump_slice=self.pump_slice)
        self.comm_router = CommRouter(self)

    # what comms.py and notebooks (get_ipython().kernel.runtime) use
    runtime = property(lambda self: self.beam.runtime)
    cells = property(lambda self: self.beam.cells)
    real_stdout = property(lambda self: self.beam.real_stdout)
    real_stderr = property(lambda self: self.beam.real_stderr)
    _runtime_stopped = property(lambda self: getattr(getattr(self, "beam", None), "stopped", True))

    def start(self):
        super().start()
        self.beam.attach_loop(self.io_loop.asyncio_loop)

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
        """Kill every process, cancel timers and restore what the runtime changed. Idempotent;
        from a cell it happens once the cell is done. Later cells run as plain IPython."""
        self.beam.stop(unwind, exiting)
