%% The large arguments of tweann_hostile_tests: per exported function of
%% tweann_nif, argument lists with one very large argument that is bad at
%% its end, so the normal entry hands over to the dirty one, which must then
%% fail cleanly (large/3; `fixed' when no argument can be large,
%% no_generator for a function it does not know).
-module(tweann_hostile_large).

-export([large/3]).

-import(tweann_hostile_gen, [improper/2, nan/0, f64/1]).

%% Per exported function: argument lists with one very large argument that
%% is bad at its end (so the normal entry hands over to the dirty one, which
%% must then fail cleanly), or `fixed' when no argument can be large.
large(compile_network, 3, #{many := Many}) ->
    Good = [{0, 0.001} || _ <- lists:seq(1, Many)],
    In = {0, input, linear, 0, []},
    [[[In, {1, output, tanh, 0, Good ++ [{0, x}]}], 1, [1]],
     [[In, {1, output, tanh, 0, improper(Good, tail)}], 1, [1]],
     [[In, {1, output, tanh, 0, Good ++ [{-1, 1.0}]}], 1, [1]],
     [[In, {1, output, tanh, 0, Good ++ [{7, 1.0}]}], 1, [1]]];
large(compile_network, 4, Ctx) ->
    [Args ++ [#{}] || Args <- large(compile_network, 3, Ctx)];
large(evaluate, 2, #{net := Net, many := Many}) ->
    Good = [{0, 0.001} || _ <- lists:seq(1, Many)],
    Overflowing = case Net of
                      none -> none;
                      _ -> tweann_nif:compile_network([{0, input, linear, 0, []},
                                                       {1, output, cubic, 0, [{0, 1.0e300} | Good]}], 1, [1])
                  end,
    [[Overflowing, [1.0]], [Net, lists:duplicate(Many, 0.5) ++ [x]]];
large(evaluate_batch, 2, #{net := Net, many := Many}) ->
    [[Net, lists:duplicate(Many, [0.5]) ++ [[x]]],
     [Net, improper(lists:duplicate(Many, [0.5]), y)],
     [Net, << (binary:copy(f64(0.5), Many))/binary, (nan())/binary >>]];
large(evaluate_with_state, 3, #{net := Net, many := Many}) ->
    [[Net, [0.5], lists:duplicate(Many, 0.5) ++ [x]]];
large(benchmark_evaluate, 3, #{net := Net, many := Many}) ->
    [[Net, lists:duplicate(Many, 0.5) ++ [x], 10]];
large(dot_product, 2, #{many := Many}) ->
    [[[{a, lists:duplicate(Many, 1.0)}], [{a, lists:duplicate(Many - 1, 1.0) ++ [x]}]]];
large(dot_product_flat, 3, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0), lists:duplicate(Many, 1.0) ++ [a], 0],
     [lists:duplicate(Many, 1.0e300), lists:duplicate(Many, 1.0e300), 0]];
large(dot_product_batch, 1, #{many := Many}) ->
    [[lists:duplicate(Many div 10, {[1.0], [1.0], 0.0}) ++ [{[1.0], [], 0.0}]]];
large(flatten_weights, 1, #{many := Many}) ->
    [[[{a, lists:duplicate(Many, 1.0)}, {b, [x]}]]];
large(activate_batch, 2, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [nan], tanh], [lists:duplicate(Many, 1.0e300), cubic]];
large(compatibility_distance, 5, #{many := Many}) ->
    Genes = [{I, 0.5} || I <- lists:seq(1, Many)],
    [[Genes ++ [{1, 0.5}], [], 1, 1, 1], [Genes, [{1 bsl 64, 0.5}], 1, 1, 1]];
large(evaluate_cfc_with_weights, 6, #{many := Many}) ->
    [[0.5, 0.0, 1.0, 1.0, lists:duplicate(Many, 0.1) ++ [x], []]];
large(evaluate_ode_with_weights, 7, #{many := Many}) ->
    [[0.5, 0.0, 1.0, 1.0, 0.1, [], lists:duplicate(Many, 0.1) ++ [x]]];
large(evaluate_cfc_batch, 4, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [x], 0.0, 1.0, 1.0]];
large(cfc_cell, 2, #{many := Many}) ->
    [[#{input_size => 2, hidden_size => 3, backbone_units => 4}, lists:duplicate(Many, 0.1)]];
large(ltc_cell, 2, #{many := Many}) ->
    [[#{input_size => 2, units => 3}, lists:duplicate(Many - 1, 0.1) ++ [x]]];
large(cfc_population, 2, #{many := Many}) ->
    P = lists:duplicate(84, 0.01),
    [[#{input_size => 2, hidden_size => 3, backbone_units => 4},
      lists:duplicate(Many div 84, P) ++ [[x | tl(P)]]]];
large(ltc_population, 2, #{many := Many}) ->
    P = lists:duplicate(94, 0.01),
    [[#{input_size => 2, units => 3}, lists:duplicate(Many div 94, P) ++ [tl(P)]]];
large(cell_step, 4, #{cell := Cell, many := Many}) ->
    B = Many div 4,
    [[Cell, lists:duplicate(B, [0.5, 0.5]) ++ [[x, 0.5]], lists:duplicate(B + 1, [0.0, 0.0, 0.0]), 1.0]];
large(cell_sequence, 4, #{cell := Cell, many := Many}) ->
    [[Cell, [lists:duplicate(Many div 4, [0.5, 0.5]) ++ [[0.5, x]]], [[0.0, 0.0, 0.0]], 1.0]];
large(F, 1, #{many := Many}) when F =:= network_from_binary; F =:= cell_from_binary ->
    %% A long binary whose header claims it holds everything it has.
    Len = 8 * Many,
    [[<<"TWNN", 1:16/little, 0:16/little, Len:64/little, 0:((Len - 16) * 8)>>],
     [<<"TWNC", 1:16/little, 0:16/little, Len:64/little, 0:((Len - 16) * 8)>>]];
large(F, 1, #{many := Many}) when F =:= network_to_binary; F =:= cell_to_binary ->
    [[lists:duplicate(Many, 0.5)]];
large(knn_novelty_batch, 3, #{many := Many}) ->
    [[lists:duplicate(Many div 100, [0.5, 0.5]) ++ [[0.5, x]], [], 3],
     [lists:duplicate(Many div 100, [0.5, 0.5]) ++ [[0.5]], [], 3]];
large(knn_novelty, 4, #{many := Many}) ->
    [[[0.0], lists:duplicate(Many div 10, [1.0]), [[1.0] | bad], 3]];
large(euclidean_distance_batch, 2, #{many := Many}) ->
    [[[0.0], lists:duplicate(Many, [1.0]) ++ [[1.0e300], [-1.0e300]]]];
large(euclidean_distance, 2, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0e300), lists:duplicate(Many, -1.0e300)]];
large(fitness_stats, 1, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [nan]], [lists:duplicate(Many, 1.0e300)]];
large(weighted_moving_average, 2, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [x], 0.5]];
large(shannon_entropy, 1, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [x]]];
large(histogram, 4, #{many := Many}) ->
    [[lists:duplicate(Many, 0.5), 1 bsl 40, 0.0, 1.0],
     [lists:duplicate(Many, 0.5) ++ [x], 1 bsl 40, 0.0, 1.0]];
large(build_cumulative_fitness, 1, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [x]]];
large(roulette_select, 3, #{many := Many}) ->
    [[lists:seq(1, Many) ++ [0], 1.0, 0.5]];
large(roulette_select_batch, 3, #{many := Many}) ->
    [[lists:seq(1, Many), 1.0, lists:duplicate(Many, 0.5) ++ [x]]];
large(tournament_select, 2, #{many := Many}) ->
    [[lists:seq(0, Many), lists:duplicate(Many, 1.0)]];
large(compute_reward_component, 2, #{many := Many}) ->
    [[lists:duplicate(Many, 1.0) ++ [x], 1.0]];
large(compute_weighted_reward, 1, #{many := Many}) ->
    [[lists:duplicate(Many div 10, {[1.0], 1.0, 1.0}) ++ [{[1.0], 1.0}]]];
large(z_score, 3, _) ->
    fixed;
large(set_memory_budget, 1, _) ->
    [[1 bsl 100000]];
%% faber-tweann's weight kernels: long weight lists (and batches) bad at
%% their end; counts too large for the memory budget or for 64 bits.
large(mutate_weights, 4, #{many := Many}) ->
    [[lists:duplicate(Many, 0.5) ++ [x], 0.5, 0.5, 0.1],
     [improper(lists:duplicate(Many, 0.5), tail), 1.0, 1.0, 0.1]];
large(mutate_weights_seeded, 5, Ctx) ->
    [Args ++ [42] || Args <- large(mutate_weights, 4, Ctx)];
large(mutate_weights_batch, 1, #{many := Many}) ->
    [[lists:duplicate(Many div 4, {[0.5], 0.5, 0.5, 0.1}) ++ [{[0.5], 2.0, 0.5, 0.1}]],
     [[{lists:duplicate(Many, 0.5) ++ [x], 0.5, 0.5, 0.1}]]];
large(mutate_weights_batch_uniform, 4, #{many := Many}) ->
    [[lists:duplicate(Many div 4, [0.5]) ++ [[x]], 0.5, 0.5, 0.1],
     [[lists:duplicate(Many, 0.5), << (binary:copy(f64(0.5), Many))/binary, (nan())/binary >>], 0.5, 0.5, 0.1]];
large(random_weights, 1, _) ->
    [[1 bsl 40], [1 bsl 100000]];
large(random_weights_seeded, 2, #{many := Many}) ->
    [[1 bsl 40, 1], [Many, 1 bsl 100000]];
large(random_weights_gaussian, 3, #{many := Many}) ->
    [[1 bsl 40, 0.0, 1.0], [Many, 1.0e308, 1.0e308]];
large(random_weights_batch, 1, #{many := Many}) ->
    [[lists:duplicate(Many div 4, {1, 0.0, 1.0}) ++ [{1, 0.0, -1.0}]],
     [[{1 bsl 39, 0.0, 1.0}, {1 bsl 39, 0.0, 1.0}]]];
large(F, 2, #{many := Many}) when F =:= weight_distance_l1; F =:= weight_distance_l2 ->
    [[lists:duplicate(Many, 0.5), lists:duplicate(Many - 1, 0.5) ++ [x]],
     [lists:duplicate(Many, 0.5), lists:duplicate(Many + 1, 0.5)],
     [lists:duplicate(Many, 0.5) ++ [1.0e308], lists:duplicate(Many, 0.5) ++ [-1.0e308]]];
large(weight_distance_batch, 3, #{many := Many}) ->
    [[[0.5], lists:duplicate(Many, [0.5]) ++ [[x]], l1],
     [lists:duplicate(Many, 0.5), [lists:duplicate(Many, 0.5), lists:duplicate(Many - 1, 0.5)], l2]];
large(dot_product_preflattened, 3, Ctx) ->
    large(dot_product_flat, 3, Ctx);
large(compile_cfc_pop, 6, #{many := Many}) ->
    W = lists:duplicate(17, 0.1), T = [1.0, 0.5, 2.0], P = Many div 17,
    [[lists:duplicate(P, W) ++ [[x | tl(W)]], lists:duplicate(P + 1, T), 2, 3, 2, 1.0],
     [lists:duplicate(P + 1, W), lists:duplicate(P, T) ++ [[1.0, 0.5]], 2, 3, 2, 1.0]];
large(cfc_pop_step, 3, #{pop := Pop, many := Many}) ->
    [[Pop, lists:duplicate(Many div 3, [0.0, 0.0, 0.0]) ++ [[x, 0.0, 0.0]], [[0.5, 0.5]]],
     [Pop, [[0.0, 0.0, 0.0]], [lists:duplicate(Many, 0.5)]]];
large(F, A, _) when {F, A} =:= {network_info, 1}; {F, A} =:= {cell_info, 1};
                    {F, A} =:= {evaluate_cfc, 4}; {F, A} =:= {evaluate_ode, 5};
                    {F, A} =:= {memory_stats, 0}; {F, A} =:= {build_info, 0};
                    {F, A} =:= {is_loaded, 0}; {F, A} =:= {impl, 0} ->
    fixed;
large(_, _, _) ->
    no_generator.
