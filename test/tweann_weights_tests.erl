%% faber-tweann's weight kernels through the NIF: bit-identical agreement
%% with the pure Erlang reference (tweann_ref_weights, tweann_ref_rng) over
%% generated inputs and seeds, the generator's known answers, reproducible
%% unseeded calls under rand:seed/2, the per-genome streams of the batches,
%% the distributions faber-tweann's users rely on, faber-tweann's own test
%% expectations, and bad input.
-module(tweann_weights_tests).

-include_lib("eunit/include/eunit.hrl").

-import(tweann_oracle, [bits/1, outcome/1]).

-define(M64, 16#FFFFFFFFFFFFFFFF).

%% outcome/1 (tweann_oracle): {ok, Bits} | {error, Class, Position}, from
%% the public error of tweann_nif (badarg/badarith with error_info) or from
%% the internal error:{tweann_error, Class, Position, Why} that the native
%% entries and the reference twins raise.

%% The same outcome from the NIF and from the reference twin
%% (tweann_ref_weights, found by tweann_oracle:call/2).
same(Fun, Args) ->
    Nif = outcome(fun() -> nif(Fun, Args) end),
    Ref = outcome(fun() -> tweann_oracle:call(Fun, Args) end),
    ?assertEqual(Ref, Nif),
    Nif.

%% Seeded functions that tweann_nif does not export are called on the
%% native module directly (normal entry, then dirty if asked to); their
%% errors are the internal term.
nif(Fun, Args) ->
    case erlang:function_exported(tweann_nif, Fun, length(Args)) of
        true -> apply(tweann_nif, Fun, Args);
        false ->
            case apply(tweann_nif_native, Fun, Args) of
                '$tweann_dirty' -> apply(tweann_nif_native, dirty(Fun), Args);
                R -> R
            end
    end.

dirty(Fun) -> list_to_atom(atom_to_list(Fun) ++ "_dirty").

%%--------------------------------------------------------------------
%% Generator
%%--------------------------------------------------------------------

rng_known_answers_test() ->
    %% SplitMix64 from 0: the published first outputs.
    {Outs, _} = lists:mapfoldl(fun(_, S) -> tweann_ref_rng:splitmix(S) end, 0, [1, 2, 3, 4]),
    ?assertEqual([16#E220A8397B1DCDAF, 16#6E789E6AA1B965F4, 16#06C45D188009454F, 16#F88BB8A8724C81EC],
                 Outs),
    %% xoshiro256** from that state (the values rng.rs checks too).
    {Xs, _} = lists:mapfoldl(fun(_, S) -> tweann_ref_rng:next(S) end, tweann_ref_rng:seed(0), [1, 2, 3, 4]),
    ?assertEqual([16#99EC5F36CB75F2B4, 16#BF6E1F784956452A, 16#1A5F849D4933E6E0, 16#6AA594F1262D2D2C], Xs),
    %% stream_seed(S, I) is the (I+1)-th SplitMix64 output.
    {Ss, _} = lists:mapfoldl(fun(_, S) -> tweann_ref_rng:splitmix(S) end, 12345, lists:seq(1, 5)),
    ?assertEqual(Ss, [tweann_ref_rng:stream_seed(12345, I) || I <- lists:seq(0, 4)]).

uniform_is_top_53_bits_test() ->
    S0 = tweann_ref_rng:seed(99),
    {X, _} = tweann_ref_rng:next(S0),
    {U, _} = tweann_ref_rng:uniform(S0),
    ?assertEqual((X bsr 11) / 9007199254740992, U),
    %% random_weights_seeded is U * 2 - 1 per draw.
    ?assertEqual(bits([U * 2.0 - 1.0]), bits(tweann_nif:random_weights_seeded(1, 99))).

%% 300 000 Gaussian draws: every layer, many wedges and some tails (about
%% 77 draws land beyond R), the same bits natively and in Erlang; this also
%% checks that both hold the same Ziggurat tables.
ziggurat_agrees_test_() ->
    {timeout, 120, fun() ->
        Nif = nif(random_weights_gaussian_seeded, [300000, 0.0, 1.0, 77]),
        {Ref, _} = lists:mapfoldl(fun(_, S) -> tweann_ref_rng:normal(S) end,
                                  tweann_ref_rng:seed(77), lists:seq(1, 300000)),
        ?assertEqual(bits(Ref), bits(Nif)),
        ?assert(length([Z || Z <- Nif, abs(Z) > 3.654152885361009]) > 30)
    end}.

%%--------------------------------------------------------------------
%% NIF = reference over generated inputs
%%--------------------------------------------------------------------

weights(N) ->
    case rand:uniform(4) of
        1 -> << <<(rand:normal() * 2):64/float-native>> || _ <- lists:seq(1, N) >>;
        2 -> [case rand:uniform(5) of 1 -> rand:uniform(7) - 4; _ -> rand:normal() end
              || _ <- lists:seq(1, N)];
        _ -> [rand:normal() * 2 || _ <- lists:seq(1, N)]
    end.

rate() -> case rand:uniform(6) of 1 -> 0.0; 2 -> 1.0; 3 -> 1; _ -> rand:uniform() end.
seed() -> case rand:uniform(4) of 1 -> rand:uniform(100) - 1; 2 -> ?M64; _ -> rand:uniform(1 bsl 64) - 1 end.

mutation_agrees_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {31, 41, 59}),
        [begin
             W = weights(rand:uniform(300) - 1),
             Args = [W, rate(), rate(), rand:uniform() * 3, seed()],
             {ok, Out} = same(mutate_weights_seeded, Args),
             ?assertEqual(length(Out), nlen(W))
         end || _ <- lists:seq(1, 300)],
        [same(mutate_weights_batch_seeded,
              [[{weights(rand:uniform(40) - 1), rate(), rate(), rand:uniform()}
                || _ <- lists:seq(1, rand:uniform(6) - 1)], seed()])
         || _ <- lists:seq(1, 100)],
        [same(mutate_weights_batch_uniform_seeded,
              [[weights(rand:uniform(40) - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)],
               rate(), rate(), rand:uniform(), seed()])
         || _ <- lists:seq(1, 100)]
    end}.

nlen(B) when is_binary(B) -> byte_size(B) div 8;
nlen(L) -> length(L).

random_agrees_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {26, 53, 58}),
        [begin
             N = rand:uniform(200) - 1,
             {ok, U} = same(random_weights_seeded, [N, seed()]),
             ?assertEqual(N, length(U)),
             {ok, G} = same(random_weights_gaussian_seeded, [N, rand:normal(), rand:uniform() * 2, seed()]),
             ?assertEqual(N, length(G))
         end || _ <- lists:seq(1, 200)],
        [same(random_weights_batch_seeded,
              [[{rand:uniform(30) - 1, rand:normal(), rand:uniform()} || _ <- lists:seq(1, rand:uniform(5) - 1)],
               seed()])
         || _ <- lists:seq(1, 100)]
    end}.

distances_agree_test() ->
    rand:seed(exsss, {97, 93, 23}),
    [begin
         N = rand:uniform(50) - 1,
         A = weights(N), B = weights(N),
         same(weight_distance_l1, [A, B]),
         same(weight_distance_l2, [A, B]),
         same(weight_distance_batch, [A, [weights(N) || _ <- lists:seq(1, rand:uniform(5) - 1)],
                                      lists:nth(rand:uniform(2), [l1, l2])])
     end || _ <- lists:seq(1, 200)].

%% Large calls go to the dirty scheduler and give the same bits.
large_calls_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {7, 7, 7}),
        W = [rand:normal() || _ <- lists:seq(1, 60000)],
        ?assertEqual('$tweann_dirty', tweann_nif_native:mutate_weights_seeded(W, 0.5, 0.8, 0.1, 1)),
        same(mutate_weights_seeded, [W, 0.5, 0.8, 0.1, 1]),
        ?assertEqual('$tweann_dirty', tweann_nif_native:random_weights_seeded(100000, 3)),
        same(random_weights_seeded, [100000, 3]),
        same(random_weights_gaussian_seeded, [100000, 1.0, 0.5, 3]),
        same(mutate_weights_batch_uniform_seeded, [[W, lists:reverse(W)], 1.0, 0.5, 0.2, 9]),
        same(weight_distance_batch, [W, [W, lists:reverse(W)], l2])
    end}.

%%--------------------------------------------------------------------
%% Seeds: unseeded calls follow rand; batches use one stream per item
%%--------------------------------------------------------------------

unseeded_follow_rand_test() ->
    W = [0.5, -0.3, 0.8, 0.0, -0.9, 0.25],
    Seeded = fun(F) -> rand:seed(exsss, {1, 2, 3}), S = rand:uniform(1 bsl 58) - 1, F(S) end,
    Unseeded = fun(F) -> rand:seed(exsss, {1, 2, 3}), F() end,
    ?assertEqual(Seeded(fun(S) -> tweann_nif:mutate_weights_seeded(W, 0.7, 0.5, 0.3, S) end),
                 Unseeded(fun() -> tweann_nif:mutate_weights(W, 0.7, 0.5, 0.3) end)),
    ?assertEqual(Unseeded(fun() -> tweann_ref_weights:mutate_weights(W, 0.7, 0.5, 0.3) end),
                 Unseeded(fun() -> tweann_nif:mutate_weights(W, 0.7, 0.5, 0.3) end)),
    ?assertEqual(Seeded(fun(S) -> tweann_nif:random_weights_seeded(20, S) end),
                 Unseeded(fun() -> tweann_nif:random_weights(20) end)),
    ?assertEqual(Seeded(fun(S) -> nif(random_weights_gaussian_seeded, [20, 1.0, 2.0, S]) end),
                 Unseeded(fun() -> tweann_nif:random_weights_gaussian(20, 1.0, 2.0) end)),
    Specs = [{3, 0.0, 1.0}, {0, 1.0, 1.0}, {5, -1.0, 0.5}],
    ?assertEqual(Seeded(fun(S) -> nif(random_weights_batch_seeded, [Specs, S]) end),
                 Unseeded(fun() -> tweann_nif:random_weights_batch(Specs) end)),
    ?assertEqual(Unseeded(fun() -> tweann_ref_weights:random_weights_batch(Specs) end),
                 Unseeded(fun() -> tweann_nif:random_weights_batch(Specs) end)),
    Gs = [{W, 0.5, 0.5, 0.1}, {[], 1.0, 1.0, 1.0}, {W, 1.0, 0.0, 0.1}],
    ?assertEqual(Seeded(fun(S) -> nif(mutate_weights_batch_seeded, [Gs, S]) end),
                 Unseeded(fun() -> tweann_nif:mutate_weights_batch(Gs) end)),
    ?assertEqual(Seeded(fun(S) -> nif(mutate_weights_batch_uniform_seeded, [[W, W], 0.5, 0.5, 0.1, S]) end),
                 Unseeded(fun() -> tweann_nif:mutate_weights_batch_uniform([W, W], 0.5, 0.5, 0.1) end)),
    %% One rand draw per call: consecutive calls differ.
    rand:seed(exsss, {1, 2, 3}),
    ?assertNotEqual(tweann_nif:random_weights(5), tweann_nif:random_weights(5)).

batch_streams_test() ->
    W = [0.1 * I || I <- lists:seq(1, 30)],
    Seed = 424242,
    Gs = [{W, 0.6, 0.5, 0.2}, {lists:reverse(W), 0.3, 0.9, 1.0}, {W, 1.0, 0.0, 0.0}],
    Batch = nif(mutate_weights_batch_seeded, [Gs, Seed]),
    ?assertEqual([tweann_nif:mutate_weights_seeded(Ws, R, P, S, tweann_ref_rng:stream_seed(Seed, I))
                  || {I, {Ws, R, P, S}} <- lists:zip(lists:seq(0, 2), Gs)],
                 Batch),
    %% An item's numbers do not depend on the items before it.
    [_ | Rest] = nif(random_weights_batch_seeded, [[{100, 0.0, 1.0}, {4, 0.0, 1.0}], Seed]),
    ?assertEqual(Rest, tl(nif(random_weights_batch_seeded, [[{3, 0.0, 1.0}, {4, 0.0, 1.0}], Seed]))),
    ?assertEqual([nif(random_weights_gaussian_seeded, [4, 0.0, 1.0, tweann_ref_rng:stream_seed(Seed, 1)])],
                 Rest).

%%--------------------------------------------------------------------
%% Distributions (fixed seeds: deterministic)
%%--------------------------------------------------------------------

mean(Xs) -> lists:sum(Xs) / length(Xs).
sd(Xs) -> M = mean(Xs), math:sqrt(lists:sum([(X - M) * (X - M) || X <- Xs]) / length(Xs)).

distributions_test() ->
    U = tweann_nif:random_weights_seeded(20000, 1),
    ?assert(lists:all(fun(X) -> X >= -1.0 andalso X < 1.0 end, U)),
    ?assert(abs(mean(U)) < 0.02),
    ?assert(abs(sd(U) - 1 / math:sqrt(3)) < 0.01),
    G = nif(random_weights_gaussian_seeded, [20000, 0.5, 0.1, 2]),
    ?assert(abs(mean(G) - 0.5) < 0.005),
    ?assert(abs(sd(G) - 0.1) < 0.005),
    %% Mutation: about Rate of the weights change; of those about PerturbRate
    %% are perturbed (N(w, Strength)), the rest replaced (uniform in [-1, 1)).
    N = 20000,
    W = lists:duplicate(N, 5.0),
    M = tweann_nif:mutate_weights_seeded(W, 0.3, 0.6, 0.2, 3),
    Kept = [X || X <- M, X =:= 5.0],
    Replaced = [X || X <- M, X >= -1.0, X < 1.0],
    Perturbed = [X || X <- M, X =/= 5.0, X >= 2.0],
    ?assertEqual(N, length(Kept) + length(Replaced) + length(Perturbed)),
    ?assert(abs(length(Kept) / N - 0.7) < 0.02),
    ?assert(abs(length(Perturbed) / N - 0.3 * 0.6) < 0.02),
    ?assert(abs(mean(Perturbed) - 5.0) < 0.02),
    ?assert(abs(sd(Perturbed) - 0.2) < 0.01),
    ?assert(abs(mean(Replaced)) < 0.05).

%%--------------------------------------------------------------------
%% faber-tweann's expectations (their unit tests of these functions)
%%--------------------------------------------------------------------

faber_conventions_test() ->
    W5 = [0.5, -0.3, 0.8, 0.0, -0.9],
    M = tweann_nif:mutate_weights(W5, 1.0, 1.0, 0.1),
    ?assertEqual(5, length(M)),
    ?assert(length([x || {O, X} <- lists:zip(W5, M), O =/= X]) >= 4),
    ?assertEqual(W5, tweann_nif:mutate_weights(W5, 0.0, 1.0, 0.1)),
    ?assertEqual(tweann_nif:mutate_weights_seeded(W5, 0.5, 0.8, 0.1, 12345),
                 tweann_nif:mutate_weights_seeded(W5, 0.5, 0.8, 0.1, 12345)),
    ?assertNotEqual(tweann_nif:mutate_weights_seeded(W5, 0.5, 0.8, 0.1, 111),
                    tweann_nif:mutate_weights_seeded(W5, 0.5, 0.8, 0.1, 222)),
    ?assertNotEqual([0.5, 0.5, 0.5, 0.5, 0.5], tweann_nif:mutate_weights(lists:duplicate(5, 0.5), 1.0, 0.8, 0.5)),
    [R1, R2, R3] = tweann_nif:mutate_weights_batch([{[0.1, 0.2, 0.3], 1.0, 1.0, 0.01},
                                                    {[0.4, 0.5, 0.6], 0.0, 1.0, 0.01},
                                                    {[0.7, 0.8, 0.9], 1.0, 0.0, 0.01}]),
    ?assertEqual({3, [0.4, 0.5, 0.6], 3}, {length(R1), R2, length(R3)}),
    Ws = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]],
    ?assertEqual(Ws, tweann_nif:mutate_weights_batch_uniform(Ws, 0.0, 1.0, 0.1)),
    ?assertEqual(2, length(tweann_nif:mutate_weights_batch_uniform([[0.1], [0.2]], 0.5, 0.8, 0.1))),
    Var = lists:sum([X * X || X <- tweann_nif:mutate_weights(lists:duplicate(100, 0.0), 1.0, 1.0, 1.0)]) / 100,
    ?assert(Var > 0.1),
    ?assertEqual([], tweann_nif:mutate_weights([], 1.0, 1.0, 0.1)),
    R100 = tweann_nif:random_weights(100),
    ?assert(length(R100) =:= 100 andalso lists:all(fun(X) -> X >= -1.0 andalso X =< 1.0 end, R100)),
    ?assertEqual([], tweann_nif:random_weights(0)),
    ?assertNotEqual(tweann_nif:random_weights(10), tweann_nif:random_weights(10)),
    ?assertEqual(tweann_nif:random_weights_seeded(50, 42), tweann_nif:random_weights_seeded(50, 42)),
    ?assertNotEqual(tweann_nif:random_weights_seeded(10, 42), tweann_nif:random_weights_seeded(10, 43)),
    G = tweann_nif:random_weights_gaussian(1000, 0.0, 0.5),
    ?assert(length(G) =:= 1000 andalso abs(mean(G)) < 0.1),
    ?assert(abs(mean(tweann_nif:random_weights_gaussian(10000, 0.5, 0.1)) - 0.5) < 0.05),
    ?assertEqual([10, 20, 30], [length(R) || R <- tweann_nif:random_weights_batch([{10, 0.0, 0.1}, {20, 0.5, 0.2},
                                                                                  {30, -0.5, 0.3}])]),
    ?assertEqual([5, 10, 0], [length(R) || R <- tweann_nif:random_weights_batch([{5, 0.0, 1.0}, {10, 0.5, 0.2},
                                                                                 {0, 0.0, 1.0}])]),
    ?assertEqual(3.0, tweann_nif:weight_distance_l1([1.0, 2.0, 3.0], [1.0, 3.0, 5.0])),
    ?assertEqual(3.0, tweann_nif:weight_distance_l1([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])),
    ?assertEqual(0.0, tweann_nif:weight_distance_l1([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])),
    ?assertEqual(1.0, tweann_nif:weight_distance_l2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])),
    ?assertEqual(0.0, tweann_nif:weight_distance_l2([0.5, -0.3, 0.8], [0.5, -0.3, 0.8])),
    ?assertEqual(5.0, tweann_nif:weight_distance_l2([0.0, 0.0], [3.0, 4.0])),
    ?assertEqual(0.0, tweann_nif:weight_distance_l1([], [])),
    ?assertEqual(0.0, tweann_nif:weight_distance_l2([], [])),
    ?assertEqual(7.0, tweann_nif:weight_distance_l1([-1.0, 2.5], [1.0, -2.5])),
    ?assertEqual([0.0, 1.0, 6.0], tweann_nif:weight_distance_batch([1.0, 2.0, 3.0],
                                                                   [[1.0, 2.0, 3.0], [2.0, 2.0, 3.0], [0.0, 0.0, 0.0]], l1)),
    [D1, D2, D3] = tweann_nif:weight_distance_batch([0.0, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]], l2),
    ?assertEqual({1.0, 1.0, math:sqrt(3.0)}, {D1, D2, D3}),
    ?assertEqual([1.0, 0.5, 2.0], tweann_nif:weight_distance_batch([0.0, 0.0], [[1.0, 0.0], [0.5, 0.0], [2.0, 0.0]], l1)),
    ?assertEqual([5.0], tweann_nif:weight_distance_batch([0.0, 0.0], [[3.0, 4.0]], l2)),
    ?assertError(badarg, tweann_nif:weight_distance_batch([0.0], [[1.0]], linf)),
    ?assertEqual(3.0, tweann_nif:dot_product_preflattened([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], 0.0)),
    ?assertEqual(8.0, tweann_nif:dot_product_preflattened([1.0, 2.0], [1.0, 1.0], 5.0)),
    ?assertEqual(3.0, tweann_nif:dot_product_preflattened([], [], 3.0)),
    %% faber-tweann's name for dot_product_flat/3, in both implementations.
    ?assertEqual(bits(tweann_ref_dot:dot_product_flat([0.3, -2], [1.5, 0.25], 0.1)),
                 bits(tweann_nif:dot_product_preflattened([0.3, -2], [1.5, 0.25], 0.1))),
    ?assertEqual(bits(tweann_nif:dot_product_flat([0.3, -2], [1.5, 0.25], 0.1)),
                 bits(tweann_nif:dot_product_preflattened([0.3, -2], [1.5, 0.25], 0.1))),
    ?assertEqual({error, badarg, 2}, outcome(fun() -> tweann_ref_api:dot_product_preflattened([1.0], [], 0.0) end)).

%% The native library serves this node (tweann_fallback_tests checks
%% `erlang' on a node configured with {backend, erlang}).
impl_test() ->
    ?assertEqual(native, tweann_nif:impl()),
    ?assertEqual(native, tweann_backend:get()).

%%--------------------------------------------------------------------
%% Bad input: badarg naming the argument, the same in both
%%--------------------------------------------------------------------

errors_test() ->
    Cases =
        [{mutate_weights_seeded, [[1.0], 1.5, 0.5, 0.1, 1], 2},
         {mutate_weights_seeded, [[1.0], -0.1, 0.5, 0.1, 1], 2},
         {mutate_weights_seeded, [[1.0], 0.5, x, 0.1, 1], 3},
         {mutate_weights_seeded, [[1.0], 0.5, 0.5, -0.1, 1], 4},
         {mutate_weights_seeded, [[1.0], 0.5, 0.5, 0.1, -1], 5},
         {mutate_weights_seeded, [[1.0], 0.5, 0.5, 0.1, 1 bsl 64], 5},
         {mutate_weights_seeded, [[1.0 | x], 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_seeded, [[1.0, a], 5, x, y, z], 2},
         {mutate_weights_seeded, [[1.0, a], 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_batch_seeded, [[{[1.0], 0.5, 0.5, 0.1} | x], -1], 2},
         {weight_distance_l1, [[1.0], [1.0 | x]], 2},
         {weight_distance_l1, [[1.0, 2.0 | x], [1.0, 2.0]], 1},
         {weight_distance_l1, [<<1.0:64/float-native>>, [1.0, 2.0]], 2},
         {weight_distance_batch, [[1.0], [[1.0], [1.0 | x]], l1], 2},
         {mutate_weights_seeded, [[1 bsl 1024], 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_seeded, [<<1, 2, 3>>, 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_seeded, [<<16#7FF0000000000000:64/native>>, 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_seeded, [[1.0], 1.5, x, 0.1, 1], 2},
         {mutate_weights_batch_seeded, [[{[1.0], 0.5, 0.5}], 1], 1},
         {mutate_weights_batch_seeded, [[{[1.0], 0.5, 0.5, 0.1}, {[1.0], 2.0, 0.5, 0.1}], 1], 1},
         {mutate_weights_batch_seeded, [[{[1.0], 0.5, 0.5, 0.1}], -1], 2},
         {mutate_weights_batch_seeded, [x, 1], 1},
         {mutate_weights_batch_uniform_seeded, [[[1.0], [x]], 0.5, 0.5, 0.1, 1], 1},
         {mutate_weights_batch_uniform_seeded, [[[1.0]], 0.5, 0.5, nan, 1], 4},
         {random_weights_seeded, [-1, 1], 1},
         {random_weights_seeded, [1.0, 1], 1},
         {random_weights_seeded, [3, x], 2},
         {random_weights_gaussian_seeded, [3, x, 1.0, 1], 2},
         {random_weights_gaussian_seeded, [3, 0.0, -1.0, 1], 3},
         {random_weights_gaussian_seeded, [3, 0.0, 1.0, 1.5], 4},
         {random_weights_batch_seeded, [[{3, 0.0}], 1], 1},
         {random_weights_batch_seeded, [[{3, 0.0, -1}], 1], 1},
         {random_weights_batch_seeded, [[{-3, 0.0, 1}], 1], 1},
         {random_weights_batch_seeded, [[{3, 0.0, 1}], x], 2},
         {weight_distance_l1, [[1.0], [1.0, 2.0]], 2},
         {weight_distance_l2, [[1.0, x], [1.0, 2.0]], 1},
         {weight_distance_l2, [[1.0, 2.0], [1.0]], 2},
         {weight_distance_batch, [[1.0], [[1.0], [1.0, 2.0]], l1], 2},
         {weight_distance_batch, [[1.0], [[1.0]], l3], 3},
         {weight_distance_batch, [x, [[1.0]], l3], 3},
         {weight_distance_batch, [x, [[1.0]], l2], 1}],
    [?assertEqual({F, {error, badarg, Pos}}, {F, same(F, Args)}) || {F, Args, Pos} <- Cases],
    %% Overflow: badarith in both.
    [?assertEqual({F, {error, badarith, general}}, {F, same(F, Args)})
     || {F, Args} <- [{mutate_weights_seeded, [lists:duplicate(50, 1.0e308), 1.0, 1.0, 1.0e308, 1]},
                      {random_weights_gaussian_seeded, [50, 1.0e308, 1.0e308, 1]},
                      {weight_distance_l1, [[1.0e308, 1.0e308], [-1.0e308, 0.0]]},
                      {weight_distance_l2, [[1.0e200], [-1.0e200]]},
                      {weight_distance_batch, [[1.0e200], [[0.0], [-1.0e200]], l2]}]],
    %% The public wrappers name their own arguments.
    ?assertMatch({error, badarg, 2}, outcome(fun() -> tweann_nif:mutate_weights([1.0], 2, 0.5, 0.1) end)),
    ?assertMatch({error, badarg, 3}, outcome(fun() -> tweann_nif:random_weights_gaussian(3, 0.0, -1) end)),
    ?assertMatch({error, badarg, 1}, outcome(fun() -> tweann_nif:random_weights(-1) end)),
    ?assertMatch({error, badarg, 2}, outcome(fun() -> tweann_nif:dot_product_preflattened([1.0], [], 0.0) end)),
    %% A result over the memory budget is refused.
    ?assertMatch({error, badarg, general}, outcome(fun() -> tweann_nif:random_weights(1 bsl 40) end)),
    ?assertMatch({error, badarg, general},
                 outcome(fun() -> tweann_nif:random_weights_batch([{1 bsl 39, 0, 1}, {1 bsl 39, 0, 1}]) end)).

%%--------------------------------------------------------------------
%% Corrupted arguments: the NIF and the reference fail alike
%%--------------------------------------------------------------------

%% A bad value of any kind a caller might pass.
junk() ->
    case rand:uniform(12) of
        1 -> x;
        2 -> -1;
        3 -> 1.5;
        4 -> 1 bsl 64;
        5 -> <<1, 2, 3>>;
        6 -> <<16#7FF8000000000001:64/native>>;
        7 -> [1.0 | x];
        8 -> [1.0, x];
        9 -> {};
        10 -> 1.0e308;
        11 -> -1.0e308;
        12 -> []
    end.

corrupt(L) when is_list(L), L =/= [] ->
    case rand:uniform(3) of
        1 -> junk();
        2 -> K = rand:uniform(length(L)),
             {A, [X | B]} = lists:split(K - 1, L),
             A ++ [corrupt(X) | B];
        3 -> L ++ [junk()]
    end;
corrupt(T) when is_tuple(T), tuple_size(T) > 0 ->
    case rand:uniform(2) of
        1 -> junk();
        2 -> K = rand:uniform(tuple_size(T)), setelement(K, T, corrupt(element(K, T)))
    end;
corrupt(_) -> junk().

valid_args(mutate_weights_seeded) -> [weights(rand:uniform(6) - 1), rate(), rate(), rand:uniform(), seed()];
valid_args(mutate_weights_batch_seeded) ->
    [[{weights(rand:uniform(4) - 1), rate(), rate(), 1.0e300} || _ <- lists:seq(1, rand:uniform(3))], seed()];
valid_args(mutate_weights_batch_uniform_seeded) ->
    [[weights(rand:uniform(4) - 1) || _ <- lists:seq(1, rand:uniform(3))], rate(), rate(), rand:uniform(), seed()];
valid_args(random_weights_seeded) -> [rand:uniform(5) - 1, seed()];
valid_args(random_weights_gaussian_seeded) -> [rand:uniform(5) - 1, rand:normal(), rand:uniform(), seed()];
valid_args(random_weights_batch_seeded) ->
    [[{rand:uniform(4) - 1, rand:normal(), rand:uniform()} || _ <- lists:seq(1, rand:uniform(3))], seed()];
valid_args(F) when F =:= weight_distance_l1; F =:= weight_distance_l2 ->
    N = rand:uniform(5) - 1, [weights(N), weights(N)];
valid_args(weight_distance_batch) ->
    N = rand:uniform(4) - 1,
    [weights(N), [weights(N) || _ <- lists:seq(1, rand:uniform(3) - 1)], lists:nth(rand:uniform(2), [l1, l2])].

corrupted_arguments_agree_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {5, 6, 7}),
        Fs = [mutate_weights_seeded, mutate_weights_batch_seeded, mutate_weights_batch_uniform_seeded,
              random_weights_seeded, random_weights_gaussian_seeded, random_weights_batch_seeded,
              weight_distance_l1, weight_distance_l2, weight_distance_batch],
        Outcomes = [begin
                        Args = valid_args(F),
                        K = rand:uniform(length(Args)),
                        {A, [X | B]} = lists:split(K - 1, Args),
                        Bad = A ++ [case rand:uniform(4) of 1 -> X; _ -> corrupt(X) end | B],
                        element(1, same(F, Bad))
                    end || F <- Fs, _ <- lists:seq(1, 400)],
        %% Both kinds of outcome were exercised.
        ?assert(length([x || error <- Outcomes]) > 1000),
        ?assert(length([x || ok <- Outcomes]) > 100)
    end}.

%% The deterministic kernels against faber-tweann's NIF itself, when
%% TWEANN_FABER_NIF_DIR makes it available (1e-9 relative, 1e-12 absolute).
faber_live_test_() ->
    case tweann_faber_nif:available() of
        false ->
            {"faber-tweann's NIF not available (TWEANN_FABER_NIF_DIR), skipped", fun() -> ok end};
        true ->
            fun() ->
                rand:seed(exsss, {4, 4, 4}),
                Close = fun(G, E) -> abs(G - E) =< 1.0e-9 * abs(E) + 1.0e-12 end,
                [begin
                     N = rand:uniform(300) - 1,
                     A = [rand:normal() || _ <- lists:seq(1, N)],
                     B = [rand:normal() || _ <- lists:seq(1, N)],
                     Os = [[rand:normal() || _ <- lists:seq(1, N)] || _ <- lists:seq(1, 5)],
                     ?assert(Close(tweann_nif:weight_distance_l1(A, B), faber_nn_nifs:weight_distance_l1(A, B))),
                     ?assert(Close(tweann_nif:weight_distance_l2(A, B), faber_nn_nifs:weight_distance_l2(A, B))),
                     ?assert(Close(tweann_nif:dot_product_preflattened(A, B, 0.5),
                                   faber_nn_nifs:dot_product_preflattened(A, B, 0.5))),
                     [?assert(Close(G, E)) || M <- [l1, l2],
                                              {G, E} <- lists:zip(tweann_nif:weight_distance_batch(A, Os, M),
                                                                  faber_nn_nifs:weight_distance_batch(A, Os, M))],
                     ?assertEqual([length(R) || R <- faber_nn_nifs:random_weights_batch([{N, 0.0, 1.0}, {3, 1.0, 0.5}])],
                                  [length(R) || R <- tweann_nif:random_weights_batch([{N, 0.0, 1.0}, {3, 1.0, 0.5}])])
                 end || _ <- lists:seq(1, 200)],
                ok
            end
    end.
