%% A killed caller stops its dirty call (docs/reliability.md): long dirty
%% calls notice that their caller died and stop within a chunk of work.
%%
%% Observed figures are printed with io:format(user, ...).
-module(tweann_dirty_stop_tests).

-include_lib("eunit/include/eunit.hrl").

-import(tweann_reliability_lib, [seed/1, uniform/2, say/2, layered/4]).

%%--------------------------------------------------------------------
%% A killed caller stops its dirty call
%%--------------------------------------------------------------------

%% Dirty calls that would run for minutes to hours are started, their
%% caller is killed once the dirty entry is running, and the call must stop
%% (the caller's 'DOWN' arrives at once: the VM lets a dirty NIF run on
%% after its process died, so the NIF itself must notice): the native
%% counters must show the call stopped because its caller died, and no
%% call left running. The 60 s are a deadline for the test, not a timing
%% assertion: a call that does not stop runs far longer.
killed_caller_stops_dirty_work_test_() ->
    {timeout, 600, fun killed_caller_stops_dirty_work/0}.

killed_caller_stops_dirty_work() ->
    seed(17),
    {Nodes, NIn, Outs} = layered(16, 10, 200, 50),         %% 100 000 connections
    Net = tweann_nif:compile_network(Nodes, NIn, Outs),
    In = [uniform(-1.0, 1.0) || _ <- lists:seq(1, NIn)],
    Ltc = tweann_nif:ltc_cell(#{input_size => 2, units => 3, ode_unfolds => 10000},
                              [0.01 * (I rem 5) || I <- lists:seq(1, 94)]),
    Id1 = lists:seq(1, 300000),
    Id2 = lists:seq(1, 300000),
    Behaviours = [[uniform(-1.0, 1.0) || _ <- lists:seq(1, 16)] || _ <- lists:seq(1, 40000)],
    Cases =
        [%% 10 000 000 evaluations of 100 000 connections.
         {benchmark_evaluate, fun() -> tweann_nif:benchmark_evaluate(Net, In, 10000000) end},
         %% 1 000 000 steps of an LTC cell with 10 000 unfolds.
         {cell_sequence, fun() -> tweann_nif:cell_sequence(Ltc, [lists:duplicate(1000000, [0.5, 0.5])],
                                                           [[0.0, 0.0, 0.0]], 1.0) end},
         %% 20 000 entries with equal but distinct 300 000-element ids.
         {dot_product, fun() -> tweann_nif:dot_product([{Id1, [0.5]} || _ <- lists:seq(1, 20000)],
                                                       [{Id2, [0.5]} || _ <- lists:seq(1, 20000)]) end},
         %% 1 000 000 rows (one shared row) through 100 000 connections.
         {evaluate_batch, fun() -> tweann_nif:evaluate_batch(Net, lists:duplicate(1000000, In)) end},
         %% The novelty of 40 000 behaviours of 16 values: 1.6e9 distances
         %% (killed a second after it started: once its arguments are
         %% decoded, in the distances).
         {knn_novelty_batch, fun() -> tweann_nif:knn_novelty_batch(Behaviours, [], 15) end, 1000}],
    [kill_during(Name, F, Delay) || {Name, F, Delay} <- lists:map(fun with_delay/1, Cases)],
    ok.

with_delay({Name, F}) -> {Name, F, 0};
with_delay({_, _, _} = Case) -> Case.

%% The most thread CPU time a dirty call may spend after the last check
%% that saw its caller alive: 200 chunks of about 1 ms.
-define(STOP_LAG_NS, 200000000).

%% Kill the caller of F Delay ms after its dirty entry started.
kill_during(Name, F, Delay) ->
    #{dirty_running := R0, dirty_stopped := S0} = tweann_nif_native:work_stats(),
    {Pid, Ref} = spawn_monitor(F),
    T0 = erlang:monotonic_time(millisecond),
    ok = wait_until(fun() -> maps:get(dirty_running, tweann_nif_native:work_stats()) > R0 end, 60000),
    timer:sleep(Delay),
    T1 = erlang:monotonic_time(millisecond),
    #{dirty_units := U0} = tweann_nif_native:work_stats(),
    exit(Pid, kill),
    Down = receive {'DOWN', Ref, process, Pid, Why} -> Why after 60000 -> no_down end,
    Stopped = wait_until(fun() -> maps:get(dirty_running, tweann_nif_native:work_stats()) =:= R0 end, 60000),
    T2 = erlang:monotonic_time(millisecond),
    #{dirty_stopped := S1, dirty_units := U1, last_stop_lag_cpu_ns := Lag} = tweann_nif_native:work_stats(),
    say("killed caller of ~p: dirty entry running after ~p ms; the call stopped ~p ms after the "
        "kill (~p); ~p work units reported between the kill and the stop (a chunk is 400 000); "
        "thread CPU time between the last check that saw the caller alive and the stop: ~.3f ms",
        [Name, T1 - T0, T2 - T1, Stopped, U1 - U0, Lag / 1.0e6]),
    ?assertEqual({Name, killed}, {Name, Down}),
    ?assertEqual({Name, ok}, {Name, Stopped}),
    ?assertEqual({Name, S0 + 1}, {Name, S1}),
    %% The call checked its caller every chunk (about 1 ms of work) while
    %% it worked: the CPU time it spent after the last check that saw the
    %% caller alive is a chunk, far below ?STOP_LAG_NS (a loop that does
    %% not report its progress spends the rest of the call there: seconds).
    ?assert(Lag < ?STOP_LAG_NS).

wait_until(F, Ms) when Ms =< 0 ->
    case F() of
        true -> ok;
        false -> timeout
    end;
wait_until(F, Ms) ->
    case F() of
        true -> ok;
        false -> timer:sleep(5), wait_until(F, Ms - 5)
    end.
