"""Fairness: how late a 10 ms ticker is beside spinners and a thousand printing processes.

How this works: one runtime (real clock, signal preemption) runs `spinners`
processes in `while True: pass`, `printers` processes in `while True: print(...)`
(their output goes to a group leader writing to os.devnull, so the scheduler
really flushes it) and a ticker that sleeps to absolute `period` deadlines for
`duration` seconds. Lateness = wake-up time − deadline; p50/p99/max in ms.
This is issue 10's point 7: every busy process must get a whole time slice
from when it is switched in, and a process woken by its timer must run
promptly, not a round of a 1,000-long run queue later (target p99 ≤ 20 ms).

    $ python -m benchmarks fairness
"""
from __future__ import annotations

import os
import time

from benchmarks.common import Skip, percentile


def _spin():
    while True:
        pass


def _print_forever():
    i = 0
    while True:
        print("line", i)
        i += 1


def fairness(duration: float, spinners: int, printers: int, period: float) -> dict:
    try:
        import beamlab.runtime as bl
    except ImportError as exc:
        raise Skip(f"beamlab.runtime is not importable ({exc}); install the project with "
                   f"`make venv`") from None
    devnull = open(os.devnull, "w")

    def ticker(parent, ticks):
        lateness = []
        start = time.perf_counter()
        for k in range(1, ticks + 1):
            due = start + k * period
            delay = due - time.perf_counter()
            if delay > 0:
                bl.sleep(delay)
            lateness.append(time.perf_counter() - due)
        bl.send(parent, ("ticks", tuple(lateness)))

    def main():
        bl.sleep(0.2)       # every busy process has started and is in the run queue
        bl.spawn(ticker, bl.self(), max(1, round(duration / period)))
        _, lateness = bl.receive(("ticks", bl.ANY))
        ms = [x * 1000 for x in lateness]
        return {"p99_ms": percentile(ms, 0.99), "p50_ms": percentile(ms, 0.5),
                "max_ms": max(ms), "ticks": len(ms)}     # rt.stop() kills the busy ones

    rt = bl.Runtime(preemption="signal").start()
    # Spawned before the run starts, so that no spawner waits rounds of them in between.
    sink = bl.GroupLeader(devnull, label="devnull")
    for _ in range(spinners):
        rt.spawn(_spin)
    for _ in range(printers):
        rt.spawn(_print_forever, group_leader=sink)
    try:
        return rt.run(main)
    finally:
        rt.stop()
        devnull.close()


def thread_send(sends: int, spinners: int, period: float) -> dict:
    """Issue 10, point 10: a message sent from an OS thread to a process waiting in
    `receive()` with no timeout must wake it within 10 ms, even beside spinners.
    Latency = receive time − send time, over `sends` sends `period` apart."""
    import threading

    try:
        import beamlab.runtime as bl
    except ImportError as exc:
        raise Skip(f"beamlab.runtime is not importable ({exc}); install the project with "
                   f"`make venv`") from None

    def main():
        for _ in range(spinners):
            bl.spawn(_spin)
        me = bl.self()

        def sender():
            for _ in range(sends):
                time.sleep(period)
                bl.send(me, ("sent", time.perf_counter()))

        threading.Thread(target=sender, daemon=True).start()
        ms = []
        for _ in range(sends):
            _, t0 = bl.receive(("sent", bl.ANY))
            ms.append((time.perf_counter() - t0) * 1000)
        return {"p99_ms": percentile(ms, 0.99), "p50_ms": percentile(ms, 0.5), "max_ms": max(ms)}

    return bl.Runtime(preemption="signal").run(main)


WORKLOADS = {"fairness": fairness, "thread_send": thread_send}


if __name__ == "__main__":
    import json
    import sys
    params = {"duration": 5.0, "spinners": 8, "printers": 1000, "period": 0.01}
    if len(sys.argv) > 1:
        params.update(json.loads(sys.argv[1]))
    print(fairness(**params))
