%% EUnit tests for tweann_ref, the pure Erlang reference of the tweann_nif
%% API. Expected values are worked out by hand from docs/semantics.md; where
%% a transcendental function is involved the expectation repeats the formula
%% in the contract's operation order, so the comparison is exact.
-module(tweann_ref_tests).

-include_lib("eunit/include/eunit.hrl").

-define(R, tweann_ref).

%% Assert that Expr raises badarg whose error_info names argument Pos.
-define(badarg_at(Pos, Expr),
        ?assertEqual([Pos], maps:keys(cause(badarg, fun() -> Expr end)))).
%% ... and that the reason contains Text.
-define(badarg_says(Pos, Text, Expr),
        begin
            ((fun() ->
                      C__ = cause(badarg, fun() -> Expr end),
                      ?assertEqual([Pos], maps:keys(C__)),
                      ?assertNotEqual(nomatch, string:find(maps:get(Pos, C__), Text))
              end)())
        end).

cause(Class, Fun) ->
    try Fun() of
        Result -> {no_exception, Result}
    catch
        error:Class:St ->
            [{Mod, _F, _A, _Info} | _] = St,
            ?assertEqual(?R, Mod),
            tweann_error:format_error(Class, St)
    end.

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

inf_native() ->
    <<Big:64/big>> = <<0:1, 2047:11, 0:52>>,
    <<Big:64/native>>.

sig(X) -> 1.0 / (1.0 + math:exp(-X)).

%%====================================================================
%% Activations
%%====================================================================

activation_values_test_() ->
    A = fun ?R:activate/2,
    [?_assertEqual(0.0, A(tanh, 0)),
     ?_assertEqual(math:tanh(1.0), A(tanh, 1)),
     ?_assertEqual(0.5, A(sigmoid, 0)),
     ?_assertEqual(sig(10.0), A(sigmoid, 10)),
     ?_assertEqual(sig(10.0), A(sigmoid, 20.0)),
     ?_assertEqual(sig(-10.0), A(sigmoid, -1.0e6)),
     ?_assert(A(sigmoid, 1.0e6) < 1.0),
     ?_assertEqual(sig(2.5), A(sigmoid, 2.5)),
     ?_assertEqual(0.5, A(sigmoid1, 1)),
     ?_assertEqual(-0.75, A(sigmoid1, -3)),
     ?_assertEqual(math:sin(0.5), A(sin, 0.5)),
     ?_assertEqual(1.0, A(cos, 0)),
     ?_assertEqual(1.0, A(gaussian, 0)),
     ?_assertEqual(math:exp(-1.0), A(gaussian, -1)),
     ?_assertEqual(math:exp(-100.0), A(gaussian, 20.0)),
     ?_assertEqual(math:exp(-100.0), A(gaussian, -1.0e300)),
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
     ?_assertEqual(math:log(5.0), A(log, 5)),
     ?_assertEqual(-math:log(5.0), A(log, -5)),
     ?_assertEqual(-0.0, A(log, -1)),
     %% Results are floats, even for integer input.
     ?_assert(is_float(A(linear, 7)))].

activation_negative_zero_test() ->
    Z = neg_zero(),
    %% abs clears the sign bit, as Rust's f64::abs does.
    ?assertEqual(bits(0.0), bits(?R:activate(absolute, Z))),
    ?assertEqual(bits(0.0), bits(?R:activate(sqrt, Z))),
    ?assertEqual(bits(0.0), bits(?R:activate(log, Z))),
    ?assertEqual(bits(0.0), bits(?R:activate(relu, Z))),
    %% linear keeps the value as is.
    ?assertEqual(bits(Z), bits(?R:activate(linear, Z))).

activation_errors_test() ->
    ?badarg_says(1, "unknown activation foo", ?R:activate(foo, 1.0)),
    ?badarg_at(1, ?R:activate("tanh", 1.0)),
    ?badarg_says(2, "not a number", ?R:activate(tanh, a)),
    ?badarg_at(2, ?R:activate(tanh, 1 bsl 1100)).

activation_overflow_test() ->
    ?assertMatch(#{general := _}, cause(badarith, fun() -> ?R:activate(cubic, 1.0e200) end)),
    ?assertMatch(#{general := _}, cause(badarith, fun() -> ?R:activate(multiquadric, 1.0e200) end)).

activate_batch_test() ->
    ?assertEqual([0.0, 1.0, 0.0], ?R:activate_batch([-1, 2, 0.0], bin)),
    ?assertEqual([-2.0, 3.5], ?R:activate_batch(f64s([-2.0, 3.5]), linear)),
    ?assertEqual([], ?R:activate_batch([], tanh)),
    ?assertEqual([], ?R:activate_batch(<<>>, tanh)),
    ?assertEqual([math:tanh(0.5)], ?R:activate_batch([0.5], tanh)),
    ?badarg_says(1, "element 2 is not a number", ?R:activate_batch([1, x], tanh)),
    ?badarg_says(1, "not a proper list", ?R:activate_batch([1 | 2], tanh)),
    ?badarg_says(1, "multiple of 8", ?R:activate_batch(<<1, 2, 3>>, tanh)),
    ?badarg_says(1, "element 2 is not finite", ?R:activate_batch(<<(f64s([1.0]))/binary, (nan_native())/binary>>, tanh)),
    ?badarg_at(1, ?R:activate_batch(atom, tanh)),
    ?badarg_at(1, ?R:activate_batch(<<1:3>>, tanh)),
    ?badarg_says(2, "unknown activation", ?R:activate_batch([1.0], nope)).

%%====================================================================
%% Networks
%%====================================================================

%% XOR from step units: h3 = OR, h4 = AND, out = OR and not AND.
xor_net() ->
    ?R:compile_network(
       [{1, input, linear, 0, []},
        {2, input, linear, 0, []},
        {3, hidden, bin, -0.5, [{1, 1}, {2, 1}]},
        {4, hidden, bin, -1.5, [{1, 1}, {2, 1}]},
        {5, output, bin, -0.5, [{3, 1.0}, {4, -1.0}]}],
       2, [5]).

xor_test() ->
    N = xor_net(),
    ?assertEqual([0.0], ?R:evaluate(N, [0, 0])),
    ?assertEqual([1.0], ?R:evaluate(N, [0, 1])),
    ?assertEqual([1.0], ?R:evaluate(N, [1.0, 0.0])),
    ?assertEqual([0.0], ?R:evaluate(N, [1, 1])),
    ?assertEqual([[0.0], [1.0], [1.0], [0.0]],
                 ?R:evaluate_batch(N, [[0, 0], [0, 1], f64s([1.0, 0.0]), [1, 1]])),
    ?assertEqual([[0.0], [1.0], [1.0], [0.0]],
                 ?R:evaluate_batch(N, f64s([0, 0, 0, 1, 1, 0, 1, 1]))).

%% A tanh/sigmoid network whose values are written out in contract order.
smooth_net() ->
    ?R:compile_network(
       [{1, input, linear, 0, []},
        {2, input, linear, 0, []},
        {3, hidden, tanh, 0.5, [{1, 0.75}, {2, -1.25}]},
        {4, hidden, tanh, -0.25, [{1, -2}, {2, 1.5}]},
        {5, output, sigmoid, 0.1, [{3, 1.5}, {4, -0.5}]}],
       2, [5, 3]).

smooth_net_test() ->
    N = smooth_net(),
    X1 = 0.3, X2 = -0.7,
    H3 = math:tanh(((0.0 + 0.75 * X1) + -1.25 * X2) + 0.5),
    H4 = math:tanh(((0.0 + -2.0 * X1) + 1.5 * X2) + -0.25),
    O5 = sig(((0.0 + 1.5 * H3) + -0.5 * H4) + 0.1),
    ?assertEqual([O5, H3], ?R:evaluate(N, [X1, X2])),
    ?assertEqual([O5, H3], ?R:evaluate(N, f64s([X1, X2]))),
    %% Sanity against the literal values.
    ?assert(abs(H3 - math:tanh(1.6) ) < 1.0e-15),
    ?assertEqual({[O5, H3], []}, ?R:evaluate_with_state(N, [X1, X2], [])).

wrong_input_count_test() ->
    N = xor_net(),
    ?assertEqual([], ?R:evaluate(N, [1.0])),
    ?assertEqual([], ?R:evaluate(N, [1, 2, 3])),
    ?assertEqual([], ?R:evaluate(N, f64s([1.0]))),
    ?assertEqual([[], [1.0], []], ?R:evaluate_batch(N, [[1], [1, 0], []])),
    ?assertEqual({[], []}, ?R:evaluate_with_state(N, [1], [])).

empty_network_test() ->
    N = ?R:compile_network([], 0, []),
    ?assertEqual([], ?R:evaluate(N, [])),
    ?assertEqual([], ?R:evaluate(N, <<>>)),
    ?assertEqual([], ?R:evaluate(N, [1.0])),
    ?assertEqual([], ?R:evaluate_batch(N, <<>>)),
    ?assertEqual([[], []], ?R:evaluate_batch(N, [[], []])),
    ?assertEqual({[], []}, ?R:evaluate_with_state(N, [], [])),
    ?badarg_says(2, "no inputs", ?R:evaluate_batch(N, f64s([1.0]))),
    ?assertMatch(#{nodes := 0, connections := 0, inputs := 0, outputs := 0,
                   state_size := 0, forward_refs := 0},
                 ?R:network_info(N)).

outputs_and_bias_nodes_test() ->
    N = ?R:compile_network(
          [{7, input, tanh, 99, []},
           {8, bias, linear, 2.5, []},
           {9, output, relu, 0, [{7, 1}, {8, -1}]}],
          1, [9, 7, 8, 9]),
    %% Inputs are not activated; a bias node is act(0.0 + Bias).
    ?assertEqual([1.5, 4.0, 2.5, 1.5], ?R:evaluate(N, [4])),
    ?assertEqual([0.0, 1.0, 2.5, 0.0], ?R:evaluate(N, [1])),
    ?assert(lists:all(fun is_float/1, ?R:evaluate(N, [4]))).

%% Node list order is evaluation order, not index order.
list_order_test() ->
    N = ?R:compile_network(
          [{100, input, linear, 0, []},
           {5, hidden, linear, 1, [{100, 2}]},
           {50, output, linear, 0, [{5, 3}]}],
          1, [50]),
    ?assertEqual([(0.0 + 3.0 * ((0.0 + 2.0 * 4.0) + 1.0)) + 0.0], ?R:evaluate(N, [4])),
    ?assertEqual([27.0], ?R:evaluate(N, [4])).

%% Slots: cfc node 30 and node 40 (read forward by node 20), in list order.
recurrent_net() ->
    ?R:compile_network(
       [{10, input, linear, 0, []},
        {20, hidden, linear, 0.0, [{10, 1.0}, {40, 10.0}]},
        {30, {cfc, 1.0, 5.0}, linear, 0.0, [{10, 0.0}]},
        {40, output, linear, 1.0, [{20, 1.0}, {30, 100.0}]}],
       1, [40, 20, 30]).

forward_reference_stateless_test() ->
    N = recurrent_net(),
    %% Node 40 reads 0.0 for node 20's forward reference; cfc state is 0.0:
    %% h20 = 2.0, c30 = 0.5*0 + 0.5*tanh(0) = 0.0, o40 = 2 + 0 + 1 = 3.
    ?assertEqual([3.0, 2.0, 0.0], ?R:evaluate(N, [2.0])),
    %% Stateless: the second call is the same.
    ?assertEqual([3.0, 2.0, 0.0], ?R:evaluate(N, [2.0])).

forward_reference_stateful_test() ->
    N = recurrent_net(),
    ?assertMatch(#{nodes := 4, connections := 5, inputs := 1, outputs := 3,
                   state_size := 2, forward_refs := 1},
                 ?R:network_info(N)),
    %% State = [S30, S40] = [4.0, 3.0]:
    %% h20 = 2 + 10*3 = 32; c30 = 0.5*4 + 0.5*tanh(0) = 2; o40 = 32 + 200 + 1.
    ?assertEqual({[233.0, 32.0, 2.0], [2.0, 233.0]},
                 ?R:evaluate_with_state(N, [2.0], [4.0, 3.0])),
    ?assertEqual({[233.0, 32.0, 2.0], [2.0, 233.0]},
                 ?R:evaluate_with_state(N, f64s([2.0]), f64s([4.0, 3.0]))),
    %% [] means all zeros: the same as evaluate/2.
    ?assertEqual({[3.0, 2.0, 0.0], [0.0, 3.0]}, ?R:evaluate_with_state(N, [2], [])),
    %% Threading the state.
    {_, S1} = ?R:evaluate_with_state(N, [2], []),
    %% h20 = 2 + 30 = 32; c30 = 0; o40 = 32 + 0 + 1 = 33.
    ?assertEqual({[33.0, 32.0, 0.0], [0.0, 33.0]}, ?R:evaluate_with_state(N, [2], S1)),
    ?badarg_says(3, "State has 1 values", ?R:evaluate_with_state(N, [2], [1.0])),
    ?badarg_at(3, ?R:evaluate_with_state(N, [2], [1.0, 2.0, 3.0])),
    ?badarg_at(3, ?R:evaluate_with_state(N, [2], <<>>)),
    ?badarg_says(3, "element 2 is not a number", ?R:evaluate_with_state(N, [2], [1.0, x])),
    ?badarg_at(3, ?R:evaluate_with_state(N, [2], not_a_list)),
    %% Wrong input count, but well-formed: {[], []}.
    ?assertEqual({[], []}, ?R:evaluate_with_state(N, [], [1.0, 2.0])).

self_loop_test() ->
    N = ?R:compile_network(
          [{1, input, linear, 0, []},
           {2, output, linear, 0, [{1, 1.0}, {2, 0.5}]}],
          1, [2]),
    ?assertMatch(#{state_size := 1, forward_refs := 1}, ?R:network_info(N)),
    ?assertEqual([1.0], ?R:evaluate(N, [1])),
    ?assertEqual({[5.0], [5.0]}, ?R:evaluate_with_state(N, [1], [8])),
    ?assertEqual({[3.5], [3.5]}, ?R:evaluate_with_state(N, [1], [5.0])).

%% A reference to an input node reads the current input wherever it stands.
input_listed_late_test() ->
    N = ?R:compile_network(
          [{1, output, linear, 0, [{2, 3.0}]},
           {2, input, linear, 0, []}],
          1, [1, 2]),
    ?assertMatch(#{state_size := 0, forward_refs := 0}, ?R:network_info(N)),
    ?assertEqual([15.0, 5.0], ?R:evaluate(N, [5])),
    ?assertEqual({[15.0, 5.0], []}, ?R:evaluate_with_state(N, [5], [])).

%% Slot order is list order, also when a later slot is read before an earlier.
slot_order_test() ->
    N = ?R:compile_network(
          [{1, input, linear, 0, []},
           {2, hidden, linear, 0, [{4, 1.0}, {3, 10.0}]},
           {3, hidden, linear, 0, [{1, 1.0}]},
           {4, hidden, linear, 0, [{1, 2.0}]}],
          1, [2]),
    ?assertMatch(#{state_size := 2, forward_refs := 2}, ?R:network_info(N)),
    %% State [S3, S4] = [1, 100]: node 2 = 100 + 10 = 110; next [x, 2x].
    ?assertEqual({[110.0], [7.0, 14.0]}, ?R:evaluate_with_state(N, [7], [1, 100])).

cfc_ltc_nodes_test() ->
    N = ?R:compile_network(
          [{1, input, linear, 0, []},
           {2, {cfc, 1, 1}, tanh, 0.0, [{1, 1.0}]},
           {3, {ltc, 2.0, 1.0}, tanh, 0.5, [{1, 0.5}]}],
          1, [2, 3]),
    ?assertMatch(#{state_size := 2, forward_refs := 0}, ?R:network_info(N)),
    %% cfc with x = 0: s = sig(0) = 0.5, h = tanh(0) = 0: value = 0.5 * S.
    %% ltc with x = 0.5*0 + 0.5 = 0.5, T = 2: F = 0.25,
    %% dx/dt = -(0.5 + 0.25) * S + 0.25 * 1; S = 0.5: x = 0.5 - 0.125.
    {[C, L], Next} = ?R:evaluate_with_state(N, [0], [0.8, 0.5]),
    ?assertEqual(0.4, C),
    ?assertEqual(0.5 + 1.0 * ((-(0.5 + 0.25)) * 0.5 + 0.25 * 1.0), L),
    ?assertEqual(0.375, L),
    ?assertEqual([0.4, 0.375], Next),
    %% cfc clamps (0.5 * 10 > 1); ltc from S = -3: -3 + (2.25 + 0.25).
    ?assertEqual({[1.0, -0.5], [1.0, -0.5]},
                 ?R:evaluate_with_state(N, [0], [10.0, -3.0])),
    %% With input 1.0 the cfc node equals the scalar kernel.
    {CfcX, _} = ?R:evaluate_cfc(1.0, 0.3, 1, 1),
    {LtcX, _} = ?R:evaluate_ode(1.0, 0.2, 2.0, 1.0, 1.0),
    ?assertEqual({[CfcX, LtcX], [CfcX, LtcX]}, ?R:evaluate_with_state(N, [1], [0.3, 0.2])),
    %% The activation is not applied: stateless, cfc gives 0.5*0 + 0.5*tanh(1).
    [C0, _] = ?R:evaluate(N, [1]),
    F = 1.0 / 1.0,
    S = sig(-F),
    ?assertEqual(S * 0.0 + (1.0 - S) * math:tanh(1.0), C0).

overflow_test() ->
    N = ?R:compile_network(
          [{1, input, linear, 0, []},
           {2, hidden, linear, 0, [{1, 1.0e200}]},
           {17, output, cubic, 0, [{2, 1.0}]}],
          1, [17]),
    ?assertEqual([1.0], ?R:evaluate(N, [1.0e-200])),
    Cause = cause(badarith, fun() -> ?R:evaluate(N, [1.0e200]) end),
    ?assertMatch(#{general := _}, Cause),
    ?assertNotEqual(nomatch, string:find(maps:get(general, Cause), "node 2")),
    Cause2 = cause(badarith, fun() -> ?R:evaluate(N, [1.0e100]) end),
    ?assertNotEqual(nomatch, string:find(maps:get(general, Cause2), "node 17")),
    ?assertMatch(#{general := _},
                 cause(badarith, fun() -> ?R:evaluate_batch(N, [[1.0], [1.0e100]]) end)),
    ?assertMatch(#{general := _},
                 cause(badarith, fun() -> ?R:evaluate_with_state(N, [1.0e100], []) end)).

network_info_test() ->
    Info = ?R:network_info(smooth_net()),
    ?assertEqual(lists:sort([nodes, connections, inputs, outputs, state_size,
                             forward_refs, bytes]),
                 lists:sort(maps:keys(Info))),
    ?assertMatch(#{nodes := 5, connections := 6, inputs := 2, outputs := 2,
                   state_size := 0, forward_refs := 0}, Info),
    ?assert(maps:get(bytes, Info) > 0),
    ?badarg_says(1, "not a network", ?R:network_info(make_ref())).

evaluate_input_errors_test() ->
    N = xor_net(),
    ?badarg_says(1, "not a network", ?R:evaluate(make_ref(), [1, 2])),
    ?badarg_at(1, ?R:evaluate({tweann_ref_net}, [1, 2])),
    ?badarg_says(2, "element 2 is not a number", ?R:evaluate(N, [1, a])),
    ?badarg_at(2, ?R:evaluate(N, [1 | 2])),
    ?badarg_at(2, ?R:evaluate(N, 3.0)),
    ?badarg_says(2, "multiple of 8", ?R:evaluate(N, <<0:72>>)),
    ?badarg_says(2, "element 1 is not finite", ?R:evaluate(N, <<(nan_native())/binary, 0:64>>)),
    %% Infinity.
    ?badarg_says(2, "element 2 is not finite", ?R:evaluate(N, <<(f64s([1.0]))/binary, (inf_native())/binary>>)),
    %% Malformed beats wrong count.
    ?badarg_at(2, ?R:evaluate(N, [a])),
    ?badarg_at(2, ?R:evaluate(N, [1 bsl 1100, 1])).

evaluate_batch_errors_test() ->
    N = xor_net(),
    ?badarg_says(2, "row 2 element 1 is not a number", ?R:evaluate_batch(N, [[1, 2], [x, 1]])),
    ?badarg_says(2, "row 1 is not a list", ?R:evaluate_batch(N, [foo])),
    ?badarg_at(2, ?R:evaluate_batch(N, [[1, 2] | tail])),
    ?badarg_says(2, "multiple of 16", ?R:evaluate_batch(N, f64s([1, 2, 3]))),
    ?badarg_says(2, "row 2 element 1 is not finite",
                 ?R:evaluate_batch(N, <<(f64s([1, 2]))/binary, (nan_native())/binary, 0:64>>)),
    ?badarg_at(2, ?R:evaluate_batch(N, foo)),
    ?badarg_at(1, ?R:evaluate_batch(foo, [])),
    ?assertEqual([], ?R:evaluate_batch(N, [])),
    ?assertEqual([], ?R:evaluate_batch(N, <<>>)).

compile_errors_test() ->
    In = {1, input, linear, 0, []},
    ?badarg_says(1, "not a proper list", ?R:compile_network([In | x], 1, [])),
    ?badarg_at(1, ?R:compile_network(foo, 0, [])),
    ?badarg_says(1, "element 2 is not a {Index", ?R:compile_network([In, {2, hidden, tanh, 0}], 1, [])),
    ?badarg_at(1, ?R:compile_network([In, foo], 1, [])),
    ?badarg_says(1, "node index -1", ?R:compile_network([{-1, input, linear, 0, []}], 1, [])),
    ?badarg_at(1, ?R:compile_network([{1 bsl 32, input, linear, 0, []}], 1, [])),
    ?badarg_at(1, ?R:compile_network([{1.0, input, linear, 0, []}], 1, [])),
    %% Largest index is fine.
    ?assertEqual([3.0], ?R:evaluate(?R:compile_network([{(1 bsl 32) - 1, input, linear, 0, []}],
                                                       1, [(1 bsl 32) - 1]), [3])),
    ?badarg_says(1, "duplicate node index 1",
                 ?R:compile_network([In, {1, hidden, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "unknown activation foo in node 7",
                 ?R:compile_network([In, {7, hidden, foo, 0, []}], 1, [])),
    %% Checked even where it is not used.
    ?badarg_says(1, "unknown activation nope in node 1",
                 ?R:compile_network([{1, input, nope, 0, []}], 1, [])),
    ?badarg_says(1, "connection from missing node 12 in node 4",
                 ?R:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0}, {12, 1.0}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 1 is not",
                 ?R:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0, 2}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 2 weight",
                 ?R:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0}, {1, w}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 1 source",
                 ?R:compile_network([In, {4, hidden, tanh, 0, [{a, 1.0}]}], 1, [])),
    ?badarg_says(1, "node 4: connections are not a proper list",
                 ?R:compile_network([In, {4, hidden, tanh, 0, {1, 1.0}}], 1, [])),
    ?badarg_says(1, "node 4: bias",
                 ?R:compile_network([In, {4, hidden, tanh, "0", []}], 1, [])),
    ?badarg_says(1, "node 4: type",
                 ?R:compile_network([In, {4, sensor, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "Tau", ?R:compile_network([In, {4, {cfc, 0, 1}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "Bound", ?R:compile_network([In, {4, {ltc, 1, 0.0}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?R:compile_network([In, {4, {cfc, 1}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?R:compile_network([In, {4, {cfc, a, 1}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "input node 1 has connections",
                 ?R:compile_network([{1, input, linear, 0, [{1, 1.0}]}], 1, [])),
    ?badarg_says(2, "InputCount is 3 but Nodes has 1 input nodes",
                 ?R:compile_network([In], 3, [])),
    ?badarg_says(2, "not a non-negative integer", ?R:compile_network([In], -1, [])),
    ?badarg_at(2, ?R:compile_network([In], 1.0, [])),
    ?badarg_says(3, "element 2: no node with index 9", ?R:compile_network([In], 1, [1, 9])),
    ?badarg_at(3, ?R:compile_network([In], 1, [1 | 1])),
    ?badarg_at(3, ?R:compile_network([In], 1, foo)),
    ?badarg_at(3, ?R:compile_network([In], 1, [x])).

benchmark_evaluate_test() ->
    N = xor_net(),
    T = ?R:benchmark_evaluate(N, [1, 0], 10),
    ?assert(is_float(T) andalso T >= 0.0),
    ?assert(is_float(?R:benchmark_evaluate(N, f64s([1, 0]), 1))),
    ?badarg_says(3, "positive integer", ?R:benchmark_evaluate(N, [1, 0], 0)),
    ?badarg_at(3, ?R:benchmark_evaluate(N, [1, 0], 1.5)),
    ?badarg_at(3, ?R:benchmark_evaluate(N, [1, 0], -3)),
    ?badarg_at(2, ?R:benchmark_evaluate(N, [1, x], 3)),
    ?badarg_at(1, ?R:benchmark_evaluate(nope, [1, 0], 3)).

%%====================================================================
%% Dot products
%%====================================================================

dot_product_test() ->
    Signals = [{a, [1, 2]}, {b, [3]}],
    Plain = [{a, [1, 2]}, {b, [0.5]}],
    %% 0.0 + 1*1 + 2*2 + 3*0.5 = 6.5
    ?assertEqual(6.5, ?R:dot_product(Signals, Plain)),
    %% DXNN2 tuples; bias entry.
    Tuples = [{a, [{1.0, 0, 0, []}, {2, x, y, z}]}, {b, [{0.5}]}, {bias, [{10, 0.0, 0.1, []}]}],
    ?assertEqual(16.5, ?R:dot_product(Signals, Tuples)),
    ?assertEqual(16.5, ?R:dot_product(Signals, Plain ++ [{bias, [10]}])),
    ?assertEqual(-1.0, ?R:dot_product([], [{bias, [-1]}])),
    ?assertEqual(0.0, ?R:dot_product([], [])),
    ?assert(is_float(?R:dot_product([{a, [2]}], [{a, [3]}]))),
    %% Order of additions is the contract's.
    ?assertEqual(((0.0 + 0.1 * 0.2) + 0.3 * 0.7) + 0.9,
                 ?R:dot_product([{x, [0.1, 0.3]}], [{x, [0.2, 0.7]}, {bias, [0.9]}])).

dot_product_errors_test() ->
    S = [{a, [1, 2]}],
    ?badarg_says(2, "source id b differs", ?R:dot_product(S, [{b, [1, 2]}])),
    ?badarg_says(2, "1 weights for 2 signals", ?R:dot_product(S, [{a, [1]}])),
    ?badarg_at(2, ?R:dot_product(S, [])),
    ?badarg_at(2, ?R:dot_product(S, [{a, [1, 2]}, {c, [1]}])),
    ?badarg_says(2, "exactly one", ?R:dot_product(S, [{a, [1, 2]}, {bias, [1, 2]}])),
    ?badarg_at(2, ?R:dot_product(S, [{a, [1, 2]}, {bias, []}])),
    ?badarg_says(2, "element 1: weight 2", ?R:dot_product(S, [{a, [1, {x}]}])),
    ?badarg_at(2, ?R:dot_product(S, [{a, [1, {}]}])),
    ?badarg_at(2, ?R:dot_product(S, [{a, [1, 2]} | x])),
    ?badarg_at(2, ?R:dot_product(S, [{a, [1, 2], 3}])),
    ?badarg_says(1, "element 1: signal 2", ?R:dot_product([{a, [1, {2}]}], [{a, [1, 2]}])),
    ?badarg_at(1, ?R:dot_product([{a, [1 | 2]}], [{a, [1, 2]}])),
    ?badarg_at(1, ?R:dot_product(x, [])),
    ?badarg_at(1, ?R:dot_product([{a}], [])).

dot_product_flat_test() ->
    ?assertEqual(((0.0 + 1.0 * 4.0) + 2.0 * 5.0) + 0.5,
                 ?R:dot_product_flat([1, 2], [4, 5], 0.5)),
    ?assertEqual(14.5, ?R:dot_product_flat([1, 2], [4, 5], 0.5)),
    ?assertEqual(3.0, ?R:dot_product_flat([], [], 3)),
    ?badarg_says(2, "has 1 elements but the signals have 2",
                 ?R:dot_product_flat([1, 2], [4], 0)),
    ?badarg_at(1, ?R:dot_product_flat([1, a], [4, 5], 0)),
    ?badarg_at(2, ?R:dot_product_flat([1, 2], [4, a], 0)),
    ?badarg_at(3, ?R:dot_product_flat([1, 2], [4, 5], bias)),
    ?badarg_at(1, ?R:dot_product_flat(foo, [4, 5], 0)).

dot_product_batch_test() ->
    ?assertEqual([14.5, 3.0, -1.0],
                 ?R:dot_product_batch([{[1, 2], [4, 5], 0.5}, {[], [], 3},
                                       {[1.0], [-2.0], 1}])),
    ?assertEqual([], ?R:dot_product_batch([])),
    ?badarg_says(1, "element 2: weights", ?R:dot_product_batch([{[1], [1], 0}, {[1], [x], 0}])),
    ?badarg_says(1, "element 1: bias", ?R:dot_product_batch([{[1], [1], b}])),
    ?badarg_says(1, "element 1: weights: has 2", ?R:dot_product_batch([{[1], [1, 2], 0}])),
    ?badarg_at(1, ?R:dot_product_batch([{[1], [1]}])),
    ?badarg_at(1, ?R:dot_product_batch([{[1], [1], 0} | x])).

flatten_weights_test() ->
    ?assertEqual({[1.0, 2.0, 0.5, 10.0], [2, 1, 1]},
                 ?R:flatten_weights([{a, [{1, 0, 0, []}, 2]}, {b, [0.5]}, {bias, [{10, x}]}])),
    ?assertEqual({[], []}, ?R:flatten_weights([])),
    ?assertEqual({[], [0]}, ?R:flatten_weights([{a, []}])),
    ?badarg_at(1, ?R:flatten_weights([{a, [x]}])),
    ?badarg_at(1, ?R:flatten_weights([{a, [1]} | b])),
    ?badarg_at(1, ?R:flatten_weights([a])).

%%====================================================================
%% compatibility_distance
%%====================================================================

compatibility_distance_test() ->
    A = [{1, 0.5}, {2, 1}, {4, 0}],
    B = [{1, 0.0}, {3, 1}, {5, 2}, {6, 1}],
    %% Limit = min(4, 6) = 4. Matching: 1 (|0.5 - 0| = 0.5).
    %% Disjoint: 2, 4 (A), 3 (B). Excess: 5, 6 (B). E = 2, D = 3, N = 4.
    %% (1*2)/4 + (2*3)/4 + 0.5*0.5 = 0.5 + 1.5 + 0.25
    ?assertEqual(2.25, ?R:compatibility_distance(A, B, 1, 2, 0.5)),
    %% C1 /= C2 tells excess from disjoint: (3*2)/4 + (0*3)/4 + 0.
    ?assertEqual(1.5, ?R:compatibility_distance(A, B, 3, 0, 0)),
    ?assertEqual(0.75, ?R:compatibility_distance(A, B, 0, 1, 0)),
    %% Symmetric in the gene lists.
    ?assertEqual(2.25, ?R:compatibility_distance(B, A, 1, 2, 0.5)),
    %% Unsorted input gives the same as sorted.
    ?assertEqual(2.25, ?R:compatibility_distance(lists:reverse(A), [{6, 1}, {1, 0.0}, {5, 2}, {3, 1}],
                                                 1, 2, 0.5)),
    %% Formula order.
    ?assertEqual(((1.3 * 2.0) / 4.0 + (0.7 * 3.0) / 4.0) + 0.4 * (0.5 / 1.0),
                 ?R:compatibility_distance(A, B, 1.3, 0.7, 0.4)),
    ?assert(is_float(?R:compatibility_distance(A, B, 1, 1, 1))).

compatibility_distance_edge_test() ->
    %% Both empty: N = 1, everything 0.
    ?assertEqual(0.0, ?R:compatibility_distance([], [], 1, 1, 1)),
    %% One empty: all genes of the other are excess, N = 2.
    ?assertEqual(1.0, ?R:compatibility_distance([], [{3, 1.0}, {1, 2.0}], 1, 5, 7)),
    ?assertEqual(1.0, ?R:compatibility_distance([{3, 1.0}, {1, 2.0}], [], 1, 5, 7)),
    %% Identical genomes: only weight differences.
    ?assertEqual(0.0, ?R:compatibility_distance([{1, 1.0}, {2, 2.0}], [{1, 1}, {2, 2}], 1, 1, 1)),
    %% Mean over matching genes, summed in ascending order.
    ?assertEqual((0.0 + 1.0 + 3.0) / 2.0,
                 ?R:compatibility_distance([{2, 5.0}, {1, 1.0}], [{1, 2.0}, {2, 2.0}], 9, 9, 1)),
    %% Equal maxima: nothing is excess.
    ?assertEqual(1.0, ?R:compatibility_distance([{1, 0}, {3, 0}], [{2, 0}, {3, 0}], 0, 1, 0)),
    ?assertEqual(0.0, ?R:compatibility_distance([{1, 0}, {3, 0}], [{2, 0}, {3, 0}], 1, 0, 0)).

compatibility_distance_errors_test() ->
    G = [{1, 1.0}],
    ?badarg_says(1, "duplicate innovation 2",
                 ?R:compatibility_distance([{2, 1}, {1, 1}, {2, 3}], G, 1, 1, 1)),
    ?badarg_says(2, "duplicate innovation 1",
                 ?R:compatibility_distance(G, [{1, 1}, {1, 1}], 1, 1, 1)),
    ?badarg_at(1, ?R:compatibility_distance([{-1, 1}], G, 1, 1, 1)),
    ?badarg_at(1, ?R:compatibility_distance([{1.0, 1}], G, 1, 1, 1)),
    ?badarg_at(2, ?R:compatibility_distance(G, [{1, w}], 1, 1, 1)),
    ?badarg_at(2, ?R:compatibility_distance(G, [{1, 1, 1}], 1, 1, 1)),
    ?badarg_at(2, ?R:compatibility_distance(G, [{1, 1} | x], 1, 1, 1)),
    ?badarg_at(1, ?R:compatibility_distance(foo, G, 1, 1, 1)),
    ?badarg_at(3, ?R:compatibility_distance(G, G, c1, 1, 1)),
    ?badarg_at(4, ?R:compatibility_distance(G, G, 1, "1", 1)),
    ?badarg_at(5, ?R:compatibility_distance(G, G, 1, 1, [])).

%%====================================================================
%% Scalar liquid kernels
%%====================================================================

cfc_test() ->
    %% Input 0: f = 0, s = sig(0) = 0.5, h = tanh(0) = 0, x = 0.5 * S.
    ?assertEqual({0.4, 0.4}, ?R:evaluate_cfc(0, 0.8, 1.0, 1.0)),
    %% Clamped to +-Bound.
    ?assertEqual({2.0, 2.0}, ?R:evaluate_cfc(0.0, 10.0, 1.0, 2.0)),
    ?assertEqual({-2.0, -2.0}, ?R:evaluate_cfc(0.0, -10.0, 1.0, 2)),
    ?assertEqual({0.0, 0.0}, ?R:evaluate_cfc(0.3, 0.5, 1.0, 0)),
    %% clamp(x, lo, hi) is lo if x < lo, hi if x > hi, else x: with Bound 0
    %% a negative x gives lo = -0.0, a positive one hi = 0.0.
    {NegZ, _} = ?R:evaluate_cfc(0.0, -0.3, 1.0, 0),
    ?assertEqual(bits(neg_zero()), bits(NegZ)),
    {PosZ, _} = ?R:evaluate_cfc(0.0, 0.3, 1.0, 0.0),
    ?assertEqual(bits(0.0), bits(PosZ)),
    %% Input 1, S = 0.5, Tau = 1: f = 1, s = sig(-1), h = tanh(1).
    S = sig(-1.0),
    X = S * 0.5 + (1.0 - S) * math:tanh(1.0),
    ?assertEqual({X, X}, ?R:evaluate_cfc(1.0, 0.5, 1.0, 1.0)),
    ?assert(abs(X - 0.6912406518309373) < 1.0e-15),
    %% Tau = 2: f = 0.5.
    S2 = sig(-0.5),
    X2 = S2 * 0.5 + (1.0 - S2) * math:tanh(1.0),
    ?assertEqual({X2, X2}, ?R:evaluate_cfc(1, 0.5, 2, 1)),
    %% sig clamps its argument to +-10: f = 100/0.001 (Tau floored at 0.001).
    S3 = 1.0 / (1.0 + math:exp(10.0)),
    X3 = S3 * 0.25 + (1.0 - S3) * math:tanh(100.0),
    ?assertEqual({X3, X3}, ?R:evaluate_cfc(100, 0.25, 0, 5)),
    ?assertEqual({X3, X3}, ?R:evaluate_cfc(100, 0.25, -3, 5)).

cfc_with_weights_test() ->
    %% Backbone [2, 0.5, -1]: f = tanh((2*In + 0.5) + -1); head [3, 1]: g = tanh(3*In + 1).
    In = 0.4,
    F = math:tanh((2.0 * In + 0.5) + -1.0),
    G = math:tanh(3.0 * In + 1.0),
    S = sig(-F),
    X = S * -0.2 + (1.0 - S) * G,
    ?assertEqual({X, X}, ?R:evaluate_cfc_with_weights(In, -0.2, 1, 1, [2, 0.5, -1], [3, 1])),
    %% No weights: same as evaluate_cfc.
    ?assertEqual(?R:evaluate_cfc(0.7, 0.1, 1.5, 1), ?R:evaluate_cfc_with_weights(0.7, 0.1, 1.5, 1, [], [])),
    %% Backbone weights replace In / T (Tau no longer matters).
    ?assertEqual(?R:evaluate_cfc_with_weights(In, 0.0, 1, 1, [2], []),
                 ?R:evaluate_cfc_with_weights(In, 0.0, 50, 1, [2], [])),
    ?badarg_at(5, ?R:evaluate_cfc_with_weights(In, 0.0, 1, 1, [x], [])),
    ?badarg_at(5, ?R:evaluate_cfc_with_weights(In, 0.0, 1, 1, foo, [])),
    ?badarg_at(6, ?R:evaluate_cfc_with_weights(In, 0.0, 1, 1, [], [1 | 2])).

ode_test() ->
    %% T = 2, F = 0.5: dx/dt = -(0.5 + 0.5) * 0.5 + 0.5 * 1 = 0.
    ?assertEqual({0.5, 0.5}, ?R:evaluate_ode(1.0, 0.5, 2.0, 1.0, 0.1)),
    %% F = 2: dx/dt = -(1 + 2) * 0 + 2 * 3 = 6; x = 0 + 0.5 * 6 = 3.
    ?assertEqual({3.0, 3.0}, ?R:evaluate_ode(2, 0, 1, 3, 0.5)),
    %% Clamped at Bound.
    ?assertEqual({3.0, 3.0}, ?R:evaluate_ode(2, 0, 1, 3, 1)),
    %% x = 1 + 0.25 * (-(1 + 1) * 1 + 1 * 4) = 1.5.
    ?assertEqual({1.5, 1.5}, ?R:evaluate_ode(1, 1, 1, 4, 0.25)),
    %% Tau floored at 0.001: F = 0.001 / 0.001 = 1, dx/dt = 0 + 1 * 100.
    ?assertEqual({100.0, 100.0}, ?R:evaluate_ode(0.001, 0.0, 0.0, 100.0, 1.0)),
    ?assertEqual({100.0, 100.0}, ?R:evaluate_ode(0.001, 0.0, -5, 100.0, 1.0)).

ode_with_weights_test() ->
    %% F = tanh(0.5*1 + 0.25); S = 0, Dt = 1: x = F; output g(x) = tanh(2x).
    F = math:tanh(0.5 * 1.0 + 0.25),
    ?assertEqual({F, math:tanh(2.0 * F)},
                 ?R:evaluate_ode_with_weights(1.0, 0.0, 1.0, 1.0, 1.0, [0.5, 0.25], [2.0])),
    %% No head weights: output = x.
    ?assertEqual({F, F}, ?R:evaluate_ode_with_weights(1.0, 0.0, 1.0, 1.0, 1.0, [0.5, 0.25], [])),
    ?assertEqual(?R:evaluate_ode(0.3, 0.2, 1.5, 2, 0.1),
                 ?R:evaluate_ode_with_weights(0.3, 0.2, 1.5, 2, 0.1, [], [])),
    ?badarg_at(5, ?R:evaluate_ode_with_weights(1, 0, 1, 1, dt, [], [])),
    ?badarg_at(6, ?R:evaluate_ode_with_weights(1, 0, 1, 1, 1, [a], [])),
    ?badarg_at(7, ?R:evaluate_ode_with_weights(1, 0, 1, 1, 1, [], x)).

cfc_batch_test() ->
    ?assertEqual([{0.4, 0.4}, {0.2, 0.2}, {0.1, 0.1}],
                 ?R:evaluate_cfc_batch([0, 0.0, 0], 0.8, 1.0, 1.0)),
    ?assertEqual([], ?R:evaluate_cfc_batch([], 0.8, 1.0, 1.0)),
    {X1, _} = ?R:evaluate_cfc(0.3, 0.1, 2.0, 1.0),
    {X2, _} = ?R:evaluate_cfc(-0.6, X1, 2.0, 1.0),
    ?assertEqual([{X1, X1}, {X2, X2}], ?R:evaluate_cfc_batch([0.3, -0.6], 0.1, 2.0, 1.0)),
    ?badarg_says(1, "element 2 is not a number", ?R:evaluate_cfc_batch([1, x], 0, 1, 1)),
    ?badarg_at(1, ?R:evaluate_cfc_batch(<<1:64>>, 0, 1, 1)),
    ?badarg_at(2, ?R:evaluate_cfc_batch([1], s, 1, 1)),
    ?badarg_at(3, ?R:evaluate_cfc_batch([1], 0, t, 1)),
    ?badarg_at(4, ?R:evaluate_cfc_batch([1], 0, 1, -1)).

scalar_errors_test() ->
    ?badarg_at(1, ?R:evaluate_cfc(x, 0, 1, 1)),
    ?badarg_at(2, ?R:evaluate_cfc(0, [], 1, 1)),
    ?badarg_at(3, ?R:evaluate_cfc(0, 0, tau, 1)),
    ?badarg_says(4, ">= 0", ?R:evaluate_cfc(0, 0, 1, -0.5)),
    ?badarg_at(4, ?R:evaluate_cfc(0, 0, 1, bound)),
    ?badarg_at(1, ?R:evaluate_ode(x, 0, 1, 1, 1)),
    ?badarg_at(4, ?R:evaluate_ode(0, 0, 1, -1, 1)),
    ?badarg_at(5, ?R:evaluate_ode(0, 0, 1, 1, "dt")),
    ?badarg_at(1, ?R:evaluate_cfc_with_weights(1 bsl 1100, 0, 1, 1, [], [])),
    ?assertMatch(#{general := _},
                 cause(badarith, fun() -> ?R:evaluate_ode(1.0e300, 1.0e300, 1, 1.0e300, 1.0e10) end)).

%%====================================================================
%% Facts
%%====================================================================

facts_test() ->
    ?assertMatch(#{networks := 0, network_bytes := 0, cells := 0, cell_bytes := 0},
                 ?R:memory_stats()),
    Old = ?R:set_memory_budget(4096),
    ?assertMatch(#{memory_budget := 4096}, ?R:memory_stats()),
    ?assertEqual(4096, ?R:set_memory_budget(Old)),
    ?assertError(badarg, ?R:set_memory_budget(0)),
    ?assertMatch(#{backend := erlang, nif_version := none, target_cpu := none},
                 ?R:build_info()),
    ?assert(io_lib:printable_list(maps:get(version, ?R:build_info()))),
    ?assertEqual(false, ?R:is_loaded()).

%% The printed error names the public function and the argument.
shell_message_test() ->
    try ?R:evaluate(xor_net(), [1, a]) of
        _ -> ?assert(false)
    catch
        error:badarg:St ->
            Msg = lists:flatten(erl_error:format_exception(error, badarg, St)),
            ?assertNotEqual(nomatch, string:find(Msg, "tweann_ref:evaluate/2")),
            ?assertNotEqual(nomatch, string:find(Msg, "argument 2: element 2 is not a number"))
    end.
