%% @doc Pure Erlang twin of `tweann_core::neat': the NEAT compatibility
%% distance by sorted merge.
%%
%% `d = ((C1 * E) / N + (C2 * D) / N) + C3 * Wbar' over genes
%% `{Innovation, Weight}': E excess genes (above the smaller of the two
%% highest innovations; every gene when the other genome is empty), D
%% disjoint genes, Wbar the mean `|Wa - Wb|' of matching genes summed in
%% ascending innovation order from `0.0', N the larger genome's size (at
%% least 1). The same operations in the same order as the Rust kernel.
%%
%% Bad arguments raise `{tweann_error, badarg, Pos, Why}' through
%% `tweann_ref_args'.
-module(tweann_ref_neat).

-export([compatibility_distance/5]).

-type gene() :: {non_neg_integer(), float()}.

%% @doc The compatibility distance of two genomes. Inputs not sorted by
%% innovation are sorted first; a duplicate innovation is an error.
-spec compatibility_distance([{non_neg_integer(), number()}], [{non_neg_integer(), number()}],
                             number(), number(), number()) -> float().
compatibility_distance(GenesA, GenesB, C1, C2, C3) ->
    {A, LenA} = genes(GenesA, 1),
    {B, LenB} = genes(GenesB, 2),
    K1 = tweann_ref_args:to_float(3, C1),
    K2 = tweann_ref_args:to_float(4, C2),
    K3 = tweann_ref_args:to_float(5, C3),
    tweann_ref_args:finite(fun() -> distance(A, LenA, B, LenB, K1, K2, K3) end).

-spec distance([gene()], non_neg_integer(), [gene()], non_neg_integer(),
               float(), float(), float()) -> float().
distance(A, LenA, B, LenB, K1, K2, K3) ->
    {E, D, M, SumW} =
        case {A, B} of
            {[], _} -> {LenB, 0, 0, 0.0};
            {_, []} -> {LenA, 0, 0, 0.0};
            _ ->
                {MaxA, _} = lists:last(A),
                {MaxB, _} = lists:last(B),
                merge(A, B, min(MaxA, MaxB), 0, 0, 0, 0.0)
        end,
    N = float(max(max(LenA, LenB), 1)),
    Wbar = case M of
               0 -> 0.0;
               _ -> SumW / float(M)
           end,
    ((K1 * float(E)) / N + (K2 * float(D)) / N) + K3 * Wbar.

%% {SortedGenes, Length}.
-spec genes(term(), pos_integer()) -> {[gene()], non_neg_integer()}.
genes(L, Pos) ->
    Genes = tweann_ref_args:map_list(fun(G, K) -> gene(G, K, Pos) end, L, Pos,
                                     "not a proper list"),
    Sorted = case strictly_ascending(Genes) of
                 true -> Genes;
                 false ->
                     S = lists:keysort(1, Genes),
                     case first_duplicate(S) of
                         none -> S;
                         Inn -> tweann_ref_args:fail(Pos, "duplicate innovation ~b", [Inn])
                     end
             end,
    {Sorted, length(Genes)}.

-spec gene(term(), pos_integer(), pos_integer()) -> gene().
gene({Inn, W}, K, Pos) ->
    is_integer(Inn) andalso Inn >= 0 andalso Inn < 1 bsl 64 orelse
        tweann_ref_args:fail(Pos, "element ~b: innovation ~tp is not a non-negative integer below 2^64",
                             [K, Inn]),
    case number(W) of
        false -> tweann_ref_args:fail(Pos, "element ~b: weight ~tp is not a number", [K, W]);
        F -> {Inn, F}
    end;
gene(_, K, Pos) ->
    tweann_ref_args:fail(Pos, "element ~b is not an {Innovation, Weight} tuple", [K]).

-spec number(term()) -> float() | false.
number(X) when is_float(X) -> X;
number(X) when is_integer(X) ->
    try float(X) catch error:badarg -> false end;
number(_) -> false.

-spec strictly_ascending([gene()]) -> boolean().
strictly_ascending([{A, _} | [{B, _} | _] = Rest]) when A < B -> strictly_ascending(Rest);
strictly_ascending([_, _ | _]) -> false;
strictly_ascending(_) -> true.

-spec first_duplicate([gene()]) -> non_neg_integer() | none.
first_duplicate([{A, _}, {A, _} | _]) -> A;
first_duplicate([_ | Rest]) -> first_duplicate(Rest);
first_duplicate([]) -> none.

%% Sorted merge: {Excess, Disjoint, Matching, SumAbsDiff}.
-spec merge([gene()], [gene()], non_neg_integer(), non_neg_integer(), non_neg_integer(),
            non_neg_integer(), float()) ->
          {non_neg_integer(), non_neg_integer(), non_neg_integer(), float()}.
merge([{I, Wa} | As], [{I, Wb} | Bs], Limit, E, D, M, Sum) ->
    merge(As, Bs, Limit, E, D, M + 1, Sum + tweann_ref_activation:fabs(Wa - Wb));
merge([{Ia, _} | As], [{Ib, _} | _] = Bs, Limit, E, D, M, Sum) when Ia < Ib ->
    {E1, D1} = classify(Ia, Limit, E, D),
    merge(As, Bs, Limit, E1, D1, M, Sum);
merge(As, [{Ib, _} | Bs], Limit, E, D, M, Sum) when As =/= [] ->
    {E1, D1} = classify(Ib, Limit, E, D),
    merge(As, Bs, Limit, E1, D1, M, Sum);
merge([{Ia, _} | As], [], Limit, E, D, M, Sum) ->
    {E1, D1} = classify(Ia, Limit, E, D),
    merge(As, [], Limit, E1, D1, M, Sum);
merge([], [{Ib, _} | Bs], Limit, E, D, M, Sum) ->
    {E1, D1} = classify(Ib, Limit, E, D),
    merge([], Bs, Limit, E1, D1, M, Sum);
merge([], [], _Limit, E, D, M, Sum) ->
    {E, D, M, Sum}.

-spec classify(non_neg_integer(), non_neg_integer(), non_neg_integer(), non_neg_integer()) ->
          {non_neg_integer(), non_neg_integer()}.
classify(I, Limit, E, D) when I > Limit -> {E + 1, D};
classify(_I, _Limit, E, D) -> {E, D + 1}.
