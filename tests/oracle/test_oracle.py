"""beamlab against real Erlang/OTP and Elixir: each scenario's trace, compared line by line.

The expected traces in ``expected/`` come from the Erlang (``erlang/``) or Elixir
(``elixir/``) twin of each scenario in ``oracle_scenarios/``; see README.md.
"""
from __future__ import annotations

import difflib

import pytest

from oracle_scenarios import load
from oracle_trace import run_traced
from otp_runner import EXPECTED

SCENARIOS = load()


def stored(name: str) -> list[str] | None:
    path = EXPECTED / f"{name}.txt"
    if not path.exists():
        return None
    return [line for line in path.read_text().splitlines() if not line.startswith("%% ")]


def diverged(name: str, expected: list[str], got: list[str], what: str, theirs: str) -> str:
    diff = difflib.unified_diff(expected, got, fromfile=f"{what} ({name})", tofile=theirs,
                                lineterm="")
    return f"scenario {name!r}: {theirs} diverges from {what}:\n" + "\n".join(diff)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_beamlab_gives_the_trace_erlang_gives(name):
    expected = stored(name)
    assert expected is not None, (f"no stored trace for {name!r}: write its Erlang or Elixir twin "
                                  f"and run pytest tests/oracle --regenerate-oracle")
    got = run_traced(SCENARIOS[name])
    assert got == expected, diverged(name, expected, got, f"Erlang/OTP, expected/{name}.txt",
                                     "beamlab")


def test_every_stored_trace_has_a_beamlab_twin():
    orphans = sorted(p.stem for p in EXPECTED.glob("*.txt") if p.stem not in SCENARIOS)
    assert orphans == [], f"stored traces with no beamlab scenario: {orphans}"


def test_there_are_at_least_forty_scenarios():
    assert len(SCENARIOS) >= 40


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_real_otp_gives_the_stored_trace(name, otp_traces):
    if otp_traces is None:
        pytest.skip("erl/elixir not installed (or BEAMLAB_ORACLE=stored): stored traces only")
    assert name in otp_traces, f"{name!r} has no Erlang or Elixir twin that ran"
    assert otp_traces[name] == stored(name), diverged(
        name, stored(name) or [], otp_traces[name], f"expected/{name}.txt", "real Erlang/OTP")


def test_every_erlang_and_elixir_scenario_has_a_beamlab_twin(otp_traces):
    if otp_traces is None:
        pytest.skip("erl/elixir not installed (or BEAMLAB_ORACLE=stored)")
    assert sorted(set(otp_traces) - set(SCENARIOS)) == []
