%% Reward kernels: z_score/3, compute_reward_component/2,
%% compute_weighted_reward/1. Conformance with faber-tweann 2.4's NIF
%% conventions (and every behaviour its test suite asserts), NIF =
%% tweann_ref_reward bit for bit, bad input, and faber's own NIF when
%% TWEANN_FABER_NIF_DIR is set.
-module(tweann_reward_tests).

-include_lib("eunit/include/eunit.hrl").

-define(N, tweann_nif).
-define(R, tweann_ref_reward).

%%====================================================================
%% Conformance
%%====================================================================

z_score_test() ->
    ?assertEqual(2.5, ?N:z_score(10.0, 5.0, 2.0)),
    ?assertEqual(2.0, ?N:z_score(10.0, 5.0, 2.5)),
    ?assertEqual(-2.0, ?N:z_score(0.0, 5.0, 2.5)),
    %% |StdDev| < 1e-10 gives 0.0
    ?assertEqual(0.0, ?N:z_score(10.0, 5.0, 0.0)),
    ?assertEqual(0.0, ?N:z_score(5.0, 5.0, 0.0)),
    ?assertEqual(0.0, ?N:z_score(10.0, 5.0, -5.0e-11)),
    ?assertEqual(5.0 / 1.0e-10, ?N:z_score(10, 5, 1.0e-10)),
    %% a negative StdDev divides like any other
    ?assertEqual(-2.5, ?N:z_score(10, 5, -2)).

compute_reward_component_test() ->
    %% mean 3, population sd sqrt(2)
    Z = (6.0 - 3.0) / math:sqrt(2.0),
    {Raw, Norm, Z1} = ?N:compute_reward_component([1.0, 2.0, 3.0, 4.0, 5.0], 6.0),
    %% the library's own sigmoid (tweann_ref_math), within 1e-15 of libm's
    ?assertEqual({6.0, tweann_ref_math:sigmoid(Z), Z}, {Raw, Norm, Z1}),
    ?assert(abs(Norm - 1.0 / (1.0 + math:exp(-Z))) < 1.0e-15),
    ?assert(Norm > 0.5 andalso Z > 0.0),
    {_, NormD, ZD} = ?N:compute_reward_component([5.0, 4.0, 3.0, 2.0, 1.0], 0.0),
    ?assertEqual(-3.0 / math:sqrt(2.0), ZD),
    ?assert(NormD < 0.5),
    {R4, N4, Z4} = ?N:compute_reward_component([1.0, 2.0, 3.0, 4.0], 5.0),
    ?assert(is_float(R4) andalso is_float(N4) andalso is_float(Z4)),
    %% an empty history: {Current, tanh(Current), 0.0} (faber's NIF; its
    %% pure Erlang fallback used a sigmoid there)
    ?assertEqual({0.5, tweann_ref_math:tanh(0.5), 0.0}, ?N:compute_reward_component([], 0.5)),
    ?assertEqual({2.0, tweann_ref_math:tanh(2.0), 0.0}, ?N:compute_reward_component([], 2)),
    ?assert(abs(tweann_ref_math:tanh(0.5) - math:tanh(0.5)) < 1.0e-15),
    %% a constant history: z = 0
    ?assertEqual({1.0, 0.5, 0.0}, ?N:compute_reward_component([1.0, 1.0, 1.0], 1.0)),
    %% unclamped sigmoid: exp(z) far out (down to 0.0), never an overflow
    ?assertEqual({-1.0e300, 0.0, -2.0e300}, ?N:compute_reward_component([0.0, 1.0], -1.0e300)),
    ?assertEqual({-359.5, tweann_ref_math:exp(-720.0), -720.0},
                 ?N:compute_reward_component([0.0, 1.0], -359.5)).

compute_weighted_reward_test() ->
    Sig = fun(X) -> tweann_ref_math:sigmoid(max(-10.0, min(10.0, X))) end,
    Zof = fun(H, C) -> element(3, ?N:compute_reward_component(H, C)) end,
    Comps = [{[1.0, 2.0, 3.0], 4.0, 0.5}, {[5.0, 4.0, 3.0], 2.0, 0.3}, {[1.0, 1.0, 1.0], 1.0, 0.2}],
    Want = lists:foldl(fun({H, C, W}, Acc) -> Acc + W * Sig(Zof(H, C)) end, 0.0, Comps),
    ?assertEqual(Want, ?N:compute_weighted_reward(Comps)),
    ?assertEqual(Sig(Zof([1.0, 2.0, 3.0], 4.0)) * 1.0,
                 ?N:compute_weighted_reward([{[1.0, 2.0, 3.0], 4.0, 1.0}])),
    ?assertEqual(0.0, ?N:compute_weighted_reward([])),
    %% an empty history: the clamped sigmoid of Current itself
    ?assertEqual(2.0 * Sig(10.0), ?N:compute_weighted_reward([{[], 50.0, 2.0}])),
    ?assertEqual(0.5 * 0.5, ?N:compute_weighted_reward([{[], 0, 0.5}])),
    %% the clamp at -10
    ?assertEqual(Sig(-10.0), ?N:compute_weighted_reward([{[0.0, 1.0], -1000.0, 1}])).

%%====================================================================
%% NIF = reference
%%====================================================================

nif_equals_reference_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {14, 1, 7}),
        [check_case() || _ <- lists:seq(1, 2000)],
        ok
    end}.

check_case() ->
    H = history(rand:uniform(20) - 1),
    C = pick([value(), value(), 1.0e6, -1000.0]),
    Comps = [{history(rand:uniform(8) - 1), value(), value()} || _ <- lists:seq(1, rand:uniform(5) - 1)],
    Cases = [{z_score, [value(), value(), pick([value(), 0.0, 1.0e-11, -3])]},
             {compute_reward_component, [H, C]},
             {compute_weighted_reward, [Comps]}],
    [same(F, A) || {F, A} <- Cases],
    {F, A} = pick(Cases),
    same(F, break(A)).

%% Floats take tweann_nif's Erlang path (cheaper than a NIF call); it gives
%% the kernel's bits.
z_score_paths_agree_test() ->
    rand:seed(exsss, {14, 4, 7}),
    [begin
         Args = [float(value()), float(value()), float(pick([value(), 0.0, 1.0e-11, -5.0e-11, 1.0e-10]))],
         ?assertEqual(tweann_kernel_checks:bits(apply(tweann_nif_native, z_score, Args)),
                      tweann_kernel_checks:bits(apply(?N, z_score, Args)))
     end || _ <- lists:seq(1, 3000)],
    ok.

large_call_test() ->
    rand:seed(exsss, {14, 2, 7}),
    H = [rand:normal() || _ <- lists:seq(1, 50000)],
    same(compute_reward_component, [H, 0.7]),
    same(compute_weighted_reward, [[{history(50), value(), value()} || _ <- lists:seq(1, 2000)]]).

overflow_test() ->
    same(z_score, [1.0e308, -1.0e308, 1.0]),
    same(compute_reward_component, [[0.0, 1.0], -1.0e308]),
    same(compute_reward_component, [[1.0e308, 1.0e308], 0.0]),
    same(compute_weighted_reward, [[{[], 1.0, 1.0e308}, {[], 1.0, 1.0e308}]]),
    %% an overflow is reported before a later malformed component is seen
    same(compute_weighted_reward, [[{[], 1.0, 1.0e308}, {[], 1.0, 1.0e308}, bad]]),
    ?assertError(badarith, ?N:z_score(1.0e308, -1.0e308, 1.0)).

%%====================================================================
%% Bad input
%%====================================================================

bad_input_test() ->
    ?assertEqual(1, badarg_pos(fun() -> ?N:z_score(a, 1.0, 1.0) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:z_score(1.0, "m", 1.0) end)),
    ?assertEqual(3, badarg_pos(fun() -> ?N:z_score(1.0, 1.0, []) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_reward_component(x, 1.0) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_reward_component([1.0, x], 1.0) end)),
    ?assertEqual(2, badarg_pos(fun() -> ?N:compute_reward_component([1.0], c) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_weighted_reward([{[1.0], 1.0}]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_weighted_reward([{[a], 1.0, 1.0}]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_weighted_reward([{[], 1.0, 1.0} | x]) end)),
    ?assertEqual(1, badarg_pos(fun() -> ?N:compute_weighted_reward(#{}) end)).

%%====================================================================
%% faber-tweann's own NIF (optional)
%%====================================================================

faber_nif_test_() ->
    tweann_kernel_checks:faber_tests("rewards vs faber-tweann's NIF", fun() ->
        rand:seed(exsss, {14, 3, 7}),
        [faber_case() || _ <- lists:seq(1, 1000)],
        ok
    end).

faber_case() ->
    F = fun(X) -> float(X) end,
    H = [F(X) || X <- history_list(rand:uniform(20) - 1)],
    C = F(value()),
    {V, M, S} = {F(value()), F(value()), F(pick([value(), 0.0, 1.0e-11]))},
    close(?N:z_score(V, M, S), faber_nn_nifs:z_score(V, M, S)),
    close(?N:compute_reward_component(H, C), faber_nn_nifs:compute_reward_component(H, C)),
    Comps = [{[F(X) || X <- history_list(rand:uniform(8) - 1)], F(value()), F(value())}
             || _ <- lists:seq(1, rand:uniform(5) - 1)],
    close(?N:compute_weighted_reward(Comps), faber_nn_nifs:compute_weighted_reward(Comps)).

%%====================================================================
%% Helpers
%%====================================================================

same(F, Args) -> tweann_kernel_checks:same(?R, F, Args).
close(A, B) -> tweann_kernel_checks:close(A, B).
badarg_pos(F) -> tweann_kernel_checks:badarg_pos(F).
pick(L) -> tweann_kernel_checks:pick(L).
f64s(L) -> tweann_kernel_checks:f64s(L).
break(Args) -> tweann_kernel_checks:break(Args).

value() ->
    case rand:uniform(4) of
        1 -> float(rand:uniform(5) - 3);
        2 -> rand:uniform(5) - 3;
        _ -> rand:normal() * 5
    end.

history(N) ->
    Xs = history_list(N),
    case rand:uniform(8) of
        1 -> f64s([float(X) || X <- Xs]);
        _ -> Xs
    end.

history_list(N) -> [value() || _ <- lists:seq(1, N)].
