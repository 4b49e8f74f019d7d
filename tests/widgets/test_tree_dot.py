"""The tree as DOT, and the static picture a saved notebook keeps."""
from __future__ import annotations

import shutil

import pytest

from beamlab.widgets import RestartHistory, static_html, to_dot, tree_snapshot
from beamlab.widgets._dot import RESTARTED, STATUS_COLOURS


def test_each_node_is_labelled_with_its_name_and_pid(fake):
    rt, sup = fake
    dot = to_dot(tree_snapshot(rt, sup))
    assert f'label="app_sup\\n{sup}\\none_for_one · 0/3 in 5s"' in dot


def test_a_restarted_child_is_drawn_in_the_restart_colour_with_its_count(fake):
    rt, sup = fake
    history = RestartHistory()
    rt.exit(tree_snapshot(rt, sup, history=history).by_name("w3").pid, "kill")
    snap = tree_snapshot(rt, sup, history=history)
    line = next(l for l in to_dot(snap).splitlines() if "label=\"w3" in l)
    assert RESTARTED in line and "↻ 1 restart" in line


def test_links_are_dotted_and_do_not_shape_the_layout(fake):
    rt, sup = fake
    dot = to_dot(tree_snapshot(rt, sup))
    [link] = [l for l in dot.splitlines() if "style=dotted" in l]
    assert "constraint=false" in link and "dir=none" in link


def test_a_stopped_child_is_grey(fake):
    rt, sup = fake
    rt.procs[sup]["state"]["children"][1]["pid"] = None
    line = next(l for l in to_dot(tree_snapshot(rt, sup)).splitlines() if 'label="cache' in l)
    assert STATUS_COLOURS["stopped"][0] in line


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot (apt-get install graphviz)")
def test_the_static_picture_is_an_svg_when_dot_is_installed(fake):
    rt, sup = fake
    html = static_html(tree_snapshot(rt, sup), title="my tree")
    assert "<svg" in html and "app_sup" in html and "my tree" in html


def test_the_static_picture_is_a_nested_list_without_dot(fake, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    rt, sup = fake
    html = static_html(tree_snapshot(rt, sup))
    assert "<svg" not in html
    assert html.count("<li>") == 7 and "w1 · " in html
