"""beamlab: a lab for the BEAM's ideas — processes, links, GenServers, supervisors — in Python.

    >>> import beamlab
    >>> beamlab.run(main)            # a runtime in a plain script

In Jupyter, pick the "BEAM Lab (Python)" kernel: the runtime lives as long as
the kernel and everything below is already in the namespace. Where the kernel
cannot be chosen (Colab, a JupyterHub, VS Code's default Python), run
`%load_ext beamlab` in the stock Python kernel instead.
"""

from .runtime import *  # noqa: F401,F403
from .runtime import __all__ as _runtime_all

__version__ = "0.1.0"
__all__ = list(_runtime_all)


def load_ipython_extension(shell) -> None:
    """`%load_ext beamlab` in any IPython kernel (Colab, VS Code, JupyterHub): the beamlab
    kernel's namespace, and each cell runs as the shell process. Needs beamlab's `kernel` extra."""
    from .kernel.extension import load_ipython_extension as load
    load(shell)


def unload_ipython_extension(shell) -> None:
    """`%unload_ext beamlab`: every process stopped, the shell as it was."""
    from .kernel.extension import unload_ipython_extension as unload
    unload(shell)
