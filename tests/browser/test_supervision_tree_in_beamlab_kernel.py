"""The whole story in a real browser: a beamlab notebook starts a supervisor and shows its
tree; the user clicks a worker, chooses kill, and sees the supervisor restart it — while
another cell is still running. Saves tree.png (docs/tree.png with BEAMLAB_UPDATE_SCREENSHOTS=1)."""
from __future__ import annotations

import pytest

from lab import save_screenshot
from lab import notebook, open_notebook

CELLS = [
    """\
class Worker(GenServer):
    def init(self, arg):
        return Ok({"jobs": arg})

    def handle_call(self, request, from_, state):
        return Reply(state["jobs"], state)

sup = Supervisor.start_link([
    {"id": "db", "start": (Worker.start_link, 0)},
    {"id": "cache", "start": (Worker.start_link, 0)},
    Supervisor.child_spec([{"id": f"worker_{i}", "start": (Worker.start_link, i)} for i in range(1, 4)],
                          id="workers"),
], name="app", strategy="one_for_one", max_restarts=3, max_seconds=5)""",
    "supervision_tree(sup)",
    "import time\nfor _ in range(600):\n    time.sleep(0.1)     # a long-running cell: the tree must stay live",
]

NODE = '.beamlab-tree g.node[data-name="{}"]'


def test_killing_a_worker_from_the_tree_shows_its_restart_while_a_cell_runs(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    lab.write_notebook("tree.ipynb", notebook(CELLS, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, "tree.ipynb")

    page.wait_for_selector(NODE.format("worker_2"), timeout=90_000)
    page.wait_for_selector(".jp-Cell:nth-child(3) .jp-InputPrompt:has-text('[*]')", timeout=30_000)
    page.click(NODE.format("worker_2"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=worker_2', timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="kill"]')

    page.wait_for_selector(NODE.format("worker_2") + '[data-restarts="1"]', timeout=30_000)
    assert "1 restart" in page.text_content(NODE.format("worker_2"))
    assert "1/3 in 5s" in page.text_content(NODE.format("workers"))
    assert "[*]" in page.inner_text(".jp-Cell:nth-child(3) .jp-InputPrompt")   # still running
    assert page.js_errors == []

    save_screenshot(page.locator(".beamlab-tree"), "tree.png")
    page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:interrupt'); }")
