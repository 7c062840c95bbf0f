%% @doc Pure Erlang reference of the reward kernels
%% ({@link tweann_nif:z_score/3}, {@link tweann_nif:compute_reward_component/2},
%% {@link tweann_nif:compute_weighted_reward/1}), with the operations of
%% `tweann_core::reward' in the same order, so results are bit-identical:
%% history sums in list order from `0.0', population standard deviation,
%% the unclamped sigmoid `1 / (1 + exp(-Z))' for the component and the
%% `[-10, 10]'-clamped one for the weighted reward, `tanh' for a component
%% without history: {@link tweann_ref_math:sigmoid/1} and
%% {@link tweann_ref_math:tanh/1}, the library's own, never the C library.
%%
%% Bad arguments raise `{tweann_error, badarg, Position, Why}', overflow
%% `{tweann_error, badarith, general, Why}'; {@link tweann_nif} turns them
%% into `badarg'/`badarith' with error_info.
-module(tweann_ref_reward).

-export([z_score/3, compute_reward_component/2, compute_weighted_reward/1]).

-define(TINY_SD, 1.0e-10).

%% @doc See {@link tweann_nif:z_score/3}.
-spec z_score(number(), number(), number()) -> float().
z_score(Value, Mean, StdDev) ->
    V = tweann_ref_args:number(Value, 1, "Value"),
    M = tweann_ref_args:number(Mean, 2, "Mean"),
    S = tweann_ref_args:number(StdDev, 3, "StdDev"),
    tweann_ref_args:arith("z_score", fun() -> z(V, M, S) end).

z(_V, _M, S) when abs(S) < ?TINY_SD -> 0.0;
z(V, M, S) -> (V - M) / S.

%% @doc See {@link tweann_nif:compute_reward_component/2}.
-spec compute_reward_component([number()] | binary(), number()) -> {float(), float(), float()}.
compute_reward_component(History, Current) ->
    H = tweann_ref_args:numbers(History, 1, "History"),
    C = tweann_ref_args:number(Current, 2, "Current"),
    case H of
        [] ->
            {C, tweann_ref_math:tanh(C), 0.0};
        _ ->
            Z = history_z(H, C),
            {C, tweann_ref_math:sigmoid(Z), Z}
    end.

%% @doc See {@link tweann_nif:compute_weighted_reward/1}.
-spec compute_weighted_reward([{[number()] | binary(), number(), number()}]) -> float().
compute_weighted_reward(Components) ->
    weighted(Components, 1, 0.0).

weighted([{History, Current, Weight} | Rest], I, Acc) ->
    H = tweann_ref_args:numbers(History, 1, "the History of a component"),
    C = tweann_ref_args:number(Current, 1, "the Current of a component"),
    W = tweann_ref_args:number(Weight, 1, "the Weight of a component"),
    S = case H of
            [] -> tweann_ref_math:sigmoid(clamp(C));
            _ -> tweann_ref_math:sigmoid(clamp(history_z(H, C)))
        end,
    weighted(Rest, I + 1, tweann_ref_args:arith("compute_weighted_reward", fun() -> Acc + W * S end));
weighted([], _I, Acc) ->
    Acc;
weighted([_ | _], I, _Acc) ->
    tweann_ref_args:fail(1, io_lib:format("Components: element ~b is not a {History, Current, Weight} tuple", [I]));
weighted(L, _I, _Acc) when is_list(L) ->
    tweann_ref_args:fail(1, "Components is not a proper list");
weighted(_, _I, _Acc) ->
    tweann_ref_args:fail(1, "Components is not a list").

%% The z-score of C against a non-empty history.
history_z(H, C) ->
    N = length(H),
    {Mean, SS} = tweann_ref_args:arith("the history's mean or variance",
                       fun() ->
                               M = sum(H, 0.0) / N,
                               {M, sq_dev(H, M, 0.0)}
                       end),
    Sd = math:sqrt(case SS / N of V when V > 0.0 -> V; _ -> 0.0 end),
    tweann_ref_args:arith("z_score", fun() -> z(C, Mean, Sd) end).

sum([X | Xs], Acc) -> sum(Xs, Acc + X);
sum([], Acc) -> Acc.

sq_dev([X | Xs], M, Acc) ->
    D = X - M,
    sq_dev(Xs, M, Acc + D * D);
sq_dev([], _M, Acc) ->
    Acc.

clamp(X) when X < -10.0 -> -10.0;
clamp(X) when X > 10.0 -> 10.0;
clamp(X) -> X.
