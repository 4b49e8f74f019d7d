"""Self-checks for the exercises in beamlab's tutorial notebooks.

How this works: a check cell defines a small function and decorates it with
`@check`, which runs it at once. If every `assert` holds it prints
"✓ correct"; if one fails it prints "✗ not yet — " and the assert's message,
which is a hint. An exception from your code is reported the same way, so a
check never stops the notebook: fix your exercise cell and run both again.

    >>> @check
    ... def _():
    ...     assert 6 * 7 == 42, "hint: six times seven"
    ✓ correct

`eventually(predicate)` waits (as the calling process, with beamlab's
`sleep`, so other processes keep running) until `predicate()` is true —
handy when a supervisor needs a moment to restart something.
"""

from __future__ import annotations

__all__ = ["check", "eventually"]

PASS = "✓ correct"
FAIL = "✗ not yet — "


def check(test=None, *, success: str = ""):
    """Run `test()` now; print "✓ correct" (plus `success`) or "✗ not yet — <hint>"."""
    def run(fn):
        try:
            fn()
        except AssertionError as err:
            print(FAIL + (str(err) or "one of the checks failed; read the exercise again"))
            return False
        except Exception as err:   # the learner's code raised: show it as a hint, keep going
            print(f"{FAIL}your code raised {type(err).__name__}: {err}")
            return False
        print(PASS + (f": {success}" if success else ""))
        return True
    return run if test is None else run(test)


def eventually(predicate, timeout: float = 2.0, step: float = 0.02) -> bool:
    """True as soon as `predicate()` is true, False after `timeout` seconds of trying.

    Uses beamlab's `sleep`, so other processes run while it waits.
    """
    from beamlab.runtime import sleep

    try:
        from beamlab.runtime.otp import CallExit
    except ImportError:             # pragma: no cover - OTP is part of beamlab
        CallExit = Exception
    waited = 0.0
    while True:
        try:
            if predicate():
                return True
        except (Exception, CallExit):  # e.g. asking a supervisor that is restarting
            pass
        if waited >= timeout:
            return False
        sleep(step)
        waited += step
