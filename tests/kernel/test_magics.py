"""%observer, %tree and %crash: the lab's magics (widgets when available, text otherwise)."""

from __future__ import annotations

import pytest

ALSO_ON_EXTENSION = True   # also run in a stock python3 kernel with %load_ext beamlab (conftest.py)

WIDGET = "application/vnd.jupyter.widget-view+json"

TREE = """
class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)
tree_sup = Supervisor.start_link([child_spec((Worker, 1), id='w1'), child_spec((Worker, 2), id='w2')],
                                 name='magic_sup')
workers = [c[1] for c in Supervisor.which_children(tree_sup)]
(tree_sup, workers)
"""


@pytest.fixture(scope="module")
def tree(kernel):
    kernel.ok(TREE)
    return kernel


def shows_widget(cell) -> bool:
    return any(WIDGET in m["content"].get("data", {}) for m in cell.messages
               if m["msg_type"] in ("execute_result", "display_data"))


def text_fallback(kernel):
    """Make the magics draw text, as they do where beamlab.widgets is unavailable."""
    kernel.ok("import beamlab.kernel.magics as _magics\n"
              "_real_widget, _magics._widget = _magics._widget, (lambda name: None)")


def widgets_back(kernel):
    kernel.ok("_magics._widget = _real_widget")


def test_observer_in_text_lists_every_process(tree):
    text_fallback(tree)
    try:
        cell = tree.ok("%observer")
    finally:
        widgets_back(tree)
    shell = tree.ok("self()").result
    assert "processes, run queue" in cell.stdout and "PID" in cell.stdout
    assert shell in cell.stdout and "magic_sup" in cell.stdout


def test_observer_shows_a_widget_or_text(tree):
    cell = tree.ok("%observer")
    assert shows_widget(cell) or "processes, run queue" in cell.stdout


def test_tree_in_text_draws_the_supervisor_and_its_children(tree):
    text_fallback(tree)
    try:
        cell = tree.ok("%tree magic_sup")
    finally:
        widgets_back(tree)
    lines = cell.stdout.splitlines()
    sup, workers = tree.ok("(repr(tree_sup), [repr(w) for w in workers])").result.strip("()").split(", ", 1)
    assert lines[0].startswith(sup.strip("'")) and "one_for_one" in lines[0]
    assert len(lines) == 3 and lines[1].startswith("├── <0.") and lines[2].startswith("└── <0.")


def test_tree_shows_the_live_widget_when_widgets_are_there(tree):
    cell = tree.ok("%tree tree_sup")
    assert shows_widget(cell)


def test_crash_kills_a_named_process_and_its_supervisor_restarts_it(tree):
    tree.ok("register('crash_me', workers[0])")
    cell = tree.ok("%crash crash_me")
    assert cell.stdout.endswith("exited: killed\n")
    restarted = tree.ok("sleep(0.1); [c[1] for c in Supervisor.which_children(tree_sup)][0] != workers[0]")
    assert restarted.result == "True"


def test_crash_with_a_reason_reaches_a_process_trapping_exits_as_a_message(kernel):
    kernel.ok("def trapper():\n"
              "    process_flag('trap_exit', True)\n"
              "    while True:\n"
              "        receive()\n"
              "trapping = spawn(trapper); sleep(0.05)")
    cell = kernel.ok("%crash trapping 'boom'")
    assert "is still alive: it traps exits" in cell.stdout and "'boom'" in cell.stdout


def test_crash_names_what_it_could_not_find(kernel):
    cell = kernel.run("%crash nobody_by_that_name")
    assert cell.status == "error"
    # a one-line usage error, not a traceback through beamlab's own code
    assert cell.errors == [] and cell.stderr.startswith("UsageError: no process called 'nobody_by_that_name'")
    assert len(cell.stderr.strip().splitlines()) == 1 and "magics.py" not in cell.stderr
