"""An exported recording plays in Chromium with networking off (issue 13, points 2 and 5).

A one_for_all supervisor whose child "b" is killed and restarted is recorded on a
MockClock and exported; the page is opened from a file in an offline context
where every request but the file itself is aborted. Jumping to b's restart shows
the new pid in the tree; dragging the timeline back shows the old one; the
presenter keys play, step, change the speed, go full screen and enlarge the font.
No JupyterLab is needed.
"""
from __future__ import annotations

import pytest

import beamlab
from beamlab.runtime import MockClock, exit, receive, sleep, spawn_link
from beamlab.runtime.otp import Supervisor
from beamlab.runtime.recorder import Recorder
from beamlab.widgets.export import export_html
from lab import ARTIFACTS


def child():
    receive()


def start_child():
    return spawn_link(child)


def which(sup, cid):
    return [pid for i, pid, _, _ in Supervisor.which_children(sup) if i == cid][0]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    specs = [{"id": c, "start": (start_child,)} for c in ("a", "b", "c")]

    def main():
        sup = Supervisor.start_link(specs, strategy="one_for_all", max_restarts=3, max_seconds=5)
        old = which(sup, "b")
        sleep(1)
        exit(old, "kill")
        sleep(1)
        return old, which(sup, "b")
    rec = Recorder()
    old, new = beamlab.run(main, clock=MockClock(), record=rec)
    path = export_html(rec, tmp_path_factory.mktemp("export") / "crash.html", title="b crashes")
    return path, old.id, new.id


@pytest.fixture
def offline_page(browser, exported):
    path = exported[0]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)
    requests: list[str] = []

    def route(r):
        requests.append(r.request.url)
        return r.continue_() if r.request.url == path.as_uri() else r.abort()
    context.route("**/*", route)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(path.as_uri())
    pg.wait_for_selector("#counter")
    yield pg, requests, errors
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "exported_recording.png"), full_page=True)
    context.close()


def cursor(pg) -> int:
    return pg.evaluate("window.beamlabPlayer.cursor")


def tree_pids(pg) -> set[int]:
    return {int(p) for p in pg.eval_on_selector_all("#tree g.node", "els => els.map(e => e.dataset.pid)")}


def test_the_page_opens_offline_and_fetches_nothing(offline_page, exported):
    pg, requests, errors = offline_page
    assert requests == [exported[0].as_uri()]
    assert errors == []
    assert pg.inner_text("header strong") == "b crashes"


def test_the_restart_mark_jumps_to_the_new_pid_and_dragging_back_shows_the_old_one(offline_page, exported):
    pg, _, errors = offline_page
    _, old, new = exported
    pg.click("#marks .mark.restart[title*='restarting b']")
    assert new in tree_pids(pg) and old not in tree_pids(pg)
    assert "restarting a, b, c" in pg.inner_text("#what") and f"now b → <0.{new}.0>" in pg.inner_text("#what")
    assert "one_for_all ↻" in pg.text_content("#tree g.node.supervisor .restarts")
    # drag the timeline back to a few events before the kill
    kill = pg.evaluate(f"window.beamlabPlayer.events.findIndex(e => e.kind === 'signal' && e.pid === {old})")
    n = pg.evaluate("window.beamlabPlayer.events.length")
    box = pg.locator("#scrub").bounding_box()
    thumb = 16      # the range's usable track is its width less the thumb
    x = box["x"] + thumb / 2 + (box["width"] - thumb) * (kill - 3 + 1) / n
    pg.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    pg.mouse.down()
    pg.mouse.move(x, box["y"] + box["height"] / 2, steps=5)
    pg.mouse.up()
    assert cursor(pg) < kill
    assert old in tree_pids(pg) and new not in tree_pids(pg)
    assert errors == []


def test_stepping_through_the_kill_shows_the_signal_and_the_decision(offline_page, exported):
    pg, _, errors = offline_page
    _, old, _ = exported
    kill = pg.evaluate(f"window.beamlabPlayer.events.findIndex(e => e.kind === 'signal' && e.pid === {old})")
    pg.evaluate(f"window.beamlabPlayer.go({kill - 1})")
    pg.keyboard.press("ArrowRight")
    assert cursor(pg) == kill
    assert "untrappable: it is killed" in pg.inner_text("#what")
    texts = []
    for _ in range(40):         # on, one event at a time, until the supervisor decides
        pg.keyboard.press("ArrowRight")
        texts.append(pg.inner_text("#what"))
        if "restarting" in texts[-1]:
            break
    assert any("it traps exits: an EXIT message is queued" in t for t in texts)
    assert "one_for_all: b failed, restarting a, b, c — 1/3 in 5 s (now a → <0." in texts[-1]
    pg.keyboard.press("ArrowLeft")
    assert "restarting" not in pg.inner_text("#what")
    assert errors == []


def test_the_presenter_keys(offline_page):
    pg, _, errors = offline_page
    pg.keyboard.press("Home")
    assert cursor(pg) == -1
    assert pg.inner_text("#speed") == "10/s"
    pg.keyboard.press("+")
    pg.keyboard.press("+")
    assert pg.inner_text("#speed") == "50/s"
    pg.keyboard.press("-")
    assert pg.inner_text("#speed") == "20/s"
    pg.keyboard.press(" ")
    assert pg.evaluate("window.beamlabPlayer.playing")
    pg.wait_for_function("window.beamlabPlayer.cursor >= 5", timeout=5000)
    pg.keyboard.press(" ")
    assert not pg.evaluate("window.beamlabPlayer.playing")
    stopped = cursor(pg)
    pg.wait_for_timeout(300)
    assert cursor(pg) == stopped
    pg.keyboard.press("ArrowRight")
    assert cursor(pg) == stopped + 1
    pg.keyboard.press("ArrowLeft")
    pg.keyboard.press("ArrowLeft")
    assert cursor(pg) == stopped - 1
    size = pg.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    pg.keyboard.press("l")
    assert pg.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > size * 1.4
    pg.keyboard.press("f")
    assert pg.evaluate("document.body.classList.contains('full')")
    pg.keyboard.press("f")
    assert not pg.evaluate("document.body.classList.contains('full')")
    assert errors == []
