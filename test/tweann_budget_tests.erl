%% The memory budget (docs/reliability.md): through the application
%% environment and per call; it covers decoded arguments, results, cells
%% and populations, so that no input can make the node allocate past it or
%% abort (a child node under a 4 GB address-space limit); error messages
%% stay bounded whatever the size of the offending argument.
%%
%% Observed figures are printed with io:format(user, ...).
-module(tweann_budget_tests).

-include_lib("eunit/include/eunit.hrl").

-export([abort_cases/0]).

-import(tweann_reliability_lib, [to_bin/1, say/2, gc_all/0, badarg_message/1]).

%%--------------------------------------------------------------------
%% Memory budget: application environment and batches
%%--------------------------------------------------------------------

app_env_budget_test_() ->
    {timeout, 60, fun app_env_budget/0}.

app_env_budget() ->
    WasRunning = lists:keymember(tweann_nif, 1, application:which_applications()),
    OldEnv = application:get_env(tweann_nif, memory_budget),
    OldBudget = maps:get(memory_budget, tweann_nif:memory_stats()),
    Nodes = [{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.1} || _ <- lists:seq(1, 5000)]}],
    try
        _ = application:stop(tweann_nif),
        ok = application:set_env(tweann_nif, memory_budget, 8192),
        {ok, _} = application:ensure_all_started(tweann_nif),
        ?assertMatch(#{memory_budget := 8192}, tweann_nif:memory_stats()),
        Msg = badarg_message(fun() -> tweann_nif:compile_network(Nodes, 1, [1]) end),
        say("app env memory_budget=8192: compile of 5000 connections refused: ~ts", [Msg]),
        ?assertMatch({match, _}, re:run(Msg, "memory budget of 8192 bytes")),
        ?assertMatch({match, _}, re:run(Msg, "needs")),
        %% The node lives and the per-call option overrides the app env.
        ?assert(is_reference(tweann_nif:compile_network(Nodes, 1, [1], #{memory_budget => 1 bsl 20}))),
        ?assert(is_reference(tweann_nif:compile_network(lists:sublist(Nodes, 1), 1, [0])))
    after
        _ = application:stop(tweann_nif),
        case OldEnv of
            {ok, V} -> application:set_env(tweann_nif, memory_budget, V);
            undefined -> application:unset_env(tweann_nif, memory_budget)
        end,
        _ = tweann_nif:set_memory_budget(OldBudget),
        case WasRunning of
            true -> {ok, _} = application:ensure_all_started(tweann_nif);
            false -> ok
        end
    end,
    ?assertMatch(#{memory_budget := OldBudget}, tweann_nif:memory_stats()),
    ?assert(is_reference(tweann_nif:compile_network(Nodes, 1, [1]))).

batch_budget_test() ->
    %% 1 input, 2000 outputs (outputs may repeat): a 100-row batch needs
    %% 100 * 2000 * 8 = 1 600 000 bytes of outputs.
    Net = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}],
                                     1, lists:duplicate(2000, 1)),
    Batch = [[float(I)] || I <- lists:seq(1, 100)],
    Old = tweann_nif:set_memory_budget(1000000),
    try
        Msg = badarg_message(fun() -> tweann_nif:evaluate_batch(Net, Batch) end),
        Msg2 = badarg_message(fun() -> tweann_nif:evaluate_batch(Net, to_bin(lists:append(Batch))) end),
        say("batch over a 1000000-byte budget refused: ~ts", [Msg]),
        ?assertEqual(Msg, Msg2),
        %% It names the need (at least the 1 600 000 bytes of outputs).
        {match, [Need]} = re:run(Msg, "needs (\\d+) bytes", [{capture, all_but_first, list}]),
        ?assert(list_to_integer(Need) >= 1600000),
        ?assertMatch({match, _}, re:run(Msg, "memory budget of 1000000 bytes")),
        %% Smaller batches still run (5 rows: 80 KB of outputs, 320 KB of
        %% result terms), the node lives.
        ?assertEqual(5, length(tweann_nif:evaluate_batch(Net, lists:sublist(Batch, 5))))
    after
        tweann_nif:set_memory_budget(Old)
    end,
    ?assertEqual(100, length(tweann_nif:evaluate_batch(Net, Batch))).

%%--------------------------------------------------------------------
%% The memory budget covers results, cells and populations, and counts
%% shared subterms as often as they are used
%%--------------------------------------------------------------------

%% Each call below allocates (decoded values, buffers, result terms, cells)
%% far more than the 16 MB budget, although its Erlang term is small
%% (shared subterms) or its decoded arguments fit: each must be refused
%% with a badarg naming the budget, before the allocation. The same calls
%% run under the default budget, and nothing leaks.
budget_covers_results_test_() ->
    {timeout, 120, fun budget_covers_results/0}.

budget_covers_results() ->
    Wide = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}],
                                      1, lists:duplicate(10000, 1)),
    Cfg = #{input_size => 2, hidden_size => 3, backbone_units => 4},
    Cell = tweann_nif:cfc_cell(Cfg, [0.01 * (I rem 7) || I <- lists:seq(1, 84)]),
    %% input_size 1000, no backbone: 4 * (1001 + 1) = 4008 parameters.
    WideCfg = #{input_size => 1000, hidden_size => 1, backbone_layers => 0},
    WideCell = tweann_nif:cfc_cell(WideCfg, binary:copy(<<0.001:64/float-native>>, 4008)),
    Row1000 = binary:copy(<<0.5:64/float-native>>, 1000),
    P = binary:copy(<<0.01:64/float-native>>, 84),
    W = lists:duplicate(10000, 0.5),
    Seq = lists:duplicate(10000, [0.5, 0.5]),
    %% CfC population of shape 1-4-4: 4 + 4 + 16 + 4 = 28 weights a network.
    PopW = [0.01 * I || I <- lists:seq(1, 28)],
    Pop = tweann_nif:compile_cfc_pop(lists:duplicate(50000, PopW), lists:duplicate(50000, [1.0, 1.0, 1.0, 1.0]),
                                     1, 4, 4, 1.0),
    Cases =
        [%% 100 rows x 10 000 outputs: 8 MB of values, but 32 MB of result terms.
         {batch_result_terms, fun() -> tweann_nif:evaluate_batch(Wide, [[0.5] || _ <- lists:seq(1, 100)]) end},
         %% 1 000 000 steps from an 8 MB binary: 88 MB of {State, Output} terms.
         {cfc_batch_result_terms,
          fun() -> tweann_nif:evaluate_cfc_batch(binary:copy(<<0.5:64/float-native>>, 1000000), 0.0, 1.0, 1.0) end},
         %% 30 000 members sharing one 672-byte parameter binary: 40 MB of cells.
         {population_shared_params, fun() -> tweann_nif:cfc_population(Cfg, lists:duplicate(30000, P)) end},
         {ltc_population_shared_params,
          fun() -> tweann_nif:ltc_population(#{input_size => 2, units => 3},
                                             lists:duplicate(30000, binary:copy(<<0.01:64/float-native>>, 94)))
          end},
         %% 3 000 rows sharing one 8 KB row: 24 MB of inputs.
         {step_shared_rows,
          fun() -> tweann_nif:cell_step(WideCell, lists:duplicate(3000, Row1000), lists:duplicate(3000, [0.0]), 1.0) end},
         %% 200 sequences sharing one 10 000-step sequence: 32 MB of inputs, 48 MB of outputs.
         {sequence_shared_steps,
          fun() -> tweann_nif:cell_sequence(Cell, lists:duplicate(200, Seq), lists:duplicate(200, [0.0, 0.0, 0.0]), 1.0) end},
         %% 1 000 entries sharing one 10 000-weight list: 80 MB of weights.
         {flatten_shared_weights, fun() -> tweann_nif:flatten_weights([{a, W} || _ <- lists:seq(1, 1000)]) end},
         {activate_result_terms, fun() -> tweann_nif:activate_batch(binary:copy(<<0.5:64/float-native>>, 1000000), tanh) end},
         %% 200 000 distances: 5 MB of vectors and scratch, 17 MB of {Index, Distance} terms.
         {distance_batch_result_terms,
          fun() -> tweann_nif:euclidean_distance_batch([0.5], lists:duplicate(200000, [0.25])) end},
         %% 1 000 000 fitnesses from an 8 MB binary: 8 MB decoded, 32 MB of result terms.
         {cumulative_result_terms,
          fun() -> tweann_nif:build_cumulative_fitness(binary:copy(<<0.5:64/float-native>>, 1000000)) end},
         %% 2 000 000 picks: 16 MB of picks and 32 MB of list cells.
         {roulette_picks,
          fun() -> tweann_nif:roulette_select_batch([1.0, 2.0], 2.0, binary:copy(<<0.5:64/float-native>>, 2000000)) end},
         %% 100 genomes sharing one 10 000-weight list: 40 MB of mutated weights.
         {mutate_shared_weights,
          fun() -> tweann_nif:mutate_weights_batch(lists:duplicate(100, {W, 0.5, 0.5, 0.1})) end},
         %% 50 000 networks of 4 hidden and 4 output neurons: 19 MB of
         %% buffers and result terms for one step.
         {cfc_pop_step_result,
          fun() -> tweann_nif:cfc_pop_step(Pop, lists:duplicate(50000, [0.0, 0.0, 0.0, 0.0]),
                                           lists:duplicate(50000, [0.5]))
          end},
         %% 100 000 networks sharing one row of weights: 25.6 MB.
         {cfc_pop_shared_rows,
          fun() -> tweann_nif:compile_cfc_pop(lists:duplicate(100000, PopW), lists:duplicate(100000, [1.0, 1.0, 1.0, 1.0]),
                                              1, 4, 4, 1.0)
          end}],
    gc_all(),
    Stats0 = maps:with([networks, network_bytes, cells, cell_bytes], tweann_nif:memory_stats()),
    Old = tweann_nif:set_memory_budget(16 bsl 20),
    Msgs = try [{Name, badarg_message(F)} || {Name, F} <- Cases]
           after tweann_nif:set_memory_budget(Old)
           end,
    [say("under a 16 MB budget, ~p: ~ts", [Name, Msg]) || {Name, Msg} <- Msgs],
    [?assertMatch({_, {match, _}}, {Name, re:run(Msg, "over the memory budget of 16777216 bytes")})
     || {Name, Msg} <- Msgs],
    %% Under the default budget they run (the first one, as a check).
    ?assertEqual(100, length(tweann_nif:evaluate_batch(Wide, [[0.5] || _ <- lists:seq(1, 100)]))),
    %% Nothing refused was left allocated (the resources made above may
    %% have been collected meanwhile: fewer is fine).
    gc_all(),
    Stats1 = maps:with([networks, network_bytes, cells, cell_bytes], tweann_nif:memory_stats()),
    ?assertEqual([], [K || K <- maps:keys(Stats0), maps:get(K, Stats1) > maps:get(K, Stats0)]).

%% The allocations of the issue's examples, in a fresh node whose address
%% space is limited to 4 GB (`ulimit -v'): each is refused with a badarg
%% (over the budget, or out of memory when the budget allows more than the
%% node can have) and the node lives to print the results. Without the
%% checks these calls abort the VM (an 80 GB Vec, SIGABRT).
no_abort_under_address_space_limit_test_() ->
    {timeout, 300, fun() ->
        Ebin = filename:dirname(code:which(tweann_nif)),
        TestDir = filename:dirname(code:which(?MODULE)),
        Erl = filename:join([code:root_dir(), "bin", "erl"]),
        Expr = "io:format(\"RESULT=~w.~n\", [tweann_budget_tests:abort_cases()]), halt().",
        Port = open_port({spawn_executable, "/bin/sh"},
                         [{args, ["-c", "ulimit -v 4000000; exec \"$0\" \"$@\"", Erl, "-noshell",
                                  "-pa", Ebin, "-pa", TestDir, "-eval", Expr]},
                          exit_status, stderr_to_stdout, binary]),
        {Status, Out} = port_output(Port, []),
        say("4 GB address space: exit status ~p, ~ts", [Status, Out]),
        ?assertEqual(0, Status),
        {match, [Text]} = re:run(Out, "RESULT=(.*)\\.\n", [{capture, all_but_first, list}]),
        {ok, Tokens, _} = erl_scan:string(Text ++ "."),
        {ok, Results} = erl_parse:parse_term(Tokens),
        ?assertEqual(8, length(Results)),
        [?assertMatch({_, {badarg, _}}, R) || R <- Results],
        [?assertMatch({_, {_, {match, _}}}, {Name, {Budget, re:run(Msg, Expect)}})
         || {{Name, {badarg, Msg}}, {Budget, Expect}} <-
                lists:zip(Results, lists:duplicate(6, {budget, "memory budget"}) ++
                              lists:duplicate(2, {oom, "out of memory"}))]
    end}.

port_output(Port, Acc) ->
    receive
        {Port, {data, D}} -> port_output(Port, [D | Acc]);
        {Port, {exit_status, S}} -> {S, iolist_to_binary(lists:reverse(Acc))}
    after 280000 -> {timeout, iolist_to_binary(lists:reverse(Acc))}
    end.

%% Run in the node of no_abort_under_address_space_limit_test_:
%% [{Case, {badarg, Message} | Other}].
abort_cases() ->
    In1 = tweann_nif:cfc_cell(#{input_size => 1, hidden_size => 3, backbone_units => 4},
                              [0.01 * (I rem 7) || I <- lists:seq(1, 80)]),
    %% input_size 1 000 000, no backbone: 4 * (1 000 001 + 1) parameters.
    In1M = tweann_nif:cfc_cell(#{input_size => 1000000, hidden_size => 1, backbone_layers => 0},
                               binary:copy(<<0.0:64/float-native>>, 4000008)),
    Row8M = binary:copy(<<0.5:64/float-native>>, 1000000),
    Seqs = fun() -> lists:duplicate(100000, lists:duplicate(100000, [0.5])) end,
    Cases =
        [%% 100 000 sequences of 100 000 steps (80 GB once expanded).
         {sequence_shared, fun() -> tweann_nif:cell_sequence(In1, Seqs(), lists:duplicate(100000, [0.0, 0.0, 0.0]), 1.0) end},
         %% 1 000 rows sharing one 8 MB binary (8 GB).
         {step_shared_binary, fun() -> tweann_nif:cell_step(In1M, lists:duplicate(1000, Row8M), lists:duplicate(1000, [0.0]), 1.0) end},
         %% 3 000 000 members sharing one parameter binary.
         {population_shared,
          fun() -> tweann_nif:cfc_population(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                                             lists:duplicate(3000000, binary:copy(<<0.01:64/float-native>>, 84)))
          end},
         %% 1 000 entries sharing one 1 000 000-weight list (8 GB).
         {flatten_shared, fun() -> tweann_nif:flatten_weights(lists:duplicate(1000, {a, lists:duplicate(1000000, 0.5)})) end},
         %% 100 000 genomes sharing one 1 000 000-weight list (10^11 result floats).
         {mutate_shared, fun() -> tweann_nif:mutate_weights_batch(
                                    lists:duplicate(100000, {lists:duplicate(1000000, 0.5), 0.5, 0.5, 0.1}))
                         end},
         %% 100 000 rows of a network with 100 000 outputs (80 GB of outputs).
         {batch_wide, fun() ->
                              Net = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}],
                                                               1, lists:duplicate(100000, 1)),
                              tweann_nif:evaluate_batch(Net, lists:duplicate(100000, [0.5]))
                      end}],
    %% A budget the node can honour: refused as over the budget.
    _ = tweann_nif:set_memory_budget(256 bsl 20),
    Over = [{Name, outcome(F)} || {Name, F} <- Cases],
    %% A budget larger than the address space: the allocation itself fails
    %% and is refused as out of memory.
    _ = tweann_nif:set_memory_budget(1 bsl 40),
    Oom = [{Name, outcome(F)} || {Name, F} <- lists:sublist(Cases, 2)],
    _ = tweann_nif:set_memory_budget(default),
    Over ++ Oom.

outcome(F) ->
    try F() of
        _ -> value
    catch
        error:badarg:St ->
            case tweann_error:format_error(badarg, St) of
                #{general := Msg} -> {badarg, Msg};
                Map -> {badarg, lists:flatten(io_lib:format("~p", [Map]))}
            end;
        C:R -> {C, R}
    end.

%%--------------------------------------------------------------------
%% Error messages are bounded
%%--------------------------------------------------------------------

%% Huge terms in the places an error message shows an argument: every
%% message, of either backend, is at most 1000 characters, and formatting
%% it is cheap (an 8 MB binary as a memory budget took 9.9 s and 727 MB of
%% heap to format before).
error_messages_bounded_test_() ->
    {timeout, 120, fun() ->
        Huge = [binary:copy(<<7>>, 8000000), 1 bsl 4000000, -(1 bsl 4000000), lists:seq(1, 1000000),
                nest(100000), list_to_tuple(lists:seq(1, 1000000)),
                maps:from_list([{I, I} || I <- lists:seq(1, 100000)]), lists:duplicate(100000, "abc")],
        Calls = fun(H) ->
                        [{compile_network_budget, fun() -> tweann_nif:compile_network([], 0, [], #{memory_budget => H}) end},
                         {compile_network_option, fun() -> tweann_nif:compile_network([], 0, [], #{H => 1}) end},
                         {compile_network_node, fun() -> tweann_nif:compile_network([{0, H, tanh, 0, []}], 0, [0]) end},
                         {set_memory_budget, fun() -> tweann_nif:set_memory_budget(H) end},
                         {activate_batch, fun() -> tweann_nif:activate_batch([1.0], H) end},
                         {cfc_cell, fun() -> tweann_nif:cfc_cell(#{input_size => H, hidden_size => 1}, []) end},
                         {ltc_cell, fun() -> tweann_nif:ltc_cell(#{input_size => 1, units => 1, epsilon => H}, []) end},
                         {distance, fun() -> tweann_nif:compatibility_distance([{H, 1.0}], [], 1, 1, 1) end},
                         {dot_product, fun() -> tweann_nif:dot_product([{a, [1.0]}], [{H, [1.0]}]) end},
                         {cell_step, fun() -> tweann_nif:cell_step(H, [], [], 1.0) end}]
                end,
        Native = [{Name, length(badarg_message(F))} || H <- Huge, {Name, F} <- Calls(H)],
        Ref = [{Name, ref_reason_length(F)} || H <- Huge, {Name, F} <- ref_calls(H)],
        Longest = lists:max([L || {_, L} <- Native ++ Ref]),
        say("error messages for ~p huge arguments: ~p native calls, ~p reference calls, longest "
            "message ~p characters", [length(Huge), length(Native), length(Ref), Longest]),
        ?assertEqual([], [X || {_, L} = X <- Native ++ Ref, L > 1000])
    end}.

%% The reference twins directly (whatever the backend of this node).
ref_calls(H) ->
    [{ref_memory_budget, fun() -> tweann_ref_network:compile_network([], 0, [], #{memory_budget => H}) end},
     {ref_node, fun() -> tweann_ref_network:compile_network([{0, H, tanh, 0, []}], 0, [0]) end},
     {ref_activation, fun() -> tweann_ref_activation:activate_batch([1.0], H) end},
     {ref_cfc_cell, fun() -> tweann_ref_cfc:cfc_cell(#{input_size => H, hidden_size => 1}, []) end},
     {ref_epsilon, fun() -> tweann_ref_ltc:ltc_cell(#{input_size => 1, units => 1, epsilon => H}, []) end},
     {ref_distance, fun() -> tweann_ref_neat:compatibility_distance([{H, 1.0}], [], 1, 1, 1) end},
     {ref_dot, fun() -> tweann_ref_dot:dot_product([{a, [1.0]}], [{H, [1.0]}]) end},
     {ref_budget, fun() -> tweann_ref_info:set_memory_budget(H) end}].

%% The length of the reason a reference twin raises (a string).
ref_reason_length(F) ->
    try F() of
        R -> error({expected_error, R})
    catch error:{tweann_error, _, _, Why} when is_list(Why) ->
            length(Why)
    end.

nest(0) -> [];
nest(N) -> {nest(N - 1)}.
