"""The tree snapshot: what the widget draws, read from a (fake) runtime's process table."""
from __future__ import annotations

from fake_runtime import FakeRuntime, demo

from beamlab.widgets import Intensity, RestartHistory, tree_snapshot


def names(snap, kind=None):
    return [n.name for n in snap.nodes if kind is None or n.kind == kind]


def test_a_supervisor_and_its_children_become_nodes_with_their_kinds(fake):
    rt, sup = fake
    snap = tree_snapshot(rt, sup)
    assert names(snap, "supervisor") == ["app_sup", "workers"]
    assert names(snap, "worker") == ["db", "cache", "w1", "w2", "w3"]
    root = snap.node(snap.root)
    assert [snap.node(k).name for k in root.children] == ["db", "cache", "workers"]


def test_the_root_can_be_given_by_its_registered_name(fake):
    rt, sup = fake
    assert tree_snapshot(rt, "app_sup").nodes[0].pid == sup


def test_a_restarted_child_keeps_its_key_and_counts_one_restart(fake):
    rt, sup = fake
    history = RestartHistory()
    before = tree_snapshot(rt, sup, history=history).by_name("w2")
    rt.exit(before.pid, "kill")
    after = tree_snapshot(rt, sup, history=history).by_name("w2")
    assert after.key == before.key
    assert after.pid != before.pid
    assert (after.restarts, after.recently_restarted) == (1, True)


def test_a_restart_stays_highlighted_only_for_a_few_seconds(fake):
    rt, sup = fake
    history = RestartHistory(recent=3.0)
    rt.exit(tree_snapshot(rt, sup, history=history).by_name("w1").pid, "kill")
    assert tree_snapshot(rt, sup, history=history).by_name("w1").recently_restarted
    rt.clock.advance(3.5)
    node = tree_snapshot(rt, sup, history=history).by_name("w1")
    assert (node.restarts, node.recently_restarted) == (1, False)


def test_a_supervisor_shows_restarts_used_of_allowed_in_its_period(fake):
    rt, sup = fake
    history = RestartHistory()
    for name in ("w1", "w2"):
        rt.exit(tree_snapshot(rt, sup, history=history).by_name(name).pid, "kill")
    workers = tree_snapshot(rt, sup, history=history).by_name("workers")
    assert workers.intensity == Intensity(used=2, allowed=3, period=5)
    assert str(workers.intensity) == "2/3 in 5s"


def test_restarts_older_than_the_period_no_longer_count(fake):
    rt, sup = fake
    rt.exit(tree_snapshot(rt, sup).by_name("w1").pid, "kill")
    rt.clock.advance(6)
    assert tree_snapshot(rt, sup).by_name("workers").intensity.used == 0


def test_a_link_to_a_process_outside_the_tree_is_a_dotted_edge_to_a_grey_node(fake):
    rt, sup = fake
    snap = tree_snapshot(rt, sup)
    w1 = snap.by_name("w1")
    [other] = [snap.node(k) for k in w1.links]
    assert other.kind == "process" and other.parent is None


def test_supervision_edges_are_not_repeated_as_links(fake):
    rt, sup = fake
    snap = tree_snapshot(rt, sup)
    assert all(not n.links for n in snap.nodes if n.name != "w1")


def test_a_supervisor_with_a_thousand_children_folds_most_into_one_group():
    rt = FakeRuntime()
    kids = [(f"w{i}", rt.worker(), "worker") for i in range(1000)]
    sup = rt.supervisor(kids)
    snap = tree_snapshot(rt, sup, max_children=40)
    [group] = [n for n in snap.nodes if n.kind == "group"]
    shown = len(names(snap, "worker"))
    assert shown == 20 and group.hidden == 980
    assert group.summary == "980 alive"


def test_a_restarted_child_inside_a_folded_group_is_shown():
    rt = FakeRuntime()
    kids = [(f"w{i}", rt.worker(), "worker") for i in range(1000)]
    sup = rt.supervisor(kids)
    history = RestartHistory()
    tree_snapshot(rt, sup, history=history)
    rt.exit(kids[500][1], "kill")
    snap = tree_snapshot(rt, sup, history=history)
    assert snap.by_name("w500").restarts == 1
    assert [n for n in snap.nodes if n.kind == "group"][0].hidden == 979


def test_a_root_that_is_not_alive_is_one_dead_node_with_a_note(fake):
    rt, sup = fake
    rt.procs.pop(sup)
    snap = tree_snapshot(rt, sup)
    assert [(n.status, n.kind) for n in snap.nodes] == [("dead", "supervisor")]
    assert "not alive" in snap.note


def test_an_unknown_registered_name_says_so():
    snap = tree_snapshot(FakeRuntime(), "nobody")
    assert snap.note == "no process is registered as 'nobody'"


def test_a_child_without_a_pid_is_shown_as_not_running(fake):
    rt, sup = fake
    rt.procs[sup]["state"]["children"][1]["pid"] = None
    rt.procs[sup]["state"]["children"][0]["pid"] = "restarting"
    snap = tree_snapshot(rt, sup)
    assert (snap.by_name("cache").status, snap.by_name("db").status) == ("stopped", "restarting")


def test_the_snapshot_is_plain_json_data(fake):
    import json
    rt, sup = fake
    data = json.loads(json.dumps(tree_snapshot(rt, sup).to_json()))
    assert data["nodes"][0]["intensity"]["text"] == "0/3 in 5s"
    assert data["nodes"][0]["pid"] == str(sup)
