%% Erlang peer workloads for beamlab's benchmarks (benchmarks/erlang_peer.py).
%%
%% How this works: benchmarks/erlang_peer.py compiles this module and its two
%% helpers (beamlab_bench_server, beamlab_bench_sup) in memory with
%% compile:file(..., [binary]) inside the same `erl -noshell` that runs them, then
%% calls main/1 with a list of {Workload, Params} pairs. Every workload prints one
%% parseable line per figure:
%%
%%     BENCH <workload> <metric>=<value> ...
%%
%% The workloads mirror the Python ones in benchmarks/workloads.py exactly
%% (same counts, same shape), so a ratio compares like with like.
-module(beamlab_bench).
-export([main/1, idle/0, forward/1, echo/0, last/1, spin/0]).

main(Workloads) ->
    lists:foreach(fun run/1, Workloads),
    ok.

run({Name, Params}) ->
    try
        Figures = workload(Name, Params),
        report(Name, Figures)
    catch
        Class:Reason:Stack ->
            io:format("BENCH-ERROR ~p ~p:~p ~p~n", [Name, Class, Reason, Stack])
    end,
    cleanup().

report(Name, Figures) ->
    Parts = [io_lib:format(" ~s=~.6f", [K, float(V)]) || {K, V} <- Figures],
    io:format("BENCH ~s~s~n", [Name, lists:flatten(Parts)]).

%% Kill whatever a workload left behind so the next one starts clean.
cleanup() ->
    Me = self(),
    Group = group_leader(),
    [exit(P, kill) || P <- processes(), P =/= Me, not is_system(P, Group)],
    erlang:garbage_collect(),
    timer:sleep(50).

is_system(P, Group) ->
    case erlang:process_info(P, group_leader) of
        {group_leader, G} -> G =/= Group;   % the shell/init/kernel processes
        undefined -> true
    end orelse P =:= Group orelse
        lists:member(P, [whereis(N) || N <- [init, user, user_drv, erl_prim_loader,
                                             code_server, application_controller,
                                             error_logger, logger]]).

now_us() -> erlang:monotonic_time(nanosecond) / 1000.

%% ---- spawn: µs per spawn of a process that waits in receive -------------
%% Timed until the spawner has spawned N and a last process spawned after them
%% has run (so the N have had their chance to reach receive), as the Python side.
workload(spawn, #{n := N}) ->
    Me = self(),
    T0 = now_us(),
    spawn_idle(N),
    Tloop = now_us(),
    spawn(?MODULE, last, [Me]),
    receive done -> ok end,
    T1 = now_us(),
    [{us_per_spawn, (T1 - T0) / N}, {us_spawn_call, (Tloop - T0) / N}];

%% ---- memory: bytes per idle process (erlang:memory(processes) delta / N) --
workload(memory, #{n := N}) ->
    erlang:garbage_collect(),
    Before = erlang:memory(processes),
    Me = self(),
    spawn_idle(N),
    spawn(?MODULE, last, [Me]),
    receive done -> ok end,
    After = erlang:memory(processes),
    [{bytes_per_process, (After - Before) / N}, {n, N}];

%% ---- ring: N processes, token goes round R times; µs per hop -------------
%% The spawner is one of the N (it re-injects the token each round).
workload(ring, #{n := N, rounds := R}) ->
    Me = self(),
    First = lists:foldl(fun(_, Next) -> spawn(?MODULE, forward, [Next]) end,
                        Me, lists:seq(1, N - 1)),
    ring_rounds(First, 1),              % warm-up: every node has run once
    T0 = now_us(),
    ring_rounds(First, R),
    T1 = now_us(),
    [{us_per_hop, (T1 - T0) / (N * R)}];

%% ---- ping-pong: round trip to an echo process ---------------------------
workload(pingpong, #{n := N}) ->
    Echo = spawn(?MODULE, echo, []),
    Me = self(),
    T0 = now_us(),
    pingpong(Echo, Me, N),
    T1 = now_us(),
    [{us_per_round_trip, (T1 - T0) / N}];

%% ---- preemption: lateness of a ticker beside spinners (ms) ----------------
%% The ticker arms an absolute-time timer for each 10 ms deadline; lateness is
%% when it got the timeout message minus the deadline. The BEAM's default
%% schedulers (one per core) run the spinners and the ticker.
workload(preemption, #{duration := D, spinners := S, period := P}) ->
    Spins = [spawn(?MODULE, spin, []) || _ <- lists:seq(1, S)],
    PeriodMs = max(1, round(P * 1000)),
    Ticks = max(1, round(D / P)),
    Me = self(),
    spawn(fun() -> Me ! {ticks, ticker(Ticks, PeriodMs)} end),
    Late = receive {ticks, L} -> lists:sort(L) end,
    [exit(Pid, kill) || Pid <- Spins],
    [{p50_ms, median(Late)}, {p99_ms, pct(Late, 0.99)}, {max_ms, lists:last(Late)},
     {ticks, length(Late)}];

%% ---- spawn_exit: short-lived processes, each sends one message and exits -
workload(spawn_exit, #{n := N}) ->
    Me = self(),
    T0 = now_us(),
    spawn_notify(Me, N),
    wait_exited(N),
    T1 = now_us(),
    [{us_per_spawn_exit, (T1 - T0) / N}];

%% ---- gen_server call round trip -----------------------------------------
workload(call, #{n := N}) ->
    {ok, S} = beamlab_bench_server:start_link(none),
    T0 = now_us(),
    calls(S, N),
    T1 = now_us(),
    unlink(S),
    [{us_per_call, (T1 - T0) / N}];

%% ---- gen_server cast throughput (N casts then one call to drain) --------
workload(cast, #{n := N}) ->
    {ok, S} = beamlab_bench_server:start_link(none),
    T0 = now_us(),
    casts(S, N),
    N = gen_server:call(S, count, infinity),
    T1 = now_us(),
    unlink(S),
    [{msgs_per_s, N / ((T1 - T0) / 1.0e6)}];

%% ---- supervisor restart latency: kill child -> new child running --------
workload(restart, #{n := N}) ->
    process_flag(trap_exit, true),
    {ok, Sup} = beamlab_bench_sup:start_link(self()),
    First = receive {started, P0} -> P0 end,
    {_, Lat} = lists:foldl(
        fun(_, {Child, Acc}) ->
            T0 = now_us(),
            exit(Child, kill),
            receive {started, New} -> {New, [now_us() - T0 | Acc]} end
        end, {First, []}, lists:seq(1, N)),
    unlink(Sup),
    exit(Sup, kill),
    Sorted = lists:sort(Lat),
    [{median_us, median(Sorted)}, {p99_us, pct(Sorted, 0.99)}];

%% ---- bytes per idle gen_server ------------------------------------------
workload(genserver_memory, #{n := N}) ->
    erlang:garbage_collect(),
    Before = erlang:memory(processes),
    start_servers(N),
    After = erlang:memory(processes),
    [{bytes_per_process, (After - Before) / N}, {n, N}].

%% ---- helpers -------------------------------------------------------------
idle() -> receive _ -> ok end.

spin() -> spin().

ticker(Ticks, PeriodMs) ->
    Start = erlang:monotonic_time(millisecond),
    [begin
         Due = Start + K * PeriodMs,
         Ref = erlang:start_timer(Due, self(), tick, [{abs, true}]),
         receive {timeout, Ref, tick} -> ok end,
         (erlang:monotonic_time(microsecond) - Due * 1000) / 1000
     end || K <- lists:seq(1, Ticks)].

last(Parent) -> Parent ! done.

spawn_idle(0) -> ok;
spawn_idle(N) -> spawn(?MODULE, idle, []), spawn_idle(N - 1).

spawn_notify(_, 0) -> ok;
spawn_notify(Me, N) -> spawn(fun() -> Me ! exited end), spawn_notify(Me, N - 1).

wait_exited(0) -> ok;
wait_exited(N) -> receive exited -> wait_exited(N - 1) end.

forward(Next) ->
    receive Msg -> Next ! Msg end,
    forward(Next).

ring_rounds(_, 0) -> ok;
ring_rounds(First, R) ->
    First ! token,
    receive token -> ok end,
    ring_rounds(First, R - 1).

echo() ->
    receive {From, Msg} -> From ! Msg end,
    echo().

pingpong(_, _, 0) -> ok;
pingpong(Echo, Me, N) ->
    Echo ! {Me, N},
    receive N -> ok end,
    pingpong(Echo, Me, N - 1).

calls(_, 0) -> ok;
calls(S, N) -> N = gen_server:call(S, {echo, N}), calls(S, N - 1).

casts(_, 0) -> ok;
casts(S, N) -> gen_server:cast(S, bump), casts(S, N - 1).

start_servers(0) -> ok;
start_servers(N) ->
    {ok, _} = gen_server:start(beamlab_bench_server, none, []),
    start_servers(N - 1).

median(Sorted) -> pct(Sorted, 0.5).

pct(Sorted, Q) ->
    Len = length(Sorted),
    Idx = min(Len, max(1, round(Q * (Len - 1)) + 1)),
    lists:nth(Idx, Sorted).
