%% @doc faber-tweann's batched CfC population in pure Erlang: the twin of
%% `native/tweann_core/src/cfcpop.rs' (same operations in the same order, so
%% the same bits).
%%
%% A population holds P feed-forward networks of one shape,
%% `In -> [Hidden CfC] -> Out' with tanh outputs. Network I has a flat weight
%% vector (hidden weights row by row, hidden biases, output weights row by
%% row, output biases: `Hidden*In + Hidden + Out*Hidden + Out' numbers) and
%% `Hidden' time constants. {@link cfc_pop_step/3} steps every network once.
%% `docs/semantics.md' ("CfC population") gives the formulas.
%%
%% Arguments are checked before anything is computed. A bad argument raises
%% `error:{tweann_error, badarg, Position, Why}' and an overflow
%% `error:{tweann_error, badarith, general, Why}', both through
%% `tweann_ref_args' ({@link tweann_nif} turns these into
%% `badarg'/`badarith' with error_info).
-module(tweann_ref_cfcpop).

-export([compile_cfc_pop/6, cfc_pop_step/3]).

-export_type([population/0]).

-record(tweann_ref_cfcpop, {
    input :: pos_integer(),
    hidden :: pos_integer(),
    output :: pos_integer(),
    bound :: float(),
    %% Per network: {HiddenRows, HiddenBiases, OutputRows, OutputBiases, Taus}.
    nets :: [{[[float()]], [float()], [[float()]], [float()], [float()]}]
}).

-opaque population() :: #tweann_ref_cfcpop{}.
%% A compiled population: an Erlang term, only meaningful to this module.

-define(MAX_SIZE, 16#FFFFFFFF).
-define(MAX_U64, 16#FFFFFFFFFFFFFFFF).

%% @doc Compile `WeightsPop' (one flat weight vector per network) and
%% `TausPop' (one list of `HiddenSize' time constants per network).
-spec compile_cfc_pop([[number()] | binary()], [[number()] | binary()], pos_integer(),
                      pos_integer(), pos_integer(), number()) -> population().
compile_cfc_pop(WeightsPop, TausPop, InputSize, HiddenSize, OutputSize, Bound) ->
    In = size_arg(InputSize, 3, "InputSize"),
    H = size_arg(HiddenSize, 4, "HiddenSize"),
    Out = size_arg(OutputSize, 5, "OutputSize"),
    WL = H * In + H + Out * H + Out,
    WL =< ?MAX_U64 orelse tweann_ref_args:fail(4, "the layer sizes give more weights than memory can hold"),
    B = case to_float(Bound) of
            F when is_float(F), F >= 0.0 -> F;
            _ -> tweann_ref_args:fail(6, "Bound must be a number >= 0")
        end,
    Ws = rows(WeightsPop, 1, "WeightsPop", "weight vector", WL),
    Ts = rows(TausPop, 2, "TausPop", "tau vector", H),
    length(Ts) =:= length(Ws) orelse
        tweann_ref_args:fail(2, io_lib:format("~b networks need ~b time constants (~b each), got ~b",
                              [length(Ws), length(Ws) * H, H, length(Ts) * H])),
    Nets = [net(W, T, In, H, Out) || {W, T} <- lists:zip(Ws, Ts)],
    #tweann_ref_cfcpop{input = In, hidden = H, output = Out, bound = B, nets = Nets}.

net(Flat, Taus, In, H, Out) ->
    {W1, R1} = lists:split(H * In, Flat),
    {B1, R2} = lists:split(H, R1),
    {W2, B2} = lists:split(Out * H, R2),
    {chunks(W1, In), B1, chunks(W2, H), B2, Taus}.

chunks([], _N) -> [];
chunks(L, N) ->
    {Row, Rest} = lists:split(N, L),
    [Row | chunks(Rest, N)].

%% @doc One step of every network: `StatesPop' one row of `HiddenSize'
%% states per network, `InputsPop' one row of `InputSize' inputs per
%% network. Returns `{OutputsPop, NewStatesPop}'.
-spec cfc_pop_step(population(), [[number()] | binary()], [[number()] | binary()]) ->
          {[[float()]], [[float()]]}.
cfc_pop_step(#tweann_ref_cfcpop{input = In, hidden = H, bound = B, nets = Nets}, StatesPop, InputsPop) ->
    P = length(Nets),
    Ss = rows(StatesPop, 2, "StatesPop", "state row", H),
    length(Ss) =:= P orelse tweann_ref_args:fail(2, io_lib:format("~b state rows for ~b networks", [length(Ss), P])),
    Xs = rows(InputsPop, 3, "InputsPop", "input row", In),
    length(Xs) =:= P orelse tweann_ref_args:fail(3, io_lib:format("~b input rows for ~b networks", [length(Xs), P])),
    try step(Nets, Ss, Xs, B, 1, [], []) of
        R -> R
    catch throw:{overflow, K, Layer} ->
            tweann_ref_args:overflow(general, "arithmetic overflow in the ~s layer of network ~b", [Layer, K])
    end;
cfc_pop_step(_Pop, _StatesPop, _InputsPop) ->
    tweann_ref_args:fail(1, "not a CfC population (use compile_cfc_pop/6)").

step([], [], [], _B, _K, Outs, States) ->
    {lists:reverse(Outs), lists:reverse(States)};
step([{W1, B1, W2, B2, Taus} | Nets], [S | Ss], [X | Xs], B, K, Outs, States) ->
    Hidden = try hidden(W1, B1, S, Taus, X, B)
             catch error:badarith -> throw({overflow, K, "hidden"})
             end,
    Out = try outputs(W2, B2, Hidden)
          catch error:badarith -> throw({overflow, K, "output"})
          end,
    step(Nets, Ss, Xs, B, K + 1, [Out | Outs], [Hidden | States]).

hidden([Wj | W1], [Bj | B1], [Sj | S], [Tj | Taus], X, B) ->
    Sum = dot(Wj, X, 0.0) + Bj,
    [cfc(Sum, Sj, Tj, B) | hidden(W1, B1, S, Taus, X, B)];
hidden([], [], [], [], _X, _B) ->
    [].

outputs([Vk | W2], [Ck | B2], Hidden) ->
    [tweann_ref_math:tanh(dot(Vk, Hidden, 0.0) + Ck) | outputs(W2, B2, Hidden)];
outputs([], [], _Hidden) ->
    [].

dot([W | Ws], [X | Xs], Acc) -> dot(Ws, Xs, Acc + W * X);
dot([], [], Acc) -> Acc.

%% The scalar CfC step without weights (tweann_ref_scalar, the twin of
%% tweann_core::scalar::cfc, which the kernel calls):
%% s = sig(-(In / max(Tau, 0.001))), clamp(s * S + (1 - s) * tanh(In)).
cfc(In, S, Tau, Bound) ->
    tweann_ref_scalar:cfc(In, S, tweann_ref_scalar:tau(Tau), Bound, [], []).

%%====================================================================
%% Arguments
%%====================================================================

size_arg(N, _Pos, _What) when is_integer(N), N >= 1, N =< ?MAX_SIZE -> N;
size_arg(_, Pos, What) -> tweann_ref_args:fail(Pos, [What, " must be an integer from 1 to 4294967295"]).

%% A number as the NIF decoders read it: a float, or an integer as float/1
%% converts it (false beyond the float range).
to_float(X) when is_float(X) -> X;
to_float(X) when is_integer(X) ->
    case tweann_ref_args:int_float(X) of
        error -> false;
        F -> F
    end;
to_float(_) -> false.

%% A proper list of rows, each a list of numbers or an f64 binary of Width
%% values, as lists of floats.
rows(L, Pos, What, RowName, Width) when is_list(L) ->
    rows(L, Pos, What, RowName, Width, 1, []);
rows(_, Pos, What, _RowName, _Width) ->
    tweann_ref_args:fail(Pos, [What, " is not a list"]).

rows([R | Rs], Pos, What, RowName, Width, K, Acc) ->
    Ctx = io_lib:format("~s ~b", [RowName, K]),
    Row = floats(R, Pos, Ctx),
    length(Row) =:= Width orelse
        tweann_ref_args:fail(Pos, io_lib:format("~s has ~b values, expected ~b", [Ctx, length(Row), Width])),
    rows(Rs, Pos, What, RowName, Width, K + 1, [Row | Acc]);
rows([], _Pos, _What, _RowName, _Width, _K, Acc) ->
    lists:reverse(Acc);
rows(_, Pos, What, _RowName, _Width, _K, _Acc) ->
    tweann_ref_args:fail(Pos, [What, " is not a proper list"]).

floats(B, Pos, What) when is_binary(B) ->
    byte_size(B) rem 8 =:= 0 orelse
        tweann_ref_args:fail(Pos, io_lib:format("~s: a binary of f64 values must have a size divisible by 8", [What])),
    bin_floats(B, Pos, What, 1, []);
floats(L, Pos, What) when is_list(L) ->
    list_floats(L, Pos, What, 1, []);
floats(_, Pos, What) ->
    tweann_ref_args:fail(Pos, [What, " is not a list or an f64 binary"]).

bin_floats(<<>>, _Pos, _What, _K, Acc) -> lists:reverse(Acc);
bin_floats(<<F:64/float-native, Rest/binary>>, Pos, What, K, Acc) ->
    bin_floats(Rest, Pos, What, K + 1, [F | Acc]);
bin_floats(_, Pos, What, K, _Acc) ->
    tweann_ref_args:fail(Pos, io_lib:format("~s: value ~b of the binary is not finite", [What, K])).

list_floats([X | Xs], Pos, What, K, Acc) ->
    case to_float(X) of
        false -> tweann_ref_args:fail(Pos, io_lib:format("~s: element ~b is not a number", [What, K]));
        F -> list_floats(Xs, Pos, What, K + 1, [F | Acc])
    end;
list_floats([], _Pos, _What, _K, Acc) -> lists:reverse(Acc);
list_floats(_, Pos, What, _K, _Acc) ->
    tweann_ref_args:fail(Pos, [What, " is not a proper list"]).
