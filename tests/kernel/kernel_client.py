"""A beamlab kernel driven over the Jupyter protocol, as the kernel tests use it.

`start_kernel()` starts one from the installed "beamlab" kernelspec with
jupyter_client; `start_kernel("extension")` starts ipykernel's own "python3"
kernel and runs `%load_ext beamlab` in it (the same tests, in a stock kernel); `Kernel.run(code)` executes a cell and returns what a notebook
would show (`Cell`: stdout, stderr, results, errors, every IOPub message);
`Kernel.drain(until)` keeps reading IOPub, e.g. for output that arrives after
its cell finished.
"""

from __future__ import annotations

import os
import queue
import time
from dataclasses import dataclass, field

KERNEL_NAME = "beamlab"
# ipykernel's own kernelspec; BEAMLAB_STOCK_KERNEL names another (e.g. one with ipykernel 6)
STOCK_KERNEL_NAME = os.environ.get("BEAMLAB_STOCK_KERNEL", "python3")
MODES = ("beamlab", "extension")   # the beamlab kernel; %load_ext beamlab in a stock kernel
TIMEOUT = 30


@dataclass
class Cell:
    """What one execute request produced, as a notebook would show it."""

    msg_id: str
    status: str = ""
    stdout: str = ""
    stderr: str = ""
    results: list = field(default_factory=list)      # text/plain of execute_result / display_data
    errors: list = field(default_factory=list)       # (ename, evalue, traceback text)
    messages: list = field(default_factory=list)     # every IOPub message of this cell

    @property
    def result(self):
        return self.results[-1] if self.results else None

    def add(self, msg) -> None:
        self.messages.append(msg)
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            if content["name"] == "stdout":
                self.stdout += content["text"]
            else:
                self.stderr += content["text"]
        elif kind in ("execute_result", "display_data"):
            self.results.append(content["data"].get("text/plain"))
        elif kind == "error":
            self.errors.append((content["ename"], content["evalue"], "\n".join(content["traceback"])))


class Kernel:
    """A started beamlab kernel and a client; `run(code)` executes a cell."""

    def __init__(self, km, kc, mode: str = "beamlab"):
        self.km, self.kc = km, kc
        self.mode = mode
        self.cells: dict[str, Cell] = {}
        self.other: list = []    # IOPub messages that belong to no cell we ran (comms, status)

    def send(self, code: str) -> Cell:
        """Start executing `code`; returns its (still filling) Cell."""
        msg_id = self.kc.execute(code)
        cell = self.cells[msg_id] = Cell(msg_id)
        return cell

    def wait(self, cell: Cell, timeout: float = TIMEOUT) -> Cell:
        """Read IOPub until `cell` is idle and its reply came; returns it."""
        deadline = time.monotonic() + timeout
        reply = None
        idle = False
        while not (idle and reply is not None):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"cell {cell.msg_id} did not finish in {timeout} s:\n{cell}")
            if reply is None:
                try:
                    msg = self.kc.get_shell_msg(timeout=0.01)
                    if msg["parent_header"].get("msg_id") == cell.msg_id:
                        reply = msg
                        cell.status = msg["content"]["status"]
                except queue.Empty:
                    pass
            msg = self.next_iopub(min(left, 0.05))
            if msg is not None and msg["parent_header"].get("msg_id") == cell.msg_id \
                    and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        return cell

    def run(self, code: str, timeout: float = TIMEOUT) -> Cell:
        """Execute a cell and wait until it is done."""
        return self.wait(self.send(code), timeout)

    def next_iopub(self, timeout: float):
        """One IOPub message (filed under its cell), or None."""
        try:
            msg = self.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        cell = self.cells.get(msg["parent_header"].get("msg_id"))
        if cell is not None:
            cell.add(msg)
        else:
            self.other.append(msg)
        return msg

    def drain(self, until, timeout: float = TIMEOUT) -> bool:
        """Read IOPub until `until()` is true (e.g. late output arrived); False on timeout."""
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                return False
            self.next_iopub(0.05)
        return True

    def ok(self, code: str, timeout: float = TIMEOUT) -> Cell:
        """Run a cell that must succeed; fails the test with the cell's error otherwise."""
        cell = self.run(code, timeout)
        assert cell.status == "ok", f"cell failed: {code!r}\n{cell.errors}\n{cell.stderr}"
        return cell


def start_kernel(mode: str = "beamlab"):
    """A started kernel: the beamlab kernel, or (mode "extension") a stock python3 kernel
    in which `%load_ext beamlab` ran."""
    from jupyter_client.manager import start_new_kernel

    if mode not in MODES:
        raise ValueError(f"mode is one of {MODES}, not {mode!r}")
    name = KERNEL_NAME if mode == "beamlab" else STOCK_KERNEL_NAME
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=60)
    kernel = Kernel(km, kc, mode)
    if mode == "extension":
        try:
            kernel.ok("%load_ext beamlab", timeout=60)
        except BaseException:
            stop_kernel(kernel)
            raise
    return kernel


def stop_kernel(kernel: Kernel) -> None:
    kernel.kc.stop_channels()
    kernel.km.shutdown_kernel(now=True)
