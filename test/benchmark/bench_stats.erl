%% Benchmark (not a test): the statistics kernels over a population's
%% fitnesses (1000, and 100), our NIF vs the Erlang reference vs
%% faber-tweann 2.4's NIF (when TWEANN_FABER_NIF_DIR names it, see
%% bench_faber_nif), trials interleaved over a few fixed-seed inputs.
%%
%% Run alone: TWEANN_FABER_NIF_DIR=... rebar3 eunit --module=bench_stats
-module(bench_stats).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

-define(VARIANTS, 4).

stats_test_() ->
    {timeout, 1800, fun() -> bench_common:ensure_app(), bench_common:add(run()) end}.

run() ->
    bench_common:ensure_app(),
    Cases = lists:append([cases(N) || N <- [1000, 100]]),
    bench_faber_nif:run_cases(?MODULE, "statistics", Cases).

cases(N) ->
    Vs = [fitnesses(N, S) || S <- lists:seq(1, ?VARIANTS)],
    Size = integer_to_list(N) ++ " values",
    [{fitness_stats, Size, [[X] || X <- Vs],
      paths(fun([X]) -> tweann_nif:fitness_stats(X) end,
            fun([X]) -> tweann_ref_stats:fitness_stats(X) end,
            fun([X]) -> faber_nn_nifs:fitness_stats(X) end)},
     {weighted_moving_average, Size ++ ", decay 0.9", [[X, 0.9] || X <- Vs],
      paths(fun([X, D]) -> tweann_nif:weighted_moving_average(X, D) end,
            fun([X, D]) -> tweann_ref_stats:weighted_moving_average(X, D) end,
            fun([X, D]) -> faber_nn_nifs:weighted_moving_average(X, D) end)},
     {shannon_entropy, Size, [[X] || X <- Vs],
      paths(fun([X]) -> tweann_nif:shannon_entropy(X) end,
            fun([X]) -> tweann_ref_stats:shannon_entropy(X) end,
            fun([X]) -> faber_nn_nifs:shannon_entropy(X) end)},
     {histogram, Size ++ ", 20 bins", [[X, 20, 0.0, 1.0] || X <- Vs],
      paths(fun([X, B, L, H]) -> tweann_nif:histogram(X, B, L, H) end,
            fun([X, B, L, H]) -> tweann_ref_stats:histogram(X, B, L, H) end,
            fun([X, B, L, H]) -> faber_nn_nifs:histogram(X, B, L, H) end)}].

paths(Ours, Ref, Faber) ->
    [{nif, Ours}, {erlang_ref, Ref}, {faber, Faber}].

%% N fitnesses in [0, 1) (some bins and entropy shares for every value).
fitnesses(N, Seed) ->
    S0 = rand:seed_s(exsss, {Seed, N, 77}),
    {Xs, _} = lists:mapfoldl(fun(_, S) -> rand:uniform_s(S) end, S0, lists:seq(1, N)),
    Xs.
