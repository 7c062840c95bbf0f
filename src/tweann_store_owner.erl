%% @private
%% @doc Owner of the ETS tables behind {@link tweann_store} and
%% {@link tweann_innovation}.
%%
%% == Ownership design ==
%%
%% Two processes under {@link tweann_nif_sup} (one_for_one), started in this
%% order:
%%
%% <ol>
%%  <li>`tweann_store_keeper' creates each table with
%%      `{heir, Keeper, Name}' and otherwise only waits.</li>
%%  <li>`tweann_store_owner' (this module) claims the tables from the keeper
%%      in `init/1', so it owns them while it runs.</li>
%% </ol>
%%
%% The tables are `public' and `named_table': every process reads and writes
%% them directly, and no call goes through either process. Hence:
%%
%% <ul>
%%  <li>A caller that dies (killed or crashed) owns nothing; records it wrote
%%      stay.</li>
%%  <li>`exit(Owner, kill)': the runtime gives each table to its heir, the
%%      keeper, before the supervisor restarts the owner; the new owner's
%%      `init/1' claims them back (waiting, if needed, for the transfers to
%%      land). Readers and writers keep working in between, because the
%%      tables never stop existing.</li>
%%  <li>`exit(Keeper, kill)': the owner still owns the tables; the restarted
%%      keeper asks the owner (`set_heir/1') to make it the heir again.</li>
%%  <li>Only both dying at once (or the application stopping) loses the
%%      tables, as with RAM-only Mnesia.</li>
%% </ul>
%%
%% The innovation counter is an `atomics' array in `persistent_term'; it
%% belongs to no process and so survives both.
-module(tweann_store_owner).
-behaviour(gen_server).

-export([start_link/0, set_heir/1, tables/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

%% @doc Start the owner, registered as `tweann_store_owner'. It claims (or
%% creates) the tables before returning.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc Make `Keeper' the heir of every table (called by a restarted keeper).
-spec set_heir(pid()) -> ok.
set_heir(Keeper) when is_pid(Keeper) ->
    gen_server:call(?MODULE, {set_heir, Keeper}, 5000).

%% @doc The tables the owner holds.
-spec tables() -> [atom()].
tables() ->
    gen_server:call(?MODULE, tables).

-spec init([]) -> {ok, [atom()]} | {stop, term()}.
init([]) ->
    ok = tweann_innovation:setup(),
    case tweann_store_keeper:claim() of
        {ok, Names} -> {ok, Names};
        {error, Why} -> {stop, {claim_failed, Why}}
    end.

-spec handle_call(term(), gen_server:from(), [atom()]) ->
          {reply, term(), [atom()]}.
handle_call({set_heir, Keeper}, _From, Names) ->
    [true = ets:setopts(N, {heir, Keeper, N}) || N <- Names],
    {reply, ok, Names};
handle_call(tables, _From, Names) ->
    {reply, Names, Names};
handle_call(_Other, _From, Names) ->
    {reply, {error, unknown_call}, Names}.

-spec handle_cast(term(), [atom()]) -> {noreply, [atom()]}.
handle_cast(_Msg, Names) ->
    {noreply, Names}.

-spec handle_info(term(), [atom()]) -> {noreply, [atom()]}.
handle_info({'ETS-TRANSFER', _Tab, _From, _Data}, Names) ->
    {noreply, Names};
handle_info(_Msg, Names) ->
    {noreply, Names}.
