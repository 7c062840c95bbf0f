%% Benchmark (not a test): the per-call overhead of the NIF boundary, so users
%% see where the floor is.
%%   * the cheapest calls: a local Erlang fun call (no NIF: the baseline of
%%     the timing loop itself), the raw NIF tweann_nif_native:memory_stats/0
%%     (no wrapper; builds a 5-key map), tweann_nif:set_memory_budget/1
%%     (the NIF with the smallest result: an integer) and
%%     tweann_nif:network_info/1 (resource lookup + map);
%%   * list vs binary inputs (evaluate/2, evaluate_batch/2,
%%     dot_product_flat/3, activate_batch/2);
%%   * normal vs dirty scheduled entry points, calling tweann_nif_native
%%     directly (evaluate/2 vs evaluate_dirty/2, ...), and the public wrapper;
%%   * evaluate/2 as a call vs the in-NIF time per evaluation reported by
%%     benchmark_evaluate/3 (the difference is the boundary: argument
%%     decoding, result building, the call itself).
%%
%% Run alone: rebar3 as bench eunit --module=bench_hot_paths
-module(bench_hot_paths).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

hot_paths_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             io:format(user, "~n== bench_hot_paths: per-call overhead of the NIF boundary ==", []),
             bench_common:print_rows(Rows)
     end}.

run() ->
    bench_common:ensure_app(),
    {N50, I50, O50} = bench_common:network(50),
    {N200, I200, O200} = bench_common:network(200),
    Net50 = tweann_nif:compile_network(N50, I50, O50),
    Net200 = tweann_nif:compile_network(N200, I200, O200),
    [In50] = bench_common:inputs(I50, 1),
    Bin50 = floats_bin(In50),
    Rows100 = bench_common:inputs(I200, 100),
    BinRows100 = [floats_bin(R) || R <- Rows100],
    BinBatch100 = iolist_to_binary(BinRows100),
    [Sig100, W100] = bench_common:inputs(100, 2),
    Vals1000 = hd(bench_common:inputs(1000, 1)),
    Local = fun(X) -> X end,
    Budget = tweann_nif:set_memory_budget(default),
    %% {Group, Name, Path, Size, Fun}
    Cases =
        [{floor, "local fun call (no NIF)", erlang, "-", fun() -> Local(ok) end},
         {floor, "tweann_nif:is_loaded/0 (persistent_term, no NIF)", erlang, "-",
          fun tweann_nif:is_loaded/0},
         {floor, "tweann_nif_native:memory_stats/0 (raw NIF)", nif, "-",
          fun tweann_nif_native:memory_stats/0},
         {floor, "tweann_nif:memory_stats/0", nif, "-", fun tweann_nif:memory_stats/0},
         {floor, "tweann_nif:set_memory_budget/1", nif, "-",
          fun() -> tweann_nif:set_memory_budget(Budget) end},
         {floor, "tweann_nif:network_info/1", nif, "50 neurons",
          fun() -> tweann_nif:network_info(Net50) end},
         {inputs, "evaluate/2, list input", nif, "50 neurons",
          fun() -> tweann_nif:evaluate(Net50, In50) end},
         {inputs, "evaluate/2, binary input", nif, "50 neurons",
          fun() -> tweann_nif:evaluate(Net50, Bin50) end},
         {inputs, "evaluate_batch/2, list of lists", nif, "200 neurons x 100 rows",
          fun() -> tweann_nif:evaluate_batch(Net200, Rows100) end},
         {inputs, "evaluate_batch/2, list of binaries", nif, "200 neurons x 100 rows",
          fun() -> tweann_nif:evaluate_batch(Net200, BinRows100) end},
         {inputs, "evaluate_batch/2, one binary", nif, "200 neurons x 100 rows",
          fun() -> tweann_nif:evaluate_batch(Net200, BinBatch100) end},
         {inputs, "dot_product_flat/3, lists", nif, "100 elements",
          fun() -> tweann_nif:dot_product_flat(Sig100, W100, 0.0) end},
         {inputs, "dot_product_flat/3, binaries", nif, "100 elements",
          fun() -> tweann_nif:dot_product_flat(floats_bin(Sig100), floats_bin(W100), 0.0) end},
         {inputs, "activate_batch/2, list", nif, "1000 values",
          fun() -> tweann_nif:activate_batch(Vals1000, tanh) end},
         {inputs, "activate_batch/2, binary", nif, "1000 values",
          fun() -> tweann_nif:activate_batch(floats_bin(Vals1000), tanh) end},
         {sched, "tweann_nif_native:evaluate/2", nif_normal, "50 neurons",
          fun() -> tweann_nif_native:evaluate(Net50, In50) end},
         {sched, "tweann_nif_native:evaluate_dirty/2", nif_dirty, "50 neurons",
          fun() -> tweann_nif_native:evaluate_dirty(Net50, In50) end},
         {sched, "tweann_nif:evaluate/2 (wrapper, picks normal)", nif, "50 neurons",
          fun() -> tweann_nif:evaluate(Net50, In50) end},
         {sched, "tweann_nif_native:dot_product_flat/3", nif_normal, "10 elements",
          fun() -> tweann_nif_native:dot_product_flat(lists:sublist(Sig100, 10),
                                                      lists:sublist(W100, 10), 0.0) end},
         {sched, "tweann_nif_native:dot_product_flat_dirty/3", nif_dirty, "10 elements",
          fun() -> tweann_nif_native:dot_product_flat_dirty(lists:sublist(Sig100, 10),
                                                            lists:sublist(W100, 10), 0.0) end},
         {sched, "tweann_nif_native:evaluate_batch/2", nif_normal, "200 neurons x 100 rows",
          fun() -> native_batch(Net200, Rows100) end},
         {sched, "tweann_nif_native:evaluate_batch_dirty/2", nif_dirty, "200 neurons x 100 rows",
          fun() -> tweann_nif_native:evaluate_batch_dirty(Net200, Rows100) end}],
    Timed = [{G, bench_common:row(Name, Path, Size,
                                  maps:merge(bench_common:measure(F), #{module => ?MODULE,
                                                                        group => G}))}
             || {G, Name, Path, Size, F} <- Cases],
    Rows = [R || {_, R} <- Timed],
    Floor = [R || {floor, #{path := <<"NIF">>} = R} <- Timed],
    #{name := Cheapest, median_us := CheapUs} =
        hd(lists:sort(fun(#{median_us := A}, #{median_us := B}) -> A =< B end, Floor)),
    InNif = [begin
                 _ = tweann_nif:benchmark_evaluate(Net, In, Iters div 10),
                 Samples = lists:sort([tweann_nif:benchmark_evaluate(Net, In, Iters)
                                       || _ <- lists:seq(1, bench_common:trials())]),
                 Us = lists:nth((length(Samples) + 1) div 2, Samples),
                 #{median_us := CallUs} =
                     bench_common:measure(fun() -> tweann_nif:evaluate(Net, In) end),
                 bench_common:row("in-NIF evaluation (benchmark_evaluate/3) vs evaluate/2 call",
                                  nif, Label,
                                  #{median_us => Us, min_us => hd(Samples),
                                    max_us => lists:last(Samples), iterations => Iters,
                                    trials => length(Samples),
                                    module => ?MODULE, group => boundary,
                                    call_us => CallUs, boundary_us => CallUs - Us,
                                    detail => iolist_to_binary(
                                                io_lib:format("evaluate/2 call ~s us, boundary ~s us",
                                                              [bench_common:fmt_us(CallUs),
                                                               bench_common:fmt_us(CallUs - Us)]))})
             end || {Net, In, Iters, Label} <- [{Net50, In50, 20000, "50 neurons"},
                                                 {Net200, hd(Rows100), 5000, "200 neurons"}]],
    Note = #{kind => note, module => ?MODULE, name => <<"cheapest NIF call">>,
             text => iolist_to_binary(io_lib:format("~s: ~s us per call (the floor of the NIF boundary)",
                                                    [Cheapest, bench_common:fmt_us(CheapUs)]))},
    Rows ++ InNif ++ [Note].

%% The normal entry says '$tweann_dirty' when the work is large: then the
%% dirty entry is what the wrapper would call.
native_batch(Net, Rows) ->
    case tweann_nif_native:evaluate_batch(Net, Rows) of
        '$tweann_dirty' -> tweann_nif_native:evaluate_batch_dirty(Net, Rows);
        R -> R
    end.

floats_bin(L) -> << <<X:64/float-native>> || X <- L >>.
