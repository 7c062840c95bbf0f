%% @private
%% @doc Application callback: starts {@link tweann_nif_sup}.
-module(tweann_nif_app).
-behaviour(application).

-export([start/2, stop/1]).

-spec start(application:start_type(), term()) -> {ok, pid()} | {error, term()}.
start(_Type, _Args) ->
    apply_memory_budget(),
    tweann_nif_sup:start_link().

%% {tweann_nif, [{memory_budget, Bytes}]} sets the NIF's global budget.
apply_memory_budget() ->
    case {tweann_nif:is_loaded(), application:get_env(tweann_nif, memory_budget)} of
        {true, {ok, Bytes}} -> _ = tweann_nif:set_memory_budget(Bytes), ok;
        _ -> ok
    end.

-spec stop(term()) -> ok.
stop(_State) ->
    ok.
