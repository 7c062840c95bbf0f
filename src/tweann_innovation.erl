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
%% in `persistent_term' (created once by {@link tweann_store_owner}; no process
%% holds it). `counters' has no fetch-and-add, so `counters:add/3' followed by
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
%% The tables are public ETS tables owned by {@link tweann_store_owner}; the
%% `tweann_nif' application must be running.
-module(tweann_innovation).

-include("tweann_error.hrl").

%% Helpers that raise are inlined: error_info must name the public function.
-compile({inline, [counter/2]}).

-export([next/0, link_innovation/2, node_innovation/2, prune/1, size/0,
         reset/0, setup/0]).

-define(COUNTER_KEY, {?MODULE, counter}).

%%%===================================================================
%%% Public API
%%%===================================================================

%% @doc A fresh innovation number, strictly greater than every earlier one
%% (since the last {@link reset/0}).
-spec next() -> pos_integer().
next() ->
    atomics:add_get(counter(next, []), 1, 1).

%% @doc The innovation number of the link `From -> To', allocated on first
%% use.
-spec link_innovation(From :: term(), To :: term()) -> pos_integer().
link_innovation(From, To) ->
    Counter = counter(link_innovation, [From, To]),
    get_or_create(tweann_store_tables:link_innovation(), {From, To},
                  fun() -> atomics:add_get(Counter, 1, 1) end).

%% @doc The innovations of a node inserted on the link `From -> To':
%% `{NodeInnovation, InInnovation, OutInnovation}' for the node and its
%% incoming and outgoing links; allocated on first use.
-spec node_innovation(From :: term(), To :: term()) ->
          {pos_integer(), pos_integer(), pos_integer()}.
node_innovation(From, To) ->
    Counter = counter(node_innovation, [From, To]),
    get_or_create(tweann_store_tables:node_innovation(), {From, To},
                  fun() ->
                          N = atomics:add_get(Counter, 1, 3),
                          {N - 2, N - 1, N}
                  end).

%% @doc Forget every link and node innovation whose key `{From, To}' is not
%% live. `Live' is a list of live keys or a predicate on keys. Returns the
%% number of entries removed. Numbers are never reused: a pruned key that
%% comes back gets a new number.
-spec prune(Live) -> non_neg_integer() when
      Live :: [{term(), term()}] | fun(({term(), term()}) -> boolean()).
prune(Live) when is_list(Live) ->
    Set = maps:from_keys(Live, []),
    prune(fun(Key) -> is_map_key(Key, Set) end);
prune(Live) when is_function(Live, 1) ->
    lists:sum([prune_table(T, Live)
               || T <- [tweann_store_tables:link_innovation(),
                        tweann_store_tables:node_innovation()]]);
prune(Live) ->
    ?TWEANN_BADARG([Live], 1,
                       "not a list of keys or a fun/1").

%% @doc Number of stored link and node innovations.
-spec size() -> #{link := non_neg_integer(), node := non_neg_integer()}.
size() ->
    #{link => ets:info(tweann_store_tables:link_innovation(), size),
      node => ets:info(tweann_store_tables:node_innovation(), size)}.

%% @doc Empty both tables and restart numbering at 1 (for tests).
-spec reset() -> ok.
reset() ->
    ets:delete_all_objects(tweann_store_tables:link_innovation()),
    ets:delete_all_objects(tweann_store_tables:node_innovation()),
    atomics:put(counter(reset, []), 1, 0).

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

-spec counter(atom(), [term()]) -> atomics:atomics_ref().
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
