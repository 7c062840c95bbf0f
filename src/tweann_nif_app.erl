%% @private
%% @doc Application callback: starts {@link tweann_nif_sup}.
-module(tweann_nif_app).
-behaviour(application).

-export([start/2, stop/1]).

-spec start(application:start_type(), term()) -> {ok, pid()} | {error, term()}.
start(_Type, _Args) ->
    tweann_nif_sup:start_link().

-spec stop(term()) -> ok.
stop(_State) ->
    ok.
