%% @doc Pure Erlang reference implementation of the liquid cells: the CfC
%% cell and the LTC cell of `ncps' (torch backend), as specified in
%% `cfc_ltc.md' and implemented natively in `tweann_core' (`cells.rs',
%% `cfc.rs', `ltc.rs').
%%
%% Every floating-point operation is performed in the same order as the Rust
%% kernel (dense sums start at `0.0' and add terms in increasing input index,
%% then the bias; `erf' and `log1p' are the same algorithms), so results are
%% bit-identical to the native cells; both match ncps's float64 results
%% within `|got - want| =< 1.0e-12 * |want| + 1.0e-14'. This module is the
%% test oracle and the benchmark baseline of the native cell API.
%%
%% == API ==
%% <ul>
%% <li>Cells: {@link cfc_cell/2}, {@link ltc_cell/2}.</li>
%% <li>Populations (member `i' serves batch row `i'):
%%     {@link cfc_population/2}, {@link ltc_population/2}.</li>
%% <li>Running: {@link cell_step/4}, {@link cell_sequence/4}.</li>
%% <li>Introspection: {@link cell_info/1}, {@link param_len/2}.</li>
%% <li>Helpers shared with the native code: {@link erf/1}, {@link log1p/1}.</li>
%% </ul>
%%
%% == CfC configuration ==
%% A map with `input_size' and `hidden_size' (positive integers, required),
%% `mode' (`default | pure | no_gate', default `default'), `backbone_units'
%% (positive integer, 128), `backbone_layers' (non-negative integer, 1),
%% `backbone_activation' (`lecun_tanh | tanh | relu | silu | gelu',
%% `lecun_tanh'). Parameters in the flat layout of `cfc_ltc.md' section 2.5.
%% The state and the output have `hidden_size' values; `Dt >= 0'.
%%
%% == LTC configuration ==
%% A map with `input_size' and `units' (positive integers, required),
%% `motor_size' (1..units, default `units'), `ode_unfolds' (positive
%% integer, 6), `epsilon' (number, 1.0e-8), `positivity'
%% (`softplus | identity', `softplus'), `input_mapping' and `output_mapping'
%% (`affine | linear | none', `affine'). Parameters in the flat layout of
%% `cfc_ltc.md' section 3.4 (mask and mapping slots always present; slots the
%% mapping does not use are ignored). The state has `units' values, the output
%% `motor_size'; `Dt > 0'. Synapses whose mask is exactly 0 are skipped (this
%% is bit-identical to adding their zero term).
%%
%% == Data ==
%% Parameter vectors, input rows and state rows are lists of numbers or
%% binaries of native-endian finite f64 values. Integers are accepted as
%% numbers. Results are lists of floats.
%%
%% == Errors ==
%% Bad arguments raise `error:badarg' with EEP 54 error_info through
%% {@link tweann_error} (the shell names the argument and the reason). A
%% computation that overflows (a value that is not finite) raises
%% `error:badarith' with error_info naming the row.
-module(tweann_ref_cells).

-export([cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_step/4, cell_sequence/4, cell_info/1, param_len/2,
         erf/1, log1p/1]).
%% What tweann_ref_codec writes.
-export([parts/1]).

-export_type([cell/0, population/0, cfc_config/0, ltc_config/0,
              vector/0]).

%%====================================================================
%% TYPES
%%====================================================================

%% A dense layer: weight rows ([out][in]) and biases.
-type dense() :: {[[float()]], [float()]}.
%% One synapse: {Sigma, Mu, Pos(W), Erev, Mask}, or skip where Mask == 0.
-type synapse() :: {float(), float(), float(), float(), float()} | skip.

-record(tweann_cfc, {
    config :: map(),
    i :: pos_integer(),
    h :: pos_integer(),
    mode :: default | pure | no_gate,
    act :: activation(),
    backbone :: [dense()],
    ff1 :: dense(),
    ff2 :: dense() | undefined,
    time_a :: dense() | undefined,
    time_b :: dense() | undefined,
    w_tau_abs :: [float()],
    a :: [float()],
    %% The flat parameters as given, little-endian f64 (for tweann_ref_codec).
    params = <<>> :: binary()
}).

-record(tweann_ltc, {
    config :: map(),
    i :: pos_integer(),
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
    output_b :: [float()],
    %% The flat parameters as given, little-endian f64 (for tweann_ref_codec).
    params = <<>> :: binary()
}).

-record(tweann_cell_pop, {
    kind :: cfc | ltc,
    config :: map(),
    members :: tuple()
}).

-type activation() :: lecun_tanh | tanh | relu | silu | gelu.
-type mapping() :: affine | linear | none.

-opaque cell() :: #tweann_cfc{} | #tweann_ltc{}.
%% A cell with validated parameters (an ordinary Erlang term).
-opaque population() :: #tweann_cell_pop{}.
%% P cells of one configuration; member i serves batch row i.
-type cfc_config() :: #{input_size := pos_integer(), hidden_size := pos_integer(),
                        mode => default | pure | no_gate,
                        backbone_units => pos_integer(),
                        backbone_layers => non_neg_integer(),
                        backbone_activation => activation()}.
-type ltc_config() :: #{input_size := pos_integer(), units := pos_integer(),
                        motor_size => pos_integer(), ode_unfolds => pos_integer(),
                        epsilon => number(), positivity => softplus | identity,
                        input_mapping => mapping(), output_mapping => mapping()}.
-type vector() :: [number()] | binary().
%% A list of numbers, or a binary of native-endian finite f64 values.

%% erf coefficients: the same decimal constants as `cells.rs' (classic
%% SunPro/msun design), so both parse to the same f64 values.
-define(ERX, 8.45062911510467529297e-01).
-define(EFX, 1.28379167095512586316e-01).
-define(EFX8, 1.02703333676410069053e+00).
-define(PP, [1.28379167095512558561e-01, -3.25042107247001499370e-01,
             -2.84817495755985104766e-02, -5.77027029648944159157e-03,
             -2.37630166566501626084e-05]).
-define(QQ, [3.97917223959155352819e-01, 6.50222499887672944485e-02,
             5.08130628187576562776e-03, 1.32494738004321644526e-04,
             -3.96022827877536812320e-06]).
-define(PA, [-2.36211856075265944077e-03, 4.14856118683748331666e-01,
             -3.72207876035701323847e-01, 3.18346619901161753674e-01,
             -1.10894694282396677476e-01, 3.54783043256182359371e-02,
             -2.16637559486879084300e-03]).
-define(QA, [1.06420880400844228286e-01, 5.40397917702171048937e-01,
             7.18286544141962662868e-02, 1.26171219808761642112e-01,
             1.36370839120290507362e-02, 1.19844998467991074170e-02]).
-define(RA, [-9.86494403484714822705e-03, -6.93858572707181764372e-01,
             -1.05586262253232909814e+01, -6.23753324503260060396e+01,
             -1.62396669462573470355e+02, -1.84605092906711035994e+02,
             -8.12874355063065934246e+01, -9.81432934416914548592e+00]).
-define(SA, [1.96512716674392571292e+01, 1.37657754143519042600e+02,
             4.34565877475229228821e+02, 6.45387271733267880336e+02,
             4.29008140027567833386e+02, 1.08635005541779435134e+02,
             6.57024977031928170135e+00, -6.04244152148580987438e-02]).
-define(RB, [-9.86494292470009928597e-03, -7.99283237680523006574e-01,
             -1.77579549177547519889e+01, -1.60636384855821916062e+02,
             -6.37566443368389627722e+02, -1.02509513161107724954e+03,
             -4.83519191608651397019e+02]).
-define(SB, [3.03380607434824582924e+01, 3.25792512996573918826e+02,
             1.53672958608443695994e+03, 3.19985821950859553908e+03,
             2.55305040643316442583e+03, 4.74528541206955367215e+02,
             -2.24409524465858183362e+01]).
-define(FRAC_1_SQRT_2, 0.707106781186547524400844362104849039).

%%====================================================================
%% Error plumbing
%%====================================================================

-define(API(Args, Body),
        try Body
        catch
            throw:{?MODULE, Err__} -> fail(?FUNCTION_NAME, Args, Err__)
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

%%====================================================================
%% PUBLIC API
%%====================================================================

%% @doc Builds a CfC cell from a configuration map and the flat parameters
%% (`cfc_ltc.md' section 2.5). A wrong parameter count is `badarg' stating
%% the expected length.
-spec cfc_cell(Config, Params) -> cell() when
      Config :: cfc_config(), Params :: vector().
cfc_cell(Config, Params) ->
    ?API([Config, Params],
         begin
             Cfg = cfc_config(Config, 1),
             build_cfc(Cfg, params(Params, cfc_len(Cfg), 2, ""))
         end).

%% @doc Builds an LTC cell from a configuration map and the flat parameters
%% (`cfc_ltc.md' section 3.4). A wrong parameter count is `badarg' stating
%% the expected length.
-spec ltc_cell(Config, Params) -> cell() when
      Config :: ltc_config(), Params :: vector().
ltc_cell(Config, Params) ->
    ?API([Config, Params],
         begin
             Cfg = ltc_config(Config, 1),
             build_ltc(Cfg, params(Params, ltc_len(Cfg), 2, ""))
         end).

%% @doc A population of CfC cells sharing `Config': member `i' is built from
%% the `i'-th parameter vector. A non-empty list is required.
-spec cfc_population(Config, [Params]) -> population() when
      Config :: cfc_config(), Params :: vector().
cfc_population(Config, ParamsList) ->
    ?API([Config, ParamsList],
         begin
             Cfg = cfc_config(Config, 1),
             Len = cfc_len(Cfg),
             Members = members(ParamsList, fun(P, Ctx) -> build_cfc(Cfg, params(P, Len, 2, Ctx)) end),
             #tweann_cell_pop{kind = cfc, config = Cfg, members = list_to_tuple(Members)}
         end).

%% @doc A population of LTC cells sharing `Config': member `i' is built from
%% the `i'-th parameter vector. A non-empty list is required.
-spec ltc_population(Config, [Params]) -> population() when
      Config :: ltc_config(), Params :: vector().
ltc_population(Config, ParamsList) ->
    ?API([Config, ParamsList],
         begin
             Cfg = ltc_config(Config, 1),
             Len = ltc_len(Cfg),
             Members = members(ParamsList, fun(P, Ctx) -> build_ltc(Cfg, params(P, Len, 2, Ctx)) end),
             #tweann_cell_pop{kind = ltc, config = Cfg, members = list_to_tuple(Members)}
         end).

%% @doc One step of a batch: `Inputs' is B rows of `input_size' numbers,
%% `States' B rows of the state size, `Dts' B numbers or one number for every
%% row. Returns `{Outputs, NewStates}', B rows each. With a population, row
%% `i' uses member `i' and B must equal the population size.
-spec cell_step(Cell, Inputs, States, Dts) -> {Outputs, NewStates} when
      Cell :: cell() | population(), Inputs :: [vector()], States :: [vector()],
      Dts :: number() | [number()], Outputs :: [[float()]], NewStates :: [[float()]].
cell_step(Cell, Inputs, States, Dts) ->
    ?API([Cell, Inputs, States, Dts],
         begin
             {Cells, Info} = cells(Cell),
             #{input_size := NI, state_size := NS} = Info,
             Us = rows(Inputs, 2, NI, "input"),
             B = length(Us),
             check_batch(Cell, B, 2),
             Ss = rows(States, 3, NS, "state"),
             length(Ss) =:= B orelse
                 bad(3, "~b state rows for ~b input rows", [length(Ss), B]),
             Ds = dts(Dts, B, 4, kind(Cell)),
             Results = step_rows(Cells, Us, Ss, Ds, 1),
             lists:unzip(Results)
         end).

%% @doc Runs a batch of sequences (`cfc_ltc.md' section 1): `InputSeqs' is B
%% rows of L input rows (every row the same L), `States0' B initial states,
%% `DtSeqs' one number for everything or B rows of L numbers. Returns
%% `{OutputSeqs, FinalStates}': B rows of L outputs, and B final states.
%% Equal to calling {@link cell_step/4} L times.
-spec cell_sequence(Cell, InputSeqs, States0, DtSeqs) -> {OutputSeqs, FinalStates} when
      Cell :: cell() | population(), InputSeqs :: [[vector()]], States0 :: [vector()],
      DtSeqs :: number() | [[number()] | binary()],
      OutputSeqs :: [[[float()]]], FinalStates :: [[float()]].
cell_sequence(Cell, InputSeqs, States0, DtSeqs) ->
    ?API([Cell, InputSeqs, States0, DtSeqs],
         begin
             {Cells, Info} = cells(Cell),
             #{input_size := NI, state_size := NS} = Info,
             Seqs = map_list(fun(Seq, R) ->
                                     Ctx = io_lib:format("row ~b: ", [R]),
                                     Steps = proper(Seq, 2, Ctx),
                                     [vec(U, 2, NI, io_lib:format("row ~b, step ~b: input", [R, T]))
                                      || {T, U} <- enum(Steps)]
                             end, InputSeqs, 2, "input sequences"),
             B = length(Seqs),
             check_batch(Cell, B, 2),
             L = case Seqs of [] -> 0; [S1 | _] -> length(S1) end,
             [bad(2, "row ~b has ~b steps, row 1 has ~b (all rows need the same length)",
                  [R, length(S), L]) || {R, S} <- enum(Seqs), length(S) =/= L],
             Ss = rows(States0, 3, NS, "state"),
             length(Ss) =:= B orelse
                 bad(3, "~b state rows for ~b input sequences", [length(Ss), B]),
             Kind = kind(Cell),
             Ds = case DtSeqs of
                      D when is_number(D) -> lists:duplicate(B, lists:duplicate(L, dt(D, 4, Kind, "")));
                      _ ->
                          DRows = map_list(fun(Row, R) ->
                                                   dt_row(Row, L, Kind, R)
                                           end, DtSeqs, 4, "elapsed times"),
                          length(DRows) =:= B orelse
                              bad(4, "~b rows of elapsed times for ~b input sequences",
                                  [length(DRows), B]),
                          DRows
                  end,
             lists:unzip(seq_rows(Cells, Seqs, Ss, Ds, 1))
         end).

%% @doc Facts about a cell or population: `kind' (`cfc | ltc'),
%% `input_size', `state_size', `output_size', `param_len', `config' (with
%% defaults filled in) and, for a population, `members'.
-spec cell_info(cell() | population()) -> #{atom() => term()}.
cell_info(Cell) ->
    ?API([Cell],
         begin
             {Cells, Info} = cells(Cell),
             case Cell of
                 #tweann_cell_pop{} -> Info#{members => tuple_size(Cells)};
                 _ -> Info
             end
         end).

%% @doc The parts {@link tweann_ref_codec} writes: the kind, the
%% configuration (defaults filled in), `single' or `population', and each
%% member's flat parameters as given, as little-endian f64 binaries.
-spec parts(cell() | population()) -> {cfc | ltc, map(), single | population, [binary()]}.
parts(Cell) ->
    ?API([Cell],
         case Cell of
             #tweann_cfc{config = Cfg, params = P} -> {cfc, Cfg, single, [P]};
             #tweann_ltc{config = Cfg, params = P} -> {ltc, Cfg, single, [P]};
             #tweann_cell_pop{kind = Kind, config = Cfg, members = Ms} ->
                 {Kind, Cfg, population, [member_params(M) || M <- tuple_to_list(Ms)]};
             _ -> bad(1, "not a cell or population of this module: ~tP", [Cell, 8])
         end).

-spec member_params(cell()) -> binary().
member_params(#tweann_cfc{params = P}) -> P;
member_params(#tweann_ltc{params = P}) -> P.

%% @doc The flat parameter length for a configuration of `Kind'.
-spec param_len(cfc | ltc, cfc_config() | ltc_config()) -> non_neg_integer().
param_len(cfc, Config) ->
    ?API([cfc, Config], cfc_len(cfc_config(Config, 2)));
param_len(ltc, Config) ->
    ?API([ltc, Config], ltc_len(ltc_config(Config, 2)));
param_len(Kind, Config) ->
    ?API([Kind, Config], bad(1, "not cfc or ltc", [])).

%% @doc The error function, with the same algorithm as the native cells
%% (rational approximations on `[0, 0.84375)', `[0.84375, 1.25)',
%% `[1.25, 1/0.35)', `[1/0.35, 6)', then `±1'; within 1 ulp of the true
%% value, and bit-identical to `tweann_core::cells::erf').
-spec erf(float()) -> float().
erf(X) when is_float(X) ->
    <<Hi:32, _:32>> = <<X:64/float>>,
    Ix = Hi band 16#7fffffff,
    Neg = Hi bsr 31 =:= 1,
    A = abs(X),
    if
        Ix < 16#3feb0000 ->
            if
                Ix < 16#00800000 -> 0.125 * (8.0 * X + ?EFX8 * X);
                Ix < 16#3e300000 -> X + ?EFX * X;
                true ->
                    Z = X * X,
                    R = horner(Z, ?PP),
                    S = horner1(Z, ?QQ),
                    Y = R / S,
                    X + X * Y
            end;
        Ix < 16#3ff40000 ->
            S = A - 1.0,
            P = horner(S, ?PA),
            Q = horner1(S, ?QA),
            case Neg of
                true -> -?ERX - P / Q;
                false -> ?ERX + P / Q
            end;
        Ix >= 16#40180000 ->
            case Neg of
                true -> -1.0;
                false -> 1.0
            end;
        true ->
            S = 1.0 / (A * A),
            {R, Ss} = if
                          Ix < 16#4006db6e -> {horner(S, ?RA), horner1(S, ?SA)};
                          true -> {horner(S, ?RB), horner1(S, ?SB)}
                      end,
            <<Z:64/float>> = <<Ix:32, 0:32>>,
            E = math:exp(-Z * Z - 0.5625) * math:exp((Z - A) * (Z + A) + R / Ss),
            case Neg of
                true -> E / A - 1.0;
                false -> 1.0 - E / A
            end
    end.

%% @doc `ln(1 + X)' for `X > -1', the algorithm the native cells use:
%% `U = 1 + X'; `X' if `U == 1', else `ln(U) * X / (U - 1)'.
-spec log1p(float()) -> float().
log1p(X) when is_float(X) ->
    U = 1.0 + X,
    case U == 1.0 of
        true -> X;
        false -> math:log(U) * X / (U - 1.0)
    end.

%%====================================================================
%% PRIVATE: configuration and parameters
%%====================================================================

-define(CFC_KEYS, [input_size, hidden_size, mode, backbone_units, backbone_layers,
                   backbone_activation]).
-define(LTC_KEYS, [input_size, units, motor_size, ode_unfolds, epsilon, positivity,
                   input_mapping, output_mapping]).

-spec cfc_config(term(), tweann_error:position()) -> map().
cfc_config(Config, Pos) when is_map(Config) ->
    unknown_keys(Config, ?CFC_KEYS, Pos),
    I = pos_int(Config, input_size, required, Pos),
    H = pos_int(Config, hidden_size, required, Pos),
    U = pos_int(Config, backbone_units, 128, Pos),
    NL = case maps:get(backbone_layers, Config, 1) of
             N when is_integer(N), N >= 0 -> N;
             Other -> bad(Pos, "backbone_layers must be a non-negative integer, got ~tp", [Other])
         end,
    Mode = one_of(Config, mode, [default, pure, no_gate], default, Pos),
    Act = one_of(Config, backbone_activation, [lecun_tanh, tanh, relu, silu, gelu],
                 lecun_tanh, Pos),
    #{input_size => I, hidden_size => H, mode => Mode, backbone_units => U,
      backbone_layers => NL, backbone_activation => Act};
cfc_config(Config, Pos) ->
    bad(Pos, "the configuration must be a map, got ~tp", [Config]).

-spec ltc_config(term(), tweann_error:position()) -> map().
ltc_config(Config, Pos) when is_map(Config) ->
    unknown_keys(Config, ?LTC_KEYS, Pos),
    I = pos_int(Config, input_size, required, Pos),
    N = pos_int(Config, units, required, Pos),
    M = pos_int(Config, motor_size, N, Pos),
    M =< N orelse bad(Pos, "motor_size ~b is larger than units ~b", [M, N]),
    K = pos_int(Config, ode_unfolds, 6, Pos),
    Eps = case maps:get(epsilon, Config, 1.0e-8) of
              E when is_number(E) -> to_float(E, Pos, "epsilon");
              Other -> bad(Pos, "epsilon must be a number, got ~tp", [Other])
          end,
    P = one_of(Config, positivity, [softplus, identity], softplus, Pos),
    IM = one_of(Config, input_mapping, [affine, linear, none], affine, Pos),
    OM = one_of(Config, output_mapping, [affine, linear, none], affine, Pos),
    #{input_size => I, units => N, motor_size => M, ode_unfolds => K, epsilon => Eps,
      positivity => P, input_mapping => IM, output_mapping => OM};
ltc_config(Config, Pos) ->
    bad(Pos, "the configuration must be a map, got ~tp", [Config]).

-spec unknown_keys(map(), [atom()], tweann_error:position()) -> ok.
unknown_keys(Config, Known, Pos) ->
    case maps:keys(Config) -- Known of
        [] -> ok;
        [K | _] -> bad(Pos, "unknown configuration key ~tp (known: ~tp)", [K, Known])
    end.

-spec pos_int(map(), atom(), pos_integer() | required, tweann_error:position()) -> pos_integer().
pos_int(Config, Key, Default, Pos) ->
    case maps:find(Key, Config) of
        {ok, V} when is_integer(V), V >= 1 -> V;
        {ok, V} -> bad(Pos, "~ts must be a positive integer, got ~tp", [Key, V]);
        error when Default =:= required -> bad(Pos, "missing required key ~ts", [Key]);
        error -> Default
    end.

-spec one_of(map(), atom(), [atom()], atom(), tweann_error:position()) -> atom().
one_of(Config, Key, Allowed, Default, Pos) ->
    V = maps:get(Key, Config, Default),
    lists:member(V, Allowed) orelse
        bad(Pos, "unknown ~ts ~tp (expected one of ~tp)", [Key, V, Allowed]),
    V.

-spec cfc_len(map()) -> non_neg_integer().
cfc_len(#{input_size := I, hidden_size := H, mode := Mode, backbone_units := U,
          backbone_layers := NL}) ->
    C = case NL > 0 of true -> U; false -> I + H end,
    Backbone = case NL > 0 of
                   true -> U * (I + H) + U + (NL - 1) * (U * U + U);
                   false -> 0
               end,
    Head = C * H + H,
    Tail = case Mode of pure -> 2 * H; _ -> 3 * Head end,
    Backbone + Head + Tail.

-spec ltc_len(map()) -> non_neg_integer().
ltc_len(#{input_size := I, units := N, motor_size := M}) ->
    3 * N + 5 * N * N + 5 * I * N + 2 * I + 2 * M.

-spec params(term(), non_neg_integer(), pos_integer(), iodata()) -> [float()].
params(Params, Len, Pos, Ctx) ->
    Fs = case Params of
             L when is_list(L) -> floats(L, Pos, [Ctx, "parameter"]);
             B when is_binary(B) -> bin_floats(B, Pos, [Ctx, "parameter"]);
             _ -> bad(Pos, "~tsparameters must be a list of numbers or an f64 binary", [Ctx])
         end,
    length(Fs) =:= Len orelse
        bad(Pos, "~tswrong parameter length: expected ~b numbers, got ~b", [Ctx, Len, length(Fs)]),
    Fs.

-spec members(term(), fun((term(), iodata()) -> cell())) -> [cell()].
members(ParamsList, Build) ->
    is_list(ParamsList) andalso ParamsList =/= [] orelse
        bad(2, "expected a non-empty list of parameter vectors", []),
    map_list(fun(P, K) -> Build(P, io_lib:format("member ~b: ", [K])) end,
             ParamsList, 2, "parameter vectors").

%%====================================================================
%% PRIVATE: building cells
%%====================================================================

-spec build_cfc(map(), [float()]) -> #tweann_cfc{}.
build_cfc(Cfg = #{input_size := I, hidden_size := H, mode := Mode, backbone_units := U,
                  backbone_layers := NL, backbone_activation := Act}, Ps0) ->
    {Backbone, Ps1} = take_layers(NL, I + H, U, Ps0, []),
    C = case NL > 0 of true -> U; false -> I + H end,
    {Ff1, Ps2} = take_dense(H, C, Ps1),
    Base = #tweann_cfc{config = Cfg, i = I, h = H, mode = Mode, act = Act,
                       backbone = Backbone, ff1 = Ff1, w_tau_abs = [], a = [],
                       params = << <<X:64/float-little>> || X <- Ps0 >>},
    case Mode of
        pure ->
            {WTau, Ps3} = lists:split(H, Ps2),
            {A, []} = lists:split(H, Ps3),
            Base#tweann_cfc{w_tau_abs = [abs(W) || W <- WTau], a = A};
        _ ->
            {Ff2, Ps3} = take_dense(H, C, Ps2),
            {Ta, Ps4} = take_dense(H, C, Ps3),
            {Tb, []} = take_dense(H, C, Ps4),
            Base#tweann_cfc{ff2 = Ff2, time_a = Ta, time_b = Tb}
    end.

-spec take_layers(non_neg_integer(), pos_integer(), pos_integer(), [float()], [dense()]) ->
          {[dense()], [float()]}.
take_layers(0, _FanIn, _U, Ps, Acc) ->
    {lists:reverse(Acc), Ps};
take_layers(NL, FanIn, U, Ps, Acc) ->
    {D, Rest} = take_dense(U, FanIn, Ps),
    take_layers(NL - 1, U, U, Rest, [D | Acc]).

-spec take_dense(pos_integer(), pos_integer(), [float()]) -> {dense(), [float()]}.
take_dense(Out, In, Ps) ->
    {W, Ps1} = lists:split(Out * In, Ps),
    {B, Ps2} = lists:split(Out, Ps1),
    {{chunk(W, In), B}, Ps2}.

-spec chunk([T], pos_integer()) -> [[T]].
chunk([], _N) -> [];
chunk(L, N) ->
    {Row, Rest} = lists:split(N, L),
    [Row | chunk(Rest, N)].

-spec build_ltc(map(), [float()]) -> #tweann_ltc{}.
build_ltc(Cfg = #{input_size := I, units := N, motor_size := M, ode_unfolds := K,
                  epsilon := Eps, positivity := P, input_mapping := IM,
                  output_mapping := OM}, Ps) ->
    Pos = fun(Xs) -> [positive(P, X) || X <- Xs] end,
    Sizes = [N, N, N, N * N, N * N, N * N, N * N, I * N, I * N, I * N, I * N,
             N * N, I * N, I, I, M, M],
    [GL0, VL, CM0, Sig, Mu, W0, Erev, SSig, SMu, SW0, SErev, Mask, SMask,
     IW, IB, OW, OB] = split_sizes(Sizes, Ps),
    GL = Pos(GL0),
    #tweann_ltc{config = Cfg, i = I, n = N, m = M, k = K, eps = Eps, imap = IM, omap = OM,
                gleak = GL,
                gleak_vleak = lists:zipwith(fun(G, V) -> G * V end, GL, VL),
                cm = Pos(CM0),
                syn = synapse_rows(N, Sig, Mu, Pos(W0), Erev, Mask),
                s_syn = synapse_rows(N, SSig, SMu, Pos(SW0), SErev, SMask),
                input_w = IW, input_b = IB, output_w = OW, output_b = OB,
                params = << <<X:64/float-little>> || X <- Ps >>}.

-spec split_sizes([non_neg_integer()], [float()]) -> [[float()]].
split_sizes([], []) -> [];
split_sizes([S | Ss], Ps) ->
    {A, Rest} = lists:split(S, Ps),
    [A | split_sizes(Ss, Rest)].

-spec synapse_rows(pos_integer(), [float()], [float()], [float()], [float()], [float()]) ->
          [[synapse()]].
synapse_rows(N, Sig, Mu, W, Erev, Mask) ->
    All = zip5(Sig, Mu, W, Erev, Mask),
    chunk(All, N).

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
positive(softplus, X) -> softplus(X);
positive(identity, X) -> X.

%%====================================================================
%% PRIVATE: argument decoding
%%====================================================================

-spec cells(term()) -> {tuple(), map()}.
cells(#tweann_cfc{config = Cfg} = C) -> {{C}, info(cfc, Cfg)};
cells(#tweann_ltc{config = Cfg} = C) -> {{C}, info(ltc, Cfg)};
cells(#tweann_cell_pop{kind = Kind, config = Cfg, members = Ms}) -> {Ms, info(Kind, Cfg)};
cells(Other) -> bad(1, "not a cell or population of this module: ~tP", [Other, 8]).

-spec info(cfc | ltc, map()) -> map().
info(cfc, #{input_size := I, hidden_size := H} = Cfg) ->
    #{kind => cfc, input_size => I, state_size => H, output_size => H,
      param_len => cfc_len(Cfg), config => Cfg};
info(ltc, #{input_size := I, units := N, motor_size := M} = Cfg) ->
    #{kind => ltc, input_size => I, state_size => N, output_size => M,
      param_len => ltc_len(Cfg), config => Cfg}.

-spec kind(cell() | population()) -> cfc | ltc.
kind(#tweann_cfc{}) -> cfc;
kind(#tweann_ltc{}) -> ltc;
kind(#tweann_cell_pop{kind = K}) -> K.

-spec check_batch(term(), non_neg_integer(), pos_integer()) -> ok.
check_batch(#tweann_cell_pop{members = Ms}, B, Pos) when tuple_size(Ms) =/= B ->
    bad(Pos, "the population has ~b members but the batch has ~b rows", [tuple_size(Ms), B]);
check_batch(_, _, _) ->
    ok.

%% B rows of exactly Len numbers each.
-spec rows(term(), pos_integer(), non_neg_integer(), string()) -> [[float()]].
rows(Rows, Pos, Len, What) ->
    map_list(fun(Row, R) -> vec(Row, Pos, Len, io_lib:format("~ts row ~b", [What, R])) end,
             Rows, Pos, What ++ " rows").

-spec vec(term(), pos_integer(), non_neg_integer(), iodata()) -> [float()].
vec(Row, Pos, Len, Ctx) ->
    Fs = case Row of
             L when is_list(L) -> floats(L, Pos, Ctx);
             B when is_binary(B) -> bin_floats(B, Pos, Ctx);
             _ -> bad(Pos, "~ts is not a list of numbers or an f64 binary", [Ctx])
         end,
    length(Fs) =:= Len orelse
        bad(Pos, "~ts has ~b values, expected ~b", [Ctx, length(Fs), Len]),
    Fs.

-spec floats(term(), pos_integer(), iodata()) -> [float()].
floats(L, Pos, Ctx) ->
    floats(L, Pos, Ctx, 1).

-spec floats(term(), pos_integer(), iodata(), pos_integer()) -> [float()].
floats([X | Rest], Pos, Ctx, K) ->
    F = case is_number(X) of
            true -> to_float(X, Pos, io_lib:format("~ts value ~b", [Ctx, K]));
            false -> bad(Pos, "~ts value ~b is not a number: ~tp", [Ctx, K, X])
        end,
    [F | floats(Rest, Pos, Ctx, K + 1)];
floats([], _Pos, _Ctx, _K) ->
    [];
floats(_, Pos, Ctx, _K) ->
    bad(Pos, "~ts is not a proper list", [Ctx]).

-spec bin_floats(binary(), pos_integer(), iodata()) -> [float()].
bin_floats(B, Pos, Ctx) ->
    byte_size(B) rem 8 =:= 0 orelse
        bad(Pos, "~ts: binary size ~b is not a multiple of 8", [Ctx, byte_size(B)]),
    bin_floats(B, Pos, Ctx, 1).

-spec bin_floats(binary(), pos_integer(), iodata(), pos_integer()) -> [float()].
bin_floats(<<X:64/float-native, Rest/binary>>, Pos, Ctx, K) ->
    [X | bin_floats(Rest, Pos, Ctx, K + 1)];
bin_floats(<<>>, _Pos, _Ctx, _K) ->
    [];
bin_floats(_, Pos, Ctx, K) ->
    bad(Pos, "~ts value ~b is not finite (NaN or infinity)", [Ctx, K]).

-spec to_float(number(), tweann_error:position(), iodata()) -> float().
to_float(X, _Pos, _Ctx) when is_float(X) -> X;
to_float(X, Pos, Ctx) when is_integer(X) ->
    try float(X)
    catch error:badarg -> bad(Pos, "~ts is an integer out of float range", [Ctx])
    end.

-spec proper(term(), pos_integer(), iodata()) -> list().
proper(L, Pos, Ctx) ->
    case is_list(L) andalso length_ok(L) of
        true -> L;
        false -> bad(Pos, "~tsnot a proper list", [Ctx])
    end.

-spec length_ok(list()) -> boolean().
length_ok(L) ->
    try length(L) of _ -> true
    catch error:badarg -> false
    end.

-spec map_list(fun((term(), pos_integer()) -> T), term(), pos_integer(), string()) -> [T].
map_list(F, L, Pos, What) ->
    map_list(F, L, 1, Pos, What).

-spec map_list(fun((term(), pos_integer()) -> T), term(), pos_integer(), pos_integer(),
               string()) -> [T].
map_list(F, [X | Rest], K, Pos, What) -> [F(X, K) | map_list(F, Rest, K + 1, Pos, What)];
map_list(_F, [], _K, _Pos, _What) -> [];
map_list(_F, _, _K, Pos, What) -> bad(Pos, "~ts: not a proper list", [What]).

-spec enum([T]) -> [{pos_integer(), T}].
enum(L) -> lists:zip(lists:seq(1, length(L)), L).

%% Elapsed times of one step: a number (for every row) or a list of B numbers.
-spec dts(term(), non_neg_integer(), pos_integer(), cfc | ltc) -> [float()].
dts(D, B, Pos, Kind) when is_number(D) ->
    lists:duplicate(B, dt(D, Pos, Kind, ""));
dts(Ds, B, Pos, Kind) when is_list(Ds) ->
    Fs = map_list(fun(D, R) -> dt(D, Pos, Kind, io_lib:format("row ~b: ", [R])) end,
                  Ds, Pos, "elapsed times"),
    length(Fs) =:= B orelse
        bad(Pos, "~b elapsed times for ~b rows", [length(Fs), B]),
    Fs;
dts(Ds, B, Pos, Kind) when is_binary(Ds) ->
    dts(bin_floats(Ds, Pos, "elapsed times"), B, Pos, Kind);
dts(Other, _B, Pos, _Kind) ->
    bad(Pos, "elapsed times must be a number or a list of numbers, got ~tp", [Other]).

-spec dt_row(term(), non_neg_integer(), cfc | ltc, pos_integer()) -> [float()].
dt_row(Row, L, Kind, R) ->
    Ctx = io_lib:format("row ~b: ", [R]),
    Fs = case Row of
             _ when is_list(Row) ->
                 map_list(fun(D, T) -> dt(D, 4, Kind, io_lib:format("row ~b, step ~b: ", [R, T])) end,
                          Row, 4, "elapsed times");
             _ when is_binary(Row) ->
                 [dt(D, 4, Kind, Ctx) || D <- bin_floats(Row, 4, Ctx ++ "elapsed times")];
             _ -> bad(4, "~tsnot a list of elapsed times", [Ctx])
         end,
    length(Fs) =:= L orelse
        bad(4, "~ts~b elapsed times for ~b steps", [Ctx, length(Fs), L]),
    Fs.

-spec dt(term(), pos_integer(), cfc | ltc, iodata()) -> float().
dt(D, Pos, Kind, Ctx) when is_number(D) ->
    F = to_float(D, Pos, [Ctx, "elapsed time"]),
    case Kind of
        cfc when F < 0.0 ->
            bad(Pos, "~tselapsed time ~p is negative (a CfC cell needs dt >= 0)", [Ctx, F]);
        ltc when F =< 0.0 ->
            bad(Pos, "~tselapsed time ~p is not positive (an LTC cell needs dt > 0)", [Ctx, F]);
        _ -> F
    end;
dt(D, Pos, _Kind, Ctx) ->
    bad(Pos, "~tselapsed time is not a number: ~tp", [Ctx, D]).

%%====================================================================
%% PRIVATE: running
%%====================================================================

-spec member(tuple(), pos_integer()) -> cell().
member(Cells, _R) when tuple_size(Cells) =:= 1 -> element(1, Cells);
member(Cells, R) -> element(R, Cells).

-spec step_rows(tuple(), [[float()]], [[float()]], [float()], pos_integer()) ->
          [{[float()], [float()]}].
step_rows(Cells, [U | Us], [S | Ss], [D | Ds], R) ->
    [guarded(R, fun() -> step(member(Cells, R), U, S, D) end)
     | step_rows(Cells, Us, Ss, Ds, R + 1)];
step_rows(_Cells, [], [], [], _R) ->
    [].

-spec seq_rows(tuple(), [[[float()]]], [[float()]], [[float()]], pos_integer()) ->
          [{[[float()]], [float()]}].
seq_rows(Cells, [Seq | Seqs], [S | Ss], [Ds | Dss], R) ->
    Cell = member(Cells, R),
    Row = guarded(R, fun() -> run_seq(Cell, Seq, S, Ds, []) end),
    [Row | seq_rows(Cells, Seqs, Ss, Dss, R + 1)];
seq_rows(_Cells, [], [], [], _R) ->
    [].

-spec run_seq(cell(), [[float()]], [float()], [float()], [[float()]]) ->
          {[[float()]], [float()]}.
run_seq(Cell, [U | Us], S, [D | Ds], Acc) ->
    {Y, S1} = step(Cell, U, S, D),
    run_seq(Cell, Us, S1, Ds, [Y | Acc]);
run_seq(_Cell, [], S, [], Acc) ->
    {lists:reverse(Acc), S}.

-spec guarded(pos_integer(), fun(() -> T)) -> T.
guarded(R, Fun) ->
    try Fun()
    catch error:badarith ->
            throw({?MODULE, {badarith,
                             io_lib:format("row ~b: arithmetic overflow (a value is not finite)",
                                           [R])}})
    end.

%% One row: {Output, NewState}.
-spec step(cell(), [float()], [float()], float()) -> {[float()], [float()]}.
step(#tweann_cfc{mode = Mode, act = Act, backbone = Backbone, ff1 = Ff1} = C, U, H, Dt) ->
    Z = lists:foldl(fun({W, B}, Z0) -> [activate(Act, X) || X <- dense(W, B, Z0)] end,
                    U ++ H, Backbone),
    A1 = dense(Ff1, Z),
    New = case Mode of
              pure ->
                  lists:zipwith3(fun(WT, A, X) ->
                                         Arg = -Dt * (WT + abs(X)),
                                         (-A) * math:exp(Arg) * X + A
                                 end, C#tweann_cfc.w_tau_abs, C#tweann_cfc.a, A1);
              _ ->
                  F2 = dense(C#tweann_cfc.ff2, Z),
                  Ta = dense(C#tweann_cfc.time_a, Z),
                  Tb = dense(C#tweann_cfc.time_b, Z),
                  cfc_gate(Mode, A1, F2, Ta, Tb, Dt)
          end,
    {New, New};
step(#tweann_ltc{} = C, U0, V0, Dt) ->
    #tweann_ltc{n = N, k = K, eps = Eps, imap = IM, omap = OM, gleak = GL,
                gleak_vleak = GLVL, cm = CM, syn = Syn, s_syn = SSyn,
                input_w = IW, input_b = IB, output_w = OW, output_b = OB, m = M} = C,
    U = map3(IM, U0, IW, IB),
    {Sn, Sd} = synapses(U, SSyn, N),
    Sub = Dt / K,
    Cmt = [Cm / Sub || Cm <- CM],
    V = unfold(K, V0, Cmt, GL, GLVL, Sn, Sd, Syn, N, Eps),
    Y = map3(OM, lists:sublist(V, M), OW, OB),
    {Y, V}.

-spec cfc_gate(default | no_gate, [float()], [float()], [float()], [float()], float()) ->
          [float()].
cfc_gate(Mode, [F1 | F1s], [F2 | F2s], [Ta | Tas], [Tb | Tbs], Dt) ->
    G1 = math:tanh(F1),
    G2 = math:tanh(F2),
    Gate = sigmoid(Ta * Dt + Tb),
    H = case Mode of
            no_gate -> G1 + Gate * G2;
            default -> G1 * (1.0 - Gate) + Gate * G2
        end,
    [H | cfc_gate(Mode, F1s, F2s, Tas, Tbs, Dt)];
cfc_gate(_Mode, [], [], [], [], _Dt) ->
    [].

%% y[o] = (sum_i W[o,i] * z[i], from 0.0, increasing i) + b[o].
-spec dense(dense(), [float()]) -> [float()].
dense({W, B}, Z) -> dense(W, B, Z).

-spec dense([[float()]], [float()], [float()]) -> [float()].
dense([Row | Rows], [B | Bs], Z) ->
    [dot(Row, Z, 0.0) + B | dense(Rows, Bs, Z)];
dense([], [], _Z) ->
    [].

-spec dot([float()], [float()], float()) -> float().
dot([W | Ws], [Z | Zs], Acc) -> dot(Ws, Zs, Acc + W * Z);
dot([], [], Acc) -> Acc.

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
    Ra = W * sigmoid(Sig * (X - Mu)) * Mask,
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

%%====================================================================
%% PRIVATE: elementwise functions (same formulas as cells.rs)
%%====================================================================

%% exp(X), or the atom inf where the result would overflow.
-spec exp_or_inf(float()) -> float() | inf.
exp_or_inf(X) ->
    try math:exp(X)
    catch error:badarith -> inf
    end.

-spec sigmoid(float()) -> float().
sigmoid(X) ->
    case exp_or_inf(-X) of
        inf -> 0.0;
        E -> 1.0 / (1.0 + E)
    end.

-spec softplus(float()) -> float().
softplus(X) when X > 20.0 -> X;
softplus(X) -> log1p(math:exp(X)).

-spec activate(activation(), float()) -> float().
activate(lecun_tanh, X) -> 1.7159 * math:tanh(0.666 * X);
activate(tanh, X) -> math:tanh(X);
activate(relu, X) when X > 0.0 -> X;
activate(relu, _X) -> 0.0;
activate(silu, X) ->
    case exp_or_inf(-X) of
        inf -> X * 0.0;
        E -> X / (1.0 + E)
    end;
activate(gelu, X) -> X * 0.5 * (1.0 + erf(X * ?FRAC_1_SQRT_2)).

-spec horner(float(), [float(), ...]) -> float().
horner(_X, [C]) -> C;
horner(X, [C | Cs]) -> C + X * horner(X, Cs).

-spec horner1(float(), [float(), ...]) -> float().
horner1(X, Cs) -> 1.0 + X * horner(X, Cs).
