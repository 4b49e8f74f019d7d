"""The soak (`make soak`, benchmarks/soak.py) in miniature, so it cannot rot.

A few seconds of 1,000 GenServers under 10 supervisors with chaos at 50 kills a
second. Only correctness is asserted (what the soak itself fails on): no
message lost, duplicated or reordered, every kill healed, nothing leaked. The
timing figures are for the full soak, on a quiet machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))          # `benchmarks` is a top-level folder, not installed

from benchmarks.common import parse_line  # noqa: E402


@pytest.fixture(scope="module")
def smoke():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOAK_")}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--seconds", "3", "--servers", "1000",
         "--supervisors", "10", "--kills", "50", "--calls", "200"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    figures = next((parsed[1] for line in proc.stdout.splitlines()
                    if (parsed := parse_line(line)) and parsed[0] == "soak"), None)
    return proc, figures


def test_the_small_soak_runs_to_the_end_and_says_it_was_correct(smoke):
    proc, figures = smoke
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert figures is not None, proc.stdout[-3000:]
    assert "soak: correct" in proc.stdout


def test_every_message_arrives_exactly_once_and_in_order(smoke):
    _, f = smoke
    assert f["sent"] > 0 and f["received"] == f["sent"]
    assert (f["lost"], f["duplicated"], f["out_of_order"]) == (0, 0, 0)


def test_chaos_kills_and_every_kill_is_healed_without_escalation(smoke):
    _, f = smoke
    assert f["kills"] > 0
    assert f["restarts"] >= f["kills"]
    assert (f["unhealed"], f["escalated"]) == (0, 0)
    assert f["probes_per_kill"] < 2          # victims are found in O(1), not by a scan


def test_nothing_leaks_processes_timers_or_greenlets(smoke):
    _, f = smoke
    assert (f["leaked_processes"], f["leaked_timers"], f["leaked_greenlets"]) == (0, 0, 0)


def test_the_soak_reports_the_heartbeat_and_the_pauses(smoke):
    _, f = smoke
    assert f["heartbeats"] > 0
    for key in ("heartbeat_p50_ms", "heartbeat_p99_ms", "heartbeat_max_ms", "longest_gc_ms",
                "longest_pause_ms", "rss_before_mb", "rss_after_mb"):
        assert key in f
