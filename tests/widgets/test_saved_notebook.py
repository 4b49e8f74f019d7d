"""A notebook run headless with the beamlab kernel keeps a static picture of every widget,
so an exported or saved notebook still shows the tree where no live kernel is attached."""
from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebook

CELLS = [
    """\
class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)

sup = Supervisor.start_link([{"id": "db", "start": (Worker.start_link, 0)},
                             {"id": "cache", "start": (Worker.start_link, 0)}], name="app")""",
    "supervision_tree(sup)",
    "observer()",
    'telemetry_chart("beamlab.process.spawn.count")',
    'sequence_trace("app")',
    "chaos(sup, show_tree=False)",
    "import ipywidgets\nipywidgets.GridBox([supervision_tree(sup, title=t) for t in ('left', 'right')],\n"
    "    layout=ipywidgets.Layout(grid_template_columns='repeat(2, minmax(0, 1fr))'))",
]


def run_notebook():
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        KernelSpecManager().get_kernel_spec("beamlab")
    except NoSuchKernel:
        pytest.skip("the beamlab kernel is not installed: python -m beamlab install")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "beamlab", "display_name": "BEAM Lab (Python)", "language": "python"}
    NotebookClient(nb, kernel_name="beamlab", timeout=120).execute()
    return [cell.outputs for cell in nb.cells]


@pytest.fixture(scope="module")
def outputs():
    return run_notebook()


def html_of(outputs) -> str:
    """The picture shown where the widget cannot be: the live output's own text/html."""
    shown = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    live = [o for o in shown if "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(live) == 1
    return live[0].data["text/html"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot for the SVG")
def test_the_tree_is_saved_as_an_svg_beside_the_live_widget(outputs):
    html = html_of(outputs[1])
    assert "<svg" in html and "app" in html and "db" in html and "0/3 in 5s" in html


def test_the_live_output_falls_back_to_the_picture_and_a_hidden_copy_replaces_lab_s_error(outputs):
    live, picture = [o for o in outputs[1] if o.output_type in ("display_data", "execute_result")]
    # a front end that renders widgets shows the view; VS Code (a model its kernel does not
    # know), nbconvert and viewers fall back to the next format of the same output: the picture
    assert "application/vnd.jupyter.widget-view+json" in live.data
    assert 'class="beamlab-fallback"' in live.data["text/html"] and "run the cell" in live.data["text/plain"]
    # the copy for JupyterLab and Notebook 7, which draw "model not found" instead of falling
    # back: hidden by its own style everywhere else, so the picture never shows twice
    html = picture.data["text/html"]
    assert html.startswith('<div class="beamlab-static" style="display:none">')
    assert ":not(:has(> .jp-OutputArea-output > *))" in html      # the rule hiding the error
    part = live.data["text/html"].split("data-beamlab-part=", 1)[1].split(">", 1)[0]
    assert part in html                                           # the same part, saved into both


@pytest.mark.parametrize("cell, text", [(2, "observer"), (3, "beamlab.process.spawn.count"),
                                        (4, "message sequence"), (5, "chaos: ready")])
def test_every_other_widget_is_saved_with_a_static_html_picture(outputs, cell, text):
    assert text in html_of(outputs[cell])


def test_trees_side_by_side_in_a_grid_get_one_picture_laid_out_the_same_way(outputs):
    html = html_of(outputs[6])
    assert html.count("data-beamlab-part=") == 2 and "repeat(2,minmax(0,1fr))" in html
    assert html.index("left") < html.index("right")
