"""Print benchmark tables and a summary; save the JSON.

How this works: `table` renders one BenchResult (one row per subject: the median
of the primary metric, its cost ratio to Erlang — how many times slower or
bigger, whichever way the metric points — and any extra metrics), followed by
the target line. `summary` is one line per benchmark. `save` writes
results/bench-<time>.json and results/latest.json (the folder is gitignored).

    >>> fmt(1234567.0), fmt(0.25), fmt(None)
    ('1,234,567', '0.250', '—')
"""
from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path

from benchmarks import erlang_peer
from benchmarks.harness import REPO_ROOT, BenchResult

RESULTS_DIR = Path(__file__).parent / "results"


def fmt(value: float | None) -> str:
    """A figure with 3 significant digits (thousands separated), or a dash."""
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}"
    if abs(value) >= 10:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _params(params: dict) -> str:
    return " ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in params.items())


def table(result: BenchResult) -> str:
    b = result.bench
    lines = [f"== {b.name}: {b.title}",
             f"   [{_params(result.params)}; median of {result.runs} run(s)]"]
    if b.note:
        lines.append(f"   ({b.note})")
    header = f"   {'subject':<10} {b.metric + ' (' + b.unit + ')':>26} {'× erlang':>9}"
    for extra in b.extra:
        header += f" {extra:>14}"
    lines.append(header)
    for subject in b.subjects:
        if subject in result.medians:
            med = result.medians[subject]
            row = f"   {subject:<10} {fmt(med.get(b.metric)):>26} {fmt(result.ratio(subject)):>9}"
            for extra in b.extra:
                row += f" {fmt(med.get(extra)):>14}"
            if subject in result.errors:
                row += f"   ({len(result.errors[subject])} run(s) failed)"
        elif subject in result.skipped:
            row = f"   {subject:<10} skipped: {result.skipped[subject]}"
        elif subject in result.errors:
            row = f"   {subject:<10} ERROR: {_first_line(result.errors[subject][0])}"
        else:
            row = f"   {subject:<10} not run"
        lines.append(row)
    for subject, notes in result.notes.items():
        lines.extend(f"   note ({subject}): {text}" for text in notes)
    target = b.target.text if b.target else "none (figure stated)"
    lines.append(f"   target: {target} -> {result.verdict} ({result.detail})")
    if result.load:
        lines.append(f"   (when it ended: {result.load})")
    return "\n".join(lines)


def _first_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return text
    return lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"


def load_line() -> str:
    """The machine's load, so a reader can tell a noisy run: e.g. "load 0.4 on 2 CPUs"."""
    import os
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load unknown"
    cpus = os.cpu_count() or 1
    text = f"load average {one:.1f} (5 min {five:.1f}) on {cpus} CPUs"
    if five > cpus * 0.75:
        text += " — other work was running: figures are noisy, rerun on a quiet machine"
    return text


def summary(results: list[BenchResult]) -> str:
    """One line a benchmark: beamlab's figure, Erlang's and the cost ratio the
    target judges, then beamlab's cost ratio to the bare greenlet scheduler and to
    asyncio (measured in the same run; a dash where that peer does not run it)."""
    lines = ["== summary (beamlab vs Erlang/OTP, same machine, same run; "
             "× = how many times costlier beamlab was)",
             f"   {'benchmark':<20} {'beamlab':>12} {'erlang':>12} {'×':>7}  {'target':<38} "
             f"{'verdict':<7} {'× greenlet':>10} {'× asyncio':>9}"]
    for r in results:
        b = r.bench
        target = b.target.text if b.target else "—"
        lines.append(f"   {b.name:<20} {fmt(r.primary('beamlab')):>12} {fmt(r.primary('erlang')):>12} "
                     f"{fmt(r.ratio('beamlab')):>7}  {target:<38} {r.verdict:<7} "
                     f"{fmt(r.ratio('beamlab', 'greenlet')):>10} "
                     f"{fmt(r.ratio('beamlab', 'asyncio')):>9}")
    return "\n".join(lines)


def machine() -> dict:
    """Where the figures were measured."""
    import os
    import sys
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    try:
        import greenlet
        greenlet_version = greenlet.__version__
    except ImportError:
        greenlet_version = None
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "greenlet": greenlet_version, "otp_release": erlang_peer.version(),
            "git_commit": commit}


def save(results: list[BenchResult], args: dict, started: float,
         results_dir: Path = RESULTS_DIR) -> Path:
    """Write the JSON report; return its path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    doc = {"started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
           "seconds": round(time.time() - started, 1), "args": args, "machine": machine(),
           "load_at_end": load_line(),
           "benchmarks": [r.to_json() for r in results]}
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    path = results_dir / f"bench-{stamp}.json"
    text = json.dumps(doc, indent=2)
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    return path
