%% @private
%% @doc Top supervisor of the tweann_nif application.
%%
%% The NIF itself needs no process. The children are the owners of the ETS
%% tables that replace Mnesia (the genotype store and the innovation tables).
-module(tweann_nif_sup).
-behaviour(supervisor).

-export([start_link/0, init/1]).

-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

-spec init([]) -> {ok, {supervisor:sup_flags(), [supervisor:child_spec()]}}.
init([]) ->
    SupFlags = #{strategy => one_for_one, intensity => 10, period => 10},
    {ok, {SupFlags, children()}}.

children() ->
    [].
