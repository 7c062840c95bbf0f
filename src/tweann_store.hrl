%% The store's "not running" error, for the modules whose calls work on the
%% store's ETS tables (tweann_store, tweann_innovation). Include
%% tweann_error.hrl first. Like ?TWEANN_ERROR, these expand in the public
%% function (or in an inlined helper), so the error names that function.

%% Raise the error of a call (with arguments Args) made while the tables do
%% not exist, before the tweann_nif application started or after it
%% stopped: badarg with error_info about no one argument.
-define(STORE_NOT_RUNNING(Args),
        ?TWEANN_BADARG(Args, general, tweann_store_tables:not_running_reason())).

%% For a badarg caught (with stack trace St) around ETS calls on the
%% tables: ?STORE_NOT_RUNNING(Args) when the tables are gone, else the same
%% exception again, unchanged.
-define(STORE_RERAISE(Args, St),
        case tweann_store_tables:running() of
            true -> erlang:raise(error, badarg, St);
            false -> ?STORE_NOT_RUNNING(Args)
        end).
