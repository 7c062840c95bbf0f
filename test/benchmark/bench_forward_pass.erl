%% Benchmark (not a test): one forward pass of the same networks (50, 200 and
%% 1000 neurons, NEAT-like random DAGs with a fixed seed, see
%% bench_common:network/1) evaluated three ways:
%%   1. process-per-neuron: the way DXNN2-style systems evaluate today. A
%%      minimal faithful implementation lives in this module (ppn_*): a
%%      cortex process fans the inputs out to neuron processes; each neuron
%%      waits (selective receive, in input order) for a signal from every
%%      input, aggregates them with the signal_aggregator dot product over
%%      `[{Id, [{W, DW, LR, Params}]}]' weight lists, adds its bias,
%%      activates, and forwards its output to its fan-out; output neurons
%%      forward to the cortex, which answers the caller. Processes are
%%      spawned once and reused for every cycle.
%%   2. the pure Erlang reference (tweann_ref_network);
%%   3. the NIF (tweann_nif).
%% All three give bit-identical outputs (checked before timing). Reported:
%% microseconds per forward pass, NIF speedup, and heap allocation per pass.
%%
%% Run alone: rebar3 as bench eunit --module=bench_forward_pass
-module(bench_forward_pass).

-include_lib("eunit/include/eunit.hrl").

-export([run/0, ppn_start/1, ppn_eval/2, ppn_stop/1, ppn_stop/2]).

forward_pass_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             io:format(user, "~n== bench_forward_pass: one forward pass ==", []),
             bench_common:print_rows([R || #{kind := timing} = R <- Rows]),
             bench_common:print_targets([R || #{kind := target} = R <- Rows])
     end}.

sizes() -> [50, 200, 1000].

run() ->
    bench_common:ensure_app(),
    Rows = lists:append([size_rows(S) || S <- sizes()]),
    [Nif50] = [M || #{name := <<"evaluate/2 forward pass">>, size := <<"50">>,
                      path := <<"NIF">>} = M <- Rows],
    [Ref50] = [M || #{name := <<"evaluate/2 forward pass">>, size := <<"50">>,
                      path := <<"Erlang reference">>} = M <- Rows],
    Rows ++ [bench_common:target(
               "evaluate/2, 50-neuron network: NIF speedup vs the Erlang reference",
               maps:get(median_us, Ref50) / maps:get(median_us, Nif50), ge, 25,
               "10 inputs, 34 hidden, 6 outputs, 250 connections", ?MODULE)].

size_rows(Size) ->
    {Nodes, NIn, Outs} = bench_common:network(Size),
    [In] = bench_common:inputs(NIn, 1),
    Nif = tweann_nif:compile_network(Nodes, NIn, Outs),
    Ref = tweann_ref_network:compile_network(Nodes, NIn, Outs),
    Cx = ppn_start({Nodes, NIn, Outs}),
    try
        Expected = tweann_ref_network:evaluate(Ref, In),
        Expected = tweann_nif:evaluate(Nif, In),
        Expected = ppn_eval(Cx, In),
        #{connections := NConn} = tweann_nif:network_info(Nif),
        Calls = [{ppn, fun() -> ppn_eval(Cx, In) end},
                 {erlang_ref, fun() -> tweann_ref_network:evaluate(Ref, In) end},
                 {nif, fun() -> tweann_nif:evaluate(Nif, In) end}],
        Timed = bench_common:measure_set(Calls),
        NifUs = maps:get(median_us, proplists:get_value(nif, Timed)),
        AllocN = max(1, 20000 div Size),
        Allocs = [{ppn, ppn_alloc({Nodes, NIn, Outs}, In, AllocN)},
                  {erlang_ref, bench_common:alloc(fun() -> tweann_ref_network:evaluate(Ref, In) end, AllocN)},
                  {nif, bench_common:alloc(fun() -> tweann_nif:evaluate(Nif, In) end, AllocN)}],
        [bench_common:row(<<"evaluate/2 forward pass">>, P, Size,
                          maps:merge(M#{ratio => maps:get(median_us, M) / NifUs,
                                        connections => NConn, neurons => Size,
                                        module => ?MODULE},
                                     maps:with([bytes, gcs], proplists:get_value(P, Allocs))))
         || {P, M} <- Timed]
    after
        ppn_stop(Cx)
    end.

%% Allocation of the process-per-neuron path: the network is spawned, runs
%% N cycles and is stopped inside the traced process (spawning and stopping
%% amortised over the N cycles).
ppn_alloc(Spec, In, N) ->
    M = bench_common:alloc(fun() ->
                                   Cx = ppn_start(Spec),
                                   ok = loop_eval(Cx, In, N),
                                   ppn_stop(Cx, true)
                           end, 1),
    #{bytes => maps:get(bytes, M) / N, gcs => maps:get(gcs, M) / N}.

loop_eval(_Cx, _In, 0) -> ok;
loop_eval(Cx, In, N) ->
    _ = ppn_eval(Cx, In),
    loop_eval(Cx, In, N - 1).

%%%===================================================================
%%% Process-per-neuron evaluation (DXNN2 style)
%%%===================================================================

%% Spawn a cortex and one process per non-input node of a compiled-style
%% spec; returns the cortex pid.
ppn_start({Nodes, _NIn, Outs}) ->
    Caller = self(),
    Cx = spawn(fun() -> cortex_init(Caller, Nodes, Outs) end),
    receive {Cx, ready} -> Cx end.

%% One forward pass (a sense-think-act cycle): returns the outputs.
ppn_eval(Cx, Inputs) ->
    Cx ! {self(), sync, Inputs},
    receive {Cx, outputs, Outputs} -> Outputs end.

ppn_stop(Cx) ->
    ppn_stop(Cx, false).

%% Stop the network and wait until every process has exited. With Gc, each
%% neuron collects its heap before it exits (so that allocation tracing
%% sees its residue).
ppn_stop(Cx, Gc) ->
    MRef = monitor(process, Cx),
    Cx ! {self(), terminate, Gc},
    receive {'DOWN', MRef, process, Cx, _} -> ok end.

cortex_init(Caller, Nodes, Outs) ->
    Cx = self(),
    %% Spawn first, then tell each neuron its inputs and fan-out (as
    %% DXNN2's exoself does).
    Neurons = [{Id, spawn(fun() -> neuron_init(Cx) end)}
               || {Id, Type, _, _, _} <- Nodes, Type =/= input],
    Pids = maps:from_list(Neurons),
    InputIds = [Id || {Id, input, _, _, _} <- Nodes],
    Readers = lists:foldl(
                fun({Id, _, _, _, Conns}, Acc) ->
                        lists:foldl(fun({From, _W}, A) ->
                                            maps:update_with(From, fun(L) -> [Id | L] end, [Id], A)
                                    end, Acc, Conns)
                end, #{}, Nodes),
    FanOut = fun(Id) ->
                     Rs = [maps:get(R, Pids) || R <- lists:usort(maps:get(Id, Readers, []))],
                     case lists:member(Id, Outs) of
                         true -> Rs ++ [Cx];
                         false -> Rs
                     end
             end,
    [begin
         Pid = maps:get(Id, Pids),
         InputIdPs = [{From, [{W * 1.0, 0.0, 0.1, []}]} || {From, W} <- Conns],
         Pid ! {Cx, {Id, Act, Bias * 1.0, InputIdPs, FanOut(Id)}}
     end || {Id, Type, Act, Bias, Conns} <- Nodes, Type =/= input],
    SensorFanOut = [{Id, [maps:get(R, Pids) || R <- lists:usort(maps:get(Id, Readers, []))]}
                    || Id <- InputIds],
    NeuronPids = [P || {_, P} <- Neurons],
    Caller ! {Cx, ready},
    cortex_loop(SensorFanOut, Outs, NeuronPids).

cortex_loop(SensorFanOut, Outs, NeuronPids) ->
    receive
        {From, sync, Inputs} ->
            fan_inputs(SensorFanOut, Inputs),
            Outputs = [receive {forward, Id, [V]} -> V end || Id <- Outs],
            From ! {self(), outputs, Outputs},
            cortex_loop(SensorFanOut, Outs, NeuronPids);
        {From, terminate, Gc} ->
            Refs = [monitor(process, P) || P <- NeuronPids],
            [P ! {self(), terminate, Gc} || P <- NeuronPids],
            [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
            case Gc of true -> garbage_collect(); false -> ok end,
            _ = From,
            ok
    end.

fan_inputs([], _) -> ok;
fan_inputs([{Id, Pids} | Rest], [X | Xs]) ->
    Msg = {forward, Id, [X * 1.0]},
    [P ! Msg || P <- Pids],
    fan_inputs(Rest, Xs).

neuron_init(Cx) ->
    receive
        {Cx, {Id, Act, Bias, InputIdPs, FanOut}} ->
            neuron_loop(Cx, Id, Act, Bias, InputIdPs, FanOut, InputIdPs, [])
    end.

%% Wait for the next expected input (in order), accumulating [{Id, Signal}];
%% when all have arrived, aggregate, activate and forward.
neuron_loop(Cx, Id, Act, Bias, [{From, _} | Rest], FanOut, All, Acc) ->
    receive
        {forward, From, Signal} ->
            neuron_loop(Cx, Id, Act, Bias, Rest, FanOut, All, [{From, Signal} | Acc]);
        {Cx, terminate, Gc} ->
            case Gc of true -> garbage_collect(); false -> ok end,
            ok
    end;
neuron_loop(Cx, Id, Act, Bias, [], FanOut, All, Acc) ->
    Dot = dot_product(lists:reverse(Acc), All, 0.0),
    Output = tweann_ref_activation:activate(Act, Dot + Bias),
    Msg = {forward, Id, [Output]},
    [P ! Msg || P <- FanOut],
    neuron_loop(Cx, Id, Act, Bias, All, FanOut, All, []).

%% signal_aggregator:dot_product/2 shape: [{Id, [S]}] x [{Id, [{W,_,_,_}]}].
dot_product([{Id, Signal} | Is], [{Id, Weights} | Ws], Acc) ->
    dot_product(Is, Ws, dot(Signal, Weights, Acc));
dot_product([], [], Acc) ->
    Acc.

dot([S | Ss], [{W, _DW, _LR, _P} | Ws], Acc) -> dot(Ss, Ws, Acc + W * S);
dot([], [], Acc) -> Acc.
