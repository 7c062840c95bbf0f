%% @private
%% @doc Which implementation answers the calls of {@link tweann_nif}.
%%
%% `native' when the native library is loaded. Without it, the application
%% environment decides: `{tweann_nif, [{backend, erlang}]}' routes calls to
%% the pure Erlang reference (`tweann_ref_*'); `native' or `nif' (the
%% default) keeps the native stubs, which raise
%% `{tweann_nif_not_loaded, Why}'. The reference is never chosen silently.
%%
%% The choice is made once, at application start or at the first call,
%% whichever comes first, and kept in `persistent_term', so a call costs one
%% lookup. Any other setting is an error naming the value, raised at
%% application start (the start fails) and at every call.
-module(tweann_backend).

-export([get/0, decide/0, configured/0]).

-export_type([backend/0]).

-type backend() :: native | erlang.

-define(KEY, {?MODULE, backend}).

%% @doc The backend of this node.
-spec get() -> backend().
get() ->
    case persistent_term:get(?KEY, undefined) of
        undefined -> decide();
        Backend -> Backend
    end.

%% @doc Decide the backend again from the load status of the native library
%% and the application environment, and keep it.
-spec decide() -> backend().
decide() ->
    Configured = configured(),
    Backend = case tweann_nif_native:load_status() of
                  ok -> native;
                  {error, _} -> Configured
              end,
    persistent_term:get(?KEY, undefined) =:= Backend orelse persistent_term:put(?KEY, Backend),
    Backend.

%% @doc The validated `backend' setting of the application environment:
%% `native' (also spelled `nif', the default) or `erlang'.
-spec configured() -> backend().
configured() ->
    %% Read sys.config and `-tweann_nif backend erlang' even if the
    %% application was not started (loading is idempotent; skipped when the
    %% application is already loaded).
    _ = case application:get_key(tweann_nif, vsn) of
            undefined -> application:load(tweann_nif);
            {ok, _} -> ok
        end,
    case application:get_env(tweann_nif, backend, native) of
        native -> native;
        nif -> native;
        erlang -> erlang;
        Other ->
            erlang:error({tweann_nif_bad_backend, Other,
                          "the tweann_nif application setting `backend' must be native, nif "
                          "or erlang"})
    end.
