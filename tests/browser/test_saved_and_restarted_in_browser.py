"""What a notebook shows once the kernel behind its widgets is gone, in a real JupyterLab.

1. Saved and reopened: a tree, a worker killed from it (1 restart), Save, then the
   notebook reopened with a fresh kernel. The picture shows the restart that happened
   before saving, and no "Error displaying widget: model not found" is visible. nbconvert's
   HTML of the saved file shows the same picture.
   The saved telemetry chart counts the restart's spawn (its picture is kept current). The
   exported HTML and an untrusted copy show each picture once, never beside its copy.
2. Kernel → Restart: the old tree greys itself, says the kernel restarted and to re-run the
   cell, and no longer reacts to clicks; the telemetry chart greys too.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from lab import notebook, open_notebook

CELLS = [
    """\
class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)

sup = Supervisor.start_link([{"id": "db", "start": (Worker.start_link, 0)},
                             {"id": "cache", "start": (Worker.start_link, 0)}], name="app")""",
    "supervision_tree(sup)",
]

NODE = '.beamlab-tree g.node[data-name="{}"]'
CHART = 'telemetry_chart("beamlab.process.spawn.count")'


def _needs_kernel(lab):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")


def _kill_from_the_tree(page, name):
    page.wait_for_selector(NODE.format(name), timeout=90_000)
    page.click(NODE.format(name))
    page.wait_for_selector(f'[data-testid="beamlab-inspector"] >> text={name}', timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="kill"]')
    page.wait_for_selector(NODE.format(name) + '[data-restarts="1"]', timeout=30_000)


def _the_chart_is_greyed(page) -> None:
    """The telemetry chart of a kernel that is gone greys its charts and says to re-run."""
    page.wait_for_selector(".beamlab-keeps-picture.beamlab-gone-box", timeout=30_000)
    box = page.locator(".beamlab-keeps-picture").first
    banner = box.locator('[data-testid="beamlab-gone"]')
    assert banner.is_visible() and "re-run this cell" in banner.inner_text()
    look = box.locator(".bqplot").first.evaluate(
        "el => { const s = getComputedStyle(el); return [s.filter, s.opacity]; }")
    assert "grayscale" in look[0] and float(look[1]) < 1


def _saved_html(lab, name) -> str:
    nb = json.loads((lab.root / name).read_text())
    return "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nb["cells"] for o in c.get("outputs", []))


def test_a_reopened_notebook_shows_the_tree_as_it_was_when_saved(lab, page, tmp_path):
    _needs_kernel(lab)
    name = "saved_tree.ipynb"
    lab.write_notebook(name, notebook(CELLS + ["observer()", 'telemetry_chart("beamlab.process.spawn.count")'],
                                      kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    _kill_from_the_tree(page, "db")
    page.wait_for_selector('[data-testid="beamlab-process-table"] tr.bl-row', timeout=60_000)
    page.wait_for_selector(".bqplot", timeout=60_000)
    # while their live views are shown, every saved picture is hidden
    statics = page.locator(".jp-Notebook .beamlab-static")
    assert statics.count() == 3 and all(statics.nth(i).is_hidden() for i in range(3))
    # while the live tree is shown, its saved picture is hidden
    assert page.locator(".beamlab-static").first.is_hidden()

    # the chart on screen counts the restart's spawn (it refreshes only while a view shows it)
    page.locator(".beamlab-keeps-picture").first.scroll_into_view_if_needed()
    deadline = time.monotonic() + 30
    while not (_saved_chart_count(lab, name) >= 1 and "1 restart" in _saved_html(lab, name)):
        assert time.monotonic() < deadline, "the saved pictures do not show the restart"
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        time.sleep(1.0)

    # reopen with a fresh kernel: close everything, stop the kernel, open the file again
    page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    lab.shutdown_kernels()
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-Notebook .beamlab-static", timeout=60_000)
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k && k.status === 'idle';
    }""", timeout=60_000)
    page.wait_for_timeout(3000)      # the widget manager gives up on the missing model after 2 s
    picture = page.locator(".jp-Notebook .beamlab-static").first
    assert picture.is_visible()
    db = picture.locator("g.node", has_text="db")
    assert db.count() == 1 and "1 restart" in db.text_content()
    assert page.locator(".beamlab-tree").count() == 0            # no live view: the kernel is new
    observer = page.locator(".jp-Notebook .beamlab-static", has_text="observer —")
    assert observer.count() == 1 and observer.is_visible()
    assert "Supervisor" in observer.inner_text() or "app" in observer.inner_text()
    chart = page.locator(".jp-Notebook .beamlab-static", has_text="beamlab.process.spawn.count")
    assert chart.count() == 1 and chart.is_visible()
    errors = page.locator(".jp-Notebook >> text=model not found")
    assert all(not errors.nth(i).is_visible() for i in range(errors.count())), \
        page.locator(".jp-Notebook .jp-OutputArea:has(.beamlab-static)").first.evaluate(
            "el => el.outerHTML.replace(/<svg[\\s\\S]*<\\/svg>/, '<svg/>')")
    box = picture.bounding_box()
    assert box["height"] > 80 and box["width"] > 80
    _each_picture_shown_once(page, 3)

    # nbconvert's HTML of the saved notebook shows the same pictures, each once
    out = tmp_path / "saved_tree.html"
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(lab.root / name),
                    "--output", str(out)], check=True, capture_output=True)
    exported = out.read_text()
    assert "1 restart" in exported and "data-beamlab-part" in exported
    assert "model not found" not in exported
    page.goto(out.as_uri())
    _each_picture_shown_once(page, 3)
    assert "1 restart" in page.locator("g.node", has_text="db").first.text_content()

    # a copy edited elsewhere is not trusted: the widget outputs fall back to their pictures
    nb = json.loads((lab.root / name).read_text())
    nb["cells"][0]["source"] += "\n# edited elsewhere"
    (lab.root / "untrusted_copy.ipynb").write_text(json.dumps(nb))
    page.goto(f"{lab.url}/lab/tree/untrusted_copy.ipynb?reset")
    page.wait_for_selector(".jp-Notebook .beamlab-fallback", timeout=60_000)
    page.wait_for_timeout(3000)
    # (the sanitizer of untrusted HTML drops the parts' data- attributes: count the outputs)
    shown = page.locator(".jp-Notebook .beamlab-fallback, .jp-Notebook .beamlab-static")
    assert [shown.nth(i).get_attribute("class") for i in range(shown.count())
            if shown.nth(i).is_visible()] == ["beamlab-fallback"] * 3
    assert "1 restart" in page.locator(".jp-Notebook .beamlab-fallback").first.inner_text()
    assert page.locator(".jp-Notebook >> text=object at 0x").count() == 0
    assert page.locator(".jp-Notebook >> text=model not found").count() == 0


def _saved_chart_count(lab, name) -> float:
    """The spawn count in the telemetry chart's saved picture (-1 when there is none)."""
    html = _saved_html(lab, name)
    key = "beamlab.process.spawn.count: "
    if key not in html:
        return -1
    return float(html.rsplit(key, 1)[1].split("<", 1)[0].replace(",", "") or -1)


def _each_picture_shown_once(page, widgets: int) -> None:
    """Every widget's picture is visible exactly once (not the picture and its copy)."""
    parts = page.locator("[data-beamlab-part]")
    visible = [parts.nth(i).get_attribute("data-beamlab-part") for i in range(parts.count())
               if parts.nth(i).is_visible()]
    assert len(visible) == widgets and len(set(visible)) == widgets, visible
    assert page.locator("text=model not found").count() == 0 or \
        not any(e.is_visible() for e in page.locator("text=model not found").all())


def test_after_a_kernel_restart_the_old_tree_is_greyed_and_says_to_rerun(lab, page):
    _needs_kernel(lab)
    name = "restarted_tree.ipynb"
    lab.write_notebook(name, notebook(CELLS + [CHART], kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    page.wait_for_selector(NODE.format("cache"), timeout=90_000)
    page.wait_for_selector(".beamlab-keeps-picture .bqplot", timeout=60_000)
    tree = page.locator(".beamlab-tree").first
    assert "bl-gone" not in tree.get_attribute("class")

    # "exit(pid, normal)" does what it does typed in a cell: nothing, and says why
    cache_pid = page.get_attribute(NODE.format("cache"), "data-pid")
    page.click(NODE.format("cache"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=cache', timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="normal"]')
    notice = page.locator('[data-testid="beamlab-notice"]').first
    notice.wait_for(timeout=30_000)
    assert "nothing happened" in notice.inner_text() and "does not trap exits" in notice.inner_text()
    assert notice.locator(".bl-time").inner_text().count(":") == 2        # a notice has its time
    page.wait_for_timeout(500)
    assert page.get_attribute(NODE.format("cache"), "data-pid") == cache_pid
    assert page.get_attribute(NODE.format("cache"), "data-restarts") == "0"
    # the action that makes the process itself exit is named for what it is, and it does
    page.click('[data-testid="beamlab-inspector"] button:has-text("Make it exit normally")')
    page.wait_for_selector(NODE.format("cache") + '[data-restarts="1"]', timeout=30_000)
    assert 'called exit("normal") itself' in notice.inner_text()
    # the earlier notice joined the event log instead of staying up
    events = page.locator('[data-testid="beamlab-events"]').first
    assert "earlier events (1)" in events.inner_text()

    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
    page.wait_for_selector(".beamlab-tree.bl-gone", timeout=30_000)
    _the_chart_is_greyed(page)
    banner = page.locator('[data-testid="beamlab-gone"]').first
    assert banner.is_visible()
    assert "kernel restarted" in banner.inner_text() and "re-run this cell" in banner.inner_text()
    canvas = page.locator('[data-testid="beamlab-tree-canvas"]').first
    look = canvas.evaluate("el => { const s = getComputedStyle(el); return [s.filter, s.opacity, s.pointerEvents]; }")
    assert "grayscale" in look[0] and float(look[1]) < 1 and look[2] == "none"
    assert "alive" not in page.locator(".beamlab-tree .bl-status").first.inner_text().split("last seen")[0]
