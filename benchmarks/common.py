"""Small helpers shared by the workloads and the harness.

How this works: workloads measure with `time.perf_counter`, compute memory as an
RSS delta read from /proc/self/statm (falling back to the peak RSS from
`resource` where /proc is absent), and return plain dicts of floats that
`format_line` turns into the `BENCH <workload> key=value ...` line the harness
parses with `parse_line`.

    >>> parse_line(format_line("ring", {"us_per_hop": 0.5}))
    ('ring', {'us_per_hop': 0.5})
"""
from __future__ import annotations

import gc
import os
import statistics


class Skip(Exception):
    """Raised by a workload that cannot run here; the message says why and what to do."""


def format_line(workload: str, figures: dict[str, float]) -> str:
    """One result line: `BENCH <workload> key=value ...`."""
    parts = " ".join(f"{k}={float(v):.6f}" for k, v in figures.items())
    return f"BENCH {workload} {parts}".rstrip()


def parse_line(line: str) -> tuple[str, dict[str, float]] | None:
    """Parse a `BENCH` line into (workload, figures); None for any other line."""
    fields = line.split()
    if len(fields) < 2 or fields[0] != "BENCH":
        return None
    figures = {}
    for field in fields[2:]:
        key, _, value = field.partition("=")
        figures[key] = float(value)
    return fields[1], figures


def note(text: str) -> None:
    """A remark for the report beside the figures (e.g. which widgets were open):
    printed as a `BENCH-NOTE` line, which the harness shows under the table."""
    os.write(1, ("BENCH-NOTE " + " ".join(text.split()) + "\n").encode())


def emit_and_exit(workload: str, figures: dict[str, float]) -> None:
    """Print the result line and end the worker process at once, skipping the
    runtime's teardown (stopping a million processes one by one measures nothing
    and takes longer than the benchmark). Only for workers, never in-process."""
    # os.write, not print: inside a process print goes to its group leader's buffer.
    os.write(1, (format_line(workload, figures) + "\n").encode())
    os._exit(0)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Current resident set size of this process, in bytes."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def settled_rss() -> int:
    """RSS after a full garbage collection (what idle objects really hold)."""
    gc.collect()
    return rss_bytes()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list.

        >>> percentile([1, 2, 3, 4], 0.5)
        2
    """
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def median(values: list[float]) -> float:
    return statistics.median(values)


def cpu_loop(iterations: int) -> int:
    """The CPU-bound body of the preemption-overhead benchmark (pure Python)."""
    total = 0
    for i in range(iterations):
        total += i * i % 7
    return total
