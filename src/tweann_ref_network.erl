%% @doc Pure Erlang twin of `tweann_core::network': compiling a node list
%% into a network and evaluating it, following `docs/semantics.md' to the
%% letter, including the order of floating-point operations, so results are
%% bit-identical to the Rust kernel's.
%%
%% A network compiled here is an ordinary Erlang term (see {@link network()}),
%% not a NIF resource; only this module runs it. It is written to be
%% reasonably fast (it is the benchmark baseline): flat lists and chunked
%% tuples, no maps.
%%
%% Bad arguments raise `{tweann_error, badarg, Pos, Why}' and an overflow
%% `{tweann_error, badarith, general, Why}' naming the node, through
%% `tweann_ref_args'.
-module(tweann_ref_network).

-export([compile_network/3, compile_network/4, compile_options/1,
         evaluate/2, evaluate_batch/2, evaluate_with_state/3,
         network_info/1, benchmark_evaluate/3]).

-export_type([network/0, node_type/0, network_node/0, input_data/0, state_model/0]).

-include("tweann_ref_network.hrl").

-type values() :: tuple().
-type state() :: zeros | tuple().
-type class() :: input | delay | other.
-type parsed_type() :: input | ordinary | delay | {leaky, float()}
                     | {cfc | ltc, float(), float()}.
-type parsed_node() :: {non_neg_integer(), parsed_type(), tweann_ref_activation:activation(),
                        float(), [{integer(), float()}]}.
-type resolved() :: {non_neg_integer(), non_neg_integer(), parsed_type(),
                     tweann_ref_activation:activation(), float(), [conn()]}.

-opaque network() :: #tweann_ref_net{}.
%% A compiled network: an Erlang term, only meaningful to this module.

-type node_type() :: input | neuron | hidden | output | bias | delay
                   | {leaky, number()} | {cfc, number(), number()} | {ltc, number(), number()}.
%% A node's type, as {@link tweann_nif:node_type()}.
-type network_node() :: {non_neg_integer(), node_type(), tweann_ref_activation:activation(),
                         number(), [{non_neg_integer(), number()}]}.
%% One node as given to {@link compile_network/3}, as
%% {@link tweann_nif:node_spec()}.
-type input_data() :: [number()] | binary().
%% A list of numbers, or a binary of native-endian finite f64 values.

%%====================================================================
%% API
%%====================================================================

%% @doc Compile a network description into a term {@link evaluate/2} runs,
%% under the default state model (`organelles').
%%
%% `Nodes' is `[{Index, Type, Activation, Bias, [{FromIndex, Weight}]}]' in
%% evaluation order, `InputCount' the number of `input' nodes and
%% `OutputIndices' the node indices whose values are returned, in order.
-spec compile_network([network_node()], non_neg_integer(), [non_neg_integer()]) -> network().
compile_network(Nodes, InputCount, OutputIndices) ->
    compile(Nodes, InputCount, OutputIndices, organelles).

%% @doc {@link compile_network/3} with the options of
%% `tweann_nif:compile_network/4', checked by {@link compile_options/1}. The
%% reference allocates ordinary Erlang terms and does not enforce a budget.
-spec compile_network([network_node()], non_neg_integer(), [non_neg_integer()],
                      #{memory_budget => pos_integer() | default,
                        state_model => state_model()}) -> network().
compile_network(Nodes, InputCount, OutputIndices, Opts) ->
    {_Budget, Model} = compile_options(Opts),
    compile(Nodes, InputCount, OutputIndices, Model).

%% @doc The budget (`default' or a positive integer) and the state model
%% (`organelles', the default, or `forward_refs') that an options map of
%% `compile_network/4' (argument 4) asks for. Unknown keys are errors.
-spec compile_options(term()) -> {pos_integer() | default, state_model()}.
compile_options(Opts) when is_map(Opts) ->
    case maps:keys(maps:without([memory_budget, state_model], Opts)) of
        [] -> ok;
        [Key | _] -> tweann_ref_args:fail(4, "unknown option ~tp (known: memory_budget, state_model)",
                                          [Key])
    end,
    Budget = case maps:get(memory_budget, Opts, default) of
                 B when is_integer(B), B > 0, B < 1 bsl 64 -> B;
                 default -> default;
                 Bad -> tweann_ref_args:fail(4, "memory_budget must be a positive integer below "
                                                "2^64 (bytes), not ~tp", [Bad])
             end,
    Model = case maps:get(state_model, Opts, organelles) of
                M when M =:= organelles; M =:= forward_refs -> M;
                BadM -> tweann_ref_args:fail(4, "state_model must be organelles or forward_refs, "
                                                "not ~tp", [BadM])
            end,
    {Budget, Model};
compile_options(_) ->
    tweann_ref_args:fail(4, "options must be a map such as #{memory_budget => Bytes}").

%% @doc Evaluate one step of a compiled network from a zero state: the
%% outputs of `evaluate_with_state(Network, Inputs, [])'. Returns `[]' when
%% the number of inputs differs from the network's `InputCount'.
-spec evaluate(network(), input_data()) -> [float()].
evaluate(Network, Inputs) ->
    Net = check_net(Network),
    Xs = tweann_ref_args:float_list(2, Inputs),
    eval_outputs(Net, Xs).

%% @doc Evaluate a network on each row of `Batch': a list of rows (lists of
%% numbers or binaries) or one binary holding all rows back to back. Row i's
%% result equals `evaluate(Network, Row_i)'; a row of the wrong length gives
%% `[]'.
-spec evaluate_batch(network(), [input_data()] | binary()) -> [[float()]].
evaluate_batch(Network, Batch) ->
    Net = check_net(Network),
    Rows = batch_rows(Batch, Net#tweann_ref_net.input_count),
    [eval_outputs(Net, Row) || Row <- Rows].

%% @doc Evaluate one step of a stateful network. `State' is `[]' (all zeros)
%% or `state_size' numbers (list or binary) in slot order. Returns
%% `{Outputs, NextState}', or `{[], []}' when the number of inputs or of
%% state values is wrong.
-spec evaluate_with_state(network(), input_data(), input_data()) -> {[float()], [float()]}.
evaluate_with_state(Network, Inputs, State) ->
    Net = check_net(Network),
    Xs = tweann_ref_args:float_list(2, Inputs),
    S = state_data(State),
    case length(Xs) =:= Net#tweann_ref_net.input_count andalso
        (S =:= zeros orelse length(S) =:= Net#tweann_ref_net.state_size) of
        true ->
            St = case S of zeros -> zeros; _ -> list_to_tuple(S) end,
            Vals = run(Net, Xs, S, St),
            {read(Net#tweann_ref_net.outputs, Vals), next_state(Net#tweann_ref_net.slots, Vals)};
        false ->
            {[], []}
    end.

%% @doc Facts about a compiled network, the same keys and values as the
%% native library gives for the same node list and options: `nodes',
%% `connections', `inputs', `outputs', `state_size', `forward_refs',
%% `delay_nodes', `leaky_nodes', `liquid_nodes', `state_model' and `bytes',
%% the memory the native compiled form of this network holds (the
%% reference's own term is larger; `erts_debug:flat_size/1' measures it).
-spec network_info(network()) -> #{atom() => non_neg_integer() | state_model()}.
network_info(Network) ->
    Net = check_net(Network),
    Info = Net#tweann_ref_net.info,
    Info#{bytes => native_bytes(Info, Net#tweann_ref_net.fwd_sources)}.

%% What tweann_core's compiled network holds (`docs/semantics.md',
%% "network_info"): its fixed part (eleven vectors of three machine words,
%% four counts and the state model: 38 words), then per node a kind byte, an
%% f64 bias and a u32 row start, one more row start, per connection a u32
%% source and an f64 weight, a u32 per input, output, state slot and source
%% of forward references, two f64 (tau, bound) per liquid node and one f64
%% per leaky node; and its evaluation plan (three vectors, 9 words): per node
%% of pass 2 (neither input nor delay) a 24-byte step and room for an 8-byte
%% group, and per leaky or liquid node 8 bytes.
-spec native_bytes(#{atom() => term()}, non_neg_integer()) -> non_neg_integer().
native_bytes(#{nodes := N, connections := C, inputs := I, outputs := O, state_size := S,
               liquid_nodes := L, leaky_nodes := K, delay_nodes := D}, FwdSources) ->
    47 * erlang:system_info(wordsize) + 13 * N + 4 + 12 * C + 4 * (I + O + S + FwdSources)
        + 24 * L + 16 * K + 32 * (N - I - D).

%% @doc Evaluate `Iterations' times and return the mean microseconds per
%% evaluation (each iteration includes decoding `Inputs', as the NIF's does).
-spec benchmark_evaluate(network(), input_data(), pos_integer()) -> float().
benchmark_evaluate(Network, Inputs, Iterations) ->
    Net = check_net(Network),
    _ = tweann_ref_args:float_list(2, Inputs),
    %% tweann_nif's network.rs MAX_ITERATIONS
    N = case Iterations of
            It when is_integer(It), It >= 1, It =< 10000000 -> It;
            _ -> tweann_ref_args:fail(3, "Iterations must be a positive integer up to 10000000")
        end,
    T0 = erlang:monotonic_time(nanosecond),
    bench_loop(Net, Inputs, N),
    T1 = erlang:monotonic_time(nanosecond),
    (T1 - T0) / 1000 / N.

-spec bench_loop(network(), input_data(), non_neg_integer()) -> ok.
bench_loop(_Net, _Inputs, 0) ->
    ok;
bench_loop(Net, Inputs, N) ->
    _ = eval_outputs(Net, tweann_ref_args:float_list(2, Inputs)),
    bench_loop(Net, Inputs, N - 1).

%%====================================================================
%% Compiling
%%====================================================================

-spec compile(term(), term(), term(), state_model()) -> network().
compile(Nodes, InputCount, OutputIndices, Model) ->
    Parsed = tweann_ref_args:map_list(fun parse_node/2, Nodes, 1, "not a proper list of nodes"),
    Pos = index_positions(Parsed, 0, #{}),
    _ = tweann_ref_args:non_neg_int(2, InputCount),
    NIn = length([x || {_, input, _, _, _} <- Parsed]),
    NIn =:= InputCount orelse
        tweann_ref_args:fail(2, "InputCount is ~b but Nodes has ~b input nodes", [InputCount, NIn]),
    OutPos = tweann_ref_args:map_list(fun(I, K) -> output_pos(I, K, Pos) end, OutputIndices, 3,
                                      "not a proper list"),
    Classes = list_to_tuple([class(T) || {_, T, _, _, _} <- Parsed]),
    %% Resolve connections; find forward references.
    {Resolved, Forward, NConns, NFwd} = resolve(Parsed, 0, Pos, Classes, [], #{}, 0, 0),
    Types = lists:enumerate(0, [T || {_, T, _, _, _} <- Parsed]),
    SlotPs = [P || {P, T} <- Types,
                   organelle(T) orelse (Model =:= forward_refs andalso is_map_key(P, Forward))],
    SlotNo = maps:from_list(lists:zip(SlotPs, lists:seq(1, length(SlotPs)))),
    Template = [template(P, T, SlotNo, Model) || {P, T} <- Types],
    Program = [program_node(R, SlotNo) || R <- Resolved],
    Captures = maps:from_list([{P, {capture, Index, Bias, Cs}}
                               || {P, Index, delay, _, Bias, Cs} <- Resolved]),
    Slots = [maps:get(P, Captures, hilo(P)) || P <- SlotPs],
    StateSize = length(SlotPs),
    Count = fun(F) -> length([x || {_, T} <- Types, F(T)]) end,
    #tweann_ref_net{
       input_count = NIn,
       model = Model,
       fwd_sources = map_size(Forward),
       template = Template,
       program = Program,
       outputs = OutPos,
       slots = Slots,
       state_size = StateSize,
       info = #{nodes => length(Parsed), connections => NConns,
                inputs => NIn, outputs => length(OutPos),
                state_size => StateSize, forward_refs => NFwd,
                delay_nodes => Count(fun(T) -> T =:= delay end),
                leaky_nodes => Count(fun({leaky, _}) -> true; (_) -> false end),
                liquid_nodes => Count(fun({_, _, _}) -> true; (_) -> false end),
                state_model => Model}}.

-spec parse_node(term(), pos_integer()) -> parsed_node().
parse_node({Index, Type, Act, Bias, Conns}, K) ->
    is_integer(Index) andalso Index >= 0 andalso Index =< ?MAX_INDEX orelse
        tweann_ref_args:fail(1, "element ~b: node index ~tp is not an integer in 0..4294967295",
            [K, Index]),
    T = node_type(Type, Index),
    tweann_ref_activation:is_activation(Act) orelse
        tweann_ref_args:fail(1, "unknown activation ~tp in node ~b", [Act, Index]),
    B = case to_float(Bias) of
            false -> tweann_ref_args:fail(1, "node ~b: bias ~tp is not a number", [Index, Bias]);
            F -> F
        end,
    Cs = tweann_ref_args:map_list(fun(C, J) -> parse_conn(C, J, Index) end, Conns, 1,
                                  {"node ~b: connections are not a proper list", [Index]}),
    T =:= input andalso Cs =/= [] andalso
        tweann_ref_args:fail(1, "input node ~b has connections", [Index]),
    {Index, T, Act, B, Cs};
parse_node(_, K) ->
    tweann_ref_args:fail(1, "element ~b is not a {Index, Type, Activation, Bias, Conns} tuple", [K]).

-spec node_type(term(), non_neg_integer()) -> parsed_type().
node_type(input, _Index) ->
    input;
node_type(Type, _Index) when Type =:= neuron; Type =:= hidden; Type =:= output;
                             Type =:= bias ->
    ordinary;
node_type(delay, _Index) ->
    delay;
node_type({leaky, Tau}, Index) ->
    T = to_float(Tau),
    is_float(T) andalso T > 0.0 orelse
        tweann_ref_args:fail(1, "node ~b: leaky Tau ~tp is not a number > 0", [Index, Tau]),
    {leaky, T};
node_type({Kind, Tau, Bound}, Index) when Kind =:= cfc; Kind =:= ltc ->
    T = to_float(Tau),
    is_float(T) andalso T > 0.0 orelse
        tweann_ref_args:fail(1, "node ~b: ~s Tau ~tp is not a number > 0", [Index, Kind, Tau]),
    B = to_float(Bound),
    is_float(B) andalso B > 0.0 orelse
        tweann_ref_args:fail(1, "node ~b: ~s Bound ~tp is not a number > 0", [Index, Kind, Bound]),
    {Kind, tweann_ref_scalar:tau(T), B};
node_type(Type, Index) ->
    tweann_ref_args:fail(1, "node ~b: type ~tp is not input, neuron, hidden, output, bias, "
        "delay, {leaky, Tau}, {cfc, Tau, Bound} or {ltc, Tau, Bound}", [Index, Type]).

-spec parse_conn(term(), pos_integer(), non_neg_integer()) -> {integer(), float()}.
parse_conn({From, W}, J, Index) ->
    is_integer(From) orelse
        tweann_ref_args:fail(1, "node ~b: connection ~b source ~tp is not a node index", [Index, J, From]),
    case to_float(W) of
        false -> tweann_ref_args:fail(1, "node ~b: connection ~b weight ~tp is not a number",
                     [Index, J, W]);
        F -> {From, F}
    end;
parse_conn(_, J, Index) ->
    tweann_ref_args:fail(1, "node ~b: connection ~b is not a {FromIndex, Weight} tuple", [Index, J]).

%% A number as a float, or false.
-spec to_float(term()) -> float() | false.
to_float(X) when is_float(X) -> X;
to_float(X) when is_integer(X) ->
    try float(X) catch error:badarg -> false end;
to_float(_) -> false.

-spec class(parsed_type()) -> class().
class(input) -> input;
class(delay) -> delay;
class(_) -> other.

%% The nodes that own a state slot in every state model.
-spec organelle(parsed_type()) -> boolean().
organelle(delay) -> true;
organelle(T) -> is_tuple(T).

-spec index_positions([parsed_node()], non_neg_integer(),
                      #{non_neg_integer() => non_neg_integer()}) ->
          #{non_neg_integer() => non_neg_integer()}.
index_positions([], _P, Acc) ->
    Acc;
index_positions([{Index, _, _, _, _} | Rest], P, Acc) ->
    is_map_key(Index, Acc) andalso tweann_ref_args:fail(1, "duplicate node index ~b", [Index]),
    index_positions(Rest, P + 1, Acc#{Index => P}).

-spec output_pos(term(), pos_integer(), #{non_neg_integer() => non_neg_integer()}) ->
          hilo().
output_pos(I, K, Pos) ->
    case Pos of
        #{I := P} -> hilo(P);
        _ -> tweann_ref_args:fail(3, "element ~b: no node with index ~tp", [K, I])
    end.

%% Every non-input node with its connections resolved to positions; a
%% connection of a node that is neither an input nor a delay, from a node
%% that is neither an input nor a delay at or after the reader, is a forward
%% reference (its source is recorded in Fwd).
-spec resolve([parsed_node()], non_neg_integer(), #{integer() => non_neg_integer()},
              tuple(), [resolved()], #{non_neg_integer() => true}, non_neg_integer(),
              non_neg_integer()) ->
          {[resolved()], #{non_neg_integer() => true}, non_neg_integer(), non_neg_integer()}.
resolve([], _P, _Pos, _Classes, Acc, Fwd, NC, NF) ->
    {lists:reverse(Acc), Fwd, NC, NF};
resolve([{_Index, input, _, _, _} | Rest], P, Pos, Classes, Acc, Fwd, NC, NF) ->
    resolve(Rest, P + 1, Pos, Classes, Acc, Fwd, NC, NF);
resolve([{Index, Type, Act, Bias, Conns} | Rest], P, Pos, Classes, Acc, Fwd0, NC, NF0) ->
    Reads = Type =/= delay,
    {RevCs, Fwd, NF} =
        lists:foldl(
          fun({From, W}, {Cs, F, N}) ->
                  Q = case Pos of
                          #{From := Q0} -> Q0;
                          _ -> tweann_ref_args:fail(1, "connection from missing node ~b in node ~b",
                                   [From, Index])
                      end,
                  {Hi, Lo} = hilo(Q),
                  case Reads andalso Q >= P andalso element(Q + 1, Classes) =:= other of
                      true -> {[{Hi, Lo, W} | Cs], F#{Q => true}, N + 1};
                      false -> {[{Hi, Lo, W} | Cs], F, N}
                  end
          end, {[], Fwd0, NF0}, Conns),
    Cs = lists:reverse(RevCs),
    resolve(Rest, P + 1, Pos, Classes, [{P, Index, Type, Act, Bias, Cs} | Acc], Fwd,
            NC + length(Cs), NF).

-spec program_node(resolved(), #{non_neg_integer() => pos_integer()}) -> program_node().
program_node({P, Index, Type, Act, Bias, Cs}, SlotNo) ->
    Op = case Type of
             ordinary -> Act;
             delay -> delay;
             {leaky, Tau} -> {leaky, Tau, maps:get(P, SlotNo)};
             {Kind, Tau, Bound} -> {Kind, Tau, Bound, maps:get(P, SlotNo)}
         end,
    {Hi, Lo} = hilo(P),
    {Index, Hi, Lo, Op, Bias, Cs}.

%% A node's value at the start of a step: an input, its state (a delay, or
%% any slot under forward_refs), or 0.0 (which for another slot still takes
%% its state value off the list).
-spec template(non_neg_integer(), parsed_type(), #{non_neg_integer() => pos_integer()},
               state_model()) -> in | held | slot | zero.
template(_P, input, _SlotNo, _Model) -> in;
template(P, _Type, SlotNo, _Model) when not is_map_key(P, SlotNo) -> zero;
template(_P, delay, _SlotNo, _Model) -> held;
template(_P, _Type, _SlotNo, forward_refs) -> held;
template(_P, _Type, _SlotNo, organelles) -> slot.

-spec hilo(non_neg_integer()) -> hilo().
hilo(P) ->
    {P div ?CHUNK + 1, P rem ?CHUNK + 1}.

%%====================================================================
%% Evaluating
%%====================================================================

-spec check_net(term()) -> network().
check_net(#tweann_ref_net{} = Net) -> Net;
check_net(_) -> tweann_ref_args:fail(1, "not a network compiled by tweann_ref_network:compile_network/3").

-spec eval_outputs(network(), [float()]) -> [float()].
eval_outputs(#tweann_ref_net{input_count = NIn, outputs = Outs, slots = Slots} = Net, Xs) ->
    case length(Xs) =:= NIn of
        true ->
            Vals = run(Net, Xs, zeros, zeros),
            ok = check_captures(Slots, Vals),
            read(Outs, Vals);
        false -> []
    end.

%% Pass 1 (initial values: inputs, delays' emits), then pass 2: every
%% non-input node in order. `S' is the state as a list (for the template),
%% `St' as a tuple (for an organelle's previous state).
-spec run(network(), [float()], zeros | [float()], state()) -> values().
run(#tweann_ref_net{template = Template, program = Program}, Xs, S, St) ->
    Vals = list_to_tuple(chunks(initial(Template, Xs, S))),
    step(Program, Vals, St).

-spec initial([in | held | slot | zero], [float()], zeros | [float()]) -> [float()].
initial([in | T], [X | Xs], S) -> [X | initial(T, Xs, S)];
initial([zero | T], Xs, S) -> [0.0 | initial(T, Xs, S)];
initial([_ | T], Xs, zeros) -> [0.0 | initial(T, Xs, zeros)];
initial([held | T], Xs, [V | Vs]) -> [V | initial(T, Xs, Vs)];
initial([slot | T], Xs, [_ | Vs]) -> [0.0 | initial(T, Xs, Vs)];
initial([], _Xs, _S) -> [].

-spec chunks([float()]) -> [tuple()].
chunks([]) -> [];
chunks(L) -> take(?CHUNK, L, []).

-spec take(non_neg_integer(), [float()], [float()]) -> [tuple()].
take(0, Rest, Acc) -> [list_to_tuple(lists:reverse(Acc)) | chunks(Rest)];
take(_, [], Acc) -> [list_to_tuple(lists:reverse(Acc))];
take(N, [X | Rest], Acc) -> take(N - 1, Rest, [X | Acc]).

-spec step([program_node()], values(), state()) -> values().
step([], Vals, _St) ->
    Vals;
step([{_Index, _Hi, _Lo, delay, _Bias, _Conns} | Rest], Vals, St) ->
    step(Rest, Vals, St);
step([{Index, Hi, Lo, Op, Bias, Conns} | Rest], Vals, St) ->
    V = try node_value(Op, Bias, Conns, Vals, St)
        catch error:badarith -> overflow(Index)
        end,
    step(Rest, setelement(Hi, Vals, setelement(Lo, element(Hi, Vals), V)), St).

-spec node_value(op(), float(), [conn()], values(), state()) -> float().
node_value(Op, Bias, Conns, Vals, St) ->
    X = sum(Conns, Vals, 0.0) + Bias,
    case Op of
        {leaky, Tau, K} ->
            Prev = prev(St, K),
            Prev + (X - Prev) / Tau;
        {cfc, T, Bound, K} -> tweann_ref_scalar:cfc(X, prev(St, K), T, Bound, [], []);
        {ltc, T, Bound, K} ->
            {Y, _} = tweann_ref_scalar:ode(X, prev(St, K), T, Bound, 1.0, [], []),
            Y;
        Act -> tweann_ref_activation:act(Act, X)
    end.

%% Slot K's value in the state (1-based), 0.0 from a zero state.
-spec prev(state(), pos_integer()) -> float().
prev(zeros, _K) -> 0.0;
prev(St, K) -> element(K, St).

-spec sum([conn()], values(), float()) -> float().
sum([], _Vals, Acc) ->
    Acc;
sum([{Hi, Lo, W} | Rest], Vals, Acc) ->
    sum(Rest, Vals, Acc + W * element(Lo, element(Hi, Vals))).

-spec overflow(non_neg_integer()) -> no_return().
overflow(Index) ->
    tweann_ref_args:overflow(general, "arithmetic overflow in node ~b: its value is not finite",
                             [Index]).

-spec read([hilo()], values()) -> [float()].
read(Positions, Vals) ->
    [element(Lo, element(Hi, Vals)) || {Hi, Lo} <- Positions].

%% Pass 3: each slot's next value, in slot order: a delay's capture (its
%% weighted sum plus bias over the values the step ended with), or the node's
%% value.
-spec next_state([slot()], values()) -> [float()].
next_state([], _Vals) ->
    [];
next_state([{Hi, Lo} | Rest], Vals) ->
    [element(Lo, element(Hi, Vals)) | next_state(Rest, Vals)];
next_state([Capture | Rest], Vals) ->
    [capture(Capture, Vals) | next_state(Rest, Vals)].

%% The captures of a stateless step: computed for their overflow only.
-spec check_captures([slot()], values()) -> ok.
check_captures([], _Vals) -> ok;
check_captures([{capture, _, _, _} = C | Rest], Vals) ->
    _ = capture(C, Vals),
    check_captures(Rest, Vals);
check_captures([_ | Rest], Vals) ->
    check_captures(Rest, Vals).

-spec capture(slot(), values()) -> float().
capture({capture, Index, Bias, Conns}, Vals) ->
    try sum(Conns, Vals, 0.0) + Bias
    catch error:badarith -> overflow(Index)
    end.

-spec batch_rows(term(), non_neg_integer()) -> [[float()]].
batch_rows(Batch, _NIn) when is_list(Batch) ->
    tweann_ref_args:map_list(fun(Row, I) -> tweann_ref_args:float_list(2, row(I), Row) end,
                             Batch, 2, "not a proper list of rows or a binary");
batch_rows(Batch, 0) when is_binary(Batch) ->
    Batch =:= <<>> orelse
        tweann_ref_args:fail(2, "the network has no inputs, so only <<>> is a valid binary batch"),
    [];
batch_rows(Batch, NIn) when is_binary(Batch) ->
    RowBytes = 8 * NIn,
    byte_size(Batch) rem RowBytes =:= 0 orelse
        tweann_ref_args:fail(2, "binary size ~b is not a multiple of ~b (8 * InputCount)",
            [byte_size(Batch), RowBytes]),
    split_rows(Batch, RowBytes, 1);
batch_rows(_Batch, _NIn) ->
    tweann_ref_args:fail(2, "not a list of rows or a binary").

-spec split_rows(binary(), pos_integer(), pos_integer()) -> [[float()]].
split_rows(<<>>, _RowBytes, _I) ->
    [];
split_rows(Bin, RowBytes, I) ->
    <<Row:RowBytes/binary, Rest/binary>> = Bin,
    [tweann_ref_args:float_list(2, row(I), Row) | split_rows(Rest, RowBytes, I + 1)].

-spec row(pos_integer()) -> {io:format(), [term()]}.
row(I) -> {"row ~b", [I]}.

-spec state_data(term()) -> zeros | [float()].
state_data([]) ->
    zeros;
state_data(State) ->
    tweann_ref_args:float_list(3, State).
