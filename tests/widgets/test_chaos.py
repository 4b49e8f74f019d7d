"""Chaos: seeded random kills under a supervisor, with a stop control."""
from __future__ import annotations

from beamlab.runtime import MockClock, Runtime, process_flag, sleep
from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor
from beamlab.widgets import Chaos


class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)


def tree(n=4, max_restarts=1000, **kw):
    return Supervisor.start_link([ChildSpec(id=f"w{i}", start=(Worker.start_link, i)) for i in range(n)],
                                 max_restarts=max_restarts, max_seconds=5, **kw)


def run(main):
    return Runtime(clock=MockClock()).run(main)


def chaos_for(seconds, **kw):
    def main():
        sup = tree()
        c = Chaos(sup, show_tree=False, **kw)
        c.start()
        sleep(seconds)
        c.stop()
        sleep(0.01)
        return [cid for _, _, cid in c.kills], c.running, c.summary()
    return run(main)


def test_chaos_kills_at_the_chosen_rate():
    kills, running, _ = chaos_for(5.05, rate=4, seed=1)
    assert len(kills) == 20
    assert running is False


def test_the_same_seed_kills_the_same_children_in_the_same_order():
    assert chaos_for(3, rate=5, seed=7)[0] == chaos_for(3, rate=5, seed=7)[0]
    assert chaos_for(3, rate=5, seed=7)[0] != chaos_for(3, rate=5, seed=8)[0]


def test_stop_ends_the_killing():
    def main():
        sup = tree()
        c = Chaos(sup, rate=10, seed=1, show_tree=False)
        c.start()
        sleep(1.05)
        c.stop()
        n = len(c.kills)
        sleep(2)
        return n, len(c.kills)
    before, after = run(main)
    assert before == after == 10


def test_the_toggle_button_starts_and_stops_it():
    def main():
        sup = tree()
        c = Chaos(sup, rate=2, seed=1, show_tree=False)
        c.toggle.value = True                       # what a click on "Start chaos" does
        sleep(0.01)
        started = c.running
        c.toggle.value = False
        sleep(0.01)
        return started, c.running
    assert run(main) == (True, False)


def test_chaos_beyond_the_intensity_makes_the_supervisor_give_up_and_says_so():
    def main():
        process_flag("trap_exit", True)            # we start the supervisor; it will exit shutdown
        sup = tree(max_restarts=3)
        c = Chaos(sup, rate=10, seed=3)
        c.start()
        sleep(2)
        c.tree.refresh()
        c._show()
        return len(c.kills), c.running, c.summary(), c.tree.snapshot.note
    kills, running, summary, note = run(main)
    assert kills == 4                 # the 4th restart in 5 s is one too many
    assert running is False
    assert "gave up" in summary
    assert note.endswith("is not alive")


def test_killing_nested_supervisors_is_opt_in():
    def main():
        inner = Supervisor.child_spec([ChildSpec(id="leaf", start=(Worker.start_link, 0))], id="inner",
                                      max_restarts=1000)
        sup = Supervisor.start_link([inner], max_restarts=1000)
        workers_only = Chaos(sup, rate=10, seed=1, show_tree=False)
        workers_only.start(); sleep(1.05); workers_only.stop(); sleep(0.01)
        both = Chaos(sup, rate=10, seed=1, show_tree=False, include_supervisors=True)
        both.start(); sleep(3.05); both.stop(); sleep(0.01)
        return {cid for *_, cid in workers_only.kills}, {cid for *_, cid in both.kills}
    workers, both = run(main)
    assert workers == {"leaf"} and both == {"leaf", "inner"}
