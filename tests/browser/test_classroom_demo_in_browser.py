"""The classroom demo notebook, run top to bottom in JupyterLab in a real browser, as a
teacher would in front of a class: every cell runs, none errors, and the job system's
live supervision tree and the chaos controls are on the page."""
from __future__ import annotations

import json
import shutil

import pytest

from lab import REPO, open_notebook, save_screenshot

NOTEBOOK = "07_classroom_demo.ipynb"

CELL_STATE = """() => {
    const m = window.jupyterapp.shell.currentWidget.content.model;
    const out = {code: 0, ran: 0, errors: []};
    for (let i = 0; i < m.cells.length; i++) {
        const c = m.cells.get(i);
        if (c.type !== 'code') continue;
        out.code += 1;
        if (c.executionCount) out.ran += 1;
        for (let j = 0; j < c.outputs.length; j++) {
            const o = c.outputs.get(j);
            if (o.type === 'error') out.errors.push(i + ': ' + JSON.stringify(o.toJSON()).slice(0, 300));
        }
    }
    return out;
}"""


def test_the_classroom_demo_runs_top_to_bottom_in_jupyterlab(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    source = REPO / "notebooks"
    shutil.copy(source / NOTEBOOK, lab.root / NOTEBOOK)
    shutil.copy(source / "labcheck.py", lab.root / "labcheck.py")   # the exercises' self-checks
    code_cells = sum(c["cell_type"] == "code"
                     for c in json.loads((source / NOTEBOOK).read_text())["cells"])

    open_notebook(page, lab, NOTEBOOK)
    page.wait_for_function(
        f"""() => {{
            const s = ({CELL_STATE})();
            const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            return s.ran === {code_cells} && k.status === 'idle';
        }}""", timeout=300_000)

    state = page.evaluate(f"() => ({CELL_STATE})()")
    assert state["code"] == code_cells
    assert state["errors"] == [], "cells showed an error:\n" + "\n".join(state["errors"])
    page.wait_for_selector(".beamlab-tree svg .node", timeout=60_000)     # the live tree drew
    assert page.locator(".beamlab-tree").count() >= 1
    page.get_by_text("✗ not yet").first.wait_for(timeout=30_000)          # the self-check ran
    save_screenshot(page.locator(".jp-Notebook"), "classroom_demo.png", docs=False)
