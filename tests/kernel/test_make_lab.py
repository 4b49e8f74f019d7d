"""`make lab` installs only the lab extra, only when pyproject.toml changed, and turns off
JupyterLab's news toast in the lab's own settings (checked with `make -n`, nothing runs)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def dry_run(venv: Path) -> str:
    return subprocess.run(["make", "-n", "lab", f"VENV={venv}"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_the_lab_extra_once_and_silences_the_news(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    first = dry_run(venv)
    assert "pip install -q -e '.[lab]'" in first and "[dev]" not in first
    assert '"fetchNews": "false"' in first and "overrides.json" in first
    stamp = venv / ".beamlab-lab-installed"
    stamp.touch()
    later = time.time() + 5
    os.utime(stamp, (later, later))              # installed after pyproject.toml last changed
    again = dry_run(venv)
    assert "pip install" not in again and "jupyter lab" in again
