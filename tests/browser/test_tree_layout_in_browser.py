"""Tree sizing in a real JupyterLab at 1366×768 with the file browser open.

A small tree is drawn at its natural size (labels 12–14 px, not blown up to the panel's
width); three trees side by side in a GridBox (notebook 05's strategies) keep readable
text and never overlap; the inspector opened from a tree stays inside that tree's column.
"""
from __future__ import annotations

import pytest

from lab import notebook, open_notebook, save_screenshot

SETUP = """\
import ipywidgets
class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)

def worker(name):
    return {"id": name, "start": (Worker.start_link, name)}"""

ONE = 'small = Supervisor.start_link([worker("a"), worker("b")], name="small")\nsupervision_tree(small)'

GRID = """\
strategies = ["one_for_one", "one_for_all", "rest_for_one"]
sups = {s: Supervisor.start_link([worker("a"), worker("b"), worker("c")], strategy=s) for s in strategies}
ipywidgets.GridBox([supervision_tree(sups[s], title=s) for s in strategies],
                   layout=ipywidgets.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))", grid_gap="8px"))"""

# the rendered size of a node label: its font size (SVG user units) times the SVG's scale
TEXT_PX = """els => els.map(t => {
    const svg = t.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(t.getAttribute('font-size')) * scale;
})"""


def overlap(a, b) -> float:
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, w) * max(0.0, h)


def test_trees_keep_a_natural_size_and_side_by_side_trees_never_overlap(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    lab.write_notebook("layout.ipynb", notebook([SETUP, ONE, GRID], kernel="beamlab",
                                                display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, "layout.ipynb")
    assert page.locator("#filebrowser").is_visible()            # the file browser is open
    assert page.viewport_size == {"width": 1366, "height": 768}

    page.wait_for_selector('.beamlab-tree >> nth=3', state="attached", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('.beamlab-tree svg').length >= 4",
                           timeout=60_000)
    trees = page.locator(".beamlab-tree")
    small = trees.nth(0)
    sizes = small.locator("g.node text").evaluate_all(TEXT_PX)
    assert sizes and all(12 <= px <= 14 for px in sizes), sizes
    assert small.locator("svg").bounding_box()["height"] < 250

    grid = [trees.nth(i) for i in (1, 2, 3)]
    boxes = [t.bounding_box() for t in grid]
    for i in range(3):
        for j in range(i + 1, 3):
            assert overlap(boxes[i], boxes[j]) == 0, (i, j, boxes)
    save_screenshot(page.locator(".jp-OutputArea:has(.beamlab-tree) >> nth=1"), "strategies.png", docs=False)
    for t in grid:
        sizes = t.locator("g.node text").evaluate_all(TEXT_PX)
        assert sizes and min(sizes) >= 9, sizes
        # the drawing stays inside its own column (a wider one scrolls instead of spilling)
        canvas = t.locator('[data-testid="beamlab-tree-canvas"]').bounding_box()
        box = t.bounding_box()
        assert canvas["x"] >= box["x"] - 1 and canvas["x"] + canvas["width"] <= box["x"] + box["width"] + 1

    # the inspector of the first grid tree opens inside that tree's column
    grid[0].locator('g.node[data-name="b"]').click()
    grid[0].locator('[data-testid="beamlab-inspector"] >> text=b').first.wait_for(timeout=30_000)
    page.wait_for_timeout(300)
    insp = grid[0].locator('[data-testid="beamlab-inspector"]').bounding_box()
    col = grid[0].bounding_box()
    assert insp["x"] >= col["x"] - 1 and insp["x"] + insp["width"] <= col["x"] + col["width"] + 1
    boxes = [t.bounding_box() for t in grid]
    assert overlap(insp, boxes[1]) == 0 and overlap(insp, boxes[2]) == 0
    for i in range(3):
        for j in range(i + 1, 3):
            assert overlap(boxes[i], boxes[j]) == 0, (i, j, boxes)
    save_screenshot(page.locator(".jp-OutputArea:has(.beamlab-tree) >> nth=1"), "strategies.png", docs=False)
