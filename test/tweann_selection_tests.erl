%% Selection kernels: build_cumulative_fitness/1, roulette_select/3,
%% roulette_select_batch/3, tournament_select/2. Conformance with
%% faber-tweann 2.4's conventions (and every behaviour its test suite
%% asserts), NIF = tweann_ref_selection bit for bit, bad input (stricter
%% than faber's NIF: no selection from nothing, no winner without a
%% fitness), and faber's own NIF when TWEANN_FABER_NIF_DIR is set.
-module(tweann_selection_tests).

-include_lib("eunit/include/eunit.hrl").

-define(N, tweann_nif).
-define(R, tweann_ref_selection).

%%====================================================================
%% Conformance
%%====================================================================

build_cumulative_fitness_test() ->
    ?assertEqual({[1.0, 3.0, 6.0, 10.0], 10.0}, ?N:build_cumulative_fitness([1.0, 2.0, 3.0, 4.0])),
    {C3, T3} = ?N:build_cumulative_fitness([1.0, 2.0, 3.0]),
    ?assertEqual({3, 6.0}, {length(C3), T3}),
    ?assertEqual({[], 0.0}, ?N:build_cumulative_fitness([])),
    %% a negative minimum shifts every fitness by 1 - Min (here 3)
    ?assertEqual({[1.0, 4.0, 8.0], 8.0}, ?N:build_cumulative_fitness([-2.0, 0, 1])),
    %% entry i = entry (i-1) + (F_i + Shift)
    S = -(-0.3) + 1.0,
    C1 = 0.0 + (0.1 + S), C2 = C1 + (0.2 + S), C3b = C2 + (-0.3 + S),
    ?assertEqual({[C1, C2, C3b], C3b}, ?N:build_cumulative_fitness([0.1, 0.2, -0.3])),
    %% zero fitnesses are not shifted (the minimum is not negative)
    ?assertEqual({[0.0, 0.0, 2.0], 2.0}, ?N:build_cumulative_fitness([0.0, 0.0, 2.0])).

roulette_select_test() ->
    C = [1.0, 3.0, 6.0, 10.0],
    ?assertEqual([0, 1, 2, 3], [?N:roulette_select(C, 10.0, R) || R <- [0.05, 0.15, 0.45, 0.95]]),
    ?assertEqual([0, 1, 2, 3], ?N:roulette_select_batch(C, 10.0, [0.05, 0.25, 0.55, 0.95])),
    {C3, T3} = ?N:build_cumulative_fitness([1.0, 2.0, 3.0]),
    ?assertEqual(1, ?N:roulette_select(C3, T3, 0.5)),
    ?assertEqual([0, 1, 2], ?N:roulette_select_batch(C3, T3, [0.1, 0.5, 0.9])),
    %% the first entry >= R * Total: a target on a boundary belongs below it
    ?assertEqual([0, 1, 3], ?N:roulette_select_batch(C, 10, [0.1, 0.3, 1])),
    %% R outside [0, 1] selects an end
    ?assertEqual([0, 0, 3], ?N:roulette_select_batch(C, 10.0, [0, -0.5, 1.5])),
    ?assertEqual([], ?N:roulette_select_batch(C, 10.0, [])),
    %% equal entries (zero fitness): the first of them, never the
    %% zero-fitness one (faber 2.4's NIF returns whichever its Rust binary
    %% search lands on, here index 1; its fallback returns 0)
    ?assertEqual(0, ?N:roulette_select([1.0, 1.0, 3.0], 3.0, 1 / 3)).

tournament_select_test() ->
    ?assertEqual(2, ?N:tournament_select([0, 2, 4], [10.0, 5.0, 20.0, 3.0, 15.0])),
    ?assertEqual(1, ?N:tournament_select([1], [5.0, 10.0, 15.0])),
    ?assertEqual(1, ?N:tournament_select([0, 1, 2], [1.0, 5.0, 3.0, 2.0])),
    %% equal fitnesses: the last listed wins (faber's NIF: Iterator::max_by)
    ?assertEqual(2, ?N:tournament_select([0, 1, 2], [1.0, 5.0, 5.0])),
    ?assertEqual(1, ?N:tournament_select([2, 1], [1.0, 5.0, 5.0])),
    ?assertEqual(0, ?N:tournament_select([0, 0], [1])).

%%====================================================================
%% NIF = reference
%%====================================================================

nif_equals_reference_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {13, 1, 7}),
        [check_case() || _ <- lists:seq(1, 2000)],
        ok
    end}.

check_case() ->
    Fs = fitnesses(rand:uniform(40) - 1),
    {C, T} = tweann_nif:build_cumulative_fitness(Fs),
    Total = pick([T, T, 1, rand:uniform() * 10]),
    Rs = [pick([rand:uniform(), rand:uniform(10) / 10, 0, 1, -0.1, 1.2]) || _ <- lists:seq(1, rand:uniform(8) - 1)],
    R = pick([rand:uniform(), 0.5, 0, 1]),
    Len = length(C),
    Cs = [rand:uniform(max(Len, 1) + 1) - 1 || _ <- lists:seq(1, rand:uniform(5) - 1)],
    Cases = [{build_cumulative_fitness, [Fs]},
             {roulette_select, [C, Total, R]},
             {roulette_select_batch, [C, Total, Rs]},
             {roulette_select, [pick([C, lists:reverse(C), []]), Total, R]},
             {tournament_select, [Cs, Fs]}],
    [same(F, A) || {F, A} <- Cases],
    {F, A} = pick(Cases),
    same(F, break(A)).

large_call_test() ->
    rand:seed(exsss, {13, 2, 7}),
    Fs = [rand:normal() || _ <- lists:seq(1, 50000)],
    same(build_cumulative_fitness, [Fs]),
    {C, T} = ?N:build_cumulative_fitness(Fs),
    same(roulette_select_batch, [C, T, [rand:uniform() || _ <- lists:seq(1, 20000)]]),
    same(roulette_select, [C, T, 0.3]),
    same(tournament_select, [[rand:uniform(50000) - 1 || _ <- lists:seq(1, 20000)], Fs]).

overflow_test() ->
    same(build_cumulative_fitness, [[1.0e308, 1.0e308]]),
    same(build_cumulative_fitness, [[-1.0e308, 1.0e308]]),
    same(roulette_select, [[1.0], 1.0e300, 1.0e300]),
    ?assertError(badarith, ?N:roulette_select([1.0], 1.0e300, 1.0e300)),
    ?assertError(badarith, ?N:build_cumulative_fitness([1.0e308, 1.0e308])).

%%====================================================================
%% Bad input
%%====================================================================

bad_input_test() ->
    %% nobody to select (faber's NIF returned 0)
    ?assertEqual(1, badarg_pos(fun() -> ?N:roulette_select([], 1.0, 0.5) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:roulette_select_batch([], 1.0, [0.5]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:roulette_select_batch([], 0.0, []) end)),
    %% not a cumulative array: a binary search over it would be meaningless
    ?assertEqual(1, badarg_pos(fun() -> ?N:roulette_select([3.0, 1.0], 4.0, 0.5) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:roulette_select([1.0], total, 0.5) end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:roulette_select([1.0], 1.0, "r") end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:roulette_select_batch([1.0], 1.0, [0.5, r]) end)),
    %% a tournament needs contestants that have a fitness (faber's NIF
    %% returned 0 for none, and a contestant without fitness could win)
    ?assertEqual(1, badarg_pos(fun() -> ?N:tournament_select([], [1.0]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:tournament_select([5], [1.0]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:tournament_select([0, 1], [1.0]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:tournament_select([-1], [1.0]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:tournament_select([0.0], [1.0]) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:tournament_select([0], [x]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:build_cumulative_fitness([1.0 | x]) end)),
    ?assertNotEqual(nomatch, string:find(reason(fun() -> ?N:tournament_select([0, 3], [1.0, 2.0]) end),
                                         "contestant 3 has no fitness")).

%%====================================================================
%% faber-tweann's own NIF (optional)
%%====================================================================

faber_nif_test_() ->
    tweann_kernel_checks:faber_tests("selection vs faber-tweann's NIF", fun() ->
        rand:seed(exsss, {13, 3, 7}),
        [faber_case() || _ <- lists:seq(1, 1000)],
        ok
    end).

faber_case() ->
    Fs = [float(F) || F <- fitnesses_list(rand:uniform(60))],
    {C, T} = ?N:build_cumulative_fitness(Fs),
    close({C, T}, faber_nn_nifs:build_cumulative_fitness(Fs)),
    %% continuous R: a target exactly on a repeated entry has probability 0
    Rs = [rand:uniform() || _ <- lists:seq(1, 20)],
    ?assertEqual(faber_nn_nifs:roulette_select_batch(C, T, Rs), ?N:roulette_select_batch(C, T, Rs)),
    ?assertEqual(faber_nn_nifs:roulette_select(C, T, hd(Rs)), ?N:roulette_select(C, T, hd(Rs))),
    Cs = [rand:uniform(length(Fs)) - 1 || _ <- lists:seq(1, rand:uniform(6))],
    ?assertEqual(faber_nn_nifs:tournament_select(Cs, Fs), ?N:tournament_select(Cs, Fs)).

%%====================================================================
%% Helpers
%%====================================================================

same(F, Args) -> tweann_kernel_checks:same(?R, F, Args).
close(A, B) -> tweann_kernel_checks:close(A, B).
badarg_pos(F) -> tweann_kernel_checks:badarg_pos(F).
reason(F) -> tweann_kernel_checks:reason(F).
pick(L) -> tweann_kernel_checks:pick(L).
f64s(L) -> tweann_kernel_checks:f64s(L).
break(Args) -> tweann_kernel_checks:break(Args).

%% Fitnesses: a grid (ties, zeros, negatives), continuous, integers;
%% sometimes as an f64 binary.
fitnesses(N) ->
    Xs = fitnesses_list(N),
    case rand:uniform(8) of
        1 -> f64s([float(X) || X <- Xs]);
        _ -> Xs
    end.

fitnesses_list(N) ->
    [case rand:uniform(4) of
          1 -> float(rand:uniform(5) - 2);
          2 -> rand:uniform(5) - 2;
          _ -> rand:normal() * 2
      end || _ <- lists:seq(1, N)].
