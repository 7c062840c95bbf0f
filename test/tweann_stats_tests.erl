%% Statistics kernels: fitness_stats/1, weighted_moving_average/2,
%% shannon_entropy/1, histogram/4. Conformance with faber-tweann 2.4's
%% conventions (expected values from its NIF's definitions and every
%% behaviour its test suite asserts), NIF = tweann_ref_stats bit for bit,
%% bad input, and faber's own NIF when TWEANN_FABER_NIF_DIR is set.
-module(tweann_stats_tests).

-include_lib("eunit/include/eunit.hrl").

-define(N, tweann_nif).
-define(R, tweann_ref_stats).

%%====================================================================
%% Conformance
%%====================================================================

%% {Min, Max, Mean, Variance, StdDev, Sum}; population variance.
fitness_stats_test() ->
    ?assertEqual({1.0, 5.0, 3.0, 2.0, math:sqrt(2.0), 15.0},
                 ?N:fitness_stats([1.0, 2.0, 3.0, 4.0, 5.0])),
    ?assertEqual({42.0, 42.0, 42.0, 0.0, 0.0, 42.0}, ?N:fitness_stats([42.0])),
    ?assertEqual(10.0, element(6, ?N:fitness_stats([1.0, 2.0, 3.0, 4.0]))),
    ?assertEqual({0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, ?N:fitness_stats([])),
    ?assertEqual({-1.0, 7.0, 3.0, 16.0, 4.0, 6.0}, ?N:fitness_stats([7, -1])),
    %% Var = SumSq / N - Mean * Mean as computed (here a hair below 0),
    %% StdDev = sqrt(max(Var, 0))
    Xs = [0.1, 0.1, 0.1],
    Sum = 0.0 + 0.1 + 0.1 + 0.1,
    SumSq = 0.0 + 0.1 * 0.1 + 0.1 * 0.1 + 0.1 * 0.1,
    Var = SumSq / 3 - (Sum / 3) * (Sum / 3),
    ?assert(Var < 0.0),
    ?assertEqual({0.1, 0.1, Sum / 3, Var, 0.0, Sum}, ?N:fitness_stats(Xs)).

%% W_0 = 1, W_i = W_(i-1) * Decay: the first value weighs most.
weighted_moving_average_test() ->
    W = fun(I) -> lists:foldl(fun(_, A) -> A * 0.9 end, 1.0, lists:seq(1, I)) end,
    Num = lists:foldl(fun(I, A) -> A + W(I) * float(I + 1) end, 0.0, lists:seq(0, 4)),
    Den = lists:foldl(fun(I, A) -> A + W(I) end, 0.0, lists:seq(0, 4)),
    Wma = ?N:weighted_moving_average([1.0, 2.0, 3.0, 4.0, 5.0], 0.9),
    ?assertEqual(Num / Den, Wma),
    ?assert(Wma > 1.0 andalso Wma < 3.0),
    ?assertEqual(3.0, ?N:weighted_moving_average([1.0, 2.0, 3.0, 4.0, 5.0], 1.0)),
    ?assertEqual(0.0, ?N:weighted_moving_average([], 0.9)),
    ?assertEqual(7.0, ?N:weighted_moving_average([7], 0)),
    ?assertEqual(2.0, ?N:weighted_moving_average([2.0, 100.0], 0.0)).

%% Natural log; values =< 0 ignored; normalised by the positive sum.
shannon_entropy_test() ->
    Uniform = ?N:shannon_entropy([0.25, 0.25, 0.25, 0.25]),
    %% the library's own logarithm (tweann_ref_math), not the C library's
    ?assertEqual(lists:foldl(fun(_, H) -> H - 0.25 * tweann_ref_math:log(0.25) end, 0.0,
                             [1, 2, 3, 4]),
                 Uniform),
    ?assert(abs(Uniform - math:log(4.0)) < 1.0e-15),
    ?assert(abs(Uniform - 1.386) < 0.01),
    ?assert(?N:shannon_entropy([0.97, 0.01, 0.01, 0.01]) < 0.5),
    ?assert(abs(?N:shannon_entropy([1.0])) < 0.001),
    Half = 0.0 - 0.5 * tweann_ref_math:log(0.5) - 0.5 * tweann_ref_math:log(0.5),
    ?assertEqual(Half, ?N:shannon_entropy([0.0, -1.0, 2.0, 2])),
    ?assertEqual(Half, ?N:shannon_entropy([3.0, 3.0])),
    ?assertEqual(0.0, ?N:shannon_entropy([])),
    ?assertEqual(0.0, ?N:shannon_entropy([-1.0, 0.0])),
    %% a share that underflows to 0 adds nothing
    ?assertEqual(0.0, ?N:shannon_entropy([1.0e300, 1.0e-300])).

%% Bin min(floor((V - Min) / Width), NumBins - 1); outside values ignored.
histogram_test() ->
    ?assertEqual([3, 4], ?N:histogram([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9], 2, 0.0, 1.0)),
    ?assertEqual([0, 1], ?N:histogram([-1.0, 0.5, 2.0], 2, 0.0, 1.0)),
    Nine = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    H5 = ?N:histogram(Nine, 5, 0.0, 1.0),
    ?assertEqual(5, length(H5)),
    ?assertEqual(9, lists:sum(H5)),
    %% the same binning written out: 0.6 / 0.2 = 2.9999999999999996 -> bin 2
    ?assertEqual([count(Nine, B, 0.0, 0.2, 4) || B <- lists:seq(0, 4)], H5),
    ?assertEqual([1, 2, 3, 1, 2], H5),
    %% MaxVal is in the last bin, MinVal in the first
    ?assertEqual([1, 0, 0, 1], ?N:histogram([0, 1], 4, 0, 1)),
    %% an empty or inverted range, or no bins
    ?assertEqual([0, 0, 0], ?N:histogram([0.5, 1.0], 3, 1.0, 1.0)),
    ?assertEqual([0, 0], ?N:histogram([0.5], 2, 1.0, 0.0)),
    ?assertEqual([], ?N:histogram([0.5], 0, 0.0, 1.0)).

count(Vs, B, Lo, W, Last) ->
    length([V || V <- Vs, min(trunc((V - Lo) / W), Last) =:= B]).

%%====================================================================
%% NIF = reference
%%====================================================================

nif_equals_reference_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {12, 1, 7}),
        [check_case() || _ <- lists:seq(1, 2000)],
        ok
    end}.

check_case() ->
    Xs = values(rand:uniform(60) - 1),
    Decay = pick([0.9, 0.5, 1, 0, -0.5, rand:uniform() * 2, 1.5]),
    Lo = pick([0.0, -1.0, rand:normal(), -3]),
    Hi = pick([Lo + rand:uniform() * 6, Lo, 1.0, 3]),
    Bins = pick([0, 1, 2, 5, 10, rand:uniform(40)]),
    Cases = [{fitness_stats, [Xs]}, {weighted_moving_average, [Xs, Decay]},
             {shannon_entropy, [Xs]}, {histogram, [Xs, Bins, Lo, Hi]}],
    [same(F, A) || {F, A} <- Cases],
    {F, A} = pick(Cases),
    same(F, break(A)).

large_call_test() ->
    rand:seed(exsss, {12, 2, 7}),
    Xs = [rand:normal() * 10 || _ <- lists:seq(1, 30000)],
    same(fitness_stats, [Xs]),
    same(weighted_moving_average, [Xs, 0.9999]),
    same(shannon_entropy, [Xs]),
    same(histogram, [Xs, 100, -20.0, 20.0]),
    same(histogram, [Xs, 50000, -20.0, 20.0]),
    same(fitness_stats, [f64s(Xs)]).

%% The block reader (64 numbers at a time) agrees with the reference on
%% floats of every origin (literals of this module, made here, received in
%% a message, made by the NIF), signed zeros, subnormals, extremes, small
%% integers and bignums, in one list across several blocks; an improper
%% tail or a bad element far into the list.
reader_test() ->
    Lit = [0.5, -0.0, 0.0, 2.5e-310, -1.7976931348623157e308, 1.0e-300, 3],
    Made = [float(I) / 7 || I <- lists:seq(-40, 40)],
    self() ! {values, [X * 1.5 || X <- Made]},
    Got = receive {values, V} -> V end,
    {Cum, _} = ?N:build_cumulative_fitness(lists:seq(1, 50)),
    Ints = [7, -3, 1 bsl 70, -(1 bsl 65), 0],
    Xs = lists:append([Lit, Made, Ints, Got, Cum, Lit]),
    Small = [X || X <- Xs, abs(X) < 1.0e6],
    [same(F, A) || {F, A} <- [{fitness_stats, [Small]}, {weighted_moving_average, [Small, 0.97]},
                              {shannon_entropy, [Xs]}, {histogram, [Xs, 9, -3.0, 40.0]},
                              {fitness_stats, [Lit]}]],
    ?assertEqual(element(6, tweann_ref_stats:fitness_stats(Small)),
                 element(6, ?N:fitness_stats(Small))),
    Bad = lists:sublist(Small, 70) ++ [{1.0}] ++ Small,
    ?assertEqual(1, badarg_pos(fun() -> ?N:fitness_stats(Bad) end)),
    same(fitness_stats, [Bad]),
    same(fitness_stats, [lists:sublist(Small, 130) ++ 2.5]),
    same(shannon_entropy, [lists:sublist(Xs, 64) ++ [atom]]).

overflow_test() ->
    same(fitness_stats, [[1.0e200]]),
    same(fitness_stats, [[1.0e308, 1.0e308]]),
    same(weighted_moving_average, [[1.0, 1.0], -1.0]),
    same(weighted_moving_average, [[1.0, 1.0e308], 10.0]),
    same(weighted_moving_average, [[1.0, 1.0, 1.0], 1.0e300]),
    same(shannon_entropy, [[1.0e308, 1.0e308]]),
    same(histogram, [[], 2, -1.0e308, 1.0e308]),
    same(histogram, [[0.0], 7, 0.0, 5.0e-324]),
    ?assertError(badarith, ?N:fitness_stats([1.0e200])),
    ?assertError(badarith, ?N:weighted_moving_average([1.0, 1.0], -1.0)),
    ?assertError(badarith, ?N:histogram([], 2, -1.0e308, 1.0e308)).

%%====================================================================
%% Bad input
%%====================================================================

bad_input_test() ->
    ?assertEqual(1, badarg_pos(fun() -> ?N:fitness_stats([1.0, a]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:fitness_stats(1.0) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:weighted_moving_average([1.0 | 2.0], 0.5) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:weighted_moving_average([1.0], "0.5") end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:shannon_entropy(<<1, 2>>) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:histogram([1.0], -1, 0.0, 1.0) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:histogram([1.0], 2.0, 0.0, 1.0) end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:histogram([1.0], 2, min, 1.0) end)),
    ?assertEqual(4, badarg_pos(fun() -> ?N:histogram([1.0], 2, 0.0, max) end)),
    %% more bins than the memory budget allows: refused, not allocated
    ?assertEqual(general, badarg_pos(fun() -> ?N:histogram([1.0], 1 bsl 40, 0.0, 1.0) end)),
    ?assertNotEqual(nomatch, string:find(reason(fun() -> ?N:histogram([1.0], 1 bsl 40, 0.0, 1.0) end),
                                         "memory budget")).

%%====================================================================
%% faber-tweann's own NIF (optional)
%%====================================================================

faber_nif_test_() ->
    tweann_kernel_checks:faber_tests("statistics vs faber-tweann's NIF", fun() ->
        rand:seed(exsss, {12, 3, 7}),
        [faber_case() || _ <- lists:seq(1, 1000)],
        ok
    end).

faber_case() ->
    Xs = [float(X) || X <- values_list(rand:uniform(200) - 1)],
    Decay = pick([0.9, 0.5, 1.0, 0.0, rand:uniform() * 1.2]),
    Lo = pick([0.0, -1.0, rand:normal()]),
    Hi = pick([Lo + rand:uniform() * 6, Lo, 1.0]),
    Bins = pick([1, 2, 5, 10, rand:uniform(40)]),
    close(?N:fitness_stats(Xs), faber_nn_nifs:fitness_stats(Xs)),
    close(?N:weighted_moving_average(Xs, Decay), faber_nn_nifs:weighted_moving_average(Xs, Decay)),
    close(?N:shannon_entropy(Xs), faber_nn_nifs:shannon_entropy(Xs)),
    close(?N:histogram(Xs, Bins, Lo, Hi), faber_nn_nifs:histogram(Xs, Bins, Lo, Hi)).

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

%% Fitness-like values: a grid (ties, zeros, negatives), continuous,
%% integers; sometimes as an f64 binary.
values(N) ->
    Xs = values_list(N),
    case rand:uniform(8) of
        1 -> f64s([float(X) || X <- Xs]);
        _ -> Xs
    end.

values_list(N) ->
    [case rand:uniform(4) of
          1 -> float(rand:uniform(7) - 4);
          2 -> rand:uniform(7) - 4;
          _ -> rand:normal() * 2
      end || _ <- lists:seq(1, N)].
