"""The tree widget as the browser sees it: its traits, and clicks as comm messages."""
from __future__ import annotations

from widget_clicks import click
from fake_runtime import FakeRuntime

from beamlab.widgets import SupervisionTree


def tree_of(fake, **kw):
    rt, sup = fake
    return rt, SupervisionTree("app_sup", runtime=rt, live=False, **kw)


def node(tree, name):
    return tree.snapshot.by_name(name)


def test_the_widget_carries_the_tree_as_dot_and_a_node_table(fake):
    rt, tree = tree_of(fake)
    assert tree.dot.startswith("digraph supervision_tree")
    assert {v["name"] for v in tree.nodes.values()} >= {"app_sup", "w1", "w2", "w3"}
    assert tree.status_text == "7 alive · 0 restarts seen"


def test_a_refresh_after_a_restart_changes_the_traits(fake):
    rt, tree = tree_of(fake)
    revision = tree.revision
    rt.exit(node(tree, "w1").pid, "kill")
    assert tree.refresh() is True
    assert tree.revision == revision + 1
    assert tree.nodes[node(tree, "w1").key]["restarts"] == 1
    assert tree.status_text == "7 alive · 1 restart seen"


def test_a_refresh_with_nothing_new_sends_nothing(fake):
    rt, tree = tree_of(fake)
    revision = tree.revision
    assert tree.refresh() is False and tree.revision == revision


def test_clicking_a_node_opens_the_inspector_on_it(fake):
    rt, tree = tree_of(fake)
    w1 = node(tree, "w1")
    click(tree, type="inspect", key=w1.key, pid=str(w1.pid))
    assert tree.selected == w1.key
    assert tree.inspector["title"] == f"w1 {w1.pid}"
    assert tree.inspector["mailbox"] == ["('ping', 1)"]
    assert tree.inspector["state"] == "{'count': 1}"
    assert "kill" in tree.inspector["actions"]


def test_choosing_kill_kills_the_process_and_the_tree_shows_the_restart(fake):
    rt, tree = tree_of(fake)
    w2 = node(tree, "w2")
    click(tree, type="inspect", key=w2.key, pid=str(w2.pid))
    click(tree, type="action", key=w2.key, pid=str(w2.pid), action="kill")
    assert rt.exits == [(w2.pid, "kill")]
    assert tree.notice["text"].startswith(f'exit({w2.pid}, "kill")')
    tree.refresh()
    assert node(tree, "w2").restarts == 1


def test_crash_with_a_reason_sends_that_reason(fake):
    rt, tree = tree_of(fake)
    w3 = node(tree, "w3")
    click(tree, type="inspect", key=w3.key, pid=str(w3.pid))
    click(tree, type="action", key=w3.key, pid=str(w3.pid), action="crash", reason="disk full")
    assert rt.exits == [(w3.pid, "disk full")]


def test_the_inspector_of_a_killed_process_says_it_was_restarted_and_as_whom(fake):
    rt, tree = tree_of(fake)
    w2 = node(tree, "w2")
    click(tree, type="inspect", key=w2.key, pid=str(w2.pid))
    click(tree, type="action", key=w2.key, pid=str(w2.pid), action="kill")
    tree.refresh()
    new = node(tree, "w2").pid
    assert tree.inspector["alive"] is False
    assert tree.inspector["message"].startswith(f"{w2.pid} is no longer alive")
    assert f"restarted it as {new}" in tree.inspector["message"]


def test_clicking_a_node_that_has_just_died_gets_a_clear_message(fake):
    rt, tree = tree_of(fake)
    w1 = node(tree, "w1")          # drawn with this pid...
    rt.exit(w1.pid, "kill")        # ...which dies before the click arrives
    click(tree, type="inspect", key=w1.key, pid=str(w1.pid))
    assert tree.inspector["alive"] is False
    assert "no longer alive" in tree.inspector["message"]
    click(tree, type="action", key=w1.key, pid=str(w1.pid), action="kill")
    assert tree.notice["level"] == "warning" and "no longer alive" in tree.notice["text"]


def test_an_action_before_any_selection_asks_to_select_first(fake):
    rt, tree = tree_of(fake)
    click(tree, type="action", action="kill")
    assert tree.notice["text"] == "select a process first (click its node)"


def test_clicking_a_folded_group_shows_more_children():
    rt = FakeRuntime()
    rt.supervisor([(f"w{i}", rt.worker(), "worker") for i in range(200)], name="big")
    tree = SupervisionTree("big", runtime=rt, live=False, max_children=40)
    group = next(n for n in tree.snapshot.nodes if n.kind == "group")
    click(tree, type="expand", key=group.key)
    group = next(n for n in tree.snapshot.nodes if n.kind == "group")
    assert group.hidden == 200 - 45


def test_a_saved_notebook_keeps_a_static_picture_beside_the_live_widget(fake):
    rt, tree = tree_of(fake)
    data, _meta = tree._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "app_sup" in data["text/html"]


def test_a_live_tree_refreshes_from_its_ticker_only_while_a_view_shows_it(fake):
    rt, sup = fake
    tree = SupervisionTree("app_sup", runtime=rt, live=True, interval=0.05)
    sent = []
    tree.send = lambda content, buffers=None: sent.append(content)
    try:
        revision = tree.revision
        rt.exit(node(tree, "w1").pid, "kill")
        tree._ticker.run_due(now=1e12)      # what the ticker thread posts into the runtime
        assert tree.revision == revision and node(tree, "w1").restarts == 0   # nobody watches: no work
        click(tree, type="view", id="v1", visible=True)                        # a view renders
        assert node(tree, "w1").restarts == 1 and tree.revision == revision + 1
        rt.exit(node(tree, "w2").pid, "kill")
        tree._ticker.run_due(now=2e12)
        assert node(tree, "w2").restarts == 1
        click(tree, type="view", id="v1", visible=False)                       # and goes away
        rt.exit(node(tree, "w3").pid, "kill")
        tree._ticker.run_due(now=3e12)
        assert node(tree, "w3").restarts == 0
        assert sent == []
    finally:
        tree.close()
