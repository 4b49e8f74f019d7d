"""The live scrubber in JupyterLab (issue 13, points 2, 3 and 5's presenter keys).

A beamlab notebook (whose runtime records) starts a one_for_all supervisor of a, b, c
and shows its tree; the user kills b from the tree. Then, under the tree:

- dragging the timeline back shows b's old pid (the one since restarted), and the
  inspector shows b as it was; "Live" brings the new pid back;
- clicking b's restart mark and stepping with → goes through the kill: the exit
  signal (its link drawn red on the tree), the EXIT message in the supervisor's
  mailbox (its inspector then), and its decision spelled out ("one_for_all: b failed, restarting a, b, c — 1/3 in 5 s");
- the presenter keys work while the widget has focus (L large font, +/− speed,
  space play/pause, F full screen) and do nothing when the focus is in a cell editor
  (the key is typed there, the widget stays as it was); pressing L in the widget
  does not reach JupyterLab's command-mode shortcuts, while other keys (Ctrl+S) do.
Saves timeline.png (docs/timeline.png with BEAMLAB_UPDATE_SCREENSHOTS=1).
"""
from __future__ import annotations

import re

import pytest

from lab import notebook, open_notebook, save_screenshot

CELLS = [
    """\
class Worker(GenServer):
    def init(self, arg):
        return Ok(arg)

sup = Supervisor.start_link([{"id": c, "start": (Worker.start_link, 0)} for c in "abc"],
                            name="app", strategy="one_for_all", max_restarts=3, max_seconds=5)""",
    "tree = supervision_tree(sup)\ntree",
    "x = 1",
]

TREE = ".beamlab-tree"
NODE = TREE + ' g.node[data-name="{}"]'
SCRUB = TREE + ' [data-testid="beamlab-scrub"]'


def pid_of(page, name: str) -> str:
    return page.get_attribute(NODE.format(name), "data-pid")


def drag_timeline_to(page, seq: int) -> None:
    """Drag the range input's thumb from where it is to `seq`, as a mouse would."""
    page.locator(SCRUB).scroll_into_view_if_needed()
    box = page.locator(SCRUB).bounding_box()
    lo = int(page.get_attribute(SCRUB, "min"))
    hi = int(page.get_attribute(SCRUB, "max"))
    value = int(page.eval_on_selector(SCRUB, "e => e.value"))
    half = 8          # Chromium's thumb: the value maps onto the track between its halves

    def x(v):
        return box["x"] + half + (v - lo) / (hi - lo) * (box["width"] - 2 * half)
    y = box["y"] + box["height"] / 2
    page.mouse.move(x(value), y)
    page.mouse.down()
    for f in (0.7, 0.4, 0.0):
        page.mouse.move(x(seq) + f * (x(value) - x(seq)), y, steps=4)
    page.mouse.up()


def at(page) -> int:
    return int(page.get_attribute(TREE + " .bl-canvas", "data-at") or -1)


def start(lab, page, name):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    lab.write_notebook(name, notebook(CELLS, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    page.wait_for_selector(NODE.format("b") + "[data-pid]", timeout=90_000)
    page.wait_for_selector(TREE + ' [data-testid="beamlab-timeline"]:visible', timeout=30_000)
    old = pid_of(page, "b")
    page.click(NODE.format("b"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=' + old, timeout=30_000)
    page.click('[data-testid="beamlab-inspector"] button[data-action="kill"]')
    page.wait_for_selector(NODE.format("b") + '[data-restarts="1"]', timeout=30_000)
    new = pid_of(page, "b")
    assert new != old
    # the restart marks reach the timeline with the ticker's next refresh
    page.wait_for_selector(TREE + ' .bl-mark-restart', timeout=30_000)
    return old, new


def test_dragging_the_timeline_back_shows_the_pid_since_restarted_and_live_brings_the_new_one(lab, page):
    old, new = start(lab, page, "timeline_drag.ipynb")
    # where b's death began (the mark of its restart jumps there): drag to a few events before
    mark = page.locator(TREE + ' .bl-mark-restart').nth(1)
    died = int(mark.get_attribute("data-from"))
    drag_timeline_to(page, died - 12)      # b was started well before (a thumb is a few events wide)
    page.wait_for_function(
        f"() => document.querySelector('{NODE.format('b')}')?.getAttribute('data-pid') === '{old}'",
        timeout=30_000)
    assert at(page) < died and at(page) != -1
    # the label says "replaying to event N…" until the replay is drawn (the tree can be
    # first, on a loaded machine): then where it is, out of which events
    pos = TREE + ' [data-testid="beamlab-timeline-pos"]'
    page.wait_for_function(
        f"() => /^event \\d+ of \\d+\\.\\.\\d+/.test(document.querySelector('{pos}')?.textContent)",
        timeout=30_000)
    assert re.match(r"event \d+ of \d+\.\.\d+", page.inner_text(pos))
    assert "replay: event" in page.inner_text(TREE + " .bl-status")
    assert "0 restarts then" in page.inner_text(TREE + " .bl-status")
    # the inspector follows the moment: b as it was, no buttons to act on the past
    page.click(NODE.format("b"))
    page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=As it was at event', timeout=30_000)
    assert old in page.inner_text('[data-testid="beamlab-inspector"]')
    assert page.locator('[data-testid="beamlab-inspector"] button[data-action="kill"]').count() == 0
    # the ticker keeps running but does not overwrite the past picture
    page.wait_for_timeout(1500)
    assert pid_of(page, "b") == old

    page.click(TREE + ' button[data-action="live"]')
    page.wait_for_function(
        f"() => document.querySelector('{NODE.format('b')}')?.getAttribute('data-pid') === '{new}'",
        timeout=30_000)
    assert at(page) == -1
    page.wait_for_function(f"() => / restarts? seen$/.test(document.querySelector('{TREE} .bl-status').textContent)",
                           timeout=30_000)
    assert page.js_errors == []


def test_stepping_through_the_kill_shows_the_signal_on_its_link_and_the_supervisors_decision(lab, page):
    old, new = start(lab, page, "timeline_step.ipynb")
    page.locator(TREE + ' .bl-mark-restart').nth(1).click()      # b's restart: jumps to before its death
    page.wait_for_function(f"() => document.querySelector('{TREE} .bl-canvas')?.getAttribute('data-at') !== '-1'",
                           timeout=30_000)
    # the position moves first, the tree is drawn again just after (coalesced redraws)
    page.wait_for_function(
        f"() => document.querySelector('{NODE.format('b')}')?.getAttribute('data-pid') === '{old}'",
        timeout=30_000)
    what = TREE + ' [data-testid="beamlab-what"]'
    decision = TREE + ' [data-testid="beamlab-decision"]'
    seen, edges, texts, exit_in_mailbox = [], 0, [], None
    for _ in range(80):
        before = at(page)
        page.keyboard.press("ArrowRight")          # the widget has focus since the mark was clicked
        page.wait_for_function(f"() => document.querySelector('{TREE} .bl-canvas').getAttribute('data-at') !== '{before}'",
                               timeout=30_000)
        page.wait_for_timeout(150)                 # the tree is laid out again (coalesced redraws)
        text = page.inner_text(what)
        texts.append(text)
        if "exit signal" in text:
            seen.append(text)
            edges += page.locator(TREE + " g.edge.bl-signal").count()
        if exit_in_mailbox is None and f"{old} → " in text and "'EXIT'" in text:
            # the trapped signal became a message: the supervisor's mailbox then holds it
            page.click(NODE.format("app"))
            page.wait_for_selector('[data-testid="beamlab-inspector"] >> text=As it was at event', timeout=30_000)
            exit_in_mailbox = page.inner_text('[data-testid="beamlab-inspector"]')
        if page.inner_text(decision).strip():
            break
    assert any(f"exit signal kill from" in t and f"to {old}" in t and "untrappable" in t for t in seen), texts
    assert any(f"from {old}" in t and "traps exits" in t and "through their link" in t for t in seen), texts
    assert edges >= 1, "the link an exit signal travels is drawn on the tree"
    assert exit_in_mailbox is not None and f"('EXIT', {old}, 'killed')" in exit_in_mailbox, exit_in_mailbox
    text = page.inner_text(decision)
    assert "one_for_all: b failed, restarting a, b, c — 1/3 in 5 s" in text, text
    save_screenshot(page.locator(TREE), "timeline.png")
    assert page.js_errors == []


def test_presenter_keys_work_in_the_focused_widget_and_nowhere_else(lab, page):
    start(lab, page, "timeline_keys.ipynb")
    root = page.locator(TREE)
    speed = TREE + ' [data-testid="beamlab-speed"]'
    page.click(TREE + " .bl-canvas", position={"x": 5, "y": 5})     # focus the widget
    lines_before = page.locator(".jp-Notebook .cm-lineNumbers").count()
    page.keyboard.press("l")
    assert "bl-large" in root.get_attribute("class")
    assert page.locator(".jp-Notebook .cm-lineNumbers").count() == lines_before   # no command-mode L
    page.keyboard.press("l")
    assert "bl-large" not in root.get_attribute("class")
    assert page.inner_text(speed) == "10/s"
    page.keyboard.press("+")
    assert page.inner_text(speed) == "20/s"
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert page.inner_text(speed) == "5/s"
    page.keyboard.press("ArrowLeft")             # from live: the last event, frozen
    page.wait_for_function(f"() => document.querySelector('{TREE} .bl-canvas').getAttribute('data-at') !== '-1'",
                           timeout=30_000)
    page.keyboard.press(" ")
    page.wait_for_selector(TREE + " .bl-timeline.bl-playing", timeout=10_000)
    page.keyboard.press(" ")
    page.wait_for_selector(TREE + " .bl-timeline:not(.bl-playing)", timeout=10_000)
    page.keyboard.press("f")
    assert "bl-full" in root.get_attribute("class")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !document.querySelector('{TREE}').classList.contains('bl-full')", timeout=10_000)
    # elsewhere the keys are JupyterLab's: typed into a cell, the widget untouched
    at_before = at(page)
    page.click(".jp-Cell:nth-child(3) .cm-content")
    page.keyboard.press("l")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("+")
    assert "bl-large" not in root.get_attribute("class")
    assert page.inner_text(speed) == "5/s" and at(page) == at_before
    typed = page.inner_text(".jp-Cell:nth-child(3) .cm-content")
    assert "l" in typed and "+" in typed, typed
    # and any other key is JupyterLab's even in the widget: Ctrl+S saves the notebook
    dirty = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"
    page.wait_for_function(dirty, timeout=30_000)
    page.click(TREE + " .bl-canvas", position={"x": 5, "y": 5})
    page.keyboard.press("l")
    page.keyboard.press("Control+s")
    page.wait_for_function(f"() => !({dirty[6:]})", timeout=30_000)
    # the presenter's choices survive the view being drawn again (JupyterLab re-renders on save)
    page.wait_for_timeout(1000)
    assert page.inner_text(speed) == "5/s" and "bl-large" in root.get_attribute("class")
    assert page.js_errors == []


SEQ_CELLS = [
    """\
def pinger(target, n=0):
    while True:
        send(target, (self(), "ping", n))
        receive(("pong", ANY), timeout=1)
        sleep(0.2)
        n += 1

def ponger():
    while True:
        frm, _, n = receive()
        send(frm, ("pong", n))

pong = spawn(ponger); register("pong", pong)
ping = spawn(pinger, pong); register("ping", ping)""",
    'trace = sequence_trace("ping", "pong")\ntrace',
    "x = 1",
    # what the comm delivers when a front end sends a message that does not fit
    'trace._handle_msg({"content": {"data": {"method": "custom", '
    '"content": {"type": "scrub", "seq": "soon"}}}, "buffers": []})',
]
SEQ = ".beamlab-sequence"


def _saved_html(lab, name) -> str:
    import json
    nb = json.loads((lab.root / name).read_text())
    return "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nb["cells"] for o in c.get("outputs", []))


def test_the_sequence_trace_scrubs_shows_errors_and_keeps_its_saved_picture_current(lab, page):
    if not getattr(lab, "beamlab_kernel", False):
        pytest.skip("the beamlab kernelspec could not be installed (python -m beamlab install)")
    name = "timeline_sequence.ipynb"
    lab.write_notebook(name, notebook(SEQ_CELLS, kernel="beamlab", display_name="BEAM Lab (Python)"))
    open_notebook(page, lab, name)
    rows = SEQ + " g.bl-seq-send"
    page.wait_for_selector(rows, timeout=90_000)
    page.wait_for_function(f"() => document.querySelectorAll('{rows}').length >= 6", timeout=30_000)

    # a {"type": "error"} message from the kernel is shown, readably, in the diagram
    page.wait_for_selector(SEQ + ' [data-testid="beamlab-notice"]', timeout=30_000)
    notice = page.inner_text(SEQ + ' [data-testid="beamlab-notice"]')
    assert 'ignored a message from the browser: "scrub" message: "seq" must be an integer or null' in notice

    # the saved picture is the diagram as it is now, not the (empty) one of display time
    assert page.locator(".jp-Notebook .beamlab-static").first.is_hidden()
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = __import__("time").monotonic() + 30
    while "<svg" not in _saved_html(lab, name) and __import__("time").monotonic() < deadline:
        page.wait_for_timeout(300)
    saved = _saved_html(lab, name)
    assert "<svg" in saved and "&#x27;ping&#x27;" not in saved and "'ping'" in saved

    # scrub back: the messages up to then; Live brings the growing diagram back
    page.click(SEQ + " .bl-canvas", position={"x": 5, "y": 5})
    page.keyboard.press("ArrowLeft")                       # freeze on the last event
    page.wait_for_selector(SEQ + ".bl-scrubbed", timeout=30_000)
    page.keyboard.press("Home")
    page.wait_for_function(f"() => document.querySelectorAll('{rows}').length === 0", timeout=30_000)
    for _ in range(40):                                    # step until ping's first message moves
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(120)
        if page.locator(SEQ + " g.bl-now circle.bl-travel").count():
            break
    assert page.locator(SEQ + " g.bl-now").count() == 1
    assert "ping" in page.inner_text(SEQ + ' [data-testid="beamlab-what"]')
    assert "mailbox" in page.inner_text(SEQ + " .bl-canvas")
    page.click(SEQ + ' button[data-action="live"]')
    page.wait_for_selector(SEQ + ":not(.bl-scrubbed)", timeout=30_000)
    page.wait_for_function(f"() => document.querySelectorAll('{rows}').length >= 6", timeout=30_000)
    assert page.js_errors == []
