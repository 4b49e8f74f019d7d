"""Telemetry metrics and their live chart."""
from __future__ import annotations

import math

import pytest

from beamlab.runtime import MockClock, Runtime, current_runtime, exit as exit_, receive, sleep, spawn, telemetry
from beamlab.widgets.telemetry_chart import TelemetryChart, counter, last_value, sum_, summary


def run(main):
    return Runtime(clock=MockClock()).run(main)


def test_a_metric_name_is_the_event_then_the_measurement():
    m = summary("my_app.request.stop.duration", unit="ms")
    assert (m.event, m.measurement, m.kind) == (("my_app", "request", "stop"), "duration", "summary")


def test_a_metric_name_without_a_measurement_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="my_app.event.name.measurement"):
        counter("spawns")


def test_a_counter_counts_spawns_since_the_chart_opened():
    def main():
        chart = TelemetryChart([counter("beamlab.process.spawn.count")], live=False)
        for _ in range(4):
            spawn(lambda: None)
        sleep(0.01)
        chart.refresh()
        return chart
    chart = run(main)
    assert chart.values() == {"beamlab.process.spawn.count (counter)": {"beamlab.process.spawn.count": 4}}


def test_a_counter_with_a_tag_draws_one_line_per_value():
    def main():
        chart = TelemetryChart([counter("beamlab.process.exit.count", tags=["reason"])], live=False)
        a, b, c = (spawn(receive) for _ in range(3))
        sleep(0.01)
        exit_(a, "kill"); exit_(b, "kill"); exit_(c, "boom")
        spawn(lambda: 1 / 0)
        sleep(0.01)
        chart.refresh()
        return chart
    chart = run(main)
    assert chart.values()["beamlab.process.exit.count (counter)"] == {"killed": 2, "boom": 1, "ZeroDivisionError": 1}
    assert list(chart.figures[0].line.labels) == ["killed", "boom", "ZeroDivisionError"]


def test_sum_last_value_and_summary_of_a_custom_event():
    def main():
        chart = TelemetryChart([sum_("shop.order.done.total"), last_value("shop.order.done.total"),
                                summary("shop.order.done.total")], live=False)
        for v in (10, 30, 20):
            telemetry.execute(("shop", "order", "done"), {"total": v}, {})
        chart.refresh()
        first = chart.values()
        chart.refresh()                                  # a period with no events
        return first, chart.values()
    first, second = run(main)
    assert first == {"shop.order.done.total (sum)": {"shop.order.done.total": 60.0},
                     "shop.order.done.total (last value)": {"shop.order.done.total": 20},
                     "shop.order.done.total (summary)": {"mean": 20.0, "min": 10, "max": 30}}
    assert second["shop.order.done.total (sum)"] == {"shop.order.done.total": 60.0}  # a sum keeps its total
    assert second["shop.order.done.total (summary)"]["mean"] is None                 # a summary is per period


def test_each_refresh_adds_a_point_at_the_runtime_clock_time():
    def main():
        chart = TelemetryChart([counter("beamlab.process.spawn.count")], live=False)
        for _ in range(3):
            spawn(lambda: None)
            sleep(1)
            chart.refresh()
        return chart
    line = run(main).figures[0].line
    assert list(line.x) == [-2.0, -1.0, 0.0] and list(line.y) == [1.0, 2.0, 3.0]


def test_the_handler_only_counts_so_a_burst_of_events_is_cheap_and_exact():
    def main():
        chart = TelemetryChart([counter("burst.event.count")], live=False)
        tele = current_runtime().telemetry
        for _ in range(50_000):
            tele.execute(("burst", "event"), {}, {})
        chart.refresh()
        return chart.values()["burst.event.count (counter)"]["burst.event.count"]
    assert run(main) == 50_000


def test_a_saved_chart_keeps_its_latest_values_as_html():
    def main():
        chart = TelemetryChart([counter("beamlab.process.spawn.count")], live=False)
        spawn(lambda: None)
        sleep(0.01)
        chart.refresh()
        return chart._repr_mimebundle_()[0]["text/html"]
    assert "beamlab.process.spawn.count: 1" in run(main)


def test_a_bare_metric_name_is_a_counter_when_it_ends_in_count():
    from beamlab.widgets import telemetry_chart

    def main():
        chart = telemetry_chart("beamlab.process.spawn.count", "my_app.request.stop.duration", live=False)
        return [f.metric.kind for f in chart.figures]
    assert run(main) == ["counter", "summary"]


def test_a_counter_with_no_event_yet_draws_a_flat_zero_line_that_says_so():
    from beamlab.widgets.telemetry_chart import _MetricFigure
    fig = _MetricFigure(counter("beamlab.supervisor.restart.count"), window=10)
    fig.add(0.0, {})
    fig.add(0.5, {})
    fig.draw()
    assert list(fig.line.y) == [0.0, 0.0]
    assert fig.line.labels == ["beamlab.supervisor.restart.count: no events yet"]
