%% EUnit tests for cluster-wide innovation numbers (tweann_innovation in
%% Mnesia mode) on three peer nodes of this host: one key gets one number on
%% every node, numbers are unique cluster-wide, and a node stopped in the
%% middle of allocating neither loses nor duplicates numbers among the
%% survivors.
-module(tweann_innovation_cluster_tests).

-include_lib("eunit/include/eunit.hrl").

%% Run on the peers.
-export([ask_links/1, ask_nodes/1, ask_next/1, allocate_forever/2]).

cluster_innovation_test_() ->
    {setup, fun setup/0, fun cleanup/1,
     fun(#{nodes := Nodes} = Ctx) ->
             [{"this node stays in local mode",
               fun() -> ?assertEqual(local, tweann_innovation:mode()) end},
              {"every node is switched to cluster mode",
               fun() -> [?assertEqual(cluster, erpc:call(N, tweann_innovation, mode, []))
                         || N <- Nodes] end},
              {timeout, 60, {"one key, one number, on every node",
                             fun() -> same_numbers(Nodes) end}},
              {timeout, 60, {"numbers are unique cluster-wide and above the local ones",
                             fun() -> unique(Ctx) end}},
              {timeout, 60, {"start_cluster/1 again is harmless",
                             fun() -> again(Nodes) end}},
              {timeout, 60, {"a node going down loses and duplicates nothing",
                             fun() -> node_down(Ctx) end}},
              {timeout, 60, {"a restarted node rejoins with start_cluster/1",
                             fun() -> rejoin(Ctx) end}},
              {timeout, 60, {"a minority cannot allocate, but still reads",
                             fun() -> minority(Ctx) end}},
              {"bad arguments raise badarg with error_info", fun bad_args/0}]
     end}.

setup() ->
    Dist = tweann_peers:ensure_distributed(),
    Peers = tweann_peers:start("innov", 3),
    Nodes = [N || {_, N} <- Peers],
    %% Numbers handed out locally before the switch: the cluster starts above.
    Local = erpc:call(lists:nth(2, Nodes), ?MODULE, ask_next, [50]),
    ok = erpc:call(hd(Nodes), tweann_innovation, start_cluster, [Nodes], 120000),
    #{dist => Dist, peers => Peers, nodes => Nodes, local_max => lists:max(Local)}.

cleanup(#{dist := Dist, peers := Peers}) ->
    tweann_peers:stop(Peers),
    tweann_peers:stop_distribution(Dist).

%%--------------------------------------------------------------------
%% Run on the peers

%% Link numbers of keys 1..N, asked in an order of this node's own.
ask_links(N) ->
    Keys = shuffle(lists:seq(1, N)),
    maps:from_list([{K, tweann_innovation:link_innovation({s, K}, {n, K})} || K <- Keys]).

ask_nodes(N) ->
    Keys = shuffle(lists:seq(1, N)),
    maps:from_list([{K, tweann_innovation:node_innovation({s, K}, {n, K})} || K <- Keys]).

ask_next(N) ->
    [tweann_innovation:next() || _ <- lists:seq(1, N)].

%% Allocate new keys until killed, reporting each number once returned.
allocate_forever(Test, I) ->
    Key = {victim, I},
    N = tweann_innovation:link_innovation(Key, x),
    Test ! {allocated, Key, N},
    allocate_forever(Test, I + 1).

shuffle(L) ->
    [X || {_, X} <- lists:sort([{rand:uniform(), X} || X <- L])].

%%--------------------------------------------------------------------
%% Tests

same_numbers(Nodes) ->
    Links = erpc:multicall(Nodes, ?MODULE, ask_links, [150], 60000),
    [{ok, L1} | _] = Links,
    [?assertEqual({ok, L1}, L) || L <- Links],
    ?assertEqual(150, length(lists:usort(maps:values(L1)))),
    NodeInns = erpc:multicall(Nodes, ?MODULE, ask_nodes, [60], 60000),
    [{ok, N1} | _] = NodeInns,
    [?assertEqual({ok, N1}, N) || N <- NodeInns],
    All = maps:values(L1) ++ lists:append([tuple_to_list(T) || T <- maps:values(N1)]),
    ?assertEqual(length(All), length(lists:usort(All))),
    [?assertEqual({A + 1, A + 2}, {B, C}) || {A, B, C} <- maps:values(N1)],
    ?assertEqual(#{link => 150, node => 60},
                 erpc:call(lists:last(Nodes), tweann_innovation, size, [])).

unique(#{nodes := Nodes, local_max := LocalMax}) ->
    Results = erpc:multicall(Nodes, ?MODULE, ask_next, [100], 60000),
    Numbers = lists:append([Ns || {ok, Ns} <- Results]),
    ?assertEqual(300, length(Numbers)),
    ?assertEqual(300, length(lists:usort(Numbers))),
    ?assert(lists:min(Numbers) > LocalMax),
    %% Each node's own sequence increases.
    [?assertEqual(Ns, lists:sort(Ns)) || {ok, Ns} <- Results].

again([N1 | _] = Nodes) ->
    Before = erpc:call(N1, tweann_innovation, link_innovation, [again, key]),
    ok = erpc:call(lists:last(Nodes), tweann_innovation, start_cluster, [Nodes], 120000),
    [?assertEqual(Before, erpc:call(N, tweann_innovation, link_innovation, [again, key]))
     || N <- Nodes].

node_down(#{peers := Peers, nodes := [N1, N2, N3]}) ->
    Test = self(),
    Pid = erpc:call(N3, erlang, spawn, [?MODULE, allocate_forever, [Test, 1]]),
    true = is_pid(Pid),
    %% Let the victim hand out some numbers, then stop its node.
    Victim = collect(20, []),
    {P3, N3} = lists:keyfind(N3, 2, Peers),
    ok = peer:stop(P3),
    Late = drain([]),
    FromVictim = Victim ++ Late,
    %% Not lost: both survivors know every number the victim returned.
    [?assertEqual(N, erpc:call(S, tweann_innovation, link_innovation, [Key, x]))
     || {Key, N} <- FromVictim, S <- [N1, N2]],
    %% Not duplicated: the survivors go on with numbers no one had.
    Before = lists:append([maps:values(M) || {ok, M} <- erpc:multicall([N1, N2], ?MODULE,
                                                                        ask_links, [150])]),
    After = lists:append([Ns || {ok, Ns} <- erpc:multicall([N1, N2], ?MODULE, ask_next, [100],
                                                           60000)]),
    Victims = [N || {_, N} <- FromVictim],
    ?assertEqual(200, length(lists:usort(After))),
    ?assertEqual([], [N || N <- After, lists:member(N, Victims) orelse lists:member(N, Before)]),
    ?assertEqual(length(Victims), length(lists:usort(Victims))).

rejoin(#{nodes := [N1, N2, N3] = Nodes}) ->
    Known = erpc:call(N1, ?MODULE, ask_links, [20]),
    [Name, _Host] = string:split(atom_to_list(N3), "@"),
    {Peer, N3} = tweann_peers:start_named(Name),
    try
        ?assertEqual(local, erpc:call(N3, tweann_innovation, mode, [])),
        ok = erpc:call(N2, tweann_innovation, start_cluster, [Nodes], 120000),
        ?assertEqual(cluster, erpc:call(N3, tweann_innovation, mode, [])),
        ?assertEqual(Known, erpc:call(N3, ?MODULE, ask_links, [20])),
        Next = [erpc:call(N, tweann_innovation, next, []) || N <- Nodes],
        ?assertEqual(3, length(lists:usort(Next)))
    after
        tweann_peers:stop([{Peer, N3}])
    end.

%% Runs after node_down and rejoin: only N1 and N2 are up; stop N2.
minority(#{peers := Peers, nodes := [N1, N2, _]}) ->
    Known = erpc:call(N1, tweann_innovation, link_innovation, [{s, 1}, {n, 1}]),
    {P2, N2} = lists:keyfind(N2, 2, Peers),
    ok = peer:stop(P2),
    ?assertEqual(Known, erpc:call(N1, tweann_innovation, link_innovation, [{s, 1}, {n, 1}])),
    ?assertMatch({error, {tweann_innovation_unavailable, {no_majority, _}}},
                 erpc:call(N1, fun() ->
                                       try tweann_innovation:link_innovation(brand, new)
                                       catch error:E -> {error, E}
                                       end
                               end)).

collect(0, Acc) ->
    lists:reverse(Acc);
collect(K, Acc) ->
    receive {allocated, Key, N} -> collect(K - 1, [{Key, N} | Acc]) end.

drain(Acc) ->
    receive {allocated, Key, N} -> drain([{Key, N} | Acc])
    after 0 -> lists:reverse(Acc)
    end.

bad_args() ->
    Bad = [{not_a_list, #{}, 1}, {[], #{}, 1}, {['other@host'], #{}, 1},
           {[node()], #{majority => maybe}, 2}, {[node()], #{colour => red}, 2}],
    [try tweann_innovation:start_cluster(Nodes, Opts) of
         R -> error({no_error, R})
     catch error:badarg:St -> ?assertMatch(#{Pos := _}, tweann_error:format_error(badarg, St))
     end || {Nodes, Opts, Pos} <- Bad].
