%% @private
%% @doc Owner of the ETS tables behind {@link tweann_store} and
%% {@link tweann_innovation}.
%%
%% == Ownership design ==
%%
%% The supervision tree ({@link tweann_nif_sup}):
%%
%% ```
%% tweann_nif_sup (one_for_one, 10 restarts in 10 s)
%%  |- tweann_store_owner_sup (simple_one_for_one, temporary children)
%%  |   `- tweann_store_owner   holds the tables, heir: the keeper
%%  `- tweann_store_keeper      creates the tables, starts owners
%% '''
%%
%% The tables are `public' and `named_table': every process reads and writes
%% them directly, and no call goes through either process. At any time each
%% table is held either by the owner (with the keeper as heir) or, for a
%% moment, by the keeper itself.
%%
%% <ul>
%%  <li>A caller that dies (killed or crashed) owns nothing; records it
%%      wrote stay.</li>
%%  <li>`exit(Owner, kill)': the runtime gives each table to its heir, the
%%      keeper. The keeper, which monitors the owner, starts a new owner
%%      under `tweann_store_owner_sup' and gives it the tables. The owner is
%%      a `temporary' child: no supervisor ever restarts it, so owner deaths
%%      use up no restart intensity, and any number of them, at any rate,
%%      loses nothing and never stops the application. An owner killed
%%      before the keeper has handed it every table only sends the tables it
%%      got back to the keeper, which hands them to the next owner. Readers
%%      and writers keep working throughout: the tables never stop
%%      existing.</li>
%%  <li>`exit(Keeper, kill)' while the owner holds the tables: nothing
%%      moves; `tweann_nif_sup' restarts the keeper, whose `init/1' finds the
%%      owner, monitors it and asks it ({@link set_heir/2}) to make the new
%%      keeper the heir again. Keeper restarts count against the top
%%      supervisor's intensity (10 in 10 s), as any OTP child's do; the
%%      keeper does nothing that can fail.</li>
%%  <li>Only both processes dying within one hand-over (the owner and then
%%      the keeper before it has handed the tables on, or the keeper and
%%      then the owner before the new keeper is its heir) loses the tables,
%%      as does stopping the application; store calls then raise the
%%      "not running" error of {@link tweann_store}.</li>
%% </ul>
%%
%% The innovation counter is an `atomics' array in `persistent_term'; it
%% belongs to no process and so survives both.
-module(tweann_store_owner).
-behaviour(gen_server).

-export([start_link/0, set_heir/2, tables/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

%% @doc Start an owner, registered as `tweann_store_owner' (called by
%% `tweann_store_owner_sup' when the keeper asks for one). It starts with
%% no table; the keeper gives them.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc Make `Keeper' the heir of every table `Owner' holds (called by a
%% restarted keeper).
-spec set_heir(Owner :: pid(), Keeper :: pid()) -> ok.
set_heir(Owner, Keeper) when is_pid(Owner), is_pid(Keeper) ->
    gen_server:call(Owner, {set_heir, Keeper}, 5000).

%% @doc The tables the registered owner holds now.
-spec tables() -> [atom()].
tables() ->
    gen_server:call(?MODULE, tables).

-spec init([]) -> {ok, #{}}.
init([]) ->
    ok = tweann_innovation:setup(),
    {ok, #{}}.

-spec handle_call(term(), gen_server:from(), #{}) -> {reply, term(), #{}}.
handle_call({set_heir, Keeper}, _From, State) ->
    [true = ets:setopts(N, {heir, Keeper, N}) || N <- held()],
    {reply, ok, State};
handle_call(tables, _From, State) ->
    {reply, held(), State};
handle_call(_Other, _From, State) ->
    {reply, {error, unknown_call}, State}.

-spec handle_cast(term(), #{}) -> {noreply, #{}}.
handle_cast(_Msg, State) ->
    {noreply, State}.

-spec handle_info(term(), #{}) -> {noreply, #{}}.
handle_info({'ETS-TRANSFER', _Tab, _From, _Data}, State) ->
    %% A table given by the keeper.
    {noreply, State};
handle_info(_Msg, State) ->
    {noreply, State}.

-spec held() -> [atom()].
held() ->
    Self = self(),
    [N || N <- tweann_store_tables:names(), ets:info(N, owner) =:= Self].
