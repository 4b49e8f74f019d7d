"""Fixtures for the notebook tests: the tutorials run headless on the beamlab kernel.

How this works: once per session the kernelspec is installed into this
environment with `python -m beamlab install --sys-prefix` (what `make lab`
does), unless the very same spec is already there. Tests then execute the
notebooks with nbclient through nbrun.py. Every test here is marked
`notebook`; the Binder replay, which builds a fresh virtualenv from
binder/ and takes a minute or two, is also marked `binder`, so
`pytest -m "not binder"` leaves it out of a quick run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from nbrun import KERNEL  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "binder: replays the Binder build in a fresh virtualenv (slow, needs the package index)")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.notebook)


@pytest.fixture(scope="session")
def kernelspec():
    """The beamlab kernelspec, installed in this environment as the README's command does."""
    from beamlab.kernel.kernelspec import kernel_dict

    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"
    if not spec.exists() or json.loads(spec.read_text()) != kernel_dict():
        done = subprocess.run([sys.executable, "-m", "beamlab", "install", "--sys-prefix"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return json.loads(spec.read_text())
