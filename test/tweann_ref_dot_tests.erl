%% EUnit tests of the dot products of the signal aggregator (tweann_ref_dot), part of the pure Erlang reference of the
%% tweann_nif API. Expected values are worked out by hand from
%% docs/semantics.md; where a transcendental function is involved the
%% expectation repeats the formula in the contract's operation order, so the
%% comparison is exact.
-module(tweann_ref_dot_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_dot).


%% Dot products
%%====================================================================

dot_product_test() ->
    Signals = [{a, [1, 2]}, {b, [3]}],
    Plain = [{a, [1, 2]}, {b, [0.5]}],
    %% 0.0 + 1*1 + 2*2 + 3*0.5 = 6.5
    ?assertEqual(6.5, ?M:dot_product(Signals, Plain)),
    %% DXNN2 tuples; bias entry.
    Tuples = [{a, [{1.0, 0, 0, []}, {2, x, y, z}]}, {b, [{0.5}]}, {bias, [{10, 0.0, 0.1, []}]}],
    ?assertEqual(16.5, ?M:dot_product(Signals, Tuples)),
    ?assertEqual(16.5, ?M:dot_product(Signals, Plain ++ [{bias, [10]}])),
    ?assertEqual(-1.0, ?M:dot_product([], [{bias, [-1]}])),
    ?assertEqual(0.0, ?M:dot_product([], [])),
    ?assert(is_float(?M:dot_product([{a, [2]}], [{a, [3]}]))),
    %% Order of additions is the contract's.
    ?assertEqual(((0.0 + 0.1 * 0.2) + 0.3 * 0.7) + 0.9,
                 ?M:dot_product([{x, [0.1, 0.3]}], [{x, [0.2, 0.7]}, {bias, [0.9]}])).

dot_product_errors_test() ->
    S = [{a, [1, 2]}],
    ?badarg_says(2, "source id b differs", ?M:dot_product(S, [{b, [1, 2]}])),
    ?badarg_says(2, "1 weights for 2 signals", ?M:dot_product(S, [{a, [1]}])),
    ?badarg_at(2, ?M:dot_product(S, [])),
    ?badarg_at(2, ?M:dot_product(S, [{a, [1, 2]}, {c, [1]}])),
    ?badarg_says(2, "exactly one", ?M:dot_product(S, [{a, [1, 2]}, {bias, [1, 2]}])),
    ?badarg_at(2, ?M:dot_product(S, [{a, [1, 2]}, {bias, []}])),
    ?badarg_says(2, "element 1: weight 2", ?M:dot_product(S, [{a, [1, {x}]}])),
    ?badarg_at(2, ?M:dot_product(S, [{a, [1, {}]}])),
    ?badarg_at(2, ?M:dot_product(S, [{a, [1, 2]} | x])),
    ?badarg_at(2, ?M:dot_product(S, [{a, [1, 2], 3}])),
    ?badarg_says(1, "element 1: signal 2", ?M:dot_product([{a, [1, {2}]}], [{a, [1, 2]}])),
    ?badarg_at(1, ?M:dot_product([{a, [1 | 2]}], [{a, [1, 2]}])),
    ?badarg_at(1, ?M:dot_product(x, [])),
    ?badarg_at(1, ?M:dot_product([{a}], [])).

dot_product_flat_test() ->
    ?assertEqual(((0.0 + 1.0 * 4.0) + 2.0 * 5.0) + 0.5,
                 ?M:dot_product_flat([1, 2], [4, 5], 0.5)),
    ?assertEqual(14.5, ?M:dot_product_flat([1, 2], [4, 5], 0.5)),
    ?assertEqual(3.0, ?M:dot_product_flat([], [], 3)),
    ?badarg_says(2, "has 1 elements but the signals have 2",
                 ?M:dot_product_flat([1, 2], [4], 0)),
    ?badarg_at(1, ?M:dot_product_flat([1, a], [4, 5], 0)),
    ?badarg_at(2, ?M:dot_product_flat([1, 2], [4, a], 0)),
    ?badarg_at(3, ?M:dot_product_flat([1, 2], [4, 5], bias)),
    ?badarg_at(1, ?M:dot_product_flat(foo, [4, 5], 0)).

dot_product_batch_test() ->
    ?assertEqual([14.5, 3.0, -1.0],
                 ?M:dot_product_batch([{[1, 2], [4, 5], 0.5}, {[], [], 3},
                                       {[1.0], [-2.0], 1}])),
    ?assertEqual([], ?M:dot_product_batch([])),
    ?badarg_says(1, "element 2: weights", ?M:dot_product_batch([{[1], [1], 0}, {[1], [x], 0}])),
    ?badarg_says(1, "element 1: bias", ?M:dot_product_batch([{[1], [1], b}])),
    ?badarg_says(1, "element 1: weights: has 2", ?M:dot_product_batch([{[1], [1, 2], 0}])),
    ?badarg_at(1, ?M:dot_product_batch([{[1], [1]}])),
    ?badarg_at(1, ?M:dot_product_batch([{[1], [1], 0} | x])).

flatten_weights_test() ->
    ?assertEqual({[1.0, 2.0, 0.5, 10.0], [2, 1, 1]},
                 ?M:flatten_weights([{a, [{1, 0, 0, []}, 2]}, {b, [0.5]}, {bias, [{10, x}]}])),
    ?assertEqual({[], []}, ?M:flatten_weights([])),
    ?assertEqual({[], [0]}, ?M:flatten_weights([{a, []}])),
    ?badarg_at(1, ?M:flatten_weights([{a, [x]}])),
    ?badarg_at(1, ?M:flatten_weights([{a, [1]} | b])),
    ?badarg_at(1, ?M:flatten_weights([a])).
