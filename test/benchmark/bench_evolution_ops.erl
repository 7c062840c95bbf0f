%% Benchmark (not a test): the evaluation work of one generation of a
%% 100-agent population of 50-neuron networks (10 inputs, 34 hidden,
%% 6 outputs, ~250 connections; each agent a fixed-seed mutation of one base
%% network: weights perturbed, a few links removed and added), 50 evaluation
%% cycles per agent:
%%   compile each genotype + evaluate it 50 times + its NEAT compatibility
%%   distance to 5 species representatives,
%% on three paths:
%%   NIF                 tweann_nif for all three steps;
%%   Erlang reference    tweann_ref_network / tweann_ref_neat for all three steps;
%%   process-per-neuron  DXNN2 style: spawn the network's processes, 50
%%                       sense-think-act cycles, terminate; distance with
%%                       tweann_ref_neat (bench_forward_pass:ppn_*).
%% Reported: the generation (median of trials) and its phases, and heap
%% allocation and garbage collections per agent evaluation for each path.
%%
%% Run alone: rebar3 as bench eunit --module=bench_evolution_ops
-module(bench_evolution_ops).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

-define(AGENTS, 100).
-define(CYCLES, 50).
-define(REPS, 5).

evolution_ops_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             io:format(user, "~n== bench_evolution_ops: one generation, ~p agents x ~p cycles ==",
                       [?AGENTS, ?CYCLES]),
             bench_common:print_rows(Rows)
     end}.

run() ->
    bench_common:ensure_app(),
    Pop = population(),
    Inputs = bench_common:inputs(10, ?CYCLES),
    Reps = [genes(lists:nth(I, Pop)) || I <- lists:seq(1, ?AGENTS, ?AGENTS div ?REPS)],
    Opts = #{iterations => 1, trials => max(3, bench_common:trials() - 2)},
    Size = io_lib:format("~p x 50 neurons", [?AGENTS]),
    Paths = [nif, erlang_ref, ppn],
    Gen = bench_common:measure_set([{P, fun() -> generation(P, Pop, Inputs, Reps) end}
                                    || P <- Paths], Opts),
    NifGen = maps:get(median_us, proplists:get_value(nif, Gen)),
    Sample = lists:sublist(Pop, 10),
    Allocs = [{P, alloc_per_agent(P, Sample, Inputs, Reps)} || P <- Paths],
    GenRows = [bench_common:row(["generation: compile + ", integer_to_list(?CYCLES),
                                 " evals + ", integer_to_list(?REPS), " distances per agent"],
                                P, Size,
                                begin
                                    #{bytes := B, gcs := G} = proplists:get_value(P, Allocs),
                                    M#{ratio => maps:get(median_us, M) / NifGen,
                                       module => ?MODULE,
                                       per_agent_us => maps:get(median_us, M) / ?AGENTS,
                                       agent_bytes => B, agent_gcs => G,
                                       detail => iolist_to_binary(
                                                   io_lib:format("per agent: ~s us, ~s heap allocated, ~.1f GCs",
                                                                 [bench_common:fmt_us(maps:get(median_us, M) / ?AGENTS),
                                                                  bench_common:fmt_bytes(B), G * 1.0]))}
                                end)
               || {P, M} <- Gen],
    %% Phases, NIF vs Erlang reference (whole population each).
    Phases = [{"phase: compile", compile},
              {["phase: ", integer_to_list(?CYCLES), " evaluations per agent"], evaluate},
              {["phase: ", integer_to_list(?REPS), " distances per agent"], distance}],
    PhaseRows =
        lists:append(
          [begin
               Ms = bench_common:measure_set([{P, phase(Ph, P, Pop, Inputs, Reps)}
                                              || P <- [nif, erlang_ref]], Opts),
               NifUs = maps:get(median_us, proplists:get_value(nif, Ms)),
               [bench_common:row(Name, P, Size,
                                 M#{ratio => maps:get(median_us, M) / NifUs, module => ?MODULE})
                || {P, M} <- Ms]
           end || {Name, Ph} <- Phases]),
    AllocNote = #{kind => note, module => ?MODULE, name => <<"allocation per agent evaluation">>,
                  text => iolist_to_binary(
                            [lists:join("; ",
                                        [io_lib:format("~s: ~s heap, ~.1f GCs",
                                                       [bench_common:row_path(P),
                                                        bench_common:fmt_bytes(B), G * 1.0])
                                         || {P, #{bytes := B, gcs := G}} <- Allocs]),
                             " (compile + ", integer_to_list(?CYCLES), " evaluations + ",
                             integer_to_list(?REPS), " distances; process heaps only)"])},
    GenRows ++ PhaseRows ++ [AllocNote].

%%%===================================================================
%%% One generation
%%%===================================================================

generation(Path, Pop, Inputs, Reps) ->
    lists:foreach(fun(Agent) -> agent(Path, Agent, Inputs, Reps, false) end, Pop).

agent(nif, {Nodes, NIn, Outs} = A, Inputs, Reps, _Gc) ->
    Net = tweann_nif:compile_network(Nodes, NIn, Outs),
    ok = eval_loop(fun(In) -> tweann_nif:evaluate(Net, In) end, Inputs),
    G = genes(A),
    [tweann_nif:compatibility_distance(G, R, 1.0, 1.0, 0.4) || R <- Reps];
agent(erlang_ref, {Nodes, NIn, Outs} = A, Inputs, Reps, _Gc) ->
    Net = tweann_ref_network:compile_network(Nodes, NIn, Outs),
    ok = eval_loop(fun(In) -> tweann_ref_network:evaluate(Net, In) end, Inputs),
    G = genes(A),
    [tweann_ref_neat:compatibility_distance(G, R, 1.0, 1.0, 0.4) || R <- Reps];
agent(ppn, A, Inputs, Reps, Gc) ->
    Cx = bench_forward_pass:ppn_start(A),
    ok = eval_loop(fun(In) -> bench_forward_pass:ppn_eval(Cx, In) end, Inputs),
    ok = bench_forward_pass:ppn_stop(Cx, Gc),
    G = genes(A),
    [tweann_ref_neat:compatibility_distance(G, R, 1.0, 1.0, 0.4) || R <- Reps].

eval_loop(_F, []) -> ok;
eval_loop(F, [In | Rest]) ->
    _ = F(In),
    eval_loop(F, Rest).

phase(compile, nif, Pop, _, _) ->
    fun() -> lists:foreach(fun({N, I, O}) -> tweann_nif:compile_network(N, I, O) end, Pop) end;
phase(compile, erlang_ref, Pop, _, _) ->
    fun() -> lists:foreach(fun({N, I, O}) -> tweann_ref_network:compile_network(N, I, O) end, Pop) end;
phase(evaluate, nif, Pop, Inputs, _) ->
    Nets = [tweann_nif:compile_network(N, I, O) || {N, I, O} <- Pop],
    fun() -> lists:foreach(fun(Net) -> eval_loop(fun(In) -> tweann_nif:evaluate(Net, In) end, Inputs) end, Nets) end;
phase(evaluate, erlang_ref, Pop, Inputs, _) ->
    Nets = [tweann_ref_network:compile_network(N, I, O) || {N, I, O} <- Pop],
    fun() -> lists:foreach(fun(Net) -> eval_loop(fun(In) -> tweann_ref_network:evaluate(Net, In) end, Inputs) end, Nets) end;
phase(distance, Path, Pop, _, Reps) ->
    Gs = [genes(A) || A <- Pop],
    M = case Path of nif -> tweann_nif; erlang_ref -> tweann_ref_neat end,
    fun() -> lists:foreach(fun(G) -> [M:compatibility_distance(G, R, 1.0, 1.0, 0.4) || R <- Reps] end, Gs) end.

alloc_per_agent(Path, Sample, Inputs, Reps) ->
    M = bench_common:alloc(fun() ->
                                   lists:foreach(fun(A) -> agent(Path, A, Inputs, Reps, true) end, Sample)
                           end, 1),
    N = length(Sample),
    #{bytes => maps:get(bytes, M) / N, gcs => maps:get(gcs, M) / N}.

%%%===================================================================
%%% Population
%%%===================================================================

%% ?AGENTS fixed-seed mutations of the 50-neuron base network.
population() ->
    {Nodes, NIn, Outs} = bench_common:network(50),
    [{mutate(Nodes, NIn, I), NIn, Outs} || I <- lists:seq(1, ?AGENTS)].

%% Perturb every weight a little; drop one link in 20; add a link to one
%% node in 10 (from an earlier node it does not read yet).
mutate(Nodes, _NIn, Seed) ->
    S0 = rand:seed_s(exsss, {Seed, 50, 777}),
    {Mutated, _} =
        lists:mapfoldl(
          fun({_, input, _, _, _} = N, S) -> {N, S};
             ({Id, Type, Act, Bias, Conns}, S) ->
                  {Kept, S1} = lists:mapfoldl(
                                 fun({F, W}, Sx) ->
                                         {U, Sx1} = rand:uniform_s(Sx),
                                         {D, Sx2} = rand:normal_s(Sx1),
                                         {case U < 0.05 andalso length(Conns) > 1 of
                                              true -> drop;
                                              false -> {F, W + 0.1 * D}
                                          end, Sx2}
                                 end, S, Conns),
                  Kept1 = [C || C <- Kept, C =/= drop],
                  {U2, S2} = rand:uniform_s(S1),
                  {From, S3} = rand:uniform_s(Id, S2),
                  {W2, S4} = rand:uniform_s(S3),
                  Added = case U2 < 0.1 andalso not lists:keymember(From - 1, 1, Kept1) of
                              true -> Kept1 ++ [{From - 1, W2 * 2 - 1}];
                              false -> Kept1
                          end,
                  {{Id, Type, Act, Bias, Added}, S4}
          end, S0, Nodes),
    Mutated.

%% NEAT genes of an agent: one per link, innovation numbered by the link
%% (shared across the population, as NEAT's innovation table would).
genes({Nodes, _, _}) ->
    [{From * 4096 + To, W} || {To, _, _, _, Conns} <- Nodes, {From, W} <- Conns].
