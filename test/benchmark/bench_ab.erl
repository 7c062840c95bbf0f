%% A/B timing of builds of the NIF in one VM (a helper of the bench profile,
%% like bench_common; it has no tests, so the suite runs nothing here):
%% scripts/ab_native.sh builds each variant as a module
%% tweann_nif_native_<Name> and calls main/3 here, which times the variants
%% round by round, interleaved, on the suite's fixed-seed networks
%% (bench_common; evaluate and batch use bench_faber's seed, 7). Per
%% variant it prints the min and median time per call; per variant after
%% the first, the median, min and max of the per-round ratios baseline
%% time / variant time (> 1: the variant is faster).
%% Variant modules are called directly (no tweann_nif wrapper), so only
%% entry points that fit a normal scheduler are timed as normal calls;
%% a network that hands over is compiled through the dirty entry.
-module(bench_ab).

-export([main/3]).

-spec main(string(), pos_integer(), [atom()]) -> ok.
main(Workload, Rounds, Names) ->
    Ms = [list_to_atom("tweann_nif_native_" ++ atom_to_list(N)) || N <- Names],
    [{module, _} = code:ensure_loaded(M) || M <- Ms],
    [ok = M:load_status() || M <- Ms],
    {Label, Timers} = workload(Workload, Ms),
    R = [[{M, T()} || {M, T} <- Timers] || _ <- lists:seq(1, Rounds)],
    [begin
         Ts = lists:sort([T || Row <- R, {M1, T} <- Row, M1 =:= M]),
         io:format("~s ~s: min ~.3f med ~.3f us~n", [Label, M, hd(Ts), median(Ts)])
     end || M <- Ms],
    [Base | Others] = Ms,
    [begin
         Rs = lists:sort([TB / TO || Row <- R,
                                     {_, TB} <- [lists:keyfind(Base, 1, Row)],
                                     {_, TO} <- [lists:keyfind(O, 1, Row)]]),
         io:format("~s ~s vs ~s: per-round ratio median ~.3f min ~.3f max ~.3f~n",
                   [Label, O, Base, median(Rs), hd(Rs), lists:last(Rs)])
     end || O <- Others],
    ok.

median(Sorted) -> lists:nth(length(Sorted) div 2 + 1, Sorted).

%% {Label, [{Module, fun() -> microseconds per call}]}.
workload("evaluate:" ++ Size, Ms) ->
    {Nodes, NIn, Outs} = bench_common:network(spec(Size), 7),
    Ins = list_to_tuple(bench_common:inputs(NIn, 64)),
    N = max(64, 64 * (2000 div length(Nodes))),
    {"evaluate/2 " ++ Size,
     [{M, fun() -> per_call(N, fun(K) -> M:evaluate(Net, element(K rem 64 + 1, Ins)) end) end}
      || M <- Ms, Net <- [compiled(M, Nodes, NIn, Outs)]]};
workload("batch:" ++ Size, Ms) ->
    {Nodes, NIn, Outs} = bench_common:network(spec(Size), 7),
    Bs = list_to_tuple([bench_common:inputs(NIn, 100 + K) || K <- lists:seq(0, 3)]),
    {"evaluate_batch/2 " ++ Size ++ " x 100+ rows",
     [{M, fun() -> per_call(40, fun(K) -> batch(M, Net, element(K rem 4 + 1, Bs)) end) end}
      || M <- Ms, Net <- [compiled(M, Nodes, NIn, Outs)]]};
workload("compile:" ++ Size, Ms) ->
    Specs = list_to_tuple([bench_common:network(spec(Size), S) || S <- lists:seq(1, 8)]),
    {"compile_network/3 " ++ Size,
     [{M, fun() -> per_call(40, fun(K) ->
                                        {Nodes, NIn, Outs} = element(K rem 8 + 1, Specs),
                                        compiled(M, Nodes, NIn, Outs)
                                end) end}
      || M <- Ms]};
workload("scalar", Ms) ->
    Xs = list_to_tuple([{rand:uniform() * 2 - 1, rand:uniform() * 2 - 1} || _ <- lists:seq(1, 64)]),
    {"evaluate_ode/5 + evaluate_cfc/4",
     [{M, fun() -> per_call(64 * 500, fun(K) ->
                                              {U, S} = element(K rem 64 + 1, Xs),
                                              _ = M:evaluate_ode(U, S, 1.0, 1.0, 0.1),
                                              M:evaluate_cfc(U, S, 1.0, 1.0)
                                      end) end}
      || M <- Ms]};
workload(Other, _) ->
    io:format(standard_error, "ab_native: unknown workload ~p (evaluate:tiny|50|200|1000, "
              "batch:50|200, compile:50|200|1000, scalar)~n", [Other]),
    halt(2).

spec("tiny") -> {2, 2, 1, 6};
spec(S) -> list_to_integer(S).

compiled(M, Nodes, NIn, Outs) ->
    case M:compile_network(Nodes, NIn, Outs, default, organelles) of
        '$tweann_dirty' -> M:compile_network_dirty(Nodes, NIn, Outs, default, organelles);
        Net -> Net
    end.

batch(M, Net, Rows) ->
    case M:evaluate_batch(Net, Rows) of
        '$tweann_dirty' -> M:evaluate_batch_dirty(Net, Rows);
        Out -> Out
    end.

%% Microseconds per call of F(K), K = N..1.
per_call(N, F) ->
    T0 = erlang:monotonic_time(),
    loop(N, F),
    erlang:convert_time_unit(erlang:monotonic_time() - T0, native, nanosecond) / N / 1000.

loop(0, _) -> ok;
loop(K, F) -> _ = F(K), loop(K - 1, F).
