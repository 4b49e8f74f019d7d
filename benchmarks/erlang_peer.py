"""Peer: the same workloads on the BEAM itself (Erlang/OTP, via `erl`).

How this works: one `erl -noshell` per run compiles the modules in
benchmarks/erlang/ in memory (`compile:file(F, [binary])` + `code:load_binary`;
erlang-base ships the compiler application, so no `erlc` or .beam files are
needed), runs every requested workload in order and halts. Each workload prints
a `BENCH <workload> key=value ...` line (see beamlab_bench.erl). The supervisor
logger is silenced so restart reports don't cost the restart benchmark time.
`+P` raises the process limit so a million processes fit.

    >>> available() in (True, False)
    True
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from benchmarks.common import parse_line

ERLANG_DIR = Path(__file__).parent / "erlang"
MODULES = ("beamlab_bench_server.erl", "beamlab_bench_sup.erl", "beamlab_bench.erl")
MISSING = "skipped: erl not found on PATH (install Erlang/OTP, e.g. apt-get install erlang-base)"


def erl_path() -> str | None:
    return shutil.which(os.environ.get("BEAMLAB_ERL", "erl"))


def available() -> bool:
    return erl_path() is not None


def version() -> str | None:
    """The OTP release, e.g. "25", or None without erl."""
    erl = erl_path()
    if erl is None:
        return None
    out = subprocess.run([erl, "-noshell", "-eval",
                          'io:format("~s", [erlang:system_info(otp_release)]), halt().'],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() or None


def _erl_term(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"cannot pass {value!r} to Erlang")


def _workload_term(workload: str, params: dict) -> str:
    fields = ", ".join(f"{k} => {_erl_term(v)}" for k, v in params.items())
    return f"{{{workload}, #{{{fields}}}}}"


def script(workloads: list[tuple[str, dict]]) -> str:
    """The -eval expression that compiles the peer modules and runs `workloads`."""
    files = ", ".join(f'"{(ERLANG_DIR / m).as_posix()}"' for m in MODULES)
    runs = ", ".join(_workload_term(w, p) for w, p in workloads)
    return (
        f"[begin {{ok, M, B}} = compile:file(F, [binary, report]), "
        f"{{module, M}} = code:load_binary(M, F, B) end || F <- [{files}]], "
        f"beamlab_bench:main([{runs}]), halt()."
    )


def run(workloads: list[tuple[str, dict]], timeout: float = 1800.0) -> list[dict | str]:
    """Run `workloads` in one fresh BEAM; return, in the same order, each one's
    figures or an error string (a workload missing from the output: the BEAM died).
    """
    erl = erl_path()
    if erl is None:
        return [MISSING for _ in workloads]
    cmd = [erl, "-noshell", "+P", "4000000", "-kernel", "logger_level", "none",
           "-eval", script(workloads)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [f"error: erl timed out after {timeout:.0f} s" for _ in workloads]
    outputs: list[dict | str] = []
    for line in proc.stdout.splitlines():
        parsed = parse_line(line)
        if parsed:
            outputs.append(parsed[1])
        elif line.startswith("BENCH-ERROR"):
            outputs.append("error: " + line)
    tail = (proc.stderr or proc.stdout)[-500:].strip()
    while len(outputs) < len(workloads):
        outputs.append(f"error: erl exited {proc.returncode} without a result: {tail}")
    return outputs[:len(workloads)]
