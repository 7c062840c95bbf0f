%% EUnit tests of compiled networks (tweann_ref_network), part of the pure Erlang reference of the
%% tweann_nif API. Expected values are worked out by hand from
%% docs/semantics.md; where a transcendental function is involved the
%% expectation repeats the formula in the contract's operation order, so the
%% comparison is exact.
-module(tweann_ref_network_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_network).

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

sig(X) -> tweann_ref_math:sigmoid(float(X)).

%% Networks
%%====================================================================

%% XOR from step units: h3 = OR, h4 = AND, out = OR and not AND.
xor_net() ->
    ?M:compile_network(
       [{1, input, linear, 0, []},
        {2, input, linear, 0, []},
        {3, hidden, bin, -0.5, [{1, 1}, {2, 1}]},
        {4, hidden, bin, -1.5, [{1, 1}, {2, 1}]},
        {5, output, bin, -0.5, [{3, 1.0}, {4, -1.0}]}],
       2, [5]).

xor_test() ->
    N = xor_net(),
    ?assertEqual([0.0], ?M:evaluate(N, [0, 0])),
    ?assertEqual([1.0], ?M:evaluate(N, [0, 1])),
    ?assertEqual([1.0], ?M:evaluate(N, [1.0, 0.0])),
    ?assertEqual([0.0], ?M:evaluate(N, [1, 1])),
    ?assertEqual([[0.0], [1.0], [1.0], [0.0]],
                 ?M:evaluate_batch(N, [[0, 0], [0, 1], f64s([1.0, 0.0]), [1, 1]])),
    ?assertEqual([[0.0], [1.0], [1.0], [0.0]],
                 ?M:evaluate_batch(N, f64s([0, 0, 0, 1, 1, 0, 1, 1]))).

%% A tanh/sigmoid network whose values are written out in contract order.
smooth_net() ->
    ?M:compile_network(
       [{1, input, linear, 0, []},
        {2, input, linear, 0, []},
        {3, hidden, tanh, 0.5, [{1, 0.75}, {2, -1.25}]},
        {4, hidden, tanh, -0.25, [{1, -2}, {2, 1.5}]},
        {5, output, sigmoid, 0.1, [{3, 1.5}, {4, -0.5}]}],
       2, [5, 3]).

smooth_net_test() ->
    N = smooth_net(),
    X1 = 0.3, X2 = -0.7,
    H3 = tweann_ref_math:tanh(((0.0 + 0.75 * X1) + -1.25 * X2) + 0.5),
    H4 = tweann_ref_math:tanh(((0.0 + -2.0 * X1) + 1.5 * X2) + -0.25),
    O5 = sig(((0.0 + 1.5 * H3) + -0.5 * H4) + 0.1),
    ?assertEqual([O5, H3], ?M:evaluate(N, [X1, X2])),
    ?assertEqual([O5, H3], ?M:evaluate(N, f64s([X1, X2]))),
    %% Sanity against the literal values.
    ?assert(abs(H3 - tweann_ref_math:tanh(1.6) ) < 1.0e-15),
    ?assertEqual({[O5, H3], []}, ?M:evaluate_with_state(N, [X1, X2], [])).

wrong_input_count_test() ->
    N = xor_net(),
    ?assertEqual([], ?M:evaluate(N, [1.0])),
    ?assertEqual([], ?M:evaluate(N, [1, 2, 3])),
    ?assertEqual([], ?M:evaluate(N, f64s([1.0]))),
    ?assertEqual([[], [1.0], []], ?M:evaluate_batch(N, [[1], [1, 0], []])),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [1], [])).

empty_network_test() ->
    N = ?M:compile_network([], 0, []),
    ?assertEqual([], ?M:evaluate(N, [])),
    ?assertEqual([], ?M:evaluate(N, <<>>)),
    ?assertEqual([], ?M:evaluate(N, [1.0])),
    ?assertEqual([], ?M:evaluate_batch(N, <<>>)),
    ?assertEqual([[], []], ?M:evaluate_batch(N, [[], []])),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [], [])),
    ?badarg_says(2, "no inputs", ?M:evaluate_batch(N, f64s([1.0]))),
    W = erlang:system_info(wordsize),
    ?assertEqual(#{nodes => 0, connections => 0, inputs => 0, outputs => 0,
                   state_size => 0, forward_refs => 0, liquid_nodes => 0,
                   delay_nodes => 0, leaky_nodes => 0, state_model => organelles,
                   bytes => 47 * W + 4},
                 ?M:network_info(N)).

outputs_and_bias_nodes_test() ->
    N = ?M:compile_network(
          [{7, input, tanh, 99, []},
           {8, bias, linear, 2.5, []},
           {9, output, relu, 0, [{7, 1}, {8, -1}]}],
          1, [9, 7, 8, 9]),
    %% Inputs are not activated; a bias node is act(0.0 + Bias).
    ?assertEqual([1.5, 4.0, 2.5, 1.5], ?M:evaluate(N, [4])),
    ?assertEqual([0.0, 1.0, 2.5, 0.0], ?M:evaluate(N, [1])),
    ?assert(lists:all(fun is_float/1, ?M:evaluate(N, [4]))).

%% Node list order is evaluation order, not index order.
list_order_test() ->
    N = ?M:compile_network(
          [{100, input, linear, 0, []},
           {5, hidden, linear, 1, [{100, 2}]},
           {50, output, linear, 0, [{5, 3}]}],
          1, [50]),
    ?assertEqual([(0.0 + 3.0 * ((0.0 + 2.0 * 4.0) + 1.0)) + 0.0], ?M:evaluate(N, [4])),
    ?assertEqual([27.0], ?M:evaluate(N, [4])).

-define(FWD, #{state_model => forward_refs}).

%% Under forward_refs, slots: cfc node 30 and node 40 (read forward by node
%% 20), in list order.
recurrent_nodes() ->
    [{10, input, linear, 0, []},
     {20, hidden, linear, 0.0, [{10, 1.0}, {40, 10.0}]},
     {30, {cfc, 1.0, 5.0}, linear, 0.0, [{10, 0.0}]},
     {40, output, linear, 1.0, [{20, 1.0}, {30, 100.0}]}].

recurrent_net() ->
    ?M:compile_network(recurrent_nodes(), 1, [40, 20, 30], ?FWD).

%% The same list under the default model: one slot (the cfc node); node
%% 20's reference to node 40 reads 0.0 on every step.
organelles_forward_reference_test() ->
    N = ?M:compile_network(recurrent_nodes(), 1, [40, 20, 30]),
    ?assertMatch(#{state_size := 1, forward_refs := 1, state_model := organelles,
                   liquid_nodes := 1, delay_nodes := 0, leaky_nodes := 0},
                 ?M:network_info(N)),
    %% c30 = 0.5 * 4 + 0.5 * tanh(0) = 2; h20 = 2 + 0; o40 = 2 + 200 + 1.
    ?assertEqual({[203.0, 2.0, 2.0], [2.0]}, ?M:evaluate_with_state(N, [2.0], [4.0])),
    ?assertEqual({[3.0, 2.0, 0.0], [0.0]}, ?M:evaluate_with_state(N, [2.0], [])),
    ?assertEqual([3.0, 2.0, 0.0], ?M:evaluate(N, [2.0])).

forward_reference_stateless_test() ->
    N = recurrent_net(),
    %% Node 40 reads 0.0 for node 20's forward reference; cfc state is 0.0:
    %% h20 = 2.0, c30 = 0.5*0 + 0.5*tanh(0) = 0.0, o40 = 2 + 0 + 1 = 3.
    ?assertEqual([3.0, 2.0, 0.0], ?M:evaluate(N, [2.0])),
    %% Stateless: the second call is the same.
    ?assertEqual([3.0, 2.0, 0.0], ?M:evaluate(N, [2.0])).

forward_reference_stateful_test() ->
    N = recurrent_net(),
    ?assertMatch(#{nodes := 4, connections := 5, inputs := 1, outputs := 3,
                   state_size := 2, forward_refs := 1},
                 ?M:network_info(N)),
    %% State = [S30, S40] = [4.0, 3.0]:
    %% h20 = 2 + 10*3 = 32; c30 = 0.5*4 + 0.5*tanh(0) = 2; o40 = 32 + 200 + 1.
    ?assertEqual({[233.0, 32.0, 2.0], [2.0, 233.0]},
                 ?M:evaluate_with_state(N, [2.0], [4.0, 3.0])),
    ?assertEqual({[233.0, 32.0, 2.0], [2.0, 233.0]},
                 ?M:evaluate_with_state(N, f64s([2.0]), f64s([4.0, 3.0]))),
    %% [] means all zeros: the same as evaluate/2.
    ?assertEqual({[3.0, 2.0, 0.0], [0.0, 3.0]}, ?M:evaluate_with_state(N, [2], [])),
    %% Threading the state.
    {_, S1} = ?M:evaluate_with_state(N, [2], []),
    %% h20 = 2 + 30 = 32; c30 = 0; o40 = 32 + 0 + 1 = 33.
    ?assertEqual({[33.0, 32.0, 0.0], [0.0, 33.0]}, ?M:evaluate_with_state(N, [2], S1)),
    %% A state of the wrong length: {[], []}, as a wrong input count.
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [2], [1.0])),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [2], [1.0, 2.0, 3.0])),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [2], <<>>)),
    ?badarg_says(3, "element 2 is not a number", ?M:evaluate_with_state(N, [2], [1.0, x])),
    ?badarg_at(3, ?M:evaluate_with_state(N, [2], not_a_list)),
    %% Wrong input count, but well-formed: {[], []}.
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [], [1.0, 2.0])).

self_loop_test() ->
    Nodes = [{1, input, linear, 0, []},
             {2, output, linear, 0, [{1, 1.0}, {2, 0.5}]}],
    %% Organelles: the self-reference reads 0.0, there is no slot.
    N0 = ?M:compile_network(Nodes, 1, [2]),
    ?assertMatch(#{state_size := 0, forward_refs := 1}, ?M:network_info(N0)),
    ?assertEqual({[1.0], []}, ?M:evaluate_with_state(N0, [1], [])),
    N = ?M:compile_network(Nodes, 1, [2], ?FWD),
    ?assertMatch(#{state_size := 1, forward_refs := 1}, ?M:network_info(N)),
    ?assertEqual([1.0], ?M:evaluate(N, [1])),
    ?assertEqual({[5.0], [5.0]}, ?M:evaluate_with_state(N, [1], [8])),
    ?assertEqual({[3.5], [3.5]}, ?M:evaluate_with_state(N, [1], [5.0])).

%% A reference to an input node reads the current input wherever it stands.
input_listed_late_test() ->
    N = ?M:compile_network(
          [{1, output, linear, 0, [{2, 3.0}]},
           {2, input, linear, 0, []}],
          1, [1, 2]),
    ?assertMatch(#{state_size := 0, forward_refs := 0}, ?M:network_info(N)),
    ?assertEqual([15.0, 5.0], ?M:evaluate(N, [5])),
    ?assertEqual({[15.0, 5.0], []}, ?M:evaluate_with_state(N, [5], [])).

%% Slot order is list order, also when a later slot is read before an earlier.
slot_order_test() ->
    N = ?M:compile_network(
          [{1, input, linear, 0, []},
           {2, hidden, linear, 0, [{4, 1.0}, {3, 10.0}]},
           {3, hidden, linear, 0, [{1, 1.0}]},
           {4, hidden, linear, 0, [{1, 2.0}]}],
          1, [2], ?FWD),
    ?assertMatch(#{state_size := 2, forward_refs := 2}, ?M:network_info(N)),
    %% State [S3, S4] = [1, 100]: node 2 = 100 + 10 = 110; next [x, 2x].
    ?assertEqual({[110.0], [7.0, 14.0]}, ?M:evaluate_with_state(N, [7], [1, 100])).

liquid_nodes_test() ->
    N = ?M:compile_network(
          [{1, input, linear, 0, []},
           {2, {cfc, 1, 1}, tanh, 0.0, [{1, 1.0}]},
           {3, {ltc, 2.0, 1.0}, tanh, 0.5, [{1, 0.5}]}],
          1, [2, 3]),
    %% bytes: 3 nodes (13 each, + 4), 2 connections (12 each), 1 input,
    %% 2 outputs and 2 slots (4 each), 2 liquid nodes (16 each); the plan:
    %% 2 steps and groups (32 each), 2 organelles (8 each), 9 words.
    W = erlang:system_info(wordsize),
    ?assertEqual(#{nodes => 3, connections => 2, inputs => 1, outputs => 2,
                   state_size => 2, forward_refs => 0, liquid_nodes => 2,
                   delay_nodes => 0, leaky_nodes => 0, state_model => organelles,
                   bytes => 38 * W + 39 + 4 + 24 + 20 + 32 + 9 * W + 64 + 16},
                 ?M:network_info(N)),
    %% cfc with x = 0: s = sig(0) = 0.5, h = tanh(0) = 0: value = 0.5 * S.
    %% ltc with x = 0.5*0 + 0.5 = 0.5, T = 2: F = 0.25,
    %% dx/dt = -(0.5 + 0.25) * S + 0.25 * 1; S = 0.5: x = 0.5 - 0.125.
    {[C, L], Next} = ?M:evaluate_with_state(N, [0], [0.8, 0.5]),
    ?assertEqual(0.4, C),
    ?assertEqual(0.5 + 1.0 * ((-(0.5 + 0.25)) * 0.5 + 0.25 * 1.0), L),
    ?assertEqual(0.375, L),
    ?assertEqual([0.4, 0.375], Next),
    %% cfc clamps (0.5 * 10 > 1); ltc from S = -3: -3 + (2.25 + 0.25).
    ?assertEqual({[1.0, -0.5], [1.0, -0.5]},
                 ?M:evaluate_with_state(N, [0], [10.0, -3.0])),
    %% With input 1.0 the cfc node equals the scalar kernel.
    {CfcX, _} = tweann_ref_scalar:evaluate_cfc(1.0, 0.3, 1, 1),
    {LtcX, _} = tweann_ref_scalar:evaluate_ode(1.0, 0.2, 2.0, 1.0, 1.0),
    ?assertEqual({[CfcX, LtcX], [CfcX, LtcX]}, ?M:evaluate_with_state(N, [1], [0.3, 0.2])),
    %% The activation is not applied: stateless, cfc gives 0.5*0 + 0.5*tanh(1).
    [C0, _] = ?M:evaluate(N, [1]),
    F = 1.0 / 1.0,
    S = sig(-F),
    ?assertEqual(S * 0.0 + (1.0 - S) * tweann_ref_math:tanh(1.0), C0).

overflow_test() ->
    N = ?M:compile_network(
          [{1, input, linear, 0, []},
           {2, hidden, linear, 0, [{1, 1.0e200}]},
           {17, output, cubic, 0, [{2, 1.0}]}],
          1, [17]),
    ?assertEqual([1.0], ?M:evaluate(N, [1.0e-200])),
    Cause = tweann_oracle:cause(badarith, fun() -> ?M:evaluate(N, [1.0e200]) end),
    ?assertMatch(#{general := _}, Cause),
    ?assertNotEqual(nomatch, string:find(maps:get(general, Cause), "node 2")),
    Cause2 = tweann_oracle:cause(badarith, fun() -> ?M:evaluate(N, [1.0e100]) end),
    ?assertNotEqual(nomatch, string:find(maps:get(general, Cause2), "node 17")),
    ?assertMatch(#{general := _},
                 tweann_oracle:cause(badarith, fun() -> ?M:evaluate_batch(N, [[1.0], [1.0e100]]) end)),
    ?assertMatch(#{general := _},
                 tweann_oracle:cause(badarith, fun() -> ?M:evaluate_with_state(N, [1.0e100], []) end)).

network_info_test() ->
    Info = ?M:network_info(smooth_net()),
    ?assertEqual(lists:sort([nodes, connections, inputs, outputs, state_size,
                             forward_refs, delay_nodes, leaky_nodes, liquid_nodes,
                             state_model, bytes]),
                 lists:sort(maps:keys(Info))),
    ?assertMatch(#{nodes := 5, connections := 6, inputs := 2, outputs := 2,
                   state_size := 0, forward_refs := 0, delay_nodes := 0, leaky_nodes := 0,
                   liquid_nodes := 0, state_model := organelles}, Info),
    %% The native compiled form: 38 words, then per node, connection, input
    %% and output; its evaluation plan: 9 words and 32 bytes per node of
    %% pass 2 (not an input).
    ?assertEqual(38 * erlang:system_info(wordsize) + 13 * 5 + 4 + 12 * 6 + 4 * (2 + 2)
                 + 9 * erlang:system_info(wordsize) + 32 * 3,
                 maps:get(bytes, Info)),
    ?badarg_says(1, "not a network", ?M:network_info(make_ref())).

evaluate_input_errors_test() ->
    N = xor_net(),
    ?badarg_says(1, "not a network", ?M:evaluate(make_ref(), [1, 2])),
    ?badarg_at(1, ?M:evaluate({tweann_ref_net}, [1, 2])),
    ?badarg_says(2, "element 2 is not a number", ?M:evaluate(N, [1, a])),
    ?badarg_at(2, ?M:evaluate(N, [1 | 2])),
    ?badarg_at(2, ?M:evaluate(N, 3.0)),
    ?badarg_says(2, "multiple of 8", ?M:evaluate(N, <<0:72>>)),
    ?badarg_says(2, "element 1 is not finite", ?M:evaluate(N, <<(nan_native())/binary, 0:64>>)),
    %% Infinity.
    ?badarg_says(2, "element 2 is not finite", ?M:evaluate(N, <<(f64s([1.0]))/binary, (inf_native())/binary>>)),
    %% Malformed beats wrong count.
    ?badarg_at(2, ?M:evaluate(N, [a])),
    ?badarg_at(2, ?M:evaluate(N, [1 bsl 1100, 1])).

evaluate_batch_errors_test() ->
    N = xor_net(),
    ?badarg_says(2, "row 2 element 1 is not a number", ?M:evaluate_batch(N, [[1, 2], [x, 1]])),
    ?badarg_says(2, "row 1 is not a list", ?M:evaluate_batch(N, [foo])),
    ?badarg_at(2, ?M:evaluate_batch(N, [[1, 2] | tail])),
    ?badarg_says(2, "multiple of 16", ?M:evaluate_batch(N, f64s([1, 2, 3]))),
    ?badarg_says(2, "row 2 element 1 is not finite",
                 ?M:evaluate_batch(N, <<(f64s([1, 2]))/binary, (nan_native())/binary, 0:64>>)),
    ?badarg_at(2, ?M:evaluate_batch(N, foo)),
    ?badarg_at(1, ?M:evaluate_batch(foo, [])),
    ?assertEqual([], ?M:evaluate_batch(N, [])),
    ?assertEqual([], ?M:evaluate_batch(N, <<>>)).

compile_errors_test() ->
    In = {1, input, linear, 0, []},
    ?badarg_says(1, "not a proper list", ?M:compile_network([In | x], 1, [])),
    ?badarg_at(1, ?M:compile_network(foo, 0, [])),
    ?badarg_says(1, "element 2 is not a {Index", ?M:compile_network([In, {2, hidden, tanh, 0}], 1, [])),
    ?badarg_at(1, ?M:compile_network([In, foo], 1, [])),
    ?badarg_says(1, "node index -1", ?M:compile_network([{-1, input, linear, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([{1 bsl 32, input, linear, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([{1.0, input, linear, 0, []}], 1, [])),
    %% Largest index is fine.
    ?assertEqual([3.0], ?M:evaluate(?M:compile_network([{(1 bsl 32) - 1, input, linear, 0, []}],
                                                       1, [(1 bsl 32) - 1]), [3])),
    ?badarg_says(1, "duplicate node index 1",
                 ?M:compile_network([In, {1, hidden, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "unknown activation foo in node 7",
                 ?M:compile_network([In, {7, hidden, foo, 0, []}], 1, [])),
    %% Checked even where it is not used.
    ?badarg_says(1, "unknown activation nope in node 1",
                 ?M:compile_network([{1, input, nope, 0, []}], 1, [])),
    ?badarg_says(1, "connection from missing node 12 in node 4",
                 ?M:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0}, {12, 1.0}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 1 is not",
                 ?M:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0, 2}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 2 weight",
                 ?M:compile_network([In, {4, hidden, tanh, 0, [{1, 1.0}, {1, w}]}], 1, [])),
    ?badarg_says(1, "node 4: connection 1 source",
                 ?M:compile_network([In, {4, hidden, tanh, 0, [{a, 1.0}]}], 1, [])),
    ?badarg_says(1, "node 4: connections are not a proper list",
                 ?M:compile_network([In, {4, hidden, tanh, 0, {1, 1.0}}], 1, [])),
    ?badarg_says(1, "node 4: bias",
                 ?M:compile_network([In, {4, hidden, tanh, "0", []}], 1, [])),
    ?badarg_says(1, "node 4: type",
                 ?M:compile_network([In, {4, sensor, tanh, 0, []}], 1, [])),
    %% Any atom but the known kinds is refused (not read as ordinary).
    ?badarg_says(1, "node 4: type standard",
                 ?M:compile_network([In, {4, standard, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "node 4: leaky Tau 0",
                 ?M:compile_network([In, {4, {leaky, 0}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "leaky Tau -2.5",
                 ?M:compile_network([In, {4, {leaky, -2.5}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "leaky Tau x",
                 ?M:compile_network([In, {4, {leaky, x}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([In, {4, {leaky, 1, 1}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([In, {4, {delay}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "Tau", ?M:compile_network([In, {4, {cfc, 0, 1}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "Bound", ?M:compile_network([In, {4, {ltc, 1, 0.0}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([In, {4, {cfc, 1}, tanh, 0, []}], 1, [])),
    ?badarg_at(1, ?M:compile_network([In, {4, {cfc, a, 1}, tanh, 0, []}], 1, [])),
    ?badarg_says(1, "input node 1 has connections",
                 ?M:compile_network([{1, input, linear, 0, [{1, 1.0}]}], 1, [])),
    ?badarg_says(2, "InputCount is 3 but Nodes has 1 input nodes",
                 ?M:compile_network([In], 3, [])),
    ?badarg_says(2, "not a non-negative integer", ?M:compile_network([In], -1, [])),
    ?badarg_at(2, ?M:compile_network([In], 1.0, [])),
    ?badarg_says(3, "element 2: no node with index 9", ?M:compile_network([In], 1, [1, 9])),
    ?badarg_at(3, ?M:compile_network([In], 1, [1 | 1])),
    ?badarg_at(3, ?M:compile_network([In], 1, foo)),
    ?badarg_at(3, ?M:compile_network([In], 1, [x])).

compile_options_test() ->
    Nodes = [{1, input, linear, 0, []}, {2, output, linear, 0, [{1, 1.0}, {2, 1.0}]}],
    ?assertMatch(#{state_model := organelles}, ?M:network_info(?M:compile_network(Nodes, 1, [2], #{}))),
    ?assertMatch(#{state_model := forward_refs, state_size := 1},
                 ?M:network_info(?M:compile_network(Nodes, 1, [2], #{state_model => forward_refs,
                                                                     memory_budget => 4096}))),
    ?badarg_says(4, "state_model must be organelles or forward_refs",
                 ?M:compile_network(Nodes, 1, [2], #{state_model => dxnn})),
    ?badarg_says(4, "unknown option model (known: memory_budget, state_model)",
                 ?M:compile_network(Nodes, 1, [2], #{model => organelles})),
    ?badarg_at(4, ?M:compile_network(Nodes, 1, [2], [{state_model, organelles}])),
    ?assertEqual({default, organelles}, ?M:compile_options(#{})),
    ?assertEqual({64, forward_refs}, ?M:compile_options(#{memory_budget => 64,
                                                           state_model => forward_refs})).

%%====================================================================
%% Organelles (the default state model)

%% neuron, hidden, output and bias are the same ordinary node.
ordinary_kinds_test() ->
    Outs = [?M:evaluate(?M:compile_network([{0, input, linear, 0, []},
                                            {1, Kind, tanh, 0.25, [{0, 0.5}]}], 1, [1]), [1.5])
            || Kind <- [neuron, hidden, output, bias]],
    ?assertEqual([[math:tanh((0.0 + 0.5 * 1.5) + 0.25)]], lists:usort(Outs)).

%% Feeds Xs one per step from an empty state; each step's {Outputs, State}.
trace(N, Xs) ->
    {Steps, _} = lists:mapfoldl(fun(X, S) ->
                                        {Out, S1} = ?M:evaluate_with_state(N, [X], S),
                                        {{Out, S1}, S1}
                                end, [], Xs),
    Steps.

delay_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, delay, tanh, 0.0, [{0, 1.0}]},
                            {2, neuron, linear, 0.0, [{1, 1.0}]}], 1, [2]),
    ?assertMatch(#{state_size := 1, delay_nodes := 1, forward_refs := 0}, ?M:network_info(N)),
    ?assertEqual([{[0.0], [5.0]}, {[5.0], [7.0]}, {[7.0], [9.0]}], trace(N, [5, 7.0, 9.0])),
    %% Stateless: the delay emits 0.0.
    ?assertEqual([0.0], ?M:evaluate(N, [5.0])),
    ?assertEqual([[0.0], [0.0]], ?M:evaluate_batch(N, [[5.0], [6.0]])).

delay_chain_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, delay, linear, 0.0, [{0, 1.0}]},
                            {2, delay, linear, 0.0, [{1, 1.0}]},
                            {3, neuron, linear, 0.0, [{2, 1.0}]}], 1, [3]),
    ?assertEqual([[0.0], [0.0], [1.0], [2.0], [3.0]],
                 [Out || {Out, _} <- trace(N, [1.0, 2.0, 3.0, 4.0, 5.0])]).

%% A node fed back through a delay: a running sum, whichever comes first.
delay_feedback_test() ->
    DelayFirst = [{0, input, linear, 0, []},
                  {1, delay, linear, 0.0, [{2, 1.0}]},
                  {2, neuron, linear, 0.0, [{0, 1.0}, {1, 1.0}]}],
    DelayLast = [hd(DelayFirst), lists:nth(3, DelayFirst), lists:nth(2, DelayFirst)],
    [begin
         N = ?M:compile_network(Nodes, 1, [2]),
         ?assertMatch(#{state_size := 1, forward_refs := 0}, ?M:network_info(N)),
         ?assertEqual([[1.0], [2.0], [3.0], [4.0]],
                      [Out || {Out, _} <- trace(N, [1.0, 1.0, 1.0, 1.0])])
     end || Nodes <- [DelayFirst, DelayLast]].

%% A capture is the weighted sum plus bias (no activation) over the values
%% the step ended with; a delay read by a delay gives its emitted value.
delay_capture_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, delay, sigmoid, 0.5, [{0, 2.0}, {2, 10.0}]},
                            {2, delay, tanh, -1.0, [{0, 1.0}]}], 1, [1, 2]),
    ?assertEqual({[3.0, 4.0], [(0.0 + 2.0 * 1.5 + 10.0 * 4.0) + 0.5, (0.0 + 1.5) - 1.0]},
                 ?M:evaluate_with_state(N, [1.5], [3.0, 4.0])).

leaky_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, {leaky, 2}, tanh, 0.0, [{0, 1.0}]}], 1, [1]),
    ?assertMatch(#{state_size := 1, leaky_nodes := 1}, ?M:network_info(N)),
    ?assertEqual([{[0.5], [0.5]}, {[0.75], [0.75]}, {[0.875], [0.875]}], trace(N, [1, 1, 1])),
    ?assertEqual({[0.7 + (0.3 - 0.7) / 2.0], [0.7 + (0.3 - 0.7) / 2.0]},
                 ?M:evaluate_with_state(N, [0.3], [0.7])).

%% An organelle reading itself reads 0.0 (it has not run in this step); its
%% previous state comes from its slot. Under forward_refs it reads its
%% previous value.
organelle_self_reference_test() ->
    Nodes = [{0, input, linear, 0, []}, {1, {leaky, 4.0}, linear, 0.0, [{0, 1.0}, {1, 1.0}]}],
    ?assertEqual({[6.5], [6.5]}, ?M:evaluate_with_state(?M:compile_network(Nodes, 1, [1]), [2], [8])),
    ?assertEqual({[8.5], [8.5]},
                 ?M:evaluate_with_state(?M:compile_network(Nodes, 1, [1], ?FWD), [2], [8])).

mixed_state_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, delay, linear, 0.0, [{3, 1.0}]},
                            {2, {leaky, 2.0}, linear, 0.0, [{0, 1.0}]},
                            {3, neuron, linear, 0.0, [{0, 0.5}, {1, 0.25}, {2, 0.5}]}], 1, [3]),
    ?assertEqual([{[0.75], [0.75, 0.5]}, {[1.0625], [1.0625, 0.75]}], trace(N, [1, 1])).

%% A CfC node is the scalar kernel threaded over the steps.
cfc_node_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, {cfc, 1.3, 1.0}, sin, 0.0, [{0, 1.0}]}], 1, [1]),
    Xs = [0.7, -0.4, 1.1],
    {ByHand, _} = lists:mapfoldl(fun(X, S) ->
                                         {S1, Out} = tweann_ref_scalar:evaluate_cfc(X, S, 1.3, 1.0),
                                         {[Out], S1}
                                 end, 0.0, Xs),
    ?assertEqual(ByHand, [Out || {Out, _} <- trace(N, Xs)]).

%% A capture that overflows is an error, also when the step is stateless.
capture_overflow_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []},
                            {1, delay, linear, 0.0, [{0, 1.0e300}, {0, 1.0e300}]}], 1, [1]),
    ?assertEqual([0.0], ?M:evaluate(N, [1.0])),
    Cause = tweann_oracle:cause(badarith, fun() -> ?M:evaluate(N, [1.0e10]) end),
    ?assertNotEqual(nomatch, string:find(maps:get(general, Cause), "node 1")),
    ?assertMatch(#{general := _},
                 tweann_oracle:cause(badarith, fun() -> ?M:evaluate_batch(N, [[1.0], [1.0e10]]) end)),
    ?assertMatch(#{general := _},
                 tweann_oracle:cause(badarith,
                                     fun() -> ?M:evaluate_with_state(N, [1.0e10], [0.0]) end)).

%% network_info's bytes: 8 per leaky node, 4 per distinct source of
%% forward references (under either model), as the native form holds; the
%% plan: 32 per node neither input nor delay, 8 per leaky node, 9 words.
organelle_bytes_test() ->
    W = erlang:system_info(wordsize),
    Nodes = [{1, input, linear, 0, []},
             {2, {leaky, 2}, linear, 0, [{1, 1.0}, {3, 1.0}, {3, 2.0}]},
             {3, delay, linear, 0, [{2, 1.0}, {4, 1.0}]},
             {4, neuron, linear, 0, [{4, 1.0}]}],
    %% 4 nodes, 6 connections, 1 input, 1 output; slots: leaky and delay
    %% (+ node 4 under forward_refs); sources read forward: node 4 only (a
    %% delay's connections and reads of a delay are not forward references).
    ?assertMatch(#{forward_refs := 1, state_size := 2, leaky_nodes := 1, delay_nodes := 1,
                   bytes := B} when B =:= 38 * W + 13 * 4 + 4 + 12 * 6 + 4 * (1 + 1 + 2 + 1) + 8
                                      + 9 * W + 32 * 2 + 8,
                 ?M:network_info(?M:compile_network(Nodes, 1, [4]))),
    ?assertMatch(#{forward_refs := 1, state_size := 3,
                   bytes := B} when B =:= 38 * W + 13 * 4 + 4 + 12 * 6 + 4 * (1 + 1 + 3 + 1) + 8
                                      + 9 * W + 32 * 2 + 8,
                 ?M:network_info(?M:compile_network(Nodes, 1, [4], ?FWD))).

wrong_state_length_test() ->
    N = ?M:compile_network([{0, input, linear, 0, []}, {1, delay, linear, 0, [{0, 1}]}], 1, [1]),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [1], [1, 2])),
    ?assertEqual({[], []}, ?M:evaluate_with_state(N, [1, 2], [1])),
    %% Malformed data is still badarg.
    ?badarg_at(3, ?M:evaluate_with_state(N, [1], [1, x])),
    ?badarg_at(3, ?M:evaluate_with_state(N, [1], <<1, 2, 3>>)).

benchmark_evaluate_test() ->
    N = xor_net(),
    T = ?M:benchmark_evaluate(N, [1, 0], 10),
    ?assert(is_float(T) andalso T >= 0.0),
    ?assert(is_float(?M:benchmark_evaluate(N, f64s([1, 0]), 1))),
    ?badarg_says(3, "positive integer", ?M:benchmark_evaluate(N, [1, 0], 0)),
    ?badarg_at(3, ?M:benchmark_evaluate(N, [1, 0], 1.5)),
    ?badarg_at(3, ?M:benchmark_evaluate(N, [1, 0], -3)),
    ?badarg_at(2, ?M:benchmark_evaluate(N, [1, x], 3)),
    ?badarg_at(1, ?M:benchmark_evaluate(nope, [1, 0], 3)).
