"""What a deterministic run costs (issue 13, point 4): counting work with a trace function.

How this works: the same three workloads run in an ordinary runtime (cooperative,
MockClock, recording: a deterministic run always records, so the recorder is on in
both) and in a deterministic run (`beamlab.run(main, seed=1)`), in turn, `repeats`
times, so a load change on the machine hits both alike; the figures are medians
of CPU time (process_time). Each is timed inside the run's own main process:

- `spin`: a pure CPU loop (`for i in range(n): x += i`) in one process: the
  trace function's cost per line of learner code, the worst case;
- `spin2`: the same loop in two processes at once (the ordinary run uses the
  SIGALRM tick here, the deterministic one its counted slices): slices and switches;
- `ring`: a token round a ring of `ring_n` processes: a send and a receive per hop;
- `call`: GenServer calls.

`*_x` is deterministic time / ordinary time (how many times slower).

    $ python -m benchmarks.deterministic          # JSON
"""
from __future__ import annotations

import os
import time

from benchmarks.common import median


def _spin(n: int) -> float:
    t0 = time.process_time()
    x = 0
    for i in range(n):
        x += i
    return time.process_time() - t0


def _spin_pair(bl, n: int) -> float:
    me = bl.self()

    def worker():
        x = 0
        for i in range(n):
            x += i
        bl.send(me, "done")
    t0 = time.process_time()
    bl.spawn(worker)
    bl.spawn(worker)
    bl.receive()
    bl.receive()
    return time.process_time() - t0


def _forward(nxt):
    from beamlab.runtime import receive, send
    while True:
        send(nxt, receive())


def _ring(bl, n: int, rounds: int) -> float:
    first = bl.self()
    for _ in range(n - 1):
        first = bl.spawn(_forward, first)
    bl.send(first, "warm")
    bl.receive()
    t0 = time.process_time()
    for _ in range(rounds):
        bl.send(first, "token")
        bl.receive()
    return (time.process_time() - t0) / (n * rounds)


def _calls(otp, calls: int) -> float:
    class Echo(otp.GenServer):
        def init(self, arg):
            return otp.Ok(0)

        def handle_call(self, request, from_, count):
            return otp.Reply(request, count + 1)
    server = otp.GenServer.start_link(Echo, None)
    call = otp.GenServer.call
    call(server, "warm")
    t0 = time.process_time()
    for i in range(calls):
        call(server, ("echo", i))
    return (time.process_time() - t0) / calls


def deterministic_cost(spin_n: int = 1_000_000, ring_n: int = 500, rounds: int = 20,
                       calls: int = 5_000, repeats: int = 5) -> dict:
    import beamlab
    import beamlab.runtime as bl
    import beamlab.runtime.otp as otp

    def workload():
        return {"spin": _spin(spin_n) / spin_n, "spin2": _spin_pair(bl, spin_n) / (2 * spin_n),
                "ring": _ring(bl, ring_n, rounds), "call": _calls(otp, calls)}
    runs: dict = {"ordinary": [], "deterministic": []}
    for _ in range(repeats):
        runs["ordinary"].append(bl.Runtime(clock=bl.MockClock(), record=True).run(workload))
        runs["deterministic"].append(beamlab.run(workload, seed=1))
    out = {}
    for key in ("spin", "spin2", "ring", "call"):
        a = median([r[key] for r in runs["ordinary"]])
        b = median([r[key] for r in runs["deterministic"]])
        out[f"{key}_us_ordinary"] = a * 1e6
        out[f"{key}_us_deterministic"] = b * 1e6
        out[f"{key}_x"] = b / a
    out["load"] = os.getloadavg()
    return out


WORKLOADS = {"deterministic": deterministic_cost}


if __name__ == "__main__":
    import json
    print(json.dumps(deterministic_cost(), indent=1))
