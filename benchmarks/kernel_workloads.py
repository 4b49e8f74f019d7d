"""The beamlab kernel under load: does `1+1` still come back quickly?

How this works: this process acts as a Jupyter client. It starts a beamlab
kernel (`python -m beamlab.kernel`, through a throwaway kernelspec so nothing
needs installing), times `1+1` cells on the idle kernel, then runs a cell that
spawns 100,000 idle processes plus a one_for_one supervisor of 100 workers and
a chaos process killing a random worker 50 times a second, and times `1+1`
again while all that runs. A cell's time is client-side: execute_request sent
until its reply and the kernel's return to idle (jupyter_client's
`execute_interactive`). Issue #5's target: median ≤ 100 ms.

    >>> responsiveness(processes=100, children=5, kill_rate=10, samples=3)  # doctest: +SKIP
    {'median_ms': ..., 'p99_ms': ..., 'idle_median_ms': ..., 'kills_per_s': ...}
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Skip, percentile

LOAD_CELL = """
import random as _random, time as _time
from beamlab.runtime import spawn, send, receive, exit
from beamlab.runtime.otp import GenServer, Supervisor, ChildSpec, Ok

class _BenchWorker(GenServer):
    def init(self, arg):
        return Ok(arg)

def _bench_idle():
    receive()

def _bench_chaos(sup, rate, seed):
    # kill a random worker `rate` times a second (absolute schedule); answer ("kills?", pid) with the count
    rng, kills, due = _random.Random(seed), 0, _time.monotonic()
    while True:
        due += 1.0 / rate
        msg = receive(timeout=max(0.0, due - _time.monotonic()), default=None)
        while msg is not None:
            send(msg[1], ("kills", kills))
            msg = receive(timeout=max(0.0, due - _time.monotonic()), default=None)
        pids = [c[1] for c in Supervisor.which_children(sup) if not isinstance(c[1], str)]
        if pids:
            exit(rng.choice(pids), "kill")
            kills += 1

_bench_idle_pids = [spawn(_bench_idle) for _ in range({processes})]
_bench_sup = Supervisor.start_link(
    [ChildSpec(id=i, start=(_BenchWorker.start_link, i)) for i in range({children})],
    strategy="one_for_one", max_restarts=1_000_000_000, max_seconds=1)
_bench_chaos_pid = spawn(_bench_chaos, _bench_sup, {kill_rate}, 1)
"""

KILLS_CELL = """
from beamlab.runtime import ANY, send, receive, self, processes
send(_bench_chaos_pid, ("kills?", self()))
print("KILLS", receive(("kills", ANY))[1])
print("ALIVE", len(processes()))
"""


def _kernelspec_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="beamlab-bench-kernel-"))
    spec = root / "kernels" / "beamlab-bench"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "beamlab.kernel", "-f", "{connection_file}"],
        "display_name": "beamlab (benchmark)", "language": "python"}))
    return root


def _run_cell(kc, code: str, timeout: float) -> tuple[float, dict, list[str]]:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    t0 = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
    elapsed = time.perf_counter() - t0
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed in the beamlab kernel: {code.strip()[:80]!r}: "
                           f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}\n"
                           + "".join(out)[-2000:])
    return elapsed, reply, out


def _time_cells(kc, samples: int, gap: float) -> list[float]:
    times = []
    for _ in range(samples):
        times.append(_run_cell(kc, "1+1", timeout=60)[0] * 1000)
        time.sleep(gap)
    return times


def responsiveness(processes: int, children: int, kill_rate: float, samples: int,
                   settle: float = 1.0, gap: float = 0.05) -> dict:
    try:
        import beamlab.kernel.kernel  # noqa: F401 - the kernel class is there
        from jupyter_client.manager import KernelManager
    except ImportError as exc:
        raise Skip(f"the beamlab kernel or jupyter_client is not importable ({exc}); "
                   f"install the project with `make venv`") from None
    spec_root = _kernelspec_dir()
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(spec_root), os.environ.get("JUPYTER_PATH")]))
    km = KernelManager(kernel_name="beamlab-bench")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        _run_cell(kc, "1+1", timeout=60)                      # warm-up
        idle = _time_cells(kc, samples, gap)
        setup_s = _run_cell(kc, LOAD_CELL.format(processes=processes, children=children,
                                                 kill_rate=kill_rate), timeout=900)[0]
        time.sleep(settle)
        t0 = time.monotonic()
        _, _, before = _run_cell(kc, KILLS_CELL, timeout=60)
        loaded = _time_cells(kc, samples, gap)
        _, _, after = _run_cell(kc, KILLS_CELL, timeout=60)
        elapsed = time.monotonic() - t0
        kills = _kills(after, "KILLS") - _kills(before, "KILLS")
        return {"median_ms": statistics.median(loaded), "p99_ms": percentile(loaded, 0.99),
                "idle_median_ms": statistics.median(idle), "kills_per_s": kills / elapsed,
                "setup_s": setup_s, "alive": _kills(after, "ALIVE")}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _kills(lines: list[str], key: str) -> int:
    for line in "".join(lines).splitlines():
        if line.startswith(key + " "):
            return int(line.split()[1])
    raise RuntimeError(f"the kernel did not report {key}: {''.join(lines)!r}")


WORKLOADS = {"kernel": responsiveness}
