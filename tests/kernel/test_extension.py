"""`%load_ext beamlab` in ipykernel's own python3 kernel: beamlab wherever Python notebooks run.

One stock kernel for the module (the `ext` fixture); the unload test comes last.
test_cells, test_interrupt and test_magics also run whole on the extension
(ALSO_ON_EXTENSION); these are about what is particular to it.
"""

from __future__ import annotations

import re
import time

import pytest

from kernel_client import start_kernel, stop_kernel

PID = re.compile(r"<0\.\d+\.0>")


@pytest.fixture(scope="module")
def ext(kernelspec):
    k = start_kernel("extension")
    yield k
    stop_kernel(k)


def test_the_stock_kernel_is_not_the_beamlab_kernel(ext):
    cell = ext.ok("type(get_ipython().kernel).__name__, type(get_ipython()).__name__")
    assert cell.result == "('IPythonKernel', 'ZMQInteractiveShell')"


def test_after_load_ext_a_cell_runs_as_the_shell_process(ext):
    first = ext.ok("self()").result
    assert PID.fullmatch(first)
    assert ext.ok("self()").result == first
    assert ext.ok("send(self(), 'hi'); receive(timeout=5)").result == "'hi'"


def test_loading_again_changes_nothing(ext):
    before = ext.ok("self()").result
    ext.ok("%load_ext beamlab")
    assert ext.ok("self()").result == before


def test_a_process_output_lands_in_the_cell_that_spawned_it(ext):
    cell = ext.ok("spawn(lambda: print('hi from', self()))")
    assert ext.drain(lambda: "hi from" in cell.stdout, timeout=10), cell
    later = ext.ok("print('later')")
    assert "hi from" not in later.stdout


def test_processes_keep_running_between_cells(ext):
    ext.ok("def ticker(to, n=0):\n"
           "    while True:\n"
           "        sleep(0.02)\n"
           "        n += 1\n"
           "        send(to, ('tick', n))\n"
           "tick_pid = spawn(ticker, self())")
    time.sleep(0.6)   # no cell runs meanwhile: only the pump on ipykernel's loop drives the ticker
    cell = ext.ok("ticks = []\n"
                  "while (m := receive(('tick', ANY), timeout=0, default=None)) is not None:\n"
                  "    ticks.append(m[1])\n"
                  "exit(tick_pid, 'kill')\n"
                  "len(ticks)")
    assert int(cell.result) >= 5, cell.result


def test_interrupt_stops_a_cell_in_receive_and_the_runtime_lives_on(ext):
    shell = ext.ok("self()").result
    cell = ext.send("print('waiting') or receive()")
    assert ext.drain(lambda: "waiting" in cell.stdout)
    ext.km.interrupt_kernel()
    ext.wait(cell)
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"
    assert ext.ok("self()").result == shell
    assert ext.ok("p = spawn(lambda: receive()); is_process_alive(p)").result == "True"


def test_rerunning_a_cell_stops_what_its_last_run_started(ext):
    code = "w = spawn(lambda: receive()); register('ext_worker', w); w"
    first = ext.ok(code).result
    again = ext.ok(code)
    assert f"re-run: stopped 1 process this cell started before: {first}" in again.stdout
    assert again.result != first
    assert ext.ok(f"is_process_alive(Pid.parse('{first}'))").result == "False"


def test_keep_keeps_them(ext):
    code = "%%keep\nkept = spawn(lambda: receive()); kept"
    first = ext.ok(code).result
    second = ext.ok(code)
    assert "re-run" not in second.stdout
    assert ext.ok(f"is_process_alive(Pid.parse('{first}'))").result == "True"


def test_a_widget_renders_as_a_widget_view(ext):
    cell = ext.ok("observer()")
    views = [m for m in cell.messages if m["msg_type"] == "display_data"
             and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert views, [m["msg_type"] for m in cell.messages]


def test_a_widget_click_between_cells_is_handled_by_a_process(ext):
    button_id = eval(ext.ok("import ipywidgets\n"
                            "button = ipywidgets.Button(description='press me')\n"
                            "def on_click(b):\n"
                            "    b.description = f'clicked; handled by process {self()!r}'\n"
                            "button.on_click(on_click)\n"
                            "button.comm.comm_id").result)
    msg = ext.kc.session.msg("comm_msg", {"comm_id": button_id,
                                          "data": {"method": "custom", "content": {"event": "click"}}})
    ext.kc.shell_channel.send(msg)

    def updates():
        return [m["content"]["data"] for m in ext.other if m["msg_type"] == "comm_msg"
                and m["parent_header"].get("msg_id") == msg["header"]["msg_id"]]
    assert ext.drain(lambda: updates(), timeout=10)
    assert updates()[0]["state"]["description"].startswith("clicked; handled by process <0.")
    shell = ext.ok("self()").result
    assert shell not in updates()[0]["state"]["description"]
    assert ext.ok("len([p for p in processes() if process_info(p)['label'] == 'comm'])").result == "0"


def test_reload_ext_starts_a_fresh_runtime(ext):
    ext.ok("old_rt = __import__('beamlab').current_runtime()\nold = spawn(lambda: receive())")
    ext.ok("%reload_ext beamlab")
    cell = ext.ok("(old_rt._stopped, __import__('beamlab').current_runtime() is old_rt, str(self()))")
    stopped, same, shell = eval(cell.result)
    assert stopped and not same and PID.fullmatch(shell)


def test_in_the_beamlab_kernel_load_ext_does_nothing_and_unload_ext_says_why(kernel):
    assert kernel.mode == "beamlab"
    before = kernel.ok("self()").result
    kernel.ok("%load_ext beamlab")
    assert kernel.ok("self()").result == before
    cell = kernel.ok("%unload_ext beamlab")
    assert "restart the kernel" in cell.stderr
    assert kernel.ok("self()").result == before


def test_unload_ext_stops_the_runtime_and_restores_the_shell(ext):
    ext.ok("import sys, time, signal\n"
           "from beamlab.runtime import current_runtime\n"
           "rt = current_runtime()\n"
           "spawned = spawn(lambda: receive())")
    cell = ext.ok("%unload_ext beamlab")
    assert cell.stderr == ""
    after = ext.ok("('self' in globals(), rt._stopped, len(rt.processes()),"
                   " type(sys.stdout).__name__, time.sleep.__module__,"
                   " signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None))")
    assert after.result == "(False, True, 0, 'OutStream', 'time', True)"
    assert ext.ok("print('plain python')").stdout == "plain python\n"
    gone = ext.run("%observer")
    assert "Line magic function `%observer` not found" in gone.stderr   # gone with the runtime
    ext.ok("%load_ext beamlab")     # and it comes back
    assert PID.fullmatch(ext.ok("self()").result)
