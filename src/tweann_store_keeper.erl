%% @private
%% @doc Heir of the store's ETS tables and starter of their owner (see
%% {@link tweann_store_owner} for the whole ownership design).
%%
%% The keeper creates every missing table with `{heir, Keeper, Name}',
%% starts an owner under `tweann_store_owner_sup' and gives it the tables.
%% It monitors the owner. When the owner dies, even by `exit(Owner, kill)',
%% the runtime hands each table back to the keeper (`ETS-TRANSFER'), and the
%% keeper starts the next owner and gives the tables on. Owners are
%% temporary children: their deaths use up no supervisor restart intensity.
%%
%% Everything the keeper does on an event is idempotent: on any `DOWN' of
%% its owner, `ETS-TRANSFER' or retry it makes sure an owner is alive and
%% gives it every table the keeper holds. A give-away to an owner that died
%% meanwhile fails harmlessly; the `DOWN' that follows starts another. If no
%% owner can be started (the owner supervisor is itself being restarted),
%% the keeper keeps the tables, which stay usable, and tries again every 10
%% milliseconds.
%%
%% A restarted keeper finds the running owner and asks it to make the new
%% keeper the heir.
-module(tweann_store_keeper).
-behaviour(gen_server).

-export([start_link/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(OWNER_SUP, tweann_store_owner_sup).
-define(RETRY_MS, 10).

-type state() :: #{owner := pid() | undefined, monitor := reference() | undefined,
                   retry := boolean()}.

%% @doc Start the keeper, registered as `tweann_store_keeper'.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

-spec init([]) -> {ok, state()}.
init([]) ->
    State0 = #{owner => undefined, monitor => undefined, retry => false},
    %% Restarted while an owner holds the tables: become their heir.
    State = case whereis(tweann_store_owner) of
                Owner when is_pid(Owner) -> adopt(Owner, State0);
                undefined -> State0
            end,
    create_missing(),
    {ok, hand_over(State)}.

-spec handle_call(term(), gen_server:from(), state()) -> {reply, term(), state()}.
handle_call(_Other, _From, State) ->
    {reply, {error, unknown_call}, State}.

-spec handle_cast(term(), state()) -> {noreply, state()}.
handle_cast(_Msg, State) ->
    {noreply, State}.

-spec handle_info(term(), state()) -> {noreply, state()}.
handle_info({'DOWN', Ref, process, _Pid, _Why}, #{monitor := Ref} = State) ->
    {noreply, hand_over(State#{owner := undefined, monitor := undefined})};
handle_info({'ETS-TRANSFER', _Tab, _FromPid, _Data}, State) ->
    %% An owner died holding the table; it is ours until the next owner.
    {noreply, hand_over(State)};
handle_info(retry, State) ->
    {noreply, hand_over(State#{retry := false})};
handle_info(_Msg, State) ->
    {noreply, State}.

%%%===================================================================
%%% Private
%%%===================================================================

%% Monitor a running owner and become the heir of its tables.
-spec adopt(pid(), state()) -> state().
adopt(Owner, State) ->
    Ref = monitor(process, Owner),
    try tweann_store_owner:set_heir(Owner, self()) of
        ok -> State#{owner := Owner, monitor := Ref}
    catch
        exit:_ ->
            demonitor(Ref, [flush]),
            State
    end.

-spec create_missing() -> ok.
create_missing() ->
    Self = self(),
    lists:foreach(fun({Name, Opts}) ->
                          case ets:whereis(Name) of
                              undefined -> _ = ets:new(Name, [{heir, Self, Name} | Opts]);
                              _ -> ok
                          end
                  end, tweann_store_tables:specs()).

%% Make sure an owner runs, then give it every table we hold.
-spec hand_over(state()) -> state().
hand_over(State0) ->
    case ensure_owner(State0) of
        #{owner := Owner} = State when is_pid(Owner) ->
            Self = self(),
            [give(Name, Owner) || Name <- tweann_store_tables:names(),
                                  ets:info(Name, owner) =:= Self],
            State;
        State ->
            State
    end.

-spec give(atom(), pid()) -> ok.
give(Name, Owner) ->
    true = ets:setopts(Name, {heir, self(), Name}),
    try
        true = ets:give_away(Name, Owner, Name),
        ok
    catch
        %% The owner died meanwhile: its DOWN starts the next one.
        error:badarg -> ok
    end.

-spec ensure_owner(state()) -> state().
ensure_owner(#{owner := Owner} = State) when is_pid(Owner) ->
    State;
ensure_owner(State) ->
    try supervisor:start_child(?OWNER_SUP, []) of
        {ok, Pid} ->
            State#{owner := Pid, monitor := monitor(process, Pid)};
        {error, {already_started, Pid}} ->
            adopt(Pid, State);
        _Other ->
            retry(State)
    catch
        exit:_ ->
            retry(State)
    end.

-spec retry(state()) -> state().
retry(#{retry := true} = State) ->
    State;
retry(State) ->
    _ = erlang:send_after(?RETRY_MS, self(), retry),
    State#{retry := true}.
