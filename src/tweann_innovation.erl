%% @doc Race-free NEAT innovation numbers, replacing the link and node
%% innovation Mnesia tables.
%%
%% == API ==
%% <ul>
%%  <li>Numbers: {@link next/0}.</li>
%%  <li>Get-or-create: {@link link_innovation/2}, {@link node_innovation/2}.</li>
%%  <li>Bounding the tables: {@link prune/1}, {@link size/0}.</li>
%%  <li>Tests: {@link reset/0}.</li>
%% </ul>
%%
%% Numbers come from one 64-bit unsigned `atomics' cell whose reference lives
%% in `persistent_term' (created once by the process that owns the store's
%% tables; no process holds it). `counters' has no fetch-and-add, so `counters:add/3' followed by
%% `counters:get/2' can give two callers the same number; `atomics:add_get/3'
%% cannot. Every number handed out is distinct, including across
%% {@link reset/0}-free restarts of the owner.
%%
%% Get-or-create is a lookup, then on a miss a fresh number and
%% `ets:insert_new/2': whichever caller inserts first wins and every other
%% caller reads the winner's number, so all callers asking for one key get
%% the same number, and different keys never share one (a losing caller's
%% fresh number is simply never used).
%%
%% The tables are public ETS tables owned by the store's owner process; the
%% `tweann_nif' application must be running. In local mode, a call that
%% needs them after the application stopped raises `badarg' with the
%% store's error_info, "the store is not running: ..." ({@link
%% tweann_store}); {@link next/0} keeps counting (the counter outlives the
%% tables).
%%
%% == Cluster mode ==
%% These numbers are node-local: two nodes hand out the same number for
%% different structures. {@link start_cluster/1}, called once on any one of
%% a set of nodes, switches all of them to a Mnesia table replicated on
%% those nodes (`tweann_innovation_cluster'): the same key asked on
%% any node gets the same number, numbers are unique cluster-wide, and a
%% node going down neither loses nor duplicates numbers among the
%% survivors. Every function of this module then works on that table. The
%% local mode stays the default and is much faster (see `docs/cluster.md').
-module(tweann_innovation).

-include("tweann_error.hrl").
-include("tweann_store.hrl").

%% Helpers that raise are inlined: error_info must name the public function.
-compile({inline, [counter/2, prune_keys/2]}).

-export([next/0, link_innovation/2, node_innovation/2, prune/1, size/0,
         reset/0, setup/0]).
-export([start_cluster/1, start_cluster/2, leave_cluster/0, mode/0]).
%% Called on every node by tweann_innovation_cluster:start/2.
-export([cluster_switch/1, local_high_water/0]).

-define(COUNTER_KEY, {?MODULE, counter}).

%%%===================================================================
%%% Public API
%%%===================================================================

%% @doc A fresh innovation number, strictly greater than every earlier one
%% (since the last {@link reset/0}).
-spec next() -> pos_integer().
next() ->
    case counter(next, []) of
        {cluster, _} -> tweann_innovation_cluster:next();
        Counter -> atomics:add_get(Counter, 1, 1)
    end.

%% @doc The innovation number of the link `From -> To', allocated on first
%% use.
-spec link_innovation(From :: term(), To :: term()) -> pos_integer().
link_innovation(From, To) ->
    case counter(link_innovation, [From, To]) of
        {cluster, _} -> tweann_innovation_cluster:link_innovation(From, To);
        Counter ->
            try
                get_or_create(tweann_store_tables:link_innovation(), {From, To},
                              fun() -> atomics:add_get(Counter, 1, 1) end)
            catch
                error:badarg:St -> ?STORE_RERAISE([From, To], St)
            end
    end.

%% @doc The innovations of a node inserted on the link `From -> To':
%% `{NodeInnovation, InInnovation, OutInnovation}' for the node and its
%% incoming and outgoing links; allocated on first use.
-spec node_innovation(From :: term(), To :: term()) ->
          {pos_integer(), pos_integer(), pos_integer()}.
node_innovation(From, To) ->
    case counter(node_innovation, [From, To]) of
        {cluster, _} -> tweann_innovation_cluster:node_innovation(From, To);
        Counter ->
            try
                get_or_create(tweann_store_tables:node_innovation(), {From, To},
                              fun() ->
                                      N = atomics:add_get(Counter, 1, 3),
                                      {N - 2, N - 1, N}
                              end)
            catch
                error:badarg:St -> ?STORE_RERAISE([From, To], St)
            end
    end.

%% @doc Forget every link and node innovation whose key `{From, To}' is not
%% live. `Live' is a list of live keys or a predicate on keys. Returns the
%% number of entries removed. Numbers are never reused: a pruned key that
%% comes back gets a new number.
-spec prune(Live) -> non_neg_integer() when
      Live :: [{term(), term()}] | fun(({term(), term()}) -> boolean()).
prune(Live) when is_list(Live) ->
    Set = maps:from_keys(Live, []),
    prune_keys(fun(Key) -> is_map_key(Key, Set) end, [Live]);
prune(Live) when is_function(Live, 1) ->
    prune_keys(Live, [Live]);
prune(Live) ->
    ?TWEANN_BADARG([Live], 1,
                   "not a list of keys or a fun/1").

%% @doc Number of stored link and node innovations.
-spec size() -> #{link := non_neg_integer(), node := non_neg_integer()}.
size() ->
    case mode() of
        cluster -> tweann_innovation_cluster:size();
        local ->
            case {ets:info(tweann_store_tables:link_innovation(), size),
                  ets:info(tweann_store_tables:node_innovation(), size)} of
                {Link, Node} when is_integer(Link), is_integer(Node) ->
                    #{link => Link, node => Node};
                _ ->
                    ?STORE_NOT_RUNNING([])
            end
    end.

%% @doc Empty both tables and restart numbering at 1 (for tests). In
%% cluster mode this empties the cluster's table, on every node.
-spec reset() -> ok.
reset() ->
    case counter(reset, []) of
        {cluster, _} -> tweann_innovation_cluster:reset();
        Counter ->
            try
                true = ets:delete_all_objects(tweann_store_tables:link_innovation()),
                true = ets:delete_all_objects(tweann_store_tables:node_innovation())
            catch
                error:badarg:St -> ?STORE_RERAISE([], St)
            end,
            atomics:put(Counter, 1, 0)
    end.

%% @doc Switch `Nodes' (this node among them, every one running the
%% `tweann_nif' application) to cluster-wide numbers kept in Mnesia; call it
%% once, on any one of them. Starts Mnesia where needed and joins the nodes'
%% Mnesia schemas (RAM only), creates the table `tweann_innovation_cluster'
%% with a RAM copy on each node (or extends it: calling it again after a
%% node restarted brings that node back), and starts the shared counter
%% above every number any of the nodes handed out locally. Entries created
%% locally before are not carried over. Same as `start_cluster(Nodes, #{})'.
-spec start_cluster([node()]) -> ok | {error, term()}.
start_cluster(Nodes) ->
    start_cluster(Nodes, #{}).

%% @doc As {@link start_cluster/1}. Options: `majority' (default `true'):
%% allocations commit only while more than half of the table's copies are
%% up, so the two sides of a network partition never hand out the same
%% number: on the minority side (or with too few copies left) an allocation
%% fails with `error:{tweann_innovation_unavailable, Reason}' instead
%% (`docs/cluster.md').
-spec start_cluster([node()], #{majority => boolean()}) -> ok | {error, term()}.
start_cluster(Nodes, Opts) ->
    Args = [Nodes, Opts],
    is_list(Nodes) andalso Nodes =/= [] andalso lists:all(fun is_atom/1, Nodes) orelse
        ?TWEANN_BADARG(Args, 1, "not a non-empty list of node names"),
    lists:member(node(), Nodes) orelse
        ?TWEANN_BADARG(Args, 1,
                       "must include this node (call it on one of the nodes)"),
    is_map(Opts) andalso maps:keys(maps:remove(majority, Opts)) =:= []
        andalso is_boolean(maps:get(majority, Opts, true)) orelse
        ?TWEANN_BADARG(Args, 2, "options are #{majority => boolean()}"),
    _ = counter(start_cluster, Args),
    tweann_innovation_cluster:start(lists:usort(Nodes), Opts).

%% @doc Switch this node back to local numbers. Its local counter continues
%% above every number the cluster handed out, so numbers stay distinct from
%% the cluster's (but other nodes no longer agree with this one).
-spec leave_cluster() -> ok.
leave_cluster() ->
    case counter(leave_cluster, []) of
        {cluster, Counter} ->
            High = try tweann_innovation_cluster:high_water() catch error:_ -> 0 end,
            bump_to(Counter, High),
            persistent_term:put(?COUNTER_KEY, Counter);
        _ ->
            ok
    end.

%% @doc `local' (ETS and atomics, the default) or `cluster' (Mnesia).
-spec mode() -> local | cluster.
mode() ->
    case persistent_term:get(?COUNTER_KEY, undefined) of
        {cluster, _} -> cluster;
        _ -> local
    end.

%% @private
%% @doc Turn cluster mode on or off on this node (tweann_innovation_cluster).
-spec cluster_switch(on | off) -> ok.
cluster_switch(on) ->
    case counter(cluster_switch, [on]) of
        {cluster, _} -> ok;
        Counter -> persistent_term:put(?COUNTER_KEY, {cluster, Counter})
    end;
cluster_switch(off) ->
    leave_cluster().

%% @private
%% @doc The last number this node handed out locally.
-spec local_high_water() -> non_neg_integer().
local_high_water() ->
    case counter(local_high_water, []) of
        {cluster, Counter} -> atomics:get(Counter, 1);
        Counter -> atomics:get(Counter, 1)
    end.

%% @private
%% @doc Create the counter once (called by {@link tweann_store_owner}).
-spec setup() -> ok.
setup() ->
    case persistent_term:get(?COUNTER_KEY, undefined) of
        undefined ->
            persistent_term:put(?COUNTER_KEY, atomics:new(1, [{signed, false}]));
        _ ->
            ok
    end.

%%%===================================================================
%%% Private
%%%===================================================================

%% The local counter, or {cluster, LocalCounter} in cluster mode.
-spec counter(atom(), [term()]) -> atomics:atomics_ref() | {cluster, atomics:atomics_ref()}.
counter(_Function, Args) ->
    case persistent_term:get(?COUNTER_KEY, undefined) of
        undefined ->
            ?TWEANN_BADARG(Args, general,
                           "the tweann_nif application is not started");
        Ref ->
            Ref
    end.

-spec get_or_create(atom(), term(), fun(() -> Value)) -> Value.
get_or_create(Table, Key, Fresh) ->
    case ets:lookup(Table, Key) of
        [{_, Value}] ->
            Value;
        [] ->
            Value = Fresh(),
            case ets:insert_new(Table, {Key, Value}) of
                true -> Value;
                %% Lost the race: take the winner's (retry if pruned since).
                false -> get_or_create(Table, Key, Fresh)
            end
    end.

-spec bump_to(atomics:atomics_ref(), non_neg_integer()) -> ok.
bump_to(Counter, Value) ->
    Old = atomics:get(Counter, 1),
    case Old >= Value orelse atomics:compare_exchange(Counter, 1, Old, Value) =:= ok of
        true -> ok;
        false -> bump_to(Counter, Value)
    end.

%% prune/1 with a predicate (Args: prune/1's arguments).
-spec prune_keys(fun((term()) -> boolean()), [term()]) -> non_neg_integer().
prune_keys(Live, Args) ->
    case mode() of
        cluster -> tweann_innovation_cluster:prune(Live);
        local ->
            try
                lists:sum([prune_table(T, Live)
                           || T <- [tweann_store_tables:link_innovation(),
                                    tweann_store_tables:node_innovation()]])
            catch
                %% (a badarg of Live itself, while the tables exist, passes)
                error:badarg:St -> ?STORE_RERAISE(Args, St)
            end
    end.

-spec prune_table(atom(), fun((term()) -> boolean())) -> non_neg_integer().
prune_table(Table, Live) ->
    Dead = ets:foldl(fun({Key, _}, Acc) ->
                             case Live(Key) of
                                 true -> Acc;
                                 false -> [Key | Acc]
                             end
                     end, [], Table),
    lists:foreach(fun(Key) -> ets:delete(Table, Key) end, Dead),
    length(Dead).
