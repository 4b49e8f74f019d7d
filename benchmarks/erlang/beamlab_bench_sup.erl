%% A one_for_one supervisor of one beamlab_bench_server, with an intensity high
%% enough that the restart-latency benchmark never trips it.
-module(beamlab_bench_sup).
-behaviour(supervisor).
-export([start_link/1, init/1]).

start_link(Collector) -> supervisor:start_link(?MODULE, Collector).

init(Collector) ->
    Flags = #{strategy => one_for_one, intensity => 1000000000, period => 1},
    Child = #{id => worker,
              start => {beamlab_bench_server, start_link, [{notify, Collector}]},
              restart => permanent, shutdown => brutal_kill},
    {ok, {Flags, [Child]}}.
