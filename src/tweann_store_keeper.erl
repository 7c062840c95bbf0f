%% @private
%% @doc Heir of the store's ETS tables (see {@link tweann_store_owner} for
%% the whole ownership design).
%%
%% The keeper creates every table with `{heir, Keeper, Name}' and gives it
%% away to the owner that claims it. When the owner dies, even by
%% `exit(Owner, kill)', the runtime hands each table back to the keeper; the
%% restarted owner claims them again. The keeper does nothing else, so it has
%% no reason to crash. If the keeper itself restarts while the owner lives,
%% its `init/1' asks the owner to make the new keeper the heir.
-module(tweann_store_keeper).
-behaviour(gen_server).

-export([start_link/0, claim/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

%% How long a claim waits for tables still owned by a dead owner to arrive.
-define(TRANSFER_WAIT_MS, 5000).

%% @doc Start the keeper, registered as `tweann_store_keeper'.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc Give every table to the calling process, creating missing ones.
%% Returns the table names.
-spec claim() -> {ok, [atom()]} | {error, term()}.
claim() ->
    gen_server:call(?MODULE, claim, infinity).

-spec init([]) -> {ok, #{}}.
init([]) ->
    Self = self(),
    %% Restarted while the owner holds the tables: become their heir.
    case whereis(tweann_store_owner) of
        Owner when is_pid(Owner) ->
            catch tweann_store_owner:set_heir(Self);
        undefined ->
            ok
    end,
    {ok, #{}}.

-spec handle_call(term(), gen_server:from(), map()) -> {reply, term(), map()}.
handle_call(claim, {Pid, _Tag}, State) ->
    Reply = try
                [give(Name, Opts, Pid) || {Name, Opts} <- tweann_store_tables:specs()],
                {ok, tweann_store_tables:names()}
            catch
                throw:Why -> {error, Why}
            end,
    {reply, Reply, State};
handle_call(_Other, _From, State) ->
    {reply, {error, unknown_call}, State}.

-spec handle_cast(term(), map()) -> {noreply, map()}.
handle_cast(_Msg, State) ->
    {noreply, State}.

-spec handle_info(term(), map()) -> {noreply, map()}.
handle_info({'ETS-TRANSFER', _Tab, _FromPid, _Data}, State) ->
    %% An owner died; the table is ours until the next claim.
    {noreply, State};
handle_info(_Msg, State) ->
    {noreply, State}.

%%%===================================================================
%%% Private
%%%===================================================================

-spec give(atom(), [term()], pid()) -> ok.
give(Name, Opts, To) ->
    ok = take(Name, Opts, To, erlang:monotonic_time(millisecond) + ?TRANSFER_WAIT_MS),
    case ets:info(Name, owner) of
        To -> ok;
        _ -> true = ets:give_away(Name, To, Name), ok
    end.

%% Make the table ours (or already the claimant's).
-spec take(atom(), [term()], pid(), integer()) -> ok.
take(Name, Opts, To, Deadline) ->
    Self = self(),
    case ets:info(Name, owner) of
        undefined ->
            _ = ets:new(Name, [{heir, Self, Name} | Opts]),
            ok;
        Self ->
            ok;
        To ->
            ok;
        Other ->
            case is_process_alive(Other) of
                true ->
                    throw({owned_by, Name, Other});
                false ->
                    %% The dead owner's tables are on their way to us.
                    case erlang:monotonic_time(millisecond) < Deadline of
                        true ->
                            receive after 1 -> ok end,
                            take(Name, Opts, To, Deadline);
                        false ->
                            throw({transfer_timeout, Name})
                    end
            end
    end.
