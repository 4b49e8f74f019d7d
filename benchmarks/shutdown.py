"""Kernel shutdown with 100,000 processes: does it end inside jupyter_client's 2.5 s grace?

How this works: starts the installed "beamlab" kernel with jupyter_client, runs
a cell that starts `n` idle GenServers under supervisors (1,000 per
supervisor) or `n` plain processes waiting in `receive`, then shuts the kernel
down as a front end does (`shutdown_kernel(now=False)`: a shutdown_request,
then SIGTERM after half the 5 s wait). Prints the time from the request to the
kernel process's exit and its exit code (0: it exited by itself; -15: it had to
be terminated). Issue 10, point 12: before, 100k processes took 2.75 s and got
SIGTERM. Also times `Runtime.stop()` in this process, with and without a budget.

    $ python -m benchmarks.shutdown            # 100,000 of each
    $ python -m benchmarks.shutdown 20000
"""
from __future__ import annotations

import os
import sys
import time

GENSERVERS = """
class _Idle(GenServer):
    def init(self, arg):
        return Ok(arg)
_sups = [Supervisor.child_spec([child_spec((_Idle, i), id=i) for i in range(1000)], id=f"s{{j}}",
                               max_restarts=10**6) for j in range({n} // 1000)]
_top = Supervisor.start_link(_sups, max_restarts=10**6)
len(processes())
"""

PLAIN = """
for _ in range({n}):
    spawn(receive)
sleep(0.5)
len(processes())
"""


def kernel_shutdown(kind: str, n: int) -> dict:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="beamlab", startup_timeout=60)
    try:
        code = (GENSERVERS if kind == "genservers" else PLAIN).format(n=n)
        reply = kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        process = km.provisioner.process
        t0 = time.monotonic()
        km.shutdown_kernel(now=False)
        while process.poll() is None:
            time.sleep(0.01)
        return {"kind": kind, "processes": n, "shutdown_s": round(time.monotonic() - t0, 2),
                "exit_code": process.poll()}
    finally:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def runtime_stop(kind: str, n: int, unwind: float | None) -> float:
    from beamlab.runtime import Runtime, receive, sleep, spawn
    from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor

    class Idle(GenServer):
        def init(self, arg):
            return Ok(arg)

    def build():
        if kind == "genservers":
            sups = [Supervisor.child_spec([ChildSpec(id=i, start=(Idle.start_link, i)) for i in range(1000)],
                                          id=f"s{j}", max_restarts=10**6) for j in range(n // 1000)]
            Supervisor.start_link(sups, max_restarts=10**6)
        else:
            for _ in range(n):
                spawn(receive)
            sleep(0.5)

    kwargs = {"process_limit": 10 * n} if "process_limit" in Runtime.__init__.__code__.co_varnames else {}
    rt = Runtime(**kwargs)
    rt.start()
    rt.run_as(rt.new_process(), build)
    t0 = time.monotonic()
    rt.stop(unwind=unwind)
    return round(time.monotonic() - t0, 2)


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 100_000
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    for kind in ("genservers", "plain"):
        for unwind in (None, 0.5):
            print(f"Runtime.stop(unwind={unwind}) with {n:,} {kind}: "
                  f"{runtime_stop(kind, n, unwind)} s", flush=True)
        print(f"kernel shutdown: {kernel_shutdown(kind, n)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
