"""The culprit is named even when the watch fires the moment its call went through.

A flaky kernel test's cause (tests/kernel/test_wedges.py, "ignored", about once in 40 runs
under load): `signal.signal(SIGALRM, SIG_IGN)` in a process went through, and the CPU-time
watch (SIGVTALRM) fired before the wrapper had noted who called it. The warning then said
"by code that did not go through signal.signal" instead of naming the process and its line.
Here the watch is made to fire at exactly that moment, in a child interpreter.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGVTALRM") or not hasattr(signal, "setitimer"),
                                reason="needs SIGALRM and the CPU-time watch (SIGVTALRM)")

SCRIPT = textwrap.dedent("""
    import signal
    import beamlab
    import beamlab.runtime.wedges as wedges
    from beamlab.runtime import receive, self, send, sleep, spawn

    real_signal, real_setitimer = wedges._real_signal, wedges._real_setitimer

    def signal_then_watch(signum, handler):
        old = real_signal(signum, handler)
        if signum == signal.SIGALRM and handler is signal.SIG_IGN:
            signal.raise_signal(signal.SIGVTALRM)     # the watch, the moment the call went through
        return old

    def setitimer_then_watch(which, seconds, interval=0.0):
        old = real_setitimer(which, seconds, interval)
        if which == signal.ITIMER_REAL and seconds == 0:
            signal.raise_signal(signal.SIGVTALRM)
        return old

    wedges._real_signal, wedges._real_setitimer = signal_then_watch, setitimer_then_watch

    def rogue(parent):
        send(parent, "started")
        %(switch_off)s
        while True:
            pass

    def main():
        pid = spawn(rogue, self())
        receive("started")
        for _ in range(20):
            sleep(0.01)
        print("ROGUE", pid)

    beamlab.run(main, preemption="signal")
""")


@pytest.mark.parametrize("code, call", [
    ("signal.signal(signal.SIGALRM, signal.SIG_IGN)", "signal.signal(SIGALRM, SIG_IGN)"),
    ("signal.setitimer(signal.ITIMER_REAL, 0)", "signal.setitimer(ITIMER_REAL, 0)"),
])
def test_the_warning_names_the_process_when_the_watch_fires_right_after_its_call(tmp_path, code, call):
    script = tmp_path / "rogue.py"
    script.write_text(SCRIPT % {"switch_off": code})
    try:
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=30, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    except subprocess.TimeoutExpired:
        pytest.fail("preemption stayed off: a spinning process froze the runtime")
    assert done.returncode == 0, done.stderr[-3000:]
    rogue = done.stdout.split("ROGUE ", 1)[1].split()[0]
    warning = [line for line in done.stderr.splitlines() if line.startswith("beamlab: ")]
    assert warning, done.stderr
    assert f"{rogue} (__main__.rogue) switched preemption off at" in warning[0], warning[0]
    assert "rogue.py:25 in rogue" in warning[0] and call in warning[0]
