"""`%load_ext beamlab` in JupyterLab on ipykernel's own python3 kernel: the supervision tree
renders, and killing a worker from its node makes the supervisor restart it (the click is
handled between cells: a stock kernel holds widget messages while a cell runs)."""
from __future__ import annotations

from lab import notebook, open_notebook
from test_supervision_tree_in_beamlab_kernel import CELLS, NODE


def test_the_tree_renders_and_a_kill_from_its_node_restarts_the_worker_on_a_stock_kernel(lab, page):
    cells = ["%load_ext beamlab", CELLS[0], CELLS[1]]   # the supervisor, then its tree
    lab.write_notebook("stock_tree.ipynb", notebook(cells))   # kernel: python3
    open_notebook(page, lab, "stock_tree.ipynb")

    page.wait_for_selector(NODE.format("worker_2"), timeout=90_000)
    page.click(NODE.format("worker_2"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=worker_2', timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="kill"]')

    page.wait_for_selector(NODE.format("worker_2") + '[data-restarts="1"]', timeout=30_000)
    assert "1 restart" in page.text_content(NODE.format("worker_2"))
    assert "1/3 in 5s" in page.text_content(NODE.format("workers"))
    assert page.js_errors == []
