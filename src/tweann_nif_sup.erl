%% @private
%% @doc Top supervisor of the tweann_nif application.
%%
%% The NIF itself needs no process. The children are the owners of the ETS
%% tables that replace Mnesia (the genotype store and the innovation tables).
%% Starting also decides the backend of {@link tweann_nif} once (see
%% `tweann_backend'): an invalid `backend' setting fails the start.
-module(tweann_nif_sup).
-behaviour(supervisor).

-export([start_link/0, init/1]).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

-spec init([]) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init([]) ->
    _ = tweann_backend:decide(),
    SupFlags = #{strategy => one_for_one, intensity => 10, period => 10},
    {ok, {SupFlags, children()}}.

-spec children() -> [supervisor:child_spec()].
children() ->
    %% Keeper first: it is the heir of the tables the owner holds.
    [#{id => tweann_store_keeper,
       start => {tweann_store_keeper, start_link, []},
       restart => permanent, shutdown => 5000, type => worker,
       modules => [tweann_store_keeper]},
     #{id => tweann_store_owner,
       start => {tweann_store_owner, start_link, []},
       restart => permanent, shutdown => 5000, type => worker,
       modules => [tweann_store_owner]}].
