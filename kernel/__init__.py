"""beamlab.kernel: the "BEAM Lab (Python)" Jupyter kernel.

An IPython kernel that hosts one beamlab runtime for the life of the kernel:
each cell runs as the shell process, processes keep running between cells and
while a cell runs, their output lands in the cell that spawned them, and
widget messages are handled even while a cell is busy.

    python -m beamlab install --sys-prefix     # then pick "BEAM Lab (Python)"

`BeamKernel` is importable from here; importing it pulls in ipykernel. In a
kernel that cannot be chosen (Colab, VS Code's default Python) `%load_ext beamlab`
gives the same notebook (extension.py: the kernel is that extension plus comm
routing, no debugger, and its shutdown).
"""

from .kernelspec import DISPLAY_NAME, KERNEL_NAME, install, kernel_dict, uninstall

__all__ = ["BeamKernel", "install", "uninstall", "kernel_dict", "KERNEL_NAME", "DISPLAY_NAME"]


def __getattr__(name):
    if name == "BeamKernel":
        from .kernel import BeamKernel
        return BeamKernel
    raise AttributeError(f"module 'beamlab.kernel' has no attribute {name!r}")
