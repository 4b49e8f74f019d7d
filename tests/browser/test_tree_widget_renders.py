"""The tree widget in a real JupyterLab, driven by a fake runtime in a plain Python kernel.

This checks the browser half on its own — the widget's ES module loads, Graphviz
in WebAssembly lays the tree out, a click reaches Python and Python's answer
reaches the page — independently of the beamlab kernel (see
test_supervision_tree_in_beamlab_kernel.py for the whole story).
"""
from __future__ import annotations

from lab import save_screenshot
from lab import notebook, open_notebook

SETUP = """\
from fake_runtime import demo
from beamlab.widgets import SupervisionTree
rt, sup = demo()
tree = SupervisionTree("app_sup", runtime=rt, title="demo tree", interval=0.1)
tree"""

NODE = '.beamlab-tree g.node[data-name="{}"]'


def test_clicking_kill_on_a_worker_shows_its_restart_in_the_tree(lab, page):
    lab.write_notebook("fake_tree.ipynb", notebook([SETUP]))
    open_notebook(page, lab, "fake_tree.ipynb")

    page.wait_for_selector(NODE.format("w2"), timeout=60_000)
    page.click(NODE.format("w2"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=w2', timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="kill"]')

    page.wait_for_selector(NODE.format("w2") + '[data-restarts="1"]', timeout=30_000)
    assert "1 restart" in page.text_content(NODE.format("w2"))
    assert "exit(<0." in page.inner_text(".beamlab-tree .bl-notice")
    assert page.js_errors == []
    save_screenshot(page.locator(".beamlab-tree"), "fake_tree.png", docs=False)
