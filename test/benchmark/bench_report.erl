%% Benchmark report writer. `make bench' (`rebar3 as bench eunit') runs this
%% module last: its test adds the results of bench_memory_growth (those of
%% its tests earlier in the run, or by calling bench_memory_growth:run/0),
%% then writes bench/results/<hostname>-<utc timestamp>.md and .json (and an
%% .svg chart of the speedups when gnuplot is installed) from every row the
%% earlier modules of the same `rebar3 as bench eunit' run stored in
%% bench_common, and prints the markdown.
%%
%% Run alone (`rebar3 as bench eunit --module=bench_report') it first runs every
%% timing module itself, so it always writes a complete report.
%%
%% Environment: TWEANN_BENCH_QUICK=1 (fewer trials, a short memory-growth
%% run), TWEANN_BENCH_SKIP_MEMORY=1 (no memory-growth run),
%% TWEANN_BENCH_OUT=<dir> (default bench/results under the project root).
-module(bench_report).

-include_lib("eunit/include/eunit.hrl").

-export([write/0, write/1, host_info/0, json/1]).

-define(TIMING_MODULES, [bench_forward_pass, bench_nif_vs_erlang, bench_hot_paths,
                         bench_evolution_ops, bench_faber]).

report_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Have = lists:usort([M || #{module := M} <- bench_common:rows()]),
             [begin
                  io:format(user, "~n  bench_report: running ~p (not run earlier in this run)", [M]),
                  bench_common:add(M:run())
              end || M <- ?TIMING_MODULES ++ optional_modules(), not lists:member(M, Have)],
             bench_common:add(memory_growth()),
             {ok, Files} = write(),
             io:format(user, "~n~n  report written: ~s~n", [lists:join(", ", Files)])
     end}.

%% Other engineers' benchmark modules that follow the same convention
%% (run/0 returning rows), when present.
optional_modules() ->
    [M || M <- [bench_cells, bench_weights],
          code:ensure_loaded(M) =:= {module, M}, erlang:function_exported(M, run, 0)].

memory_growth() ->
    Done = [R || #{kind := memory, module := bench_memory_growth} = R <- bench_common:rows()],
    case os:getenv("TWEANN_BENCH_SKIP_MEMORY") of
        _ when Done =/= [] ->
            %% bench_memory_growth ran earlier in this run and kept its rows.
            [];
        V when V =:= false; V =:= ""; V =:= "0" ->
            io:format(user, "~n  bench_report: running bench_memory_growth:run()", []),
            try bench_memory_growth:run() of
                Rows -> [R#{kind => memory, module => bench_memory_growth} || R <- Rows]
            catch C:E:St ->
                    [#{kind => note, module => bench_memory_growth,
                       name => <<"bench_memory_growth">>,
                       text => iolist_to_binary(io_lib:format("failed: ~p:~p ~p",
                                                              [C, E, hd(St ++ [none])]))}]
            end;
        _ ->
            [#{kind => note, module => bench_memory_growth, name => <<"bench_memory_growth">>,
               text => <<"skipped (TWEANN_BENCH_SKIP_MEMORY set)">>}]
    end.

%%%===================================================================
%%% Writing
%%%===================================================================

write() ->
    write(bench_common:rows()).

%% Write the report of Rows; returns {ok, [File]}.
write(Rows) ->
    Host = host_info(),
    Dir = out_dir(),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Base = lists:flatten([maps:get(hostname, Host), "-", maps:get(stamp, Host)]),
    Path = fun(Ext) -> filename:join(Dir, Base ++ Ext) end,
    {Chart, ChartFiles} = chart(Rows, Path(".dat"), Path(".svg"), Host),
    Md = unicode:characters_to_binary(markdown(Rows, Host, Chart, Base ++ ".svg")),
    ok = file:write_file(Path(".md"), Md),
    Json = json(#{host => maps:without([stamp], Host),
                  chart => Chart,
                  targets => [R || #{kind := target} = R <- Rows],
                  results => [R || #{kind := K} = R <- Rows, K =/= target]}),
    ok = file:write_file(Path(".json"), Json),
    io:format(user, "~n~n~ts~n", [Md]),
    {ok, [Path(".md"), Path(".json") | ChartFiles]}.

out_dir() ->
    case os:getenv("TWEANN_BENCH_OUT") of
        V when V =:= false; V =:= "" -> filename:join(project_root(), "bench/results");
        V -> V
    end.

project_root() ->
    {ok, Cwd} = file:get_cwd(),
    find_root(Cwd, Cwd).

find_root("/", Cwd) -> Cwd;
find_root(Dir, Cwd) ->
    case filelib:is_regular(filename:join(Dir, "rebar.config"))
        andalso filelib:is_dir(filename:join(Dir, "test/benchmark")) of
        true -> Dir;
        false -> find_root(filename:dirname(Dir), Cwd)
    end.

%%%===================================================================
%%% Host facts
%%%===================================================================

host_info() ->
    {ok, Hostname} = inet:gethostname(),
    Cpu = cpuinfo(),
    Flags = string:lexemes(maps:get("flags", Cpu, ""), " "),
    Has = fun(F) -> lists:member(F, Flags) end,
    Build = tweann_nif:build_info(),
    Now = erlang:system_time(second),
    {{Y, Mo, D}, {H, Mi, S}} = calendar:system_time_to_universal_time(Now, second),
    #{hostname => Hostname,
      stamp => lists:flatten(io_lib:format("~4..0w~2..0w~2..0wT~2..0w~2..0w~2..0wZ",
                                           [Y, Mo, D, H, Mi, S])),
      utc => list_to_binary(calendar:system_time_to_rfc3339(Now, [{offset, "Z"}])),
      cpu_model => list_to_binary(maps:get("model name", Cpu, "unknown")),
      sse4_2 => Has("sse4_2"), avx => Has("avx"), avx2 => Has("avx2"),
      avx512f => Has("avx512f"), fma => Has("fma"),
      logical_processors => erlang:system_info(logical_processors_available),
      schedulers_online => erlang:system_info(schedulers_online),
      dirty_cpu_schedulers_online => erlang:system_info(dirty_cpu_schedulers_online),
      memory_total => mem_total(),
      otp_release => list_to_binary(erlang:system_info(otp_release)),
      erts_version => list_to_binary(erlang:system_info(version)),
      emu_flavor => erlang:system_info(emu_flavor),
      jit => erlang:system_info(emu_flavor) =:= jit,
      library => maps:map(fun(_, V) when is_list(V) -> list_to_binary(V); (_, V) -> V end, Build),
      quick => bench_common:quick(),
      load_average => loadavg()}.

cpuinfo() ->
    case file:read_file("/proc/cpuinfo") of
        {ok, B} ->
            [First | _] = string:split(B, "\n\n"),
            maps:from_list(
              [{string:trim(binary_to_list(K)), string:trim(binary_to_list(V))}
               || L <- string:split(First, "\n", all),
                  [K, V] <- [string:split(L, ":")]]);
        _ -> #{}
    end.

mem_total() ->
    case file:read_file("/proc/meminfo") of
        {ok, B} ->
            case re:run(B, "MemTotal:\\s*(\\d+) kB", [{capture, [1], list}]) of
                {match, [K]} -> list_to_integer(K) * 1024;
                _ -> unknown
            end;
        _ -> unknown
    end.

loadavg() ->
    case file:read_file("/proc/loadavg") of
        {ok, B} -> iolist_to_binary(lists:join(" ", lists:sublist(string:lexemes(B, " \n"), 3)));
        _ -> <<"unknown">>
    end.

%%%===================================================================
%%% Markdown
%%%===================================================================

markdown(Rows, Host, Chart, SvgName) ->
    #{library := Lib} = Host,
    YesNo = fun(true) -> "yes"; (false) -> "no" end,
    Cores = io_lib:format("~p logical (~p schedulers online, ~p dirty CPU schedulers)",
                          [maps:get(logical_processors, Host), maps:get(schedulers_online, Host),
                           maps:get(dirty_cpu_schedulers_online, Host)]),
    Header =
        ["# tweann_nif benchmark report: ", maps:get(hostname, Host), ", ", maps:get(utc, Host), "\n\n",
         case maps:get(quick, Host) of
             true -> "**Quick mode** (TWEANN_BENCH_QUICK=1: fewer trials, a short memory-growth run).\n\n";
             false -> ""
         end,
         "| host | |\n|---|---|\n",
         [["| ", K, " | ", V, " |\n"]
          || {K, V} <- [{"hostname", maps:get(hostname, Host)},
                        {"CPU", maps:get(cpu_model, Host)},
                        {"SSE4.2", YesNo(maps:get(sse4_2, Host))},
                        {"AVX / AVX2 / AVX-512F / FMA",
                         lists:join(" / ", [YesNo(maps:get(F, Host)) || F <- [avx, avx2, avx512f, fma]])},
                        {"cores", Cores},
                        {"memory", case maps:get(memory_total, Host) of
                                       unknown -> "unknown";
                                       M -> bench_common:fmt_bytes(M)
                                   end},
                        {"OTP / ERTS", [maps:get(otp_release, Host), " / ", maps:get(erts_version, Host)]},
                        {"BEAM JIT", io_lib:format("~s (emu_flavor = ~p)",
                                                   [YesNo(maps:get(jit, Host)), maps:get(emu_flavor, Host)])},
                        {"tweann_nif version", to_s(maps:get(version, Lib, unknown))},
                        {"compiled for CPU level", to_s(maps:get(target_cpu, Lib, unknown))},
                        {"NIF build", io_lib:format("backend ~s, NIF ~s, ~s-~s, profile ~s",
                                                    [to_s(maps:get(K, Lib, "?"))
                                                     || K <- [backend, nif_version, target_arch,
                                                              target_os, profile]])},
                        {"load average at report time", maps:get(load_average, Host)}]],
         "\nTimes are microseconds per call: the median of ", integer_to_list(bench_common:trials()),
         " trials (min and max beside it), each trial a loop calibrated to last at least ",
         integer_to_list(bench_common:min_trial_us() div 1000),
         " ms, after a warm-up. **Speedup** = this row's time / the NIF's time for the same work "
         "(how many times faster the NIF is). Allocation is process heap allocation counted by "
         "tracing garbage collections (off-heap binaries not included). Benchmarks assert "
         "nothing: targets are reported, not enforced.\n\n"],
    Targets = [R || #{kind := target} = R <- Rows],
    TargetMd =
        ["## Targets\n\n| target | measured | target | met |\n|---|---:|---:|:---:|\n",
         [["| ", N, " | ", bench_common:fmt_ratio(M), " | ", bench_common:op_str(Op), " ",
           bench_common:fmt_num(T), " | ", case Met of true -> "yes"; false -> "**no**" end, " |\n"]
          || #{name := N, measured := M, op := Op, target := T, met := Met} <- Targets],
         "\n"],
    ChartMd = case Chart of
                  #{status := ok} -> ["## Speedups\n\n![NIF speedups](", SvgName, ")\n\n"];
                  #{status := S, reason := Why} ->
                      ["## Speedups\n\nNo chart: ", atom_to_list(S), ": ", Why, "\n\n"]
              end,
    Modules = [{bench_forward_pass, "Forward pass: process-per-neuron vs Erlang reference vs NIF"},
               {bench_nif_vs_erlang, "Every NIF function vs its Erlang reference"},
               {bench_hot_paths, "Hot paths: the cost of the NIF boundary"},
               {bench_evolution_ops, "Evolution: one generation"},
               {bench_cells, "Liquid cells: CfC / LTC (bench_cells)"},
               {bench_faber, "Side by side with faber-tweann's NIF (bench_faber)"}],
    Known = [M || {M, _} <- Modules] ++ [bench_memory_growth],
    Others = lists:usort([M || #{module := M, kind := timing} <- Rows, not lists:member(M, Known)]),
    Sections = [section(Title, [R || #{module := M1} = R <- Rows, M1 =:= M])
                || {M, Title} <- Modules ++ [{M, atom_to_list(M)} || M <- Others]],
    [Header, TargetMd, ChartMd, Sections, memory_section(Rows)].

section(_Title, []) -> [];
section(Title, Rows) ->
    Timing = [R || #{kind := timing} = R <- Rows],
    Notes = [R || #{kind := note} = R <- Rows],
    ["## ", Title, "\n\n",
     "| benchmark | execution path | size | median µs | min µs | max µs | speedup | notes |\n",
     "|---|---|---|---:|---:|---:|---:|---|\n",
     [["| ", N, " | ", P, " | ", S, " | ", bench_common:fmt_us(Med), " | ", bench_common:fmt_us(Min),
       " | ", bench_common:fmt_us(Max), " | ",
       case R of #{ratio := Ra} -> bench_common:fmt_ratio(Ra); _ -> "" end, " | ",
       bench_common:detail(R), " |\n"]
      || #{name := N, path := P, size := S, median_us := Med, min_us := Min, max_us := Max} = R <- Timing],
     "\n",
     [["- ", N, ": ", T, "\n"] || #{name := N, text := T} <- Notes],
     case Notes of [] -> ""; _ -> "\n" end].

memory_section(Rows) ->
    Mem = [R || #{kind := memory} = R <- Rows],
    Notes = [R || #{kind := note, module := bench_memory_growth} = R <- Rows],
    case Mem ++ Notes of
        [] -> [];
        _ ->
            ["## Memory growth of the genotype store (bench_memory_growth)\n\n",
             case Mem of
                 [] -> "";
                 _ ->
                     ["| measure | execution path | value | generation | run |\n|---|---|---:|---:|---|\n",
                      [["| ", N, " | ", P, " | ", mem_value(V, U), " | ",
                        case R of #{generation := G} -> integer_to_list(G); _ -> "" end, " | ",
                        run_desc(R), " |\n"]
                       || #{name := N, path := P, value := V, unit := U} = R <- Mem], "\n"]
             end,
             [["- ", N, ": ", T, "\n"] || #{name := N, text := T} <- Notes]]
    end.

mem_value(V, <<"bytes">>) -> bench_common:fmt_bytes(V);
mem_value(V, U) when is_float(V) -> [float_to_list(V, [{decimals, 1}]), " ", U];
mem_value(V, U) -> [to_s(V), " ", U].

run_desc(R) ->
    lists:join(", ", [[atom_to_list(K), " ", to_s(V)]
                      || K <- [agents, neurons, generations_run, stopped, records, rounds],
                         V <- [maps:get(K, R, undefined)], V =/= undefined]).

to_s(B) when is_binary(B) -> B;
to_s(A) when is_atom(A) -> atom_to_list(A);
to_s(I) when is_integer(I) -> integer_to_list(I);
to_s(F) when is_float(F) -> float_to_list(F, [{decimals, 3}, compact]);
to_s(L) when is_list(L) -> L;
to_s(T) -> io_lib:format("~p", [T]).

%%%===================================================================
%%% Chart (gnuplot)
%%%===================================================================

%% One horizontal bar per speedup row (a baseline path against the NIF, hot
%% paths left out): the bar runs from 1x to the speedup on a log axis, one
%% colour per baseline path (the legend names them), and the right-hand
%% column gives the speedup with both absolute times. Margins are sized from
%% the longest texts so that nothing is clipped.
chart(Rows, DatFile, SvgFile, Host) ->
    Selected = [{unicode:characters_to_list([N, case S of <<"-">> -> ""; _ -> [", ", S] end]),
                 P, Ra, Med, {M, N, S}}
                || #{kind := timing, module := M, name := N, size := S, path := P, ratio := Ra,
                     median_us := Med} <- Rows,
                   M =/= bench_hot_paths,
                   P =/= <<"NIF">>, is_number(Ra), Ra > 0, is_number(Med), S =/= <<"-">>],
    Bars = [{L, P, Ra, Med} || {L, P, Ra, Med, _} <- Selected],
    Keys0 = [K || {_, _, _, _, K} <- Selected],
    %% The NIF's own median for the same work, where the run has that row.
    NifUs = maps:from_list([{{M, N, S}, Med}
                            || #{kind := timing, module := M, name := N, size := S,
                                 path := <<"NIF">>, median_us := Med} <- Rows, is_number(Med)]),
    Script = filename:join(project_root(), "scripts/bench_chart.gp"),
    case {os:find_executable("gnuplot"), Bars} of
        {false, _} ->
            {#{status => missing, reason => <<"gnuplot is not installed (Debian: apt-get install gnuplot-nox)">>}, []};
        {_, []} ->
            {#{status => empty, reason => <<"no speedup rows">>}, []};
        {Gp, _} ->
            %% The two usual baselines first, in fixed colours; any other
            %% path in order of appearance.
            Seen = lists:usort([P || {_, P, _, _} <- Bars]),
            Known = [P || P <- [<<"Erlang reference">>, <<"process-per-neuron">>],
                          lists:member(P, Seen)],
            Paths = Known ++ lists:foldl(fun({_, P, _, _}, Acc) ->
                                                 case lists:member(P, Known ++ Acc) of
                                                     true -> Acc;
                                                     false -> Acc ++ [P]
                                                 end
                                         end, [], Bars),
            Colours = maps:from_list(lists:zip(Paths, lists:sublist(palette(), length(Paths)))),
            Times = [chart_times(Ra, nif_us(Key, Ra, Med, NifUs), Med)
                     || {{_, _, Ra, Med}, Key} <- lists:zip(Bars, Keys0)],
            Dat = [[gp_text(Label), "\t", float_to_list(Ra * 1.0, [{decimals, 6}]), "\t",
                    integer_to_list(maps:get(P, Colours)), "\t", T, "\n"]
                   || {{Label, P, Ra, _}, T} <- lists:zip(Bars, Times)],
            ok = file:write_file(DatFile, unicode:characters_to_binary(Dat)),
            Ratios = [Ra || {_, _, Ra, _} <- Bars],
            XMin = min(1.0, axis_floor(lists:min(Ratios))),
            XMax = axis_ceil(lists:max(Ratios) * 1.25),
            Title = io_lib:format("tweann_nif speedups on ~s (~s), OTP ~s",
                                  [maps:get(hostname, Host), maps:get(cpu_model, Host),
                                   maps:get(otp_release, Host)]),
            LongestLabel = lists:max([string:length(L) || {L, _, _, _} <- Bars]),
            LongestTimes = lists:max([string:length(T) || T <- Times]),
            Keys = [io_lib:format("key~p='vs ~ts'; col~p='#~6.16.0b'; ",
                                  [I, gp_text(path_title(P)), I, maps:get(P, Colours)])
                    || {I, P} <- lists:zip(lists:seq(1, length(Paths)), Paths)],
            Vars = io_lib:format("datafile='~ts'; outfile='~ts'; nbars=~p; charttitle='~ts'; "
                                 "xmin=~s; xmax=~s; lmarg=~p; rmarg=~p; timeshead='~ts'; nkeys=~p; ~ts",
                                 [DatFile, SvgFile, length(Bars), gp_text(Title),
                                  float_to_list(XMin, [short]), float_to_list(XMax, [short]),
                                  round(LongestLabel * 0.75) + 2, round(LongestTimes * 0.8) + 3,
                                  chart_times_head(), length(Paths), Keys]),
            Cmd = unicode:characters_to_list(
                    io_lib:format("~ts -e \"~ts\" ~ts 2>&1", [Gp, Vars, Script])),
            Out = os:cmd(Cmd),
            case filelib:is_regular(SvgFile) of
                true ->
                    file:delete(DatFile),
                    {#{status => ok, file => list_to_binary(filename:basename(SvgFile)),
                       gnuplot_output => unicode:characters_to_binary(Out)}, [SvgFile]};
                false ->
                    {#{status => failed, reason => unicode:characters_to_binary(["gnuplot failed: ", Out])},
                     [DatFile]}
            end
    end.

%% The NIF time of a bar: the NIF row's median, else baseline / speedup.
nif_us(Key, Ratio, BaselineUs, NifUs) ->
    case NifUs of
        #{Key := Us} -> Us;
        #{} -> BaselineUs / Ratio
    end.

%% The right-hand column: "17.6x   2.74 ms vs 48.2 ms" (speedup, NIF time,
%% baseline time), padded with no-break spaces (SVG collapses ordinary
%% ones) so that the columns line up in the monospace font.
chart_times(Ratio, NifUs, BaselineUs) ->
    Nbsp = [16#A0],
    Pad = fun(S, W) -> lists:duplicate(max(0, W - string:length(S)), Nbsp) ++ S end,
    R = bench_common:fmt_ratio(Ratio),
    Nif = fmt_time(NifUs),
    Base = fmt_time(BaselineUs),
    lists:flatten([Pad(R, 6), Nbsp, Nbsp, Pad(Nif, 9), Nbsp, "vs", Nbsp, Pad(Base, 9)]).

chart_times_head() ->
    Nbsp = [16#A0],
    lists:flatten(["speedup", Nbsp, Nbsp, Nbsp, Nbsp, "NIF", Nbsp, "vs", Nbsp, "baseline"]).

%% Three significant digits with a unit.
fmt_time(Us) when Us >= 1.0e6 -> sig3(Us / 1.0e6) ++ " s";
fmt_time(Us) when Us >= 1000 -> sig3(Us / 1000) ++ " ms";
fmt_time(Us) -> sig3(Us) ++ [$\s, 16#B5, $s].

sig3(X) when X >= 100 -> integer_to_list(round(X));
sig3(X) when X >= 10 -> float_to_list(X, [{decimals, 1}]);
sig3(X) when X >= 1 -> float_to_list(X, [{decimals, 2}]);
sig3(X) -> float_to_list(X, [{decimals, 3}]).

%% Log-axis bounds on 1-2-5 steps.
axis_floor(X) ->
    E = math:pow(10, floor(math:log10(X))),
    hd([V || V <- [5 * E, 2 * E, E], V =< X] ++ [E]).

axis_ceil(X) ->
    E = math:pow(10, floor(math:log10(X))),
    hd([V || V <- [E, 2 * E, 5 * E, 10 * E], V >= X]).

%% One colour per baseline path: blue for the Erlang reference, orange for
%% process-per-neuron, then others (distinct also for red-green blindness).
palette() ->
    [16#3465A4, 16#E07B00, 16#4E9A06, 16#75507B, 16#C4A000, 16#CC0000, 16#555753].

path_title(<<"Erlang reference">>) -> "the pure Erlang reference (tweann_ref_*)";
path_title(<<"process-per-neuron">>) -> "process-per-neuron (one process per neuron)";
path_title(P) -> P.

%% Text safe inside a single-quoted gnuplot string and a shell double-quoted
%% argument; tabs and newlines would break the data file.
gp_text(T) ->
    [C || C <- unicode:characters_to_list(T),
          not lists:member(C, "'\"`$\\\t\n")].

%%%===================================================================
%%% JSON (OTP 25 has no json module)
%%%===================================================================

json(T) -> iolist_to_binary(json_value(T)).

json_value(true) -> "true";
json_value(false) -> "false";
json_value(null) -> "null";
json_value(undefined) -> "null";
json_value(A) when is_atom(A) -> json_string(atom_to_binary(A));
json_value(B) when is_binary(B) -> json_string(B);
json_value(I) when is_integer(I) -> integer_to_list(I);
json_value(F) when is_float(F) -> float_to_list(F, [short]);
json_value(M) when is_map(M) ->
    ["{", lists:join(",", [[json_string(key(K)), ":", json_value(V)]
                           || {K, V} <- lists:sort(maps:to_list(M))]), "}"];
json_value(L) when is_list(L) ->
    case io_lib:printable_unicode_list(L) andalso L =/= [] of
        true -> json_string(unicode:characters_to_binary(L));
        false -> ["[", lists:join(",", [json_value(V) || V <- L]), "]"]
    end;
json_value(T) -> json_string(iolist_to_binary(io_lib:format("~p", [T]))).

key(K) when is_atom(K) -> atom_to_binary(K);
key(K) when is_binary(K) -> K;
key(K) -> iolist_to_binary(io_lib:format("~p", [K])).

json_string(B) ->
    [$", [esc(C) || C <- unicode:characters_to_list(B)], $"].

esc($") -> "\\\"";
esc($\\) -> "\\\\";
esc($\n) -> "\\n";
esc($\t) -> "\\t";
esc(C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
esc(C) -> unicode:characters_to_binary([C]).
