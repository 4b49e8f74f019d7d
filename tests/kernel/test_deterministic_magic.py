"""%%beamlab_run: a cell as a deterministic run, in the beamlab kernel and with %load_ext beamlab."""

from __future__ import annotations

import pytest

ALSO_ON_EXTENSION = True   # also run in a stock python3 kernel with %load_ext beamlab (conftest.py)

SETUP = """
from beamlab.runtime.deterministic import event_log

class Relay(GenServer):
    def init(self, n):
        return Ok(n)
    def handle_info(self, msg, n):
        nxt = whereis(f"r{(n + 1) % 3}")
        if nxt is not None and msg > 0:
            send(nxt, msg - 1)
        return NoReply(n)

def start_relay(n):
    return Relay.start_link(n, name=f"r{n}")

def spin():
    x = 0
    while True:
        x += 1
"""

CELL = """%%beamlab_run --seed {seed} --out {out}
sup = Supervisor.start_link([{{"id": f"r{{i}}", "start": (start_relay, i)}} for i in range(3)],
                            max_restarts=100, max_seconds=1)
spawn(spin)
monkey = chaos_monkey(sup, rate=20)
for _ in range(20):
    send(whereis("r0") or self(), 5)
    sleep(0.01)
kills = [cid for _, _, cid in monkey.kills]
print("kills:", kills)
"""


@pytest.fixture(scope="module")
def lab(kernel):
    """The kernel, with the relay server, its starter and a spinner defined."""
    kernel.ok(SETUP)
    return kernel


@pytest.fixture(scope="module")
def run_a(lab):
    """`a`: the recording of CELL with seed 42, and the cell."""
    return lab.ok(CELL.format(seed=42, out="a"), timeout=120)


def test_a_cell_run_twice_with_one_seed_records_the_same_log(lab, run_a):
    kernel, first = lab, run_a
    second = kernel.ok(CELL.format(seed=42, out="b"), timeout=120)
    assert "deterministic run (seed 42)" in first.stdout and "recording is `a`" in first.stdout
    assert first.stderr == "" and second.stderr == ""
    kills = [line for line in first.stdout.splitlines() if line.startswith("kills:")]
    assert kills and kills[0] != "kills: []"
    assert kills == [line for line in second.stdout.splitlines() if line.startswith("kills:")]
    assert kernel.ok("event_log(a) == event_log(b), len(a) > 200").result == "(True, True)"


def test_another_seed_differs_and_a_replay_and_a_fork_come_from_the_recording(lab, run_a):
    kernel = lab
    kernel.ok(CELL.format(seed=7, out="c"), timeout=120)
    assert kernel.ok("event_log(a) != event_log(c)").result == "True"
    replayed = kernel.ok("%beamlab_run --replay a --out again", timeout=120)
    assert "recording is `again`" in replayed.stdout
    assert kernel.ok("event_log(again) == event_log(a)").result == "True"
    kernel.ok("S = len(a) // 2")
    kernel.ok("%beamlab_run --fork a --at {S} --seed 9 --out what_if", timeout=120)
    assert kernel.ok("event_log(what_if)[:S] == event_log(a)[:S], "
                     "event_log(what_if)[S:] != event_log(a)[S:], what_if.run.seeds[1] == (S, 9)"
                     ).result == "(True, True, True)"


WIDGET = "application/vnd.jupyter.widget-view+json"


def test_tree_shows_the_run_again_on_its_timeline_from_the_first_event(lab):
    kernel = lab
    cell = kernel.ok("%%beamlab_run --seed 42 --out e --tree sup\n"
                     "sup = Supervisor.start_link([{'id': 'r0', 'start': (start_relay, 0)}])\n"
                     "sleep(0.1)", timeout=120)
    assert any(WIDGET in m["content"].get("data", {}) for m in cell.messages
               if m["msg_type"] in ("execute_result", "display_data"))
    tree = kernel.ok("e_tree.at == e.first_seq, e_tree.timeline['last'] == e.last_seq").result
    assert tree == "(True, True)"


def test_the_kernel_runtime_goes_on_after_a_deterministic_run(kernel):
    kernel.ok("%%beamlab_run --seed 1 --out d\nsleep(1)", timeout=60)
    cell = kernel.ok("p = spawn(lambda: receive())\n"
                     "from beamlab.runtime import current_runtime\n"
                     "(is_process_alive(p), type(current_runtime().clock).__name__, d.run.seed)")
    assert cell.result == "(True, 'SystemClock', 1)"


def usage_error(kernel, code) -> str:
    cell = kernel.run(code)
    assert cell.status == "error" and cell.stderr.startswith("UsageError: "), cell.stderr
    return cell.stderr


def test_mistakes_are_one_line_usage_errors(lab, run_a):
    kernel = lab
    assert "needs a seed" in usage_error(kernel, "%%beamlab_run\nprint('hi')")
    assert "not the recording of a deterministic run" in usage_error(
        kernel, "%beamlab_run --replay nothing_here")
    assert "--at SEQ" in usage_error(kernel, "%beamlab_run --fork a --seed 3")
    assert "runs a cell" in usage_error(kernel, "%beamlab_run --seed 3")
    assert "unrecognized arguments" in usage_error(kernel, "%%beamlab_run --sed 3\nx = 1")


def test_an_interrupt_stops_a_spinning_deterministic_run_and_keeps_its_recording(kernel):
    cell = kernel.send("%%beamlab_run --seed 1 --out spun\n"
                       "print('spinning')\n"
                       "spawn(lambda: receive())\n"
                       "while True:\n"
                       "    pass\n")
    assert kernel.drain(lambda: "spinning" in cell.stdout), cell.stderr
    kernel.km.interrupt_kernel()
    cell = kernel.wait(cell)
    assert cell.status == "error" and cell.errors[0][0] == "KeyboardInterrupt"
    after = kernel.ok("p = spawn(lambda: receive())\n"
                      "(is_process_alive(p), spun.run.seed, len(spun) > 0)")
    assert after.result == "(True, 1, True)"
