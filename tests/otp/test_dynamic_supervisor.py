"""DynamicSupervisor: children on demand, max_children, restarts, concurrent shutdown."""
from __future__ import annotations

import pytest

from beamlab.runtime import ANY, exit, is_process_alive, receive
from beamlab.runtime.otp import (DynamicSupervisor, Ok, GenServer, Stop, Supervisor,
                                 SupervisorError, SupervisorFlagsError, child_spec)
from otp_helpers import Reporter, as_test, spec, started_tags


def pids(sup):
    return [pid for _, pid, _, _ in DynamicSupervisor.which_children(sup)]


def test_start_child_starts_a_child_and_returns_its_pid(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        pid = DynamicSupervisor.start_child(sup, spec("job"))
        return pids(sup) == [pid], started_tags(timeout=0.1)
    assert run(main) == (True, ["job"])


def test_children_may_share_an_id(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        for _ in range(3):
            DynamicSupervisor.start_child(sup, spec("same"))
        return DynamicSupervisor.count_children(sup)
    assert run(main) == {"specs": 3, "active": 3, "supervisors": 0, "workers": 3}


def test_max_children_refuses_one_more(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link(max_children=1)
        DynamicSupervisor.start_child(sup, spec("one"))
        with pytest.raises(SupervisorError) as info:
            DynamicSupervisor.start_child(sup, spec("two"))
        return info.value.reason, len(pids(sup))
    assert run(main) == ("max_children", 1)


class FailsToStart(GenServer):
    def init(self, arg):
        return Stop("no_database")


def test_start_child_of_a_child_that_fails_to_start_gives_the_bare_reason_as_elixir(run):
    # Elixir's DynamicSupervisor: {:error, reason}, unlike Supervisor's {error, {Reason, Spec}}
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        with pytest.raises(SupervisorError) as info:
            DynamicSupervisor.start_child(sup, (FailsToStart, None))
        return info.value.reason, pids(sup)
    assert run(main) == ("no_database", [])


def test_terminate_child_takes_the_pid_and_does_not_restart_it(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        pid = DynamicSupervisor.start_child(sup, spec("job"))
        DynamicSupervisor.terminate_child(sup, pid)
        with pytest.raises(SupervisorError) as info:
            DynamicSupervisor.terminate_child(sup, pid)
        return is_process_alive(pid), pids(sup), info.value.reason
    assert run(main) == (False, [], "not_found")


def test_a_crashed_permanent_child_is_restarted_with_the_same_spec(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        old = DynamicSupervisor.start_child(sup, spec("job"))
        started_tags(timeout=0.1)
        exit(old, "kill")
        (new,) = pids(sup)
        return new != old, started_tags(timeout=0.1)
    assert run(main) == (True, ["job"])


def test_a_crashed_temporary_child_is_forgotten(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        pid = DynamicSupervisor.start_child(sup, spec("job", "temporary"))
        exit(pid, "kill")
        return pids(sup)
    assert run(main) == []


def test_too_many_restarts_make_it_exit_shutdown(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link(max_restarts=1)
        DynamicSupervisor.start_child(sup, spec("job"))
        exit(pids(sup)[0], "kill")
        exit(pids(sup)[0], "kill")
        return receive(("EXIT", sup, ANY), timeout=1)[2]
    assert run(main) == "shutdown"


def test_extra_arguments_come_before_the_childs_own(run):
    def tagged(prefix, tag):
        from otp_helpers import start_worker
        return start_worker(f"{prefix}:{tag}")

    def main():
        as_test()
        sup = DynamicSupervisor.start_link(extra_arguments=["pool"])
        DynamicSupervisor.start_child(sup, {"id": "w", "start": (tagged, "w1")})
        return started_tags(timeout=0.1)
    assert run(main) == ["pool:w1"]


def test_children_are_shut_down_concurrently(run, clock):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        for i in range(3):
            DynamicSupervisor.start_child(sup, spec(f"s{i}", shutdown=2000, trap=True))
        started_tags(timeout=0.1)
        t0 = clock.now()
        DynamicSupervisor.stop(sup)
        return clock.now() - t0          # three stubborn children, 2 s each: 2 s, not 6
    assert run(main) == 2.0


def test_shutdown_runs_terminate_of_children_that_trap_exits(run):
    def main():
        as_test()
        sup = DynamicSupervisor.start_link()
        DynamicSupervisor.start_child(sup, child_spec((Reporter, "r1"), id="r"))
        DynamicSupervisor.start_child(sup, child_spec((Reporter, "r2"), id="r"))
        DynamicSupervisor.stop(sup)
        got = {receive(("terminated", ANY, ANY), timeout=0)[1] for _ in range(2)}
        return got
    assert run(main) == {"r1", "r2"}


def test_it_can_be_a_child_of_a_supervisor(run):
    def main():
        as_test()
        top = Supervisor.start_link([DynamicSupervisor.child_spec(id="jobs", name="jobs")])
        DynamicSupervisor.start_child("jobs", spec("j"))
        return Supervisor.which_children(top)[0][2], len(pids("jobs"))
    assert run(main) == ("supervisor", 1)


def test_a_bad_max_children_is_a_flags_error(run):
    def main():
        with pytest.raises(SupervisorFlagsError) as info:
            DynamicSupervisor.start_link(max_children=-1)
        return info.value.tag
    assert run(main) == "invalid_max_children"


def test_format_status_lists_children_and_the_intensity_window(run):
    from beamlab.runtime import current_runtime

    def main():
        as_test()
        sup = DynamicSupervisor.start_link(max_children=5)
        pid = DynamicSupervisor.start_child(sup, spec("job"))
        exit(pid, "kill")
        pids(sup)
        return current_runtime()._table[sup.id].reactor.format_status()
    status = run(main)
    assert status["behaviour"] == "DynamicSupervisor" and status["strategy"] == "one_for_one"
    assert status["max_children"] == 5 and len(status["restarts"]) == 1
    assert [c["id"] for c in status["children"]] == ["job"]


class Pool(DynamicSupervisor):
    def init(self, arg):
        return DynamicSupervisor.init(max_children=arg)


def test_a_dynamic_supervisor_class_is_started_from_its_init(run):
    def main():
        as_test()
        sup = Pool.start_link(1)
        DynamicSupervisor.start_child(sup, spec("a"))
        with pytest.raises(SupervisorError):
            DynamicSupervisor.start_child(sup, spec("b"))
    run(main)


_ = (Ok, GenServer)
