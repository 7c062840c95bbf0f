%% EUnit tests for tweann_innovation.
-module(tweann_innovation_tests).

-include_lib("eunit/include/eunit.hrl").

innovation_test_() ->
    {setup,
     fun() -> {ok, Apps} = application:ensure_all_started(tweann_nif), Apps end,
     fun(Apps) -> [application:stop(A) || A <- lists:reverse(Apps)] end,
     {foreach, fun() -> ok = tweann_innovation:reset() end,
      [{"next/0 is strictly increasing", fun next/0},
       {"link_innovation/2 is get-or-create", fun link/0},
       {"node_innovation/2 gives three fresh numbers", fun node/0},
       {"prune/1 with a list and a predicate", fun prune/0},
       {"prune/1 rejects other terms", fun prune_badarg/0},
       {"reset/0", fun reset/0},
       {timeout, 120, {"16 processes x 10000 requests: one number per key",
                       fun concurrent/0}},
       {"numbers survive an owner restart", fun owner_restart/0}]}}.

next() ->
    Ns = [tweann_innovation:next() || _ <- lists:seq(1, 100)],
    ?assertEqual(lists:seq(1, 100), Ns).

link() ->
    A = tweann_innovation:link_innovation(s1, n1),
    ?assertEqual(A, tweann_innovation:link_innovation(s1, n1)),
    B = tweann_innovation:link_innovation(n1, s1),
    ?assertNotEqual(A, B),
    ?assertEqual(#{link => 2, node => 0}, tweann_innovation:size()).

node() ->
    {N, I, O} = tweann_innovation:node_innovation(s1, a1),
    ?assertEqual({N + 1, N + 2}, {I, O}),
    ?assertEqual({N, I, O}, tweann_innovation:node_innovation(s1, a1)),
    {N2, _, _} = tweann_innovation:node_innovation(s2, a1),
    ?assert(N2 > O),
    %% Link and node numbers come from one sequence.
    L = tweann_innovation:link_innovation(s1, a1),
    ?assertNot(lists:member(L, [N, I, O])).

prune() ->
    [tweann_innovation:link_innovation(I, I + 1) || I <- lists:seq(1, 10)],
    [tweann_innovation:node_innovation(I, I + 1) || I <- lists:seq(1, 10)],
    Kept = tweann_innovation:link_innovation(1, 2),
    ?assertEqual(16, tweann_innovation:prune([{1, 2}, {2, 3}])),
    ?assertEqual(#{link => 2, node => 2}, tweann_innovation:size()),
    ?assertEqual(Kept, tweann_innovation:link_innovation(1, 2)),
    ?assertEqual(2, tweann_innovation:prune(fun({F, _}) -> F =:= 1 end)),
    ?assertEqual(#{link => 1, node => 1}, tweann_innovation:size()),
    %% A pruned key that comes back gets a new number.
    ?assert(tweann_innovation:link_innovation(2, 3) > Kept).

prune_badarg() ->
    try tweann_innovation:prune(nope) of
        _ -> ?assert(false)
    catch
        error:badarg:St ->
            ?assertMatch(#{1 := _}, tweann_error:format_error(badarg, St))
    end.

reset() ->
    _ = tweann_innovation:link_innovation(a, b),
    _ = tweann_innovation:next(),
    ok = tweann_innovation:reset(),
    ?assertEqual(#{link => 0, node => 0}, tweann_innovation:size()),
    ?assertEqual(1, tweann_innovation:next()).

concurrent() ->
    Procs = 16,
    Requests = 10000,
    Keys = 32,
    Parent = self(),
    Go = make_ref(),
    Pids = [spawn_link(
              fun() ->
                      rand:seed(exsss, {P, P * 7, P * 13}),
                      receive Go -> ok end,
                      Seen = lists:foldl(
                               fun(_, Acc) ->
                                       K = rand:uniform(Keys),
                                       case rand:uniform(2) of
                                           1 -> [{link, K, tweann_innovation:link_innovation(K, K + 1)} | Acc];
                                           2 -> [{node, K, tweann_innovation:node_innovation(K, K + 1)} | Acc]
                                       end
                               end, [], lists:seq(1, Requests)),
                      Parent ! {self(), lists:usort(Seen)}
              end) || P <- lists:seq(1, Procs)],
    [P ! Go || P <- Pids],
    All = lists:usort(lists:append([receive {P, S} -> S end || P <- Pids])),
    %% Exactly one number (triple) per key.
    PerKey = lists:foldl(fun({Kind, K, V}, M) ->
                                 maps:update_with({Kind, K}, fun(Vs) -> [V | Vs] end, [V], M)
                         end, #{}, All),
    ?assertEqual(2 * Keys, map_size(PerKey)),
    [?assertMatch({_, [_]}, {Key, Vs}) || {Key, Vs} <- maps:to_list(PerKey)],
    %% Different keys never share a number.
    Numbers = lists:append([case V of
                                {A, B, C} -> [A, B, C];
                                N -> [N]
                            end || [V] <- maps:values(PerKey)]),
    ?assertEqual(length(Numbers), length(lists:usort(Numbers))),
    %% And they are what the tables hold.
    [?assertEqual(V, tweann_innovation:link_innovation(K, K + 1)) || {{link, K}, [V]} <- maps:to_list(PerKey)].

owner_restart() ->
    L = tweann_innovation:link_innovation(x, y),
    Owner = whereis(tweann_store_owner),
    Ref = monitor(process, Owner),
    exit(Owner, kill),
    receive {'DOWN', Ref, process, Owner, _} -> ok end,
    wait_restarted(Owner),
    ?assertEqual(L, tweann_innovation:link_innovation(x, y)),
    ?assert(tweann_innovation:next() > L).

wait_restarted(Old) ->
    case whereis(tweann_store_owner) of
        P when is_pid(P), P =/= Old -> _ = tweann_store_owner:tables(), ok;
        _ -> timer:sleep(1), wait_restarted(Old)
    end.

%% After application:stop/1 the tables are gone: every local-mode call that
%% needs them raises the store's error, named after the call itself; next/0
%% keeps counting. A badarg of prune/1's own predicate is not taken for it.
after_stop_test() ->
    {ok, _} = application:ensure_all_started(tweann_nif),
    ?assertEqual(local, tweann_innovation:mode()),
    _ = tweann_innovation:link_innovation(p, q),
    %% While running, a badarg of prune/1's predicate passes through as it is.
    Own = try tweann_innovation:prune(fun(_) -> error(badarg) end)
          catch error:badarg:St0 -> St0
          end,
    ?assertMatch([{?MODULE, _, _, _} | _], Own),
    ok = application:stop(tweann_nif),
    try
        Calls = [{link_innovation, [p, q]}, {node_innovation, [p, q]},
                 {prune, [[{p, q}]]}, {prune, [fun(_) -> true end]},
                 {size, []}, {reset, []}],
        ?assertEqual([{F, ok} || {F, _} <- Calls],
                     [{F, stopped_error(F, A)} || {F, A} <- Calls]),
        N = tweann_innovation:next(),
        ?assertEqual(N + 1, tweann_innovation:next())
    after
        {ok, _} = application:ensure_all_started(tweann_nif)
    end,
    ?assert(is_integer(tweann_innovation:link_innovation(p, q))).

stopped_error(F, Args) ->
    try apply(tweann_innovation, F, Args) of
        Value -> {returned, Value}
    catch
        error:badarg:St ->
            case {hd(St), tweann_error:format_error(badarg, St)} of
                {{tweann_innovation, F, Args, _}, #{general := Msg}} ->
                    case string:find(Msg, "the store is not running") of
                        nomatch -> {message, Msg};
                        _ -> ok
                    end;
                Other -> {frame_and_cause, Other}
            end;
        C:R:St -> {C, R, hd(St)}
    end.
