%% @doc Fast evaluation of evolved (TWEANN/NEAT) neural networks in one native call.
%%
%% A genotype is compiled once into flat arrays (CSR: per node a bias, an
%% activation and a range into one array of source indices and one array of
%% weights) held by a NIF resource; evaluating it is then a single call with
%% no processes and no per-neuron messages.
%%
%% == API ==
%% <ul>
%% <li>Networks: {@link compile_network/3}, {@link compile_network/4},
%%     {@link evaluate/2}, {@link evaluate_batch/2},
%%     {@link evaluate_with_state/3}, {@link network_info/1},
%%     {@link benchmark_evaluate/3}.</li>
%% <li>Signal aggregation (DXNN2 shapes): {@link dot_product/2},
%%     {@link dot_product_flat/3}, {@link dot_product_batch/1},
%%     {@link flatten_weights/1}, {@link activate_batch/2}.</li>
%% <li>Speciation: {@link compatibility_distance/5}.</li>
%% <li>Scalar liquid neurons: {@link evaluate_cfc/4},
%%     {@link evaluate_cfc_with_weights/6}, {@link evaluate_ode/5},
%%     {@link evaluate_ode_with_weights/7}, {@link evaluate_cfc_batch/4}.</li>
%% <li>Liquid cells (ncps CfC and LTC, `docs/cells.md'): {@link cfc_cell/2},
%%     {@link ltc_cell/2}, {@link cfc_population/2}, {@link ltc_population/2},
%%     {@link cell_step/4}, {@link cell_sequence/4}, {@link cell_info/1}.</li>
%% <li>Weights (faber-tweann): {@link mutate_weights/4},
%%     {@link mutate_weights_seeded/5}, {@link mutate_weights_batch/1},
%%     {@link mutate_weights_batch_uniform/4}, {@link random_weights/1},
%%     {@link random_weights_seeded/2}, {@link random_weights_gaussian/3},
%%     {@link random_weights_batch/1}, {@link weight_distance_l1/2},
%%     {@link weight_distance_l2/2}, {@link weight_distance_batch/3},
%%     {@link dot_product_preflattened/3}.</li>
%% <li>faber-tweann's CfC population: {@link compile_cfc_pop/6},
%%     {@link cfc_pop_step/3}.</li>
%% <li>Facts and limits: {@link is_loaded/0}, {@link impl/0}, {@link build_info/0},
%%     {@link memory_stats/0}, {@link set_memory_budget/1}.</li>
%% </ul>
%%
%% The exact semantics, down to the order of floating-point operations, are in
%% `docs/semantics.md'. A pure Erlang reference implements every function
%% with the same operation order, one module per native kernel module
%% (`tweann_ref_network', `tweann_ref_activation', `tweann_ref_dot',
%% `tweann_ref_neat', `tweann_ref_scalar', `tweann_ref_cells',
%% `tweann_ref_cfc', `tweann_ref_ltc', `tweann_ref_erf', `tweann_ref_codec',
%% `tweann_ref_info'), and the tests require bit-identical results.
%% `docs/architecture.md' follows one call through both.
%%
%% == Errors ==
%% A bad argument raises `error:badarg' with EEP 54 error_info, so the shell
%% prints which argument was wrong and why. An arithmetic overflow inside a
%% network raises `error:badarith' naming the node. The VM never crashes and
%% no Rust panic escapes.
%%
%% == Scheduling and memory ==
%% Calls whose work can exceed about 100 microseconds (large batches, huge
%% networks, long lists) run on a dirty CPU scheduler; small calls stay on the
%% normal scheduler, where they cost less than a dirty switch would. A dirty
%% call checks about every millisecond of work that its caller is alive, and
%% stops if it is not. Everything a call allocates from its arguments
%% (decoded values, results, cells, populations) is counted against the
%% memory budget ({@link set_memory_budget/1}) before it is allocated; over
%% the budget is a badarg naming the budget, never a crash of the node.
%% `docs/reliability.md' has the details and the recommended VM flags.
%%
%% == Without the native library ==
%% If the library is not loaded every call raises
%% `{tweann_nif_not_loaded, Why}', unless the application environment sets
%% `{tweann_nif, [{backend, erlang}]}' (or `-tweann_nif backend erlang'),
%% which routes calls to the pure Erlang reference (then networks and cells
%% are Erlang terms, not references). The backend is decided once, at
%% application start or at the first call; a setting other than `native',
%% `nif' or `erlang' is an error.
-module(tweann_nif).

-export([compile_network/3, compile_network/4,
         evaluate/2, evaluate_batch/2, evaluate_with_state/3,
         network_info/1, benchmark_evaluate/3,
         dot_product/2, dot_product_flat/3, dot_product_batch/1,
         flatten_weights/1, activate_batch/2,
         compatibility_distance/5,
         evaluate_cfc/4, evaluate_cfc_with_weights/6,
         evaluate_ode/5, evaluate_ode_with_weights/7, evaluate_cfc_batch/4,
         cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_step/4, cell_sequence/4, cell_info/1,
         memory_stats/0, set_memory_budget/1,
         is_loaded/0, build_info/0]).
%% Serialization (issue 15; the functions are in the block at the end).
-export([network_to_binary/1, network_from_binary/1, cell_to_binary/1, cell_from_binary/1]).
%% faber-tweann's evolution kernels (issue 11): novelty, statistics,
%% selection, rewards. Defined in the block at the end of this module.
-export([euclidean_distance/2, euclidean_distance_batch/2, knn_novelty/4, knn_novelty_batch/3,
         fitness_stats/1, weighted_moving_average/2, shannon_entropy/1, histogram/4,
         build_cumulative_fitness/1, roulette_select/3, roulette_select_batch/3,
         tournament_select/2,
         z_score/3, compute_reward_component/2, compute_weighted_reward/1]).
-export_type([vector/0]).
%% faber-tweann 2.4 compatibility: weight kernels, CfC population, impl/0.
-export([mutate_weights/4, mutate_weights_seeded/5, mutate_weights_batch/1,
         mutate_weights_batch_uniform/4, random_weights/1, random_weights_seeded/2,
         random_weights_gaussian/3, random_weights_batch/1,
         weight_distance_l1/2, weight_distance_l2/2, weight_distance_batch/3,
         dot_product_preflattened/3, compile_cfc_pop/6, cfc_pop_step/3, impl/0]).

-export_type([cell/0, network/0, node_spec/0, node_type/0, activation/0, inputs/0,
              gene/0, weight_spec/0, compile_options/0]).

-type activation() :: tanh | sigmoid | sigmoid1 | sin | cos | gaussian | linear
                    | relu | sgn | bin | trinary | multiquadric | quadratic
                    | cubic | absolute | sqrt | log.
%% A node's activation function (`docs/semantics.md' gives each formula).
-type node_type() :: input | neuron | hidden | output | bias | delay
                   | {leaky, Tau :: number()}
                   | {cfc, Tau :: number(), Bound :: number()}
                   | {ltc, Tau :: number(), Bound :: number()}.
%% What a node is: an input (takes the next input value), an ordinary node
%% (`neuron', `hidden', `output' or `bias': bias plus weighted sum, then the
%% activation), or an organelle that keeps one state slot between calls of
%% {@link evaluate_with_state/3}: a delay, a leaky integrator, or a liquid
%% (CfC or LTC) node.
-type compile_options() :: #{memory_budget => pos_integer() | default,
                             state_model => organelles | forward_refs}.
%% The options of {@link compile_network/4}: a memory cap for this
%% compilation, and what holds state (`organelles', the default, or
%% `forward_refs').
-type node_spec() :: {Index :: non_neg_integer(), node_type(), activation(),
                      Bias :: number(), [{FromIndex :: non_neg_integer(), Weight :: number()}]}.
%% One node of a genotype, as given to {@link compile_network/3}: its index,
%% type, activation, bias and incoming connections.
-type network() :: reference() | tuple().
%% A compiled network: a NIF resource (a reference), or a
%% `tweann_ref_network' term when the Erlang backend is configured.
-type inputs() :: [number()] | binary().
%% A list of numbers, or a binary of native-endian f64 values.
-type cell() :: reference() | tuple().
%% A layer-level liquid cell or a population of them: a NIF resource, or a
%% `tweann_ref_cells' term when the Erlang backend is configured.
-type gene() :: {Innovation :: non_neg_integer(), Weight :: number()}.
%% A connection gene of {@link compatibility_distance/5}: its innovation
%% number and its weight.
-type weight_spec() :: number() | tuple().
%% A number, or a tuple whose first element is the weight (DXNN2's
%% `{W, DW, LR, Params}').

-include("tweann_call.hrl").

%%====================================================================
%% Networks
%%====================================================================

%% @doc Compile a genotype into a network.
%%
%% `Nodes' are `{Index, Type, Activation, Bias, [{FromIndex, Weight}]}' in
%% topological order; indices need not be dense but must be unique, and every
%% `FromIndex' must name a node. `Type' is `input', an ordinary node
%% (`neuron', `hidden', `output' or `bias': `Activation(sum + Bias)') or an
%% organelle, which holds one state slot: `delay' (emits what it captured
%% last step, captures the weighted sum plus bias of its inputs after the
%% other nodes have run, so it may read later nodes), `{leaky, Tau}' (moves
%% toward its input by `1/Tau' per step), `{cfc, Tau, Bound}' or
%% `{ltc, Tau, Bound}'. Tau and Bound are numbers > 0; any other type is an
%% error. A connection from a later ordinary node reads 0.0 (see
%% {@link compile_network/4} for DXNN2-style recurrence). `InputCount' must
%% equal the number of `input' nodes, which take the inputs in list order.
%% `OutputIndices' name the nodes whose values are returned.
%% `compile_network([], 0, [])' is a valid empty network.
%% The memory budget of {@link set_memory_budget/1} applies.
-spec compile_network([node_spec()], non_neg_integer(), [non_neg_integer()]) -> network().
compile_network(Nodes, InputCount, OutputIndices) ->
    ?HEAVY([Nodes, InputCount, OutputIndices],
           tweann_nif_native:compile_network(Nodes, InputCount, OutputIndices, default,
                                             organelles),
           tweann_nif_native:compile_network_dirty(Nodes, InputCount, OutputIndices, default,
                                                   organelles),
           tweann_ref_network:compile_network(Nodes, InputCount, OutputIndices)).

%% @doc As {@link compile_network/3}, with options:
%% `#{memory_budget => Bytes}' caps the bytes this compilation may allocate
%% (default: the global budget, see {@link set_memory_budget/1});
%% `#{state_model => organelles | forward_refs}' chooses what holds state.
%% `organelles' (the default) gives a slot to each organelle only, and a
%% connection from a later ordinary node reads 0.0. `forward_refs' (the model
%% of earlier releases, for DXNN2-style recurrent links) also gives a slot to
%% the source of every such connection, which then reads that node's value
%% from the previous step. Unknown options are errors.
-spec compile_network([node_spec()], non_neg_integer(), [non_neg_integer()],
                      compile_options()) -> network().
compile_network(Nodes, InputCount, OutputIndices, Opts) ->
    ?HEAVY([Nodes, InputCount, OutputIndices, Opts],
           compile_native(fun tweann_nif_native:compile_network/5,
                          Nodes, InputCount, OutputIndices, Opts),
           compile_native(fun tweann_nif_native:compile_network_dirty/5,
                          Nodes, InputCount, OutputIndices, Opts),
           tweann_ref_network:compile_network(Nodes, InputCount, OutputIndices, Opts)).

%% A native compile entry with the options checked and spelled out.
-spec compile_native(fun((term(), term(), term(), term(), term()) -> term()),
                     term(), term(), term(), term()) -> term().
compile_native(Entry, Nodes, InputCount, OutputIndices, Opts) ->
    {Budget, Model} = tweann_ref_network:compile_options(Opts),
    Entry(Nodes, InputCount, OutputIndices, Budget, Model).

%% @doc Evaluate a network on one input vector from a zero state: the
%% outputs of `evaluate_with_state(Network, Inputs, [])' (delays emit 0.0,
%% organelles and recurrent references start at 0.0). Returns `[]' when the
%% number of inputs differs from the network's input count.
-spec evaluate(network(), inputs()) -> [float()].
evaluate(Network, Inputs) ->
    ?HEAVY([Network, Inputs],
           tweann_nif_native:evaluate(Network, Inputs),
           tweann_nif_native:evaluate_dirty(Network, Inputs),
           tweann_ref_network:evaluate(Network, Inputs)).

%% @doc Evaluate many input vectors; row i equals `evaluate(Network, Row_i)'
%% bit for bit (`[]' for a row of the wrong length). `Batch' is a list of
%% rows (lists or f64 binaries) or one binary holding whole rows back to back.
-spec evaluate_batch(network(), [inputs()] | binary()) -> [[float()]].
evaluate_batch(Network, Batch) ->
    ?HEAVY([Network, Batch],
           tweann_nif_native:evaluate_batch(Network, Batch),
           tweann_nif_native:evaluate_batch_dirty(Network, Batch),
           tweann_ref_network:evaluate_batch(Network, Batch)).

%% @doc One step of a stateful network. `State' is `[]' (all zeros) or the
%% `NextState' of the previous step: one value per state slot (the
%% organelles, and under `forward_refs' the sources of recurrent references,
%% in node order; see {@link network_info/1}). Returns `{[], []}' for a wrong
%% input count or a `State' of the wrong length.
-spec evaluate_with_state(network(), inputs(), [number()] | binary()) -> {[float()], [float()]}.
evaluate_with_state(Network, Inputs, State) ->
    ?HEAVY([Network, Inputs, State],
           tweann_nif_native:evaluate_with_state(Network, Inputs, State),
           tweann_nif_native:evaluate_with_state_dirty(Network, Inputs, State),
           tweann_ref_network:evaluate_with_state(Network, Inputs, State)).

%% @doc Facts about a compiled network: `nodes', `connections', `inputs',
%% `outputs', `state_size', `forward_refs' (connections from a later or the
%% same non-input, non-delay node), `delay_nodes', `leaky_nodes',
%% `liquid_nodes' (cfc and ltc), `state_model' (`organelles' or
%% `forward_refs') and `bytes' (the memory its compiled form holds).
-spec network_info(network()) -> #{atom() => non_neg_integer() | organelles | forward_refs}.
network_info(Network) ->
    ?CALL([Network],
          tweann_nif_native:network_info(Network),
          tweann_ref_network:network_info(Network)).

%% @doc Evaluate `Iterations' times natively (inputs decoded once) and return
%% the mean microseconds per evaluation. `Iterations' is 1..10 000 000. Runs
%% on a dirty scheduler, and stops if the caller dies.
-spec benchmark_evaluate(network(), inputs(), pos_integer()) -> float().
benchmark_evaluate(Network, Inputs, Iterations) ->
    ?CALL([Network, Inputs, Iterations],
          tweann_nif_native:benchmark_evaluate(Network, Inputs, Iterations),
          tweann_ref_network:benchmark_evaluate(Network, Inputs, Iterations)).

%%====================================================================
%% Signal aggregation
%%====================================================================

%% @doc DXNN2 signal_aggregator dot product:
%% `InputSignals = [{SourceId, [Signal]}]',
%% `WeightedInputs = [{SourceId, [WeightSpec]}]' optionally followed by
%% `{bias, [BiasSpec]}'. Entries pair by position with equal source ids.
-spec dot_product([{term(), [number()]}], [{term(), [weight_spec()]}]) -> float().
dot_product(InputSignals, WeightedInputs) ->
    ?HEAVY([InputSignals, WeightedInputs],
           tweann_nif_native:dot_product(InputSignals, WeightedInputs),
           tweann_nif_native:dot_product_dirty(InputSignals, WeightedInputs),
           tweann_ref_dot:dot_product(InputSignals, WeightedInputs)).

%% @doc `sum(Signals[i] * Weights[i]) + Bias' over two equal-length lists.
-spec dot_product_flat([number()] | binary(), [number()] | binary(), number()) -> float().
dot_product_flat(Signals, Weights, Bias) ->
    ?HEAVY([Signals, Weights, Bias],
           tweann_nif_native:dot_product_flat(Signals, Weights, Bias),
           tweann_nif_native:dot_product_flat_dirty(Signals, Weights, Bias),
           tweann_ref_dot:dot_product_flat(Signals, Weights, Bias)).

%% @doc {@link dot_product_flat/3} over a list of `{Signals, Weights, Bias}'.
-spec dot_product_batch([{[number()], [number()], number()}]) -> [float()].
dot_product_batch(Batch) ->
    ?HEAVY([Batch],
           tweann_nif_native:dot_product_batch(Batch),
           tweann_nif_native:dot_product_batch_dirty(Batch),
           tweann_ref_dot:dot_product_batch(Batch)).

%% @doc Flatten `[{SourceId, [WeightSpec]}]' into `{Weights, Counts}': all
%% weights as floats in order, and the number of weights of each entry.
-spec flatten_weights([{term(), [weight_spec()]}]) -> {[float()], [non_neg_integer()]}.
flatten_weights(WeightedInputs) ->
    ?HEAVY([WeightedInputs],
           tweann_nif_native:flatten_weights(WeightedInputs),
           tweann_nif_native:flatten_weights_dirty(WeightedInputs),
           tweann_ref_dot:flatten_weights(WeightedInputs)).

%% @doc Apply one activation to every value.
-spec activate_batch([number()] | binary(), activation()) -> [float()].
activate_batch(Values, Activation) ->
    ?HEAVY([Values, Activation],
           tweann_nif_native:activate_batch(Values, Activation),
           tweann_nif_native:activate_batch_dirty(Values, Activation),
           tweann_ref_activation:activate_batch(Values, Activation)).

%%====================================================================
%% Speciation
%%====================================================================

%% @doc NEAT compatibility distance `C1*E/N + C2*D/N + C3*W' of two genomes
%% of `{Innovation, Weight}' genes: E excess genes (beyond the smaller of the
%% two highest innovations), D disjoint genes, W the mean absolute weight
%% difference of matching genes, N the larger genome's size (at least 1).
-spec compatibility_distance([gene()], [gene()], number(), number(), number()) -> float().
compatibility_distance(GenesA, GenesB, C1, C2, C3) ->
    ?HEAVY([GenesA, GenesB, C1, C2, C3],
           tweann_nif_native:compatibility_distance(GenesA, GenesB, C1, C2, C3),
           tweann_nif_native:compatibility_distance_dirty(GenesA, GenesB, C1, C2, C3),
           tweann_ref_neat:compatibility_distance(GenesA, GenesB, C1, C2, C3)).

%%====================================================================
%% Scalar liquid neurons (docs/cells.md section 5)
%%====================================================================

%% @doc One closed-form continuous-time step of a single neuron; returns
%% `{NewState, Output}' (equal).
-spec evaluate_cfc(number(), number(), number(), number()) -> {float(), float()}.
evaluate_cfc(Input, State, Tau, Bound) ->
    ?CALL([Input, State, Tau, Bound],
          tweann_nif_native:evaluate_cfc(Input, State, Tau, Bound),
          tweann_ref_scalar:evaluate_cfc(Input, State, Tau, Bound)).

%% @doc {@link evaluate_cfc/4} with backbone and head weights.
-spec evaluate_cfc_with_weights(number(), number(), number(), number(), [number()], [number()]) ->
          {float(), float()}.
evaluate_cfc_with_weights(Input, State, Tau, Bound, BackboneWeights, HeadWeights) ->
    ?HEAVY([Input, State, Tau, Bound, BackboneWeights, HeadWeights],
           tweann_nif_native:evaluate_cfc_with_weights(Input, State, Tau, Bound,
                                                       BackboneWeights, HeadWeights),
           tweann_nif_native:evaluate_cfc_with_weights_dirty(Input, State, Tau, Bound,
                                                             BackboneWeights, HeadWeights),
           tweann_ref_scalar:evaluate_cfc_with_weights(Input, State, Tau, Bound,
                                                       BackboneWeights, HeadWeights)).

%% @doc One explicit Euler step of the liquid time-constant ODE; returns
%% `{NewState, Output}'.
-spec evaluate_ode(number(), number(), number(), number(), number()) -> {float(), float()}.
evaluate_ode(Input, State, Tau, Bound, Dt) ->
    ?CALL([Input, State, Tau, Bound, Dt],
          tweann_nif_native:evaluate_ode(Input, State, Tau, Bound, Dt),
          tweann_ref_scalar:evaluate_ode(Input, State, Tau, Bound, Dt)).

%% @doc {@link evaluate_ode/5} with backbone and head weights.
-spec evaluate_ode_with_weights(number(), number(), number(), number(), number(),
                                [number()], [number()]) -> {float(), float()}.
evaluate_ode_with_weights(Input, State, Tau, Bound, Dt, BackboneWeights, HeadWeights) ->
    ?HEAVY([Input, State, Tau, Bound, Dt, BackboneWeights, HeadWeights],
           tweann_nif_native:evaluate_ode_with_weights(Input, State, Tau, Bound, Dt,
                                                       BackboneWeights, HeadWeights),
           tweann_nif_native:evaluate_ode_with_weights_dirty(Input, State, Tau, Bound, Dt,
                                                             BackboneWeights, HeadWeights),
           tweann_ref_scalar:evaluate_ode_with_weights(Input, State, Tau, Bound, Dt,
                                                       BackboneWeights, HeadWeights)).

%% @doc Fold {@link evaluate_cfc/4} over a sequence of inputs, threading the
%% state; returns `[{State, Output}]', one pair per input.
-spec evaluate_cfc_batch([number()] | binary(), number(), number(), number()) -> [{float(), float()}].
evaluate_cfc_batch(Inputs, State0, Tau, Bound) ->
    ?HEAVY([Inputs, State0, Tau, Bound],
           tweann_nif_native:evaluate_cfc_batch(Inputs, State0, Tau, Bound),
           tweann_nif_native:evaluate_cfc_batch_dirty(Inputs, State0, Tau, Bound),
           tweann_ref_scalar:evaluate_cfc_batch(Inputs, State0, Tau, Bound)).

%%====================================================================
%% Liquid cells (docs/cells.md sections 1-3)
%%====================================================================

%% @doc A closed-form continuous-time (CfC) cell exactly as ncps's torch
%% `CfCCell' computes it. `Config': `input_size', `hidden_size' (required),
%% `mode' (`default | pure | no_gate'), `backbone_units' (128),
%% `backbone_layers' (1), `backbone_activation' (`lecun_tanh | tanh | relu |
%% silu | gelu'). `Params': the flat f64 layout of docs/cells.md section 2.5, as a
%% list or a native-endian f64 binary; a wrong length is a badarg stating the
%% expected length.
-spec cfc_cell(#{atom() => term()}, [number()] | binary()) -> cell().
cfc_cell(Config, Params) ->
    ?CALL([Config, Params],
          tweann_nif_native:cfc_cell(Config, Params),
          tweann_ref_cfc:cfc_cell(Config, Params)).

%% @doc A liquid time-constant (LTC) cell with ncps's fused semi-implicit
%% solver. `Config': `input_size', `units' (required), `motor_size' (units),
%% `ode_unfolds' (6, at most 10 000), `epsilon' (1.0e-8), `positivity' (`softplus | identity'),
%% `input_mapping', `output_mapping' (`affine | linear | none'). `Params':
%% the layout of docs/cells.md section 3.4.
-spec ltc_cell(#{atom() => term()}, [number()] | binary()) -> cell().
ltc_cell(Config, Params) ->
    ?CALL([Config, Params],
          tweann_nif_native:ltc_cell(Config, Params),
          tweann_ref_ltc:ltc_cell(Config, Params)).

%% @doc P CfC cells of one configuration in one resource: row i of
%% {@link cell_step/4} and {@link cell_sequence/4} uses member i.
-spec cfc_population(#{atom() => term()}, [[number()] | binary()]) -> cell().
cfc_population(Config, ParamsList) ->
    ?CALL([Config, ParamsList],
          tweann_nif_native:cfc_population(Config, ParamsList),
          tweann_ref_cfc:cfc_population(Config, ParamsList)).

%% @doc P LTC cells of one configuration in one resource.
-spec ltc_population(#{atom() => term()}, [[number()] | binary()]) -> cell().
ltc_population(Config, ParamsList) ->
    ?CALL([Config, ParamsList],
          tweann_nif_native:ltc_population(Config, ParamsList),
          tweann_ref_ltc:ltc_population(Config, ParamsList)).

%% @doc One step of B rows: `Inputs' B rows of input_size numbers, `States'
%% B rows of the state size, `Dts' one elapsed time per row or one number for
%% all. Returns `{Outputs, NewStates}'. With a population, B must equal its
%% size. Rows never interact.
-spec cell_step(cell(), [[number()] | binary()], [[number()] | binary()], number() | [number()] | binary()) ->
          {[[float()]], [[float()]]}.
cell_step(Cell, Inputs, States, Dts) ->
    ?HEAVY([Cell, Inputs, States, Dts],
           tweann_nif_native:cell_step(Cell, Inputs, States, Dts),
           tweann_nif_native:cell_step_dirty(Cell, Inputs, States, Dts),
           tweann_ref_cells:cell_step(Cell, Inputs, States, Dts)).

%% @doc B sequences of L steps (batch-first): `InputSeqs' B x L x
%% input_size, `States0' B initial states, `DtSeqs' B rows of L elapsed times
%% or one number. Returns `{OutputSeqs, FinalStates}'; equal to L calls of
%% {@link cell_step/4}.
-spec cell_sequence(cell(), [[[number()] | binary()]], [[number()] | binary()],
                    number() | [[number()] | binary()]) -> {[[[float()]]], [[float()]]}.
cell_sequence(Cell, InputSeqs, States0, DtSeqs) ->
    ?HEAVY([Cell, InputSeqs, States0, DtSeqs],
           tweann_nif_native:cell_sequence(Cell, InputSeqs, States0, DtSeqs),
           tweann_nif_native:cell_sequence_dirty(Cell, InputSeqs, States0, DtSeqs),
           tweann_ref_cells:cell_sequence(Cell, InputSeqs, States0, DtSeqs)).

%% @doc `kind' (`cfc | ltc'), `input_size', `state_size', `output_size',
%% `param_len' and, for a population, `members'.
-spec cell_info(cell()) -> #{atom() => term()}.
cell_info(Cell) ->
    ?CALL([Cell],
          tweann_nif_native:cell_info(Cell),
          tweann_ref_cells:cell_info(Cell)).

%%====================================================================
%% Facts and limits
%%====================================================================

%% @doc Live native resources: `networks' and `network_bytes', `cells' and
%% `cell_bytes', and the global `memory_budget'. Counts return to their
%% starting values when the resources are garbage collected, so leaks show.
-spec memory_stats() -> #{atom() => non_neg_integer()}.
memory_stats() ->
    ?CALL([], tweann_nif_native:memory_stats(), tweann_ref_info:memory_stats()).

%% @doc Set the global memory budget: the most bytes one call may allocate
%% natively from its arguments, results included (a compiled network, a
%% batch and its result, a cell or a population; `default' restores 1 GiB).
%% A positive integer below 2^64. Returns the previous value.
%% Over the budget a call raises badarg naming the budget and the need.
%% The application sets it at start from `{tweann_nif, [{memory_budget, B}]}'.
-spec set_memory_budget(pos_integer() | default) -> pos_integer().
set_memory_budget(Bytes) ->
    ?CALL([Bytes],
          tweann_nif_native:set_memory_budget(Bytes),
          tweann_ref_info:set_memory_budget(Bytes)).

%% @doc True when the native library is loaded (and verified).
-spec is_loaded() -> boolean().
is_loaded() ->
    tweann_nif_native:load_status() =:= ok.

%% @doc Build facts: `backend' (`nif' or `erlang'), library `version',
%% `nif_version', `target_arch', `target_os', `target_cpu' (the x86-64 level
%% the code was compiled for, `x86-64-v2' by default), `profile',
%% `term_reader' (`direct' when arguments are read from the term words, as
%% verified at load time, `api' when through erl_nif: see
%% `docs/architecture.md') and `activations' (the activation atoms in tag
%% order); with no library
%% loaded, `load_error' says why (and `backend' is `none' unless the Erlang
%% backend is configured).
-spec build_info() -> #{atom() => term()}.
build_info() ->
    case tweann_nif_native:load_status() of
        ok -> tweann_nif_native:build_info();
        {error, Why} ->
            case tweann_backend:get() of
                erlang -> (tweann_ref_info:build_info())#{load_error => Why};
                native -> #{backend => none, load_error => Why}
            end
    end.

%%====================================================================
%% Serialization: networks and cells as portable binaries
%%====================================================================

%% @doc The network as a binary: a versioned, checksummed format (`TWNN',
%% `docs/semantics.md') of about the compiled size that any node of any
%% host, or a later run, turns back into the same network with
%% {@link network_from_binary/1}. The pure Erlang reference writes the same
%% bytes for the same network and reads this binary too.
-spec network_to_binary(network()) -> binary().
network_to_binary(Network) ->
    ?HEAVY([Network],
           tweann_nif_native:network_to_binary(Network),
           tweann_nif_native:network_to_binary_dirty(Network),
           tweann_ref_codec:network_to_binary(Network)).

%% @doc The network a binary of {@link network_to_binary/1} holds; it
%% computes the same bits as the original. A corrupted, truncated or foreign
%% binary raises `badarg' with error_info saying why. Node indices are not
%% kept (a decoded network numbers its nodes by position). The memory budget
%% applies.
-spec network_from_binary(binary()) -> network().
network_from_binary(Binary) ->
    ?HEAVY([Binary],
           tweann_nif_native:network_from_binary(Binary),
           tweann_nif_native:network_from_binary_dirty(Binary),
           tweann_ref_codec:network_from_binary(Binary)).

%% @doc A cell or population as a binary (`TWNC', `docs/semantics.md'): its
%% configuration and every member's flat parameters.
-spec cell_to_binary(cell()) -> binary().
cell_to_binary(Cell) ->
    ?HEAVY([Cell],
           tweann_nif_native:cell_to_binary(Cell),
           tweann_nif_native:cell_to_binary_dirty(Cell),
           tweann_ref_codec:cell_to_binary(Cell)).

%% @doc The cell or population a binary of {@link cell_to_binary/1} holds,
%% rebuilt from its parameters: it computes the same bits as the original.
%% A corrupted, truncated or foreign binary raises `badarg' with error_info.
-spec cell_from_binary(binary()) -> cell().
cell_from_binary(Binary) ->
    ?HEAVY([Binary],
           tweann_nif_native:cell_from_binary(Binary),
           tweann_nif_native:cell_from_binary_dirty(Binary),
           tweann_ref_codec:cell_from_binary(Binary)).
%%====================================================================
%% faber-tweann's evolution kernels (issue 11): novelty, statistics,
%% selection, rewards. Same names, arities, argument formats, results and
%% edge conventions as faber-tweann 2.4's tweann_nif; stricter where that
%% NIF was silent (docs/semantics.md). Numbers may be integers; vectors may
%% be native-endian f64 binaries.
%%====================================================================

-type vector() :: [number()] | binary().
%% A behaviour (or any) vector: numbers, or a binary of native-endian f64.

%% @doc Euclidean distance of two vectors. Vectors of different lengths have
%% no distance: the result is then the atom `error' (never a truncation).
-spec euclidean_distance(vector(), vector()) -> float() | error.
euclidean_distance(V1, V2) ->
    ?HEAVY([V1, V2],
           tweann_nif_native:euclidean_distance(V1, V2),
           tweann_nif_native:euclidean_distance_dirty(V1, V2),
           tweann_ref_novelty:euclidean_distance(V1, V2)).

%% @doc `{Index, Distance}' from `Target' to each of `Others' (0-based
%% index), sorted by distance; equal distances keep the order of `Others'.
%% Every vector must have the length of `Target'.
-spec euclidean_distance_batch(vector(), [vector()]) -> [{non_neg_integer(), float()}].
euclidean_distance_batch(Target, Others) ->
    ?HEAVY([Target, Others],
           tweann_nif_native:euclidean_distance_batch(Target, Others),
           tweann_nif_native:euclidean_distance_batch_dirty(Target, Others),
           tweann_ref_novelty:euclidean_distance_batch(Target, Others)).

%% @doc Novelty of `Target': the mean of its `K' smallest distances to the
%% vectors of `Population' and `Archive', leaving out distances `=< 1.0e-10'
%% (copies of the target, including itself). Fewer than `K' kept distances
%% give the mean of those; none gives `0.0'. `K >= 1'.
-spec knn_novelty(vector(), [vector()], [vector()], pos_integer()) -> float().
knn_novelty(Target, Population, Archive, K) ->
    ?HEAVY([Target, Population, Archive, K],
           tweann_nif_native:knn_novelty(Target, Population, Archive, K),
           tweann_nif_native:knn_novelty_dirty(Target, Population, Archive, K),
           tweann_ref_novelty:knn_novelty(Target, Population, Archive, K)).

%% @doc {@link knn_novelty/4} of every behaviour against the other
%% behaviours (never itself) and `Archive'. All vectors have one length.
-spec knn_novelty_batch([vector()], [vector()], pos_integer()) -> [float()].
knn_novelty_batch(Behaviors, Archive, K) ->
    ?HEAVY([Behaviors, Archive, K],
           tweann_nif_native:knn_novelty_batch(Behaviors, Archive, K),
           tweann_nif_native:knn_novelty_batch_dirty(Behaviors, Archive, K),
           tweann_ref_novelty:knn_novelty_batch(Behaviors, Archive, K)).

%% @doc `{Min, Max, Mean, Variance, StdDev, Sum}' in one pass. `Variance' is
%% the population variance `SumSq/N - Mean*Mean', `StdDev' its square root
%% (of 0 if rounding made it negative). `[]' gives six `0.0'.
-spec fitness_stats([number()] | binary()) -> {float(), float(), float(), float(), float(), float()}.
fitness_stats(Fitnesses) ->
    ?HEAVY([Fitnesses],
           tweann_nif_native:fitness_stats(Fitnesses),
           tweann_nif_native:fitness_stats_dirty(Fitnesses),
           tweann_ref_stats:fitness_stats(Fitnesses)).

%% @doc `sum(W_i * V_i) / sum(W_i)' with `W_0 = 1', `W_i = W_(i-1) * Decay':
%% the first value weighs most. `[]' gives `0.0'; weights summing to 0 are
%% an arithmetic error.
-spec weighted_moving_average([number()] | binary(), number()) -> float().
weighted_moving_average(Values, Decay) ->
    ?HEAVY([Values, Decay],
           tweann_nif_native:weighted_moving_average(Values, Decay),
           tweann_nif_native:weighted_moving_average_dirty(Values, Decay),
           tweann_ref_stats:weighted_moving_average(Values, Decay)).

%% @doc Shannon entropy (natural log) of the positive values normalised by
%% their sum; other values are ignored; no positive value gives `0.0'.
-spec shannon_entropy([number()] | binary()) -> float().
shannon_entropy(Values) ->
    ?HEAVY([Values],
           tweann_nif_native:shannon_entropy(Values),
           tweann_nif_native:shannon_entropy_dirty(Values),
           tweann_ref_stats:shannon_entropy(Values)).

%% @doc Counts of `Values' in `NumBins' equal-width bins over
%% `[MinVal, MaxVal]': bin `min(floor((V - MinVal) / Width), NumBins - 1)',
%% so `MaxVal' falls in the last bin; values outside are ignored.
%% `MaxVal =< MinVal' gives all zeros, `NumBins = 0' gives `[]'. The memory
%% budget of {@link set_memory_budget/1} bounds `NumBins'.
-spec histogram([number()] | binary(), non_neg_integer(), number(), number()) -> [non_neg_integer()].
histogram(Values, NumBins, MinVal, MaxVal) ->
    ?HEAVY([Values, NumBins, MinVal, MaxVal],
           tweann_nif_native:histogram(Values, NumBins, MinVal, MaxVal),
           tweann_nif_native:histogram_dirty(Values, NumBins, MinVal, MaxVal),
           tweann_ref_stats:histogram(Values, NumBins, MinVal, MaxVal)).

%% @doc `{Cumulative, Total}' for roulette selection: running sums of the
%% fitnesses, each shifted by `1 - Min' when the smallest is negative, so
%% that every slot is positive. `[]' gives `{[], 0.0}'.
-spec build_cumulative_fitness([number()] | binary()) -> {[float()], float()}.
build_cumulative_fitness(Fitnesses) ->
    ?HEAVY([Fitnesses],
           tweann_nif_native:build_cumulative_fitness(Fitnesses),
           tweann_nif_native:build_cumulative_fitness_dirty(Fitnesses),
           tweann_ref_selection:build_cumulative_fitness(Fitnesses)).

%% @doc The 0-based index of the first `Cumulative' entry `>= RandomVal *
%% Total' (the last index if none). `Cumulative' must be non-empty and
%% non-decreasing, as {@link build_cumulative_fitness/1} makes it.
-spec roulette_select([number()] | binary(), number(), number()) -> non_neg_integer().
roulette_select(Cumulative, Total, RandomVal) ->
    ?HEAVY([Cumulative, Total, RandomVal],
           tweann_nif_native:roulette_select(Cumulative, Total, RandomVal),
           tweann_nif_native:roulette_select_dirty(Cumulative, Total, RandomVal),
           tweann_ref_selection:roulette_select(Cumulative, Total, RandomVal)).

%% @doc {@link roulette_select/3} for each of `RandomVals'.
-spec roulette_select_batch([number()] | binary(), number(), [number()] | binary()) -> [non_neg_integer()].
roulette_select_batch(Cumulative, Total, RandomVals) ->
    ?HEAVY([Cumulative, Total, RandomVals],
           tweann_nif_native:roulette_select_batch(Cumulative, Total, RandomVals),
           tweann_nif_native:roulette_select_batch_dirty(Cumulative, Total, RandomVals),
           tweann_ref_selection:roulette_select_batch(Cumulative, Total, RandomVals)).

%% @doc The contestant (a 0-based index into `Fitnesses') with the highest
%% fitness; of equal ones, the last listed. There must be a contestant and
%% each must have a fitness.
-spec tournament_select([non_neg_integer()], [number()] | binary()) -> non_neg_integer().
tournament_select(Contestants, Fitnesses) ->
    ?HEAVY([Contestants, Fitnesses],
           tweann_nif_native:tournament_select(Contestants, Fitnesses),
           tweann_nif_native:tournament_select_dirty(Contestants, Fitnesses),
           tweann_ref_selection:tournament_select(Contestants, Fitnesses)).

%% @doc `(Value - Mean) / StdDev', or `0.0' when `abs(StdDev) < 1.0e-10'.
%%
%% Scheduled by cost: three floats cost three floating-point operations,
%% far less than a NIF call, so they are computed right here (the same
%% operations as the kernel, so the same bits); anything else (integers,
%% bad arguments, an overflow) goes to the NIF.
-spec z_score(number(), number(), number()) -> float().
z_score(Value, Mean, StdDev) when is_float(Value), is_float(Mean), is_float(StdDev) ->
    try
        if
            abs(StdDev) < 1.0e-10 -> 0.0;
            true -> (Value - Mean) / StdDev
        end
    catch
        error:badarith -> z_score_nif(Value, Mean, StdDev)
    end;
z_score(Value, Mean, StdDev) ->
    z_score_nif(Value, Mean, StdDev).

%% Inlined into z_score/3, so errors name it.
-compile({inline, [z_score_nif/3]}).
z_score_nif(Value, Mean, StdDev) ->
    ?CALL([Value, Mean, StdDev],
          tweann_nif_native:z_score(Value, Mean, StdDev),
          tweann_ref_reward:z_score(Value, Mean, StdDev)).

%% @doc `{Current, Normalized, Z}': `Z' is the z-score of `Current' against
%% the mean and population standard deviation of `History',
%% `Normalized = 1 / (1 + exp(-Z))'. An empty history gives
%% `{Current, tanh(Current), 0.0}' (faber-tweann's convention).
-spec compute_reward_component([number()] | binary(), number()) -> {float(), float(), float()}.
compute_reward_component(History, Current) ->
    ?HEAVY([History, Current],
           tweann_nif_native:compute_reward_component(History, Current),
           tweann_nif_native:compute_reward_component_dirty(History, Current),
           tweann_ref_reward:compute_reward_component(History, Current)).

%% @doc `sum(Weight * S)' over `[{History, Current, Weight}]' where `S' is
%% `1 / (1 + exp(-clamp(Z, -10, 10)))' of the component's z-score, or of
%% `Current' itself when its history is empty (faber-tweann's convention).
-spec compute_weighted_reward([{[number()] | binary(), number(), number()}]) -> float().
compute_weighted_reward(Components) ->
    ?HEAVY([Components],
           tweann_nif_native:compute_weighted_reward(Components),
           tweann_nif_native:compute_weighted_reward_dirty(Components),
           tweann_ref_reward:compute_weighted_reward(Components)).

%%====================================================================
%% faber-tweann 2.4 compatibility: weights, random numbers, CfC population
%%====================================================================

%% Random functions are seeded kernels: a seeded function gives the same
%% result for the same seed on every host and in the Erlang reference; an unseeded one
%% takes its seed from the calling process's `rand' state (see seed/0), so
%% `rand:seed/2' makes a whole run reproducible. docs/semantics.md
%% ("Random numbers", "Weight kernels") fixes the generator and the order
%% of the draws.

%% @doc Mutate each weight in order: with probability `MutationRate' it is
%% either perturbed, `W + PerturbStrength * Z' with Z a standard normal draw
%% (probability `PerturbRate'), or replaced by a uniform draw in `[-1, 1)';
%% otherwise kept (as a float). Rates are numbers in `[0, 1]',
%% `PerturbStrength' a number `>= 0'. The seed comes from the caller's `rand'
%% state: see {@link mutate_weights_seeded/5}.
-spec mutate_weights([number()] | binary(), number(), number(), number()) -> [float()].
mutate_weights(Weights, MutationRate, PerturbRate, PerturbStrength) ->
    Seed = seed(),
    ?HEAVY([Weights, MutationRate, PerturbRate, PerturbStrength],
           tweann_nif_native:mutate_weights_seeded(Weights, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_nif_native:mutate_weights_seeded_dirty(Weights, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_ref_weights:mutate_weights_seeded(Weights, MutationRate, PerturbRate, PerturbStrength, Seed)).

%% @doc {@link mutate_weights/4} with the generator of `Seed' (an integer in
%% `0..2^64-1'): the same result on every host and in the Erlang reference.
-spec mutate_weights_seeded([number()] | binary(), number(), number(), number(),
                            non_neg_integer()) -> [float()].
mutate_weights_seeded(Weights, MutationRate, PerturbRate, PerturbStrength, Seed) ->
    ?HEAVY([Weights, MutationRate, PerturbRate, PerturbStrength, Seed],
           tweann_nif_native:mutate_weights_seeded(Weights, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_nif_native:mutate_weights_seeded_dirty(Weights, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_ref_weights:mutate_weights_seeded(Weights, MutationRate, PerturbRate, PerturbStrength, Seed)).

%% @doc {@link mutate_weights/4} over a list of
%% `{Weights, MutationRate, PerturbRate, PerturbStrength}' genomes, returning
%% one weight list per genome. One seed is drawn from the caller's `rand'
%% state per call; genome I (0-based) draws from its own stream (the
%% generator of the (I+1)-th SplitMix64 output of that seed).
-spec mutate_weights_batch([{[number()] | binary(), number(), number(), number()}]) -> [[float()]].
mutate_weights_batch(Genomes) ->
    Seed = seed(),
    ?HEAVY([Genomes],
           tweann_nif_native:mutate_weights_batch_seeded(Genomes, Seed),
           tweann_nif_native:mutate_weights_batch_seeded_dirty(Genomes, Seed),
           tweann_ref_weights:mutate_weights_batch_seeded(Genomes, Seed)).

%% @doc {@link mutate_weights_batch/1} with the same parameters for every
%% genome: `Genomes' is a list of weight lists.
-spec mutate_weights_batch_uniform([[number()] | binary()], number(), number(), number()) ->
          [[float()]].
mutate_weights_batch_uniform(Genomes, MutationRate, PerturbRate, PerturbStrength) ->
    Seed = seed(),
    ?HEAVY([Genomes, MutationRate, PerturbRate, PerturbStrength],
           tweann_nif_native:mutate_weights_batch_uniform_seeded(Genomes, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_nif_native:mutate_weights_batch_uniform_seeded_dirty(Genomes, MutationRate, PerturbRate, PerturbStrength, Seed),
           tweann_ref_weights:mutate_weights_batch_uniform_seeded(Genomes, MutationRate, PerturbRate, PerturbStrength, Seed)).

%% @doc `N' weights drawn uniformly from `[-1, 1)' (seed from the caller's
%% `rand' state). The memory budget ({@link set_memory_budget/1}) caps `N'
%% at 40 bytes per weight.
-spec random_weights(non_neg_integer()) -> [float()].
random_weights(N) ->
    Seed = seed(),
    ?HEAVY([N],
           tweann_nif_native:random_weights_seeded(N, Seed),
           tweann_nif_native:random_weights_seeded_dirty(N, Seed),
           tweann_ref_weights:random_weights_seeded(N, Seed)).

%% @doc {@link random_weights/1} with the generator of `Seed'
%% (`0..2^64-1').
-spec random_weights_seeded(non_neg_integer(), non_neg_integer()) -> [float()].
random_weights_seeded(N, Seed) ->
    ?HEAVY([N, Seed],
           tweann_nif_native:random_weights_seeded(N, Seed),
           tweann_nif_native:random_weights_seeded_dirty(N, Seed),
           tweann_ref_weights:random_weights_seeded(N, Seed)).

%% @doc `N' weights `Mean + StdDev * Z', Z standard normal draws;
%% `StdDev' must be a number `>= 0'.
-spec random_weights_gaussian(non_neg_integer(), number(), number()) -> [float()].
random_weights_gaussian(N, Mean, StdDev) ->
    Seed = seed(),
    ?HEAVY([N, Mean, StdDev],
           tweann_nif_native:random_weights_gaussian_seeded(N, Mean, StdDev, Seed),
           tweann_nif_native:random_weights_gaussian_seeded_dirty(N, Mean, StdDev, Seed),
           tweann_ref_weights:random_weights_gaussian_seeded(N, Mean, StdDev, Seed)).

%% @doc One list of {@link random_weights_gaussian/3} weights per
%% `{N, Mean, StdDev}' spec (spec I draws from stream I, as in
%% {@link mutate_weights_batch/1}).
-spec random_weights_batch([{non_neg_integer(), number(), number()}]) -> [[float()]].
random_weights_batch(Specs) ->
    Seed = seed(),
    ?HEAVY([Specs],
           tweann_nif_native:random_weights_batch_seeded(Specs, Seed),
           tweann_nif_native:random_weights_batch_seeded_dirty(Specs, Seed),
           tweann_ref_weights:random_weights_batch_seeded(Specs, Seed)).

%% @doc Manhattan distance `abs(A1 - B1) + abs(A2 - B2) + ...' of two
%% weight vectors of equal length (a length mismatch is a badarg).
-spec weight_distance_l1([number()] | binary(), [number()] | binary()) -> float().
weight_distance_l1(Weights1, Weights2) ->
    ?HEAVY([Weights1, Weights2],
           tweann_nif_native:weight_distance_l1(Weights1, Weights2),
           tweann_nif_native:weight_distance_l1_dirty(Weights1, Weights2),
           tweann_ref_weights:weight_distance_l1(Weights1, Weights2)).

%% @doc Euclidean distance `sqrt((A1 - B1)^2 + ...)' of two weight vectors
%% of equal length.
-spec weight_distance_l2([number()] | binary(), [number()] | binary()) -> float().
weight_distance_l2(Weights1, Weights2) ->
    ?HEAVY([Weights1, Weights2],
           tweann_nif_native:weight_distance_l2(Weights1, Weights2),
           tweann_nif_native:weight_distance_l2_dirty(Weights1, Weights2),
           tweann_ref_weights:weight_distance_l2(Weights1, Weights2)).

%% @doc The distance from `Target' to each vector of `Others', in order;
%% `Metric' is `l1' or `l2'. Every vector must have `Target''s length.
-spec weight_distance_batch([number()] | binary(), [[number()] | binary()], l1 | l2) -> [float()].
weight_distance_batch(Target, Others, Metric) ->
    ?HEAVY([Target, Others, Metric],
           tweann_nif_native:weight_distance_batch(Target, Others, Metric),
           tweann_nif_native:weight_distance_batch_dirty(Target, Others, Metric),
           tweann_ref_weights:weight_distance_batch(Target, Others, Metric)).

%% @doc faber-tweann's name for {@link dot_product_flat/3}:
%% `sum(Signals[i] * Weights[i]) + Bias' over two equal-length lists.
-spec dot_product_preflattened([number()] | binary(), [number()] | binary(), number()) -> float().
dot_product_preflattened(Signals, Weights, Bias) ->
    ?HEAVY([Signals, Weights, Bias],
           tweann_nif_native:dot_product_flat(Signals, Weights, Bias),
           tweann_nif_native:dot_product_flat_dirty(Signals, Weights, Bias),
           tweann_ref_dot:dot_product_flat(Signals, Weights, Bias)).

%% @doc Compile faber-tweann's population of CfC feed-forward networks
%% (`InputSize -> [HiddenSize CfC] -> OutputSize', tanh outputs) into a
%% resource. `WeightsPop' holds one flat weight vector per network
%% (hidden weights row by row, hidden biases, output weights row by row,
%% output biases: exactly `H*In + H + Out*H + Out' numbers), `TausPop' one
%% list of `HiddenSize' time constants per network; sizes are positive
%% integers, `Bound' a number `>= 0'. Counted with the cells in
%% {@link memory_stats/0}.
-spec compile_cfc_pop([[number()] | binary()], [[number()] | binary()], pos_integer(),
                      pos_integer(), pos_integer(), number()) -> reference().
compile_cfc_pop(WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound) ->
    ?HEAVY([WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound],
           tweann_nif_native:compile_cfc_pop(WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound),
           tweann_nif_native:compile_cfc_pop_dirty(WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound),
           tweann_ref_cfcpop:compile_cfc_pop(WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound)).

%% @doc One step of every network of a {@link compile_cfc_pop/6} population:
%% `StatesPop' one row of `HiddenSize' states per network, `InputsPop' one
%% row of `InputSize' inputs per network. Returns
%% `{OutputsPop, NewStatesPop}'.
-spec cfc_pop_step(reference(), [[number()] | binary()], [[number()] | binary()]) ->
          {[[float()]], [[float()]]}.
cfc_pop_step(Pop, StatesPop, InputsPop) ->
    ?HEAVY([Pop, StatesPop, InputsPop],
           tweann_nif_native:cfc_pop_step(Pop, StatesPop, InputsPop),
           tweann_nif_native:cfc_pop_step_dirty(Pop, StatesPop, InputsPop),
           tweann_ref_cfcpop:cfc_pop_step(Pop, StatesPop, InputsPop)).

%% @doc The implementation serving this module's calls: `native' (the
%% native library is loaded) or `erlang' (the pure Erlang reference, when
%% configured with `{tweann_nif, [{backend, erlang}]}'). With neither,
%% raises `{tweann_nif_not_loaded, Why}' as every other call would. Name it
%% in any benchmark log.
-spec impl() -> native | erlang.
impl() ->
    tweann_nif_native:impl().

%% The seed of an unseeded call: `rand:uniform(1 bsl 58) - 1', uniform in
%% 0..2^58-1, from the calling process's rand state: one draw per call (58
%% bits is one step of every rand algorithm; a 64-bit range takes two).
seed() ->
    rand:uniform(1 bsl 58) - 1.
