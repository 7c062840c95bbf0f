%% @doc Pure Erlang twin of `tweann_core::cells': what the liquid cells
%% ({@link tweann_ref_cfc}, {@link tweann_ref_ltc}) share. That is the cell
%% and population terms, the drivers that run a cell over a batch, a
%% population or a sequence ({@link cell_step/4}, {@link cell_sequence/4}),
%% {@link cell_info/1}, configuration and parameter readers, and the
%% elementwise functions and dense layers of `docs/cells.md' section 0 (the
%% error function
%% of GELU is {@link tweann_ref_erf}).
%%
%% A cell module implements this module's behaviour: `step(Cell, Input,
%% State, Dt) -> {Output, NewState}' over lists of floats. Every
%% floating-point operation runs in the Rust kernel's order (dense sums start
%% at `0.0' and add terms in increasing input index, then the bias), so
%% results are bit-identical to the native cells.
%%
%% == Data ==
%% Parameter vectors, input rows and state rows are lists of numbers or
%% binaries of native-endian finite f64 values. Results are lists of floats.
%% Batch rows never interact: row `r' of a driver equals a step of that row
%% alone. A CfC cell accepts `Dt >= 0', an LTC cell `Dt > 0'.
%%
%% == Errors ==
%% Bad arguments raise `{tweann_error, badarg, Pos, Why}' and a computation
%% that overflows `{tweann_error, badarith, general, Why}' naming the row,
%% through `tweann_ref_args'.
-module(tweann_ref_cells).

-export([cell_step/4, cell_sequence/4, cell_info/1]).
%% For the cell modules.
-export([new/4, population/4, params/4, parts/1,
         config/3, config_pos_int/4, config_int/5, config_one_of/5,
         sigmoid/1, softplus/1, log1p/1, activate/2, dense/2, take_dense/3, chunk/2]).

-export_type([cell/0, population/0, vector/0, dense/0, activation/0]).

-callback step(Cell :: term(), Input :: [float()], State :: [float()], Dt :: float()) ->
    {Output :: [float()], NewState :: [float()]}.

-record(tweann_ref_cell, {
    module :: module(),
    info :: info(),
    cell :: term(),
    %% The parameters as given, little-endian f64 (for tweann_ref_codec).
    params :: binary()
}).

-record(tweann_ref_pop, {
    module :: module(),
    info :: info(),
    members :: tuple(),
    %% Each member's parameters as given, little-endian f64.
    params :: [binary()]
}).

-type info() :: #{kind := cfc | ltc, input_size := pos_integer(), state_size := pos_integer(),
                  output_size := pos_integer(), param_len := non_neg_integer(),
                  config := map()}.
%% What {@link cell_info/1} returns for a cell (a population adds
%% `members'), with the configuration the cell was built from.
-opaque cell() :: #tweann_ref_cell{}.
%% A cell with validated parameters (an ordinary Erlang term).
-opaque population() :: #tweann_ref_pop{}.
%% P cells of one configuration; member i serves batch row i.
-type vector() :: [number()] | binary().
%% A list of numbers, or a binary of native-endian finite f64 values.
-type dense() :: {[[float()]], [float()]}.
%% A dense layer: weight rows ([out][in]) and biases.
-type activation() :: lecun_tanh | tanh | relu | silu | gelu.
%% A backbone activation of the CfC cell (`docs/cells.md' section 0).

-define(FRAC_1_SQRT_2, 0.707106781186547524400844362104849039).

%%====================================================================
%% API
%%====================================================================

%% @doc One step of a batch: `Inputs' is B rows of `input_size' numbers,
%% `States' B rows of the state size, `Dts' B numbers or one number for every
%% row. Returns `{Outputs, NewStates}', B rows each. With a population, row
%% `i' uses member `i' and B must equal the population size.
-spec cell_step(Cell, Inputs, States, Dts) -> {Outputs, NewStates} when
      Cell :: cell() | population(), Inputs :: [vector()], States :: [vector()],
      Dts :: number() | [number()] | binary(), Outputs :: [[float()]], NewStates :: [[float()]].
cell_step(Cell, Inputs, States, Dts) ->
    {M, Cells, #{kind := Kind, input_size := NI, state_size := NS}} = cells(Cell),
    Us = rows(Inputs, 2, NI, "input"),
    B = length(Us),
    check_batch(Cell, B, 2),
    Ss = rows(States, 3, NS, "state"),
    length(Ss) =:= B orelse
        tweann_ref_args:fail(3, "~b state rows for ~b input rows", [length(Ss), B]),
    Ds = dts(Dts, B, 4, Kind),
    lists:unzip(step_rows(M, Cells, Us, Ss, Ds, 1)).

%% @doc Runs a batch of sequences (`docs/cells.md' section 1): `InputSeqs' is B
%% rows of L input rows (every row the same L), `States0' B initial states,
%% `DtSeqs' one number for everything or B rows of L numbers. Returns
%% `{OutputSeqs, FinalStates}': B rows of L outputs, and B final states.
%% Equal to calling {@link cell_step/4} L times.
-spec cell_sequence(Cell, InputSeqs, States0, DtSeqs) -> {OutputSeqs, FinalStates} when
      Cell :: cell() | population(), InputSeqs :: [[vector()]], States0 :: [vector()],
      DtSeqs :: number() | [[number()] | binary()],
      OutputSeqs :: [[[float()]]], FinalStates :: [[float()]].
cell_sequence(Cell, InputSeqs, States0, DtSeqs) ->
    {M, Cells, #{kind := Kind, input_size := NI, state_size := NS}} = cells(Cell),
    Seqs = tweann_ref_args:map_list(fun(Seq, R) -> sequence(Seq, R, NI) end,
                                    InputSeqs, 2, "input sequences: not a proper list"),
    B = length(Seqs),
    check_batch(Cell, B, 2),
    L = case Seqs of [] -> 0; [S1 | _] -> length(S1) end,
    [tweann_ref_args:fail(2, "row ~b has ~b steps, row 1 has ~b (all rows need the same length)",
                          [R, length(S), L])
     || {R, S} <- lists:enumerate(Seqs), length(S) =/= L],
    Ss = rows(States0, 3, NS, "state"),
    length(Ss) =:= B orelse
        tweann_ref_args:fail(3, "~b state rows for ~b input sequences", [length(Ss), B]),
    Ds = case DtSeqs of
             D when is_number(D) -> lists:duplicate(B, lists:duplicate(L, dt(D, 4, Kind, "")));
             _ ->
                 DRows = tweann_ref_args:map_list(fun(Row, R) -> dt_row(Row, L, Kind, R) end,
                                                  DtSeqs, 4, "elapsed times: not a proper list"),
                 length(DRows) =:= B orelse
                     tweann_ref_args:fail(4, "~b rows of elapsed times for ~b input sequences",
                                          [length(DRows), B]),
                 DRows
         end,
    lists:unzip(seq_rows(M, Cells, Seqs, Ss, Ds, 1)).

%% @doc Facts about a cell or population: `kind' (`cfc | ltc'),
%% `input_size', `state_size', `output_size', `param_len', `config' (with
%% defaults filled in) and, for a population, `members'.
-spec cell_info(cell() | population()) -> #{atom() => term()}.
cell_info(#tweann_ref_pop{info = Info, members = Ms}) -> Info#{members => tuple_size(Ms)};
cell_info(Cell) -> element(3, cells(Cell)).

%%====================================================================
%% For the cell modules
%%====================================================================

%% @doc A cell of `Module' (which implements this behaviour) from its
%% built parameters `Cell' and the flat parameters `Params' it was built from.
-spec new(module(), info(), term(), [float()]) -> cell().
new(Module, Info, Cell, Params) ->
    #tweann_ref_cell{module = Module, info = Info, cell = Cell, params = le_f64(Params)}.

%% @doc A population of `Module' cells: `Build(Params)' builds one member
%% from the `param_len' floats of one parameter vector of `ParamsList'
%% (argument 2, a non-empty list; errors name the member).
-spec population(module(), info(), term(), fun(([float()]) -> term())) -> population().
population(Module, #{param_len := Len} = Info, ParamsList, Build) ->
    is_list(ParamsList) andalso ParamsList =/= [] orelse
        tweann_ref_args:fail(2, "expected a non-empty list of parameter vectors"),
    Built = tweann_ref_args:map_list(
              fun(P, K) ->
                      Ps = params(P, Len, 2, {"member ~b:", [K]}),
                      {Build(Ps), le_f64(Ps)}
              end, ParamsList, 2, "parameter vectors: not a proper list"),
    {Members, Params} = lists:unzip(Built),
    #tweann_ref_pop{module = Module, info = Info, members = list_to_tuple(Members),
                    params = Params}.

%% @doc What {@link tweann_ref_codec} writes of a cell or population: its
%% kind, configuration (defaults filled in), shape and each member's
%% parameters as given (little-endian f64).
-spec parts(cell() | population()) ->
          {cfc | ltc, map(), single | population, [binary()]}.
parts(#tweann_ref_cell{info = #{kind := Kind, config := Cfg}, params = P}) ->
    {Kind, Cfg, single, [P]};
parts(#tweann_ref_pop{info = #{kind := Kind, config := Cfg}, params = Ps}) ->
    {Kind, Cfg, population, Ps};
parts(Other) ->
    tweann_ref_args:fail(1, "not a cell or population of the Erlang reference: ~tP", [Other, 8]).

le_f64(Floats) ->
    << <<X:64/float-little>> || X <- Floats >>.

%% @doc Exactly `Len' parameters (argument `Pos'), as floats; `Ctx' prefixes
%% the error messages (`""' for none).
-spec params(term(), non_neg_integer(), pos_integer(), tweann_ref_args:text()) -> [float()].
params(Params, Len, Pos, Ctx) ->
    Fs = tweann_ref_args:float_list(Pos, ctx(Ctx, "parameters"), Params),
    length(Fs) =:= Len orelse
        tweann_ref_args:fail(Pos, "~tswrong parameter length: expected ~b numbers, got ~b",
                             [prefix(Ctx), Len, length(Fs)]),
    Fs.

%% @doc Check a configuration map (argument `Pos') has only `Known' keys.
-spec config(term(), [atom()], pos_integer()) -> map().
config(Config, Known, Pos) when is_map(Config) ->
    case maps:keys(Config) -- Known of
        [] -> Config;
        [K | _] -> tweann_ref_args:fail(Pos, "unknown configuration key ~tp (known: ~tp)", [K, Known])
    end;
config(Config, _Known, Pos) ->
    tweann_ref_args:fail(Pos, "the configuration must be a map, got ~tp", [Config]).

%% @doc An integer in 1..2^32-1 under `Key' (`Default' if absent, or
%% `required'): a size of a cell configuration.
-spec config_pos_int(map(), atom(), pos_integer() | required, pos_integer()) -> pos_integer().
config_pos_int(Config, Key, Default, Pos) ->
    config_int(Config, Key, Default, {1, 16#FFFFFFFF}, Pos).

%% @doc An integer in `Min..Max' under `Key' (`Default' if absent, or
%% `required').
-spec config_int(map(), atom(), non_neg_integer() | required,
                 {non_neg_integer(), pos_integer()}, pos_integer()) -> non_neg_integer().
config_int(Config, Key, Default, {Min, Max}, Pos) ->
    case maps:find(Key, Config) of
        {ok, V} when is_integer(V), V >= Min, V =< Max -> V;
        {ok, V} -> tweann_ref_args:fail(Pos, "~ts must be an integer in ~b..~b, got ~tp",
                                        [Key, Min, Max, V]);
        error when Default =:= required -> tweann_ref_args:fail(Pos, "missing required key ~ts", [Key]);
        error -> Default
    end.

%% @doc One of the atoms `Allowed' under `Key' (`Default' if absent).
-spec config_one_of(map(), atom(), [atom()], atom(), pos_integer()) -> atom().
config_one_of(Config, Key, Allowed, Default, Pos) ->
    V = maps:get(Key, Config, Default),
    lists:member(V, Allowed) orelse
        tweann_ref_args:fail(Pos, "unknown ~ts ~tp (expected one of ~tp)", [Key, V, Allowed]),
    V.

%% @doc `1 / (1 + exp(-X))' (`tweann_ref_math:sigmoid/1'; `0.0' far below
%% zero).
-spec sigmoid(float()) -> float().
sigmoid(X) -> tweann_ref_math:sigmoid(X).

%% @doc `nn.Softplus(beta=1, threshold=20)': `X' if `X > 20', else
%% `log(1 + exp(X))' (`tweann_ref_math:softplus/1').
-spec softplus(float()) -> float().
softplus(X) when X > 20.0 -> X;
softplus(X) -> tweann_ref_math:softplus(X).

%% @doc `ln(1 + X)' for `X > -1', the algorithm of the native cells:
%% `U = 1 + X'; `X' if `U == 1', else `ln(U) * X / (U - 1)'.
-spec log1p(float()) -> float().
log1p(X) when is_float(X) ->
    U = 1.0 + X,
    case U == 1.0 of
        true -> X;
        false -> tweann_ref_math:log(U) * X / (U - 1.0)
    end.

%% @doc A backbone activation of a CfC cell.
-spec activate(activation(), float()) -> float().
activate(lecun_tanh, X) -> 1.7159 * tweann_ref_math:tanh(0.666 * X);
activate(tanh, X) -> tweann_ref_math:tanh(X);
activate(relu, X) when X > 0.0 -> X;
activate(relu, _X) -> 0.0;
activate(silu, X) ->
    case exp_or_inf(-X) of
        inf -> X * 0.0;
        E -> X / (1.0 + E)
    end;
activate(gelu, X) -> X * 0.5 * (1.0 + tweann_ref_erf:erf(X * ?FRAC_1_SQRT_2)).

%% @doc A dense layer: `y[o] = (sum_i W[o,i] * z[i], from 0.0, increasing
%% i) + b[o]'.
-spec dense(dense(), [float()]) -> [float()].
dense({W, B}, Z) -> dense(W, B, Z).

%% @doc The next dense layer of `Out' rows of `In' weights, then `Out'
%% biases, from a flat parameter list: `{Layer, Rest}'.
-spec take_dense(pos_integer(), pos_integer(), [float()]) -> {dense(), [float()]}.
take_dense(Out, In, Ps) ->
    {W, Ps1} = lists:split(Out * In, Ps),
    {B, Ps2} = lists:split(Out, Ps1),
    {{chunk(W, In), B}, Ps2}.

%% @doc Split a list into rows of `N'.
-spec chunk([T], pos_integer()) -> [[T]].
chunk([], _N) -> [];
chunk(L, N) ->
    {Row, Rest} = lists:split(N, L),
    [Row | chunk(Rest, N)].

%%====================================================================
%% Internal: arguments
%%====================================================================

-spec cells(term()) -> {module(), tuple(), info()}.
cells(#tweann_ref_cell{module = M, info = Info, cell = C}) -> {M, {C}, Info};
cells(#tweann_ref_pop{module = M, info = Info, members = Ms}) -> {M, Ms, Info};
cells(Other) ->
    tweann_ref_args:fail(1, "not a cell or population of the Erlang reference: ~tP", [Other, 8]).

-spec check_batch(term(), non_neg_integer(), pos_integer()) -> ok.
check_batch(#tweann_ref_pop{members = Ms}, B, Pos) when tuple_size(Ms) =/= B ->
    tweann_ref_args:fail(Pos, "the population has ~b members but the batch has ~b rows",
                         [tuple_size(Ms), B]);
check_batch(_, _, _) ->
    ok.

%% B rows of exactly Len numbers each.
-spec rows(term(), pos_integer(), non_neg_integer(), string()) -> [[float()]].
rows(Rows, Pos, Len, What) ->
    tweann_ref_args:map_list(fun(Row, R) -> vec(Row, Pos, Len, {"~ts row ~b", [What, R]}) end,
                             Rows, Pos, What ++ " rows: not a proper list").

-spec sequence(term(), pos_integer(), non_neg_integer()) -> [[float()]].
sequence(Seq, R, NI) ->
    tweann_ref_args:map_list(fun(U, T) -> vec(U, 2, NI, {"row ~b, step ~b: input", [R, T]}) end,
                             Seq, 2, {"row ~b: not a proper list", [R]}).

-spec vec(term(), pos_integer(), non_neg_integer(), tweann_ref_args:text()) -> [float()].
vec(Row, Pos, Len, Ctx) ->
    Fs = tweann_ref_args:float_list(Pos, Ctx, Row),
    length(Fs) =:= Len orelse
        tweann_ref_args:fail(Pos, "~ts has ~b values, expected ~b", [text(Ctx), length(Fs), Len]),
    Fs.

%% Elapsed times of one step: a number (for every row) or a list of B numbers.
-spec dts(term(), non_neg_integer(), pos_integer(), cfc | ltc) -> [float()].
dts(D, B, Pos, Kind) when is_number(D) ->
    lists:duplicate(B, dt(D, Pos, Kind, ""));
dts(Ds, B, Pos, Kind) when is_list(Ds) ->
    Fs = tweann_ref_args:map_list(fun(D, R) -> dt(D, Pos, Kind, {"row ~b: ", [R]}) end,
                                  Ds, Pos, "elapsed times: not a proper list"),
    length(Fs) =:= B orelse
        tweann_ref_args:fail(Pos, "~b elapsed times for ~b rows", [length(Fs), B]),
    Fs;
dts(Ds, B, Pos, Kind) when is_binary(Ds) ->
    dts(tweann_ref_args:float_list(Pos, "elapsed times", Ds), B, Pos, Kind);
dts(Other, _B, Pos, _Kind) ->
    tweann_ref_args:fail(Pos, "elapsed times must be a number or a list of numbers, got ~tp", [Other]).

-spec dt_row(term(), non_neg_integer(), cfc | ltc, pos_integer()) -> [float()].
dt_row(Row, L, Kind, R) ->
    Fs = case Row of
             _ when is_list(Row) ->
                 tweann_ref_args:map_list(
                   fun(D, T) -> dt(D, 4, Kind, {"row ~b, step ~b: ", [R, T]}) end,
                   Row, 4, {"row ~b: elapsed times: not a proper list", [R]});
             _ when is_binary(Row) ->
                 [dt(D, 4, Kind, {"row ~b: ", [R]})
                  || D <- tweann_ref_args:float_list(4, {"row ~b: elapsed times", [R]}, Row)];
             _ -> tweann_ref_args:fail(4, "row ~b: not a list of elapsed times", [R])
         end,
    length(Fs) =:= L orelse
        tweann_ref_args:fail(4, "row ~b: ~b elapsed times for ~b steps", [R, length(Fs), L]),
    Fs.

-spec dt(term(), pos_integer(), cfc | ltc, tweann_ref_args:text()) -> float().
dt(D, Pos, Kind, Ctx) when is_number(D) ->
    F = case is_float(D) of
            true -> D;
            false -> tweann_ref_args:to_float(Pos, [text(Ctx), "elapsed time"], D)
        end,
    case Kind of
        cfc when F < 0.0 ->
            tweann_ref_args:fail(Pos, "~tselapsed time ~p is negative (a CfC cell needs dt >= 0)",
                                 [text(Ctx), F]);
        ltc when F =< 0.0 ->
            tweann_ref_args:fail(Pos, "~tselapsed time ~p is not positive (an LTC cell needs dt > 0)",
                                 [text(Ctx), F]);
        _ -> F
    end;
dt(D, Pos, _Kind, Ctx) ->
    tweann_ref_args:fail(Pos, "~tselapsed time is not a number: ~tp", [text(Ctx), D]).

-spec ctx(tweann_ref_args:text(), string()) -> tweann_ref_args:text().
ctx("", What) -> What;
ctx(Ctx, What) -> {"~ts ~ts", [text(Ctx), What]}.

-spec prefix(tweann_ref_args:text()) -> unicode:chardata().
prefix("") -> "";
prefix(Ctx) -> [text(Ctx), " "].

-spec text(tweann_ref_args:text()) -> unicode:chardata().
text({Format, Args}) -> io_lib:format(Format, Args);
text(Chars) -> Chars.

%%====================================================================
%% Internal: running
%%====================================================================

-spec member(tuple(), pos_integer()) -> term().
member(Cells, _R) when tuple_size(Cells) =:= 1 -> element(1, Cells);
member(Cells, R) -> element(R, Cells).

-spec step_rows(module(), tuple(), [[float()]], [[float()]], [float()], pos_integer()) ->
          [{[float()], [float()]}].
step_rows(M, Cells, [U | Us], [S | Ss], [D | Ds], R) ->
    Cell = member(Cells, R),
    [guarded(R, fun() -> M:step(Cell, U, S, D) end) | step_rows(M, Cells, Us, Ss, Ds, R + 1)];
step_rows(_M, _Cells, [], [], [], _R) ->
    [].

-spec seq_rows(module(), tuple(), [[[float()]]], [[float()]], [[float()]], pos_integer()) ->
          [{[[float()]], [float()]}].
seq_rows(M, Cells, [Seq | Seqs], [S | Ss], [Ds | Dss], R) ->
    Cell = member(Cells, R),
    Row = guarded(R, fun() -> run_seq(M, Cell, Seq, S, Ds, []) end),
    [Row | seq_rows(M, Cells, Seqs, Ss, Dss, R + 1)];
seq_rows(_M, _Cells, [], [], [], _R) ->
    [].

-spec run_seq(module(), term(), [[float()]], [float()], [float()], [[float()]]) ->
          {[[float()]], [float()]}.
run_seq(M, Cell, [U | Us], S, [D | Ds], Acc) ->
    {Y, S1} = M:step(Cell, U, S, D),
    run_seq(M, Cell, Us, S1, Ds, [Y | Acc]);
run_seq(_M, _Cell, [], S, [], Acc) ->
    {lists:reverse(Acc), S}.

-spec guarded(pos_integer(), fun(() -> T)) -> T.
guarded(R, Fun) ->
    try Fun()
    catch error:badarith ->
            tweann_ref_args:overflow(general, "row ~b: arithmetic overflow (a value is not finite)",
                                     [R])
    end.

-spec dense([[float()]], [float()], [float()]) -> [float()].
dense([Row | Rows], [B | Bs], Z) ->
    [tweann_ref_dot:dot(Row, Z, 0.0) + B | dense(Rows, Bs, Z)];
dense([], [], _Z) ->
    [].

%% exp(X), or the atom inf where the result would overflow.
-spec exp_or_inf(float()) -> float() | inf.
exp_or_inf(X) ->
    try tweann_ref_math:exp(X)
    catch error:badarith -> inf
    end.
