%% @private
%% @doc Layout of the ETS tables behind {@link tweann_store} and
%% {@link tweann_innovation}: their names, their options, and the mapping from
%% a record's tag (element 1) to the table that stores it.
%%
%% ETS names are prefixed (`tweann_store_agent', not `agent') so that the
%% store can run beside Mnesia, whose ram_copies tables are ETS tables named
%% after the Mnesia table.
-module(tweann_store_tables).

-export([record_tags/0, table/1, registry/0, owned/0, owner_of/0,
         link_innovation/0, node_innovation/0, specs/0, names/0, label/1,
         running/0, not_running_reason/0]).

-type tag() :: tweann_store:tag().
-export_type([tag/0]).

%% @doc The record tags the store accepts, in Mnesia table order.
-spec record_tags() -> [tag(), ...].
record_tags() ->
    [agent, cortex, sensor, actuator, neuron, substrate, specie, population].

%% @doc The ETS table holding records tagged `Tag', or `undefined'.
-spec table(term()) -> atom() | undefined.
table(agent) -> tweann_store_agent;
table(cortex) -> tweann_store_cortex;
table(sensor) -> tweann_store_sensor;
table(actuator) -> tweann_store_actuator;
table(neuron) -> tweann_store_neuron;
table(substrate) -> tweann_store_substrate;
table(specie) -> tweann_store_specie;
table(population) -> tweann_store_population;
table(_) -> undefined.

%% @doc Agent registry: `{AgentId, Generation, Pinned :: boolean(),
%% Incarnation :: integer()}'. `Incarnation' is fresh each time the agent
%% is created (not when it is registered again), so that {@link
%% tweann_store:write/2} can tell an agent from one deleted and registered
%% anew under the same id.
-spec registry() -> atom().
registry() -> tweann_store_agents.

%% @doc Ownership index (ordered_set): `{{AgentId, Tag, Key}}'.
-spec owned() -> atom().
owned() -> tweann_store_owned.

%% @doc Reverse ownership index: `{{Tag, Key}, AgentId}'.
-spec owner_of() -> atom().
owner_of() -> tweann_store_owner_of.

%% @doc Link innovations: `{{From, To}, Innovation}'.
-spec link_innovation() -> atom().
link_innovation() -> tweann_innovation_link.

%% @doc Node innovations: `{{From, To}, {Node, In, Out}}'.
-spec node_innovation() -> atom().
node_innovation() -> tweann_innovation_node.

%% @doc Every table with its `ets:new/2' options (without `heir').
%%
%% The tables are plain `public' tables by default: on the 2-core
%% development host `{read_concurrency, true}' plus `{write_concurrency,
%% true}' made single-process lookups about 35% slower and 4 concurrent
%% readers/writers 2-3 times slower. On a many-core host set the application
%% environment key `store_ets_opts' (e.g. `[{read_concurrency, true}]'); its
%% options are added to every table when the tables are created.
-spec specs() -> [{atom(), [term()]}].
specs() ->
    Extra = case application:get_env(tweann_nif, store_ets_opts, []) of
                L when is_list(L) -> L;
                _ -> []
            end,
    Common = [public, named_table | Extra],
    [{table(T), [set, {keypos, 2} | Common]} || T <- record_tags()] ++
        [{registry(), [set | Common]},
         {owned(), [ordered_set | Common]},
         {owner_of(), [set | Common]},
         {link_innovation(), [set | Common]},
         {node_innovation(), [set | Common]}].

%% @doc Every table name.
-spec names() -> [atom()].
names() ->
    [Name || {Name, _} <- specs()].

%% @doc The short name {@link tweann_store:memory/0} reports a table under.
-spec label(atom()) -> atom().
label(tweann_store_agents) -> agent_registry;
label(tweann_store_owned) -> owned_index;
label(tweann_store_owner_of) -> owner_index;
label(tweann_innovation_link) -> link_innovation;
label(tweann_innovation_node) -> node_innovation;
label(Name) ->
    "tweann_store_" ++ Tag = atom_to_list(Name),
    list_to_existing_atom(Tag).

%% @doc Whether every table exists (the `tweann_nif' application is
%% running).
-spec running() -> boolean().
running() ->
    lists:all(fun(Name) -> ets:whereis(Name) =/= undefined end, names()).

%% @doc Why a call fails while the tables do not exist: the general cause
%% of its `badarg' (raised by the macros of `tweann_store.hrl', in the
%% public function itself).
-spec not_running_reason() -> string().
not_running_reason() ->
    "the store is not running: its tables do not exist (start the tweann_nif application)".
