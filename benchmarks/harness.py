"""Run benchmarks against their peers, take medians, judge targets.

How this works: for each selected benchmark, `run_benchmark` does `runs` rounds;
in each round every subject runs the workload once, in a fresh OS process
(Python subjects via `python -m benchmarks.worker`, Erlang via one `erl`), so the
subjects interleave and share the machine's noise evenly. A subject that skips
(no `erl`, beamlab's OTP layer not importable yet) is asked once, not per round.
The per-metric median over rounds is the figure; the primary metric's ratio to
Erlang and the target verdict follow (benchmarks/catalog.py).

    >>> from benchmarks.catalog import BY_NAME
    >>> result = run_benchmark(BY_NAME["ring"], quick=True, subjects=["greenlet"])
    >>> result.medians["greenlet"]["us_per_hop"] > 0
    True
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import erlang_peer
from benchmarks.catalog import ERLANG, Benchmark, verdict
from benchmarks.common import parse_line

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BenchResult:
    """Everything measured for one benchmark, ready for the table and the JSON."""

    bench: Benchmark
    params: dict
    runs: int
    samples: dict[str, list[dict]] = field(default_factory=dict)   # subject -> per-run figures
    skipped: dict[str, str] = field(default_factory=dict)          # subject -> why
    errors: dict[str, list[str]] = field(default_factory=dict)     # subject -> error texts
    notes: dict[str, list[str]] = field(default_factory=dict)      # subject -> BENCH-NOTE texts
    medians: dict[str, dict] = field(default_factory=dict)         # subject -> metric -> median
    verdict: str = "—"
    detail: str = ""
    load: str = ""          # the machine's load when the benchmark ended (report.load_line)

    def primary(self, subject: str) -> float | None:
        return self.medians.get(subject, {}).get(self.bench.metric)

    def ratio(self, subject: str, peer: str = ERLANG) -> float | None:
        """How many times costlier `subject` was than `peer` (Erlang by default)."""
        return self.bench.cost_ratio(self.primary(subject), self.primary(peer))

    def to_json(self) -> dict:
        b = self.bench
        return {
            "name": b.name, "title": b.title, "workload": b.workload_name,
            "metric": b.metric, "unit": b.unit, "params": self.params, "runs": self.runs,
            "higher_is_better": b.higher_is_better, "note": b.note,
            "target": b.target.text if b.target else None,
            "verdict": self.verdict, "detail": self.detail, "load": self.load,
            "subjects": {
                s: {"median": self.medians.get(s), "samples": self.samples.get(s, []),
                    "skipped": self.skipped.get(s), "errors": self.errors.get(s, []),
                    "notes": self.notes.get(s, []),
                    "ratio_vs_erlang": self.ratio(s)}
                for s in b.subjects
            },
        }


def run_python_subject(subject: str, workload: str, params: dict, timeout: float,
                       note_sink: list[str]) -> dict | str:
    """One run of a Python subject in a fresh interpreter: figures, "skip: ..." or "error: ..."."""
    cmd = [sys.executable, "-m", "benchmarks.worker", subject, workload, json.dumps(params)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=REPO_ROOT, env=env)
    except subprocess.TimeoutExpired:
        return f"error: timed out after {timeout:.0f} s"
    notes = [line[len("BENCH-NOTE "):] for line in proc.stdout.splitlines()
             if line.startswith("BENCH-NOTE ")]
    if notes and proc.returncode == 0:
        note_sink.extend(notes)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-SKIP"):
            return "skip: " + line[len("BENCH-SKIP"):].strip()
        parsed = parse_line(line)
        if parsed and proc.returncode == 0:
            return parsed[1]
    tail = (proc.stderr.strip() or proc.stdout.strip())[-1500:]
    return f"error: exit {proc.returncode}: {tail}"


def run_subject(bench: Benchmark, subject: str, params: dict, note_sink: list[str]) -> dict | str:
    if subject == ERLANG:
        if not erlang_peer.available():
            return "skip: " + erlang_peer.MISSING.removeprefix("skipped: ")
        return erlang_peer.run([(bench.workload_name, params)], timeout=bench.timeout)[0]
    return run_python_subject(subject, bench.workload_name, params, bench.timeout, note_sink)


def run_benchmark(bench: Benchmark, quick: bool = False, runs: int | None = None,
                  subjects: list[str] | None = None, progress=None) -> BenchResult:
    """Run `bench` for its subjects (or the given ones), `runs` rounds, and judge it."""
    params = bench.quick if quick else bench.params
    runs = runs or (1 if quick else bench.runs)
    result = BenchResult(bench, params, runs)
    todo = [s for s in bench.subjects if subjects is None or s in subjects]
    for round_no in range(1, runs + 1):
        for subject in todo:
            if subject in result.skipped:
                continue
            notes: list[str] = []
            out = run_subject(bench, subject, params, notes)
            for text in notes:
                if text not in result.notes.setdefault(subject, []):
                    result.notes[subject].append(text)
            if isinstance(out, dict):
                result.samples.setdefault(subject, []).append(out)
            elif out.startswith("skip: "):
                result.skipped[subject] = out.removeprefix("skip: ")
            else:
                result.errors.setdefault(subject, []).append(out)
            if progress:
                progress(bench, subject, round_no, runs, out)
    for subject, samples in result.samples.items():
        keys = samples[0].keys()
        result.medians[subject] = {k: statistics.median(s[k] for s in samples if k in s)
                                   for k in keys}
    result.verdict, result.detail = verdict(bench, result.primary)
    from benchmarks.report import load_line     # (report imports this module)
    result.load = load_line()
    return result
