"""The process limit (Erlang's `+P`): spawn beyond it fails with system_limit, nothing else does."""
from __future__ import annotations

import pytest

import beamlab
from beamlab import (ANY, Runtime, SystemLimit, exit, processes, receive, self, send, spawn,
                     spawn_monitor, system_info)
from beamlab.runtime import limits
from beamlab.runtime.otp import GenServer


def spawn_until_refused():
    """Spawn waiting processes until spawn fails; (how many were spawned, the error)."""
    n = 0
    while True:
        try:
            spawn(receive)
        except SystemLimit as e:
            return n, e
        n += 1


def test_spawn_beyond_the_limit_raises_system_limit_naming_the_count_the_limit_and_the_cure(clock):
    def main():
        return spawn_until_refused()
    n, err = Runtime(clock=clock, process_limit=50).run(main)
    assert n == 49           # main is one of the 50
    text = str(err)
    assert "system_limit" in text and "50 processes exist" in text and "limit is 50" in text
    assert "process_limit" in text and "spawning in a loop" in text


def test_a_process_spawning_in_a_loop_crashes_alone_and_the_runtime_carries_on(clock):
    def bomb():
        while True:
            spawn(receive)

    def main():
        pid, ref = spawn_monitor(bomb)
        reason = receive(("DOWN", ref, ANY, ANY, ANY))[4]
        count = system_info("process_count")
        for p in processes():
            if p != self():
                exit(p, "kill")
        echo = spawn(lambda p: send(p, "still spawning"), self())
        return reason, count, receive(timeout=1)
    reason, count, answer = Runtime(clock=clock, process_limit=100, crash_reports=False).run(main)
    assert isinstance(reason, beamlab.Crash) and reason.kind == "SystemLimit"
    assert count == 99       # the bomb is gone, its children stay
    assert answer == "still spawning"


def test_the_limit_counts_idle_genservers_too(clock):
    class Idle(GenServer):
        def init(self, arg):
            from beamlab.runtime.otp import Ok
            return Ok(arg)

    def main():
        started = 0
        try:
            while True:
                Idle.start(0)
                started += 1
        except SystemLimit:
            return started
    assert Runtime(clock=clock, process_limit=10).run(main) == 9


def test_the_limit_can_be_raised_while_the_runtime_runs(clock):
    def main():
        n, _ = spawn_until_refused()
        beamlab.current_runtime().process_limit = 30
        m, _ = spawn_until_refused()
        return n, m, system_info("process_limit")
    assert Runtime(clock=clock, process_limit=20).run(main) == (19, 10, 30)


def test_stats_show_the_process_count_and_the_limit(clock):
    def main():
        spawn(receive)
        stats = beamlab.current_runtime().stats()
        return stats["process_count"], stats["process_limit"]
    assert Runtime(clock=clock, process_limit=1234).run(main) == (2, 1234)


def test_system_info_names_the_items_it_knows(run):
    def main():
        with pytest.raises(beamlab.BadArg, match="process_limit"):
            system_info("schedulers")
        return system_info("process_count")
    assert run(main) == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, "many", True])
def test_a_process_limit_that_is_not_a_positive_int_is_refused(bad):
    with pytest.raises(ValueError, match="process_limit"):
        Runtime(process_limit=bad)


def test_the_default_limit_is_half_the_available_memory_at_8_kib_a_process_within_erlangs_bounds():
    assert limits.default_process_limit(available=4 * 2**30) == 262_144
    assert limits.default_process_limit(available=64 * 2**30) == 1_048_576     # Erlang's default
    assert limits.default_process_limit(available=2**20) == 1024               # Erlang's minimum
    assert 1024 <= Runtime().process_limit <= 1_048_576


def test_the_default_limit_respects_a_container_memory_limit(monkeypatch):
    monkeypatch.setattr(limits, "_meminfo_available", lambda: 64 * 2**30)
    monkeypatch.setattr(limits, "_cgroup_headroom", lambda: 2 * 2**30)
    assert limits.available_memory() == 2 * 2**30
    assert limits.default_process_limit() == 131_072
