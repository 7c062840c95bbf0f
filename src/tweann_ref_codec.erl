%% @doc The binary formats of networks and cells, in pure Erlang: the
%% reference twin of the native `tweann_core::codec'.
%%
%% {@link network_to_binary/1} and {@link network_from_binary/1} convert
%% between a {@link tweann_ref_network} network and the `TWNN' format;
%% {@link cell_to_binary/1} and {@link cell_from_binary/1} between a
%% {@link tweann_ref_cells} cell or population and the `TWNC' format. The
%% formats are specified in `docs/semantics.md' ("Binary formats"): the NIF
%% and this module write the same bytes for the same network and read each
%% other's binaries, and a decoded network computes the same bits as the
%% original.
%%
%% Decoding checks the magic, the version, the length, the CRC-32
%% (`erlang:crc32/1') and every field; a corrupted, truncated or foreign
%% binary raises `error:badarg' with error_info (argument 1).
%%
%% A network is written from `tweann_ref_network''s `#tweann_ref_net{}'
%% record (tweann_ref_network.hrl) and rebuilt by compiling the node list the
%% binary describes; node indices are not part of the format, so a decoded
%% network's nodes are numbered by position.
-module(tweann_ref_codec).

-export([network_to_binary/1, network_from_binary/1,
         cell_to_binary/1, cell_from_binary/1]).

-define(NET_MAGIC, <<"TWNN">>).
-define(CELL_MAGIC, <<"TWNC">>).
%% Networks are written in version 2 (version 1 is read too); cells in 1.
-define(NET_VERSION, 2).
-define(CELL_VERSION, 1).
-define(HEADER_LEN, 16).
-define(TRAILER_LEN, 4).
-define(TAG_INPUT, 128).
-define(TAG_CFC, 129).
-define(TAG_LTC, 130).
-define(TAG_DELAY, 131).
-define(TAG_LEAKY, 132).
%% Network flags (version 2), bit 0: the forward_refs state model.
-define(FLAG_FORWARD_REFS, 1).
%% tweann_ref_network keeps node values in tuples of ?CHUNK floats.
-define(MAX_COUNT, 16#FFFFFFFE).
%% Activation tags 0..16.

-include("tweann_ref_network.hrl").

%% Failures leave as error({tweann_error, badarg, 1, Why}), the reference
%% twins' convention; tweann_nif raises them with error_info.
-define(API(Body),
        try Body
        catch throw:{?MODULE, Why__} -> tweann_ref_args:fail(1, lists:flatten(Why__))
        end).

%%====================================================================
%% PUBLIC API
%%====================================================================

%% @doc A {@link tweann_ref_network} network as a `TWNN' binary (the bytes the NIF
%% writes for the same network).
%% (Networks are typed `tuple()' here: this module builds the terms whose
%% type `tweann_ref_network:network()' is opaque everywhere else.)
-spec network_to_binary(tuple()) -> binary().
network_to_binary(Net) ->
    ?API(encode_net(Net)).

%% @doc A {@link tweann_ref_network} network from a `TWNN' binary (written by this
%% module or by the NIF; version 1 binaries are read as `forward_refs'
%% networks).
-spec network_from_binary(binary()) -> tweann_ref_network:network().
network_from_binary(Bin) ->
    ?API(decode_net(Bin)).

%% @doc A {@link tweann_ref_cells} cell or population as a `TWNC' binary.
-spec cell_to_binary(tweann_ref_cells:cell() | tweann_ref_cells:population()) -> binary().
cell_to_binary(Cell) ->
    ?API(encode_cell(Cell)).

%% @doc A {@link tweann_ref_cells} cell or population from a `TWNC' binary.
-spec cell_from_binary(binary()) -> tweann_ref_cells:cell() | tweann_ref_cells:population().
cell_from_binary(Bin) ->
    ?API(decode_cell(Bin)).

%%====================================================================
%% Framing
%%====================================================================

-spec bad(string(), [term()]) -> no_return().
bad(Fmt, Args) ->
    throw({?MODULE, io_lib:format(Fmt, Args)}).

%% Header + Body + CRC-32.
seal(Magic, Version, Flags, Body) ->
    Len = ?HEADER_LEN + iolist_size(Body) + ?TRAILER_LEN,
    Data = [Magic, <<Version:16/little, Flags:16/little, Len:64/little>>, Body],
    Crc = erlang:crc32(Data),
    iolist_to_binary([Data, <<Crc:32/little>>]).

%% Checks the framing of a binary of What in one of Versions and returns
%% {Version, Flags, Body}.
open(Bin, Magic, What, {OtherMagic, OtherWhat, OtherFun}, Versions) when is_binary(Bin) ->
    Size = byte_size(Bin),
    case Bin of
        <<Magic:4/binary, _/binary>> -> ok;
        <<OtherMagic:4/binary, _/binary>> ->
            bad("this is a binary of ~ts (use ~ts)", [OtherWhat, OtherFun]);
        <<_:4/binary, _/binary>> ->
            bad("not a binary of ~ts written by network_to_binary/1 or cell_to_binary/1 (bad magic)",
                [What]);
        _ -> ok
    end,
    Size >= ?HEADER_LEN + ?TRAILER_LEN orelse
        bad("truncated: ~b bytes is shorter than any binary of ~ts", [Size, What]),
    <<_:4/binary, Version:16/little, Flags:16/little, Len:64/little, _/binary>> = Bin,
    lists:member(Version, Versions) orelse
        bad("unsupported format version ~b (this library reads ~ts ~ts of ~ts)",
            [Version, case Versions of [_] -> "version"; _ -> "versions" end,
             lists:join(" and ", [integer_to_list(V) || V <- Versions]), What]),
    if
        Len > Size -> bad("truncated: the header says ~b bytes but the binary has ~b", [Len, Size]);
        Len < Size -> bad("~b bytes after the end: the header says ~b bytes but the binary has ~b",
                          [Size - Len, Len, Size]);
        true -> ok
    end,
    BodyLen = Size - ?HEADER_LEN - ?TRAILER_LEN,
    <<Covered:(Size - ?TRAILER_LEN)/binary, Stored:32/little>> = Bin,
    Actual = erlang:crc32(Covered),
    Stored =:= Actual orelse
        bad("checksum mismatch (stored CRC-32 ~.16#, computed ~.16#): the binary is corrupted",
            [Stored, Actual]),
    <<_:?HEADER_LEN/binary, Body:BodyLen/binary, _/binary>> = Bin,
    {Version, Flags, Body};
open(_Bin, _Magic, _What, _Other, _Versions) ->
    bad("not a binary", []).

%% Unknown flags of a binary of the given version.
-spec bad_flags(non_neg_integer(), pos_integer()) -> no_return().
bad_flags(Flags, 1) ->
    bad("unknown flags ~s (version 1 defines none)", [hex16(Flags)]);
bad_flags(Flags, _) ->
    bad("unknown flags ~s (version 2 defines only bit 0, the forward_refs state model)",
        [hex16(Flags)]).

%% As Rust's {:#06x}.
hex16(F) -> io_lib:format("0x~4.16.0b", [F]).

%%====================================================================
%% Networks
%%====================================================================

encode_net(#tweann_ref_net{model = Model, template = Template, program = Program,
                           outputs = Outs}) ->
    {Kinds, Biases, Rows, Srcs, Ws, Liquid, Leaky, C} =
        nodes(Template, Program, [], [], [<<0:32/little>>], [], [], [], [], 0),
    N = length(Template),
    Body = [<<N:32/little, C:32/little, (length(Outs)):32/little, (length(Liquid)):32/little,
              (length(Leaky)):32/little>>,
            Kinds, Biases, Rows, Srcs, Ws, Liquid, Leaky,
            [<<(pos(Hi, Lo)):32/little>> || {Hi, Lo} <- Outs]],
    Flags = case Model of
                organelles -> 0;
                forward_refs -> ?FLAG_FORWARD_REFS
            end,
    seal(?NET_MAGIC, ?NET_VERSION, Flags, Body);
encode_net(_) ->
    bad("not a network compiled by tweann_ref_network:compile_network/3", []).

%% Per node, in order: kind tag, bias, row end; connections; liquid and
%% leaky parameters. Every list is built reversed, as binaries.
nodes([], [], K, B, R, S, W, L, Lk, C) ->
    {lists:reverse(K), lists:reverse(B), lists:reverse(R), lists:reverse(S),
     lists:reverse(W), lists:reverse(L), lists:reverse(Lk), C};
nodes([in | T], Prog, K, B, R, S, W, L, Lk, C) ->
    nodes(T, Prog, [?TAG_INPUT | K], [<<0.0:64/float-little>> | B],
          [<<C:32/little>> | R], S, W, L, Lk, C);
nodes([_ | T], [{_Index, _Hi, _Lo, Op, Bias, Conns} | Prog], K, B, R, S0, W0, L0, Lk0, C0) ->
    {Tag, L, Lk} = case Op of
                       delay -> {?TAG_DELAY, L0, Lk0};
                       {leaky, Tau, _} -> {?TAG_LEAKY, L0, [<<Tau:64/float-little>> | Lk0]};
                       {cfc, Tau, Bound, _} -> {?TAG_CFC, [liquid(Tau, Bound) | L0], Lk0};
                       {ltc, Tau, Bound, _} -> {?TAG_LTC, [liquid(Tau, Bound) | L0], Lk0};
                       Act -> {act_tag(Act), L0, Lk0}
                   end,
    {S, W, C} = lists:foldl(fun({Hi, Lo, Wt}, {Sa, Wa, Ca}) ->
                                    {[<<(pos(Hi, Lo)):32/little>> | Sa],
                                     [<<Wt:64/float-little>> | Wa], Ca + 1}
                            end, {S0, W0, C0}, Conns),
    nodes(T, Prog, [Tag | K], [<<Bias:64/float-little>> | B], [<<C:32/little>> | R],
          S, W, L, Lk, C);
nodes(_, _, _, _, _, _, _, _, _, _) ->
    bad("not a network compiled by tweann_ref_network:compile_network/3 (inconsistent program)", []).

liquid(Tau, Bound) ->
    <<(max(Tau, 0.001)):64/float-little, Bound:64/float-little>>.

%% Activation tags are positions in the one table (tweann_ref_activation,
%% the same as tweann_core's).
act_tag(Act) -> act_tag(Act, tweann_ref_activation:activations(), 0).

act_tag(Act, [Act | _], I) -> I;
act_tag(Act, [_ | T], I) -> act_tag(Act, T, I + 1);
act_tag(Act, [], _) -> bad("unknown activation ~tp", [Act]).

pos(Hi, Lo) -> (Hi - 1) * ?CHUNK + (Lo - 1).

decode_net(Bin) ->
    {Version, Flags, Body} = open(Bin, ?NET_MAGIC, "a network",
                                  {?CELL_MAGIC, "a cell", "cell_from_binary/1"}, [1, ?NET_VERSION]),
    Model = case {Version, Flags} of
                {1, 0} -> forward_refs;
                {2, 0} -> organelles;
                {2, ?FLAG_FORWARD_REFS} -> forward_refs;
                _ -> bad_flags(Flags, Version)
            end,
    {Counts, Rest} = case {Version, Body} of
                         {1, <<N1:32/little, C1:32/little, O1:32/little, L1:32/little, R1/binary>>} ->
                             {{N1, C1, O1, L1, 0}, R1};
                         {2, <<N2:32/little, C2:32/little, O2:32/little, L2:32/little,
                               K2:32/little, R2/binary>>} ->
                             {{N2, C2, O2, L2, K2}, R2};
                         _ ->
                             bad("~b bytes do not match the counts in the header",
                                 [byte_size(Bin)])
                     end,
    {N, C, O, L, K} = Counts,
    (N =< ?MAX_COUNT + 1 andalso C =< ?MAX_COUNT andalso O =< ?MAX_COUNT
     andalso L =< N andalso K =< N) orelse
        bad("impossible counts: ~b nodes, ~b connections, ~b outputs, ~b liquid nodes, "
            "~b leaky nodes", [N, C, O, L, K]),
    Need = 13 * N + 4 + 12 * C + 16 * L + 8 * K + 4 * O,
    byte_size(Rest) =:= Need orelse
        bad("~b bytes do not match the counts in the header (~b nodes, ~b connections, "
            "~b outputs, ~b liquid nodes, ~b leaky nodes need ~b bytes)",
            [byte_size(Bin), N, C, O, L, K, Need + byte_size(Body) - byte_size(Rest)
                                             + ?HEADER_LEN + ?TRAILER_LEN]),
    <<KindsB:N/binary, BiasB:(8 * N)/binary, RowsB:(4 * (N + 1))/binary,
      SrcB:(4 * C)/binary, WB:(8 * C)/binary, LiqB:(16 * L)/binary, LeakyB:(8 * K)/binary,
      OutB:(4 * O)/binary>> = Rest,
    build_net(Version, Model, {N, C, L, K}, KindsB, BiasB, RowsB, {SrcB, WB}, {LiqB, LeakyB},
              OutB).

build_net(Version, Model, {N, C, L, K}, KindsB, BiasB, RowsB, {SrcB, WB}, {LiqB, LeakyB},
          OutB) ->
    Kinds = kinds(binary_to_list(KindsB), Version),
    NLiq = length([x || T <- Kinds, T =:= cfc orelse T =:= ltc]),
    NLiq =:= L orelse
        bad("the header counts ~b liquid nodes but the kinds hold ~b", [L, NLiq]),
    NLeaky = length([x || leaky <- Kinds]),
    NLeaky =:= K orelse
        bad("the header counts ~b leaky nodes but the kinds hold ~b", [K, NLeaky]),
    Biases = floats(BiasB, fun(J) -> io_lib:format("node at position ~b: bias", [J]) end),
    Rows = u32s(RowsB),
    (hd(Rows) =:= 0 andalso lists:last(Rows) =:= C) orelse
        bad("rows must start at 0 and end at the connection count ~b", [C]),
    monotonic(Rows, 0),
    Srcs = u32s(SrcB),
    out_of_range(Srcs, N, "connection ~b: source position ~b is not a node (there are ~b)"),
    Ws = floats(WB, fun(J) -> io_lib:format("connection ~b: weight", [J]) end),
    Liquid = liquid_params(LiqB, 0),
    Leaky = leaky_params(LeakyB, 0),
    Outs = u32s(OutB),
    out_of_range(Outs, N, "output ~b: position ~b is not a node (there are ~b)"),
    Nodes = node_list(0, Kinds, Biases, Rows, Srcs, Ws, Liquid, Leaky),
    NIn = length([x || input <- Kinds]),
    tweann_ref_network:compile_network(Nodes, NIn, Outs, #{state_model => Model}).

out_of_range(Positions, N, Fmt) ->
    case [{K, P} || {K, P} <- lists:enumerate(0, Positions), P >= N] of
        [] -> ok;
        [{K, P} | _] -> bad(Fmt, [K, P, N])
    end.

%% Each tag as a node type (an activation atom for an ordinary node).
kinds(Tags, Version) ->
    kinds(Tags, Version, 0, list_to_tuple(tweann_ref_activation:activations())).

kinds([], _V, _P, _Acts) -> [];
kinds([?TAG_INPUT | T], V, P, Acts) -> [input | kinds(T, V, P + 1, Acts)];
kinds([?TAG_CFC | T], V, P, Acts) -> [cfc | kinds(T, V, P + 1, Acts)];
kinds([?TAG_LTC | T], V, P, Acts) -> [ltc | kinds(T, V, P + 1, Acts)];
kinds([?TAG_DELAY | T], V, P, Acts) when V > 1 -> [delay | kinds(T, V, P + 1, Acts)];
kinds([?TAG_LEAKY | T], V, P, Acts) when V > 1 -> [leaky | kinds(T, V, P + 1, Acts)];
kinds([A | T], V, P, Acts) when A < tuple_size(Acts) ->
    [{act, element(A + 1, Acts)} | kinds(T, V, P + 1, Acts)];
kinds([Other | _], _V, P, _Acts) ->
    bad("node at position ~b: unknown kind tag ~b", [P, Other]).

liquid_params(<<>>, _K) ->
    [];
liquid_params(<<TauB:8/binary, BoundB:8/binary, Rest/binary>>, K) ->
    case {finite(TauB), finite(BoundB)} of
        {Tau, Bound} when is_float(Tau), is_float(Bound), Tau > 0.0, Bound > 0.0 ->
            [{Tau, Bound} | liquid_params(Rest, K + 1)];
        _ ->
            bad("liquid node ~b: Tau and Bound must be finite numbers > 0", [K])
    end.

leaky_params(<<>>, _K) ->
    [];
leaky_params(<<TauB:8/binary, Rest/binary>>, K) ->
    case finite(TauB) of
        Tau when is_float(Tau), Tau > 0.0 -> [Tau | leaky_params(Rest, K + 1)];
        _ -> bad("leaky node ~b: Tau must be a finite number > 0", [K])
    end.

monotonic([A, B | Rows], P) when B >= A -> monotonic([B | Rows], P + 1);
monotonic([A, B | _], P) -> bad("node at position ~b: rows are not monotonic (~b then ~b)", [P, A, B]);
monotonic(_, _) -> ok.

%% The node list the binary describes, node P with index P (the rows are
%% monotonic); an input node must have no connection.
node_list(_P, [], [], [_End], [], [], [], []) ->
    [];
node_list(P, [Kind | Kinds], [Bias | Bs], [A, B | Rows], Srcs, Ws, Liq, Leaky) ->
    Len = B - A,
    Kind =:= input andalso Len > 0 andalso bad("input node at position ~b has connections", [P]),
    {S, Srcs1} = lists:split(Len, Srcs),
    {W, Ws1} = lists:split(Len, Ws),
    {Type, Act, Liq1, Leaky1} =
        case {Kind, Liq, Leaky} of
            {{act, Act0}, _, _} -> {neuron, Act0, Liq, Leaky};
            {cfc, [{Tau, Bd} | Lq], _} -> {{cfc, Tau, Bd}, linear, Lq, Leaky};
            {ltc, [{Tau, Bd} | Lq], _} -> {{ltc, Tau, Bd}, linear, Lq, Leaky};
            {leaky, _, [Tau | Lk]} -> {{leaky, Tau}, linear, Liq, Lk};
            {Other, _, _} -> {Other, linear, Liq, Leaky}
        end,
    [{P, Type, Act, Bias, lists:zip(S, W)}
     | node_list(P + 1, Kinds, Bs, [B | Rows], Srcs1, Ws1, Liq1, Leaky1)].

u32s(Bin) -> [X || <<X:32/little>> <= Bin].

%% Little-endian f64 values, each finite (Erlang floats cannot be NaN or
%% infinite: such bit patterns do not match a float segment).
floats(Bin, What) -> floats(Bin, What, 0).

floats(<<>>, _What, _K) ->
    [];
floats(<<B:8/binary, Rest/binary>>, What, K) ->
    case finite(B) of
        F when is_float(F) -> [F | floats(Rest, What, K + 1)];
        false -> bad("~ts is not a finite number", [What(K)])
    end.

finite(<<F:64/float-little>>) -> F;
finite(_) -> false.

%%====================================================================
%% Cells
%%====================================================================

encode_cell(Cell) ->
    {Kind, Cfg, Shape, Params} =
        try tweann_ref_cells:parts(Cell)
        catch error:{tweann_error, _, _, _} -> bad("not a cell or population of the Erlang reference", [])
        end,
    Members = length(Params),
    ParamLen = byte_size(hd(Params)) div 8,
    ShapeTag = case Shape of single -> 0; population -> 1 end,
    Config = case Kind of
                 cfc ->
                     #{input_size := I, hidden_size := H, backbone_units := U,
                       backbone_layers := NL, mode := Mode, backbone_activation := Act} = Cfg,
                     [<<1, ShapeTag, 0:16, Members:32/little, ParamLen:64/little>>,
                      u32([I, H, U, NL]),
                      <<(index(Mode, [default, pure, no_gate])),
                        (index(Act, [lecun_tanh, tanh, relu, silu, gelu])), 0:16>>];
                 ltc ->
                     #{input_size := I, units := N, motor_size := M, ode_unfolds := K,
                       epsilon := Eps, positivity := P, input_mapping := IM,
                       output_mapping := OM} = Cfg,
                     [<<2, ShapeTag, 0:16, Members:32/little, ParamLen:64/little>>,
                      u32([I, N, M, K]),
                      <<(float(Eps)):64/float-little, (index(P, [softplus, identity])),
                        (index(IM, [affine, linear, none])), (index(OM, [affine, linear, none])),
                        0>>]
             end,
    seal(?CELL_MAGIC, ?CELL_VERSION, 0, [Config | Params]).

u32(Vs) ->
    [case V =< 16#FFFFFFFF of
         true -> <<V:32/little>>;
         false -> bad("size ~b does not fit the format (at most 2^32 - 1)", [V])
     end || V <- Vs].

index(X, L) -> index(X, L, 0).

index(X, [X | _], I) -> I;
index(X, [_ | T], I) -> index(X, T, I + 1).

decode_cell(Bin) ->
    {_, Flags, Body} = open(Bin, ?CELL_MAGIC, "a cell",
                            {?NET_MAGIC, "a network", "network_from_binary/1"}, [?CELL_VERSION]),
    Flags =:= 0 orelse bad_flags(Flags, 1),
    {Kind, Shape, Members, ParamLen, Cfg, Params} =
        case Body of
            <<1, Sh, Res:16/little, Ms:32/little, PL:64/little, I:32/little, H:32/little,
              U:32/little, NL:32/little, ModeT, ActT, Res2:16/little, Rest/binary>> ->
                Res =:= 0 andalso Res2 =:= 0 orelse bad("reserved bytes are not 0", []),
                {cfc, Sh, Ms, PL,
                 #{input_size => I, hidden_size => H, backbone_units => U, backbone_layers => NL,
                   mode => tag(ModeT, [default, pure, no_gate], "CfC mode"),
                   backbone_activation => tag(ActT, [lecun_tanh, tanh, relu, silu, gelu],
                                              "backbone_activation")},
                 Rest};
            <<2, Sh, Res:16/little, Ms:32/little, PL:64/little, I:32/little, N:32/little,
              M:32/little, K:32/little, EpsB:8/binary, PosT, IMT, OMT, Res2, Rest/binary>> ->
                Res =:= 0 andalso Res2 =:= 0 orelse bad("reserved bytes are not 0", []),
                Eps = case finite(EpsB) of
                          false -> bad("invalid cell configuration: epsilon must be a finite number", []);
                          E -> E
                      end,
                {ltc, Sh, Ms, PL,
                 #{input_size => I, units => N, motor_size => M, ode_unfolds => K,
                   epsilon => Eps,
                   positivity => tag(PosT, [softplus, identity], "positivity"),
                   input_mapping => tag(IMT, [affine, linear, none], "input_mapping"),
                   output_mapping => tag(OMT, [affine, linear, none], "output_mapping")},
                 Rest};
            <<T, _/binary>> when T =/= 1, T =/= 2 ->
                bad("unknown cell kind tag ~b (1 cfc, 2 ltc)", [T]);
            _ ->
                bad("truncated body", [])
        end,
    Shape =< 1 orelse bad("unknown shape ~b", [Shape]),
    (Members >= 1 andalso (Shape =:= 1 orelse Members =:= 1)) orelse
        bad("~b members for a ~ts", [Members, case Shape of 1 -> "population"; 0 -> "single cell" end]),
    Want = try param_len(Kind, Cfg)
           catch error:{tweann_error, _, _, Why} -> bad("invalid cell configuration: ~ts", [Why])
           end,
    ParamLen =:= Want orelse
        bad("the header says ~b parameters per member but the configuration needs ~b",
            [ParamLen, Want]),
    byte_size(Params) =:= Members * ParamLen * 8 orelse
        bad("~b bytes of parameters do not hold ~b members of ~b parameters",
            [byte_size(Params), Members, ParamLen]),
    Vectors = member_vectors(Params, ParamLen * 8, 0),
    try
        case {Kind, Shape} of
            {cfc, 0} -> tweann_ref_cfc:cfc_cell(Cfg, hd(Vectors));
            {ltc, 0} -> tweann_ref_ltc:ltc_cell(Cfg, hd(Vectors));
            {cfc, 1} -> tweann_ref_cfc:cfc_population(Cfg, Vectors);
            {ltc, 1} -> tweann_ref_ltc:ltc_population(Cfg, Vectors)
        end
    catch error:{tweann_error, _, _, Why2} -> bad("the cell cannot be rebuilt: ~ts", [Why2])
    end.

param_len(cfc, Cfg) -> tweann_ref_cfc:param_len(Cfg);
param_len(ltc, Cfg) -> tweann_ref_ltc:param_len(Cfg).

tag(T, Names, _What) when T < length(Names) -> lists:nth(T + 1, Names);
tag(T, _Names, What) -> bad("unknown ~ts tag ~b", [What, T]).

%% Each member's parameters as native-endian f64 (what tweann_ref_cells
%% reads), every value checked finite.
member_vectors(<<>>, _Bytes, _M) ->
    [];
member_vectors(Bin, Bytes, M) ->
    <<Mine:Bytes/binary, Rest/binary>> = Bin,
    Fs = floats(Mine, fun(K) -> io_lib:format("member ~b, parameter ~b (0-based)", [M, K]) end),
    [<< <<F:64/float-native>> || F <- Fs >> | member_vectors(Rest, Bytes, M + 1)].
