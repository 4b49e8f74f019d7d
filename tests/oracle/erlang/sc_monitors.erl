%% Monitors (tests/oracle/oracle_scenarios/monitors.py is the beamlab twin).
-module(sc_monitors).
-export([scenarios/0]).
-export([monitor_reports_the_exit_reason/0, monitor_of_a_dead_process_is_noproc/0,
         monitor_by_name_names_the_process_and_node/0,
         monitor_of_an_unregistered_name_is_noproc/0, demonitor_flush_drops_the_down/0,
         two_monitors_give_two_downs/0, spawn_monitor_gives_pid_and_ref/0,
         monitors_are_one_way/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [monitor_reports_the_exit_reason, monitor_of_a_dead_process_is_noproc,
     monitor_by_name_names_the_process_and_node, monitor_of_an_unregistered_name_is_noproc,
     demonitor_flush_drops_the_down, two_monitors_give_two_downs,
     spawn_monitor_gives_pid_and_ref, monitors_are_one_way].

idle() -> receive never -> ok end.

monitor_reports_the_exit_reason() ->
    P = spawn(fun() -> receive go -> exit(bye) end end),
    role(P, target),
    R = monitor(process, P),
    P ! go,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

monitor_of_a_dead_process_is_noproc() ->
    {P, R} = spawn_monitor(fun() -> ok end),
    role(P, target),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    R2 = monitor(process, P),
    receive {'DOWN', R2, _, _, _} = D2 -> emit(D2) end.

monitor_by_name_names_the_process_and_node() ->
    P = spawn(fun idle/0),
    register(watched, P),
    R = monitor(process, watched),
    exit(P, kill),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    emit(node()).

monitor_of_an_unregistered_name_is_noproc() ->
    R = monitor(process, nobody),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

demonitor_flush_drops_the_down() ->
    P = spawn(fun idle/0),
    role(P, target),
    R1 = monitor(process, P),
    R2 = monitor(process, P),
    exit(P, kill),
    receive {'DOWN', R2, _, _, _} = D -> emit(D) end,
    emit(demonitor(R1, [flush])),
    emit(flush()).

two_monitors_give_two_downs() ->
    P = spawn(fun() -> receive go -> exit(boom) end end),
    role(P, target),
    R1 = monitor(process, P),
    R2 = monitor(process, P),
    P ! go,
    receive {'DOWN', R1, _, _, _} = D1 -> emit(D1) end,
    receive {'DOWN', R2, _, _, _} = D2 -> emit(D2) end.

spawn_monitor_gives_pid_and_ref() ->
    {P, R} = spawn_monitor(fun() -> exit(done) end),
    role(P, target),
    receive {'DOWN', R, process, P, _} = D -> emit(D) end.

monitors_are_one_way() ->
    Parent = self(),
    T = spawn(fun() -> receive {ping, From} -> From ! {mailbox, flush()} end end),
    role(T, target),
    {W, R} = spawn_monitor(fun() -> monitor(process, T), Parent ! watching, idle() end),
    role(W, watcher),
    receive watching -> ok end,
    exit(W, kill),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    emit({target_alive, is_process_alive(T)}),
    T ! {ping, self()},
    receive {mailbox, M} -> emit({target_mailbox, M}) end.
