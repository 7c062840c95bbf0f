#!/usr/bin/env escript
%%! -noshell
%% The demo `make demo` runs: compiles an XOR network and a 50-neuron network
%% (10 inputs, 34 hidden, 6 outputs, ~250 connections), evaluates them with the
%% NIF and with the pure Erlang reference, and prints the timings.
-mode(compile).

main(_) ->
    Root = filename:dirname(filename:dirname(filename:absname(escript:script_name()))),
    [code:add_patha(D) || D <- filelib:wildcard(filename:join(Root, "_build/default/lib/*/ebin"))],
    io:format("tweann_nif demo on ~s, OTP ~s~n", [cpu_model(), erlang:system_info(otp_release)]),
    case tweann_nif:is_loaded() of
        true -> io:format("native library: ~p~n~n", [tweann_nif:build_info()]);
        false -> io:format("native library NOT loaded: ~p~n", [tweann_nif:build_info()]), halt(1)
    end,
    xor_demo(),
    timing_demo(),
    halt(0).

xor_demo() ->
    Nodes = [{0, input, linear, 0.0, []}, {1, input, linear, 0.0, []},
             {2, hidden, sigmoid, -10.0, [{0, 20.0}, {1, 20.0}]},
             {3, hidden, sigmoid, 30.0, [{0, -20.0}, {1, -20.0}]},
             {4, output, sigmoid, -30.0, [{2, 20.0}, {3, 20.0}]}],
    Net = tweann_nif:compile_network(Nodes, 2, [4]),
    io:format("XOR network (~p):~n", [tweann_nif:network_info(Net)]),
    [begin
         [Y] = tweann_nif:evaluate(Net, [A, B]),
         [R] = tweann_ref_network:evaluate(tweann_ref_network:compile_network(Nodes, 2, [4]), [A, B]),
         io:format("  xor(~p, ~p) = ~.6f  (reference ~.6f)~n", [A, B, Y, R])
     end || {A, B} <- [{0, 0}, {0, 1}, {1, 0}, {1, 1}]],
    io:format("~n").

timing_demo() ->
    rand:seed(exsss, {50, 50, 50}),
    Nodes = random_dag(10, 34, 6, 250),
    Outs = lists:seq(44, 49),
    Nif = tweann_nif:compile_network(Nodes, 10, Outs),
    Ref = tweann_ref_network:compile_network(Nodes, 10, Outs),
    In = [rand:uniform() * 2 - 1 || _ <- lists:seq(1, 10)],
    io:format("50-neuron network: ~p~n", [tweann_nif:network_info(Nif)]),
    Same = tweann_nif:evaluate(Nif, In) =:= tweann_ref_network:evaluate(Ref, In),
    io:format("  NIF and reference outputs identical: ~p~n", [Same]),
    N = 20000,
    TNif = per_call(fun() -> tweann_nif:evaluate(Nif, In) end, N),
    TRef = per_call(fun() -> tweann_ref_network:evaluate(Ref, In) end, N div 10),
    io:format("  evaluate/2, NIF:               ~8.3f us per call~n", [TNif]),
    io:format("  evaluate/2, Erlang reference:  ~8.3f us per call~n", [TRef]),
    io:format("  speedup (reference / NIF):     ~8.1fx~n", [TRef / TNif]),
    Batch = [[rand:uniform() || _ <- lists:seq(1, 10)] || _ <- lists:seq(1, 1000)],
    TB = per_call(fun() -> tweann_nif:evaluate_batch(Nif, Batch) end, 50) / 1000,
    io:format("  evaluate_batch/2 (1000 rows), NIF: ~.3f us per row~n", [TB]).

per_call(Fun, N) ->
    _ = [Fun() || _ <- lists:seq(1, N div 10 + 1)],
    {T, _} = timer:tc(fun() -> loop(Fun, N) end),
    T / N.

loop(_, 0) -> ok;
loop(F, N) -> _ = F(), loop(F, N - 1).

%% A NEAT-like DAG: each non-input node draws connections from earlier nodes
%% until Conns connections exist in all.
random_dag(NIn, NHidden, NOut, Conns) ->
    Total = NIn + NHidden + NOut,
    PerNode = Conns div (NHidden + NOut),
    Inputs = [{I, input, linear, 0.0, []} || I <- lists:seq(0, NIn - 1)],
    Others = [{I, type(I, NIn + NHidden), act(), rand:uniform() - 0.5,
               [{rand:uniform(min(I, NIn + NHidden)) - 1, rand:uniform() * 2 - 1}
                || _ <- lists:seq(1, PerNode)]}
              || I <- lists:seq(NIn, Total - 1)],
    Inputs ++ Others.

type(I, FirstOut) when I >= FirstOut -> output;
type(_, _) -> hidden.

act() -> lists:nth(rand:uniform(4), [tanh, sigmoid, relu, sin]).

cpu_model() ->
    case file:read_file("/proc/cpuinfo") of
        {ok, B} ->
            case re:run(B, "model name\\s*:\\s*(.*)", [{capture, [1], list}]) of
                {match, [M]} -> M;
                _ -> "unknown CPU"
            end;
        _ -> "unknown CPU"
    end.
