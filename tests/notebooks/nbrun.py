"""Run a tutorial notebook headless with the beamlab kernel, as a learner would.

How this works: `load()` reads a notebook from notebooks/; `solved()` copies
it with every exercise cell (tag `exercise`) replaced by the code of the
solution that follows it (a markdown cell tagged `solution` holding one
```python fence); `execute()` runs it with nbclient in the notebooks folder
(so `from labcheck import check` works, as in JupyterLab) and stops at the
first error, except in cells tagged `raises-exception`, which must raise.
`Run` then answers what a reader of the notebook would see: each cell's
text, the self-check verdicts, the error outputs.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
KERNEL = "beamlab"
CELL_TIMEOUT = 60          # seconds; a tutorial cell takes well under one
PASS, FAIL = "✓ correct", "✗ not yet"
_FENCE = re.compile(r"```python\n(.*?)```", re.S)


def names() -> list[str]:
    """The tutorial notebooks, in reading order."""
    return sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def load(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def solution_code(cell) -> str:
    found = _FENCE.search(cell.source)
    if not found:
        raise AssertionError(f"solution cell {cell.get('id')} has no ```python fence")
    return found.group(1)


def exercises(nb) -> list[tuple[int, int]]:
    """(exercise cell index, index of its solution cell) pairs."""
    pairs = []
    for i, cell in enumerate(nb.cells):
        if "exercise" in tags(cell):
            j = next((j for j in range(i + 1, len(nb.cells)) if "solution" in tags(nb.cells[j])), None)
            if j is None:
                raise AssertionError(f"exercise cell {i} has no solution cell after it")
            pairs.append((i, j))
    return pairs


def solved(nb):
    """A copy of `nb` with each exercise filled in with its solution."""
    nb = copy.deepcopy(nb)
    for i, j in exercises(nb):
        nb.cells[i].source = solution_code(nb.cells[j])
    return nb


def text(cell) -> str:
    """Everything a cell printed or showed as text (streams, results, errors)."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}")
        else:
            out.append(o.get("data", {}).get("text/plain", ""))
    return "".join(out)


@dataclass
class Run:
    nb: object
    seconds: float

    @property
    def code_cells(self):
        return [c for c in self.nb.cells if c.cell_type == "code"]

    def verdicts(self) -> list[str]:
        """The self-check verdict printed by each check cell ('' if it printed none)."""
        found = []
        for c in self.nb.cells:
            if "check" in tags(c):
                t = text(c)
                found.append(PASS if PASS in t and FAIL not in t else (FAIL if FAIL in t else t))
        return found

    def errors(self) -> list[tuple[int, str]]:
        """(cell index, 'Name: value') for every error output outside raises-exception cells."""
        return [(i, f"{o.ename}: {o.evalue}") for i, c in enumerate(self.nb.cells)
                if c.cell_type == "code" and "raises-exception" not in tags(c)
                for o in c.get("outputs", []) if o.output_type == "error"]

    def widgets(self, upto: int | None = None) -> list[str]:
        """The model ids of widgets shown by the first `upto` cells."""
        ids = []
        for c in self.nb.cells[:upto]:
            for o in c.get("outputs", []):
                view = o.get("data", {}).get("application/vnd.jupyter.widget-view+json")
                if view:
                    ids.append(view["model_id"])
        return ids


def execute(nb, kernel: str = KERNEL, *, km=None, timeout: int = CELL_TIMEOUT) -> Run:
    """Run every cell of `nb` (in place) with the `kernel` kernelspec; returns a Run."""
    client = NotebookClient(nb, kernel_name=kernel, km=km, timeout=timeout, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    t0 = time.monotonic()
    client.execute()
    return Run(nb, time.monotonic() - t0)


def assert_solved_run_passes(run: Run) -> None:
    """A notebook run with its exercises solved: no error, every self-check says "✓ correct",
    and each cell tagged `raises-exception` shows its error."""
    assert run.errors() == []
    verdicts = run.verdicts()
    assert verdicts and all(v == PASS for v in verdicts), verdicts
    for c in run.nb.cells:
        if "raises-exception" in tags(c):
            assert any(o.output_type == "error" for o in c.outputs), f"cell {c.id} should show an error"


def assert_shipped_run_gets_hints(run: Run) -> None:
    """A notebook run as shipped: no error, and every self-check answers with a hint."""
    assert run.errors() == []
    verdicts = run.verdicts()
    assert verdicts and all(v == FAIL for v in verdicts), verdicts
