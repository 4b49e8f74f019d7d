"""The IPython shell of the beamlab kernel: cell code runs as the shell process.

How this works: IPython compiles a cell and hands each code object to
`run_code`, which `exec`s it and turns exceptions into tracebacks. We keep
that method's shape but run the `exec` through `Cells.run`, i.e. as the shell
process inside the runtime (`run_as`), so `self()`, `receive()` and
preemption work in a cell. Only the `exec` runs in the process; IPython's own
bookkeeping stays outside it. Code already running inside a process (a
`%%keep` body, a magic that runs code) just runs. Top-level `await` cells run
on the kernel's asyncio loop as in ipykernel, not as a process.

Output ordering: inside a process `print` is buffered in the group leader
(the scheduler writes it out). `display()` and the `Out[]` value go straight
to the front end, so before they are published we write out the calling
process's buffered prints; otherwise a display could overtake a print that
came before it. For the same reason `sys.stdout.flush()` in a process writes
its buffered prints out at once (`FlushingStream`): ipywidgets' `Output`
relies on it to capture `with out: print(...)`.
"""

from __future__ import annotations

import os
import sys
import types

from ipykernel.zmqshell import ZMQInteractiveShell

import beamlab.runtime
from beamlab.runtime import NotInProcess, group_leader

from .cells import ShellExited

__all__ = ["BeamShell", "FlushingStream"]


class BeamShell(ZMQInteractiveShell):
    """ZMQInteractiveShell whose cells run as the beamlab shell process."""

    beam = None   # the kernel's Cells, set by BeamKernel once the runtime is up

    def init_display_pub(self):
        super().init_display_pub()
        pub = self.display_pub
        flush_streams = pub._flush_streams

        def _flush_streams():
            self.flush_process_output()
            flush_streams()

        pub._flush_streams = _flush_streams

    def init_display_formatter(self):
        super().init_display_formatter()
        from beamlab.widgets._saved import install   # a Box of widgets keeps a saved picture
        install(self)

    def init_displayhook(self):
        super().init_displayhook()
        hook = self.displayhook
        start = hook.start_displayhook

        def start_displayhook():
            self.flush_process_output()
            return start()

        hook.start_displayhook = start_displayhook

    def flush_process_output(self) -> None:
        """Write out the calling process's buffered prints now (before a display)."""
        beam = self.beam
        if beam is None:
            return
        try:
            gl = group_leader()          # the calling process's; NotInProcess outside processes
        except NotInProcess:
            return
        try:
            gl.flush_out(beam.rt)
        except Exception:
            pass

    async def run_code(self, code_obj, result=None, *, async_=False):
        """Run a compiled cell as the shell process (see the module docstring)."""
        beam = self.beam
        if beam is None or async_ or beam.in_process():
            return await super().run_code(code_obj, result, async_=async_)
        __tracebackhide__ = "__ipython_bottom__"  # noqa: F841 (IPython reads it)
        import bdb

        old_excepthook, sys.excepthook = sys.excepthook, self.excepthook
        self.sys_excepthook = old_excepthook
        outflag = True
        try:
            try:
                beam.run(exec, code_obj, self.user_global_ns, self.user_ns)
            finally:
                sys.excepthook = old_excepthook
        except SystemExit as e:
            if result is not None:
                result.error_in_exec = e
            self.showtraceback(exception_only=True)
        except bdb.BdbQuit:
            if result is not None:
                result.error_in_exec = sys.exc_info()[1]
        except ShellExited as e:
            if result is not None:
                result.error_in_exec = e
            self.showtraceback((ShellExited, e, None))
        except self.custom_exceptions:
            etype, value, tb = sys.exc_info()
            if result is not None:
                result.error_in_exec = value
            self.CustomTB(etype, value, tb)
        except BaseException:   # KeyboardInterrupt from an interrupt lands here too
            etype, value, tb = sys.exc_info()
            if result is not None:
                result.error_in_exec = value
            tb = _from_frame_of(tb, code_obj)
            self.showtraceback((etype, value, tb), tb_offset=0)
        else:
            outflag = False
        return outflag


class FlushingStream:
    """Wraps the runtime's sys.stdout/sys.stderr: `flush()` in a process writes its prints out now."""

    def __init__(self, stream, shell: BeamShell):
        self._stream = stream
        self._shell = shell

    def write(self, text):
        return self._stream.write(text)

    def flush(self):
        self._shell.flush_process_output()
        return self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _from_frame_of(tb: types.TracebackType | None, code_obj) -> types.TracebackType | None:
    """What a learner needs of the traceback: from the cell's own frame down, without
    beamlab's frames at the bottom (a KeyboardInterrupt in receive() or time.sleep() ends at
    the cell's line, not inside the scheduler or the kernel's sleep)."""
    t = tb
    while t is not None and t.tb_frame.f_code is not code_obj:
        t = t.tb_next
    if t is None:
        return tb
    entries = []
    while t is not None:
        entries.append(t)
        t = t.tb_next
    while len(entries) > 1 and entries[-1].tb_frame.f_code.co_filename.startswith(_BEAMLAB_DIRS):
        entries.pop()
    rebuilt = None
    for e in reversed(entries):
        rebuilt = types.TracebackType(rebuilt, e.tb_frame, e.tb_lasti, e.tb_lineno)
    return rebuilt


_RUNTIME_DIR = os.path.dirname(os.path.abspath(beamlab.runtime.__file__)) + os.sep
# beamlab's own frames at the bottom of a learner's traceback: the runtime, and the kernel's
# stand-ins (time.sleep becomes beamlab's sleep in a process, see sleeping.py)
_BEAMLAB_DIRS = (_RUNTIME_DIR, os.path.dirname(os.path.abspath(__file__)) + os.sep)
