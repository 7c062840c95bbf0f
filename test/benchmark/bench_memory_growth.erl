%% Benchmark (not a test): memory growth of the genotype store over many
%% generations, with and without tweann_store:sweep/2, and store throughput
%% against Mnesia ram_copies doing the same work in the same run.
%%
%% Run with `make bench' or
%%   rebar3 as bench eunit --module=bench_memory_growth
%%
%% Environment variables:
%%   TWEANN_BENCH_GENERATIONS       generations of each run (default 1000)
%%   TWEANN_BENCH_AGENTS            agents per generation (default 100)
%%   TWEANN_BENCH_NEURONS           neurons per agent (default 50)
%%   TWEANN_BENCH_NOSWEEP_AGENTS    agents of the second, smaller no-sweep run
%%                                  (default 8), which runs all generations
%%   TWEANN_BENCH_NOSWEEP_LIMIT_MB  the run without sweep stops once the store
%%                                  holds this many MiB (default 512, safe on
%%                                  a 4 GB host); the results say at which
%%                                  generation. The long run of the published
%%                                  figures is opt-in: set it to 4096 on a
%%                                  host with 8 GB or more to spare.
%%   TWEANN_BENCH_QUICK=1           60 generations, fewer throughput agents
%%
%% The simulated evolution, per generation g (1..G): every agent of the
%% current population gets a fitness (agent record rewritten); the best
%% becomes a hall-of-fame champion; each of the best half is parent of two
%% offspring, cloned from the store with fresh ids (as DXNN2's clone_agent)
%% and mutated (weights perturbed on 3 neurons, an inlink added or removed,
%% each mutation appended to evo_hist, link innovations requested); parents'
%% offspring_ids get the child; the specie's all_agent_ids, agent_ids and
%% dead_pool and the population's trace are updated. The old population is
%% not deleted by the evolution loop (as in DXNN2, where dead agents go to
%% the dead pool).
%%   sweep:    offspring registered with their generation, evo_hist and the
%%             trace capped (append_capped, cap 50), hall of fame capped at 10
%%             pinned champions, tweann_store:sweep(g, 2) each generation,
%%             tweann_innovation:prune/1 every 10 generations.
%%   no sweep: the same work with plain writes, nothing deleted, capped,
%%             pinned or pruned.
-module(bench_memory_growth).

-include_lib("eunit/include/eunit.hrl").
-include_lib("tweann_nif/include/tweann_records.hrl").

-export([run/0, run/1, memory_growth/1, throughput/1, default_opts/0]).

-define(CHECKPOINTS, [10, 100, 500, 1000]).
-define(KEEP, 2).
-define(HOF_CAP, 10).
-define(TRACE_CAP, 50).
-define(SENSORS, 2).
-define(MAX_INPUTS, 6).

%%%===================================================================
%%% EUnit entry points
%%%===================================================================

memory_growth_sweep_test_() ->
    {timeout, 600, fun() -> with_app(fun() -> record(memory_growth((opts())#{sweep => true})) end) end}.

memory_growth_no_sweep_test_() ->
    {timeout, 600, fun() -> with_app(fun() -> record(memory_growth((opts())#{sweep => false})) end) end}.

%% The full no-sweep run outgrows memory long before 1000 generations; this
%% one runs every generation with fewer agents (TWEANN_BENCH_NOSWEEP_AGENTS).
memory_growth_no_sweep_small_test_() ->
    {timeout, 600, fun() -> with_app(fun() -> record(memory_growth(small(opts()))) end) end}.

small(Opts) ->
    Opts#{sweep => false, agents => maps:get(nosweep_agents, Opts), small => true}.

throughput_test_() ->
    {timeout, 600, fun() -> with_app(fun() -> record(throughput(opts())) end) end}.

%% Print the rows and keep them for bench_report (which then does not run
%% the same work again).
record(Rows) ->
    ok = bench_common:add([R#{kind => memory, module => ?MODULE} || R <- Rows]),
    print(Rows).

%%%===================================================================
%%% API for report writers
%%%===================================================================

%% All results as a list of maps:
%%   #{name, path, value, unit, ...extra keys describing the run}.
run() ->
    run(#{}).

run(Opts0) ->
    Opts = maps:merge(opts(), Opts0),
    with_app(fun() ->
                     memory_growth(Opts#{sweep => true})
                         ++ memory_growth(Opts#{sweep => false})
                         ++ memory_growth(small(Opts))
                         ++ throughput(Opts)
             end).

default_opts() ->
    D = #{generations => 1000, agents => 100, neurons => 50,
          nosweep_limit_bytes => 512 * 1024 * 1024, nosweep_agents => 8,
          throughput_agents => 200,
          rounds => 7},
    case bench_common:quick() of
        true -> D#{generations => 60, nosweep_limit_bytes => 256 * 1024 * 1024,
                   throughput_agents => 50, rounds => 3};
        false -> D
    end.

opts() ->
    D = default_opts(),
    D#{generations => env_int("TWEANN_BENCH_GENERATIONS", maps:get(generations, D)),
       agents => env_int("TWEANN_BENCH_AGENTS", maps:get(agents, D)),
       neurons => env_int("TWEANN_BENCH_NEURONS", maps:get(neurons, D)),
       nosweep_agents => env_int("TWEANN_BENCH_NOSWEEP_AGENTS", maps:get(nosweep_agents, D)),
       nosweep_limit_bytes => env_int("TWEANN_BENCH_NOSWEEP_LIMIT_MB",
                                      maps:get(nosweep_limit_bytes, D) div (1024 * 1024))
                              * 1024 * 1024}.

env_int(Name, Default) ->
    case os:getenv(Name) of
        false -> Default;
        "" -> Default;
        S -> list_to_integer(S)
    end.

with_app(Fun) ->
    {ok, _} = application:ensure_all_started(tweann_nif),
    ok = tweann_store:clear(),
    ok = tweann_innovation:reset(),
    try Fun()
    after
        ok = tweann_store:clear(),
        ok = tweann_innovation:reset()
    end.

print(Results) ->
    [io:format(user, "~n  ~-34s ~-32s ~14s ~s", [N, P, fmt(V), U])
     || #{name := N, path := P, value := V, unit := U} <- Results],
    io:format(user, "~n", []),
    ok.

fmt(V) when is_float(V) -> float_to_list(V, [{decimals, 1}]);
fmt(V) -> integer_to_list(V).

%%%===================================================================
%%% Memory growth
%%%===================================================================

memory_growth(#{sweep := Sweep, generations := G, agents := NA, neurons := NN} = Opts) ->
    ok = tweann_store:clear(),
    ok = tweann_innovation:reset(),
    Limit = case Sweep of
                true -> infinity;
                false -> maps:get(nosweep_limit_bytes, Opts)
            end,
    Mode = case {Sweep, maps:get(small, Opts, false)} of
               {true, _} -> <<"sweep">>;
               {false, false} -> <<"no_sweep">>;
               {false, true} -> iolist_to_binary(["no_sweep_", integer_to_list(NA), "_agents"])
           end,
    rand:seed(exsss, {1, 2, 3}),
    T0 = erlang:monotonic_time(millisecond),
    SpecieId = {1.0, specie},
    PopId = population_1,
    ok = tweann_store:write(#specie{id = SpecieId, population_id = PopId}),
    ok = tweann_store:write(#population{id = PopId, specie_ids = [SpecieId], trace = []}),
    Agents0 = [new_agent(0, NN, SpecieId, Sweep) || _ <- lists:seq(1, NA)],
    ok = update_specie(SpecieId, Agents0, [], Sweep),
    {Checkpoints, LastGen, Stopped} = generations(1, G, Agents0, SpecieId, PopId, Opts, Limit, []),
    Ms = erlang:monotonic_time(millisecond) - T0,
    Final = store_bytes(),
    ok = tweann_store:clear(),
    ok = tweann_innovation:reset(),
    Common = #{mode => Mode, agents => NA, neurons => NN, generations_requested => G,
               generations_run => LastGen, keep_generations => ?KEEP,
               stopped => Stopped},
    Path = <<"tweann_store/", Mode/binary>>,
    [Common#{name => iolist_to_binary(["store_bytes_gen_", integer_to_list(Gen)]),
             path => Path, value => Bytes, unit => <<"bytes">>, generation => Gen,
             records => Records}
     || {Gen, Bytes, Records} <- lists:reverse(Checkpoints)]
        ++ [Common#{name => <<"store_bytes_final">>, path => Path, value => Final,
                    unit => <<"bytes">>, generation => LastGen},
            Common#{name => <<"generations_run">>, path => Path, value => LastGen,
                    unit => <<"generations">>},
            Common#{name => <<"wall_time">>, path => Path, value => Ms / 1000,
                    unit => <<"s">>}].

generations(Gen, G, _Agents, _Sp, _Pop, _Opts, _Limit, Acc) when Gen > G ->
    {Acc, G, <<"completed">>};
generations(Gen, G, Agents, SpecieId, PopId, #{sweep := Sweep, neurons := _} = Opts, Limit, Acc) ->
    Next = generation(Gen, Agents, SpecieId, PopId, Sweep),
    Bytes = store_bytes(),
    Acc1 = case lists:member(Gen, ?CHECKPOINTS) orelse Gen =:= G of
               true ->
                   io:format(user, "~n    [~s, ~p agents] generation ~p: ~p bytes",
                             [case Sweep of true -> "sweep"; false -> "no sweep" end,
                              length(Agents), Gen, Bytes]),
                   [{Gen, Bytes, store_records()} | Acc];
               false -> Acc
           end,
    case Bytes > Limit of
        true ->
            io:format(user, "~n    [no sweep] stopped at generation ~p: ~p bytes > limit ~p",
                      [Gen, Bytes, Limit]),
            Acc2 = case Acc1 of
                       [{Gen, _, _} | _] -> Acc1;
                       _ -> [{Gen, Bytes, store_records()} | Acc1]
                   end,
            {Acc2, Gen, <<"memory_limit">>};
        false ->
            generations(Gen + 1, G, Next, SpecieId, PopId, Opts, Limit, Acc1)
    end.

store_bytes() ->
    #{total := #{bytes := B}} = tweann_store:memory(),
    B.

store_records() ->
    lists:sum([S || {_, #{size := S}} <- maps:to_list(tweann_store:memory())]).

%% One generation: evaluate, select, reproduce. Returns the new population.
generation(Gen, Agents, SpecieId, PopId, Sweep) ->
    Scored = [{rand:uniform(), A} || A <- Agents],
    [begin
         R = tweann_store:read({agent, A}),
         ok = tweann_store:write(R#agent{fitness = F})
     end || {F, A} <- Scored],
    Ranked = lists:reverse(lists:sort(Scored)),
    Parents = [A || {_, A} <- lists:sublist(Ranked, length(Agents) div 2)],
    {BestF, Best} = hd(Ranked),
    ok = hall_of_fame(SpecieId, Best, BestF, Gen, Sweep),
    Children = lists:append([[offspring(P, Gen, Sweep), offspring(P, Gen, Sweep)] || P <- Parents]),
    ok = update_specie(SpecieId, Children, Scored, Sweep),
    Stat = {stat, Gen, BestF, length(Children), erlang:monotonic_time()},
    case Sweep of
        true ->
            ok = tweann_store:append_capped({population, PopId}, #population.trace, Stat, ?TRACE_CAP),
            _ = tweann_store:sweep(Gen, ?KEEP),
            case Gen rem 10 of
                0 -> _ = tweann_innovation:prune(fun live_link/1), ok;
                _ -> ok
            end;
        false ->
            P = tweann_store:read({population, PopId}),
            ok = tweann_store:write(P#population{trace = [Stat | P#population.trace]})
    end,
    Children.

live_link({_From, To}) ->
    tweann_store:read({neuron, To}) =/= undefined.

hall_of_fame(SpecieId, Best, Fitness, Gen, Sweep) ->
    S = tweann_store:read({specie, SpecieId}),
    Champ = #champion{hof_fingerprint = tot_n, id = Best, fitness = Fitness,
                      main_fitness = Fitness, generation = Gen},
    Hof = [Champ | S#specie.hall_of_fame],
    NewHof = case Sweep of
                 true ->
                     ok = tweann_store:pin(Best),
                     {Keep, Evicted} = lists:split(min(?HOF_CAP, length(Hof)), Hof),
                     [catch tweann_store:unpin(Id) || #champion{id = Id} <- Evicted],
                     Keep;
                 false ->
                     Hof
             end,
    tweann_store:write(S#specie{hall_of_fame = NewHof, champion_ids = [Best]}).

update_specie(SpecieId, Children, Dead, _Sweep) ->
    S = tweann_store:read({specie, SpecieId}),
    tweann_store:write(S#specie{all_agent_ids = Children ++ S#specie.all_agent_ids,
                                agent_ids = Children,
                                dead_pool = Dead ++ S#specie.dead_pool}).

%%%-------------------------------------------------------------------
%%% Genotypes shaped like faber-tweann's
%%%-------------------------------------------------------------------

uid() -> float(erlang:unique_integer([positive])).

constraint() ->
    {constraint, xor_mimic, recurrent, [tanh, cos, gaussian], [none], [none],
     [l2l_feedforward], [dot_product], [dynamic_random], {wsize_proportional, 0.5},
     [0.5], [1], [neural], [darwinian],
     [{add_bias, 10}, {add_outlink, 40}, {add_inlink, 40}, {add_neuron, 40},
      {outsplice, 40}, {add_sensorlink, 1}, {mutate_weights, 100}],
     [{ncount_exponential, 0.5}], generational, size_proportional,
     hof_competition, [tot_n], [tot_n], [main_fitness, inverse_tot_n]}.

weight() -> {rand:uniform() - 0.5, 0.0, 0.1, []}.

%% A fresh agent of generation Gen: 2 sensors, NN neurons, 1 actuator.
new_agent(Gen, NN, SpecieId, Sweep) ->
    A = {uid(), agent},
    Cx = {{origin, uid()}, cortex},
    Ss = [{{-1.0, uid()}, sensor} || _ <- lists:seq(1, ?SENSORS)],
    Ac = {{1.0, uid()}, actuator},
    Ns = [{{0.5, uid()}, neuron} || _ <- lists:seq(1, NN)],
    NT = list_to_tuple(Ns),
    Neurons = [#neuron{id = N, generation = Gen, cx_id = Cx, af = tanh,
                       pf = {none, []}, aggr_f = dot_product,
                       input_idps = [{lists:nth(rand:uniform(?SENSORS), Ss), [weight()]}
                                     || _ <- lists:seq(1, 3)],
                       output_ids = [case I of
                                         NN -> Ac;
                                         _ -> element(I + 1, NT)
                                     end]}
               || {I, N} <- lists:zip(lists:seq(1, NN), Ns)],
    Agent = #agent{id = A, encoding_type = neural, generation = Gen,
                   population_id = population_1, specie_id = SpecieId, cx_id = Cx,
                   fingerprint = {NN, ?SENSORS, 1}, constraint = constraint(),
                   pattern = [{0.5, Ns}], tuning_selection_f = dynamic_random,
                   annealing_parameter = 0.5, tuning_duration_f = {wsize_proportional, 0.5},
                   perturbation_range = 1, mutation_operators = element(16, constraint()),
                   tot_topological_mutations_f = {ncount_exponential, 0.5},
                   heredity_type = darwinian},
    Records = [Agent,
               #cortex{id = Cx, agent_id = A, neuron_ids = Ns, sensor_ids = Ss, actuator_ids = [Ac]}]
        ++ [#sensor{id = S, name = rng, type = standard, cx_id = Cx, scape = {private, xor_sim},
                    vl = 2, fanout_ids = Ns, generation = Gen, format = no_geo}
            || S <- Ss]
        ++ [#actuator{id = Ac, name = pts, type = standard, cx_id = Cx, scape = {private, xor_sim},
                      vl = 1, fanin_ids = [lists:last(Ns)], generation = Gen, format = no_geo}]
        ++ Neurons,
    ok = store_agent(A, Gen, Records, Sweep),
    A.

store_agent(A, Gen, Records, true) ->
    ok = tweann_store:register_agent(A, Gen),
    lists:foreach(fun(R) -> ok = tweann_store:write(R, A) end, Records);
store_agent(_A, _Gen, Records, false) ->
    lists:foreach(fun(R) -> ok = tweann_store:write(R) end, Records).

%% Clone Parent from the store with fresh ids and mutate the clone.
offspring(Parent, Gen, Sweep) ->
    PA = tweann_store:read({agent, Parent}),
    Cx = tweann_store:read({cortex, PA#agent.cx_id}),
    Sensors = [tweann_store:read({sensor, S}) || S <- Cx#cortex.sensor_ids],
    Actuators = [tweann_store:read({actuator, Ac}) || Ac <- Cx#cortex.actuator_ids],
    Neurons = [tweann_store:read({neuron, N}) || N <- Cx#cortex.neuron_ids],
    Child = {uid(), agent},
    NewCx = {{origin, uid()}, cortex},
    Map = maps:from_list([{Id, {{L, uid()}, T}}
                          || {{L, _}, T} = Id <- Cx#cortex.sensor_ids ++ Cx#cortex.actuator_ids
                                 ++ Cx#cortex.neuron_ids]),
    Re = fun(Id) -> maps:get(Id, Map) end,
    NewSensors = [S#sensor{id = Re(S#sensor.id), cx_id = NewCx,
                           fanout_ids = [Re(I) || I <- S#sensor.fanout_ids]} || S <- Sensors],
    NewActuators = [A#actuator{id = Re(A#actuator.id), cx_id = NewCx,
                               fanin_ids = [Re(I) || I <- A#actuator.fanin_ids]} || A <- Actuators],
    NewNeurons0 = [N#neuron{id = Re(N#neuron.id), cx_id = NewCx,
                            input_idps = [{Re(I), W} || {I, W} <- N#neuron.input_idps],
                            output_ids = [Re(I) || I <- N#neuron.output_ids]}
                   || N <- Neurons],
    {NewNeurons, Mutations} = mutate(NewNeurons0, [S#sensor.id || S <- NewSensors]),
    NIds = [N#neuron.id || N <- NewNeurons],
    Cap = tweann_store:evo_hist_cap(),
    EvoHist = case Sweep of
                  true -> lists:sublist(Mutations ++ PA#agent.evo_hist, Cap);
                  false -> Mutations ++ PA#agent.evo_hist
              end,
    ChildAgent = PA#agent{id = Child, generation = Gen, cx_id = NewCx, evo_hist = EvoHist,
                          pattern = [{0.5, NIds}], offspring_ids = [],
                          parent_ids = [Parent], fitness = 0},
    Records = [ChildAgent,
               Cx#cortex{id = NewCx, agent_id = Child, neuron_ids = NIds,
                         sensor_ids = [S#sensor.id || S <- NewSensors],
                         actuator_ids = [A#actuator.id || A <- NewActuators]}
               | NewSensors ++ NewActuators ++ NewNeurons],
    ok = store_agent(Child, Gen, Records, Sweep),
    ok = tweann_store:write(PA#agent{offspring_ids = [Child | PA#agent.offspring_ids]}),
    Child.

%% Perturb the weights of 3 neurons; add an inlink to one neuron (or remove
%% one if it has ?MAX_INPUTS). Returns the neurons and the evo_hist entries.
mutate(Neurons, SensorIds) ->
    T = list_to_tuple(Neurons),
    N = tuple_size(T),
    Picks = [rand:uniform(N) || _ <- lists:seq(1, 3)],
    T1 = lists:foldl(fun(I, Acc) ->
                             Nr = element(I, Acc),
                             Ws = [{In, [{W + (rand:uniform() - 0.5) * 0.1, DW, LR, P}
                                         || {W, DW, LR, P} <- Wl]}
                                   || {In, Wl} <- Nr#neuron.input_idps],
                             setelement(I, Acc, Nr#neuron{input_idps = Ws})
                     end, T, Picks),
    Li = rand:uniform(N),
    Target = element(Li, T1),
    TId = Target#neuron.id,
    {Target1, LinkMut} =
        case length(Target#neuron.input_idps) >= ?MAX_INPUTS of
            true ->
                [{From, _} | Rest] = Target#neuron.input_idps,
                {Target#neuron{input_idps = Rest}, {remove_inlink, From, TId}};
            false ->
                From = case rand:uniform(2) of
                           1 -> lists:nth(rand:uniform(length(SensorIds)), SensorIds);
                           2 -> (element(rand:uniform(N), T1))#neuron.id
                       end,
                _ = tweann_innovation:link_innovation(From, TId),
                {Target#neuron{input_idps = Target#neuron.input_idps ++ [{From, [weight()]}]},
                 {add_inlink, From, TId}}
        end,
    T2 = setelement(Li, T1, Target1),
    Mutations = [LinkMut | [{mutate_weights, (element(I, T2))#neuron.id} || I <- Picks]],
    {tuple_to_list(T2), Mutations}.

%%%===================================================================
%%% Throughput against Mnesia ram_copies
%%%===================================================================

throughput(#{throughput_agents := NA, neurons := NN, rounds := Rounds}) ->
    ok = tweann_store:clear(),
    rand:seed(exsss, {4, 5, 6}),
    %% The same genotypes for both: build them once through the store.
    Ids = [new_agent(0, NN, {1.0, specie}, true) || _ <- lists:seq(1, NA)],
    Genomes = [{A, [R || R <- [tweann_store:read(Ref) || Ref <- refs(A)], R =/= undefined]}
               || A <- Ids],
    ok = tweann_store:clear(),
    NRec = lists:sum([length(Rs) || {_, Rs} <- Genomes]),
    ok = start_mnesia(),
    try
        %% Rounds interleave the three so that load drift hits all alike.
        OpSets = [store_ops(Genomes), mnesia_dirty_ops(Genomes),
                  mnesia_transaction_ops(Genomes)],
        Samples = [[sample(Ops) || Ops <- OpSets] || _ <- lists:seq(1, Rounds)],
        [Store, Dirty, Trans] = [summarise(NA, NRec, [lists:nth(I, Round) || Round <- Samples])
                                 || I <- [1, 2, 3]],
        Common = #{agents => NA, records => NRec, neurons => NN, rounds => Rounds,
                   statistic => <<"median">>},
        [Common#{name => <<Op/binary, "_throughput">>, path => Path, value => Rate,
                 unit => Unit}
         || {Path, Results} <- [{<<"tweann_store">>, Store},
                                {<<"mnesia_ram_copies_dirty">>, Dirty},
                                {<<"mnesia_ram_copies_transaction">>, Trans}],
            {Op, Rate, Unit} <- Results]
    after
        stop_mnesia(),
        ok = tweann_store:clear()
    end.

refs(A) ->
    tweann_store:owned(A).

%% Each op set: {Write, Read, DeleteAgent} funs over all genomes.
store_ops(Genomes) ->
    {fun() -> [begin
                   ok = tweann_store:register_agent(A, 0),
                   [ok = tweann_store:write(R, A) || R <- Rs]
               end || {A, Rs} <- Genomes], ok end,
     fun() -> [[tweann_store:read({element(1, R), element(2, R)}) || R <- Rs]
               || {_, Rs} <- Genomes], ok end,
     fun() -> [ok = tweann_store:delete_agent(A) || {A, _} <- Genomes], ok end}.

mnesia_dirty_ops(Genomes) ->
    {fun() -> [[ok = mnesia:dirty_write(R) || R <- Rs] || {_, Rs} <- Genomes], ok end,
     fun() -> [[mnesia:dirty_read(element(1, R), element(2, R)) || R <- Rs]
               || {_, Rs} <- Genomes], ok end,
     fun() -> [ok = mnesia_delete_agent(A, dirty) || {A, _} <- Genomes], ok end}.

mnesia_transaction_ops(Genomes) ->
    {fun() -> [{atomic, _} = mnesia:transaction(fun() -> [ok = mnesia:write(R) || R <- Rs] end)
               || {_, Rs} <- Genomes], ok end,
     fun() -> [{atomic, _} = mnesia:transaction(
                               fun() -> [mnesia:read(element(1, R), element(2, R)) || R <- Rs] end)
               || {_, Rs} <- Genomes], ok end,
     fun() -> [{atomic, ok} = mnesia:transaction(fun() -> mnesia_delete_agent(A, tx) end)
               || {A, _} <- Genomes], ok end}.

%% What DXNN2's genotype:delete_agent/1 does: follow agent -> cortex -> ids.
mnesia_delete_agent(A, Kind) ->
    {Read, Delete} = case Kind of
                         dirty -> {fun mnesia:dirty_read/2, fun mnesia:dirty_delete/2};
                         tx -> {fun mnesia:read/2, fun(T, K) -> mnesia:delete({T, K}) end}
                     end,
    [Ag] = Read(agent, A),
    [Cx] = Read(cortex, Ag#agent.cx_id),
    [ok = Delete(neuron, N) || N <- Cx#cortex.neuron_ids],
    [ok = Delete(sensor, S) || S <- Cx#cortex.sensor_ids],
    [ok = Delete(actuator, Ac) || Ac <- Cx#cortex.actuator_ids],
    ok = Delete(cortex, Cx#cortex.id),
    ok = Delete(agent, A).

sample({Write, Read, Del}) ->
    garbage_collect(),
    TW = time_us(Write),
    TR = time_us(Read),
    TD = time_us(Del),
    {TW, TR, TD}.

summarise(NA, NRec, Samples) ->
    TW = median([W || {W, _, _} <- Samples]),
    TR = median([R || {_, R, _} <- Samples]),
    TD = median([D || {_, _, D} <- Samples]),
    [{<<"write">>, rate(NRec, TW), <<"records/s">>},
     {<<"read">>, rate(NRec, TR), <<"records/s">>},
     {<<"delete_agent">>, rate(NA, TD), <<"agents/s">>},
     {<<"delete_agent_records">>, rate(NRec, TD), <<"records/s">>}].

time_us(F) ->
    {T, ok} = timer:tc(F),
    max(T, 1).

rate(N, Us) -> N * 1.0e6 / Us.

median(L) -> lists:nth((length(L) + 1) div 2, lists:sort(L)).

start_mnesia() ->
    Dir = filename:join(["/tmp", "bench_memory_growth_mnesia_" ++ os:getpid()]),
    ok = application:set_env(mnesia, dir, Dir),
    ok = mnesia:start(),
    Tables = [{agent, record_info(fields, agent)},
              {cortex, record_info(fields, cortex)},
              {sensor, record_info(fields, sensor)},
              {actuator, record_info(fields, actuator)},
              {neuron, record_info(fields, neuron)}],
    [{atomic, ok} = mnesia:create_table(T, [{attributes, F}, {ram_copies, [node()]}])
     || {T, F} <- Tables],
    ok = mnesia:wait_for_tables([T || {T, _} <- Tables], 10000).

stop_mnesia() ->
    stopped = mnesia:stop(),
    ok.
