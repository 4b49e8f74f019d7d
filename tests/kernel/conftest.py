"""Fixtures for the kernel tests: a real beamlab kernel, talked to over the Jupyter protocol.

How this works: once per session, `python -m beamlab install --sys-prefix`
installs the kernelspec into this environment, exactly as the README does.
Each test module then starts one kernel from that spec with jupyter_client
(`kernel`), and tests run cells through `Kernel.run` (kernel_client.py), which
returns what a notebook would show: stdout, stderr, results and errors of that cell.
Every test here is marked `kernel`.

A test module that sets `ALSO_ON_EXTENSION = True` runs twice: on the beamlab
kernel and on a stock python3 kernel with `%load_ext beamlab` (its `kernel`
fixture is parameterised, ids `beamlab` and `extension`); a test of such a
module that needs the beamlab kernel itself takes the `beamlab_kernel_only`
fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from kernel_client import KERNEL_NAME, MODES, start_kernel, stop_kernel  # noqa: E402


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.kernel)


@pytest.fixture(scope="session")
def kernelspec():
    """Install the kernelspec into this environment, as the README's command does.

    Skipped when the very same spec is already there: reinstalling replaces the folder,
    and a kernel another test run starts at that moment would not find it."""
    from beamlab.kernel.kernelspec import kernel_dict

    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    if not spec.exists() or json.loads(spec.read_text()) != kernel_dict():
        done = subprocess.run([sys.executable, "-m", "beamlab", "install", "--sys-prefix"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return json.loads(spec.read_text())


def pytest_generate_tests(metafunc):
    if "kernel" in metafunc.fixturenames and getattr(metafunc.module, "ALSO_ON_EXTENSION", False):
        metafunc.parametrize("kernel", MODES, indirect=True, scope="module")


@pytest.fixture(scope="module")
def kernel(kernelspec, request):
    """One kernel for the whole test module: the beamlab kernel, or (param "extension")
    a stock python3 kernel with `%load_ext beamlab`."""
    k = start_kernel(getattr(request, "param", "beamlab"))
    yield k
    stop_kernel(k)


@pytest.fixture
def beamlab_kernel_only(kernel):
    """Skips the test on the extension: it is about what only the beamlab kernel does."""
    if kernel.mode != "beamlab":
        pytest.skip("about the beamlab kernel itself, not the extension")
