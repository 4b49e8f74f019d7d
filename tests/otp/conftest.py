"""Helpers for the OTP tests: run a scenario in a fresh runtime on a MockClock.

Every test body runs as the main process of its own runtime (`run(main)`), so
intensity windows, call timeouts and shutdown timers jump instantly instead of
sleeping on wall time.
"""
from __future__ import annotations

import pytest

import beamlab.runtime as rt
from beamlab.runtime import MockClock, telemetry


@pytest.fixture
def clock():
    return MockClock(autojump=True)


@pytest.fixture
def run(clock):
    """run(main, *args) -> what main returns, in a fresh runtime on the mock clock."""
    def _run(main, *args):
        return rt.run(main, *args, clock=clock)
    return _run


class Recorder:
    """Collects telemetry events (attach inside the runtime: telemetry is per runtime)."""

    def __init__(self):
        self.events: list[tuple[tuple, dict]] = []

    def attach(self, *names: str) -> "Recorder":
        events = [("beamlab", "supervisor", n) for n in names]
        telemetry.attach_many(f"recorder-{id(self)}", events, self._handle)
        return self

    def _handle(self, event, measurements, metadata, config):
        self.events.append((event[-1], dict(metadata)))

    def of(self, name: str) -> list[dict]:
        return [meta for ev, meta in self.events if ev == name]


@pytest.fixture
def recorder():
    return Recorder()
