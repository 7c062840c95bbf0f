%% Benchmark (not a test): the reward kernels of a meta-controller (a
%% z-score, a reward component over a history of 50, a weighted reward of 5
%% such components); our NIF vs the Erlang reference vs faber-tweann 2.4's
%% NIF (when TWEANN_FABER_NIF_DIR names it, see bench_faber_nif), trials
%% interleaved over a few fixed-seed inputs.
%%
%% Run alone: TWEANN_FABER_NIF_DIR=... rebar3 eunit --module=bench_reward
-module(bench_reward).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

-define(VARIANTS, 4).

reward_test_() ->
    {timeout, 1800, fun() -> bench_common:ensure_app(), bench_common:add(run()) end}.

run() ->
    bench_common:ensure_app(),
    Hs = [history(50, S) || S <- lists:seq(1, ?VARIANTS)],
    Comps = [[{history(50, S * 10 + I), 0.1 * I, 0.2} || I <- lists:seq(1, 5)]
             || S <- lists:seq(1, ?VARIANTS)],
    Cases =
        [{z_score, "3 numbers", [[0.1 * S, 0.5, 1.5] || S <- lists:seq(1, ?VARIANTS)],
          paths(fun([V, M, Sd]) -> tweann_nif:z_score(V, M, Sd) end,
                fun([V, M, Sd]) -> tweann_ref_reward:z_score(V, M, Sd) end,
                fun([V, M, Sd]) -> faber_nn_nifs:z_score(V, M, Sd) end)},
         {compute_reward_component, "history 50", [[H, 0.7] || H <- Hs],
          paths(fun([H, C]) -> tweann_nif:compute_reward_component(H, C) end,
                fun([H, C]) -> tweann_ref_reward:compute_reward_component(H, C) end,
                fun([H, C]) -> faber_nn_nifs:compute_reward_component(H, C) end)},
         {compute_weighted_reward, "5 components of history 50", [[C] || C <- Comps],
          paths(fun([C]) -> tweann_nif:compute_weighted_reward(C) end,
                fun([C]) -> tweann_ref_reward:compute_weighted_reward(C) end,
                fun([C]) -> faber_nn_nifs:compute_weighted_reward(C) end)}],
    bench_faber_nif:run_cases(?MODULE, "rewards", Cases).

paths(Ours, Ref, Faber) ->
    [{nif, Ours}, {erlang_ref, Ref}, {faber, Faber}].

history(N, Seed) ->
    S0 = rand:seed_s(exsss, {Seed, N, 3}),
    {Xs, _} = lists:mapfoldl(fun(_, S) -> rand:normal_s(S) end, S0, lists:seq(1, N)),
    Xs.
