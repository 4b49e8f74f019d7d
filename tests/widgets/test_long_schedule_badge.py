"""A process that held the scheduler (a long native call) says so in the observer and the tree.

The runtime reports it as a ("beamlab", "process", "long_schedule") event; these
tests emit that event as the preemption tick does, so they never wait on a real
long call (tests/runtime/test_long_schedule.py checks the event itself).
"""
from __future__ import annotations

from widget_clicks import click

from beamlab.runtime import MockClock, Runtime, current_runtime, receive, sleep, spawn, telemetry
from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor
from beamlab.widgets import SupervisionTree
from beamlab.widgets.observer import ProcessTable

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")


def run(main):
    return Runtime(clock=MockClock()).run(main)


def held(pid, ms=1234.0):
    """What the preemption tick emits after `pid` ran `ms` without switching."""
    telemetry.execute(LONG_SCHEDULE, {"ms": ms},
                      {"pid": pid, "location": ("/work/lab/crunch.py", 7, "crunch"), "name": None})


def idle():
    receive(lambda m: m == "stop")


class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)


def test_the_observer_row_of_a_process_that_held_the_scheduler_shows_for_how_long():
    def main():
        busy, calm = spawn(idle), spawn(idle)
        sleep(0.01)
        table = ProcessTable(page_size=50)
        held(busy)
        table.refresh()
        return {r["pid"]: r["status"] for r in table.rows}, str(busy), str(calm)
    status, busy, calm = run(main)
    assert status[busy] == "waiting · long_schedule 1,234 ms"
    assert status[calm] == "waiting"


def test_the_inspector_says_where_it_held_the_scheduler_and_the_cure():
    def main():
        busy = spawn(idle)
        sleep(0.01)
        table = ProcessTable()
        held(busy)
        click(table, type="inspect", pid=str(busy))
        sleep(0.01)
        return dict(table.inspector["fields"])["long_schedule"]
    text = run(main)
    assert text.startswith("held the scheduler 1,234 ms in crunch (crunch.py:7), 0 s ago")
    assert "dirty_call" in text


def test_the_tree_node_of_a_worker_that_held_the_scheduler_carries_the_badge():
    def main():
        sup = Supervisor.start_link([ChildSpec(id="cruncher", start=(Worker.start_link, 0))],
                                    strategy="one_for_one")
        tree = SupervisionTree(sup, live=False)
        node = tree.snapshot.by_name("cruncher")
        before = tree.dot
        held(node.pid, ms=800)
        tree.refresh()
        return before, tree.dot, tree.nodes[node.key]["long_schedule"]
    before, after, badge = run(main)
    assert "long_schedule" not in before
    assert "⚠ long_schedule 800 ms" in after and "use dirty_call" in after
    assert badge == "long_schedule 800 ms"
