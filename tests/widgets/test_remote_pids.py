"""Other nodes' pids in the widgets' past pictures (docs/distribution.md): a process on the
first node started prints `<1.N.0>`, not `<0.N.0>`, wherever a widget shows it from the
flight recorder: the inspector at a moment, the tree at a moment, the sequence trace's rows
at a moment, and the timeline's describe() texts (widgets/js/src/recording.js, run under
node on the moment the widget sends to the front end).

On the real runtime with a MockClock, scrubbed as the front end does."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from beamlab.runtime import (MockClock, Runtime, current_runtime, receive, self as me, send, sleep,
                             spawn, spawn_link, start_node)
from beamlab.runtime.otp import ChildSpec, Supervisor
from beamlab.widgets import SequenceTrace, SupervisionTree

RECORDING_JS = Path(__file__).resolve().parents[2] / "widgets" / "js" / "src" / "recording.js"


def run(main):
    return Runtime(clock=MockClock(autojump=True), record=True).run(main)


def seq_now() -> int:
    return current_runtime().recorder._seq


def picky():
    while True:
        receive(lambda m: m[0] == "want" or None)


def start_picky():
    return spawn_link(picky)


def remote_tree():
    """A supervisor started on b@lab with one child that keeps a message from a b process
    queued; the tree and its inspector scrubbed back to after that send."""
    start_node("b")
    box = []

    def boot():
        box.append(Supervisor.start_link([ChildSpec(id="picky", start=(start_picky,))]))
        receive()
    spawn("b@lab", boot)
    sleep(0.01)
    sup = box[0]
    p = [pid for cid, pid, _, _ in Supervisor.which_children(sup) if cid == "picky"][0]
    sender = spawn("b@lab", lambda: send(p, ("noise", 1)))
    sleep(0.01)
    at = seq_now()
    tree = SupervisionTree(sup, live=False)
    n = tree.snapshot.by_name("picky")
    tree.inspect(n.key, str(n.pid))
    tree.scrub(at)
    return sup, p, sender, tree


def test_the_inspector_and_the_tree_at_a_moment_print_a_remote_pid_with_its_node():
    def main():
        sup, p, sender, tree = remote_tree()
        return sup, p, sender, tree.inspector, tree.snapshot.by_name("picky").pid, tree.dot
    sup, p, sender, data, then_pid, dot = run(main)
    assert (sup.node, p.node, sender.node) == (1, 1, 1)
    assert str(p) == f"<1.{p.id}.0>"
    assert data["pid"] == str(p) and data["title"] == f"picky {p}"
    assert ["parent", str(sup)] in data["fields"]
    assert data["mailbox"] == [f"('noise', 1)  ← {sender}"]
    assert then_pid == p and str(then_pid) == str(p)      # the tree then: the live pid, node and all
    assert str(p) in dot and f"<0.{p.id}.0>" not in dot


def test_the_sequence_trace_at_a_moment_prints_a_remote_pid_with_its_node():
    def main():
        start_node("b")

        def pong():
            while True:
                frm, n = receive()
                send(frm, ("pong", n))
        p = spawn("b@lab", pong)
        trace = SequenceTrace(me(), p, live=False)
        send(p, (me(), 0))
        receive()
        mid = seq_now()
        send(p, (me(), 1))
        receive()
        trace.scrub(mid)
        return me(), p, trace.events
    main_pid, p, rows = run(main)
    assert p.node == 1 and main_pid.node == 0
    assert [(r["from_pid"], r["to_pid"]) for r in rows] == [(str(main_pid), f"<1.{p.id}.0>"),
                                                            (f"<1.{p.id}.0>", str(main_pid))]


def test_the_moment_says_which_node_each_pid_is_on_and_describe_prints_it():
    def main():
        sup, p, sender, tree = remote_tree()
        send_seq = next(ev[0] for ev in current_runtime().recorder.events()
                        if ev[2] == "send" and ev[3] == p.id)
        tree.scrub(send_seq)
        return p, sender, tree.moment
    p, sender, moment = run(main)
    assert moment["nodes"][str(p.id)] == 1 and moment["nodes"][str(sender.id)] == 1
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the timeline's describe() is checked under node")
    # the live timeline's text for this moment, as widgets/js/src/timeline.js makes it
    script = (f"import {{ describe, indexEvents }} from {json.dumps(RECORDING_JS.as_uri())};\n"
              "const m = JSON.parse(process.argv[1]);\n"
              "console.log(describe(m.event, indexEvents(m.events || [], m.nodes)));\n")
    out = subprocess.run([node, "--input-type=module", "-e", script, json.dumps(moment)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{sender} → {p}: ('noise', 1)"
