%% @private
%% @doc Application callback: checks the application environment
%% ({@link tweann_nif_config}), logs which backend is active (a warning with
%% the reason when the native library did not load), applies the memory
%% budget and starts {@link tweann_nif_sup}.
-module(tweann_nif_app).
-behaviour(application).

-export([start/2, stop/1]).

-include_lib("kernel/include/logger.hrl").

-spec start(application:start_type(), term()) -> {ok, pid()} | {error, term()}.
start(_Type, _Args) ->
    case tweann_nif_config:check(application:get_all_env(tweann_nif)) of
        ok ->
            log_backend(),
            apply_memory_budget(),
            tweann_nif_sup:start_link();
        {error, Reason} ->
            ?LOG_ERROR("~ts", [tweann_nif_config:format_error(Reason)]),
            {error, Reason}
    end.

log_backend() ->
    Status = tweann_nif_native:load_status(),
    Backend = application:get_env(tweann_nif, backend, nif),
    Info = case Status of
               ok -> tweann_nif:build_info();
               _ -> #{}
           end,
    case tweann_nif_config:backend_report(Status, Backend, Info) of
        {info, Text} -> ?LOG_INFO("~ts", [Text]);
        {warning, Text} -> ?LOG_WARNING("~ts", [Text])
    end.

%% {tweann_nif, [{memory_budget, Bytes}]} sets the NIF's global budget.
apply_memory_budget() ->
    case {tweann_nif:is_loaded(), application:get_env(tweann_nif, memory_budget)} of
        {true, {ok, Bytes}} -> _ = tweann_nif:set_memory_budget(Bytes), ok;
        _ -> ok
    end.

-spec stop(term()) -> ok.
stop(_State) ->
    ok.
