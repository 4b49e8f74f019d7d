"""A message from the browser that does not fit is answered with an error; nothing else happens.

Each test sends one bad comm message, exactly as a front end would (a custom
message, or a trait update), and checks what the learner sees: an error notice
in the widget and a `{"type": "error"}` message to the front end, the widget's
state untouched, and the next good click still working.
"""
from __future__ import annotations

import pytest
from fake_runtime import FakeRuntime
from widget_clicks import click

from beamlab.runtime import MockClock, Runtime, receive, sleep, spawn
from beamlab.widgets import SupervisionTree
from beamlab.widgets.observer import ProcessTable
from beamlab.widgets.sequence import SequenceTrace


def deliver(widget, content) -> None:
    """A custom message with any content (also not an object), as model.send delivers it."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def update(widget, **state) -> None:
    """A trait update from the browser (model.set + save_changes)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
                        "buffers": []})


def recording(widget) -> list:
    """The custom messages the widget sends to its front end from now on."""
    sent: list = []
    widget.send = lambda content, buffers=None: sent.append(content)
    return sent


def errors(sent: list) -> list[str]:
    return [m["error"] for m in sent if isinstance(m, dict) and m.get("type") == "error"]


# ---------------------------------------------------------------- the supervision tree

@pytest.fixture
def tree(fake):
    rt, _sup = fake
    tree = SupervisionTree("app_sup", runtime=rt, live=False)
    tree.sent = recording(tree)
    return tree


def w1_of(tree):
    return tree.snapshot.by_name("w1")


def test_an_inspect_click_whose_key_is_a_number_is_answered_with_an_error(tree):
    click(tree, type="inspect", key=123)
    assert errors(tree.sent) == ['ignored a message from the browser: "inspect" message: '
                                 '"key" must be a string or null, not 123']
    assert tree.notice["level"] == "error" and '"key" must be a string' in tree.notice["text"]
    assert tree.selected == "" and tree.inspector == {}


def test_a_message_that_is_not_an_object_is_answered_with_an_error(tree):
    deliver(tree, [1, 2])
    assert "a widget message is an object" in errors(tree.sent)[0]


def test_a_message_of_an_unknown_type_names_the_types_the_tree_understands(tree):
    click(tree, type="explode")
    assert errors(tree.sent) == ['ignored a message from the browser: unknown message type '
                                 "'explode'; this widget understands \"inspect\", \"action\", \"expand\", \"scrub\""]


def test_a_message_with_an_unexpected_key_is_answered_with_an_error(tree):
    click(tree, type="expand", key="x", depth=3)
    assert "unexpected key 'depth'" in errors(tree.sent)[0]


def test_an_expand_without_its_key_says_the_key_is_missing(tree):
    click(tree, type="expand")
    assert errors(tree.sent) == ['ignored a message from the browser: "expand" message: "key" is missing']


def test_an_unknown_action_is_refused_before_any_signal_is_sent(fake, tree):
    rt, _ = fake
    w1 = w1_of(tree)
    click(tree, type="inspect", key=w1.key, pid=str(w1.pid))
    click(tree, type="action", key=w1.key, pid=str(w1.pid), action="explode")
    assert "use one of kill, crash, normal, shutdown" in errors(tree.sent)[0]
    assert rt.exits == []


def test_an_overlong_crash_reason_is_refused(fake, tree):
    rt, _ = fake
    click(tree, type="action", action="crash", reason="x" * 10_000)
    assert "at most 200 are accepted" in errors(tree.sent)[0]
    assert rt.exits == []


def test_a_good_click_after_bad_ones_still_works(tree):
    click(tree, type="inspect", key=123)
    deliver(tree, "garbage")
    w1 = w1_of(tree)
    click(tree, type="inspect", key=w1.key, pid=str(w1.pid))
    assert tree.selected == w1.key
    assert tree.inspector["title"] == f"w1 {w1.pid}"


def test_a_click_whose_handling_fails_is_reported_on_the_widget_not_raised(tree, monkeypatch):
    def broken(*args):
        raise RuntimeError("inspector exploded")
    monkeypatch.setattr(tree, "inspect", broken)
    click(tree, type="inspect", key="k")
    assert errors(tree.sent) == ['could not handle the "inspect" message: RuntimeError: '
                                 "RuntimeError('inspector exploded')"]


# ---------------------------------------------------------------- observer's process table

def run(main):
    return Runtime(clock=MockClock()).run(main)


def idle():
    receive(lambda m: m == "stop")


def settle():
    sleep(0.01)


def table_with_processes(n: int = 30) -> ProcessTable:
    for _ in range(n):
        spawn(idle)
    settle()
    table = ProcessTable(page_size=25)
    table.sent = recording(table)
    return table


def test_an_observer_inspect_whose_pid_is_a_list_is_answered_with_an_error():
    def main():
        table = table_with_processes()
        click(table, type="inspect", pid=[1, 2])
        settle()
        return errors(table.sent), table.selected, table.inspector
    sent, selected, inspector = run(main)
    assert sent == ['ignored a message from the browser: "inspect" message: "pid" must be a string, '
                    "not [1, 2]"]
    assert selected == "" and inspector == {}


def test_a_page_size_of_zero_from_the_browser_is_refused_and_the_browser_is_set_back():
    def main():
        table = table_with_processes()
        resent = []
        table.send_state = lambda key=None: resent.append(key)
        update(table, page_size=0)
        settle()
        return errors(table.sent), table.page_size, len(table.rows), table.notice, resent
    sent, page_size, rows, notice, resent = run(main)
    assert sent == ["ignored an update of page_size from the browser: page_size 0 is out of range; "
                    "show 1 to 500 rows per page"]
    assert (page_size, rows) == (25, 25)
    assert notice["level"] == "error"
    assert ["page_size"] in resent          # the browser gets 25 back


@pytest.mark.parametrize("state, says", [
    ({"page": -1}, "pages count from 0"),
    ({"page_size": 10**9}, "show 1 to 500 rows per page"),
    ({"query": "x" * 5000}, "at most 200 are accepted"),
    ({"sort_by": "colour"}, "cannot sort by 'colour'"),
    ({"descending": "yes"}, "descending"),
    ({"page": "two"}, "page"),
])
def test_each_out_of_range_or_mistyped_table_update_is_refused_with_an_error(state, says):
    def main():
        table = table_with_processes(3)
        before = {k: getattr(table, k) for k in state}
        update(table, **state)
        settle()
        return errors(table.sent), before, {k: getattr(table, k) for k in state}
    sent, before, after = run(main)
    assert len(sent) == 1 and says in sent[0]
    assert after == before


def test_a_good_page_change_after_a_bad_one_still_pages():
    def main():
        table = table_with_processes(30)
        update(table, page_size=0)
        update(table, page=1)
        settle()
        return table.page, len(table.rows)
    assert run(main) == (1, 6)     # 31 processes (30 and main): the second page holds 6


# ---------------------------------------------------------------- the sequence diagram

def test_a_sequence_message_with_an_unexpected_key_is_refused_and_nothing_is_cleared():
    def main():
        from beamlab.runtime import self as me, send
        trace = SequenceTrace(me(), live=False)
        sent = recording(trace)
        send(me(), "kept")
        trace.refresh()
        click(trace, type="clear", everything=True)
        update(trace, paused="please")
        return errors(sent), [e["label"] for e in trace.events], trace.paused
    sent, labels, paused = run(main)
    assert "unexpected key 'everything'" in sent[0]
    assert "paused" in sent[1]
    assert labels == ["'kept'"] and paused is False


def test_a_huge_or_deep_term_previews_quickly_and_readably_in_a_widget():
    from beamlab.widgets._runtime import safe_repr
    deep = []
    for _ in range(10_000):
        deep = [deep]
    text = safe_repr(deep, 300)
    assert text.startswith("[[[") and len(text) <= 301 and "Recursion" not in text
    big = safe_repr(list(range(2_000_000)), 300)
    assert big.startswith("[0, 1, 2") and len(big) <= 301
