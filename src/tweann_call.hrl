%% Dispatch of a public tweann_nif function to the native library or to the
%% pure Erlang reference, and the one place their internal errors become
%% public ones.
%%
%% ?CALL(Args, NativeExpr, RefExpr) evaluates NativeExpr, or RefExpr when the
%% backend is the reference (tweann_backend:get/0: decided once, kept in
%% persistent_term). ?HEAVY(Args, NativeNormalExpr, NativeDirtyExpr, RefExpr)
%% does the same, and when the normal-scheduler entry answers
%% '$tweann_dirty' (the work is large) evaluates NativeDirtyExpr.
%%
%% Both backends raise error:{tweann_error, Class, Pos, Why}; it is raised
%% again as error:Class (badarg or badarith) with EEP 54 error_info, from the
%% public function itself (Args are its arguments), so the shell shows that
%% function once and tweann_error:format_error/2 explains argument Pos. Any
%% other exception (such as {tweann_nif_not_loaded, Why} from a stub of
%% tweann_nif_native) passes through unchanged.
-include("tweann_error.hrl").

-define(TWEANN_DIRTY, '$tweann_dirty').

-define(CALL(Args, NativeExpr, RefExpr),
        try
            case tweann_backend:get() of
                native -> NativeExpr;
                erlang -> RefExpr
            end
        catch
            error:{tweann_error, Class__, Pos__, Why__} ->
                ?TWEANN_ERROR(Class__, Args, Pos__, Why__)
        end).

-define(HEAVY(Args, NativeNormalExpr, NativeDirtyExpr, RefExpr),
        try
            case tweann_backend:get() of
                native ->
                    case NativeNormalExpr of
                        ?TWEANN_DIRTY -> NativeDirtyExpr;
                        Result__ -> Result__
                    end;
                erlang -> RefExpr
            end
        catch
            error:{tweann_error, Class__, Pos__, Why__} ->
                ?TWEANN_ERROR(Class__, Args, Pos__, Why__)
        end).
