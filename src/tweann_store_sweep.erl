%% @private
%% @doc Generation sweep helpers for {@link tweann_store:sweep/3}: choosing
%% the agents to delete and tidying the record fields that would otherwise
%% grow forever (agent id lists, dead pools).
%%
%% == Field configuration ==
%% The store does not know record definitions, so the fields to tidy are
%% configured as `[{Tag, [Action]}]' with tuple positions (`#agent.parent_ids'
%% in code that includes the record definition). They come from
%% `tweann_store:sweep/3''s `fields' option, else the application environment
%% key `sweep_fields', else {@link default_fields/0}.
-module(tweann_store_sweep).

-export([victims/1, tidy/1, configured_fields/0, default_fields/0,
         valid_fields/1]).

%% DXNN2 / faber-tweann include/records.hrl tuple positions.
-define(AGENT_OFFSPRING_IDS, 22).
-define(AGENT_PARENT_IDS, 23).
-define(SPECIE_ALL_AGENT_IDS, 6).
-define(SPECIE_AGENT_IDS, 7).
-define(SPECIE_DEAD_POOL, 8).

%% @doc The registry entries of registered, unpinned agents born before
%% generation `Cutoff' (see {@link tweann_store_tables:registry/0}).
-spec victims(integer()) -> [tuple()].
victims(Cutoff) ->
    ets:select(tweann_store_tables:registry(),
               [{{'_', '$1', false, '_'}, [{'<', '$1', Cutoff}], ['$_']}]).

%% @doc Apply the field actions to every record of each configured table.
%% Returns the number of fields rewritten.
-spec tidy([{tweann_store_tables:tag(), [tweann_store:field_action()]}]) ->
          non_neg_integer().
tidy(Fields) ->
    lists:sum([tidy_table(Tag, Actions) || {Tag, Actions} <- Fields, Actions =/= []]).

%% @doc The fields {@link tweann_store:sweep/2} tidies.
-spec configured_fields() -> [{tweann_store_tables:tag(), [tweann_store:field_action()]}].
configured_fields() ->
    case application:get_env(tweann_nif, sweep_fields) of
        {ok, default} -> default_fields();
        {ok, Fields} ->
            case valid_fields(Fields) of
                true -> Fields;
                false -> erlang:error({badconfig, {tweann_nif, sweep_fields, Fields}})
            end;
        undefined -> default_fields()
    end.

%% @doc DXNN2/faber-tweann record layout: trim `agent.offspring_ids',
%% `agent.parent_ids', `specie.all_agent_ids' and `specie.agent_ids' to live
%% agents, and clear `specie.dead_pool'.
-spec default_fields() -> [{tweann_store_tables:tag(), [tweann_store:field_action()]}].
default_fields() ->
    [{agent, [{ids, ?AGENT_OFFSPRING_IDS}, {ids, ?AGENT_PARENT_IDS}]},
     {specie, [{ids, ?SPECIE_ALL_AGENT_IDS}, {ids, ?SPECIE_AGENT_IDS},
               {clear, ?SPECIE_DEAD_POOL}]}].

%% @doc Whether `Fields' is a well-formed field configuration.
-spec valid_fields(term()) -> boolean().
valid_fields(Fields) when is_list(Fields) ->
    lists:all(fun({Tag, Actions}) when is_list(Actions) ->
                      tweann_store_tables:table(Tag) =/= undefined
                          andalso lists:all(fun valid_action/1, Actions);
                 (_) -> false
              end, Fields);
valid_fields(_) ->
    false.

%%%===================================================================
%%% Private
%%%===================================================================

-spec valid_action(term()) -> boolean().
valid_action({ids, P}) -> is_integer(P) andalso P > 2;
valid_action({clear, P}) -> is_integer(P) andalso P > 2;
valid_action({cap, P, N}) -> is_integer(P) andalso P > 2 andalso is_integer(N) andalso N >= 0;
valid_action(_) -> false.

-spec tidy_table(tweann_store_tables:tag(), [tweann_store:field_action()]) -> non_neg_integer().
tidy_table(Tag, Actions) ->
    Table = tweann_store_tables:table(Tag),
    %% ets:foldl fixes the table, so updating elements while folding is safe.
    ets:foldl(fun(Record, N) ->
                      Updates = lists:filtermap(fun(A) -> action(A, Record) end, Actions),
                      case Updates of
                          [] -> N;
                          _ ->
                              _ = ets:update_element(Table, element(2, Record), Updates),
                              N + length(Updates)
                      end
              end, 0, Table).

-spec action(tweann_store:field_action(), tuple()) -> false | {true, {pos_integer(), list()}}.
action(Action, Record) ->
    Pos = element(2, Action),
    case tuple_size(Record) >= Pos andalso element(Pos, Record) of
        List when is_list(List) ->
            case apply_action(Action, List) of
                List -> false;
                New -> {true, {Pos, New}}
            end;
        _ ->
            false
    end.

-spec apply_action(tweann_store:field_action(), list()) -> list().
apply_action({ids, _}, List) -> [Id || Id <- List, live(Id)];
apply_action({clear, _}, _List) -> [];
apply_action({cap, _, N}, List) -> lists:sublist(List, N).

-spec live(term()) -> boolean().
live(Id) ->
    ets:member(tweann_store_tables:table(agent), Id)
        orelse ets:member(tweann_store_tables:registry(), Id).
