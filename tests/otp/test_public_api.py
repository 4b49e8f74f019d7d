"""The OTP package exports its public names, each documented with an example."""
from __future__ import annotations

import inspect

import beamlab.runtime.otp as otp


def test_every_exported_name_exists():
    missing = [name for name in otp.__all__ if not hasattr(otp, name)]
    assert missing == []


def test_the_behaviours_and_result_values_are_exported():
    for name in ("GenServer", "Supervisor", "DynamicSupervisor", "Task", "Agent",
                 "Ok", "Reply", "NoReply", "Stop", "Ignore", "ChildSpec", "child_spec"):
        assert name in otp.__all__


def test_every_exported_class_and_function_has_a_docstring_with_an_example():
    undocumented = [name for name in otp.__all__
                    if (inspect.isclass(getattr(otp, name)) or inspect.isfunction(getattr(otp, name)))
                    and ">>>" not in (inspect.getdoc(getattr(otp, name)) or "")]
    assert undocumented == []


def test_the_result_values_compare_by_value_and_print_their_fields():
    assert otp.Reply(1, 2) == otp.Reply(1, 2) != otp.Reply(1, 3)
    assert otp.NoReply(5) != otp.Ok(5)
    assert repr(otp.Stop("normal", 3, reply="bye")) == \
        "Stop(reason='normal', state=3, reply='bye')"
