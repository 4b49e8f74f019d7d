"""The kernel records (issue 13.1): a cell can read what the flight recorder kept."""

from __future__ import annotations


def test_the_kernels_runtime_records_what_cells_do(kernel):
    cell = kernel.ok("from beamlab.runtime import current_runtime\n"
                     "rec = current_runtime().recorder\n"
                     "pid = spawn(lambda: receive())\n"
                     "send(pid, 'hello from a cell')\n"
                     "[e['text'] for e in rec.recording().events()\n"
                     " if e['kind'] == 'send' and e['pid'] == pid.id]")
    assert cell.result == "[\"'hello from a cell'\"]"
