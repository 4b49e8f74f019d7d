%% supervisor (tests/oracle/oracle_scenarios/supervisors.py is the beamlab twin).
%% Children are oracle:worker_start/1,2: it emits {started, Tag} in the supervisor,
%% so starts are traced in the order the supervisor makes them.
-module(sc_supervisor).
-export([scenarios/0, start_once/0]).
-export([sup_one_for_one_restarts_only_the_failed_child/0,
         sup_one_for_all_restarts_every_child/0, sup_rest_for_one_restarts_the_later_children/0,
         sup_beyond_intensity_the_supervisor_exits_shutdown/0,
         sup_transient_child_is_restarted_only_after_an_abnormal_exit/0,
         sup_temporary_child_is_never_restarted/0,
         sup_permanent_child_is_restarted_after_normal/0, sup_shutdown_brutal_kill/0,
         sup_shutdown_timeout_then_kill/0, sup_shutdown_a_trapping_child_exits_shutdown/0,
         sup_stops_children_in_reverse_order/0, sup_start_child_failure_gives_reason_and_spec/0,
         sup_child_api/0, sup_which_children_and_count_children/0,
         sup_init_fails_when_a_child_fails_to_start/0,
         sup_escalation_reaches_the_parent_supervisor/0,
         sup_restart_child_that_fails_to_start/0,
         sup_terminate_child_forgets_a_temporary_child/0,
         sup_transient_child_is_not_restarted_after_shutdown_tuple/0,
         sup_one_for_all_does_not_restart_a_temporary_sibling/0, sup_init_ignore/0,
         sup_restarts_outside_the_period_do_not_add_up/0,
         sup_terminate_child_by_pid_is_not_found/0,
         sup_a_child_that_keeps_failing_to_restart_exhausts_intensity/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [sup_one_for_one_restarts_only_the_failed_child, sup_one_for_all_restarts_every_child,
     sup_rest_for_one_restarts_the_later_children,
     sup_beyond_intensity_the_supervisor_exits_shutdown,
     sup_transient_child_is_restarted_only_after_an_abnormal_exit,
     sup_temporary_child_is_never_restarted, sup_permanent_child_is_restarted_after_normal,
     sup_shutdown_brutal_kill, sup_shutdown_timeout_then_kill,
     sup_shutdown_a_trapping_child_exits_shutdown, sup_stops_children_in_reverse_order,
     sup_start_child_failure_gives_reason_and_spec, sup_child_api,
     sup_which_children_and_count_children, sup_init_fails_when_a_child_fails_to_start,
     sup_escalation_reaches_the_parent_supervisor, sup_restart_child_that_fails_to_start,
     sup_terminate_child_forgets_a_temporary_child,
     sup_transient_child_is_not_restarted_after_shutdown_tuple,
     sup_one_for_all_does_not_restart_a_temporary_sibling, sup_init_ignore,
     sup_restarts_outside_the_period_do_not_add_up,
     sup_terminate_child_by_pid_is_not_found,
     sup_a_child_that_keeps_failing_to_restart_exhausts_intensity].

child(Id) -> child(Id, []).
child(Id, Opts) ->
    WorkerOpts = proplists:get_value(worker, Opts, []),
    maps:merge(#{id => Id, start => {oracle, worker_start, [Id, WorkerOpts]}},
               maps:from_list(proplists:delete(worker, Opts))).

sup(Strategy, Children) -> sup(Strategy, 3, Children).
sup(Strategy, Intensity, Children) ->
    {ok, S} = oracle_sup:start_link({#{strategy => Strategy, intensity => Intensity, period => 5},
                                    Children}),
    role(S, sup),
    S.

pids(S) -> [{Id, P} || {Id, P, _, _} <- supervisor:which_children(S)].

name_children(S) -> [role(P, Id) || {Id, P} <- pids(S), is_pid(P)].

%% Make the child Id exit with Reason; wait until it is dead.
crash(S, Id, Reason) ->
    {Id, P} = lists:keyfind(Id, 1, pids(S)),
    R = monitor(process, P),
    P ! {exit, Reason},
    receive {'DOWN', R, _, _, _} -> ok end.

sup_one_for_one_restarts_only_the_failed_child() ->
    S = sup(one_for_one, [child(a), child(b), child(c)]),
    name_children(S),
    crash(S, b, boom),
    emit(pids(S)).

sup_one_for_all_restarts_every_child() ->
    S = sup(one_for_all, [child(a, [{worker, [trap]}]), child(b), child(c, [{worker, [trap]}])]),
    name_children(S),
    crash(S, b, boom),
    emit(pids(S)).

sup_rest_for_one_restarts_the_later_children() ->
    S = sup(rest_for_one, [child(a, [{worker, [trap]}]), child(b), child(c, [{worker, [trap]}])]),
    name_children(S),
    crash(S, b, boom),
    emit(pids(S)).

sup_beyond_intensity_the_supervisor_exits_shutdown() ->
    process_flag(trap_exit, true),
    S = sup(one_for_one, 1, [child(a), child(b, [{worker, [trap]}])]),
    crash(S, a, boom),
    crash(S, a, boom),
    receive {'EXIT', S, _} = M -> emit(M) end.

sup_transient_child_is_restarted_only_after_an_abnormal_exit() ->
    S = sup(one_for_one, [child(t, [{restart, transient}])]),
    crash(S, t, boom),
    emit(length(pids(S))),
    crash(S, t, normal),
    emit(pids(S)),
    {ok, _} = supervisor:restart_child(S, t),
    emit(restarted),
    crash(S, t, shutdown),
    emit(pids(S)).

sup_temporary_child_is_never_restarted() ->
    S = sup(one_for_one, [child(t, [{restart, temporary}]), child(p)]),
    name_children(S),
    crash(S, t, boom),
    emit(pids(S)).

sup_permanent_child_is_restarted_after_normal() ->
    S = sup(one_for_one, [child(p)]),
    name_children(S),
    crash(S, p, normal),
    emit(pids(S)).

terminate_and_watch(S, Id) ->
    {Id, P} = lists:keyfind(Id, 1, pids(S)),
    role(P, Id),
    R = monitor(process, P),
    emit(supervisor:terminate_child(S, Id)),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

sup_shutdown_brutal_kill() ->
    S = sup(one_for_one, [child(a, [{shutdown, brutal_kill}, {worker, [trap, stubborn]}])]),
    terminate_and_watch(S, a).

sup_shutdown_timeout_then_kill() ->
    S = sup(one_for_one, [child(a, [{shutdown, 50}, {worker, [trap, stubborn]}])]),
    terminate_and_watch(S, a).

sup_shutdown_a_trapping_child_exits_shutdown() ->
    S = sup(one_for_one, [child(a, [{shutdown, 5000}, {worker, [trap]}])]),
    terminate_and_watch(S, a).

sup_stops_children_in_reverse_order() ->
    process_flag(trap_exit, true),
    S = sup(one_for_one, [child(a, [{worker, [trap]}]), child(b, [{worker, [trap]}]),
                          child(c, [{worker, [trap]}])]),
    emit(gen_server:stop(S)).

failing(Id) ->
    #{id => Id, start => {oracle_gs, start_link, [#{init => fun(_) -> {stop, no_db} end}, x]}}.

sup_start_child_failure_gives_reason_and_spec() ->
    S = sup(one_for_one, []),
    emit(supervisor:start_child(S, failing(bad))),
    emit(pids(S)),
    emit(is_process_alive(S)).

sup_child_api() ->
    S = sup(one_for_one, [child(a)]),
    name_children(S),
    {ok, D} = supervisor:start_child(S, child(d)),
    role(D, d),
    emit(supervisor:start_child(S, child(d))),
    emit(supervisor:restart_child(S, d)),
    emit(supervisor:delete_child(S, d)),
    emit(supervisor:terminate_child(S, d)),
    emit(supervisor:start_child(S, child(d))),
    emit(supervisor:restart_child(S, d)),
    emit(supervisor:terminate_child(S, d)),
    emit(supervisor:delete_child(S, d)),
    emit(supervisor:delete_child(S, d)),
    emit(supervisor:restart_child(S, nope)),
    emit(supervisor:terminate_child(S, nope)),
    emit(pids(S)).

sup_which_children_and_count_children() ->
    Inner = #{id => inner, start => {oracle_sup, start_link, [{#{}, []}]}, type => supervisor},
    S = sup(one_for_one, [child(a), child(b), Inner]),
    supervisor:terminate_child(S, b),
    emit([{Id, is_pid(P), Type} || {Id, P, Type, _} <- supervisor:which_children(S)]),
    emit(maps:from_list(supervisor:count_children(S))).

sup_init_fails_when_a_child_fails_to_start() ->
    process_flag(trap_exit, true),
    emit(oracle_sup:start_link({#{strategy => one_for_one},
                               [child(a, [{worker, [trap]}]), failing(bad), child(c)]})),
    emit([M || {'EXIT', _, _} = M <- flush()]).

sup_escalation_reaches_the_parent_supervisor() ->
    Inner = #{id => inner, type => supervisor,
              start => {oracle_sup, start_link, [{#{intensity => 0, period => 5}, [child(a)]}]}},
    S = sup(one_for_one, [Inner, child(b)]),
    {inner, I} = lists:keyfind(inner, 1, pids(S)),
    role(I, inner),
    {a, A} = lists:keyfind(a, 1, pids(I)),
    R = monitor(process, I),
    A ! {exit, boom},
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    emit([Id || {Id, P} <- pids(S), is_pid(P)]).

named(Id) ->
    #{id => Id, start => {oracle_gs, start_link, [Id, #{}, 0]}}.

sup_restart_child_that_fails_to_start() ->
    S = sup(one_for_one, [named(db)]),
    ok = supervisor:terminate_child(S, db),
    Squatter = spawn(fun() -> receive never -> ok end end),
    role(Squatter, squatter),
    register(db, Squatter),
    emit(supervisor:restart_child(S, db)),
    emit(pids(S)).

sup_terminate_child_forgets_a_temporary_child() ->
    S = sup(one_for_one, [child(t, [{restart, temporary}]), child(p)]),
    emit(supervisor:terminate_child(S, t)),
    emit([Id || {Id, _} <- pids(S)]),
    emit(supervisor:restart_child(S, t)).

sup_transient_child_is_not_restarted_after_shutdown_tuple() ->
    S = sup(one_for_one, [child(t, [{restart, transient}])]),
    crash(S, t, {shutdown, done}),
    emit(pids(S)).

sup_one_for_all_does_not_restart_a_temporary_sibling() ->
    S = sup(one_for_all, [child(a), child(t, [{restart, temporary}]), child(c)]),
    crash(S, a, boom),
    emit([Id || {Id, _} <- pids(S)]).

sup_init_ignore() ->
    emit(oracle_sup:start_link(ignore)).

%% intensity 1 in a 1 s period: two crashes two seconds apart are fine. (OTP stamps
%% restarts in whole seconds, so 1.1 s apart can still fall in one period.)
sup_restarts_outside_the_period_do_not_add_up() ->
    S = sup_period(one_for_one, 1, 1, [child(a)]),
    crash(S, a, boom),
    timer:sleep(2100),
    crash(S, a, boom),
    emit(is_process_alive(S)),
    emit([Id || {Id, P} <- pids(S), is_pid(P)]).

sup_period(Strategy, Intensity, Period, Children) ->
    {ok, S} = oracle_sup:start_link({#{strategy => Strategy, intensity => Intensity,
                                       period => Period}, Children}),
    role(S, sup),
    S.

sup_terminate_child_by_pid_is_not_found() ->
    S = sup(one_for_one, [child(a)]),
    [{a, P}] = pids(S),
    emit(supervisor:terminate_child(S, P)),
    emit(is_process_alive(P)).

%% The first start works; every restart fails. Each failed restart is retried and
%% counted, until the intensity (3) is used up and the supervisor gives up.
sup_a_child_that_keeps_failing_to_restart_exhausts_intensity() ->
    process_flag(trap_exit, true),
    S = sup(one_for_one, 3, [#{id => a, start => {sc_supervisor, start_once, []}}]),
    crash(S, a, boom),
    receive {'EXIT', S, _} = M -> emit(M) end.

%% Runs in the supervisor: its process dictionary counts the attempts.
start_once() ->
    N = case get(attempts) of undefined -> 0; K -> K end,
    put(attempts, N + 1),
    emit({attempt, N}),
    case N of
        0 -> oracle:worker_start(a);
        _ -> {error, down}
    end.
