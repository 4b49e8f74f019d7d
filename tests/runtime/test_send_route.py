"""A send goes where the pid's number leads in the sending runtime, however the pid was made.

Compiled, `Runtime.send` follows a pid made by `spawn` straight to its process record
(pid.py's hidden `_ROUTE`, _core.pxd's `_routed`) instead of looking its number up in
the process table; these tests pin down that it still delivers exactly where the
table would: a pid rebuilt by hand, parsed, unpickled or copied; a pid of another
runtime (a kernel's restart, a script's second `run`); a dead process's pid (its
messages are lost, and its record is freed though the pid lives on); a process killed
and still unwinding. And that the route shows nowhere a learner looks. The pure build
never fills the route: there the same tests pin down the table's behaviour.
"""
from __future__ import annotations

import copy
import gc
import pickle
import types
import weakref

import pytest

from beamlab.runtime import ANY, MockClock, Runtime, exit, receive, self, send, sleep, spawn
from beamlab.runtime.pid import Pid, pid as make_pid
from beamlab.runtime.recorder import Recorder



def _runtime(**options) -> Runtime:
    return Runtime(clock=MockClock(autojump=True), preemption="cooperative", **options)


def _run(rt: Runtime, main):
    try:
        return rt.run(main)
    finally:
        rt.stop()


def _echo(to):
    """Tell `to` of every message: (who I am, what came)."""
    while True:
        send(to, (self(), receive()))


def _idle():
    receive()


def test_a_pid_of_a_dropped_runtime_reaches_the_process_of_its_number_in_this_one():
    old = _runtime()
    old_pids = [old.spawn(_idle) for _ in range(3)]     # never run: old is dropped, not stopped
    target = old_pids[-1]

    def main():
        me = self()
        mine = [spawn(_echo, me) for _ in range(3)]
        send(target, "hello")       # the pid object old's spawn made, sent in this runtime
        who, msg = receive()
        return mine, who, msg

    mine, who, msg = _run(_runtime(), main)
    assert msg == "hello"
    assert who == target and who in mine        # this runtime's process of that number
    assert old.process_info(target)["message_queue_len"] == 0      # not old's


def test_after_a_restart_the_old_pids_reach_the_new_runtimes_processes():
    def first():
        return [spawn(_idle) for _ in range(4)]

    old_pids = _run(_runtime(), first)          # stopped: its processes were killed

    def second():
        me = self()
        mine = [spawn(_echo, me) for _ in range(4)]
        for p in old_pids:
            send(p, ("to", p))
        return mine, sorted(receive() for _ in old_pids)

    mine, got = _run(_runtime(), second)
    assert got == sorted((p, ("to", p)) for p in old_pids)
    assert all(p in mine for p, _ in got)


def test_a_pid_rebuilt_parsed_unpickled_or_copied_reaches_its_process():
    def main():
        me = self()
        p = spawn(_echo, me)
        ways = {
            "spawn's own": p,
            "pid()": make_pid(0, p.id, 0),
            "Pid.parse": Pid.parse(repr(p)),
            "unpickled": pickle.loads(pickle.dumps(p)),
            "copy": copy.copy(p),
            "deepcopy": copy.deepcopy(p),
            "in a copied message": copy.deepcopy({"p": [p]})["p"][0],
        }
        for how, q in ways.items():
            send(q, how)
        return p, [receive() for _ in ways], list(ways)

    p, got, ways = _run(_runtime(), main)
    assert got == [(p, how) for how in ways]



def test_a_dead_processs_pid_loses_its_messages_and_keeps_nothing_of_it_alive(holding):

    def main():
        p = spawn(holding(lambda: receive("stop")))
        sleep(0.01)
        send(p, "stop")
        sleep(0.01)                 # it has exited
        send(p, "anyone there?")
        return p

    rec = Recorder()
    rt = _runtime(record=rec)
    p = _run(rt, main)
    gc.collect()
    assert holding.freed() == [True], "the dead process's data is kept alive by its pid"
    assert p.id == p.id and rt.process_info(p) is None
    lost = [e for e in rec.recording().events()
            if e["kind"] == "send" and e["pid"] == p.id and e.get("lost")]
    assert [e["text"] for e in lost] == ["'anyone there?'"]


@pytest.mark.parametrize("stackless", [True, False], ids=["stackless", "greenlets"])
def test_dead_records_are_freed_while_their_pids_are_kept_in_a_running_program(stackless, holding):

    def main():
        pids = [spawn(holding(_idle)) for _ in range(5)]
        sleep(0.01)
        for p in pids:
            exit(p, "kill")
        sleep(0.01)
        gc.collect()
        return pids, holding.freed()

    pids, freed = _run(_runtime(stackless=stackless), main)
    assert len(pids) == 5 and freed == [True] * 5


def test_a_killed_process_still_unwinding_gets_no_more_messages():
    def victim(parent):
        try:
            send(parent, "waiting")
            receive()
        finally:
            send(self(), "to myself, while unwinding")      # dead already: lost

    def main():
        p = spawn(victim, self())
        receive("waiting")
        exit(p, "kill")
        sleep(0.01)
        return p

    rec = Recorder()
    p = _run(_runtime(record=rec, stackless=False), main)
    sends = [e for e in rec.recording().events()
             if e["kind"] == "send" and e["pid"] == p.id and "unwinding" in e["text"]]
    assert len(sends) == 1 and sends[0].get("lost")


def test_a_halted_processs_record_is_freed_though_its_pid_lives_on(holding):
    rt = Runtime(clock=MockClock(autojump=True))
    rt.start()
    pids = []
    # spawned, not yet run (a halted greenlet is kept, halt.py: these have none)
    rt.run_as(rt.new_process(), lambda: pids.extend(spawn(holding(_idle)) for _ in range(3)))
    rt.stop(unwind=0.0)             # dropped without running their code (halt.py)
    gc.collect()
    assert len(pids) == 3 and rt.processes() == []
    assert holding.freed() == [True, True, True]


def test_a_runtime_dropped_without_stop_leaves_no_record_alive_behind_its_pids(holding):
    rt = _runtime()
    pids = [rt.spawn(holding(_idle)) for _ in range(3)]     # alive; never run, never stopped
    runtime = weakref.ref(rt)
    del rt
    gc.collect()
    assert runtime() is None
    assert len(pids) == 3 and holding.freed() == [True, True, True]


def test_a_pid_shows_only_its_number_and_node():
    def main():
        p = spawn(_idle)
        return p, make_pid(0, p.id, 0)

    p, rebuilt = _run(_runtime(), main)
    assert p == rebuilt and hash(p) == hash(rebuilt) and repr(p) == repr(rebuilt) == f"<0.{p.id}.0>"
    assert p.__reduce__() == (Pid, (p.id, 0))
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.copy(p) is p and copy.deepcopy(p) is p
    assert [n for n in dir(p) if not n.startswith("__")] == ["id", "node", "parse"]
    assert [n for n, v in vars(Pid).items() if isinstance(v, types.MemberDescriptorType)] == ["id", "node"]
    with pytest.raises(AttributeError, match="immutable"):
        p.id = 3
    with pytest.raises(AttributeError):
        p._route            # noqa: B018
