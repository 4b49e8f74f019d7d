"""The pid `spawn` returns is an ordinary Pid, as `pid(0, n, 0)` builds one (compiled, the
runtime fills its slots itself, without Pid's Python __new__)."""
from __future__ import annotations

import copy
import pickle

import pytest

import beamlab
import beamlab.runtime as runtime
from beamlab.runtime import receive, send, spawn, spawn_link, spawn_monitor


def test_a_spawned_pid_is_the_pid_its_number_names_on_this_node():
    def main():
        me = runtime.self()
        child = spawn(lambda: send(me, runtime.self()))
        linked = spawn_link(lambda: None)
        monitored, _ref = spawn_monitor(lambda: None)
        seen = receive()
        return child, linked, monitored, seen

    child, linked, monitored, seen = beamlab.run(main)
    assert seen == child
    for p in (child, linked, monitored):
        assert type(p) is runtime.Pid
        assert (p.node, repr(p)) == (0, f"<0.{p.id}.0>")
        again = runtime.pid(0, p.id, 0)
        assert p == again and hash(p) == hash(again) and not p < again
        assert runtime.Pid.parse(repr(p)) == p
        assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p) is p
        with pytest.raises(AttributeError, match="immutable"):
            p.node = 1
