"""Let it crash, never the lab: a bad widget message or a failing callback never wedges the kernel.

Over the Jupyter protocol, as a front end would: a cell waits in `receive()`
while a malformed comm message arrives for a widget (the exact scenario of
issue 10, point 1). The kernel keeps answering, the widget answers with an
error, the waiting cell ends as it would have, and the next cell runs.
"""
from __future__ import annotations

import pytest
from test_comms import send_comm_msg

TREE = """
class Worker(GenServer):
    def init(self, arg):
        return Ok(0)
sup = Supervisor.start_link([child_spec(Worker, id="w1")], strategy="one_for_one")
tree = supervision_tree(sup, live=False)
ob = observer(live=False, charts=False)
(tree.comm.comm_id, ob.table.comm.comm_id)
"""

BAD_MESSAGES = [
    ("tree", {"type": "inspect", "key": 123}, '"key" must be a string or null, not 123'),
    ("table", {"type": "inspect", "pid": [1, 2]}, '"pid" must be a string, not [1, 2]'),
]


@pytest.fixture(scope="module")
def widgets(kernel):
    tree_id, table_id = eval(kernel.ok(TREE).result)
    return {"tree": tree_id, "table": table_id}


def custom(content: dict) -> dict:
    return {"method": "custom", "content": content}


def replies_to(kernel, msg_id: str, start: int) -> list:
    return [m for m in kernel.other[start:]
            if m["msg_type"] == "comm_msg" and m["parent_header"].get("msg_id") == msg_id]


def error_of(replies: list) -> str:
    for m in replies:
        data = m["content"]["data"]
        if data.get("method") == "custom" and data["content"].get("type") == "error":
            return data["content"]["error"]
    return ""


@pytest.mark.parametrize("widget, content, says", BAD_MESSAGES, ids=["tree", "observer"])
def test_a_bad_widget_message_during_receive_is_answered_and_the_kernel_carries_on(
        kernel, widgets, widget, content, says):
    cell = kernel.send("receive(timeout=2, default='waited the whole time')")
    assert kernel.drain(lambda: any(m["msg_type"] == "execute_input" for m in cell.messages))
    start = len(kernel.other)
    sent = send_comm_msg(kernel, widgets[widget], custom(content))
    assert kernel.drain(lambda: error_of(replies_to(kernel, sent, start)), timeout=10), \
        "the widget did not answer the bad message with an error"
    assert says in error_of(replies_to(kernel, sent, start))
    kernel.wait(cell)
    assert cell.status == "ok", cell.errors
    assert cell.result == "'waited the whole time'"
    answered = replies_to(kernel, sent, start)[0]["header"]["date"]
    assert answered < cell.messages[-1]["header"]["date"]    # while the cell still ran
    assert kernel.ok("self() == self()").result == "True"     # the next cell works


def test_a_page_size_of_zero_during_receive_is_refused_and_the_next_cell_works(kernel, widgets):
    cell = kernel.send("receive(timeout=1, default='done')")
    assert kernel.drain(lambda: any(m["msg_type"] == "execute_input" for m in cell.messages))
    start = len(kernel.other)
    sent = send_comm_msg(kernel, widgets["table"],
                         {"method": "update", "state": {"page_size": 0}, "buffer_paths": []})
    assert kernel.drain(lambda: error_of(replies_to(kernel, sent, start)), timeout=10)
    assert "page_size 0 is out of range" in error_of(replies_to(kernel, sent, start))
    kernel.wait(cell)
    assert cell.status == "ok" and cell.result == "'done'", cell.errors
    assert kernel.ok("ob.table.page_size").result == "25"


def test_a_raising_scheduler_callback_is_reported_and_the_cell_and_the_next_one_run(kernel):
    cell = kernel.run("def broken_callback():\n"
                      "    raise ValueError('a broken callback')\n"
                      "get_ipython().kernel.runtime.call_soon_threadsafe(broken_callback)\n"
                      "receive(timeout=0.5, default='carried on')")
    assert cell.status == "ok", cell.errors
    assert cell.result == "'carried on'"
    assert "broken_callback (call_soon_threadsafe)" in cell.stderr
    assert "ValueError: a broken callback" in cell.stderr
    assert kernel.ok("1 + 1").result == "2"


def test_a_failure_of_the_driving_loop_ends_the_cell_with_it_and_the_next_cell_works(kernel):
    # Not a callback: the loop itself fails once (as a runtime bug would) while the cell waits.
    cell = kernel.run("rt = get_ipython().kernel.runtime\n"
                      "real = rt._fire_timers\n"
                      "def fail_once():\n"
                      "    rt._fire_timers = real\n"
                      "    raise RuntimeError('the loop broke')\n"
                      "rt._fire_timers = fail_once\n"
                      "try:\n"
                      "    receive(timeout=5)\n"
                      "finally:\n"
                      "    print('the cell unwound')")
    assert cell.status == "error"
    assert cell.errors[0][:2] == ("RuntimeError", "the loop broke")
    assert "the cell unwound" in cell.stdout
    assert kernel.ok("receive(timeout=0.1, default='next cell ok')").result == "'next cell ok'"


# ---------------------------------------------------------------- long native calls (point 5)

LONG_CALL = """
get_ipython().kernel.runtime.long_schedule = 0.05   # report a hold of 50 ms and more
def crunch():
    return sum(range(10**7))          # native code: the tick cannot preempt it
p, ref = spawn_monitor(crunch)
receive(("DOWN", ref, ANY, ANY, ANY), timeout=60)
repr(p)
"""


def test_a_long_native_call_in_a_spawned_process_is_named_in_the_spawning_cell(kernel):
    cell = kernel.ok(LONG_CALL, timeout=90)
    pid = eval(cell.result)
    notice = cell.stderr
    assert f"long_schedule: process {pid} (__main__.crunch) ran " in notice
    assert "ms without letting any other process run, in crunch at line 3 of cell In[" in notice
    assert "dirty_call(fn, *args)" in notice
    assert notice.count("long_schedule: process") == 1     # once for the one long stretch


def test_a_process_that_holds_the_scheduler_again_and_again_gets_one_notice_per_quiet_period():
    import io

    from beamlab.kernel.long_schedule import LONG_SCHEDULE, LongScheduleNotices
    from beamlab.runtime import GroupLeader, MockClock, Runtime

    rt = Runtime(clock=MockClock(), preemption="cooperative")
    out = io.StringIO()
    notices = LongScheduleNotices(rt, quiet=10.0)
    pid = rt.spawn(lambda: None, group_leader=GroupLeader(out, label="cell"))
    for _ in range(5):
        rt.telemetry.execute(LONG_SCHEDULE, {"ms": 300.0},
                             {"pid": pid, "location": ("lab.py", 3, "spin"), "name": None})
    notices._last[pid] = (notices._last[pid][0] - 11.0, notices._last[pid][1])   # 11 s later
    rt.telemetry.execute(LONG_SCHEDULE, {"ms": 300.0},
                         {"pid": pid, "location": ("lab.py", 3, "spin"), "name": None})
    rt.stop()
    text = out.getvalue()
    assert text.count("long_schedule: process") == 2
    assert "in spin at lab.py:3" in text
    assert "(and 4 more times since the last notice)" in text


def test_a_cells_own_long_call_gets_no_notice_of_its_own(kernel):
    cell = kernel.ok("get_ipython().kernel.runtime.long_schedule = 0.05\n"
                     "sum(range(10**7)) > 0")
    assert cell.result == "True"
    assert "long_schedule" not in cell.stderr
