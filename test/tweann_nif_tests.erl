%% NIF vs pure Erlang reference: the two implementations must agree bit for
%% bit over generated inputs (random networks under both state models with
%% every activation, forward references, delays, leaky, cfc and ltc nodes and
%% sparse indices; genomes; aggregator inputs),
%% raise the same errors for bad input, and the NIF must be safe to share
%% between processes.
-module(tweann_nif_tests).

-include_lib("eunit/include/eunit.hrl").

-define(ACTS, [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin,
               trinary, multiquadric, quadratic, cubic, absolute, sqrt, log]).

%%--------------------------------------------------------------------
%% Helpers
%%--------------------------------------------------------------------

bits(X) -> tweann_oracle:bits(X).

%% {ok, Bits} or {error, Class, Position} for a call of either backend.
outcome(F) -> tweann_oracle:outcome(F).

%% The public function and its reference twin agree.
agree(Fun, Args) ->
    Nif = outcome(fun() -> apply(tweann_nif, Fun, Args) end),
    Ref = outcome(fun() -> tweann_oracle:call(Fun, Args) end),
    ?assertEqual(Ref, Nif),
    Nif.

uniform(Lo, Hi) -> Lo + rand:uniform() * (Hi - Lo).

pick(L) -> lists:nth(rand:uniform(length(L)), L).

%% A random network spec: NIn inputs interleaved among NHidden other nodes,
%% sparse indices, random kinds/activations/biases, connections to anywhere
%% (backward, forward, self), some integer weights; and a state model.
random_spec() ->
    NIn = rand:uniform(6) - 1,
    NOther = rand:uniform(25),
    Total = NIn + NOther,
    Indices = lists:sublist(shuffle(lists:seq(0, 3 * Total - 1)), Total),
    Kinds = shuffle(lists:duplicate(NIn, input) ++ lists:duplicate(NOther, other)),
    Nodes = [make_node(I, K, Indices) || {I, K} <- lists:zip(Indices, Kinds)],
    Outs = [pick(Indices) || _ <- lists:seq(1, rand:uniform(4))],
    {Nodes, NIn, Outs, pick([organelles, forward_refs])}.

make_node(I, input, _) -> {I, input, pick(?ACTS), 0.0, []};
make_node(I, other, Indices) ->
    Type = case rand:uniform(16) of
               1 -> {cfc, uniform(0.1, 3.0), uniform(0.5, 2.0)};
               2 -> {ltc, uniform(0.1, 3.0), uniform(0.5, 2.0)};
               3 -> bias;
               4 -> output;
               5 -> neuron;
               6 -> delay;
               7 -> {leaky, pick([uniform(0.2, 4.0), 1, 3])};
               _ -> hidden
           end,
    Conns = [{pick(Indices), weight()} || _ <- lists:seq(1, rand:uniform(6) - 1)],
    {I, Type, pick(?ACTS), weight(), Conns}.

weight() ->
    case rand:uniform(8) of
        1 -> rand:uniform(5) - 3;
        _ -> uniform(-2.0, 2.0)
    end.

shuffle(L) -> [X || {_, X} <- lists:sort([{rand:uniform(), X} || X <- L])].

inputs(N) -> [case rand:uniform(6) of 1 -> rand:uniform(3); _ -> uniform(-3.0, 3.0) end
              || _ <- lists:seq(1, N)].

to_bin(L) -> << <<(float(X)):64/float-native>> || X <- L >>.

seed(N) -> rand:seed(exsss, {N, N * 7 + 1, N * 13 + 5}).

%%--------------------------------------------------------------------
%% Loading and facts
%%--------------------------------------------------------------------

loaded_test() ->
    ?assert(tweann_nif:is_loaded()),
    Info = tweann_nif:build_info(),
    ?assertEqual(nif, maps:get(backend, Info)),
    ?assertEqual(<<"x86-64-v2">>, maps:get(target_cpu, Info)).

empty_network_test() ->
    N = tweann_nif:compile_network([], 0, []),
    ?assert(is_reference(N)),
    ?assertEqual([], tweann_nif:evaluate(N, [])),
    ?assertEqual([[], []], tweann_nif:evaluate_batch(N, [[], []])),
    ?assertEqual([], tweann_nif:evaluate_batch(N, <<>>)),
    ?assertEqual({[], []}, tweann_nif:evaluate_with_state(N, [], [])).

xor_test() ->
    Nodes = [{0, input, linear, 0.0, []}, {1, input, linear, 0.0, []},
             {10, hidden, sigmoid, -10.0, [{0, 20.0}, {1, 20.0}]},
             {11, hidden, sigmoid, 30.0, [{0, -20.0}, {1, -20.0}]},
             {20, output, sigmoid, -30.0, [{10, 20.0}, {11, 20.0}]}],
    N = tweann_nif:compile_network(Nodes, 2, [20]),
    Xor = fun(A, B) -> [V] = tweann_nif:evaluate(N, [A, B]), round(V) end,
    ?assertEqual([0, 1, 1, 0], [Xor(0, 0), Xor(1, 0), Xor(0, 1), Xor(1, 1)]),
    ?assertEqual([], tweann_nif:evaluate(N, [1.0])),
    ?assertEqual([], tweann_nif:evaluate(N, [1.0, 2.0, 3.0])).

%%--------------------------------------------------------------------
%% Agreement over generated inputs
%%--------------------------------------------------------------------

networks_agree_test_() ->
    {timeout, 120, fun() ->
        seed(1),
        [agree_network(random_spec()) || _ <- lists:seq(1, 400)]
    end}.

agree_network({Nodes, NIn, Outs, Model}) ->
    {NifNet, RefNet} =
        case Model of
            organelles ->
                {tweann_nif:compile_network(Nodes, NIn, Outs),
                 tweann_ref_network:compile_network(Nodes, NIn, Outs)};
            forward_refs ->
                Opts = #{state_model => Model},
                {tweann_nif:compile_network(Nodes, NIn, Outs, Opts),
                 tweann_ref_network:compile_network(Nodes, NIn, Outs, Opts)}
        end,
    %% network_info/1: the same keys and the same values (bytes included).
    NifInfo = tweann_nif:network_info(NifNet),
    ?assertEqual(NifInfo, tweann_ref_network:network_info(RefNet)),
    ?assertMatch(#{state_model := Model}, NifInfo),
    In = inputs(NIn),
    Single = both(evaluate, NifNet, RefNet, [In]),
    ?assertEqual(Single, both(evaluate, NifNet, RefNet, [to_bin(In)])),
    %% Batches of 0, 1 and many rows (some of the wrong length), as lists
    %% and as one binary; each row equals the single evaluation.
    Rows = [inputs(NIn) || _ <- lists:seq(1, rand:uniform(20))],
    both(evaluate_batch, NifNet, RefNet, [[]]),
    both(evaluate_batch, NifNet, RefNet, [[In]]),
    %% A short row and a row of integers too (floats are charged in runs,
    %% integers one by one).
    Extra = [lists:sublist(In, NIn - 1) || NIn > 0] ++ [[round(X) || X <- In]],
    Mixed = Extra ++ Rows ++ [inputs(NIn + 1), to_bin(In)],
    Batch = both(evaluate_batch, NifNet, RefNet, [Mixed]),
    case Batch of
        {ok, Outs1} ->
            {ok, SingleOut} = Single,
            ?assertEqual(SingleOut, lists:last(Outs1)),
            ?assertEqual([], lists:nth(length(Mixed) - 1, Outs1));
        _ -> ok
    end,
    case NIn > 0 of
        true -> both(evaluate_batch, NifNet, RefNet, [to_bin(lists:append(Rows))]);
        false -> ok
    end,
    %% Three stateful steps, threading the state; a state of the wrong length.
    S = maps:get(state_size, NifInfo),
    ?assertEqual({ok, {[], []}},
                 both(evaluate_with_state, NifNet, RefNet, [In, lists:duplicate(S + 1, 0.5)])),
    lists:foldl(fun(_, State) ->
                        I = inputs(NIn),
                        case both(evaluate_with_state, NifNet, RefNet, [I, State]) of
                            {ok, _} ->
                                {_, Next} = tweann_nif:evaluate_with_state(NifNet, I, State),
                                Next;
                            _ -> State
                        end
                end, [], lists:seq(1, 3)),
    both(evaluate_with_state, NifNet, RefNet, [In, [uniform(-1.0, 1.0) || _ <- lists:seq(1, S)]]).

%% The organelles' worked examples (docs/semantics.md), on the NIF.
organelle_examples_test() ->
    In = {0, input, linear, 0, []},
    Trace = fun(N, Xs) ->
                    {Outs, _} = lists:mapfoldl(
                                  fun(X, S) ->
                                          {O, S1} = tweann_nif:evaluate_with_state(N, [X], S),
                                          {O, S1}
                                  end, [], Xs),
                    Outs
            end,
    Delay = tweann_nif:compile_network([In, {1, delay, tanh, 0, [{0, 1}]},
                                        {2, neuron, linear, 0, [{1, 1}]}], 1, [2]),
    ?assertEqual([[0.0], [5.0], [7.0]], Trace(Delay, [5, 7, 9])),
    ?assertEqual([[0.0], [0.0]], tweann_nif:evaluate_batch(Delay, [[5], [6]])),
    Sum = tweann_nif:compile_network([In, {2, neuron, linear, 0, [{0, 1}, {1, 1}]},
                                      {1, delay, linear, 0, [{2, 1}]}], 1, [2]),
    ?assertEqual([[1.0], [2.0], [3.0], [4.0]], Trace(Sum, [1, 1, 1, 1])),
    Leaky = tweann_nif:compile_network([In, {1, {leaky, 2.0}, linear, 0, [{0, 1}]}], 1, [1]),
    ?assertEqual([[0.5], [0.75], [0.875]], Trace(Leaky, [1, 1, 1])),
    ?assertEqual({[], []}, tweann_nif:evaluate_with_state(Leaky, [1], [0.0, 0.0])),
    ?assertMatch(#{state_size := 1, leaky_nodes := 1, delay_nodes := 0, liquid_nodes := 0,
                   state_model := organelles}, tweann_nif:network_info(Leaky)),
    %% A forward reference: 0.0 under organelles, last step's value under
    %% forward_refs.
    Fwd = [In, {1, neuron, linear, 0, [{0, 1}, {2, 1}]}, {2, neuron, linear, 1, [{1, 2}]}],
    ?assertEqual([[1.0, 3.0], [1.0, 3.0]],
                 Trace(tweann_nif:compile_network(Fwd, 1, [1, 2]), [1, 1])),
    ?assertEqual([[1.0, 3.0], [4.0, 9.0]],
                 Trace(tweann_nif:compile_network(Fwd, 1, [1, 2],
                                                  #{state_model => forward_refs}), [1, 1])).

%% The same call on the NIF network and on the reference network.
both(Fun, NifNet, RefNet, Rest) ->
    Nif = outcome(fun() -> apply(tweann_nif, Fun, [NifNet | Rest]) end),
    Ref = outcome(fun() -> apply(tweann_ref_network, Fun, [RefNet | Rest]) end),
    ?assertEqual(Ref, Nif),
    Nif.

activations_agree_test() ->
    seed(2),
    Xs = [0.0, -0.0, 0.33, -0.33, 10.0, -10.0, 1.0e-300, 3, -7 | [uniform(-50.0, 50.0) || _ <- lists:seq(1, 200)]],
    [agree(activate_batch, [Xs, A]) || A <- ?ACTS],
    [agree(activate_batch, [to_bin(Xs), A]) || A <- ?ACTS].

genomes_agree_test() ->
    seed(3),
    Genome = fun() ->
                     Inn = lists:usort([rand:uniform(80) || _ <- lists:seq(1, rand:uniform(40))]),
                     shuffle([{I, weight()} || I <- Inn])
             end,
    [agree(compatibility_distance, [Genome(), Genome(), uniform(0.0, 3.0), uniform(0.0, 3.0), uniform(0.0, 3.0)])
     || _ <- lists:seq(1, 300)],
    agree(compatibility_distance, [[], [], 1.0, 1.0, 1.0]),
    agree(compatibility_distance, [[], Genome(), 1.0, 2.0, 0.4]),
    agree(compatibility_distance, [Genome(), [], 1, 2, 3]).

%% Genomes in innovation order take the NIF's fast path (each read whole,
%% on the stack up to 256 genes, then on the heap); out of order,
%% duplicated or malformed, its detailed path. Both agree with the reference.
sorted_genomes_agree_test() ->
    seed(13),
    Sorted = fun() ->
                     [{I, weight()} || I <- lists:usort([rand:uniform(60) || _ <- lists:seq(1, rand:uniform(30))])]
             end,
    [begin
         A = Sorted(), B = Sorted(),
         C = [uniform(0.0, 3.0) || _ <- lists:seq(1, 3)],
         agree(compatibility_distance, [A, B | C]),
         agree(compatibility_distance, [B, A | C]),
         agree(compatibility_distance, [A, shuffle(B) | C]),
         agree(compatibility_distance, [A, [] | C])
     end || _ <- lists:seq(1, 200)],
    agree(compatibility_distance, [[{1, 1}, {2, 2.5}], [{2, 1}, {3, 0}], 1, 2, 3]),
    %% lengths around the stack buffer's 256 genes, sorted and not
    Long = fun(N) -> [{I, weight()} || I <- lists:usort([rand:uniform(4 * N) || _ <- lists:seq(1, N)])] end,
    [begin
         A = [{I, weight()} || I <- lists:seq(1, N)],
         B = Long(N),
         agree(compatibility_distance, [A, B, 1.0, 2.0, 0.4]),
         agree(compatibility_distance, [B, A, 1.0, 2.0, 0.4]),
         agree(compatibility_distance, [shuffle(A), B, 1.0, 2.0, 0.4]),
         agree(compatibility_distance, [A, A, 1.0, 2.0, 0.4])
     end || N <- [255, 256, 257, 600]],
    %% a malformed gene past the stack buffer
    ?assertMatch({error, badarg, _},
                 agree(compatibility_distance,
                       [[{I, 0.5} || I <- lists:seq(1, 300)] ++ [{301, x}], [{1, 0.0}], 1, 1, 1])),
    %% errors found after some genes were merged: the same argument and
    %% reason as the reference
    Bad = [[[{1, 0.5}, {2, 0.1}, {2, 0.3}], [{1, 0.0}, {5, 1.0}], 1, 1, 1],
           [[{1, 0.5}, {2, 0.1}], [{1, 0.0}, {5, 1.0}, {3, x}], 1, 1, 1],
           [[{1, 0.5}, {2, 0.1}, {3, x}], [{1, y}], 1, 1, 1],
           [[{1, 0.5}, {2, 0.1} | tail], [{1, 0.0}], 1, 1, 1],
           [[{1, 0.5}, {2, 0.1}], [{1, 0.0}, {-2, 1.0}], 1, 1, 1],
           [[{1, 0.5}, {2, 0.1}], [{1, 0.0}, {2, 1.0}], 1, 1, c]],
    [?assertMatch({error, badarg, _}, agree(compatibility_distance, Args)) || Args <- Bad].

%% The fast paths of the smallest calls hand anything unusual to the
%% detailed path: integers, binaries, lists of different lengths, non-finite
%% values in a binary.
small_calls_agree_test() ->
    seed(14),
    [begin
         S = inputs(N), W = inputs(N), B = pick([weight(), 2]),
         agree(dot_product_flat, [S, W, B]),
         agree(dot_product_flat, [to_bin(S), to_bin(W), B]),
         agree(dot_product_flat, [to_bin(S), W, B]),
         agree(dot_product_flat, [S, to_bin(W), B])
     end || N <- [0, 1, 2, 10, 100, 1000]],
    Inf = <<16#7FF0000000000000:64/native>>,
    [?assertMatch({error, badarg, _}, agree(dot_product_flat, Args))
     || Args <- [[to_bin([1.0, 2.0]), <<(to_bin([1.0]))/binary, Inf/binary>>, 0.0],
                 [to_bin([1.0, 2.0]), to_bin([1.0]), 0.0],
                 [<<1, 2, 3>>, <<1, 2, 3>>, 0.0],
                 [[1.0, 2.0], [1.0, 2.0 | 3.0], 0.0],
                 [[1.0, 2.0], [1.0, 2.0, 3.0], 0.0]]],
    ?assertMatch({error, badarith, _}, agree(dot_product_flat, [[1.0e300], [1.0e300], 0.0])),
    [agree(F, Args) || {F, Args} <- [{evaluate_cfc, [1, 0, 2, 1]}, {evaluate_cfc, [0.5, -1, 0, 0.0]},
                                     {evaluate_cfc, [1 bsl 62, 0.5, 1.5, 1.0]},
                                     {evaluate_ode, [1, 0, 2, 1, 1]},
                                     {evaluate_ode, [0.5, 0.2, 1.0, 1.0, 0]}]],
    [?assertMatch({error, _, _}, agree(F, Args))
     || {F, Args} <- [{evaluate_cfc, [1.0, 0.0, 1.0, -0.5]}, {evaluate_ode, [1.0, 0.0, 1.0, 1.0, a]},
                      {evaluate_ode, [1.0, 1.0e308, 1.0e-9, 1.0e308, 1.0e308]}]].

aggregators_agree_test() ->
    seed(4),
    [begin
         Sources = [{make_ref(), rand:uniform(8) - 1} || _ <- lists:seq(1, rand:uniform(5))],
         Signals = [{Id, inputs(N)} || {Id, N} <- Sources],
         Weighted = [{Id, [{weight(), 0.0, 0.1, []} || _ <- lists:seq(1, N)]} || {Id, N} <- Sources],
         Bias = [{bias, [{weight(), 0.0, 0.1, []}]}],
         agree(dot_product, [Signals, Weighted]),
         agree(dot_product, [Signals, Weighted ++ Bias]),
         agree(flatten_weights, [Weighted ++ Bias]),
         S = inputs(rand:uniform(30) - 1),
         W = inputs(length(S)),
         B = weight(),
         agree(dot_product_flat, [S, W, B]),
         agree(dot_product_batch, [[{S, W, B}, {W, S, 0}, {[], [], B}]])
     end || _ <- lists:seq(1, 200)].

scalar_liquid_agree_test() ->
    seed(5),
    [begin
         In = uniform(-5.0, 5.0), St = uniform(-2.0, 2.0),
         Tau = pick([uniform(0.0, 3.0), 0.0005, 1]), Bound = uniform(0.0, 3.0),
         Dt = uniform(0.0, 1.0),
         Bw = inputs(rand:uniform(4) - 1), Hw = inputs(rand:uniform(4) - 1),
         agree(evaluate_cfc, [In, St, Tau, Bound]),
         agree(evaluate_cfc_with_weights, [In, St, Tau, Bound, Bw, Hw]),
         agree(evaluate_ode, [In, St, Tau, Bound, Dt]),
         agree(evaluate_ode_with_weights, [In, St, Tau, Bound, Dt, Bw, Hw]),
         agree(evaluate_cfc_batch, [inputs(rand:uniform(20) - 1), St, Tau, Bound])
     end || _ <- lists:seq(1, 300)],
    agree(evaluate_cfc, [1.0, 0.5, 1.0, 0]),
    agree(evaluate_ode, [-1.0, 0.5, 1.0, 0, 0.1]).

%%--------------------------------------------------------------------
%% Bad input: badarg with error_info naming the argument; same as reference
%%--------------------------------------------------------------------

bad_input_test_() ->
    Net = [{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 1.0}]}],
    Cases =
        [%% compile_network
         {compile_network, [not_a_list, 0, []], 1},
         {compile_network, [[{0, input, linear, 0, []} | tail], 1, []], 1},
         {compile_network, [[{0, input, linear}], 1, []], 1},
         {compile_network, [[{0, input, softmax, 0, []}], 1, []], 1},
         {compile_network, [[{0, hidden, tanh, 0, [{7, 1.0}]}], 0, []], 1},
         {compile_network, [[{0, input, tanh, 0, []}, {0, hidden, tanh, 0, []}], 1, []], 1},
         {compile_network, [[{-1, input, tanh, 0, []}], 1, []], 1},
         {compile_network, [[{1 bsl 70, input, tanh, 0, []}], 1, []], 1},
         {compile_network, [[{0, input, tanh, 0, [{0, 1.0}]}], 1, []], 1},
         {compile_network, [[{0, hidden, tanh, foo, []}], 0, []], 1},
         {compile_network, [[{0, hidden, tanh, 0, [{0, "w"}]}], 0, []], 1},
         {compile_network, [[{0, {cfc, 0, 1}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {ltc, 1, -1}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, standard, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {leaky, 0}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {leaky, -1.5}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {leaky, "1"}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {leaky, 1, 1}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {delay, 1}, tanh, 0, []}], 0, []], 1},
         {compile_network, [[{0, {neuron}, tanh, 0, []}], 0, []], 1},
         {compile_network, [Net, 1, [1], #{state_model => dxnn}], 4},
         {compile_network, [Net, 1, [1], #{state_model => organelles, x => 1}], 4},
         {compile_network, [Net, 2, [1]], 2},
         {compile_network, [Net, -1, [1]], 2},
         {compile_network, [Net, 1, [5]], 3},
         {compile_network, [Net, 1, [a]], 3},
         {compile_network, [Net, 1, [1 | 2]], 3},
         %% scalar kernels
         {evaluate_cfc, [a, 0, 1, 1], 1},
         {evaluate_cfc, [0, "s", 1, 1], 2},
         {evaluate_cfc, [0, 0, 1, -1], 4},
         {evaluate_ode, [0, 0, 1, 1, x], 5},
         {evaluate_cfc_with_weights, [0, 0, 1, 1, [a], []], 5},
         {evaluate_ode_with_weights, [0, 0, 1, 1, 1, [], [1 | 2]], 7},
         {evaluate_cfc_batch, [[1, x], 0, 1, 1], 1},
         %% aggregation
         {dot_product_flat, [[1, 2], [1], 0], 2},
         {dot_product_flat, [[1, a], [1, 2], 0], 1},
         {dot_product_flat, [[1], [1], b], 3},
         {dot_product_flat, [<<1, 2, 3>>, [1], 0], 1},
         {dot_product, [[{a, [1]}], [{b, [1]}]], 2},
         {dot_product, [[{a, [1]}], []], 2},
         {dot_product, [[{a, [1, 2]}], [{a, [1]}]], 2},
         {dot_product, [[{a, [1]}], [{a, [1]}, {bias, [1, 2]}]], 2},
         {dot_product, [[{a, [x]}], [{a, [1]}]], 1},
         {dot_product_batch, [[{[1], [1]}]], 1},
         {flatten_weights, [[{a, [x]}]], 1},
         {activate_batch, [[1.0], softmax], 2},
         {activate_batch, [[1.0 | x], tanh], 1},
         {compatibility_distance, [[{1, 0.5}, {1, 0.2}], [], 1, 1, 1], 1},
         {compatibility_distance, [[], [{-1, 0.5}], 1, 1, 1], 2},
         {compatibility_distance, [[], [], a, 1, 1], 3},
         {compatibility_distance, [[], [], 1, 1, "c"], 5}],
    [{lists:flatten(io_lib:format("~p ~p", [F, A])),
      fun() ->
              {error, badarg, Pos} = Nif = outcome(fun() -> apply(tweann_nif, F, A) end),
              ?assertEqual(ExpectedPos, Pos),
              ?assertEqual(outcome(fun() -> tweann_oracle:call(F, A) end), Nif)
      end} || {F, A, ExpectedPos} <- Cases].

bad_network_args_test() ->
    N = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 1.0}, {1, 0.5}]}], 1, [1]),
    Bad = [{evaluate, [make_ref(), [1]], 1},
           {evaluate, [N, not_a_list], 2},
           {evaluate, [N, [a]], 2},
           {evaluate, [N, <<1, 2, 3>>], 2},
           {evaluate, [N, <<16#7FF8000000000000:64/native>>], 2},
           {evaluate_batch, [N, [[1], [x]]], 2},
           {evaluate_batch, [N, [[1] | y]], 2},
           {evaluate_with_state, [N, [1], [x]], 3},
           {evaluate_with_state, [N, [1], [1 | 2]], 3},
           {benchmark_evaluate, [N, [1], 0], 3},
           {network_info, [self()], 1}],
    [?assertMatch({{error, badarg, P}, P}, {outcome(fun() -> apply(tweann_nif, F, A) end), P}) || {F, A, P} <- Bad],
    %% The messages say why, through the shell's formatter.
    try tweann_nif:evaluate_with_state(N, [1], [1, x]) of
        _ -> ?assert(false)
    catch error:badarg:St ->
            #{3 := Msg} = tweann_error:format_error(badarg, St),
            ?assertMatch({match, _}, re:run(Msg, "element 2"))
    end,
    %% Well-formed data of the wrong length: {[], []} (no state slot here).
    ?assertEqual({[], []}, tweann_nif:evaluate_with_state(N, [1], [1, 2])),
    ?assertEqual({[], []}, tweann_nif:evaluate_with_state(N, [1, 2], [])).

overflow_test() ->
    N = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, cubic, 0, [{0, 1.0e200}]}], 1, [1]),
    ?assertError(badarith, tweann_nif:evaluate(N, [1.0])),
    ?assertError(badarith, tweann_nif:evaluate_batch(N, [[0.0], [1.0]])),
    ?assertEqual([0.0], tweann_nif:evaluate(N, [0.0])).

%% The shell prints the public function once, with the argument and the
%% reason: the error is raised from tweann_nif itself (no extra frame of a
%% helper, no duplicated `in call from').
shell_message_test() ->
    N = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, input, linear, 0, []},
                                    {2, output, tanh, 0, [{0, 1.0}, {1, 1.0}]}], 2, [2]),
    Messages =
        [begin
             {'EXIT', {badarg, St}} = catch Call(),
             [{tweann_nif, F, _, _} | Rest] = St,
             ?assertNotMatch([{tweann_nif, F, _, _} | _], Rest),
             lists:flatten(erl_error:format_exception(error, badarg, St))
         end || {F, Call} <- [{evaluate, fun() -> tweann_nif:evaluate(N, [1, a]) end},
                              {evaluate, fun() -> [_] = tweann_nif:evaluate(N, [1, a]), ok end}]],
    [begin
         ?assertNotEqual(nomatch, string:find(Msg, "tweann_nif:evaluate/2")),
         ?assertEqual(nomatch, string:find(Msg, "in call from tweann_nif:")),
         ?assertNotEqual(nomatch, string:find(Msg, "argument 2: "))
     end || Msg <- Messages].

%% The activation table of the reference is the native one, tag by tag.
activation_table_test() ->
    ?assertEqual(tweann_ref_activation:activations(),
                 maps:get(activations, tweann_nif:build_info())).

%%--------------------------------------------------------------------
%% Sharing and scheduling
%%--------------------------------------------------------------------

concurrent_evaluation_test_() ->
    {timeout, 60, fun() ->
        seed(6),
        {Nodes, NIn, Outs, _} = random_spec(),
        Net = tweann_nif:compile_network(Nodes, NIn, Outs),
        Inputs = [inputs(NIn) || _ <- lists:seq(1, 20)],
        Expected = [outcome(fun() -> tweann_ref_network:evaluate(tweann_ref_network:compile_network(Nodes, NIn, Outs), I) end)
                    || I <- Inputs],
        Parent = self(),
        Pids = [spawn_link(fun() ->
                                   Got = [[outcome(fun() -> tweann_nif:evaluate(Net, I) end) || I <- Inputs]
                                          || _ <- lists:seq(1, 50)],
                                   Parent ! {self(), lists:usort(Got)}
                           end) || _ <- lists:seq(1, 100)],
        [receive {P, Got} -> ?assertEqual([Expected], Got) end || P <- Pids]
    end}.

large_work_goes_dirty_test_() ->
    {timeout, 60, fun() ->
        %% A 2000-node chain with 100 000 connections: evaluate hands over to
        %% the dirty entry point and still agrees with the reference.
        seed(7),
        Nodes = [{0, input, linear, 0, []} |
                 [{I, hidden, tanh, 0.01, [{rand:uniform(I) - 1, uniform(-0.1, 0.1)} || _ <- lists:seq(1, 50)]}
                  || I <- lists:seq(1, 2000)]],
        Nif = tweann_nif:compile_network(Nodes, 1, [2000, 1000]),
        Ref = tweann_ref_network:compile_network(Nodes, 1, [2000, 1000]),
        ?assertMatch(#{connections := 100000}, tweann_nif:network_info(Nif)),
        ?assertEqual(bits(tweann_ref_network:evaluate(Ref, [0.5])), bits(tweann_nif:evaluate(Nif, [0.5]))),
        Batch = [[uniform(-1.0, 1.0)] || _ <- lists:seq(1, 50)],
        ?assertEqual(bits(tweann_ref_network:evaluate_batch(Ref, Batch)), bits(tweann_nif:evaluate_batch(Nif, Batch))),
        %% The same network's native benchmark loop reports a positive time.
        ?assert(tweann_nif:benchmark_evaluate(Nif, [0.5], 3) > 0.0)
    end}.

memory_stats_track_resources_test() ->
    %% The counts are global: garbage of earlier tests (in other processes)
    %% must be gone before this one counts.
    #{networks := N0} = tweann_reliability_lib:settled([networks]),
    Nets = [tweann_nif:compile_network([{0, input, linear, 0, []}], 1, [0]) || _ <- lists:seq(1, 10)],
    #{networks := N1, network_bytes := B1} = tweann_nif:memory_stats(),
    ?assertEqual(N0 + 10, N1),
    ?assert(B1 > 0),
    _ = [tweann_nif:evaluate(N, [1]) || N <- Nets],
    Pid = spawn(fun() -> [tweann_nif:compile_network([], 0, []) || _ <- lists:seq(1, 5)], ok end),
    Ref = monitor(process, Pid),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    %% The dead process's 5 networks are released (the VM may do it after
    %% the 'DOWN'); the 10 still referenced here are not.
    ?assertMatch(#{networks := N1},
                 tweann_reliability_lib:await_stats(fun(#{networks := N}) -> N =:= N1 end)),
    %% Nets is still live here, so the 10 networks above were not collected.
    ?assertEqual(10, length([N || N <- Nets, is_reference(N)])).

memory_budget_test() ->
    Nodes = [{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.1} || _ <- lists:seq(1, 5000)]}],
    try tweann_nif:compile_network(Nodes, 1, [1], #{memory_budget => 4096}) of
        _ -> ?assert(false)
    catch error:badarg:St ->
            #{general := Msg} = tweann_error:format_error(badarg, St),
            ?assertMatch({match, _}, re:run(Msg, "memory budget of 4096 bytes"))
    end,
    ?assert(is_reference(tweann_nif:compile_network(Nodes, 1, [1], #{memory_budget => 1 bsl 20}))),
    Old = tweann_nif:set_memory_budget(4096),
    try
        ?assertError(badarg, tweann_nif:compile_network(Nodes, 1, [1]))
    after
        tweann_nif:set_memory_budget(Old)
    end,
    ?assert(is_reference(tweann_nif:compile_network(Nodes, 1, [1]))),
    ?assertError(badarg, tweann_nif:set_memory_budget(0)),
    ?assertError(badarg, tweann_nif:compile_network(Nodes, 1, [1], not_a_map)),
    try tweann_nif:compile_network(Nodes, 1, [1], #{memory_budjet => 1 bsl 20}) of
        _ -> ?assert(false)
    catch error:badarg:St2 ->
            %% A deep io_lib:format/2 reason prints as text.
            ?assertEqual(#{4 => "unknown option memory_budjet (known: memory_budget, state_model)"},
                         tweann_error:format_error(badarg, St2))
    end,
    ?assertError(badarg, tweann_nif:compile_network(Nodes, 1, [1], #{memory_budget => -1})).

batch_memory_budget_test() ->
    N = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 1.0}]}], 1, [1]),
    Batch = [[float(I)] || I <- lists:seq(1, 1000)],
    Old = tweann_nif:set_memory_budget(4096),
    try
        try tweann_nif:evaluate_batch(N, Batch) of
            _ -> ?assert(false)
        catch error:badarg:St ->
                #{general := Msg} = tweann_error:format_error(badarg, St),
                %% The need counts the rows, the outputs, the lanes and the
                %% result terms (docs/reliability.md): at least 16128 bytes.
                {match, [Need]} = re:run(Msg, "1000 rows.* needs (\\d+) bytes, over the memory budget of 4096",
                                         [{capture, all_but_first, list}]),
                ?assert(list_to_integer(Need) >= 16128)
        end,
        ?assertEqual([[tweann_ref_math:tanh(1.0)]], tweann_nif:evaluate_batch(N, [[1.0]]))
    after
        tweann_nif:set_memory_budget(Old)
    end,
    ?assertEqual(1000, length(tweann_nif:evaluate_batch(N, Batch))).
