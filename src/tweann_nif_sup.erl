%% @private
%% @doc Supervisors of the tweann_nif application.
%%
%% The NIF itself needs no process. The processes hold the ETS tables that
%% replace Mnesia (the genotype store and the innovation tables); see
%% {@link tweann_store_owner} for the design. This module implements two
%% supervisors:
%%
%% <ul>
%%  <li>`tweann_nif_sup', the top (one_for_one): first
%%      `tweann_store_owner_sup', then the keeper.</li>
%%  <li>`tweann_store_owner_sup' (simple_one_for_one): the table owner, a
%%      `temporary' child that only the keeper starts. Because no supervisor
%%      restarts an owner, killing owners uses up no restart intensity.</li>
%% </ul>
%%
%% Starting the top supervisor also decides the backend of
%% {@link tweann_nif} once (see `tweann_backend'): an invalid `backend'
%% setting fails the start.
-module(tweann_nif_sup).
-behaviour(supervisor).

-export([start_link/0, start_owner_sup/0, init/1]).

-define(OWNER_SUP, tweann_store_owner_sup).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, top).

%% @doc Start the owner supervisor, registered as `tweann_store_owner_sup'.
-spec start_owner_sup() -> {ok, pid()} | ignore | {error, term()}.
start_owner_sup() ->
    supervisor:start_link({local, ?OWNER_SUP}, ?MODULE, owner).

-spec init(top | owner) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init(top) ->
    _ = tweann_backend:decide(),
    SupFlags = #{strategy => one_for_one, intensity => 10, period => 10},
    %% The owner supervisor first: the keeper's init/1 starts an owner.
    {ok, {SupFlags,
          [#{id => ?OWNER_SUP,
             start => {?MODULE, start_owner_sup, []},
             restart => permanent, shutdown => infinity, type => supervisor,
             modules => [?MODULE]},
           #{id => tweann_store_keeper,
             start => {tweann_store_keeper, start_link, []},
             restart => permanent, shutdown => 5000, type => worker,
             modules => [tweann_store_keeper]}]}};
init(owner) ->
    SupFlags = #{strategy => simple_one_for_one, intensity => 1, period => 5},
    {ok, {SupFlags,
          [#{id => tweann_store_owner,
             start => {tweann_store_owner, start_link, []},
             restart => temporary, shutdown => 5000, type => worker,
             modules => [tweann_store_owner]}]}}.
