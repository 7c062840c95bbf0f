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
%% {@link register_agent/2} declares an agent and stamps it with its birth
%% generation. {@link write/2} records that a record belongs to a registered
%% agent (one owner per record: the last `write/2' wins); writing for an agent
%% that is not registered (never, or no longer: deleted or swept) raises
%% `badarg' and stores nothing, so no record can outlive its agent unseen.
%% {@link delete_agent/1} removes `{agent, Id}' and everything the agent owns,
%% using an ordered index, so its cost is proportional to what the agent
%% owns. {@link sweep/3} deletes registered, unpinned agents older than a
%% window and then tidies the record fields named by its field configuration
%% (see {@link sweep/3}).
%%
%% == Concurrency ==
%% The agent operations are safe to race with each other without losing an
%% effect; each is built from single atomic ETS operations:
%% <ul>
%%  <li>{@link register_agent/2} creates an agent with `ets:insert_new/2'
%%      and re-registers one with `ets:update_element/3' on the generation
%%      only, so it never overwrites a pin set by a concurrent {@link pin/1}
%%      (which updates only the pin).</li>
%%  <li>{@link sweep/3} removes each victim with `ets:delete_object/2' on
%%      the exact registration it selected, so an agent pinned or registered
%%      again in the meantime stays.</li>
%%  <li>{@link delete_agent/1} and {@link sweep/3} remove the registration
%%      before collecting what the agent owns; {@link write/2} checks that the
%%      same registration (the same incarnation, not a later one under the
%%      same id) exists before and after indexing the record, and removes the
%%      record again and raises if it does not. So either the deletion sees
%%      the record in the index and removes it, or the write fails: a
%%      record is never left behind by an agent deleted during its write.</li>
%% </ul>
%% Each call is atomic for one record only; code that edits one record from
%% several processes at once must still coordinate itself.
%%
%% == Processes ==
%% The tables are public and named; every call runs in the caller and no call
%% goes through a server. They are owned by a process of the `tweann_nif'
%% application (`tweann_store_owner'), with a second one
%% (`tweann_store_keeper') as heir, so neither a dying caller nor any number
%% of owner kills loses a record.
%%
%% == When the application is not running ==
%% The tables exist only while the `tweann_nif' application runs. Every call
%% made while they do not exist (before the application is started, or after
%% it stopped) raises `error:badarg' with EEP 54 error_info whose `general'
%% cause reads "the store is not running: its tables do not exist (start the
%% tweann_nif application)"; the shell prints it under the call.
-module(tweann_store).

-include("tweann_error.hrl").
-include("tweann_store.hrl").

%% Helpers that raise are inlined: error_info must name the public function.
-compile({inline, [table_of/3, table/3, set_pin/3, check_fields/2, incarnation/2,
                   append_capped/6]}).

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
    try ets:insert(Table, Record) of
        true -> ok
    catch
        error:badarg:St -> ?STORE_RERAISE([Record], St)
    end.

%% @doc Store `Record' and record that it belongs to `AgentId', so that
%% {@link delete_agent/1} and {@link sweep/3} remove it with the agent. A
%% record has one owner; writing it for another agent moves it.
%%
%% `AgentId' must be registered ({@link register_agent/2}); otherwise the
%% call raises `badarg' (argument 2, "agent not registered") and changes
%% nothing. If the agent is deleted or swept while the record is being
%% written, the call raises the same error and the record goes with the
%% agent (also a record that was being moved from another agent).
-spec write(Record :: record_(), AgentId :: agent_id()) -> ok.
write(Record, AgentId) ->
    Args = [Record, AgentId],
    Table = table_of(Record, write, Args),
    Ref = {element(1, Record), element(2, Record)},
    try
        Incarnation = incarnation(AgentId, Args),
        index(Ref, AgentId),
        true = ets:insert(Table, Record),
        case ets:lookup(tweann_store_tables:registry(), AgentId) of
            [{_, _, _, Incarnation}] ->
                ok;
            _ ->
                %% Deleted (and perhaps registered anew) while we wrote: the
                %% deletion may have missed the record, so remove it here.
                forget(AgentId, Ref),
                ?TWEANN_BADARG(Args, 2,
                               "agent not registered (it was deleted while "
                               "the record was written)")
        end
    catch
        error:badarg:St -> ?STORE_RERAISE(Args, St)
    end.

%% @doc The record `{Tag, Key}', or `undefined'.
-spec read(Ref :: ref()) -> record_() | undefined.
read({Tag, Key} = Ref) ->
    Table = table(Tag, read, [Ref]),
    try ets:lookup(Table, Key) of
        [Record] -> Record;
        [] -> undefined
    catch
        error:badarg:St -> ?STORE_RERAISE([Ref], St)
    end;
read(Ref) ->
    ?TWEANN_BADARG([Ref], 1, "not a {Table, Key} pair").

%% @doc Delete the record `{Tag, Key}' (and its ownership entry). Deleting a
%% missing record is not an error.
-spec delete(Ref :: ref()) -> ok.
delete({Tag, Key} = Ref) ->
    Table = table(Tag, delete, [Ref]),
    try
        case ets:take(tweann_store_tables:owner_of(), Ref) of
            [{_, AgentId}] -> ets:delete(tweann_store_tables:owned(), index_key(AgentId, Ref));
            [] -> ok
        end,
        true = ets:delete(Table, Key),
        ok
    catch
        error:badarg:St -> ?STORE_RERAISE([Ref], St)
    end;
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
            case tweann_store_tables:running() of
                true ->
                    ?TWEANN_BADARG([Tag, MatchSpec], 2,
                                   "not a valid match specification");
                false ->
                    ?STORE_NOT_RUNNING([Tag, MatchSpec])
            end
    end.

%% @doc Fold `Fun(Record, Acc)' over every record of `Tag' (as
%% `mnesia:foldl/3'; the order is undefined).
-spec fold(Fun, Acc0 :: Acc, Tag :: tag()) -> Acc when
      Fun :: fun((record_(), Acc) -> Acc).
fold(Fun, Acc, Tag) when is_function(Fun, 2) ->
    Table = table(Tag, fold, [Fun, Acc, Tag]),
    try
        ets:foldl(Fun, Acc, Table)
    catch
        error:badarg:St -> ?STORE_RERAISE([Fun, Acc, Tag], St)
    end;
fold(Fun, Acc, Tag) ->
    ?TWEANN_BADARG([Fun, Acc, Tag], 1, "not a fun of arity 2").

%%%===================================================================
%%% Agents
%%%===================================================================

%% @doc Declare `AgentId', born in `Generation'. Registering again updates
%% the generation and keeps the pin, also when it races {@link pin/1} or
%% another registration.
-spec register_agent(AgentId :: agent_id(), Generation :: integer()) -> ok.
register_agent(AgentId, Generation) when is_integer(Generation) ->
    try
        register_loop(tweann_store_tables:registry(), AgentId, Generation)
    catch
        error:badarg:St -> ?STORE_RERAISE([AgentId, Generation], St)
    end;
register_agent(AgentId, Generation) ->
    ?TWEANN_BADARG([AgentId, Generation], 2,
                   "not an integer generation").

%% @doc Delete `{agent, AgentId}', every record the agent owns and its
%% registration, in time proportional to what it owns. A concurrent
%% {@link write/2} for the agent either ends before, and its record is
%% deleted, or raises.
-spec delete_agent(AgentId :: agent_id()) -> ok.
delete_agent(AgentId) ->
    try
        true = ets:delete(tweann_store_tables:registry(), AgentId),
        _ = delete_owned(AgentId),
        ok
    catch
        error:badarg:St -> ?STORE_RERAISE([AgentId], St)
    end.

%% @doc The records `AgentId' owns, as `{Tag, Key}' refs.
-spec owned(AgentId :: agent_id()) -> [ref()].
owned(AgentId) ->
    try
        owned_refs(AgentId)
    catch
        error:badarg:St -> ?STORE_RERAISE([AgentId], St)
    end.

%% @doc Registration of `AgentId': its generation and whether it is pinned.
-spec agent_info(AgentId :: agent_id()) ->
          #{generation := integer(), pinned := boolean()} | undefined.
agent_info(AgentId) ->
    try ets:lookup(tweann_store_tables:registry(), AgentId) of
        [{_, Generation, Pinned, _}] -> #{generation => Generation, pinned => Pinned};
        [] -> undefined
    catch
        error:badarg:St -> ?STORE_RERAISE([AgentId], St)
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
    try
        sweep(Current, Keep, #{})
    catch
        error:badarg:St -> ?STORE_RERAISE([Current, Keep], St)
    end.

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
%%
%% An agent pinned or registered again (in a later generation) while the
%% sweep runs is kept, whatever the order in which the calls meet.
-spec sweep(CurrentGeneration :: integer(), KeepGenerations :: non_neg_integer(),
            Opts :: #{fields => [{tag(), [field_action()]}]}) ->
          sweep_result().
sweep(Current, Keep, Opts) when is_integer(Current), is_integer(Keep), Keep >= 0,
                                is_map(Opts) ->
    Fields = case Opts of
                 #{fields := F} -> check_fields(F, [Current, Keep, Opts]);
                 #{} -> tweann_store_sweep:configured_fields()
             end,
    try
        Deleted = lists:filtermap(fun sweep_victim/1,
                                  tweann_store_sweep:victims(Current - Keep)),
        Rewritten = tweann_store_sweep:tidy(Fields),
        #{agents => length(Deleted), records => lists:sum(Deleted), fields => Rewritten}
    catch
        error:badarg:St -> ?STORE_RERAISE([Current, Keep, Opts], St)
    end;
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
    try
        append_capped(Ref, FieldPos, Entry, evo_hist_cap())
    catch
        error:badarg:St -> ?STORE_RERAISE([Ref, FieldPos, Entry], St)
    end.

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
    try
        append_capped(Table, Key, FieldPos, Entry, Cap, Args)
    catch
        error:badarg:St -> ?STORE_RERAISE(Args, St)
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

-spec append_capped(atom(), term(), pos_integer(), term(), pos_integer(), [term()]) -> ok.
append_capped(Table, Key, FieldPos, Entry, Cap, Args) ->
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
    Infos = [{N, ets:info(N, memory), ets:info(N, size)} || N <- tweann_store_tables:names()],
    case lists:keymember(undefined, 2, Infos) of
        true -> ?STORE_NOT_RUNNING([]);
        false -> ok
    end,
    PerTable = maps:from_list(
                 [{tweann_store_tables:label(N),
                   #{words => W, bytes => W * WordSize, size => Size}}
                  || {N, W, Size} <- Infos]),
    Words = lists:sum([W || #{words := W} <- maps:values(PerTable)]),
    PerTable#{total => #{words => Words, bytes => Words * WordSize}}.

%% @doc Delete every record, registration, ownership entry and innovation
%% (for tests and benchmarks).
-spec clear() -> ok.
clear() ->
    try
        [true = ets:delete_all_objects(N) || N <- tweann_store_tables:names()],
        ok
    catch
        error:badarg:St -> ?STORE_RERAISE([], St)
    end.

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

%% Delete the agent of a registry entry selected by a sweep, if the entry is
%% still exactly as selected (not pinned or registered again since).
-spec sweep_victim(tuple()) -> {true, non_neg_integer()} | false.
sweep_victim({AgentId, _, _, _} = Entry) ->
    Registry = tweann_store_tables:registry(),
    true = ets:delete_object(Registry, Entry),
    case ets:member(Registry, AgentId) of
        false -> {true, delete_owned(AgentId)};
        true -> false
    end.

-spec owned_refs(agent_id()) -> [ref()].
owned_refs(AgentId) ->
    ets:select(tweann_store_tables:owned(),
               [{{{AgentId, '$1', '$2'}}, [], [{{'$1', '$2'}}]}]).

%% Delete everything `AgentId' owns and its `{agent, AgentId}' record; the
%% caller has removed its registration first. Returns the number of records
%% deleted.
-spec delete_owned(agent_id()) -> non_neg_integer().
delete_owned(AgentId) ->
    OwnerOf = tweann_store_tables:owner_of(),
    Owned = tweann_store_tables:owned(),
    Refs = owned_refs(AgentId),
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
    length(Refs) + Own.

%% Undo a write/2 of `Ref' for `AgentId': remove it from the index of
%% `AgentId', and the record itself unless another agent owns it by now. (No
%% owner at all means that a concurrent deletion of `AgentId' got there
%% first, perhaps before the record itself was written: the record goes
%% too.)
-spec forget(agent_id(), ref()) -> ok.
forget(AgentId, {Tag, Key} = Ref) ->
    OwnerOf = tweann_store_tables:owner_of(),
    true = ets:delete(tweann_store_tables:owned(), index_key(AgentId, Ref)),
    case ets:lookup(OwnerOf, Ref) of
        [{_, Other}] when Other =/= AgentId ->
            ok;
        _ ->
            true = ets:delete(tweann_store_tables:table(Tag), Key),
            true = ets:delete_object(OwnerOf, {Ref, AgentId}),
            ok
    end.

%% The incarnation of registered `AgentId', or raise.
-spec incarnation(agent_id(), [term()]) -> integer().
incarnation(AgentId, Args) ->
    case ets:lookup(tweann_store_tables:registry(), AgentId) of
        [{_, _, _, Incarnation}] ->
            Incarnation;
        [] ->
            ?TWEANN_BADARG(Args, 2,
                           "agent not registered (register_agent/2 first)")
    end.

%% Make `AgentId' the owner of `Ref' in both indexes.
-spec index(ref(), agent_id()) -> ok.
index(Ref, AgentId) ->
    OwnerOf = tweann_store_tables:owner_of(),
    case ets:lookup(OwnerOf, Ref) of
        [{_, AgentId}] ->
            ok;
        Previous ->
            Owned = tweann_store_tables:owned(),
            [ets:delete(Owned, index_key(Old, Ref)) || {_, Old} <- Previous],
            true = ets:insert(Owned, {index_key(AgentId, Ref)}),
            true = ets:insert(OwnerOf, {Ref, AgentId}),
            ok
    end.

%% Update the generation of a registered agent, else create it; an agent
%% deleted between the two attempts is tried again. Neither step touches
%% the pin of an existing entry.
-spec register_loop(atom(), agent_id(), integer()) -> ok.
register_loop(Registry, AgentId, Generation) ->
    case ets:update_element(Registry, AgentId, {2, Generation}) of
        true ->
            ok;
        false ->
            Entry = {AgentId, Generation, false, erlang:unique_integer()},
            case ets:insert_new(Registry, Entry) of
                true -> ok;
                false -> register_loop(Registry, AgentId, Generation)
            end
    end.

-spec set_pin(agent_id(), boolean(), pin | unpin) -> ok.
set_pin(AgentId, Pinned, _Function) ->
    try ets:update_element(tweann_store_tables:registry(), AgentId, {3, Pinned}) of
        true -> ok;
        false -> ?TWEANN_BADARG([AgentId], 1, "agent not registered")
    catch
        error:badarg:St -> ?STORE_RERAISE([AgentId], St)
    end.

-spec check_fields(term(), [term()]) -> [{tag(), [field_action()]}].
check_fields(Fields, Args) ->
    case tweann_store_sweep:valid_fields(Fields) of
        true -> Fields;
        false -> ?TWEANN_BADARG(Args, 3,
                                "fields is not a list of {Table, [Action]}")
    end.
