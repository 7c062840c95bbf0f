%% @doc Spreads the evaluation of a population over connected nodes.
%%
%% {@link evaluate_population/3} runs `Mod:Fun(Network, Args...)' once per
%% network, on the nodes of the `nodes' option, and returns the results in
%% input order. It is built on Erlang distribution only: one agent process
%% per node (spawned there, monitored from here), messages, and monitors.
%%
%% == How work moves ==
%% <ul>
%% <li>Each node's agent announces its slots (by default that node's
%%     scheduler count) and is sent one item per free slot, plus as many
%%     again queued on the node so that no slot waits for a round trip;
%%     every finished item pulls the next. Faster nodes therefore do more.</li>
%% <li>A network travels to a node as its binary
%%     ({@link tweann_nif:network_to_binary/1}), at most once per node and
%%     run: the agent rebuilds it ({@link tweann_nif:network_from_binary/1})
%%     and caches it for the other items that use it. The local node gets the
%%     network itself, without serialization.</li>
%% <li>An item whose function raises gets `{error, {Class, Reason,
%%     Stacktrace}}'; one that runs longer than the `timeout' option is
%%     killed and gets `{error, timeout}'; the other items go on.</li>
%% <li>When a node goes down (or its agent dies), the items it had not
%%     finished are queued again and run on the other nodes, each item at
%%     most `max_attempts' times in all; an item that cannot be run gets
%%     `{error, {nodedown, Node, Reason}}' (its last node) or
%%     `{error, no_nodes}'.</li>
%% </ul>
%%
%% Every node must run this library (the same version: the binary format is
%% versioned) and have `Mod' loaded or loadable. See `docs/cluster.md'.
-module(tweann_cluster).

-include("tweann_error.hrl").

-export([evaluate_population/3, run/3]).

-export_type([item_result/0, options/0, node_stats/0]).

-type item_result() :: {ok, term()} | {error, term()}.
%% One item's outcome: `{ok, Result}', or `{error, Reason}' (the reasons are
%% listed in the module description).
-type options() :: #{nodes => [node()],
                     concurrency => pos_integer() | #{node() => pos_integer()},
                     timeout => pos_integer() | infinity,
                     max_attempts => pos_integer()}.
%% The options of {@link evaluate_population/3}.
-type node_stats() :: #{items := non_neg_integer(), shipped := non_neg_integer(),
                        shipped_bytes := non_neg_integer(), lost := non_neg_integer(),
                        slots := non_neg_integer(), down := false | term()}.
%% Per node: items finished there, networks shipped there (binaries and
%% their bytes), items started there and lost with the node or agent, the
%% slots the node announced, and `false', or why the node or its agent went
%% down (`noconnection' for a node that could not be reached).

-define(KNOWN_OPTS, [nodes, concurrency, timeout, max_attempts]).

%% Coordinator state.
-record(st, {
    mfa :: {module(), atom(), [term()]},
    nets :: #{pos_integer() => {term(), binary() | undefined | {error, term()}}},
    items :: #{pos_integer() => pos_integer()},        % item index => net id
    queue :: queue:queue(pos_integer()),
    attempts :: #{pos_integer() => non_neg_integer()},
    results :: #{pos_integer() => item_result()},
    total :: non_neg_integer(),
    max_attempts :: pos_integer(),
    agents :: #{pid() => #{node := node(), mref := reference(), free := non_neg_integer(),
                           running := #{pos_integer() => true}, known := #{pos_integer() => true}}},
    stats :: #{node() => node_stats()},
    last_down :: undefined | {node(), term()}
}).

%%====================================================================
%% PUBLIC API
%%====================================================================

%% @doc Runs `Mod:Fun(Network, Args...)' for every network of `Networks'
%% (compiled networks, or binaries of {@link tweann_nif:network_to_binary/1})
%% on the nodes of `Opts' and returns one result per network, in input order.
%%
%% Options:
%% <ul>
%% <li>`nodes': the nodes to use (default `[node() | nodes()]');</li>
%% <li>`concurrency': items run at once per node, one number for all nodes or
%%     a map per node (default: each node's `schedulers_online');</li>
%% <li>`timeout': milliseconds one item may run once started, or `infinity'
%%     (the default);</li>
%% <li>`max_attempts': how many times an item is started before the loss of
%%     its node counts as its result (default 3).</li>
%% </ul>
-spec evaluate_population([tweann_nif:network() | binary()], {module(), atom(), [term()]},
                          options()) -> [item_result()].
evaluate_population(Networks, MFA, Opts) ->
    {Results, _Stats} = checked(Networks, MFA, Opts),
    Results.

%% @doc As {@link evaluate_population/3}, and also returns what each node did
%% (the type `node_stats()').
-spec run([tweann_nif:network() | binary()], {module(), atom(), [term()]}, options()) ->
          {[item_result()], #{node() => node_stats()}}.
run(Networks, MFA, Opts) ->
    checked(Networks, MFA, Opts).

%%====================================================================
%% PRIVATE: validation and start
%%====================================================================

%% Validation failures leave start/3 as error({tweann_error, badarg, Pos,
%% Why}); the public function (inlined macro) raises them with error_info.
-define(CHECKED(Args, Expr),
        try Expr
        catch error:{tweann_error, Class__, Pos__, Why__} ->
                ?TWEANN_ERROR(Class__, Args, Pos__, Why__)
        end).

%% Inlined into both public functions, so they stay the top frame.
-compile({inline, [checked/3]}).
checked(Networks, MFA, Opts) ->
    ?CHECKED([Networks, MFA, Opts], start(Networks, MFA, Opts)).

-spec invalid(pos_integer(), iodata()) -> no_return().
invalid(Pos, Why) ->
    erlang:error({tweann_error, badarg, Pos, Why}).

start(Networks, MFA, Opts) ->
    proper_list(Networks) orelse invalid(1, "not a proper list of networks"),
    case MFA of
        {M, F, A} when is_atom(M), is_atom(F), is_list(A) -> ok;
        _ -> invalid(2, "not {Module, Function, ExtraArgs} (Module:Function(Net, ExtraArgs...))")
    end,
    Config = options(Opts),
    Caller = self(),
    Tag = make_ref(),
    {Pid, MRef} = spawn_monitor(fun() -> coordinate(Caller, Tag, Networks, MFA, Config) end),
    receive
        {Tag, Reply} ->
            erlang:demonitor(MRef, [flush]),
            Reply;
        {'DOWN', MRef, process, Pid, Reason} ->
            erlang:error({tweann_cluster_coordinator_died, Reason})
    end.

-spec bad_option(iodata()) -> no_return().
bad_option(Why) ->
    invalid(3, Why).

proper_list(L) when is_list(L) ->
    try length(L) of _ -> true catch error:badarg -> false end;
proper_list(_) ->
    false.

options(Opts) when is_map(Opts) ->
    case maps:keys(Opts) -- ?KNOWN_OPTS of
        [] -> ok;
        [K | _] -> bad_option(io_lib:format("unknown option ~tp (known: ~tp)",
                                                       [K, ?KNOWN_OPTS]))
    end,
    Nodes = case maps:get(nodes, Opts, [node() | nodes()]) of
                Ns when is_list(Ns), Ns =/= [] ->
                    lists:all(fun is_atom/1, Ns) orelse
                        bad_option("nodes must be a list of node names"),
                    lists:usort(Ns);
                _ -> bad_option("nodes must be a non-empty list of node names")
            end,
    Conc = case maps:get(concurrency, Opts, default) of
               default -> fun(_) -> default end;
               C when is_integer(C), C > 0 -> fun(_) -> C end;
               CM when is_map(CM) ->
                   lists:all(fun(V) -> is_integer(V) andalso V > 0 end, maps:values(CM))
                       orelse bad_option("concurrency values must be positive integers"),
                   fun(N) -> maps:get(N, CM, default) end;
               _ -> bad_option("concurrency must be a positive integer "
                               "or a map of node => integer")
           end,
    Timeout = case maps:get(timeout, Opts, infinity) of
                  infinity -> infinity;
                  T when is_integer(T), T > 0 -> T;
                  _ -> bad_option("timeout must be a positive integer "
                                  "(milliseconds) or infinity")
              end,
    Max = case maps:get(max_attempts, Opts, 3) of
              MA when is_integer(MA), MA > 0 -> MA;
              _ -> bad_option("max_attempts must be a positive integer")
          end,
    #{nodes => Nodes, concurrency => Conc, timeout => Timeout, max_attempts => Max};
options(_Opts) ->
    invalid(3, "options must be a map").

%%====================================================================
%% PRIVATE: the coordinator
%%====================================================================

coordinate(Caller, Tag, Networks, MFA, #{nodes := Nodes, concurrency := Conc,
                                         timeout := Timeout, max_attempts := Max}) ->
    CallerRef = monitor(process, Caller),
    {Items, Nets} = number(Networks),
    Total = map_size(Items),
    %% An agent on every node that can be reached (a node that cannot counts
    %% as down from the start).
    Reachable = [N || N <- Nodes, N =:= node() orelse net_kernel:connect_node(N) =:= true],
    Agents = maps:from_list(
               [begin
                    {Pid, MRef} = spawn_opt(Node, tweann_cluster_agent, start,
                                            [self(), Conc(Node), Timeout, MFA], [monitor]),
                    {Pid, #{node => Node, mref => MRef, free => 0, running => #{}, known => #{}}}
                end || Node <- Reachable]),
    Stats = maps:from_list([{N, #{items => 0, shipped => 0, shipped_bytes => 0, lost => 0,
                                  slots => 0,
                                  down => case lists:member(N, Reachable) of
                                              true -> false;
                                              false -> noconnection
                                          end}}
                            || N <- Nodes]),
    LastDown = case Nodes -- Reachable of
                   [] -> undefined;
                   Unreachable -> {lists:last(Unreachable), noconnection}
               end,
    St = #st{mfa = MFA, nets = Nets, items = Items,
             queue = queue:from_list(lists:seq(1, Total)),
             attempts = #{}, results = #{}, total = Total, max_attempts = Max,
             agents = Agents, stats = Stats, last_down = LastDown},
    Final = loop(St, CallerRef),
    _ = [Pid ! {tweann_cluster, stop} || Pid <- maps:keys(Final#st.agents)],
    Results = [maps:get(I, Final#st.results) || I <- lists:seq(1, Total)],
    Caller ! {Tag, {Results, Final#st.stats}}.

%% Each distinct network gets an id: the same reference, the same term or
%% the same binary ship once.
number(Networks) ->
    {Items, Ids, _} =
        lists:foldl(fun(Net, {Is, Seen, I}) ->
                            case Seen of
                                #{Net := Id} -> {Is#{I => Id}, Seen, I + 1};
                                _ ->
                                    Id = map_size(Seen) + 1,
                                    {Is#{I => Id}, Seen#{Net => Id}, I + 1}
                            end
                    end, {#{}, #{}, 1}, Networks),
    Nets = maps:from_list([{Id, {Net, undefined}} || {Net, Id} <- maps:to_list(Ids)]),
    {Items, Nets}.

loop(#st{total = Total, results = Results} = St, _CallerRef) when map_size(Results) =:= Total ->
    St;
loop(#st{agents = Agents} = St, CallerRef) when map_size(Agents) =:= 0 ->
    %% No node left: everything not finished fails.
    Why = case St#st.last_down of
              undefined -> no_nodes;
              {Node, Reason} -> {nodedown, Node, Reason}
          end,
    Rest = [I || I <- lists:seq(1, St#st.total), not is_map_key(I, St#st.results)],
    loop(St#st{results = maps:merge(St#st.results, maps:from_list([{I, {error, Why}} || I <- Rest]))},
         CallerRef);
loop(St, CallerRef) ->
    receive
        {tweann_cluster, ready, Pid, Slots, Window} ->
            St1 = update_agent(Pid, St, fun(A) -> A#{free := Window} end),
            St2 = stat(Pid, St1, fun(S) -> S#{slots := Slots} end),
            loop(dispatch(St2), CallerRef);
        {tweann_cluster, done, Pid, I, Result} ->
            St1 = finish(Pid, I, Result, St),
            loop(dispatch(St1), CallerRef);
        {'DOWN', _MRef, process, Pid, Reason} when is_map_key(Pid, St#st.agents) ->
            loop(dispatch(agent_down(Pid, Reason, St)), CallerRef);
        {'DOWN', CallerRef, process, _, _} ->
            %% The caller is gone: stop everything.
            _ = [P ! {tweann_cluster, stop} || P <- maps:keys(St#st.agents)],
            exit(normal)
    end.

update_agent(Pid, #st{agents = Agents} = St, Fun) ->
    case Agents of
        #{Pid := A} -> St#st{agents = Agents#{Pid := Fun(A)}};
        _ -> St
    end.

stat(Pid, #st{agents = Agents, stats = Stats} = St, Fun) ->
    case Agents of
        #{Pid := #{node := Node}} ->
            St#st{stats = Stats#{Node := Fun(maps:get(Node, Stats))}};
        _ -> St
    end.

finish(Pid, I, Result, #st{agents = Agents, results = Results} = St) ->
    case Agents of
        #{Pid := #{running := #{I := _} = Running, free := Free} = A} ->
            St1 = St#st{agents = Agents#{Pid := A#{running := maps:remove(I, Running),
                                                    free := Free + 1}},
                        results = Results#{I => Result}},
            stat(Pid, St1, fun(S = #{items := N}) -> S#{items := N + 1} end);
        _ ->
            St
    end.

agent_down(Pid, Reason, #st{agents = Agents, queue = Q0, attempts = Att} = St) ->
    #{node := Node, running := Running} = maps:get(Pid, Agents),
    {Q, Results} =
        lists:foldl(fun(I, {Q1, R}) ->
                            case maps:get(I, Att, 0) >= St#st.max_attempts of
                                true -> {Q1, R#{I => {error, {nodedown, Node, Reason}}}};
                                false -> {queue:in_r(I, Q1), R}
                            end
                    end, {Q0, St#st.results}, lists:sort(maps:keys(Running))),
    St1 = stat(Pid, St, fun(S = #{lost := L}) -> S#{lost := L + map_size(Running),
                                                    down := Reason} end),
    St1#st{agents = maps:remove(Pid, Agents), queue = Q, results = Results,
           last_down = {Node, Reason}}.

%% Give queued items to agents with free slots.
dispatch(#st{queue = Q, agents = Agents} = St) ->
    case queue:is_empty(Q) of
        true -> St;
        false ->
            case [P || {P, #{free := F}} <- maps:to_list(Agents), F > 0] of
                [] -> St;
                Free -> dispatch(send_items(Free, St))
            end
    end.

%% One item to each agent with a free slot, in turn.
send_items([], St) ->
    St;
send_items([Pid | Pids], #st{queue = Q} = St) ->
    case queue:out(Q) of
        {empty, _} -> St;
        {{value, I}, Q1} -> send_items(Pids, send_item(Pid, I, St#st{queue = Q1}))
    end.

send_item(Pid, I, #st{agents = Agents, items = Items, attempts = Att} = St) ->
    #{node := Node, known := Known, running := Running, free := Free} = A = maps:get(Pid, Agents),
    Id = maps:get(I, Items),
    {Payload, St1} = case Known of
                         #{Id := _} -> {cached, St};
                         _ -> payload(Id, Node, St)
                     end,
    Pid ! {tweann_cluster, item, I, Id, Payload},
    A1 = A#{known := Known#{Id => true}, running := Running#{I => true}, free := Free - 1},
    St2 = St1#st{agents = Agents#{Pid := A1}, attempts = Att#{I => maps:get(I, Att, 0) + 1}},
    case Payload of
        {binary, B} ->
            stat(Pid, St2, fun(S = #{shipped := Sh, shipped_bytes := SB}) ->
                                   S#{shipped := Sh + 1, shipped_bytes := SB + byte_size(B)}
                           end);
        _ -> St2
    end.

%% What an agent needs to rebuild network Id: the term itself on this node,
%% its binary (encoded once per run) elsewhere.
payload(Id, Node, #st{nets = Nets} = St) ->
    {Net, Enc} = maps:get(Id, Nets),
    if
        is_binary(Net) -> {{binary, Net}, St};
        Node =:= node() -> {{term, Net}, St};
        is_binary(Enc) -> {{binary, Enc}, St};
        Enc =:= undefined ->
            Enc1 = try tweann_nif:network_to_binary(Net)
                   catch Class:Reason -> {error, {network_to_binary, {Class, Reason}}}
                   end,
            payload(Id, Node, St#st{nets = Nets#{Id := {Net, Enc1}}});
        true -> {Enc, St}
    end.
