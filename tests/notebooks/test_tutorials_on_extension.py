"""The tutorials open anywhere: on ipykernel's own python3 kernel their setup cell loads beamlab.

Each notebook's first code cell (tagged `setup`) does nothing in the beamlab kernel and
runs `%load_ext beamlab` elsewhere (installing beamlab first if it is missing: not here,
where it is installed). Run on the stock kernel, as shipped and solved, the tutorials
must behave as they do on the beamlab kernel (test_tutorials.py).
"""

from __future__ import annotations

import pytest

from nbrun import (assert_shipped_run_gets_hints, assert_solved_run_passes, execute, load, names,
                   solved, tags)

NAMES = names()
STOCK = "python3"   # ipykernel's own kernelspec


def setup_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NAMES)
def test_the_first_code_cell_sets_beamlab_up_where_the_kernel_is_not_beamlab(name):
    cell = setup_cell(load(name))
    assert "setup" in tags(cell)
    assert cell.source.rstrip().endswith("%load_ext beamlab")
    assert "%pip install" in cell.source and "except ImportError:" in cell.source


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_solved_passes_every_check_on_a_stock_python_kernel(name, kernelspec):
    run = execute(solved(load(name)), kernel=STOCK)
    assert_solved_run_passes(run)


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_as_shipped_gets_hints_on_a_stock_python_kernel(name, kernelspec):
    run = execute(load(name), kernel=STOCK)
    assert_shipped_run_gets_hints(run)
