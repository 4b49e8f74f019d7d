"""The supervisor's decisions as pure functions: intensity window, restart types, strategies."""
from __future__ import annotations

import pytest

from beamlab.runtime import Crash
from beamlab.runtime.otp._rules import (add_restart, is_clean_shutdown, one_for_all, one_for_one,
                                        rest_for_one, restart_allowed, restart_wanted)


def window_after(times, period=5):
    restarts = []
    for t in times:
        restarts = add_restart(restarts, t, period)
    return restarts


def test_restarts_older_than_the_period_leave_the_window():
    assert window_after([0, 1, 2, 6.5]) == [6.5, 2]


def test_a_restart_exactly_period_seconds_old_still_counts():
    assert window_after([0, 5]) == [5, 0]


def test_three_restarts_in_the_window_are_allowed_and_the_fourth_is_not():
    assert restart_allowed(window_after([0, 0, 0]), 3)
    assert not restart_allowed(window_after([0, 0, 0, 0]), 3)


def test_restarts_spread_wider_than_the_period_never_exceed_the_intensity():
    assert restart_allowed(window_after([0, 3, 6, 9, 12, 15]), 3)


def test_intensity_zero_allows_no_restart():
    assert not restart_allowed(window_after([0]), 0)


CRASH = Crash(RuntimeError("boom"))


@pytest.mark.parametrize("reason", ["normal", "shutdown", ("shutdown", "bye"), "killed", CRASH])
def test_a_permanent_child_is_always_restarted(reason):
    assert restart_wanted("permanent", reason)


@pytest.mark.parametrize("reason", ["normal", "shutdown", ("shutdown", "bye"), "killed", CRASH])
def test_a_temporary_child_is_never_restarted(reason):
    assert not restart_wanted("temporary", reason)


@pytest.mark.parametrize("reason, wanted", [
    ("normal", False), ("shutdown", False), (("shutdown", "bye"), False),
    ("killed", True), (CRASH, True), ("boom", True), (("shutdown", 1, 2), True),
])
def test_a_transient_child_is_restarted_only_after_an_abnormal_exit(reason, wanted):
    assert restart_wanted("transient", reason) is wanted


IDS = ["a", "b", "c", "d"]


def test_one_for_one_restarts_only_the_child_that_died():
    assert one_for_one(IDS, "b") == ([], ["b"])


def test_one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order():
    assert one_for_all(IDS, "b") == (["d", "c", "a"], ["a", "b", "c", "d"])


def test_rest_for_one_stops_the_later_children_in_reverse_and_restarts_from_the_failed_one():
    assert rest_for_one(IDS, "b") == (["d", "c"], ["b", "c", "d"])


def test_a_shutdown_is_clean_when_the_child_exits_as_asked():
    assert is_clean_shutdown("shutdown", "permanent", brutal=False)
    assert is_clean_shutdown("killed", "permanent", brutal=True)
    assert is_clean_shutdown("normal", "transient", brutal=False)
    assert not is_clean_shutdown("normal", "permanent", brutal=False)
    assert not is_clean_shutdown(CRASH, "temporary", brutal=False)
