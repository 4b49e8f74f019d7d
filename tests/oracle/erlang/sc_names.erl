%% The name registry (tests/oracle/oracle_scenarios/names.py is the beamlab twin).
-module(sc_names).
-export([scenarios/0]).
-export([register_whereis_unregister/0, register_refuses_what_erlang_refuses/0,
         a_name_is_freed_when_its_process_exits/0, send_to_an_unknown_name_is_badarg/0,
         send_to_a_name_delivers/0]).
-import(oracle, [emit/1, role/2, flush/0]).

scenarios() ->
    [register_whereis_unregister, register_refuses_what_erlang_refuses,
     a_name_is_freed_when_its_process_exits, send_to_an_unknown_name_is_badarg,
     send_to_a_name_delivers].

idle() -> receive never -> ok end.

badarg(F) -> try F() catch error:badarg -> badarg end.

register_whereis_unregister() ->
    P = spawn(fun idle/0),
    role(P, worker),
    emit(register(w, P)),
    emit(whereis(w)),
    emit(unregister(w)),
    emit(whereis(w)),
    emit(badarg(fun() -> unregister(w) end)).

register_refuses_what_erlang_refuses() ->
    P1 = spawn(fun idle/0),
    P2 = spawn(fun idle/0),
    role(P1, first), role(P2, second),
    {Dead, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, _, _, _} -> ok end,
    emit(register(w, P1)),
    emit({taken, badarg(fun() -> register(w, P2) end)}),
    emit({already_named, badarg(fun() -> register(w2, P1) end)}),
    emit({dead, badarg(fun() -> register(w3, Dead) end)}),
    emit({undefined, badarg(fun() -> register(undefined, P2) end)}),
    emit(whereis(w)).

a_name_is_freed_when_its_process_exits() ->
    P = spawn(fun idle/0),
    register(w, P),
    R = monitor(process, P),
    exit(P, kill),
    receive {'DOWN', R, _, _, _} -> ok end,
    emit(whereis(w)),
    emit(register(w, self())),
    emit(whereis(w)).

send_to_an_unknown_name_is_badarg() ->
    emit(badarg(fun() -> nobody ! hello end)).

send_to_a_name_delivers() ->
    P = spawn(fun() -> receive {ping, From} -> From ! {pong, self()} end end),
    role(P, echo),
    register(echo, P),
    echo ! {ping, self()},
    receive M -> emit(M) end.
