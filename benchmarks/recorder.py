"""The flight recorder's cost (issue 13, point 1): ring and call throughput with it on vs off,
and the memory it holds at its cap.

How this works: one process runs, in turn, a ring of `n` processes × `rounds`
and `calls` GenServer calls, in a runtime that records and in one that does
not, `repeats` times interleaved (on, off, on, off...), so a load change on the
machine hits both alike; the figures are medians. `ring_pct` and `call_pct` are
throughput with the recorder on as a percentage of off (target ≥ 70 %).
Memory: a recorder capped at `cap_events` fills past its cap with ring traffic;
`cap_mb` is what tracemalloc sees it hold (its ring and the terms it keeps),
beside `cap_estimate_mb`, the recorder's own estimate, which the byte cap uses.

    $ python -m benchmarks recorder
    $ python -m benchmarks.recorder          # the same figures, printed as JSON
"""
from __future__ import annotations

import gc
import time
import tracemalloc

from benchmarks.common import Skip, median


def _ring_and_call(bl, otp, n: int, rounds: int, calls: int):
    def forward(nxt):
        while True:
            bl.send(nxt, bl.receive())

    class Echo(otp.GenServer):
        def init(self, arg):
            return otp.Ok(0)

        def handle_call(self, request, from_, count):
            return otp.Reply(request, count + 1)

    def main():
        first = bl.self()
        for _ in range(n - 1):
            first = bl.spawn(forward, first)
        bl.send(first, "token")
        bl.receive()
        t0 = time.perf_counter()
        for _ in range(rounds):
            bl.send(first, "token")
            bl.receive()
        ring = (time.perf_counter() - t0) / (n * rounds)
        server = otp.GenServer.start_link(Echo, None)
        otp.GenServer.call(server, "warm")
        t0 = time.perf_counter()
        for i in range(calls):
            otp.GenServer.call(server, ("echo", i))
        call = (time.perf_counter() - t0) / calls
        return ring, call
    return main


def recorder_cost(n: int, rounds: int, calls: int, repeats: int, cap_events: int) -> dict:
    try:
        import beamlab.runtime as bl
        import beamlab.runtime.otp as otp
        from beamlab.runtime.recorder import Recorder
    except ImportError as exc:
        raise Skip(f"beamlab is not importable ({exc}); install the project with `make venv`") from None
    ring = {True: [], False: []}
    call = {True: [], False: []}
    for _ in range(repeats):
        for on in (True, False):
            rec = Recorder(max_events=cap_events) if on else False
            gc.collect()
            r, c = bl.Runtime(preemption="cooperative", record=rec).run(
                _ring_and_call(bl, otp, n, rounds, calls))
            ring[on].append(r)
            call[on].append(c)
    ring_on, ring_off = median(ring[True]), median(ring[False])
    call_on, call_off = median(call[True]), median(call[False])

    # Memory at the cap: fill a capped recorder well past its cap, measure what it holds.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rec = Recorder(max_events=cap_events)
    hops = max(2 * cap_events // (3 * n), 1) + 1      # a hop records a send and a receive
    bl.Runtime(preemption="cooperative", record=rec).run(_ring_and_call(bl, otp, n, hops, 1))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {
        "ring_pct": 100.0 * ring_off / ring_on, "call_pct": 100.0 * call_off / call_on,
        "us_per_hop_on": ring_on * 1e6, "us_per_hop_off": ring_off * 1e6,
        "us_per_call_on": call_on * 1e6, "us_per_call_off": call_off * 1e6,
        "cap_events": cap_events, "events_held": len(rec), "evicted": rec.evicted,
        "cap_mb": held / 2**20, "cap_estimate_mb": rec.bytes / 2**20,
    }


WORKLOADS = {"recorder": recorder_cost}


if __name__ == "__main__":
    import json
    print(json.dumps(recorder_cost(n=1000, rounds=30, calls=20_000, repeats=5,
                                   cap_events=100_000), indent=1))
