"""Issue 10, point 5: a spawned process that holds the scheduler is named in its cell *while* it holds it.

Over the Jupyter protocol: a process blocks in a native call that the tick cannot
preempt (`threading.Event().wait(3)`); the notice must reach the spawning cell on
IOPub before the call returns (before the line the process prints right after it),
then be updated in place once it is over, with no second notice on stderr.
"""
from __future__ import annotations

ALSO_ON_EXTENSION = True

BLOCK = """import threading
def block():
    threading.Event().wait(3)      # a native call: nothing else runs meanwhile
    print("the call returned")
"""

RUNNING_CELL = BLOCK + """p, ref = spawn_monitor(block)
receive(("DOWN", ref, ANY, ANY, ANY), timeout=60)
repr(p)
"""


def displays(cell, kind: str) -> list:
    return [(i, m) for i, m in enumerate(cell.messages) if m["msg_type"] == kind]


def text_of(msg) -> str:
    return msg["content"]["data"]["text/plain"]


def printed_at(cell, marker: str) -> int:
    for i, m in enumerate(cell.messages):
        if m["msg_type"] == "stream" and marker in m["content"]["text"]:
            return i
    raise AssertionError(f"{marker!r} was never printed: {cell.stdout!r} {cell.stderr!r}")


def result_of(cell) -> str:
    """The cell's execute_result (the live notice is a display of the cell too)."""
    [msg] = [m for m in cell.messages if m["msg_type"] == "execute_result"]
    return eval(text_of(msg))


def check_live_notice(cell, pid: str) -> None:
    shown = displays(cell, "display_data")
    notices = [(i, m) for i, m in shown if "long_schedule" in text_of(m)]
    assert len(notices) == 1, [text_of(m) for _, m in shown]
    at, first = notices[0]
    text = text_of(first)
    assert text.startswith(f"⏳ long_schedule: process {pid} (__main__.block) has held the scheduler for ")
    assert ", in a native call in block at line 3 of cell In[" in text, text
    assert ": threading.Event().wait(3)" in text
    assert "Run such a call in a thread with dirty_call(fn, *args)" in text
    # live: on IOPub before the process printed the line after the call
    assert at < printed_at(cell, "the call returned")
    # then the same display says it is over, once
    display_id = first["content"]["transient"]["display_id"]
    updates = [text_of(m) for _, m in displays(cell, "update_display_data")
               if m["content"]["transient"]["display_id"] == display_id]
    assert updates, "the live notice was never updated"
    final = [t for t in updates if t.startswith("⌛")]
    assert len(final) == 1, updates
    assert f"⌛ long_schedule: process {pid} (__main__.block) held the scheduler for " in final[0]
    assert " s, in a native call in block at line 3 of cell In[" in final[0]
    held = float(final[0].split("held the scheduler for ")[1].split(" s")[0])
    assert 2.5 <= held < 30, final[0]
    assert updates[-1] is final[0]
    assert "long_schedule" not in cell.stderr       # no second notice after the call


def test_a_native_call_in_a_spawned_process_is_named_in_the_waiting_cell_while_it_runs(kernel):
    cell = kernel.ok(RUNNING_CELL, timeout=90)
    check_live_notice(cell, result_of(cell))


def test_a_native_call_in_a_process_running_between_cells_is_named_in_the_cell_that_spawned_it(kernel):
    cell = kernel.ok(BLOCK + "repr(spawn(block))", timeout=90)
    pid = result_of(cell)
    assert kernel.drain(lambda: "the call returned" in cell.stdout, timeout=60)
    kernel.drain(lambda: any(text_of(m).startswith("⌛")
                             for _, m in displays(cell, "update_display_data")), timeout=10)
    check_live_notice(cell, pid)


def test_the_cells_own_long_call_gets_no_live_notice(kernel):
    cell = kernel.ok("import threading\nthreading.Event().wait(1.6)\n'done'", timeout=60)
    assert cell.result == "'done'"
    assert not [m for m in cell.messages if m["msg_type"] in ("display_data", "update_display_data")]
    assert "long_schedule" not in cell.stderr


def test_a_c_loop_that_keeps_the_gil_is_named_once_it_returns(kernel):
    # No thread runs during such a call, the watchdog included: the tick names it afterwards.
    cell = kernel.ok("def crunch():\n"
                     "    return sum(range(6 * 10**7))\n"
                     "p, ref = spawn_monitor(crunch)\n"
                     "receive((\"DOWN\", ref, ANY, ANY, ANY), timeout=60)\n"
                     "repr(p)", timeout=90)
    pid = result_of(cell)
    assert cell.stderr.count(f"long_schedule: process {pid} (__main__.crunch) ran ") == 1
    assert not [m for m in cell.messages if m["msg_type"] in ("display_data", "update_display_data")]
