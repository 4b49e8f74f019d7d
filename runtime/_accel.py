"""The optional compiled accelerator: the scheduler's hot path, compiled by Cython.

How this works (gevent's pattern for its hub): a few modules on the hot path of
every send, receive and switch are also compiled, from the very same .py file,
by Cython into an extension module named `_cy_<name>` (`_core.py` becomes
`beamlab.runtime._cy_core`; see setup.py). Each such .py ends with one line,
`_accel.swap(__name__)`, which replaces the module, in `sys.modules`, by its
compiled twin before anyone else imports a name from it; the twin runs the same
line and leaves itself alone. Replacing the module object (rather than copying
its globals, as gevent does) keeps module state such as `_core._current` in one
dictionary, which the compiled functions and every reader share.

The .py is the source of truth, and the fallback: the pure module stays when
`BEAMLAB_PURE_PYTHON=1` is set (or names it: `BEAMLAB_PURE_PYTHON=_core,messages`
keeps those two pure, to measure or to bisect), when no twin was built (pip installs the pure
package if Cython or a C compiler is missing), when the twin fails to import,
or when the .py changed since the twin was built (an edit in an editable
install takes effect at once, compiled again by the next `pip install -e .`).
`beamlab.runtime.accelerated()` says which modules run compiled, and why not.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import sys
import types

__all__ = ["accelerated", "swap", "framed", "COMPILED", "PURE_ENV", "MANIFEST"]

PURE_ENV = "BEAMLAB_PURE_PYTHON"
# The modules setup.py compiles (runtime/<name>.py -> beamlab.runtime._cy_<name>): none.
# Compiled as they are (untyped), _core, _driver, _receive and messages all passed the
# suite, and were slower: ring 8.4 µs/hop compiled vs 6.2 pure, call 18.0 vs 14.8, spawn
# 55.8 vs 46.5 (CPU time, 8 alternated runs, load 3-6; callgrind: ring +12% instructions).
# Python 3.11 specializes the attribute reads and inlines the Python-to-Python calls these
# modules are made of; compiled, each call is a C call, and every C frame under a switch is
# stack that greenlet saves and restores. Each alone was no faster either (_core slowest).
# Naming a module here builds it again (with Cython in the build, see setup.py) and swaps
# it in; it would take cdef classes typed in .pxd files beside the .py to pay.
COMPILED = ()
# Written by setup.py beside the compiled modules: {name: sha256 of the .py it was built from}
MANIFEST = "_accel_build.json"
_PREFIX = "_cy_"

_status: dict[str, str] = {}
_manifests: dict[str, dict] = {}


def accelerated() -> dict[str, str]:
    """Which of the runtime's compilable modules run compiled: {module: "compiled" or why not}.

        >>> beamlab.runtime.accelerated()      # {} while COMPILED names no module
        {'_driver': 'compiled', '_receive': 'compiled'}

    Not an OTP concept: it answers "is the optional C build in use?" (see
    runtime/_accel.py). `BEAMLAB_PURE_PYTHON=1` in the environment forces the
    readable pure-Python modules, which behave the same, only slower."""
    for name in COMPILED:       # a module not imported yet says so
        _status.setdefault(name, "not imported yet")
    return {name: _status[name] for name in COMPILED}


def swap(name: str) -> None:
    """Replace module `name` by its compiled twin in `sys.modules`, if it can run.

    Called on the last line of each compiled module's .py; the twin calls it too
    (with its own name) and nothing happens."""
    package, _, short = name.rpartition(".")
    if short.startswith(_PREFIX) or short not in COMPILED:
        return                  # the twin itself, running the same last line; or not (any
                                # longer) one to compile, whatever an old build left behind
    why = _why_pure(package, short, sys.modules[name])
    if why is not None:
        _status[short] = why
        return
    try:
        twin = importlib.import_module(f"{package}.{_PREFIX}{short}")
    except Exception as exc:        # built for another Python, or broken: the .py serves
        _status[short] = f"pure: the compiled module failed to import ({type(exc).__name__}: {exc})"
        return
    sys.modules[name] = twin        # the import system hands out sys.modules[name] once done
    _status[short] = "compiled"


def framed(fn):
    """`fn`, called from a Python frame if it is compiled: the run function of a
    greenlet that parks in compiled code (`_core`'s pooled workers, `_worker_run`).

    greenlet takes a switched-out greenlet with no Python frame at all on its
    stack for one running in another thread, and refuses to set its
    `gr_context`; the frame of `run`, defined here in pure Python, is always there."""
    if isinstance(getattr(fn, "__func__", fn), types.FunctionType):
        return fn               # pure Python already: its own frame
    def run(*args):
        return fn(*args)
    return run


def _why_pure(package: str, short: str, module) -> str | None:
    """Why the pure module must stay (a sentence), or None when the twin can run."""
    pure = os.environ.get(PURE_ENV, "")
    if pure not in ("", "0") and (pure == "1" or short in pure.split(",")):
        return f"pure: {PURE_ENV}={pure} is set"
    return _not_built_from(package, short, getattr(module, "__file__", None))


def _not_built_from(package: str, short: str, source) -> str | None:
    """Why no compiled twin of `short` built from the file `source` exists, or None."""
    spec = importlib.util.find_spec(f"{package}.{_PREFIX}{short}")
    if spec is None or not spec.origin:
        return ("pure: not compiled (install with Cython and a C compiler: "
                "pip install -e . builds it)")
    folder = os.path.dirname(spec.origin)
    built = _manifests.get(folder)
    if built is None:
        try:
            with open(os.path.join(folder, MANIFEST), encoding="utf-8") as f:
                built = json.load(f)
        except (OSError, ValueError):
            built = {}
        _manifests[folder] = built
    try:
        with open(source, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    except (OSError, TypeError):
        digest = None
    if digest is None or built.get(short) != digest:
        return (f"pure: {short}.py changed since it was compiled (pip install -e . "
                f"compiles it again)")
    return None
