"""The one-way dependency rule: runtime/ knows nothing of Jupyter or of the packages built on it.

DESIGN.md: runtime/ may import the standard library and greenlet; the kernel and
the widgets observe it from outside. Checked two ways: by reading every import
statement in runtime/ (including ones inside functions), and by importing the
runtime in a fresh interpreter and looking at what got loaded.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "runtime"

FORBIDDEN = {"jupyter", "jupyter_client", "jupyter_core", "jupyter_server", "jupyterlab",
             "ipykernel", "ipywidgets", "IPython", "anywidget", "bqplot", "traitlets", "comm",
             "zmq", "graphviz", "plotly", "widgetsnbextension"}
ALLOWED_THIRD_PARTY = {"greenlet"}


def runtime_files():
    return sorted(RUNTIME.rglob("*.py"))


def package_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = ["beamlab", *rel.parts]
    return ".".join(parts[:-1])      # the module's package (runtime/x.py -> beamlab.runtime)


def imports_of(path: Path):
    """(line, absolute module name) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    pkg = package_of(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    for alias in node.names:
                        yield node.lineno, f"{mod}.{alias.name}"
                    continue
                yield node.lineno, mod
            else:
                yield node.lineno, node.module


def all_runtime_imports():
    return [(f"{p.relative_to(ROOT)}:{line}", mod) for p in runtime_files()
            for line, mod in imports_of(p)]


def test_there_are_runtime_modules_to_check():
    names = {p.name for p in runtime_files()}
    assert {"_core.py", "api.py", "preempt.py"} <= names


@pytest.mark.parametrize("path", runtime_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_runtime_module_parses(path):
    ast.parse(path.read_text(), filename=str(path))


def test_nothing_in_runtime_imports_jupyter_or_widget_libraries():
    bad = [(where, mod) for where, mod in all_runtime_imports()
           if mod.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_nothing_in_runtime_imports_the_kernel_the_widgets_or_the_top_package():
    # Relative imports are resolved first, so `from ..kernel import x` is caught too.
    bad = [(where, mod) for where, mod in all_runtime_imports()
           if (mod == "beamlab" or mod.startswith("beamlab."))
           and not (mod == "beamlab.runtime" or mod.startswith("beamlab.runtime."))]
    assert bad == []


def test_runtime_imports_only_the_standard_library_and_greenlet():
    stdlib = set(sys.stdlib_module_names)
    bad = [(where, mod) for where, mod in all_runtime_imports()
           if not mod.startswith("beamlab")
           and mod.split(".")[0] not in stdlib | ALLOWED_THIRD_PARTY | {"__future__"}]
    assert bad == []


def test_importing_the_runtime_loads_no_jupyter_module():
    code = ("import sys, beamlab, beamlab.runtime, beamlab.runtime.otp; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (FORBIDDEN,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=str(ROOT.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_importing_the_runtime_loads_neither_the_kernel_nor_the_widgets():
    code = ("import sys, beamlab, beamlab.runtime, beamlab.runtime.otp; "
            "print(sorted(m for m in sys.modules "
            "if m.startswith(('beamlab.kernel', 'beamlab.widgets'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=str(ROOT.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
