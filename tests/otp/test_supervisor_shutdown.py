"""Children start in order and stop in reverse; shutdown is brutal_kill, ms (then kill) or infinity."""
from __future__ import annotations

from beamlab.runtime import ANY, receive, sleep
from beamlab.runtime.otp import GenServer, Ok, Supervisor, child_spec
from otp_helpers import Reporter, as_test, report, spec, started_tags


def reporter(tag, **fields):
    return child_spec((Reporter, tag), id=tag, **fields)


def terminated(timeout=0):
    out = []
    while (m := receive(("terminated", ANY, ANY), timeout=timeout, default=None)) is not None:
        out.append(m[1:])
    return out


def test_children_start_in_the_order_given(run):
    def main():
        as_test()
        Supervisor.start_link([spec("a"), spec("b"), spec("c")])
        return started_tags(timeout=0.1)
    assert run(main) == ["a", "b", "c"]


def test_children_stop_in_reverse_start_order(run):
    def main():
        as_test()
        sup = Supervisor.start_link([reporter("a"), reporter("b"), reporter("c")])
        Supervisor.stop(sup)
        return [tag for tag, _ in terminated()]
    assert run(main) == ["c", "b", "a"]


def test_a_child_added_later_is_stopped_first(run):
    def main():
        as_test()
        sup = Supervisor.start_link([reporter("a")])
        Supervisor.start_child(sup, reporter("late"))
        Supervisor.stop(sup)
        return [tag for tag, _ in terminated()]
    assert run(main) == ["late", "a"]


def test_a_child_stopped_with_a_shutdown_timeout_gets_reason_shutdown(run, recorder):
    def main():
        as_test()
        recorder.attach("child_terminate")
        sup = Supervisor.start_link([reporter("a", shutdown=1000)])
        Supervisor.stop(sup)
        return terminated(), recorder.of("child_terminate")[0]["reason"]
    assert run(main) == ([("a", "shutdown")], "shutdown")


def test_brutal_kill_kills_at_once_without_running_terminate(run, recorder):
    def main():
        as_test()
        recorder.attach("child_terminate")
        sup = Supervisor.start_link([reporter("a", shutdown="brutal_kill")])
        Supervisor.stop(sup)
        return terminated(), recorder.of("child_terminate")[0]["reason"]
    assert run(main) == ([], "killed")


def test_a_child_that_ignores_shutdown_is_killed_when_its_time_is_up(run, clock, recorder):
    def main():
        as_test()
        recorder.attach("child_terminate")
        sup = Supervisor.start_link([spec("stubborn", shutdown=2000, trap=True)])
        started_tags(timeout=0.1)
        t0 = clock.now()
        Supervisor.stop(sup)
        ignored = receive(("ignored_shutdown", "stubborn", ANY), timeout=0)
        return clock.now() - t0, ignored[2], recorder.of("child_terminate")[0]["reason"]
    elapsed, ignored_reason, final_reason = run(main)
    assert elapsed == 2.0
    assert ignored_reason == "shutdown"
    assert final_reason == "killed"


class SlowToStop(GenServer):
    """Traps exits and takes 30 s in terminate."""

    def init(self, tag):
        from beamlab.runtime import process_flag
        process_flag("trap_exit", True)
        return Ok(tag)

    def terminate(self, reason, tag):
        sleep(30)
        report("terminated", tag, reason)


def test_shutdown_infinity_waits_as_long_as_the_child_needs(run, clock):
    def main():
        as_test()
        sup = Supervisor.start_link([child_spec((SlowToStop, "s"), shutdown="infinity")])
        t0 = clock.now()
        Supervisor.stop(sup)
        return clock.now() - t0, terminated()
    assert run(main) == (30.0, [("s", "shutdown")])


def test_the_default_5000_ms_cuts_a_slow_terminate_short(run, clock):
    def main():
        as_test()
        sup = Supervisor.start_link([(SlowToStop, "s")])
        t0 = clock.now()
        Supervisor.stop(sup)
        return clock.now() - t0, terminated()
    assert run(main) == (5.0, [])


def test_a_nested_supervisor_waits_for_its_own_children_to_stop(run):
    def main():
        as_test()
        inner = Supervisor.child_spec([reporter("leaf1"), reporter("leaf2")], id="inner")
        sup = Supervisor.start_link([reporter("first"), inner, reporter("last")])
        Supervisor.stop(sup)
        return [tag for tag, _ in terminated()]
    assert run(main) == ["last", "leaf2", "leaf1", "first"]


def test_the_supervisor_emits_a_shutdown_event_with_its_reason(run, recorder):
    def main():
        as_test()
        recorder.attach("shutdown")
        sup = Supervisor.start_link([spec("a")], name="app")
        Supervisor.stop(sup, ("shutdown", "maintenance"))
        return recorder.of("shutdown")
    (event,) = run(main)
    assert event["name"] == "app" and event["reason"] == ("shutdown", "maintenance")
