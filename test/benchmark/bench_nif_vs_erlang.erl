%% Benchmark (not a test): every exported tweann_nif function against its pure
%% Erlang reference (the tweann_ref_* modules) at small, medium and large sizes, through the
%% public API (so the NIF rows include the wrapper and its choice of normal or
%% dirty scheduler). Speedup = reference median / NIF median.
%%
%% Sizes: networks of 50/200/1000 neurons (bench_common:network/1), batches
%% of 1/100/1000 rows on the 200-neuron network, dot products of 10/100/1000
%% elements, compatibility distance of 50/200/1000 genes, CfC/ODE scalar
%% kernels with 2/10/100 weights, CfC batches of 10/100/1000 inputs.
%%
%% Run alone: rebar3 as bench eunit --module=bench_nif_vs_erlang
-module(bench_nif_vs_erlang).

-include_lib("eunit/include/eunit.hrl").

-export([run/0]).

nif_vs_erlang_test_() ->
    {timeout, 1800,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             io:format(user, "~n== bench_nif_vs_erlang: every NIF function vs the Erlang reference ==", []),
             bench_common:print_rows([R || #{kind := timing} = R <- Rows]),
             bench_common:print_targets([R || #{kind := target} = R <- Rows])
     end}.

run() ->
    bench_common:ensure_app(),
    Cases = cases(),
    Rows = lists:append([pair(C) || C <- Cases]) ++ batch_vs_eval(),
    Rows ++ targets(Rows).

%% {Function, SizeLabel, NifFun, RefFun | none}
cases() ->
    Nets = [{S, bench_common:network(S)} || S <- [50, 200, 1000]],
    Compiled = [{S, tweann_nif:compile_network(N, I, O), tweann_ref_network:compile_network(N, I, O),
                 hd(bench_common:inputs(I, 1))}
                || {S, {N, I, O}} <- Nets],
    {_, N200, R200, _} = lists:keyfind(200, 1, Compiled),
    {_, {_, In200, _}} = lists:keyfind(200, 1, Nets),
    Batch = fun(K) -> bench_common:inputs(In200, K) end,
    W = fun(K) -> element(1, bench_common:rand_floats(K, rand:seed_s(exsss, {K, 1, 2}))) end,
    Agg = fun(K) ->
                  Ss = W(K), Ws = W(K + 1),
                  {[{{I * 1.0, neuron}, [S]} || {I, S} <- lists:zip(lists:seq(1, K), Ss)],
                   [{{I * 1.0, neuron}, [{Wt, 0.0, 0.1, []}]}
                    || {I, Wt} <- lists:zip(lists:seq(1, K), lists:sublist(Ws, K))]
                   ++ [{bias, [{lists:last(Ws), 0.0, 0.1, []}]}]}
          end,
    lists:append(
      [[{"compile_network/3", net_label(S),
         fun() -> tweann_nif:compile_network(N, I, O) end,
         fun() -> tweann_ref_network:compile_network(N, I, O) end} || {S, {N, I, O}} <- Nets],
       [{"compile_network/4", net_label(200),
         fun() -> tweann_nif:compile_network(N, I, O, #{memory_budget => 1 bsl 30}) end, none}
        || {200, {N, I, O}} <- Nets],
       [{"evaluate/2", net_label(S),
         fun() -> tweann_nif:evaluate(Nn, In) end,
         fun() -> tweann_ref_network:evaluate(Rn, In) end} || {S, Nn, Rn, In} <- Compiled],
       [begin
            B = Batch(K),
            {"evaluate_batch/2", ["200 neurons x ", integer_to_list(K), " rows"],
             fun() -> tweann_nif:evaluate_batch(N200, B) end,
             fun() -> tweann_ref_network:evaluate_batch(R200, B) end}
        end || K <- [1, 100, 1000]],
       [{"evaluate_with_state/3", net_label(S),
         fun() -> tweann_nif:evaluate_with_state(Nn, In, []) end,
         fun() -> tweann_ref_network:evaluate_with_state(Rn, In, []) end} || {S, Nn, Rn, In} <- Compiled],
       [{"network_info/1", net_label(S),
         fun() -> tweann_nif:network_info(Nn) end,
         fun() -> tweann_ref_network:network_info(Rn) end} || {S, Nn, Rn, _} <- Compiled],
       [{"benchmark_evaluate/3", [net_label(S), " x 100 iterations"],
         fun() -> tweann_nif:benchmark_evaluate(Nn, In, 100) end,
         fun() -> tweann_ref_network:benchmark_evaluate(Rn, In, 100) end} || {S, Nn, Rn, In} <- Compiled],
       [begin
            {Sig, Wts} = Agg(K),
            {"dot_product/2", [integer_to_list(K), " elements + bias"],
             fun() -> tweann_nif:dot_product(Sig, Wts) end,
             fun() -> tweann_ref_dot:dot_product(Sig, Wts) end}
        end || K <- [10, 100, 1000]],
       [begin
            Ss = W(K), Ws = W(K + 7),
            Ws1 = lists:sublist(Ws, K),
            {"dot_product_flat/3", [integer_to_list(K), " elements"],
             fun() -> tweann_nif:dot_product_flat(Ss, Ws1, 0.5) end,
             fun() -> tweann_ref_dot:dot_product_flat(Ss, Ws1, 0.5) end}
        end || K <- [10, 100, 1000]],
       [begin
            Items = [{W(10), W(11 + J) -- [], 0.1} || J <- lists:seq(1, K)],
            Items1 = [{S, lists:sublist(Wx, 10), Bx} || {S, Wx, Bx} <- Items],
            {"dot_product_batch/1", [integer_to_list(K), " x 10 elements"],
             fun() -> tweann_nif:dot_product_batch(Items1) end,
             fun() -> tweann_ref_dot:dot_product_batch(Items1) end}
        end || K <- [1, 100, 1000]],
       [begin
            {_, Wts} = Agg(K),
            {"flatten_weights/1", [integer_to_list(K), " weights"],
             fun() -> tweann_nif:flatten_weights(Wts) end,
             fun() -> tweann_ref_dot:flatten_weights(Wts) end}
        end || K <- [10, 100, 1000]],
       [begin
            Vs = W(K),
            {"activate_batch/2", [integer_to_list(K), " values, tanh"],
             fun() -> tweann_nif:activate_batch(Vs, tanh) end,
             fun() -> tweann_ref_activation:activate_batch(Vs, tanh) end}
        end || K <- [10, 100, 1000]],
       [begin
            {GA, GB} = bench_common:genome(K, 1, 0.8),
            {"compatibility_distance/5", [integer_to_list(K), " genes"],
             fun() -> tweann_nif:compatibility_distance(GA, GB, 1.0, 1.0, 0.4) end,
             fun() -> tweann_ref_neat:compatibility_distance(GA, GB, 1.0, 1.0, 0.4) end}
        end || K <- [50, 200, 1000]],
       [{"evaluate_cfc/4", "scalar",
         fun() -> tweann_nif:evaluate_cfc(0.3, 0.1, 1.5, 2.0) end,
         fun() -> tweann_ref_scalar:evaluate_cfc(0.3, 0.1, 1.5, 2.0) end},
        {"evaluate_ode/5", "scalar",
         fun() -> tweann_nif:evaluate_ode(0.3, 0.1, 1.5, 2.0, 0.1) end,
         fun() -> tweann_ref_scalar:evaluate_ode(0.3, 0.1, 1.5, 2.0, 0.1) end}],
       [begin
            Bw = W(K), Hw = W(K + 3),
            {"evaluate_cfc_with_weights/6", [integer_to_list(K), " weights"],
             fun() -> tweann_nif:evaluate_cfc_with_weights(0.3, 0.1, 1.5, 2.0, Bw, Hw) end,
             fun() -> tweann_ref_scalar:evaluate_cfc_with_weights(0.3, 0.1, 1.5, 2.0, Bw, Hw) end}
        end || K <- [2, 10, 100]],
       [begin
            Bw = W(K), Hw = W(K + 3),
            {"evaluate_ode_with_weights/7", [integer_to_list(K), " weights"],
             fun() -> tweann_nif:evaluate_ode_with_weights(0.3, 0.1, 1.5, 2.0, 0.1, Bw, Hw) end,
             fun() -> tweann_ref_scalar:evaluate_ode_with_weights(0.3, 0.1, 1.5, 2.0, 0.1, Bw, Hw) end}
        end || K <- [2, 10, 100]],
       [begin
            Xs = W(K),
            {"evaluate_cfc_batch/4", [integer_to_list(K), " inputs"],
             fun() -> tweann_nif:evaluate_cfc_batch(Xs, 0.0, 1.5, 2.0) end,
             fun() -> tweann_ref_scalar:evaluate_cfc_batch(Xs, 0.0, 1.5, 2.0) end}
        end || K <- [10, 100, 1000]],
       [{"memory_stats/0", "-", fun tweann_nif:memory_stats/0, fun tweann_ref_info:memory_stats/0},
        {"build_info/0", "-", fun tweann_nif:build_info/0, fun tweann_ref_info:build_info/0},
        {"is_loaded/0 (not a NIF)", "-", fun tweann_nif:is_loaded/0, none},
        {"set_memory_budget/1", "-",
         fun() -> tweann_nif:set_memory_budget(1 bsl 30) end, none}]]).

net_label(S) -> [integer_to_list(S), " neurons"].

pair({Name, Size, NifF, none}) ->
    Nif = bench_common:measure(NifF),
    [bench_common:row(Name, nif, Size, Nif#{ratio => 1.0, module => ?MODULE,
                                            note => <<"no Erlang reference counterpart">>})];
pair({Name, Size, NifF, RefF}) ->
    [{nif, Nif}, {ref, Ref}] = bench_common:measure_set([{nif, NifF}, {ref, RefF}]),
    NifUs = maps:get(median_us, Nif),
    Common = #{module => ?MODULE},
    NifRow = bench_common:row(Name, nif, Size, maps:merge(Nif, Common#{ratio => 1.0})),
    RefUs = maps:get(median_us, Ref),
    [NifRow#{speedup => RefUs / NifUs},
     bench_common:row(Name, erlang_ref, Size, maps:merge(Ref, Common#{ratio => RefUs / NifUs}))].

%% evaluate/2 vs evaluate_batch/2 on the 200-neuron network, NIF only,
%% interleaved: the rows the batch targets are computed from.
batch_vs_eval() ->
    {N, I, O} = bench_common:network(200),
    Net = tweann_nif:compile_network(N, I, O),
    [Row | _] = Rows = bench_common:inputs(I, 1000),
    Ms = bench_common:measure_set([{eval, fun() -> tweann_nif:evaluate(Net, Row) end},
                                   {b1, fun() -> tweann_nif:evaluate_batch(Net, [Row]) end},
                                   {b1000, fun() -> tweann_nif:evaluate_batch(Net, Rows) end}]),
    Name = <<"evaluate/2 vs evaluate_batch/2 (interleaved)">>,
    [bench_common:row(Name, nif, Label,
                      M#{module => ?MODULE, group => batch_vs_eval, key => K,
                         detail => case K of
                                       b1000 -> iolist_to_binary(
                                                  ["per row ", bench_common:fmt_us(maps:get(median_us, M) / 1000), " us"]);
                                       _ -> <<>>
                                   end})
     || {K, M} <- Ms,
        Label <- [case K of
                      eval -> <<"200 neurons, evaluate/2">>;
                      b1 -> <<"200 neurons, batch of 1">>;
                      b1000 -> <<"200 neurons, batch of 1000">>
                  end]].

us(Rows, Name, Size, Path) ->
    N = iolist_to_binary(Name), S = iolist_to_binary(Size), P = iolist_to_binary(Path),
    [M] = [M || #{kind := timing, name := N1, size := S1, path := P1, median_us := M} <- Rows,
                N1 =:= N, S1 =:= S, P1 =:= P],
    M.

targets(Rows) ->
    Nif = "NIF", Ref = "Erlang reference",
    BvE = "evaluate/2 vs evaluate_batch/2 (interleaved)",
    E200 = us(Rows, BvE, "200 neurons, evaluate/2", Nif),
    B1 = us(Rows, BvE, "200 neurons, batch of 1", Nif),
    B1000 = us(Rows, BvE, "200 neurons, batch of 1000", Nif),
    B1000R = us(Rows, "evaluate_batch/2", "200 neurons x 1000 rows", Ref),
    Ratio = fun(F, S) -> us(Rows, F, S, Ref) / us(Rows, F, S, Nif) end,
    [bench_common:target("evaluate_batch/2, 1000 rows, 200 neurons: per-row cost / one evaluate/2",
                         (B1000 / 1000) / E200, le, 1 / 3, "NIF both", ?MODULE),
     bench_common:target("evaluate_batch/2, 1000 rows, 200 neurons: NIF speedup vs the Erlang reference",
                         B1000R / us(Rows, "evaluate_batch/2", "200 neurons x 1000 rows", Nif),
                         ge, 30, "", ?MODULE),
     bench_common:target("evaluate_batch/2, batch of 1: cost / one evaluate/2 (200 neurons)",
                         B1 / E200, le, 2, "NIF both", ?MODULE),
     bench_common:target("dot_product_flat/3, 10 elements: NIF speedup vs the Erlang reference",
                         Ratio("dot_product_flat/3", "10 elements"), ge, 2, "", ?MODULE),
     bench_common:target("dot_product_flat/3, 100 elements: NIF speedup vs the Erlang reference",
                         Ratio("dot_product_flat/3", "100 elements"), ge, 5, "", ?MODULE),
     bench_common:target("compatibility_distance/5, 200 genes: NIF speedup vs the Erlang reference",
                         Ratio("compatibility_distance/5", "200 genes"), ge, 10, "", ?MODULE),
     bench_common:target("compile_network/3, 200 neurons: Erlang reference time / NIF time",
                         Ratio("compile_network/3", "200 neurons"), ge, 1, "NIF no slower", ?MODULE)].
