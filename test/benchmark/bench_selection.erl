%% Benchmark (not a test): the selection kernels for a population of 1000
%% (and 100): cumulative fitness, one roulette pick, 1000 picks, a
%% tournament of 5; our NIF vs the Erlang reference vs faber-tweann 2.4's
%% NIF (when TWEANN_FABER_NIF_DIR names it, see bench_faber_nif), trials
%% interleaved over a few fixed-seed inputs.
%%
%% Run alone: TWEANN_FABER_NIF_DIR=... rebar3 eunit --module=bench_selection
-module(bench_selection).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

-define(VARIANTS, 4).

selection_test_() ->
    {timeout, 1800, fun() -> bench_common:ensure_app(), bench_common:add(run()) end}.

run() ->
    bench_common:ensure_app(),
    Cases = lists:append([cases(N) || N <- [1000, 100]]),
    bench_faber_nif:run_cases(?MODULE, "selection", Cases).

cases(N) ->
    Sets = [set(N, S) || S <- lists:seq(1, ?VARIANTS)],
    Size = "population " ++ integer_to_list(N),
    [{build_cumulative_fitness, Size, [[F] || {F, _, _, _, _} <- Sets],
      paths(fun([F]) -> tweann_nif:build_cumulative_fitness(F) end,
            fun([F]) -> tweann_ref_selection:build_cumulative_fitness(F) end,
            fun([F]) -> faber_nn_nifs:build_cumulative_fitness(F) end)},
     {roulette_select, Size, [[C, T, R] || {_, C, T, [R | _], _} <- Sets],
      paths(fun([C, T, R]) -> tweann_nif:roulette_select(C, T, R) end,
            fun([C, T, R]) -> tweann_ref_selection:roulette_select(C, T, R) end,
            fun([C, T, R]) -> faber_nn_nifs:roulette_select(C, T, R) end)},
     {roulette_select_batch, Size ++ ", " ++ integer_to_list(N) ++ " picks",
      [[C, T, Rs] || {_, C, T, Rs, _} <- Sets],
      paths(fun([C, T, Rs]) -> tweann_nif:roulette_select_batch(C, T, Rs) end,
            fun([C, T, Rs]) -> tweann_ref_selection:roulette_select_batch(C, T, Rs) end,
            fun([C, T, Rs]) -> faber_nn_nifs:roulette_select_batch(C, T, Rs) end)},
     {tournament_select, Size ++ ", 5 contestants", [[Cs, F] || {F, _, _, _, Cs} <- Sets],
      paths(fun([Cs, F]) -> tweann_nif:tournament_select(Cs, F) end,
            fun([Cs, F]) -> tweann_ref_selection:tournament_select(Cs, F) end,
            fun([Cs, F]) -> faber_nn_nifs:tournament_select(Cs, F) end)}].

paths(Ours, Ref, Faber) ->
    [{nif, Ours}, {erlang_ref, Ref}, {faber, Faber}].

%% {Fitnesses, Cumulative, Total, RandomVals, Contestants} of one seed.
set(N, Seed) ->
    S0 = rand:seed_s(exsss, {Seed, N, 5}),
    {Fs, S1} = lists:mapfoldl(fun(_, S) -> rand:normal_s(S) end, S0, lists:seq(1, N)),
    {Rs, S2} = lists:mapfoldl(fun(_, S) -> rand:uniform_s(S) end, S1, lists:seq(1, N)),
    {Cs, _} = lists:mapfoldl(fun(_, S) -> {I, S3} = rand:uniform_s(N, S), {I - 1, S3} end,
                             S2, lists:seq(1, 5)),
    {C, T} = tweann_ref_selection:build_cumulative_fitness(Fs),
    {Fs, C, T, Rs, Cs}.
