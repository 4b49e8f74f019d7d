"""The Chaos panel in a deterministic run (issue 13 point 4): its monkey is the runtime's
(runtime/chaos.py), so the same seeds kill the same children at the same virtual moments
and the run's log is the same, with a spinner running beside it."""
from __future__ import annotations

import beamlab
from beamlab.runtime import Recorder, sleep, spawn
from beamlab.runtime.deterministic import event_log
from beamlab.runtime.otp import GenServer, Ok, Supervisor
from beamlab.widgets import Chaos


class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)


def spinner():
    while True:
        pass


def main():
    sup = Supervisor.start_link([{"id": f"w{i}", "start": (Worker.start_link, i)} for i in range(4)],
                                max_restarts=100, max_seconds=1)
    spawn(spinner)
    panel = Chaos(sup, rate=20, seed=5, show_tree=False, autostart=True)
    sleep(0.5)
    panel.stop()
    sleep(0.01)
    return [(round(t, 9), cid) for t, _pid, cid in panel.kills]


def test_the_panel_kills_the_same_children_at_the_same_virtual_moments_in_a_deterministic_run():
    first, second = Recorder(), Recorder()
    kills = beamlab.run(main, seed=1, record=first)
    assert len(kills) >= 8
    assert beamlab.run(main, seed=1, record=second) == kills
    assert event_log(first) == event_log(second)
