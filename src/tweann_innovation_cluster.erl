%% @private
%% @doc Cluster-wide innovation numbers: the Mnesia mode of
%% {@link tweann_innovation}.
%%
%% {@link tweann_innovation:start_cluster/1} (which calls {@link start/2})
%% creates one Mnesia table, `tweann_innovation_cluster', with a RAM copy on
%% every node of the cluster, and switches {@link tweann_innovation} on each
%% of them to it. The table holds `{Key, Value}' rows:
%% `{link, From, To} => N', `{node, From, To} => {N, I, O}', and one
%% counter row holding the last number handed out.
%%
%% Get-or-create is a lookup in the local replica (a dirty read: once a key
%% exists its number never changes), then on a miss a synchronous
%% transaction that write-locks the key and the counter, reads both, and
%% writes the new number and the counter together. All nodes therefore agree
%% on every key's number, and no number is handed out twice. A number is
%% returned only after every live replica has committed it, so a node that
%% goes down takes nothing with it: the survivors hold every key and the
%% counter it ever returned.
%%
%% The table is created with `{majority, true}' (unless `#{majority =>
%% false}'): a transaction commits only when more than half of the table's
%% replicas are up. On the minority side of a network partition (or with too
%% few nodes left) allocation fails with
%% `error:{tweann_innovation_unavailable, Reason}' instead of handing out
%% numbers the other side may also hand out. See `docs/cluster.md'.
-module(tweann_innovation_cluster).

-export([start/2, next/0, link_innovation/2, node_innovation/2, prune/1, size/0,
         reset/0, high_water/0, table/0]).

-define(TAB, tweann_innovation_cluster).
-define(COUNTER, '$counter').
-define(TIMEOUT, 30000).

%%====================================================================
%% Setting up
%%====================================================================

%% @doc The Mnesia table this mode uses.
-spec table() -> atom().
table() -> ?TAB.

%% @doc Joins `Nodes' (which must include this node and all run the
%% `tweann_nif' application) into one Mnesia cluster, creates or extends the
%% replicated table, makes the counter start above every number any of them
%% handed out locally, and switches {@link tweann_innovation} on each node
%% to cluster mode. Options: `majority' (default `true').
-spec start([node()], #{majority => boolean()}) -> ok | {error, term()}.
start(Nodes, Opts) ->
    Majority = maps:get(majority, Opts, true),
    try
        [check_running(N, R) || {N, R} <- lists:zip(Nodes, erpc:multicall(Nodes, erlang, whereis,
                                                                        [tweann_nif_sup], ?TIMEOUT))],
        [ok_started(N, R) || {N, R} <- lists:zip(Nodes, erpc:multicall(Nodes, application,
                                                                     ensure_all_started,
                                                                     [mnesia], ?TIMEOUT))],
        join(Nodes),
        table(Nodes, Majority),
        [ok_waited(N, R) || {N, R} <- lists:zip(Nodes, erpc:multicall(Nodes, mnesia, wait_for_tables,
                                                                    [[?TAB], ?TIMEOUT],
                                                                    ?TIMEOUT + 5000))],
        HighWater = lists:max([high_water_of(N, R)
                               || {N, R} <- lists:zip(Nodes, erpc:multicall(
                                                                Nodes, tweann_innovation,
                                                                local_high_water, [], ?TIMEOUT))]),
        transaction(fun() ->
                            Last = counter(),
                            mnesia:write({?TAB, ?COUNTER, max(Last, HighWater)})
                    end),
        [switched(N, R) || {N, R} <- lists:zip(Nodes, erpc:multicall(Nodes, tweann_innovation,
                                                                   cluster_switch, [on], ?TIMEOUT))],
        ok
    catch
        throw:{?MODULE, Why} -> {error, Why};
        error:{tweann_innovation_unavailable, Why} -> {error, Why}
    end.

check_running(_N, {ok, Pid}) when is_pid(Pid) -> ok;
check_running(N, {ok, undefined}) -> throw({?MODULE, {not_running, N, tweann_nif}});
check_running(N, Other) -> throw({?MODULE, {unreachable, N, Other}}).

ok_started(_N, {ok, {ok, _}}) -> ok;
ok_started(N, Other) -> throw({?MODULE, {mnesia_not_started, N, Other}}).

ok_waited(_N, {ok, ok}) -> ok;
ok_waited(N, Other) -> throw({?MODULE, {table_not_loaded, N, Other}}).

high_water_of(_N, {ok, H}) when is_integer(H) -> H;
high_water_of(N, Other) -> throw({?MODULE, {unreachable, N, Other}}).

switched(_N, {ok, ok}) -> ok;
switched(N, Other) -> throw({?MODULE, {not_switched, N, Other}}).

%% Every node's Mnesia in one cluster: each other node joins this one (a
%% freshly started node merges its empty RAM schema into the cluster's; for a
%% node already in it this changes nothing).
join(Nodes) ->
    Others = Nodes -- [node()],
    [case R of
         {ok, {ok, _}} -> ok;
         {ok, {error, Why}} -> throw({?MODULE, {mnesia_join_failed, N, Why}});
         Other -> throw({?MODULE, {unreachable, N, Other}})
     end || {N, R} <- lists:zip(Others, erpc:multicall(Others, mnesia, change_config,
                                                       [extra_db_nodes, [node()]], ?TIMEOUT))],
    Running = mnesia:system_info(running_db_nodes),
    case Nodes -- Running of
        [] -> ok;
        Missing -> throw({?MODULE, {mnesia_join_failed, {not_running_db_nodes, Missing}}})
    end.

%% The table with a RAM copy on exactly Nodes.
table(Nodes, Majority) ->
    case mnesia:create_table(?TAB, [{ram_copies, Nodes}, {attributes, [key, value]},
                                    {type, set}, {majority, Majority}]) of
        {atomic, ok} -> ok;
        {aborted, {already_exists, ?TAB}} ->
            Have = mnesia:table_info(?TAB, all_nodes),
            [add_copy(N) || N <- Nodes -- Have],
            [_ = mnesia:del_table_copy(?TAB, N) || N <- Have -- Nodes],
            case mnesia:table_info(?TAB, majority) of
                Majority -> ok;
                _ -> ok_atomic(mnesia:change_table_majority(?TAB, Majority))
            end;
        {aborted, Why} -> throw({?MODULE, {create_table_failed, Why}})
    end.

add_copy(N) ->
    case mnesia:add_table_copy(?TAB, N, ram_copies) of
        {atomic, ok} -> ok;
        {aborted, {already_exists, ?TAB, N}} -> ok;
        {aborted, Why} -> throw({?MODULE, {add_table_copy_failed, N, Why}})
    end.

ok_atomic({atomic, ok}) -> ok;
ok_atomic({aborted, Why}) -> throw({?MODULE, {change_table_failed, Why}}).

%%====================================================================
%% Numbers (called by tweann_innovation in cluster mode)
%%====================================================================

%% @doc A fresh number, unique cluster-wide and greater than every number
%% handed out before on any node.
-spec next() -> pos_integer().
next() ->
    transaction(fun() -> bump(1) end).

%% @doc The cluster's number for the link `From -> To'.
-spec link_innovation(term(), term()) -> pos_integer().
link_innovation(From, To) ->
    get_or_create({link, From, To}, 1).

%% @doc The cluster's `{Node, In, Out}' numbers for a node on `From -> To'.
-spec node_innovation(term(), term()) -> {pos_integer(), pos_integer(), pos_integer()}.
node_innovation(From, To) ->
    get_or_create({node, From, To}, 3).

get_or_create(Key, K) ->
    case dirty_read(Key) of
        [{_, _, V}] -> V;
        [] ->
            transaction(fun() ->
                                case mnesia:read(?TAB, Key, write) of
                                    [{_, _, V}] -> V;
                                    [] ->
                                        N = bump(K),
                                        V = case K of
                                                1 -> N;
                                                3 -> {N - 2, N - 1, N}
                                            end,
                                        ok = mnesia:write({?TAB, Key, V}),
                                        V
                                end
                        end)
    end.

%% Inside a transaction: reserve K numbers, return the last.
bump(K) ->
    Last = counter(write),
    ok = mnesia:write({?TAB, ?COUNTER, Last + K}),
    Last + K.

counter() -> counter(read).

counter(Lock) ->
    case mnesia:read(?TAB, ?COUNTER, Lock) of
        [{_, _, Last}] -> Last;
        [] -> 0
    end.

dirty_read(Key) ->
    try mnesia:dirty_read(?TAB, Key)
    catch exit:{aborted, Why} -> erlang:error({tweann_innovation_unavailable, Why})
    end.

transaction(Fun) ->
    case mnesia:sync_transaction(Fun) of
        {atomic, V} -> V;
        {aborted, Why} -> erlang:error({tweann_innovation_unavailable, Why})
    end.

%% @doc The last number handed out cluster-wide (0 if none).
-spec high_water() -> non_neg_integer().
high_water() ->
    case dirty_read(?COUNTER) of
        [{_, _, Last}] -> Last;
        [] -> 0
    end.

%%====================================================================
%% Bounding the table
%%====================================================================

%% @doc Deletes, cluster-wide, every link and node innovation whose `{From,
%% To}' fails `Live'; returns how many.
-spec prune(fun(({term(), term()}) -> boolean())) -> non_neg_integer().
prune(Live) ->
    Keys = mnesia:dirty_select(?TAB, [{{?TAB, '$1', '_'}, [{'=/=', '$1', ?COUNTER}], ['$1']}]),
    Dead = [K || {_, F, T} = K <- Keys, not Live({F, T})],
    transaction(fun() -> lists:foreach(fun(K) -> mnesia:delete({?TAB, K}) end, Dead) end),
    length(Dead).

%% @doc Stored link and node innovations, cluster-wide.
-spec size() -> #{link := non_neg_integer(), node := non_neg_integer()}.
size() ->
    Count = fun(Kind) ->
                    length(mnesia:dirty_select(?TAB, [{{?TAB, {Kind, '_', '_'}, '_'}, [], [true]}]))
            end,
    #{link => Count(link), node => Count(node)}.

%% @doc Empties the table on every node: numbering restarts at 1 (tests).
-spec reset() -> ok.
reset() ->
    case mnesia:clear_table(?TAB) of
        {atomic, ok} -> ok;
        {aborted, Why} -> erlang:error({tweann_innovation_unavailable, Why})
    end.
