%% The two readers of argument terms (native/tweann_nif/src/vmterm.rs): the
%% direct one, which reads list cells, floats, small integers and tuples
%% from the term words, and the erl_nif API. The load hook switches the
%% direct reader on only after comparing it with the API; these tests check
%% that it did so on this VM, and that every exported function answers the
%% same under both readers: the same value, or the same error with the same
%% error_info, over the hostile generators' arguments (valid, half-valid and
%% malformed) and over numbers at the edges of the small-integer range.
-module(tweann_term_reader_tests).

-include_lib("eunit/include/eunit.hrl").

-define(CASES_PER_FUNCTION, 150).

%% Functions whose answer is not a function of the arguments (timing,
%% counters, settings, facts).
-define(SKIP, [benchmark_evaluate, memory_stats, set_memory_budget, is_loaded, build_info,
               impl]).

reader(Mode) -> tweann_nif_native:term_reader(Mode).

%% On the VMs we support (64-bit, the layout of erl_term.h since R13) the
%% load hook's comparison passes and the direct reader is in use, unless
%% the environment asks for the API.
loaded_reader_test() ->
    Want = case os:getenv("TWEANN_NIF_TERM_READER") of
               "api" -> api;
               _ -> direct
           end,
    ?assertEqual(Want, reader(query)),
    ?assertEqual(Want, maps:get(term_reader, tweann_nif:build_info())).

switch_test() ->
    Was = reader(query),
    try
        ?assertEqual(api, reader(api)),
        ?assertEqual(api, reader(query)),
        ?assertEqual(direct, reader(direct)),
        %% (The internal error; tweann_nif's functions turn it into badarg.)
        ?assertError({tweann_error, badarg, 1, _}, reader(other)),
        ?assertError({tweann_error, badarg, 1, _}, reader("direct"))
    after
        reader(Was)
    end.

%% What a call answers, comparable across readers: the value (a network or
%% cell as its portable binary, another resource as a mark), or the error
%% class with the error_info messages.
outcome(F, Args) ->
    rand:seed(exsss, {7, 8, 9}),
    try apply(tweann_nif, F, Args) of
        V -> {ok, canonical(V)}
    catch
        error:Class:St when Class =:= badarg; Class =:= badarith ->
            {error, Class, tweann_error:format_error(Class, St)};
        C:R -> {other, C, R}
    end.

canonical(V) when is_reference(V) ->
    try tweann_nif:network_to_binary(V)
    catch error:badarg ->
            try tweann_nif:cell_to_binary(V)
            catch error:badarg -> resource
            end
    end;
canonical(V) when is_tuple(V) -> list_to_tuple([canonical(X) || X <- tuple_to_list(V)]);
canonical(V) when is_list(V) -> [canonical(X) || X <- V];
canonical(V) -> V.

%% Both readers on the same arguments; the differences (none expected).
compare(F, Args) ->
    try
        reader(direct),
        Direct = outcome(F, Args),
        reader(api),
        Api = outcome(F, Args),
        case Direct =:= Api of
            true -> [];
            false -> [{F, Args, Direct, Api}]
        end
    after
        reader(direct)
    end.

hostile_arguments_test_() ->
    {timeout, 300, fun hostile_arguments/0}.

%% As tweann_hostile_tests: under a small memory budget, so that arguments
%% whose shared subterms expand to hundreds of MB (huge counts, sizes and
%% sequences) are refused at once instead of being worked through twice.
-define(BUDGET, 4 bsl 20).

hostile_arguments() ->
    Pool = tweann_hostile_gen:pool(),
    Old = tweann_nif:set_memory_budget(?BUDGET),
    Diffs = try
                rand:seed(exsss, {31, 41, 59}),
                lists:append([function_cases(F, A, Pool)
                              || {F, A} <- tweann_nif:module_info(exports),
                                 F =/= module_info, not lists:member(F, ?SKIP)])
            after
                tweann_nif:set_memory_budget(Old)
            end,
    [io:format(user, "~n[term reader] ~p: direct ~P~n api ~P~n args ~P~n",
               [F, D, 20, A, 20, Args, 30]) || {F, Args, D, A} <- lists:sublist(Diffs, 5)],
    ?assertEqual(0, length(Diffs)).

%% The differences of ?CASES_PER_FUNCTION generated calls of F/A, one case
%% at a time (only one case's arguments are alive at once). The generators
%% draw from the process's rand state, which each call reseeds: it is
%% saved after drawing a case's arguments and restored for the next.
function_cases(F, A, Pool) ->
    lists:append([begin
                       Args = tweann_hostile_gen:sanitize(F, tweann_hostile_gen:args(F, A, Pool)),
                       Gen = rand:export_seed(),
                       D = compare(F, Args),
                       rand:seed(Gen),
                       D
                   end || _ <- lists:seq(1, ?CASES_PER_FUNCTION)]).

%% Integers around the edges of the small-integer range (2^59 on 64-bit)
%% and of 64 bits, floats of every class, in the places the readers decode:
%% list elements, tuple elements, indices.
edges() ->
    [0, 1, -1, (1 bsl 59) - 1, 1 bsl 59, -(1 bsl 59), -(1 bsl 59) - 1, (1 bsl 63) - 1,
     1 bsl 63, (1 bsl 64) - 1, 1 bsl 64, -(1 bsl 64), 1 bsl 1100, 0.0, -0.0, 5.0e-324,
     1.7976931348623157e308, -2.5, 3.0e154].

edge_numbers_test() ->
    E = edges(),
    Cases = [{dot_product_flat, [[X, 1.0], [0.5, X], 0.0]} || X <- E]
        ++ [{dot_product_flat, [[1.0, 2.0], [X, 0.5], X]} || X <- E]
        ++ [{fitness_stats, [[X, 1.0, 2]]} || X <- E]
        ++ [{euclidean_distance, [[X, 0.0], [1.0, X]]} || X <- E]
        ++ [{compatibility_distance, [[{X, 0.5}, {3, 1.0}], [{1, X}, {3, 0.5}], 1.0, 1.0, 0.4]}
            || X <- E]
        ++ [{compile_network, [[{0, input, linear, 0, []}, {X, output, tanh, X, [{0, X}]}], 1, [X]]}
            || X <- E]
        ++ [{compile_network, [[{0, input, linear, 0, []}, {1, output, tanh, 0.0, [{X, 1.0}]}], 1, [1]]}
            || X <- E]
        ++ [{tournament_select, [[0, 1, X], [0.5, 0.25, 1.0]]} || X <- E],
    ?assertEqual([], lists:append([compare(F, Args) || {F, Args} <- Cases])),
    %% And the values are right (the reference decodes in Erlang).
    Dot = fun(M, X) ->
                  try M:dot_product_flat([X, 1.0], [0.5, X], 0.0)
                  catch error:_ -> error
                  end
          end,
    [?assertEqual(Dot(tweann_ref_dot, X), Dot(tweann_nif, X)) || X <- E].
