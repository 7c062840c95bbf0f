%% @doc Pure Erlang reference of the statistics kernels
%% ({@link tweann_nif:fitness_stats/1},
%% {@link tweann_nif:weighted_moving_average/2},
%% {@link tweann_nif:shannon_entropy/1}, {@link tweann_nif:histogram/4}):
%% the same floating-point operations in the same order as
%% `tweann_core::stats', so results are bit-identical. Sums run in list
%% order from `0.0'; the entropy's logarithm is {@link tweann_ref_math:log/1}
%% (the library's own, never the C library).
%%
%% Bad arguments raise `{tweann_error, badarg, Position, Why}', overflow
%% `{tweann_error, badarith, general, Why}'; {@link tweann_nif} turns them
%% into `badarg'/`badarith' with error_info.
-module(tweann_ref_stats).

-export([fitness_stats/1, weighted_moving_average/2, shannon_entropy/1, histogram/4]).

%% @doc See {@link tweann_nif:fitness_stats/1}.
-spec fitness_stats([number()] | binary()) ->
          {float(), float(), float(), float(), float(), float()}.
fitness_stats(Fitnesses) ->
    case tweann_ref_args:numbers(Fitnesses, 1, "Fitnesses") of
        [] -> {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        [H | _] = Xs -> tweann_ref_args:arith("fitness_stats", fun() -> stats(Xs, H, H, 0.0, 0.0, 0) end)
    end.

stats([X | Xs], Min, Max, S, SS, N) when is_float(X) ->
    Min1 = if X < Min -> X; true -> Min end,
    Max1 = if X > Max -> X; true -> Max end,
    stats(Xs, Min1, Max1, S + X, SS + X * X, N + 1);
stats([], Min, Max, S, SS, N) ->
    Mean = S / N,
    Var = SS / N - Mean * Mean,
    Std = math:sqrt(if Var > 0.0 -> Var; true -> 0.0 end),
    {Min, Max, Mean, Var, Std, S}.

%% @doc See {@link tweann_nif:weighted_moving_average/2}.
-spec weighted_moving_average([number()] | binary(), number()) -> float().
weighted_moving_average(Values, Decay) ->
    Vs = tweann_ref_args:numbers(Values, 1, "Values"),
    D = tweann_ref_args:number(Decay, 2, "Decay"),
    case Vs of
        [] -> 0.0;
        _ -> tweann_ref_args:arith("weighted_moving_average (or the weights sum to 0)",
                   fun() -> wma(Vs, D, 1.0, 0.0, 0.0) end)
    end.

%% The weight is multiplied by Decay only when another value follows.
wma([V | Vs], D, W, Num, Den) ->
    Num1 = Num + W * V,
    Den1 = Den + W,
    case Vs of
        [] -> Num1 / Den1;
        _ -> wma(Vs, D, W * D, Num1, Den1)
    end.

%% @doc See {@link tweann_nif:shannon_entropy/1}.
-spec shannon_entropy([number()] | binary()) -> float().
shannon_entropy(Values) ->
    Vs = tweann_ref_args:numbers(Values, 1, "Values"),
    Total = tweann_ref_args:arith("shannon_entropy", fun() -> positive_sum(Vs, 0.0) end),
    case Total > 0.0 of
        true -> entropy(Vs, Total, 0.0);
        false -> 0.0
    end.

positive_sum([V | Vs], Acc) when V > 0.0 -> positive_sum(Vs, Acc + V);
positive_sum([_ | Vs], Acc) -> positive_sum(Vs, Acc);
positive_sum([], Acc) -> Acc.

%% A share that underflows to 0.0 adds nothing (the limit of p ln p).
entropy([V | Vs], Total, H) when V > 0.0 ->
    case V / Total of
        P when P > 0.0 -> entropy(Vs, Total, H - P * tweann_ref_math:log(P));
        _ -> entropy(Vs, Total, H)
    end;
entropy([_ | Vs], Total, H) ->
    entropy(Vs, Total, H);
entropy([], _Total, H) ->
    H.

%% @doc See {@link tweann_nif:histogram/4}. `NumBins' is bounded by the
%% memory budget of {@link tweann_nif:set_memory_budget/1}.
-spec histogram([number()] | binary(), non_neg_integer(), number(), number()) ->
          [non_neg_integer()].
histogram(Values, NumBins, MinVal, MaxVal) ->
    Vs = tweann_ref_args:numbers(Values, 1, "Values"),
    NB = case NumBins of
             N when is_integer(N), N >= 0, N < (1 bsl 64) -> N;
             _ -> tweann_ref_args:fail(2, "NumBins is not a non-negative integer")
         end,
    Lo = tweann_ref_args:number(MinVal, 3, "MinVal"),
    Hi = tweann_ref_args:number(MaxVal, 4, "MaxVal"),
    Budget = maps:get(memory_budget, tweann_ref_info:memory_stats()),
    NB * 24 =< Budget orelse
        erlang:error({tweann_error, badarg, general,
                      iolist_to_binary(io_lib:format("~b bins need ~b bytes, over the memory "
                                                     "budget of ~b bytes", [NB, NB * 24, Budget]))}),
    Range = tweann_ref_args:arith("histogram (MaxVal - MinVal)", fun() -> Hi - Lo end),
    case Range =< 0.0 orelse NB =:= 0 of
        true ->
            lists:duplicate(NB, 0);
        false ->
            Width = Range / NB,
            Width > 0.0 orelse
                erlang:error({tweann_error, badarith, general,
                              <<"arithmetic overflow in histogram (the bin width underflows to 0)">>}),
            Counts = bin_all(Vs, Lo, Hi, Width, NB - 1, #{}),
            [maps:get(I, Counts, 0) || I <- lists:seq(0, NB - 1)]
    end.

bin_all([V | Vs], Lo, Hi, Width, Last, Acc) when V >= Lo, V =< Hi ->
    B = min(trunc((V - Lo) / Width), Last),
    bin_all(Vs, Lo, Hi, Width, Last, Acc#{B => maps:get(B, Acc, 0) + 1});
bin_all([_ | Vs], Lo, Hi, Width, Last, Acc) ->
    bin_all(Vs, Lo, Hi, Width, Last, Acc);
bin_all([], _Lo, _Hi, _Width, _Last, Acc) ->
    Acc.
