%% Hostile input (docs/reliability.md): a seeded random-term generator throws
%% thousands of malformed, extreme and half-valid argument lists at every
%% exported function of tweann_nif, found with tweann_nif:module_info(exports);
%% a function without an argument generator (valid/3) or a large-argument
%% entry (large/3) fails generators_test. Each call must return a value or raise
%% error:badarg / error:badarith carrying EEP 54 error_info; anything else
%% (a Rust panic surfacing as nif_panicked, function_clause, a crash of the
%% VM) fails the test, and so does an error message longer than 1000
%% characters. Native resources created on the way must all be released
%% afterwards.
%%
%% Besides malformed terms, the generators make arguments whose cost is not
%% their size: shared subterms (rows, sequences, parameter binaries, weight
%% lists referenced up to a million times), equal but distinct large source
%% ids, repeated output indices, many bignums, and huge counts and
%% parameters (iterations, ode_unfolds, sizes, budgets). They run under a
%% 4 MB memory budget, so the expanded ones are refused quickly.
%%
%% No PropEr here (no hex): generators are plain functions over `rand' with a
%% fixed seed, so a failure prints a reproducible case. They live in
%% tweann_hostile_gen.
-module(tweann_hostile_tests).

-include_lib("eunit/include/eunit.hrl").

-import(tweann_hostile_gen, [valid/3, args/3, sanitize/2]).
-import(tweann_hostile_large, [large/3]).

-define(CASES_PER_FUNCTION, 2000).

%% The memory budget during the random cases: small, so that arguments
%% whose shared subterms expand to hundreds of MB are refused quickly.
-define(HOSTILE_BUDGET, 4 bsl 20).

%% The longest error message format_error/2 may give (characters).
-define(MAX_MESSAGE, 1000).

%%--------------------------------------------------------------------
%% The property
%%--------------------------------------------------------------------

exports() ->
    [{F, A} || {F, A} <- tweann_nif:module_info(exports), F =/= module_info].

%% Every exported function has an argument generator and a large-argument
%% table entry (tweann_hostile_gen, tweann_hostile_large), so a new
%% function cannot be left out.
generators_test() ->
    Pool = {[none], [none]},
    rand:seed(exsss, {1, 2, 3}),
    ?assertEqual([], [{F, A} || {F, A} <- exports(), valid(F, A, Pool) =:= no_generator]),
    Ctx = #{net => none, cell => none, pop => none, many => 10},
    ?assertEqual([], [{F, A} || {F, A} <- exports(), large(F, A, Ctx) =:= no_generator]).

%% {ok, value} | {error, Class} ; a bad outcome is returned as {bad, ...}.
call(F, Args) ->
    try apply(tweann_nif, F, Args) of
        _ -> ok
    catch
        error:Class:St when Class =:= badarg; Class =:= badarith ->
            case St of
                [{tweann_nif, F, _, Info} | _] ->
                    case proplists:get_value(error_info, Info) of
                        #{module := tweann_error, cause := {_, _}} ->
                            %% The message is bounded whatever the argument.
                            Long = [M || M <- maps:values(tweann_error:format_error(Class, St)),
                                         length(M) > ?MAX_MESSAGE],
                            case Long of
                                [] -> {error, Class};
                                [M | _] -> {bad, long_message, Class, length(M)}
                            end;
                        Other -> {bad, no_error_info, Class, Other}
                    end;
                _ -> {bad, wrong_frame, Class, hd(St)}
            end;
        C:R:St -> {bad, C, R, lists:sublist(St, 3)}
    end.

%% 300 s (50-110 s natively); TWEANN_HOSTILE_TIMEOUT=<seconds> raises it
%% where everything runs slower (scripts/check_celeron.sh: an emulated CPU).
hostile_inputs_test_() ->
    {timeout, timeout_s(), fun hostile_inputs/0}.

timeout_s() ->
    case string:to_integer(os:getenv("TWEANN_HOSTILE_TIMEOUT", "")) of
        {S, ""} when S > 300 -> S;
        _ -> 300
    end.

hostile_inputs() ->
    rand:seed(exsss, {2024, 5, 17}),
    OldBudget = tweann_nif:set_memory_budget(?HOSTILE_BUDGET),
    Stats0 = live(),
    Bad = try run_all()
          after tweann_nif:set_memory_budget(OldBudget)
          end,
    ?assertEqual([], Bad),
    no_leak(Stats0).

%% Live native resources after a GC of every process.
live() ->
    [erlang:garbage_collect(P) || P <- processes()],
    maps:with([networks, network_bytes, cells, cell_bytes], tweann_nif:memory_stats()).

%% Nothing more is alive than before (less is fine: garbage left by earlier
%% tests may have been collected meanwhile).
no_leak(Stats0) ->
    Stats1 = live(),
    [?assert(maps:get(K, Stats1) =< maps:get(K, Stats0)) || K <- maps:keys(Stats0)],
    ok.

run_all() ->
    {Pool, Cells} = tweann_hostile_gen:pool(),
    Exports = exports(),
    T0 = erlang:monotonic_time(millisecond),
    Results = [begin
                   T = erlang:monotonic_time(millisecond),
                   R = run_function(F, A, {Pool, Cells}),
                   io:format(user, "[hostile] ~p/~p: ~p ms~n", [F, A, erlang:monotonic_time(millisecond) - T]),
                   {F, A, R}
               end || {F, A} <- Exports],
    Ms = erlang:monotonic_time(millisecond) - T0,
    Total = lists:sum([length(R) || {_, _, R} <- Results]),
    Summary = [{F, A, length([x || {ok, _} <- R]), length([x || {{error, _}, _} <- R])}
               || {F, A, R} <- Results],
    io:format(user, "~n[hostile] ~p calls over ~p exported functions in ~p ms; "
              "{Function, Arity, Returned, Raised badarg/badarith}: ~w~n",
              [Total, length(Exports), Ms, Summary]),
    Bad = [{F, A, Out, Args} || {F, A, R} <- Results, {{bad, _, _, _} = Out, Args} <- R],
    [io:format(user, "[hostile] BAD: ~p/~p ~P~n   args: ~P~n", [F, A, Out, 30, Args, 40])
     || {F, A, Out, Args} <- lists:sublist(Bad, 20)],
    %% The VM and the library are still fine.
    ?assert(tweann_nif:is_loaded()),
    ?assertMatch([_], tweann_nif:evaluate(hd(Pool), [0.5])),
    Bad.

run_function(F, A, Pool) ->
    [begin
         Args = sanitize(F, args(F, A, Pool)),
         Out = call(F, Args),
         case F of
             set_memory_budget -> _ = tweann_nif:set_memory_budget(?HOSTILE_BUDGET);
             _ -> ok
         end,
         {Out, Args}
     end || _ <- lists:seq(1, ?CASES_PER_FUNCTION)].

%% Very large hostile arguments take the dirty path (the normal entry hands
%% over after its work limit) and must fail there just as cleanly.
large_hostile_test_() ->
    {timeout, 120, fun() ->
        Stats0 = live(),
        large_hostile(),
        no_leak(Stats0)
    end}.

large_hostile() ->
    Net = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 1.0}]}], 1, [1]),
    Cell = tweann_nif:cfc_cell(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                               [0.01 * (I rem 7) || I <- lists:seq(1, 84)]),
    %% faber-tweann's CfC population: one network 2 -> [3] -> 2.
    Pop = tweann_nif:compile_cfc_pop([lists:duplicate(17, 0.1)], [[1.0, 0.5, 2.0]], 2, 3, 2, 1.0),
    Ctx = #{net => Net, cell => Cell, pop => Pop, many => 300000},
    Exports = exports(),
    Cases = [{F, A, Args} || {F, A} <- Exports, Args <- large_cases(F, A, Ctx)],
    Outs = [{F, A, call(F, Args)} || {F, A, Args} <- Cases],
    Fixed = [{F, A} || {F, A} <- Exports, large(F, A, Ctx) =:= fixed],
    io:format(user, "~n[hostile] ~p large bad arguments to ~p functions (fixed-size arguments: ~w): ~w~n",
              [length(Outs), length(Exports) - length(Fixed), Fixed, [{F, O} || {F, _, O} <- Outs]]),
    [?assertMatch({F, A, {error, _}}, {F, A, O}) || {F, A, O} <- Outs],
    ok.

large_cases(F, A, Ctx) ->
    case large(F, A, Ctx) of
        fixed -> [];
        no_generator -> error({no_large_argument_generator, F, A});
        Cases -> Cases
    end.
