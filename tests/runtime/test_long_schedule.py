"""Native code is a NIF: a long C call is reported as a long_schedule telemetry event.

The signal tick cannot interrupt `sum(range(...))`, so these use the real clock
and signal preemption; they assert on the event (who and where), never on how
long anything took.
"""
from __future__ import annotations

import time

import pytest

import beamlab
from beamlab.runtime import ANY, dirty_call, receive, spawn_monitor, telemetry

pytestmark = pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"),
                                reason="long_schedule detection needs SIGALRM (not on Windows)")

LONG_SCHEDULE = ("beamlab", "process", "long_schedule")


def long_c_call():
    return sum(range(3 * 10**7))


def run_and_collect(main):
    events = []

    def wrapped():
        telemetry.attach("collect", LONG_SCHEDULE, lambda e, m, md, c: events.append((m, md)))
        return main()

    result = beamlab.run(wrapped, preemption="signal")
    return result, events


def test_a_long_c_call_emits_a_long_schedule_event_naming_the_process_and_where_it_was():
    def main():
        pid, ref = spawn_monitor(long_c_call)
        receive(("DOWN", ref, "process", pid, ANY), timeout=30)
        return pid

    pid, events = run_and_collect(main)
    assert events, "no long_schedule event"
    measurements, metadata = events[0]
    assert metadata["pid"] == pid
    filename, line, function = metadata["location"]
    assert (filename, function) == (__file__, "long_c_call")
    assert line == long_c_call.__code__.co_firstlineno + 1
    assert measurements["ms"] > 0


def test_blocking_work_in_a_dirty_call_emits_no_long_schedule_event():
    # time.sleep releases the GIL, so the scheduler keeps running while the thread blocks.
    # (Work that holds the GIL, like sum(range(...)), stalls every thread, dirty or not.)
    def main():
        pid, ref = spawn_monitor(dirty_call, time.sleep, 0.3)
        receive(("DOWN", ref, "process", pid, ANY), timeout=30)
        return pid

    pid, events = run_and_collect(main)
    assert [md for _, md in events if md["pid"] == pid] == []
