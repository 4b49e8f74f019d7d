"""Drive a real JupyterLab in Debian's headless Chromium, as a user would.

How this works: `JupyterLab` starts `jupyter lab` from the project's venv on a
random free port on 127.0.0.1, token-less, with a fresh workspaces directory
(so no old layout is restored) and a temporary notebook directory. `browser()`
launches /usr/bin/chromium through Python Playwright (never a downloaded
browser) with the flags a container needs. `open_notebook()` opens a notebook
and runs all its cells through JupyterLab's own command (the app is exposed to
the page with `--LabApp.expose_app_in_browser`).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(cells: list[str], kernel: str = "python3", display_name: str = "Python 3") -> dict:
    """A minimal nbformat-4 notebook of code cells."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": kernel, "display_name": display_name, "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [],
                   "execution_count": None, "id": f"c{i}"} for i, src in enumerate(cells)],
    }


class JupyterLab:
    def __init__(self, tmp: Path, *, env: dict | None = None) -> None:
        self.tmp = Path(tmp)
        self.root = self.tmp / "notebooks"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.tmp / "jupyter.log"
        self.env = dict(os.environ, **(env or {}))
        self.env.setdefault("JUPYTER_CONFIG_DIR", str(self.tmp / "config"))
        self.env.setdefault("JUPYTER_RUNTIME_DIR", str(self.tmp / "runtime"))
        self.env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
        # user settings of our own: no "get notified about Jupyter news?" toast over the page
        settings = self.tmp / "lab-settings"
        (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True, exist_ok=True)
        (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
            '{"fetchNews": "false", "checkForUpdates": false}')
        self.env.setdefault("JUPYTERLAB_SETTINGS_DIR", str(settings))
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "JupyterLab":
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=",
               "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
               f"--ServerApp.root_dir={self.root}",
               f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        self.proc = subprocess.Popen(cmd, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                     env=self.env, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited at start:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        return self
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def write_notebook(self, name: str, nb: dict) -> str:
        (self.root / name).write_text(json.dumps(nb, indent=1))
        return name

    def shutdown_kernels(self) -> None:
        """Stop every kernel the server runs (so the next test starts from a fresh one)."""
        import json as _json
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=10) as r:
                sessions = _json.loads(r.read())
            for s in sessions:
                req = urllib.request.Request(f"{self.url}/api/sessions/{s['id']}", method="DELETE")
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(req, timeout=30).close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def open_notebook(page, lab: JupyterLab, name: str, *, timeout_ms: int = 120_000) -> None:
    """Open `name` in JupyterLab, wait for its kernel, and run all cells."""
    page.goto(f"{lab.url}/lab/tree/{name}?reset", timeout=timeout_ms)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook", timeout=timeout_ms)
    # the kernel is idle once the toolbar's kernel status says so
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
            return k && k.status === 'idle';
        }""", timeout=timeout_ms)
    # do not return the command's promise: it resolves only when every cell has finished
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS = REPO / "docs"


def save_screenshot(locator, name: str, *, docs: bool = True) -> None:
    """Screenshot `locator` into artifacts/; with BEAMLAB_UPDATE_SCREENSHOTS=1 also into docs/
    (the README's pictures), so an ordinary test run never changes tracked files."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = locator.page
    page.mouse.move(0, 0)                    # no hover toolbars (bqplot) over the picture
    size = page.viewport_size
    box = locator.bounding_box()
    if box is not None and size is not None and box["height"] > size["height"] - 150:
        # the whole widget, not the part that fits under JupyterLab's bars: a taller window
        page.set_viewport_size({"width": size["width"], "height": min(2400, int(box["height"]) + 300)})
        page.wait_for_timeout(500)
    try:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(ARTIFACTS / name))
        if docs and os.environ.get("BEAMLAB_UPDATE_SCREENSHOTS") == "1":
            DOCS.mkdir(exist_ok=True)
            locator.screenshot(path=str(DOCS / name))
    finally:
        if size is not None and page.viewport_size != size:
            page.set_viewport_size(size)


def assert_observer_table_fits(page, table: str, *, width: int = 1366) -> None:
    """The observer's process table fits its panel (nothing to scroll sideways) and its status
    column, the last, ends inside both the panel and a `width`-pixel window.

    Both are measured in one step in the page. The observer re-draws its table whenever an
    update changes a row, the total or the summary (one update can re-draw it several times),
    so a header found first and measured after may be gone by then: Playwright's bounding_box
    then gives None, as it did twice in CI. This scrolls the table into view and measures in
    the same turn of the page, retrying until the header is drawn; if it never is, the
    failure says what was seen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    measure = """table => {
        const t = document.querySelector(table);
        const th = t && t.querySelector('th[data-column="status"]');
        const panel = t && t.closest('.bl-canvas');
        if (!th || !panel) return null;
        t.scrollIntoView({block: 'center', inline: 'start'});
        const a = th.getBoundingClientRect(), b = panel.getBoundingClientRect();
        if (!(a.width > 0 && b.width > 0)) return null;
        return {scroll: t.scrollWidth, room: panel.clientWidth, status: a.right, panel: b.right};
    }"""
    try:
        seen = page.wait_for_function(measure, arg=table, timeout=30_000).json_value()
    except PlaywrightTimeout:
        seen = page.evaluate("""table => Array.from(document.querySelectorAll(table)).map(t => {
            const hidden = [];
            for (let e = t; e; e = e.parentElement)
                if (getComputedStyle(e).display === 'none') hidden.push(e.className || e.tagName);
            return {columns: Array.from(t.querySelectorAll('th')).map(th => th.dataset.column),
                    rect: t.getBoundingClientRect().toJSON(), hidden};
        })""", table)
        raise AssertionError(f"the observer's status header was never drawn with a size: {seen}") from None
    assert seen["scroll"] <= seen["room"] + 1, seen
    assert seen["status"] <= min(width, seen["panel"]) + 1, seen
