"""The flight recorder's memory cap, as benchmarks/recorder.py measures it (issue 13, point 1):
a ring filled well past its caps holds no more events than its event cap and no more
estimated bytes than its byte cap, and what tracemalloc sees it hold is within its estimate.
Figures only, no timing (the on/off throughput is a benchmark, not a test)."""
from __future__ import annotations

import pytest

from benchmarks.recorder import recorder_cost


@pytest.mark.parametrize("cap_events,cap_bytes", [(3_000, None), (3_000, 200_000)])
def test_a_recorder_filled_past_its_cap_holds_within_it(cap_events, cap_bytes):
    r = recorder_cost(n=50, rounds=1, calls=20, repeats=1, cap_events=cap_events, cap_bytes=cap_bytes)
    assert r["evicted"] > 0                                  # it did go past the cap
    assert 0 < r["events_held"] <= cap_events
    assert r["cap_estimate_mb"] <= r["cap_bytes_mb"]
    # the estimate the byte cap uses is not an underestimate of what the ring really holds
    assert r["cap_mb"] <= r["cap_estimate_mb"] * 1.1 + 0.05
    if cap_bytes:
        assert r["cap_bytes_mb"] * 2**20 == cap_bytes and r["events_held"] < cap_events
    for key in ("ring_pct", "call_pct", "us_per_hop_on", "us_per_hop_off", "us_per_call_on",
                "us_per_call_off"):
        assert r[key] > 0                                   # the figures it prints are there
