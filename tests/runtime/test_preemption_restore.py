"""Preemption switched off by a process comes back on, with a warning naming who did it.

Issue 10, point 6: `signal.signal(SIGALRM, SIG_IGN)`, another SIGALRM handler or
`signal.setitimer(ITIMER_REAL, 0)` in a process took the tick away for good,
and the next busy process froze every other one forever. Each case runs in a
child interpreter (real clock, signal preemption), so a regression fails on
the timeout instead of hanging the test run.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"),
                                reason="signal preemption needs SIGALRM (not on Windows)")

SCRIPT = textwrap.dedent("""
    import signal, sys
    import beamlab
    from beamlab.runtime import ANY, receive, self, send, sleep, spawn, telemetry

    def rogue(parent):
        send(parent, "started")
        %(switch_off)s
        while True:
            pass

    def main():
        events = []
        telemetry.attach("t", ("beamlab", "runtime", "preemption_restored"),
                         lambda event, m, meta, cfg: events.append(meta))
        pid = spawn(rogue, self())
        receive("started")
        for _ in range(30):        # a ticker beside the spinning rogue
            sleep(0.01)
        print("RESULT", pid, events[0]["pid"], events[0]["location"], events[0]["call"])

    beamlab.run(main, preemption="signal")
""")

SWITCH_OFF = {
    "ignored": ("signal.signal(signal.SIGALRM, signal.SIG_IGN)", "signal.signal(SIGALRM, SIG_IGN)"),
    "another handler": ("signal.signal(signal.SIGALRM, lambda signum, frame: None)",
                        "signal.signal(SIGALRM, another handler (rogue.<locals>.<lambda>))"),
    "timer stopped": ("signal.setitimer(signal.ITIMER_REAL, 0)", "signal.setitimer(ITIMER_REAL, 0)"),
}


@pytest.mark.parametrize("how", list(SWITCH_OFF))
def test_preemption_switched_off_in_a_process_is_restored_and_the_culprit_named(tmp_path, how):
    code, call = SWITCH_OFF[how]
    script = tmp_path / "rogue.py"
    script.write_text(SCRIPT % {"switch_off": code})
    try:
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=30, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    except subprocess.TimeoutExpired:
        pytest.fail(f"preemption stayed off ({how}): a spinning process froze the runtime")
    assert done.returncode == 0, done.stderr[-3000:]
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert result, done.stdout + done.stderr
    _, rogue_pid, event_pid, location, event_call = result[0].split(" ", 4)
    assert event_pid == rogue_pid                      # the telemetry event names the culprit...
    assert location.endswith("rogue.py:8")             # ...and its line
    assert event_call.endswith(call)
    # the learner sees a warning (on the rogue's group leader) saying who, where and what to do
    warning = [line for line in done.stderr.splitlines() if line.startswith("beamlab: ")]
    assert warning, done.stderr
    assert f"{rogue_pid} (__main__.rogue) switched preemption off at" in warning[0]
    assert "rogue.py:8 in rogue" in warning[0] and call in warning[0]
    assert "switched it back on" in warning[0] and "receive(timeout=...)" in warning[0]


def test_code_that_borrows_sigalrm_and_puts_it_back_is_left_alone():
    import beamlab
    from beamlab.runtime import sleep

    def main():
        old = signal.signal(signal.SIGALRM, lambda signum, frame: None)
        signal.signal(signal.SIGALRM, old)
        sleep(0.2)          # several watchdog rounds
        from beamlab.runtime import current_runtime
        return current_runtime()._preemptor.guard.restored

    assert beamlab.run(main, preemption="signal") == 0


def test_the_runtime_puts_signal_functions_back_when_it_stops():
    import beamlab
    real_signal, real_setitimer = signal.signal, signal.setitimer
    beamlab.run(lambda: None, preemption="signal")
    assert signal.signal is real_signal and signal.setitimer is real_setitimer
