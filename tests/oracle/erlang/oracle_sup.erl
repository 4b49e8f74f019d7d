%% A supervisor whose init returns what it is given: oracle_sup:start_link({Flags, Children}),
%% or oracle_sup:start_link(ignore).
-module(oracle_sup).
-behaviour(supervisor).
-export([start_link/1, init/1]).

start_link(Spec) -> supervisor:start_link(?MODULE, Spec).

init(ignore) -> ignore;
init(Spec) -> {ok, Spec}.
