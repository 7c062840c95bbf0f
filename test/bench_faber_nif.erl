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

-export([available/0, why_not/0, call/2, path/0, run_cases/3]).

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

%% Time benchmark cases interleaved on our NIF, the Erlang reference and
%% (when available) faber's NIF, and print a comparison. A case is
%% {Name, Size, Variants, [{Path, Fun}]}: each Fun takes one element of
%% Variants (the argument lists, cycled through so that no single input is
%% measured alone) and Path is nif | erlang_ref | faber. Returns the rows for
%% bench_common (ratio = path median / our NIF's median, so faber's ratio is
%% our speedup over it). The printed summary gives both the median and the
%% minimum ratios (ours/faber) and the speedup by minimum: on a loaded host
%% the minimum, an undisturbed trial, is the figure that repeats.
run_cases(Module, Title, Cases) ->
    Faber = available(),
    Rows = lists:append([run_case(Module, C, Faber) || C <- Cases]),
    Note = case why_not() of
               ok -> [];
               Why -> [#{kind => note, module => Module, name => path(),
                         text => iolist_to_binary(io_lib:format("column skipped: ~p", [Why]))}]
           end,
    io:format(user, "~n== ~s: our NIF vs faber-tweann 2.4's NIF (interleaved trials) ==", [Title]),
    bench_common:print_rows(Rows ++ Note),
    print_summary(Rows),
    Rows ++ Note.

run_case(Module, {Name, Size, Variants, Paths}, Faber) ->
    V = length(Variants),
    Wanted = [{P, F} || {P, F} <- Paths, P =/= faber orelse Faber],
    %% More, shorter trials than the suite's default: on a shared host the
    %% minimum (an undisturbed trial) is the stable figure, and more trials
    %% give more chances of one.
    Opts = case bench_common:quick() of
               true -> #{};
               false -> #{trials => 31, min_trial_us => 3000}
           end,
    Ms = bench_common:measure_set([{P, fun() -> lists:foreach(F, Variants) end} || {P, F} <- Wanted],
                                  Opts),
    PerCall = [{P, maps:map(fun(K, X) when K =:= median_us; K =:= min_us; K =:= max_us -> X / V;
                               (_, X) -> X
                            end, M)}
               || {P, M} <- Ms],
    Nif = maps:get(median_us, proplists:get_value(nif, PerCall)),
    [bench_common:row(Name, path_of(P), Size,
                      M#{ratio => maps:get(median_us, M) / Nif, module => Module,
                         function => Name, variants => V})
     || {P, M} <- PerCall].

path_of(faber) -> path();
path_of(P) -> P.

print_summary(Rows) ->
    Faber = path(),
    Nif = bench_common:row_path(nif),
    Pairs = [{N, S, Ours, Theirs}
             || #{name := N, size := S, path := P1} = Ours <- Rows, P1 =:= Nif,
                #{name := N2, size := S2, path := P2} = Theirs <- Rows,
                N2 =:= N, S2 =:= S, P2 =:= Faber],
    case Pairs of
        [] -> ok;
        _ ->
            io:format(user, "~n  ~-26s ~-30s ~11s ~11s ~11s ~11s ~9s ~9s ~9s~n",
                      ["function", "size", "ours med", "faber med", "ours min", "faber min",
                       "med o/f", "min o/f", "speedup"]),
            [io:format(user, "  ~-26s ~-30s ~11s ~11s ~11s ~11s ~9s ~9s ~9s~n",
                       [N, S, bench_common:fmt_us(maps:get(median_us, O)),
                        bench_common:fmt_us(maps:get(median_us, T)),
                        bench_common:fmt_us(maps:get(min_us, O)),
                        bench_common:fmt_us(maps:get(min_us, T)),
                        float_to_list(maps:get(median_us, O) / maps:get(median_us, T), [{decimals, 2}]),
                        float_to_list(maps:get(min_us, O) / maps:get(min_us, T), [{decimals, 2}]),
                        bench_common:fmt_ratio(maps:get(min_us, T) / maps:get(min_us, O))])
             || {N, S, O, T} <- Pairs],
            ok
    end.
