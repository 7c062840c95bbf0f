%% Dispatch of a public tweann_nif function to the native library or to the
%% pure Erlang reference, and the one place their internal errors become
%% public ones.
%%
%% ?CALL(Args, NativeExpr, RefExpr) evaluates NativeExpr. ?HEAVY(Args,
%% NativeNormalExpr, NativeDirtyExpr, RefExpr) evaluates the normal-scheduler
%% entry and, when it answers '$tweann_dirty' (the work is large),
%% NativeDirtyExpr. The native library is tried first, with no lookup: when it
%% is loaded it answers (the backend is then always native). When it is not,
%% the stub of tweann_nif_native raises {tweann_nif_not_loaded, Why}, and
%% only then is the backend asked (tweann_backend:get/0: decided once, kept in
%% persistent_term): erlang evaluates RefExpr, native raises the stub's
%% error again, and an invalid setting raises
%% {tweann_nif_bad_backend, Value, Message}.
%%
%% Both backends raise error:{tweann_error, Class, Pos, Why}; it is raised
%% again as error:Class (badarg or badarith) with EEP 54 error_info, from the
%% public function itself (Args are its arguments), so the shell shows that
%% function once and tweann_error:format_error/2 explains argument Pos. Any
%% other exception passes through unchanged.
-include("tweann_error.hrl").

-define(TWEANN_DIRTY, '$tweann_dirty').

-define(CALL(Args, NativeExpr, RefExpr),
        try
            NativeExpr
        catch
            error:{tweann_error, Class__, Pos__, Why__} ->
                ?TWEANN_ERROR(Class__, Args, Pos__, Why__);
            error:{tweann_nif_not_loaded, _} = NotLoaded__:Stack__ ->
                ?TWEANN_WITHOUT_LIBRARY(Args, RefExpr, NotLoaded__, Stack__)
        end).

-define(HEAVY(Args, NativeNormalExpr, NativeDirtyExpr, RefExpr),
        try
            case NativeNormalExpr of
                ?TWEANN_DIRTY -> NativeDirtyExpr;
                Result__ -> Result__
            end
        catch
            error:{tweann_error, Class__, Pos__, Why__} ->
                ?TWEANN_ERROR(Class__, Args, Pos__, Why__);
            error:{tweann_nif_not_loaded, _} = NotLoaded__:Stack__ ->
                ?TWEANN_WITHOUT_LIBRARY(Args, RefExpr, NotLoaded__, Stack__)
        end).

%% The library is not loaded: the reference if it is configured, else the
%% stub's error (or the invalid setting's).
-define(TWEANN_WITHOUT_LIBRARY(Args, RefExpr, NotLoaded, Stack),
        case tweann_backend:get() of
            erlang ->
                try
                    RefExpr
                catch
                    error:{tweann_error, RefClass__, RefPos__, RefWhy__} ->
                        ?TWEANN_ERROR(RefClass__, Args, RefPos__, RefWhy__)
                end;
            native ->
                erlang:raise(error, NotLoaded, Stack)
        end).
