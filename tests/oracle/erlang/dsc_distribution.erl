%% Distribution: two nodes, main and b (tests/oracle/oracle_scenarios/distribution.py is
%% the beamlab twin; oracle_dist.erl runs these). erlang:disconnect_node/1 cuts the
%% connection; the next contact (net_adm:ping) makes it again.
-module(dsc_distribution).
-export([scenarios/0]).
-export([dist_links_monitors_and_node_monitors_fire_noconnection_on_disconnect/0,
         dist_a_stopped_node_fires_noconnection_and_nodedown/0,
         dist_call_to_a_remote_name_and_to_a_node_that_is_down/0,
         dist_global_names_in_a_split_and_the_conflict_on_heal/0,
         dist_pg_members_across_a_split_and_after_heal/0,
         dist_the_next_send_reconnects_and_spawn_on_a_stopped_node/0]).
-export([idle/0, reg_idle/2, spawn_idle/0, join_idle/1, forward/2]).
-import(oracle, [emit/1, role/2]).
-import(oracle_dist, [b/0, on_b/3, wait_until/2]).

scenarios() ->
    [dist_links_monitors_and_node_monitors_fire_noconnection_on_disconnect,
     dist_a_stopped_node_fires_noconnection_and_nodedown,
     dist_call_to_a_remote_name_and_to_a_node_that_is_down,
     dist_global_names_in_a_split_and_the_conflict_on_heal,
     dist_pg_members_across_a_split_and_after_heal,
     dist_the_next_send_reconnects_and_spawn_on_a_stopped_node].

idle() -> receive never -> ok end.

reg_idle(Name, To) -> register(Name, self()), To ! {ready, self()}, idle().

spawn_idle() -> spawn(?MODULE, idle, []).

join_idle(Group) -> P = spawn(?MODULE, idle, []), ok = pg:join(Group, P), P.

collect(0) -> [];
collect(N) -> receive M -> [M | collect(N - 1)] after 3000 -> [timeout] end.

count(P, Ps) -> length([X || X <- Ps, X =:= P]).

%% Links, monitors (by pid and by {Name, Node}) and monitor_node, in the order they fire.
dist_links_monitors_and_node_monitors_fire_noconnection_on_disconnect() ->
    B = b(),
    process_flag(trap_exit, true),
    P = spawn_link(B, ?MODULE, idle, []),
    role(P, p),
    Q = spawn(B, ?MODULE, reg_idle, [reg, self()]),
    role(Q, q),
    receive {ready, Q} -> ok end,
    monitor(process, Q),
    monitor(process, {reg, B}),
    monitor_node(B, true),
    emit({nodes, nodes()}),
    true = erlang:disconnect_node(B),
    emit({nodes, nodes()}),
    [emit(M) || M <- collect(4)].

dist_a_stopped_node_fires_noconnection_and_nodedown() ->
    B = b(),
    process_flag(trap_exit, true),
    P = spawn_link(B, ?MODULE, idle, []),
    role(P, p),
    monitor_node(B, true),
    peer:stop(oracle_dist:peer()),
    [emit(M) || M <- collect(2)],
    monitor_node(B, true),                  % a node that is gone: nodedown at once
    [emit(M) || M <- collect(1)].

call(Server, Req) ->
    try gen_server:call(Server, Req) catch exit:Reason -> {exit, Reason} end.

dist_call_to_a_remote_name_and_to_a_node_that_is_down() ->
    B = b(),
    {ok, S} = on_b(oracle_echo, start, [srv]),
    role(S, srv),
    emit(call({srv, B}, where)),
    emit(call({nobody, B}, req)),
    [_, Host] = string:split(atom_to_list(node()), "@"),
    emit(call({srv, list_to_atom("nosuch@" ++ Host)}, req)),
    peer:stop(oracle_dist:peer()),
    wait_until(fun() -> not lists:member(B, nodes()) end, 5000),
    emit(call({srv, B}, req)),
    emit(call(S, req)).

%% global: b's name vanishes from main's view in a split; each side registers x; on
%% reconnect the process on the node whose name sorts first (b < main) keeps it.
dist_global_names_in_a_split_and_the_conflict_on_heal() ->
    B = b(),
    Onb = on_b(?MODULE, spawn_idle, []),
    role(Onb, onb),
    emit({b_registers_onb, on_b(global, register_name, [onb, Onb])}),
    ok = global:sync(),
    emit({main_sees, global:whereis_name(onb), global:registered_names()}),
    true = erlang:disconnect_node(B),
    wait_until(fun() -> on_b(erlang, nodes, []) =:= [] andalso
                        on_b(global, registered_names, []) =:= [onb] andalso
                        global:registered_names() =:= [] end, 5000),
    emit({main_sees_in_split, global:whereis_name(onb), global:registered_names()}),
    PA = spawn(?MODULE, idle, []),
    role(PA, pa),
    emit({main_registers_x, global:register_name(x, PA)}),
    PB = on_b(?MODULE, spawn_idle, []),
    role(PB, pb),
    emit({b_registers_x, on_b(global, register_name, [x, PB])}),
    MA = monitor(process, PA),
    pong = net_adm:ping(B),
    ok = global:sync(),
    receive {'DOWN', MA, process, PA, Why} -> emit({pa_down, Why}) after 5000 -> emit(no_down) end,
    ok = on_b(global, sync, []),
    emit({after_heal, global:whereis_name(x), on_b(global, whereis_name, [x]),
          lists:sort(global:registered_names())}),
    emit({pb_alive, on_b(erlang, is_process_alive, [PB])}).

dist_pg_members_across_a_split_and_after_heal() ->
    B = b(),
    {ok, _} = pg:start(pg),
    {ok, _} = on_b(pg, start, [pg]),
    PA = spawn(?MODULE, idle, []),
    role(PA, pa),
    ok = pg:join(grp, [PA, PA]),
    PB = on_b(?MODULE, join_idle, [grp]),
    role(PB, pb),
    Counts = fun(Ms) -> {count(PA, Ms), count(PB, Ms)} end,
    wait_until(fun() -> length(pg:get_members(grp)) =:= 3 end, 5000),
    emit({whole, Counts(pg:get_members(grp)), Counts(pg:get_local_members(grp)),
          pg:which_groups()}),
    true = erlang:disconnect_node(B),
    wait_until(fun() -> length(pg:get_members(grp)) =:= 2 andalso
                        length(on_b(pg, get_members, [grp])) =:= 1 end, 5000),
    emit({split, Counts(pg:get_members(grp)), Counts(on_b(pg, get_members, [grp]))}),
    pong = net_adm:ping(B),
    wait_until(fun() -> length(pg:get_members(grp)) =:= 3 andalso
                        length(on_b(pg, get_members, [grp])) =:= 3 end, 5000),
    emit({healed, Counts(pg:get_members(grp)), Counts(on_b(pg, get_members, [grp]))}),
    emit({leave, pg:leave(grp, PA), Counts(pg:get_members(grp)), pg:leave(nogrp, PA)}).

forward(Name, To) -> register(Name, self()), To ! {ready, self()}, forward_loop(To).
forward_loop(To) -> receive M -> To ! {got, M}, forward_loop(To) end.

%% After erlang:disconnect_node/1 the next send connects again (auto-connect), and the
%% message arrives; spawn_link on a stopped node gives a pid whose link says
%% noconnection, and a monitor of that pid says noproc.
dist_the_next_send_reconnects_and_spawn_on_a_stopped_node() ->
    B = b(),
    process_flag(trap_exit, true),
    F = spawn(B, ?MODULE, forward, [fwd, self()]),
    role(F, fwd),
    receive {ready, F} -> ok end,
    true = erlang:disconnect_node(B),
    emit({nodes, nodes()}),
    {fwd, B} ! hello,
    receive {got, M} -> emit({got, M}) after 3000 -> emit(lost) end,
    emit({nodes, nodes()}),
    peer:stop(oracle_dist:peer()),
    wait_until(fun() -> not lists:member(B, nodes()) end, 5000),
    S = spawn_link(B, ?MODULE, idle, []),
    role(S, nowhere),
    receive {'EXIT', S, _} = E -> emit(E) after 3000 -> emit(no_exit) end,
    R = monitor(process, S),
    receive {'DOWN', R, _, _, _} = D -> emit(D) after 3000 -> emit(no_down) end.
