%% A supervisor whose init returns what it is given: oracle_sup:start_link({Flags, Children}).
-module(oracle_sup).
-behaviour(supervisor).
-export([start_link/1, init/1]).

start_link(Spec) -> supervisor:start_link(?MODULE, Spec).

init(Spec) -> {ok, Spec}.
