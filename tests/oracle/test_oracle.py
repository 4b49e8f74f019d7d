"""beamlab against real Erlang/OTP and Elixir: each scenario's trace, compared line by line.

The expected traces in ``expected/`` come from the Erlang (``erlang/``) or Elixir
(``elixir/``) twin of each scenario in ``oracle_scenarios/``; see README.md.
"""
from __future__ import annotations

import difflib

import pytest

from oracle_scenarios import load
from oracle_trace import run_traced
from otp_runner import DISTRIBUTED, EXPECTED

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
    if name.startswith(DISTRIBUTED) and name not in otp_traces:
        pytest.skip("a distributed scenario (two Erlang nodes): BEAMLAB_ORACLE_DIST=1 or "
                    "--regenerate-oracle runs it; its stored trace still holds beamlab")
    assert name in otp_traces, f"{name!r} has no Erlang or Elixir twin that ran"
    assert otp_traces[name] == stored(name), diverged(
        name, stored(name) or [], otp_traces[name], f"expected/{name}.txt", "real Erlang/OTP")


def test_every_erlang_and_elixir_scenario_has_a_beamlab_twin(otp_traces):
    if otp_traces is None:
        pytest.skip("erl/elixir not installed (or BEAMLAB_ORACLE=stored)")
    assert sorted(set(otp_traces) - set(SCENARIOS)) == []


def test_the_trace_prints_terms_in_the_form_oracle_erl_prints_them():
    from beamlab.runtime import Crash, Pid, Ref
    from beamlab.runtime.otp import ChildSpec
    from oracle_trace import Trace

    t = Trace()
    t.role(Pid(7), "server")
    ref = Ref()
    assert t.norm(("DOWN", ref, "process", Pid(7), "killed")) == \
        "{DOWN,#ref1,process,<server>,killed}"
    assert t.norm([Pid(9), Pid(8), Pid(9), ref, Ref()]) == "[<pid1>,<pid2>,<pid1>,#ref1,#ref2]"
    assert t.norm((None, True, False, 3, "two words", "nonode@nohost")) == \
        "{none,true,false,3,'two words',nonode@nohost}"
    assert t.norm(Crash(ZeroDivisionError("x"))) == "crash(badarith)"
    assert t.norm(Crash(RuntimeError("boom"))) == "crash(RuntimeError)"
    assert t.norm(("timeout", ("GenServer.call", Pid(7), "slow", 0.05))) == \
        "call_failed(timeout,<server>,slow,50)"
    assert t.norm(("noproc", ("GenServer.call", "db", "get", "infinity"))) == \
        "call_failed(noproc,db,get,infinity)"
    assert t.norm(("timeout", ("Task.await", None, 5.0))) == "await_failed(timeout,5000)"
    assert t.norm(("no_db", ChildSpec(id="bad", start=(print,)))) == "{no_db,childspec(bad)}"
    assert t.norm({"workers": 2, "active": 1}) == "#{active=>1,workers=>2}"


# Terms without pids or refs, written in Erlang and in Python: oracle:norm/1 and
# Trace.norm must print each pair the same.
_SAME_TERMS = [
    ("{'DOWN', x, process, {w, nonode@nohost}, killed}",
     ("DOWN", "x", "process", ("w", "nonode@nohost"), "killed")),
    ("{undefined, nil, true, false, 3, 'two words', [a, b]}",
     (None, None, True, False, 3, "two words", ["a", "b"])),
    ("{badarith, [{m, f, 1, []}]}", "crash:ZeroDivisionError"),
    ("{#{'__exception__' => true, '__struct__' => 'Elixir.RuntimeError'}, [{m, f, 1, []}]}",
     "crash:RuntimeError"),
    ("{timeout, {gen_server, call, [db, get, 50]}}",
     ("timeout", ("GenServer.call", "db", "get", 0.05))),
    ("{noproc, {gen_server, call, [db, get]}}", ("noproc", ("GenServer.call", "db", "get", 5.0))),
    ("{normal, {'Elixir.GenServer', call, [db, get, infinity]}}",
     ("normal", ("GenServer.call", "db", "get", "infinity"))),
    ("{timeout, {'Elixir.Task', await, [task, 50]}}", ("timeout", ("Task.await", None, 0.05))),
    ("{error, {no_db, {child, undefined, bad, {m, f, []}, permanent, false, 5000, worker, [m]}}}",
     ("error", ("no_db", "childspec:bad"))),
    ("#{workers => 2, active => 1}", {"workers": 2, "active": 1}),
]


def _python_term(t):
    from beamlab.runtime import Crash
    from beamlab.runtime.otp import ChildSpec
    if isinstance(t, str) and t.startswith("crash:"):
        return Crash({"ZeroDivisionError": ZeroDivisionError, "RuntimeError": RuntimeError}
                     [t[6:]]("x"))
    if isinstance(t, str) and t.startswith("childspec:"):
        return ChildSpec(id=t[10:], start=(print,))
    if type(t) is tuple:
        return tuple(_python_term(x) for x in t)
    return t


def test_oracle_erl_and_the_python_trace_print_the_same_terms_alike(otp_traces, tmp_path):
    if otp_traces is None:
        pytest.skip("erl/elixir not installed (or BEAMLAB_ORACLE=stored)")
    import subprocess
    from oracle_trace import Trace
    from otp_runner import ERLANG
    subprocess.run(["erlc", "-o", str(tmp_path), str(ERLANG / "oracle.erl")], check=True,
                   capture_output=True)
    terms = ", ".join(erl for erl, _ in _SAME_TERMS)
    code = (f"put(roles, #{{}}), put(refs, #{{}}), put(npids, 0), "
            f"[io:format(\"~s~n\", [oracle:norm(T)]) || T <- [{terms}]], halt().")
    out = subprocess.run(["erl", "-noshell", "-pa", str(tmp_path), "-eval", code],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    erlang = out.splitlines()
    python = [Trace().norm(_python_term(py)) for _, py in _SAME_TERMS]
    assert erlang == python
