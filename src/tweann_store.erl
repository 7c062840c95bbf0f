%% @doc Bounded ETS genotype store replacing faber-tweann's / DXNN2's
%% RAM-only Mnesia tables.
%%
%% == API ==
%% <ul>
%%  <li>Mnesia-shaped records: {@link write/1}, {@link read/1},
%%      {@link delete/1}, {@link select/2}, {@link fold/3}.</li>
%%  <li>Ownership and lifecycle: {@link write/2}, {@link register_agent/2},
%%      {@link delete_agent/1}, {@link owned/1}, {@link agent_info/1},
%%      {@link pin/1}, {@link unpin/1}, {@link sweep/2}, {@link sweep/3}.</li>
%%  <li>Capped history: {@link append_capped/4}, {@link append_capped/3},
%%      {@link evo_hist_cap/0}.</li>
%%  <li>Introspection and tests: {@link memory/0}, {@link clear/0}.</li>
%% </ul>
%%
%% == Records ==
%% A record is a tuple `{Tag, Key, ...}' whose `Tag' is one of `agent',
%% `cortex', `sensor', `actuator', `neuron', `substrate', `specie',
%% `population': the table Mnesia kept it in. It is keyed on element 2, so
%% `#neuron{id = Id}' is read back with `read({neuron, Id})'. Each call is
%% atomic for one record; there are no multi-record transactions (with
%% `ram_copies' on one node they bought nothing but latency). Code that edits
%% one agent from several processes at once must coordinate itself.
%%
%% == Ownership and generations ==
%% {@link write/2} records that a record belongs to an agent (one owner per
%% record: the last `write/2' wins). {@link register_agent/2} stamps an agent
%% with its birth generation. {@link delete_agent/1} removes `{agent, Id}' and
%% everything the agent owns, using an ordered index, so its cost is
%% proportional to what the agent owns. {@link sweep/3} deletes registered,
%% unpinned agents older than a window and then tidies the record fields named
%% by its field configuration (see {@link sweep/3}).
%%
%% == Processes ==
%% The tables are public and named; every call runs in the caller and no call
%% goes through a server. They are owned by a process of the `tweann_nif'
%% application (`tweann_store_owner'), with a second one
%% (`tweann_store_keeper') as heir, so neither a dying caller nor a killed
%% owner loses a record. Start the `tweann_nif' application first.
-module(tweann_store).

-include("tweann_error.hrl").

%% Helpers that raise are inlined: error_info must name the public function.
-compile({inline, [table_of/3, table/3, set_pin/3, check_fields/2]}).

-export([write/1, write/2, read/1, delete/1, select/2, fold/3,
         register_agent/2, delete_agent/1, owned/1, agent_info/1,
         pin/1, unpin/1, sweep/2, sweep/3,
         append_capped/3, append_capped/4, evo_hist_cap/0,
         memory/0, clear/0]).

-export_type([tag/0, record_/0, ref/0, agent_id/0, field_action/0, sweep_result/0]).

%%%===================================================================
%%% Types
%%%===================================================================

-type tag() :: agent | cortex | sensor | actuator | neuron | substrate
             | specie | population.
%% A record's tag (its first element): the Mnesia table it belongs to.
-type record_() :: tuple().
%% `{Tag, Key, ...}' with `Tag' a {@link tag()}, keyed on `Key'.
-type ref() :: {tag(), Key :: term()}.
%% The tag and key of a record.
-type agent_id() :: term().
%% An agent's id (the key of its `agent' record).
-type field_action() :: {ids, pos_integer()}
                      | {clear, pos_integer()}
                      | {cap, pos_integer(), pos_integer()}.
%% How {@link sweep/3} tidies one record field (see there).
-type sweep_result() :: #{agents := non_neg_integer(),
                          records := non_neg_integer(),
                          fields := non_neg_integer()}.
%% What {@link sweep/3} did: agents and records deleted, fields rewritten.

%%%===================================================================
%%% Records
%%%===================================================================

%% @doc Store `Record' in the table named by its tag, replacing any record
%% with the same key (as `mnesia:write/1').
-spec write(Record :: record_()) -> ok.
write(Record) ->
    Table = table_of(Record, write, [Record]),
    true = ets:insert(Table, Record),
    ok.

%% @doc Store `Record' and record that it belongs to `AgentId', so that
%% {@link delete_agent/1} and {@link sweep/3} remove it with the agent. A
%% record has one owner; writing it for another agent moves it.
-spec write(Record :: record_(), AgentId :: agent_id()) -> ok.
write(Record, AgentId) ->
    Table = table_of(Record, write, [Record, AgentId]),
    Ref = {element(1, Record), element(2, Record)},
    OwnerOf = tweann_store_tables:owner_of(),
    Owned = tweann_store_tables:owned(),
    case ets:lookup(OwnerOf, Ref) of
        [{_, AgentId}] ->
            ok;
        Previous ->
            [ets:delete(Owned, index_key(Old, Ref)) || {_, Old} <- Previous],
            true = ets:insert(Owned, {index_key(AgentId, Ref)}),
            true = ets:insert(OwnerOf, {Ref, AgentId})
    end,
    true = ets:insert(Table, Record),
    ok.

%% @doc The record `{Tag, Key}', or `undefined'.
-spec read(Ref :: ref()) -> record_() | undefined.
read({Tag, Key} = Ref) ->
    case ets:lookup(table(Tag, read, [Ref]), Key) of
        [Record] -> Record;
        [] -> undefined
    end;
read(Ref) ->
    ?TWEANN_BADARG([Ref], 1, "not a {Table, Key} pair").

%% @doc Delete the record `{Tag, Key}' (and its ownership entry). Deleting a
%% missing record is not an error.
-spec delete(Ref :: ref()) -> ok.
delete({Tag, Key} = Ref) ->
    Table = table(Tag, delete, [Ref]),
    OwnerOf = tweann_store_tables:owner_of(),
    case ets:take(OwnerOf, Ref) of
        [{_, AgentId}] -> ets:delete(tweann_store_tables:owned(), index_key(AgentId, Ref));
        [] -> ok
    end,
    true = ets:delete(Table, Key),
    ok;
delete(Ref) ->
    ?TWEANN_BADARG([Ref], 1, "not a {Table, Key} pair").

%% @doc `ets:select/2' on the table of `Tag' (records are whole tuples,
%% as in `mnesia:select/2').
-spec select(Tag :: tag(), MatchSpec :: ets:match_spec()) -> [term()].
select(Tag, MatchSpec) ->
    Table = table(Tag, select, [Tag, MatchSpec]),
    try
        ets:select(Table, MatchSpec)
    catch
        error:badarg ->
            ?TWEANN_BADARG([Tag, MatchSpec], 2,
                               "not a valid match specification")
    end.

%% @doc Fold `Fun(Record, Acc)' over every record of `Tag' (as
%% `mnesia:foldl/3'; the order is undefined).
-spec fold(Fun, Acc0 :: Acc, Tag :: tag()) -> Acc when
      Fun :: fun((record_(), Acc) -> Acc).
fold(Fun, Acc, Tag) when is_function(Fun, 2) ->
    ets:foldl(Fun, Acc, table(Tag, fold, [Fun, Acc, Tag]));
fold(Fun, Acc, Tag) ->
    ?TWEANN_BADARG([Fun, Acc, Tag], 1, "not a fun of arity 2").

%%%===================================================================
%%% Agents
%%%===================================================================

%% @doc Declare `AgentId', born in `Generation'. Registering again updates
%% the generation and keeps the pin.
-spec register_agent(AgentId :: agent_id(), Generation :: integer()) -> ok.
register_agent(AgentId, Generation) when is_integer(Generation) ->
    Registry = tweann_store_tables:registry(),
    case ets:update_element(Registry, AgentId, {2, Generation}) of
        true -> ok;
        false -> true = ets:insert(Registry, {AgentId, Generation, false}), ok
    end;
register_agent(AgentId, Generation) ->
    ?TWEANN_BADARG([AgentId, Generation], 2,
                       "not an integer generation").

%% @doc Delete `{agent, AgentId}', every record the agent owns and its
%% registration, in time proportional to what it owns.
-spec delete_agent(AgentId :: agent_id()) -> ok.
delete_agent(AgentId) ->
    _ = delete_agent_count(AgentId),
    ok.

%% @doc The records `AgentId' owns, as `{Tag, Key}' refs.
-spec owned(AgentId :: agent_id()) -> [ref()].
owned(AgentId) ->
    ets:select(tweann_store_tables:owned(),
               [{{{AgentId, '$1', '$2'}}, [], [{{'$1', '$2'}}]}]).

%% @doc Registration of `AgentId': its generation and whether it is pinned.
-spec agent_info(AgentId :: agent_id()) ->
          #{generation := integer(), pinned := boolean()} | undefined.
agent_info(AgentId) ->
    case ets:lookup(tweann_store_tables:registry(), AgentId) of
        [{_, Generation, Pinned}] -> #{generation => Generation, pinned => Pinned};
        [] -> undefined
    end.

%% @doc Protect a registered agent (a champion, a hall-of-fame member) from
%% {@link sweep/3}. Raises `badarg' if the agent is not registered.
-spec pin(AgentId :: agent_id()) -> ok.
pin(AgentId) ->
    set_pin(AgentId, true, pin).

%% @doc Undo {@link pin/1}.
-spec unpin(AgentId :: agent_id()) -> ok.
unpin(AgentId) ->
    set_pin(AgentId, false, unpin).

%% @doc `sweep(CurrentGeneration, KeepGenerations, #{})'.
-spec sweep(CurrentGeneration :: integer(), KeepGenerations :: non_neg_integer()) ->
          sweep_result().
sweep(Current, Keep) ->
    sweep(Current, Keep, #{}).

%% @doc Delete every registered, unpinned agent born before
%% `CurrentGeneration - KeepGenerations' with all its records, then tidy the
%% configured record fields. Returns the number of agents and records
%% deleted and of fields rewritten.
%%
%% The fields come from `Opts' key `fields', else from the application
%% environment key `sweep_fields', else from the DXNN2/faber-tweann layout
%% (trim `agent.offspring_ids', `agent.parent_ids', `specie.all_agent_ids'
%% and `specie.agent_ids' to live agents; clear `specie.dead_pool'). They
%% are a list of
%% `{Tag, [Action]}', where an action names a tuple position (write
%% `#agent.offspring_ids' to get it from a record definition):
%% <ul>
%%  <li>`{ids, Pos}': a list of agent ids; keep only ids whose agent still
%%      has an `{agent, Id}' record or a registration (agents removed by an
%%      earlier {@link delete_agent/1} are trimmed too).</li>
%%  <li>`{clear, Pos}': set the field to `[]' (specie dead pools).</li>
%%  <li>`{cap, Pos, N}': keep the first `N' entries of a list field.</li>
%% </ul>
%% Records too short for a position, or whose field is not a list, are left
%% alone.
-spec sweep(CurrentGeneration :: integer(), KeepGenerations :: non_neg_integer(),
            Opts :: #{fields => [{tag(), [field_action()]}]}) ->
          sweep_result().
sweep(Current, Keep, Opts) when is_integer(Current), is_integer(Keep), Keep >= 0,
                                is_map(Opts) ->
    Fields = case Opts of
                 #{fields := F} -> check_fields(F, [Current, Keep, Opts]);
                 #{} -> tweann_store_sweep:configured_fields()
             end,
    Victims = tweann_store_sweep:victims(Current - Keep),
    Records = lists:sum([delete_agent_count(A) || A <- Victims]),
    Rewritten = tweann_store_sweep:tidy(Fields),
    #{agents => length(Victims), records => Records, fields => Rewritten};
sweep(Current, Keep, Opts) ->
    Args = [Current, Keep, Opts],
    if
        not is_integer(Current) ->
            ?TWEANN_BADARG(Args, 1, "not an integer generation");
        not (is_integer(Keep) andalso Keep >= 0) ->
            ?TWEANN_BADARG(Args, 2, "not a non-negative integer");
        true ->
            ?TWEANN_BADARG(Args, 3, "not a map")
    end.

%%%===================================================================
%%% Capped history
%%%===================================================================

%% @doc {@link append_capped/4} with the cap {@link evo_hist_cap/0}.
-spec append_capped(Ref :: ref(), FieldPos :: pos_integer(), Entry :: term()) -> ok.
append_capped(Ref, FieldPos, Entry) ->
    append_capped(Ref, FieldPos, Entry, evo_hist_cap()).

%% @doc Prepend `Entry' to the list at tuple position `FieldPos' of the
%% record `Ref', keeping the newest `Cap' entries (newest first, as DXNN2
%% keeps `evo_hist'). Raises `badarg' if the record is missing or the field
%% is not a list.
-spec append_capped(Ref :: ref(), FieldPos :: pos_integer(), Entry :: term(),
                    Cap :: pos_integer()) -> ok.
append_capped({Tag, Key} = Ref, FieldPos, Entry, Cap)
  when is_integer(FieldPos), FieldPos > 2, is_integer(Cap), Cap > 0 ->
    Args = [Ref, FieldPos, Entry, Cap],
    Table = table(Tag, append_capped, Args),
    case ets:lookup(Table, Key) of
        [Record] when tuple_size(Record) >= FieldPos ->
            case element(FieldPos, Record) of
                List when is_list(List) ->
                    New = [Entry | lists:sublist(List, Cap - 1)],
                    true = ets:update_element(Table, Key, {FieldPos, New}),
                    ok;
                _ ->
                    ?TWEANN_BADARG(Args, 2,
                                       "the field is not a list")
            end;
        [_] ->
            ?TWEANN_BADARG(Args, 2,
                               "the record has no such field");
        [] ->
            ?TWEANN_BADARG(Args, 1, "no such record")
    end;
append_capped(Ref, FieldPos, Entry, Cap) ->
    Args = [Ref, FieldPos, Entry, Cap],
    if
        not (is_tuple(Ref) andalso tuple_size(Ref) =:= 2) ->
            ?TWEANN_BADARG(Args, 1, "not a {Table, Key} pair");
        not (is_integer(FieldPos) andalso FieldPos > 2) ->
            ?TWEANN_BADARG(Args, 2,
                               "not a tuple position after the key");
        true ->
            ?TWEANN_BADARG(Args, 4, "not a positive integer")
    end.

%% @doc The evo_hist cap: application environment `evo_hist_cap', default 50.
-spec evo_hist_cap() -> pos_integer().
evo_hist_cap() ->
    case application:get_env(tweann_nif, evo_hist_cap, 50) of
        Cap when is_integer(Cap), Cap > 0 -> Cap;
        _ -> 50
    end.

%%%===================================================================
%%% Introspection
%%%===================================================================

%% @doc Memory per table (records, indexes and innovation tables) and in
%% total, in words and bytes, with the object count of each table.
-spec memory() -> #{total := #{words := non_neg_integer(), bytes := non_neg_integer()},
                    atom() => #{words := non_neg_integer(),
                                bytes := non_neg_integer(),
                                size => non_neg_integer()}}.
memory() ->
    WordSize = erlang:system_info(wordsize),
    PerTable = maps:from_list(
                 [{tweann_store_tables:label(N),
                   #{words => W, bytes => W * WordSize, size => ets:info(N, size)}}
                  || N <- tweann_store_tables:names(),
                     W <- [ets:info(N, memory)], is_integer(W)]),
    Words = lists:sum([W || #{words := W} <- maps:values(PerTable)]),
    PerTable#{total => #{words => Words, bytes => Words * WordSize}}.

%% @doc Delete every record, registration, ownership entry and innovation
%% (for tests and benchmarks).
-spec clear() -> ok.
clear() ->
    [true = ets:delete_all_objects(N) || N <- tweann_store_tables:names()],
    ok.

%%%===================================================================
%%% Private
%%%===================================================================

-spec table_of(term(), atom(), [term()]) -> atom().
table_of(Record, _Function, Args) when is_tuple(Record), tuple_size(Record) >= 2 ->
    case tweann_store_tables:table(element(1, Record)) of
        undefined ->
            ?TWEANN_BADARG(Args, 1,
                               "not a record of a store table (agent, cortex, sensor, "
                               "actuator, neuron, substrate, specie, population)");
        Table ->
            Table
    end;
table_of(_Record, _Function, Args) ->
    ?TWEANN_BADARG(Args, 1, "not a record").

-spec table(term(), atom(), [term()]) -> atom().
table(Tag, Function, Args) ->
    case tweann_store_tables:table(Tag) of
        undefined ->
            Position = case Function of
                           fold -> 3;
                           _ -> 1
                       end,
            ?TWEANN_BADARG(Args, Position, "unknown table");
        Table ->
            Table
    end.

-spec index_key(agent_id(), ref()) -> {agent_id(), atom(), term()}.
index_key(AgentId, {Tag, Key}) ->
    {AgentId, Tag, Key}.

-spec delete_agent_count(agent_id()) -> non_neg_integer().
delete_agent_count(AgentId) ->
    Owned = tweann_store_tables:owned(),
    OwnerOf = tweann_store_tables:owner_of(),
    Refs = owned(AgentId),
    lists:foreach(
      fun({Tag, Key} = Ref) ->
              true = ets:delete(tweann_store_tables:table(Tag), Key),
              true = ets:delete_object(OwnerOf, {Ref, AgentId}),
              true = ets:delete(Owned, index_key(AgentId, Ref))
      end, Refs),
    AgentTable = tweann_store_tables:table(agent),
    Own = case ets:member(AgentTable, AgentId) of
              true -> ets:delete(AgentTable, AgentId), 1;
              false -> 0
          end,
    true = ets:delete(tweann_store_tables:registry(), AgentId),
    length(Refs) + Own.

-spec set_pin(agent_id(), boolean(), pin | unpin) -> ok.
set_pin(AgentId, Pinned, _Function) ->
    case ets:update_element(tweann_store_tables:registry(), AgentId, {3, Pinned}) of
        true -> ok;
        false -> ?TWEANN_BADARG([AgentId], 1, "agent not registered")
    end.

-spec check_fields(term(), [term()]) -> [{tag(), [field_action()]}].
check_fields(Fields, Args) ->
    case tweann_store_sweep:valid_fields(Fields) of
        true -> Fields;
        false -> ?TWEANN_BADARG(Args, 3,
                                    "fields is not a list of {Table, [Action]}")
    end.
