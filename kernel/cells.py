"""The shell process, per-cell output, and re-run hygiene.

How this works. Like Erlang's shell (and Livebook's evaluator) every cell runs
as one process, the *shell*: the kernel calls `runtime.run_as(shell, exec, ...)`,
so `self()` is the shell's pid, `receive()` waits in its mailbox, and other
processes keep running while the cell does (the cell is preempted like them).

Output. Each cell gets a fresh `GroupLeader` bound to the contextvars Context
of its execute request (ipykernel keeps "which cell is this output for" in a
ContextVar). The shell's group leader is switched to it, and processes spawned
in the cell inherit it, so their `print` lands in that cell — even later.

Ownership. A telemetry handler on process spawn/exit records which cell
started each process: one spawned by the shell while cell K runs belongs to K,
and one spawned by a process of K belongs to K too (a supervisor's restarted
children stay with the cell that started the supervisor). Re-running K first
stops what K's last run started — kill, then wait for the DOWN so their names
are free — unless the cell starts with `%%keep`.

Shell death. A linked crash (any exit signal) kills the shell like any
process. During a cell, `run_as` raises `ProcessExit` and the cell shows a
`ShellExited` error; between cells the exit handler writes the news into the
last cell. Either way the next code runs as a new shell process; the
namespace belongs to the kernel and survives. A `ProcessExit` the cell raises
itself (`exit(reason)`, a `GenServer.call` that timed out) is shown as an error,
and, as in Erlang's shell, the shell process exits with that reason (processes
linked to it hear of it) and a new shell runs the next cell.
"""

from __future__ import annotations

import contextvars
import html
import threading
import time
import uuid

from beamlab.runtime import (ANY, Crash, GroupLeader, NotInProcess, Pid, ProcessExit, demonitor,
                             exit, format_reason, monitor, receive, unlink)
from beamlab.runtime import self as self_pid
from beamlab.runtime import group_leader as set_group_leader

__all__ = ["Cells", "ShellExited", "cell_key"]

HANDLER_ID = "beamlab.kernel.cells"
SPAWN = ("beamlab", "process", "spawn")
EXIT = ("beamlab", "process", "exit")
STOP_WAIT = 5.0   # seconds to wait for a killed process's DOWN on re-run


class ShellExited(Exception):
    """The shell process was killed while a cell ran (a linked crash, or an exit signal).

    The cell shows this instead of a traceback; the next cell runs as a new shell.
    """

    def __init__(self, old: Pid, new: Pid, reason):
        self.old, self.new, self.reason = old, new, reason
        super().__init__(f"the shell process {old!r} exited: {format_reason(reason)}")

    def _render_traceback_(self) -> list[str]:   # IPython shows these lines as the error
        return shell_exit_lines(self.old, self.new, self.reason)


def shell_exit_lines(old: Pid, new: Pid | None, reason) -> list[str]:
    """The message a learner sees when the shell is killed, with what it means.

    The reason is printed once; what it means comes first when it is a known one (a
    supervisor that could not start a child)."""
    failed = _failed_child(reason)
    if failed is not None:
        child, why = failed
        lines = [f"** A supervisor could not start its child {child!r}: {format_reason(why)}",
                 "   (see the crash report above for where its start failed). The supervisor then exited "
                 "with reason shutdown,",
                 f"   and because it was started with start_link from the shell, that exit ended the shell "
                 f"process {old!r} too."]
    else:
        lines = [f"** The shell process {old!r} exited: {format_reason(reason)}"]
        if isinstance(reason, Crash):
            lines.append("   A process linked to it crashed, and the crash travelled along the link."
                         " To be told without dying: process_flag('trap_exit', True), or monitor()"
                         " instead of a link.")
        else:
            lines.append("   It got that exit signal from a linked process that exited, or from"
                         " exit(pid, reason).")
    nxt = f"a new shell process {new!r}" if new is not None else "a new shell process"
    lines.append(f"   The next code runs as {nxt}; your variables are kept.")
    return lines


def _failed_child(reason):
    """(child id, why) for a supervisor's ('shutdown', ('failed_to_start_child', id, why)), else None."""
    if (isinstance(reason, tuple) and len(reason) == 2 and reason[0] == "shutdown"
            and isinstance(reason[1], tuple) and len(reason[1]) == 3
            and reason[1][0] == "failed_to_start_child"):
        return reason[1][1], reason[1][2]
    return None


def cell_key(code: str, cell_id: str | None) -> str:
    """What identifies "the same cell" across runs: its id when the front end sends one
    (JupyterLab, Notebook 7, VS Code), else its code."""
    if cell_id:
        return f"id:{cell_id}"
    return "code:" + "\n".join(line.rstrip() for line in code.strip().splitlines())


class Cells:
    """The shell process of a kernel and the bookkeeping of what each cell started."""

    def __init__(self, runtime, stdout, stderr):
        self.rt = runtime
        self.stdout, self.stderr = stdout, stderr
        self.shell: Pid = runtime.new_process(label="shell")
        self.owner: dict[Pid, str] = {}               # live process -> key of the cell that started it
        self.started: dict[str, dict[Pid, None]] = {}  # cell key -> its live processes, oldest first
        self.key: str | None = None                    # the cell running now (None: not tracking)
        self.running = False                           # inside run_as for the shell right now
        self.gl: GroupLeader | None = None             # the current (or last) request's group leader
        self.cell_gl: GroupLeader | None = None        # the last visible cell's (not a silent request's)
        self.count = 0
        runtime.telemetry.attach_many(HANDLER_ID, [SPAWN, EXIT], self._on_event)

    def close(self) -> None:
        try:
            self.rt.telemetry.detach(HANDLER_ID)
        except Exception:
            pass

    # ------------------------------------------------------------------ cells
    def begin(self, code: str, cell_id: str | None, *, keep: bool = False,
              silent: bool = False, label: str = "") -> None:
        """Start a cell: a group leader for its output, and stop its previous run's processes.

        Runs in the execute request's Context (outside any process)."""
        self.count += 1
        context = contextvars.copy_context()
        self.gl = GroupLeader(pinned(self.stdout), context=context, label=label or f"cell {self.count}",
                              err_stream=CrashFolder(pinned(self.stderr), context))
        self._ensure_shell()
        if silent:
            self.key = None
            return
        self.cell_gl = self.gl
        key = cell_key(code, cell_id)
        if not keep:
            self.stop_cell(key)
        self.key = key

    def end(self) -> None:
        self.key = None

    def stop_cell(self, key: str) -> list[Pid]:
        """Kill what the cell `key` started and wait until they are gone; returns their pids."""
        stopped: list[Pid] = []
        for _ in range(3):   # a supervisor may restart a child while we kill: go again
            pids = [p for p in self.started.get(key, ()) if self.rt.is_process_alive(p)]
            if not pids:
                break
            self.run(_stop_processes, pids)
            stopped.extend(pids)
        self.started.pop(key, None)
        if stopped:
            shown = ", ".join(repr(p) for p in stopped[:8]) + (" ..." if len(stopped) > 8 else "")
            print(f"(re-run: stopped {len(stopped)} process{'es' if len(stopped) != 1 else ''} "
                  f"this cell started before: {shown}; start the cell with %%keep to keep them)")
        return stopped

    # ------------------------------------------------------------------ the shell
    def in_process(self) -> bool:
        """True when called from inside any process (then code just runs, no run_as)."""
        try:
            self_pid()
        except NotInProcess:
            return False
        return True

    def run(self, fn, *args):
        """Run `fn(*args)` as the shell process; a shell that dies raises ShellExited."""
        self._ensure_shell()
        self.running = True
        try:
            return self.rt.run_as(self.shell, fn, *args)
        except ProcessExit as e:
            old = self.shell
            if self.rt.is_process_alive(old):
                # The cell raised it itself (exit(reason), a failed GenServer.call). As in
                # Erlang's shell, the shell process exits with that reason (its links and
                # monitors hear of it) and a new one runs the next code; variables are kept.
                self._end_shell(e.reason)
                new = self._new_shell()
                e.add_note(f"The shell process {old!r} exited with this reason; the next code runs "
                           f"as a new shell process {new!r}; your variables are kept.")
                raise
            new = self._new_shell()
            raise ShellExited(old, new, e.reason) from None
        finally:
            self.running = False

    def _ensure_shell(self) -> None:
        if not self.rt.is_process_alive(self.shell):
            self._new_shell()
        elif self.gl is not None:
            set_group_leader(self.gl, self.shell)

    def _end_shell(self, reason) -> None:
        """The shell process exits with `reason`, as if the cell's exit had not been caught."""
        try:
            self.rt.run_as(self.shell, _exit_self, reason)
        except ProcessExit:
            pass
        except Exception:   # the shell must be replaced whatever happens here
            pass

    def _new_shell(self) -> Pid:
        self.shell = self.rt.new_process(label="shell", group_leader=self.gl)
        return self.shell

    # ------------------------------------------------------------------ telemetry
    def _on_event(self, event, measurements, metadata, config) -> None:
        try:
            pid = metadata["pid"]
            if event[-1] == "spawn":
                parent = metadata.get("parent")
                if parent is None:
                    return
                key = self.key if parent == self.shell else self.owner.get(parent)
                if key is not None:
                    self.owner[pid] = key
                    self.started.setdefault(key, {})[pid] = None
                return
            key = self.owner.pop(pid, None)
            if key is not None:
                live = self.started.get(key)
                if live is not None:
                    live.pop(pid, None)
                    if not live:
                        del self.started[key]
            if pid == self.shell and not self.running and self.cell_gl is not None:
                self.cell_gl.write_err("\n".join(shell_exit_lines(pid, None, metadata.get("reason")))
                                  + "\n")
        except Exception:   # bookkeeping must never disturb the runtime
            pass


def pinned(stream):
    """`stream`, or for an ipykernel whose output streams have one parent for everyone
    (before ContextVar parents: 6.17, as on Colab) a `PinnedParent` to this request's."""
    if hasattr(stream, "parent_header") and not hasattr(stream, "_parent_header") \
            and hasattr(stream, "flush"):
        return PinnedParent(stream, stream.parent_header)
    return stream


class PinnedParent:
    """Writes to an old ipykernel OutStream as the cell it was made in, so a process's late
    output lands in the cell that spawned it, not in whichever cell runs now. Each write is
    flushed at once under that parent (what is buffered for another parent goes first)."""

    def __init__(self, stream, parent):
        self.stream, self.parent = stream, parent

    def write(self, text):
        s = self.stream
        old = s.parent_header
        if old == self.parent:
            return s.write(text)
        s.flush()
        s.parent_header = self.parent
        try:
            n = s.write(text)
            s.flush()
        finally:
            s.parent_header = old
        return n

    def flush(self):
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


REPORT = "=ERROR REPORT===="


class CrashFolder:
    """A cell's stderr that shows its first crash report in full and folds the rest.

    A crash that repeats (a poisoned worker restarted 35 times) would otherwise print a
    wall of identical reports under the cell. The first report of the cell is written
    as it is; every later one is counted into one output below it — "N more crash
    reports" — that expands to show them (the last KEEP of them), kept current with
    update_display as more arrive (at most every UPDATE_EVERY s, and once more at the end).
    Other stderr text passes through unchanged.
    """

    KEEP = 50
    UPDATE_EVERY = 0.3

    def __init__(self, stream, context=None):
        self.stream = stream
        self.context = context
        self.shown = 0                    # reports written in full (0 or 1)
        self.folded: list[str] = []       # the last KEEP folded reports
        self.count = 0                    # how many were folded in all
        self.display_id: str | None = None
        self._last = 0.0
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def flush(self):
        try:
            self.stream.flush()
        except Exception:
            pass

    def write(self, text: str):
        if REPORT not in text:
            return self.stream.write(text)
        head, *reports = text.split(REPORT)
        if head:
            self.stream.write(head)
        for body in reports:
            report = REPORT + body
            if self.shown == 0:
                self.shown = 1
                self.stream.write(report)
            else:
                self.count += 1
                self.folded.append(report)
                del self.folded[:-self.KEEP]
        if self.count:
            self.flush()
            self._publish()
        return len(text)

    def _bundle(self) -> dict:
        n = self.count
        what = f"{n} more crash report{'s' if n != 1 else ''}"
        kept = "" if n <= len(self.folded) else f" (the last {len(self.folded)} shown)"
        body = "".join(self.folded)
        return {
            "text/plain": f"… {what} folded (like the one above){kept}",
            "text/html": (f'<details class="beamlab-crash-fold"><summary style="cursor:pointer;color:#b71c1c">'
                          f"… {html.escape(what)} (like the one above){html.escape(kept)} — click to show"
                          f'</summary><pre style="max-height:400px;overflow:auto;font-size:12px">'
                          f"{html.escape(body)}</pre></details>"),
        }

    def _publish(self, final: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if self.display_id is not None and not final and now - self._last < self.UPDATE_EVERY:
                if self._timer is None:            # send the latest count a little later
                    self._timer = threading.Timer(self.UPDATE_EVERY, self._publish, kwargs={"final": True})
                    self._timer.daemon = True
                    self._timer.start()
                return
            if final:
                self._timer = None
            self._last = now
            first = self.display_id is None
            if first:
                self.display_id = f"beamlab-crash-{uuid.uuid4().hex[:12]}"
        bundle = self._bundle()
        try:
            if self.context is not None and final:
                self.context.run(_show, bundle, self.display_id, not first)
            else:
                _show(bundle, self.display_id, not first)
        except Exception:   # output must never take the runtime down
            pass


def _show(bundle: dict, display_id: str, update: bool) -> None:
    from IPython.display import display
    display(bundle, raw=True, display_id=display_id, update=update)


def _exit_self(reason) -> None:
    """Runs as the shell: exit with `reason`, whether or not it traps exits (exit/1)."""
    from beamlab.runtime import process_flag
    process_flag("trap_exit", False)
    exit(self_pid(), reason)
    receive(timeout=1, default=None)     # the signal ends this process; nothing else comes


def _stop_processes(pids: list[Pid]) -> None:
    """Runs as the shell: kill `pids` and wait for each to be gone (names freed)."""
    refs = []
    for pid in pids:
        unlink(pid)          # the shell may be linked to it; its death must not kill the shell
        refs.append(monitor(pid))
        exit(pid, "kill")
    for ref in refs:
        if receive(("DOWN", ref, ANY, ANY, ANY), timeout=STOP_WAIT, default=None) is None:
            demonitor(ref, flush=True)
