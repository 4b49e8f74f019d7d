"""Binder: the repository launches into JupyterLab on the welcome notebook, beamlab kernel first.

How this works: Binder builds an image with repo2docker, which reads only
binder/ when it exists. Without a Docker engine we check the two halves:
`repo2docker --no-build --debug --no-run .` must generate a Dockerfile that
pins Python 3.11, installs graphviz, installs binder/requirements.txt from
the repository and runs binder/postBuild; and the *replay* does those steps
by hand in a fresh virtualenv (pip install -r binder/requirements.txt from
the repository root, as repo2docker does, then postBuild) and runs the
welcome notebook on the kernel that venv installed. The replay downloads
from the package index and takes a minute or two, so it is marked `binder`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nbrun import REPO

BINDER = REPO / "binder"


def _repo2docker() -> str | None:
    here = Path(sys.executable).parent / "repo2docker"
    return str(here) if here.exists() else shutil.which("repo2docker")


def test_binder_pins_python_3_11_graphviz_the_repository_and_a_post_build_step():
    assert (BINDER / "runtime.txt").read_text().split() == ["python-3.11"]
    assert "graphviz" in (BINDER / "apt.txt").read_text().split()
    reqs = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    assert "-e .[lab]" in reqs
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    assert "python -m beamlab install --sys-prefix" in post.read_text()


def test_repo2docker_turns_binder_into_a_dockerfile():
    exe = _repo2docker()
    if exe is None:
        pytest.skip("repo2docker is not installed: pip install jupyter-repo2docker")
    done = subprocess.run([exe, "--no-build", "--debug", "--no-run", str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile, log = done.stdout, done.stderr
    assert "FROM " in dockerfile
    assert "python=3.11" in log, "repo2docker should build the Python 3.11 environment from runtime.txt"
    assert "install --yes --no-install-recommends graphviz" in dockerfile
    copy_repo = dockerfile.index("COPY --chown")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert install > dockerfile.index("src/ ${REPO_DIR}/"), \
        "requirements.txt installs the repository itself (-e .), so it must run after the repo is copied"
    assert copy_repo < install < dockerfile.index("./binder/postBuild")


REPLAY = textwrap.dedent('''
    """Runs inside the replayed venv: ask its JupyterLab what it serves, then run the welcome notebook."""
    import json, os, socket, subprocess, sys, time, urllib.request
    sys.path.insert(0, sys.argv[1])
    from jupyter_client.kernelspec import KernelSpecManager
    import nbrun

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    lab = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab", "--no-browser",
                            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                            "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
                            f"--ServerApp.root_dir={nbrun.REPO}", "--allow-root"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    try:
        for _ in range(300):
            try:
                kernelspecs = json.load(urllib.request.urlopen(base + "/api/kernelspecs", timeout=2))
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("JupyterLab did not start within a minute")
        try:
            urllib.request.build_opener(NoRedirect).open(base + "/", timeout=5)
            landing = "/"
        except urllib.error.HTTPError as err:
            landing = err.headers.get("Location")
    finally:
        lab.terminate()
        lab.wait(30)

    spec = KernelSpecManager().get_kernel_spec("beamlab")
    run = nbrun.execute(nbrun.solved(nbrun.load("00_welcome")))
    print(json.dumps({"default_kernel": kernelspecs["default"], "landing": landing,
                      "display_name": kernelspecs["kernelspecs"]["beamlab"]["spec"]["display_name"],
                      "spec_dir": spec.resource_dir, "spec_argv": spec.argv,
                      "errors": run.errors(), "verdicts": run.verdicts()}))
''')


@pytest.mark.binder
def test_the_binder_steps_replayed_in_a_fresh_virtualenv_run_the_welcome_notebook(tmp_path):
    if sys.version_info[:2] != (3, 11):
        pytest.skip(f"the replay needs the Python binder/runtime.txt pins (3.11), not {sys.version.split()[0]}")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / "bin"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "IPYTHON"))}
    user = tmp_path / "user"           # no user-level kernelspecs or config from this machine
    env.update(PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               JUPYTER_CONFIG_DIR=str(user / "config"), JUPYTER_DATA_DIR=str(user / "data"),
               JUPYTER_RUNTIME_DIR=str(user / "runtime"), JUPYTER_PLATFORM_DIRS="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")

    def step(*cmd, timeout):
        done = subprocess.run(list(cmd), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    # What repo2docker does, in its order, from the repository root.
    step(str(bindir / "pip"), "install", "-q", "-r", "binder/requirements.txt", timeout=1200)
    step("bash", str(BINDER / "postBuild"), timeout=300)

    script = tmp_path / "replay.py"
    script.write_text(REPLAY)
    out = step(str(bindir / "python"), str(script), str(Path(__file__).parent), timeout=600)
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["default_kernel"] == "beamlab"
    assert seen["landing"].rstrip("?") == "/lab/tree/notebooks/00_welcome.ipynb"
    assert seen["display_name"] == "BEAM Lab (Python)"
    assert Path(seen["spec_dir"]).is_relative_to(venv), "the kernelspec should be installed into the env"
    assert Path(seen["spec_argv"][0]).parent == bindir, "the kernel should run on the env's Python"
    assert seen["errors"] == []
    assert seen["verdicts"] and all(v == "✓ correct" for v in seen["verdicts"])
