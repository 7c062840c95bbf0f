%% EUnit tests of the NEAT compatibility distance (tweann_ref_neat), part of the pure Erlang reference of the
%% tweann_nif API. Expected values are worked out by hand from
%% docs/semantics.md; where a transcendental function is involved the
%% expectation repeats the formula in the contract's operation order, so the
%% comparison is exact.
-module(tweann_ref_neat_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_neat).


%% compatibility_distance
%%====================================================================

compatibility_distance_test() ->
    A = [{1, 0.5}, {2, 1}, {4, 0}],
    B = [{1, 0.0}, {3, 1}, {5, 2}, {6, 1}],
    %% Limit = min(4, 6) = 4. Matching: 1 (|0.5 - 0| = 0.5).
    %% Disjoint: 2, 4 (A), 3 (B). Excess: 5, 6 (B). E = 2, D = 3, N = 4.
    %% (1*2)/4 + (2*3)/4 + 0.5*0.5 = 0.5 + 1.5 + 0.25
    ?assertEqual(2.25, ?M:compatibility_distance(A, B, 1, 2, 0.5)),
    %% C1 /= C2 tells excess from disjoint: (3*2)/4 + (0*3)/4 + 0.
    ?assertEqual(1.5, ?M:compatibility_distance(A, B, 3, 0, 0)),
    ?assertEqual(0.75, ?M:compatibility_distance(A, B, 0, 1, 0)),
    %% Symmetric in the gene lists.
    ?assertEqual(2.25, ?M:compatibility_distance(B, A, 1, 2, 0.5)),
    %% Unsorted input gives the same as sorted.
    ?assertEqual(2.25, ?M:compatibility_distance(lists:reverse(A), [{6, 1}, {1, 0.0}, {5, 2}, {3, 1}],
                                                 1, 2, 0.5)),
    %% Formula order.
    ?assertEqual(((1.3 * 2.0) / 4.0 + (0.7 * 3.0) / 4.0) + 0.4 * (0.5 / 1.0),
                 ?M:compatibility_distance(A, B, 1.3, 0.7, 0.4)),
    ?assert(is_float(?M:compatibility_distance(A, B, 1, 1, 1))).

compatibility_distance_edge_test() ->
    %% Both empty: N = 1, everything 0.
    ?assertEqual(0.0, ?M:compatibility_distance([], [], 1, 1, 1)),
    %% One empty: all genes of the other are excess, N = 2.
    ?assertEqual(1.0, ?M:compatibility_distance([], [{3, 1.0}, {1, 2.0}], 1, 5, 7)),
    ?assertEqual(1.0, ?M:compatibility_distance([{3, 1.0}, {1, 2.0}], [], 1, 5, 7)),
    %% Identical genomes: only weight differences.
    ?assertEqual(0.0, ?M:compatibility_distance([{1, 1.0}, {2, 2.0}], [{1, 1}, {2, 2}], 1, 1, 1)),
    %% Mean over matching genes, summed in ascending order.
    ?assertEqual((0.0 + 1.0 + 3.0) / 2.0,
                 ?M:compatibility_distance([{2, 5.0}, {1, 1.0}], [{1, 2.0}, {2, 2.0}], 9, 9, 1)),
    %% Equal maxima: nothing is excess.
    ?assertEqual(1.0, ?M:compatibility_distance([{1, 0}, {3, 0}], [{2, 0}, {3, 0}], 0, 1, 0)),
    ?assertEqual(0.0, ?M:compatibility_distance([{1, 0}, {3, 0}], [{2, 0}, {3, 0}], 1, 0, 0)).

compatibility_distance_errors_test() ->
    G = [{1, 1.0}],
    ?badarg_says(1, "duplicate innovation 2",
                 ?M:compatibility_distance([{2, 1}, {1, 1}, {2, 3}], G, 1, 1, 1)),
    ?badarg_says(2, "duplicate innovation 1",
                 ?M:compatibility_distance(G, [{1, 1}, {1, 1}], 1, 1, 1)),
    ?badarg_at(1, ?M:compatibility_distance([{-1, 1}], G, 1, 1, 1)),
    ?badarg_at(1, ?M:compatibility_distance([{1.0, 1}], G, 1, 1, 1)),
    ?badarg_at(2, ?M:compatibility_distance(G, [{1, w}], 1, 1, 1)),
    ?badarg_at(2, ?M:compatibility_distance(G, [{1, 1, 1}], 1, 1, 1)),
    ?badarg_at(2, ?M:compatibility_distance(G, [{1, 1} | x], 1, 1, 1)),
    ?badarg_at(1, ?M:compatibility_distance(foo, G, 1, 1, 1)),
    ?badarg_at(3, ?M:compatibility_distance(G, G, c1, 1, 1)),
    ?badarg_at(4, ?M:compatibility_distance(G, G, 1, "1", 1)),
    ?badarg_at(5, ?M:compatibility_distance(G, G, 1, 1, [])).
