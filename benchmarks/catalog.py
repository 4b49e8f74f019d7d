"""The benchmarks beamlab runs, their peers, sizes and targets.

How this works: each `Benchmark` names one workload (the same name is used by
every subject: benchmarks/beamlab_workloads.py, otp_workloads.py,
greenlet_peer.py, asyncio_peer.py and the Erlang module in erlang/), the
parameters for a full run, a `--quick` run (the smoke test) and the subjects that
run it. The primary metric decides the ratio and the target; other metrics are
shown beside it. Targets come from the project's issues (runtime #2, OTP #3,
widgets #5) and are checked against figures measured in the same run.

    >>> [b.name for b in select(["ring"], million=False)]
    ['ring']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Subjects, in the order tables list them.
BEAMLAB, ERLANG, GREENLET, ASYNCIO = "beamlab", "erlang", "greenlet", "asyncio"
# beamlab with every function process on a greenlet (`Runtime(stackless=False)`): what the
# stackless processes (runtime/stackless.py) change, measured in the same run.
BEAMLAB_GREENLET = "beamlab-gl"


@dataclass(frozen=True)
class Target:
    """What a benchmark must reach: `kind` is "ratio" (primary ≤ limit × a peer's),
    "max" (primary ≤ limit, in the metric's unit), "min" (primary ≥ limit) or
    "completes" (the workload ran to the end, e.g. a million processes fit)."""

    kind: str
    limit: float = 0.0
    peer: str = ERLANG
    text: str = ""

    def check(self, figure: float | None, ratio: float | None) -> tuple[str, str]:
        """Return (verdict, detail) for beamlab's `figure` and its cost `ratio` to
        the peer: verdict is PASS, MISS or N/A (nothing to compare)."""
        if self.kind == "completes":
            return ("PASS", "completed") if figure is not None else ("MISS", "did not complete")
        if figure is None:
            return "N/A", "no figure"
        if self.kind == "max":
            return ("PASS" if figure <= self.limit else "MISS"), f"{figure:.3g} vs ≤ {self.limit:g}"
        if self.kind == "min":
            return ("PASS" if figure >= self.limit else "MISS"), f"{figure:.3g} vs ≥ {self.limit:g}"
        if self.kind == "ratio":
            if ratio is None:
                return "N/A", f"no {self.peer} figure to compare with"
            return ("PASS" if ratio <= self.limit else "MISS"), f"{ratio:.2f}× {self.peer}"
        raise ValueError(f"unknown target kind {self.kind!r}")


@dataclass(frozen=True)
class Benchmark:
    """One row group of the report: a workload run by several subjects."""

    name: str                      # CLI name and workload name
    title: str                     # what the figure means, for the table heading
    metric: str                    # primary metric key, e.g. "us_per_spawn"
    unit: str                      # unit of the primary metric, for the table
    params: dict                   # full-run parameters
    quick: dict                    # --quick parameters (smoke test)
    subjects: tuple[str, ...]
    target: Target | None = None
    extra: tuple[str, ...] = ()    # other metrics to show
    higher_is_better: bool = False
    runs: int = 3                  # medians of this many runs
    million: bool = False          # only with --million
    workload: str = ""             # workload name if not `name`
    note: str = ""
    timeout: float = 600.0

    @property
    def workload_name(self) -> str:
        return self.workload or self.name

    def cost_ratio(self, figure: float | None, peer: float | None) -> float | None:
        """How many times costlier than the peer (>1 = slower/bigger), whichever
        way the metric points."""
        if figure is None or not peer:
            return None
        return peer / figure if self.higher_is_better else figure / peer


RUNTIME_PEERS = (BEAMLAB, ERLANG, GREENLET, ASYNCIO)
# for the workloads of plain function processes
PROCESS_PEERS = (BEAMLAB, BEAMLAB_GREENLET, ERLANG, GREENLET, ASYNCIO)
MEMORY_NOTE = ("beamlab/greenlet/asyncio: RSS delta of the benchmark process after "
               "gc.collect(); erlang: erlang:memory(processes) delta")

BENCHMARKS: list[Benchmark] = [
    Benchmark("spawn", "spawn rate: µs per spawn of a process that waits in receive",
              "us_per_spawn", "µs", {"n": 100_000}, {"n": 300}, PROCESS_PEERS,
              Target("ratio", 2.0, text="≤ 2× Erlang"), extra=("us_spawn_call",),
              note="us_per_spawn: until all N have reached receive; us_spawn_call: the "
                   "spawn calls alone (the processes have not run yet; on the BEAM, "
                   "other schedulers may already be running them)"),
    Benchmark("spawn_exit", "short-lived processes: µs per spawn of a process that sends "
              "the spawner one message and exits",
              "us_per_spawn_exit", "µs", {"n": 100_000}, {"n": 300}, PROCESS_PEERS,
              note="timed until the spawner has received all N messages; beamlab runs a "
                   "process on a pooled greenlet an exited one left (issue 16)"),
    Benchmark("memory", "bytes per idle process (100k idle in receive)",
              "bytes_per_process", "B", {"n": 100_000}, {"n": 300}, PROCESS_PEERS,
              Target("max", 1900.0, BEAMLAB, "≤ 1,900 B (issue 16)"), note=MEMORY_NOTE),
    Benchmark("memory_parts", "where an idle process's bytes go (20k idle in receive)",
              "bytes_per_process", "B", {"n": 20_000}, {"n": 300}, (BEAMLAB, BEAMLAB_GREENLET),
              extra=("python_heap", "saved_c_stack", "outside_heap"),
              note="bytes_per_process: RSS delta; python_heap: tracemalloc's count for N more "
                   "(objects, and the greenlets' saved C stacks: saved_c_stack); outside_heap = "
                   "RSS − python_heap: mostly each greenlet's interpreter data stack, a 16 KB "
                   "mapping whose first 4 KB page is touched (benchmarks/PERFORMANCE.md); "
                   "beamlab's stackless processes keep neither while idle"),
    Benchmark("memory_1m", "bytes per idle process (1M idle in receive)",
              "bytes_per_process", "B", {"n": 1_000_000}, {"n": 300}, (BEAMLAB, ERLANG),
              Target("completes", text="a million idle processes fit in memory"),
              workload="memory", million=True, runs=1, timeout=1800.0, note=MEMORY_NOTE),
    Benchmark("ring", "ring of 1000 processes × 100 rounds: µs per hop",
              "us_per_hop", "µs", {"n": 1000, "rounds": 100}, {"n": 20, "rounds": 3},
              PROCESS_PEERS, Target("ratio", 2.0, text="≤ 2× Erlang")),
    Benchmark("pingpong", "ping-pong: µs per round trip to an echo process",
              "us_per_round_trip", "µs", {"n": 100_000}, {"n": 200}, PROCESS_PEERS),
    Benchmark("preemption", "lateness of a 10 ms ticker beside 4 spinners (real clock)",
              "p99_ms", "ms", {"duration": 3.0, "spinners": 4, "period": 0.01},
              {"duration": 0.1, "spinners": 2, "period": 0.01}, (BEAMLAB, ERLANG),
              Target("max", 10.0, BEAMLAB, "p99 ≤ 10 ms"), extra=("p50_ms", "max_ms"),
              note="lateness = wake-up time − deadline; beamlab: sleep() to each deadline; "
                   "erlang: an absolute-time timer per deadline, on its default schedulers "
                   "(one per core)"),
    Benchmark("fairness", "lateness of a 10 ms ticker beside 8 spinners and 1,000 printing "
              "processes (real clock)",
              "p99_ms", "ms", {"duration": 5.0, "spinners": 8, "printers": 1000, "period": 0.01},
              {"duration": 0.1, "spinners": 2, "printers": 20, "period": 0.01}, (BEAMLAB,),
              Target("max", 20.0, BEAMLAB, "p99 ≤ 20 ms"), extra=("p50_ms", "max_ms"),
              note="benchmarks/fairness.py (issue 10, point 7): lateness = wake-up time − "
                   "deadline; printers run `while True: print(...)` into os.devnull"),
    Benchmark("thread_send", "wake-up latency of a send from an OS thread to a process in "
              "receive() beside 8 spinners (real clock)",
              "max_ms", "ms", {"sends": 200, "spinners": 8, "period": 0.01},
              {"sends": 5, "spinners": 2, "period": 0.01}, (BEAMLAB,),
              Target("max", 10.0, BEAMLAB, "every one ≤ 10 ms"), extra=("p50_ms", "p99_ms"),
              note="benchmarks/fairness.py (issue 10, point 10): latency = receive time − send "
                   "time; one send every 10 ms from a plain threading.Thread"),
    Benchmark("overhead", "preemption overhead on CPU-bound processes (signal vs cooperative)",
              "overhead_pct", "%", {"iterations": 6_000_000, "pairs": 3},
              {"iterations": 20_000, "pairs": 1}, (BEAMLAB,),
              Target("max", 5.0, BEAMLAB, "≤ 5%"),
              extra=("alone_pct", "first_done", "cooperative_s", "signal_s", "bare_s"),
              note="overhead_pct: two CPU-bound processes interleaved by preemption vs run "
                   "one after the other; alone_pct: one process, ticks but nothing to switch to; first_done near 1.0 = the two really "
                   "interleaved"),
    Benchmark("call", "GenServer call round trip (µs)",
              "us_per_call", "µs", {"n": 50_000}, {"n": 100}, RUNTIME_PEERS,
              Target("ratio", 2.0, text="≤ 2× Erlang (issue 16)"),
              note="greenlet/asyncio: a tagged request and its reply to a server loop, with "
                   "none of gen_server's monitor, timeout or selective receive"),
    Benchmark("cast", "GenServer cast throughput (msgs/s; N casts then one call)",
              "msgs_per_s", "msg/s", {"n": 200_000}, {"n": 300}, RUNTIME_PEERS,
              Target("ratio", 3.0, text="≥ 1/3 of Erlang's (issue 16)"),
              higher_is_better=True,
              note="greenlet/asyncio: messages a server loop counts, then one call"),
    Benchmark("restart", "supervisor restart latency: kill child → new child running",
              "median_us", "µs", {"n": 1000}, {"n": 5}, (BEAMLAB, ERLANG),
              Target("max", 1000.0, BEAMLAB, "median ≤ 1 ms"), extra=("p99_us",)),
    Benchmark("genserver_memory", "bytes per idle GenServer (100k)",
              "bytes_per_process", "B", {"n": 100_000}, {"n": 300}, (BEAMLAB, ERLANG),
              note=MEMORY_NOTE),
    Benchmark("genserver_memory_1m", "bytes per idle GenServer (1M)",
              "bytes_per_process", "B", {"n": 1_000_000}, {"n": 300}, (BEAMLAB, ERLANG),
              Target("completes", text="a million idle GenServers fit in memory"),
              workload="genserver_memory", million=True, runs=1, timeout=1800.0,
              note=MEMORY_NOTE),
    Benchmark("kernel", "kernel responsiveness: `1+1` cell round trip with 100k processes "
              "alive and chaos killing 50 workers/s",
              "median_ms", "ms", {"processes": 100_000, "children": 100, "kill_rate": 50,
                                  "samples": 40},
              {"processes": 200, "children": 5, "kill_rate": 20, "samples": 3}, (BEAMLAB,),
              Target("max", 100.0, BEAMLAB, "median ≤ 100 ms"),
              extra=("p99_ms", "idle_median_ms", "kills_per_s", "alive"),
              note="client-side: execute_request until reply and idle; idle_median_ms is the "
                   "same kernel before the load; kills_per_s is what the chaos process achieved; "
                   "alive: processes in the kernel"),
    Benchmark("widgets", "ring throughput in the kernel with every widget open vs none",
              "slowdown_pct", "%", {"n": 1000, "rounds": 300, "repeats": 7},
              {"n": 20, "rounds": 5, "repeats": 1}, (BEAMLAB,),
              Target("max", 10.0, BEAMLAB, "≤ 10% slower"),
              extra=("us_per_hop_none", "us_per_hop_widgets", "widgets_open"),
              workload="widgets",
              note="ring 1000 × 300 in a cell, 7 times with no widget and 7 times with every "
                   "widget displayed (opened before, closed after each), interleaved, medians; no "
                   "browser attached: the widgets refresh and send to the client"),
    Benchmark("widgets_scale", "widget refresh at scale: observer over 100k processes, "
              "tree of a 1,000-child supervisor",
              "observer_ms", "ms", {"children": 1000, "processes": 100_000, "repeats": 5},
              {"children": 10, "processes": 100, "repeats": 1}, (BEAMLAB,),
              Target("max", 100.0, BEAMLAB, "≤ 100 ms a refresh (our reading of 'usable')"),
              extra=("tree_ms", "tree_change_ms"),
              note="Python side of one refresh, in a kernel, median of 5 (live=False, driven "
                   "by hand); tree_change_ms includes a kill and the redraw it causes"),
]

BENCHMARKS.append(Benchmark(
    "recorder", "flight recorder cost: ring and call throughput with it on, % of off",
    "ring_pct", "%",
    {"n": 1000, "rounds": 30, "calls": 20_000, "repeats": 5, "cap_events": 200_000},
    {"n": 20, "rounds": 3, "calls": 100, "repeats": 1, "cap_events": 500}, (BEAMLAB,),
    Target("min", 70.0, BEAMLAB, "≥ 70% (ring; call_pct beside it)"),
    extra=("call_pct", "us_per_hop_on", "us_per_hop_off", "us_per_call_on", "us_per_call_off",
           "cap_events", "cap_mb", "cap_estimate_mb"),
    higher_is_better=True, runs=1,
    note="benchmarks/recorder.py (issue 13): on/off interleaved `repeats` times, medians; "
         "cap_mb: what tracemalloc sees a full ring of cap_events hold, beside the recorder's "
         "own estimate (its byte cap)"))

BY_NAME: dict[str, Benchmark] = {b.name: b for b in BENCHMARKS}


def select(names: list[str], million: bool) -> list[Benchmark]:
    """The benchmarks to run: those named (any order, unknown names raise), or all
    the default ones plus the 1M ones when `million`.

        >>> [b.name for b in select([], million=False)][:2]
        ['spawn', 'memory']
    """
    if names:
        unknown = [n for n in names if n not in BY_NAME]
        if unknown:
            raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; "
                             f"choose from: {', '.join(BY_NAME)}")
        return [BY_NAME[n] for n in names]
    return [b for b in BENCHMARKS if million or not b.million]


def verdict(bench: Benchmark, medians: Callable[[str], float | None]) -> tuple[str, str]:
    """PASS/MISS/N/A for `bench` given a lookup of each subject's primary median."""
    if bench.target is None:
        return "—", "no target (figure stated)"
    t = bench.target
    figure = medians(BEAMLAB)
    return t.check(figure, bench.cost_ratio(figure, medians(t.peer)))
