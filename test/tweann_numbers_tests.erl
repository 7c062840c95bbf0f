%% One rule for numbers (docs/semantics.md): wherever a number is
%% expected, an integer converts as float/1 converts it, bignums included,
%% on both backends; integer arguments have the same ranges on both.
%%
%% Observed figures are printed with io:format(user, ...).
-module(tweann_numbers_tests).

-include_lib("eunit/include/eunit.hrl").

-import(tweann_reliability_lib, [seed/1, pick/1, bits/1, say/2]).

%%--------------------------------------------------------------------
%% One rule for numbers
%%--------------------------------------------------------------------

%% Where a number is expected, an integer is converted as float/1 converts
%% it, bignums included, and an integer beyond the float range is a badarg:
%% the NIF and the reference agree bit for bit on boundary and random
%% bignums. Integer arguments have the ranges docs/semantics.md gives, the
%% same on both backends.
numbers_one_rule_test_() ->
    {timeout, 120, fun numbers_one_rule/0}.

numbers_one_rule() ->
    seed(23),
    Boundary = [1 bsl 59, 1 bsl 63, (1 bsl 64) - 1, 1 bsl 64, (1 bsl 64) + 1, -(1 bsl 63), -(1 bsl 63) - 1,
                -(1 bsl 64), (1 bsl 100) + 1, -(1 bsl 100) - 7, (1 bsl 128) - 1, (1 bsl 1023),
                (1 bsl 1024) - 1, -((1 bsl 1024) - 1), 1 bsl 1024, -(1 bsl 1024), 1 bsl 5000,
                %% rounding cases: a 2-digit bignum whose low digit rounds
                (1 bsl 117) + (1 bsl 64) + 1, (((1 bsl 53) + 1) bsl 64) + (1 bsl 63),
                (((1 bsl 53) - 1) bsl 64) + (1 bsl 63) + 1],
    Random = [(rand:uniform(1 bsl B) + (1 bsl (B - 1))) * pick([1, -1])
              || B <- [65 + rand:uniform(1000) || _ <- lists:seq(1, 300)]],
    Ints = Boundary ++ Random,
    NetSpec = fun(X) -> [{0, input, linear, 0, []}, {1, output, linear, X, [{0, X}]}] end,
    Pairs =
        [{activate_batch, fun(X) -> tweann_nif:activate_batch([X, 0.5], linear) end,
                          fun(X) -> tweann_ref_activation:activate_batch([X, 0.5], linear) end},
         {dot_product_flat, fun(X) -> tweann_nif:dot_product_flat([X], [1.0], 0.0) end,
                            fun(X) -> tweann_ref_dot:dot_product_flat([X], [1.0], 0.0) end},
         {dot_product_weight, fun(X) -> tweann_nif:dot_product([{a, [1.0]}], [{a, [{X, 0, 0, 0}]}]) end,
                              fun(X) -> tweann_ref_dot:dot_product([{a, [1.0]}], [{a, [{X, 0, 0, 0}]}]) end},
         {evaluate_input, fun(X) -> tweann_nif:evaluate(tweann_nif:compile_network(NetSpec(0.5), 1, [1]), [X]) end,
                          fun(X) -> tweann_ref_network:evaluate(tweann_ref_network:compile_network(NetSpec(0.5), 1, [1]), [X]) end},
         {network_parameters, fun(X) -> tweann_nif:evaluate(tweann_nif:compile_network(NetSpec(X), 1, [1]), [0.0]) end,
                              fun(X) -> tweann_ref_network:evaluate(tweann_ref_network:compile_network(NetSpec(X), 1, [1]), [0.0]) end},
         {gene_weight, fun(X) -> tweann_nif:compatibility_distance([{1, X}], [{1, 0.0}], 1, 1, 1) end,
                       fun(X) -> tweann_ref_neat:compatibility_distance([{1, X}], [{1, 0.0}], 1, 1, 1) end},
         {scalar, fun(X) -> tweann_nif:evaluate_cfc(X, 0.0, 1.0, 1.0) end,
                  fun(X) -> tweann_ref_scalar:evaluate_cfc(X, 0.0, 1.0, 1.0) end},
         {fitness_stats, fun(X) -> tweann_nif:fitness_stats([X, 0.5]) end,
                         fun(X) -> tweann_ref_stats:fitness_stats([X, 0.5]) end},
         {histogram_bound, fun(X) -> tweann_nif:histogram([0.5], 2, 0.0, X) end,
                           fun(X) -> tweann_ref_stats:histogram([0.5], 2, 0.0, X) end},
         {euclidean_distance, fun(X) -> tweann_nif:euclidean_distance([X], [0.0]) end,
                              fun(X) -> tweann_ref_novelty:euclidean_distance([X], [0.0]) end},
         {cumulative_fitness, fun(X) -> tweann_nif:build_cumulative_fitness([1.0, X]) end,
                              fun(X) -> tweann_ref_selection:build_cumulative_fitness([1.0, X]) end},
         {reward_current, fun(X) -> tweann_nif:compute_reward_component([1.0, 2.0], X) end,
                          fun(X) -> tweann_ref_reward:compute_reward_component([1.0, 2.0], X) end},
         {z_score, fun(X) -> tweann_nif:z_score(X, 0.0, 1.0) end,
                   fun(X) -> tweann_ref_reward:z_score(X, 0.0, 1.0) end}],
    Disagree = [{Name, X, N, R} || X <- Ints, {Name, NF, RF} <- Pairs,
                                   N <- [outcome_of(fun() -> NF(X) end)],
                                   R <- [outcome_of(fun() -> RF(X) end)], N =/= R],
    %% The value is float/1's.
    Floats = [{X, outcome_of(fun() -> tweann_nif:activate_batch([X], linear) end),
               outcome_of(fun() -> [float(X)] end)} || X <- Ints],
    ?assertEqual([], [F || {_, A, B} = F <- Floats, A =/= B, B =/= {error, error, badarg}]),
    ?assertEqual([], [X || {X, {value, _}, {error, error, badarg}} <- Floats]),
    %% Integer arguments: the same ranges on both backends.
    P94 = [0.01 * (I rem 5) || I <- lists:seq(1, 94)],
    Net = tweann_nif:compile_network(NetSpec(0.5), 1, [1]),
    RefNet = tweann_ref_network:compile_network(NetSpec(0.5), 1, [1]),
    IntArgs =
        [{innovation, fun(I) -> tweann_nif:compatibility_distance([{I, 0.5}], [], 1, 1, 1) end,
                      fun(I) -> tweann_ref_neat:compatibility_distance([{I, 0.5}], [], 1, 1, 1) end,
                      [0, (1 bsl 64) - 1, 1 bsl 64, -1]},
         {ode_unfolds, fun(K) -> cell_ok(tweann_nif:ltc_cell(#{input_size => 2, units => 3, ode_unfolds => K}, P94)) end,
                       fun(K) -> cell_ok(tweann_ref_ltc:ltc_cell(#{input_size => 2, units => 3, ode_unfolds => K}, P94)) end,
                       [1, 10000, 10001, 4294967295, 0]},
         {backbone_layers, fun(K) -> tweann_nif:cfc_cell(#{input_size => 1, hidden_size => 1, backbone_layers => K}, []) end,
                           fun(K) -> tweann_ref_cfc:cfc_cell(#{input_size => 1, hidden_size => 1, backbone_layers => K}, []) end,
                           [16#FFFFFFFF + 1, 1 bsl 64, -1]},
         {input_size, fun(K) -> tweann_nif:cfc_cell(#{input_size => K, hidden_size => 1}, []) end,
                      fun(K) -> tweann_ref_cfc:cfc_cell(#{input_size => K, hidden_size => 1}, []) end,
                      [16#FFFFFFFF + 1, 1 bsl 64, 0]},
         {iterations, fun(K) -> is_float(tweann_nif:benchmark_evaluate(Net, [0.5], K)) end,
                      fun(K) -> is_float(tweann_ref_network:benchmark_evaluate(RefNet, [0.5], K)) end,
                      [1, 10000001, 4294967295, 1 bsl 64, 0]},
         {budget_option, fun(B) -> is_reference(tweann_nif:compile_network([], 0, [], #{memory_budget => B})) end,
                         fun(B) -> is_tuple(tweann_ref_network:compile_network([], 0, [], #{memory_budget => B})) end,
                         [(1 bsl 64) - 1, 1 bsl 64, 0]}],
    IntDisagree = [{Name, V, N, R} || {Name, NF, RF, Vs} <- IntArgs, V <- Vs,
                                      N <- [outcome_of(fun() -> NF(V) end)],
                                      R <- [outcome_of(fun() -> RF(V) end)], N =/= R],
    Budgets = [{B, outcome_of(fun() -> set_and_restore(fun tweann_nif:set_memory_budget/1, B) end),
                outcome_of(fun() -> set_and_restore(fun tweann_ref_info:set_memory_budget/1, B) end)}
               || B <- [1, (1 bsl 64) - 1, 1 bsl 64, 0, 1 bsl 1000]],
    say("numbers: ~p integers x ~p functions, NIF vs reference: ~p disagreements; integer "
        "arguments: ~p disagreements; memory budgets: ~w",
        [length(Ints), length(Pairs), length(Disagree), length(IntDisagree),
         [{B, N} || {B, N, _} <- Budgets]]),
    ?assertEqual([], lists:sublist(Disagree, 5)),
    ?assertEqual([], IntDisagree),
    ?assertEqual([], [B || {B, N, R} <- Budgets, N =/= R]).

set_and_restore(Set, B) ->
    Old = Set(B),
    _ = Set(Old),
    ok.

cell_ok(C) -> is_reference(C) orelse is_tuple(C).

%% {value, Bits} | {error, Class, Position} of F on either backend.
outcome_of(F) ->
    try F() of
        V -> {value, bits(V)}
    catch
        error:{tweann_error, Class, Pos, _} -> {error, Class, Pos};
        error:Class:St when Class =:= badarg; Class =:= badarith ->
            case St of
                [{_, _, _, Info} | _] ->
                    case proplists:get_value(error_info, Info) of
                        #{module := tweann_error, cause := {Pos, _}} -> {error, Class, Pos};
                        _ -> {error, error, Class}
                    end;
                _ -> {error, error, Class}
            end
    end.
