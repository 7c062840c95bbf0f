%% Every normal-scheduler entry point of the NIF finishes quickly whatever
%% the size of its arguments (docs/reliability.md): the functions are found
%% with tweann_nif:module_info(exports), each with the arguments of its
%% native entry in big/3, so a new function cannot be left out.
-module(tweann_normal_entries_tests).

-include_lib("eunit/include/eunit.hrl").

seed(N) -> rand:seed(exsss, {N, N * 7 + 1, N * 13 + 5}).

to_bin(L) -> << <<(float(X)):64/float-native>> || X <- L >>.

say(Fmt, Args) -> io:format(user, "~n[reliability] " ++ Fmt ++ "~n", Args).

%% Every normal-scheduler entry point finishes quickly (answers, hands over
%% with '$tweann_dirty', or raises) whatever the size of its arguments: an
%% oversized argument must not be decoded on a normal scheduler.
%% Limit: 10 ms per call (the long_schedule threshold above); the design
%% target is ~100 us of work. The functions are tweann_nif's exports
%% (module_info/1), each with its native entry's arguments in big/3: a new
%% export without an entry fails the test.
normal_entries_bounded_test_() ->
    {timeout, 600, fun normal_entries_bounded/0}.

normal_entries_bounded() ->
    seed(12),
    Ctx = big_context(2000000),
    OldBudget = maps:get(memory_budget, tweann_nif:memory_stats()),
    Exports = [{F, A} || {F, A} <- tweann_nif:module_info(exports), F =/= module_info],
    Table = [{F, A, big(F, A, Ctx)} || {F, A} <- Exports],
    ?assertEqual([], [{F, A} || {F, A, no_entry} <- Table]),
    %% Each case runs the native normal entry of the function (entry/1).
    Cases = [{entry(F), Args} || {F, _, Cases} <- Table, is_list(Cases), Args <- Cases],
    ?assertEqual([], [{F, length(Args)} || {F, Args} <- Cases,
                                          not erlang:function_exported(tweann_nif_native, F, length(Args))]),
    %% A dirty-only function has no second (normal/dirty) entry.
    ?assertEqual([], [{F, A} || {F, A, dirty_only} <- Table,
                                lists:keymember(list_to_atom(atom_to_list(entry(F)) ++ "_dirty"), 1,
                                                tweann_nif_native:module_info(exports))]),
    Results = [begin
                   %% Warm the terms (and the code) once, then time the best of 3.
                   Run = fun() -> timer:tc(fun() -> try apply(tweann_nif_native, F, A) of
                                                        '$tweann_dirty' -> dirty;
                                                        _ -> value
                                                    catch error:_ -> error
                                                    end end) end,
                   Runs = [Run() || _ <- lists:seq(1, 3)],
                   {Us, What} = lists:min(Runs),
                   {F, length(A), What, Us}
               end || {F, A} <- Cases],
    _ = tweann_nif:set_memory_budget(OldBudget),
    [say("normal entry ~p/~p with its largest argument ~p elements: ~p in ~.2f ms",
         [F, Ar, largest(A), W, Us / 1000])
     || {{F, Ar, W, Us}, {_, A}} <- lists:zip(Results, Cases)],
    say("not timed: ~w", [[{F, A, Why} || {F, A, Why} <- Table, is_atom(Why)]]),
    Slow = [{F, Ar, W, Us} || {F, Ar, W, Us} <- Results, Us > 10000],
    ?assertEqual([], Slow).

big_context(Big) ->
    BigList = [0.5 || _ <- lists:seq(1, Big)],
    Small = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}], 1, [1]),
    Cell = tweann_nif:cfc_cell(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                               [0.01 * (I rem 7) || I <- lists:seq(1, 84)]),
    %% faber-tweann's CfC populations: one network 2 -> [3] -> 2, and
    %% Big div 32 of them.
    W = lists:duplicate(17, 0.1), T = [1.0, 0.5, 2.0], P = Big div 32,
    #{big => Big, list => BigList, bin => to_bin(BigList), small => Small, cell => Cell,
      pop => tweann_nif:compile_cfc_pop([W], [T], 2, 3, 2, 1.0),
      big_pop => {tweann_nif:compile_cfc_pop(lists:duplicate(P, W), lists:duplicate(P, T), 2, 3, 2, 1.0), P},
      genes => [{I, 0.5} || I <- lists:seq(1, Big)],
      nodes => [{0, input, linear, 0, []} | [{I, hidden, tanh, 0, []} || I <- lists:seq(1, Big)]],
      wide => tweann_nif:compile_network(
                [{0, input, linear, 0, []} | [{I, hidden, tanh, 0, [{0, 0.5}]} || I <- lists:seq(1, Big div 8)]],
                1, [1])}.

%% The number of elements of the largest list or binary in a term.
largest(L) when is_list(L) -> lists:max([length(L) | [largest(X) || X <- L]]);
largest(B) when is_binary(B) -> byte_size(B) div 8;
largest(T) when is_tuple(T) -> largest(tuple_to_list(T));
largest(_) -> 0.

%% The native normal entry (tweann_nif_native) that serves a function of
%% tweann_nif: the function of the same name, except that the unseeded
%% functions call the seeded entry with a seed appended (tweann_nif draws it
%% from the caller's rand state) and dot_product_preflattened/3 is
%% dot_product_flat/3.
entry(mutate_weights) -> mutate_weights_seeded;
entry(mutate_weights_batch) -> mutate_weights_batch_seeded;
entry(mutate_weights_batch_uniform) -> mutate_weights_batch_uniform_seeded;
entry(random_weights) -> random_weights_seeded;
entry(random_weights_gaussian) -> random_weights_gaussian_seeded;
entry(random_weights_batch) -> random_weights_batch_seeded;
entry(dot_product_preflattened) -> dot_product_flat;
entry(F) -> F.

%% The largest seed an unseeded function appends (rand:uniform(1 bsl 58) - 1).
-define(DRAWN_SEED, (1 bsl 58) - 1).

%% Per exported function of tweann_nif: argument lists for its native
%% normal entry (entry/1), as large as possible; `dirty_only' for a native
%% function that only has a DirtyCpu entry, `not_native' for a function that
%% calls no NIF.
big(compile_network, 3, #{nodes := Nodes}) -> [[Nodes, 1, [1], default, organelles]];
big(compile_network, 4, #{nodes := Nodes}) -> [[Nodes, 1, [1], 1 bsl 40, forward_refs]];
big(evaluate, 2, #{small := N, list := L, bin := B}) -> [[N, L], [N, B]];
big(evaluate_batch, 2, #{small := N, list := L, bin := B, big := Big}) ->
    [[N, [L]], [N, [B]], [N, B], [N, [[0.5] || _ <- lists:seq(1, Big div 4)]]];
big(evaluate_with_state, 3, #{small := N, list := L}) -> [[N, [0.5], L], [N, L, []]];
big(network_info, 1, #{small := N}) -> [[N]];
big(dot_product_flat, 3, #{list := L, bin := B}) -> [[L, L, 0.0], [B, B, 0.0]];
big(dot_product, 2, #{list := L}) -> [[[{a, L}], [{a, L}]]];
big(dot_product_batch, 1, #{list := L}) -> [[[{L, L, 0.0}]]];
big(flatten_weights, 1, #{list := L}) -> [[[{a, L}]]];
big(activate_batch, 2, #{list := L, bin := B}) -> [[L, tanh], [B, tanh]];
big(compatibility_distance, 5, #{genes := G}) -> [[G, G, 1.0, 1.0, 1.0]];
big(evaluate_cfc, 4, _) -> [[0.5, 0.0, 1.0, 1.0]];
big(evaluate_ode, 5, _) -> [[0.5, 0.0, 1.0, 1.0, 0.1]];
big(evaluate_cfc_batch, 4, #{list := L}) -> [[L, 0.0, 1.0, 1.0]];
big(evaluate_cfc_with_weights, 6, #{list := L}) -> [[0.5, 0.0, 1.0, 1.0, L, [1.0]]];
big(evaluate_ode_with_weights, 7, #{list := L}) -> [[0.5, 0.0, 1.0, 1.0, 0.1, L, [1.0]]];
big(cell_step, 4, #{cell := C, big := Big}) ->
    B = Big div 8,
    [[C, lists:duplicate(B, [0.5, 0.5]), lists:duplicate(B, [0.0, 0.0, 0.0]), 1.0]];
big(cell_sequence, 4, #{cell := C, big := Big}) ->
    [[C, [lists:duplicate(Big div 8, [0.5, 0.5])], [[0.0, 0.0, 0.0]], 1.0]];
big(cell_info, 1, #{cell := C}) -> [[C]];
big(network_to_binary, 1, #{wide := W}) -> [[W]];
big(network_from_binary, 1, #{wide := W}) -> [[tweann_nif:network_to_binary(W)]];
big(cell_to_binary, 1, #{cell := C}) -> [[C]];
big(cell_from_binary, 1, #{cell := C, bin := B}) ->
    Len = byte_size(B) + 20,
    [[tweann_nif:cell_to_binary(C)],
     [<<"TWNC", 1:16/little, 0:16/little, Len:64/little, B/binary, 0:32>>]];
big(euclidean_distance, 2, #{list := L}) -> [[L, L]];
big(euclidean_distance_batch, 2, #{big := Big}) -> [[[0.5], [[0.5] || _ <- lists:seq(1, Big div 2)]]];
big(knn_novelty, 4, #{big := Big}) -> [[[0.5], [[0.5] || _ <- lists:seq(1, Big div 2)], [], 3]];
big(knn_novelty_batch, 3, #{big := Big}) -> [[[[0.5] || _ <- lists:seq(1, Big div 2)], [], 3]];
big(fitness_stats, 1, #{list := L}) -> [[L]];
big(weighted_moving_average, 2, #{list := L}) -> [[L, 0.5]];
big(shannon_entropy, 1, #{list := L}) -> [[L]];
big(histogram, 4, #{list := L}) -> [[L, 10, 0.0, 1.0]];
big(build_cumulative_fitness, 1, #{list := L}) -> [[L]];
big(roulette_select, 3, #{big := Big}) -> [[lists:seq(1, Big), float(Big), 0.5]];
big(roulette_select_batch, 3, #{big := Big, list := L}) -> [[lists:seq(1, Big), float(Big), L]];
big(tournament_select, 2, #{big := Big, list := L}) -> [[lists:seq(0, Big - 1), L]];
big(z_score, 3, _) -> [[0.5, 0.0, 1.0]];
big(compute_reward_component, 2, #{list := L}) -> [[L, 0.5]];
big(compute_weighted_reward, 1, #{list := L}) -> [[[{L, 0.5, 1.0}]]];
big(set_memory_budget, 1, _) -> [[default]];
%% faber-tweann's weight kernels: the unseeded ones with the seed
%% tweann_nif appends.
big(mutate_weights, 4, #{list := L, bin := B}) ->
    [[L, 0.5, 0.5, 0.1, ?DRAWN_SEED], [B, 1.0, 0.0, 0.1, ?DRAWN_SEED]];
big(mutate_weights_seeded, 5, #{list := L, bin := B}) ->
    [[L, 1.0, 1.0, 0.1, (1 bsl 64) - 1], [B, 0.5, 0.5, 0.1, 0]];
big(mutate_weights_batch, 1, #{list := L, big := Big}) ->
    [[[{L, 0.5, 0.5, 0.1}], ?DRAWN_SEED],
     [lists:duplicate(Big div 4, {[0.5], 0.5, 0.5, 0.1}), ?DRAWN_SEED]];
big(mutate_weights_batch_uniform, 4, #{list := L, bin := B, big := Big}) ->
    [[[L], 0.5, 0.5, 0.1, ?DRAWN_SEED], [[B], 0.5, 0.5, 0.1, ?DRAWN_SEED],
     [lists:duplicate(Big div 4, [0.5]), 0.5, 0.5, 0.1, ?DRAWN_SEED]];
big(random_weights, 1, #{big := Big}) -> [[Big, ?DRAWN_SEED], [1 bsl 40, ?DRAWN_SEED]];
big(random_weights_seeded, 2, #{big := Big}) -> [[Big, (1 bsl 64) - 1]];
big(random_weights_gaussian, 3, #{big := Big}) -> [[Big, 0.0, 1.0, ?DRAWN_SEED]];
big(random_weights_batch, 1, #{big := Big}) ->
    [[[{Big, 0.0, 1.0}], ?DRAWN_SEED], [lists:duplicate(Big div 4, {1, 0.0, 1.0}), ?DRAWN_SEED]];
big(F, 2, #{list := L, bin := B}) when F =:= weight_distance_l1; F =:= weight_distance_l2 ->
    [[L, L], [B, B], [L, B]];
big(weight_distance_batch, 3, #{list := L, bin := B, big := Big}) ->
    [[L, [L], l1], [B, [B], l2], [[0.5], lists:duplicate(Big div 2, [0.5]), l2]];
big(dot_product_preflattened, 3, #{list := L, bin := B}) -> [[L, L, 0.0], [B, B, 0.0]];
big(compile_cfc_pop, 6, #{big := Big}) ->
    P = Big div 20,
    [[lists:duplicate(P, lists:duplicate(17, 0.1)), lists:duplicate(P, [1.0, 0.5, 2.0]), 2, 3, 2, 1.0],
     %% one wide network: 1 -> [H] -> 1 has 3H + 1 weights
     [[lists:duplicate(3 * (Big div 3) + 1, 0.1)], [lists:duplicate(Big div 3, 1.0)], 1, Big div 3, 1, 1.0]];
big(cfc_pop_step, 3, #{pop := Pop, big_pop := {BigPop, P}, big := Big}) ->
    [[BigPop, lists:duplicate(P, [0.0, 0.0, 0.0]), lists:duplicate(P, [0.5, 0.5])],
     [Pop, [lists:duplicate(Big, 0.0)], [[0.5, 0.5]]]];
big(memory_stats, 0, _) -> [[]];
big(build_info, 0, _) -> [[]];
big(impl, 0, _) -> [[]];
big(F, _, _) when F =:= cfc_cell; F =:= ltc_cell; F =:= cfc_population; F =:= ltc_population;
                  F =:= benchmark_evaluate ->
    dirty_only;
big(is_loaded, 0, _) -> not_native;
big(_, _, _) -> no_entry.
