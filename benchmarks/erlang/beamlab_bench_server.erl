%% The gen_server the Erlang peer benchmarks call, cast to and restart.
%% init(none): a plain counter. init({notify, Pid}): also tells Pid it started
%% (the supervisor restart benchmark waits for that message).
-module(beamlab_bench_server).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start_link(Arg) -> gen_server:start_link(?MODULE, Arg, []).

init({notify, Pid}) -> Pid ! {started, self()}, {ok, 0};
init(none) -> {ok, 0}.

handle_call({echo, X}, _From, N) -> {reply, X, N};
handle_call(count, _From, N) -> {reply, N, N}.

handle_cast(bump, N) -> {noreply, N + 1}.

handle_info(_, N) -> {noreply, N}.
