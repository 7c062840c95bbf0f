%% @doc Pure Erlang twin of `tweann_core::dot': dot products in the shapes
%% DXNN2's signal aggregator uses. Every sum starts at `0.0', adds
%% `signal * weight' pair by pair in the order given and adds the bias last,
%% as the Rust accumulator does, so results are bit-identical.
%%
%% Bad arguments raise `{tweann_error, badarg, Pos, Why}' through
%% `tweann_ref_args'.
-module(tweann_ref_dot).

-export([dot_product/2, dot_product_flat/3, dot_product_batch/1, flatten_weights/1]).
%% Used by the other reference modules.
-export([dot/3]).

-export_type([weight_spec/0]).

-type weight_spec() :: number() | tuple().
%% A number, or a tuple whose first element is a number (`{W, DW, LR, P}').

%% @doc DXNN2 signal aggregation: the dot product of `[{SourceId, [Signal]}]'
%% with `[{SourceId, [WeightSpec]}]', plus an optional trailing
%% `{bias, [BiasSpec]}'. Entries pair up by position with equal source ids.
-spec dot_product([{term(), [number()]}], [{term(), [weight_spec()]}]) -> float().
dot_product(InputSignals, WeightedInputs) ->
    Signals = signal_entries(InputSignals),
    Weighted = weighted_entries(WeightedInputs, 2),
    {Pairs, Bias} = pair_entries(Signals, Weighted, 1),
    tweann_ref_args:finite(
      fun() ->
              Acc = dot_pairs(Pairs, 0.0),
              case Bias of
                  none -> Acc;
                  B -> Acc + B
              end
      end).

%% @doc `sum(Signals[i] * Weights[i]) + Bias', summed left to right from 0.0.
-spec dot_product_flat([number()] | binary(), [number()] | binary(), number()) -> float().
dot_product_flat(Signals, Weights, Bias) ->
    {Ss, Ws, B} = flat_args(Signals, Weights, Bias, top),
    tweann_ref_args:finite(fun() -> dot(Ss, Ws, 0.0) + B end).

%% @doc {@link dot_product_flat/3} over a list of `{Signals, Weights, Bias}'.
-spec dot_product_batch([{[number()], [number()], number()}]) -> [float()].
dot_product_batch(Items) ->
    Args = tweann_ref_args:map_list(fun flat_item/2, Items, 1, "not a proper list"),
    tweann_ref_args:finite(fun() -> [dot(Ss, Ws, 0.0) + B || {Ss, Ws, B} <- Args] end).

%% @doc All weights of `[{SourceId, [WeightSpec]}]' as floats, in order, and
%% each entry's weight count: `{Weights, Counts}'.
-spec flatten_weights([{term(), [weight_spec()]}]) -> {[float()], [non_neg_integer()]}.
flatten_weights(WeightedInputs) ->
    Entries = weighted_entries(WeightedInputs, 1),
    {lists:append([Ws || {_, Ws} <- Entries]), [length(Ws) || {_, Ws} <- Entries]}.

%% @doc `Acc + W1 * Z1 + W2 * Z2 + ...', left to right, over two lists of
%% equal length.
-spec dot([float()], [float()], float()) -> float().
dot([W | Ws], [Z | Zs], Acc) -> dot(Ws, Zs, Acc + W * Z);
dot([], [], Acc) -> Acc.

%%====================================================================
%% Internal
%%====================================================================

-spec signal_entries(term()) -> [{term(), [float()]}].
signal_entries(L) ->
    tweann_ref_args:map_list(
      fun({Id, Ss}, K) ->
              {Id, list_or(Ss, fun number/1, 1, "element ~b: signal ~b is not a number", K)};
         (_, K) ->
              tweann_ref_args:fail(1, "element ~b is not a {SourceId, [Signal]} tuple", [K])
      end, L, 1, "not a proper list").

-spec weighted_entries(term(), pos_integer()) -> [{term(), [float()]}].
weighted_entries(L, Pos) ->
    tweann_ref_args:map_list(
      fun({Id, Ws}, K) ->
              {Id, list_or(Ws, fun spec/1, Pos,
                           "element ~b: weight ~b is not a number or a tuple "
                           "starting with a number", K)};
         (_, K) ->
              tweann_ref_args:fail(Pos, "element ~b is not a {SourceId, [WeightSpec]} tuple", [K])
      end, L, Pos, "not a proper list").

%% Convert the elements of a proper list with Conv (false = bad element).
-spec list_or(term(), fun((term()) -> float() | false), pos_integer(), string(),
              pos_integer()) -> [float()].
list_or(L, Conv, Pos, Fmt, K) ->
    list_or(L, Conv, Pos, Fmt, K, 1).

-spec list_or(term(), fun((term()) -> float() | false), pos_integer(), string(),
              pos_integer(), pos_integer()) -> [float()].
list_or([X | Rest], Conv, Pos, Fmt, K, J) ->
    case Conv(X) of
        false -> tweann_ref_args:fail(Pos, Fmt, [K, J]);
        F -> [F | list_or(Rest, Conv, Pos, Fmt, K, J + 1)]
    end;
list_or([], _Conv, _Pos, _Fmt, _K, _J) ->
    [];
list_or(_, _Conv, Pos, _Fmt, K, _J) ->
    tweann_ref_args:fail(Pos, "element ~b: the list is not a proper list", [K]).

%% A number as a float, or false.
-spec number(term()) -> float() | false.
number(X) when is_float(X) -> X;
number(X) when is_integer(X) ->
    try float(X) catch error:badarg -> false end;
number(_) -> false.

-spec spec(term()) -> float() | false.
spec(W) when is_tuple(W), tuple_size(W) >= 1 -> number(element(1, W));
spec(W) -> number(W).

-spec pair_entries([{term(), [float()]}], [{term(), [float()]}], pos_integer()) ->
          {[{[float()], [float()]}], none | float()}.
pair_entries([], [], _K) ->
    {[], none};
pair_entries([], [{bias, [B]}], _K) ->
    {[], B};
pair_entries([], [{bias, Bs}], K) ->
    tweann_ref_args:fail(2, "element ~b: the bias entry holds ~b weights, not exactly one",
                         [K, length(Bs)]);
pair_entries([], [_ | _], K) ->
    tweann_ref_args:fail(2, "element ~b has no matching entry in argument 1", [K]);
pair_entries([_ | _], [], K) ->
    tweann_ref_args:fail(2, "has ~b entries, fewer than argument 1", [K - 1]);
pair_entries([{Id, Ss} | SRest], [{Id2, Ws} | WRest], K) ->
    Id =:= Id2 orelse
        tweann_ref_args:fail(2, "element ~b: source id ~tp differs from ~tp in argument 1",
                             [K, Id2, Id]),
    length(Ss) =:= length(Ws) orelse
        tweann_ref_args:fail(2, "element ~b: ~b weights for ~b signals",
                             [K, length(Ws), length(Ss)]),
    {Pairs, Bias} = pair_entries(SRest, WRest, K + 1),
    {[{Ss, Ws} | Pairs], Bias}.

-spec dot_pairs([{[float()], [float()]}], float()) -> float().
dot_pairs([], Acc) ->
    Acc;
dot_pairs([{Ss, Ws} | Rest], Acc) ->
    dot_pairs(Rest, dot(Ss, Ws, Acc)).

-spec flat_item(term(), pos_integer()) -> {[float()], [float()], float()}.
flat_item({Signals, Weights, Bias}, I) ->
    flat_args(Signals, Weights, Bias, {item, I});
flat_item(_, I) ->
    tweann_ref_args:fail(1, "element ~b is not a {Signals, Weights, Bias} tuple", [I]).

-spec flat_args(term(), term(), term(), top | {item, pos_integer()}) ->
          {[float()], [float()], float()}.
flat_args(Signals, Weights, Bias, Ctx) ->
    Ss = flat_list(Signals, 1, Ctx),
    Ws = flat_list(Weights, 2, Ctx),
    length(Ss) =:= length(Ws) orelse
        flat_bad(Ctx, 2, io_lib:format("has ~b elements but the signals have ~b",
                                       [length(Ws), length(Ss)])),
    B = case number(Bias) of
            false -> flat_bad(Ctx, 3, "is not a number");
            F -> F
        end,
    {Ss, Ws, B}.

-spec flat_list(term(), 1..2, top | {item, pos_integer()}) -> [float()].
flat_list(L, Arg, top) ->
    tweann_ref_args:float_list(Arg, L);
flat_list(L, Arg, Ctx) ->
    try
        tweann_ref_args:float_list(Arg, L)
    catch
        error:{tweann_error, badarg, _, Msg} -> flat_bad(Ctx, Arg, Msg)
    end.

-spec flat_bad(top | {item, pos_integer()}, 1..3, unicode:chardata()) -> no_return().
flat_bad(top, Arg, Msg) ->
    tweann_ref_args:fail(Arg, Msg);
flat_bad({item, I}, Arg, Msg) ->
    Field = element(Arg, {"signals", "weights", "bias"}),
    tweann_ref_args:fail(1, "element ~b: ~s: ~ts", [I, Field, Msg]).
