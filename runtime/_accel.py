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

What makes the compiled code fast is the `.pxd` file beside each .py (Cython's
"pure Python mode"): it declares `Process` and `Runtime` as extension types with
typed fields, and the hot methods as `cpdef`, so the compiled send, receive and
switch read a record's fields straight from its C struct and call each other as
C functions. The .py itself stays plain Python.

The .py is the source of truth, and the fallback: the pure module stays when
`BEAMLAB_PURE_PYTHON=1` is set (or names it: `BEAMLAB_PURE_PYTHON=_core` keeps
_core pure, to measure or to bisect), when no twin was built (pip installs the pure
package if Cython or a C compiler is missing), when the twin fails to import,
or when the .py or its .pxd changed since the twin was built (an edit in an editable
install takes effect at once, compiled again by the next `pip install -e .`).
Each module in COMPILED is compiled against the types of those before it (the
flight recorder's Recorder takes _process's Process; _core's Runtime extends
_receive's ReceiveMixin, whose `_recorder` is a Recorder, and both take Process),
so one runs compiled only if all those before it do.
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
# The modules setup.py compiles (runtime/<name>.py -> beamlab.runtime._cy_<name>;
# "otp._server": runtime/otp/_server.py -> beamlab.runtime.otp._cy__server), in order:
# each is compiled against the extension types of those before it (see above), and is
# imported after them. The GenServer's hot path (otp/_results, _client, _server: the result
# values as extension types, the client's call/cast, the server's dispatch) took a cast
# 10.1k -> 5.2k instructions and a call 30.3k -> 23.8k (callgrind) on top of the runtime's.
# Typed (the .pxd files), they pay: a ring hop 13.5k -> 9.7k instructions (callgrind), a
# GenServer call 41.2k -> 30.9k, a cast 14.9k -> 11.9k, a short-lived spawn 51k -> 42k; a
# spawn that stays 116k -> 120k. CPU time: call -19%, cast +37% msgs/s, a 10-process ring
# -31%. The price is stack: the compiled frames a process waits in add ~2.1 KB to what
# greenlet saves and copies at each switch (an idle process 6.5 -> 8.6 KB), so a
# 1,000-process ring, whose stacks spill out of the L2, is no faster. Figures, load and
# what was tried: benchmarks/PERFORMANCE.md. Compiled UNTYPED the same modules were slower than pure
# (ring +12% instructions, call +20% CPU): Python 3.11 specializes attribute reads and
# inlines Python-to-Python calls, which untyped Cython turns into generic lookups and C calls.
COMPILED = ("_process", "recorder", "_receive", "_core", "otp._results", "otp._client",
            "otp._server")
# Written by setup.py beside the compiled modules: {name: sha256 of the .py it was built from}
MANIFEST = "_accel_build.json"
_PREFIX = "_cy_"
# The package the names in COMPILED are relative to: "otp._server" is beamlab.runtime.otp._server
_ROOT = __name__.rpartition(".")[0]

_status: dict[str, str] = {}
_manifests: dict[str, dict] = {}


def accelerated() -> dict[str, str]:
    """Which of the runtime's compilable modules run compiled: {module: "compiled" or why not}.

        >>> beamlab.runtime.accelerated()
        {'_process': 'compiled', 'recorder': 'compiled', '_receive': 'compiled', '_core': 'compiled'}

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
    package, _, base = name.rpartition(".")
    short = name[len(_ROOT) + 1:] if name.startswith(_ROOT + ".") else base
    if base.startswith(_PREFIX) or short not in COMPILED:
        return                  # the twin itself, running the same last line; or not (any
                                # longer) one to compile, whatever an old build left behind
    why = _why_pure(_ROOT, short, sys.modules[name])
    if why is None:
        for before in COMPILED[:COMPILED.index(short)]:
            if _status.get(before) != "compiled":
                why = (f"pure: compiled against {before}'s types, and {before} runs pure "
                       f"({_status.get(before, 'not imported yet')})")
                break
    if why is not None:
        _status[short] = why
        return
    try:
        twin = importlib.import_module(f"{_ROOT}.{twin_name(short)}")
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


def twin_name(short: str) -> str:
    """The compiled twin's module name, relative to the runtime package: `_core` ->
    `_cy__core`, `otp._server` -> `otp._cy__server` (beside the .py it is built from)."""
    folder, _, base = short.rpartition(".")
    return f"{folder}.{_PREFIX}{base}" if folder else f"{_PREFIX}{base}"


def source_path(short: str) -> str:
    """The .py a name in COMPILED is compiled from, relative to the runtime folder:
    `otp._server` -> `otp/_server.py`."""
    return short.replace(".", "/") + ".py"


def _why_pure(package: str, short: str, module) -> str | None:
    """Why the pure module must stay (a sentence), or None when the twin can run."""
    pure = os.environ.get(PURE_ENV, "")
    if pure not in ("", "0") and (pure == "1" or short in pure.split(",")):
        return f"pure: {PURE_ENV}={pure} is set"
    return _not_built_from(package, short, getattr(module, "__file__", None))


def _not_built_from(package: str, short: str, source) -> str | None:
    """Why no compiled twin of `short` built from the file `source` exists, or None."""
    try:
        spec = importlib.util.find_spec(f"{package}.{twin_name(short)}")
    except ModuleNotFoundError:     # (a folder that is no package)
        spec = None
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
        digest = source_digest(source)
    except (OSError, TypeError):
        digest = None
    if digest is None or built.get(short) != digest:
        return (f"pure: {source_path(short)} or its .pxd changed since it was compiled (pip install -e . "
                f"compiles it again)")
    return None


def source_digest(source) -> str:
    """sha256 of what a module is compiled from: its .py, and the .pxd beside it if any
    (setup.py writes the same digest in the build's manifest)."""
    h = hashlib.sha256()
    with open(source, "rb") as f:
        h.update(f.read())
    pxd = os.path.splitext(source)[0] + ".pxd"
    if os.path.exists(pxd):
        with open(pxd, "rb") as f:
            h.update(b"\0pxd\0" + f.read())
    return h.hexdigest()
