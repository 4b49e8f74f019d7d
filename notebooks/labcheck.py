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

The verdict comes first: crash reports printed while the check runs (an unsolved
exercise may crash dozens of processes) are held back and shown after the verdict,
where the notebook folds all but the first.

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
        with _held_back() as held:
            try:
                fn()
                ok, verdict = True, PASS + (f": {success}" if success else "")
            except AssertionError as err:
                ok, verdict = False, FAIL + (str(err) or "one of the checks failed; read the exercise again")
            except Exception as err:   # the learner's code raised: show it as a hint, keep going
                ok, verdict = False, f"{FAIL}your code raised {type(err).__name__}: {err}"
            print(verdict, flush=True)
        if held.text:
            import sys
            sys.stderr.write(f"(while checking: {held.text.count('=ERROR REPORT====')} crash "
                             "report(s), shown below)\n" + held.text)
        return ok
    return run if test is None else run(test)


class _Held:
    """Output of the processes a check starts: kept while it runs, passed on afterwards."""

    def __init__(self, leader):
        self.leader = leader          # where it goes once the check is over
        self.text = ""
        self.done = False

    def write(self, text):
        if self.done:
            self.leader.write(text, err=True)
        else:
            self.text += text
        return len(text)

    def flush(self):
        pass


class _held_back:
    """Give the calling process a group leader that holds its children's output back."""

    def __enter__(self):
        self.old = None
        try:
            from beamlab.runtime import GroupLeader, group_leader
            from beamlab.runtime import self as me
            self.old = group_leader()
        except Exception:                  # not in a beamlab process: nothing to hold back
            self.held = _Held(None)
            self.held.done = True
            self.held.text = ""
            return self.held
        self.held = _Held(self.old)
        self.leader = GroupLeader(self.old.stream, context=self.old.context, label="check",
                                  err_stream=self.held)
        group_leader(self.leader, me())
        return self.held

    def __exit__(self, *exc):
        if self.old is not None:
            from beamlab.runtime import group_leader
            from beamlab.runtime import self as me
            self.leader.flush_out(None)
            group_leader(self.old, me())
            self.held.done = True
        return False


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
