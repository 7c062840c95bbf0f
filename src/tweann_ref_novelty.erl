%% @doc Pure Erlang reference of the novelty search kernels
%% ({@link tweann_nif:euclidean_distance/2},
%% {@link tweann_nif:euclidean_distance_batch/2},
%% {@link tweann_nif:knn_novelty/4}, {@link tweann_nif:knn_novelty_batch/3}),
%% computing the same floating-point operations in the same order as
%% `tweann_core::novelty', so that results are bit-identical:
%%
%% <ul>
%% <li>squared distance: `Acc = 0.0', `Acc + (A - B) * (A - B)' dimension by
%%     dimension; the distance is its square root;</li>
%% <li>kNN: the squared distances whose root is above `1.0e-10', sorted
%%     ascending, the first `K' of them; the mean of their roots summed in
%%     that order from `0.0' (`0.0' if none).</li>
%% </ul>
%%
%% Bad arguments raise `{tweann_error, badarg, Position, Why}', overflow
%% `{tweann_error, badarith, general, Why}'; {@link tweann_nif} turns them
%% into `badarg'/`badarith' with error_info. Arguments are checked in the
%% order the NIF checks them, so both report the same argument.
-module(tweann_ref_novelty).

-export([euclidean_distance/2, euclidean_distance_batch/2,
         knn_novelty/4, knn_novelty_batch/3]).

-define(SAME, 1.0e-10).

%% @doc See {@link tweann_nif:euclidean_distance/2}.
-spec euclidean_distance(tweann_nif:vector(), tweann_nif:vector()) -> float() | error.
euclidean_distance(V1, V2) ->
    A = vector(V1, 1, "V1"),
    B = vector(V2, 2, "V2"),
    case length(A) =:= length(B) of
        true -> arith(fun() -> math:sqrt(sq(A, B, 0.0)) end);
        false -> error
    end.

%% @doc See {@link tweann_nif:euclidean_distance_batch/2}.
-spec euclidean_distance_batch(tweann_nif:vector(), [tweann_nif:vector()]) ->
          [{non_neg_integer(), float()}].
euclidean_distance_batch(Target, Others) ->
    T = vector(Target, 1, "Target"),
    _ = count(Others, 2, "Others"),
    Rows = rows(Others, 2, "Others", length(T), "Target"),
    Ds = arith(fun() -> dists(T, Rows, 0, []) end),
    [{J, D} || {D, J} <- lists:sort(Ds)].

%% @doc See {@link tweann_nif:knn_novelty/4}.
-spec knn_novelty(tweann_nif:vector(), [tweann_nif:vector()], [tweann_nif:vector()],
                  pos_integer()) -> float().
knn_novelty(Target, Population, Archive, K) ->
    T = vector(Target, 1, "Target"),
    _ = count(Population, 2, "Population"),
    _ = count(Archive, 3, "Archive"),
    Dim = length(T),
    P = rows(Population, 2, "Population", Dim, "Target"),
    A = rows(Archive, 3, "Archive", Dim, "Target"),
    K1 = k(K, 4),
    arith(fun() -> knn_mean([sq(T, R, 0.0) || R <- P ++ A], K1) end).

%% @doc See {@link tweann_nif:knn_novelty_batch/3}.
-spec knn_novelty_batch([tweann_nif:vector()], [tweann_nif:vector()], pos_integer()) -> [float()].
knn_novelty_batch(Behaviors, Archive, K) ->
    _ = count(Behaviors, 1, "Behaviors"),
    _ = count(Archive, 2, "Archive"),
    {Dim, DimOf} = case {Behaviors, Archive} of
                       {[B | _], _} -> {peek_len(B), "vector 1 of Behaviors"};
                       {[], [A | _]} -> {peek_len(A), "vector 1 of Archive"};
                       {[], []} -> {0, ""}
                   end,
    Bs = rows(Behaviors, 1, "Behaviors", Dim, DimOf),
    As = rows(Archive, 2, "Archive", Dim, DimOf),
    K1 = k(K, 3),
    arith(fun() -> batch(Bs, [], As, K1) end).

%%--------------------------------------------------------------------
%% Kernels
%%--------------------------------------------------------------------

-spec sq([float()], [float()], float()) -> float().
sq([X | Xs], [Y | Ys], Acc) ->
    D = X - Y,
    sq(Xs, Ys, Acc + D * D);
sq([], [], Acc) ->
    Acc.

dists(_T, [], _J, Acc) -> Acc;
dists(T, [R | Rs], J, Acc) -> dists(T, Rs, J + 1, [{math:sqrt(sq(T, R, 0.0)), J} | Acc]).

%% Behaviour I against the others (Before ++ After, itself excluded) and
%% the archive.
batch([], _Before, _Archive, _K) ->
    [];
batch([T | After], Before, Archive, K) ->
    Sqs = [sq(T, R, 0.0) || R <- Before] ++ [sq(T, R, 0.0) || R <- After]
        ++ [sq(T, R, 0.0) || R <- Archive],
    [knn_mean(Sqs, K) | batch(After, [T | Before], Archive, K)].

knn_mean(Sqs, K) ->
    Kept = lists:sort([S || S <- Sqs, math:sqrt(S) > ?SAME]),
    case lists:sublist(Kept, K) of
        [] -> 0.0;
        Best -> sum_roots(Best, 0.0) / length(Best)
    end.

sum_roots([S | Ss], Acc) -> sum_roots(Ss, Acc + math:sqrt(S));
sum_roots([], Acc) -> Acc.

%%--------------------------------------------------------------------
%% Arguments
%%--------------------------------------------------------------------

%% The length of a proper list argument.
count(L, Pos, What) ->
    try length(L)
    catch error:badarg ->
            tweann_ref_args:fail(Pos, case is_list(L) of
                          true -> [What, " is not a proper list"];
                          false -> [What, " is not a list"]
                      end)
    end.

%% The number of values a vector term holds, without checking them.
peek_len(V) when is_binary(V) -> byte_size(V) div 8;
peek_len(V) when is_list(V) -> try length(V) catch error:badarg -> 0 end;
peek_len(_) -> 0.

%% The vectors of a list argument, each of Dim values.
rows(L, Pos, What, Dim, DimOf) ->
    rows(L, Pos, What, Dim, DimOf, 1).

rows([V | Vs], Pos, What, Dim, DimOf, N) ->
    Ctx = {What, N},
    R = vector(V, Pos, Ctx),
    case length(R) of
        Dim -> [R | rows(Vs, Pos, What, Dim, DimOf, N + 1)];
        Got -> tweann_ref_args:fail(Pos, io_lib:format("~ts has ~b values, ~ts has ~b", [ctx(Ctx), Got, DimOf, Dim]))
    end;
rows([], _Pos, _What, _Dim, _DimOf, _N) ->
    [].

%% A vector (a list of numbers or a native-endian f64 binary) as floats.
vector(V, Pos, Ctx) when is_list(V) ->
    floats(V, Pos, Ctx, 1);
vector(V, Pos, Ctx) when is_binary(V) ->
    byte_size(V) rem 8 =:= 0 orelse
        tweann_ref_args:fail(Pos, io_lib:format("~ts: a binary of f64 values must have a size divisible by 8, not ~b",
                                [ctx(Ctx), byte_size(V)])),
    bin_floats(V, Pos, Ctx, 1);
vector(_, Pos, Ctx) ->
    tweann_ref_args:fail(Pos, [ctx(Ctx), " is not a list of numbers or an f64 binary"]).

floats([X | Xs], Pos, Ctx, I) when is_float(X) ->
    [X | floats(Xs, Pos, Ctx, I + 1)];
floats([X | Xs], Pos, Ctx, I) when is_integer(X) ->
    case tweann_ref_args:int_float(X) of
        error -> tweann_ref_args:fail(Pos, io_lib:format("~ts: element ~b is not a number", [ctx(Ctx), I]));
        F -> [F | floats(Xs, Pos, Ctx, I + 1)]
    end;
floats([], _Pos, _Ctx, _I) ->
    [];
floats([_ | _], Pos, Ctx, I) ->
    tweann_ref_args:fail(Pos, io_lib:format("~ts: element ~b is not a number", [ctx(Ctx), I]));
floats(_, Pos, Ctx, _I) ->
    tweann_ref_args:fail(Pos, [ctx(Ctx), " is not a proper list"]).

bin_floats(<<X:64/float-native, Rest/binary>>, Pos, Ctx, I) ->
    [X | bin_floats(Rest, Pos, Ctx, I + 1)];
bin_floats(<<>>, _Pos, _Ctx, _I) ->
    [];
bin_floats(_, Pos, Ctx, I) ->
    tweann_ref_args:fail(Pos, io_lib:format("~ts: value ~b of the binary is not finite", [ctx(Ctx), I])).

ctx({What, N}) -> io_lib:format("~ts: vector ~b", [What, N]);
ctx(What) -> What.

k(K, _Pos) when is_integer(K), K >= 1, K < (1 bsl 64) -> K;
k(0, Pos) -> tweann_ref_args:fail(Pos, "K must be at least 1");
k(_, Pos) -> tweann_ref_args:fail(Pos, "K is not a positive integer").

%%--------------------------------------------------------------------
%% Errors
%%--------------------------------------------------------------------

%% Run F; an arithmetic overflow becomes the NIF's badarith.
arith(F) ->
    try F()
    catch error:badarith ->
            erlang:error({tweann_error, badarith, general,
                          <<"arithmetic overflow: a squared distance is not finite">>})
    end.
