"""Cells run as the shell process of a runtime that lives as long as the kernel."""

from __future__ import annotations

import re

ALSO_ON_EXTENSION = True   # also run in a stock python3 kernel with %load_ext beamlab (conftest.py)

PID = re.compile(r"<0\.(\d+)\.0>")


def pid_of(text: str) -> str:
    m = PID.search(text or "")
    assert m, f"no pid in {text!r}"
    return m.group(0)


def test_the_learner_namespace_is_ready_to_use(kernel):
    cell = kernel.ok("[n for n in ('spawn', 'send', 'receive', 'self', 'link', 'monitor', 'exit',"
                     " 'register', 'flush', 'telemetry', 'GenServer', 'Supervisor',"
                     " 'DynamicSupervisor', 'Task', 'Agent') if n not in globals()]")
    assert cell.result == "[]"


def test_the_cluster_global_names_pg_and_the_cluster_view_are_in_the_namespace(kernel):
    names = ("start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition",
             "cut", "heal", "connect_node", "set_latency",
             "global_register_name", "global_whereis_name", "global_unregister_name",
             "global_send", "global_registered_names", "pg_join", "pg_leave", "pg_get_members",
             "pg_get_local_members", "pg_which_groups", "cluster_view")
    cell = kernel.ok(f"[n for n in {names!r} if n not in globals()]")
    assert cell.result == "[]"
    cell = kernel.ok("r = global_register_name('ns_leader', self()), global_whereis_name('ns_leader') == self()\n"
                     "global_unregister_name('ns_leader')\n"
                     "r, pg_join('ns_group', self()), pg_get_members('ns_group') == [self()], "
                     "pg_leave('ns_group', self()), type(cluster_view).__name__")
    assert cell.result == "(('yes', True), 'ok', True, 'ok', 'function')"


def test_a_cell_runs_as_the_shell_process_with_the_same_pid_every_time(kernel):
    first = kernel.ok("self()").result
    second = kernel.ok("self()").result
    assert PID.fullmatch(first) and first == second


def test_a_cell_can_receive_what_is_sent_to_the_shell(kernel):
    cell = kernel.ok("send(self(), ('hello', 42))\nreceive(('hello', ANY), timeout=5)")
    assert cell.result == "('hello', 42)"


def test_flush_prints_and_empties_the_shells_mailbox(kernel):
    cell = kernel.ok("send(self(), 'one'); send(self(), 'two')\nflush();")
    assert cell.stdout == "Shell got 'one'\nShell got 'two'\n"
    assert kernel.ok("flush();").stdout == ""


def test_variables_and_processes_persist_across_cells(kernel):
    kernel.ok("def counter(n):\n"
              "    while True:\n"
              "        msg = receive()\n"
              "        if msg[0] == 'add': n += msg[1]\n"
              "        else: send(msg[1], n)\n"
              "total = spawn(counter, 10)")
    kernel.ok("send(total, ('add', 5))")
    cell = kernel.ok("send(total, ('get', self())); receive(timeout=5)")
    assert cell.result == "15"


def test_process_output_lands_in_the_spawning_cell_even_after_it_finished(kernel):
    spawner = kernel.ok("late = spawn(lambda: (receive(), print('late hello from', self())))")
    assert "late hello" not in spawner.stdout
    later = kernel.ok("send(late, 'go'); sleep(0.2); print('later cell done')")
    assert kernel.drain(lambda: "late hello" in spawner.stdout)
    assert "late hello" not in later.stdout
    assert later.stdout == "later cell done\n"


def test_a_linked_crash_kills_the_shell_with_a_clear_error_and_a_new_shell_takes_over(kernel):
    before = kernel.ok("shell_before = self(); shell_before").result
    crashed = kernel.run("spawn_link(lambda: 1 / 0)\nreceive(timeout=10)")
    assert crashed.status == "error"
    ename, evalue, traceback = crashed.errors[0]
    assert ename == "ShellExited"
    assert f"The shell process {before} exited: ZeroDivisionError: division by zero" in traceback
    assert "variables are kept" in traceback
    assert "ZeroDivisionError" in crashed.stderr   # the crash report of the linked process
    after = kernel.ok("self()").result
    assert after != before
    assert kernel.ok("shell_before").result == before


def test_a_linked_crash_after_the_cell_finished_is_reported_in_that_cell(kernel):
    before = kernel.ok("self()").result
    cell = kernel.ok("spawn_link(lambda: (sleep(0.3), 1 / 0))")
    assert kernel.drain(lambda: f"The shell process {before} exited" in cell.stderr)
    assert kernel.ok("self()").result != before


def test_rerunning_a_cell_stops_what_it_started_and_frees_its_registered_name(kernel):
    code = "server = spawn(lambda: receive())\nregister('server', server)\nserver"
    first = kernel.ok(code).result
    rerun = kernel.ok(code)
    assert rerun.result != first
    assert first in rerun.stdout and "stopped 1 process" in rerun.stdout
    assert kernel.ok(f"is_process_alive(Pid.parse('{first}'))").result == "False"
    assert kernel.ok("whereis('server') == server").result == "True"


def test_rerunning_a_cell_stops_a_supervision_tree_it_started(kernel):
    kernel.ok("class Worker(GenServer):\n"
              "    def init(self, arg):\n"
              "        return Ok(arg)")
    code = "sup = Supervisor.start_link([Worker.child_spec(1)], name='tree_sup')\nsup"
    first_sup = kernel.ok(code).result
    first_worker = kernel.ok("Supervisor.which_children(sup)[0][1]").result
    second_sup = kernel.ok(code).result
    assert second_sup != first_sup
    alive = kernel.ok(f"[is_process_alive(Pid.parse(p)) for p in ('{first_sup}', '{first_worker}')]")
    assert alive.result == "[False, False]"


def test_keep_on_the_first_line_keeps_the_previous_runs_processes(kernel):
    code = "%%keep\nkept = spawn(lambda: receive())\nkept"
    first = kernel.ok(code).result
    second = kernel.ok(code).result
    assert second != first
    assert kernel.ok(f"is_process_alive(Pid.parse('{first}'))").result == "True"


def test_a_long_time_sleep_cell_does_not_freeze_a_ticker_process(kernel):
    kernel.ok("import time\n"
              "ticks = []\n"
              "def ticker():\n"
              "    while True:\n"
              "        ticks.append(1)\n"
              "        sleep(0.05)\n"
              "ticker_pid = spawn(ticker)")
    cell = kernel.ok("n0 = len(ticks)\ntime.sleep(1)\nlen(ticks) - n0")
    assert int(cell.result) >= 5   # 20 at 50 ms a tick; frozen would be 0


def test_a_busy_loop_cell_does_not_freeze_a_ticker_process(kernel):
    kernel.ok("import time\n"
              "spins = []\n"
              "def spinner_ticker():\n"
              "    while True:\n"
              "        spins.append(1)\n"
              "        sleep(0.05)\n"
              "spawn(spinner_ticker)")
    cell = kernel.ok("n0 = len(spins)\nt0 = time.time()\n"
                     "while time.time() - t0 < 1:\n    pass\n"
                     "len(spins) - n0")
    assert int(cell.result) >= 5


def test_an_error_in_a_cell_shows_the_usual_traceback_and_the_shell_lives_on(kernel):
    before = kernel.ok("self()").result
    cell = kernel.run("def boom():\n    return {}['missing']\nboom()")
    assert cell.status == "error"
    ename, _, traceback = cell.errors[0]
    assert ename == "KeyError" and "boom()" in traceback and "_core.py" not in traceback
    assert kernel.ok("self()").result == before


def test_print_and_display_keep_their_order_in_a_cell(kernel):
    cell = kernel.ok("from IPython.display import display\n"
                     "print('first')\ndisplay('second')\nprint('third')")
    kinds = [(m["msg_type"], m["content"].get("text") or m["content"].get("data", {}).get("text/plain"))
             for m in cell.messages if m["msg_type"] in ("stream", "display_data")]
    assert kinds[0] == ("stream", "first\n") and kinds[1] == ("display_data", "'second'")


def test_prints_inside_an_ipywidgets_output_context_reach_it_while_it_captures(kernel):
    cell = kernel.ok("import ipywidgets\nout = ipywidgets.Output()\n"
                     "with out:\n    print('captured')\nprint('after')")
    events = []
    for m in cell.messages:
        if m["msg_type"] == "stream":
            events.append(m["content"]["text"])
        elif m["msg_type"] == "comm_msg" and "msg_id" in m["content"]["data"].get("state", {}):
            events.append("capturing" if m["content"]["data"]["state"]["msg_id"] else "released")
    assert events == ["capturing", "captured\n", "released", "after\n"]


def test_exit_raised_in_a_cell_is_an_error_and_a_new_shell_takes_over_as_in_erlang(kernel):
    before = kernel.ok("kept = 42; self()").result
    watching = kernel.ok("mon = spawn(lambda sh=self(): (monitor(sh), print('DOWN', receive()[4])))")
    cell = kernel.run("exit('bye')")
    assert cell.status == "error" and cell.errors[0][0] == "ProcessExit" and "bye" in cell.errors[0][1]
    text = re.sub(r"\x1b\[[0-9;]*m", "", cell.errors[0][2])
    assert f"The shell process {before} exited with this reason" in text and "variables are kept" in text
    after = kernel.ok("self()").result
    assert after != before                                   # a new shell process, like erl's
    assert kernel.ok("kept").result == "42"                  # the variables are kept
    assert kernel.drain(lambda: "DOWN bye" in watching.stdout)   # a monitor heard the reason


def test_a_genserver_call_timeout_in_a_cell_names_the_call_and_a_new_shell_takes_over(kernel):
    before = kernel.ok("self()").result
    kernel.ok("class Slow(GenServer):\n"
              "    def init(self, arg):\n"
              "        return Ok(arg)\n"
              "    def handle_call(self, request, from_, state):\n"
              "        sleep(10)\n"
              "        return Reply(state, state)\n"
              "slow = Slow.start()")
    cell = kernel.run("GenServer.call(slow, 'ping', timeout=0.2)")
    assert cell.status == "error"
    ename, evalue, _ = cell.errors[0]
    assert "timed out" in evalue and "ping" in evalue, (ename, evalue)
    assert kernel.ok("self()").result != before              # the exit ended the shell, as in erl


def test_a_process_spinning_between_cells_does_not_block_the_next_cell(kernel):
    kernel.ok("def spin():\n    while True:\n        pass\nspinner = spawn(spin)")
    cell = kernel.ok("n = 0\nfor _ in range(3):\n    sleep(0.05)\n    n += 1\n(n, is_process_alive(spinner))")
    assert cell.result == "(3, True)"
    kernel.ok("exit(spinner, 'kill')")


def test_a_wall_of_crash_reports_shows_the_first_in_full_and_folds_the_rest(kernel):
    cell = kernel.ok("for i in range(12):\n    spawn(lambda i=i: 1 / 0)\nsleep(0.5)")
    assert kernel.drain(lambda: any("11 more crash reports" in (m["content"].get("data") or {})
                                    .get("text/plain", "") for m in cell.messages), timeout=10)
    assert cell.stderr.count("=ERROR REPORT====") == 1          # the first one, in full
    assert "ZeroDivisionError" in cell.stderr
    folds = [m for m in cell.messages if m["msg_type"] in ("display_data", "update_display_data")]
    assert folds[0]["msg_type"] == "display_data"
    assert all(m["content"]["transient"]["display_id"] == folds[0]["content"]["transient"]["display_id"]
               for m in folds)
    html = folds[-1]["content"]["data"]["text/html"]
    assert "<details" in html and html.count("=ERROR REPORT====") == 11


def test_a_self_check_shows_its_verdict_before_the_crash_reports_it_caused(kernel):
    from pathlib import Path
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    kernel.ok(f"import sys; sys.path.insert(0, {str(notebooks)!r}); from labcheck import check")
    cell = kernel.ok("@check\ndef _():\n    for i in range(5):\n        spawn(lambda: 1 / 0)\n"
                     "    sleep(0.2)\n    assert False, 'hint: the workers must not divide by zero'")
    kernel.drain(lambda: "=ERROR REPORT====" in cell.stderr, timeout=10)
    streams = [(m["content"]["name"], m["content"]["text"]) for m in cell.messages if m["msg_type"] == "stream"]
    first = streams[0]
    assert first[0] == "stdout" and first[1].startswith("✗ not yet — hint: the workers")
    assert "while checking: 5 crash report(s)" in cell.stderr
    assert cell.stderr.count("=ERROR REPORT====") == 1            # the rest are folded


def test_a_supervisor_that_cannot_start_a_child_says_so_once_with_the_hint_first(kernel):
    cell = kernel.run("class Bad(GenServer):\n    def init(self, arg):\n"
                      "        raise ValueError('no database at localhost:5432')\n"
                      "sup = Supervisor.start_link([{'id': 'db', 'start': (Bad.start_link, 0)}])")
    assert cell.status == "error"
    text = re.sub(r"\x1b\[[0-9;]*m", "", cell.errors[0][2])
    first = text.strip().splitlines()[0]
    assert first == "** A supervisor could not start its child 'db': ValueError: no database at localhost:5432"
    assert text.count("no database at localhost:5432") == 1        # the nested reason, once
    assert "variables are kept" in text
