"""Run the Erlang and Elixir twins of the scenarios and read their traces.

How this works: ``erlc`` compiles ``erlang/*.erl`` into a temporary folder; one
``erl`` runs every ``sc_*`` module's scenarios (``oracle:main``), and one
``elixir`` runs ``elixir/*.exs`` with the same compiled ``oracle`` module on its
code path. Both use one scheduler (``+S 1``), so what a scenario traces comes in
one order. Each prints ``=== name``, the trace lines, ``=== end`` per scenario.

The distributed scenarios (``erlang/dsc_*.erl``, names ``dist_*``) need two Erlang
nodes: ``erl -sname main`` runs them (``oracle_dist:main``), starting a peer node
``b`` on this machine for each (epmd is started by ``erl`` if it is not running).
That takes ~10 s and a host whose short name resolves, so it runs only when asked
(``run_otp(distributed=True)``: ``--regenerate-oracle`` or ``BEAMLAB_ORACLE_DIST=1``).
"""
from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile

__all__ = ["HERE", "EXPECTED", "have_otp", "run_otp", "parse", "DISTRIBUTED"]

DISTRIBUTED = "dist_"       # the prefix of the distributed scenarios' names

HERE = pathlib.Path(__file__).parent
EXPECTED = HERE / "expected"
ERLANG = HERE / "erlang"
ELIXIR = HERE / "elixir"


def have_otp() -> str | None:
    """None if erl, erlc and elixir are all installed, else what is missing."""
    missing = [tool for tool in ("erl", "erlc", "elixir") if shutil.which(tool) is None]
    return ", ".join(missing) or None


def parse(text: str) -> dict[str, list[str]]:
    """``{scenario: trace lines}`` from a runner's output."""
    traces: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("=== "):
            name = line[4:].strip()
            if name == "end":
                current = None
            else:
                current = traces.setdefault(name, [])
        elif current is not None:
            current.append(line)
    return traces


def _run(cmd: list[str], what: str, timeout: float) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {' '.join(cmd)}\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def run_otp(timeout: float = 120, distributed: bool = False) -> dict[str, dict[str, list[str]]]:
    """``{"erlang": traces, "elixir": traces}`` from real Erlang/OTP and Elixir; with
    `distributed`, also ``"erlang_distributed"``: the dsc_* scenarios on two nodes."""
    with tempfile.TemporaryDirectory(prefix="beamlab-oracle-") as out:
        _run(["erlc", "-o", out, *sorted(map(str, ERLANG.glob("*.erl")))], "erlc", timeout)
        mods = sorted(p.stem for p in ERLANG.glob("sc_*.erl"))
        args = ", ".join(f'"{m}"' for m in mods)
        erl = _run(["erl", "+S", "1", "-noshell", "-pa", out, "-eval", f"oracle:main([{args}])"],
                   "erl", timeout)
        ex = _run(["elixir", "--erl", "+S 1", "-pa", out, str(ELIXIR / "run.exs")],
                  "elixir", timeout)
        traces = {"erlang": parse(erl), "elixir": parse(ex)}
        if distributed:
            dmods = ", ".join(f'"{p.stem}"' for p in sorted(ERLANG.glob("dsc_*.erl")))
            epmd_was_up = subprocess.run(["epmd", "-names"], capture_output=True).returncode == 0
            try:
                dist = _run(["erl", "-sname", "main", "+S", "1", "-noshell", "-pa", out, "-eval",
                             f"oracle_dist:main([{dmods}])"], "erl -sname main (distributed)",
                            timeout)
            finally:
                if not epmd_was_up:     # erl started the port mapper daemon: leave none behind
                    subprocess.run(["epmd", "-kill"], capture_output=True)
            traces["erlang_distributed"] = parse(dist)
    return traces
