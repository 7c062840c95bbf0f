%% Scale (docs/reliability.md): a network of 10 million connections
%% (100 inputs + 1000 nodes x 10 000 connections) compiles from the node
%% list and evaluates from a list, from an f64 binary, and as a batch (a
%% list of rows and one binary); its compiled form holds at most 16 bytes
%% per connection, network_info/1 and memory_stats/0 report it, it agrees
%% bit for bit with the Erlang reference, and dropping it returns the bytes.
%% A 1 ms sleeper runs throughout: compiling and evaluating 10M connections
%% (seconds of native work, on dirty schedulers) must not stall it.
-module(tweann_scale_tests).

-include_lib("eunit/include/eunit.hrl").

-export([spec/0]).

-define(INPUTS, 100).
-define(NODES, 1000).
-define(FAN, 10000).
-define(GROUPS, 10).

say(Fmt, Args) -> io:format(user, "~n[scale] " ++ Fmt ++ "~n", Args).

uniform(Lo, Hi) -> Lo + rand:uniform() * (Hi - Lo).

to_bin(L) -> << <<(float(X)):64/float-native>> || X <- L >>.

bits(F) when is_float(F) -> <<F:64/float>>;
bits(L) when is_list(L) -> [bits(X) || X <- L].

ms(T0) -> erlang:monotonic_time(millisecond) - T0.

%% The nodes of group G (100 nodes each) share one list of 10 000
%% connections drawn from the nodes before the group (inputs and earlier
%% groups), so the Erlang term stays small (10 lists) while the compiled
%% network really holds 10 000 000 connections.
spec() ->
    rand:seed(exsss, {10, 20, 30}),
    Per = ?NODES div ?GROUPS,
    Conns = list_to_tuple(
              [[{rand:uniform(?INPUTS + G * Per) - 1, uniform(-0.02, 0.02)} || _ <- lists:seq(1, ?FAN)]
               || G <- lists:seq(0, ?GROUPS - 1)]),
    Inputs = [{I, input, linear, 0.0, []} || I <- lists:seq(0, ?INPUTS - 1)],
    Hidden = [{?INPUTS + K, hidden, tanh, uniform(-0.1, 0.1), element(1 + K div Per, Conns)}
              || K <- lists:seq(0, ?NODES - 1)],
    Last = ?INPUTS + ?NODES - 1,
    {Inputs ++ Hidden, ?INPUTS, [Last, Last - 1, Last - 50, ?INPUTS]}.

ten_million_connections_test_() ->
    {timeout, 240, fun ten_million/0}.

ten_million() ->
    {Nodes, NIn, Outs} = spec(),
    gc_all(),
    Stats0 = tweann_nif:memory_stats(),
    Parent = self(),
    Sleeper = spawn_link(fun() -> sleeper(Parent, 0, 0) end),
    T0 = erlang:monotonic_time(millisecond),
    Net = tweann_nif:compile_network(Nodes, NIn, Outs),
    CompileMs = ms(T0),
    Info = tweann_nif:network_info(Net),
    #{connections := C, bytes := Bytes, nodes := NNodes} = Info,
    Stats1 = tweann_nif:memory_stats(),
    In = [uniform(-1.0, 1.0) || _ <- lists:seq(1, NIn)],
    T1 = erlang:monotonic_time(millisecond),
    Out = tweann_nif:evaluate(Net, In),
    EvalMs = ms(T1),
    OutBin = tweann_nif:evaluate(Net, to_bin(In)),
    Rows = [In | [[uniform(-1.0, 1.0) || _ <- lists:seq(1, NIn)] || _ <- lists:seq(1, 3)]],
    T2 = erlang:monotonic_time(millisecond),
    BatchList = tweann_nif:evaluate_batch(Net, Rows),
    BatchMs = ms(T2),
    BatchBin = tweann_nif:evaluate_batch(Net, to_bin(lists:append(Rows))),
    {State1, _} = tweann_nif:evaluate_with_state(Net, In, []),
    Sleeper ! {stop, self()},
    {Sleeps, MaxLate} = receive {slept, S, M} -> {S, M} end,
    say("10M connections: compile ~p ms, evaluate ~p ms, batch of 4 ~p ms; network_info ~p; "
        "~.2f bytes per connection; memory_stats network_bytes ~p -> ~p; "
        "1 ms sleeper meanwhile: ~p sleeps, max oversleep ~.2f ms",
        [CompileMs, EvalMs, BatchMs, Info, Bytes / C,
         maps:get(network_bytes, Stats0), maps:get(network_bytes, Stats1), Sleeps, MaxLate / 1000]),
    ?assertEqual(?NODES * ?FAN, C),
    ?assertEqual(?INPUTS + ?NODES, NNodes),
    ?assert(Bytes =< 16 * C),
    ?assert(Bytes >= 12 * C),
    ?assertEqual(maps:get(networks, Stats0) + 1, maps:get(networks, Stats1)),
    ?assertEqual(maps:get(network_bytes, Stats0) + Bytes, maps:get(network_bytes, Stats1)),
    ?assertEqual(length(Outs), length(Out)),
    ?assert(lists:all(fun(V) -> is_float(V) andalso V > -1.0 andalso V < 1.0 end, Out)),
    %% Every form gives the same bits.
    ?assertEqual(bits(Out), bits(OutBin)),
    ?assertEqual(bits(Out), bits(State1)),
    ?assertEqual(bits(BatchList), bits(BatchBin)),
    ?assertEqual(bits(Out), bits(hd(BatchList))),
    ?assertEqual([bits(tweann_nif:evaluate(Net, R)) || R <- Rows], bits(BatchList)),
    %% The Erlang reference, same summation order: the same bits.
    T3 = erlang:monotonic_time(millisecond),
    Ref = tweann_ref_network:compile_network(Nodes, NIn, Outs),
    RefOut = tweann_ref_network:evaluate(Ref, In),
    say("Erlang reference on 10M connections: compile + evaluate ~p ms", [ms(T3)]),
    ?assertEqual(bits(Out), bits(RefOut)),
    %% Dropping the network returns its bytes.
    drop(Net),
    gc_all(),
    ?assertEqual(Stats0, tweann_nif:memory_stats()).

drop(_) -> ok.

gc_all() ->
    [erlang:garbage_collect(P) || P <- processes()],
    ok.

%% The same network is refused cleanly under a budget smaller than its
%% compiled form, and the node carries on.
ten_million_over_budget_test_() ->
    {timeout, 120, fun() ->
        {Nodes, NIn, Outs} = spec(),
        try tweann_nif:compile_network(Nodes, NIn, Outs, #{memory_budget => 64 bsl 20}) of
            _ -> ?assert(false)
        catch error:badarg:St ->
                #{general := Msg} = tweann_error:format_error(badarg, St),
                say("10M connections under a 64 MiB budget: ~ts", [Msg]),
                ?assertMatch({match, _}, re:run(Msg, "memory budget of 67108864 bytes"))
        end,
        ?assert(is_reference(tweann_nif:compile_network([], 0, [])))
    end}.

sleeper(Parent, N, Max) ->
    T0 = erlang:monotonic_time(microsecond),
    receive
        {stop, Parent} -> Parent ! {slept, N, Max}
    after 1 ->
            Late = erlang:monotonic_time(microsecond) - T0 - 1000,
            sleeper(Parent, N + 1, max(Max, Late))
    end.
