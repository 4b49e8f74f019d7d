"""beamlab: a lab for the BEAM's ideas — processes, links, GenServers, supervisors — in Python.

    >>> import beamlab
    >>> beamlab.run(main)            # a runtime in a plain script

In Jupyter, pick the "BEAM Lab (Python)" kernel: the runtime lives as long as
the kernel and everything below is already in the namespace.
"""

from .runtime import *  # noqa: F401,F403
from .runtime import __all__ as _runtime_all

__version__ = "0.1.0"
__all__ = list(_runtime_all)
