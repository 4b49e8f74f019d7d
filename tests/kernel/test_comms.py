"""Widget messages are answered while a cell runs (ipykernel 7.4.0 makes them wait for the cell).

One `time.sleep(5)` cell runs while the "front end" (this test) sends three comm messages
the way front ends do: a plain comm_msg, a comm_msg on a kernel subshell (what JupyterLab
4.4+ does for widgets), and an ipywidgets Button click. Each test checks one of them was
answered before that cell finished.
"""

from __future__ import annotations

import pytest

SETUP = """
import comm, ipywidgets
echo = comm.create_comm(target_name='beamlab.test.echo')
echo.on_msg(lambda msg: echo.send({'echo': msg['content']['data'], 'by': repr(self())}))
button = ipywidgets.Button(description='press me')
def on_click(b):
    b.description = f'clicked; handled by process {self()!r}'
button.on_click(on_click)
(echo.comm_id, button.comm.comm_id)
"""


def create_subshell(kernel) -> str:
    msg = kernel.kc.session.msg("create_subshell_request", {})
    kernel.kc.control_channel.send(msg)
    reply = kernel.kc.control_channel.get_msg(timeout=10)
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]["subshell_id"]


def send_comm_msg(kernel, comm_id: str, data: dict, subshell_id: str | None = None) -> str:
    msg = kernel.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
    if subshell_id is not None:
        msg["header"]["subshell_id"] = subshell_id
    kernel.kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


@pytest.fixture(scope="module")
def during_sleep(kernel):
    """Send three comm messages while a `time.sleep(5)` cell runs; record the order of IOPub."""
    echo_id, button_id = eval(kernel.ok(SETUP).result)
    subshell = create_subshell(kernel)
    cell = kernel.send("import time\ntime.sleep(5)\n'slept'")
    assert kernel.drain(lambda: any(m["msg_type"] == "execute_input" for m in cell.messages))
    sent = {
        "plain": send_comm_msg(kernel, echo_id, {"n": 1}),
        "subshell": send_comm_msg(kernel, echo_id, {"n": 2}, subshell),
        "click": send_comm_msg(kernel, button_id, {"method": "custom", "content": {"event": "click"}},
                               subshell),
    }
    start = len(kernel.other)
    kernel.wait(cell)
    assert cell.status == "ok" and cell.result == "'slept'", cell.errors
    return {"cell": cell, "sent": sent, "iopub": kernel.other[start:]}


def answered_during_cell(during_sleep, which: str) -> dict:
    """The comm_msg the kernel published in reply to `which`, if it came before the cell ended."""
    cell, sent = during_sleep["cell"], during_sleep["sent"]
    replies = [m for m in during_sleep["iopub"]
               if m["msg_type"] == "comm_msg" and m["parent_header"].get("msg_id") == sent[which]]
    assert replies, f"no reply to the {which} comm message at all"
    reply = replies[0]
    cell_end = cell.messages[-1]["header"]["date"]   # the cell's idle status
    assert reply["header"]["date"] < cell_end, f"the {which} reply waited for the running cell"
    return reply["content"]["data"]


def test_a_comm_message_is_answered_while_a_time_sleep_cell_runs(during_sleep):
    data = answered_during_cell(during_sleep, "plain")
    assert data["echo"] == {"n": 1}


def test_a_comm_message_sent_on_a_subshell_is_answered_while_a_cell_runs(during_sleep):
    data = answered_during_cell(during_sleep, "subshell")
    assert data["echo"] == {"n": 2}


def test_a_widget_button_click_is_handled_while_a_cell_runs_by_a_process(during_sleep):
    data = answered_during_cell(during_sleep, "click")
    assert data["method"] == "update"
    assert data["state"]["description"].startswith("clicked; handled by process <0.")


def test_the_comm_handler_is_not_the_shell_process(during_sleep, kernel):
    data = answered_during_cell(during_sleep, "plain")
    assert data["by"] != kernel.ok("self()").result


def test_a_comm_message_is_answered_while_a_busy_loop_cell_runs(during_sleep, kernel):
    echo_id = eval(kernel.ok("echo.comm_id").result)
    cell = kernel.send("def busy():\n"
                       "    print('spinning')\n"
                       "    t0 = time.time()\n"
                       "    while time.time() - t0 < 2:\n"
                       "        pass\n"
                       "busy()")
    assert kernel.drain(lambda: "spinning" in cell.stdout)
    sent = send_comm_msg(kernel, echo_id, {"n": 3})
    start = len(kernel.other)
    kernel.wait(cell)
    replies = [m for m in kernel.other[start:]
               if m["msg_type"] == "comm_msg" and m["parent_header"].get("msg_id") == sent]
    assert replies and replies[0]["header"]["date"] < cell.messages[-1]["header"]["date"]
