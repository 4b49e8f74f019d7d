"""Child specs and supervisor flags are validated up front, each mistake a tagged, clear error."""
from __future__ import annotations

import pytest

from beamlab.runtime import processes
from beamlab.runtime.otp import (ChildSpec, ChildSpecError, GenServer, Supervisor,
                                 SupervisorFlagsError, child_spec)
from beamlab.runtime.otp._childspec import check_child_specs, check_flags
from otp_helpers import start_worker


class Counter(GenServer):
    pass


def ok_spec(**changes):
    return {"id": "w", "start": (start_worker, "w"), **changes}


def error_of(spec) -> ChildSpecError:
    with pytest.raises(ChildSpecError) as info:
        child_spec(spec)
    return info.value


def test_a_missing_id_is_missing_id():
    err = error_of({"start": (start_worker, "w")})
    assert err.tag == "missing_id"
    assert "give every child an 'id'" in str(err)


def test_an_unhashable_id_is_invalid_id():
    err = error_of(ok_spec(id=["a"]))
    assert err.tag == "invalid_id" and err.value == ["a"]


def test_a_missing_start_is_missing_start():
    err = error_of({"id": "w"})
    assert err.tag == "missing_start" and err.child_id == "w"


def test_a_start_that_is_not_a_function_and_args_is_invalid_start():
    err = error_of(ok_spec(start=("not callable", 1)))
    assert err.tag == "invalid_start"
    assert "(function, *args)" in str(err)


def test_an_unknown_restart_type_is_invalid_restart_type():
    err = error_of(ok_spec(restart="always"))
    assert err.reason == ("invalid_restart_type", "always")
    assert "'permanent'" in str(err) and "child 'w'" in str(err)


@pytest.mark.parametrize("bad", [-1, 1.5, "forever", True, "5000"])
def test_a_shutdown_that_is_not_ms_brutal_kill_or_infinity_is_invalid_shutdown(bad):
    err = error_of(ok_spec(shutdown=bad))
    assert err.tag == "invalid_shutdown" and err.value == bad
    assert "milliseconds" in str(err)


def test_an_unknown_child_type_is_invalid_child_type():
    err = error_of(ok_spec(type="manager"))
    assert err.reason == ("invalid_child_type", "manager")


def test_a_misspelt_key_is_an_unknown_key_with_a_suggestion():
    err = error_of(ok_spec(restrat="transient"))
    assert err.tag == "unknown_key"
    assert "did you mean 'restart'?" in str(err)


def test_something_that_is_no_child_form_at_all_is_invalid_child_spec():
    assert error_of(42).tag == "invalid_child_spec"


def test_two_children_with_one_id_are_a_duplicate_child_id():
    with pytest.raises(ChildSpecError) as info:
        check_child_specs([ok_spec(), ok_spec()])
    assert info.value.reason == ("duplicate_child_id", "w")


def test_a_worker_gets_5000_ms_and_a_supervisor_infinity_by_default():
    assert child_spec(ok_spec()).shutdown == 5000
    assert child_spec(ok_spec(type="supervisor")).shutdown == "infinity"


def test_a_genserver_class_is_a_child_with_its_name_as_id():
    spec = child_spec(Counter)
    assert spec.id == "Counter" and spec.restart == "permanent" and spec.start[1:] == (None,)


def test_a_class_and_argument_pair_is_elixirs_module_and_arg_child():
    spec = child_spec((Counter, 7))
    assert spec.start[0].__self__ is Counter and spec.start[1:] == (7,)


def test_a_dict_start_may_name_a_genserver_class_directly():
    spec = child_spec({"id": "c", "start": (Counter, 3)})
    assert spec.start[0].__self__ is Counter and spec.start[1:] == (3,)


def test_overrides_replace_fields_and_are_validated_too():
    assert child_spec((Counter, 0), id="c2", restart="transient").restart == "transient"
    with pytest.raises(ChildSpecError):
        child_spec((Counter, 0), shutdown=-5)


def test_a_childspec_dataclass_is_accepted_as_is():
    spec = ChildSpec(id="x", start=(start_worker, "x"), restart="temporary")
    assert child_spec(spec) == spec


@pytest.mark.parametrize("flags, tag", [
    (("one_for_none", 3, 5), "invalid_strategy"),
    (("one_for_one", -1, 5), "invalid_intensity"),
    (("one_for_one", 2.5, 5), "invalid_intensity"),
    (("one_for_one", 3, 0), "invalid_period"),
    (("one_for_one", 3, "5"), "invalid_period"),
])
def test_bad_supervisor_flags_have_their_own_tags(flags, tag):
    with pytest.raises(SupervisorFlagsError) as info:
        check_flags(*flags)
    assert info.value.tag == tag


def test_a_bad_spec_stops_start_link_before_any_child_starts(run):
    def main():
        before = set(processes())
        with pytest.raises(ChildSpecError) as info:
            Supervisor.start_link([ok_spec(id="a"), ok_spec(id="b", shutdown=-1)])
        return info.value.child_id, set(processes()) - before
    child_id, new_processes = run(main)
    assert child_id == "b"
    assert new_processes == set()


def test_a_bad_strategy_is_raised_by_start_link(run):
    def main():
        with pytest.raises(SupervisorFlagsError, match="invalid_strategy"):
            Supervisor.start_link([], strategy="all_for_one")
    run(main)
