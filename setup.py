"""Builds beamlab, with its optional compiled accelerator when it can.

The metadata is in pyproject.toml; this file only adds the accelerator (see
runtime/_accel.py): the scheduler modules named in `_accel.COMPILED` are
compiled by Cython from their readable .py files, typed by the .pxd files beside
them, into extension modules under another name (runtime/_core.py becomes
beamlab.runtime._cy__core), which each .py swaps in at the end of its import.

The build never fails the install: without Cython or a C compiler, or if a
module fails to compile, pip installs the pure-Python package (the same code,
only slower) and says so. `BEAMLAB_PURE_PYTHON=1` skips the build.
"""

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_accel():
    """runtime/_accel.py, loaded on its own (it imports only the standard library):
    COMPILED, MANIFEST and source_digest, without importing beamlab."""
    spec = importlib.util.spec_from_file_location(
        "_beamlab_accel", os.path.join(HERE, "runtime", "_accel.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_accel = _load_accel()
COMPILED, MANIFEST = _accel.COMPILED, _accel.MANIFEST
SOURCES = {}        # extension name -> sha256 of the .py it is compiled from


def _say(text):
    print(f"beamlab: {text}", file=sys.stderr)


def _extensions():
    if not COMPILED:
        return []       # none pays for now: see runtime/_accel.py
    if os.environ.get("BEAMLAB_PURE_PYTHON", "") not in ("", "0"):
        _say("BEAMLAB_PURE_PYTHON is set: installing the pure-Python runtime only")
        return []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        _say("Cython is not installed: installing the pure-Python runtime only")
        return []
    # -O2: the same instructions as Python's -O3 here, with C frames a third the size, and
    # every frame a process waits in is stack that greenlet copies at each switch
    # (benchmarks/PERFORMANCE.md); the last -O given wins
    args = [] if sys.platform == "win32" else ["-O2"]
    # runtime/otp/_server.py (COMPILED's "otp._server") -> beamlab.runtime.otp._cy__server
    exts = [Extension(f"beamlab.runtime.{_accel.twin_name(name)}",
                      [os.path.join("runtime", *_accel.source_path(name).split("/"))],
                      extra_compile_args=args)
            for name in COMPILED]
    for name, ext in zip(COMPILED, exts):     # what each is compiled from: its .py and .pxd
        SOURCES[ext.name] = (name, _accel.source_digest(ext.sources[0]))
    # Tracebacks through compiled code name the .py it was compiled from; Cython writes
    # that path relative to the working directory, which only resolves from there. The
    # absolute path makes a traceback in an editable install (make, Binder) show the
    # source lines, and the kernel leave out the runtime's frames, as for the pure module.
    from Cython.Compiler.Scanning import FileSourceDescriptor
    FileSourceDescriptor.get_relative_path = lambda self: Path(os.path.abspath(self.filename))
    # Cython regenerates a .c only when its .py is newer: a folder per set of directives
    directives = {"language_level": 3, "binding": True,
                  "annotation_typing": False}    # annotations are hints, as in Python
    tag = hashlib.sha256(repr(sorted(directives.items()) + ["absolute paths"]).encode()).hexdigest()[:8]
    # Cython looks for a module's declarations (.pxd) under the name of the module it
    # builds, beamlab.runtime._cy_<name>, and for a cimport's under the name cimported,
    # beamlab.runtime.<name>: both are copies of runtime/<name>.pxd in a folder laid out
    # as the package (the source tree's runtime/ folder is beamlab.runtime only once installed)
    pxd_dir = os.path.join("build", f"cython-{tag}", "pxd")
    package = os.path.join(pxd_dir, "beamlab", "runtime")
    os.makedirs(package, exist_ok=True)
    for folder in (os.path.join(pxd_dir, "beamlab"), package, os.path.join(package, "otp")):
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "__init__.pxd"), "w").close()
    for name in COMPILED:
        pxd = os.path.join("runtime", *_accel.source_path(name)[:-3].split("/")) + ".pxd"
        if os.path.exists(pxd):
            with open(pxd, "rb") as f:
                text = f.read()
            for module in (_accel.twin_name(name), name):
                _write_if_changed(os.path.join(package, *module.split(".")) + ".pxd", text)
    try:
        return cythonize(exts, build_dir=os.path.join("build", f"cython-{tag}"), quiet=True,
                         compiler_directives=directives, include_path=[pxd_dir])
    except Exception as exc:        # a module Cython cannot compile: install the pure runtime
        _say(f"Cython failed ({exc}): installing the pure-Python runtime only")
        return []


def _write_if_changed(path, data):
    """Write `data` to `path` unless it holds it already (Cython compiles again whatever
    depends on a .pxd newer than its .c)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    with open(path, "wb") as f:
        f.write(data)


class optional_build_ext(build_ext):
    """build_ext that lets the install go on, pure, when compiling fails."""

    def run(self):
        try:
            super().run()
        except Exception as exc:
            _say(f"the compiled accelerator was not built ({exc}); the pure-Python runtime "
                 f"is installed")
            return
        self._write_manifest()

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            _say(f"{ext.name} was not compiled ({type(exc).__name__}: {exc}); its pure-Python "
                 f"module is used")
            ext._beamlab_failed = True

    def _write_manifest(self):
        """Which source each compiled module was built from, for runtime/_accel.py to
        check: an edited .py runs as it is until it is compiled again."""
        built = {}      # one manifest in each folder a twin lands in (runtime/, runtime/otp/)
        for ext in self.extensions:
            path = self.get_ext_fullpath(ext.name)
            if getattr(ext, "_beamlab_failed", False) or not os.path.exists(path):
                continue
            name, digest = SOURCES[ext.name]
            built.setdefault(os.path.dirname(path), {})[name] = digest
        for folder, digests in built.items():
            with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as f:
                json.dump(digests, f, indent=1, sort_keys=True)
                f.write("\n")


if __name__ == "__main__":      # (as pip's build backend runs it; tests import it)
    setup(ext_modules=_extensions(), cmdclass={"build_ext": optional_build_ext})
