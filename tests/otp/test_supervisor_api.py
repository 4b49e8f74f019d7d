"""which_children, count_children, start/terminate/restart/delete_child, and starting failures."""
from __future__ import annotations

import pytest

from beamlab.runtime import ANY, is_process_alive, receive
from beamlab.runtime.otp import (ChildSpecError, GenServer, Ok, StartError, Stop, Supervisor,
                                 SupervisorError, child_spec)
from otp_helpers import as_test, children_pids, spec


def test_which_children_lists_the_latest_started_first_as_otp_does(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a"), spec("b")])
        return [(cid, type(pid).__name__, kind) for cid, pid, kind, _ in
                Supervisor.which_children(sup)]
    assert run(main) == [("b", "Pid", "worker"), ("a", "Pid", "worker")]


def test_count_children_counts_specs_active_workers_and_supervisors(run):
    def main():
        as_test()
        inner = Supervisor.child_spec([], id="inner")
        sup = Supervisor.start_link([spec("a"), spec("b"), inner])
        Supervisor.terminate_child(sup, "b")
        return Supervisor.count_children(sup)
    assert run(main) == {"specs": 3, "active": 2, "supervisors": 1, "workers": 2}


def test_terminate_child_stops_it_and_keeps_its_spec(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        pid = children_pids(sup)["a"]
        Supervisor.terminate_child(sup, "a")
        return is_process_alive(pid), children_pids(sup)
    assert run(main) == (False, {"a": None})


def test_a_terminated_temporary_child_is_forgotten(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("t", "temporary")])
        Supervisor.terminate_child(sup, "t")
        return Supervisor.which_children(sup)
    assert run(main) == []


def test_restart_child_starts_a_terminated_child_again(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        Supervisor.terminate_child(sup, "a")
        pid = Supervisor.restart_child(sup, "a")
        return is_process_alive(pid), children_pids(sup)["a"] == pid
    assert run(main) == (True, True)


def test_restart_child_of_a_running_child_is_an_error_saying_so(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        with pytest.raises(SupervisorError) as info:
            Supervisor.restart_child(sup, "a")
        return info.value
    err = run(main)
    assert err.reason == "running"
    assert "terminate_child(sup, id) it first" in str(err)


def test_delete_child_needs_the_child_stopped_first(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        with pytest.raises(SupervisorError) as info:
            Supervisor.delete_child(sup, "a")
        Supervisor.terminate_child(sup, "a")
        Supervisor.delete_child(sup, "a")
        return info.value.reason, Supervisor.which_children(sup)
    assert run(main) == ("running", [])


def test_an_unknown_child_id_is_not_found(run):
    def main():
        as_test()
        sup = Supervisor.start_link([])
        with pytest.raises(SupervisorError) as info:
            Supervisor.terminate_child(sup, "ghost")
        return info.value.reason
    assert run(main) == "not_found"


def test_start_child_adds_and_starts_a_child(run):
    def main():
        as_test()
        sup = Supervisor.start_link([])
        pid = Supervisor.start_child(sup, spec("new"))
        return children_pids(sup) == {"new": pid}
    assert run(main) is True


def test_start_child_with_a_running_id_is_already_started(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        with pytest.raises(SupervisorError) as info:
            Supervisor.start_child(sup, spec("a"))
        return info.value.reason, children_pids(sup)["a"]
    (tag, pid), running = run(main)
    assert tag == "already_started" and pid == running


def test_start_child_with_a_stopped_id_is_already_present(run):
    def main():
        as_test()
        sup = Supervisor.start_link([spec("a")])
        Supervisor.terminate_child(sup, "a")
        with pytest.raises(SupervisorError) as info:
            Supervisor.start_child(sup, spec("a"))
        return info.value.reason
    assert run(main) == "already_present"


def test_start_child_with_a_bad_spec_raises_in_the_caller(run):
    def main():
        as_test()
        sup = Supervisor.start_link([])
        with pytest.raises(ChildSpecError) as info:
            Supervisor.start_child(sup, spec("a", shutdown=-1))
        return info.value.tag, is_process_alive(sup)
    assert run(main) == ("invalid_shutdown", True)


class FailsToStart(GenServer):
    def init(self, arg):
        return Stop("no_database")


def test_a_child_that_fails_to_start_stops_the_ones_before_it_and_the_supervisor(run):
    def main():
        as_test()
        with pytest.raises(StartError) as info:
            Supervisor.start_link([spec("a"), (FailsToStart, None), spec("c")])
        first = receive(("started", "a", ANY), timeout=0)[2]
        return info.value.reason, is_process_alive(first), \
            receive(("started", "c", ANY), timeout=0, default=None)
    reason, first_alive, third = run(main)
    assert reason == ("shutdown", ("failed_to_start_child", "FailsToStart", "no_database"))
    assert first_alive is False and third is None


def test_start_child_of_a_child_that_fails_to_start_gives_the_reason_and_the_spec(run):
    # OTP and Elixir: {error, {Reason, ChildSpec}}; the supervisor keeps running
    def main():
        as_test()
        sup = Supervisor.start_link([])
        with pytest.raises(SupervisorError) as info:
            Supervisor.start_child(sup, (FailsToStart, None))
        return info.value, Supervisor.which_children(sup), is_process_alive(sup)
    err, children, alive = run(main)
    reason, failed_spec = err.reason
    assert reason == "no_database"
    assert failed_spec == child_spec((FailsToStart, None))
    assert "did not start: no_database" in str(err)
    assert children == [] and alive


def test_a_child_whose_start_returns_none_is_ignored(run):
    def main():
        as_test()
        sup = Supervisor.start_link([{"id": "quiet", "start": (lambda: None,)}])
        return Supervisor.which_children(sup)
    assert run(main) == [("quiet", None, "worker", ["<lambda>"])]


class App(Supervisor):
    def init(self, arg):
        return Supervisor.init([spec("a"), spec("b")], strategy="one_for_all", max_restarts=arg)


def test_a_supervisor_class_is_started_like_elixirs_use_supervisor(run):
    from beamlab.runtime import current_runtime

    def main():
        as_test()
        sup = App.start_link(7)
        status = current_runtime()._table[sup.id].reactor.format_status()
        return sorted(children_pids(sup)), status["strategy"], status["intensity"], \
            status["module"]
    assert run(main) == (["a", "b"], "one_for_all", 7, "App")


def test_a_supervisor_class_can_be_a_child_of_another(run):
    def main():
        as_test()
        top = Supervisor.start_link([(App, 3)])
        (cid, pid, kind, _), = Supervisor.which_children(top)
        return cid, kind, sorted(children_pids(pid))
    assert run(main) == ("App", "supervisor", ["a", "b"])


def test_a_supervisor_class_with_a_bad_child_spec_raises_the_spec_error(run):
    class Bad(Supervisor):
        def init(self, arg):
            return Supervisor.init([{"id": "x", "start": (print,), "type": "boss"}])

    def main():
        from beamlab.runtime import process_flag
        process_flag("trap_exit", True)
        with pytest.raises(ChildSpecError) as info:
            Bad.start_link(None)
        return info.value.tag
    assert run(main) == "invalid_child_type"


def test_a_genserver_child_can_change_its_restart_type_with_child_spec(run):
    class Job(GenServer):
        @classmethod
        def child_spec(cls, arg):
            return child_spec(super().child_spec(arg), id="job", restart="transient")

    def main():
        sup = Supervisor.start_link([(Job, 1)])
        return Supervisor.get_childspec(sup, "job").restart
    assert run(main) == "transient"


_ = Ok


def test_a_child_started_without_a_link_is_refused_with_a_clear_reason(run):
    from beamlab.runtime import spawn

    def main():
        as_test()
        sup = Supervisor.start_link([])
        with pytest.raises(SupervisorError) as info:
            Supervisor.start_child(sup, {"id": "loose", "start": (spawn, receive)})
        return info.value
    err = run(main)
    (why, *_), failed_spec = err.reason
    assert why == "not_linked" and failed_spec.id == "loose"
    assert "spawn_link / start_link" in str(err)
