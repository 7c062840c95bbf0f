%% EUnit tests of the activation functions (tweann_ref_activation), part of the pure Erlang reference of the
%% tweann_nif API. Expected values are worked out by hand from
%% docs/semantics.md; where a transcendental function is involved the
%% expectation repeats the formula in the contract's operation order, so the
%% comparison is exact.
-module(tweann_ref_activation_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_activation).

neg_zero() ->
    <<Z:64/float>> = <<128, 0, 0, 0, 0, 0, 0, 0>>,
    Z.

bits(F) -> <<F:64/float>>.

f64s(L) -> << <<X:64/float-native>> || X <- L >>.

nan() -> <<0, 0, 0, 0, 0, 0, 16#f8, 16#7f>>.  % quiet NaN, little-endian
nan_native() ->
    case <<1:16/native>> of
        <<1, 0>> -> nan();
        _ -> <<16#7f, 16#f8, 0, 0, 0, 0, 0, 0>>
    end.

sig(X) -> tweann_ref_math:sigmoid(float(X)).

%% Activations
%%====================================================================

activation_values_test_() ->
    A = fun ?M:activate/2,
    [?_assertEqual(0.0, A(tanh, 0)),
     ?_assertEqual(tweann_ref_math:tanh(1.0), A(tanh, 1)),
     ?_assertEqual(0.5, A(sigmoid, 0)),
     ?_assertEqual(sig(10.0), A(sigmoid, 10)),
     ?_assertEqual(sig(10.0), A(sigmoid, 20.0)),
     ?_assertEqual(sig(-10.0), A(sigmoid, -1.0e6)),
     ?_assert(A(sigmoid, 1.0e6) < 1.0),
     ?_assertEqual(sig(2.5), A(sigmoid, 2.5)),
     ?_assertEqual(0.5, A(sigmoid1, 1)),
     ?_assertEqual(-0.75, A(sigmoid1, -3)),
     ?_assertEqual(tweann_ref_math:sin(0.5), A(sin, 0.5)),
     ?_assertEqual(1.0, A(cos, 0)),
     ?_assertEqual(1.0, A(gaussian, 0)),
     ?_assertEqual(tweann_ref_math:gaussian(-1.0), A(gaussian, -1)),
     ?_assertEqual(tweann_ref_math:gaussian(10.0), A(gaussian, 20.0)),
     ?_assertEqual(tweann_ref_math:gaussian(10.0), A(gaussian, -1.0e300)),
     ?_assertEqual(3.0, A(linear, 3)),
     ?_assertEqual(0.0, A(relu, -2)),
     ?_assertEqual(0.0, A(relu, 0)),
     ?_assertEqual(2.5, A(relu, 2.5)),
     ?_assertEqual(-1.0, A(sgn, -3)),
     ?_assertEqual(0.0, A(sgn, 0.0)),
     ?_assertEqual(1.0, A(sgn, 1.0e-300)),
     ?_assertEqual(0.0, A(bin, 0)),
     ?_assertEqual(1.0, A(bin, 0.1)),
     ?_assertEqual(0.0, A(bin, -5)),
     ?_assertEqual(1.0, A(trinary, 0.33)),
     ?_assertEqual(0.0, A(trinary, 0.3299)),
     ?_assertEqual(-1.0, A(trinary, -0.33)),
     ?_assertEqual(0.0, A(trinary, -0.3299)),
     ?_assertEqual(0.0, A(trinary, 0)),
     ?_assertEqual(0.1, A(multiquadric, 0)),
     ?_assertEqual(math:sqrt(9.01), A(multiquadric, -3)),
     ?_assertEqual(-4.0, A(quadratic, -2)),
     ?_assertEqual(9.0, A(quadratic, 3.0)),
     ?_assertEqual(0.0, A(quadratic, 0)),
     ?_assertEqual(-8.0, A(cubic, -2)),
     ?_assertEqual(0.125, A(cubic, 0.5)),
     ?_assertEqual(2.5, A(absolute, -2.5)),
     ?_assertEqual(2.5, A(absolute, 2.5)),
     ?_assertEqual(2.0, A(sqrt, 4)),
     ?_assertEqual(-3.0, A(sqrt, -9)),
     ?_assertEqual(0.0, A(sqrt, 0)),
     ?_assertEqual(0.0, A(log, 0)),
     ?_assertEqual(0.0, A(log, 1)),
     ?_assertEqual(tweann_ref_math:log(5.0), A(log, 5)),
     ?_assertEqual(-tweann_ref_math:log(5.0), A(log, -5)),
     ?_assertEqual(-0.0, A(log, -1)),
     %% Results are floats, even for integer input.
     ?_assert(is_float(A(linear, 7)))].

activation_negative_zero_test() ->
    Z = neg_zero(),
    %% abs clears the sign bit, as Rust's f64::abs does.
    ?assertEqual(bits(0.0), bits(?M:activate(absolute, Z))),
    ?assertEqual(bits(0.0), bits(?M:activate(sqrt, Z))),
    ?assertEqual(bits(0.0), bits(?M:activate(log, Z))),
    ?assertEqual(bits(0.0), bits(?M:activate(relu, Z))),
    %% linear keeps the value as is.
    ?assertEqual(bits(Z), bits(?M:activate(linear, Z))).

activation_errors_test() ->
    ?badarg_says(1, "unknown activation foo", ?M:activate(foo, 1.0)),
    ?badarg_at(1, ?M:activate("tanh", 1.0)),
    ?badarg_says(2, "not a number", ?M:activate(tanh, a)),
    ?badarg_at(2, ?M:activate(tanh, 1 bsl 1100)).

activation_overflow_test() ->
    ?assertMatch(#{general := _}, tweann_oracle:cause(badarith, fun() -> ?M:activate(cubic, 1.0e200) end)),
    ?assertMatch(#{general := _}, tweann_oracle:cause(badarith, fun() -> ?M:activate(multiquadric, 1.0e200) end)).

activate_batch_test() ->
    ?assertEqual([0.0, 1.0, 0.0], ?M:activate_batch([-1, 2, 0.0], bin)),
    ?assertEqual([-2.0, 3.5], ?M:activate_batch(f64s([-2.0, 3.5]), linear)),
    ?assertEqual([], ?M:activate_batch([], tanh)),
    ?assertEqual([], ?M:activate_batch(<<>>, tanh)),
    ?assertEqual([tweann_ref_math:tanh(0.5)], ?M:activate_batch([0.5], tanh)),
    ?badarg_says(1, "element 2 is not a number", ?M:activate_batch([1, x], tanh)),
    ?badarg_says(1, "not a proper list", ?M:activate_batch([1 | 2], tanh)),
    ?badarg_says(1, "multiple of 8", ?M:activate_batch(<<1, 2, 3>>, tanh)),
    ?badarg_says(1, "element 2 is not finite", ?M:activate_batch(<<(f64s([1.0]))/binary, (nan_native())/binary>>, tanh)),
    ?badarg_at(1, ?M:activate_batch(atom, tanh)),
    ?badarg_at(1, ?M:activate_batch(<<1:3>>, tanh)),
    ?badarg_says(2, "unknown activation", ?M:activate_batch([1.0], nope)).
