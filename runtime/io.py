"""Output: `print` in a process goes to its group leader, never through a shared lock.

How this works: in Erlang every process has a *group leader* that its io goes
to, inherited from the process that spawned it; the shell's group leader is the
terminal. beamlab's `GroupLeader` is an object with a target stream and the
contextvars `Context` it must write in (in Jupyter, the Context of the cell
that spawned the process: ipykernel keeps "which cell is this output for" in a
ContextVar). While the runtime runs, `sys.stdout`/`sys.stderr` are wrapped: a
write from inside a process only appends to its group leader's buffer (no
lock), and the scheduler flushes the buffers between switches, writing each
inside its Context. So a process preempted mid-print can never hold the
stream's lock, and output from a process lands in the cell that spawned it,
even after that cell has finished.
"""

from __future__ import annotations

import sys

import greenlet

__all__ = ["GroupLeader", "install_stdio", "uninstall_stdio"]


class GroupLeader:
    """Where a process's output goes: a stream, and the Context to write it in.

        >>> gl = GroupLeader(sys.stdout, context=contextvars.copy_context(), label="cell 3")
        >>> spawn(worker)   # inherits the spawner's group leader; group_leader(gl, pid) changes it

    `stream=None` means the runtime's original sys.stdout / sys.stderr.
    """

    __slots__ = ("stream", "err_stream", "context", "label", "_buf", "_dirty")

    def __init__(self, stream=None, context=None, label: str = "", err_stream=None):
        self.stream = stream
        self.err_stream = err_stream
        self.context = context
        self.label = label
        self._buf: list = []
        self._dirty = False

    def __repr__(self):
        return f"<group_leader {self.label or hex(id(self))}>"

    def __deepcopy__(self, memo):
        return self

    def write(self, text: str, err: bool = False) -> None:
        self._buf.append((err, text))
        if not self._dirty:
            self._dirty = True
            from ._core import _current
            if _current is not None:
                _current._mark_output(self)
            else:
                self.flush_out(None)

    def write_err(self, text: str) -> None:
        self.write(text, err=True)

    def flush_out(self, rt) -> None:
        """Write the buffered output to the real streams (called by the scheduler)."""
        self._dirty = False
        buf, self._buf = self._buf, []
        if not buf:
            return
        out = self.stream or (rt._orig_stdout if rt is not None else sys.__stdout__)
        err = self.err_stream or (self.stream if self.stream is not None else
                                  (rt._orig_stderr if rt is not None else sys.__stderr__))
        chunks: list = []
        for is_err, text in buf:
            target = err if is_err else out
            if chunks and chunks[-1][0] is target:
                chunks[-1][1].append(text)
            else:
                chunks.append((target, [text]))
        for target, texts in chunks:
            data = "".join(texts)
            try:
                if self.context is not None:
                    self.context.run(_write, target, data)
                else:
                    _write(target, data)
            except Exception:   # a closed stream must never take the runtime down
                pass


def _write(stream, data: str) -> None:
    stream.write(data)
    try:
        stream.flush()
    except Exception:
        pass


class _ProcessStream:
    """Wraps sys.stdout/stderr: writes from a process go to its group leader."""

    def __init__(self, rt, original, err: bool):
        self._rt = rt
        self._original = original
        self._err = err

    def write(self, text):
        rt = self._rt
        proc = rt.current
        if proc is not None and greenlet.getcurrent() is proc.greenlet:
            proc.group_leader.write(text, self._err)
            return len(text)
        return self._original.write(text)

    def flush(self):
        proc = self._rt.current
        if proc is not None and greenlet.getcurrent() is proc.greenlet:
            return None
        return self._original.flush()

    def __getattr__(self, name):
        return getattr(self._original, name)


def install_stdio(rt) -> None:
    rt._orig_stdout = sys.stdout
    rt._orig_stderr = sys.stderr
    rt._stdout_proxy = _ProcessStream(rt, sys.stdout, False)
    rt._stderr_proxy = _ProcessStream(rt, sys.stderr, True)
    sys.stdout = rt._stdout_proxy
    sys.stderr = rt._stderr_proxy


def uninstall_stdio(rt) -> None:
    if getattr(rt, "_stdout_proxy", None) is None:
        return
    if sys.stdout is rt._stdout_proxy:
        sys.stdout = rt._orig_stdout
    if sys.stderr is rt._stderr_proxy:
        sys.stderr = rt._orig_stderr
    rt._stdout_proxy = rt._stderr_proxy = None
