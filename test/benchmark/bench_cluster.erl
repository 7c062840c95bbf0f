%% Benchmark (not a test): the cost of spreading a population over nodes
%% (tweann_cluster) and of cluster-wide innovation numbers (Mnesia) against
%% the local ones.
%%
%% Peer nodes run on this host (OTP's peer), so "across nodes" here means
%% across local Erlang distribution connections: the figures are the
%% overhead of shipping (network_to_binary, the distribution copy),
%% rebuilding (network_from_binary), the agent and the per-item process,
%% not of a real network. Every node shares this machine's cores: with 2
%% cores, adding nodes cannot make a population finish sooner, and the
%% report says so rather than pretending otherwise.
%%
%% Rows:
%%   * network_to_binary / network_from_binary per network size, with the
%%     binary's and the compiled form's sizes;
%%   * microseconds per item of evaluate_population over N items, for: a
%%     plain local loop (no cluster), this node only, one peer with every
%%     network shipped, one peer with one network reused (shipped once),
%%     two peers, this node + two peers;
%%   * innovation numbers: microseconds per call (and calls/s) of
%%     link_innovation on new keys, on existing keys, and next/0, in local
%%     mode and in cluster mode (3 peers, one caller, then all 3 at once).
%%
%% Run alone: rebar3 as bench eunit --module=bench_cluster
%% (TWEANN_BENCH_QUICK=1 for fewer items).
-module(bench_cluster).

-include_lib("eunit/include/eunit.hrl").

-export([run/0, innovation_rates/2, concurrent_new_keys/1]).

-define(INPUTS(N), [0.01 * I || I <- lists:seq(1, N)]).

cluster_bench_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             bench_common:print_rows(Rows)
     end}.

run() ->
    Dist = tweann_peers:ensure_distributed(),
    Peers = tweann_peers:start("bench", 3),
    [P1, P2, P3] = [N || {_, N} <- Peers],
    try
        Rows = codec_rows()
            ++ item_rows(50, items(400), [P1, P2])
            ++ item_rows(1000, items(60), [P1, P2])
            ++ innovation_rows([P1, P2, P3]),
        [R#{module => ?MODULE} || R <- Rows ++ notes()]
    after
        tweann_peers:stop(Peers),
        tweann_peers:stop_distribution(Dist)
    end.

items(N) ->
    case bench_common:quick() of
        true -> max(20, N div 4);
        false -> N
    end.

notes() ->
    Cores = erlang:system_info(logical_processors_available),
    [#{kind => note, name => <<"bench_cluster">>,
       text => iolist_to_binary(
                 io_lib:format("peer nodes on this host (~p logical processors): the "
                               "per-item figures are the overhead of shipping, rebuilding "
                               "and calling over local distribution; with all nodes on the "
                               "same ~p cores, more nodes cannot finish a population sooner",
                               [Cores, Cores]))}].

%%--------------------------------------------------------------------
%% Encoding and decoding

codec_rows() ->
    lists:append(
      [begin
           {Nodes, NI, Outs} = bench_common:network(Size),
           Net = tweann_nif:compile_network(Nodes, NI, Outs),
           Bin = tweann_nif:network_to_binary(Net),
           #{bytes := Compiled} = tweann_nif:network_info(Net),
           Detail = io_lib:format("binary ~s, compiled ~s", [bench_common:fmt_bytes(byte_size(Bin)),
                                                             bench_common:fmt_bytes(Compiled)]),
           Enc = bench_common:measure(fun() -> tweann_nif:network_to_binary(Net) end),
           Dec = bench_common:measure(fun() -> tweann_nif:network_from_binary(Bin) end),
           RefNet = tweann_ref_network:compile_network(Nodes, NI, Outs),
           REnc = bench_common:measure(fun() -> tweann_ref_codec:network_to_binary(RefNet) end),
           RDec = bench_common:measure(fun() -> tweann_ref_codec:network_from_binary(Bin) end),
           [bench_common:row("network_to_binary", nif, Size, Enc#{detail => Detail}),
            bench_common:row("network_from_binary", nif, Size, Dec#{detail => Detail}),
            bench_common:row("network_to_binary", erlang_ref, Size, REnc),
            bench_common:row("network_from_binary", erlang_ref, Size, RDec)]
       end || Size <- [50, 200, 1000]]).

%%--------------------------------------------------------------------
%% Items across nodes

item_rows(Size, N, [P1, _] = Peers) ->
    {NIn, _, _, _} = bench_common:network_spec(Size),
    Inputs = ?INPUTS(NIn),
    Nets = [begin
                {Nodes, NI, Outs} = bench_common:network(Size, Seed),
                tweann_nif:compile_network(Nodes, NI, Outs)
            end || Seed <- lists:seq(1, N)],
    MFA = {tweann_nif, evaluate, [Inputs]},
    Label = io_lib:format("~b nodes x ~b items", [Size, N]),
    PerItem = fun(Fun) -> per_item(Fun, N) end,
    Direct = PerItem(fun() -> [tweann_nif:evaluate(Net, Inputs) || Net <- Nets] end),
    Run = fun(Pop, Opts) -> fun() -> tweann_cluster:evaluate_population(Pop, MFA, Opts) end end,
    Cases = [{"plain local loop (no cluster)", Direct},
             {"tweann_cluster, this node only", PerItem(Run(Nets, #{nodes => [node()]}))},
             {"1 peer, every network shipped", PerItem(Run(Nets, #{nodes => [P1]}))},
             {"1 peer, one network reused (shipped once)",
              PerItem(Run(lists:duplicate(N, hd(Nets)), #{nodes => [P1]}))},
             {"2 peers, every network shipped", PerItem(Run(Nets, #{nodes => Peers}))},
             {"this node + 2 peers", PerItem(Run(Nets, #{nodes => [node() | Peers]}))}],
    #{median_us := Base} = Direct,
    [bench_common:row(["evaluate_population: ", Name], tweann_cluster, Label,
                      M#{detail => io_lib:format("+~s us/item over the local loop",
                                                 [bench_common:fmt_us(Med - Base)])})
     || {Name, #{median_us := Med} = M} <- Cases].

%% Microseconds per item of one whole run, over a few runs.
per_item(Fun, N) ->
    _ = Fun(),
    Trials = bench_common:trials(),
    Ts = lists:sort([begin
                         {Us, _} = timer:tc(Fun),
                         Us / N
                     end || _ <- lists:seq(1, Trials)]),
    #{median_us => lists:nth((Trials + 1) div 2, Ts), min_us => hd(Ts),
      max_us => lists:last(Ts), iterations => N, trials => Trials}.

%%--------------------------------------------------------------------
%% Innovation numbers

innovation_rows([P1 | _] = Nodes) ->
    N = items(4000),
    Local = erpc:call(P1, ?MODULE, innovation_rates, [local, N], 600000),
    ok = erpc:call(P1, tweann_innovation, start_cluster, [Nodes], 120000),
    Cluster = erpc:call(P1, ?MODULE, innovation_rates, [cluster, N div 4], 600000),
    %% All three nodes allocating new keys at once.
    T0 = erlang:monotonic_time(microsecond),
    Each = N div 8,
    [{ok, ok} = R || R <- erpc:multicall(Nodes, ?MODULE, concurrent_new_keys, [Each], 600000)],
    Us = erlang:monotonic_time(microsecond) - T0,
    Total = Each * length(Nodes),
    Conc = #{median_us => Us / Total, min_us => Us / Total, max_us => Us / Total,
             iterations => Total, trials => 1},
    [row(Name, Mode, M) || {Mode, Rates} <- [{local, Local}, {cluster, Cluster}],
                           {Name, M} <- Rates]
        ++ [row("link_innovation, new keys, 3 nodes at once", cluster, Conc)].

row(Name, Mode, #{median_us := Med} = M) ->
    Path = case Mode of
               local -> "local (ETS + atomics)";
               cluster -> "cluster (Mnesia, 3 peers)"
           end,
    bench_common:row(Name, Path, "per call",
                     M#{detail => io_lib:format("~s calls/s", [rate(Med)])}).

rate(Us) when Us > 0 -> integer_to_list(round(1.0e6 / Us));
rate(_) -> "-".

%% Runs on a peer: per-call microseconds of the three operations.
innovation_rates(Mode, N) ->
    Mode = tweann_innovation:mode(),
    Tag = erlang:unique_integer([positive]),
    New = fun() -> [tweann_innovation:link_innovation({Tag, I}, x) || I <- lists:seq(1, N)] end,
    {NewUs, _} = timer:tc(New),
    Existing = per_call(fun() -> [tweann_innovation:link_innovation({Tag, I}, x)
                                  || I <- lists:seq(1, N)] end, N),
    Next = per_call(fun() -> [tweann_innovation:next() || _ <- lists:seq(1, N)] end, N),
    [{"link_innovation, new keys", #{median_us => NewUs / N, min_us => NewUs / N,
                                     max_us => NewUs / N, iterations => N, trials => 1}},
     {"link_innovation, existing keys", Existing},
     {"next/0", Next}].

per_call(Fun, N) ->
    Ts = lists:sort([begin {Us, _} = timer:tc(Fun), Us / N end || _ <- [1, 2, 3]]),
    #{median_us => lists:nth(2, Ts), min_us => hd(Ts), max_us => lists:last(Ts),
      iterations => N, trials => 3}.

%% Runs on each peer at once.
concurrent_new_keys(N) ->
    Tag = {node(), erlang:unique_integer([positive])},
    _ = [tweann_innovation:link_innovation({Tag, I}, y) || I <- lists:seq(1, N)],
    ok.
