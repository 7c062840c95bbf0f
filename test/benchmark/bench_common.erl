%% Shared helpers of the benchmark suite (test/benchmark/, run by `make bench').
%%
%% Benchmarks are not tests: nothing here asserts a timing. This module holds
%%   * timing: warm-up, a calibrated iteration count so that every trial lasts
%%     long enough to be stable (>= 20 ms, 5 ms in quick mode), 7 trials
%%     (3 in quick mode), median/min/max microseconds per call;
%%   * allocation: heap words allocated and garbage collections of a fun,
%%     counted by tracing the garbage collections of the process running it
%%     (and of every process it spawns), plus its memory afterwards;
%%   * the fixed-seed NEAT-like networks and genomes every module uses;
%%   * the result store: rows (maps) appended by each module and kept in a
%%     named ETS table for the whole `rebar3 as bench eunit' run, so that
%%     bench_report (run last) writes one report of everything;
%%   * printing and byte formatting.
%%
%% Quick mode: TWEANN_BENCH_QUICK=1 (`make bench-quick').
-module(bench_common).

-export([quick/0, trials/0, min_trial_us/0,
         measure/1, measure/2, measure_set/1, measure_set/2, time_once/1, trial/2, median/1,
         alloc/2, alloc/3,
         row/4, row_path/1, add/1, rows/0, clear/0, target/6, print_rows/1, print_targets/1,
         fmt_bytes/1, fmt_us/1, fmt_ratio/1, fmt_num/1, op_str/1, detail/1,
         network/1, network/2, network_spec/1, inputs/2, genome/3, rand_floats/2,
         ensure_app/0]).

-define(TABLE, bench_common_results).
-define(OWNER, bench_common_owner).

%%%===================================================================
%%% Mode
%%%===================================================================

quick() ->
    case os:getenv("TWEANN_BENCH_QUICK") of
        false -> false;
        "" -> false;
        "0" -> false;
        _ -> true
    end.

trials() ->
    case quick() of true -> 3; false -> 7 end.

min_trial_us() ->
    case quick() of true -> 5000; false -> 20000 end.

ensure_app() ->
    {ok, _} = application:ensure_all_started(tweann_nif),
    case tweann_nif:is_loaded() of
        true -> ok;
        false -> error({nif_not_loaded, tweann_nif:build_info()})
    end.

%%%===================================================================
%%% Timing
%%%===================================================================

%% Time Fun() per call: #{median_us, min_us, max_us, iterations, trials}.
measure(Fun) ->
    measure(Fun, #{}).

%% Opts: trials, min_trial_us, iterations (skip calibration).
measure(Fun, Opts) ->
    Trials = maps:get(trials, Opts, trials()),
    MinUs = maps:get(min_trial_us, Opts, min_trial_us()),
    %% Warm-up (also loads code, fills caches, settles the heap).
    _ = Fun(),
    N = case maps:get(iterations, Opts, undefined) of
            undefined -> calibrate(Fun, 1, MinUs);
            I -> I
        end,
    garbage_collect(),
    Ts = [trial(Fun, N) / N || _ <- lists:seq(1, Trials)],
    S = lists:sort(Ts),
    #{median_us => median(S), min_us => hd(S), max_us => lists:last(S),
      iterations => N, trials => Trials}.

%% Time several funs doing the same work on different paths, interleaving
%% their trials (A B C A B C ...) so that load drift on the host hits every
%% path alike and their ratios stay meaningful. [{Key, Fun}] -> [{Key, M}].
measure_set(KeyFuns) ->
    measure_set(KeyFuns, #{}).

measure_set(KeyFuns, Opts) ->
    Trials = maps:get(trials, Opts, trials()),
    MinUs = maps:get(min_trial_us, Opts, min_trial_us()),
    Ns = [begin
              _ = F(),
              {K, F, case maps:get(iterations, Opts, undefined) of
                         undefined -> calibrate(F, 1, MinUs);
                         I -> I
                     end}
          end || {K, F} <- KeyFuns],
    garbage_collect(),
    Rounds = [[{K, trial(F, N) / N} || {K, F, N} <- Ns] || _ <- lists:seq(1, Trials)],
    [begin
         S = lists:sort([T || Round <- Rounds, {K1, T} <- Round, K1 =:= K]),
         {K, #{median_us => median(S), min_us => hd(S), max_us => lists:last(S),
               iterations => N, trials => Trials, interleaved => true}}
     end || {K, _, N} <- Ns].

%% The smallest power-of-two-ish count whose trial lasts >= MinUs.
calibrate(Fun, N, MinUs) ->
    T = trial(Fun, N),
    if
        T >= MinUs -> N;
        T =< 0 -> calibrate(Fun, N * 10, MinUs);
        true ->
            Want = ceil(N * MinUs * 1.2 / T),
            Next = max(N * 2, min(Want, N * 100)),
            case trial(Fun, Next) >= MinUs of
                true -> Next;
                false -> calibrate(Fun, Next, MinUs)
            end
    end.

%% Microseconds (float) for N calls.
trial(Fun, N) ->
    T0 = erlang:monotonic_time(),
    loop(Fun, N),
    T1 = erlang:monotonic_time(),
    erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1000.

loop(_Fun, 0) -> ok;
loop(Fun, N) ->
    _ = Fun(),
    loop(Fun, N - 1).

%% Microseconds (float) of one call, and its result.
time_once(Fun) ->
    T0 = erlang:monotonic_time(),
    R = Fun(),
    T1 = erlang:monotonic_time(),
    {erlang:convert_time_unit(T1 - T0, native, nanosecond) / 1000, R}.

median(Sorted) ->
    L = length(Sorted),
    case L rem 2 of
        1 -> lists:nth((L + 1) div 2, Sorted);
        0 -> (lists:nth(L div 2, Sorted) + lists:nth(L div 2 + 1, Sorted)) / 2
    end.

%%%===================================================================
%%% Allocation
%%%===================================================================

%% Heap allocation of N calls of Fun, run in a fresh process that is traced
%% (with set_on_spawn) for garbage collections. Returns per call:
%% #{bytes, gcs, memory_after} (memory_after: process_info memory of the
%% worker at the end, bytes; not per call).
%% Allocated words are counted as the growth of the young heap (plus heap
%% fragments) between consecutive collections; every traced process that is
%% still alive at the end is collected once more to count its residue.
%% Off-heap binaries are not counted.
alloc(Fun, N) ->
    alloc(Fun, N, #{}).

alloc(Fun, N, _Opts) ->
    Parent = self(),
    Tracer = spawn(fun() -> tracer(#{}, 0, 0) end),
    Worker = spawn(fun() ->
                           receive go -> ok end,
                           loop(Fun, N),
                           Parent ! {alloc_done, self()},
                           receive stop -> ok end
                   end),
    1 = erlang:trace(Worker, true, [garbage_collection, procs, set_on_spawn, {tracer, Tracer}]),
    true = erlang:garbage_collect(Worker),
    Ref0 = erlang:trace_delivered(Worker),
    receive {trace_delivered, Worker, Ref0} -> ok end,
    Tracer ! reset,
    Worker ! go,
    receive {alloc_done, Worker} -> ok end,
    {memory, Mem} = erlang:process_info(Worker, memory),
    Tracer ! {pids, self()},
    Pids = receive {pids, Ps} -> Ps end,
    Forced = length([ok || P <- lists:usort([Worker | Pids]),
                           (catch erlang:garbage_collect(P)) =:= true]),
    Ref = erlang:trace_delivered(all),
    receive {trace_delivered, all, Ref} -> ok end,
    Tracer ! {result, self()},
    {Words, GCs} = receive {alloc_result, W, G} -> {W, G} end,
    Worker ! stop,
    exit(Tracer, kill),
    Wsz = erlang:system_info(wordsize),
    #{bytes => Words * Wsz / N, gcs => max(0, GCs - Forced) / N, memory_after => Mem}.

%% State: per pid the young heap size after its last GC; total words; GCs.
tracer(Last, Words, GCs) ->
    receive
        {trace, Pid, spawn, Child, _} ->
            _ = Pid,
            tracer(Last#{Child => maps:get(Child, Last, 0)}, Words, GCs);
        {trace, Pid, Start, Info} when Start =:= gc_minor_start; Start =:= gc_major_start ->
            Heap = proplists:get_value(heap_size, Info, 0) + proplists:get_value(mbuf_size, Info, 0),
            Prev = maps:get(Pid, Last, 0),
            tracer(Last, Words + max(0, Heap - Prev), GCs + 1);
        {trace, Pid, End, Info} when End =:= gc_minor_end; End =:= gc_major_end ->
            tracer(Last#{Pid => proplists:get_value(heap_size, Info, 0)}, Words, GCs);
        reset ->
            tracer(Last, 0, 0);
        {pids, From} ->
            From ! {pids, maps:keys(Last)},
            tracer(Last, Words, GCs);
        {result, From} ->
            %% The priming collection is excluded (reset); the final forced
            %% ones count words (the residue) but not as collections.
            From ! {alloc_result, Words, GCs},
            tracer(Last, Words, GCs);
        _ ->
            tracer(Last, Words, GCs)
    end.

%%%===================================================================
%%% Result rows
%%%===================================================================

%% A timing row: Name, Path (nif | erlang_ref | process_per_neuron | ...),
%% Size (a term describing the input size), measure/1 result or extra map.
row(Name, Path, Size, M) ->
    maps:merge(#{kind => timing, name => to_bin(Name), path => path_name(Path),
                 size => to_bin(Size)}, M).

row_path(P) -> path_name(P).

path_name(nif) -> <<"NIF">>;
path_name(nif_dirty) -> <<"NIF (dirty scheduler)">>;
path_name(nif_normal) -> <<"NIF (normal scheduler)">>;
path_name(erlang_ref) -> <<"Erlang reference">>;
path_name(ref) -> <<"Erlang reference">>;
path_name(ppn) -> <<"process-per-neuron">>;
path_name(erlang) -> <<"Erlang">>;
path_name(P) -> to_bin(P).

%% A target row: measured ratio vs target with op ge | le.
target(Name, Measured, Op, Target, Note, Module) ->
    Met = case Op of
              ge -> Measured >= Target;
              le -> Measured =< Target
          end,
    #{kind => target, name => to_bin(Name), measured => Measured, op => Op,
      target => Target, met => Met, note => to_bin(Note), module => Module}.

to_bin(B) when is_binary(B) -> B;
to_bin(A) when is_atom(A) -> atom_to_binary(A);
to_bin(I) when is_integer(I) -> integer_to_binary(I);
to_bin(L) when is_list(L) -> unicode:characters_to_binary(L);
to_bin(T) -> iolist_to_binary(io_lib:format("~p", [T])).

%% Append rows to the store of this VM (created on first use, owned by a
%% process that outlives each EUnit test process).
add(Rows) when is_list(Rows) ->
    ensure_table(),
    Now = erlang:unique_integer([monotonic]),
    ets:insert(?TABLE, [{{Now, I}, R} || {I, R} <- lists:zip(lists:seq(1, length(Rows)), Rows)]),
    ok.

rows() ->
    case ets:whereis(?TABLE) of
        undefined -> [];
        _ -> [R || {_, R} <- lists:sort(ets:tab2list(?TABLE))]
    end.

clear() ->
    case ets:whereis(?TABLE) of
        undefined -> ok;
        _ -> ets:delete_all_objects(?TABLE), ok
    end.

ensure_table() ->
    case ets:whereis(?TABLE) of
        undefined ->
            Self = self(),
            Pid = spawn(fun() ->
                                try register(?OWNER, self()) of
                                    true ->
                                        _ = ets:new(?TABLE, [named_table, public, ordered_set]),
                                        Self ! {?OWNER, ready},
                                        receive stop -> ok end
                                catch error:badarg ->
                                        Self ! {?OWNER, ready}
                                end
                        end),
            receive {?OWNER, ready} -> ok after 5000 -> error({no_store, Pid}) end;
        _ -> ok
    end.

%%%===================================================================
%%% Printing
%%%===================================================================

print_rows(Rows) ->
    io:format(user, "~n  ~-52s ~-24s ~-24s ~10s ~10s ~10s ~9s~n",
              ["benchmark", "path", "size", "median us", "min us", "max us", "speedup"]),
    [print_row(R) || R <- Rows],
    ok.

print_row(#{kind := timing, name := N, path := P, size := S, median_us := Med,
            min_us := Min, max_us := Max} = R) ->
    io:format(user, "  ~-52s ~-24s ~-24s ~10s ~10s ~10s ~9s  ~s~n",
              [N, P, S, fmt_us(Med), fmt_us(Min), fmt_us(Max),
               case R of #{ratio := Ra} -> fmt_ratio(Ra); _ -> "" end,
               detail(R)]);
print_row(#{kind := note, name := N, text := T}) ->
    io:format(user, "  ~s: ~s~n", [N, T]);
print_row(_) ->
    ok.

%% Extra facts of a row as text: allocation, detail, note.
detail(R) ->
    Parts = [case R of
                 #{bytes := B, gcs := G} ->
                     io_lib:format("alloc ~s/call, ~.2f GCs/call", [fmt_bytes(B), G * 1.0]);
                 _ -> ""
             end,
             maps:get(detail, R, ""),
             maps:get(note, R, "")],
    lists:join("; ", [P || P <- Parts, iolist_size(P) > 0]).

print_targets([]) -> ok;
print_targets(Targets) ->
    io:format(user, "~n  ~-70s ~10s ~8s ~4s~n", ["target", "measured", "target", "met"]),
    [io:format(user, "  ~-70s ~10s ~8s ~4s~n",
               [N, fmt_ratio(M), [op_str(Op), fmt_num(T)], case Met of true -> "yes"; false -> "NO" end])
     || #{kind := target, name := N, measured := M, op := Op, target := T, met := Met} <- Targets],
    ok.

op_str(ge) -> ">=";
op_str(le) -> "<=".

fmt_num(T) when is_integer(T) -> integer_to_list(T);
fmt_num(T) -> float_to_list(T, [{decimals, 2}, compact]).

fmt_us(Us) when Us >= 100 -> float_to_list(Us * 1.0, [{decimals, 1}]);
fmt_us(Us) when Us >= 1 -> float_to_list(Us * 1.0, [{decimals, 2}]);
fmt_us(Us) -> float_to_list(Us * 1.0, [{decimals, 3}]).

fmt_ratio(R) when R >= 100 -> float_to_list(R * 1.0, [{decimals, 0}]) ++ "x";
fmt_ratio(R) when R >= 10 -> float_to_list(R * 1.0, [{decimals, 1}]) ++ "x";
fmt_ratio(R) -> float_to_list(R * 1.0, [{decimals, 2}]) ++ "x".

fmt_bytes(B) when B >= 1024 * 1024 * 1024 -> io_lib:format("~.2f GiB", [B / (1024 * 1024 * 1024)]);
fmt_bytes(B) when B >= 1024 * 1024 -> io_lib:format("~.2f MiB", [B / (1024 * 1024)]);
fmt_bytes(B) when B >= 1024 -> io_lib:format("~.1f KiB", [B / 1024]);
fmt_bytes(B) when is_float(B) -> float_to_list(B, [{decimals, 0}]) ++ " B";
fmt_bytes(B) -> io_lib:format("~p B", [B]).

%%%===================================================================
%%% Fixed-seed networks and genomes
%%%===================================================================

%% {Inputs, Hidden, Outputs, Connections} of the standard sizes (a spec
%% tuple stands for itself).
network_spec({_, _, _, _} = Spec) -> Spec;
network_spec(50) -> {10, 34, 6, 250};
network_spec(200) -> {20, 170, 10, 1500};
network_spec(1000) -> {50, 930, 20, 8000}.

%% {Nodes, InputCount, OutputIndices} of a NEAT-like random DAG with a fixed
%% seed: inputs first, then hidden, then outputs; each non-input node reads
%% from distinct earlier nodes, connections spread evenly.
network(Size) ->
    network(Size, Size).

network(Size, Seed) ->
    {NIn, NHid, NOut, Conns} = network_spec(Size),
    S0 = rand:seed_s(exsss, {Seed, 17, 4242}),
    Total = NIn + NHid + NOut,
    M = NHid + NOut,
    Inputs = [{I, input, linear, 0.0, []} || I <- lists:seq(0, NIn - 1)],
    {Others, _} =
        lists:mapfoldl(
          fun(I, S) ->
                  K0 = Conns div M + case (I - NIn) < Conns rem M of true -> 1; false -> 0 end,
                  K = min(K0, I),
                  {Srcs, S1} = distinct(K, I, S, #{}),
                  {Ws, S2} = rand_floats(K, S1),
                  {B, S3} = rand:uniform_s(S2),
                  {A, S4} = rand:uniform_s(4, S3),
                  Type = case I >= NIn + NHid of true -> output; false -> hidden end,
                  Act = lists:nth(A, [tanh, sigmoid, relu, sin]),
                  {{I, Type, Act, B - 0.5, lists:zip(Srcs, Ws)}, S4}
          end, S0, lists:seq(NIn, Total - 1)),
    {Inputs ++ Others, NIn, lists:seq(NIn + NHid, Total - 1)}.

%% K distinct sources below I, in drawing order.
distinct(K, I, S, Seen) ->
    distinct(K, I, S, Seen, []).

distinct(0, _I, S, _Seen, Acc) -> {lists:reverse(Acc), S};
distinct(K, I, S, Seen, Acc) ->
    {R, S1} = rand:uniform_s(I, S),
    From = R - 1,
    case Seen of
        #{From := _} -> distinct(K, I, S1, Seen, Acc);
        _ -> distinct(K - 1, I, S1, Seen#{From => true}, [From | Acc])
    end.

%% K floats in [-1, 1).
rand_floats(K, S) ->
    lists:mapfoldl(fun(_, Sx) -> {U, Sx1} = rand:uniform_s(Sx), {U * 2 - 1, Sx1} end,
                   S, lists:seq(1, K)).

%% Count input vectors of length N (fixed seed).
inputs(N, Count) ->
    S0 = rand:seed_s(exsss, {N, Count, 99}),
    {Rows, _} = lists:mapfoldl(fun(_, S) -> rand_floats(N, S) end, S0, lists:seq(1, Count)),
    Rows.

%% A pair of NEAT genomes of Genes genes each, sharing most innovations
%% (about 80% matching, the rest disjoint or excess): {GenesA, GenesB}.
genome(Genes, Seed, Shared) ->
    S0 = rand:seed_s(exsss, {Genes, Seed, 7}),
    {Ws, S1} = rand_floats(Genes * 2, S0),
    Common = lists:seq(1, round(Genes * Shared)),
    OnlyA = [Genes + 2 * I || I <- lists:seq(1, Genes - length(Common))],
    OnlyB = [Genes + 2 * I + 1 || I <- lists:seq(1, Genes - length(Common))],
    {WA, WB} = lists:split(Genes, Ws),
    _ = S1,
    {lists:zip(Common ++ OnlyA, WA), lists:zip(Common ++ OnlyB, WB)}.
