%% gen_server (tests/oracle/oracle_scenarios/gen_servers.py is the beamlab twin).
%% Servers are oracle_gs with their callbacks written inline as funs.
-module(sc_gen_server).
-export([scenarios/0]).
-export([gs_call_and_cast/0, gs_call_times_out/0, gs_call_to_a_dead_server_is_noproc/0,
         gs_call_to_an_unknown_name_is_noproc/0, gs_call_to_a_server_that_crashes/0,
         gs_stop_with_a_reply_runs_terminate_first/0, gs_unlinked_server_is_its_own_parent/0,
         gs_linked_parent_exit_terminates_a_trapping_server/0, gs_deferred_reply/0,
         gs_handle_info_gets_plain_messages/0, gs_timeout_result_gives_handle_info_timeout/0,
         gs_stop_runs_terminate/0, gs_init_stop_fails_the_start/0, gs_init_ignore/0,
         gs_start_with_a_taken_name/0, gs_crash_in_cast_runs_terminate/0, gs_get_state/0,
         gs_call_to_itself_is_calling_self/0, gs_continue_runs_before_any_message/0,
         gs_stop_from_a_cast/0, gs_init_crash_fails_the_start/0,
         gs_cast_to_a_dead_server_is_ok/0, gs_stop_of_a_dead_server_exits_noproc/0,
         gs_stop_without_a_reply_fails_the_call/0, gs_late_reply_after_a_timeout_is_dropped/0,
         gs_call_infinity_to_a_crashing_server/0,
         gs_reply_with_a_timeout_gives_handle_info_timeout/0,
         gs_terminate_runs_when_its_supervisor_shuts_it_down/0,
         gs_call_with_timeout_zero_times_out_but_the_request_is_handled/0,
         gs_start_times_out_when_init_is_slow/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [gs_call_and_cast, gs_call_times_out, gs_call_to_a_dead_server_is_noproc,
     gs_call_to_an_unknown_name_is_noproc, gs_call_to_a_server_that_crashes,
     gs_stop_with_a_reply_runs_terminate_first, gs_unlinked_server_is_its_own_parent,
     gs_linked_parent_exit_terminates_a_trapping_server, gs_deferred_reply,
     gs_handle_info_gets_plain_messages, gs_timeout_result_gives_handle_info_timeout,
     gs_stop_runs_terminate, gs_init_stop_fails_the_start, gs_init_ignore,
     gs_start_with_a_taken_name, gs_crash_in_cast_runs_terminate, gs_get_state,
     gs_call_to_itself_is_calling_self, gs_continue_runs_before_any_message,
     gs_stop_from_a_cast, gs_init_crash_fails_the_start, gs_cast_to_a_dead_server_is_ok,
     gs_stop_of_a_dead_server_exits_noproc, gs_stop_without_a_reply_fails_the_call,
     gs_late_reply_after_a_timeout_is_dropped, gs_call_infinity_to_a_crashing_server,
     gs_reply_with_a_timeout_gives_handle_info_timeout,
     gs_terminate_runs_when_its_supervisor_shuts_it_down,
     gs_call_with_timeout_zero_times_out_but_the_request_is_handled,
     gs_start_times_out_when_init_is_slow].

zero() -> list_to_integer("0").

counter() ->
    #{handle_call => fun(get, _From, N) -> {reply, N, N};
                        (inc, _From, N) -> {reply, N, N + 1};
                        (slow, _From, N) -> {noreply, N};
                        (crash, _From, N) -> {reply, N div zero(), N}
                     end,
      handle_cast => fun({add, K}, N) -> {noreply, N + K} end}.

%% A server that traps exits and reports terminate.
trapping(Extra) ->
    maps:merge(#{init => fun(A) -> process_flag(trap_exit, true), {ok, A} end,
                 terminate => fun(R, _) -> emit({terminated, R}) end,
                 handle_call => fun(ping, _, S) -> {reply, pong, S} end},
               Extra).

call_exit(F) -> try F() catch exit:R -> {caught, R} end.

gs_call_and_cast() ->
    {ok, S} = oracle_gs:start_link(counter(), 0),
    emit(gen_server:call(S, get)),
    emit(gen_server:cast(S, {add, 5})),
    emit(gen_server:call(S, get)).

gs_call_times_out() ->
    {ok, S} = oracle_gs:start_link(counter(), 0),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, slow, 50) end)),
    emit(flush()).

gs_call_to_a_dead_server_is_noproc() ->
    {ok, S} = oracle_gs:start(counter(), 0),
    role(S, server),
    gen_server:stop(S),
    emit(call_exit(fun() -> gen_server:call(S, get) end)).

gs_call_to_an_unknown_name_is_noproc() ->
    emit(call_exit(fun() -> gen_server:call(nobody, get, 1000) end)).

gs_call_to_a_server_that_crashes() ->
    {ok, S} = oracle_gs:start(counter(), 0),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, crash) end)).

%% {stop, normal, Reply, State}: terminate runs before the reply is sent.
gs_stop_with_a_reply_runs_terminate_first() ->
    Test = self(),
    {ok, S} = oracle_gs:start(#{handle_call => fun(stop, _, St) -> {stop, normal, bye, St} end,
                                terminate => fun(R, _) ->
                                                     timer:sleep(20),
                                                     Test ! {terminated, R}
                                             end},
                              0),
    emit(gen_server:call(S, stop)),
    emit(flush()).

%% Started unlinked, the server is its own parent: its starter's exit signal is a message.
gs_unlinked_server_is_its_own_parent() ->
    Test = self(),
    Cbs = trapping(#{handle_info => fun(M, St) -> emit({info, M}), {noreply, St} end}),
    Starter = spawn(fun() ->
                            {ok, S} = oracle_gs:start(Cbs, 0),
                            Test ! {server, S},
                            exit(S, boom),
                            receive never -> ok end
                    end),
    role(Starter, starter),
    S = receive {server, X} -> X end,
    role(S, server),
    emit(gen_server:call(S, ping)),
    emit(is_process_alive(S)).

gs_linked_parent_exit_terminates_a_trapping_server() ->
    Test = self(),
    Starter = spawn(fun() ->
                            {ok, S} = oracle_gs:start_link(trapping(#{}), 0),
                            Test ! {server, S},
                            receive go -> exit(boom) end
                    end),
    role(Starter, starter),
    S = receive {server, X} -> X end,
    role(S, server),
    R = monitor(process, S),
    Starter ! go,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

gs_deferred_reply() ->
    {ok, S} = oracle_gs:start_link(
                #{handle_call => fun(later, From, St) -> self() ! {answer, From}, {noreply, St} end,
                  handle_info => fun({answer, From}, St) ->
                                         gen_server:reply(From, {deferred, St}), {noreply, St}
                                 end}, 7),
    emit(gen_server:call(S, later)).

gs_handle_info_gets_plain_messages() ->
    {ok, S} = oracle_gs:start_link(
                #{handle_info => fun(M, St) -> emit({info, M}), {noreply, St + 1} end,
                  handle_call => fun(get, _, St) -> {reply, St, St} end}, 0),
    S ! hello,
    S ! {more, 1},
    emit(gen_server:call(S, get)).

gs_timeout_result_gives_handle_info_timeout() ->
    Test = self(),
    {ok, _} = oracle_gs:start_link(
                #{init => fun(A) -> {ok, A, 30} end,
                  handle_info => fun(M, St) -> emit({info, M}), Test ! done, {noreply, St} end}, 0),
    receive done -> ok end.

gs_stop_runs_terminate() ->
    {ok, S} = oracle_gs:start(trapping(#{}), 0),
    role(S, server),
    R = monitor(process, S),
    emit(gen_server:stop(S, bye, infinity)),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

gs_init_stop_fails_the_start() ->
    emit(oracle_gs:start(#{init => fun(_) -> {stop, no_config} end}, 0)).

gs_init_ignore() ->
    emit(oracle_gs:start(#{init => fun(_) -> ignore end}, 0)).

gs_start_with_a_taken_name() ->
    {ok, S} = oracle_gs:start(db, counter(), 0),
    role(S, first),
    emit(oracle_gs:start(db, counter(), 0)),
    emit(whereis(db)).

gs_crash_in_cast_runs_terminate() ->
    Crashes = fun(N, St) -> {noreply, N div zero() + St} end,
    {ok, S} = oracle_gs:start(trapping(#{handle_cast => Crashes}), 0),
    role(S, server),
    R = monitor(process, S),
    gen_server:cast(S, 1),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

gs_get_state() ->
    {ok, S} = oracle_gs:start_link(counter(), 3),
    gen_server:cast(S, {add, 4}),
    emit(sys:get_state(S)).

gs_call_to_itself_is_calling_self() ->
    {ok, S} = oracle_gs:start(#{handle_call => fun(self, _, St) ->
                                                       R = try gen_server:call(self(), x)
                                                           catch exit:E -> {caught, E} end,
                                                       {reply, R, St}
                                               end}, 0),
    role(S, server),
    emit(gen_server:call(S, self)).

gs_continue_runs_before_any_message() ->
    {ok, S} = oracle_gs:start_link(
                #{init => fun(A) -> {ok, A, {continue, warm}} end,
                  handle_continue => fun(C, St) -> emit({continue, C}), {noreply, [C | St]} end,
                  handle_call => fun(get, _, St) -> {reply, St, St} end}, []),
    emit(gen_server:call(S, get)).

gs_stop_from_a_cast() ->
    Stops = fun(stop, St) -> {stop, {shutdown, asked}, St} end,
    {ok, S} = oracle_gs:start(trapping(#{handle_cast => Stops}), 0),
    role(S, server),
    R = monitor(process, S),
    gen_server:cast(S, stop),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

gs_init_crash_fails_the_start() ->
    emit(oracle_gs:start(#{init => fun(A) -> {ok, A div zero()} end}, 1)).

gs_cast_to_a_dead_server_is_ok() ->
    {ok, S} = oracle_gs:start(counter(), 0),
    gen_server:stop(S),
    emit(gen_server:cast(S, {add, 1})),
    emit(gen_server:cast(nobody, {add, 1})).

gs_stop_of_a_dead_server_exits_noproc() ->
    {ok, S} = oracle_gs:start(counter(), 0),
    gen_server:stop(S),
    emit(call_exit(fun() -> gen_server:stop(S) end)).

gs_stop_without_a_reply_fails_the_call() ->
    {ok, S} = oracle_gs:start(#{handle_call => fun(quit, _, St) -> {stop, normal, St} end}, 0),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, quit) end)).

%% OTP 24+: a reply that comes after the caller gave up never reaches its mailbox.
gs_late_reply_after_a_timeout_is_dropped() ->
    {ok, S} = oracle_gs:start_link(
                #{handle_call => fun(slow, From, St) ->
                                         erlang:send_after(100, self(), {answer, From}),
                                         {noreply, St}
                                 end,
                  handle_info => fun({answer, From}, St) ->
                                         gen_server:reply(From, late), emit(replied), {noreply, St}
                                 end,
                  handle_cast => fun({ping, From}, St) -> From ! pong, {noreply, St} end}, 0),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, slow, 20) end)),
    timer:sleep(200),
    gen_server:cast(S, {ping, self()}),
    receive pong -> ok end,
    emit(flush()).

gs_call_infinity_to_a_crashing_server() ->
    {ok, S} = oracle_gs:start(counter(), 0),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, crash, infinity) end)).

gs_reply_with_a_timeout_gives_handle_info_timeout() ->
    Test = self(),
    {ok, S} = oracle_gs:start_link(
                #{handle_call => fun(get, _, St) -> {reply, St, St, 30} end,
                  handle_info => fun(M, St) -> emit({info, M}), Test ! done, {noreply, St} end}, 5),
    emit(gen_server:call(S, get)),
    receive done -> ok end.

gs_terminate_runs_when_its_supervisor_shuts_it_down() ->
    Child = #{id => server, start => {oracle_gs, start_link, [trapping(#{}), 0]}},
    {ok, Sup} = oracle_sup:start_link({#{}, [Child]}),
    [{server, S, _, _}] = supervisor:which_children(Sup),
    role(S, server),
    R = monitor(process, S),
    ok = supervisor:terminate_child(Sup, server),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

%% gen:call sends, then receive ... after 0: nothing has answered yet.
gs_call_with_timeout_zero_times_out_but_the_request_is_handled() ->
    {ok, S} = oracle_gs:start_link(counter(), 5),
    role(S, server),
    emit(call_exit(fun() -> gen_server:call(S, inc, 0) end)),
    emit(sys:get_state(S)),
    emit(flush()).

%% gen:start's timeout: the starter gets {error, timeout} and the server is killed.
gs_start_times_out_when_init_is_slow() ->
    Slow = #{init => fun(A) -> timer:sleep(500), {ok, A} end},
    emit(oracle_gs:start_opts(Slow, 0, [{timeout, 50}])),
    emit(flush()).
