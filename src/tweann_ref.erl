%% @doc Pure Erlang reference implementation of the tweann_nif API.
%%
%% This module implements every function of {@link tweann_nif} in plain
%% Erlang, following `docs/semantics.md' (the contract both implementations
%% keep) to the letter, including the order of floating-point operations, so
%% that its results are bit-identical to the Rust NIF's. It serves three
%% purposes:
%%
%% <ul>
%% <li>the test oracle the NIF is checked against;</li>
%% <li>the benchmark baseline (so it is written to be reasonably fast: a
%%     compiled network is flat lists and chunked tuples, no maps);</li>
%% <li>the explicit, never silent, fallback backend for hosts without the
%%     native library (`{tweann_nif, [{backend, erlang}]}').</li>
%% </ul>
%%
%% A network compiled here is an ordinary Erlang term (see {@link network()}),
%% not a NIF resource; it can only be used with this module.
%%
%% Bad arguments raise `error:badarg' with EEP 54 error_info through
%% {@link tweann_error}, naming the argument and the reason. Arithmetic
%% overflow (a result that would not be finite) raises `error:badarith' with
%% error_info; during network evaluation it names the node.
%%
%% API groups:
%% <ul>
%% <li>Networks: {@link compile_network/3}, {@link evaluate/2},
%%     {@link evaluate_batch/2}, {@link evaluate_with_state/3},
%%     {@link network_info/1}, {@link benchmark_evaluate/3}.</li>
%% <li>Signal aggregation: {@link dot_product/2}, {@link dot_product_flat/3},
%%     {@link dot_product_batch/1}, {@link flatten_weights/1},
%%     {@link activate_batch/2}, {@link activate/2}.</li>
%% <li>NEAT: {@link compatibility_distance/5}.</li>
%% <li>Scalar liquid kernels: {@link evaluate_cfc/4},
%%     {@link evaluate_cfc_with_weights/6}, {@link evaluate_ode/5},
%%     {@link evaluate_ode_with_weights/7}, {@link evaluate_cfc_batch/4}.</li>
%% <li>Liquid cells (delegated to {@link tweann_ref_cells}):
%%     {@link cfc_cell/2}, {@link ltc_cell/2}, {@link cfc_population/2},
%%     {@link ltc_population/2}, {@link cell_step/4}, {@link cell_sequence/4},
%%     {@link cell_info/1}.</li>
%% <li>faber-tweann's weight kernels (delegated to {@link tweann_ref_weights}):
%%     {@link mutate_weights/4}, {@link mutate_weights_seeded/5},
%%     {@link mutate_weights_batch/1}, {@link mutate_weights_batch_uniform/4},
%%     {@link random_weights/1}, {@link random_weights_seeded/2},
%%     {@link random_weights_gaussian/3}, {@link random_weights_batch/1},
%%     {@link weight_distance_l1/2}, {@link weight_distance_l2/2},
%%     {@link weight_distance_batch/3}, {@link dot_product_preflattened/3};
%%     their CfC population (delegated to {@link tweann_ref_cfcpop}):
%%     {@link compile_cfc_pop/6}, {@link cfc_pop_step/3}.</li>
%% <li>Facts: {@link memory_stats/0}, {@link build_info/0},
%%     {@link is_loaded/0}, {@link impl/0}.</li>
%% </ul>
-module(tweann_ref).

-define(BUDGET_KEY, {?MODULE, memory_budget}).
-define(DEFAULT_BUDGET, 1073741824).

-export([compile_network/3, evaluate/2, evaluate_batch/2,
         evaluate_with_state/3, network_info/1, benchmark_evaluate/3,
         dot_product/2, dot_product_flat/3, dot_product_batch/1,
         flatten_weights/1, activate_batch/2, activate/2,
         compatibility_distance/5,
         evaluate_cfc/4, evaluate_cfc_with_weights/6,
         evaluate_ode/5, evaluate_ode_with_weights/7, evaluate_cfc_batch/4,
         memory_stats/0, set_memory_budget/1, build_info/0, is_loaded/0]).
%% Layer-level liquid cells: implemented in tweann_ref_cells.
-export([cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_step/4, cell_sequence/4, cell_info/1]).
%% faber-tweann's weight kernels and CfC population: implemented in
%% tweann_ref_weights and tweann_ref_cfcpop (see the end of this module).
-export([mutate_weights/4, mutate_weights_seeded/5, mutate_weights_batch/1,
         mutate_weights_batch_seeded/2, mutate_weights_batch_uniform/4,
         mutate_weights_batch_uniform_seeded/5, random_weights/1, random_weights_seeded/2,
         random_weights_gaussian/3, random_weights_gaussian_seeded/4, random_weights_batch/1,
         random_weights_batch_seeded/2, weight_distance_l1/2, weight_distance_l2/2,
         weight_distance_batch/3, dot_product_preflattened/3, compile_cfc_pop/6,
         cfc_pop_step/3, impl/0]).

-export_type([network/0, activation/0, node_type/0, network_node/0,
              input_data/0, weight_spec/0]).

%%====================================================================
%% TYPES
%%====================================================================

%% Values of one evaluation live in a tuple of chunks of ?CHUNK floats: a
%% node update copies one chunk and the (short) outer tuple, not every value.
-define(CHUNK, 32).
-define(MAX_INDEX, 16#FFFFFFFF).

-record(tweann_ref_net, {
    input_count :: non_neg_integer(),
    %% One entry per node position: in | slot | zero (initial value source).
    template :: [in | slot | zero],
    %% Non-input nodes in list order.
    program :: [{non_neg_integer(), pos_integer(), pos_integer(), op(),
                 float(), [{pos_integer(), pos_integer(), float()}]}],
    outputs :: [{pos_integer(), pos_integer()}],
    slots :: [{pos_integer(), pos_integer()}],
    state_size :: non_neg_integer(),
    info :: #{atom() => non_neg_integer()}
}).

-type op() :: activation() | {cfc | ltc, float(), float()}.
-type hilo() :: {pos_integer(), pos_integer()}.
-type values() :: tuple().
-type program_node() :: {non_neg_integer(), pos_integer(), pos_integer(), op(), float(),
                         [{pos_integer(), pos_integer(), float()}]}.
-type parsed_node() :: {non_neg_integer(), input | hidden | output | bias | {cfc | ltc, float(), float()},
                        activation(), float(), [{integer(), float()}]}.
-type ctx() :: top | {row, pos_integer()}.

-opaque network() :: #tweann_ref_net{}.
%% A compiled network: an Erlang term, only meaningful to this module.

-type activation() :: tanh | sigmoid | sigmoid1 | sin | cos | gaussian
                    | linear | relu | sgn | bin | trinary | multiquadric
                    | quadratic | cubic | absolute | sqrt | log.
-type node_type() :: input | hidden | output | bias
                   | {cfc, number(), number()} | {ltc, number(), number()}.
-type network_node() :: {non_neg_integer(), node_type(), activation(),
                         number(), [{non_neg_integer(), number()}]}.
-type input_data() :: [number()] | binary().
%% A list of numbers, or a binary of native-endian finite f64 values.
-type weight_spec() :: number() | tuple().
%% A number, or a tuple whose first element is a number (`{W, DW, LR, P}').

%%====================================================================
%% Error plumbing
%%====================================================================

%% Every public function runs its body under ?API: internal code throws
%% {?MODULE, Error} and the public function re-raises it with error_info.
-define(API(Args, Body),
        try Body
        catch
            throw:{?MODULE, Err__} -> fail(?FUNCTION_NAME, Args, Err__);
            error:badarith ->
                fail(?FUNCTION_NAME, Args,
                     {badarith, "arithmetic overflow: a result is not finite"})
        end).

-spec fail(atom(), [term()], {badarg, tweann_error:position(), iodata()}
                             | {badarith, iodata()}) -> no_return().
fail(F, Args, {badarg, Pos, Why}) ->
    tweann_error:raise(?MODULE, F, Args, Pos, lists:flatten(Why));
fail(F, Args, {badarith, Why}) ->
    tweann_error:raise(badarith, ?MODULE, F, Args, general, lists:flatten(Why)).

-spec bad(tweann_error:position(), string(), [term()]) -> no_return().
bad(Pos, Fmt, Args) ->
    throw({?MODULE, {badarg, Pos, io_lib:format(Fmt, Args)}}).

-spec bad(tweann_error:position(), string()) -> no_return().
bad(Pos, Msg) ->
    throw({?MODULE, {badarg, Pos, Msg}}).

%%====================================================================
%% PUBLIC API: networks
%%====================================================================

%% @doc Compile a network description into a term {@link evaluate/2} runs.
%%
%% `Nodes' is `[{Index, Type, Activation, Bias, [{FromIndex, Weight}]}]' in
%% evaluation order, `InputCount' the number of `input' nodes and
%% `OutputIndices' the node indices whose values are returned, in order.
%% See `docs/semantics.md' for every rule.
-spec compile_network(Nodes :: [network_node()], InputCount :: non_neg_integer(),
                      OutputIndices :: [non_neg_integer()]) -> network().
compile_network(Nodes, InputCount, OutputIndices) ->
    ?API([Nodes, InputCount, OutputIndices],
         compile(Nodes, InputCount, OutputIndices)).

%% @doc Evaluate one step of a compiled network (forward references read 0.0).
%%
%% Returns the output values, or `[]' when the number of inputs differs from
%% the network's `InputCount'.
-spec evaluate(Network :: network(), Inputs :: input_data()) -> [float()].
evaluate(Network, Inputs) ->
    ?API([Network, Inputs],
         begin
             Net = check_net(Network),
             Xs = input_data(Inputs, 2, top),
             eval_outputs(Net, Xs)
         end).

%% @doc Evaluate a network on each row of `Batch'.
%%
%% `Batch' is a list of rows (lists of numbers or binaries) or one binary
%% holding all rows back to back. Row i's result equals
%% `evaluate(Network, Row_i)'; a row of the wrong length gives `[]'.
-spec evaluate_batch(Network :: network(), Batch :: [input_data()] | binary()) ->
          [[float()]].
evaluate_batch(Network, Batch) ->
    ?API([Network, Batch],
         begin
             Net = check_net(Network),
             Rows = batch_rows(Batch, Net#tweann_ref_net.input_count),
             [eval_outputs(Net, Row) || Row <- Rows]
         end).

%% @doc Evaluate one step of a stateful network.
%%
%% `State' is `[]' (all zeros) or exactly `state_size' numbers (list or
%% binary) in slot order. Returns `{Outputs, NextState}', or `{[], []}' when
%% the number of inputs is wrong.
-spec evaluate_with_state(Network :: network(), Inputs :: input_data(),
                          State :: input_data()) -> {[float()], [float()]}.
evaluate_with_state(Network, Inputs, State) ->
    ?API([Network, Inputs, State],
         begin
             Net = check_net(Network),
             Xs = input_data(Inputs, 2, top),
             S = state_data(State, Net#tweann_ref_net.state_size),
             case length(Xs) =:= Net#tweann_ref_net.input_count of
                 true ->
                     Vals = run(Net, Xs, S),
                     {read(Net#tweann_ref_net.outputs, Vals),
                      read(Net#tweann_ref_net.slots, Vals)};
                 false ->
                     {[], []}
             end
         end).

%% @doc Facts about a compiled network: `#{nodes, connections, inputs,
%% outputs, state_size, forward_refs, bytes}' (`bytes' is the term's size).
-spec network_info(Network :: network()) -> #{atom() => non_neg_integer()}.
network_info(Network) ->
    ?API([Network],
         begin
             Net = check_net(Network),
             Bytes = erts_debug:flat_size(Net) * erlang:system_info(wordsize),
             maps:put(bytes, Bytes, Net#tweann_ref_net.info)
         end).

%% @doc Evaluate `Iterations' times and return the mean microseconds per
%% evaluation (each iteration includes decoding `Inputs', as the NIF's does).
-spec benchmark_evaluate(Network :: network(), Inputs :: input_data(),
                         Iterations :: pos_integer()) -> float().
benchmark_evaluate(Network, Inputs, Iterations) ->
    ?API([Network, Inputs, Iterations],
         begin
             Net = check_net(Network),
             _ = input_data(Inputs, 2, top),
             is_integer(Iterations) andalso Iterations > 0 orelse
                 bad(3, "not a positive integer"),
             T0 = erlang:monotonic_time(nanosecond),
             bench_loop(Net, Inputs, Iterations),
             T1 = erlang:monotonic_time(nanosecond),
             (T1 - T0) / 1000 / Iterations
         end).

-spec bench_loop(network(), input_data(), non_neg_integer()) -> ok.
bench_loop(_Net, _Inputs, 0) ->
    ok;
bench_loop(Net, Inputs, N) ->
    _ = eval_outputs(Net, input_data(Inputs, 2, top)),
    bench_loop(Net, Inputs, N - 1).

%%====================================================================
%% PUBLIC API: signal aggregation
%%====================================================================

%% @doc DXNN2 signal aggregation: the dot product of `[{SourceId, [Signal]}]'
%% with `[{SourceId, [WeightSpec]}]', plus an optional trailing
%% `{bias, [BiasSpec]}'. Entries pair up by position with equal source ids.
-spec dot_product(InputSignals :: [{term(), [number()]}],
                  WeightedInputs :: [{term(), [weight_spec()]}]) -> float().
dot_product(InputSignals, WeightedInputs) ->
    ?API([InputSignals, WeightedInputs],
         begin
             Signals = signal_entries(InputSignals),
             Weighted = weighted_entries(WeightedInputs, 2),
             {Pairs, Bias} = pair_entries(Signals, Weighted, 1),
             Acc = dot_pairs(Pairs, 0.0),
             case Bias of
                 none -> Acc;
                 B -> Acc + B
             end
         end).

%% @doc `Bias + sum(Signals[i] * Weights[i])', summed left to right from 0.0.
-spec dot_product_flat(Signals :: [number()], Weights :: [number()],
                       Bias :: number()) -> float().
dot_product_flat(Signals, Weights, Bias) ->
    ?API([Signals, Weights, Bias],
         begin
             {Ss, Ws, B} = flat_args(Signals, Weights, Bias, top),
             dot_flat(Ss, Ws, 0.0) + B
         end).

%% @doc {@link dot_product_flat/3} over a list of `{Signals, Weights, Bias}'.
-spec dot_product_batch(Items :: [{[number()], [number()], number()}]) -> [float()].
dot_product_batch(Items) ->
    ?API([Items],
         begin
             Args = map_list(fun(Item, I) -> flat_item(Item, I) end, Items, 1,
                             {"not a proper list", []}),
             [dot_flat(Ss, Ws, 0.0) + B || {Ss, Ws, B} <- Args]
         end).

%% @doc All weights of `[{SourceId, [WeightSpec]}]' as floats, in order, and
%% each entry's weight count: `{Weights, Counts}'.
-spec flatten_weights(WeightedInputs :: [{term(), [weight_spec()]}]) ->
          {[float()], [non_neg_integer()]}.
flatten_weights(WeightedInputs) ->
    ?API([WeightedInputs],
         begin
             Entries = weighted_entries(WeightedInputs, 1),
             {lists:append([Ws || {_, Ws} <- Entries]),
              [length(Ws) || {_, Ws} <- Entries]}
         end).

%% @doc Apply `Activation' to every value (a list of numbers or a binary).
-spec activate_batch(Values :: input_data(), Activation :: activation()) -> [float()].
activate_batch(Values, Activation) ->
    ?API([Values, Activation],
         begin
             Xs = input_data(Values, 1, top),
             is_activation(Activation) orelse
                 bad(2, "unknown activation ~tp", [Activation]),
             [act(Activation, X) || X <- Xs]
         end).

%% @doc Apply one activation function to one number (see the table in
%% `docs/semantics.md').
-spec activate(Activation :: activation(), X :: number()) -> float().
activate(Activation, X) ->
    ?API([Activation, X],
         begin
             is_activation(Activation) orelse
                 bad(1, "unknown activation ~tp", [Activation]),
             act(Activation, number(X, 2))
         end).

%%====================================================================
%% PUBLIC API: NEAT
%%====================================================================

%% @doc NEAT compatibility distance
%% `((C1 * E) / N + (C2 * D) / N) + C3 * Wbar' between two genomes of
%% `{Innovation, Weight}' genes. A sorted merge; inputs not sorted by
%% innovation are sorted first.
-spec compatibility_distance(GenesA :: [{non_neg_integer(), number()}],
                             GenesB :: [{non_neg_integer(), number()}],
                             C1 :: number(), C2 :: number(), C3 :: number()) ->
          float().
compatibility_distance(GenesA, GenesB, C1, C2, C3) ->
    ?API([GenesA, GenesB, C1, C2, C3],
         begin
             {A, LenA} = genes(GenesA, 1),
             {B, LenB} = genes(GenesB, 2),
             K1 = number(C1, 3),
             K2 = number(C2, 4),
             K3 = number(C3, 5),
             {E, D, M, SumW} =
                 case {A, B} of
                     {[], _} -> {LenB, 0, 0, 0.0};
                     {_, []} -> {LenA, 0, 0, 0.0};
                     _ ->
                         {MaxA, _} = lists:last(A),
                         {MaxB, _} = lists:last(B),
                         merge(A, B, min(MaxA, MaxB), 0, 0, 0, 0.0)
                 end,
             N = float(max(max(LenA, LenB), 1)),
             Wbar = case M of
                        0 -> 0.0;
                        _ -> SumW / float(M)
                    end,
             ((K1 * float(E)) / N + (K2 * float(D)) / N) + K3 * Wbar
         end).

%%====================================================================
%% PUBLIC API: scalar liquid kernels
%%====================================================================

%% @doc One closed-form continuous-time (CfC) step of a single neuron:
%% returns `{NewState, Output}' (equal). `Bound' must be >= 0.
-spec evaluate_cfc(Input :: number(), State :: number(), Tau :: number(),
                   Bound :: number()) -> {float(), float()}.
evaluate_cfc(Input, State, Tau, Bound) ->
    ?API([Input, State, Tau, Bound],
         begin
             {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
             X = cfc(In, S, T, Bd, [], []),
             {X, X}
         end).

%% @doc {@link evaluate_cfc/4} with backbone and head weights (lists of
%% numbers; `[]' means none).
-spec evaluate_cfc_with_weights(Input :: number(), State :: number(),
                                Tau :: number(), Bound :: number(),
                                BackboneWeights :: [number()],
                                HeadWeights :: [number()]) -> {float(), float()}.
evaluate_cfc_with_weights(Input, State, Tau, Bound, BackboneWeights, HeadWeights) ->
    ?API([Input, State, Tau, Bound, BackboneWeights, HeadWeights],
         begin
             {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
             BW = number_list(BackboneWeights, 5),
             HW = number_list(HeadWeights, 6),
             X = cfc(In, S, T, Bd, BW, HW),
             {X, X}
         end).

%% @doc One explicit Euler step (of size `Dt') of the liquid time-constant
%% ODE of a single neuron: returns `{NewState, Output}'.
-spec evaluate_ode(Input :: number(), State :: number(), Tau :: number(),
                   Bound :: number(), Dt :: number()) -> {float(), float()}.
evaluate_ode(Input, State, Tau, Bound, Dt) ->
    ?API([Input, State, Tau, Bound, Dt],
         begin
             {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
             ode(In, S, T, Bd, number(Dt, 5), [], [])
         end).

%% @doc {@link evaluate_ode/5} with backbone and head weights; with head
%% weights the output is the head applied to the new state.
-spec evaluate_ode_with_weights(Input :: number(), State :: number(),
                                Tau :: number(), Bound :: number(), Dt :: number(),
                                BackboneWeights :: [number()],
                                HeadWeights :: [number()]) -> {float(), float()}.
evaluate_ode_with_weights(Input, State, Tau, Bound, Dt, BackboneWeights, HeadWeights) ->
    ?API([Input, State, Tau, Bound, Dt, BackboneWeights, HeadWeights],
         begin
             {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
             DtF = number(Dt, 5),
             BW = number_list(BackboneWeights, 6),
             HW = number_list(HeadWeights, 7),
             ode(In, S, T, Bd, DtF, BW, HW)
         end).

%% @doc Fold {@link evaluate_cfc/4} over `Inputs', threading the state from
%% `State0'; returns `[{State, Output}]', one per input, in order.
-spec evaluate_cfc_batch(Inputs :: [number()], State0 :: number(), Tau :: number(),
                         Bound :: number()) -> [{float(), float()}].
evaluate_cfc_batch(Inputs, State0, Tau, Bound) ->
    ?API([Inputs, State0, Tau, Bound],
         begin
             Xs = number_list(Inputs, 1),
             S0 = number(State0, 2),
             T = tau(number(Tau, 3)),
             Bd = bound(Bound, 4),
             cfc_fold(Xs, S0, T, Bd)
         end).

-spec cfc_fold([float()], float(), float(), float()) -> [{float(), float()}].
cfc_fold([], _S, _T, _Bd) ->
    [];
cfc_fold([In | Rest], S, T, Bd) ->
    X = cfc(In, S, T, Bd, [], []),
    [{X, X} | cfc_fold(Rest, X, T, Bd)].

%%====================================================================
%% PUBLIC API: facts
%%====================================================================

%% @doc Live native resources: always zero, the reference holds none.
-spec memory_stats() -> #{networks := 0, network_bytes := 0, cells := 0,
                          cell_bytes := 0, memory_budget := pos_integer()}.
memory_stats() ->
    #{networks => 0, network_bytes => 0, cells => 0, cell_bytes => 0,
      memory_budget => persistent_term:get(?BUDGET_KEY, ?DEFAULT_BUDGET)}.

%% @doc Record the memory budget (`default' restores 1 GiB) and return the
%% previous one, as {@link tweann_nif:set_memory_budget/1} does. The
%% reference allocates ordinary Erlang terms and does not enforce it.
-spec set_memory_budget(pos_integer() | default) -> pos_integer().
set_memory_budget(default) ->
    set_memory_budget(?DEFAULT_BUDGET);
set_memory_budget(Bytes) when is_integer(Bytes), Bytes > 0 ->
    Old = persistent_term:get(?BUDGET_KEY, ?DEFAULT_BUDGET),
    persistent_term:put(?BUDGET_KEY, Bytes),
    Old;
set_memory_budget(Other) ->
    tweann_error:raise(?MODULE, set_memory_budget, [Other], 1,
                       "the memory budget must be a positive integer (bytes) or default").

%% @doc Build facts: `backend => erlang', the application version, and no
%% NIF version or target CPU.
-spec build_info() -> #{backend := erlang, version := string(),
                        nif_version := none, target_cpu := none}.
build_info() ->
    Vsn = case application:get_key(tweann_nif, vsn) of
              {ok, V} -> V;
              undefined -> "0.1.0"
          end,
    #{backend => erlang, version => Vsn, nif_version => none, target_cpu => none}.

%% @doc Always `false': this module is not the native library.
-spec is_loaded() -> false.
is_loaded() ->
    false.

%% @doc A CfC cell: see {@link tweann_ref_cells:cfc_cell/2}.
-spec cfc_cell(tweann_ref_cells:cfc_config(), [number()] | binary()) -> tweann_ref_cells:cell().
cfc_cell(Config, Params) -> tweann_ref_cells:cfc_cell(Config, Params).

%% @doc An LTC cell: see {@link tweann_ref_cells:ltc_cell/2}.
-spec ltc_cell(tweann_ref_cells:ltc_config(), [number()] | binary()) -> tweann_ref_cells:cell().
ltc_cell(Config, Params) -> tweann_ref_cells:ltc_cell(Config, Params).

%% @doc A CfC population: see {@link tweann_ref_cells:cfc_population/2}.
-spec cfc_population(tweann_ref_cells:cfc_config(), [[number()] | binary()]) -> tweann_ref_cells:population().
cfc_population(Config, Params) -> tweann_ref_cells:cfc_population(Config, Params).

%% @doc An LTC population: see {@link tweann_ref_cells:ltc_population/2}.
-spec ltc_population(tweann_ref_cells:ltc_config(), [[number()] | binary()]) -> tweann_ref_cells:population().
ltc_population(Config, Params) -> tweann_ref_cells:ltc_population(Config, Params).

%% @doc One step of a cell or population: see {@link tweann_ref_cells:cell_step/4}.
-spec cell_step(tweann_ref_cells:cell() | tweann_ref_cells:population(), [tweann_ref_cells:vector()],
                [tweann_ref_cells:vector()], number() | [number()]) -> {[[float()]], [[float()]]}.
cell_step(Cell, Inputs, States, Dts) -> tweann_ref_cells:cell_step(Cell, Inputs, States, Dts).

%% @doc A batch of sequences: see {@link tweann_ref_cells:cell_sequence/4}.
-spec cell_sequence(tweann_ref_cells:cell() | tweann_ref_cells:population(), [[tweann_ref_cells:vector()]],
                    [tweann_ref_cells:vector()], number() | [[number()] | binary()]) ->
          {[[[float()]]], [[float()]]}.
cell_sequence(Cell, Seqs, States0, Dts) -> tweann_ref_cells:cell_sequence(Cell, Seqs, States0, Dts).

%% @doc Facts about a cell or population: see {@link tweann_ref_cells:cell_info/1}.
-spec cell_info(tweann_ref_cells:cell() | tweann_ref_cells:population()) -> #{atom() => term()}.
cell_info(Cell) -> tweann_ref_cells:cell_info(Cell).

%%====================================================================
%% PRIVATE: compiling
%%====================================================================

-spec compile(term(), term(), term()) -> network().
compile(Nodes, InputCount, OutputIndices) ->
    Parsed = map_list(fun parse_node/2, Nodes, 1, {"not a proper list of nodes", []}),
    Pos = index_positions(Parsed, 0, #{}),
    is_integer(InputCount) andalso InputCount >= 0 orelse
        bad(2, "not a non-negative integer"),
    NIn = length([x || {_, input, _, _, _} <- Parsed]),
    NIn =:= InputCount orelse
        bad(2, "InputCount is ~b but Nodes has ~b input nodes", [InputCount, NIn]),
    OutPos = map_list(fun(I, K) -> output_pos(I, K, Pos) end, OutputIndices, 3,
                      {"not a proper list", []}),
    IsInput = maps:from_list([{P, true} || {P, {_, input, _, _, _}}
                                               <- lists:enumerate(0, Parsed)]),
    %% Resolve connections; find forward references.
    {Program, Forward, NConns, NFwd} =
        resolve(Parsed, 0, Pos, IsInput, [], #{}, 0, 0),
    Template = [template(P, Type, Forward)
                || {P, {_, Type, _, _, _}} <- lists:enumerate(0, Parsed)],
    Slots = [hilo(P) || {P, slot} <- lists:enumerate(0, Template)],
    StateSize = length(Slots),
    #tweann_ref_net{
       input_count = NIn,
       template = Template,
       program = Program,
       outputs = OutPos,
       slots = Slots,
       state_size = StateSize,
       info = #{nodes => length(Parsed), connections => NConns,
                inputs => NIn, outputs => length(OutPos),
                state_size => StateSize, forward_refs => NFwd}}.

-spec parse_node(term(), pos_integer()) -> parsed_node().
parse_node({Index, Type, Act, Bias, Conns}, K) ->
    is_integer(Index) andalso Index >= 0 andalso Index =< ?MAX_INDEX orelse
        bad(1, "element ~b: node index ~tp is not an integer in 0..4294967295",
            [K, Index]),
    T = node_type(Type, Index),
    is_activation(Act) orelse
        bad(1, "unknown activation ~tp in node ~b", [Act, Index]),
    B = case to_float(Bias) of
            false -> bad(1, "node ~b: bias ~tp is not a number", [Index, Bias]);
            F -> F
        end,
    Cs = map_list(fun(C, J) -> parse_conn(C, J, Index) end, Conns, 1,
                  {"node ~b: connections are not a proper list", [Index]}),
    T =:= input andalso Cs =/= [] andalso
        bad(1, "input node ~b has connections", [Index]),
    {Index, T, Act, B, Cs};
parse_node(_, K) ->
    bad(1, "element ~b is not a {Index, Type, Activation, Bias, Conns} tuple", [K]).

-spec node_type(term(), non_neg_integer()) ->
          input | hidden | output | bias | {cfc | ltc, float(), float()}.
node_type(Type, _Index) when Type =:= input; Type =:= hidden; Type =:= output;
                             Type =:= bias ->
    Type;
node_type({Kind, Tau, Bound}, Index) when Kind =:= cfc; Kind =:= ltc ->
    T = to_float(Tau),
    is_float(T) andalso T > 0.0 orelse
        bad(1, "node ~b: ~s Tau ~tp is not a number > 0", [Index, Kind, Tau]),
    B = to_float(Bound),
    is_float(B) andalso B > 0.0 orelse
        bad(1, "node ~b: ~s Bound ~tp is not a number > 0", [Index, Kind, Bound]),
    {Kind, tau(T), B};
node_type(Type, Index) ->
    bad(1, "node ~b: type ~tp is not input, hidden, output, bias, "
        "{cfc, Tau, Bound} or {ltc, Tau, Bound}", [Index, Type]).

-spec parse_conn(term(), pos_integer(), non_neg_integer()) -> {integer(), float()}.
parse_conn({From, W}, J, Index) ->
    is_integer(From) orelse
        bad(1, "node ~b: connection ~b source ~tp is not a node index", [Index, J, From]),
    case to_float(W) of
        false -> bad(1, "node ~b: connection ~b weight ~tp is not a number",
                     [Index, J, W]);
        F -> {From, F}
    end;
parse_conn(_, J, Index) ->
    bad(1, "node ~b: connection ~b is not a {FromIndex, Weight} tuple", [Index, J]).

-spec index_positions([parsed_node()], non_neg_integer(),
                      #{non_neg_integer() => non_neg_integer()}) ->
          #{non_neg_integer() => non_neg_integer()}.
index_positions([], _P, Acc) ->
    Acc;
index_positions([{Index, _, _, _, _} | Rest], P, Acc) ->
    is_map_key(Index, Acc) andalso bad(1, "duplicate node index ~b", [Index]),
    index_positions(Rest, P + 1, Acc#{Index => P}).

-spec output_pos(term(), pos_integer(), #{non_neg_integer() => non_neg_integer()}) ->
          hilo().
output_pos(I, K, Pos) ->
    case Pos of
        #{I := P} -> hilo(P);
        _ -> bad(3, "element ~b: no node with index ~tp", [K, I])
    end.

-spec resolve([parsed_node()], non_neg_integer(), #{integer() => non_neg_integer()},
              #{non_neg_integer() => true}, [program_node()],
              #{non_neg_integer() => true}, non_neg_integer(), non_neg_integer()) ->
          {[program_node()], #{non_neg_integer() => true}, non_neg_integer(),
           non_neg_integer()}.
resolve([], _P, _Pos, _IsInput, Prog, Fwd, NC, NF) ->
    {lists:reverse(Prog), Fwd, NC, NF};
resolve([{_Index, input, _, _, _} | Rest], P, Pos, IsInput, Prog, Fwd, NC, NF) ->
    resolve(Rest, P + 1, Pos, IsInput, Prog, Fwd, NC, NF);
resolve([{Index, Type, Act, Bias, Conns} | Rest], P, Pos, IsInput, Prog, Fwd0, NC, NF0) ->
    {RevCs, Fwd, NF} =
        lists:foldl(
          fun({From, W}, {Acc, F, N}) ->
                  Q = case Pos of
                          #{From := Q0} -> Q0;
                          _ -> bad(1, "connection from missing node ~b in node ~b",
                                   [From, Index])
                      end,
                  {Hi, Lo} = hilo(Q),
                  case Q >= P andalso not is_map_key(Q, IsInput) of
                      true -> {[{Hi, Lo, W} | Acc], F#{Q => true}, N + 1};
                      false -> {[{Hi, Lo, W} | Acc], F, N}
                  end
          end, {[], Fwd0, NF0}, Conns),
    Cs = lists:reverse(RevCs),
    Op = case Type of
             {_, _, _} -> Type;
             _ -> Act
         end,
    {Hi, Lo} = hilo(P),
    resolve(Rest, P + 1, Pos, IsInput, [{Index, Hi, Lo, Op, Bias, Cs} | Prog], Fwd,
            NC + length(Cs), NF).

-spec template(non_neg_integer(), term(), #{non_neg_integer() => true}) ->
          in | slot | zero.
template(_P, input, _Forward) -> in;
template(_P, {_, _, _}, _Forward) -> slot;
template(P, _Type, Forward) when is_map_key(P, Forward) -> slot;
template(_P, _Type, _Forward) -> zero.

-spec hilo(non_neg_integer()) -> hilo().
hilo(P) ->
    {P div ?CHUNK + 1, P rem ?CHUNK + 1}.

%%====================================================================
%% PRIVATE: evaluating
%%====================================================================

-spec check_net(term()) -> network().
check_net(#tweann_ref_net{} = Net) -> Net;
check_net(_) -> bad(1, "not a network compiled by tweann_ref:compile_network/3").

-spec eval_outputs(network(), [float()]) -> [float()].
eval_outputs(#tweann_ref_net{input_count = NIn, outputs = Outs} = Net, Xs) ->
    case length(Xs) =:= NIn of
        true -> read(Outs, run(Net, Xs, zeros));
        false -> []
    end.

%% Initial values, then every non-input node in order.
-spec run(network(), [float()], zeros | [float()]) -> values().
run(#tweann_ref_net{template = Template, program = Program}, Xs, State) ->
    Vals = list_to_tuple(chunks(initial(Template, Xs, State))),
    step(Program, Vals).

-spec initial([in | slot | zero], [float()], zeros | [float()]) -> [float()].
initial([in | T], [X | Xs], S) -> [X | initial(T, Xs, S)];
initial([zero | T], Xs, S) -> [0.0 | initial(T, Xs, S)];
initial([slot | T], Xs, zeros) -> [0.0 | initial(T, Xs, zeros)];
initial([slot | T], Xs, [V | Vs]) -> [V | initial(T, Xs, Vs)];
initial([], _Xs, _S) -> [].

-spec chunks([float()]) -> [tuple()].
chunks([]) -> [];
chunks(L) -> take(?CHUNK, L, []).

-spec take(non_neg_integer(), [float()], [float()]) -> [tuple()].
take(0, Rest, Acc) -> [list_to_tuple(lists:reverse(Acc)) | chunks(Rest)];
take(_, [], Acc) -> [list_to_tuple(lists:reverse(Acc))];
take(N, [X | Rest], Acc) -> take(N - 1, Rest, [X | Acc]).

-spec step([program_node()], values()) -> values().
step([], Vals) ->
    Vals;
step([{Index, Hi, Lo, Op, Bias, Conns} | Rest], Vals) ->
    V = try node_value(Op, Bias, Conns, Vals, Hi, Lo)
        catch error:badarith -> overflow(Index)
        end,
    step(Rest, setelement(Hi, Vals, setelement(Lo, element(Hi, Vals), V))).

-spec node_value(op(), float(), [{pos_integer(), pos_integer(), float()}], values(),
                 pos_integer(), pos_integer()) -> float().
node_value(Op, Bias, Conns, Vals, Hi, Lo) ->
    X = sum(Conns, Vals, 0.0) + Bias,
    case Op of
        {cfc, T, Bound} -> cfc(X, element(Lo, element(Hi, Vals)), T, Bound, [], []);
        {ltc, T, Bound} ->
            {Y, _} = ode(X, element(Lo, element(Hi, Vals)), T, Bound, 1.0, [], []),
            Y;
        Act -> act(Act, X)
    end.

-spec sum([{pos_integer(), pos_integer(), float()}], values(), float()) -> float().
sum([], _Vals, Acc) ->
    Acc;
sum([{Hi, Lo, W} | Rest], Vals, Acc) ->
    sum(Rest, Vals, Acc + W * element(Lo, element(Hi, Vals))).

-spec overflow(non_neg_integer()) -> no_return().
overflow(Index) ->
    throw({?MODULE, {badarith,
                     io_lib:format("arithmetic overflow in node ~b: its value is not finite",
                                   [Index])}}).

-spec read([hilo()], values()) -> [float()].
read(Positions, Vals) ->
    [element(Lo, element(Hi, Vals)) || {Hi, Lo} <- Positions].

-spec batch_rows(term(), non_neg_integer()) -> [[float()]].
batch_rows(Batch, _NIn) when is_list(Batch) ->
    map_list(fun(Row, I) -> input_data(Row, 2, {row, I}) end, Batch, 2,
             {"not a proper list of rows or a binary", []});
batch_rows(Batch, 0) when is_binary(Batch) ->
    Batch =:= <<>> orelse
        bad(2, "the network has no inputs, so only <<>> is a valid binary batch"),
    [];
batch_rows(Batch, NIn) when is_binary(Batch) ->
    RowBytes = 8 * NIn,
    byte_size(Batch) rem RowBytes =:= 0 orelse
        bad(2, "binary size ~b is not a multiple of ~b (8 * InputCount)",
            [byte_size(Batch), RowBytes]),
    split_rows(Batch, RowBytes, 1);
batch_rows(_Batch, _NIn) ->
    bad(2, "not a list of rows or a binary").

-spec split_rows(binary(), pos_integer(), pos_integer()) -> [[float()]].
split_rows(<<>>, _RowBytes, _I) ->
    [];
split_rows(Bin, RowBytes, I) ->
    <<Row:RowBytes/binary, Rest/binary>> = Bin,
    [input_data(Row, 2, {row, I}) | split_rows(Rest, RowBytes, I + 1)].

-spec state_data(term(), non_neg_integer()) -> zeros | [float()].
state_data([], _Size) ->
    zeros;
state_data(State, Size) ->
    S = input_data(State, 3, top),
    length(S) =:= Size orelse
        bad(3, "State has ~b values but the network has ~b state slots",
            [length(S), Size]),
    S.

%%====================================================================
%% PRIVATE: argument decoding
%%====================================================================

%% A number as a float, or false.
-spec to_float(term()) -> float() | false.
to_float(X) when is_float(X) -> X;
to_float(X) when is_integer(X) ->
    try float(X) catch error:badarg -> false end;
to_float(_) -> false.

-spec number(term(), pos_integer()) -> float().
number(X, Pos) ->
    case to_float(X) of
        false when is_integer(X) -> bad(Pos, "integer out of float range");
        false -> bad(Pos, "not a number");
        F -> F
    end.

%% A proper list of numbers as floats (argument Pos).
-spec number_list(term(), pos_integer()) -> [float()].
number_list(L, Pos) ->
    list_floats(L, Pos, top, 1).

%% Input data: a proper list of numbers or a binary of finite f64.
-spec input_data(term(), pos_integer(), ctx()) -> [float()].
input_data(L, Pos, Ctx) when is_list(L) ->
    list_floats(L, Pos, Ctx, 1);
input_data(B, Pos, Ctx) when is_binary(B) ->
    byte_size(B) rem 8 =:= 0 orelse
        bad(Pos, "~tsbinary size ~b is not a multiple of 8", [ctx(Ctx), byte_size(B)]),
    bin_floats(B, Pos, Ctx, 1);
input_data(_, Pos, top) ->
    bad(Pos, "not a list of numbers or a binary");
input_data(_, Pos, Ctx) ->
    bad(Pos, "~tsis not a list of numbers or a binary", [ctx(Ctx)]).

-spec list_floats(term(), pos_integer(), ctx(), pos_integer()) -> [float()].
list_floats([X | Rest], Pos, Ctx, I) ->
    case to_float(X) of
        false when is_integer(X) ->
            bad(Pos, "~tselement ~b is an integer out of float range", [ctx(Ctx), I]);
        false ->
            bad(Pos, "~tselement ~b is not a number", [ctx(Ctx), I]);
        F ->
            [F | list_floats(Rest, Pos, Ctx, I + 1)]
    end;
list_floats([], _Pos, _Ctx, _I) ->
    [];
list_floats(_, Pos, Ctx, _I) ->
    bad(Pos, "~tsnot a proper list", [ctx(Ctx)]).

-spec bin_floats(binary(), pos_integer(), ctx(), pos_integer()) -> [float()].
bin_floats(<<X:64/float-native, Rest/binary>>, Pos, Ctx, I) ->
    [X | bin_floats(Rest, Pos, Ctx, I + 1)];
bin_floats(<<>>, _Pos, _Ctx, _I) ->
    [];
bin_floats(_, Pos, Ctx, I) ->
    bad(Pos, "~tselement ~b is not finite (NaN or infinity)", [ctx(Ctx), I]).

-spec ctx(ctx()) -> io_lib:chars().
ctx(top) -> "";
ctx({row, I}) -> io_lib:format("row ~b ", [I]).

%% Map F(Elem, K) over a proper list (K = 1-based position); Pos and
%% {Fmt, Args} explain the error when it is not a proper list.
-spec map_list(fun((term(), pos_integer()) -> T), term(), pos_integer(),
               {string(), [term()]}) -> [T].
map_list(F, L, Pos, Msg) ->
    map_list(F, L, 1, Pos, Msg).

-spec map_list(fun((term(), pos_integer()) -> T), term(), pos_integer(),
               pos_integer(), {string(), [term()]}) -> [T].
map_list(F, [X | Rest], K, Pos, Msg) -> [F(X, K) | map_list(F, Rest, K + 1, Pos, Msg)];
map_list(_F, [], _K, _Pos, _Msg) -> [];
map_list(_F, _, _K, Pos, {Fmt, Args}) -> bad(Pos, Fmt, Args).

-spec scalar_args(term(), term(), term(), term()) -> {float(), float(), float(), float()}.
scalar_args(Input, State, Tau, Bound) ->
    In = number(Input, 1),
    S = number(State, 2),
    T = tau(number(Tau, 3)),
    {In, S, T, bound(Bound, 4)}.

-spec tau(float()) -> float().
tau(Tau) -> max(Tau, 0.001).

-spec bound(term(), pos_integer()) -> float().
bound(Bound, Pos) ->
    case to_float(Bound) of
        B when is_float(B), B >= 0.0 -> B;
        _ -> bad(Pos, "not a number >= 0")
    end.

%% dot_product entries.
-spec signal_entries(term()) -> [{term(), [float()]}].
signal_entries(L) ->
    map_list(fun({Id, Ss}, K) ->
                     {Id, list_or(Ss, fun to_float/1, 1,
                                  "element ~b: signal ~b is not a number", K)};
                (_, K) ->
                     bad(1, "element ~b is not a {SourceId, [Signal]} tuple", [K])
             end, L, 1, {"not a proper list", []}).

-spec weighted_entries(term(), pos_integer()) -> [{term(), [float()]}].
weighted_entries(L, Pos) ->
    map_list(fun({Id, Ws}, K) ->
                     {Id, list_or(Ws, fun spec/1, Pos,
                                  "element ~b: weight ~b is not a number or a tuple "
                                  "starting with a number", K)};
                (_, K) ->
                     bad(Pos, "element ~b is not a {SourceId, [WeightSpec]} tuple", [K])
             end, L, Pos, {"not a proper list", []}).

%% Convert the elements of a proper list with Conv (false = bad element).
-spec list_or(term(), fun((term()) -> float() | false), pos_integer(), string(),
              pos_integer()) -> [float()].
list_or(L, Conv, Pos, Fmt, K) ->
    list_or(L, Conv, Pos, Fmt, K, 1).

-spec list_or(term(), fun((term()) -> float() | false), pos_integer(), string(),
              pos_integer(), pos_integer()) -> [float()].
list_or([X | Rest], Conv, Pos, Fmt, K, J) ->
    case Conv(X) of
        false -> bad(Pos, Fmt, [K, J]);
        F -> [F | list_or(Rest, Conv, Pos, Fmt, K, J + 1)]
    end;
list_or([], _Conv, _Pos, _Fmt, _K, _J) ->
    [];
list_or(_, _Conv, Pos, _Fmt, K, _J) ->
    bad(Pos, "element ~b: the list is not a proper list", [K]).

-spec spec(term()) -> float() | false.
spec(W) when is_tuple(W), tuple_size(W) >= 1 -> to_float(element(1, W));
spec(W) -> to_float(W).

-spec pair_entries([{term(), [float()]}], [{term(), [float()]}], pos_integer()) ->
          {[{[float()], [float()]}], none | float()}.
pair_entries([], [], _K) ->
    {[], none};
pair_entries([], [{bias, [B]}], _K) ->
    {[], B};
pair_entries([], [{bias, Bs}], K) ->
    bad(2, "element ~b: the bias entry holds ~b weights, not exactly one",
        [K, length(Bs)]);
pair_entries([], [_ | _], K) ->
    bad(2, "element ~b has no matching entry in argument 1", [K]);
pair_entries([_ | _], [], K) ->
    bad(2, "has ~b entries, fewer than argument 1", [K - 1]);
pair_entries([{Id, Ss} | SRest], [{Id2, Ws} | WRest], K) ->
    Id =:= Id2 orelse
        bad(2, "element ~b: source id ~tp differs from ~tp in argument 1", [K, Id2, Id]),
    length(Ss) =:= length(Ws) orelse
        bad(2, "element ~b: ~b weights for ~b signals", [K, length(Ws), length(Ss)]),
    {Pairs, Bias} = pair_entries(SRest, WRest, K + 1),
    {[{Ss, Ws} | Pairs], Bias}.

-spec dot_pairs([{[float()], [float()]}], float()) -> float().
dot_pairs([], Acc) ->
    Acc;
dot_pairs([{Ss, Ws} | Rest], Acc) ->
    dot_pairs(Rest, dot_flat(Ss, Ws, Acc)).

-spec dot_flat([float()], [float()], float()) -> float().
dot_flat([S | Ss], [W | Ws], Acc) ->
    dot_flat(Ss, Ws, Acc + S * W);
dot_flat([], [], Acc) ->
    Acc.

-spec flat_item(term(), pos_integer()) -> {[float()], [float()], float()}.
flat_item({Signals, Weights, Bias}, I) ->
    flat_args(Signals, Weights, Bias, {item, I});
flat_item(_, I) ->
    bad(1, "element ~b is not a {Signals, Weights, Bias} tuple", [I]).

-spec flat_args(term(), term(), term(), top | {item, pos_integer()}) ->
          {[float()], [float()], float()}.
flat_args(Signals, Weights, Bias, Ctx) ->
    Ss = flat_list(Signals, 1, Ctx),
    Ws = flat_list(Weights, 2, Ctx),
    length(Ss) =:= length(Ws) orelse
        flat_bad(Ctx, 2, io_lib:format("has ~b elements but the signals have ~b",
                                       [length(Ws), length(Ss)])),
    B = case to_float(Bias) of
            false -> flat_bad(Ctx, 3, "is not a number");
            F -> F
        end,
    {Ss, Ws, B}.

-spec flat_list(term(), 1..2, top | {item, pos_integer()}) -> [float()].
flat_list(L, Arg, Ctx) ->
    try
        number_list(L, Arg)
    catch
        throw:{?MODULE, {badarg, _, Msg}} when Ctx =/= top ->
            flat_bad(Ctx, Arg, Msg)
    end.

-spec flat_bad(top | {item, pos_integer()}, 1..3, iodata()) -> no_return().
flat_bad(top, Arg, Msg) ->
    bad(Arg, Msg);
flat_bad({item, I}, Arg, Msg) ->
    Field = element(Arg, {"signals", "weights", "bias"}),
    bad(1, "element ~b: ~s: ~ts", [I, Field, Msg]).

%% compatibility_distance genes: {SortedGenes, Length}.
-spec genes(term(), pos_integer()) -> {[{non_neg_integer(), float()}], non_neg_integer()}.
genes(L, Pos) ->
    Genes = map_list(fun({Inn, W}, K) ->
                             is_integer(Inn) andalso Inn >= 0 orelse
                                 bad(Pos, "element ~b: innovation ~tp is not a "
                                     "non-negative integer", [K, Inn]),
                             case to_float(W) of
                                 false -> bad(Pos, "element ~b: weight ~tp is not a number",
                                              [K, W]);
                                 F -> {Inn, F}
                             end;
                        (_, K) ->
                             bad(Pos, "element ~b is not an {Innovation, Weight} tuple", [K])
                     end, L, Pos, {"not a proper list", []}),
    Sorted = case strictly_ascending(Genes) of
                 true -> Genes;
                 false ->
                     S = lists:keysort(1, Genes),
                     case first_duplicate(S) of
                         none -> S;
                         Inn -> bad(Pos, "duplicate innovation ~b", [Inn])
                     end
             end,
    {Sorted, length(Genes)}.

-spec strictly_ascending([{non_neg_integer(), float()}]) -> boolean().
strictly_ascending([{A, _} | [{B, _} | _] = Rest]) when A < B -> strictly_ascending(Rest);
strictly_ascending([_, _ | _]) -> false;
strictly_ascending(_) -> true.

-spec first_duplicate([{non_neg_integer(), float()}]) -> non_neg_integer() | none.
first_duplicate([{A, _}, {A, _} | _]) -> A;
first_duplicate([_ | Rest]) -> first_duplicate(Rest);
first_duplicate([]) -> none.

%% Sorted merge: {Excess, Disjoint, Matching, SumAbsDiff}.
-spec merge([{non_neg_integer(), float()}], [{non_neg_integer(), float()}],
            non_neg_integer(), non_neg_integer(), non_neg_integer(), non_neg_integer(),
            float()) ->
          {non_neg_integer(), non_neg_integer(), non_neg_integer(), float()}.
merge([{I, Wa} | As], [{I, Wb} | Bs], Limit, E, D, M, Sum) ->
    merge(As, Bs, Limit, E, D, M + 1, Sum + fabs(Wa - Wb));
merge([{Ia, _} | As], [{Ib, _} | _] = Bs, Limit, E, D, M, Sum) when Ia < Ib ->
    {E1, D1} = classify(Ia, Limit, E, D),
    merge(As, Bs, Limit, E1, D1, M, Sum);
merge(As, [{Ib, _} | Bs], Limit, E, D, M, Sum) when As =/= [] ->
    {E1, D1} = classify(Ib, Limit, E, D),
    merge(As, Bs, Limit, E1, D1, M, Sum);
merge([{Ia, _} | As], [], Limit, E, D, M, Sum) ->
    {E1, D1} = classify(Ia, Limit, E, D),
    merge(As, [], Limit, E1, D1, M, Sum);
merge([], [{Ib, _} | Bs], Limit, E, D, M, Sum) ->
    {E1, D1} = classify(Ib, Limit, E, D),
    merge([], Bs, Limit, E1, D1, M, Sum);
merge([], [], _Limit, E, D, M, Sum) ->
    {E, D, M, Sum}.

-spec classify(non_neg_integer(), non_neg_integer(), non_neg_integer(),
               non_neg_integer()) -> {non_neg_integer(), non_neg_integer()}.
classify(I, Limit, E, D) when I > Limit -> {E + 1, D};
classify(_I, _Limit, E, D) -> {E, D + 1}.

%%====================================================================
%% PRIVATE: arithmetic kernels
%%====================================================================

-spec is_activation(term()) -> boolean().
is_activation(A) ->
    lists:member(A, [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu,
                     sgn, bin, trinary, multiquadric, quadratic, cubic, absolute,
                     sqrt, log]).

-spec act(activation(), float()) -> float().
act(tanh, X) -> math:tanh(X);
act(sigmoid, X) -> sig(X);
act(sigmoid1, X) -> X / (1.0 + fabs(X));
act(sin, X) -> math:sin(X);
act(cos, X) -> math:cos(X);
act(gaussian, X) -> C = clamp(X, -10.0, 10.0), math:exp(-(C * C));
act(linear, X) -> X;
act(relu, X) when X > 0.0 -> X;
act(relu, _X) -> 0.0;
act(sgn, X) -> sgn(X);
act(bin, X) when X > 0.0 -> 1.0;
act(bin, _X) -> 0.0;
act(trinary, X) when X >= 0.33 -> 1.0;
act(trinary, X) when X =< -0.33 -> -1.0;
act(trinary, _X) -> 0.0;
act(multiquadric, X) -> math:sqrt(X * X + 0.01);
act(quadratic, X) -> sgn(X) * (X * X);
act(cubic, X) -> (X * X) * X;
act(absolute, X) -> fabs(X);
act(sqrt, X) -> sgn(X) * math:sqrt(fabs(X));
act(log, X) when X == 0.0 -> 0.0;
act(log, X) -> sgn(X) * math:log(fabs(X)).

-spec sgn(float()) -> float().
sgn(X) when X > 0.0 -> 1.0;
sgn(X) when X < 0.0 -> -1.0;
sgn(_X) -> 0.0.

%% Rust's f64::abs: clears the sign bit (abs(-0.0) = 0.0).
-spec fabs(float()) -> float().
fabs(X) when X < 0.0 -> -X;
fabs(X) when X == 0.0 -> 0.0;
fabs(X) -> X.

%% Rust's f64::clamp.
-spec clamp(float(), float(), float()) -> float().
clamp(X, Lo, _Hi) when X < Lo -> Lo;
clamp(X, _Lo, Hi) when X > Hi -> Hi;
clamp(X, _Lo, _Hi) -> X.

-spec sig(float()) -> float().
sig(X) -> 1.0 / (1.0 + math:exp(-clamp(X, -10.0, 10.0))).

%% Backbone f: T is max(Tau, 0.001).
-spec backbone(float(), float(), [float()]) -> float().
backbone(In, T, []) -> In / T;
backbone(In, _T, [W0 | Ws]) -> math:tanh(add_all(Ws, W0 * In)).

-spec head(float(), [float()]) -> float().
head(X, []) -> math:tanh(X);
head(X, [W0 | Ws]) -> math:tanh(add_all(Ws, W0 * X)).

-spec add_all([float()], float()) -> float().
add_all([], Acc) -> Acc;
add_all([W | Ws], Acc) -> add_all(Ws, Acc + W).

-spec cfc(float(), float(), float(), float(), [float()], [float()]) -> float().
cfc(In, S, T, Bound, BW, HW) ->
    F = backbone(In, T, BW),
    Sg = sig(-F),
    H = head(In, HW),
    clamp(Sg * S + (1.0 - Sg) * H, -Bound, Bound).

-spec ode(float(), float(), float(), float(), float(), [float()], [float()]) ->
          {float(), float()}.
ode(In, S, T, Bound, Dt, BW, HW) ->
    F = backbone(In, T, BW),
    DxDt = (-(1.0 / T + F)) * S + F * Bound,
    X = clamp(S + Dt * DxDt, -Bound, Bound),
    case HW of
        [] -> {X, X};
        _ -> {X, head(X, HW)}
    end.

%%====================================================================
%% faber-tweann kernels: weights, random numbers, CfC population
%%====================================================================

%% The twin modules raise {tweann_error, Class, Pos, Why}; re-raise it as
%% badarg/badarith with error_info naming this module's function.
-define(TWIN(Args, Call),
        try Call
        catch error:{tweann_error, Class__, Pos__, Why__} ->
                tweann_error:raise(Class__, ?MODULE, ?FUNCTION_NAME, Args, Pos__, Why__)
        end).

%% @doc See {@link tweann_nif:mutate_weights/4} (seed from the caller's `rand').
-spec mutate_weights(tweann_ref_weights:weights(), number(), number(), number()) -> [float()].
mutate_weights(W, R, P, S) ->
    ?TWIN([W, R, P, S], tweann_ref_weights:mutate_weights(W, R, P, S)).

%% @doc See {@link tweann_nif:mutate_weights_seeded/5}.
-spec mutate_weights_seeded(tweann_ref_weights:weights(), number(), number(), number(),
                            non_neg_integer()) -> [float()].
mutate_weights_seeded(W, R, P, S, Seed) ->
    ?TWIN([W, R, P, S, Seed], tweann_ref_weights:mutate_weights_seeded(W, R, P, S, Seed)).

%% @doc See {@link tweann_nif:mutate_weights_batch/1}.
-spec mutate_weights_batch([{tweann_ref_weights:weights(), number(), number(), number()}]) ->
          [[float()]].
mutate_weights_batch(Genomes) ->
    ?TWIN([Genomes], tweann_ref_weights:mutate_weights_batch(Genomes)).

%% @doc {@link mutate_weights_batch/1} with an explicit seed (genome I uses
%% the stream `tweann_ref_rng:stream_seed(Seed, I)').
-spec mutate_weights_batch_seeded([{tweann_ref_weights:weights(), number(), number(), number()}],
                                  non_neg_integer()) -> [[float()]].
mutate_weights_batch_seeded(Genomes, Seed) ->
    ?TWIN([Genomes, Seed], tweann_ref_weights:mutate_weights_batch_seeded(Genomes, Seed)).

%% @doc See {@link tweann_nif:mutate_weights_batch_uniform/4}.
-spec mutate_weights_batch_uniform([tweann_ref_weights:weights()], number(), number(), number()) ->
          [[float()]].
mutate_weights_batch_uniform(Gs, R, P, S) ->
    ?TWIN([Gs, R, P, S], tweann_ref_weights:mutate_weights_batch_uniform(Gs, R, P, S)).

%% @doc {@link mutate_weights_batch_uniform/4} with an explicit seed.
-spec mutate_weights_batch_uniform_seeded([tweann_ref_weights:weights()], number(), number(),
                                          number(), non_neg_integer()) -> [[float()]].
mutate_weights_batch_uniform_seeded(Gs, R, P, S, Seed) ->
    ?TWIN([Gs, R, P, S, Seed], tweann_ref_weights:mutate_weights_batch_uniform_seeded(Gs, R, P, S, Seed)).

%% @doc See {@link tweann_nif:random_weights/1}.
-spec random_weights(non_neg_integer()) -> [float()].
random_weights(N) ->
    ?TWIN([N], tweann_ref_weights:random_weights(N)).

%% @doc See {@link tweann_nif:random_weights_seeded/2}.
-spec random_weights_seeded(non_neg_integer(), non_neg_integer()) -> [float()].
random_weights_seeded(N, Seed) ->
    ?TWIN([N, Seed], tweann_ref_weights:random_weights_seeded(N, Seed)).

%% @doc See {@link tweann_nif:random_weights_gaussian/3}.
-spec random_weights_gaussian(non_neg_integer(), number(), number()) -> [float()].
random_weights_gaussian(N, Mean, Sd) ->
    ?TWIN([N, Mean, Sd], tweann_ref_weights:random_weights_gaussian(N, Mean, Sd)).

%% @doc {@link random_weights_gaussian/3} with an explicit seed.
-spec random_weights_gaussian_seeded(non_neg_integer(), number(), number(), non_neg_integer()) ->
          [float()].
random_weights_gaussian_seeded(N, Mean, Sd, Seed) ->
    ?TWIN([N, Mean, Sd, Seed], tweann_ref_weights:random_weights_gaussian_seeded(N, Mean, Sd, Seed)).

%% @doc See {@link tweann_nif:random_weights_batch/1}.
-spec random_weights_batch([{non_neg_integer(), number(), number()}]) -> [[float()]].
random_weights_batch(Specs) ->
    ?TWIN([Specs], tweann_ref_weights:random_weights_batch(Specs)).

%% @doc {@link random_weights_batch/1} with an explicit seed.
-spec random_weights_batch_seeded([{non_neg_integer(), number(), number()}], non_neg_integer()) ->
          [[float()]].
random_weights_batch_seeded(Specs, Seed) ->
    ?TWIN([Specs, Seed], tweann_ref_weights:random_weights_batch_seeded(Specs, Seed)).

%% @doc See {@link tweann_nif:weight_distance_l1/2}.
-spec weight_distance_l1(tweann_ref_weights:weights(), tweann_ref_weights:weights()) -> float().
weight_distance_l1(A, B) ->
    ?TWIN([A, B], tweann_ref_weights:weight_distance_l1(A, B)).

%% @doc See {@link tweann_nif:weight_distance_l2/2}.
-spec weight_distance_l2(tweann_ref_weights:weights(), tweann_ref_weights:weights()) -> float().
weight_distance_l2(A, B) ->
    ?TWIN([A, B], tweann_ref_weights:weight_distance_l2(A, B)).

%% @doc See {@link tweann_nif:weight_distance_batch/3}.
-spec weight_distance_batch(tweann_ref_weights:weights(), [tweann_ref_weights:weights()], l1 | l2) ->
          [float()].
weight_distance_batch(T, Os, M) ->
    ?TWIN([T, Os, M], tweann_ref_weights:weight_distance_batch(T, Os, M)).

%% @doc {@link dot_product_flat/3} under faber-tweann's name.
-spec dot_product_preflattened([number()], [number()], number()) -> float().
dot_product_preflattened(Signals, Weights, Bias) ->
    ?API([Signals, Weights, Bias],
         begin
             {Ss, Ws, B} = flat_args(Signals, Weights, Bias, top),
             dot_flat(Ss, Ws, 0.0) + B
         end).

%% @doc See {@link tweann_nif:compile_cfc_pop/6}.
-spec compile_cfc_pop([[number()] | binary()], [[number()] | binary()], pos_integer(),
                      pos_integer(), pos_integer(), number()) -> tweann_ref_cfcpop:population().
compile_cfc_pop(W, T, I, H, O, B) ->
    ?TWIN([W, T, I, H, O, B], tweann_ref_cfcpop:compile_cfc_pop(W, T, I, H, O, B)).

%% @doc See {@link tweann_nif:cfc_pop_step/3}.
-spec cfc_pop_step(tweann_ref_cfcpop:population(), [[number()] | binary()], [[number()] | binary()]) ->
          {[[float()]], [[float()]]}.
cfc_pop_step(Pop, States, Inputs) ->
    ?TWIN([Pop, States, Inputs], tweann_ref_cfcpop:cfc_pop_step(Pop, States, Inputs)).

%% @doc Always `tweann_ref': the implementation this module is
%% (see {@link tweann_nif:impl/0}).
-spec impl() -> tweann_ref.
impl() ->
    ?MODULE.
