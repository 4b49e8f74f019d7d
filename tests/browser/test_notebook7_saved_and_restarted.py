"""The same as test_saved_and_restarted_in_browser.py, in Notebook 7 (/notebooks/<path>).

Notebook 7 is served by the same Jupyter server as the lab (the `notebook` server extension)
but is another application with its own page and menus, and does not expose itself to the
page's scripts: these tests drive it through its menus and keys as a person would.

1. Saved and reopened: a tree, an observer and a telemetry chart; a worker killed from the
   tree (1 restart); File → Save (Ctrl+S); the notebook reopened with a fresh kernel shows
   each widget's picture once, the tree's with the restart, the chart's counting its spawn,
   and no "model not found" error.
2. Kernel → Restart Kernel…: the old tree greys itself, says the kernel restarted and to
   re-run the cell, and no longer reacts to clicks; the telemetry chart greys too.
"""
from __future__ import annotations

import json
import time
import urllib.request

import pytest

from lab import notebook
from test_saved_and_restarted_in_browser import (CELLS, CHART, NODE, _each_picture_shown_once, _kill_from_the_tree,
                                                 _needs_kernel, _saved_chart_count, _saved_html,
                                                 _the_chart_is_greyed)

pytestmark = pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("notebook") is None,
    reason="Notebook 7 is not installed (pip install -e '.[lab]')")


def _open_in_notebook7(page, lab, name: str, *, run: bool = True) -> None:
    """Open `name` in Notebook 7, wait for its kernel, and (if `run`) Run → Run All Cells."""
    page.goto(f"{lab.url}/notebooks/{name}", timeout=120_000)
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    # the server has started the notebook's kernel, and the toolbar says it is idle
    deadline = time.monotonic() + 120
    while not _kernel_idle(lab, name):
        assert time.monotonic() < deadline, f"no idle kernel for {name} after 120 s"
        time.sleep(0.3)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)
    if run:
        _menu(page, "Run", "runmenu:run-all")


def _kernel_idle(lab, name: str) -> bool:
    try:
        with urllib.request.urlopen(f"{lab.url}/api/sessions", timeout=10) as r:
            sessions = json.loads(r.read())
    except (OSError, ValueError):
        return False
    return any(s.get("path") == name and (s.get("kernel") or {}).get("execution_state") == "idle"
               for s in sessions)


def _menu(page, title: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=title).first.click()
    page.click(f'li[data-command="{command}"]')


def test_notebook7_reopened_shows_each_widgets_last_picture(lab, page):
    _needs_kernel(lab)
    name = "nb7_saved_tree.ipynb"
    lab.write_notebook(name, notebook(CELLS + ["observer()", CHART],
                                      kernel="beamlab", display_name="BEAM Lab (Python)"))
    _open_in_notebook7(page, lab, name)
    assert page.locator(".jp-LabShell").count() == 0          # this is Notebook 7, not the lab
    _kill_from_the_tree(page, "db")
    page.wait_for_selector('[data-testid="beamlab-process-table"] tr.bl-row', timeout=60_000)
    page.wait_for_selector(".bqplot", timeout=60_000)
    statics = page.locator(".jp-Notebook .beamlab-static")
    assert statics.count() == 3 and all(statics.nth(i).is_hidden() for i in range(3))

    # the chart on screen counts the restart's spawn; File > Save (Ctrl+S) keeps both pictures
    page.locator(".beamlab-keeps-picture").first.scroll_into_view_if_needed()
    deadline = time.monotonic() + 30
    while not (_saved_chart_count(lab, name) >= 1 and "1 restart" in _saved_html(lab, name)):
        assert time.monotonic() < deadline, "the saved pictures do not show the restart"
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        time.sleep(1.0)

    # reopen with a fresh kernel
    page.goto("about:blank")
    lab.shutdown_kernels()
    _open_in_notebook7(page, lab, name, run=False)
    page.wait_for_selector(".jp-Notebook .beamlab-static", timeout=60_000)
    page.wait_for_timeout(3000)      # the widget manager gives up on the missing model after 2 s
    picture = page.locator(".jp-Notebook .beamlab-static").first
    assert picture.is_visible()
    db = picture.locator("g.node", has_text="db")
    assert db.count() == 1 and "1 restart" in db.text_content()
    assert page.locator(".beamlab-tree").count() == 0            # no live view: the kernel is new
    observer = page.locator(".jp-Notebook .beamlab-static", has_text="observer —")
    assert observer.count() == 1 and observer.is_visible()
    chart = page.locator(".jp-Notebook .beamlab-static", has_text="beamlab.process.spawn.count")
    assert chart.count() == 1 and chart.is_visible()
    errors = page.locator(".jp-Notebook >> text=model not found")
    assert errors.count() == 3 and all(not errors.nth(i).is_visible() for i in range(errors.count()))
    box = picture.bounding_box()
    assert box["height"] > 80 and box["width"] > 80
    _each_picture_shown_once(page, 3)
    # readable at 1366 px: the node labels are drawn at 9 px or more
    sizes = picture.locator("g.node text").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 9


def test_notebook7_after_kernel_restart_the_old_tree_is_greyed_and_says_to_rerun(lab, page):
    _needs_kernel(lab)
    name = "nb7_restarted_tree.ipynb"
    lab.write_notebook(name, notebook(CELLS + [CHART], kernel="beamlab", display_name="BEAM Lab (Python)"))
    _open_in_notebook7(page, lab, name)
    page.wait_for_selector(NODE.format("cache"), timeout=90_000)
    page.wait_for_selector(".beamlab-keeps-picture .bqplot", timeout=60_000)
    tree = page.locator(".beamlab-tree").first
    assert "bl-gone" not in tree.get_attribute("class")
    assert "alive" in page.locator(".beamlab-tree .bl-status").first.inner_text()

    _menu(page, "Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog button.jp-mod-accept").click()       # "Restart"
    page.wait_for_selector(".beamlab-tree.bl-gone", timeout=30_000)
    banner = page.locator('[data-testid="beamlab-gone"]').first
    assert banner.is_visible()
    assert "kernel restarted" in banner.inner_text() and "re-run this cell" in banner.inner_text()
    canvas = page.locator('[data-testid="beamlab-tree-canvas"]').first
    look = canvas.evaluate("el => { const s = getComputedStyle(el); return [s.filter, s.opacity, s.pointerEvents]; }")
    assert "grayscale" in look[0] and float(look[1]) < 1 and look[2] == "none"
    assert "alive" not in page.locator(".beamlab-tree .bl-status").first.inner_text().split("last seen")[0]
    _the_chart_is_greyed(page)
    # a click on a node does nothing any more (no inspector opens)
    page.locator(NODE.format("cache")).click(force=True)
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="beamlab-inspector"] >> text=cache').count() == 0
