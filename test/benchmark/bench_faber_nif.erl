%% faber-tweann 2.4's own NIF (module faber_nn_nifs), loaded for side-by-side
%% benchmarks and differential checks when the environment variable
%% TWEANN_FABER_NIF_DIR names a directory laid out as
%%
%%   $TWEANN_FABER_NIF_DIR/ebin/faber_nn_nifs.beam
%%   $TWEANN_FABER_NIF_DIR/priv/libfaber_nn_nifs.so
%%
%% (faber_nn_nifs finds its library in ../priv beside its beam when no
%% faber_tweann application is in the code path). Nothing of faber-tweann is
%% part of this repository: build it from its own sources. Without the
%% variable, available/0 is false and callers skip the faber column.
-module(bench_faber_nif).

-export([available/0, why_not/0, call/2, path/0]).

-define(ENV, "TWEANN_FABER_NIF_DIR").

%% True when faber_nn_nifs is loaded with its native library.
available() ->
    why_not() =:= ok.

%% ok, or why faber's NIF is not available.
why_not() ->
    case os:getenv(?ENV) of
        V when V =:= false; V =:= "" -> {skipped, ?ENV ++ " is not set"};
        Dir -> load(Dir)
    end.

load(Dir) ->
    case code:is_loaded(faber_nn_nifs) of
        {file, _} -> loaded_status();
        false ->
            %% In the code path (not code:load_abs/1): its on_load finds the
            %% library with code:which/1, which searches the path.
            Ebin = filename:join(Dir, "ebin"),
            case code:add_pathz(Ebin) of
                true ->
                    case code:ensure_loaded(faber_nn_nifs) of
                        {module, faber_nn_nifs} -> loaded_status();
                        Error -> {error, {cannot_load, Ebin, Error}}
                    end;
                {error, _} ->
                    {error, {no_such_directory, Ebin}}
            end
    end.

loaded_status() ->
    case catch faber_nn_nifs:is_loaded() of
        true -> ok;
        Other -> {error, {library_not_loaded, Other}}
    end.

%% faber_nn_nifs:F(Args...).
call(F, Args) ->
    apply(faber_nn_nifs, F, Args).

%% The benchmark path name of faber's NIF.
path() ->
    <<"faber-tweann 2.4 NIF">>.
