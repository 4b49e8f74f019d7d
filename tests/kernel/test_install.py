"""`python -m beamlab install` makes "BEAM Lab (Python)" a kernel Jupyter can start."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def beamlab(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beamlab", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def test_the_installed_kernelspec_is_listed_by_jupyter(kernelspec):
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("beamlab")
    assert spec.display_name == "BEAM Lab (Python)"
    assert spec.argv[1:] == ["-m", "beamlab.kernel", "-f", "{connection_file}"]
    assert spec.language == "python"


def test_install_under_a_prefix_writes_the_kernelspec_and_logos(tmp_path):
    done = beamlab("install", "--prefix", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "share" / "jupyter" / "kernels" / "beamlab"
    assert "BEAM Lab (Python)" in done.stdout and str(folder) in done.stdout
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert {p.name for p in folder.iterdir()} >= {"kernel.json", "logo-32x32.png",
                                                  "logo-64x64.png", "logo-svg.svg"}


def test_uninstall_removes_the_kernelspec(tmp_path):
    assert beamlab("install", "--prefix", str(tmp_path), "--name", "beamlab-tmp").returncode == 0
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share" / "jupyter"))
    done = beamlab("uninstall", "--name", "beamlab-tmp", env=env)
    assert done.returncode == 0 and "Removed" in done.stdout
    assert not (tmp_path / "share" / "jupyter" / "kernels" / "beamlab-tmp").exists()


def test_the_kernel_says_who_it_is(kernel):
    reply = kernel.kc.kernel_info(reply=True, timeout=10)["content"]
    assert reply["implementation"] == "beamlab"
    assert reply["language_info"]["name"] == "python"
    assert "BEAM Lab" in reply["banner"]
    assert "kernel subshells" in reply["supported_features"]
    assert "debugger" not in reply["supported_features"]


def test_tab_completion_and_help_work_on_the_beamlab_names(kernel):
    matches = kernel.kc.complete("spawn_l", reply=True, timeout=10)["content"]["matches"]
    assert "spawn_link" in matches
    help_text = kernel.kc.inspect("receive", reply=True, timeout=10)["content"]["data"]["text/plain"]
    assert "ANY" in help_text   # receive's docstring explains patterns
