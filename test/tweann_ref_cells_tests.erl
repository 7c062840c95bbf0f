%% EUnit tests of the pure Erlang liquid cells (tweann_ref_cells with
%% tweann_ref_cfc and tweann_ref_ltc): the ncps float64 reference vectors
%% (native/tweann_core/tests/data/cells_vectors.eterm, produced by
%% native/tweann_core/tests/gen_vectors.py), driver properties on fixed
%% seeds (rows never interact, population member = single cell, sequence =
%% repeated steps), log1p, and bad input.
-module(tweann_ref_cells_tests).

-include_lib("eunit/include/eunit.hrl").

-define(CFC, tweann_ref_cfc).
-define(LTC, tweann_ref_ltc).

-define(M, tweann_ref_cells).

%%--------------------------------------------------------------------
%% Vectors
%%--------------------------------------------------------------------

vectors_file() ->
    Rel = filename:join(["native", "tweann_core", "tests", "data", "cells_vectors.eterm"]),
    Ebin = filename:dirname(code:which(?M)),
    Candidates = [Rel | [filename:join(up(Ebin, N), Rel) || N <- [1, 2, 3, 4, 5, 6]]],
    case [F || F <- Candidates, filelib:is_regular(F)] of
        [F | _] -> F;
        [] -> error({vectors_not_found, Candidates})
    end.

up(Dir, 0) -> Dir;
up(Dir, N) -> up(filename:dirname(Dir), N - 1).

vectors() ->
    {ok, Cases} = file:consult(vectors_file()),
    Cases.

close(Got, Want) ->
    abs(Got - Want) =< 1.0e-12 * abs(Want) + 1.0e-14.

assert_close(Name, What, Got, Want) ->
    G = lists:flatten(Got),
    W = lists:flatten(Want),
    ?assertEqual({Name, What, length(W)}, {Name, What, length(G)}),
    Bad = [{K, A, B} || {K, A, B} <- lists:zip3(lists:seq(1, length(G)), G, W), not close(A, B)],
    ?assertEqual({Name, What, []}, {Name, What, Bad}).

cell(cfc, Cfg, Params) -> ?CFC:cfc_cell(Cfg, Params);
cell(ltc, Cfg, Params) -> ?LTC:ltc_cell(Cfg, Params).

pop(cfc, Cfg, Ps) -> ?CFC:cfc_population(Cfg, Ps);
pop(ltc, Cfg, Ps) -> ?LTC:ltc_population(Cfg, Ps).

run(Cell, step, Inputs, States, Dts) -> ?M:cell_step(Cell, Inputs, States, Dts);
run(Cell, sequence, Inputs, States, Dts) -> ?M:cell_sequence(Cell, Inputs, States, Dts).

vectors_test_() ->
    Cases = vectors(),
    Kinds = lists:usort([{K, T} || {_, K, T, _, _, _, _, _, _, _} <- Cases]),
    [?_assertEqual([{cfc, sequence}, {cfc, step}, {ltc, sequence}, {ltc, step}], Kinds),
     ?_assert(length(Cases) >= 40)
     | [{binary_to_list(Name),
         fun() ->
                 Cell = cell(Kind, Cfg, Params),
                 {Out, New} = run(Cell, Type, Inputs, States, Dts),
                 assert_close(Name, outputs, Out, WantOut),
                 assert_close(Name, new_states, New, WantNew),
                 %% the same through a population of identical members
                 Pop = pop(Kind, Cfg, lists:duplicate(length(Inputs), Params)),
                 ?assertEqual({Out, New}, run(Pop, Type, Inputs, States, Dts)),
                 %% and with the parameters as a native f64 binary
                 Bin = << <<X:64/float-native>> || X <- Params >>,
                 ?assertEqual({Out, New}, run(cell(Kind, Cfg, Bin), Type, Inputs, States, Dts))
         end}
        || {Name, Kind, Type, Cfg, Params, Inputs, States, Dts, WantOut, WantNew} <- Cases]].

vectors_cover_the_issue_test() ->
    Cases = vectors(),
    Cfc = [Cfg || {_, cfc, _, Cfg, _, _, _, _, _, _} <- Cases],
    Ltc = [Cfg || {_, ltc, _, Cfg, _, _, _, _, _, _} <- Cases],
    [?assert(lists:any(fun(#{mode := M, backbone_layers := L}) -> {M, L} =:= {Mode, NL} end, Cfc))
     || Mode <- [default, pure, no_gate], NL <- [0, 1, 2]],
    [?assert(lists:any(fun(#{backbone_activation := A}) -> A =:= Act end, Cfc))
     || Act <- [lecun_tanh, tanh, relu, silu, gelu]],
    [?assert(lists:any(fun(#{positivity := P}) -> P =:= Pos end, Ltc)) || Pos <- [softplus, identity]],
    [?assert(lists:any(fun(#{input_mapping := I, output_mapping := O}) -> I =:= Mp orelse O =:= Mp end, Ltc))
     || Mp <- [affine, linear, none]],
    AllDts = lists:flatten([D || {_, _, _, _, _, _, _, D, _, _} <- Cases]),
    ?assert(lists:min([D || D <- AllDts, D > 0.0]) =< 1.0e-5),
    ?assert(lists:max(AllDts) >= 100.0).

%%--------------------------------------------------------------------
%% Driver properties (fixed seeds)
%%--------------------------------------------------------------------

rand_list(N) -> [rand:uniform() * 2.0 - 1.0 || _ <- lists:seq(1, N)].
rand_rows(B, N) -> [rand_list(N) || _ <- lists:seq(1, B)].

cfc_cfgs() ->
    [#{input_size => I, hidden_size => H, mode => Mode, backbone_units => U,
       backbone_layers => NL, backbone_activation => Act}
     || {I, H, U} <- [{1, 1, 1}, {3, 4, 5}],
        Mode <- [default, pure, no_gate],
        NL <- [0, 1, 2],
        Act <- [lecun_tanh, gelu, relu]].

ltc_cfgs() ->
    [#{input_size => I, units => N, motor_size => M, ode_unfolds => K,
       positivity => P, input_mapping => IM, output_mapping => OM}
     || {I, N, M} <- [{1, 1, 1}, {2, 4, 2}],
        K <- [1, 6],
        P <- [softplus, identity],
        {IM, OM} <- [{affine, affine}, {linear, none}, {none, linear}]].

%% LTC parameters keeping the denominator positive with either positivity.
ltc_params(#{input_size := I, units := N} = Cfg) ->
    Len = ?LTC:param_len(Cfg),
    Raw = rand_list(Len),
    Pos = [{0, N}, {2 * N, 3 * N}, {3 * N + 2 * N * N, 3 * N + 3 * N * N},
           {3 * N + 5 * N * N + 2 * I * N, 3 * N + 5 * N * N + 3 * I * N}],
    Mask0 = 3 * N + 4 * N * N + 4 * I * N,
    Sig = {3 * N, 3 * N + N * N},
    [begin
         In = fun({A, B}) -> K >= A andalso K < B end,
         if
             K >= Mask0, K < Mask0 + N * N + I * N ->
                 case X > -0.3 of true -> 1.0; false -> 0.0 end;
             true ->
                 case lists:any(In, Pos) of
                     true -> 0.5 * abs(X) + 0.001;
                     false ->
                         case In(Sig) of
                             true -> 5.5 + 2.5 * X;
                             false -> X
                         end
                 end
         end
     end || {K, X} <- lists:zip(lists:seq(0, Len - 1), Raw)].

cases() ->
    rand:seed(exsss, {7, 11, 13}),
    [{cfc, Cfg, rand_list(?CFC:param_len(Cfg))} || Cfg <- cfc_cfgs()] ++
        [{ltc, Cfg, ltc_params(Cfg)} || Cfg <- ltc_cfgs()].

sizes(Cell) ->
    #{input_size := I, state_size := S} = ?M:cell_info(Cell),
    {I, S}.

rows_never_interact_test() ->
    [begin
         Cell = cell(Kind, Cfg, Ps),
         {I, S} = sizes(Cell),
         B = 3,
         Us = rand_rows(B, I),
         Ss = rand_rows(B, S),
         Dts = [1.0e-4, 0.7, 150.0],
         {Out, New} = ?M:cell_step(Cell, Us, Ss, Dts),
         [?assertEqual({[lists:nth(R, Out)], [lists:nth(R, New)]},
                       ?M:cell_step(Cell, [lists:nth(R, Us)], [lists:nth(R, Ss)],
                                    lists:nth(R, Dts)))
          || R <- lists:seq(1, B)]
     end || {Kind, Cfg, Ps} <- cases()],
    ok.

population_member_equals_single_cell_test() ->
    [begin
         Members1 = case Kind of
                        ltc -> [Ps, ltc_params(Cfg), ltc_params(Cfg)];
                        cfc -> [Ps, [X * 0.5 || X <- Ps], lists:reverse(Ps)]
                    end,
         Pop = pop(Kind, Cfg, Members1),
         ?assertEqual(3, maps:get(members, ?M:cell_info(Pop))),
         {I, S} = sizes(Pop),
         Us = rand_rows(3, I),
         Ss = rand_rows(3, S),
         {Out, New} = ?M:cell_step(Pop, Us, Ss, 0.5),
         [?assertEqual({[lists:nth(R, Out)], [lists:nth(R, New)]},
                       ?M:cell_step(cell(Kind, Cfg, lists:nth(R, Members1)),
                                    [lists:nth(R, Us)], [lists:nth(R, Ss)], 0.5))
          || R <- [1, 2, 3]]
     end || {Kind, Cfg, Ps} <- cases()],
    ok.

sequence_equals_repeated_steps_test() ->
    [begin
         Cell = cell(Kind, Cfg, Ps),
         {I, S} = sizes(Cell),
         B = 2,
         L = 4,
         Seqs = [rand_rows(L, I) || _ <- lists:seq(1, B)],
         S0 = rand_rows(B, S),
         Dts = [[0.1 * T * R || T <- lists:seq(1, L)] || R <- lists:seq(1, B)],
         {Outs, Fin} = ?M:cell_sequence(Cell, Seqs, S0, Dts),
         {WantOuts, WantFin} =
             lists:unzip(
               [lists:foldl(fun({U, D}, {Acc, St}) ->
                                    {[Y], [St1]} = ?M:cell_step(Cell, [U], [St], D),
                                    {Acc ++ [Y], St1}
                            end, {[], St0}, lists:zip(Us, Ds))
                || {Us, St0, Ds} <- lists:zip3(Seqs, S0, Dts)]),
         ?assertEqual({WantOuts, WantFin}, {Outs, Fin}),
         %% one number for every step; empty sequences
         {O2, F2} = ?M:cell_sequence(Cell, Seqs, S0, 1),
         ?assertEqual({O2, F2}, ?M:cell_sequence(Cell, Seqs, S0, [[1, 1, 1, 1], [1.0, 1.0, 1.0, 1.0]])),
         ?assertEqual({[[], []], S0}, ?M:cell_sequence(Cell, [[], []], S0, 1.0))
     end || {Kind, Cfg, Ps} <- cases()],
    ok.

binary_rows_test() ->
    Cfg = #{input_size => 2, hidden_size => 3, backbone_units => 4},
    rand:seed(exsss, {1, 2, 3}),
    Cell = ?CFC:cfc_cell(Cfg, rand_list(?CFC:param_len(Cfg))),
    U = [0.5, -1],
    S = [0.1, 0.2, 0.3],
    Bin = fun(L) -> << <<(float(X)):64/float-native>> || X <- L >> end,
    ?assertEqual(?M:cell_step(Cell, [U], [S], [1]),
                 ?M:cell_step(Cell, [Bin(U)], [Bin(S)], Bin([1.0]))),
    ?assertEqual({[], []}, ?M:cell_step(Cell, [], [], 1.0)).

%%--------------------------------------------------------------------
%% log1p
%%--------------------------------------------------------------------

log1p_test() ->
    ?assertEqual(1.0e-20, ?M:log1p(1.0e-20)),
    [?assert(abs(?M:log1p(X) - math:log(1.0 + X)) =< 5.0e-16 * math:log(1.0 + X))
     || X <- [0.5, 1.0, 3.0, 0.25, 1.0e5, 4.85e8]],
    ?assert(abs(?M:log1p(1.0e-10) - 9.9999999995e-11) < 1.0e-25).

%%--------------------------------------------------------------------
%% Bad input
%%--------------------------------------------------------------------

%% {Class, Position, Message, Why} of the error a reference call raises.
reason(Fun) ->
    try Fun() of R -> {no_error, R}
    catch
        error:{tweann_error, Class, Pos, Why} ->
            Map = tweann_oracle:cause(Class, fun() -> error({tweann_error, Class, Pos, Why}) end),
            {Class, Pos, lists:flatten(maps:get(Pos, Map)), Why}
    end.

has(Sub, {_, _, Msg, _}) -> string:find(Msg, Sub) =/= nomatch.

bad_input_test() ->
    Cfg = #{input_size => 2, hidden_size => 3, backbone_units => 4},
    Len = ?CFC:param_len(Cfg),
    ?assertEqual(4 * 5 + 4 + 3 * 4 + 3 + 3 * (3 * 4 + 3), Len),
    P = lists:duplicate(Len, 0.1),
    R1 = reason(fun() -> ?CFC:cfc_cell(Cfg, tl(P)) end),
    ?assertMatch({badarg, 2, _, _}, R1),
    ?assert(has("expected " ++ integer_to_list(Len), R1)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?CFC:cfc_cell(Cfg#{mode => gated}, P) end)),
    ?assertMatch({badarg, 1, _, _},
                 reason(fun() -> ?CFC:cfc_cell(Cfg#{backbone_activation => sigmoid}, P) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?CFC:cfc_cell(Cfg#{hiden_size => 3}, P) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?CFC:cfc_cell(maps:remove(input_size, Cfg), P) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?CFC:cfc_cell([], P) end)),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?CFC:cfc_cell(Cfg, [a | tl(P)]) end)),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?CFC:cfc_cell(Cfg, <<1, 2, 3>>) end)),
    Cell = ?CFC:cfc_cell(Cfg, P),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?M:cell_step(make_ref(), [[1, 2]], [[0, 0, 0]], 1) end)),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2], [1]], [[0, 0, 0], [0, 0, 0]], 1) end)),
    ?assertMatch({badarg, 3, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [[0, 0]], 1) end)),
    ?assertMatch({badarg, 3, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [], 1) end)),
    ?assertMatch({badarg, 4, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [[0, 0, 0]], -1) end)),
    ?assertMatch({badarg, 4, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [[0, 0, 0]], [1, 2]) end)),
    ?assertMatch({badarg, 4, _, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [[0, 0, 0]], x) end)),
    ?assertMatch({no_error, _}, reason(fun() -> ?M:cell_step(Cell, [[1, 2]], [[0, 0, 0]], 0) end)),
    %% sequences of different lengths
    ?assertMatch({badarg, 2, _, _},
                 reason(fun() -> ?M:cell_sequence(Cell, [[[1, 2]], [[1, 2], [3, 4]]],
                                                  [[0, 0, 0], [0, 0, 0]], 1) end)),
    ?assertMatch({badarg, 4, _, _},
                 reason(fun() -> ?M:cell_sequence(Cell, [[[1, 2]]], [[0, 0, 0]], [[1, 2]]) end)),
    %% population: member errors, batch size
    R2 = reason(fun() -> ?CFC:cfc_population(Cfg, [P, tl(P)]) end),
    ?assertMatch({badarg, 2, _, _}, R2),
    ?assert(has("member 2", R2)),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?CFC:cfc_population(Cfg, []) end)),
    Pop = ?CFC:cfc_population(Cfg, [P, P]),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?M:cell_step(Pop, [[1, 2]], [[0, 0, 0]], 1) end)),
    %% LTC: dt must be positive
    LCfg = #{input_size => 2, units => 3},
    LP = lists:duplicate(?LTC:param_len(LCfg), 0.5),
    ?assertEqual(3 * 3 + 5 * 9 + 5 * 6 + 4 + 6, length(LP)),
    LCell = ?LTC:ltc_cell(LCfg, LP),
    R3 = reason(fun() -> ?M:cell_step(LCell, [[1, 2]], [[0, 0, 0]], 0) end),
    ?assertMatch({badarg, 4, _, _}, R3),
    ?assert(has("not positive", R3)),
    ?assertMatch({badarg, 4, _, _}, reason(fun() -> ?M:cell_step(LCell, [[1, 2]], [[0, 0, 0]], [-0.5]) end)),
    ?assertMatch({badarg, 4, _, _},
                 reason(fun() -> ?M:cell_sequence(LCell, [[[1, 2]]], [[0, 0, 0]], [[0.0]]) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?LTC:ltc_cell(LCfg#{motor_size => 4}, LP) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?LTC:ltc_cell(LCfg#{positivity => relu}, LP) end)),
    ?assertMatch({badarg, 1, _, _}, reason(fun() -> ?LTC:ltc_cell(LCfg#{input_mapping => bias}, LP) end)),
    ?assertMatch({badarg, 2, _, _}, reason(fun() -> ?LTC:ltc_cell(LCfg, lists:duplicate(10, 0.5)) end)).

overflow_is_badarith_test() ->
    Cfg = #{input_size => 2, hidden_size => 3, backbone_units => 4},
    Big = lists:duplicate(?CFC:param_len(Cfg), 1.0e300),
    Cell = ?CFC:cfc_cell(Cfg, Big),
    ?assertMatch({badarith, general, _, _},
                 reason(fun() -> ?M:cell_step(Cell, [[1.0e10, 1.0e10]], [[1.0e10, 1.0e10, 1.0e10]], 1) end)),
    %% a zero denominator (identity positivity, eps 0) in LTC
    LCfg = #{input_size => 2, units => 3, positivity => identity, epsilon => 0},
    LCell = ?LTC:ltc_cell(LCfg, lists:duplicate(?LTC:param_len(LCfg), 0.0)),
    ?assertMatch({badarith, general, _, _},
                 reason(fun() -> ?M:cell_step(LCell, [[0.1, 0.2]], [[0, 0, 0]], 1) end)).
