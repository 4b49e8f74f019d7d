"""How an IPython shell's cells run as the beamlab shell process (kernel and extension alike).

How this works: IPython compiles a cell and hands each code object to
`run_code`, which `exec`s it and turns exceptions into tracebacks. `install`
puts bound wrappers on the shell *instance* (so it works in any IPython
kernel, whose shell class we cannot choose):

- `run_cell_async` brackets each cell: `session.begin` (a group leader for
  the cell's output, re-run hygiene, `%%keep` on the first line skips it and
  is stripped) before, `session.end` (and a wake-up of the pump) after. Both
  of ipykernel's paths (`run_cell` and `run_cell_async`) and nested
  `run_cell` calls go through it; a nested call from inside a process (a
  `%%keep` body, a magic that runs code) just runs.
- `run_code` keeps IPython's shape but runs the `exec` through `Cells.run`,
  i.e. as the shell process inside the runtime (`run_as`), so `self()`,
  `receive()` and preemption work in a cell. Only the `exec` runs in the
  process; IPython's own bookkeeping stays outside it. Top-level `await`
  cells run on the kernel's asyncio loop as in ipykernel, not as a process.

Output ordering: inside a process `print` is buffered in the group leader
(the scheduler writes it out). `display()` and the `Out[]` value go straight
to the front end, so before they are published we write out the calling
process's buffered prints; otherwise a display could overtake a print that
came before it. For the same reason `sys.stdout.flush()` in a process writes
its buffered prints out at once (`FlushingStream`): ipywidgets' `Output`
relies on it to capture `with out: print(...)`.

`install` returns a function that takes every wrapper off again (`%unload_ext`).
"""

from __future__ import annotations

import functools
import os
import sys
import types

import beamlab.runtime

from .cells import ShellExited

__all__ = ["install", "split_keep", "FlushingStream", "KEEP_MAGIC"]

KEEP_MAGIC = "%%keep"


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


def install(shell, session):
    """Make `shell`'s cells run as `session`'s shell process; returns the undo function."""
    undo = []

    # display() and Out[] write out the calling process's buffered prints first
    pub = shell.display_pub
    if hasattr(pub, "_flush_streams"):
        flush_streams = pub._flush_streams

        def _flush_streams():
            session.flush_process_output()
            flush_streams()

        pub._flush_streams = _flush_streams
        undo.append(lambda: _restore(pub, "_flush_streams", _flush_streams))

    hook = shell.displayhook
    start = hook.start_displayhook

    def start_displayhook():
        session.flush_process_output()
        return start()

    hook.start_displayhook = start_displayhook
    undo.append(lambda: _restore(hook, "start_displayhook", start_displayhook))

    try:
        from beamlab.widgets._saved import install as saved_pictures   # a Box of widgets keeps a picture
        saved_pictures(shell)
    except Exception:   # widgets are optional
        pass

    @functools.wraps(shell.run_code)
    async def run_code(code_obj, result=None, *, async_=False):
        return await _run_code(shell, session, code_obj, result, async_=async_)

    @functools.wraps(shell.run_cell_async)   # ipykernel reads its signature (cell_id, cell_meta)
    async def run_cell_async(raw_cell, *args, **kwargs):
        return await _run_cell_async(shell, session, raw_cell, *args, **kwargs)

    shell.run_code = run_code
    shell.run_cell_async = run_cell_async
    undo.append(lambda: _restore(shell, "run_code", run_code))
    undo.append(lambda: _restore(shell, "run_cell_async", run_cell_async))

    def uninstall():
        for fn in reversed(undo):
            try:
                fn()
            except Exception:
                pass

    return uninstall


def _restore(obj, name: str, ours) -> None:
    """Drop our instance attribute `name` (the class's method shows again), if it is still ours."""
    if obj.__dict__.get(name) is ours:
        del obj.__dict__[name]


async def _run_cell_async(shell, session, raw_cell, *args, **kwargs):
    """Bracket one cell with session.begin/end (see the module docstring)."""
    cls_run = type(shell).run_cell_async.__get__(shell)
    if session.stopped or session.cells.in_process():
        return await cls_run(raw_cell, *args, **kwargs)
    store_history = args[0] if args else kwargs.get("store_history", False)
    silent = args[1] if len(args) > 1 else kwargs.get("silent", False)
    keep, code = split_keep(raw_cell)
    if keep:   # IPython sees the body; %%keep is ours
        raw_cell = code
        if "transformed_cell" in kwargs:
            try:
                kwargs["transformed_cell"] = shell.transform_cell(code)
                kwargs["preprocessing_exc_tuple"] = None
            except Exception:
                kwargs["transformed_cell"] = code
                kwargs["preprocessing_exc_tuple"] = sys.exc_info()
    try:
        session.begin(code, kwargs.get("cell_id"), keep=keep, silent=silent,
                      label=f"cell [{shell.execution_count}]")
    except BaseException as exc:   # e.g. interrupted while stopping the last run's processes
        return _failed_before_exec(shell, exc, raw_cell, store_history, silent, kwargs)
    try:
        return await cls_run(raw_cell, *args, **kwargs)
    finally:
        session.end()


def _failed_before_exec(shell, exc, raw_cell, store_history, silent, kwargs):
    """The cell does not run: show `exc` and return a failed ExecutionResult."""
    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult

    shell.showtraceback()
    try:
        info = ExecutionInfo(raw_cell, store_history, silent, kwargs.get("shell_futures", True),
                             kwargs.get("cell_id"))
    except TypeError:   # an IPython whose ExecutionInfo takes fewer arguments
        info = ExecutionInfo(raw_cell, store_history, silent, True)
    result = ExecutionResult(info)
    result.execution_count = shell.execution_count
    result.error_before_exec = exc
    shell.last_execution_succeeded = False
    shell.last_execution_result = result
    return result


async def _run_code(shell, session, code_obj, result=None, *, async_=False):
    """Run a compiled cell as the shell process (see the module docstring)."""
    if session.stopped or async_ or session.cells.in_process():
        return await type(shell).run_code(shell, code_obj, result, async_=async_)
    __tracebackhide__ = "__ipython_bottom__"  # noqa: F841 (IPython reads it)
    import bdb

    old_excepthook, sys.excepthook = sys.excepthook, shell.excepthook
    shell.sys_excepthook = old_excepthook
    outflag = True
    try:
        try:
            session.cells.run(exec, code_obj, shell.user_global_ns, shell.user_ns)
        finally:
            sys.excepthook = old_excepthook
    except SystemExit as e:
        if result is not None:
            result.error_in_exec = e
        shell.showtraceback(exception_only=True)
    except bdb.BdbQuit:
        if result is not None:
            result.error_in_exec = sys.exc_info()[1]
    except ShellExited as e:
        if result is not None:
            result.error_in_exec = e
        shell.showtraceback((ShellExited, e, None))
    except shell.custom_exceptions:
        etype, value, tb = sys.exc_info()
        if result is not None:
            result.error_in_exec = value
        shell.CustomTB(etype, value, tb)
    except BaseException:   # KeyboardInterrupt from an interrupt lands here too
        etype, value, tb = sys.exc_info()
        if result is not None:
            result.error_in_exec = value
        tb = _from_frame_of(tb, code_obj)
        shell.showtraceback((etype, value, tb), tb_offset=0)
    else:
        outflag = False
    return outflag


class FlushingStream:
    """Wraps the runtime's sys.stdout/sys.stderr: `flush()` in a process writes its prints out now."""

    def __init__(self, stream, session):
        self._stream = stream
        self._session = session

    def write(self, text):
        return self._stream.write(text)

    def flush(self):
        self._session.flush_process_output()
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
