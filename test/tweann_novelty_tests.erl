%% Novelty search kernels: euclidean_distance/2, euclidean_distance_batch/2,
%% knn_novelty/4, knn_novelty_batch/3.
%%
%% * conformance: faber-tweann 2.4's conventions, with expected values worked
%%   out from its NIF's definition (and every behaviour its test suite
%%   asserts for these functions);
%% * NIF vs tweann_ref_novelty bit for bit over generated inputs, errors
%%   included (same class, same argument);
%% * bad input: badarg with error_info naming the argument;
%% * faber's own NIF, when TWEANN_FABER_NIF_DIR is set: within 1e-9 relative
%%   or 1e-12 absolute on generated inputs.
-module(tweann_novelty_tests).

-include_lib("eunit/include/eunit.hrl").

-define(N, tweann_nif).
-define(R, tweann_ref_novelty).

%%====================================================================
%% Conformance (faber-tweann's conventions)
%%====================================================================

euclidean_distance_test() ->
    ?assertEqual(5.0, ?N:euclidean_distance([0.0, 0.0], [3.0, 4.0])),
    ?assertEqual(0.0, ?N:euclidean_distance([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])),
    ?assertEqual(5.0, ?N:euclidean_distance([5.0], [10.0])),
    ?assertEqual(0.0, ?N:euclidean_distance([], [])),
    %% integers and f64 binaries are numbers too
    ?assertEqual(5.0, ?N:euclidean_distance([0, 0], [3, 4])),
    ?assertEqual(5.0, ?N:euclidean_distance(f64s([0.0, 0.0]), [3, 4.0])),
    %% order of the sum: dimension 0 first, from 0.0
    ?assertEqual(math:sqrt((0.0 + 0.1 * 0.1) + 0.2 * 0.2),
                 ?N:euclidean_distance([0.1, 0.2], [0.0, 0.0])).

%% faber's NIF truncated the longer vector; its suite accepts a float or
%% `error' here. We never truncate: the answer is `error'.
euclidean_distance_unequal_lengths_test() ->
    ?assertEqual(error, ?N:euclidean_distance([1.0, 2.0], [1.0])),
    ?assertEqual(error, ?N:euclidean_distance([], [1.0])),
    ?assertEqual(error, ?R:euclidean_distance([1.0, 2.0], [1.0])).

euclidean_distance_batch_test() ->
    %% sorted by distance, 0-based indices
    ?assertEqual([{1, 1.0}, {2, 2.0}, {0, 5.0}],
                 ?N:euclidean_distance_batch([0.0, 0.0], [[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])),
    ?assertEqual([], ?N:euclidean_distance_batch([1.0, 2.0], [])),
    %% equal distances keep the order of Others (faber sorts stably)
    ?assertEqual([{2, 0.5}, {0, 1.0}, {1, 1.0}, {3, 1.0}],
                 ?N:euclidean_distance_batch([0.0], [[1.0], [-1.0], [0.5], [1]])),
    ?assertEqual([{0, 0.0}, {1, 0.0}], ?N:euclidean_distance_batch([], [[], <<>>])).

knn_novelty_test() ->
    %% faber's basic case: k = 2 nearest of 1, 1, 2, 7.07 -> 1.0
    ?assertEqual(1.0, ?N:knn_novelty([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]],
                                     [[5.0, 5.0]], 2)),
    %% an isolated point: both nearest are sqrt(99^2 + 100^2)
    D = math:sqrt(99.0 * 99.0 + 100.0 * 100.0),
    ?assertEqual((0.0 + D + D) / 2,
                 ?N:knn_novelty([100.0, 100.0], [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [], 2)),
    %% K beyond the pool: the mean of what there is
    ?assertEqual(1.0, ?N:knn_novelty([0.0, 0.0], [[1.0, 0.0]], [], 10)),
    %% copies of the target (distance =< 1e-10), in the population or the
    %% archive, are left out
    ?assertEqual(5.0, ?N:knn_novelty([0.0, 0.0], [[0.0, 0.0], [3.0, 4.0]], [], 1)),
    ?assertEqual(2.0, ?N:knn_novelty([0.0, 0.0], [], [[0.0, 0.0], [0.0, 2.0]], 1)),
    ?assertEqual(0.0, ?N:knn_novelty([0.0], [[1.0e-11]], [], 3)),
    %% exactly 1e-10 apart is still the same behaviour
    ?assertEqual(0.0, ?N:knn_novelty([0.0], [[1.0e-10]], [], 3)),
    ?assertEqual(0.0, ?R:knn_novelty([0.0], [[1.0e-10]], [], 3)),
    ?assertEqual([0.0, 0.0], ?R:knn_novelty_batch([[0.0], [1.0e-10]], [], 3)),
    ?assertEqual([0.0, 0.0], ?N:knn_novelty_batch([[0.0], [1.0e-10]], [], 3)),
    ?assertEqual(2.0e-10, ?N:knn_novelty([0.0], [[2.0e-10]], [], 3)),
    %% nobody to compare with
    ?assertEqual(0.0, ?N:knn_novelty([1.0, 2.0], [], [], 5)),
    %% the k smallest are summed in ascending order
    ?assertEqual(((0.0 + 1.0) + 2.0 + 3.0) / 3,
                 ?N:knn_novelty([0.0], [[3.0], [9.0], [1.0]], [[-2.0], [7.0]], 3)).

knn_novelty_batch_test() ->
    %% faber's case: origin least novel, farthest most
    [N0, N1, N2] = ?N:knn_novelty_batch([[0.0, 0.0], [50.0, 50.0], [100.0, 100.0]],
                                        [[0.0, 0.0], [1.0, 0.0]], 2),
    ?assertEqual((0.0 + 1.0 + math:sqrt(5000.0)) / 2, N0),
    ?assertEqual((0.0 + math:sqrt(4901.0) + math:sqrt(5000.0)) / 2, N1),
    ?assertEqual((0.0 + math:sqrt(5000.0) + math:sqrt(19801.0)) / 2, N2),
    ?assert(N0 < N1 andalso N1 < N2),
    %% never itself, nor an identical behaviour
    ?assertEqual([5.0, 5.0, 5.0], ?N:knn_novelty_batch([[0, 0], [0, 0], [3, 4]], [], 1)),
    ?assertEqual([], ?N:knn_novelty_batch([], [[1.0]], 3)),
    ?assertEqual([0.0], ?N:knn_novelty_batch([[1.0]], [], 3)),
    %% faber's larger batch: 100 valid, non-negative scores
    Rs = ?N:knn_novelty_batch([[float(I), float(I)] || I <- lists:seq(1, 100)], [[0.0, 0.0]], 5),
    ?assertEqual(100, length(Rs)),
    ?assert(lists:all(fun(X) -> is_float(X) andalso X >= 0.0 end, Rs)).

%%====================================================================
%% NIF = reference, bit for bit
%%====================================================================

nif_equals_reference_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {11, 1, 7}),
        [check_case() || _ <- lists:seq(1, 1500)],
        ok
    end}.

check_case() ->
    Dim = rand:uniform(9) - 1,
    Pop = vectors(rand:uniform(30) - 1, Dim),
    Arch = vectors(rand:uniform(30) - 1, Dim),
    Target = case Pop of
                 [P | _] when Dim > 0 -> pick([P, vector(Dim)]);
                 _ -> vector(Dim)
             end,
    K = rand:uniform(45),
    Other = vector(pick([Dim, Dim, Dim + 1, max(0, Dim - 1)])),
    same(euclidean_distance, [Target, Other]),
    same(euclidean_distance_batch, [Target, Pop ++ Arch]),
    same(knn_novelty, [Target, Pop, Arch, K]),
    same(knn_novelty_batch, [Pop, Arch, K]),
    %% the same with one argument broken somewhere
    Args = [{euclidean_distance, [Target, Other]}, {euclidean_distance_batch, [Target, Pop]},
            {knn_novelty, [Target, Pop, Arch, K]}, {knn_novelty_batch, [Pop, Arch, K]}],
    {F, A} = pick(Args),
    same(F, break(A)).

%% A large call (dirty scheduler) gives the reference's bits too.
large_call_test() ->
    rand:seed(exsss, {11, 2, 7}),
    B = vectors(150, 8),
    A = vectors(600, 8),
    same(knn_novelty_batch, [B, A, 15]),
    same(euclidean_distance_batch, [hd(B), A ++ B]),
    same(knn_novelty, [hd(B), B, A, 40]),
    same(knn_novelty, [hd(B), B, A, 100]).

%%====================================================================
%% Bad input
%%====================================================================

bad_input_test() ->
    ?assertEqual(1, badarg_pos(fun() -> ?N:euclidean_distance(a, [1.0]) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:euclidean_distance([1.0], [x]) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:euclidean_distance([1.0], [1 | 2]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:euclidean_distance(<<1, 2, 3>>, [1.0]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:euclidean_distance_batch(x, []) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:euclidean_distance_batch([1.0], [[1.0], [1.0, 2.0]]) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:euclidean_distance_batch([1.0], [[1.0] | x]) end)),
    %% K = 0 has no nearest neighbours (faber's NIF panicked)
    ?assertEqual(4, badarg_pos(fun() -> ?N:knn_novelty([0.0], [[1.0]], [], 0) end)),
    ?assertEqual(4, badarg_pos(fun() -> ?N:knn_novelty([0.0], [], [], 0) end)),
    ?assertEqual(4, badarg_pos(fun() -> ?N:knn_novelty([0.0], [[1.0]], [], -1) end)),
    ?assertEqual(4, badarg_pos(fun() -> ?N:knn_novelty([0.0], [[1.0]], [], 2.0) end)),
    %% vectors of another length than the target: never truncated
    ?assertEqual(2, badarg_pos(fun() -> ?N:knn_novelty([0.0], [[1.0, 2.0]], [], 1) end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:knn_novelty([0.0], [[1.0]], [[]], 1) end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:knn_novelty_batch([[0.0]], [[1.0]], 0) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:knn_novelty_batch([[0.0], [1.0, 1.0]], [], 1) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:knn_novelty_batch([[0.0]], [[1.0, 1.0]], 1) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:knn_novelty_batch([], [[0.0], [1.0, 1.0]], 1) end)),
    %% overflow is badarith
    ?assertError(badarith, ?N:euclidean_distance([1.0e200], [-1.0e200])),
    ?assertError(badarith, ?N:knn_novelty([0.0], [[1.0], [1.0e300]], [], 1)),
    %% the reason is printable
    Msg = reason(fun() -> ?N:knn_novelty([0.0], [[1.0, 2.0]], [], 1) end),
    ?assertNotEqual(nomatch, string:find(Msg, "Population: vector 1 has 2 values")).

%%====================================================================
%% faber-tweann's own NIF (optional)
%%====================================================================

faber_nif_test_() ->
    tweann_kernel_checks:faber_tests("novelty vs faber-tweann's NIF", fun() ->
        rand:seed(exsss, {11, 3, 7}),
        [faber_case() || _ <- lists:seq(1, 400)],
        ok
    end).

%% faber's NIF takes floats only, and (being lax) only well-formed input.
faber_case() ->
    Dim = rand:uniform(8),
    Pop = fvectors(rand:uniform(30) - 1, Dim),
    Arch = fvectors(rand:uniform(30) - 1, Dim),
    Target = case Pop of [P | _] -> pick([P, fvector(Dim)]); [] -> fvector(Dim) end,
    K = rand:uniform(35),
    close(?N:euclidean_distance(Target, hd(Pop ++ Arch ++ [Target])),
          faber_nn_nifs:euclidean_distance(Target, hd(Pop ++ Arch ++ [Target]))),
    Ours = ?N:euclidean_distance_batch(Target, Pop ++ Arch),
    Theirs = faber_nn_nifs:euclidean_distance_batch(Target, Pop ++ Arch),
    ?assertEqual([I || {I, _} <- Theirs], [I || {I, _} <- Ours]),
    close([D || {_, D} <- Ours], [D || {_, D} <- Theirs]),
    close(?N:knn_novelty(Target, Pop, Arch, K), faber_nn_nifs:knn_novelty(Target, Pop, Arch, K)),
    close(?N:knn_novelty_batch(Pop, Arch, K), faber_nn_nifs:knn_novelty_batch(Pop, Arch, K)).

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

%% A value from a small grid (duplicates and ties happen), or continuous;
%% sometimes an integer; vectors sometimes as f64 binaries.
value() ->
    case rand:uniform(4) of
        1 -> float(rand:uniform(5) - 3);
        2 -> rand:uniform(5) - 3;
        _ -> rand:normal() * 3
    end.

vector(Dim) ->
    V = [value() || _ <- lists:seq(1, Dim)],
    case rand:uniform(6) of
        1 -> f64s([float(X) || X <- V]);
        _ -> V
    end.

vectors(N, Dim) -> [vector(Dim) || _ <- lists:seq(1, N)].

fvector(Dim) -> [float(value()) || _ <- lists:seq(1, Dim)].
fvectors(N, Dim) -> [fvector(Dim) || _ <- lists:seq(1, N)].
