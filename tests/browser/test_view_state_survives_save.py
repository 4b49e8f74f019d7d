"""A live widget keeps its local UI state when the notebook is saved (Ctrl+S or autosave).

Saving writes each widget's current picture into its output (saved.js), and JupyterLab
then draws that output again: a new view of the same model. The user must not see it:
the tree's inspector stays on the process they chose, with the sections they closed
still closed, and a playing timeline keeps playing. A save that changes no picture (an
idle notebook's autosave) writes nothing, so the view is not drawn again at all.
"""
from __future__ import annotations

from test_timeline_in_browser import NODE, TREE, at, pid_of, start

INSPECTOR = '[data-testid="beamlab-inspector"]'
SAVES = """() => {
    const ctx = window.jupyterapp.shell.currentWidget.context;
    if (!window.__blSaves) {
        window.__blSaves = 0;
        ctx.saveState.connect((_c, s) => { if (s === 'completed') window.__blSaves += 1; });
    }
    return window.__blSaves;
}"""


def save(page) -> None:
    """Ctrl+S in the tree (JupyterLab's save; the widget passes the key on) and wait for it."""
    before = page.evaluate(SAVES)
    page.click(TREE + " .bl-canvas", position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    page.wait_for_function(f"() => ({SAVES})() > {before}", timeout=30_000)
    page.wait_for_timeout(1500)          # JupyterLab draws a changed output again asynchronously


def test_saving_keeps_the_inspector_and_a_playing_timeline_and_an_idle_save_redraws_nothing(lab, page):
    start(lab, page, "view_state_save.ipynb")
    page.evaluate(SAVES)
    a = pid_of(page, "app")              # the supervisor: it lives through the whole recording
    page.click(NODE.format("app"))
    page.wait_for_selector(f"{INSPECTOR} .bl-insp-title >> text={a}", timeout=30_000)
    links = f"{INSPECTOR} details.bl-section:has(summary:text-is('links'))"
    page.click(links + " > summary")                       # the user closes the links section
    page.wait_for_selector(links + ":not([open])")
    # play the timeline from the kill of b (its mark), slowly, so it still plays after the save
    page.click(TREE + " .bl-mark")
    page.wait_for_function(f"() => document.querySelector('{TREE} .bl-canvas').getAttribute('data-at') !== '-1'")
    page.wait_for_selector(links + ":not([open])")
    for _ in range(3):
        page.click(TREE + ' button[data-action="slower"]')
    assert page.inner_text(TREE + ' [data-testid="beamlab-speed"]') == "1/s"
    page.click(TREE + ' button[data-action="play"]')
    page.wait_for_selector(TREE + " .bl-timeline.bl-playing", timeout=10_000)
    page.evaluate(f"() => document.querySelector('{TREE}').setAttribute('data-view', 'first')")

    save(page)
    # the picture changed (the tree moved on), so JupyterLab drew a new view...
    assert page.locator(TREE).count() == 1
    assert page.get_attribute(TREE, "data-view") is None
    # ...which the user cannot tell from the old one: the inspector is still on the supervisor, the
    # section they closed is still closed, and the timeline is still playing
    assert a in page.inner_text(f"{INSPECTOR} .bl-insp-title")
    assert page.locator(links + ":not([open])").count() == 1
    assert page.locator(TREE + " .bl-timeline.bl-playing").count() == 1
    assert page.inner_text(TREE + ' [data-testid="beamlab-speed"]') == "1/s"
    seq = at(page)
    page.wait_for_function(
        f"() => +document.querySelector('{TREE} .bl-canvas').getAttribute('data-at') > {seq}", timeout=10_000)

    # stopped, saved once more (the picture of where it stopped), then an idle save
    page.click(TREE + ' button[data-action="play"]')
    page.wait_for_selector(TREE + " .bl-timeline:not(.bl-playing)", timeout=10_000)
    page.wait_for_timeout(1500)          # a step asked for before the pause is answered
    save(page)
    page.evaluate(f"() => document.querySelector('{TREE}').setAttribute('data-view', 'idle')")
    save(page)
    assert page.get_attribute(TREE, "data-view") == "idle", "an idle save drew the widget again"
    assert a in page.inner_text(f"{INSPECTOR} .bl-insp-title")
    assert page.js_errors == []
