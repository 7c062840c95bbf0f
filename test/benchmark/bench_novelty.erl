%% Benchmark (not a test): the novelty search kernels at the sizes a
%% novelty-search run uses (behaviours of dimension 8, a population of 100,
%% an archive of 500, K = 15), our NIF vs the Erlang reference vs
%% faber-tweann 2.4's NIF (when TWEANN_FABER_NIF_DIR names it, see
%% bench_faber_nif), trials interleaved, each path cycling through the same
%% few fixed-seed inputs.
%%
%% Run alone: TWEANN_FABER_NIF_DIR=... rebar3 eunit --module=bench_novelty
-module(bench_novelty).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

-define(DIM, 8).
-define(POP, 100).
-define(ARCHIVE, 500).
-define(K, 15).
-define(VARIANTS, 4).

novelty_test_() ->
    {timeout, 1800, fun() -> bench_common:ensure_app(), bench_common:add(run()) end}.

run() ->
    bench_common:ensure_app(),
    Sets = [inputs(S) || S <- lists:seq(1, ?VARIANTS)],
    Pop = io_lib:format("~p x ~p", [?POP, ?DIM]),
    Cases =
        [{euclidean_distance, io_lib:format("dimension ~p", [?DIM]),
          [[T, hd(P)] || {T, P, _} <- Sets],
          paths(fun([A, B]) -> tweann_nif:euclidean_distance(A, B) end,
                fun([A, B]) -> tweann_ref_novelty:euclidean_distance(A, B) end,
                fun([A, B]) -> faber_nn_nifs:euclidean_distance(A, B) end)},
         {euclidean_distance, "dimension 100",
          [[vec(100, S), vec(100, S + 50)] || S <- lists:seq(1, ?VARIANTS)],
          paths(fun([A, B]) -> tweann_nif:euclidean_distance(A, B) end,
                fun([A, B]) -> tweann_ref_novelty:euclidean_distance(A, B) end,
                fun([A, B]) -> faber_nn_nifs:euclidean_distance(A, B) end)},
         {euclidean_distance_batch, io_lib:format("1 vs ~p x ~p", [?POP + ?ARCHIVE, ?DIM]),
          [[T, P ++ A] || {T, P, A} <- Sets],
          paths(fun([A, B]) -> tweann_nif:euclidean_distance_batch(A, B) end,
                fun([A, B]) -> tweann_ref_novelty:euclidean_distance_batch(A, B) end,
                fun([A, B]) -> faber_nn_nifs:euclidean_distance_batch(A, B) end)},
         {knn_novelty, io_lib:format("1 vs ~s + ~p, K ~p", [Pop, ?ARCHIVE, ?K]),
          [[T, P, A, ?K] || {T, P, A} <- Sets],
          paths(fun([T, P, A, K]) -> tweann_nif:knn_novelty(T, P, A, K) end,
                fun([T, P, A, K]) -> tweann_ref_novelty:knn_novelty(T, P, A, K) end,
                fun([T, P, A, K]) -> faber_nn_nifs:knn_novelty(T, P, A, K) end)},
         {knn_novelty_batch, io_lib:format("~s vs ~p, K ~p", [Pop, ?ARCHIVE, ?K]),
          [[P, A, ?K] || {_, P, A} <- Sets],
          paths(fun([P, A, K]) -> tweann_nif:knn_novelty_batch(P, A, K) end,
                fun([P, A, K]) -> tweann_ref_novelty:knn_novelty_batch(P, A, K) end,
                fun([P, A, K]) -> faber_nn_nifs:knn_novelty_batch(P, A, K) end)},
         {knn_novelty_batch, io_lib:format("20 x ~p vs 50, K 5", [?DIM]),
          [[lists:sublist(P, 20), lists:sublist(A, 50), 5] || {_, P, A} <- Sets],
          paths(fun([P, A, K]) -> tweann_nif:knn_novelty_batch(P, A, K) end,
                fun([P, A, K]) -> tweann_ref_novelty:knn_novelty_batch(P, A, K) end,
                fun([P, A, K]) -> faber_nn_nifs:knn_novelty_batch(P, A, K) end)}],
    bench_faber_nif:run_cases(?MODULE, "novelty search", [{N, lists:flatten(S), V, Ps} || {N, S, V, Ps} <- Cases]).

paths(Ours, Ref, Faber) ->
    [{nif, Ours}, {erlang_ref, Ref}, {faber, Faber}].

%% {Target, Population, Archive} of one seed: floats in [-1, 1).
inputs(Seed) ->
    P = [vec(?DIM, Seed * 1000 + I) || I <- lists:seq(1, ?POP)],
    A = [vec(?DIM, Seed * 1000 + 500 + I) || I <- lists:seq(1, ?ARCHIVE)],
    {hd(P), P, A}.

vec(Dim, Seed) ->
    {V, _} = bench_common:rand_floats(Dim, rand:seed_s(exsss, {Seed, Dim, 31})),
    V.
