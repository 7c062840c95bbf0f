%% EUnit tests for tweann_store (and its owner/keeper processes).
-module(tweann_store_tests).

-include_lib("eunit/include/eunit.hrl").
-include_lib("tweann_nif/include/tweann_records.hrl").

-define(RECORD_TABLES, [agent, cortex, sensor, actuator, neuron, substrate,
                        specie, population]).

store_test_() ->
    {setup, fun start/0, fun stop/1,
     {foreach, fun() -> ok = tweann_store:clear() end,
      [{with_title("write/read/delete"), fun write_read_delete/0},
       {with_title("bad arguments raise badarg with error_info"), fun bad_arguments/0},
       {with_title("select/2 and fold/3"), fun select_fold/0},
       {with_title("write/2 ownership and delete_agent cascade"), fun cascade_delete/0},
       {with_title("ownership moves with write/2"), fun ownership_moves/0},
       {with_title("write/2 for an unregistered agent raises"), fun write_unregistered/0},
       {with_title("write/2 for a swept or deleted agent raises"), fun write_after_sweep/0},
       {with_title("delete/1 clears the ownership index"), fun delete_clears_index/0},
       {with_title("register/pin/unpin"), fun register_pin/0},
       {with_title("sweep keeps pinned agents and the window"), fun sweep_window/0},
       {with_title("sweep trims id lists and clears dead pools"), fun sweep_fields/0},
       {with_title("sweep with configured fields"), fun sweep_custom_fields/0},
       {with_title("append_capped/4"), fun append_capped/0},
       {with_title("append_capped/3 uses evo_hist_cap"), fun append_capped_default/0},
       {with_title("memory/0"), fun memory/0},
       {with_title("concurrent writers"), fun concurrent_writers/0},
       {with_title("killed callers lose nothing"), fun kill_caller/0},
       {with_title("killed owner loses nothing"), fun kill_owner/0},
       {with_title("killed keeper, then owner, loses nothing"), fun kill_keeper_then_owner/0}
      ]}}.

with_title(T) -> T.

start() ->
    {ok, Apps} = application:ensure_all_started(tweann_nif),
    Apps.

stop(Apps) ->
    [application:stop(A) || A <- lists:reverse(Apps)],
    ok.

%%% Fixtures -------------------------------------------------------------

agent_id(N) -> {float(N), agent}.

%% An agent with a cortex, a sensor, Neurons neurons and an actuator, all
%% written as owned by the agent. Returns the refs written.
make_agent(N, Generation, Neurons) ->
    A = agent_id(N),
    Cx = {{0.0, float(N)}, cortex},
    S = {{-1.0, float(N)}, sensor},
    Ac = {{1.0, float(N)}, actuator},
    Ns = [{{0.5, N * 1000.0 + I}, neuron} || I <- lists:seq(1, Neurons)],
    ok = tweann_store:register_agent(A, Generation),
    ok = tweann_store:write(#agent{id = A, generation = Generation, cx_id = Cx}, A),
    ok = tweann_store:write(#cortex{id = Cx, agent_id = A, neuron_ids = Ns,
                                    sensor_ids = [S], actuator_ids = [Ac]}, A),
    ok = tweann_store:write(#sensor{id = S, cx_id = Cx, fanout_ids = Ns}, A),
    ok = tweann_store:write(#actuator{id = Ac, cx_id = Cx, fanin_ids = Ns}, A),
    [ok = tweann_store:write(#neuron{id = Id, cx_id = Cx,
                                     input_idps = [{S, [{0.5, []}]}],
                                     output_ids = [Ac]}, A) || Id <- Ns],
    [{agent, A}, {cortex, Cx}, {sensor, S}, {actuator, Ac} | [{neuron, Id} || Id <- Ns]].

table_sizes() ->
    [{T, ets:info(tweann_store_tables:table(T), size)} || T <- ?RECORD_TABLES] ++
        [{T, ets:info(T, size)} || T <- [tweann_store_tables:registry(),
                                         tweann_store_tables:owned(),
                                         tweann_store_tables:owner_of()]].

all_empty() ->
    [{T, 0} || {T, _} <- table_sizes()].

error_info_cause(Fun) ->
    try Fun() of
        Other -> {no_error, Other}
    catch
        error:badarg:St ->
            [{_M, _F, _A, Info} | _] = St,
            #{cause := Cause, module := tweann_error} = proplists:get_value(error_info, Info),
            Cause
    end.

%%% Tests ----------------------------------------------------------------

write_read_delete() ->
    N = #neuron{id = {{0.5, 1.0}, neuron}, af = tanh},
    ?assertEqual(undefined, tweann_store:read({neuron, N#neuron.id})),
    ?assertEqual(ok, tweann_store:write(N)),
    ?assertEqual(N, tweann_store:read({neuron, N#neuron.id})),
    N2 = N#neuron{af = cos},
    ok = tweann_store:write(N2),
    ?assertEqual(N2, tweann_store:read({neuron, N#neuron.id})),
    %% Every table, keyed on element 2.
    [begin
         ok = tweann_store:write({T, {key, T}, payload}),
         ?assertEqual({T, {key, T}, payload}, tweann_store:read({T, {key, T}}))
     end || T <- ?RECORD_TABLES],
    ?assertEqual(ok, tweann_store:delete({neuron, N#neuron.id})),
    ?assertEqual(undefined, tweann_store:read({neuron, N#neuron.id})),
    ?assertEqual(ok, tweann_store:delete({neuron, missing})).

bad_arguments() ->
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:write({scape, 1}) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:write(not_a_record) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:write({agent}) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:read({nope, 1}) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:read(nope) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:delete({nope, 1}) end)),
    ?assertMatch({2, _}, error_info_cause(fun() -> tweann_store:select(agent, bad) end)),
    ?assertMatch({3, _}, error_info_cause(fun() -> tweann_store:fold(fun(_, A) -> A end, 0, nope) end)),
    ?assertMatch({2, _}, error_info_cause(fun() -> tweann_store:register_agent(a, x) end)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:pin(unknown) end)),
    ?assertMatch({2, "agent not registered" ++ _},
                 error_info_cause(fun() -> tweann_store:write({neuron, 1}, unknown) end)),
    ?assertMatch({2, _}, error_info_cause(fun() -> tweann_store:sweep(1, -1) end)),
    ?assertMatch({3, _}, error_info_cause(fun() -> tweann_store:sweep(1, 1, #{fields => [bad]}) end)),
    %% The shell can explain it.
    try tweann_store:read({nope, 1}) of
        _ -> ?assert(false)
    catch error:badarg:St ->
            ?assertEqual(#{1 => "unknown table"}, tweann_error:format_error(badarg, St))
    end.

select_fold() ->
    [ok = tweann_store:write(#neuron{id = I, af = if I rem 2 =:= 0 -> tanh; true -> cos end})
     || I <- lists:seq(1, 10)],
    Tanh = tweann_store:select(neuron, [{#neuron{id = '$1', af = tanh, _ = '_'}, [], ['$1']}]),
    ?assertEqual([2, 4, 6, 8, 10], lists:sort(Tanh)),
    ?assertEqual(55, tweann_store:fold(fun(#neuron{id = I}, S) -> S + I end, 0, neuron)),
    ?assertEqual(0, tweann_store:fold(fun(_, S) -> S + 1 end, 0, agent)).

cascade_delete() ->
    Refs1 = make_agent(1, 0, 50),
    Refs2 = make_agent(2, 0, 5),
    ?assertEqual(lists:sort(Refs1), lists:sort(tweann_store:owned(agent_id(1)))),
    ?assertEqual(ok, tweann_store:delete_agent(agent_id(1))),
    [?assertEqual(undefined, tweann_store:read(R)) || R <- Refs1],
    [?assertNotEqual(undefined, tweann_store:read(R)) || R <- Refs2],
    ?assertEqual([], tweann_store:owned(agent_id(1))),
    ?assertEqual(undefined, tweann_store:agent_info(agent_id(1))),
    ok = tweann_store:delete_agent(agent_id(2)),
    ?assertEqual(all_empty(), table_sizes()),
    %% The agent record goes even when it was written with write/1.
    ok = tweann_store:register_agent(x, 1),
    ok = tweann_store:write(#agent{id = x}),
    ok = tweann_store:delete_agent(x),
    ?assertEqual(all_empty(), table_sizes()),
    %% Deleting an unknown agent is fine.
    ?assertEqual(ok, tweann_store:delete_agent(nobody)).

ownership_moves() ->
    ok = tweann_store:register_agent(a, 1),
    ok = tweann_store:register_agent(b, 1),
    N = #neuron{id = shared},
    ok = tweann_store:write(N, a),
    ok = tweann_store:write(N, b),
    ?assertEqual([], tweann_store:owned(a)),
    ?assertEqual([{neuron, shared}], tweann_store:owned(b)),
    ok = tweann_store:delete_agent(a),
    ?assertEqual(N, tweann_store:read({neuron, shared})),
    ok = tweann_store:delete_agent(b),
    ?assertEqual(undefined, tweann_store:read({neuron, shared})),
    ?assertEqual(all_empty(), table_sizes()).

write_unregistered() ->
    Old = #neuron{id = n1, af = old},
    ok = tweann_store:register_agent(a, 1),
    ok = tweann_store:write(Old, a),
    %% Writing it for an unknown agent changes nothing: not the record, not
    %% its owner.
    ?assertMatch({2, "agent not registered" ++ _},
                 error_info_cause(fun() -> tweann_store:write(Old#neuron{af = new}, b) end)),
    ?assertEqual(Old, tweann_store:read({neuron, n1})),
    ?assertEqual([{neuron, n1}], tweann_store:owned(a)),
    ?assertEqual([], tweann_store:owned(b)),
    ?assertMatch({2, _}, error_info_cause(fun() -> tweann_store:write(#neuron{id = n2}, b) end)),
    ?assertEqual(undefined, tweann_store:read({neuron, n2})),
    %% The same record for its registered owner is fine.
    ok = tweann_store:write(Old#neuron{af = new}, a),
    ?assertEqual(new, (tweann_store:read({neuron, n1}))#neuron.af).

%% The issue's orphans: a record written for an agent that a sweep had
%% already removed was accepted, and no later sweep removed it.
write_after_sweep() ->
    ok = tweann_store:register_agent(old, 1),
    ok = tweann_store:write(#neuron{id = before}, old),
    #{agents := 1, records := 1} = tweann_store:sweep(5, 0),
    ?assertMatch({2, "agent not registered" ++ _},
                 error_info_cause(fun() -> tweann_store:write(#neuron{id = late}, old) end)),
    ok = tweann_store:register_agent(gone, 1),
    ok = tweann_store:delete_agent(gone),
    ?assertMatch({2, _}, error_info_cause(fun() -> tweann_store:write(#neuron{id = late}, gone) end)),
    #{agents := 0} = tweann_store:sweep(100, 0),
    ?assertEqual(all_empty(), table_sizes()),
    %% Registered again, the id is an agent again.
    ok = tweann_store:register_agent(old, 6),
    ok = tweann_store:write(#neuron{id = late}, old),
    ?assertEqual([{neuron, late}], tweann_store:owned(old)).

delete_clears_index() ->
    ok = tweann_store:register_agent(a, 1),
    ok = tweann_store:write(#neuron{id = n1}, a),
    ok = tweann_store:delete({neuron, n1}),
    ?assertEqual([], tweann_store:owned(a)),
    ok = tweann_store:delete_agent(a),
    ?assertEqual(all_empty(), table_sizes()).

register_pin() ->
    ?assertEqual(undefined, tweann_store:agent_info(a)),
    ok = tweann_store:register_agent(a, 3),
    ?assertEqual(#{generation => 3, pinned => false}, tweann_store:agent_info(a)),
    ok = tweann_store:pin(a),
    ?assertEqual(#{generation => 3, pinned => true}, tweann_store:agent_info(a)),
    ok = tweann_store:register_agent(a, 4),
    ?assertEqual(#{generation => 4, pinned => true}, tweann_store:agent_info(a)),
    ok = tweann_store:unpin(a),
    ?assertEqual(#{generation => 4, pinned => false}, tweann_store:agent_info(a)),
    ok = tweann_store:pin(a),
    %% Deleted and registered anew: a new, unpinned agent.
    ok = tweann_store:delete_agent(a),
    ?assertEqual(undefined, tweann_store:agent_info(a)),
    ?assertMatch({1, _}, error_info_cause(fun() -> tweann_store:unpin(a) end)),
    ok = tweann_store:register_agent(a, 5),
    ?assertEqual(#{generation => 5, pinned => false}, tweann_store:agent_info(a)).

sweep_window() ->
    %% Agents 1..10 born in generations 1..10; 3 is pinned.
    [make_agent(G, G, 3) || G <- lists:seq(1, 10)],
    ok = tweann_store:pin(agent_id(3)),
    %% Records written with write/1 belong to no agent and are never swept.
    ok = tweann_store:write(#neuron{id = orphan}),
    Result = tweann_store:sweep(10, 2),
    %% Born before 10 - 2 = 8: 1..7, minus pinned 3.
    ?assertMatch(#{agents := 6, records := 42}, Result),
    Alive = lists:sort([G || G <- lists:seq(1, 10),
                             tweann_store:read({agent, agent_id(G)}) =/= undefined]),
    ?assertEqual([3, 8, 9, 10], Alive),
    ?assertEqual(4 * 7, ets:info(tweann_store_tables:owned(), size)),
    ?assertEqual(#neuron{id = orphan}, tweann_store:read({neuron, orphan})),
    %% Nothing more to do at the same generation.
    ?assertMatch(#{agents := 0, records := 0}, tweann_store:sweep(10, 2)),
    %% Unpinned, 3 goes on the next sweep.
    ok = tweann_store:unpin(agent_id(3)),
    ?assertMatch(#{agents := 1}, tweann_store:sweep(10, 2)),
    ?assertMatch(#{agents := 3}, tweann_store:sweep(100, 0)).

sweep_fields() ->
    [make_agent(G, G, 1) || G <- lists:seq(1, 4)],
    Ids = [agent_id(G) || G <- lists:seq(1, 4)],
    Child = agent_id(4),
    ok = tweann_store:write(
           (tweann_store:read({agent, Child}))#agent{parent_ids = [agent_id(1), agent_id(3)]}),
    ok = tweann_store:write(
           (tweann_store:read({agent, agent_id(3)}))#agent{offspring_ids = [agent_id(1), Child]}),
    Specie = #specie{id = sp, all_agent_ids = [gone | Ids], agent_ids = Ids,
                     dead_pool = [{0.1, agent_id(1)}, {0.2, agent_id(2)}],
                     hall_of_fame = [#champion{id = agent_id(1)}]},
    ok = tweann_store:write(Specie),
    #{agents := 2, fields := Fields} = tweann_store:sweep(4, 1),
    ?assertEqual(5, Fields),
    ?assertEqual([agent_id(3)], (tweann_store:read({agent, Child}))#agent.parent_ids),
    ?assertEqual([Child], (tweann_store:read({agent, agent_id(3)}))#agent.offspring_ids),
    Sp = tweann_store:read({specie, sp}),
    ?assertEqual([agent_id(3), Child], Sp#specie.all_agent_ids),
    ?assertEqual([agent_id(3), Child], Sp#specie.agent_ids),
    ?assertEqual([], Sp#specie.dead_pool),
    %% The hall of fame is the caller's (pin its members); untouched.
    ?assertEqual(Specie#specie.hall_of_fame, Sp#specie.hall_of_fame),
    %% Ids of agents removed by delete_agent/1 go on the next sweep too.
    ok = tweann_store:delete_agent(agent_id(3)),
    #{agents := 0, fields := 3} = tweann_store:sweep(4, 1),
    ?assertEqual([Child], (tweann_store:read({specie, sp}))#specie.all_agent_ids).

sweep_custom_fields() ->
    ok = tweann_store:write(#population{id = p, specie_ids = lists:seq(1, 10),
                                        seed_agent_ids = [a, b]}),
    ok = tweann_store:write(#specie{id = s, dead_pool = [x], all_agent_ids = [gone]}),
    Fields = [{population, [{cap, #population.specie_ids, 3},
                            {ids, #population.seed_agent_ids},
                            {ids, 99}]}],          % beyond the record: ignored
    #{fields := 2} = tweann_store:sweep(1, 1, #{fields => Fields}),
    P = tweann_store:read({population, p}),
    ?assertEqual([1, 2, 3], P#population.specie_ids),
    ?assertEqual([], P#population.seed_agent_ids),
    %% Specie not configured this time: untouched.
    ?assertEqual([x], (tweann_store:read({specie, s}))#specie.dead_pool),
    %% Application environment.
    ok = application:set_env(tweann_nif, sweep_fields, [{specie, [{clear, #specie.dead_pool}]}]),
    try
        #{fields := 1} = tweann_store:sweep(1, 1),
        ?assertEqual([gone], (tweann_store:read({specie, s}))#specie.all_agent_ids),
        ?assertEqual([], (tweann_store:read({specie, s}))#specie.dead_pool)
    after
        application:set_env(tweann_nif, sweep_fields, default)
    end.

append_capped() ->
    A = #agent{id = a, evo_hist = []},
    ok = tweann_store:write(A),
    Ref = {agent, a},
    [ok = tweann_store:append_capped(Ref, #agent.evo_hist, {m, I}, 5) || I <- lists:seq(1, 12)],
    ?assertEqual([{m, I} || I <- lists:seq(12, 8, -1)],
                 (tweann_store:read(Ref))#agent.evo_hist),
    %% Other fields untouched.
    ?assertEqual(A#agent{evo_hist = []}, (tweann_store:read(Ref))#agent{evo_hist = []}),
    ok = tweann_store:append_capped(Ref, #agent.evo_hist, last, 1),
    ?assertEqual([last], (tweann_store:read(Ref))#agent.evo_hist),
    ?assertMatch({1, _}, error_info_cause(
                           fun() -> tweann_store:append_capped({agent, none}, 10, e, 5) end)),
    ?assertMatch({2, _}, error_info_cause(
                           fun() -> tweann_store:append_capped(Ref, #agent.generation, e, 5) end)),
    ?assertMatch({2, _}, error_info_cause(
                           fun() -> tweann_store:append_capped(Ref, 1000, e, 5) end)),
    ?assertMatch({2, _}, error_info_cause(
                           fun() -> tweann_store:append_capped(Ref, 2, e, 5) end)),
    ?assertMatch({4, _}, error_info_cause(
                           fun() -> tweann_store:append_capped(Ref, 10, e, 0) end)).

append_capped_default() ->
    ?assertEqual(50, tweann_store:evo_hist_cap()),
    ok = tweann_store:write(#agent{id = a}),
    [ok = tweann_store:append_capped({agent, a}, #agent.evo_hist, I) || I <- lists:seq(1, 60)],
    ?assertEqual(lists:seq(60, 11, -1), (tweann_store:read({agent, a}))#agent.evo_hist),
    ok = application:set_env(tweann_nif, evo_hist_cap, 3),
    try
        ok = tweann_store:append_capped({agent, a}, #agent.evo_hist, 61),
        ?assertEqual([61, 60, 59], (tweann_store:read({agent, a}))#agent.evo_hist)
    after
        application:set_env(tweann_nif, evo_hist_cap, 50)
    end.

memory() ->
    #{total := #{bytes := B0}} = tweann_store:memory(),
    make_agent(1, 1, 50),
    M = tweann_store:memory(),
    #{total := #{bytes := B1, words := W1}, neuron := #{size := 50, bytes := NB}} = M,
    ?assert(B1 > B0),
    ?assert(NB > 0),
    ?assertEqual(B1, W1 * erlang:system_info(wordsize)),
    [?assert(is_map_key(K, M)) || K <- ?RECORD_TABLES ++ [agent_registry, owned_index,
                                                         owner_index, link_innovation,
                                                         node_innovation]].

concurrent_writers() ->
    Parent = self(),
    Pids = [spawn_link(fun() ->
                               [make_agent(W * 100 + I, W, 10) || I <- lists:seq(1, 20)],
                               Parent ! {done, self()}
                       end) || W <- lists:seq(1, 8)],
    [receive {done, P} -> ok end || P <- Pids],
    ?assertEqual(160, ets:info(tweann_store_tables:table(agent), size)),
    ?assertEqual(1600, ets:info(tweann_store_tables:table(neuron), size)),
    Pids2 = [spawn_link(fun() ->
                                [ok = tweann_store:delete_agent(agent_id(W * 100 + I))
                                 || I <- lists:seq(1, 20)],
                                Parent ! {done, self()}
                        end) || W <- lists:seq(1, 8)],
    [receive {done, P} -> ok end || P <- Pids2],
    ?assertEqual(all_empty(), table_sizes()).

kill_caller() ->
    Parent = self(),
    Pid = spawn(fun() ->
                        make_agent(1, 1, 10),
                        Parent ! written,
                        receive never -> ok end
                end),
    receive written -> ok end,
    Ref = monitor(process, Pid),
    exit(Pid, kill),
    receive {'DOWN', Ref, process, Pid, killed} -> ok end,
    ?assertEqual(14, length(tweann_store:owned(agent_id(1)))),
    ?assertNotEqual(undefined, tweann_store:read({agent, agent_id(1)})).

kill_owner() ->
    Refs = make_agent(1, 1, 10),
    ok = tweann_store:pin(agent_id(1)),
    _ = tweann_innovation:link_innovation(a, b),
    Old = settled(),
    kill_and_wait(Old),
    New = settled(),
    ?assertNotEqual(Old, New),
    [?assertEqual(New, ets:info(T, owner)) || T <- tweann_store_tables:names()],
    Keeper = whereis(tweann_store_keeper),
    [?assertEqual(Keeper, ets:info(T, heir)) || T <- tweann_store_tables:names()],
    [?assertNotEqual(undefined, tweann_store:read(R)) || R <- Refs],
    ?assertEqual(#{generation => 1, pinned => true}, tweann_store:agent_info(agent_id(1))),
    ?assertEqual(1, ets:info(tweann_innovation_link, size)),
    %% And again: the new owner also hands them on.
    kill_and_wait(New),
    Newer = settled(),
    ?assertNotEqual(New, Newer),
    [?assertEqual(Newer, ets:info(T, owner)) || T <- tweann_store_tables:names()],
    ?assertEqual(lists:sort(Refs), lists:sort(tweann_store:owned(agent_id(1)))).

kill_keeper_then_owner() ->
    Refs = make_agent(1, 1, 10),
    Owner = settled(),
    OldKeeper = whereis(tweann_store_keeper),
    kill_and_wait(OldKeeper),
    %% The owner keeps the tables; the new keeper becomes their heir.
    ?assertEqual(Owner, settled()),
    NewKeeper = whereis(tweann_store_keeper),
    ?assertNotEqual(OldKeeper, NewKeeper),
    [?assertEqual(NewKeeper, ets:info(T, heir)) || T <- tweann_store_tables:names()],
    [?assertNotEqual(undefined, tweann_store:read(R)) || R <- Refs],
    kill_and_wait(Owner),
    ?assertNotEqual(Owner, settled()),
    [?assertNotEqual(undefined, tweann_store:read(R)) || R <- Refs].

kill_and_wait(Pid) ->
    Ref = monitor(process, Pid),
    exit(Pid, kill),
    receive {'DOWN', Ref, process, Pid, _} -> ok end.

%% Wait (at most 5000 polls of 1 ms) until the registered owner holds every
%% table with the registered keeper as heir; returns the owner.
settled() ->
    settled(5000).

settled(0) ->
    error(not_settled);
settled(N) ->
    Owner = whereis(tweann_store_owner),
    Keeper = whereis(tweann_store_keeper),
    case is_pid(Owner) andalso is_pid(Keeper) andalso
        lists:all(fun(T) -> ets:info(T, owner) =:= Owner andalso ets:info(T, heir) =:= Keeper end,
                  tweann_store_tables:names()) of
        true -> Owner;
        false -> timer:sleep(1), settled(N - 1)
    end.
