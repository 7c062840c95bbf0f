%% EUnit tests of the scalar liquid kernels (tweann_ref_scalar), part of the pure Erlang reference of the
%% tweann_nif API. Expected values are worked out by hand from
%% docs/semantics.md; where a transcendental function is involved the
%% expectation repeats the formula in the contract's operation order, so the
%% comparison is exact.
-module(tweann_ref_scalar_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_scalar).

neg_zero() ->
    <<Z:64/float>> = <<128, 0, 0, 0, 0, 0, 0, 0>>,
    Z.

bits(F) -> <<F:64/float>>.

sig(X) -> tweann_ref_math:sigmoid(float(X)).

%% Scalar liquid kernels
%%====================================================================

cfc_test() ->
    %% Input 0: f = 0, s = sig(0) = 0.5, h = tanh(0) = 0, x = 0.5 * S.
    ?assertEqual({0.4, 0.4}, ?M:evaluate_cfc(0, 0.8, 1.0, 1.0)),
    %% Clamped to +-Bound.
    ?assertEqual({2.0, 2.0}, ?M:evaluate_cfc(0.0, 10.0, 1.0, 2.0)),
    ?assertEqual({-2.0, -2.0}, ?M:evaluate_cfc(0.0, -10.0, 1.0, 2)),
    ?assertEqual({0.0, 0.0}, ?M:evaluate_cfc(0.3, 0.5, 1.0, 0)),
    %% clamp(x, lo, hi) is lo if x < lo, hi if x > hi, else x: with Bound 0
    %% a negative x gives lo = -0.0, a positive one hi = 0.0.
    {NegZ, _} = ?M:evaluate_cfc(0.0, -0.3, 1.0, 0),
    ?assertEqual(bits(neg_zero()), bits(NegZ)),
    {PosZ, _} = ?M:evaluate_cfc(0.0, 0.3, 1.0, 0.0),
    ?assertEqual(bits(0.0), bits(PosZ)),
    %% Input 1, S = 0.5, Tau = 1: f = 1, s = sig(-1), h = tanh(1).
    S = sig(-1.0),
    X = S * 0.5 + (1.0 - S) * tweann_ref_math:tanh(1.0),
    ?assertEqual({X, X}, ?M:evaluate_cfc(1.0, 0.5, 1.0, 1.0)),
    ?assert(abs(X - 0.6912406518309373) < 1.0e-15),
    %% Tau = 2: f = 0.5.
    S2 = sig(-0.5),
    X2 = S2 * 0.5 + (1.0 - S2) * tweann_ref_math:tanh(1.0),
    ?assertEqual({X2, X2}, ?M:evaluate_cfc(1, 0.5, 2, 1)),
    %% sig clamps its argument to +-10: f = 100/0.001 (Tau floored at 0.001).
    S3 = tweann_ref_math:sigmoid(-10.0),
    X3 = S3 * 0.25 + (1.0 - S3) * tweann_ref_math:tanh(100.0),
    ?assertEqual({X3, X3}, ?M:evaluate_cfc(100, 0.25, 0, 5)),
    ?assertEqual({X3, X3}, ?M:evaluate_cfc(100, 0.25, -3, 5)).

cfc_with_weights_test() ->
    %% Backbone [2, 0.5, -1]: f = tanh((2*In + 0.5) + -1); head [3, 1]: g = tanh(3*In + 1).
    In = 0.4,
    F = tweann_ref_math:tanh((2.0 * In + 0.5) + -1.0),
    G = tweann_ref_math:tanh(3.0 * In + 1.0),
    S = sig(-F),
    X = S * -0.2 + (1.0 - S) * G,
    ?assertEqual({X, X}, ?M:evaluate_cfc_with_weights(In, -0.2, 1, 1, [2, 0.5, -1], [3, 1])),
    %% No weights: same as evaluate_cfc.
    ?assertEqual(?M:evaluate_cfc(0.7, 0.1, 1.5, 1), ?M:evaluate_cfc_with_weights(0.7, 0.1, 1.5, 1, [], [])),
    %% Backbone weights replace In / T (Tau no longer matters).
    ?assertEqual(?M:evaluate_cfc_with_weights(In, 0.0, 1, 1, [2], []),
                 ?M:evaluate_cfc_with_weights(In, 0.0, 50, 1, [2], [])),
    ?badarg_at(5, ?M:evaluate_cfc_with_weights(In, 0.0, 1, 1, [x], [])),
    ?badarg_at(5, ?M:evaluate_cfc_with_weights(In, 0.0, 1, 1, foo, [])),
    ?badarg_at(6, ?M:evaluate_cfc_with_weights(In, 0.0, 1, 1, [], [1 | 2])).

ode_test() ->
    %% T = 2, F = 0.5: dx/dt = -(0.5 + 0.5) * 0.5 + 0.5 * 1 = 0.
    ?assertEqual({0.5, 0.5}, ?M:evaluate_ode(1.0, 0.5, 2.0, 1.0, 0.1)),
    %% F = 2: dx/dt = -(1 + 2) * 0 + 2 * 3 = 6; x = 0 + 0.5 * 6 = 3.
    ?assertEqual({3.0, 3.0}, ?M:evaluate_ode(2, 0, 1, 3, 0.5)),
    %% Clamped at Bound.
    ?assertEqual({3.0, 3.0}, ?M:evaluate_ode(2, 0, 1, 3, 1)),
    %% x = 1 + 0.25 * (-(1 + 1) * 1 + 1 * 4) = 1.5.
    ?assertEqual({1.5, 1.5}, ?M:evaluate_ode(1, 1, 1, 4, 0.25)),
    %% Tau floored at 0.001: F = 0.001 / 0.001 = 1, dx/dt = 0 + 1 * 100.
    ?assertEqual({100.0, 100.0}, ?M:evaluate_ode(0.001, 0.0, 0.0, 100.0, 1.0)),
    ?assertEqual({100.0, 100.0}, ?M:evaluate_ode(0.001, 0.0, -5, 100.0, 1.0)).

ode_with_weights_test() ->
    %% F = tanh(0.5*1 + 0.25); S = 0, Dt = 1: x = F; output g(x) = tanh(2x).
    F = tweann_ref_math:tanh(0.5 * 1.0 + 0.25),
    ?assertEqual({F, tweann_ref_math:tanh(2.0 * F)},
                 ?M:evaluate_ode_with_weights(1.0, 0.0, 1.0, 1.0, 1.0, [0.5, 0.25], [2.0])),
    %% No head weights: output = x.
    ?assertEqual({F, F}, ?M:evaluate_ode_with_weights(1.0, 0.0, 1.0, 1.0, 1.0, [0.5, 0.25], [])),
    ?assertEqual(?M:evaluate_ode(0.3, 0.2, 1.5, 2, 0.1),
                 ?M:evaluate_ode_with_weights(0.3, 0.2, 1.5, 2, 0.1, [], [])),
    ?badarg_at(5, ?M:evaluate_ode_with_weights(1, 0, 1, 1, dt, [], [])),
    ?badarg_at(6, ?M:evaluate_ode_with_weights(1, 0, 1, 1, 1, [a], [])),
    ?badarg_at(7, ?M:evaluate_ode_with_weights(1, 0, 1, 1, 1, [], x)).

cfc_batch_test() ->
    ?assertEqual([{0.4, 0.4}, {0.2, 0.2}, {0.1, 0.1}],
                 ?M:evaluate_cfc_batch([0, 0.0, 0], 0.8, 1.0, 1.0)),
    ?assertEqual([], ?M:evaluate_cfc_batch([], 0.8, 1.0, 1.0)),
    {X1, _} = ?M:evaluate_cfc(0.3, 0.1, 2.0, 1.0),
    {X2, _} = ?M:evaluate_cfc(-0.6, X1, 2.0, 1.0),
    ?assertEqual([{X1, X1}, {X2, X2}], ?M:evaluate_cfc_batch([0.3, -0.6], 0.1, 2.0, 1.0)),
    ?badarg_says(1, "element 2 is not a number", ?M:evaluate_cfc_batch([1, x], 0, 1, 1)),
    %% A binary of f64 values is read like a list, as the NIF reads it.
    ?assertEqual(?M:evaluate_cfc_batch([0.3, -0.6], 0.1, 2.0, 1.0),
                 ?M:evaluate_cfc_batch(<<0.3:64/float-native, -0.6:64/float-native>>, 0.1, 2.0, 1.0)),
    ?badarg_at(1, ?M:evaluate_cfc_batch(<<1:24>>, 0, 1, 1)),
    ?badarg_at(2, ?M:evaluate_cfc_batch([1], s, 1, 1)),
    ?badarg_at(3, ?M:evaluate_cfc_batch([1], 0, t, 1)),
    ?badarg_at(4, ?M:evaluate_cfc_batch([1], 0, 1, -1)).

scalar_errors_test() ->
    ?badarg_at(1, ?M:evaluate_cfc(x, 0, 1, 1)),
    ?badarg_at(2, ?M:evaluate_cfc(0, [], 1, 1)),
    ?badarg_at(3, ?M:evaluate_cfc(0, 0, tau, 1)),
    ?badarg_says(4, ">= 0", ?M:evaluate_cfc(0, 0, 1, -0.5)),
    ?badarg_at(4, ?M:evaluate_cfc(0, 0, 1, bound)),
    ?badarg_at(1, ?M:evaluate_ode(x, 0, 1, 1, 1)),
    ?badarg_at(4, ?M:evaluate_ode(0, 0, 1, -1, 1)),
    ?badarg_at(5, ?M:evaluate_ode(0, 0, 1, 1, "dt")),
    ?badarg_at(1, ?M:evaluate_cfc_with_weights(1 bsl 1100, 0, 1, 1, [], [])),
    ?assertMatch(#{general := _},
                 tweann_oracle:cause(badarith, fun() -> ?M:evaluate_ode(1.0e300, 1.0e300, 1, 1.0e300, 1.0e10) end)).
