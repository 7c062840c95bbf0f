%% @doc Pure Erlang reference of the selection kernels
%% ({@link tweann_nif:build_cumulative_fitness/1},
%% {@link tweann_nif:roulette_select/3},
%% {@link tweann_nif:roulette_select_batch/3},
%% {@link tweann_nif:tournament_select/2}), with the operations and checks
%% of `tweann_core::selection' in the same order: cumulative entries are
%% `Prev + (F + Shift)'; roulette picks the first entry `>= R * Total'.
%%
%% Bad arguments raise `{tweann_error, badarg, Position, Why}', overflow
%% `{tweann_error, badarith, general, Why}'; {@link tweann_nif} turns them
%% into `badarg'/`badarith' with error_info.
-module(tweann_ref_selection).

-export([build_cumulative_fitness/1, roulette_select/3, roulette_select_batch/3,
         tournament_select/2]).

%% @doc See {@link tweann_nif:build_cumulative_fitness/1}.
-spec build_cumulative_fitness([number()] | binary()) -> {[float()], float()}.
build_cumulative_fitness(Fitnesses) ->
    case tweann_ref_args:numbers(Fitnesses, 1, "Fitnesses") of
        [] ->
            {[], 0.0};
        Fs ->
            Min = lists:min(Fs),
            Shift = case Min < 0.0 of
                        true -> -Min + 1.0;
                        false -> 0.0
                    end,
            try running(Fs, Shift, 0.0) of
                {Cs, Total} -> {Cs, Total}
            catch error:badarith ->
                    erlang:error({tweann_error, badarith, general,
                                  <<"arithmetic overflow: the cumulative fitness is not finite">>})
            end
    end.

running([F | Fs], Shift, Acc) ->
    C = Acc + (F + Shift),
    {Cs, Total} = running(Fs, Shift, C),
    {[C | Cs], Total};
running([], _Shift, Acc) ->
    {[], Acc}.

%% @doc See {@link tweann_nif:roulette_select/3}.
-spec roulette_select([number()] | binary(), number(), number()) -> non_neg_integer().
roulette_select(Cumulative, Total, RandomVal) ->
    Cs = tweann_ref_args:numbers(Cumulative, 1, "Cumulative"),
    T = tweann_ref_args:number(Total, 2, "Total"),
    R = tweann_ref_args:number(RandomVal, 3, "RandomVal"),
    Tuple = checked(Cs),
    pick(Tuple, target(R, T)).

%% @doc See {@link tweann_nif:roulette_select_batch/3}.
-spec roulette_select_batch([number()] | binary(), number(), [number()] | binary()) ->
          [non_neg_integer()].
roulette_select_batch(Cumulative, Total, RandomVals) ->
    Cs = tweann_ref_args:numbers(Cumulative, 1, "Cumulative"),
    T = tweann_ref_args:number(Total, 2, "Total"),
    Rs = tweann_ref_args:numbers(RandomVals, 3, "RandomVals"),
    Tuple = checked(Cs),
    [pick(Tuple, target(R, T)) || R <- Rs].

%% The cumulative entries as a tuple, after checking them.
checked([]) ->
    tweann_ref_args:fail(1, "Cumulative is empty: there is nobody to select");
checked([C | Cs]) ->
    non_decreasing(Cs, C, 2),
    list_to_tuple([C | Cs]).

non_decreasing([C | Cs], Prev, I) when C >= Prev -> non_decreasing(Cs, C, I + 1);
non_decreasing([_ | _], _Prev, I) ->
    tweann_ref_args:fail(1, io_lib:format("Cumulative must be non-decreasing, but element ~b is below element ~b",
                          [I, I - 1]));
non_decreasing([], _Prev, _I) -> ok.

target(R, T) ->
    try R * T
    catch error:badarith ->
            erlang:error({tweann_error, badarith, general,
                          <<"arithmetic overflow: RandomVal * Total is not finite">>})
    end.

%% The 0-based index of the first entry >= Target (binary search), or the
%% last index.
pick(Tuple, Target) ->
    N = tuple_size(Tuple),
    min(first_at_least(Tuple, Target, 1, N + 1), N) - 1.

%% The first 1-based position in [Lo, Hi) whose entry is >= Target (Hi if none).
first_at_least(_Tuple, _Target, Lo, Lo) ->
    Lo;
first_at_least(Tuple, Target, Lo, Hi) ->
    Mid = (Lo + Hi) div 2,
    case element(Mid, Tuple) < Target of
        true -> first_at_least(Tuple, Target, Mid + 1, Hi);
        false -> first_at_least(Tuple, Target, Lo, Mid)
    end.

%% @doc See {@link tweann_nif:tournament_select/2}.
-spec tournament_select([non_neg_integer()], [number()] | binary()) -> non_neg_integer().
tournament_select(Contestants, Fitnesses) ->
    Cs = contestants(Contestants),
    Fs = list_to_tuple(tweann_ref_args:numbers(Fitnesses, 2, "Fitnesses")),
    case Cs of
        [] -> tweann_ref_args:fail(1, "Contestants is empty: a tournament needs a contestant");
        [C | Rest] -> tournament(Rest, Fs, C, fitness(C, Fs))
    end.

tournament([C | Cs], Fs, Best, BestF) ->
    case fitness(C, Fs) of
        F when F >= BestF -> tournament(Cs, Fs, C, F);
        _ -> tournament(Cs, Fs, Best, BestF)
    end;
tournament([], _Fs, Best, _BestF) ->
    Best.

fitness(C, Fs) when C < tuple_size(Fs) ->
    element(C + 1, Fs);
fitness(C, Fs) ->
    tweann_ref_args:fail(1, io_lib:format("contestant ~b has no fitness (Fitnesses has ~b elements, indexed from 0)",
                          [C, tuple_size(Fs)])).

contestants(L) ->
    contestants(L, 1).

contestants([C | Cs], I) when is_integer(C), C >= 0, C < (1 bsl 64) ->
    [C | contestants(Cs, I + 1)];
contestants([_ | _], I) ->
    tweann_ref_args:fail(1, io_lib:format("Contestants: element ~b is not a non-negative integer", [I]));
contestants([], _I) ->
    [];
contestants(L, _I) when is_list(L) ->
    tweann_ref_args:fail(1, "Contestants is not a proper list");
contestants(_, _I) ->
    tweann_ref_args:fail(1, "Contestants is not a list").
