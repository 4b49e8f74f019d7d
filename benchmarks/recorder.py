"""The flight recorder's cost (issue 13, point 1): ring and call throughput with it on vs off,
and the memory it holds at its cap.

How this works: one runtime, one ring of `n` processes and one GenServer; the
main process times `rounds` trips of a token round the ring, then `calls`
calls, with the recorder on, then off (the runtime's hook set or cleared), and
again, `repeats` times, so a load change on the machine hits both alike; the
figures are medians of CPU time (process_time: on a machine shared with other
work, wall time measures the others too). `ring_pct` and `call_pct` are
throughput with the recorder on as a percentage of off (target ≥ 70 %).
Memory: a recorder capped at `cap_events` (and `cap_bytes`, default 64 MB:
`cap_bytes_mb`) fills past its cap with ring traffic; `cap_mb` is what tracemalloc
sees it hold (its ring and the terms it keeps), beside `cap_estimate_mb`, the
recorder's own estimate, which the byte cap uses (tests/benchmarks/
test_recorder_memory.py checks both stay within the caps).

    $ python -m benchmarks recorder
    $ python -m benchmarks.recorder          # the same figures, printed as JSON

CPU time on a shared machine moves ±10 points run to run, so what decides is
instruction counts: `valgrind --tool=callgrind` on a script that runs this
module's `_setup` (a ring of 100) with the recorder on, then off, for N and for 3N
rounds or calls, the difference divided by 2N hops or calls (start-up cancels;
a warm-up round and a gc.collect() first, the process left with os._exit so the
interpreter's teardown is not counted; a small `max_events` adds eviction).
2026-11-30, pure Python (BEAMLAB_PURE_PYTHON=1), instructions per hop / per call:
ring 13.6k off, 21.2k on before (8e3547e's recorder: 64 %), 18.8k on after (72 %);
call 42.6k off, 58.6k -> 57.2k on (73 -> 74.5 %). With the ring full and evicting
(max_events=20,000): ring 21.0k -> 18.8k, call 58.7k -> 58.1k. Compiled
(runtime/_accel.py): ring 9.6k off, 18.4k -> 16.0k on (52 -> 60 %), call 31.7k
off, 49.3k -> 47.4k on (64 -> 67 %): the recorder stayed pure, each hook a Python frame
entered from C. With the recorder compiled too (recorder.pxd, af1985b): ring 9.5-9.8k off,
11.6k on (85 %), call 32.2k off, 39.4k on (82 %); evicting (max_events=20,000) 11.3k and
39.2k. Pure after it: ring 13.6k off, 18.4k on (74 %), call 42.7k off, 56.5k on (75.7 %).
"""
from __future__ import annotations

import gc
import time
import tracemalloc

from benchmarks.common import Skip, median


def _ring_and_call(bl, otp, n: int, rounds: int, calls: int):
    """A main that times a ring of `n` × `rounds` and `calls` GenServer calls once."""
    def main():
        first, server = _setup(bl, otp, n)
        return _time_ring(bl, first, n, rounds), _time_calls(otp, server, calls)
    return main


def _forward(nxt):
    from beamlab.runtime import receive, send
    while True:
        send(nxt, receive())


def _setup(bl, otp, n: int):
    class Echo(otp.GenServer):
        def init(self, arg):
            return otp.Ok(0)

        def handle_call(self, request, from_, count):
            return otp.Reply(request, count + 1)

    first = bl.self()
    for _ in range(n - 1):
        first = bl.spawn(_forward, first)
    bl.send(first, "token")         # warm-up round: every node has run once
    bl.receive()
    server = otp.GenServer.start_link(Echo, None)
    otp.GenServer.call(server, "warm")
    return first, server


def _time_ring(bl, first, n: int, rounds: int) -> float:
    t0 = time.process_time()
    for _ in range(rounds):
        bl.send(first, "token")
        bl.receive()
    return (time.process_time() - t0) / (n * rounds)


def _time_calls(otp, server, calls: int) -> float:
    call = otp.GenServer.call
    t0 = time.process_time()
    for i in range(calls):
        call(server, ("echo", i))
    return (time.process_time() - t0) / calls


def recorder_cost(n: int, rounds: int, calls: int, repeats: int, cap_events: int,
                  cap_bytes: int | None = None) -> dict:
    try:
        import beamlab.runtime as bl
        import beamlab.runtime.otp as otp
        from beamlab.runtime.recorder import Recorder
    except ImportError as exc:
        raise Skip(f"beamlab is not importable ({exc}); install the project with `make venv`") from None
    rec = Recorder(max_events=cap_events)
    rt = bl.Runtime(preemption="cooperative", record=rec)

    def main():
        first, server = _setup(bl, otp, n)
        ring, call = {True: [], False: []}, {True: [], False: []}
        for _ in range(repeats):
            for on in (True, False):
                rt._recorder = rec if on else None      # the same processes, on and off in turn
                ring[on].append(_time_ring(bl, first, n, rounds))
                call[on].append(_time_calls(otp, server, calls))
        rt._recorder = rec
        return ring, call
    ring, call = rt.run(main)
    ring_on, ring_off = median(ring[True]), median(ring[False])
    call_on, call_off = median(call[True]), median(call[False])
    rec = rt = None

    # Memory at the cap: fill a capped recorder well past its cap, measure what it holds.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rec = Recorder(max_events=cap_events, **({"max_bytes": cap_bytes} if cap_bytes else {}))
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
        "cap_bytes_mb": rec.max_bytes / 2**20,
    }


WORKLOADS = {"recorder": recorder_cost}


if __name__ == "__main__":
    import json
    print(json.dumps(recorder_cost(n=1000, rounds=10, calls=5_000, repeats=9,
                                   cap_events=100_000), indent=1))
