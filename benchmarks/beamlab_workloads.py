"""beamlab's runtime under the benchmark workloads (public API only).

How this works: each workload builds a `Runtime` (real clock; preemption as
named, default "auto") and runs a `main` process in it with `rt.run`, timing
with `time.perf_counter` inside the process. Shapes match the peers exactly
(benchmarks/greenlet_peer.py, asyncio_peer.py, erlang/beamlab_bench.erl):

- spawn: spawn N processes that wait in receive, then one that messages the
  spawner; timed until that message arrives (all N have reached receive).
- spawn_exit: spawn N processes that each send the spawner one message and
  exit; timed until the spawner has received all N (short-lived processes).
- memory: RSS delta (after gc.collect) of the same N idle processes, / N;
  memory_parts splits it (Python heap, saved C stacks, outside the heap).
- ring: N processes in a ring (main is one), token round R times after a
  warm-up round; µs per hop.
- pingpong: round trips to an echo process.
- preemption: 4 spinners (`while True: pass`) and a ticker that sleeps to
  absolute 10 ms deadlines; lateness = wake time − deadline, p50/p99/max in ms.
- overhead: two processes each running the same pure-Python CPU loop, with
  preemption="signal" (they interleave) vs "cooperative" (one after the other);
  the overhead is the signal run's extra time in percent. Also the loop alone in
  one process (alone_pct: the cost of the ticking itself), and a bare loop
  outside any runtime for reference. Modes alternate; medians. `first_done` is
  when the first of the two signal-mode loops finished, as a fraction of the
  total: near 1.0 proves they were interleaved (0.5 would mean no preemption).

    >>> ring(n=10, rounds=2)["us_per_hop"] > 0   # doctest: +SKIP
    True
"""
from __future__ import annotations

import statistics
import time

from benchmarks.common import Skip, cpu_loop, emit_and_exit, percentile, settled_rss


# The runtime's functions, bound as module globals by _runtime() (as a user's
# `from beamlab.runtime import ...` would), so process bodies pay no import.
spawn = send = receive = sleep = my_pid = None
# False: every function process runs on a greenlet (`Runtime(stackless=False)`), the
# "beamlab-gl" subject; True: the default, processes whose receives sit in their own
# body run stackless (runtime/stackless.py)
STACKLESS = True


def _runtime():
    """The beamlab.runtime module (binding its functions here), or Skip saying what to do."""
    try:
        import beamlab.runtime as runtime
        api = {"spawn": runtime.spawn, "send": runtime.send, "receive": runtime.receive,
               "sleep": runtime.sleep, "my_pid": runtime.self, "Runtime": runtime.Runtime}
    except (ImportError, AttributeError) as exc:
        raise Skip(f"beamlab.runtime is not importable ({type(exc).__name__}: {exc}); "
                   f"install the project with `make venv`") from None
    del api["Runtime"]
    globals().update(api)
    return runtime


def _run(main, *args, preemption: str = "auto"):
    bl = _runtime()
    rt = bl.Runtime(preemption=preemption) if STACKLESS else \
        bl.Runtime(preemption=preemption, stackless=False)
    try:
        return rt.run(main, *args)
    finally:
        rt.stop()


# ---- process bodies ------------------------------------------------------------

def _idle():
    receive()


def _last(parent):
    send(parent, "done")


def _forward(nxt):
    while True:
        send(nxt, receive())


def _echo():
    while True:
        frm, msg = receive()
        send(frm, msg)


def _spin():
    while True:
        pass


def _ticker(parent, ticks: int, period: float):
    lateness = []
    start = time.perf_counter()
    for k in range(1, ticks + 1):
        due = start + k * period
        delay = due - time.perf_counter()
        if delay > 0:
            sleep(delay)
        lateness.append(time.perf_counter() - due)
    send(parent, ("ticks", tuple(lateness)))


# ---- workloads -----------------------------------------------------------------

def spawn_rate(n: int) -> dict:
    def main():
        me = my_pid()
        t0 = time.perf_counter()
        for _ in range(n):
            spawn(_idle)
        t1 = time.perf_counter()
        spawn(_last, me)
        receive()
        return {"us_per_spawn": (time.perf_counter() - t0) / n * 1e6,
                "us_spawn_call": (t1 - t0) / n * 1e6}
    return _run(main)


def memory(n: int, exit_early: bool = True) -> dict:
    def main():
        me = my_pid()
        before = settled_rss()
        for _ in range(n):
            spawn(_idle)
        spawn(_last, me)
        receive()
        figures = {"bytes_per_process": (settled_rss() - before) / n, "n": n}
        if exit_early:
            emit_and_exit("memory", figures)
        return figures
    return _run(main)


def _notify(parent):
    send(parent, "exited")


def spawn_exit(n: int) -> dict:
    def main():
        me = my_pid()
        t0 = time.perf_counter()
        for _ in range(n):
            spawn(_notify, me)
        for _ in range(n):
            receive()
        return {"us_per_spawn_exit": (time.perf_counter() - t0) / n * 1e6}
    return _run(main)


def memory_parts(n: int) -> dict:
    """Where an idle process's bytes go: the RSS delta of n processes idle in
    receive, then (tracemalloc on) the Python heap of n more: objects, and the
    greenlets' saved C stacks, which greenlet copies to the Python heap. The rest
    of the RSS is outside that heap: each greenlet's interpreter data stack (a
    16 KB mapping of which the first 4 KB page is touched) and allocator slack."""
    import tracemalloc

    def main():
        me = my_pid()
        before = settled_rss()
        for _ in range(n):
            spawn(_idle)
        spawn(_last, me)
        receive()
        rss = (settled_rss() - before) / n
        tracemalloc.start()
        traced0 = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            spawn(_idle)
        spawn(_last, me)
        receive()
        snapshot = tracemalloc.take_snapshot()
        heap = (tracemalloc.get_traced_memory()[0] - traced0) / n
        tracemalloc.stop()
        # the saved stacks: blocks of half a KB and more (no Python object of an
        # idle process is that big), one or more a process, allocated at a switch: on
        # the runtime's switch lines, or, when the runtime runs compiled (no Python
        # line of its own), on the line of the process's code that called receive()
        stacks = sum(st.size for st in snapshot.statistics("lineno")
                     if st.size >= 512 * st.count and st.count >= n) / n
        emit_and_exit("memory_parts", {"bytes_per_process": rss, "python_heap": heap,
                                       "saved_c_stack": stacks, "outside_heap": rss - heap,
                                       "n": n})
    return _run(main)


def ring(n: int, rounds: int) -> dict:
    def main():
        first = my_pid()
        for _ in range(n - 1):
            first = spawn(_forward, first)
        send(first, "token")              # warm-up round: every node has run once
        receive()
        t0 = time.perf_counter()
        for _ in range(rounds):
            send(first, "token")
            receive()
        return {"us_per_hop": (time.perf_counter() - t0) / (n * rounds) * 1e6}
    return _run(main)


def pingpong(n: int) -> dict:
    def main():
        echo, me = spawn(_echo), my_pid()
        t0 = time.perf_counter()
        for i in range(n):
            send(echo, (me, i))
            receive()
        return {"us_per_round_trip": (time.perf_counter() - t0) / n * 1e6}
    return _run(main)


def preemption(duration: float, spinners: int, period: float) -> dict:
    def main():
        bl = _runtime()
        spins = [spawn(_spin) for _ in range(spinners)]
        spawn(_ticker, my_pid(), max(1, round(duration / period)), period)
        _, lateness = receive(("ticks", bl.ANY))
        for pid in spins:
            bl.exit(pid, "kill")
        ms = [x * 1000 for x in lateness]
        return {"p50_ms": percentile(ms, 0.5), "p99_ms": percentile(ms, 0.99),
                "max_ms": max(ms), "ticks": len(ms)}
    return _run(main)


def _cpu_then_notify(parent, iterations: int):
    cpu_loop(iterations)
    send(parent, "cpu done")


def overhead(iterations: int, pairs: int) -> dict:
    def alone():
        t0 = time.perf_counter()
        cpu_loop(iterations)
        return time.perf_counter() - t0

    def contended():
        me = my_pid()
        t0 = time.perf_counter()
        spawn(_cpu_then_notify, me, iterations)
        spawn(_cpu_then_notify, me, iterations)
        receive("cpu done")
        first = time.perf_counter() - t0
        receive("cpu done")
        total = time.perf_counter() - t0
        firsts.append(first / total)
        return total

    times: dict[str, list[float]] = {}
    firsts: list[float] = []   # when the first loop finished, as a fraction of the total
    for _ in range(pairs):
        times.setdefault("bare", []).append(alone())
        for mode in ("cooperative", "signal"):
            times.setdefault(f"alone_{mode}", []).append(_run(alone, preemption=mode))
            times.setdefault(f"two_{mode}", []).append(_run(contended, preemption=mode))
            if mode == "signal":
                times.setdefault("first_done", []).append(firsts[-1])
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"overhead_pct": (med["two_signal"] / med["two_cooperative"] - 1) * 100,
            "alone_pct": (med["alone_signal"] / med["alone_cooperative"] - 1) * 100,
            "cooperative_s": med["alone_cooperative"], "signal_s": med["alone_signal"],
            "bare_s": med["bare"], "first_done": med["first_done"]}


WORKLOADS = {"spawn": spawn_rate, "memory": memory, "ring": ring, "pingpong": pingpong,
             "preemption": preemption, "overhead": overhead, "spawn_exit": spawn_exit,
             "memory_parts": memory_parts}
