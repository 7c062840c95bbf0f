%% @doc Pure Erlang twin of `tweann_core::cfc': the closed-form
%% continuous-time (CfC) cell of `ncps' (torch backend, `CfCCell'), in
%% float64, computing the same operations in the same order as the Rust
%% kernel (bit-identical results; both match ncps within
%% `|got - want| =< 1.0e-12 * |want| + 1.0e-14').
%%
%% == Configuration ==
%% A map with `input_size' and `hidden_size' (positive integers, required),
%% `mode' (`default | pure | no_gate', default `default'), `backbone_units'
%% (positive integer, 128), `backbone_layers' (non-negative integer, 1),
%% `backbone_activation' (`lecun_tanh | tanh | relu | silu | gelu',
%% `lecun_tanh'). Parameters in the flat layout of `docs/cells.md' section 2.5
%% ({@link param_len/1} numbers). The state and the output have
%% `hidden_size' values; `Dt >= 0'.
%%
%% Cells and populations run with {@link tweann_ref_cells:cell_step/4} and
%% {@link tweann_ref_cells:cell_sequence/4}. Bad arguments raise
%% `{tweann_error, badarg, Pos, Why}' through `tweann_ref_args'.
-module(tweann_ref_cfc).
-behaviour(tweann_ref_cells).

-export([cfc_cell/2, cfc_population/2, param_len/1]).
-export([step/4]).

-export_type([config/0]).

-record(tweann_cfc, {
    mode :: default | pure | no_gate,
    act :: tweann_ref_cells:activation(),
    backbone :: [tweann_ref_cells:dense()],
    ff1 :: tweann_ref_cells:dense(),
    ff2 :: tweann_ref_cells:dense() | undefined,
    time_a :: tweann_ref_cells:dense() | undefined,
    time_b :: tweann_ref_cells:dense() | undefined,
    w_tau_abs :: [float()],
    a :: [float()]
}).

-type config() :: #{input_size := pos_integer(), hidden_size := pos_integer(),
                    mode => default | pure | no_gate,
                    backbone_units => pos_integer(),
                    backbone_layers => non_neg_integer(),
                    backbone_activation => tweann_ref_cells:activation()}.
%% A CfC configuration: the keys and defaults in the module description.

-define(KEYS, [input_size, hidden_size, mode, backbone_units, backbone_layers,
               backbone_activation]).

%% @doc A CfC cell from a configuration map and the flat parameters. A wrong
%% parameter count is a badarg stating the expected length.
-spec cfc_cell(config(), tweann_ref_cells:vector()) -> tweann_ref_cells:cell().
cfc_cell(Config, Params) ->
    Cfg = config(Config, 1),
    Len = len(Cfg),
    Ps = tweann_ref_cells:params(Params, Len, 2, ""),
    tweann_ref_cells:new(?MODULE, info(Cfg, Len), build(Cfg, Ps), Ps).

%% @doc A population of CfC cells sharing `Config': member `i' is built
%% from the `i'-th parameter vector (a non-empty list is required).
-spec cfc_population(config(), [tweann_ref_cells:vector()]) -> tweann_ref_cells:population().
cfc_population(Config, ParamsList) ->
    Cfg = config(Config, 1),
    Len = len(Cfg),
    tweann_ref_cells:population(?MODULE, info(Cfg, Len), ParamsList,
                                fun(Ps) -> build(Cfg, Ps) end).

%% @doc The flat parameter length of a configuration:
%% `(NL > 0 ? U(I+H) + U + (NL-1)(U^2 + U) : 0) + (CH + H) + (pure ? 2H : 3(CH + H))'.
-spec param_len(config()) -> non_neg_integer().
param_len(Config) ->
    len(config(Config, 1)).

%% @doc One row: `{Output, NewState}' (equal).
-spec step(#tweann_cfc{}, [float()], [float()], float()) -> {[float()], [float()]}.
step(#tweann_cfc{mode = Mode, act = Act, backbone = Backbone, ff1 = Ff1} = C, U, H, Dt) ->
    Z = lists:foldl(fun(Layer, Z0) ->
                            [tweann_ref_cells:activate(Act, X) || X <- tweann_ref_cells:dense(Layer, Z0)]
                    end, U ++ H, Backbone),
    A1 = tweann_ref_cells:dense(Ff1, Z),
    New = case Mode of
              pure ->
                  lists:zipwith3(fun(WT, A, X) ->
                                         Arg = -Dt * (WT + abs(X)),
                                         (-A) * tweann_ref_math:exp(Arg) * X + A
                                 end, C#tweann_cfc.w_tau_abs, C#tweann_cfc.a, A1);
              _ ->
                  F2 = tweann_ref_cells:dense(C#tweann_cfc.ff2, Z),
                  Ta = tweann_ref_cells:dense(C#tweann_cfc.time_a, Z),
                  Tb = tweann_ref_cells:dense(C#tweann_cfc.time_b, Z),
                  gate(Mode, A1, F2, Ta, Tb, Dt)
          end,
    {New, New}.

%%====================================================================
%% Internal
%%====================================================================

-spec config(term(), pos_integer()) -> map().
config(Config0, Pos) ->
    Config = tweann_ref_cells:config(Config0, ?KEYS, Pos),
    I = tweann_ref_cells:config_pos_int(Config, input_size, required, Pos),
    H = tweann_ref_cells:config_pos_int(Config, hidden_size, required, Pos),
    U = tweann_ref_cells:config_pos_int(Config, backbone_units, 128, Pos),
    NL = tweann_ref_cells:config_int(Config, backbone_layers, 1, {0, 16#FFFFFFFF}, Pos),
    Mode = tweann_ref_cells:config_one_of(Config, mode, [default, pure, no_gate], default, Pos),
    Act = tweann_ref_cells:config_one_of(Config, backbone_activation,
                                         [lecun_tanh, tanh, relu, silu, gelu], lecun_tanh, Pos),
    #{input_size => I, hidden_size => H, mode => Mode, backbone_units => U,
      backbone_layers => NL, backbone_activation => Act}.

-spec info(map(), non_neg_integer()) -> map().
info(#{input_size := I, hidden_size := H} = Cfg, Len) ->
    #{kind => cfc, input_size => I, state_size => H, output_size => H,
      param_len => Len, config => Cfg}.

-spec len(map()) -> non_neg_integer().
len(#{input_size := I, hidden_size := H, mode := Mode, backbone_units := U,
      backbone_layers := NL}) ->
    C = case NL > 0 of true -> U; false -> I + H end,
    Backbone = case NL > 0 of
                   true -> U * (I + H) + U + (NL - 1) * (U * U + U);
                   false -> 0
               end,
    Head = C * H + H,
    Tail = case Mode of pure -> 2 * H; _ -> 3 * Head end,
    Backbone + Head + Tail.

-spec build(map(), [float()]) -> #tweann_cfc{}.
build(#{input_size := I, hidden_size := H, mode := Mode, backbone_units := U,
        backbone_layers := NL, backbone_activation := Act}, Ps0) ->
    {Backbone, Ps1} = take_layers(NL, I + H, U, Ps0, []),
    C = case NL > 0 of true -> U; false -> I + H end,
    {Ff1, Ps2} = tweann_ref_cells:take_dense(H, C, Ps1),
    Base = #tweann_cfc{mode = Mode, act = Act, backbone = Backbone, ff1 = Ff1,
                       w_tau_abs = [], a = []},
    case Mode of
        pure ->
            {WTau, Ps3} = lists:split(H, Ps2),
            {A, []} = lists:split(H, Ps3),
            Base#tweann_cfc{w_tau_abs = [abs(W) || W <- WTau], a = A};
        _ ->
            {Ff2, Ps3} = tweann_ref_cells:take_dense(H, C, Ps2),
            {Ta, Ps4} = tweann_ref_cells:take_dense(H, C, Ps3),
            {Tb, []} = tweann_ref_cells:take_dense(H, C, Ps4),
            Base#tweann_cfc{ff2 = Ff2, time_a = Ta, time_b = Tb}
    end.

-spec take_layers(non_neg_integer(), pos_integer(), pos_integer(), [float()],
                  [tweann_ref_cells:dense()]) -> {[tweann_ref_cells:dense()], [float()]}.
take_layers(0, _FanIn, _U, Ps, Acc) ->
    {lists:reverse(Acc), Ps};
take_layers(NL, FanIn, U, Ps, Acc) ->
    {D, Rest} = tweann_ref_cells:take_dense(U, FanIn, Ps),
    take_layers(NL - 1, U, U, Rest, [D | Acc]).

-spec gate(default | no_gate, [float()], [float()], [float()], [float()], float()) -> [float()].
gate(Mode, [F1 | F1s], [F2 | F2s], [Ta | Tas], [Tb | Tbs], Dt) ->
    G1 = tweann_ref_math:tanh(F1),
    G2 = tweann_ref_math:tanh(F2),
    Gate = tweann_ref_cells:sigmoid(Ta * Dt + Tb),
    H = case Mode of
            no_gate -> G1 + Gate * G2;
            default -> G1 * (1.0 - Gate) + Gate * G2
        end,
    [H | gate(Mode, F1s, F2s, Tas, Tbs, Dt)];
gate(_Mode, [], [], [], [], _Dt) ->
    [].
