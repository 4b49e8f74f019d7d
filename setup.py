"""Builds beamlab, with its optional compiled accelerator when it can.

The metadata is in pyproject.toml; this file only adds the accelerator (see
runtime/_accel.py): the scheduler modules named in `_accel.COMPILED` are
compiled by Cython, as they are, from their readable .py files into extension
modules under another name (runtime/_core.py becomes beamlab.runtime._cy_core),
which each .py swaps in at the end of its import.

The build never fails the install: without Cython or a C compiler, or if a
module fails to compile, pip installs the pure-Python package (the same code,
only slower) and says so. `BEAMLAB_PURE_PYTHON=1` skips the build.
"""

import ast
import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def _compiled_modules():
    """COMPILED and MANIFEST from runtime/_accel.py, read without importing beamlab."""
    with open(os.path.join(HERE, "runtime", "_accel.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("COMPILED", "MANIFEST"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found["COMPILED"], found["MANIFEST"]


COMPILED, MANIFEST = _compiled_modules()
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
    exts = [Extension(f"beamlab.runtime._cy_{name}", [os.path.join("runtime", f"{name}.py")])
            for name in COMPILED]
    for ext in exts:        # the source each is compiled from, read as Cython reads it
        with open(ext.sources[0], "rb") as f:
            SOURCES[ext.name] = hashlib.sha256(f.read()).hexdigest()
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
    try:
        return cythonize(exts, build_dir=os.path.join("build", f"cython-{tag}"), quiet=True,
                         compiler_directives=directives)
    except Exception as exc:        # a module Cython cannot compile: install the pure runtime
        _say(f"Cython failed ({exc}): installing the pure-Python runtime only")
        return []


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
        built = {}
        folder = None
        for ext in self.extensions:
            path = self.get_ext_fullpath(ext.name)
            if getattr(ext, "_beamlab_failed", False) or not os.path.exists(path):
                continue
            folder = os.path.dirname(path)
            built[ext.name.rpartition("._cy_")[2]] = SOURCES[ext.name]
        if folder is not None:
            with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as f:
                json.dump(built, f, indent=1, sort_keys=True)
                f.write("\n")


if __name__ == "__main__":      # (as pip's build backend runs it; tests import it)
    setup(ext_modules=_extensions(), cmdclass={"build_ext": optional_build_ext})
