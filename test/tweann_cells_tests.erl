%% The liquid cells through the NIF: the ncps float64 reference vectors
%% (tolerance of docs/cells.md section 6), bit-identical agreement with the pure
%% Erlang reference (tweann_ref_cells, tweann_ref_cfc, tweann_ref_ltc) over the vectors and over generated
%% populations and sequences, scheduling of large steps, resource accounting,
%% and bad input.
-module(tweann_cells_tests).

-include_lib("eunit/include/eunit.hrl").

vectors() ->
    Rel = filename:join(["native", "tweann_core", "tests", "data", "cells_vectors.eterm"]),
    Ebin = filename:dirname(code:which(?MODULE)),
    Candidates = [Rel | [filename:join(up(Ebin, N), Rel) || N <- lists:seq(1, 6)]],
    [F | _] = [C || C <- Candidates, filelib:is_regular(C)],
    {ok, Cases} = file:consult(F),
    Cases.

up(Dir, 0) -> Dir;
up(Dir, N) -> up(filename:dirname(Dir), N - 1).

close(Got, Want) -> abs(Got - Want) =< 1.0e-12 * abs(Want) + 1.0e-14.

bits(X) -> tweann_oracle:bits(X).

outcome(F) -> tweann_oracle:outcome(F).

%% Backend B (tweann_nif, or ref: the pure Erlang reference) runs F(Args...).
call(tweann_nif, F, Args) -> apply(tweann_nif, F, Args);
call(ref, F, Args) -> tweann_oracle:call(F, Args).

cell(B, cfc, Cfg, P) -> call(B, cfc_cell, [Cfg, P]);
cell(B, ltc, Cfg, P) -> call(B, ltc_cell, [Cfg, P]).

pop(B, cfc, Cfg, Ps) -> call(B, cfc_population, [Cfg, Ps]);
pop(B, ltc, Cfg, Ps) -> call(B, ltc_population, [Cfg, Ps]).

run(B, Cell, step, I, S, D) -> call(B, cell_step, [Cell, I, S, D]);
run(B, Cell, sequence, I, S, D) -> call(B, cell_sequence, [Cell, I, S, D]).

vectors_test_() ->
    [{binary_to_list(Name),
      fun() ->
              Cell = cell(tweann_nif, Kind, Cfg, Params),
              ?assert(is_reference(Cell)),
              {Out, New} = run(tweann_nif, Cell, Type, Inputs, States, Dts),
              [?assert(close(G, W)) || {G, W} <- lists:zip(lists:flatten(Out), lists:flatten(WantOut))],
              [?assert(close(G, W)) || {G, W} <- lists:zip(lists:flatten(New), lists:flatten(WantNew))],
              ?assertEqual(length(lists:flatten(WantOut)), length(lists:flatten(Out))),
              %% Bit for bit the reference's result.
              RefCell = cell(ref, Kind, Cfg, Params),
              ?assertEqual(bits(run(ref, RefCell, Type, Inputs, States, Dts)), bits({Out, New})),
              %% A population of identical members, and params as a binary.
              Pop = pop(tweann_nif, Kind, Cfg, lists:duplicate(length(Inputs), Params)),
              ?assertEqual({Out, New}, run(tweann_nif, Pop, Type, Inputs, States, Dts)),
              Bin = << <<X:64/float-native>> || X <- Params >>,
              ?assertEqual({Out, New}, run(tweann_nif, cell(tweann_nif, Kind, Cfg, Bin), Type, Inputs, States, Dts))
      end} || {Name, Kind, Type, Cfg, Params, Inputs, States, Dts, WantOut, WantNew} <- vectors()].

rand_vec(N) -> [rand:uniform() * 2 - 1 || _ <- lists:seq(1, N)].

populations_agree_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {11, 12, 13}),
        Configs = [{cfc, #{input_size => 3, hidden_size => 4, backbone_units => 6, mode => M, backbone_layers => L}}
                   || M <- [default, pure, no_gate], L <- [0, 1, 2]] ++
                  [{ltc, #{input_size => 3, units => 5, motor_size => 2, positivity => P, input_mapping => Mp}}
                   || P <- [softplus, identity], Mp <- [affine, linear, none]],
        [begin
             #{param_len := Len} = tweann_ref_cells:cell_info(cell(ref, Kind, Cfg, rand_vec(param_len(Kind, Cfg)))),
             P = 1 + rand:uniform(5),
             Ps = [rand_vec(Len) || _ <- lists:seq(1, P)],
             NifPop = pop(tweann_nif, Kind, Cfg, Ps),
             RefPop = pop(ref, Kind, Cfg, Ps),
             #{input_size := NI, state_size := NS} = tweann_nif:cell_info(NifPop),
             Inputs = [rand_vec(NI) || _ <- Ps],
             States = [rand_vec(NS) || _ <- Ps],
             Dts = [0.01 + rand:uniform() || _ <- Ps],
             Step = run(tweann_nif, NifPop, step, Inputs, States, Dts),
             ?assertEqual(bits(run(ref, RefPop, step, Inputs, States, Dts)), bits(Step)),
             %% Member i equals a single cell with member i's params.
             {Outs, News} = Step,
             [?assertEqual({[O], [N]}, run(tweann_nif, cell(tweann_nif, Kind, Cfg, Pi), step, [I], [S], [D]))
              || {Pi, I, S, D, O, N} <- zip6(Ps, Inputs, States, Dts, Outs, News)],
             %% A sequence equals repeated steps.
             L = 1 + rand:uniform(4),
             Seqs = [[rand_vec(NI) || _ <- lists:seq(1, L)] || _ <- Ps],
             {SeqOut, Final} = run(tweann_nif, NifPop, sequence, Seqs, States, 0.5),
             ?assertEqual(bits(run(ref, RefPop, sequence, Seqs, States, 0.5)), bits({SeqOut, Final})),
             {StepOuts, StepFinal} =
                 lists:foldl(fun(T, {Acc, St}) ->
                                     Us = [lists:nth(T, Seq) || Seq <- Seqs],
                                     {O, N} = tweann_nif:cell_step(NifPop, Us, St, 0.5),
                                     {[O | Acc], N}
                             end, {[], States}, lists:seq(1, L)),
             ?assertEqual(Final, StepFinal),
             ?assertEqual(SeqOut, transpose(lists:reverse(StepOuts)))
         end || {Kind, Cfg} <- Configs]
    end}.

param_len(cfc, Cfg) -> tweann_ref_cfc:param_len(Cfg);
param_len(ltc, Cfg) -> tweann_ref_ltc:param_len(Cfg).

zip6([A | As], [B | Bs], [C | Cs], [D | Ds], [E | Es], [F | Fs]) ->
    [{A, B, C, D, E, F} | zip6(As, Bs, Cs, Ds, Es, Fs)];
zip6([], [], [], [], [], []) -> [].

%% [[step t of row r]] by step -> [[row r step t]] by row.
transpose([[] | _]) -> [];
transpose(Steps) -> [[hd(S) || S <- Steps] | transpose([tl(S) || S <- Steps])].

large_population_goes_dirty_test_() ->
    {timeout, 60, fun() ->
        %% The issue's population: 100 CfC members (input 8, hidden 32,
        %% backbone 64 x 1): far over the normal-scheduler work limit.
        rand:seed(exsss, {1, 2, 3}),
        Cfg = #{input_size => 8, hidden_size => 32, backbone_units => 64},
        Len = tweann_ref_cfc:param_len(Cfg),
        Pop = tweann_nif:cfc_population(Cfg, [rand_vec(Len) || _ <- lists:seq(1, 100)]),
        ?assertEqual('$tweann_dirty', tweann_nif_native:cell_step(Pop, [rand_vec(8) || _ <- lists:seq(1, 100)],
                                                                   [rand_vec(32) || _ <- lists:seq(1, 100)], 1.0)),
        {Outs, News} = tweann_nif:cell_step(Pop, [rand_vec(8) || _ <- lists:seq(1, 100)],
                                            [rand_vec(32) || _ <- lists:seq(1, 100)], 1.0),
        ?assertEqual(100, length(Outs)),
        ?assertEqual([32], lists:usort([length(N) || N <- News]))
    end}.

%% The counts are global: they are read once the garbage of earlier tests is
%% gone, and the 20 cells of the dead process are awaited (the VM releases
%% them after its 'DOWN' may have arrived).
resources_are_counted_test() ->
    #{cells := C0, cell_bytes := B0} = tweann_reliability_lib:settled([cells, cell_bytes]),
    Cfg = #{input_size => 2, units => 3},
    Len = tweann_ref_ltc:param_len(Cfg),
    Pid = spawn(fun() -> [tweann_nif:ltc_cell(Cfg, rand_vec(Len)) || _ <- lists:seq(1, 20)], ok end),
    Mon = monitor(process, Pid),
    receive {'DOWN', Mon, _, _, _} -> ok end,
    Keep = tweann_nif:ltc_cell(Cfg, rand_vec(Len)),
    #{cells := C1, cell_bytes := B1} =
        tweann_reliability_lib:await_stats(fun(#{cells := C}) -> C =:= C0 + 1 end),
    ?assertEqual(C0 + 1, C1),
    ?assert(B1 > B0),
    ?assertEqual(3, maps:get(state_size, tweann_nif:cell_info(Keep))).

bad_input_test_() ->
    Cfc = #{input_size => 2, hidden_size => 3, backbone_units => 4},
    Ltc = #{input_size => 2, units => 3},
    CLen = tweann_ref_cfc:param_len(Cfc),
    LLen = tweann_ref_ltc:param_len(Ltc),
    P = [0.1 || _ <- lists:seq(1, CLen)],
    LP = [0.1 || _ <- lists:seq(1, LLen)],
    Cases = [{cfc_cell, [Cfc, tl(P)], 2},
             {cfc_cell, [Cfc#{mode => gated}, P], 1},
             {cfc_cell, [Cfc#{backbone_activation => sigmoid}, P], 1},
             {cfc_cell, [Cfc#{hiden_size => 3}, P], 1},
             {cfc_cell, [maps:remove(input_size, Cfc), P], 1},
             {cfc_cell, [not_a_map, P], 1},
             {cfc_cell, [Cfc, [a | tl(P)]], 2},
             {cfc_cell, [Cfc, <<1, 2, 3>>], 2},
             {ltc_cell, [Ltc, LP ++ [1.0]], 2},
             {ltc_cell, [Ltc#{positivity => relu}, LP], 1},
             {ltc_cell, [Ltc#{motor_size => 9}, LP], 1},
             {cfc_population, [Cfc, []], 2},
             {cfc_population, [Cfc, [P, tl(P)]], 2}],
    Cell = fun(B) -> call(B, cfc_cell, [Cfc, P]) end,
    LCell = fun(B) -> call(B, ltc_cell, [Ltc, LP]) end,
    Steps = [{Cell, [[1, 2]], [[0, 0]], 1.0, 3},
             {Cell, [[1, 2, 3]], [[0, 0, 0]], 1.0, 2},
             {Cell, [[1, 2]], [[0, 0, 0]], [1.0, 2.0], 4},
             {Cell, [[1, 2]], [[0, 0, 0]], -1.0, 4},
             {LCell, [[1, 2]], [[0, 0, 0]], 0.0, 4},
             {Cell, [[1, x]], [[0, 0, 0]], 1.0, 2},
             {Cell, [[1, 2]], [[0, 0, 0], [0, 0, 0]], 1.0, 3}],
    [{lists:flatten(io_lib:format("~p ~p", [F, Pos])),
      fun() ->
              Nif = outcome(fun() -> apply(tweann_nif, F, A) end),
              ?assertEqual({error, badarg, Pos}, Nif),
              ?assertEqual(outcome(fun() -> tweann_oracle:call(F, A) end), Nif)
      end} || {F, A, Pos} <- Cases] ++
    [{lists:flatten(io_lib:format("cell_step ~p", [Pos])),
      fun() ->
              Nif = outcome(fun() -> tweann_nif:cell_step(Mk(tweann_nif), I, S, D) end),
              ?assertEqual({error, badarg, Pos}, Nif),
              ?assertEqual(outcome(fun() -> tweann_ref_cells:cell_step(Mk(ref), I, S, D) end), Nif)
      end} || {Mk, I, S, D, Pos} <- Steps] ++
    [?_assertError(badarg, tweann_nif:cell_step(make_ref(), [], [], 1.0)),
     ?_assertError(badarg, tweann_nif:cell_info(tweann_nif:compile_network([], 0, [])))].
