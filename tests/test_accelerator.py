"""The optional compiled accelerator (runtime/_accel.py, setup.py).

CI runs the whole suite twice: with BEAMLAB_EXPECT_ACCELERATED=1, where the first
test below fails unless every compilable module runs compiled (so an accelerator
that silently failed to build is caught), and with BEAMLAB_PURE_PYTHON=1, where it
checks that none does. The rest hold in both runs.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import beamlab.runtime
from beamlab.runtime import _accel

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = Path(_accel.__file__).parent


def pure_source(name: str) -> Path:
    return RUNTIME / _accel.source_path(name)       # "otp._server" -> runtime/otp/_server.py


# Built, from the .py files as they are now (whether or not this run uses it)
BUILT = bool(_accel.COMPILED) and all(
    _accel._not_built_from("beamlab.runtime", name, pure_source(name)) is None
    for name in _accel.COMPILED)
needs_build = pytest.mark.skipif(not BUILT, reason="the accelerator is not built (or is stale) here")


def modes_in_a_fresh_python(**env) -> dict:
    """accelerated() and where Runtime comes from, in a new interpreter with `env`."""
    code = ("import json, beamlab.runtime as r, beamlab.runtime._core as c, beamlab.runtime.otp;"
            "print(json.dumps([r.accelerated(), c.Runtime.__module__]))")
    full = {k: v for k, v in os.environ.items()
            if k not in (_accel.PURE_ENV, "BEAMLAB_EXPECT_ACCELERATED")} | env
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                         text=True, check=True, timeout=120)
    status, module = json.loads(out.stdout)
    return {"status": status, "Runtime": module}


def test_the_suite_runs_in_the_mode_ci_asked_for():
    status = beamlab.runtime.accelerated()
    if os.environ.get("BEAMLAB_EXPECT_ACCELERATED", "") not in ("", "0"):
        assert status == {name: "compiled" for name in _accel.COMPILED}, (
            "BEAMLAB_EXPECT_ACCELERATED=1 but these modules run pure-Python: "
            f"{ {k: v for k, v in status.items() if v != 'compiled'} } (was the package "
            f"installed with Cython and a C compiler? pip install -e . builds it)")
    elif os.environ.get(_accel.PURE_ENV, "") == "1":
        assert all(v.startswith(f"pure: {_accel.PURE_ENV}=1") for v in status.values()), status
    else:
        pytest.skip("neither BEAMLAB_EXPECT_ACCELERATED=1 nor BEAMLAB_PURE_PYTHON=1 is set")


def test_pure_python_mode_keeps_every_module_as_written():
    seen = modes_in_a_fresh_python(BEAMLAB_PURE_PYTHON="1")
    assert seen["Runtime"] == "beamlab.runtime._core"
    assert set(seen["status"]) == set(_accel.COMPILED)
    assert all("BEAMLAB_PURE_PYTHON=1 is set" in v for v in seen["status"].values())


@needs_build
def test_without_the_variable_every_built_module_runs_compiled():
    seen = modes_in_a_fresh_python()
    assert seen["status"] == {name: "compiled" for name in _accel.COMPILED}
    if "_core" in _accel.COMPILED:
        assert seen["Runtime"] == "beamlab.runtime._cy__core"


@needs_build
def test_naming_the_last_module_in_the_variable_keeps_only_it_pure():
    last = _accel.COMPILED[-1]
    seen = modes_in_a_fresh_python(BEAMLAB_PURE_PYTHON=last)
    assert [n for n, v in seen["status"].items() if v != "compiled"] == [last]
    assert seen["status"][last] == f"pure: {_accel.PURE_ENV}={last} is set"


@needs_build
def test_a_module_compiled_against_a_pure_ones_types_stays_pure_too():
    # _core's Runtime extends _receive's ReceiveMixin and takes _process's Process as
    # C types: with _process pure, the modules after it cannot run compiled either
    first = _accel.COMPILED[0]
    seen = modes_in_a_fresh_python(BEAMLAB_PURE_PYTHON=first)
    assert seen["status"][first] == f"pure: {_accel.PURE_ENV}={first} is set"
    for name in _accel.COMPILED[1:]:
        assert seen["status"][name].startswith(f"pure: compiled against {first}'s types"), seen
    assert seen["Runtime"] == "beamlab.runtime._core"


def test_a_compiled_module_replaces_the_pure_one_for_every_importer():
    core = sys.modules["beamlab.runtime._core"]
    from beamlab.runtime import _core
    from beamlab.runtime._core import Runtime
    from beamlab.runtime.otp import _rt
    assert _core is core and _rt._core is core
    assert Runtime is beamlab.runtime.Runtime is core.Runtime
    if beamlab.runtime.accelerated().get("_core") == "compiled":
        assert core is sys.modules["beamlab.runtime._cy__core"]


def test_module_state_written_by_the_runtime_is_what_readers_of_the_module_see():
    # (copying the compiled module's globals, as gevent does, would leave _current
    # behind in the pure module's copy: the runtime writes it in its own module)
    from beamlab.runtime import _core
    rt = beamlab.runtime.Runtime(preemption="cooperative")
    rt.start()
    try:
        assert _core._current is rt and beamlab.runtime.current_runtime() is rt
    finally:
        rt.stop()
    assert _core._current is None


@needs_build
def test_an_edited_module_runs_as_written_until_it_is_compiled_again(tmp_path):
    name = _accel.COMPILED[0]
    edited = tmp_path / f"{name}.py"
    edited.write_bytes(pure_source(name).read_bytes() + b"\n# an edit\n")
    assert _accel._not_built_from("beamlab.runtime", name, edited) == (
        f"pure: {name}.py or its .pxd changed since it was compiled (pip install -e . "
        f"compiles it again)")
    assert _accel._not_built_from("beamlab.runtime", name, pure_source(name)) is None


@needs_build
def test_an_edited_pxd_makes_its_module_run_pure_until_it_is_compiled_again(tmp_path):
    name = next(n for n in _accel.COMPILED if pure_source(n).with_suffix(".pxd").exists())
    (tmp_path / f"{name}.py").write_bytes(pure_source(name).read_bytes())
    (tmp_path / f"{name}.pxd").write_bytes(
        pure_source(name).with_suffix(".pxd").read_bytes() + b"\n# an edit\n")
    assert "changed since it was compiled" in _accel._not_built_from(
        "beamlab.runtime", name, tmp_path / f"{name}.py")


def test_a_module_with_no_compiled_twin_says_how_to_build_it():
    why = _accel._not_built_from("beamlab.runtime", "no_such_module", pure_source("_core"))
    assert why.startswith("pure: not compiled") and "pip install -e ." in why


def test_a_reactor_runs_in_its_own_context_on_a_reused_worker():
    # Idle reactors' workers park inside _reactor_worker and are reused; compiled,
    # greenlet would refuse to set a parked worker's context without the Python
    # frame that _accel.framed puts under it.
    import contextvars
    from beamlab.runtime._core import spawn_reactor
    who = contextvars.ContextVar("who")

    class Echo:
        def __init__(self, to):
            self.to = to

        def start(self):
            pass

        def handle(self, msg):
            beamlab.runtime.send(self.to, (msg, who.get()))

    def main():
        me, pids = beamlab.runtime.self(), {}
        for name in ("a", "b"):
            who.set(name)                   # each reactor runs in a copy of this context
            pids[name] = spawn_reactor(Echo(me))
        got = []
        for _ in range(3):
            for name in ("a", "b"):
                beamlab.runtime.send(pids[name], name)
                got.append(beamlab.runtime.receive())
        return got

    assert beamlab.runtime.run(main, preemption="cooperative") == [("a", "a"), ("b", "b")] * 3


# ---------------------------------------------------------------- the build
def load_setup():
    spec = importlib.util.spec_from_file_location("beamlab_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)      # setup() itself runs only as __main__
    return module


def test_setup_compiles_exactly_the_modules_the_runtime_swaps():
    assert tuple(load_setup().COMPILED) == _accel.COMPILED


def test_without_cython_setup_installs_the_pure_package(monkeypatch, capsys):
    setup = load_setup()
    monkeypatch.setattr(setup, "COMPILED", ("_core",))
    monkeypatch.delenv(_accel.PURE_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "Cython.Build", None)     # import fails
    assert setup._extensions() == []
    assert "Cython is not installed: installing the pure-Python runtime only" in capsys.readouterr().err


def test_a_failing_compiler_never_fails_the_install(tmp_path, capsys):
    from setuptools import Distribution, Extension
    setup = load_setup()
    broken = tmp_path / "broken.c"
    broken.write_text("this is not C\n")
    dist = Distribution({"name": "beamlab_broken", "ext_modules": [
        Extension("beamlab_broken._cy_x", [str(broken)])]})
    cmd = setup.optional_build_ext(dist)
    cmd.build_lib = str(tmp_path / "lib")
    cmd.build_temp = str(tmp_path / "temp")
    cmd.ensure_finalized()
    cmd.run()                                        # no exception: the install goes on
    assert "beamlab_broken._cy_x was not compiled" in capsys.readouterr().err
    assert not list((tmp_path / "lib").rglob("*.so"))
    assert not (tmp_path / "lib" / "beamlab_broken" / _accel.MANIFEST).exists()


def test_an_installed_wheel_carries_the_pxd_files_its_modules_were_built_from():
    # _accel runs a twin only if the .py and the .pxd beside it hash to what the build
    # saw: a wheel without the .pxd files (pip install ., not -e) ran every module pure
    import tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    data = config.get("package-data", {})
    for name in _accel.COMPILED:
        if pure_source(name).with_suffix(".pxd").exists():
            package = "beamlab.runtime" + "".join(f".{p}" for p in name.split(".")[:-1])
            assert package in config["packages"] and "*.pxd" in data.get(package, []), name
