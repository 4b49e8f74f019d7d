"""beamlab's OTP layer (GenServer, Supervisor) under the benchmark workloads.

How this works: the same shapes as the Erlang peer (benchmarks/erlang/):
- call: `GenServer.call(server, ("echo", i))` round trips, µs each.
- cast: N `GenServer.cast(server, "bump")` then one call that returns the
  count (so every cast was handled); msgs/s.
- restart: a one_for_one Supervisor of one worker whose init messages the
  benchmark process; kill the worker (`exit(pid, "kill")`) and time until the
  new worker's message arrives. Intensity is set high so it never trips.
- genserver_memory: RSS delta (after gc.collect) of N idle GenServers, / N.
Every workload skips, saying so, until beamlab.runtime.otp is importable.

    >>> call(n=10)["us_per_call"] > 0   # doctest: +SKIP
    True
"""
from __future__ import annotations

import time

from benchmarks import beamlab_workloads as bw
from benchmarks.common import Skip, emit_and_exit, percentile, settled_rss


def _otp(*needs: str):
    """The beamlab.runtime.otp module, or Skip saying what is missing."""
    bw._runtime()
    try:
        import beamlab.runtime.otp as otp
        for name in ("GenServer", "Ok", "Reply", "NoReply", *needs):
            getattr(otp, name)
    except (ImportError, AttributeError) as exc:
        raise Skip(f"beamlab.runtime.otp is not importable yet ({type(exc).__name__}: {exc})") \
            from None
    return otp


def _server_class(otp):
    """A GenServer that echoes calls, counts casts, and can tell a collector it started."""

    class BenchServer(otp.GenServer):
        def init(self, arg):
            if arg is not None:
                bw.send(arg, ("started", bw.my_pid()))
            return otp.Ok(0)

        def handle_call(self, request, from_, count):
            if request == "count":
                return otp.Reply(count, count)
            return otp.Reply(request[1], count)

        def handle_cast(self, request, count):
            return otp.NoReply(count + 1)

    return BenchServer


def _start(otp, cls, arg=None, link=True):
    return (otp.GenServer.start_link if link else otp.GenServer.start)(cls, arg)


def call(n: int) -> dict:
    otp = _otp()

    def main():
        server = _start(otp, _server_class(otp))
        t0 = time.perf_counter()
        for i in range(n):
            otp.GenServer.call(server, ("echo", i))     # as a learner writes it
        return {"us_per_call": (time.perf_counter() - t0) / n * 1e6}
    return bw._run(main)


def cast(n: int) -> dict:
    otp = _otp()

    def main():
        server = _start(otp, _server_class(otp))
        gs_cast = otp.GenServer.cast
        t0 = time.perf_counter()
        for _ in range(n):
            gs_cast(server, "bump")
        handled = otp.GenServer.call(server, "count", timeout="infinity")
        elapsed = time.perf_counter() - t0
        assert handled == n, f"{handled} of {n} casts handled"
        return {"msgs_per_s": n / elapsed}
    return bw._run(main)


def restart(n: int) -> dict:
    otp = _otp("Supervisor")
    bl = bw._runtime()

    def main():
        me = bw.my_pid()
        spec = _server_class(otp).child_spec(me)
        otp.Supervisor.start_link([spec], strategy="one_for_one",
                                  max_restarts=1_000_000_000, max_seconds=1)
        _, child = bw.receive(("started", bl.ANY))
        latencies = []
        for _ in range(n):
            t0 = time.perf_counter()
            bl.exit(child, "kill")
            _, child = bw.receive(("started", bl.ANY))
            latencies.append((time.perf_counter() - t0) * 1e6)
        return {"median_us": percentile(latencies, 0.5), "p99_us": percentile(latencies, 0.99)}
    return bw._run(main)


def genserver_memory(n: int, exit_early: bool = True) -> dict:
    otp = _otp()

    def main():
        cls = _server_class(otp)
        before = settled_rss()
        for _ in range(n):
            _start(otp, cls, link=False)
        figures = {"bytes_per_process": (settled_rss() - before) / n, "n": n}
        if exit_early:
            emit_and_exit("genserver_memory", figures)
        return figures
    return bw._run(main)


WORKLOADS = {"call": call, "cast": cast, "restart": restart, "genserver_memory": genserver_memory}
