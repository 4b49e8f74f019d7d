"""GenServer: calls, casts, messages, results, starting and stopping — as Elixir's GenServer."""
from __future__ import annotations

import pytest

import beamlab.runtime as rt
from beamlab.runtime import (ANY, Crash, ProcessExit, current_runtime, exit, monitor,
                             process_flag, receive, self, send, sleep, spawn, whereis)
from beamlab.runtime.otp import (AlreadyStarted, BadReturn, CallExit, GenServer, Ignore,
                                 NoReply, Ok, Reply, StartError, Stop, Supervisor)
from otp_helpers import as_test, report


class Counter(GenServer):
    def init(self, start):
        return Ok(start)

    def handle_call(self, request, from_, count):
        if request == "next":
            return Reply(count, count + 1)
        if request == "slow":
            sleep(60)
            return Reply("late", count)
        if request == "crash":
            raise ZeroDivisionError("division by zero")
        if request == "stop":
            return Stop("normal", count, reply="bye")
        if request == "later":              # deferred: answer from handle_info
            send(self(), ("answer", from_))
            return NoReply(count)
        return Reply(count, count)

    def handle_cast(self, n, count):
        return NoReply(count + n)

    def handle_info(self, message, count):
        if type(message) is tuple and message[0] == "answer":
            GenServer.reply(message[1], ("deferred", count))
            return NoReply(count)
        if message == "timeout":
            report("timed_out", count)
            return NoReply(count)
        return NoReply(count + 100)


# ---------------------------------------------------------------- calls, casts, info

def test_a_call_gets_the_reply_and_the_server_keeps_the_new_state(run):
    def main():
        pid = Counter.start_link(5)
        return GenServer.call(pid, "next"), GenServer.call(pid, "next")
    assert run(main) == (5, 6)


def test_a_cast_changes_the_state_without_waiting(run):
    def main():
        pid = GenServer.start_link(Counter, 0)
        assert GenServer.cast(pid, 10) is None
        return GenServer.get_state(pid)
    assert run(main) == 10


def test_a_plain_message_goes_to_handle_info(run):
    def main():
        pid = Counter.start_link(0)
        send(pid, "hello")
        return GenServer.get_state(pid)
    assert run(main) == 100


def test_a_cast_to_an_unknown_name_is_silently_dropped(run):
    assert run(lambda: GenServer.cast("nobody", "hi")) is None


def test_a_cast_to_a_dead_server_is_silently_dropped(run):
    def main():
        pid = Counter.start(0)
        exit(pid, "kill")
        return GenServer.cast(pid, 1)
    assert run(main) is None


def test_a_cast_that_cannot_be_copied_says_so_and_sends_nothing(run):
    import threading

    def main():
        pid = Counter.start_link(100)
        with pytest.raises(rt.BadArg) as info:
            GenServer.cast(pid, threading.Lock())
        return str(info.value), GenServer.get_state(pid)
    text, state = run(main)
    assert text.startswith("cannot send a lock: messages are copied") and state == 100


def test_a_cast_to_something_that_is_not_a_server_is_a_type_error(run):
    def main():
        with pytest.raises(TypeError) as info:
            GenServer.cast(42, "hi")
        return str(info.value)
    assert run(main) == "GenServer.cast: the server must be a pid or a registered name, got 42"


def test_a_server_started_with_a_name_is_reached_by_that_name(run):
    def main():
        pid = Counter.start_link(1, name="counter")
        return whereis("counter") == pid, GenServer.call("counter", "next")
    assert run(main) == (True, 1)


def test_a_deferred_reply_reaches_the_waiting_caller(run):
    def main():
        pid = Counter.start_link(7)
        return GenServer.call(pid, "later")
    assert run(main) == ("deferred", 7)


def test_get_state_returns_a_copy_the_caller_cannot_change_the_server_with(run):
    def main():
        pid = GenServer.start_link(GenServer, {"items": [1]})     # default init: Ok(arg)
        GenServer.get_state(pid)["items"].append(2)
        return GenServer.get_state(pid)
    assert run(main) == {"items": [1]}


# ---------------------------------------------------------------- call failures

def test_a_call_that_times_out_exits_the_caller_naming_the_server_and_request(run):
    def main():
        pid = Counter.start_link(0)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "slow", timeout=1.0)
        return pid, info.value
    pid, err = run(main)
    assert err.reason == ("timeout", ("GenServer.call", pid, "slow", 1.0))
    assert str(err) == (f"call(<0.{pid.id}.0 Counter>, 'slow') timed out after 1.0 s — is "
                        f"handle_call blocking, or is the server busy? (pass timeout=... "
                        f"to wait longer)")


def test_the_default_call_timeout_is_five_seconds(run, clock):
    def main():
        pid = Counter.start_link(0)
        t0 = clock.now()
        with pytest.raises(CallExit):
            GenServer.call(pid, "slow")
        return clock.now() - t0
    assert run(main) == 5.0


@pytest.mark.parametrize("bad", ["5", -1, True, float("nan"), None])
def test_a_call_with_a_bad_timeout_says_what_a_timeout_is_and_sends_nothing(run, bad):
    def main():
        pid = Counter.start_link(0)
        with pytest.raises(TypeError) as info:
            GenServer.call(pid, "next", timeout=bad)
        return str(info.value), GenServer.call(pid, "next")
    text, first = run(main)
    assert "the timeout must be a number of seconds >= 0, or \"infinity\"" in text
    assert first == 0       # the bad call never reached the server


def test_an_uncaught_call_timeout_exits_the_caller_with_that_reason(run):
    def main():
        process_flag("trap_exit", True)
        server = Counter.start(0)
        caller, ref = rt.spawn_monitor(GenServer.call, server, "slow", 0.5)
        return server, receive(("DOWN", ref, ANY, ANY, ANY))[4]
    server, reason = run(main)
    assert reason == ("timeout", ("GenServer.call", server, "slow", 0.5))


def test_a_reply_that_comes_after_the_timeout_never_reaches_the_mailbox(run):
    def main():
        pid = Counter.start_link(0)
        with pytest.raises(CallExit):
            GenServer.call(pid, "slow", timeout=1.0)
        sleep(120)                          # the server replies at t=60
        return receive(timeout=0, default="empty")
    assert run(main) == "empty"


def test_a_call_to_a_dead_server_exits_with_noproc(run):
    def main():
        pid = Counter.start(0)
        exit(pid, "kill")
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "next")
        return pid, info.value
    pid, err = run(main)
    assert err.reason == ("noproc", ("GenServer.call", pid, "next", 5.0))
    assert "not alive (noproc)" in str(err)


def test_a_call_to_an_unregistered_name_exits_with_noproc(run):
    def main():
        with pytest.raises(CallExit) as info:
            GenServer.call("ghost", "next")
        return info.value
    err = run(main)
    assert err.reason == ("noproc", ("GenServer.call", "ghost", "next", 5.0))
    assert "no process is registered as 'ghost'" in str(err)


def test_a_server_that_crashes_during_a_call_exits_the_caller_with_its_crash(run):
    def main():
        pid = Counter.start(0)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "crash")
        return info.value.reason
    why, call = run(main)
    assert isinstance(why, Crash) and why.kind == "ZeroDivisionError"
    assert call[0] == "GenServer.call" and call[2] == "crash"


def test_a_server_calling_itself_fails_at_once_instead_of_deadlocking(run):
    class Selfish(GenServer):
        def handle_call(self, request, from_, state):
            return Reply(GenServer.call(self(), "again"), state)

    def main():
        pid = Selfish.start(None)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "go")
        return info.value.reason[0]
    why = run(main)
    assert why[0] == "calling_self"


# ---------------------------------------------------------------- results

def test_elixir_shaped_tuples_are_accepted_as_results(run):
    class Tuples(GenServer):
        def init(self, arg):
            return ("ok", arg)

        def handle_call(self, request, from_, state):
            return ("reply", state * 2, state + 1)

        def handle_cast(self, request, state):
            return ("noreply", state + 10)

    def main():
        pid = Tuples.start_link(1)
        first = GenServer.call(pid, "x")
        GenServer.cast(pid, "y")
        return first, GenServer.get_state(pid)
    assert run(main) == (2, 12)


def test_a_callback_returning_a_plain_value_crashes_the_server_saying_what_to_return(run):
    class Forgetful(GenServer):
        def handle_call(self, request, from_, state):
            return state + 1

    def main():
        pid = Forgetful.start(1)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "x")
        return info.value.reason[0]
    crash = run(main)
    assert isinstance(crash.exception, BadReturn)
    assert "handle_call returned 2; return Reply(value, state)" in str(crash.exception)


def test_a_timeout_in_a_result_delivers_timeout_to_handle_info_when_idle(run, clock):
    class Idle(Counter):
        def handle_cast(self, n, count):
            return NoReply(count + n, timeout=2.0)

    def main():
        as_test()
        pid = Idle.start_link(0)
        GenServer.cast(pid, 1)
        t0 = clock.now()
        receive(("timed_out", 1))
        return clock.now() - t0
    assert run(main) == 2.0


def test_a_message_arriving_first_cancels_the_result_timeout(run):
    class Idle(Counter):
        def handle_cast(self, n, count):
            return NoReply(count + n, timeout=2.0)

    def main():
        as_test()
        pid = Idle.start_link(0)
        GenServer.cast(pid, 1)
        send(pid, "hello")                  # handle_info, no timeout this time
        sleep(10)
        return receive(("timed_out", ANY), timeout=0, default=None)
    assert run(main) is None


def test_continue_runs_before_the_next_message(run):
    class Continued(GenServer):
        def init(self, arg):
            return Ok([], continue_="load")

        def handle_continue(self, arg, log):
            return NoReply(log + [arg])

        def handle_call(self, request, from_, log):
            return Reply(log, log)

    assert run(lambda: GenServer.call(Continued.start_link(None), "log")) == ["load"]


# ---------------------------------------------------------------- starting

def test_init_returning_ignore_starts_nothing_and_returns_none(run):
    class Shy(GenServer):
        def init(self, arg):
            return Ignore()
    assert run(lambda: Shy.start_link(None)) is None


def test_init_returning_stop_makes_start_raise_with_that_reason(run):
    class Refuses(GenServer):
        def init(self, arg):
            return Stop("no_config")

    def main():
        with pytest.raises(StartError) as info:
            Refuses.start(None)
        return info.value.reason
    assert run(main) == "no_config"


def test_init_crashing_makes_start_raise_with_the_crash(run):
    class Broken(GenServer):
        def init(self, arg):
            return Ok(1 / arg)

    def main():
        with pytest.raises(StartError) as info:
            Broken.start(0)
        return info.value
    err = run(main)
    assert err.reason.kind == "ZeroDivisionError"
    assert str(err) == "Broken.init crashed: ZeroDivisionError: division by zero"


def test_starting_under_a_taken_name_raises_already_started_with_the_owner(run):
    def main():
        first = Counter.start(0, name="c")
        with pytest.raises(AlreadyStarted) as info:
            Counter.start(0, name="c")
        return first, info.value
    first, err = run(main)
    assert err.pid == first and err.reason == ("already_started", first)


def test_a_linked_starter_dies_with_the_reason_init_stopped_with(run):
    class Refuses(GenServer):
        def init(self, arg):
            return Stop("no_config")

    def starter():
        try:
            Refuses.start_link(None)
        except StartError:
            sleep(1)                    # the link's exit signal arrives meanwhile

    def main():
        pid, ref = rt.spawn_monitor(starter)
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]
    assert run(main) == "no_config"


# ---------------------------------------------------------------- stopping

class Traps(GenServer):
    def init(self, tag):
        process_flag("trap_exit", True)
        return Ok(tag)

    def terminate(self, reason, tag):
        report("terminated", tag, reason)


def test_stop_runs_terminate_and_waits_until_the_server_is_gone(run):
    def main():
        as_test()
        pid = Traps.start_link("t")
        GenServer.stop(pid, "normal")
        return rt.is_process_alive(pid), receive(("terminated", ANY, ANY), timeout=0)
    assert run(main) == (False, ("terminated", "t", "normal"))


def test_stop_of_a_dead_server_exits_with_noproc(run):
    def main():
        pid = Counter.start(0)
        exit(pid, "kill")
        with pytest.raises(CallExit) as info:
            GenServer.stop(pid)
        return info.value.reason
    assert run(main) == "noproc"


def test_a_stop_result_with_a_reply_replies_and_the_server_exits_with_the_reason(run):
    def main():
        pid = Counter.start(0)
        ref = monitor(pid)
        answer = GenServer.call(pid, "stop")
        return answer, receive(("DOWN", ref, ANY, ANY, ANY))[4]
    assert run(main) == ("bye", "normal")


class SlowToTerminate(GenServer):
    """Stops with a reply; its terminate takes a while and says when it is done."""

    def handle_call(self, request, from_, state):
        return Stop("normal", state, reply="bye")

    def terminate(self, reason, state):
        sleep(1)
        report("terminated", reason)
        if state == "raise":
            raise RuntimeError("terminate failed")


def test_a_stop_result_with_a_reply_runs_terminate_before_the_reply_is_sent(run):
    # gen_server: {stop, Reason, Reply, State} runs terminate, then replies (OTP 25's
    # try terminate(...) after reply(From, Reply) end): the caller never carries on
    # while the server is still cleaning up.
    def main():
        as_test()
        pid = SlowToTerminate.start("ok")
        answer = GenServer.call(pid, "stop")
        return answer, receive(("terminated", ANY), timeout=0, default="terminate not done")
    assert run(main) == ("bye", ("terminated", "normal"))


def test_a_call_to_a_server_that_stops_as_it_replies_leaves_no_down_in_the_callers_mailbox(run):
    # gen:call takes the reply, then demonitor(Mref, [flush]): the server's DOWN,
    # which came before the caller ran again, is dropped with the monitor.
    def main():
        pid = Counter.start(0)
        answer = GenServer.call(pid, "stop")
        sleep(1)
        return answer, rt.is_process_alive(pid), receive(timeout=0, default="empty mailbox")
    assert run(main) == ("bye", False, "empty mailbox")


def test_a_call_with_timeout_zero_times_out_but_the_server_still_gets_the_request(run):
    # gen:call sends, then receive ... after 0: the server has not run yet, so the
    # caller exits with timeout; the request is still handled and its reply dropped.
    def main():
        pid = Counter.start(5)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "next", 0)
        state = GenServer.get_state(pid)
        return info.value.reason, state, receive(timeout=0, default="empty mailbox")
    reason, state, mailbox = run(main)
    assert reason[0] == "timeout" and reason[1][2:] == ("next", 0)
    assert state == 6 and mailbox == "empty mailbox"


def test_a_call_with_timeout_zero_to_a_dead_server_is_noproc(run):
    def main():
        pid = Counter.start(0)
        GenServer.stop(pid)
        with pytest.raises(CallExit) as info:
            GenServer.call(pid, "next", 0)
        return info.value.reason[0]
    assert run(main) == "noproc"


def test_a_stop_result_with_a_reply_still_replies_when_terminate_raises(run):
    def main():
        as_test()
        pid = SlowToTerminate.start("raise")
        ref = monitor(pid)
        answer = GenServer.call(pid, "stop")
        return answer, receive(("DOWN", ref, ANY, ANY, ANY))[4]
    answer, reason = run(main)
    assert answer == "bye"
    assert isinstance(reason, Crash) and reason.kind == "RuntimeError"


def test_a_crash_in_a_callback_runs_terminate_with_the_crash(run):
    class Crashy(Traps):
        def handle_cast(self, request, tag):
            raise KeyError(request)

    def main():
        as_test()
        pid = Crashy.start("c")
        GenServer.cast(pid, "missing")
        return receive(("terminated", ANY, ANY))[2]
    reason = run(main)
    assert isinstance(reason, Crash) and reason.kind == "KeyError"


def test_terminate_runs_when_the_parent_shuts_down_a_server_that_traps_exits(run):
    def main():
        as_test()
        sup = Supervisor.start_link([(Traps, "child")])
        Supervisor.stop(sup)
        return receive(("terminated", ANY, ANY), timeout=0)
    assert run(main) == ("terminated", "child", "shutdown")


class TrapsAndReports(Traps):
    def handle_info(self, message, tag):
        report("info", message)
        return NoReply(tag)


def test_an_unlinked_server_is_its_own_parent_so_its_starters_exit_signal_is_a_message(run):
    # gen:start with nolink makes the server its own parent: an exit signal from the
    # process that started it is an ordinary one, trapped into handle_info.
    def starter():
        pid = TrapsAndReports.start("unlinked")
        report("server", pid)
        exit(pid, "boom")
        receive()

    def main():
        as_test()
        first = spawn(starter)
        pid = receive(("server", ANY))[1]
        info = receive(("info", ANY))
        late = receive(("terminated", ANY, ANY), timeout=0.1, default="no terminate")
        return first, info, late, rt.is_process_alive(pid)
    first, info, late, alive = run(main)
    assert info == ("info", ("EXIT", first, "boom"))
    assert late == "no terminate" and alive


def test_a_linked_server_still_stops_when_its_parent_sends_it_an_exit_signal(run):
    def starter():
        pid = TrapsAndReports.start_link("linked")
        report("server", pid)
        exit(pid, "boom")
        receive()

    def main():
        as_test()
        spawn(starter)
        receive(("server", ANY))
        return receive(("terminated", ANY, ANY), ("info", ANY))
    assert run(main) == ("terminated", "linked", "boom")


def test_terminate_does_not_run_when_a_server_that_does_not_trap_exits_is_shut_down(run):
    class NoTrap(Traps):
        def init(self, tag):
            return Ok(tag)

    def main():
        as_test()
        sup = Supervisor.start_link([(NoTrap, "child")])
        Supervisor.stop(sup)
        return receive(("terminated", ANY, ANY), timeout=0, default=None)
    assert run(main) is None


def test_a_killed_server_does_not_run_terminate(run):
    def main():
        as_test()
        pid = Traps.start("t")
        exit(pid, "kill")
        sleep(1)
        return receive(("terminated", ANY, ANY), timeout=0, default=None)
    assert run(main) is None


# ---------------------------------------------------------------- introspection

def test_an_idle_server_holds_no_greenlet(run):
    def main():
        pid = Counter.start_link(0)
        GenServer.call(pid, "next")
        return current_runtime()._table[pid.id].greenlet
    assert run(main) is None


def test_format_status_shows_the_behaviour_class_and_state_without_a_message(run):
    def main():
        pid = Counter.start_link(41, name="answer")
        GenServer.cast(pid, 1)
        GenServer.get_state(pid)
        return current_runtime()._table[pid.id].reactor.format_status(), rt.process_info(pid)
    status, info = run(main)
    assert status["behaviour"] == "GenServer" and status["module"] == "Counter"
    assert status["state"] == 42 and status["name"] == "answer"
    assert info["behaviour"] == "GenServer" and info["state"] == 42
    assert info["initial_call"] == "Counter.init/1"


def test_counter_start_link_and_genserver_start_link_are_the_same(run):
    def main():
        a = Counter.start_link(3)
        b = GenServer.start_link(Counter, 3)
        return GenServer.call(a, "peek"), GenServer.call(b, "peek")
    assert run(main) == (3, 3)


def test_a_process_exit_inside_a_callback_is_the_servers_exit_reason(run):
    class Quitter(GenServer):
        def handle_cast(self, request, state):
            exit(("shutdown", request))

    def main():
        pid = Quitter.start(None)
        ref = monitor(pid)
        GenServer.cast(pid, "done")
        return receive(("DOWN", ref, ANY, ANY, ANY))[4]
    assert run(main) == ("shutdown", "done")


def test_spawn_is_still_usable_alongside_servers(run):
    def main():
        me = self()
        spawn(lambda: send(me, GenServer.call(Counter.start(9), "peek")))
        return receive()
    assert run(main) == 9


def test_self_called_inside_a_callback_is_the_servers_pid(run):
    class Whoami(GenServer):
        def handle_call(self, request, from_, state):
            return Reply(self(), state)

    def main():
        pid = Whoami.start_link(None)
        return pid, GenServer.call(pid, "who")
    pid, answer = run(main)
    assert answer == pid


_ = ProcessExit
