"""Run one workload of one subject in this (fresh) process and print its figures.

How this works: the harness (benchmarks/harness.py) starts
`python -m benchmarks.worker <subject> <workload> '<params json>'` once per run,
so every run starts from a clean interpreter (memory figures are RSS deltas, and
preemption needs the main thread and its own signal handlers). The workload
returns a dict of figures; this prints them as one parseable line, the same
format the Erlang peer prints:

    BENCH ring us_per_hop=0.731

or `BENCH-SKIP <reason>` when the subject cannot run here (e.g. beamlab's OTP
layer is not importable yet). Anything else is an error: traceback, exit 1.

    $ python -m benchmarks.worker greenlet ring '{"n": 10, "rounds": 2}'
    BENCH ring us_per_hop=...
"""
from __future__ import annotations

import importlib
import json
import os
import sys

from benchmarks.common import Skip, format_line

SUBJECT_MODULES = {
    "beamlab": ["benchmarks.beamlab_workloads", "benchmarks.otp_workloads",
                "benchmarks.kernel_workloads", "benchmarks.fairness", "benchmarks.recorder"],
    "beamlab-gl": ["benchmarks.beamlab_workloads"],   # the same, every process on a greenlet
    "greenlet": ["benchmarks.greenlet_peer"],
    "asyncio": ["benchmarks.asyncio_peer"],
}


def find_workload(subject: str, workload: str):
    """The function implementing `workload` for `subject` (searches its modules)."""
    if subject not in SUBJECT_MODULES:
        raise SystemExit(f"unknown subject {subject!r}; choose from {', '.join(SUBJECT_MODULES)}")
    for modname in SUBJECT_MODULES[subject]:
        module = importlib.import_module(modname)
        fn = module.WORKLOADS.get(workload)
        if fn is not None:
            return fn
    raise SystemExit(f"subject {subject!r} has no workload {workload!r}")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    subject, workload, params = argv[0], argv[1], json.loads(argv[2])
    fn = find_workload(subject, workload)
    if subject == "beamlab-gl":
        import benchmarks.beamlab_workloads as bw
        bw.STACKLESS = False
    try:
        figures = fn(**params)
    except Skip as skip:
        print(f"BENCH-SKIP {skip}", flush=True)
        return 0
    print(format_line(workload, figures), flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: freeing a million greenlets/tasks one by one takes
    # longer than the benchmark and measures nothing.
    os._exit(code)
