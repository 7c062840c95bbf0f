%% Adversarial EUnit tests for tweann_store: concurrent writers against
%% sweeps, register/pin/sweep races, bursts of owner and keeper kills, and
%% store calls after the application has stopped.
%%
%% Races are provoked two ways:
%% <ul>
%%  <li>Free-running processes (the way the issue found them); the figures
%%      depend on the host's load.</li>
%%  <li>A preemption sweep ({@link preemption_sweep/4}): with one scheduler
%%      online, a process runs the call under test with a reduction budget
%%      that runs out after K reductions, for K = 0, 1, 2, ..., and the
%%      competing call runs exactly where it is preempted. Reduction counts
%%      are deterministic, so this tries the competing call at every
%%      preemption point of the call under test, on any host.</li>
%% </ul>
%%
%% Each test prints its figures on lines starting with `[store]'. None
%% asserts a duration: loops are bounded by iteration counts, and the waits
%% for a restarted process are bounded by a number of 1 ms polls.
-module(tweann_store_chaos_tests).

-include_lib("eunit/include/eunit.hrl").

-define(POLLS, 5000).

chaos_test_() ->
    {foreach, fun start/0, fun stop/1,
     [{timeout, 60, {"write/2 racing sweeps leaves no orphans", fun writers_vs_sweeps/0}},
      {timeout, 60, {"write/2 preempted at every point by delete_agent/1 or sweep/3",
                     fun write_preempted/0}},
      {timeout, 60, {"register_agent/2 racing pin/1 loses no pin", fun register_vs_pin/0}},
      {timeout, 60, {"register_agent/2 preempted at every point by register + pin",
                     fun register_preempted/0}},
      {timeout, 60, {"pin/1 and register_agent/2 racing sweeps lose nothing",
                     fun pin_register_vs_sweep/0}},
      {timeout, 60, {"sweep/3 preempted at every point by pin/1 or register_agent/2",
                     fun sweep_preempted/0}},
      {timeout, 60, {"a burst of 50 owner kills loses nothing", fun owner_kill_burst/0}},
      {timeout, 60, {"keeper and owner kills in turn lose nothing", fun keeper_owner_kills/0}},
      {timeout, 60, {"store calls after application:stop/1 say so", fun calls_after_stop/0}}]}.

start() ->
    {ok, _} = application:ensure_all_started(tweann_nif),
    ok = tweann_store:clear(),
    ok.

stop(_) ->
    %% A test may have stopped the application (or had it stopped).
    {ok, _} = application:ensure_all_started(tweann_nif),
    ok = tweann_store:clear().

report(Format, Args) ->
    io:format(user, "~n[store] " ++ Format, Args).

%%% write/2 against sweeps ------------------------------------------------

%% Writers register agents at the current generation and write records for
%% them, while a sweeper advances the generation and sweeps everything
%% older. A record whose agent a sweep already removed must not be
%% accepted, or nothing will ever sweep it: after a final sweep of
%% everything the store must be empty.
writers_vs_sweeps() ->
    Writers = 3,
    Agents = 2000,
    Records = 4,
    Gen = atomics:new(1, [{signed, true}]),
    Parent = self(),
    Go = make_ref(),
    Sweeper = spawn_link(fun() -> receive Go -> ok end, sweeper(Gen, 0) end),
    Pids = [spawn_link(fun() ->
                               receive Go -> ok end,
                               Parent ! {self(), writer(W, Agents, Records, Gen)}
                       end) || W <- lists:seq(1, Writers)],
    [P ! Go || P <- [Sweeper | Pids]],
    Results = [receive {P, R} -> R end || P <- Pids],
    Sweeper ! {stop, self()},
    Sweeps = receive {Sweeper, N} -> N end,
    Accepted = lists:sum([A || {A, _} <- Results]),
    Refused = lists:sum([R || {_, R} <- Results]),
    #{agents := _} = tweann_store:sweep(atomics:get(Gen, 1) + 1000, 0, #{fields => []}),
    Orphans = ets:info(tweann_store_tables:table(neuron), size),
    Index = ets:info(tweann_store_tables:owned(), size),
    Reverse = ets:info(tweann_store_tables:owner_of(), size),
    report("writers vs sweeps: ~b writes accepted, ~b refused, ~b sweeps; "
           "orphans never swept: ~b records, ~b index entries, ~b reverse entries",
           [Accepted, Refused, Sweeps, Orphans, Index, Reverse]),
    ?assertEqual(Writers * Agents * Records, Accepted + Refused),
    ?assertEqual({0, 0, 0}, {Orphans, Index, Reverse}),
    ?assertEqual(0, ets:info(tweann_store_tables:registry(), size)).

%% Each write is preceded by a yield, so that sweeps run between the writes
%% of one agent.
writer(W, Agents, Records, Gen) ->
    lists:foldl(
      fun(I, {Acc, Ref}) ->
              A = {W, I},
              ok = tweann_store:register_agent(A, atomics:get(Gen, 1)),
              lists:foldl(
                fun(R, {Acc1, Ref1}) ->
                        erlang:yield(),
                        try tweann_store:write({neuron, {A, R}, payload}, A) of
                            ok -> {Acc1 + 1, Ref1}
                        catch
                            error:badarg -> {Acc1, Ref1 + 1}
                        end
                end, {Acc, Ref}, lists:seq(1, Records))
      end, {0, 0}, lists:seq(1, Agents)).

sweeper(Gen, N) ->
    receive
        {stop, From} -> From ! {self(), N}
    after 0 ->
            G = atomics:add_get(Gen, 1, 1),
            _ = tweann_store:sweep(G, 0, #{fields => []}),
            erlang:yield(),
            sweeper(Gen, N + 1)
    end.

%% write/2 of a new record for a registered agent, preempted at each point
%% by delete_agent/1 of that agent (then, in a second sweep, by sweep/3).
%% Whatever the point, the record must not outlive the agent: after a final
%% sweep of everything the store must be empty.
write_preempted() ->
    N = 150,
    Results =
        [preemption_sweep(
           N,
           fun(K) -> ok = tweann_store:register_agent({Kind, K}, 0) end,
           fun(K) -> tweann_store:write({neuron, {Kind, K}, x}, {Kind, K}) end,
           Intruder)
         || {Kind, Intruder} <-
                [{deleted, fun(K) -> tweann_store:delete_agent({deleted, K}) end},
                 {swept, fun(_) -> tweann_store:sweep(1, 0, #{fields => []}) end}]],
    Inside = length([x || {_, _, _, true} <- lists:append(Results)]),
    Refused = length([x || {_, {'EXIT', {badarg, _}}, _, _} <- lists:append(Results)]),
    #{agents := _} = tweann_store:sweep(1000, 0, #{fields => []}),
    Left = {ets:info(tweann_store_tables:table(neuron), size),
            ets:info(tweann_store_tables:owned(), size),
            ets:info(tweann_store_tables:owner_of(), size)},
    report("write/2 preempted by delete_agent/1 and sweep/3 at ~b points (~b inside the call, "
           "~b writes refused): orphans (records, index, reverse index) ~w",
           [2 * N, Inside, Refused, Left]),
    ?assert(Inside >= 10),
    ?assertEqual({0, 0, 0}, Left).

%%% register_agent/2 against pin/1 ---------------------------------------

%% A leader publishes agent ids 1..20 000 one by one; for each it
%% registers the agent and pins it. A chaser keeps registering whichever id
%% the leader published last, so that its registrations of a new agent
%% overlap the leader's. The pin must survive every registration.
register_vs_pin() ->
    N = 20000,
    Current = atomics:new(1, [{signed, true}]),
    Parent = self(),
    Chaser = spawn_link(fun() -> chase(Current, 0) end),
    Leader = spawn_link(
               fun() ->
                       [begin
                            atomics:put(Current, 1, I),
                            ok = tweann_store:register_agent({racer, I}, 1),
                            ok = tweann_store:pin({racer, I})
                        end || I <- lists:seq(1, N)],
                       Parent ! {self(), done}
               end),
    receive {Leader, done} -> ok end,
    Chaser ! {stop, self()},
    Chases = receive {Chaser, C} -> C end,
    Lost = length([I || I <- lists:seq(1, N),
                        tweann_store:agent_info({racer, I}) =/=
                            #{generation => 1, pinned => true}]),
    report("register_agent/2 racing register_agent/2 + pin/1: ~b lost pins in ~b agents "
           "(~b racing registrations)", [Lost, N, Chases]),
    ?assertEqual(0, Lost).

chase(Current, N) ->
    receive
        {stop, From} -> From ! {self(), N}
    after 0 ->
            case atomics:get(Current, 1) of
                0 -> erlang:yield(), chase(Current, N);
                I -> ok = tweann_store:register_agent({racer, I}, 1), chase(Current, N + 1)
            end
    end.

%% register_agent/2 of a new agent, preempted at each point by another
%% process that registers the agent and pins it. The pin must hold.
register_preempted() ->
    N = 80,
    Results = preemption_sweep(
                N,
                fun(_) -> ok end,
                fun(K) -> tweann_store:register_agent({pre, K}, 1) end,
                fun(K) ->
                        ok = tweann_store:register_agent({pre, K}, 1),
                        tweann_store:pin({pre, K})
                end),
    Inside = length([x || {_, _, _, true} <- Results]),
    Lost = [K || {K, ok, ok, _} <- Results,
                 tweann_store:agent_info({pre, K}) =/= #{generation => 1, pinned => true}],
    Failed = [R || {_, M, I, _} = R <- Results, {M, I} =/= {ok, ok}],
    report("register_agent/2 preempted by register_agent/2 + pin/1 at ~b points "
           "(~b inside the call): ~b lost pins", [N, Inside, length(Lost)]),
    ?assertEqual([], Failed),
    ?assert(Inside >= 3),
    ?assertEqual([], Lost).

%%% pin/1 and register_agent/2 against sweeps -----------------------------

%% Rounds of 1000 agents born in generation 0 are swept at generation 1
%% while one process pins the even ones and another re-registers the odd
%% ones in generation 5. A pin or a registration that returned ok must hold
%% afterwards: the sweep may take an agent only before it was pinned or
%% re-registered (and then pin/1 raises, or register_agent/2 creates it
%% anew).
pin_register_vs_sweep() ->
    Rounds = 30,
    PerRound = 1000,
    Lost = lists:sum([sweep_round(R, PerRound) || R <- lists:seq(1, Rounds)]),
    report("pin/1 and register_agent/2 racing sweep/3: ~b lost in ~b agents",
           [Lost, Rounds * PerRound]),
    ?assertEqual(0, Lost).

sweep_round(Round, PerRound) ->
    ok = tweann_store:clear(),
    Ids = [{Round, I} || I <- lists:seq(1, PerRound)],
    [begin
         ok = tweann_store:register_agent(A, 0),
         ok = tweann_store:write({neuron, A, payload}, A)
     end || A <- Ids],
    Parent = self(),
    Go = make_ref(),
    Even = [A || {_, I} = A <- Ids, I rem 2 =:= 0],
    Odd = [A || {_, I} = A <- Ids, I rem 2 =:= 1],
    Workers =
        [spawn_link(fun() -> receive Go -> ok end,
                             _ = tweann_store:sweep(1, 0, #{fields => []}),
                             Parent ! {self(), []}
                    end),
         spawn_link(fun() -> receive Go -> ok end,
                             Pinned = [A || A <- lists:reverse(Even),
                                            try tweann_store:pin(A) of ok -> true
                                            catch error:badarg -> false end],
                             Parent ! {self(), [{pinned, A} || A <- Pinned]}
                    end),
         spawn_link(fun() -> receive Go -> ok end,
                             [ok = tweann_store:register_agent(A, 5) || A <- lists:reverse(Odd)],
                             Parent ! {self(), [{registered, A} || A <- Odd]}
                    end)],
    [W ! Go || W <- Workers],
    Claims = lists:append([receive {W, C} -> C end || W <- Workers]),
    length([C || C <- Claims, not holds(C)]).

holds({pinned, A}) ->
    case tweann_store:agent_info(A) of
        #{pinned := true} -> tweann_store:read({neuron, A}) =/= undefined;
        _ -> false
    end;
holds({registered, A}) ->
    case tweann_store:agent_info(A) of
        #{generation := 5} -> true;
        _ -> false
    end.

%% sweep/3 with one victim, preempted at each point by pin/1 of the victim
%% (even K) or by register_agent/2 in a later generation (odd K). A pin or
%% registration that returned ok must hold.
sweep_preempted() ->
    N = 200,
    Results = preemption_sweep(
                N,
                fun(K) ->
                        ok = tweann_store:register_agent({sw, K}, 0),
                        ok = tweann_store:write({neuron, {sw, K}, x}, {sw, K})
                end,
                fun(_) -> tweann_store:sweep(1, 0, #{fields => []}) end,
                fun(K) when K rem 2 =:= 0 -> tweann_store:pin({sw, K});
                   (K) -> tweann_store:register_agent({sw, K}, 5)
                end),
    Inside = length([x || {_, _, _, true} <- Results]),
    Lost = [K || {K, _, ok, _} <- Results, not holds(claim(K))],
    report("sweep/3 preempted by pin/1 or register_agent/2 at ~b points "
           "(~b inside the call): ~b lost", [N, Inside, length(Lost)]),
    ?assert(Inside >= 10),
    ?assertEqual([], Lost).

claim(K) when K rem 2 =:= 0 -> {pinned, {sw, K}};
claim(K) -> {registered, {sw, K}}.

%% For K = 0 .. N - 1: Setup(K) in the test process, then Main(K) in a
%% process whose reduction budget runs out about K reductions into the call,
%% and Intruder(K) in a second process that becomes runnable just before
%% Main(K) starts. With one scheduler online, the intruder therefore runs
%% where Main(K) is preempted (or before it, or after it, for K out of the
%% call's range). Returns [{K, MainResult, IntruderResult, Inside}] (results
%% caught), Inside telling whether the intruder ran while Main(K) was under
%% way.
preemption_sweep(N, Setup, Main, Intruder) ->
    Online = erlang:system_flag(schedulers_online, 1),
    try
        [preempt_at(K, Setup, Main, Intruder) || K <- lists:seq(0, N - 1)]
    after
        erlang:system_flag(schedulers_online, Online)
    end.

%% The reductions a process may run before it is scheduled out
%% (CONTEXT_REDS of the runtime).
-define(BUDGET, 4000).

preempt_at(K, Setup, Main, Intruder) ->
    Setup(K),
    Parent = self(),
    %% 1: Main(K) started; 2: the intruder started while 1 was set;
    %% 3: Main(K) returned.
    Flags = atomics:new(3, []),
    I = spawn_link(fun() ->
                           receive go -> ok end,
                           atomics:put(Flags, 2, atomics:get(Flags, 1) - atomics:get(Flags, 3)),
                           Parent ! {self(), catch Intruder(K)}
                   end),
    M = spawn_link(fun() ->
                           erlang:yield(),
                           erlang:bump_reductions(?BUDGET - 1 - K),
                           I ! go,
                           atomics:put(Flags, 1, 1),
                           R = (catch Main(K)),
                           atomics:put(Flags, 3, 1),
                           Parent ! {self(), R}
                   end),
    MR = receive {M, R1} -> R1 end,
    IR = receive {I, R2} -> R2 end,
    {K, MR, IR, atomics:get(Flags, 2) =:= 1}.

%%% Owner and keeper kills ------------------------------------------------

%% 50 owners are killed as fast as they appear (often before the keeper has
%% handed them the tables) while a reader keeps reading. Every table keeps
%% its content, the reader never fails, and the application keeps running.
owner_kill_burst() ->
    fill(),
    Before = snapshot(),
    Reader = spawn_link(fun() -> reader(0, 0) end),
    T0 = erlang:monotonic_time(millisecond),
    Killed = kill_burst(tweann_store_owner, 50, undefined, 0),
    Ms = erlang:monotonic_time(millisecond) - T0,
    settle(),
    Reader ! {stop, self()},
    {Reads, Failures} = receive {Reader, R} -> R end,
    Lost = lost_tables(Before),
    Running = lists:keymember(tweann_nif, 1, application:which_applications()),
    report("owner kill burst: ~b owners killed in ~b ms; ~b of ~b tables lost or changed; "
           "application running: ~p; ~b reads, ~b failed",
           [Killed, Ms, Lost, length(Before), Running, Reads, Failures]),
    ?assertEqual(50, Killed),
    ?assert(Running),
    ?assertEqual(0, Lost),
    ?assertEqual(0, Failures),
    %% Still usable.
    ok = tweann_store:register_agent(after_burst, 1),
    ok = tweann_store:write({neuron, after_burst, x}, after_burst),
    ?assertEqual({neuron, after_burst, x}, tweann_store:read({neuron, after_burst})).

%% The keeper is killed (5 times: within the top supervisor's restart
%% intensity), each time followed by a burst of owner kills.
keeper_owner_kills() ->
    fill(),
    Before = snapshot(),
    Kills = [begin
                 settle(),
                 K = kill_and_wait(whereis(tweann_store_keeper)),
                 _ = wait_for_new(tweann_store_keeper, K),
                 settle(),
                 kill_burst(tweann_store_owner, 10, undefined, 0)
             end || _ <- lists:seq(1, 5)],
    settle(),
    Lost = lost_tables(Before),
    report("keeper/owner kills: 5 keepers and ~b owners killed; ~b tables lost or changed",
           [lists:sum(Kills), Lost]),
    ?assertEqual(0, Lost).

%% Kill N successive holders of Name as soon as each appears. Each kill is
%% awaited (exit/2 only sends the signal): the next step of a test may kill
%% the keeper, and killing the keeper while the owner is still dying is the
%% one case the design does not cover (both at once).
kill_burst(_Name, 0, _Last, Killed) ->
    Killed;
kill_burst(Name, N, Last, Killed) ->
    case wait_for_new(Name, Last) of
        undefined ->
            Killed;
        Pid ->
            kill_and_wait(Pid),
            kill_burst(Name, N - 1, Pid, Killed + 1)
    end.

reader(Reads, Failures) ->
    receive
        {stop, From} -> From ! {self(), {Reads, Failures}}
    after 0 ->
            erlang:yield(),
            Ok = try tweann_store:read({neuron, {filled, 1}}) of
                     {neuron, _, _} -> true;
                     _ -> false
                 catch _:_ -> false
                 end,
            reader(Reads + 1, case Ok of true -> Failures; false -> Failures + 1 end)
    end.

%% Something in every table.
fill() ->
    [begin
         A = {filled, I},
         ok = tweann_store:register_agent(A, I),
         [ok = tweann_store:write({T, A, I}, A) || T <- tweann_store_tables:record_tags()]
     end || I <- lists:seq(1, 20)],
    ok = tweann_store:pin({filled, 1}),
    [_ = tweann_innovation:link_innovation(I, I + 1) || I <- lists:seq(1, 20)],
    [_ = tweann_innovation:node_innovation(I, I + 1) || I <- lists:seq(1, 20)],
    ok.

snapshot() ->
    [{T, lists:sort(ets:tab2list(T))} || T <- tweann_store_tables:names()].

lost_tables(Before) ->
    length([T || {T, Rows} <- Before,
                 (ets:whereis(T) =:= undefined) orelse lists:sort(ets:tab2list(T)) =/= Rows]).

%% Wait until the registered owner owns every table and the registered
%% keeper is their heir (bounded; gives up quietly, the caller's checks
%% then fail).
settle() ->
    poll(fun() ->
                 Owner = whereis(tweann_store_owner),
                 Keeper = whereis(tweann_store_keeper),
                 is_pid(Owner) andalso is_pid(Keeper) andalso
                     lists:all(fun(T) ->
                                       ets:info(T, owner) =:= Owner andalso
                                           ets:info(T, heir) =:= Keeper
                               end, tweann_store_tables:names())
         end, ?POLLS).

wait_for_new(Name, Old) ->
    poll(fun() ->
                 case whereis(Name) of
                     Pid when is_pid(Pid), Pid =/= Old -> Pid;
                     _ -> false
                 end
         end, ?POLLS).

poll(_Fun, 0) ->
    undefined;
poll(Fun, N) ->
    case Fun() of
        false -> timer:sleep(1), poll(Fun, N - 1);
        Value -> Value
    end.

kill_and_wait(Pid) ->
    Ref = monitor(process, Pid),
    exit(Pid, kill),
    receive {'DOWN', Ref, process, Pid, _} -> Pid end.

%%% After application:stop/1 ----------------------------------------------

calls_after_stop() ->
    ok = tweann_store:register_agent(a, 1),
    ok = application:stop(tweann_nif),
    Calls = [{write, [{neuron, n, x}]},
             {write, [{neuron, n, x}, a]},
             {read, [{neuron, n}]},
             {delete, [{neuron, n}]},
             {select, [neuron, [{'_', [], ['$_']}]]},
             {fold, [fun(_, Acc) -> Acc end, 0, neuron]},
             {register_agent, [a, 1]},
             {delete_agent, [a]},
             {owned, [a]},
             {agent_info, [a]},
             {pin, [a]},
             {unpin, [a]},
             {sweep, [1, 1]},
             {sweep, [1, 1, #{}]},
             {append_capped, [{agent, a}, 3, x]},
             {append_capped, [{agent, a}, 3, x, 5]},
             {memory, []},
             {clear, []}],
    Results = [{F, length(A), stopped_error(F, A)} || {F, A} <- Calls],
    Bad = [R || {_, _, Why} = R <- Results, Why =/= ok],
    report("store calls after application:stop/1: ~b of ~b raise the documented error",
           [length(Calls) - length(Bad), length(Calls)]),
    ?assertEqual([], Bad),
    %% The exported functions are all covered.
    Exported = [FA || {F, _} = FA <- tweann_store:module_info(exports),
                      F =/= module_info],
    ?assertEqual(lists:usort(Exported) -- [{evo_hist_cap, 0}],
                 lists:usort([{F, length(A)} || {F, A} <- Calls])).

%% ok if tweann_store:F(Args...) raises error:badarg with error_info whose
%% general cause says that the store is not running.
stopped_error(F, Args) ->
    try apply(tweann_store, F, Args) of
        Value -> {returned, Value}
    catch
        error:badarg:St ->
            case St of
                [{tweann_store, F, _, Info} | _] ->
                    case proplists:get_value(error_info, Info) of
                        #{module := tweann_error} ->
                            case tweann_error:format_error(badarg, St) of
                                #{general := Msg} ->
                                    case string:find(Msg, "not running") of
                                        nomatch -> {message, Msg};
                                        _ -> ok
                                    end;
                                Other -> {cause, Other}
                            end;
                        Other -> {error_info, Other}
                    end;
                _ -> {bare_badarg, hd(St)}
            end;
        Class:Reason -> {Class, Reason}
    end.
