%% A gen_server for the distributed scenarios: replies {Request, node()}; `die` stops it.
-module(oracle_echo).
-behaviour(gen_server).
-export([start/1, init/1, handle_call/3, handle_cast/2]).

start(Name) -> gen_server:start({local, Name}, ?MODULE, [], []).

init([]) -> {ok, nostate}.

handle_call(die, _From, S) -> {stop, boom, S};
handle_call(Req, _From, S) -> {reply, {Req, node()}, S}.

handle_cast(_, S) -> {noreply, S}.
