"""Installing the "BEAM Lab (Python)" kernelspec.

How this works: a kernelspec is a folder holding `kernel.json` (the command
Jupyter runs to start the kernel) and logos. We write one into a temporary
folder and hand it to jupyter_client's `KernelSpecManager`, which copies it
to the per-user, per-environment (`sys.prefix`) or system Jupyter data dir.
The command is this Python running `-m beamlab.kernel`, so the kernel always
starts in the environment beamlab was installed into.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "kernel_dict", "install", "uninstall"]

KERNEL_NAME = "beamlab"
DISPLAY_NAME = "BEAM Lab (Python)"
RESOURCES = Path(__file__).parent / "resources"


def kernel_dict(executable: str | None = None, display_name: str = DISPLAY_NAME) -> dict:
    """The contents of `kernel.json` for the beamlab kernel.

        >>> kernel_dict("/usr/bin/python3")["argv"][:3]
        ['/usr/bin/python3', '-m', 'beamlab.kernel']
    """
    return {
        "argv": [executable or sys.executable, "-m", "beamlab.kernel",
                 "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
        "interrupt_mode": "signal",
        # Processes are greenlets switched by the scheduler; a debugger that
        # steps one thread would not follow them, so we do not offer one.
        "metadata": {"debugger": False},
        "kernel_protocol_version": "5.5",
    }


def _default_scope() -> str:
    """Inside a virtualenv install into it; otherwise for the current user."""
    return "sys-prefix" if sys.prefix != sys.base_prefix else "user"


def install(scope: str | None = None, prefix: str | None = None,
            name: str = KERNEL_NAME, display_name: str = DISPLAY_NAME) -> str:
    """Install the kernelspec and return the folder it went to.

    `scope` is "user" (~/.local/share/jupyter), "sys-prefix" (this
    environment, what Binder and `make lab` use) or "system"; `prefix`
    installs under any other prefix. Without either: this virtualenv if
    Python runs in one, else the user's folder.

        >>> install("sys-prefix")   # doctest: +SKIP
        '/work/main/.venv/share/jupyter/kernels/beamlab'
    """
    from jupyter_client.kernelspec import KernelSpecManager

    if prefix is None:
        scope = scope or _default_scope()
        if scope not in ("user", "sys-prefix", "system"):
            raise ValueError(f"unknown scope {scope!r}: use 'user', 'sys-prefix' or 'system'")
        if scope == "sys-prefix":
            prefix = sys.prefix
    user = prefix is None and scope == "user"
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / name
        spec_dir.mkdir()
        (spec_dir / "kernel.json").write_text(
            json.dumps(kernel_dict(display_name=display_name), indent=1) + "\n")
        for logo in RESOURCES.glob("logo-*"):
            shutil.copy(logo, spec_dir / logo.name)
        return KernelSpecManager().install_kernel_spec(
            str(spec_dir), kernel_name=name, user=user, prefix=prefix)


def uninstall(name: str = KERNEL_NAME) -> str | None:
    """Remove the kernelspec (the first one Jupyter finds); return where it was, or None."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return KernelSpecManager().remove_kernel_spec(name)
    except KeyError:
        return None
