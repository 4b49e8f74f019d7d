%% The oracle's Erlang side: runs scenarios and prints each one's normalized trace.
%%
%% A scenario is a function of no arguments, run as a fresh process (role
%% `test`). It calls oracle:emit(Term) for each thing it observes and
%% oracle:role(Pid, Name) to name the pids it will show. Terms are printed in
%% the normalized form that tests/oracle/trace.py prints for beamlab (keep the
%% two in step): pids by role (others <pid1>, <pid2>... in order of first
%% appearance), refs as #ref1, #ref2..., a crash {Reason, Stacktrace} as
%% crash(Class), a failed call as call_failed(Why, Server, Request, TimeoutMs)
%% (gen_server:call/2 names no timeout: it is the default, 5000, as in Elixir's),
%% undefined and nil as none, an Elixir module without its Elixir. prefix.
%%
%% Output, for each scenario: "=== name", its trace lines, then "=== end".
-module(oracle).
-export([main/1, run_modules/1, run_one/3, emit/1, role/2, flush/0, worker_start/1,
         worker_start/2, norm/1]).

-define(COLLECTOR, oracle_collector).
-define(TIMEOUT, 5000).

main(Mods) ->
    run_modules([list_to_atom(M) || M <- Mods]),
    halt(0).

%% Run every scenario of every module (Module:scenarios() names them). Crash
%% reports are silenced: the trace is what counts, and it goes to stdout.
run_modules(Mods) ->
    logger:set_primary_config(level, none),
    [run_one(M, F) || M <- Mods, F <- M:scenarios()],
    ok.

run_one(Mod, Name) -> run_one(Mod, Name, ?TIMEOUT).

%% (oracle_dist runs distributed scenarios with a longer timeout.)
run_one(Mod, Name, Timeout) ->
    Before = erlang:processes(),
    Collector = spawn(fun() -> collector(#{}, #{}, 0, []) end),
    register(?COLLECTOR, Collector),
    {Pid, Ref} = spawn_monitor(fun() -> role(self(), test), Mod:Name() end),
    Outcome = receive
                  {'DOWN', Ref, process, Pid, normal} -> ok;
                  {'DOWN', Ref, process, Pid, Reason} -> {scenario_crashed, Reason}
              after Timeout -> exit(Pid, kill), {scenario_timed_out, Timeout}
              end,
    case Outcome of
        ok -> ok;
        _ -> emit(Outcome)
    end,
    Collector ! {dump, self()},
    Lines = receive {lines, L} -> L end,
    [exit(P, kill) || P <- erlang:processes() -- [Collector | Before]],
    exit(Collector, kill),
    timer:sleep(5),
    io:format("=== ~s~n", [Name]),
    [io:format("~s~n", [Line]) || Line <- Lines],
    io:format("=== end~n").

%% -- the trace ---------------------------------------------------------------

emit(Term) -> ?COLLECTOR ! {emit, Term}, ok.

role(Pid, Name) -> ?COLLECTOR ! {role, Pid, Name}, ok.

%% Everything in the caller's mailbox, oldest first, without waiting.
flush() ->
    receive M -> [M | flush()] after 0 -> [] end.

collector(Roles, Refs, NPids, Lines) ->
    receive
        {role, Pid, Name} ->
            collector(Roles#{Pid => atom_to_list(Name)}, Refs, NPids, Lines);
        {emit, Term} ->
            put(roles, Roles), put(refs, Refs), put(npids, NPids),
            Text = norm(Term),
            collector(get(roles), get(refs), get(npids), [Text | Lines]);
        {dump, From} ->
            From ! {lines, lists:reverse(Lines)}
    end.

%% -- normalizing -------------------------------------------------------------

norm(Term) -> lists:flatten(n(Term)).

n(true) -> "true";
n(false) -> "false";
n(undefined) -> "none";
n(nil) -> "none";
n(A) when is_atom(A) -> atom_text(lab_host(A));
n(I) when is_integer(I) -> integer_to_list(I);
n(P) when is_pid(P) -> "<" ++ pid_name(P) ++ ">";
n(R) when is_reference(R) -> "#ref" ++ integer_to_list(ref_number(R));
n(B) when is_binary(B) -> "\"" ++ binary_to_list(B) ++ "\"";
n({Why, {gen_server, call, [S, Req, T]}}) -> call_failed(Why, S, Req, T);
n({Why, {gen_server, call, [S, Req]}}) -> call_failed(Why, S, Req, 5000);   % the default
n({Why, {'Elixir.GenServer', call, [S, Req, T]}}) -> call_failed(Why, S, Req, T);
n({Why, {'Elixir.Task', await, [_Task, T]}}) -> "await_failed(" ++ n(Why) ++ "," ++ n(T) ++ ")";
n({Reason, Stack} = T) when is_list(Stack), Stack =/= [] ->
    case is_stack(Stack) of
        true -> "crash(" ++ crash_class(Reason) ++ ")";
        false -> tuple(T)
    end;
n(T) when is_tuple(T), tuple_size(T) =:= 9, element(1, T) =:= child ->
    "childspec(" ++ n(element(3, T)) ++ ")";
n(#{'__exception__' := true, '__struct__' := M}) -> "exception(" ++ n(M) ++ ")";
n(M) when is_map(M) ->
    Pairs = lists:sort([{n(K), n(V)} || {K, V} <- maps:to_list(M)]),
    "#{" ++ join([K ++ "=>" ++ V || {K, V} <- Pairs]) ++ "}";
n(T) when is_tuple(T) -> tuple(T);
n(L) when is_list(L) -> "[" ++ join([n(X) || X <- L]) ++ "]";
n(Other) -> "?" ++ io_lib:format("~p", [Other]).

tuple(T) -> "{" ++ join([n(X) || X <- tuple_to_list(T)]) ++ "}".

call_failed(Why, S, Req, T) ->
    "call_failed(" ++ join([n(Why), n(S), n(Req), n(T)]) ++ ")".

join([]) -> "";
join([H | T]) -> H ++ lists:append(["," ++ X || X <- T]).

%% In distributed scenarios (oracle_dist) a node name's host is this machine's: print
%% it as beamlab's simulated host, lab (main@vm -> main@lab).
lab_host(A) ->
    case persistent_term:get(oracle_host, undefined) of
        undefined -> A;
        Host ->
            case string:split(atom_to_list(A), "@") of
                [Name, Host] -> list_to_atom(Name ++ "@lab");
                _ -> A
            end
    end.

atom_text(A) ->
    S = case atom_to_list(A) of
            "Elixir." ++ Rest -> Rest;
            Other -> Other
        end,
    case lists:all(fun plain_char/1, S) andalso S =/= "" of
        true -> S;
        false -> "'" ++ S ++ "'"
    end.

plain_char(C) ->
    (C >= $a andalso C =< $z) orelse (C >= $A andalso C =< $Z) orelse
    (C >= $0 andalso C =< $9) orelse C =:= $_ orelse C =:= $@ orelse C =:= $..

is_stack(L) ->
    lists:all(fun({M, _, _, Loc}) when is_atom(M), is_list(Loc) -> true;
                 (_) -> false
              end, L).

%% A crash's class: badarith, the tag of {badmatch, _}, an Elixir exception's module.
crash_class(#{'__exception__' := true, '__struct__' := 'Elixir.ArithmeticError'}) -> "badarith";
crash_class(#{'__exception__' := true, '__struct__' := M}) -> n(M);
crash_class(A) when is_atom(A) -> n(A);
crash_class(T) when is_tuple(T), tuple_size(T) > 0, is_atom(element(1, T)) -> n(element(1, T));
crash_class(Other) -> n(Other).

pid_name(P) ->
    Roles = get(roles),
    case Roles of
        #{P := Name} -> Name;
        _ ->
            N = get(npids) + 1,
            Name = "pid" ++ integer_to_list(N),
            put(npids, N),
            put(roles, Roles#{P => Name}),
            Name
    end.

ref_number(R) ->
    Refs = get(refs),
    case Refs of
        #{R := N} -> N;
        _ ->
            N = maps:size(Refs) + 1,
            put(refs, Refs#{R => N}),
            N
    end.

%% -- a plain worker for supervisor scenarios -----------------------------------

%% A child. worker_start emits {started, Tag} in the caller (the supervisor), so
%% starts are traced in the order the supervisor makes them. The child obeys
%% {exit, Reason}. Options: trap (it traps exits: an exit signal is emitted as
%% {exiting, Tag, Reason} and then obeyed) and stubborn (with trap: emitted as
%% {ignored, Tag, Reason} and the child keeps running).
worker_start(Tag) -> worker_start(Tag, []).
worker_start(Tag, Opts) ->
    emit({started, Tag}),
    Parent = self(),
    P = spawn_link(fun() -> worker(Parent, Tag, Opts) end),
    receive {ready, P} -> {ok, P} end.

worker(Parent, Tag, Opts) ->
    process_flag(trap_exit, lists:member(trap, Opts)),
    Parent ! {ready, self()},
    worker_loop(Tag, lists:member(stubborn, Opts)).

worker_loop(Tag, Stubborn) ->
    receive
        {exit, Reason} -> exit(Reason);
        {'EXIT', _, Reason} when Stubborn ->
            emit({ignored, Tag, Reason}),
            worker_loop(Tag, Stubborn);
        {'EXIT', _, Reason} -> emit({exiting, Tag, Reason}), exit(Reason);
        _ -> worker_loop(Tag, Stubborn)
    end.
