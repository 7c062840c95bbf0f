%% Every normal-scheduler entry point of the NIF finishes quickly whatever
%% its arguments (docs/reliability.md): the functions are found with
%% tweann_nif:module_info(exports), each with the arguments of its native
%% entry in big/3, so a new function cannot be left out; adversarial/1 adds
%% inputs whose cost is not their size (equal but distinct large ids,
%% repeated output indices, shared subterms, bignums).
%%
%% What is asserted is the CPU time the calling scheduler thread spent in
%% the normal entry, measured natively (tweann_nif_native:work_stats/0 with
%% profiling on): it does not depend on how loaded the host is. The limit
%% is 1 ms; the design target is about 100 us. Wall-clock figures are only
%% printed.
-module(tweann_normal_entries_tests).

-include_lib("eunit/include/eunit.hrl").

-export([adversarial_report/0, one_scheduler_run/0]).

%% The most thread CPU time a normal entry may take, in ns.
-define(CPU_LIMIT_NS, 1000000).

seed(N) -> rand:seed(exsss, {N, N * 7 + 1, N * 13 + 5}).

to_bin(L) -> << <<(float(X)):64/float-native>> || X <- L >>.

say(Fmt, Args) -> io:format(user, "~n[reliability] " ++ Fmt ++ "~n", Args).

%% Every normal-scheduler entry point finishes quickly (answers, hands over
%% with '$tweann_dirty', or raises) whatever the size of its arguments: an
%% oversized argument must not be decoded on a normal scheduler.
normal_entries_bounded_test_() ->
    {timeout, 600, fun normal_entries_bounded/0}.

normal_entries_bounded() ->
    seed(12),
    Ctx = big_context(2000000),
    OldBudget = maps:get(memory_budget, tweann_nif:memory_stats()),
    Exports = [{F, A} || {F, A} <- tweann_nif:module_info(exports), F =/= module_info],
    Table = [{F, A, big(F, A, Ctx)} || {F, A} <- Exports],
    ?assertEqual([], [{F, A} || {F, A, no_entry} <- Table]),
    %% Each case runs the native normal entry of the function (entry/1).
    Cases = [{entry(F), Args} || {F, _, Cases} <- Table, is_list(Cases), Args <- Cases],
    ?assertEqual([], [{F, length(Args)} || {F, Args} <- Cases,
                                          not erlang:function_exported(tweann_nif_native, F, length(Args))]),
    %% A dirty-only function has no second (normal/dirty) entry.
    ?assertEqual([], [{F, A} || {F, A, dirty_only} <- Table,
                                lists:keymember(list_to_atom(atom_to_list(entry(F)) ++ "_dirty"), 1,
                                                tweann_nif_native:module_info(exports))]),
    Results = [measure(F, F, Args) || {F, Args} <- Cases],
    _ = tweann_nif:set_memory_budget(OldBudget),
    [say("normal entry ~p/~p with its largest argument ~p elements: ~p, thread CPU ~.3f ms "
         "(wall ~.2f ms)", [F, length(A), largest(A), W, Cpu / 1.0e6, Us / 1000])
     || {{F, W, Cpu, Us, _}, {_, A}} <- lists:zip(Results, Cases)],
    say("not timed: ~w", [[{F, A, Why} || {F, A, Why} <- Table, is_atom(Why)]]),
    check(Results).

%% The same with inputs whose cost is not their size.
adversarial_entries_test_() ->
    {timeout, 300, fun() ->
        Report = adversarial_report(),
        [say("adversarial normal entry ~p: ~p, thread CPU ~.3f ms (wall ~.2f ms)",
             [Label, W, Cpu / 1.0e6, Us / 1000]) || {Label, W, Cpu, Us, _} <- Report],
        check(Report)
    end}.

%% The adversarial cases again, in a fresh node started with +S 1 (one
%% normal scheduler: a long normal entry would stall every process). A
%% process sleeping 1 ms in a loop meanwhile reports how late it woke up;
%% that figure is printed only (it depends on the host's load).
adversarial_entries_one_scheduler_test_() ->
    {timeout, 300, fun() ->
        Ebin = filename:dirname(code:which(tweann_nif)),
        TestDir = filename:dirname(code:which(?MODULE)),
        Erl = filename:join([code:root_dir(), "bin", "erl"]),
        Cmd = lists:flatten(io_lib:format(
                "~ts -noshell +S 1 -pa '~ts' -pa '~ts' -eval "
                "'io:format(\"RESULT=~~w.~~n\", [tweann_normal_entries_tests:one_scheduler_run()]), "
                "halt().' 2>&1", [Erl, Ebin, TestDir])),
        Out = os:cmd(Cmd),
        case re:run(Out, "RESULT=(.*)\\.\n", [{capture, all_but_first, list}]) of
            {match, [Text]} ->
                {ok, Tokens, _} = erl_scan:string(Text ++ "."),
                {ok, {Schedulers, Report, {Sleeps, MaxLate}}} = erl_parse:parse_term(Tokens),
                say("+S 1 node (~p normal scheduler): adversarial normal entries, largest thread CPU "
                    "~.3f ms (~p); 1 ms sleeper meanwhile: ~p sleeps, max oversleep ~.2f ms "
                    "(information only)",
                    [Schedulers, lists:max([C || {_, _, C, _, _} <- Report]) / 1.0e6,
                     element(1, lists:last(lists:keysort(3, Report))), Sleeps, MaxLate / 1000]),
                ?assertEqual(1, Schedulers),
                check(Report);
            nomatch ->
                error({no_result_from_plus_s1_node, Out})
        end
    end}.

%% Every call ended (value, handover or error), went through a profiled
%% normal entry, and took at most ?CPU_LIMIT_NS of thread CPU time.
check(Results) ->
    ?assertEqual([], [{L, W} || {L, W, _, _, _} <- Results,
                                not lists:member(W, [value, dirty, error])]),
    ?assertEqual([], [L || {L, _, _, _, Calls} <- Results, Calls =:= 0]),
    ?assertEqual([], [{L, W, Cpu} || {L, W, Cpu, _, _} <- Results, Cpu > ?CPU_LIMIT_NS]).

%% {Label, What, ThreadCpuNs, WallUs, ProfiledCalls}: the best of 5 runs of
%% the native normal entry F (what counts is the run with the least CPU: a
%% busy host, whose other jobs share the caches and whose hypervisor may
%% steal the CPU, can only add to it).
measure(Label, F, Args) ->
    Runs = [run_once(F, Args) || _ <- lists:seq(1, 5)],
    _ = tweann_nif_native:set_work_profile(false),
    {Cpu, What, Us, Calls} = lists:min(Runs),
    {Label, What, Cpu, Us, Calls}.

run_once(F, Args) ->
    _ = tweann_nif_native:set_work_profile(true),
    {Us, What} = timer:tc(fun() -> try apply(tweann_nif_native, F, Args) of
                                       '$tweann_dirty' -> dirty;
                                       _ -> value
                                   catch error:_ -> error
                                   end end),
    #{max_normal_cpu_ns := Cpu, profiled_calls := Calls} = tweann_nif_native:work_stats(),
    {Cpu, What, Us, Calls}.

%% Run in the +S 1 node: {Schedulers, Report, {Sleeps, MaxOversleepUs}}.
one_scheduler_run() ->
    Parent = self(),
    Sleeper = spawn(fun() -> sleeper(Parent, 0, 0) end),
    Report = adversarial_report(),
    Sleeper ! stop,
    Slept = receive {slept, N, Max} -> {N, Max} end,
    {erlang:system_info(schedulers_online), Report, Slept}.

sleeper(Parent, N, Max) ->
    T0 = erlang:monotonic_time(microsecond),
    receive stop -> Parent ! {slept, N, Max}
    after 1 ->
            Late = erlang:monotonic_time(microsecond) - T0 - 1000,
            sleeper(Parent, N + 1, max(Max, Late))
    end.

%% The adversarial cases, measured: [{Label, What, CpuNs, WallUs, Calls}].
adversarial_report() ->
    Ctx = big_context(2000000),
    [measure(Label, F, Args) || {Label, F, Args} <- adversarial(Ctx)].

%% Inputs whose cost is not their length: the normal entry must charge the
%% real work (comparisons, outputs, expanded shared subterms, bignums).
adversarial(#{cell := Cell, small := Small, list := L}) ->
    %% Two equal but distinct 300 000-element ids, 4000 entries each.
    Id1 = lists:seq(1, 300000),
    Id2 = lists:seq(1, 300000),
    Deep1 = nest(200000),
    Deep2 = nest(200000),
    Bin1 = binary:copy(<<7>>, 8000000),
    Bin2 = binary:copy(<<7>>, 8000000),
    Big1 = 1 bsl 8000000,
    Big2 = 1 bsl 8000000,
    Ids = fun(A, B) -> [[{A, [0.5]} || _ <- lists:seq(1, 4000)], [{B, [0.5]} || _ <- lists:seq(1, 4000)]] end,
    %% A 2-node network with 4 000 000 repeated output indices.
    Wide = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}],
                                      1, lists:duplicate(4000000, 1)),
    Row = <<0.5:64/float-native, 0.5:64/float-native>>,
    Seq = lists:duplicate(250000, [0.5, 0.5]),
    Shared = [{a, L} || _ <- lists:seq(1, 1000)],
    Conns = [{0, 0.001} || _ <- lists:seq(1, 10000)],
    Nodes = [{0, input, linear, 0, []} | [{I, hidden, tanh, 0, Conns} || I <- lists:seq(1, 1000)]],
    [{equal_distinct_list_ids, dot_product, Ids(Id1, Id2)},
     {equal_distinct_nested_ids, dot_product, Ids(Deep1, Deep2)},
     {equal_distinct_binary_ids, dot_product, Ids(Bin1, Bin2)},
     {equal_distinct_bignum_ids, dot_product, Ids(Big1, Big2)},
     {repeated_outputs_evaluate, evaluate, [Wide, [0.5]]},
     {repeated_outputs_batch, evaluate_batch, [Wide, [[0.1], [0.2], [0.3], [0.4]]]},
     {repeated_outputs_state, evaluate_with_state, [Wide, [0.5], []]},
     {repeated_outputs_to_binary, network_to_binary, [Wide]},
     {shared_rows_batch, evaluate_batch, [Small, lists:duplicate(10000000, [0.5])]},
     {shared_binary_rows_step, cell_step, [Cell, lists:duplicate(1000000, Row),
                                           lists:duplicate(1000000, [0.0, 0.0, 0.0]), 1.0]},
     {shared_sequences, cell_sequence, [Cell, lists:duplicate(1000, Seq),
                                        lists:duplicate(1000, [0.0, 0.0, 0.0]), 1.0]},
     {shared_weight_lists, flatten_weights, [Shared]},
     {shared_connection_lists, compile_network, [Nodes, 1, [1000], default, organelles]},
     {shared_dot_batch, dot_product_batch, [lists:duplicate(1000, {L, L, 0.0})]},
     {bignum_values, activate_batch, [lists:duplicate(1000000, (1 bsl 1000) + 1), linear]},
     {bignum_values_too_large, activate_batch, [lists:duplicate(1000000, 1 bsl 2000), linear]},
     {bignum_signals, dot_product_flat, [lists:duplicate(1000000, 1 bsl 100), L, 0.0]},
     {bignum_genes, compatibility_distance,
      [[{I, 1 bsl 900} || I <- lists:seq(1, 1000000)], [], 1.0, 1.0, 1.0]},
     {long_first_behaviour, knn_novelty_batch, [[L], [], 3]},
     {shared_behaviours, knn_novelty_batch, [lists:duplicate(1000000, [0.5, 0.5]), [], 3]},
     {shared_histories, compute_weighted_reward, [lists:duplicate(1000, {L, 0.5, 1.0})]},
     {bignum_fitnesses, fitness_stats, [lists:duplicate(1000000, (1 bsl 1000) + 1)]},
     {huge_bin_count, histogram, [[0.5], 1 bsl 40, 0.0, 1.0]},
     {many_picks, roulette_select_batch, [[1.0, 2.0], 2.0, L]},
     {many_contestants, tournament_select, [lists:duplicate(1000000, 0), [0.5]]},
     {shared_genomes, mutate_weights_batch_seeded, [lists:duplicate(100000, {L, 0.5, 0.5, 0.1}), 1]},
     {shared_genomes_uniform, mutate_weights_batch_uniform_seeded, [lists:duplicate(100000, L), 0.5, 0.5, 0.1, 1]},
     {shared_vectors, weight_distance_batch, [L, lists:duplicate(1000, L), l2]},
     {shared_population_rows, compile_cfc_pop,
      [lists:duplicate(1000000, [0.01 * I || I <- lists:seq(1, 28)]), lists:duplicate(1000000, [1.0, 1.0, 1.0, 1.0]),
       1, 4, 4, 1.0]}].

nest(0) -> [];
nest(N) -> {nest(N - 1)}.

big_context(Big) ->
    BigList = [0.5 || _ <- lists:seq(1, Big)],
    Small = tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0, [{0, 0.5}]}], 1, [1]),
    Cell = tweann_nif:cfc_cell(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                               [0.01 * (I rem 7) || I <- lists:seq(1, 84)]),
    %% faber-tweann's CfC populations: one network 2 -> [3] -> 2, and
    %% Big div 32 of them.
    W = lists:duplicate(17, 0.1), T = [1.0, 0.5, 2.0], P = Big div 32,
    #{big => Big, list => BigList, bin => to_bin(BigList), small => Small, cell => Cell,
      pop => tweann_nif:compile_cfc_pop([W], [T], 2, 3, 2, 1.0),
      big_pop => {tweann_nif:compile_cfc_pop(lists:duplicate(P, W), lists:duplicate(P, T), 2, 3, 2, 1.0), P},
      genes => [{I, 0.5} || I <- lists:seq(1, Big)],
      nodes => [{0, input, linear, 0, []} | [{I, hidden, tanh, 0, []} || I <- lists:seq(1, Big)]],
      wide => tweann_nif:compile_network(
                [{0, input, linear, 0, []} | [{I, hidden, tanh, 0, [{0, 0.5}]} || I <- lists:seq(1, Big div 8)]],
                1, [1])}.

%% The number of elements of the largest list or binary in a term.
largest(L) when is_list(L) -> lists:max([length(L) | [largest(X) || X <- L]]);
largest(B) when is_binary(B) -> byte_size(B) div 8;
largest(T) when is_tuple(T) -> largest(tuple_to_list(T));
largest(_) -> 0.

%% The native normal entry (tweann_nif_native) that serves a function of
%% tweann_nif: the function of the same name, except that the unseeded
%% functions call the seeded entry with a seed appended (tweann_nif draws it
%% from the caller's rand state) and dot_product_preflattened/3 is
%% dot_product_flat/3.
entry(mutate_weights) -> mutate_weights_seeded;
entry(mutate_weights_batch) -> mutate_weights_batch_seeded;
entry(mutate_weights_batch_uniform) -> mutate_weights_batch_uniform_seeded;
entry(random_weights) -> random_weights_seeded;
entry(random_weights_gaussian) -> random_weights_gaussian_seeded;
entry(random_weights_batch) -> random_weights_batch_seeded;
entry(dot_product_preflattened) -> dot_product_flat;
entry(F) -> F.

%% The largest seed an unseeded function appends (rand:uniform(1 bsl 58) - 1).
-define(DRAWN_SEED, (1 bsl 58) - 1).

%% Per exported function of tweann_nif: argument lists for its native
%% normal entry (entry/1), as large as possible; `dirty_only' for a native
%% function that only has a DirtyCpu entry, `not_native' for a function that
%% calls no NIF.
big(compile_network, 3, #{nodes := Nodes}) -> [[Nodes, 1, [1], default, organelles]];
big(compile_network, 4, #{nodes := Nodes}) -> [[Nodes, 1, [1], 1 bsl 40, forward_refs]];
big(evaluate, 2, #{small := N, list := L, bin := B}) -> [[N, L], [N, B]];
big(evaluate_batch, 2, #{small := N, list := L, bin := B, big := Big}) ->
    [[N, [L]], [N, [B]], [N, B], [N, [[0.5] || _ <- lists:seq(1, Big div 4)]]];
big(evaluate_with_state, 3, #{small := N, list := L}) -> [[N, [0.5], L], [N, L, []]];
big(network_info, 1, #{small := N}) -> [[N]];
big(dot_product_flat, 3, #{list := L, bin := B}) -> [[L, L, 0.0], [B, B, 0.0]];
big(dot_product, 2, #{list := L}) -> [[[{a, L}], [{a, L}]]];
big(dot_product_batch, 1, #{list := L}) -> [[[{L, L, 0.0}]]];
big(flatten_weights, 1, #{list := L}) -> [[[{a, L}]]];
big(activate_batch, 2, #{list := L, bin := B}) -> [[L, tanh], [B, tanh]];
big(compatibility_distance, 5, #{genes := G}) -> [[G, G, 1.0, 1.0, 1.0]];
big(evaluate_cfc, 4, _) -> [[0.5, 0.0, 1.0, 1.0]];
big(evaluate_ode, 5, _) -> [[0.5, 0.0, 1.0, 1.0, 0.1]];
big(evaluate_cfc_batch, 4, #{list := L}) -> [[L, 0.0, 1.0, 1.0]];
big(evaluate_cfc_with_weights, 6, #{list := L}) -> [[0.5, 0.0, 1.0, 1.0, L, [1.0]]];
big(evaluate_ode_with_weights, 7, #{list := L}) -> [[0.5, 0.0, 1.0, 1.0, 0.1, L, [1.0]]];
big(cell_step, 4, #{cell := C, big := Big}) ->
    B = Big div 8,
    [[C, lists:duplicate(B, [0.5, 0.5]), lists:duplicate(B, [0.0, 0.0, 0.0]), 1.0]];
big(cell_sequence, 4, #{cell := C, big := Big}) ->
    [[C, [lists:duplicate(Big div 8, [0.5, 0.5])], [[0.0, 0.0, 0.0]], 1.0]];
big(cell_info, 1, #{cell := C}) -> [[C]];
big(network_to_binary, 1, #{wide := W}) -> [[W]];
big(network_from_binary, 1, #{wide := W}) -> [[tweann_nif:network_to_binary(W)]];
big(cell_to_binary, 1, #{cell := C}) -> [[C]];
big(cell_from_binary, 1, #{cell := C, bin := B}) ->
    Len = byte_size(B) + 20,
    [[tweann_nif:cell_to_binary(C)],
     [<<"TWNC", 1:16/little, 0:16/little, Len:64/little, B/binary, 0:32>>]];
big(euclidean_distance, 2, #{list := L}) -> [[L, L]];
big(euclidean_distance_batch, 2, #{big := Big}) -> [[[0.5], [[0.5] || _ <- lists:seq(1, Big div 2)]]];
big(knn_novelty, 4, #{big := Big}) -> [[[0.5], [[0.5] || _ <- lists:seq(1, Big div 2)], [], 3]];
big(knn_novelty_batch, 3, #{big := Big}) -> [[[[0.5] || _ <- lists:seq(1, Big div 2)], [], 3]];
big(fitness_stats, 1, #{list := L}) -> [[L]];
big(weighted_moving_average, 2, #{list := L}) -> [[L, 0.5]];
big(shannon_entropy, 1, #{list := L}) -> [[L]];
big(histogram, 4, #{list := L}) -> [[L, 10, 0.0, 1.0]];
big(build_cumulative_fitness, 1, #{list := L}) -> [[L]];
big(roulette_select, 3, #{big := Big}) -> [[lists:seq(1, Big), float(Big), 0.5]];
big(roulette_select_batch, 3, #{big := Big, list := L}) -> [[lists:seq(1, Big), float(Big), L]];
big(tournament_select, 2, #{big := Big, list := L}) -> [[lists:seq(0, Big - 1), L]];
big(z_score, 3, _) -> [[0.5, 0.0, 1.0]];
big(compute_reward_component, 2, #{list := L}) -> [[L, 0.5]];
big(compute_weighted_reward, 1, #{list := L}) -> [[[{L, 0.5, 1.0}]]];
big(set_memory_budget, 1, _) -> [[default]];
%% faber-tweann's weight kernels: the unseeded ones with the seed
%% tweann_nif appends.
big(mutate_weights, 4, #{list := L, bin := B}) ->
    [[L, 0.5, 0.5, 0.1, ?DRAWN_SEED], [B, 1.0, 0.0, 0.1, ?DRAWN_SEED]];
big(mutate_weights_seeded, 5, #{list := L, bin := B}) ->
    [[L, 1.0, 1.0, 0.1, (1 bsl 64) - 1], [B, 0.5, 0.5, 0.1, 0]];
big(mutate_weights_batch, 1, #{list := L, big := Big}) ->
    [[[{L, 0.5, 0.5, 0.1}], ?DRAWN_SEED],
     [lists:duplicate(Big div 4, {[0.5], 0.5, 0.5, 0.1}), ?DRAWN_SEED]];
big(mutate_weights_batch_uniform, 4, #{list := L, bin := B, big := Big}) ->
    [[[L], 0.5, 0.5, 0.1, ?DRAWN_SEED], [[B], 0.5, 0.5, 0.1, ?DRAWN_SEED],
     [lists:duplicate(Big div 4, [0.5]), 0.5, 0.5, 0.1, ?DRAWN_SEED]];
big(random_weights, 1, #{big := Big}) -> [[Big, ?DRAWN_SEED], [1 bsl 40, ?DRAWN_SEED]];
big(random_weights_seeded, 2, #{big := Big}) -> [[Big, (1 bsl 64) - 1]];
big(random_weights_gaussian, 3, #{big := Big}) -> [[Big, 0.0, 1.0, ?DRAWN_SEED]];
big(random_weights_batch, 1, #{big := Big}) ->
    [[[{Big, 0.0, 1.0}], ?DRAWN_SEED], [lists:duplicate(Big div 4, {1, 0.0, 1.0}), ?DRAWN_SEED]];
big(F, 2, #{list := L, bin := B}) when F =:= weight_distance_l1; F =:= weight_distance_l2 ->
    [[L, L], [B, B], [L, B]];
big(weight_distance_batch, 3, #{list := L, bin := B, big := Big}) ->
    [[L, [L], l1], [B, [B], l2], [[0.5], lists:duplicate(Big div 2, [0.5]), l2]];
big(dot_product_preflattened, 3, #{list := L, bin := B}) -> [[L, L, 0.0], [B, B, 0.0]];
big(compile_cfc_pop, 6, #{big := Big}) ->
    P = Big div 20,
    [[lists:duplicate(P, lists:duplicate(17, 0.1)), lists:duplicate(P, [1.0, 0.5, 2.0]), 2, 3, 2, 1.0],
     %% one wide network: 1 -> [H] -> 1 has 3H + 1 weights
     [[lists:duplicate(3 * (Big div 3) + 1, 0.1)], [lists:duplicate(Big div 3, 1.0)], 1, Big div 3, 1, 1.0]];
big(cfc_pop_step, 3, #{pop := Pop, big_pop := {BigPop, P}, big := Big}) ->
    [[BigPop, lists:duplicate(P, [0.0, 0.0, 0.0]), lists:duplicate(P, [0.5, 0.5])],
     [Pop, [lists:duplicate(Big, 0.0)], [[0.5, 0.5]]]];
big(memory_stats, 0, _) -> [[]];
big(build_info, 0, _) -> [[]];
big(impl, 0, _) -> [[]];
big(F, _, _) when F =:= cfc_cell; F =:= ltc_cell; F =:= cfc_population; F =:= ltc_population;
                  F =:= benchmark_evaluate ->
    dirty_only;
big(is_loaded, 0, _) -> not_native;
big(_, _, _) -> no_entry.
