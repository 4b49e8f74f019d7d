"""Fixtures for the browser tests: a JupyterLab server and a headless Chromium page.

Both are started once per test session; every test gets a fresh browser page.
The tests are marked `browser` and skip (saying why) when Chromium is missing.
Screenshots and the server log land in tests/browser/artifacts/ (git-ignored)
so a failure can be looked at afterwards.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from lab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DOCS, REPO, JupyterLab,  # noqa: E402,F401
                 chromium_available, save_screenshot)

def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _pythonpath(tmp: Path) -> str:
    """Where the lab's kernels import beamlab and the test fakes from."""
    paths = [str(REPO / "tests" / "widgets")]
    try:
        import beamlab.widgets  # noqa: F401
    except ImportError:
        # beamlab is not installed in this venv (yet): give the kernel a shim that maps
        # the package onto the repo, as pyproject's package-dir does.
        shim = tmp / "shim" / "beamlab"
        shim.mkdir(parents=True, exist_ok=True)
        (shim / "__init__.py").write_text("")
        for sub in ("widgets", "runtime", "kernel"):
            link = shim / sub
            if not link.exists():
                link.symlink_to(REPO / sub)
        paths.append(str(shim.parent))
    old = os.environ.get("PYTHONPATH")
    return os.pathsep.join(paths + ([old] if old else []))


def _install_kernelspec(tmp: Path, env: dict) -> str | None:
    """Install the beamlab kernelspec under a temporary prefix; its share/jupyter, or None."""
    import subprocess
    prefix = tmp / "prefix"
    done = subprocess.run([sys.executable, "-m", "beamlab", "install", "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return None
    return str(prefix / "share" / "jupyter")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    if not chromium_available():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("lab")
    env = {"PYTHONPATH": _pythonpath(tmp)}
    share = _install_kernelspec(tmp, dict(os.environ, **env))
    if share is not None:
        env["JUPYTER_PATH"] = os.pathsep.join([share] + [p for p in [os.environ.get("JUPYTER_PATH")] if p])
    server = JupyterLab(tmp, env=env).start()
    server.beamlab_kernel = share is not None
    yield server
    server.stop()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "jupyter.log").write_bytes(server.log.read_bytes())


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    pg.js_errors = errors
    pg.console_errors = console
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    lab.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
