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


def test_the_result_values_are_immutable():
    import dataclasses
    import pytest
    reply = otp.Reply(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.value = 3
