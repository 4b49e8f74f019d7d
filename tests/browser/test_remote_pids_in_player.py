"""An exported recording of a simulated cluster prints other nodes' pids as the BEAM does
(docs/distribution.md): `<1.N.0>` for a process of the first node started, in the player's
event texts, marks, tree, inspector and sequence lanes (widgets/js/src/recording.js's
pidText, given the nodes from the baseline and the spawn events).

A one_for_all supervisor started on b@lab has its child "b" crashed and restarted, and the
home node's main process calls an echo process on b@lab; recorded on a MockClock, exported,
and opened offline in Chromium, as tests/browser/test_exported_recording.py does.
"""
from __future__ import annotations

import pytest

import beamlab
from beamlab.runtime import (MockClock, exit, receive, self as me, send, sleep, spawn, spawn_link,
                             start_node)
from beamlab.runtime.otp import Supervisor
from beamlab.runtime.recorder import Recorder
from beamlab.widgets.export import export_html


def child():
    receive()


def start_child():
    return spawn_link(child)


def echo():
    while True:
        frm, msg = receive()
        send(frm, ("echo", msg))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    specs = [{"id": c, "start": (start_child,)} for c in ("a", "b")]

    def main():
        start_node("b")
        box = []

        def boot():
            box.append(Supervisor.start_link(specs, strategy="one_for_all", max_restarts=3, max_seconds=5))
            receive()
        spawn("b@lab", boot)
        sleep(0.5)
        sup = box[0]
        which = lambda cid: [p for i, p, _, _ in Supervisor.which_children(sup) if i == cid][0]  # noqa: E731
        old = which("b")
        e = spawn("b@lab", echo)
        send(e, (me(), "hi"))
        receive()
        exit(old, "boom")
        sleep(1)
        return sup, old, which("b"), e, me()
    rec = Recorder()
    pids = beamlab.run(main, clock=MockClock(), record=rec)
    path = export_html(rec, tmp_path_factory.mktemp("export") / "cluster.html", title="b@lab")
    return path, pids


@pytest.fixture
def page(browser, exported):
    path = exported[0]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)
    context.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri() else r.abort())
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(path.as_uri())
    pg.wait_for_selector("#counter")
    yield pg, errors
    context.close()


def go(pg, kind: str, pid: int) -> None:
    """Move the player's cursor to the first `kind` event of process number `pid`."""
    i = pg.evaluate(f"window.beamlabPlayer.events.findIndex(e => e.kind === '{kind}' && e.pid === {pid})")
    assert i >= 0
    pg.evaluate(f"window.beamlabPlayer.go({i})")


def test_a_remote_crash_and_restart_read_with_the_nodes_pids(page, exported):
    pg, errors = page
    _, (sup, old, new, _e, _main) = exported
    assert (sup.node, old.node, new.node) == (1, 1, 1)
    assert pg.get_attribute("#marks .mark.crash", "title") == f"<1.{old.id}.0> crashed: boom"
    go(pg, "exit", old.id)
    assert pg.inner_text("#what") == f"<1.{old.id}.0> exited: boom"
    inspector = pg.inner_text("#inspector")
    assert f"<1.{old.id}.0>" in inspector and f"<1.{sup.id}.0>" in inspector     # its pid, its parent
    assert "<0." not in inspector
    pg.click("#marks .mark.restart[title*='restarting b']")
    assert f"now b → <1.{new.id}.0>" in pg.inner_text("#what")
    labels = pg.eval_on_selector_all("#tree text.pid", "els => els.map(e => e.textContent)")
    assert f"<1.{sup.id}.0>" in labels and f"<1.{new.id}.0>" in labels
    assert not any(t.startswith(f"<0.{new.id}.") or t.startswith(f"<0.{sup.id}.") for t in labels)
    assert errors == []


def test_a_message_between_nodes_reads_with_both_pids(page, exported):
    pg, errors = page
    _, (_sup, _old, _new, e, main) = exported
    go(pg, "send", e.id)
    assert pg.inner_text("#what") == f"<0.{main.id}.0> → <1.{e.id}.0>: (<0.{main.id}.0>, 'hi')"
    lanes = pg.eval_on_selector_all("#sequence text.lanehead", "els => els.map(e => e.textContent)")
    assert f"<1.{e.id}.0>" in lanes and f"<0.{main.id}.0>" in lanes
    assert errors == []
