"""Fixtures for the runtime tests: each test body runs as a process of a fresh runtime.

`run(main, *args)` starts a new runtime on a `MockClock(autojump=True)` and runs
`main` as its first process, so `sleep(3600)`, receive timeouts and
`send_after` jump instantly instead of sleeping on wall time. The tests that
need the real clock (preemption, long C calls) call `beamlab.run` themselves.
"""
from __future__ import annotations

import weakref

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


class Big:
    """Stands for a learner's large data: only its weak reference is kept here."""


class _Holding:
    """holding(body): `body` as a process that holds a new Big in its closure (what spawn
    is given is not copied when it is a function: its closure is the process's own, so
    the process's record keeps the Big for as long as the record lives)."""

    def __init__(self):
        self.refs = []      # weak references to the Bigs, in the order they were made

    def __call__(self, body):
        big = Big()
        self.refs.append(weakref.ref(big))

        def process(*args):
            assert big is not None
            return body(*args)
        return process

    def freed(self) -> list:
        """For each Big made so far, whether it was freed."""
        return [r() is None for r in self.refs]


@pytest.fixture
def holding():
    return _Holding()
