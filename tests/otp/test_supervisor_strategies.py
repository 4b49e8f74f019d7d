"""Strategies × restart types, and transient children × exit reasons, as OTP's supervisor."""
from __future__ import annotations

import pytest

from beamlab.runtime import ANY, exit, monitor, receive, send
from beamlab.runtime.otp import Supervisor
from otp_helpers import as_test, children_pids, spec, started_tags


def crash_b(strategy, b_restart):
    """a, b, c under `strategy`; b (of `b_restart`) is killed. Returns (restarted ids, ids left)."""
    as_test()
    sup = Supervisor.start_link([spec("a"), spec("b", b_restart), spec("c")], strategy=strategy)
    assert started_tags() == ["a", "b", "c"]
    before = children_pids(sup)
    exit(before["b"], "kill")
    after = children_pids(sup)
    restarted = sorted(cid for cid in after if after[cid] != before.get(cid))
    return restarted, sorted(after), started_tags()


@pytest.mark.parametrize("strategy, b_restart, restarted, left, start_order", [
    ("one_for_one", "permanent", ["b"], ["a", "b", "c"], ["b"]),
    ("one_for_one", "transient", ["b"], ["a", "b", "c"], ["b"]),
    ("one_for_one", "temporary", [], ["a", "c"], []),
    ("one_for_all", "permanent", ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]),
    ("one_for_all", "transient", ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]),
    ("one_for_all", "temporary", [], ["a", "c"], []),
    ("rest_for_one", "permanent", ["b", "c"], ["a", "b", "c"], ["b", "c"]),
    ("rest_for_one", "transient", ["b", "c"], ["a", "b", "c"], ["b", "c"]),
    ("rest_for_one", "temporary", [], ["a", "c"], []),
])
def test_a_crashed_child_is_handled_by_strategy_and_restart_type(
        run, strategy, b_restart, restarted, left, start_order):
    assert run(crash_b, strategy, b_restart) == (restarted, left, start_order)


def exit_transient_with(reason):
    """A transient child exits with `reason`; is it running again afterwards?"""
    as_test()
    sup = Supervisor.start_link([spec("t", "transient")])
    before = children_pids(sup)["t"]
    ref = monitor(before)
    send(before, ("exit", reason))
    receive(("DOWN", ref, ANY, ANY, ANY))
    after = children_pids(sup)["t"]
    return after is not None and after != before


@pytest.mark.parametrize("reason", ["normal", "shutdown", ("shutdown", "done")])
def test_a_transient_child_that_exits_cleanly_is_not_restarted(run, reason):
    assert run(exit_transient_with, reason) is False


@pytest.mark.parametrize("reason", ["boom", ("error", "bad_input"), ("shutdown", 1, 2)])
def test_a_transient_child_that_exits_abnormally_is_restarted(run, reason):
    assert run(exit_transient_with, reason) is True


def test_a_transient_child_that_raises_is_restarted(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("t", "transient")])
        before = children_pids(sup)["t"]
        exit(before, "kill")
        return children_pids(sup)["t"] != before
    assert run(main) is True


def test_a_transient_child_that_stopped_cleanly_keeps_its_spec_without_a_pid(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("t", "transient")])
        pid = children_pids(sup)["t"]
        ref = monitor(pid)
        send(pid, ("exit", "normal"))
        receive(("DOWN", ref, ANY, ANY, ANY))
        return Supervisor.which_children(sup)
    assert run(main) == [("t", None, "worker", ["start_worker"])]


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
def test_a_temporary_child_taken_down_by_a_sibling_is_not_restarted(run, strategy):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a"), spec("tmp", "temporary")], strategy=strategy)
        started_tags()
        exit(children_pids(sup)["a"], "kill")
        return sorted(children_pids(sup)), started_tags()
    assert run(main) == (["a"], ["a"])


def test_a_permanent_child_that_exits_normally_is_restarted(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("p")])
        pid = children_pids(sup)["p"]
        ref = monitor(pid)
        send(pid, ("exit", "normal"))
        receive(("DOWN", ref, ANY, ANY, ANY))
        return children_pids(sup)["p"] != pid
    assert run(main) is True


def test_one_for_all_stops_the_siblings_in_reverse_start_order_before_restarting(run, recorder):
    def main():
        as_test()
        recorder.attach("child_terminate")
        sup = Supervisor.start_link([spec("a"), spec("b"), spec("c"), spec("d")],
                                    strategy="one_for_all")
        exit(children_pids(sup)["b"], "kill")
        Supervisor.which_children(sup)
        return [m["child_id"] for m in recorder.of("child_terminate")]
    assert run(main) == ["d", "c", "a"]
