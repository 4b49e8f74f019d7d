"""Live widgets nobody looks at send nothing (issue 11 point 9), counted in ticks, not seconds.

An observer and a telemetry chart are displayed in a runtime on a MockClock while processes
come and go. The ticker's thread is kept out: the test calls the ticker's tick function
(`run_due(now=...)`) itself, as the thread would post it. Every comm message the widgets
would send to a browser is recorded.
"""
from __future__ import annotations

import comm
import pytest
from comm.base_comm import BaseComm

from beamlab.runtime import MockClock, Runtime, current_runtime, sleep, spawn
from beamlab.widgets._ticker import Ticker, ticker_for
from beamlab.widgets.observer import Observer
from beamlab.widgets.telemetry_chart import TelemetryChart, counter
from widget_clicks import click

TICKS = 400          # 40 s of ticks, 0.1 s apart


@pytest.fixture
def sent(monkeypatch):
    """Every comm message a widget sends: [(msg_type, comm_id, data)]."""
    msgs: list = []

    class RecordingComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            msgs.append((msg_type, self.comm_id, data))

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))
    monkeypatch.setattr(Ticker, "_loop", lambda self: None)     # no thread: the test ticks
    return msgs


def _churn():
    while True:
        sleep(0.05)
        spawn(lambda: None)


def _ticks(ticker, sent, first: int, count: int) -> dict[int, list]:
    """Tick `count` times, 0.1 s apart, letting the runtime run between; messages per tick."""
    per_tick = {}
    for i in range(first, first + count):
        before = len(sent)
        ticker.run_due(now=1000.0 + i * 0.1)
        sleep(0.1)
        new = [m for m in sent[before:] if m[0] == "comm_msg"]
        if new:
            per_tick[i] = new
    return per_tick


def test_an_observer_and_a_chart_with_no_view_send_no_message_however_many_ticks_pass(sent):
    def main():
        spawn(_churn)
        obs = Observer()
        chart = TelemetryChart([counter("beamlab.process.spawn.count")])
        ticker = ticker_for(current_runtime())
        sleep(0.1)
        sent.clear()
        quiet = _ticks(ticker, sent, 0, TICKS)
        values = chart.values()
        obs.close()
        chart.close()
        return quiet, values
    quiet, values = Runtime(clock=MockClock()).run(main)
    assert quiet == {}, f"{sum(map(len, quiet.values()))} messages in {len(quiet)} of {TICKS} ticks"
    # the chart still counted, for values() and for the view that comes back (~800 spawns in 40 s)
    assert values["beamlab.process.spawn.count (counter)"]["beamlab.process.spawn.count"] > 500


def test_a_watched_chart_updates_at_most_once_per_interval_and_keeps_its_saved_picture_current(sent):
    def main():
        spawn(_churn)
        chart = TelemetryChart([counter("beamlab.process.spawn.count")], interval=0.5)
        ticker = ticker_for(current_runtime())
        sleep(0.1)
        picture_at_display = chart.keeper.picture
        sent.clear()
        assert _ticks(ticker, sent, 0, 20) == {}
        click(chart.keeper, type="view", id="v1", visible=True)      # a view is on screen
        sleep(0.05)                                                  # the view message is handled in the runtime
        watched = _ticks(ticker, sent, 20, 50)                       # 5 s watched
        click(chart.keeper, type="view", id="v1", visible=False)     # and goes away
        sleep(0.05)                                                  # the view message is handled in the runtime
        sent_after = len(sent)
        after = _ticks(ticker, sent, 70, 50)
        picture = chart.keeper.picture
        chart.close()
        return picture_at_display, watched, after, picture, sent_after
    before, watched, after, picture, _ = Runtime(clock=MockClock()).run(main)
    # 0.5 s apart: at most 11 ticks of 50 (0.1 s each) send anything
    assert 5 <= len(watched) <= 11, sorted(watched)
    ticks = sorted(watched)
    assert all(b - a >= 5 for a, b in zip(ticks, ticks[1:])), ticks
    assert after == {}
    # the picture a save would write has the spawns counted since display, drawn as lines
    assert picture != before and "<polyline" in picture and "beamlab.process.spawn.count" in picture


def test_a_watched_observer_refreshes_at_most_once_a_second(sent):
    def main():
        spawn(_churn)
        obs = Observer()
        ticker = ticker_for(current_runtime())
        sleep(0.1)
        sent.clear()
        click(obs.table, type="view", id="v1", visible=True)
        sleep(0.05)                                                  # the view message is handled in the runtime
        watched = _ticks(ticker, sent, 0, 50)                          # 5 s watched
        obs.close()
        return watched
    watched = Runtime(clock=MockClock()).run(main)
    ticks = sorted(watched)
    assert 4 <= len(ticks) <= 6, ticks
    assert all(b - a >= 10 for a, b in zip(ticks, ticks[1:])), ticks
