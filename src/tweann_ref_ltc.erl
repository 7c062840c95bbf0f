%% @doc Pure Erlang twin of `tweann_core::ltc': the liquid time-constant
%% (LTC) cell of `ncps' (torch backend, `LTCCell') with its fused
%% semi-implicit ODE solver, in float64, computing the same operations in the
%% same order as the Rust kernel (bit-identical results).
%%
%% == Configuration ==
%% A map with `input_size' and `units' (positive integers, required),
%% `motor_size' (1..units, default `units'), `ode_unfolds' (1..10000
%% integer, 6), `epsilon' (number, 1.0e-8), `positivity'
%% (`softplus | identity', `softplus'), `input_mapping' and `output_mapping'
%% (`affine | linear | none', `affine'). Parameters in the flat layout of
%% `docs/cells.md' section 3.4 ({@link param_len/1} numbers; mask and mapping
%% slots always present, slots the mapping does not use are ignored). The
%% state has `units' values, the output `motor_size'; `Dt > 0'. Synapses
%% whose mask is exactly 0 are skipped (bit-identical to adding their zero
%% term).
%%
%% Cells and populations run with {@link tweann_ref_cells:cell_step/4} and
%% {@link tweann_ref_cells:cell_sequence/4}. Bad arguments raise
%% `{tweann_error, badarg, Pos, Why}' through `tweann_ref_args'.
-module(tweann_ref_ltc).
-behaviour(tweann_ref_cells).

-export([ltc_cell/2, ltc_population/2, param_len/1]).
-export([step/4]).

-export_type([config/0]).

-type synapse() :: {float(), float(), float(), float(), float()} | skip.
%% One synapse: `{Sigma, Mu, Pos(W), Erev, Mask}', or `skip' where
%% `Mask == 0'.
-type mapping() :: affine | linear | none.
%% How inputs are mapped before the cell and outputs after it
%% (`docs/cells.md' section 3.1).

-record(tweann_ltc, {
    n :: pos_integer(),
    m :: pos_integer(),
    k :: pos_integer(),
    eps :: float(),
    imap :: mapping(),
    omap :: mapping(),
    gleak :: [float()],
    gleak_vleak :: [float()],
    cm :: [float()],
    syn :: [[synapse()]],
    s_syn :: [[synapse()]],
    input_w :: [float()],
    input_b :: [float()],
    output_w :: [float()],
    output_b :: [float()]
}).

-type config() :: #{input_size := pos_integer(), units := pos_integer(),
                    motor_size => pos_integer(), ode_unfolds => pos_integer(),
                    epsilon => number(), positivity => softplus | identity,
                    input_mapping => mapping(), output_mapping => mapping()}.
%% An LTC configuration: the keys and defaults in the module description.

-define(KEYS, [input_size, units, motor_size, ode_unfolds, epsilon, positivity,
               input_mapping, output_mapping]).

%% @doc An LTC cell from a configuration map and the flat parameters. A wrong
%% parameter count is a badarg stating the expected length.
-spec ltc_cell(config(), tweann_ref_cells:vector()) -> tweann_ref_cells:cell().
ltc_cell(Config, Params) ->
    Cfg = config(Config, 1),
    Len = len(Cfg),
    Ps = tweann_ref_cells:params(Params, Len, 2, ""),
    tweann_ref_cells:new(?MODULE, info(Cfg, Len), build(Cfg, Ps), Ps).

%% @doc A population of LTC cells sharing `Config': member `i' is built
%% from the `i'-th parameter vector (a non-empty list is required).
-spec ltc_population(config(), [tweann_ref_cells:vector()]) -> tweann_ref_cells:population().
ltc_population(Config, ParamsList) ->
    Cfg = config(Config, 1),
    Len = len(Cfg),
    tweann_ref_cells:population(?MODULE, info(Cfg, Len), ParamsList,
                                fun(Ps) -> build(Cfg, Ps) end).

%% @doc The flat parameter length of a configuration: `3N + 5N^2 + 5IN + 2I + 2M'.
-spec param_len(config()) -> non_neg_integer().
param_len(Config) ->
    len(config(Config, 1)).

%% @doc One row: `{Output, NewState}'.
-spec step(#tweann_ltc{}, [float()], [float()], float()) -> {[float()], [float()]}.
step(#tweann_ltc{n = N, k = K, eps = Eps, imap = IM, omap = OM, gleak = GL,
                 gleak_vleak = GLVL, cm = CM, syn = Syn, s_syn = SSyn,
                 input_w = IW, input_b = IB, output_w = OW, output_b = OB, m = M}, U0, V0, Dt) ->
    U = map3(IM, U0, IW, IB),
    {Sn, Sd} = synapses(U, SSyn, N),
    Sub = Dt / K,
    Cmt = [Cm / Sub || Cm <- CM],
    V = unfold(K, V0, Cmt, GL, GLVL, Sn, Sd, Syn, N, Eps),
    Y = map3(OM, lists:sublist(V, M), OW, OB),
    {Y, V}.

%%====================================================================
%% Internal: configuration and parameters
%%====================================================================

-spec config(term(), pos_integer()) -> map().
config(Config0, Pos) ->
    Config = tweann_ref_cells:config(Config0, ?KEYS, Pos),
    I = tweann_ref_cells:config_pos_int(Config, input_size, required, Pos),
    N = tweann_ref_cells:config_pos_int(Config, units, required, Pos),
    M = tweann_ref_cells:config_pos_int(Config, motor_size, N, Pos),
    M =< N orelse tweann_ref_args:fail(Pos, "motor_size ~b is larger than units ~b", [M, N]),
    %% tweann_core::ltc::MAX_ODE_UNFOLDS
    K = tweann_ref_cells:config_int(Config, ode_unfolds, 6, {1, 10000}, Pos),
    Eps = case maps:get(epsilon, Config, 1.0e-8) of
              E when is_number(E) -> tweann_ref_args:to_float(Pos, "epsilon", E);
              Other -> tweann_ref_args:fail(Pos, "epsilon must be a number, got ~tp", [Other])
          end,
    P = tweann_ref_cells:config_one_of(Config, positivity, [softplus, identity], softplus, Pos),
    IM = tweann_ref_cells:config_one_of(Config, input_mapping, [affine, linear, none], affine, Pos),
    OM = tweann_ref_cells:config_one_of(Config, output_mapping, [affine, linear, none], affine, Pos),
    #{input_size => I, units => N, motor_size => M, ode_unfolds => K, epsilon => Eps,
      positivity => P, input_mapping => IM, output_mapping => OM}.

-spec info(map(), non_neg_integer()) -> map().
info(#{input_size := I, units := N, motor_size := M} = Cfg, Len) ->
    #{kind => ltc, input_size => I, state_size => N, output_size => M,
      param_len => Len, config => Cfg}.

-spec len(map()) -> non_neg_integer().
len(#{input_size := I, units := N, motor_size := M}) ->
    3 * N + 5 * N * N + 5 * I * N + 2 * I + 2 * M.

-spec build(map(), [float()]) -> #tweann_ltc{}.
build(#{input_size := I, units := N, motor_size := M, ode_unfolds := K, epsilon := Eps,
        positivity := P, input_mapping := IM, output_mapping := OM}, Ps) ->
    Pos = fun(Xs) -> [positive(P, X) || X <- Xs] end,
    Sizes = [N, N, N, N * N, N * N, N * N, N * N, I * N, I * N, I * N, I * N,
             N * N, I * N, I, I, M, M],
    [GL0, VL, CM0, Sig, Mu, W0, Erev, SSig, SMu, SW0, SErev, Mask, SMask,
     IW, IB, OW, OB] = split_sizes(Sizes, Ps),
    GL = Pos(GL0),
    tweann_ref_args:finite(
      fun() ->
              #tweann_ltc{n = N, m = M, k = K, eps = Eps, imap = IM, omap = OM,
                          gleak = GL,
                          gleak_vleak = lists:zipwith(fun(G, V) -> G * V end, GL, VL),
                          cm = Pos(CM0),
                          syn = synapse_rows(N, Sig, Mu, Pos(W0), Erev, Mask),
                          s_syn = synapse_rows(N, SSig, SMu, Pos(SW0), SErev, SMask),
                          input_w = IW, input_b = IB, output_w = OW, output_b = OB}
      end).

-spec split_sizes([non_neg_integer()], [float()]) -> [[float()]].
split_sizes([], []) -> [];
split_sizes([S | Ss], Ps) ->
    {A, Rest} = lists:split(S, Ps),
    [A | split_sizes(Ss, Rest)].

-spec synapse_rows(pos_integer(), [float()], [float()], [float()], [float()], [float()]) ->
          [[synapse()]].
synapse_rows(N, Sig, Mu, W, Erev, Mask) ->
    tweann_ref_cells:chunk(zip5(Sig, Mu, W, Erev, Mask), N).

-spec zip5([float()], [float()], [float()], [float()], [float()]) -> [synapse()].
zip5([S | Ss], [M | Ms], [W | Ws], [E | Es], [K | Ks]) ->
    Syn = case K == 0.0 of
              true -> skip;
              false -> {S, M, W, E, K}
          end,
    [Syn | zip5(Ss, Ms, Ws, Es, Ks)];
zip5([], [], [], [], []) ->
    [].

-spec positive(softplus | identity, float()) -> float().
positive(softplus, X) -> tweann_ref_cells:softplus(X);
positive(identity, X) -> X.

%%====================================================================
%% Internal: running
%%====================================================================

-spec map3(mapping(), [float()], [float()], [float()]) -> [float()].
map3(affine, Xs, Ws, Bs) -> lists:zipwith3(fun(X, W, B) -> X * W + B end, Xs, Ws, Bs);
map3(linear, Xs, Ws, _Bs) -> lists:zipwith(fun(X, W) -> X * W end, Xs, Ws);
map3(none, Xs, _Ws, _Bs) -> Xs.

%% Sum over presynaptic i (increasing) for every postsynaptic j:
%% {[sum_i ra * erev], [sum_i ra]}.
-spec synapses([float()], [[synapse()]], pos_integer()) -> {[float()], [float()]}.
synapses(Xs, Rows, N) ->
    Zero = lists:duplicate(N, 0.0),
    syn_rows(Xs, Rows, Zero, Zero).

-spec syn_rows([float()], [[synapse()]], [float()], [float()]) -> {[float()], [float()]}.
syn_rows([X | Xs], [Row | Rows], Num, Den) ->
    {Num1, Den1} = syn_row(X, Row, Num, Den, [], []),
    syn_rows(Xs, Rows, Num1, Den1);
syn_rows([], [], Num, Den) ->
    {Num, Den}.

-spec syn_row(float(), [synapse()], [float()], [float()], [float()], [float()]) ->
          {[float()], [float()]}.
syn_row(X, [skip | Row], [Nu | Nus], [De | Des], NAcc, DAcc) ->
    syn_row(X, Row, Nus, Des, [Nu | NAcc], [De | DAcc]);
syn_row(X, [{Sig, Mu, W, Erev, Mask} | Row], [Nu | Nus], [De | Des], NAcc, DAcc) ->
    Ra = W * tweann_ref_cells:sigmoid(Sig * (X - Mu)) * Mask,
    syn_row(X, Row, Nus, Des, [Nu + Ra * Erev | NAcc], [De + Ra | DAcc]);
syn_row(_X, [], [], [], NAcc, DAcc) ->
    {lists:reverse(NAcc), lists:reverse(DAcc)}.

-spec unfold(non_neg_integer(), [float()], [float()], [float()], [float()], [float()],
             [float()], [[synapse()]], pos_integer(), float()) -> [float()].
unfold(0, V, _Cmt, _GL, _GLVL, _Sn, _Sd, _Syn, _N, _Eps) ->
    V;
unfold(K, V, Cmt, GL, GLVL, Sn, Sd, Syn, N, Eps) ->
    {Num, Den} = synapses(V, Syn, N),
    V1 = solve(V, Cmt, GL, GLVL, Sn, Sd, Num, Den, Eps),
    unfold(K - 1, V1, Cmt, GL, GLVL, Sn, Sd, Syn, N, Eps).

-spec solve([float()], [float()], [float()], [float()], [float()], [float()], [float()],
            [float()], float()) -> [float()].
solve([V | Vs], [C | Cs], [G | Gs], [GV | GVs], [Sn | Sns], [Sd | Sds], [Nu | Nus],
      [De | Des], Eps) ->
    Numer = C * V + GV + (Nu + Sn),
    Denom = C + G + (De + Sd) + Eps,
    [Numer / Denom | solve(Vs, Cs, Gs, GVs, Sns, Sds, Nus, Des, Eps)];
solve([], [], [], [], [], [], [], [], _Eps) ->
    [].
