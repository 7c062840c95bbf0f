%% @doc faber-tweann's weight kernels in pure Erlang: the twin of
%% `native/tweann_core/src/weights.rs' (same operations in the same order,
%% same random draws, so the same bits).
%%
%% <ul>
%% <li>Mutation: {@link mutate_weights_seeded/5} and its unseeded and batch
%%     forms.</li>
%% <li>Random weights: {@link random_weights_seeded/2} (uniform in
%%     `[-1, 1)'), {@link random_weights_gaussian_seeded/4}, batches.</li>
%% <li>Distances: {@link weight_distance_l1/2}, {@link weight_distance_l2/2},
%%     {@link weight_distance_batch/3}.</li>
%% </ul>
%%
%% Randomness comes from {@link tweann_ref_rng}. An unseeded function takes
%% its seed from the calling process's `rand' state
%% (`rand:uniform(1 bsl 58) - 1', one draw per call) and calls its seeded
%% form, so `rand:seed/2' makes a run reproducible. Item I (0-based) of a
%% batch uses the generator of `tweann_ref_rng:stream_seed(Seed, I)'.
%%
%% Order of the checks (the NIF keeps the same, so both report the same
%% argument for any input): the scalar arguments (rates, seeds, sizes, the
%% metric) first, in argument order; then the lists, element by element, each
%% number used as soon as it is read (a binary is decoded and checked whole
%% before its first number is used). A bad argument raises
%% `error:{tweann_error, badarg, Position, Why}' and an overflow
%% `error:{tweann_error, badarith, general, Why}', both through
%% `tweann_ref_args' ({@link tweann_nif} turns them into
%% `badarg'/`badarith' with error_info). `docs/semantics.md' is the contract.
-module(tweann_ref_weights).

-export([mutate_weights/4, mutate_weights_seeded/5,
         mutate_weights_batch/1, mutate_weights_batch_seeded/2,
         mutate_weights_batch_uniform/4, mutate_weights_batch_uniform_seeded/5,
         random_weights/1, random_weights_seeded/2,
         random_weights_gaussian/3, random_weights_gaussian_seeded/4,
         random_weights_batch/1, random_weights_batch_seeded/2,
         weight_distance_l1/2, weight_distance_l2/2, weight_distance_batch/3,
         draw_seed/0]).

-type weights() :: [number()] | binary().
%% A list of numbers or a binary of native-endian finite f64 values.

-export_type([weights/0]).

-define(MAX_SEED, 16#FFFFFFFFFFFFFFFF).

%%====================================================================
%% Mutation
%%====================================================================

%% @doc {@link mutate_weights_seeded/5} with a seed from the caller's `rand'.
-spec mutate_weights(weights(), number(), number(), number()) -> [float()].
mutate_weights(Weights, Rate, PerturbRate, Strength) ->
    mutate_weights_seeded(Weights, Rate, PerturbRate, Strength, draw_seed()).

%% @doc Mutate each weight in order: with probability `Rate' it is either
%% perturbed by a Gaussian of deviation `Strength' (probability
%% `PerturbRate') or replaced by a uniform draw in `[-1, 1)'.
-spec mutate_weights_seeded(weights(), number(), number(), number(), non_neg_integer()) -> [float()].
mutate_weights_seeded(Weights, Rate, PerturbRate, Strength, Seed) ->
    M = mutation(Rate, PerturbRate, Strength, [2, 3, 4]),
    S = seed_arg(Seed, 5),
    tweann_ref_args:finite(fun() -> mutate(Weights, 1, M, tweann_ref_rng:seed(S)) end).

%% @doc {@link mutate_weights_batch_seeded/2} with a seed from `rand'.
-spec mutate_weights_batch([{weights(), number(), number(), number()}]) -> [[float()]].
mutate_weights_batch(Genomes) ->
    mutate_weights_batch_seeded(Genomes, draw_seed()).

%% @doc Mutate each `{Weights, Rate, PerturbRate, Strength}' genome; genome
%% I (0-based) draws from the stream `stream_seed(Seed, I)'.
-spec mutate_weights_batch_seeded([{weights(), number(), number(), number()}], non_neg_integer()) ->
          [[float()]].
mutate_weights_batch_seeded(Genomes, Seed) ->
    S = seed_arg(Seed, 2),
    tweann_ref_args:finite(fun() ->
                   items(Genomes, 1, "Genomes",
                         fun({W, R, P, St}, K) ->
                                 M = case catch mutation(R, P, St, [1, 1, 1]) of
                                         {'EXIT', _} ->
                                             tweann_ref_args:fail(1, io_lib:format("genome ~b: bad MutationRate, "
                                                                   "PerturbRate or PerturbStrength", [K]));
                                         Mu -> Mu
                                     end,
                                 mutate(W, 1, M, stream(S, K - 1));
                            (_, K) ->
                                 tweann_ref_args:fail(1, io_lib:format("genome ~b is not a {Weights, MutationRate, "
                                                       "PerturbRate, PerturbStrength} tuple", [K]))
                         end)
           end).

%% @doc {@link mutate_weights_batch_uniform_seeded/5} with a seed from `rand'.
-spec mutate_weights_batch_uniform([weights()], number(), number(), number()) -> [[float()]].
mutate_weights_batch_uniform(Genomes, Rate, PerturbRate, Strength) ->
    mutate_weights_batch_uniform_seeded(Genomes, Rate, PerturbRate, Strength, draw_seed()).

%% @doc Mutate every weight list of `Genomes' with the same parameters;
%% genome I (0-based) draws from the stream `stream_seed(Seed, I)'.
-spec mutate_weights_batch_uniform_seeded([weights()], number(), number(), number(),
                                          non_neg_integer()) -> [[float()]].
mutate_weights_batch_uniform_seeded(Genomes, Rate, PerturbRate, Strength, Seed) ->
    M = mutation(Rate, PerturbRate, Strength, [2, 3, 4]),
    S = seed_arg(Seed, 5),
    tweann_ref_args:finite(fun() ->
                   items(Genomes, 1, "Genomes", fun(W, K) -> mutate(W, 1, M, stream(S, K - 1)) end)
           end).

%% The generator of item I (0-based) of a batch called with Seed.
stream(Seed, I) ->
    tweann_ref_rng:seed(tweann_ref_rng:stream_seed(Seed, I)).

mutation(Rate, PerturbRate, Strength, [P1, P2, P3]) ->
    R = probability(Rate, P1, "MutationRate"),
    P = probability(PerturbRate, P2, "PerturbRate"),
    S = non_neg(Strength, P3, "PerturbStrength"),
    {R, P, S}.

%% Mutate a weight list (streamed) or an f64 binary (checked whole first).
mutate(B, Pos, M, Rng) when is_binary(B) ->
    mutate_list(floats(B, Pos, "Weights"), Pos, M, Rng, 1, []);
mutate(L, Pos, M, Rng) when is_list(L) ->
    mutate_list(L, Pos, M, Rng, 1, []);
mutate(_, Pos, _M, _Rng) ->
    tweann_ref_args:fail(Pos, "Weights is not a list or an f64 binary").

mutate_list([W0 | Ws], Pos, {Rate, PRate, Strength} = M, Rng0, K, Acc) ->
    W = case to_float(W0) of
            false -> tweann_ref_args:fail(Pos, io_lib:format("Weights: element ~b is not a number", [K]));
            F -> F
        end,
    {U1, Rng1} = tweann_ref_rng:uniform(Rng0),
    if
        U1 < Rate ->
            {U2, Rng2} = tweann_ref_rng:uniform(Rng1),
            if
                U2 < PRate ->
                    {Z, Rng3} = tweann_ref_rng:normal(Rng2),
                    mutate_list(Ws, Pos, M, Rng3, K + 1, [W + Strength * Z | Acc]);
                true ->
                    {U3, Rng3} = tweann_ref_rng:uniform(Rng2),
                    mutate_list(Ws, Pos, M, Rng3, K + 1, [U3 * 2.0 - 1.0 | Acc])
            end;
        true ->
            mutate_list(Ws, Pos, M, Rng1, K + 1, [W | Acc])
    end;
mutate_list([], _Pos, _M, _Rng, _K, Acc) ->
    lists:reverse(Acc);
mutate_list(_, Pos, _M, _Rng, _K, _Acc) ->
    tweann_ref_args:fail(Pos, "Weights is not a proper list").

%%====================================================================
%% Random weights
%%====================================================================

%% @doc {@link random_weights_seeded/2} with a seed from `rand'.
-spec random_weights(non_neg_integer()) -> [float()].
random_weights(N) ->
    random_weights_seeded(N, draw_seed()).

%% @doc `N' uniform weights in `[-1, 1)': `U * 2.0 - 1.0' per weight.
-spec random_weights_seeded(non_neg_integer(), non_neg_integer()) -> [float()].
random_weights_seeded(N, Seed) ->
    Count = count_arg(N, 1, "N"),
    S = seed_arg(Seed, 2),
    uniforms(Count, tweann_ref_rng:seed(S), []).

uniforms(0, _Rng, Acc) -> lists:reverse(Acc);
uniforms(K, Rng0, Acc) ->
    {U, Rng1} = tweann_ref_rng:uniform(Rng0),
    uniforms(K - 1, Rng1, [U * 2.0 - 1.0 | Acc]).

%% @doc {@link random_weights_gaussian_seeded/4} with a seed from `rand'.
-spec random_weights_gaussian(non_neg_integer(), number(), number()) -> [float()].
random_weights_gaussian(N, Mean, StdDev) ->
    random_weights_gaussian_seeded(N, Mean, StdDev, draw_seed()).

%% @doc `N' weights `Mean + StdDev * Z', Z standard normal draws.
-spec random_weights_gaussian_seeded(non_neg_integer(), number(), number(), non_neg_integer()) ->
          [float()].
random_weights_gaussian_seeded(N, Mean, StdDev, Seed) ->
    Count = count_arg(N, 1, "N"),
    M = number(Mean, 2, "Mean"),
    Sd = non_neg(StdDev, 3, "StdDev"),
    S = seed_arg(Seed, 4),
    tweann_ref_args:finite(fun() -> gaussians(Count, M, Sd, tweann_ref_rng:seed(S)) end).

gaussians(N, Mean, Sd, Rng) ->
    gaussians(N, Mean, Sd, Rng, []).

gaussians(0, _Mean, _Sd, _Rng, Acc) -> lists:reverse(Acc);
gaussians(K, Mean, Sd, Rng0, Acc) ->
    {Z, Rng1} = tweann_ref_rng:normal(Rng0),
    gaussians(K - 1, Mean, Sd, Rng1, [Mean + Sd * Z | Acc]).

%% @doc {@link random_weights_batch_seeded/2} with a seed from `rand'.
-spec random_weights_batch([{non_neg_integer(), number(), number()}]) -> [[float()]].
random_weights_batch(Specs) ->
    random_weights_batch_seeded(Specs, draw_seed()).

%% @doc One list of Gaussian weights per `{N, Mean, StdDev}' spec; spec I
%% (0-based) draws from the stream `stream_seed(Seed, I)'.
-spec random_weights_batch_seeded([{non_neg_integer(), number(), number()}], non_neg_integer()) ->
          [[float()]].
random_weights_batch_seeded(Specs, Seed) ->
    S = seed_arg(Seed, 2),
    Ss = items(Specs, 1, "Specs",
               fun({N, Mean, Sd}, K) ->
                       Ctx = io_lib:format("spec ~b: ", [K]),
                       {count_arg(N, 1, [Ctx, "N"]), number(Mean, 1, [Ctx, "Mean"]),
                        non_neg(Sd, 1, [Ctx, "StdDev"])};
                  (_, K) ->
                       tweann_ref_args:fail(1, io_lib:format("spec ~b is not a {N, Mean, StdDev} tuple", [K]))
               end),
    tweann_ref_args:finite(fun() -> streams(Ss, S, fun({N, M, Sd}, Rng) -> gaussians(N, M, Sd, Rng) end) end).

%% Item I of Items through Fun(Item, Generator of stream_seed(Seed, I)).
streams(Items, Seed, Fun) ->
    streams(Items, Seed, Fun, 0, []).

streams([], _Seed, _Fun, _I, Acc) -> lists:reverse(Acc);
streams([X | Xs], Seed, Fun, I, Acc) ->
    Rng = tweann_ref_rng:seed(tweann_ref_rng:stream_seed(Seed, I)),
    streams(Xs, Seed, Fun, I + 1, [Fun(X, Rng) | Acc]).

%%====================================================================
%% Distances
%%====================================================================

%% @doc `0.0 + abs(A1 - B1) + abs(A2 - B2) + ...' over equal-length vectors.
-spec weight_distance_l1(weights(), weights()) -> float().
weight_distance_l1(W1, W2) ->
    tweann_ref_args:finite(fun() -> distance(l1, W1, W2) end).

%% @doc `sqrt(0.0 + (A1 - B1)^2 + ...)' over equal-length vectors.
-spec weight_distance_l2(weights(), weights()) -> float().
weight_distance_l2(W1, W2) ->
    tweann_ref_args:finite(fun() -> distance(l2, W1, W2) end).

%% @doc The distance (`Metric' `l1' or `l2') from `Target' to each of
%% `Others', in order.
-spec weight_distance_batch(weights(), [weights()], l1 | l2) -> [float()].
weight_distance_batch(Target, Others, Metric) ->
    lists:member(Metric, [l1, l2]) orelse tweann_ref_args:fail(3, "Metric must be l1 or l2"),
    T = floats(Target, 1, "Target"),
    tweann_ref_args:finite(fun() -> items(Others, 2, "Others", fun(O, _K) -> distance_to(Metric, T, O, 2) end) end).

%% Two lists are streamed pair by pair; with a binary, the first vector is
%% decoded whole, then the second compared with it.
distance(Metric, W1, W2) when is_binary(W1); is_binary(W2) ->
    distance_to(Metric, floats(W1, 1, "Weights1"), W2, 2);
distance(Metric, W1, W2) ->
    is_list(W1) orelse tweann_ref_args:fail(1, "Weights1 is not a list or an f64 binary"),
    is_list(W2) orelse tweann_ref_args:fail(2, "Weights2 is not a list or an f64 binary"),
    finish(Metric, pairs(Metric, W1, W2, 0.0)).

pairs(Metric, [X | Xs], W2, Acc) ->
    FX = element_float(X, 1, "Weights1"),
    case W2 of
        [Y | Ys] -> pairs(Metric, Xs, Ys, add(Metric, FX, element_float(Y, 2, "Weights2"), Acc));
        [] -> tweann_ref_args:fail(2, "Weights2 is shorter than Weights1");
        _ -> tweann_ref_args:fail(2, "Weights2 is not a proper list")
    end;
pairs(_Metric, [], [], Acc) -> Acc;
pairs(_Metric, [], _, _Acc) -> tweann_ref_args:fail(2, "Weights2 is longer than Weights1");
pairs(_Metric, _, _, _Acc) -> tweann_ref_args:fail(1, "Weights1 is not a proper list").

%% The distance from A (floats) to W (argument Pos): a binary is decoded
%% whole first, a list streamed.
distance_to(Metric, A, W, Pos) when is_binary(W) ->
    B = floats(W, Pos, "a weight vector"),
    length(B) =:= length(A) orelse tweann_ref_args:fail(Pos, "the weight vectors differ in length"),
    finish(Metric, along(Metric, A, B, Pos, 0.0));
distance_to(Metric, A, W, Pos) when is_list(W) ->
    finish(Metric, along(Metric, A, W, Pos, 0.0));
distance_to(_Metric, _A, _W, Pos) ->
    tweann_ref_args:fail(Pos, "a weight vector is not a list or an f64 binary").

along(Metric, [X | Xs], [Y | Ys], Pos, Acc) ->
    along(Metric, Xs, Ys, Pos, add(Metric, X, element_float(Y, Pos, "a weight vector"), Acc));
along(_Metric, [], [], _Pos, Acc) -> Acc;
along(_Metric, _, L, Pos, _Acc) when is_list(L) -> tweann_ref_args:fail(Pos, "the weight vectors differ in length");
along(_Metric, _, _, Pos, _Acc) -> tweann_ref_args:fail(Pos, "a weight vector is not a proper list").

add(l1, A, B, Acc) -> Acc + fabs(A - B);
add(l2, A, B, Acc) -> D = A - B, Acc + D * D.

finish(l1, Acc) -> Acc;
finish(l2, Acc) -> math:sqrt(Acc).

element_float(X, Pos, What) ->
    case to_float(X) of
        false -> tweann_ref_args:fail(Pos, [What, ": an element is not a number"]);
        F -> F
    end.

%% Rust's f64::abs (clears the sign bit: abs(-0.0) = 0.0).
fabs(X) when X < 0.0 -> -X;
fabs(X) when X == 0.0 -> 0.0;
fabs(X) -> X.

%%====================================================================
%% Seeds
%%====================================================================

%% @doc A seed for a seeded kernel from the calling process's `rand' state:
%% `rand:uniform(1 bsl 58) - 1' (uniform in `0..2^58-1': one step of any
%% rand algorithm), as {@link tweann_nif} draws it.
-spec draw_seed() -> non_neg_integer().
draw_seed() ->
    rand:uniform(1 bsl 58) - 1.

%%====================================================================
%% Arguments
%%====================================================================

%% A number as the NIF decoders read it: a float, or an integer as float/1
%% converts it (false beyond the float range).
to_float(X) when is_float(X) -> X;
to_float(X) when is_integer(X) ->
    case tweann_ref_args:int_float(X) of
        error -> false;
        F -> F
    end;
to_float(_) -> false.

number(X, Pos, What) ->
    case to_float(X) of
        false -> tweann_ref_args:fail(Pos, [What, " is not a number"]);
        F -> F
    end.

%% A number in [0, 1].
probability(X, Pos, What) ->
    case to_float(X) of
        F when is_float(F), F >= 0.0, F =< 1.0 -> F;
        _ -> tweann_ref_args:fail(Pos, [What, " must be a number in [0, 1] (a probability)"])
    end.

%% A number >= 0.
non_neg(X, Pos, What) ->
    case to_float(X) of
        F when is_float(F), F >= 0.0 -> F;
        _ -> tweann_ref_args:fail(Pos, [What, " must be a number >= 0 (a standard deviation)"])
    end.

count_arg(N, _Pos, _What) when is_integer(N), N >= 0, N =< ?MAX_SEED -> N;
count_arg(_, Pos, What) -> tweann_ref_args:fail(Pos, [What, " must be a non-negative integer"]).

seed_arg(S, _Pos) when is_integer(S), S >= 0, S =< ?MAX_SEED -> S;
seed_arg(_, Pos) -> tweann_ref_args:fail(Pos, "Seed must be an integer in 0..2^64-1").

%% A list of numbers or a binary of finite native-endian f64, as floats.
floats(B, Pos, What) when is_binary(B) ->
    byte_size(B) rem 8 =:= 0 orelse
        tweann_ref_args:fail(Pos, io_lib:format("~ts: a binary of f64 values must have a size divisible by 8, not ~b",
                                [What, byte_size(B)])),
    bin_floats(B, Pos, What, 1, []);
floats(L, Pos, What) when is_list(L) ->
    list_floats(L, Pos, What, 1, []);
floats(_, Pos, What) ->
    tweann_ref_args:fail(Pos, [What, " is not a list or an f64 binary"]).

bin_floats(<<>>, _Pos, _What, _K, Acc) -> lists:reverse(Acc);
bin_floats(<<F:64/float-native, Rest/binary>>, Pos, What, K, Acc) ->
    bin_floats(Rest, Pos, What, K + 1, [F | Acc]);
bin_floats(_, Pos, What, K, _Acc) ->
    tweann_ref_args:fail(Pos, io_lib:format("~ts: value ~b of the binary is not finite", [What, K])).

list_floats([X | Xs], Pos, What, K, Acc) ->
    case to_float(X) of
        false -> tweann_ref_args:fail(Pos, io_lib:format("~ts: element ~b is not a number", [What, K]));
        F -> list_floats(Xs, Pos, What, K + 1, [F | Acc])
    end;
list_floats([], _Pos, _What, _K, Acc) -> lists:reverse(Acc);
list_floats(_, Pos, What, _K, _Acc) ->
    tweann_ref_args:fail(Pos, [What, " is not a proper list"]).

%% The items of a proper list through Fun(Item, OneBasedIndex).
items(L, Pos, What, Fun) when is_list(L) ->
    items(L, Pos, What, Fun, 1, []);
items(_, Pos, What, _Fun) ->
    tweann_ref_args:fail(Pos, [What, " is not a list"]).

items([X | Xs], Pos, What, Fun, K, Acc) -> items(Xs, Pos, What, Fun, K + 1, [Fun(X, K) | Acc]);
items([], _Pos, _What, _Fun, _K, Acc) -> lists:reverse(Acc);
items(_, Pos, What, _Fun, _K, _Acc) -> tweann_ref_args:fail(Pos, [What, " is not a proper list"]).
