"""Tree sizing and the observer's fit in Notebook 7 at 1366×768, as test_tree_layout_in_browser.py
and test_live_widgets_in_beamlab_kernel.py check them in JupyterLab.

A small tree is drawn at its natural size (labels 12–14 px); three trees side by side in a
GridBox keep readable text and never overlap; the observer's table fits its panel with the
status column shown, and its charts count from 0 in whole units.
"""
from __future__ import annotations

from lab import assert_observer_table_fits, notebook
from test_notebook7_saved_and_restarted import _open_in_notebook7
from test_saved_and_restarted_in_browser import _needs_kernel
from test_tree_layout_in_browser import GRID, ONE, SETUP, TEXT_PX, overlap


def test_notebook7_trees_keep_a_natural_size_side_by_side_trees_never_overlap_and_the_observer_fits(lab, page):
    _needs_kernel(lab)
    name = "nb7_layout.ipynb"
    lab.write_notebook(name, notebook([SETUP, ONE, GRID, "observer()"], kernel="beamlab",
                                      display_name="BEAM Lab (Python)"))
    _open_in_notebook7(page, lab, name)
    assert page.locator(".jp-LabShell").count() == 0          # Notebook 7, not the lab
    assert page.viewport_size == {"width": 1366, "height": 768}

    page.wait_for_function("() => document.querySelectorAll('.beamlab-tree svg').length >= 4",
                           timeout=90_000)
    trees = page.locator(".beamlab-tree")
    sizes = trees.nth(0).locator("g.node text").evaluate_all(TEXT_PX)
    assert sizes and all(12 <= px <= 14 for px in sizes), sizes

    grid = [trees.nth(i) for i in (1, 2, 3)]
    boxes = [t.bounding_box() for t in grid]
    for i in range(3):
        for j in range(i + 1, 3):
            assert overlap(boxes[i], boxes[j]) == 0, (i, j, boxes)
    for t in grid:
        sizes = t.locator("g.node text").evaluate_all(TEXT_PX)
        assert sizes and min(sizes) >= 9, sizes

    table = '[data-testid="beamlab-process-table"]'
    page.locator(table).scroll_into_view_if_needed()
    page.wait_for_selector(f"{table} tr.bl-row", timeout=60_000)
    assert_observer_table_fits(page, table)
    page.wait_for_selector(".bqplot .tick text", timeout=30_000)
    page.wait_for_timeout(2500)
    axes = page.locator(".bqplot g.axis").evaluate_all(
        "gs => gs.map(g => [g.getAttribute('transform'), Array.from(g.querySelectorAll('.tick text')).map(t => t.textContent)])")
    numbers = [t for where, texts in axes if where == "translate(0, 0)" for t in texts if t.strip()]
    assert numbers and "0" in numbers
    assert all(not t.startswith(("-", "−")) and not t.endswith("m") for t in numbers), numbers

