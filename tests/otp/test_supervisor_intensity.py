"""Restart intensity: a sliding window of restarts; beyond it the supervisor gives up and escalates."""
from __future__ import annotations

from beamlab.runtime import (ANY, exit, is_process_alive, receive, register, self, sleep,
                             spawn_link, whereis)
from beamlab.runtime.otp import Supervisor
from otp_helpers import as_test, children_pids, report, spec


def kill_child(sup, cid="w"):
    exit(children_pids(sup)[cid], "kill")


def test_three_restarts_within_five_seconds_are_tolerated_by_default(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("w")])
        for _ in range(3):
            kill_child(sup)
        return is_process_alive(sup), receive(("EXIT", sup, ANY), timeout=0, default=None)
    assert run(main) == (True, None)


def test_the_fourth_restart_within_the_period_makes_the_supervisor_exit_shutdown(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("w"), spec("other")])
        others = children_pids(sup)["other"]
        for _ in range(3):
            kill_child(sup)
        exit(children_pids(sup)["w"], "kill")
        _, _, reason = receive(("EXIT", sup, ANY), timeout=1)
        return reason, is_process_alive(others)
    assert run(main) == ("shutdown", False)


def test_restarts_spread_wider_than_the_window_never_exhaust_the_intensity(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("w")], max_restarts=2, max_seconds=5)
        for _ in range(10):
            kill_child(sup)
            sleep(3)                      # mock clock: 3 s between crashes
        return is_process_alive(sup)
    assert run(main) is True


def test_crashes_that_come_back_inside_the_window_count_again(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("w")], max_restarts=2, max_seconds=5)
        kill_child(sup)
        sleep(6)                          # the first restart leaves the window
        kill_child(sup)
        kill_child(sup)
        alive_after_two_in_window = is_process_alive(sup)
        kill_child(sup)                   # a third inside 5 s: beyond max_restarts=2
        return alive_after_two_in_window, receive(("EXIT", sup, ANY), timeout=1)[2]
    assert run(main) == (True, "shutdown")


def test_max_restarts_zero_gives_up_at_the_first_crash(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("w")], max_restarts=0)
        kill_child(sup)
        return receive(("EXIT", sup, ANY), timeout=1)[2]
    assert run(main) == "shutdown"


def test_the_escalate_event_names_the_child_and_the_window(run, recorder):
    def main():
        as_test()
        recorder.attach("escalate", "restart")
        sup = Supervisor.start_link([spec("w")], max_restarts=1, max_seconds=10, name="s")
        kill_child(sup)
        kill_child(sup)
        receive(("EXIT", sup, ANY), timeout=1)
        return sup, recorder.of("restart"), recorder.of("escalate")
    sup, restarts, escalations = run(main)
    assert [(m["child_id"], m["restarts_in_window"]) for m in restarts] == [("w", 1)]
    assert restarts[0]["old_pid"] != restarts[0]["new_pid"]
    assert restarts[0]["reason"] == "killed"
    (esc,) = escalations
    assert esc["supervisor"] == sup and esc["name"] == "s" and esc["child_id"] == "w"
    assert (esc["restarts_in_window"], esc["max_restarts"], esc["max_seconds"]) == (2, 1, 10)


def test_format_status_shows_the_restarts_in_the_window_for_the_widgets(run):
    from beamlab.runtime import current_runtime

    def main():
        as_test()
        sup = Supervisor.start_link([spec("w", shutdown="brutal_kill")], max_restarts=3,
                                    max_seconds=5)
        kill_child(sup)
        sleep(1)
        kill_child(sup)
        children_pids(sup)                # a call: the supervisor has handled the EXIT
        in_window = current_runtime()._table[sup.id].reactor.format_status()
        sleep(4.5)                        # the first restart (t=0) has left the window
        later = current_runtime()._table[sup.id].reactor.format_status()
        return in_window, later
    status, later = run(main)
    assert status["behaviour"] == "Supervisor" and status["strategy"] == "one_for_one"
    assert (status["intensity"], status["period"]) == (3, 5)
    assert status["restarts"] == [1.0, 0.0]
    (child,) = status["children"]
    assert child["id"] == "w" and child["restart"] == "permanent"
    assert child["shutdown"] == "brutal_kill" and child["type"] == "worker"
    assert later["restarts"] == [1.0]


# ---------------------------------------------------------------- a child that cannot restart

def start_unless_broken(tag):
    if whereis("broken") is not None:
        raise RuntimeError(f"{tag} cannot start: the database is down")
    return spawn_link(lambda: receive())


def break_the_database():
    register("broken", self())
    receive()


def test_a_child_that_fails_to_restart_is_retried_until_the_intensity_gives_up(run, recorder):
    def main():
        as_test()
        recorder.attach("restart", "escalate")
        sup = Supervisor.start_link([{"id": "db", "start": (start_unless_broken, "db")}])
        spawn_link(break_the_database)
        sleep(0.1)
        kill_child(sup, "db")
        reason = receive(("EXIT", sup, ANY), timeout=1)[2]
        return reason, recorder.of("restart"), recorder.of("escalate")
    reason, restarts, escalations = run(main)
    assert reason == "shutdown"
    assert [m["new_pid"] for m in restarts] == [None, None, None]
    assert all(m["error"].kind == "RuntimeError" for m in restarts)
    assert escalations[0]["restarts_in_window"] == 4


# ---------------------------------------------------------------- escalation up a tree

def crash_soon(tag):
    """A leaf that crashes 0.1 s after it starts, every time."""
    def body():
        report("leaf_started", tag)
        sleep(0.1)
        raise RuntimeError(f"{tag} keeps crashing")
    return spawn_link(body)


def test_a_crashing_leaf_escalates_level_by_level_up_a_three_level_tree(run, recorder):
    def main():
        as_test()
        recorder.attach("restart", "escalate", "shutdown")
        leaf = {"id": "leaf", "start": (crash_soon, "leaf")}
        mid = Supervisor.child_spec([leaf], id="mid", name="mid", max_restarts=1)
        top = Supervisor.start_link([mid], max_restarts=1, name="top")
        reason = receive(("EXIT", top, ANY), timeout=60)[2]
        return reason, [(ev, meta["name"], meta.get("child_id")) for ev, meta in recorder.events]
    reason, trace = run(main)
    assert reason == "shutdown"
    assert trace == [
        ("restart", "mid", "leaf"),       # mid: 1 restart of 1 allowed
        ("escalate", "mid", "leaf"),      # the leaf crashes again: mid gives up...
        ("shutdown", "mid", None),
        ("restart", "top", "mid"),        # ...top restarts mid (1 of 1), which restarts the leaf
        ("restart", "mid", "leaf"),
        ("escalate", "mid", "leaf"),
        ("shutdown", "mid", None),
        ("escalate", "top", "mid"),       # mid fails again: top gives up too
        ("shutdown", "top", None),
    ]
