"""An interrupt noticed only as `run_as` puts the old SIGINT handler back still raises.

CPython's C-level handler only notes a signal; the Python handler runs at the main
thread's next check. `signal.signal()` makes that check first: a SIGINT noted but not yet
handled (its C-level half ran on another thread, say) has its handler run inside the
`signal.signal()` that `interrupts_to` uses to put the old handler back. The cell's code
has returned by then, so the handler can only mark the interrupt pending: it must still
be raised by `run_as`, not dropped. Here `signal.signal` does that check with a SIGINT
noted, for certain.
"""
from __future__ import annotations

import signal
import threading

import pytest

from beamlab.runtime import Runtime

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="signal handlers are the main thread's")


def test_a_sigint_handled_as_the_old_handler_goes_back_raises_keyboard_interrupt(monkeypatch):
    rt = Runtime()
    rt.start()
    shell = rt.new_process(label="shell")
    real_signal = signal.signal
    installed = []

    def signal_with_a_sigint_noted(signum, handler):
        if signum == signal.SIGINT:
            if installed and handler is not installed[-1]:
                installed.pop()(signum, None)    # CPython runs the noted signal's handler first
            else:
                installed.append(handler)
        return real_signal(signum, handler)

    monkeypatch.setattr(signal, "signal", signal_with_a_sigint_noted)
    try:
        with pytest.raises(KeyboardInterrupt):
            rt.run_as(shell, lambda: "the interrupt was lost")
        assert not installed
    finally:
        monkeypatch.undo()
        rt.stop()
