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
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Skip, note, percentile

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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _start_kernel(KernelManager):
    """A fresh beamlab kernel and a connected, ready client."""
    spec_root = _kernelspec_dir()
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(spec_root), saved]))
    try:
        km = KernelManager(kernel_name="beamlab-bench")
        km.start_kernel()
    finally:                                  # the spec is only needed to launch
        shutil.rmtree(spec_root, ignore_errors=True)
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def _run_cell(kc, code: str, timeout: float) -> tuple[float, dict, list[str]]:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(_ANSI.sub("", "\n".join(msg["content"]["traceback"])))

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
    km, kc = _start_kernel(KernelManager)
    try:
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


# ---- widgets open vs none: ring throughput in the kernel (issue #5) -------------

RING_CELL = """
import time as _time
from beamlab.runtime import spawn, send, receive, self, exit

def _bench_forward(nxt):
    while True:
        send(nxt, receive())

def _bench_ring(n, rounds):
    first, ring = self(), []
    for _ in range(n - 1):
        first = spawn(_bench_forward, first)
        ring.append(first)
    send(first, "token"); receive()
    t0 = _time.perf_counter()
    for _ in range(rounds):
        send(first, "token"); receive()
    print("US_PER_HOP", (_time.perf_counter() - t0) / (n * rounds) * 1e6)
    for pid in ring:
        exit(pid, "kill")
"""

# Every widget beamlab offers, opened on a supervisor with a few workers;
# `_bench_open_widgets()` displays them all (a widget whose class is missing or
# whose constructor fails is reported, not fatal), `_bench_close_widgets()` closes them.
WIDGETS_CELL = """
from IPython.display import display
from beamlab.runtime.otp import GenServer, Supervisor, ChildSpec, Ok
import importlib as _il, pkgutil as _pkgutil
import beamlab.widgets as _W

def _widget(name):
    # the class from beamlab.widgets, or from any of its modules if not exported yet
    if hasattr(_W, name):
        return getattr(_W, name)
    for _m in _pkgutil.iter_modules(_W.__path__):
        _mod = _il.import_module("beamlab.widgets." + _m.name)
        if hasattr(_mod, name):
            return getattr(_mod, name)
    raise AttributeError(f"beamlab.widgets has no {name}")

class _BenchWidgetWorker(GenServer):
    def init(self, arg):
        return Ok(arg)

_bench_wsup = Supervisor.start_link(
    [ChildSpec(id=i, start=(_BenchWidgetWorker.start_link, i)) for i in range(10)])
_bench_widgets = []

def _bench_open_widgets():
    opened, failed = [], []
    for name, make in [
            ("SupervisionTree", lambda: _widget("SupervisionTree")(_bench_wsup)),
            ("Observer", lambda: _widget("Observer")()),
            ("TelemetryChart", lambda: _widget("TelemetryChart")(
                [_widget("counter")("beamlab.process.spawn.count"),
                 _widget("counter")("beamlab.process.exit.count", tags=["reason"])])),
            ("SequenceTrace", lambda: _widget("SequenceTrace")(
                _bench_wsup, Supervisor.which_children(_bench_wsup)[0][1])),
            ("Chaos", lambda: _widget("Chaos")(_bench_wsup))]:
        try:
            w = make()
            display(w)
            _bench_widgets.append(w)
            opened.append(name)
        except Exception as e:
            failed.append(f"{name} ({type(e).__name__}: {e})"[:120])
    print("OPENED", len(opened), ", ".join(opened))
    print("NOT-OPENED", "; ".join(failed))

def _bench_close_widgets():
    while _bench_widgets:
        _bench_widgets.pop().close()
"""


def _line_value(lines: list[str], key: str) -> str:
    for line in "".join(lines).splitlines():
        if line.startswith(key + " ") or line == key:
            return line[len(key):].strip()
    raise RuntimeError(f"the kernel did not print {key}: {''.join(lines)[-2000:]!r}")


def widgets_overhead(n: int, rounds: int, repeats: int, settle: float = 0.5) -> dict:
    try:
        import beamlab.widgets  # noqa: F401
        import beamlab.kernel.kernel  # noqa: F401
        from jupyter_client.manager import KernelManager
    except ImportError as exc:
        raise Skip(f"the beamlab kernel or widgets are not importable ({exc})") from None
    km, kc = _start_kernel(KernelManager)
    try:
        _run_cell(kc, RING_CELL, timeout=60)
        ring_cell = f"_bench_ring({n}, {rounds})"

        def hops() -> float:
            return float(_line_value(_run_cell(kc, ring_cell, timeout=600)[2], "US_PER_HOP"))

        hops()                                                   # warm-up
        _run_cell(kc, WIDGETS_CELL, timeout=120)
        none, with_widgets = [], []
        for _ in range(repeats):             # interleaved, so noise hits both alike
            none.append(hops())
            out = _run_cell(kc, "_bench_open_widgets()", timeout=120)[2]
            time.sleep(settle)
            with_widgets.append(hops())
            _run_cell(kc, "_bench_close_widgets()", timeout=120)
        opened = _line_value(out, "OPENED").split(" ", 1)
        missing = _line_value(out, "NOT-OPENED")
        note(f"widgets open: {opened[1] if len(opened) > 1 else 'none'}"
             + (f"; not opened: {missing}" if missing else ""))
        base, loaded = statistics.median(none), statistics.median(with_widgets)
        return {"slowdown_pct": (loaded / base - 1) * 100, "us_per_hop_none": base,
                "us_per_hop_widgets": loaded, "widgets_open": float(opened[0])}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


WORKLOADS["widgets"] = widgets_overhead


# ---- widgets at scale: tree of 1,000 children, observer over 100k processes ---------

SCALE_CELL = """
import time as _time, statistics as _st
from beamlab.runtime import spawn, receive, exit
from beamlab.runtime.otp import GenServer, Supervisor, ChildSpec, Ok
import beamlab.widgets as _W

class _BenchScaleWorker(GenServer):
    def init(self, arg):
        return Ok(arg)

def _bench_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = _time.perf_counter(); fn(); times.append((_time.perf_counter() - t0) * 1000)
    return _st.median(times)

_bench_big = Supervisor.start_link(
    [ChildSpec(id=i, start=(_BenchScaleWorker.start_link, i)) for i in range({children})],
    strategy="one_for_one", max_restarts=1_000_000_000, max_seconds=1)
_bench_tree = _W.SupervisionTree(_bench_big, live=False)
def _bench_tree_change():
    exit(Supervisor.which_children(_bench_big)[0][1], "kill")   # a restart to redraw
    _bench_tree.refresh()
print("TREE_MS", _bench_time(_bench_tree.refresh, {repeats}))
print("TREE_CHANGE_MS", _bench_time(_bench_tree_change, {repeats}))
def _bench_idle():
    receive()
_bench_many = [spawn(_bench_idle) for _ in range({processes})]
_bench_obs = _W.Observer(live=False)
print("OBSERVER_MS", _bench_time(_bench_obs.refresh, {repeats}))
"""


def widgets_scale(children: int, processes: int, repeats: int) -> dict:
    try:
        import beamlab.widgets  # noqa: F401
        import beamlab.kernel.kernel  # noqa: F401
        from jupyter_client.manager import KernelManager
    except ImportError as exc:
        raise Skip(f"the beamlab kernel or widgets are not importable ({exc})") from None
    km, kc = _start_kernel(KernelManager)
    try:
        out = _run_cell(kc, SCALE_CELL.format(children=children, processes=processes,
                                              repeats=repeats), timeout=900)[2]
        return {"observer_ms": float(_line_value(out, "OBSERVER_MS")),
                "tree_ms": float(_line_value(out, "TREE_MS")),
                "tree_change_ms": float(_line_value(out, "TREE_CHANGE_MS"))}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


WORKLOADS["widgets_scale"] = widgets_scale
