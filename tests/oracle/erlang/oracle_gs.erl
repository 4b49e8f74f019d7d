%% A gen_server whose callbacks are funs, so a scenario can write its server inline:
%%   oracle_gs:start_link(#{handle_call => fun(Req, From, S) -> {reply, S, S} end}, 0)
%% A callback left out behaves as gen_server's default would for a test
%% (init: {ok, Arg}; terminate: ok).
-module(oracle_gs).
-behaviour(gen_server).
-export([start/2, start_link/2, start/3, start_link/3, start_opts/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, handle_continue/2, terminate/2]).

start(Cbs, Arg) -> gen_server:start(?MODULE, {Cbs, Arg}, []).
start_link(Cbs, Arg) -> gen_server:start_link(?MODULE, {Cbs, Arg}, []).
start(Name, Cbs, Arg) -> gen_server:start({local, Name}, ?MODULE, {Cbs, Arg}, []).
start_link(Name, Cbs, Arg) -> gen_server:start_link({local, Name}, ?MODULE, {Cbs, Arg}, []).
start_opts(Cbs, Arg, Opts) -> gen_server:start(?MODULE, {Cbs, Arg}, Opts).

init({Cbs, Arg}) ->
    put(callbacks, Cbs),
    case Cbs of
        #{init := F} -> F(Arg);
        _ -> {ok, Arg}
    end.

handle_call(Req, From, S) -> (cb(handle_call))(Req, From, S).
handle_cast(Req, S) -> (cb(handle_cast))(Req, S).
handle_info(Msg, S) -> (cb(handle_info))(Msg, S).
handle_continue(C, S) -> (cb(handle_continue))(C, S).

terminate(Reason, S) ->
    case get(callbacks) of
        #{terminate := F} -> F(Reason, S);
        _ -> ok
    end.

cb(Name) -> maps:get(Name, get(callbacks)).
