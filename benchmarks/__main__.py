"""`python -m benchmarks [names...] [--quick] [--million]` — see benchmarks/__init__.py."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks import catalog, harness, report


def _progress(bench, subject, round_no, runs, out):
    if isinstance(out, dict):
        shown = ", ".join(f"{k}={report.fmt(v)}" for k, v in out.items())
    else:
        shown = out.splitlines()[0][:160] if out else out
    print(f"   .. {bench.name} {subject} run {round_no}/{runs}: {shown}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    names = ", ".join(catalog.BY_NAME)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="beamlab benchmarks beside Erlang/OTP, a minimal greenlet scheduler and "
                    "asyncio, measured in the same run. Prints a table per benchmark, a summary, "
                    "and writes JSON to benchmarks/results/.",
        epilog=f"benchmarks: {names}. The 1M-process memory runs (memory_1m, "
               f"genserver_memory_1m) take about a minute each and run only with --million "
               f"or when named.")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all but the 1M ones)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one run: checks that every benchmark still works")
    parser.add_argument("--million", action="store_true",
                        help="also run the 1M-process memory benchmarks")
    parser.add_argument("--runs", type=int, default=None, help="runs per subject (default 3)")
    parser.add_argument("--subjects", default=None,
                        help="comma-separated subset of beamlab,erlang,greenlet,asyncio")
    parser.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR,
                        help="where to write the JSON (default benchmarks/results/)")
    parser.add_argument("--no-save", action="store_true", help="do not write JSON")
    args = parser.parse_args(argv)

    started = time.time()
    selected = catalog.select(args.names, million=args.million)
    subjects = args.subjects.split(",") if args.subjects else None
    results = []
    for bench in selected:
        result = harness.run_benchmark(bench, quick=args.quick, runs=args.runs,
                                       subjects=subjects, progress=_progress)
        results.append(result)
        print(report.table(result), flush=True)
        print(flush=True)
    print(report.summary(results))
    print(f"   ({time.time() - started:.0f} s; {report.load_line()})")
    if not args.no_save:
        path = report.save(results, vars(args) | {"results_dir": str(args.results_dir)},
                           started, args.results_dir)
        print(f"   JSON: {path}")
    failed = [f"{r.bench.name}/{s}" for r in results for s in r.errors]
    if failed:
        print(f"   errors in: {', '.join(failed)} (see the tables above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
