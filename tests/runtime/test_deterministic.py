"""Deterministic runs (issue 13 point 4): one seed, a virtual clock, scheduling by counted work.

The scenario: a supervision tree of GenServer workers passing messages around a
ring, two spinners (pure CPU loops with no runtime call), and a chaos monkey
killing workers. Nothing here reads the wall clock: the runs' times are virtual.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import pytest

import beamlab
from beamlab.runtime import (NotInProcess, Recorder, current_runtime, dirty_call, receive, self,
                             send, sleep, spawn, spawn_link, whereis)
from beamlab.runtime.chaos import chaos_monkey
from beamlab.runtime.clock import VirtualClock
from beamlab.runtime.deterministic import DeterministicRun, event_log, fork, replay
from beamlab.runtime.otp import ChildSpec, GenServer, NoReply, Ok, Reply, Supervisor


def tell(name, msg):
    """Send to a registered worker, if it is registered now (it may be restarting)."""
    pid = whereis(name)
    if pid is not None:
        send(pid, msg)


class Relay(GenServer):
    """Counts what it is passed and hands it on to the next worker."""

    def init(self, arg):
        return Ok({"n": arg, "seen": 0})

    def handle_call(self, request, caller, state):
        state["seen"] += 1
        return Reply(state["seen"], state)

    def handle_info(self, msg, state):
        state["seen"] += 1
        hops, = msg[1:]
        if hops > 0:
            tell(f"w{(state['n'] + 1) % 4}", ("hop", hops - 1))
        return NoReply(state)


def start_relay(n):
    return Relay.start_link(n, name=f"w{n}")


def spinner():
    x = 0
    while True:         # no runtime call: only counted work can switch it out
        x += 1


def traffic():
    while True:
        for i in range(4):
            tell(f"w{i}", ("hop", 3))
        sleep(0.01)


def scenario(seconds=0.4, rate=20):
    sup = Supervisor.start_link(
        [ChildSpec(id=f"w{i}", start=(start_relay, i)) for i in range(4)],
        max_restarts=1000, max_seconds=1)
    spawn_link(spinner)
    spawn_link(spinner)
    spawn_link(traffic)
    monkey = chaos_monkey(sup, rate=rate)
    sleep(seconds)
    monkey.stop()
    return [(round(t, 9), cid) for t, _pid, cid in monkey.kills]


def recorded(seed, fn=scenario, **kw):
    rec = Recorder()
    value = beamlab.run(fn, seed=seed, record=rec, **kw)
    return value, rec.recording()


@pytest.fixture(scope="module")
def seed_42():
    return recorded(42)


def test_two_runs_with_one_seed_record_identical_logs(seed_42):
    kills, first = seed_42
    kills2, second = recorded(42)
    log = event_log(first)
    assert log == event_log(second)          # every event, its virtual time included
    assert kills == kills2 and len(kills) >= 5
    kinds = {e["kind"] for e in log}
    assert {"spawn", "send", "recv", "signal", "sup", "exit", "timer"} <= kinds
    assert any(e["kind"] == "sup" and e["event"] == "restart" for e in log)   # the monkey at work


def test_the_spinners_were_switched_out_by_counted_work(seed_42):
    _, first = seed_42
    box = []

    def main():
        kills = scenario()
        box.append(current_runtime()._det.preemptions)
        return kills
    recorded(42, main)
    assert box[0] > 20          # slices of ~4,000 reductions over 0.4 virtual seconds
    # the traffic kept flowing while the spinners spun: messages at many virtual moments
    sends = [e["t"] for e in event_log(first) if e["kind"] == "send"]
    assert len(sends) > 100 and sends[-1] > 0.3


def test_another_seed_records_a_different_log(seed_42):
    kills, first = seed_42
    kills7, other = recorded(7)
    assert event_log(other) != event_log(first)
    assert [cid for _, cid in kills7] != [cid for _, cid in kills]


def test_the_monkey_kills_at_the_same_virtual_moments(seed_42):
    kills, _ = seed_42
    times = [t for t, _ in kills]
    assert times == sorted(times) and times[0] >= 0.05     # every 1/rate = 0.05 s, virtually
    assert all(abs((b - a) - 0.05) < 0.01 for a, b in zip(times, times[1:]))


def test_a_replay_records_the_same_log(seed_42):
    _, first = seed_42
    again = replay(first)
    assert isinstance(again.run, DeterministicRun) and again.run.seed == 42
    assert event_log(again) == event_log(first)
    assert event_log(first.run.replay()) == event_log(first)


def test_a_fork_shares_the_log_up_to_its_event_then_differs(seed_42):
    _, first = seed_42
    log = event_log(first)
    at = len(log) // 2
    other = fork(first, at=at, seed=7)
    olog = event_log(other)
    assert olog[:at] == log[:at]
    assert olog[at:] != log[at:]
    assert other.run.seeds == ((0, 42), (at, 7))
    # a fork is itself a deterministic run: replaying it gives it again
    assert event_log(replay(other)) == olog


def test_a_fork_of_a_fork_keeps_the_first_switch():
    _, first = recorded(3, lambda: scenario(0.2))
    n = len(first)
    a = fork(first, at=n // 3, seed=5)
    b = fork(a, at=2 * n // 3, seed=6)
    assert b.run.seeds == ((0, 3), (n // 3, 5), (2 * n // 3, 6))
    assert event_log(b)[:2 * n // 3] == event_log(a)[:2 * n // 3]


def test_refs_are_numbered_by_the_run_whatever_was_printed_before():
    def main():
        from beamlab.runtime import make_ref
        me = self()
        send(me, ("tagged", make_ref()))
        return repr(receive()[1])
    first = beamlab.run(main, seed=1)
    repr(beamlab.make_ref()), repr(beamlab.make_ref())      # refs printed in between
    assert beamlab.run(main, seed=1) == first == "#Ref<0.0.0.1>"


def test_time_is_virtual_and_moves_with_work():
    def main():
        clock = current_runtime().clock
        t0 = clock.now()
        x = 0
        for _ in range(1000):
            x += 1
        t1 = clock.now()
        sleep(3600)
        return type(clock), t0, t1, clock.now()
    kind, t0, t1, t2 = beamlab.run(main, seed=1)
    assert kind is VirtualClock
    assert 0.001 <= t1 - t0 <= 0.003             # ~2 reductions a loop turn, 1 µs each
    assert t2 - t1 >= 3600


def test_the_seed_also_seeds_the_random_module_for_the_run():
    import random

    def main():
        return [random.random() for _ in range(3)]
    state = random.getstate()
    assert beamlab.run(main, seed=9) == beamlab.run(main, seed=9) != beamlab.run(main, seed=10)
    assert random.getstate() == state            # put back after the run


def test_a_send_from_another_thread_is_refused_with_a_clear_error():
    errors = []

    def main():
        rt = current_runtime()
        me = self()

        def other():
            try:
                rt.send(me, "from a thread")
            except NotInProcess as exc:
                errors.append(str(exc))
        t = threading.Thread(target=other)
        t.start()
        t.join()
        return receive(timeout=1, default="nothing came")
    assert beamlab.run(main, seed=1) == "nothing came"
    assert "deterministic run" in errors[0] and "other OS threads" in errors[0]


def test_a_dirty_call_runs_in_the_process_itself():
    def main():
        return dirty_call(sum, range(10)), threading.current_thread() is threading.main_thread()
    assert beamlab.run(main, seed=1) == (45, True)


def test_a_killed_spinner_unwinds_and_the_run_stays_deterministic():
    def main():
        done = []

        def spin():
            try:
                while True:
                    pass
            finally:
                done.append("finally ran")
        pid = spawn(spin)
        spawn(spinner)
        sleep(0.02)
        beamlab.exit(pid, "kill")
        sleep(0.02)             # the other spinner is still switched out by counted work
        return done
    rec = Recorder()
    assert beamlab.run(main, seed=4, record=rec) == ["finally ran"]
    assert event_log(replay(rec.recording())) == event_log(rec.recording())


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="seed"):
        beamlab.run(scenario, seed="42")
    with pytest.raises(ValueError, match="clock"):
        beamlab.run(scenario, seed=1, clock=VirtualClock())
    with pytest.raises(ValueError, match="not the recording of a deterministic run"):
        replay(Recorder().recording())
    with pytest.raises(ValueError, match="slice"):
        beamlab.run(scenario, seed=1, slice=0)


def test_a_fork_point_and_seed_are_checked_before_anything_runs(seed_42):
    _, first = seed_42
    with pytest.raises(ValueError, match="seq of an event"):
        fork(first, at=-1, seed=7)
    with pytest.raises(ValueError, match="seed"):
        fork(first, at=10, seed=None)


SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {here!r})
    import beamlab
    from beamlab.runtime.deterministic import event_log
    from test_deterministic import scenario
    rec = beamlab.Recorder()
    beamlab.run(scenario, seed=42, record=rec)
    print(json.dumps(event_log(rec), default=str))
""")


def test_the_same_seed_gives_the_same_log_in_another_python_process(seed_42):
    """Another interpreter, with another string hash seed and another memory layout."""
    _, first = seed_42
    import json
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(here=here)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == json.loads(
        json.dumps(event_log(first), default=str))


def test_replay_fork_and_the_chaos_monkey_are_public_and_in_the_notebook():
    import beamlab.runtime as runtime
    from beamlab.kernel.namespace import learner_namespace
    ns = learner_namespace()
    for name in ("chaos_monkey", "replay", "fork"):
        assert name in runtime.__all__ and ns[name] is getattr(beamlab, name), name


class Cruncher(GenServer):
    def init(self, arg):
        return Ok(0)

    def handle_call(self, n, caller, state):
        total = 0
        for i in range(n):          # a long callback: switched out like any process
            total += i
        return Reply(total, state)


def test_a_long_genserver_callback_is_switched_out_and_others_keep_their_timers():
    def main():
        from beamlab.runtime.otp import GenServer as GS
        server = Cruncher.start_link(None)
        me = self()
        ticks = []

        def ticker():
            for _ in range(5):
                sleep(0.005)
                ticks.append(round(current_runtime().clock.now(), 6))
            send(me, "ticked")
        spawn(ticker)
        answer = GS.call(server, 200_000, timeout=60)
        receive()
        return answer, ticks, current_runtime()._det.preemptions
    answer, ticks, preemptions = beamlab.run(main, seed=2)
    assert answer == sum(range(200_000))
    assert preemptions > 50            # ~400,000 reductions in slices of ~4,000
    assert len(ticks) == 5 and ticks[-1] < 0.1   # all while the callback ran (to ~0.4 s)
    assert beamlab.run(main, seed=2) == (answer, ticks, preemptions)


def test_the_log_masks_memory_addresses_which_differ_between_runs():
    def main():
        send(self(), ("a function", lambda: 0))     # previewed as <function <lambda> at 0x...>
        receive()
    first, second = Recorder(), Recorder()
    beamlab.run(main, seed=1, record=first)
    beamlab.run(main, seed=1, record=second)
    sent = [e["text"] for e in event_log(first) if e["kind"] == "send"]
    assert sent and "at 0x…" in sent[0]
    assert event_log(first) == event_log(second)


def test_a_replay_knows_its_stopped_runtime_for_a_widgets_timeline():
    rec = Recorder()
    beamlab.run(lambda: sleep(0.01), seed=1, record=rec)
    assert rec.rt._stopped and rec.rt.recorder is rec
    again = replay(rec.recording())
    assert again.runtime._stopped and again.runtime is not rec.rt
    assert again.runtime.recorder.recording().last_seq == again.last_seq


def one_line_spinner():
    while True: pass        # noqa: E701  one instruction jumping to itself: no line event ever


def test_a_one_instruction_loop_is_switched_out_too():
    def main():
        spawn(one_line_spinner)
        spawn(one_line_spinner)
        sleep(0.05)
        return current_runtime()._det.preemptions, round(current_runtime().clock.now(), 6)
    preemptions, t = beamlab.run(main, seed=3)
    assert preemptions > 5 and 0.05 <= t < 0.07
    assert beamlab.run(main, seed=3) == (preemptions, t)
