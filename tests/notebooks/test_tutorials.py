"""The tutorial notebooks, run as a learner runs them: top to bottom on the beamlab kernel.

Each notebook runs twice: as shipped (the exercises still open), where it must
run without an error and each self-check must answer with a hint; and with
every exercise filled in from its solution, where every self-check must say
"✓ correct". Cells tagged `raises-exception` show an error on purpose and must.
"""

from __future__ import annotations

import re

import pytest

from nbrun import (NOTEBOOKS, assert_shipped_run_gets_hints, assert_solved_run_passes, execute,
                   exercises, load, names, solved, tags, text)

NAMES = names()


def test_the_tutorial_series_is_all_there():
    assert NAMES == ["00_welcome", "01_processes_and_mailboxes", "02_links_monitors_let_it_crash",
                     "03_the_scheduler", "04_genserver", "05_supervisors", "06_observability",
                     "07_classroom_demo", "08_distribution", "09_time_travel"]


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_is_saved_for_the_beamlab_kernel_without_outputs(name):
    nb = load(name)
    assert nb.metadata["kernelspec"]["name"] == "beamlab"
    assert nb.metadata["kernelspec"]["display_name"] == "BEAM Lab (Python)"
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"cells {dirty} were saved with outputs; clear them before committing"


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_has_an_exercise_with_a_self_check_and_a_solution(name):
    nb = load(name)
    pairs = exercises(nb)
    assert pairs, "a tutorial needs at least one exercise"
    for i, j in pairs:
        between = [c for c in nb.cells[i + 1:j] if "check" in tags(c)]
        assert between, f"exercise cell {i} has no check cell before its solution"


def test_links_between_notebooks_point_to_notebooks_that_exist():
    for name in NAMES:
        for c in load(name).cells:
            if c.cell_type == "markdown":
                for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", c.source):
                    assert (NOTEBOOKS / target).exists(), f"{name} links to missing {target}"


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_runs_top_to_bottom_with_its_exercises_solved_and_every_check_passes(name, kernelspec):
    run = execute(solved(load(name)))
    assert_solved_run_passes(run)


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_as_shipped_runs_and_its_open_exercises_get_hints(name, kernelspec):
    run = execute(load(name))
    assert_shipped_run_gets_hints(run)


def test_the_welcome_notebook_shows_a_tree_crashes_a_worker_and_heals_it_in_five_cells(kernelspec):
    nb = load("00_welcome")
    nb.cells = nb.cells[:6]   # the title, the setup cell (nothing in this kernel), the tour's four cells
    run = execute(nb)
    assert run.widgets(), "the first five cells should show the live supervision tree"
    healed = text(run.nb.cells[5])
    found = re.search(r"bob was (<[\d.]+>); bob is now (<[\d.]+>), alive: True", healed)
    assert found and found.group(1) != found.group(2), healed
    assert "pong #1" in healed
