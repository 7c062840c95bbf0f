%% EUnit tests of the binary formats: network_to_binary/1,
%% network_from_binary/1, cell_to_binary/1, cell_from_binary/1 of the NIF
%% (tweann_nif) and of the Erlang reference (tweann_ref_codec through
%% the Erlang reference). The two write the same bytes and read each other's binaries;
%% a round trip computes the same bits; corrupted, truncated and foreign
%% binaries raise badarg with error_info.
-module(tweann_codec_tests).

-include_lib("eunit/include/eunit.hrl").

-define(ACTS, [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin,
               trinary, multiquadric, quadratic, cubic, absolute, sqrt, log]).

codec_test_() ->
    {setup,
     fun() -> {ok, Apps} = application:ensure_all_started(tweann_nif), Apps end,
     fun(_) -> ok end,
     [{"the NIF and the reference write the same bytes", fun same_bytes/0},
      {"NIF round trip: same bits, same facts", fun nif_round_trip/0},
      {"reference round trip gives the same term", fun ref_round_trip/0},
      {"each reads the other's binaries", fun cross_read/0},
      {"the header, length and CRC-32 are as documented", fun layout/0},
      {"node kinds and the state model in version 2", fun kinds_and_model/0},
      {"version 1 binaries are read as the forward_refs model", fun version_1/0},
      {"a flipped bit anywhere is refused by both", fun corruption/0},
      {"truncated, padded and foreign binaries are refused", fun truncated_and_foreign/0},
      {"resealed bad fields are refused by both", fun bad_fields/0},
      {"the memory budget applies to decoding", fun budget/0},
      {timeout, 60, {"a large network goes through the dirty entry", fun large/0}},
      {"cells and populations: same bytes, same steps", fun cells/0},
      {"cell binaries: corruption and foreign input", fun cell_errors/0},
      {"term_to_binary of a decoded network is still node-local", fun decoded_is_resource/0}]}.

%%--------------------------------------------------------------------
%% Generated networks: interleaved inputs, forward and self references,
%% delays, leaky and liquid nodes, sparse or dense indices, either state
%% model.

node_list(Seed) ->
    S0 = rand:seed_s(exsss, {Seed, 3, 5}),
    {N, S1} = rand:uniform_s(25, S0),
    {NI, S2} = rand:uniform_s(4, S1),
    {Sparse, S3} = rand:uniform_s(2, S2),
    Index = fun(P) -> case Sparse of 1 -> P; 2 -> P * 1000 + 7 end end,
    Total = N + NI,
    {Nodes, {_, S4}} =
        lists:mapfoldl(
          fun(P, {Left, S}) ->
                  {R, Sa} = rand:uniform_s(S),
                  case Left > 0 andalso (Total - P =< Left orelse R < 0.3) of
                      true -> {{Index(P), input, tanh, 0.0, []}, {Left - 1, Sa}};
                      false ->
                          {K, Sb} = rand:uniform_s(12, Sa),
                          {A, Sc} = rand:uniform_s(length(?ACTS), Sb),
                          {Tau, Sd} = rand:uniform_s(Sc),
                          Type = case K of
                                     1 -> {cfc, Tau * 3, 1.5};
                                     2 -> {ltc, 0.0001 + Tau, 2.0};
                                     3 -> delay;
                                     4 -> {leaky, 0.25 + Tau * 4};
                                     _ -> hidden
                                 end,
                          {Bias, Se} = rand:uniform_s(Sd),
                          {NC, Sf} = rand:uniform_s(6, Se),
                          {Conns, Sg} = lists:mapfoldl(
                                          fun(_, Sx) ->
                                                  {F, Sy} = rand:uniform_s(Total, Sx),
                                                  {W, Sz} = rand:uniform_s(Sy),
                                                  {{Index(F - 1), W * 2 - 1}, Sz}
                                          end, Sf, lists:seq(1, NC - 1)),
                          {{Index(P), Type, lists:nth(A, ?ACTS), Bias - 0.5, Conns}, {Left, Sg}}
                  end
          end, {NI, S3}, lists:seq(0, Total - 1)),
    {Outs, S6} = lists:mapfoldl(fun(_, S) ->
                                        {O, S5} = rand:uniform_s(Total, S),
                                        {Index(O - 1), S5}
                                end, S4, [1, 2, 3]),
    {M, _} = rand:uniform_s(2, S6),
    {Nodes, NI, Outs, lists:nth(M, [organelles, forward_refs])}.

compile(Impl, {Nodes, NI, Outs, organelles}) ->
    Impl:compile_network(Nodes, NI, Outs);
compile(Impl, {Nodes, NI, Outs, Model}) ->
    Impl:compile_network(Nodes, NI, Outs, #{state_model => Model}).

inputs(NI, K) -> [0.3 * I - 0.7 + K / 10 || I <- lists:seq(1, NI)].

%% Outputs and next state for a few inputs and states; `{error, Class}'
%% when the evaluation raises (overflow), so that failures compare too.
behaviour(Impl, Net, NI) ->
    #{state_size := SS} = Impl:network_info(Net),
    [try Impl:evaluate_with_state(Net, inputs(NI, K), [0.1 * J - K / 7 || J <- lists:seq(1, SS)])
     catch error:C -> {error, C}
     end || K <- [0, 1, 2]]
        ++ [try Impl:evaluate_batch(Net, [inputs(NI, K) || K <- [3, 4, 5]])
            catch error:C -> {error, C}
            end].

seeds() -> lists:seq(1, 60).

%%--------------------------------------------------------------------

same_bytes() ->
    [begin
         Spec = node_list(Seed),
         ?assertEqual(tweann_nif:network_to_binary(compile(tweann_nif, Spec)),
                      tweann_ref_api:network_to_binary(compile(tweann_ref_api, Spec)))
     end || Seed <- seeds()],
    Empty = tweann_nif:network_to_binary(tweann_nif:compile_network([], 0, [])),
    ?assertEqual(Empty, tweann_ref_api:network_to_binary(tweann_ref_api:compile_network([], 0, []))),
    ?assertEqual(44, byte_size(Empty)).

nif_round_trip() ->
    [begin
         {_, NI, _, _} = Spec = node_list(Seed),
         Net = compile(tweann_nif, Spec),
         Bin = tweann_nif:network_to_binary(Net),
         Back = tweann_nif:network_from_binary(Bin),
         ?assert(is_reference(Back)),
         ?assert(behaviour(tweann_nif, Net, NI) =:= behaviour(tweann_nif, Back, NI)),
         ?assertEqual(tweann_nif:network_info(Net), tweann_nif:network_info(Back)),
         ?assertEqual(Bin, tweann_nif:network_to_binary(Back)),
         %% About the compiled size.
         #{bytes := Compiled} = tweann_nif:network_info(Net),
         ?assert(byte_size(Bin) =< Compiled)
     end || Seed <- seeds()].

ref_round_trip() ->
    [begin
         {Nodes, NI, Outs, Model} = node_list(Seed),
         %% With indices equal to positions the decoded term is the same term.
         Pos = maps:from_list([{I, P} || {P, {I, _, _, _, _}} <- lists:enumerate(0, Nodes)]),
         Renumbered = [{maps:get(I, Pos), T, A, B, [{maps:get(F, Pos), W} || {F, W} <- Cs]}
                       || {I, T, A, B, Cs} <- Nodes],
         Net = compile(tweann_ref_api, {Renumbered, NI, [maps:get(O, Pos) || O <- Outs], Model}),
         ?assertEqual(Net, tweann_ref_api:network_from_binary(tweann_ref_api:network_to_binary(Net)))
     end || Seed <- seeds()].

cross_read() ->
    [begin
         {_, NI, _, _} = Spec = node_list(Seed),
         Nif = compile(tweann_nif, Spec),
         Ref = compile(tweann_ref_api, Spec),
         Want = behaviour(tweann_nif, Nif, NI),
         ?assert(Want =:= behaviour(tweann_ref_api, Ref, NI)),
         FromNif = tweann_ref_api:network_from_binary(tweann_nif:network_to_binary(Nif)),
         FromRef = tweann_nif:network_from_binary(tweann_ref_api:network_to_binary(Ref)),
         ?assert(Want =:= behaviour(tweann_ref_api, FromNif, NI)),
         ?assert(Want =:= behaviour(tweann_nif, FromRef, NI)),
         %% Both backends report the same facts of every copy.
         Info = tweann_nif:network_info(Nif),
         ?assertEqual(Info, tweann_ref_api:network_info(Ref)),
         ?assertEqual(Info, tweann_ref_api:network_info(FromNif)),
         ?assertEqual(Info, tweann_nif:network_info(FromRef))
     end || Seed <- seeds()].

layout() ->
    Net = tweann_nif:compile_network([{0, input, tanh, 0.0, []},
                                      {1, output, relu, 0.5, [{0, 2.0}]}], 1, [1]),
    Bin = tweann_nif:network_to_binary(Net),
    Size = byte_size(Bin),
    <<"TWNN", 2:16/little, 0:16/little, Size:64/little,
      2:32/little, 1:32/little, 1:32/little, 0:32/little, 0:32/little,
      128, 7, 0.0:64/float-little, 0.5:64/float-little,
      0:32/little, 0:32/little, 1:32/little,
      0:32/little, 2.0:64/float-little, 1:32/little, Crc:32/little>> = Bin,
    ?assertEqual(erlang:crc32(binary:part(Bin, 0, Size - 4)), Crc).

%% Delay (131) and leaky (132) tags, the leaky section after the liquid
%% one, and flags bit 0 for forward_refs; the same bytes from both.
kinds_and_model() ->
    Nodes = [{0, input, tanh, 0.0, []},
             {1, delay, sin, -1.0, [{2, 2.0}]},
             {2, {leaky, 3}, cos, 0.5, [{0, 1.0}, {2, 0.25}]},
             {3, {cfc, 0.5, 2}, tanh, 0.0, [{1, 1.0}]}],
    [begin
         Opts = #{state_model => Model},
         Bin = tweann_nif:network_to_binary(tweann_nif:compile_network(Nodes, 1, [3, 2], Opts)),
         ?assertEqual(Bin, tweann_ref_api:network_to_binary(
                             tweann_ref_api:compile_network(Nodes, 1, [3, 2], Opts))),
         Size = byte_size(Bin),
         ?assertEqual(44 + 4 * 13 + 4 * 12 + 16 + 8 + 2 * 4, Size),
         <<"TWNN", 2:16/little, Flags:16/little, Size:64/little,
           4:32/little, 4:32/little, 2:32/little, 1:32/little, 1:32/little,
           128, 131, 132, 129,
           0.0:64/float-little, -1.0:64/float-little, 0.5:64/float-little, 0.0:64/float-little,
           0:32/little, 0:32/little, 1:32/little, 3:32/little, 4:32/little,
           2:32/little, 0:32/little, 2:32/little, 1:32/little,
           2.0:64/float-little, 1.0:64/float-little, 0.25:64/float-little, 1.0:64/float-little,
           0.5:64/float-little, 2.0:64/float-little,
           3.0:64/float-little,
           3:32/little, 2:32/little, _Crc:32/little>> = Bin,
         ?assertEqual(Want, Flags),
         [?assertMatch(#{state_model := Model, delay_nodes := 1, leaky_nodes := 1},
                       Impl:network_info(Impl:network_from_binary(Bin)))
          || Impl <- [tweann_nif, tweann_ref_api]]
     end || {Model, Want} <- [{organelles, 0}, {forward_refs, 1}]].

%% A version 1 binary (written before delay, leaky and the state models)
%% means the forward_refs model: a node read forward has a state slot.
version_1() ->
    Body = <<2:32/little, 1:32/little, 1:32/little, 0:32/little,
             128, 6, 0.0:64/float-little, 0.5:64/float-little,
             0:32/little, 0:32/little, 1:32/little,
             1:32/little, 2.0:64/float-little, 1:32/little>>,
    Data = <<"TWNN", 1:16/little, 0:16/little, (16 + byte_size(Body) + 4):64/little, Body/binary>>,
    V1 = <<Data/binary, (erlang:crc32(Data)):32/little>>,
    [begin
         Net = Impl:network_from_binary(V1),
         ?assertMatch(#{state_model := forward_refs, state_size := 1, forward_refs := 1},
                      Impl:network_info(Net)),
         %% x1 = 2 * previous x1 + 0.5.
         ?assertEqual({[3.5], [3.5]}, Impl:evaluate_with_state(Net, [7], [1.5])),
         %% Written back as version 2 with the forward_refs flag.
         <<"TWNN", 2:16/little, 1:16/little, _/binary>> = Impl:network_to_binary(Net)
     end || Impl <- [tweann_nif, tweann_ref_api]],
    ?assertEqual(tweann_nif:network_to_binary(tweann_nif:network_from_binary(V1)),
                 tweann_ref_api:network_to_binary(tweann_ref_api:network_from_binary(V1))),
    %% Version 1 knows no flags and no delay or leaky tags.
    [both_refuse(put_at(V1, At, Bytes)) || {At, Bytes} <- [{6, <<1:16/little>>}, {33, <<131>>},
                                                            {33, <<132>>}]].

%% Every call that must fail: badarg about argument 1, with error_info.
refused(Fun, Arg) ->
    try Fun(Arg) of
        R -> error({accepted, Arg, R})
    catch error:badarg:St ->
            #{1 := Why} = tweann_error:format_error(badarg, St),
            Why
    end.

both_refuse(Bin) ->
    {refused(fun tweann_nif:network_from_binary/1, Bin),
     refused(fun tweann_ref_api:network_from_binary/1, Bin)}.

corruption() ->
    Bin = tweann_nif:network_to_binary(compile(tweann_nif, node_list(7))),
    [begin
         <<Pre:I/binary, B, Post/binary>> = Bin,
         both_refuse(<<Pre/binary, (B bxor Bit), Post/binary>>)
     end || I <- lists:seq(0, byte_size(Bin) - 1), Bit <- [1, 128]],
    <<Pre:40/binary, X, Post/binary>> = Bin,
    {Why, _} = both_refuse(<<Pre/binary, (X bxor 1), Post/binary>>),
    ?assertNotEqual(nomatch, string:find(Why, "checksum")).

truncated_and_foreign() ->
    Bin = tweann_nif:network_to_binary(compile(tweann_nif, node_list(3))),
    [both_refuse(binary:part(Bin, 0, L)) || L <- lists:seq(0, byte_size(Bin) - 1)],
    {Trail, _} = both_refuse(<<Bin/binary, 0>>),
    ?assertNotEqual(nomatch, string:find(Trail, "after the end")),
    {Magic, _} = both_refuse(term_to_binary(Bin)),
    ?assertNotEqual(nomatch, string:find(Magic, "magic")),
    both_refuse(not_a_binary),
    both_refuse(make_ref()),
    Cell = tweann_nif:cell_to_binary(cfc_cell(tweann_nif, #{input_size => 1, hidden_size => 1,
                                                           backbone_units => 1}, 1)),
    {Other, _} = both_refuse(Cell),
    ?assertNotEqual(nomatch, string:find(Other, "cell_from_binary")),
    ?assertNotEqual(nomatch, string:find(
                               refused(fun tweann_nif:network_to_binary/1, make_ref()),
                               "not a compiled network")),
    refused(fun tweann_ref_api:network_to_binary/1, make_ref()).

%% A body change with a correct length and CRC-32: field validation.
reseal(Bin) ->
    Size = byte_size(Bin),
    <<Magic:4/binary, V:16/little, F:16/little, _:64, Body:(Size - 20)/binary, _:32>> = Bin,
    Data = <<Magic/binary, V:16/little, F:16/little, Size:64/little, Body/binary>>,
    <<Data/binary, (erlang:crc32(Data)):32/little>>.

put_at(Bin, Pos, Bytes) ->
    <<Pre:Pos/binary, _:(byte_size(Bytes))/binary, Post/binary>> = Bin,
    reseal(<<Pre/binary, Bytes/binary, Post/binary>>).

bad_fields() ->
    Net = tweann_nif:compile_network([{0, input, tanh, 0.0, []},
                                      {1, output, relu, 0.5, [{0, 2.0}]}], 1, [1]),
    Bin = tweann_nif:network_to_binary(Net),
    Cases = [{"version 3", put_at(Bin, 4, <<3:16/little>>)},
             {"flags", put_at(Bin, 6, <<2:16/little>>)},
             {"do not match", put_at(Bin, 16, <<3:32/little>>)},
             {"impossible counts", put_at(Bin, 32, <<3:32/little>>)},
             {"kind tag 200", put_at(Bin, 37, <<200>>)},
             {"leaky nodes but the kinds hold 1", put_at(Bin, 37, <<132>>)},
             {"bias", put_at(Bin, 46, <<0, 0, 0, 0, 0, 0, 16#f8, 16#7f>>)},
             {"input node", put_at(Bin, 58, <<1:32/little>>)},
             {"source position 9", put_at(Bin, 66, <<9:32/little>>)},
             {"weight", put_at(Bin, 70, <<0, 0, 0, 0, 0, 0, 16#f0, 16#7f>>)},
             {"output 0", put_at(Bin, 78, <<2:32/little>>)}],
    [begin
         {A, B} = both_refuse(Bad),
         ?assertNotEqual({nomatch, What}, {string:find(A, What), What}),
         ?assertNotEqual({nomatch, What}, {string:find(B, What), What})
     end || {What, Bad} <- Cases].

budget() ->
    Bin = tweann_nif:network_to_binary(compile(tweann_nif, node_list(5))),
    Old = tweann_nif:set_memory_budget(64),
    try tweann_nif:network_from_binary(Bin) of
        R -> error({accepted, R})
    catch error:badarg:St ->
            %% Memory errors concern the call as a whole, as everywhere else.
            #{general := Why} = tweann_error:format_error(badarg, St),
            ?assertNotEqual(nomatch, string:find(Why, "memory budget"))
    after
        tweann_nif:set_memory_budget(Old)
    end.

large() ->
    %% 2 000 nodes of 20 connections: a binary of about 500 KB.
    N = 2000,
    Nodes = [{0, input, linear, 0.0, []}
             | [{I, hidden, tanh, 0.001 * I, [{(I * 7 + K) rem I, 0.01 * K - 0.1} || K <- lists:seq(1, 20)]}
                || I <- lists:seq(1, N - 1)]],
    Net = tweann_nif:compile_network(Nodes, 1, [N - 1, 5]),
    Bin = tweann_nif:network_to_binary(Net),
    ?assert(byte_size(Bin) > 400000),
    Back = tweann_nif:network_from_binary(Bin),
    ?assert(tweann_nif:evaluate(Net, [0.5]) =:= tweann_nif:evaluate(Back, [0.5])),
    ?assertEqual(Bin, tweann_ref_api:network_to_binary(tweann_ref_api:network_from_binary(Bin))).

decoded_is_resource() ->
    %% A decoded network is a resource like any compiled one: what travels
    %% between nodes is its binary, not term_to_binary of the reference.
    Net = tweann_nif:network_from_binary(
            tweann_nif:network_to_binary(compile(tweann_nif, node_list(9)))),
    ?assert(is_reference(Net)),
    ?assertMatch(#{nodes := _}, tweann_nif:network_info(Net)).

%%--------------------------------------------------------------------
%% Cells

params(Len, Seed) ->
    [math:sin(Seed * 13 + I * 0.37) / 2 || I <- lists:seq(1, Len)].

cfc_cell(Impl, Cfg, Seed) ->
    Impl:cfc_cell(Cfg, params(tweann_ref_cfc:param_len(Cfg), Seed)).

cell_configs() ->
    [{cfc, #{input_size => 3, hidden_size => 4, backbone_units => 5, backbone_layers => 2,
             mode => M, backbone_activation => A}}
     || {M, A} <- [{default, lecun_tanh}, {pure, gelu}, {no_gate, silu}]]
        ++ [{cfc, #{input_size => 2, hidden_size => 3, backbone_layers => 0}},
            {ltc, #{input_size => 3, units => 4}},
            {ltc, #{input_size => 2, units => 5, motor_size => 2, ode_unfolds => 3,
                    epsilon => 1.0e-6, positivity => identity, input_mapping => linear,
                    output_mapping => none}}].

build(Impl, Kind, Cfg, single) ->
    Fun = list_to_atom(atom_to_list(Kind) ++ "_cell"),
    Impl:Fun(Cfg, params(param_len(Kind, Cfg), 1));
build(Impl, Kind, Cfg, population) ->
    Fun = list_to_atom(atom_to_list(Kind) ++ "_population"),
    Impl:Fun(Cfg, [params(param_len(Kind, Cfg), S) || S <- [1, 2, 3]]).

steps(Impl, Cell) ->
    #{input_size := NI, state_size := NS} = Info = Impl:cell_info(Cell),
    B = maps:get(members, Info, 2),
    Inputs = [[0.1 * R - 0.2 * I || I <- lists:seq(1, NI)] || R <- lists:seq(1, B)],
    States = [[0.05 * R * J || J <- lists:seq(1, NS)] || R <- lists:seq(1, B)],
    Impl:cell_step(Cell, Inputs, States, 0.5).

cells() ->
    [begin
         Nif = build(tweann_nif, Kind, Cfg, Shape),
         Ref = build(tweann_ref_api, Kind, Cfg, Shape),
         Bin = tweann_nif:cell_to_binary(Nif),
         ?assertEqual(Bin, tweann_ref_api:cell_to_binary(Ref)),
         <<"TWNC", 1:16/little, _/binary>> = Bin,
         NifBack = tweann_nif:cell_from_binary(Bin),
         RefBack = tweann_ref_api:cell_from_binary(Bin),
         ?assertEqual(Ref, RefBack),
         ?assertEqual(Bin, tweann_nif:cell_to_binary(NifBack)),
         Want = steps(tweann_nif, Nif),
         ?assert(Want =:= steps(tweann_nif, NifBack)),
         ?assert(Want =:= steps(tweann_ref_api, RefBack)),
         ?assertEqual(tweann_nif:cell_info(Nif), tweann_nif:cell_info(NifBack))
     end || {Kind, Cfg} <- cell_configs(), Shape <- [single, population]].

cell_errors() ->
    Bin = tweann_nif:cell_to_binary(build(tweann_nif, ltc, #{input_size => 2, units => 2},
                                          population)),
    Both = fun(B) -> {refused(fun tweann_nif:cell_from_binary/1, B),
                      refused(fun tweann_ref_api:cell_from_binary/1, B)}
           end,
    [Both(<<Pre/binary, (X bxor 4), Post/binary>>)
     || I <- lists:seq(0, byte_size(Bin) - 1), <<Pre:I/binary, X, Post/binary>> <- [Bin]],
    [Both(binary:part(Bin, 0, L)) || L <- lists:seq(0, byte_size(Bin) - 1, 7)],
    Net = tweann_nif:network_to_binary(tweann_nif:compile_network([], 0, [])),
    {W, _} = Both(Net),
    ?assertNotEqual(nomatch, string:find(W, "network_from_binary")),
    %% Resealed: an unknown kind, zero units, a non-finite parameter.
    {K, _} = Both(put_at(Bin, 16, <<3>>)),
    ?assertNotEqual(nomatch, string:find(K, "kind tag 3")),
    {U, _} = Both(put_at(Bin, 36, <<0:32/little>>)),
    ?assertNotEqual(nomatch, string:find(U, "units")),
    {P, _} = Both(put_at(Bin, byte_size(Bin) - 12, <<0, 0, 0, 0, 0, 0, 16#f8, 16#7f>>)),
    ?assertNotEqual(nomatch, string:find(P, "finite")),
    refused(fun tweann_nif:cell_to_binary/1, make_ref()),
    refused(fun tweann_ref_api:cell_to_binary/1, make_ref()).

param_len(cfc, Cfg) -> tweann_ref_cfc:param_len(Cfg);
param_len(ltc, Cfg) -> tweann_ref_ltc:param_len(Cfg).
