%% Exit signals and links (tests/oracle/oracle_scenarios/links.py is the beamlab twin).
-module(sc_links).
-export([scenarios/0]).
-export([exit_kill_is_untrappable/0, exit_normal_is_ignored/0, exit_normal_is_trapped/0,
         exit_self_normal_ends_the_process/0, exit_signal_kills_with_its_reason/0,
         link_crash_reaches_a_trapping_process/0, link_kill_reason_is_not_untrappable/0,
         link_to_a_dead_process/0, unlink_stops_the_signal/0, exit_kill_to_self_is_killed/0,
         a_normal_exit_does_not_kill_a_linked_process/0,
         a_trapping_process_sees_a_normal_exit_as_a_message/0,
         link_crash_kills_a_non_trapping_partner/0, exit_comes_before_down/0,
         trap_exit_flag_returns_the_old_value/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [exit_kill_is_untrappable, exit_normal_is_ignored, exit_normal_is_trapped,
     exit_self_normal_ends_the_process, exit_signal_kills_with_its_reason,
     link_crash_reaches_a_trapping_process, link_kill_reason_is_not_untrappable,
     link_to_a_dead_process, unlink_stops_the_signal, exit_kill_to_self_is_killed,
     a_normal_exit_does_not_kill_a_linked_process,
     a_trapping_process_sees_a_normal_exit_as_a_message,
     link_crash_kills_a_non_trapping_partner, exit_comes_before_down,
     trap_exit_flag_returns_the_old_value].

%% A process that (maybe) traps exits, says ready, and forwards what it gets.
forwarder(Trap) ->
    Parent = self(),
    P = spawn(fun() ->
                      process_flag(trap_exit, Trap),
                      Parent ! ready,
                      forward(Parent)
              end),
    receive ready -> ok end,
    P.

forward(Parent) ->
    receive
        {ping, From} -> From ! pong;
        M -> Parent ! {got, M}
    end,
    forward(Parent).

zero() -> list_to_integer("0").

exit_kill_is_untrappable() ->
    P = forwarder(true),
    role(P, target),
    R = monitor(process, P),
    exit(P, kill),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

exit_normal_is_ignored() ->
    P = forwarder(false),
    role(P, target),
    exit(P, normal),
    P ! {ping, self()},
    receive pong -> emit({alive, is_process_alive(P)}) end.

exit_normal_is_trapped() ->
    P = forwarder(true),
    role(P, target),
    exit(P, normal),
    receive {got, M} -> emit(M) end.

exit_self_normal_ends_the_process() ->
    {P, R} = spawn_monitor(fun() -> exit(self(), normal), receive never -> ok end end),
    role(P, target),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

exit_signal_kills_with_its_reason() ->
    P = forwarder(false),
    role(P, target),
    R = monitor(process, P),
    exit(P, boom),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

link_crash_reaches_a_trapping_process() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> receive go -> 1 / zero() end end),
    role(P, child),
    P ! go,
    receive {'EXIT', P, _} = M -> emit(M) end.

%% exit(kill) through a link is an ordinary reason: a trapping process gets it as a
%% message, a non-trapping one dies with kill (not killed).
link_kill_reason_is_not_untrappable() ->
    process_flag(trap_exit, true),
    Parent = self(),
    B = spawn_link(fun() -> receive go -> exit(kill) end end),
    role(B, b),
    B ! go,
    receive {'EXIT', B, _} = M -> emit(M) end,
    {Mid, R} = spawn_monitor(fun() ->
                                     C = spawn_link(fun() -> receive go -> exit(kill) end end),
                                     Parent ! {c, C},
                                     receive never -> ok end
                             end),
    role(Mid, middle),
    receive {c, C} -> C ! go end,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

link_to_a_dead_process() ->
    {P, R} = spawn_monitor(fun() -> ok end),
    role(P, dead),
    receive {'DOWN', R, _, _, _} -> ok end,
    emit(try link(P) catch error:noproc -> caught_noproc end),
    process_flag(trap_exit, true),
    emit(link(P)),
    receive {'EXIT', P, _} = M -> emit(M) end.

unlink_stops_the_signal() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> receive go -> exit(boom) end end),
    role(P, child),
    emit(unlink(P)),
    R = monitor(process, P),
    P ! go,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    emit(flush()).

exit_kill_to_self_is_killed() ->
    {P, R} = spawn_monitor(fun() -> exit(self(), kill), receive never -> ok end end),
    role(P, target),
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

a_normal_exit_does_not_kill_a_linked_process() ->
    P = forwarder(false),
    role(P, partner),
    Parent = self(),
    {Q, R} = spawn_monitor(fun() -> link(P), Parent ! linked, receive go -> ok end end),
    role(Q, quitter),
    receive linked -> Q ! go end,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end,
    P ! {ping, self()},
    receive pong -> emit({partner_alive, is_process_alive(P)}) end.

a_trapping_process_sees_a_normal_exit_as_a_message() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> receive go -> ok end end),
    role(P, child),
    P ! go,
    receive {'EXIT', P, _} = M -> emit(M) end.

link_crash_kills_a_non_trapping_partner() ->
    Parent = self(),
    {Mid, R} = spawn_monitor(fun() ->
                                     C = spawn_link(fun() -> receive go -> 1 / zero() end end),
                                     Parent ! {c, C},
                                     receive never -> ok end
                             end),
    role(Mid, middle),
    receive {c, C} -> role(C, child), C ! go end,
    receive {'DOWN', R, _, _, _} = D -> emit(D) end.

%% A process both linked and monitored: its exit signal comes before its DOWN.
exit_comes_before_down() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> receive go -> exit(boom) end end),
    role(P, child),
    monitor(process, P),
    P ! go,
    First = receive M1 -> M1 end,
    Second = receive M2 -> M2 end,
    emit([First, Second]).

trap_exit_flag_returns_the_old_value() ->
    emit(process_flag(trap_exit, true)),
    emit(process_flag(trap_exit, false)),
    emit(process_flag(trap_exit, false)).
