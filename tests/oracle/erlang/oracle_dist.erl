%% The oracle's distributed scenarios: this node (started as `erl -sname main`) and a
%% fresh peer node `b` for each scenario, on the same machine (OTP's peer module,
%% controlled over its standard input and output, so a scenario can still ask b
%% things while the distribution connection between them is cut).
%%
%% A scenario module is named dsc_*; its scenarios run as oracle:run_one does, with
%% node names printed with the host `lab` (main@vm -> main@lab), as beamlab's.
-module(oracle_dist).
-export([main/1, b/0, peer/0, on_b/3, wait_until/2]).

-define(TIMEOUT, 20000).

main(Mods) ->
    logger:set_primary_config(level, none),
    [_, Host] = string:split(atom_to_list(node()), "@"),
    persistent_term:put(oracle_host, Host),
    [run(list_to_atom(M), F) || M <- Mods, F <- (list_to_atom(M)):scenarios()],
    halt(0).

run(Mod, Name) ->
    Dir = filename:dirname(code:which(?MODULE)),
    {ok, Peer, B} = peer:start_link(#{name => b, connection => standard_io,
                                      args => ["-pa", Dir, "+S", "1"]}),
    ok = peer:call(Peer, logger, set_primary_config, [level, none]),
    pong = net_adm:ping(B),
    ok = global:sync(),
    persistent_term:put(oracle_peer, {Peer, B}),
    oracle:run_one(Mod, Name, ?TIMEOUT),
    catch peer:stop(Peer),
    wait_until(fun() -> not lists:member(B, nodes()) end, 5000).

%% The peer node's name, and its control handle.
b() -> element(2, persistent_term:get(oracle_peer)).
peer() -> element(1, persistent_term:get(oracle_peer)).

%% Run M:F(A) on b through the peer's control channel (works while the nodes are cut apart).
on_b(M, F, A) -> peer:call(peer(), M, F, A).

%% Poll Test every 20 ms until it holds (true) or Ms run out (false).
wait_until(Test, Ms) when Ms =< 0 -> Test();
wait_until(Test, Ms) ->
    case Test() of
        true -> true;
        false -> timer:sleep(20), wait_until(Test, Ms - 20)
    end.
