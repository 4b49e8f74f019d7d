"""The cluster view once its kernel is gone, in a real JupyterLab: a connection cut from the
view, the notebook saved and reopened with a fresh kernel; the saved picture shows the cut
(drawn when it was saved, not when the cell ran) and no "model not found" is visible."""
from __future__ import annotations

import json
import time

import pytest

from lab import notebook, open_notebook

CELLS = [
    """\
start_node("b")
def looper():
    while True:
        receive()
worker = spawn("b@lab", looper)""",
    "from beamlab.widgets import cluster_view\ncluster_view(title='saved cluster')",
]

CONN = '.beamlab-cluster [data-testid="beamlab-connection"][data-a="main@lab"][data-b="b@lab"]'


def _saved_html(lab, name) -> str:
    nb = json.loads((lab.root / name).read_text())
    return "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nb["cells"] for o in c.get("outputs", []))


def test_a_reopened_notebook_shows_the_cluster_as_it_was_when_saved(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    name = "saved_cluster.ipynb"
    lab.write_notebook(name, notebook(CELLS, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    page.wait_for_selector(CONN + '[data-state="up"]', timeout=90_000)
    page.click(CONN)
    page.wait_for_selector(CONN + '[data-state="cut"]', timeout=30_000)
    worker = page.locator('.beamlab-cluster [data-testid="beamlab-node"][data-node="b@lab"] tspan').first
    worker_pid = worker.text_content().strip()

    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + 30
    while "✂ cut" not in _saved_html(lab, name) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert "✂ cut" in _saved_html(lab, name), "the saved picture does not show the cut made before saving"

    page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    lab.shutdown_kernels()
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-Notebook .beamlab-static", state="attached", timeout=60_000)
    page.wait_for_function("""() => {
        const w = window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k && k.status === 'idle';
    }""", timeout=60_000)
    page.wait_for_timeout(3000)      # the widget manager gives up on the missing model after 2 s
    assert page.locator(".beamlab-cluster").count() == 0            # no live view: the kernel is new
    picture = page.locator(".jp-Notebook [data-beamlab-part]", has_text="saved cluster").first
    assert picture.is_visible()
    text = picture.inner_text()
    assert "b@lab" in text and "main@lab" in text and "cut" in text and worker_pid in text, text
    assert "main@lab — b@lab down (partition)" in text              # the lanes, as they were
    errors = page.locator(".jp-Notebook >> text=model not found")
    assert all(not errors.nth(i).is_visible() for i in range(errors.count()))
    box = picture.bounding_box()
    assert box["height"] > 150 and box["width"] > 300
