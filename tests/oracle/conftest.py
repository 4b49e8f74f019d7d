"""The oracle's options: compare with the stored traces (default), or ask real Erlang/OTP.

``pytest tests/oracle --regenerate-oracle`` (or ``BEAMLAB_ORACLE=regenerate``) runs
the Erlang and Elixir twins with ``erl`` and ``elixir`` and rewrites
``expected/*.txt`` before beamlab is compared with them; ``git diff`` then shows
what OTP changed. Without the flag, when ``erl`` and ``elixir`` are installed the
twins still run once (a few seconds) and ``test_real_otp_gives_the_stored_trace``
checks the stored traces against them; ``BEAMLAB_ORACLE=stored`` skips that.
The distributed scenarios (``dist_*``, two Erlang nodes) run with
``--regenerate-oracle`` or ``BEAMLAB_ORACLE_DIST=1`` only.
"""
from __future__ import annotations

import os
import sys
import pathlib

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from otp_runner import EXPECTED, have_otp, run_otp  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--regenerate-oracle", action="store_true", default=False,
                     help="rewrite tests/oracle/expected/*.txt from real Erlang/OTP and Elixir")


def _mode(config) -> str:
    if config.getoption("--regenerate-oracle", default=False):
        return "regenerate"
    return os.environ.get("BEAMLAB_ORACLE", "check")


def header(source: str, release: str) -> str:
    return (f"%% from {source} (OTP {release}); regenerate: "
            f"pytest tests/oracle --regenerate-oracle")


def write_expected(traces: dict, release: str) -> None:
    broken = sorted(name for by_name in traces.values() for name, lines in by_name.items()
                    if any(line.startswith(("{scenario_crashed,", "{scenario_timed_out,"))
                           for line in lines))
    if broken:
        pytest.exit(f"these Erlang/Elixir scenarios crashed or hung, so nothing was written: "
                    f"{broken} (run them by hand: see tests/oracle/README.md)", returncode=1)
    EXPECTED.mkdir(exist_ok=True)
    for source, by_name in traces.items():
        for name, lines in by_name.items():
            text = "\n".join([header(source, release), *lines]) + "\n"
            (EXPECTED / f"{name}.txt").write_text(text)


@pytest.fixture(scope="session")
def otp_traces(request):
    """``{name: lines}`` from real Erlang/Elixir, or None when not asked for or not installed."""
    mode = _mode(request.config)
    if mode == "stored":
        return None
    missing = have_otp()
    if missing:
        if mode == "regenerate":
            pytest.exit(f"--regenerate-oracle needs Erlang/OTP and Elixir; missing: {missing} "
                        f"(apt-get install erlang-base elixir)", returncode=2)
        return None
    traces = run_otp(distributed=mode == "regenerate" or distributed_asked())
    if mode == "regenerate":
        write_expected(traces, otp_release())
    return {name: lines for by_name in traces.values() for name, lines in by_name.items()}


def distributed_asked() -> bool:
    """The distributed scenarios (two Erlang nodes, ~10 s) run with --regenerate-oracle or
    BEAMLAB_ORACLE_DIST=1; otherwise their stored traces alone hold beamlab to OTP."""
    return os.environ.get("BEAMLAB_ORACLE_DIST") == "1"


def otp_release() -> str:
    import subprocess
    return subprocess.run(["erl", "-noshell", "-eval",
                           'io:format("~s", [erlang:system_info(otp_release)]), halt().'],
                          capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.fixture(scope="session", autouse=True)
def _regenerate_first(request):
    """With --regenerate-oracle, the stored traces are rewritten before any comparison."""
    if _mode(request.config) == "regenerate":
        request.getfixturevalue("otp_traces")
