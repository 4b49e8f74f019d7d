"""Observer: the process table (sorting, paging, filtering, inspecting) and the load charts."""
from __future__ import annotations

from widget_clicks import click

from beamlab.runtime import MockClock, Runtime, current_runtime, receive, register, send, sleep, spawn
from beamlab.widgets.observer import Observer, ProcessTable, SystemCharts


def run(main):
    return Runtime(clock=MockClock()).run(main)


def idle():
    receive(lambda m: m == "stop")


def settle():
    sleep(0.01)


def test_the_table_counts_every_process_and_shows_one_page():
    def main():
        for _ in range(60):
            spawn(idle)
        settle()
        table = ProcessTable(page_size=25)
        return table.total, len(table.rows), table.summary
    assert run(main) == (61, 25, f"61 processes · limit {Runtime().process_limit:,} (+P)")


def test_the_summary_shows_the_process_count_against_the_process_limit():
    def main():
        for _ in range(10):
            spawn(idle)
        settle()
        current_runtime().process_limit = 5_000
        table = ProcessTable()
        table.set_state({"query": "idle"})
        settle()
        return table.summary
    assert run(main) == "10 processes matching 'idle' · 11 of at most 5,000 in all (+P)"


def test_clicking_the_mailbox_header_sorts_the_busiest_mailbox_first():
    def main():
        pids = [spawn(idle) for _ in range(5)]
        for _ in range(7):
            send(pids[3], "work")
        settle()
        table = ProcessTable()
        table.set_state({"sort_by": "message_queue_len", "descending": True})   # as the browser does
        settle()
        return str(pids[3]), table.rows[0]
    pid, first = run(main)
    assert (first["pid"], first["message_queue_len"]) == (pid, 7)


def test_the_next_page_continues_where_the_first_ended():
    def main():
        for _ in range(30):
            spawn(idle)
        settle()
        table = ProcessTable(sort_by="pid", descending=False, page_size=10)
        first = [r["pid"] for r in table.rows]
        table.set_state({"page": 1})
        settle()
        return first, [r["pid"] for r in table.rows]
    first, second = run(main)
    assert len(set(first + second)) == 20
    assert int(second[0].split(".")[1]) > int(first[-1].split(".")[1])


def test_the_filter_keeps_processes_whose_name_matches():
    def main():
        for i in range(3):
            register(f"cache_{i}", spawn(idle))
        spawn(idle)
        settle()
        table = ProcessTable()
        table.set_state({"query": "cache"})
        settle()
        return table.total, sorted(r["name"] for r in table.rows)
    assert run(main) == (3, ["cache_0", "cache_1", "cache_2"])


def test_selecting_a_row_opens_the_inspector_and_kill_kills_it():
    def main():
        pid = spawn(idle)
        register("victim", pid)
        settle()
        table = ProcessTable()
        click(table, type="inspect", pid=str(pid))
        settle()
        title = table.inspector["title"]
        click(table, type="action", action="kill")
        settle()
        table.refresh()
        return title, current_runtime().process_info(pid), table.inspector
    title, info, inspector = run(main)
    assert title.startswith("victim <0.")
    assert info is None
    assert inspector["alive"] is False and "reason 'killed'" in inspector["message"]


def test_each_refresh_adds_one_point_to_every_chart_with_rates_per_second():
    def main():
        charts = SystemCharts()
        pid = spawn(idle)
        for _ in range(10):
            send(pid, "m")
        sleep(2)
        charts.refresh()
        return charts
    charts = run(main)
    assert len(charts.lines["processes"].x) == 2
    assert list(charts.lines["processes"].y) == [1.0, 2.0]
    assert charts.lines["messages_per_s"].y[-1] == 5.0     # 10 messages in 2 s


def test_a_saved_observer_keeps_a_static_table():
    def main():
        register("worker_a", spawn(idle))
        settle()
        obs = Observer(live=False)
        return obs._repr_mimebundle_()
    data, _ = run(main)
    assert "worker_a" in data["text/html"] and "<table" in data["text/html"]


def test_the_current_function_is_the_learners_frame_not_a_librarys():
    import numpy
    from beamlab.widgets._procs import learner_function
    lib = numpy.__file__
    info = {"current_function": "_is_numpy",
            "current_stacktrace": [(lib, 10, "_is_numpy"), (lib, 20, "asarray"),
                                   ("/tmp/ipykernel_1/123.py", 3, "pinger")]}
    assert learner_function(info) == "pinger"
    assert learner_function({"current_function": "receive", "current_stacktrace": []}) == "receive"


def test_count_axes_tick_whole_numbers_from_zero():
    import bqplot as bq
    from beamlab.widgets._charts import COUNT_FORMAT, fit_y
    scale, axis = bq.LinearScale(), bq.Axis(scale=bq.LinearScale(), tick_format=COUNT_FORMAT)
    fit_y(scale, [0.2, 0.67, 0.4], axis)
    assert (scale.min, scale.max) == (0.0, 1.0) and list(axis.tick_values) == [0.0, 1.0]
    fit_y(scale, [3, 14_000], axis)
    assert scale.min == 0.0 and list(axis.tick_values) == [0.0, 10_000.0, 20_000.0]
