"""Fixtures for the runtime tests: each test body runs as a process of a fresh runtime.

`run(main, *args)` starts a new runtime on a `MockClock(autojump=True)` and runs
`main` as its first process, so `sleep(3600)`, receive timeouts and
`send_after` jump instantly instead of sleeping on wall time. The tests that
need the real clock (preemption, long C calls) call `beamlab.run` themselves.
"""
from __future__ import annotations

import pytest

import beamlab
from beamlab.runtime import MockClock


@pytest.fixture
def clock():
    return MockClock(autojump=True)


@pytest.fixture
def run(clock):
    """run(main, *args) -> what main returns, in a fresh runtime on the mock clock."""
    def _run(main, *args, **kwargs):
        return beamlab.run(main, *args, clock=clock, **kwargs)
    return _run
