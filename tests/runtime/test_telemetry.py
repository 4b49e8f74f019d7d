"""Telemetry, as Erlang's :telemetry: attach, attach_many, detach, list_handlers, execute, span."""
from __future__ import annotations

import logging

import pytest

from beamlab.runtime import ANY, exit, receive, self, send, sleep, spawn_monitor, telemetry


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, event, measurements, metadata, config):
        self.calls.append((event, measurements, metadata, config))

    @property
    def events(self):
        return [c[0] for c in self.calls]


def test_an_attached_handler_gets_event_measurements_metadata_and_config(run):
    rec = Recorder()

    def main():
        telemetry.attach("h1", ("app", "request", "done"), rec, config={"unit": "ms"})
        telemetry.execute(("app", "request", "done"), {"duration": 12}, {"path": "/"})

    run(main)
    assert rec.calls == [(("app", "request", "done"), {"duration": 12}, {"path": "/"},
                          {"unit": "ms"})]


def test_a_handler_is_not_called_for_other_events(run):
    rec = Recorder()

    def main():
        telemetry.attach("h1", ("app", "a"), rec)
        telemetry.execute(("app", "b"), {}, {})

    run(main)
    assert rec.calls == []


def test_an_event_may_be_given_as_a_list(run):
    rec = Recorder()

    def main():
        telemetry.attach("h1", ["app", "a"], rec)
        telemetry.execute(["app", "a"], {"n": 1}, {})

    run(main)
    assert rec.events == [("app", "a")]


def test_attach_many_calls_one_handler_for_several_events(run):
    rec = Recorder()

    def main():
        telemetry.attach_many("h1", [("app", "start"), ("app", "stop")], rec)
        telemetry.execute(("app", "start"), {}, {})
        telemetry.execute(("app", "stop"), {}, {})

    run(main)
    assert rec.events == [("app", "start"), ("app", "stop")]


def test_every_handler_attached_to_an_event_is_called(run):
    first, second = Recorder(), Recorder()

    def main():
        telemetry.attach("first", ("app", "x"), first)
        telemetry.attach("second", ("app", "x"), second)
        telemetry.execute(("app", "x"), {}, {})

    run(main)
    assert len(first.calls) == len(second.calls) == 1


def test_detach_stops_the_handler_and_returns_true(run):
    rec = Recorder()

    def main():
        telemetry.attach_many("h1", [("app", "a"), ("app", "b")], rec)
        detached = telemetry.detach("h1")
        telemetry.execute(("app", "a"), {}, {})
        telemetry.execute(("app", "b"), {}, {})
        return detached

    assert run(main) is True
    assert rec.calls == []


def test_detaching_an_unknown_handler_returns_false(run):
    assert run(lambda: telemetry.detach("never attached")) is False


def test_attaching_the_same_id_twice_is_an_error_saying_what_to_do(run):
    def main():
        telemetry.attach("dup", ("app", "a"), Recorder())
        with pytest.raises(ValueError, match="already attached; detach it first"):
            telemetry.attach("dup", ("app", "b"), Recorder())
        return "ok"

    assert run(main) == "ok"


@pytest.mark.parametrize("bad_event", [(), "app.request", ("app", 1)])
def test_an_event_must_be_a_non_empty_tuple_of_strings(run, bad_event):
    def main():
        with pytest.raises(ValueError, match="tuple of strings"):
            telemetry.attach("h", bad_event, Recorder())
        return "ok"

    assert run(main) == "ok"


def test_list_handlers_lists_handlers_whose_event_starts_with_a_prefix(run):
    def main():
        telemetry.attach("db", ("app", "db", "query"), Recorder())
        telemetry.attach("http", ("app", "http", "request"), Recorder())
        telemetry.attach("other", ("lib", "x"), Recorder())
        return ([h["id"] for h in telemetry.list_handlers(("app",))],
                [h["id"] for h in telemetry.list_handlers(("app", "db"))],
                sorted(h["id"] for h in telemetry.list_handlers(())))

    assert run(main) == (["db", "http"], ["db"], ["db", "http", "other"])


def test_list_handlers_describes_each_handler(run):
    rec = Recorder()

    def main():
        telemetry.attach("db", ("app", "db"), rec, config=42)
        return telemetry.list_handlers(("app",))

    assert run(main) == [{"id": "db", "event_name": ("app", "db"), "function": rec, "config": 42}]


def test_a_failing_handler_is_detached_from_all_its_events(run):
    calls = []

    def bad(event, measurements, metadata, config):
        calls.append(event)
        raise RuntimeError("handler bug")

    def main():
        telemetry.attach_many("bad", [("app", "a"), ("app", "b")], bad)
        telemetry.execute(("app", "a"), {}, {})
        telemetry.execute(("app", "a"), {}, {})
        telemetry.execute(("app", "b"), {}, {})
        return telemetry.list_handlers(())

    assert run(main) == []
    assert calls == [("app", "a")]


def test_a_failing_handler_emits_a_telemetry_handler_failure_event(run):
    failures = Recorder()

    def bad(event, measurements, metadata, config):
        raise RuntimeError("handler bug")

    def main():
        telemetry.attach("watch", ("telemetry", "handler", "failure"), failures)
        telemetry.attach("bad", ("app", "a"), bad, config="cfg")
        telemetry.execute(("app", "a"), {}, {})

    run(main)
    [(event, measurements, metadata, _)] = failures.calls
    assert event == ("telemetry", "handler", "failure")
    assert metadata["handler_id"] == "bad"
    assert metadata["event_name"] == ("app", "a")
    assert metadata["handler_config"] == "cfg"
    assert metadata["kind"] == "RuntimeError"
    assert "handler bug" in metadata["stacktrace"]


def test_a_failing_handler_is_logged(run, caplog):
    def bad(event, measurements, metadata, config):
        raise RuntimeError("handler bug")

    def main():
        telemetry.attach("bad", ("app", "a"), bad)
        telemetry.execute(("app", "a"), {}, {})

    with caplog.at_level(logging.ERROR, logger="beamlab.telemetry"):
        run(main)
    assert "'bad'" in caplog.text and "detached" in caplog.text


def test_a_failing_handler_does_not_stop_the_other_handlers(run):
    good = Recorder()

    def bad(event, measurements, metadata, config):
        raise RuntimeError("handler bug")

    def main():
        telemetry.attach("bad", ("app", "a"), bad)
        telemetry.attach("good", ("app", "a"), good)
        telemetry.execute(("app", "a"), {}, {})

    run(main)
    assert len(good.calls) == 1


def test_span_emits_start_and_stop_around_the_function_and_returns_its_result(run):
    rec = Recorder()

    def main():
        telemetry.attach_many("h", [("app", "job", "start"), ("app", "job", "stop")], rec)
        return telemetry.span(("app", "job"), {"job": 1}, lambda: "result")

    assert run(main) == "result"
    assert rec.events == [("app", "job", "start"), ("app", "job", "stop")]
    start, stop = rec.calls
    assert start[2] == {"job": 1} and "monotonic_time" in start[1]
    assert stop[2] == {"job": 1} and stop[1]["duration"] >= 0


def test_span_takes_stop_metadata_from_a_result_and_metadata_pair(run):
    rec = Recorder()

    def main():
        telemetry.attach("h", ("app", "job", "stop"), rec)
        return telemetry.span(("app", "job"), {"job": 1}, lambda: ("result", {"rows": 3}))

    assert run(main) == "result"
    assert rec.calls[0][2] == {"rows": 3}


def test_span_emits_exception_and_reraises_when_the_function_raises(run):
    rec = Recorder()

    def main():
        telemetry.attach_many("h", [("app", "job", "start"), ("app", "job", "stop"),
                                    ("app", "job", "exception")], rec)
        with pytest.raises(KeyError):
            telemetry.span(("app", "job"), {"job": 1}, lambda: {}["missing"])
        return "ok"

    assert run(main) == "ok"
    assert rec.events == [("app", "job", "start"), ("app", "job", "exception")]
    assert rec.calls[1][2]["kind"] == "KeyError"


def test_the_runtime_emits_spawn_and_exit_events(run):
    rec = Recorder()

    def main():
        telemetry.attach_many("h", [("beamlab", "process", "spawn"),
                                    ("beamlab", "process", "exit")], rec)
        pid, ref = spawn_monitor(lambda: exit("done"))
        receive(("DOWN", ref, ANY, ANY, ANY))
        return pid

    pid = run(main)
    spawns = [c[2] for c in rec.calls if c[0][-1] == "spawn"]
    exits = [c[2] for c in rec.calls if c[0][-1] == "exit"]
    assert [s["pid"] for s in spawns] == [pid]
    assert spawns[0]["initial_call"].endswith("<lambda>")
    assert [e["reason"] for e in exits if e["pid"] == pid] == ["done"]


def test_handlers_belong_to_one_runtime(run):
    rec = Recorder()

    def first():
        telemetry.attach("h", ("app", "a"), rec)

    def second():
        telemetry.execute(("app", "a"), {}, {})
        return telemetry.list_handlers(())

    run(first)
    assert run(second) == []
    assert rec.calls == []


def test_handlers_run_in_the_process_that_executes_the_event(run):
    seen = []

    def main():
        telemetry.attach("h", ("app", "a"), lambda e, m, md, c: seen.append(self()))
        pid, ref = spawn_monitor(lambda: telemetry.execute(("app", "a"), {}, {}))
        receive(("DOWN", ref, ANY, ANY, ANY))
        return pid

    assert seen == [run(main)]


def test_the_runtime_reports_message_counts_as_a_vm_stats_event_every_second(run):
    seen = []

    def main():
        telemetry.attach("vm-stats", ("beamlab", "vm", "stats"),
                         lambda event, m, meta, cfg: seen.append(m))
        me = self()
        for i in range(3):
            send(me, i)
            receive()
        sleep(1.5)
        return seen

    events = run(main)
    assert events, "no ('beamlab', 'vm', 'stats') event in 1.5 s"
    last = events[-1]
    assert last["messages_sent"] >= 3 and last["messages_received"] >= 3
    assert {"processes", "run_queue", "reductions", "memory"} <= set(last)
