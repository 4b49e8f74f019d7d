"""GenServer: the twins of erlang/sc_gen_server.erl (oracle_gs's inline callbacks as classes)."""
from __future__ import annotations

from beamlab.runtime import (ANY, exit, is_process_alive, monitor, process_flag, receive, self,
                             send, send_after, sleep, spawn, whereis)
from beamlab.runtime.otp import (CallExit, GenServer, NoReply, Ok, Reply, StartError, Stop,
                                 Supervisor)
from oracle_trace import emit, flush, role

from . import scenario


class Counter(GenServer):
    def handle_call(self, request, from_, n):
        if request == "get":
            return Reply(n, n)
        if request == "inc":
            return Reply(n, n + 1)
        if request == "slow":
            return NoReply(n)
        if request == "crash":
            return Reply(n // 0, n)

    def handle_cast(self, request, n):
        return NoReply(n + request[1])


class Trapping(GenServer):
    """A server that traps exits and reports terminate."""

    def init(self, arg):
        process_flag("trap_exit", True)
        return Ok(arg)

    def terminate(self, reason, state):
        emit(("terminated", reason))

    def handle_call(self, request, from_, state):
        return Reply("pong", state)


def call_exit(fn):
    try:
        return fn()
    except CallExit as e:
        return ("caught", e.reason)


def down(ref):
    return receive(("DOWN", ref, ANY, ANY, ANY))


@scenario
def gs_call_and_cast():
    s = Counter.start_link(0)
    emit(GenServer.call(s, "get"))
    GenServer.cast(s, ("add", 5))
    emit("ok")
    emit(GenServer.call(s, "get"))


@scenario
def gs_call_times_out():
    s = Counter.start_link(0)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "slow", 0.05)))
    emit(flush())


@scenario
def gs_call_to_a_dead_server_is_noproc():
    s = Counter.start(0)
    role(s, "server")
    GenServer.stop(s)
    emit(call_exit(lambda: GenServer.call(s, "get")))


@scenario
def gs_call_to_an_unknown_name_is_noproc():
    emit(call_exit(lambda: GenServer.call("nobody", "get", 1.0)))


@scenario
def gs_call_to_a_server_that_crashes():
    s = Counter.start(0)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "crash")))


class StopsWithReply(GenServer):
    def handle_call(self, request, from_, test):
        return Stop("normal", test, reply="bye")

    def terminate(self, reason, test):
        sleep(0.02)
        send(test, ("terminated", reason))


@scenario
def gs_stop_with_a_reply_runs_terminate_first():
    s = StopsWithReply.start(self())
    emit(GenServer.call(s, "stop"))
    emit(flush())


class TrappingInfo(Trapping):
    def handle_info(self, message, state):
        emit(("info", message))
        return NoReply(state)


@scenario
def gs_unlinked_server_is_its_own_parent():
    test = self()

    def starter():
        s = TrappingInfo.start(0)
        send(test, ("server", s))
        exit(s, "boom")
        receive("never")
    role(spawn(starter), "starter")
    s = receive(("server", ANY))[1]
    role(s, "server")
    emit(GenServer.call(s, "ping"))
    emit(is_process_alive(s))


@scenario
def gs_linked_parent_exit_terminates_a_trapping_server():
    test = self()

    def starter():
        s = Trapping.start_link(0)
        send(test, ("server", s))
        receive("go")
        exit("boom")
    st = spawn(starter)
    role(st, "starter")
    s = receive(("server", ANY))[1]
    role(s, "server")
    ref = monitor(s)
    send(st, "go")
    emit(down(ref))


class Defers(GenServer):
    def handle_call(self, request, from_, state):
        send(self(), ("answer", from_))
        return NoReply(state)

    def handle_info(self, message, state):
        GenServer.reply(message[1], ("deferred", state))
        return NoReply(state)


@scenario
def gs_deferred_reply():
    s = Defers.start_link(7)
    emit(GenServer.call(s, "later"))


class Infos(GenServer):
    def handle_info(self, message, n):
        emit(("info", message))
        return NoReply(n + 1)

    def handle_call(self, request, from_, n):
        return Reply(n, n)


@scenario
def gs_handle_info_gets_plain_messages():
    s = Infos.start_link(0)
    send(s, "hello")
    send(s, ("more", 1))
    emit(GenServer.call(s, "get"))


class TimesOut(GenServer):
    def init(self, test):
        return Ok(test, timeout=0.03)

    def handle_info(self, message, test):
        emit(("info", message))
        send(test, "done")
        return NoReply(test)


@scenario
def gs_timeout_result_gives_handle_info_timeout():
    TimesOut.start_link(self())
    receive("done")


@scenario
def gs_stop_runs_terminate():
    s = Trapping.start(0)
    role(s, "server")
    ref = monitor(s)
    GenServer.stop(s, "bye", "infinity")
    emit("ok")
    emit(down(ref))


class InitStops(GenServer):
    def init(self, arg):
        return Stop("no_config")


class InitIgnores(GenServer):
    def init(self, arg):
        return "ignore"


def start_result(fn):
    """Erlang's {ok, Pid} | ignore | {error, Reason} from beamlab's pid | None | StartError."""
    try:
        pid = fn()
    except StartError as e:
        return ("error", e.reason)
    return "ignore" if pid is None else ("ok", pid)


@scenario
def gs_init_stop_fails_the_start():
    emit(start_result(lambda: InitStops.start(0)))


@scenario
def gs_init_ignore():
    emit(start_result(lambda: InitIgnores.start(0)))


@scenario
def gs_start_with_a_taken_name():
    s = Counter.start(0, name="db")
    role(s, "first")
    emit(start_result(lambda: Counter.start(0, name="db")))
    emit(whereis("db"))


class CrashesOnCast(Trapping):
    def handle_cast(self, n, state):
        return NoReply(n // 0 + state)


@scenario
def gs_crash_in_cast_runs_terminate():
    s = CrashesOnCast.start(0)
    role(s, "server")
    ref = monitor(s)
    GenServer.cast(s, 1)
    emit(down(ref))


@scenario
def gs_get_state():
    s = Counter.start_link(3)
    GenServer.cast(s, ("add", 4))
    emit(GenServer.get_state(s))




class CallsItself(GenServer):
    def handle_call(self, request, from_, state):
        return Reply(call_exit(lambda: GenServer.call(self(), "x")), state)


@scenario
def gs_call_to_itself_is_calling_self():
    s = CallsItself.start(0)
    role(s, "server")
    emit(GenServer.call(s, "self"))


class Continues(GenServer):
    def init(self, arg):
        return Ok(arg, continue_="warm")

    def handle_continue(self, c, state):
        emit(("continue", c))
        return NoReply([c, *state])

    def handle_call(self, request, from_, state):
        return Reply(state, state)


@scenario
def gs_continue_runs_before_any_message():
    s = Continues.start_link([])
    emit(GenServer.call(s, "get"))


class StopsOnCast(Trapping):
    def handle_cast(self, request, state):
        return Stop(("shutdown", "asked"), state)


@scenario
def gs_stop_from_a_cast():
    s = StopsOnCast.start(0)
    role(s, "server")
    ref = monitor(s)
    GenServer.cast(s, "stop")
    emit(down(ref))


class InitCrashes(GenServer):
    def init(self, arg):
        return Ok(arg // 0)


@scenario
def gs_init_crash_fails_the_start():
    emit(start_result(lambda: InitCrashes.start(1)))


@scenario
def gs_cast_to_a_dead_server_is_ok():
    s = Counter.start(0)
    GenServer.stop(s)
    GenServer.cast(s, ("add", 1))
    emit("ok")
    GenServer.cast("nobody", ("add", 1))
    emit("ok")


@scenario
def gs_stop_of_a_dead_server_exits_noproc():
    s = Counter.start(0)
    GenServer.stop(s)
    emit(call_exit(lambda: GenServer.stop(s)))


class QuitsWithoutReply(GenServer):
    def handle_call(self, request, from_, state):
        return Stop("normal", state)


@scenario
def gs_stop_without_a_reply_fails_the_call():
    s = QuitsWithoutReply.start(0)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "quit")))


class RepliesLate(GenServer):
    def handle_call(self, request, from_, state):
        send_after(0.1, self(), ("answer", from_))
        return NoReply(state)

    def handle_info(self, message, state):
        GenServer.reply(message[1], "late")
        emit("replied")
        return NoReply(state)

    def handle_cast(self, request, state):
        send(request[1], "pong")
        return NoReply(state)


@scenario
def gs_late_reply_after_a_timeout_is_dropped():
    s = RepliesLate.start_link(0)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "slow", 0.02)))
    sleep(0.2)
    GenServer.cast(s, ("ping", self()))
    receive("pong")
    emit(flush())


@scenario
def gs_call_infinity_to_a_crashing_server():
    s = Counter.start(0)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "crash", "infinity")))


class ReplyTimesOut(GenServer):
    def handle_call(self, request, from_, state):
        return Reply(state[0], state, timeout=0.03)

    def handle_info(self, message, state):
        emit(("info", message))
        send(state[1], "done")
        return NoReply(state)


@scenario
def gs_reply_with_a_timeout_gives_handle_info_timeout():
    s = ReplyTimesOut.start_link((5, self()))
    emit(GenServer.call(s, "get"))
    receive("done")


@scenario
def gs_terminate_runs_when_its_supervisor_shuts_it_down():
    sup = Supervisor.start_link([{"id": "server", "start": (Trapping.start_link, 0)}])
    [(_, s, _, _)] = Supervisor.which_children(sup)
    role(s, "server")
    ref = monitor(s)
    Supervisor.terminate_child(sup, "server")
    emit(down(ref))


@scenario
def gs_call_with_timeout_zero_times_out_but_the_request_is_handled():
    s = Counter.start_link(5)
    role(s, "server")
    emit(call_exit(lambda: GenServer.call(s, "inc", 0)))
    emit(GenServer.get_state(s))
    emit(flush())


class SlowInit(GenServer):
    def init(self, arg):
        sleep(0.5)
        return Ok(arg)


@scenario
def gs_start_times_out_when_init_is_slow():
    emit(start_result(lambda: SlowInit.start(0, timeout=0.05)))
    emit(flush())
