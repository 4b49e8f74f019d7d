"""Fixtures for the kernel tests: a real beamlab kernel, talked to over the Jupyter protocol.

How this works: once per session, `python -m beamlab install --sys-prefix`
installs the kernelspec into this environment, exactly as the README does.
Each test module then starts one kernel from that spec with jupyter_client
(`kernel`), and tests run cells through `Kernel.run` (kernel_client.py), which
returns what a notebook would show: stdout, stderr, results and errors of that cell.
Every test here is marked `kernel`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from kernel_client import KERNEL_NAME, start_kernel, stop_kernel  # noqa: E402


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


@pytest.fixture(scope="module")
def kernel(kernelspec):
    """One beamlab kernel for the whole test module."""
    k = start_kernel()
    yield k
    stop_kernel(k)
