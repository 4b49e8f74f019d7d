"""The benchmarks still run: every one, in --quick mode, gives a figure or says why not.

No timing is asserted here (figures are for `make bench`); these tests only keep
the benchmark code from rotting as the runtime changes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))          # `benchmarks` is a top-level folder, not installed

from benchmarks import catalog  # noqa: E402
from benchmarks.catalog import Benchmark, Target  # noqa: E402
from benchmarks.common import format_line, parse_line  # noqa: E402


def run_benchmarks(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One --quick run of every benchmark (the 1M ones too, at tiny sizes)."""
    results = tmp_path_factory.mktemp("results")
    proc = run_benchmarks("--quick", "--million", "--results-dir", str(results))
    report = json.loads((results / "latest.json").read_text())
    return proc, {b["name"]: b for b in report["benchmarks"]}


def test_the_quick_run_finishes_without_errors(quick_run):
    proc, _ = quick_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "== summary" in proc.stdout


@pytest.mark.parametrize("name", list(catalog.BY_NAME))
def test_each_benchmark_reports_a_figure_or_a_reason_for_every_subject(quick_run, name):
    proc, benchmarks = quick_run
    assert f"== {name}:" in proc.stdout
    bench = benchmarks[name]
    for subject, outcome in bench["subjects"].items():
        assert not outcome["errors"], f"{name}/{subject} failed: {outcome['errors'][0]}"
        if outcome["skipped"]:
            assert len(outcome["skipped"]) > 20, f"{name}/{subject} skipped without saying why"
        else:
            assert outcome["median"][bench["metric"]] is not None


def test_a_missing_erl_is_a_clear_skip_not_an_error(tmp_path):
    proc = run_benchmarks("ring", "--quick", "--subjects", "erlang,greenlet",
                          "--results-dir", str(tmp_path),
                          env={"BEAMLAB_ERL": "no-such-erl-for-this-test"})
    assert proc.returncode == 0, proc.stderr
    assert "erlang     skipped: erl not found on PATH" in proc.stdout
    assert "greenlet" in proc.stdout


def test_an_unknown_benchmark_name_lists_the_known_ones():
    proc = run_benchmarks("no_such_benchmark", "--quick", "--no-save")
    assert proc.returncode != 0
    assert "unknown benchmark(s) no_such_benchmark" in proc.stderr
    assert "spawn" in proc.stderr


def test_result_lines_round_trip_through_the_parser():
    line = format_line("ring", {"us_per_hop": 0.25, "n": 1000})
    assert parse_line(line) == ("ring", {"us_per_hop": 0.25, "n": 1000.0})
    assert parse_line("some other output") is None


def test_a_ratio_target_passes_within_the_limit_and_misses_beyond_it():
    bench = Benchmark("x", "x", "us", "µs", {}, {}, ("beamlab", "erlang"),
                      Target("ratio", 2.0, text="≤ 2× Erlang"))
    figures = {"beamlab": 3.0, "erlang": 2.0}
    assert catalog.verdict(bench, figures.get)[0] == "PASS"
    figures = {"beamlab": 5.0, "erlang": 2.0}
    assert catalog.verdict(bench, figures.get) == ("MISS", "2.50× erlang")


def test_a_ratio_target_without_an_erlang_figure_is_not_judged():
    bench = Benchmark("x", "x", "us", "µs", {}, {}, ("beamlab", "erlang"),
                      Target("ratio", 2.0, text="≤ 2× Erlang"))
    assert catalog.verdict(bench, {"beamlab": 3.0}.get)[0] == "N/A"


def test_a_throughput_ratio_counts_how_many_times_slower_than_erlang():
    bench = catalog.BY_NAME["cast"]
    assert bench.cost_ratio(1_000_000.0, 4_000_000.0) == 4.0


def test_the_million_process_runs_are_opt_in():
    default = [b.name for b in catalog.select([], million=False)]
    assert "memory_1m" not in default and "memory" in default
    assert "memory_1m" in [b.name for b in catalog.select([], million=True)]


def test_the_cast_target_asks_for_a_third_of_erlang_s_throughput():
    bench = catalog.BY_NAME["cast"]
    assert catalog.verdict(bench, {"beamlab": 1_500_000.0, "erlang": 4_000_000.0}.get)[0] == "PASS"
    assert catalog.verdict(bench, {"beamlab": 1_000_000.0, "erlang": 4_000_000.0}.get) == \
        ("MISS", "4.00× erlang")


def test_the_summary_shows_beamlab_against_the_greenlet_scheduler_and_asyncio():
    from benchmarks.harness import BenchResult
    from benchmarks.report import summary
    result = BenchResult(catalog.BY_NAME["ring"], {}, 1)
    result.medians = {"beamlab": {"us_per_hop": 3.0}, "erlang": {"us_per_hop": 0.5},
                      "greenlet": {"us_per_hop": 2.0}, "asyncio": {"us_per_hop": 12.0}}
    line = summary([result]).splitlines()[-1]
    assert line.split()[1:4] == ["3.000", "0.500", "6.000"]
    assert line.split()[-2:] == ["1.500", "0.250"]


@pytest.mark.parametrize("subject", ["beamlab", "greenlet", "asyncio"])
def test_every_python_subject_runs_the_issue_16_workloads(subject):
    from benchmarks.harness import run_python_subject
    for workload, params in (("spawn_exit", {"n": 50}), ("call", {"n": 50}),
                             ("cast", {"n": 50})):
        out = run_python_subject(subject, workload, params, 120, [])
        assert isinstance(out, dict), f"{subject}/{workload}: {out}"
        assert all(v > 0 for v in out.values())


def test_memory_parts_splits_an_idle_process_s_bytes():
    from benchmarks.harness import run_python_subject
    # every process on a greenlet: its saved C stack is part of the Python heap
    out = run_python_subject("beamlab-gl", "memory_parts", {"n": 2000}, 120, [])
    assert isinstance(out, dict), out
    assert 0 < out["saved_c_stack"] < out["python_heap"]
    assert out["outside_heap"] == pytest.approx(out["bytes_per_process"] - out["python_heap"])
    # stackless (the default): an idle process keeps no C stack and no data stack
    out = run_python_subject("beamlab", "memory_parts", {"n": 2000}, 120, [])
    assert isinstance(out, dict), out
    assert out["saved_c_stack"] == 0
    assert out["python_heap"] < 1900
