"""The public API exports what the docs promise (trio's test_exports, for beamlab.runtime)."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

import beamlab
import beamlab.runtime as runtime
from beamlab.runtime import api, telemetry

# What issue 2 ("What a user can do") and DESIGN.md promise a user can call.
PROMISED = [
    "run", "Runtime", "MockClock", "spawn", "spawn_link", "spawn_monitor", "self", "send",
    "receive", "ANY", "sleep", "send_after", "cancel_timer", "link", "unlink", "monitor",
    "demonitor", "node", "exit", "process_flag", "is_process_alive", "register", "unregister",
    "whereis", "registered", "make_ref", "process_info", "processes", "group_leader", "GroupLeader",
    "dirty_call", "telemetry", "Pid", "Ref", "Crash", "ProcessExit", "BadArg", "NoProc",
    "ReceiveTimeout", "NotInProcess", "Deadlock",
    # issue 14: the simulated cluster (runtime/nodes)
    "start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition", "heal",
    "set_latency",
]
TELEMETRY = ["attach", "attach_many", "detach", "list_handlers", "execute", "span"]


def public_callables(module):
    return [name for name in module.__all__
            if inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name))]


def test_every_name_in_dunder_all_exists():
    assert [n for n in runtime.__all__ if not hasattr(runtime, n)] == []


def test_dunder_all_has_no_duplicates():
    assert len(runtime.__all__) == len(set(runtime.__all__))


def test_no_private_name_is_exported():
    assert [n for n in runtime.__all__ if n.startswith("_")] == []


@pytest.mark.parametrize("name", PROMISED)
def test_the_runtime_exports_every_promised_name(name):
    assert name in runtime.__all__


def test_every_api_function_is_exported_from_the_runtime():
    assert [n for n in api.__all__ if n not in runtime.__all__] == []


def test_beamlab_re_exports_the_runtime_as_the_same_objects():
    assert set(runtime.__all__) <= set(beamlab.__all__)
    assert [n for n in runtime.__all__ if getattr(beamlab, n) is not getattr(runtime, n)] == []


def test_telemetry_exports_the_telemetry_functions():
    assert set(TELEMETRY) <= set(telemetry.__all__)
    assert all(callable(getattr(telemetry, n)) for n in TELEMETRY)


def test_every_exported_function_and_class_has_a_docstring():
    assert [n for n in public_callables(runtime) if not inspect.getdoc(getattr(runtime, n))] == []


def test_every_exported_function_and_class_has_a_docstring_with_an_example():
    # STYLE.md 5: "a docstring with a tiny example on every public name". Error
    # classes are exempt: raising one is the example.
    missing = [n for n in public_callables(runtime)
               if not (inspect.isclass(getattr(runtime, n))
                       and issubclass(getattr(runtime, n), BaseException))
               and ">>>" not in inspect.getdoc(getattr(runtime, n))]
    assert missing == []


def test_process_exit_is_not_caught_by_except_exception():
    assert not issubclass(runtime.ProcessExit, Exception)
    assert issubclass(runtime.ProcessExit, BaseException)


def test_receive_timeout_is_a_timeout_error_and_badarg_an_exception():
    assert issubclass(runtime.ReceiveTimeout, TimeoutError)
    assert issubclass(runtime.BadArg, Exception)
    assert issubclass(runtime.NoProc, Exception)


def test_a_pid_is_immutable_and_hashable():
    p = runtime.pid(0, 42, 0)
    with pytest.raises(AttributeError):
        p.id = 43
    assert {p: "x"}[runtime.pid(0, 42, 0)] == "x"


def test_a_pid_prints_like_erlangs_and_parses_back():
    p = runtime.pid(0, 42, 0)
    assert repr(p) == "<0.42.0>"
    assert runtime.Pid.parse("<0.42.0>") == p


def test_a_pid_of_another_node_prints_its_node_number_and_a_serial_is_refused():
    p = runtime.pid(1, 42, 0)
    assert repr(p) == "<1.42.0>"
    assert runtime.Pid.parse("<1.42.0>") == p != runtime.pid(0, 42, 0)
    with pytest.raises(ValueError, match=r"end in \.0"):
        runtime.pid(0, 42, 1)


def test_a_crash_reason_is_a_frozen_value_compared_by_exception_type_and_args():
    a = runtime.Crash(ZeroDivisionError("division by zero"), "tb one")
    b = runtime.Crash(ZeroDivisionError("division by zero"), "tb two")
    assert a == b
    assert repr(a) == "Crash(ZeroDivisionError('division by zero'))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.traceback = "changed"


def test_format_reason_reads_well_for_atoms_tuples_and_crashes():
    assert runtime.format_reason("killed") == "killed"
    assert runtime.format_reason(("shutdown", "x")) == "('shutdown', 'x')"
    assert runtime.format_reason(runtime.Crash(KeyError("k"))) == "KeyError: 'k'"


@pytest.mark.parametrize("reason, normal", [("normal", True), ("shutdown", True),
                                            (("shutdown", "bye"), True), ("killed", False),
                                            ("kill", False), (("other", 1), False)])
def test_is_normal_exit_follows_the_transient_restart_rules(reason, normal):
    assert runtime.is_normal_exit(reason) is normal


def test_the_wedge_errors_and_the_process_limit_are_public_and_in_the_notebook():
    from beamlab.kernel.namespace import learner_namespace
    ns = learner_namespace()
    for name in ("SystemLimit", "LockDeadlock", "Wedged", "system_info", "node"):
        assert name in runtime.__all__ and name in ns, name
    assert beamlab.run(lambda: runtime.system_info("process_limit"), process_limit=5000) == 5000


def test_the_cluster_functions_are_in_the_notebook():
    from beamlab.kernel.namespace import learner_namespace
    ns = learner_namespace()
    for name in ("start_node", "stop_node", "nodes", "monitor_node", "disconnect", "partition",
                 "heal", "set_latency", "cut", "connect_node",
                 "global_register_name", "global_whereis_name", "global_unregister_name",
                 "global_send", "global_registered_names", "pg_join", "pg_leave",
                 "pg_get_members", "pg_get_local_members", "pg_which_groups"):
        assert ns[name] is getattr(runtime, name), name
    from beamlab.widgets import cluster_view
    assert ns["cluster_view"] is cluster_view
