%% EUnit tests for tweann_cluster: a population evaluated over peer nodes
%% on this host (OTP's peer), one node stopped in the middle of a run,
%% failing and hanging items, and per-node shipping.
-module(tweann_cluster_tests).

-include_lib("eunit/include/eunit.hrl").

%% Item functions run on the peers (this module is in their code path).
-export([evaluate/2, behave/2, block_on/4]).

-define(INPUTS, [0.25, -0.5, 1.5]).

cluster_test_() ->
    {setup, fun setup/0, fun cleanup/1,
     fun(#{nodes := Nodes}) ->
             [{timeout, 60, {"results in input order, bit-identical to local evaluation",
                             fun() -> matches_local(Nodes) end}},
              {timeout, 60, {"a network used twice ships once per node",
                             fun() -> ships_once(Nodes) end}},
              {timeout, 60, {"binaries are accepted as networks",
                             fun() -> binaries_in(Nodes) end}},
              {timeout, 60, {"a raising item gets {error, _}, a hanging one times out",
                             fun() -> errors_and_timeouts(Nodes) end}},
              {timeout, 60, {"items of a node stopped mid-run are rerun on the others",
                             fun() -> node_down(Nodes) end}},
              {timeout, 60, {"no reachable node: every item fails",
                             fun no_nodes/0}},
              {"bad arguments raise badarg with error_info", fun bad_args/0},
              {"an empty population", fun() -> ?assertEqual([], tweann_cluster:evaluate_population(
                                                                   [], {?MODULE, evaluate, []}, #{}))
                                      end}]
     end}.

setup() ->
    Dist = tweann_peers:ensure_distributed(),
    {ok, Apps} = application:ensure_all_started(tweann_nif),
    Peers = tweann_peers:start("cluster", 2),
    #{dist => Dist, apps => Apps, peers => Peers, nodes => [N || {_, N} <- Peers]}.

cleanup(#{dist := Dist, peers := Peers}) ->
    tweann_peers:stop(Peers),
    tweann_peers:stop_distribution(Dist).

%%--------------------------------------------------------------------
%% Item functions

evaluate(Net, Inputs) ->
    tweann_nif:evaluate(Net, Inputs).

%% One-node networks raise, two-node networks hang, others evaluate.
behave(Net, Inputs) ->
    case tweann_nif:network_info(Net) of
        #{nodes := 1} -> error(planned_failure);
        #{nodes := 2} -> receive never -> ok end;
        _ -> tweann_nif:evaluate(Net, Inputs)
    end.

%% On Victim: announce and block forever; elsewhere: wait for the test's
%% go, then evaluate (so the other node cannot finish the whole population
%% before the victim holds an item).
block_on(Net, Victim, Test, Inputs) ->
    case node() of
        Victim ->
            Test ! {blocked, node(), self()},
            receive never -> ok end;
        _ ->
            Test ! {waiting, self()},
            receive go -> tweann_nif:evaluate(Net, Inputs) end
    end.

%%--------------------------------------------------------------------
%% Tests

matches_local(Peers) ->
    Nets = population(40, 7),
    Pop = Nets ++ lists:sublist(Nets, 10),
    Want = [{ok, tweann_nif:evaluate(N, ?INPUTS)} || N <- Pop],
    {Got, Stats} = tweann_cluster:run(Pop, {?MODULE, evaluate, [?INPUTS]},
                                      #{nodes => [node() | Peers], concurrency => 2}),
    ?assertEqual(length(Want), length(Got)),
    ?assert(Want =:= Got),
    ?assertEqual(length(Pop), lists:sum([I || #{items := I} <- maps:values(Stats)])),
    %% The local node gets networks as they are; a peer at most once each.
    ?assertMatch(#{shipped := 0}, maps:get(node(), Stats)),
    [?assert(Sh =< length(Nets)) || P <- Peers, #{shipped := Sh} <- [maps:get(P, Stats)]],
    %% Default concurrency: the node's scheduler count (one node per run, so
    %% that it surely announces its slots).
    [begin
         {_, #{P := #{slots := Slots}}} =
             tweann_cluster:run(Pop, {?MODULE, evaluate, [?INPUTS]}, #{nodes => [P]}),
         ?assertEqual(erpc:call(P, erlang, system_info, [schedulers_online]), Slots)
     end || P <- Peers].

ships_once([Peer | _]) ->
    [A, B] = population(2, 11),
    Pop = [A, A, B, A, B, B],
    {Got, Stats} = tweann_cluster:run(Pop, {?MODULE, evaluate, [?INPUTS]},
                                      #{nodes => [Peer], concurrency => 1}),
    ?assertEqual([{ok, tweann_nif:evaluate(N, ?INPUTS)} || N <- Pop], Got),
    #{Peer := #{shipped := Shipped, shipped_bytes := Bytes, items := Items}} = Stats,
    ?assertEqual({2, 6}, {Shipped, Items}),
    ?assertEqual(byte_size(tweann_nif:network_to_binary(A))
                 + byte_size(tweann_nif:network_to_binary(B)), Bytes).

binaries_in(Peers) ->
    Nets = population(12, 3),
    Bins = [tweann_nif:network_to_binary(N) || N <- Nets],
    Got = tweann_cluster:evaluate_population(Bins, {?MODULE, evaluate, [?INPUTS]},
                                             #{nodes => [node() | Peers]}),
    ?assert([{ok, tweann_nif:evaluate(N, ?INPUTS)} || N <- Nets] =:= Got).

errors_and_timeouts(Peers) ->
    One = tweann_nif:compile_network([{0, input, linear, 0.0, []}], 1, [0]),
    Two = tweann_nif:compile_network([{0, input, linear, 0.0, []},
                                      {1, output, tanh, 0.5, [{0, 1.0}]}], 1, [1]),
    Good = population(6, 5),
    Pop = [One | Good] ++ [Two, One],
    Got = tweann_cluster:evaluate_population(Pop, {?MODULE, behave, [?INPUTS]},
                                             #{nodes => [node() | Peers], timeout => 300}),
    [R1 | Rest] = Got,
    ?assertMatch({error, {error, planned_failure, [_ | _]}}, R1),
    ?assertEqual([{ok, tweann_nif:evaluate(N, ?INPUTS)} || N <- Good], lists:sublist(Rest, 6)),
    ?assertMatch([{error, timeout}, {error, {error, planned_failure, _}}], lists:nthtail(6, Rest)).

node_down([Peer | _]) ->
    [{VictimPeer, Victim}] = tweann_peers:start("victim", 1),
    Nets = population(30, 13),
    Test = self(),
    Runner = spawn_link(fun() ->
                                R = tweann_cluster:run(Nets, {?MODULE, block_on, [Victim, Test, ?INPUTS]},
                                                       #{nodes => [Peer, Victim], concurrency => 2}),
                                Test ! {done, self(), R}
                        end),
    %% Wait until the victim holds an unfinished item, then stop it.
    receive {blocked, Victim, _} -> ok end,
    ok = peer:stop(VictimPeer),
    {Got, Stats} = release(Runner),
    ?assert([{ok, tweann_nif:evaluate(N, ?INPUTS)} || N <- Nets] =:= Got),
    #{Victim := #{items := VItems, lost := Lost, down := Down}, Peer := #{items := PItems}} = Stats,
    ?assertEqual(0, VItems),
    ?assert(Lost >= 1),
    ?assertNotEqual(false, Down),
    ?assertEqual(length(Nets), PItems).

release(Runner) ->
    receive
        {waiting, Pid} -> Pid ! go, release(Runner);
        {done, Runner, R} -> R
    end.

no_nodes() ->
    Nets = population(3, 1),
    Nowhere = 'tweann_no_such_node@localhost',
    Got = tweann_cluster:evaluate_population(Nets, {?MODULE, evaluate, [?INPUTS]},
                                             #{nodes => [Nowhere]}),
    ?assertMatch([{error, {nodedown, Nowhere, _}}, {error, _}, {error, _}], Got).

bad_args() ->
    MFA = {?MODULE, evaluate, [?INPUTS]},
    Bad = [{[a | b], MFA, #{}, 1},
           {[], not_mfa, #{}, 2},
           {[], MFA, not_a_map, 3},
           {[], MFA, #{colour => red}, 3},
           {[], MFA, #{nodes => []}, 3},
           {[], MFA, #{concurrency => 0}, 3},
           {[], MFA, #{timeout => -1}, 3},
           {[], MFA, #{max_attempts => 0}, 3}],
    [try tweann_cluster:evaluate_population(N, M, O) of
         Result -> error({no_error, Result, {N, M, O}})
     catch error:badarg:St ->
             ?assertMatch(#{Pos := _}, tweann_error:format_error(badarg, St))
     end || {N, M, O, Pos} <- Bad].

%%--------------------------------------------------------------------
%% Networks: 3 inputs, hidden nodes with random weights, varied sizes.

population(Count, Seed) ->
    S0 = rand:seed_s(exsss, {Seed, 17, 29}),
    {Nets, _} = lists:mapfoldl(fun(K, S) -> network(3 + K rem 9, S) end, S0,
                               lists:seq(1, Count)),
    Nets.

network(Hidden, S0) ->
    Inputs = [{I, input, linear, 0.0, []} || I <- [0, 1, 2]],
    {HiddenNodes, S1} =
        lists:mapfoldl(fun(H, S) ->
                               {Ws, S2} = weights(3 + H - 3, S),
                               {{H, hidden, tanh, 0.1, lists:zip(lists:seq(0, 3 + H - 4), Ws)}, S2}
                       end, S0, lists:seq(3, 2 + Hidden)),
    {OutWs, S3} = weights(Hidden, S1),
    Out = {100, output, sigmoid, -0.2, lists:zip(lists:seq(3, 2 + Hidden), OutWs)},
    {tweann_nif:compile_network(Inputs ++ HiddenNodes ++ [Out], 3, [100]), S3}.

weights(N, S) ->
    lists:mapfoldl(fun(_, S1) ->
                           {X, S2} = rand:uniform_s(S1),
                           {X * 2 - 1, S2}
                   end, S, lists:seq(1, N)).
