"""The tree widget on the real runtime and OTP Supervisor (MockClock, no browser)."""
from __future__ import annotations

import pytest

from widget_clicks import click

from beamlab.runtime import (MockClock, Runtime, exit as exit_, process_flag, receive, send, sleep,
                             spawn_link)
from beamlab.runtime.otp import ChildSpec, GenServer, Ok, Supervisor
from beamlab.widgets import SupervisionTree, tree_snapshot


class Worker(GenServer):
    def init(self, arg):
        return Ok({"n": arg})


def worker(cid, restart="permanent"):
    return ChildSpec(id=cid, start=(Worker.start_link, 0), restart=restart)


def run(main):
    return Runtime(clock=MockClock()).run(main)


def rt_():
    from beamlab.runtime import current_runtime
    return current_runtime()


def settle():
    """Let the runtime run posted actions and the supervisors' restarts."""
    sleep(0.01)


def test_the_tree_of_a_running_supervisor_shows_strategy_intensity_and_children():
    def main():
        sup = Supervisor.start_link([worker("a"), worker("b")], strategy="one_for_all",
                                    max_restarts=2, max_seconds=10, name="app")
        return tree_snapshot(rt_(), sup)
    snap = run(main)
    root = snap.nodes[0]
    assert (root.name, root.kind, root.strategy, str(root.intensity)) == ("app", "supervisor", "one_for_all", "0/2 in 10s")
    assert [n.name for n in snap.nodes[1:]] == ["a", "b"]
    assert {n.behaviour for n in snap.nodes[1:]} == {"GenServer"}


def test_a_nested_supervisor_is_drawn_under_its_parent():
    def main():
        sup = Supervisor.start_link([worker("db"), Supervisor.child_spec([worker("w1"), worker("w2")], id="pool")])
        return tree_snapshot(rt_(), sup)
    snap = run(main)
    pool = snap.by_name("pool")
    assert pool.kind == "supervisor"
    assert [snap.node(k).name for k in pool.children] == ["w1", "w2"]


def test_killing_a_worker_from_the_widget_shows_the_restart_and_uses_up_intensity():
    def main():
        sup = Supervisor.start_link([worker("a"), worker("b")])
        tree = SupervisionTree(sup, live=False)
        a = tree.snapshot.by_name("a")
        click(tree, type="inspect", key=a.key, pid=str(a.pid))
        click(tree, type="action", key=a.key, pid=str(a.pid), action="kill")
        settle()
        tree.refresh()
        return a, tree
    before, tree = run(main)
    after = tree.snapshot.by_name("a")
    assert after.pid != before.pid and after.restarts == 1 and after.recently_restarted
    assert str(tree.snapshot.nodes[0].intensity) == "1/3 in 5s"
    assert tree.inspector["alive"] is False
    assert "exited with reason 'killed' at " in tree.inspector["message"]
    assert f"restarted it as {after.pid}" in tree.inspector["message"]


def test_the_inspectors_no_longer_alive_belongs_to_its_moment_then_it_follows_the_new_pid(monkeypatch):
    import time as _time
    from beamlab.widgets import tree as tree_module

    def main():
        sup = Supervisor.start_link([worker("a")])
        tree = SupervisionTree(sup, live=False)
        a = tree.snapshot.by_name("a")
        click(tree, type="inspect", key=a.key, pid=str(a.pid))
        click(tree, type="action", key=a.key, pid=str(a.pid), action="kill")
        settle()
        tree.refresh()
        first = dict(tree.inspector)
        later = _time.time() + tree_module.FOLLOW_AFTER + 1
        monkeypatch.setattr(tree_module.time, "time", lambda: later)
        tree.refresh()
        return a, first, dict(tree.inspector), tree.snapshot.by_name("a")
    before, first, then, after = run(main)
    assert first["alive"] is False
    assert then["alive"] is True and then["pid"] == str(after.pid)
    assert then["message"].startswith(f"{before.pid} was replaced by {after.pid} at ")


@pytest.mark.parametrize("action, restarted", [("exit_self", False), ("shutdown", False), ("crash", True)])
def test_a_transient_child_is_restarted_only_after_an_abnormal_exit(action, restarted):
    def main():
        sup = Supervisor.start_link([worker("t", restart="transient")])
        tree = SupervisionTree(sup, live=False)
        t = tree.snapshot.by_name("t")
        click(tree, type="inspect", key=t.key, pid=str(t.pid))
        click(tree, type="action", key=t.key, pid=str(t.pid), action=action, reason="boom")
        settle()
        tree.refresh()
        return tree.snapshot.by_name("t")
    t = run(main)
    assert (t.status != "stopped") is restarted


def test_the_exit_normal_button_does_what_exit_pid_normal_does_and_says_why():
    def main():
        sup = Supervisor.start_link([worker("w")])
        tree = SupervisionTree(sup, live=False)
        w = tree.snapshot.by_name("w")
        click(tree, type="inspect", key=w.key, pid=str(w.pid))
        click(tree, type="action", key=w.key, pid=str(w.pid), action="normal")
        settle()
        tree.refresh()
        return w.pid, tree.snapshot.by_name("w"), tree.notice["text"]
    before, after, notice = run(main)
    assert after.pid == before and after.status != "stopped" and after.restarts == 0   # nothing happened
    assert notice.startswith(f'exit({before}, "normal") — nothing happened')
    assert "does not trap exits" in notice and "Make it exit normally" in notice


def test_the_inspector_shows_a_genserver_state_and_mailbox():
    def main():
        def echo():
            receive(lambda m: m == "never")
        pid = spawn_link(echo)
        send(pid, ("hello", 1))
        settle()
        from beamlab.widgets._inspect import describe
        return describe(rt_(), pid)
    data = run(main)
    assert data["alive"] is True
    assert data["mailbox"] == ["('hello', 1)"] and data["mailbox_len"] == 1
    assert any("echo" in frame for frame in data["stack"])


def test_a_tree_whose_root_died_says_so():
    def main():
        top = Supervisor.start_link([Supervisor.child_spec([worker("w")], id="inner")])
        inner = Supervisor.which_children(top)[0][1]
        tree = SupervisionTree(inner, live=False)
        assert tree.snapshot.nodes[0].status != "dead"
        exit_(inner, "kill")
        settle()
        tree.refresh()
        return tree
    tree = run(main)
    # its last known structure stays, greyed ("gone"), with what happened
    assert tree.snapshot.note.startswith("Supervisor <") and "exited (killed)" in tree.snapshot.note
    assert [(n.name, n.status) for n in tree.snapshot.nodes] == [("Supervisor", "gone"), ("w", "gone")]
    assert "#bdbdbd" in tree.dot


def test_an_unnamed_supervisor_is_labelled_by_its_class_not_its_callback():
    def main():
        plain = Supervisor.start_link([worker("a")])
        return tree_snapshot(rt_(), plain).nodes[0].name
    assert run(main) == "Supervisor"


def test_a_tree_following_a_name_counts_restarts_per_incarnation():
    def main():
        process_flag("trap_exit", True)
        first = Supervisor.start_link([worker("a")], name="app")
        tree = SupervisionTree("app", live=False)
        a = Supervisor.which_children(first)[0][1]
        exit_(a, "kill")
        settle()
        tree.refresh()
        before = tree.snapshot.by_name("a").restarts
        exit_(first, "shutdown")
        settle()
        tree.refresh()
        gone = (tree.snapshot.nodes[0].status, tree.snapshot.note)
        Supervisor.start_link([worker("a")], name="app")      # a new incarnation of "app"
        tree.refresh()
        return before, gone, tree.snapshot.by_name("a").restarts, tree.status_text
    before, gone, after, status = run(main)
    assert before == 1
    assert gone[0] == "gone" and "exited (shutdown)" in gone[1]
    assert after == 0 and "0 restarts seen" in status


def test_two_restarts_between_refreshes_both_count():
    def main():
        sup = Supervisor.start_link([worker("a")], max_restarts=5)
        tree = SupervisionTree(sup, live=False)
        for _ in range(2):
            exit_(Supervisor.which_children(sup)[0][1], "kill")
            settle()
        tree.refresh()
        return tree.snapshot.by_name("a")
    assert run(main).restarts == 2


def test_a_supervisor_that_gives_up_is_reported_as_an_escalation():
    def main():
        top = Supervisor.start_link([Supervisor.child_spec([worker("w")], id="inner", max_restarts=1)],
                                    max_restarts=10)
        tree = SupervisionTree(top, live=False)
        for _ in range(2):
            inner = Supervisor.which_children(top)[0][1]
            exit_(Supervisor.which_children(inner)[0][1], "kill")
            settle()
        tree.refresh()
        return tree
    tree = run(main)
    assert tree.notice["level"] == "error"
    assert tree.notice["text"].startswith("supervisor ")
    assert "escalation" in tree.notice["text"]
    assert tree.snapshot.by_name("inner").restarts == 1
