"""Exporting a recording as one self-contained HTML page (issue 13, point 5), without a browser
(tests/browser/test_exported_recording.py plays it in Chromium)."""
from __future__ import annotations

import json
import re

import pytest

import beamlab
from beamlab.runtime import MockClock, Runtime, receive, send, spawn
from beamlab.runtime.recorder import Recorder
from beamlab.widgets.export import export_html, page


def recorded(main):
    rec = Recorder()
    beamlab.run(main, clock=MockClock(), record=rec)
    return rec


def idle():
    receive()


def test_the_page_holds_the_recording_and_the_player_and_fetches_nothing(tmp_path):
    def main():
        pid = spawn(idle)
        send(pid, ("hello", 1))
    path = export_html(recorded(main), tmp_path / "run.html", title="my run")
    text = path.read_text()
    assert "<title>my run</title>" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)   # nothing fetched
    data = json.loads(re.search(r'id="beamlab-recording">(.*?)</script>', text, re.S).group(1))
    assert [e["kind"] for e in data["events"]][:2] == ["spawn", "spawn"]
    assert any(e.get("text") == "('hello', 1)" for e in data["events"])
    assert "window.beamlabPlayer" in text        # the player, inline


def test_text_in_a_message_cannot_end_the_script_it_sits_in():
    evil = "</script><script>alert(1)</script><!--"

    def main():
        send(spawn(idle), evil)
    text = page(recorded(main))
    assert text.count("</script>") == 2          # the data's and the player's, nothing more
    data = json.loads(re.search(r'id="beamlab-recording">(.*?)</script>', text, re.S).group(1))
    assert any(e.get("text") == repr(evil) for e in data["events"])


def test_a_runtime_that_records_can_be_exported_and_anything_else_is_refused(tmp_path):
    rt = Runtime(clock=MockClock(), record=True)
    rt.run(lambda: send(spawn(idle), "x"))
    assert export_html(rt, tmp_path / "rt.html").exists()
    with pytest.raises(TypeError, match="a Recording, a Recorder or a Runtime that records"):
        export_html(Runtime(), tmp_path / "none.html")


def test_a_window_exports_with_who_was_alive_when_it_starts(tmp_path):
    def main():
        early = spawn(idle)
        for i in range(20):
            send(early, i)
        return early
    rec = recorded(main).recording()
    part = rec.window(first=rec.last_seq - 5)
    data = json.loads(re.search(r'id="beamlab-recording">(.*?)</script>',
                                export_html(part, tmp_path / "w.html").read_text(), re.S).group(1))
    assert len(data["events"]) <= 6 and data["evicted"] == len(rec) - len(data["events"])
    assert any(p["call"].endswith("idle") and p["alive"] for p in data["base"]["procs"])
