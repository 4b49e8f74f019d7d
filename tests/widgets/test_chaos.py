"""Chaos: seeded random kills under a supervisor, with a stop control."""
from __future__ import annotations

from beamlab.runtime import MockClock, Runtime, current_runtime, process_flag, sleep
from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor
from beamlab.widgets import Chaos
from beamlab.widgets.chaos import subtree_children


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
        snap = c.tree.snapshot
        return len(c.kills), c.running, c.summary(), snap.note, [(n.kind, n.status) for n in snap.nodes]
    kills, running, summary, note, nodes = run(main)
    assert kills == 4                 # the 4th restart in 5 s is one too many
    assert running is False
    assert "gave up" in summary
    # the tree keeps its last known structure, greyed, and says what happened
    assert "gave up after 4 restarts in 5 s (max_restarts=3)" in note
    assert nodes[0] == ("supervisor", "gone") and len(nodes) > 1
    assert all(status == "gone" for _kind, status in nodes)


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


# ---------------------------------------------------------------- picking victims without walking

class BigTree:
    """A stand-in runtime holding 100 supervisors of 1,000 workers each (100,000 processes):
    only what the picker asks (a supervisor's children, is a pid alive), counting the reads."""

    def __init__(self, sups=100, per_sup=1000):
        self.status_reads = 0
        self.alive = set()
        self.n = 0
        self.children = {"root": [{"id": f"s{j}", "pid": self._new(), "type": "supervisor"}
                                  for j in range(sups)]}
        for ch in self.children["root"]:
            self.children[ch["pid"]] = [{"id": i, "pid": self._new(), "type": "worker"}
                                        for i in range(per_sup)]
        self.entry = {ch["pid"]: ch for kids in self.children.values() for ch in kids}

    def _new(self):
        from beamlab.runtime import Pid
        self.n += 1
        self.alive.add(self.n)
        return Pid(self.n)

    def get_status(self, pid):
        self.status_reads += 1
        key = "root" if pid == "root" else pid
        return {"children": self.children.get(key, [])}

    def whereis(self, name):
        return "root" if name == "root" else None

    def is_process_alive(self, pid):
        return pid == "root" or pid.id in self.alive

    def kill_and_restart(self, pid):
        """What a kill and its supervisor's restart do: a new pid in the same place."""
        self.alive.discard(pid.id)
        ch = self.entry.pop(pid)
        ch["pid"] = self._new()
        self.entry[ch["pid"]] = ch


def test_picking_victims_among_100k_processes_walks_the_tree_once_not_per_kill():
    import random
    from beamlab.widgets.chaos import VictimPicker
    tree = BigTree()
    picker = VictimPicker(tree, "root", rng=random.Random(1))
    for _ in range(1000):
        pid, _cid = picker.pick()
        tree.kill_and_restart(pid)
    assert picker.walks == 1
    assert tree.status_reads == 101             # the root and its 100 supervisors, once


def test_picking_victims_is_reproducible_with_the_same_seed():
    import random
    from beamlab.widgets.chaos import VictimPicker

    def victims(seed):
        tree = BigTree(sups=10, per_sup=100)
        picker = VictimPicker(tree, "root", rng=random.Random(seed))
        out = []
        for _ in range(300):
            pid, cid = picker.pick()
            out.append(cid)
            tree.kill_and_restart(pid)
        return out
    assert victims(5) == victims(5) != victims(6)


def test_chaos_on_a_real_tree_follows_restarts_through_telemetry_instead_of_walking():
    def main():
        sup = tree(n=40, max_restarts=10_000)
        c = Chaos(sup, rate=50, seed=2, show_tree=False)
        c.start()
        sleep(4.01)
        c.stop()
        sleep(0.01)
        return len(c.kills), c._monkey.picker.walks
    kills, walks = run(main)
    assert kills == 200
    assert walks <= 1 + kills // 64       # a walk per 64 picks at most (none per kill)


def test_chaos_only_ever_kills_inside_the_chosen_subtree():
    def main():
        inner = Supervisor.child_spec([ChildSpec(id=f"in{i}", start=(Worker.start_link, i)) for i in range(5)],
                                      id="inner", max_restarts=10_000)
        outside = [ChildSpec(id=f"out{i}", start=(Worker.start_link, i)) for i in range(5)]
        top = Supervisor.start_link([inner] + outside, max_restarts=10_000)
        inner_pid = next(pid for pid, cid in subtree_children(current_runtime(), top, include_supervisors=True)
                         if cid == "inner")
        c = Chaos(inner_pid, rate=50, seed=4, show_tree=False)
        c.start()
        sleep(2.01)
        c.stop()
        sleep(0.01)
        return {cid for *_, cid in c.kills}
    killed = run(main)
    assert killed == {f"in{i}" for i in range(5)}
