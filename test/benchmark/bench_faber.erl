%% Benchmark (not a test): tweann_nif side by side with faber-tweann's NIF
%% (the library its users already have) and with our pure Erlang reference,
%% in one run, on the same work:
%%   * evaluate/2 on networks of 50/250, 200/1500 and 1000/10000
%%     nodes/connections and on a tiny one (2 inputs, 2 hidden, 1 output),
%%     mixed activations (tanh, sigmoid, relu, sin; bench_common:network/2);
%%   * evaluate_batch/2 (100 rows, lists of lists; ours also with the batch
%%     as one f64 binary);
%%   * evaluate_cfc/4 and evaluate_ode/5;
%%   * compatibility_distance/5 (100 and 1000 genes, about 80 % matching);
%%   * dot_product_flat/3 (10 and 100 elements, lists);
%%   * compile_network/3 (the three network sizes);
%%   * the LTC population step (cell_step/4 of 100 LTC cells; faber-tweann
%%     has no such kernel, so NIF and reference only).
%%
%% Every timed call works through a list of different inputs (a repeated
%% input flatters the branchy libm functions and the branch predictor): a
%% row's time is per call, the loop over the inputs included (the same loop
%% on every path). The paths of one item are timed in interleaved rounds
%% (paired/1), so load drift on a shared host hits them alike. Rows report
%% the median, min and max over rounds; a row's speedup is the median over
%% rounds of its time / our NIF's time in the same round (the detail gives
%% the ratio of the mins). Targets (issue 12) are that speedup of
%% faber-tweann's row: faber-tweann time / our NIF time.
%%
%% Our NIF and the reference must agree bit for bit (checked before timing);
%% faber-tweann's results are compared loosely (its sigmoid clamps
%% differently, and it accepts no error cases), the largest difference is
%% reported.
%%
%% faber-tweann's NIF: TWEANN_FABER_NIF_DIR=<dir> with <dir>/ebin/faber_nn_nifs.beam
%% and <dir>/priv/libfaber_nn_nifs.so (built from its source; never shipped
%% here), loaded by bench_faber_nif. Unset, the faber column and its targets
%% are left out.
%%
%% Run alone: rebar3 as bench eunit --module=bench_faber
-module(bench_faber).

-include_lib("eunit/include/eunit.hrl").

-export([run/0, faber/0]).

-define(FABER, faber_nn_nifs).
-define(FABER_PATH, (bench_faber_nif:path())).
%% Distinct inputs per timed call of the cheap functions.
-define(VARY, 64).
%% The fixed arguments of the scalar, dot and distance calls.
-define(TAU, 1.5).
-define(BOUND, 1.0).
-define(DT, 0.1).
-define(BIAS, 0.25).
-define(C1, 1.0).
-define(C2, 1.0).
-define(C3, 0.4).
%% A loop over a list calling one path statically.
-define(LOOP(Name, Pattern, Call),
        Name([Pattern | T]) -> _ = Call, Name(T);
        Name([]) -> ok).

faber_test_() ->
    {timeout, 3600,
     fun() ->
             bench_common:ensure_app(),
             Rows = run(),
             bench_common:add(Rows),
             io:format(user, "~n== bench_faber: tweann_nif vs faber-tweann's NIF vs the Erlang reference ==",
                       []),
             bench_common:print_rows([R || #{kind := K} = R <- Rows, K =/= target]),
             bench_common:print_targets([R || #{kind := target} = R <- Rows])
     end}.

run() ->
    bench_common:ensure_app(),
    Faber = faber(),
    Rows = lists:append([item_rows(I, Faber) || I <- items()]),
    Rows ++ targets(Rows, Faber) ++ notes(Faber).

%% {ok, Dir} when faber-tweann's NIF is loaded (bench_faber_nif, from
%% TWEANN_FABER_NIF_DIR), {no, Why} otherwise.
faber() ->
    case bench_faber_nif:why_not() of
        ok -> {ok, list_to_binary(os:getenv("TWEANN_FABER_NIF_DIR"))};
        Why -> {no, iolist_to_binary(io_lib:format("~p", [Why]))}
    end.

%%%===================================================================
%%% Items
%%%===================================================================

%% #{name, size, per (calls per fun call), calls => [{Path, Fun}],
%%   check => fun() -> ok (bit agreement of NIF and reference, before timing),
%%   faber_diff => fun() -> float() (largest |ours - faber|), target => T | none}
items() ->
    Nets = [{"50/250", {10, 34, 6, 250}, 1.5}, {"200/1500", {20, 170, 10, 1500}, 1.5},
            {"1000/10000", {50, 930, 20, 10000}, 1.5}],
    Tiny = {"tiny 5/6", {2, 2, 1, 6}, 1.2},
    [evaluate_item(N) || N <- [Tiny | Nets]]
        ++ [batch_item("50/250", {10, 34, 6, 250}, 100), batch_item("200/1500", {20, 170, 10, 1500}, 100)]
        ++ [cfc_item(), ode_item()]
        ++ [distance_item(G) || G <- [100, 1000]]
        ++ [dot_item(N) || N <- [10, 100]]
        ++ [compile_item(L, S) || {L, S, _} <- Nets]
        ++ [ltc_item()].

evaluate_item({Label, Spec, Target}) ->
    {Nodes, NIn, Outs} = bench_common:network(Spec, 7),
    Nif = tweann_nif:compile_network(Nodes, NIn, Outs),
    Ref = tweann_ref_network:compile_network(Nodes, NIn, Outs),
    Ins = bench_common:inputs(NIn, vary(Spec)),
    Each = fun(F) -> fun() -> each(F, Ins) end end,
    #{name => <<"evaluate/2">>, size => sized(Label, length(Ins)), per => length(Ins),
      calls => [{nif, Each(fun(In) -> tweann_nif:evaluate(Nif, In) end)},
                {faber, fun() ->
                                Fab = faber_net(Nodes, NIn, Outs),
                                fun() -> each(fun(In) -> ?FABER:evaluate(Fab, In) end, Ins) end
                        end},
                {erlang_ref, Each(fun(In) -> tweann_ref_network:evaluate(Ref, In) end)}],
      check => fun() ->
                       [tweann_ref_network:evaluate(Ref, In) =:= tweann_nif:evaluate(Nif, In)
                        orelse error({disagree, evaluate, Label, In}) || In <- Ins],
                       ok
               end,
      faber_diff => fun() ->
                            Fab = faber_net(Nodes, NIn, Outs),
                            max_diff([{tweann_nif:evaluate(Nif, In), ?FABER:evaluate(Fab, In)}
                                      || In <- Ins])
                    end,
      target => Target}.

%% Fewer distinct inputs for the big networks (each call is long anyway).
vary({_, _, _, C}) when C >= 10000 -> 8;
vary({_, _, _, C}) when C >= 1500 -> 16;
vary(_) -> ?VARY.

batch_item(Label, Spec, Rows) ->
    {Nodes, NIn, Outs} = bench_common:network(Spec, 11),
    Nif = tweann_nif:compile_network(Nodes, NIn, Outs),
    Ref = tweann_ref_network:compile_network(Nodes, NIn, Outs),
    %% Four different batches per timed call.
    Batches = [bench_common:inputs(NIn, Rows + K) || K <- lists:seq(0, 3)],
    Bins = [<< <<X:64/float-native>> || R <- B, X <- R >> || B <- Batches],
    #{name => <<"evaluate_batch/2">>,
      size => iolist_to_binary([Label, " x ", integer_to_list(Rows), "+ rows, 4 batches"]),
      per => length(Batches),
      calls => [{nif, fun() -> each(fun(B) -> tweann_nif:evaluate_batch(Nif, B) end, Batches) end},
                {faber, fun() ->
                                Fab = faber_net(Nodes, NIn, Outs),
                                fun() -> each(fun(B) -> ?FABER:evaluate_batch(Fab, B) end, Batches) end
                        end},
                {<<"NIF, batch as one f64 binary">>,
                 fun() -> each(fun(B) -> tweann_nif:evaluate_batch(Nif, B) end, Bins) end},
                {erlang_ref, fun() -> each(fun(B) -> tweann_ref_network:evaluate_batch(Ref, B) end,
                                           Batches) end}],
      check => fun() ->
                       [begin
                            R = tweann_ref_network:evaluate_batch(Ref, B),
                            R =:= tweann_nif:evaluate_batch(Nif, B) orelse error({disagree, batch}),
                            R =:= tweann_nif:evaluate_batch(Nif, Bin) orelse error({disagree, batch_bin})
                        end || {B, Bin} <- lists:zip(Batches, Bins)],
                       ok
               end,
      faber_diff => fun() ->
                            Fab = faber_net(Nodes, NIn, Outs),
                            max_diff([{tweann_nif:evaluate_batch(Nif, B), ?FABER:evaluate_batch(Fab, B)}
                                      || B <- Batches])
                    end,
      target => 5}.

cfc_item() ->
    Args = scalar_args(?VARY, 1),
    scalar_item(<<"evaluate_cfc/4">>, Args,
                [{nif, fun() -> cfc_nif(Args) end}, {faber, fun() -> fun() -> cfc_faber(Args) end end},
                 {erlang_ref, fun() -> cfc_ref(Args) end}],
                fun(M, U, S) -> M:evaluate_cfc(U, S, ?TAU, ?BOUND) end).

ode_item() ->
    Args = scalar_args(?VARY, 2),
    scalar_item(<<"evaluate_ode/5">>, Args,
                [{nif, fun() -> ode_nif(Args) end}, {faber, fun() -> fun() -> ode_faber(Args) end end},
                 {erlang_ref, fun() -> ode_ref(Args) end}],
                fun(M, U, S) -> M:evaluate_ode(U, S, ?TAU, ?BOUND, ?DT) end).

%% The loops of the cheap functions call each path statically (a fun call
%% or an M:F call per element would cost a share of the call itself).
?LOOP(cfc_nif, {U, S}, tweann_nif:evaluate_cfc(U, S, ?TAU, ?BOUND)).
?LOOP(cfc_faber, {U, S}, ?FABER:evaluate_cfc(U, S, ?TAU, ?BOUND)).
?LOOP(cfc_ref, {U, S}, tweann_ref_scalar:evaluate_cfc(U, S, ?TAU, ?BOUND)).
?LOOP(ode_nif, {U, S}, tweann_nif:evaluate_ode(U, S, ?TAU, ?BOUND, ?DT)).
?LOOP(ode_faber, {U, S}, ?FABER:evaluate_ode(U, S, ?TAU, ?BOUND, ?DT)).
?LOOP(ode_ref, {U, S}, tweann_ref_scalar:evaluate_ode(U, S, ?TAU, ?BOUND, ?DT)).
?LOOP(dot_nif, {S, W}, tweann_nif:dot_product_flat(S, W, ?BIAS)).
?LOOP(dot_faber, {S, W}, ?FABER:dot_product_flat(S, W, ?BIAS)).
?LOOP(dot_ref, {S, W}, tweann_ref_dot:dot_product_flat(S, W, ?BIAS)).
?LOOP(dist_nif, {A, B}, tweann_nif:compatibility_distance(A, B, ?C1, ?C2, ?C3)).
?LOOP(dist_faber, {A, B}, ?FABER:compatibility_distance(A, B, ?C1, ?C2, ?C3)).
?LOOP(dist_ref, {A, B}, tweann_ref_neat:compatibility_distance(A, B, ?C1, ?C2, ?C3)).

scalar_item(Name, Args, Calls, One) ->
    RefMod = tweann_ref_scalar,
    #{name => Name, size => sized("floats", length(Args)), per => length(Args),
      calls => Calls,
      check => fun() ->
                       [One(RefMod, U, S) =:= One(tweann_nif, U, S)
                        orelse error({disagree, Name, U, S}) || {U, S} <- Args],
                       ok
               end,
      faber_diff => fun() ->
                            max_diff([{tuple_to_list(One(tweann_nif, U, S)),
                                       tuple_to_list(One(?FABER, U, S))} || {U, S} <- Args])
                    end,
      target => 1.2}.

%% {Input, State} pairs: inputs over [-3, 3), states over [-1, 1).
scalar_args(N, Seed) ->
    [Us, Ss | _] = bench_common:inputs(N, 1 + Seed),
    lists:zip([U * 3 || U <- Us], Ss).

distance_item(Genes) ->
    Pairs = [bench_common:genome(Genes, Seed, 0.8) || Seed <- lists:seq(1, 8)],
    One = fun(M, A, B) -> M:compatibility_distance(A, B, ?C1, ?C2, ?C3) end,
    #{name => <<"compatibility_distance/5">>, size => sized(io_lib:format("~b genes", [Genes]), 8),
      per => length(Pairs),
      calls => [{nif, fun() -> dist_nif(Pairs) end}, {faber, fun() -> fun() -> dist_faber(Pairs) end end},
                {erlang_ref, fun() -> dist_ref(Pairs) end}],
      check => fun() ->
                       [One(tweann_ref_neat, A, B) =:= One(tweann_nif, A, B)
                        orelse error({disagree, distance, Genes}) || {A, B} <- Pairs],
                       ok
               end,
      faber_diff => fun() -> max_diff([{[One(tweann_nif, A, B)], [One(?FABER, A, B)]} || {A, B} <- Pairs]) end,
      target => 3}.

dot_item(N) ->
    Rows = bench_common:inputs(N, 2 * ?VARY),
    {Ss, Ws} = lists:split(?VARY, Rows),
    Pairs = lists:zip(Ss, Ws),
    One = fun(M, S, W) -> M:dot_product_flat(S, W, ?BIAS) end,
    #{name => <<"dot_product_flat/3">>, size => sized(io_lib:format("~b elements", [N]), ?VARY),
      per => length(Pairs),
      calls => [{nif, fun() -> dot_nif(Pairs) end}, {faber, fun() -> fun() -> dot_faber(Pairs) end end},
                {erlang_ref, fun() -> dot_ref(Pairs) end}],
      check => fun() ->
                       [One(tweann_ref_dot, S, W) =:= One(tweann_nif, S, W)
                        orelse error({disagree, dot, N}) || {S, W} <- Pairs],
                       ok
               end,
      faber_diff => fun() -> max_diff([{[One(tweann_nif, S, W)], [One(?FABER, S, W)]} || {S, W} <- Pairs]) end,
      target => 1.5}.

compile_item(Label, Spec) ->
    {Nodes, NIn, Outs} = bench_common:network(Spec, 7),
    #{name => <<"compile_network/3">>, size => list_to_binary(Label), per => 1,
      calls => [{nif, fun() -> tweann_nif:compile_network(Nodes, NIn, Outs) end},
                {faber, fun() -> fun() -> ?FABER:compile_network(Nodes, NIn, Outs) end end},
                {erlang_ref, fun() -> tweann_ref_network:compile_network(Nodes, NIn, Outs) end}],
      check => fun() -> ok end,
      faber_diff => fun() -> 0.0 end,
      target => 1.0}.

ltc_item() ->
    #{nif_f := Nif, ref_f := Ref, label := Label} = bench_cells:population(ltc),
    #{name => <<"LTC population step (cell_step/4)">>, size => iolist_to_binary(Label), per => 1,
      calls => [{nif, Nif}, {erlang_ref, Ref}],
      check => fun() -> ok end,
      target => none}.

sized(Label, N) ->
    iolist_to_binary([Label, ", ", integer_to_list(N), " inputs"]).

%%%===================================================================
%%% Timing
%%%===================================================================

item_rows(#{name := Name, size := Size, per := Per, calls := Calls0, check := Check,
            target := Target} = Item, Faber) ->
    ok = Check(),
    Calls = [{P, F} || {P, F} <- Calls0, P =/= faber]
        ++ case Faber of
               {ok, _} -> [{faber, F()} || {faber, F} <- Calls0];
               {no, _} -> []
           end,
    {Timed, Ratios} = paired(Calls),
    #{min_us := NifMin0} = proplists:get_value(nif, Timed),
    Diff = case {Faber, Item} of
               {{ok, _}, #{faber_diff := D}} -> D();
               _ -> undefined
           end,
    [bench_common:row(Name, path(P), Size,
                      (per_call(M, Per))#{ratio => proplists:get_value(P, Ratios),
                                          min_ratio => Min / NifMin0,
                                          module => ?MODULE, faber_diff => Diff,
                                          faber_target => case P of faber -> Target; _ -> none end,
                                          detail => detail(P, Min / NifMin0, Diff)})
     || {P, #{min_us := Min} = M} <- Timed].

%% Time the paths of one item in interleaved rounds (A B C, then C B A, ...),
%% each trial a loop calibrated to a few milliseconds, so that a change of
%% load on a shared host hits every path alike. Per path: median, min and max
%% microseconds per fun call over the rounds; and its ratio to our NIF: the
%% median over the rounds of (this path's time / the NIF's time in the same
%% round), which load drift between rounds does not skew.
paired(Calls) ->
    %% Short trials: on a host shared with other work, a trial of a
    %% millisecond often runs without being preempted, and many rounds give
    %% a stable median. Items whose rounds are long get fewer of them.
    {MaxRounds, TrialUs, BudgetUs} = case bench_common:quick() of
                                         true -> {21, 1000, 2.0e6};
                                         false -> {101, 1000, 10.0e6}
                                     end,
    Cal = [begin
               M = bench_common:measure(F, #{trials => 1, min_trial_us => TrialUs}),
               {P, F, maps:get(iterations, M), maps:get(median_us, M) * maps:get(iterations, M)}
           end || {P, F} <- Calls],
    RoundUs = lists:sum([Us || {_, _, _, Us} <- Cal]),
    Rounds = max(15, min(MaxRounds, trunc(BudgetUs / RoundUs))),
    garbage_collect(),
    Times = [maps:from_list([{P, timed_trial(P, F, N)}
                             || {P, F, N, _} <- case I rem 2 of 1 -> Cal; 0 -> lists:reverse(Cal) end])
             || I <- lists:seq(1, Rounds)],
    Timed = [{P, stats([maps:get(P, R) || R <- Times], N, Rounds)} || {P, _, N, _} <- Cal],
    Ratios = [{P, bench_common:median(lists:sort([maps:get(P, R) / maps:get(nif, R) || R <- Times]))}
              || {P, _, _, _} <- Cal],
    {Timed, Ratios}.

%% Microseconds per call of one trial. The Erlang reference's trial leaves
%% megabytes of garbage on this process's heap (a reference network is a
%% large term); it is collected right after that trial, outside the timing,
%% so that the trial after it (ours or faber-tweann's, in turn) does not pay
%% for it. Without this, our dirty-scheduled calls took the collection on
%% themselves: `compile_network/3` on 1000/10 000 measured 0.81-0.87x here
%% and 1.6x with no reference trial in between.
timed_trial(P, F, N) ->
    T = bench_common:trial(F, N) / N,
    _ = P =:= erlang_ref andalso garbage_collect(),
    T.

stats(Us, N, Rounds) ->
    S = lists:sort(Us),
    #{median_us => bench_common:median(S), min_us => hd(S), max_us => lists:last(S), iterations => N,
      trials => Rounds, interleaved => true}.

per_call(M, Per) ->
    M1 = maps:map(fun(K, V) when K =:= median_us; K =:= min_us; K =:= max_us -> V / Per;
                     (_, V) -> V
                  end, M),
    M1#{calls_per_trial_iteration => Per}.

detail(nif, _, _) -> <<>>;
detail(faber, MinRatio, Diff) ->
    iolist_to_binary(io_lib:format("min ratio ~s; largest |ours - faber| ~s",
                                   [bench_common:fmt_ratio(MinRatio), fmt_diff(Diff)]));
detail(_, MinRatio, _) ->
    iolist_to_binary(io_lib:format("min ratio ~s", [bench_common:fmt_ratio(MinRatio)])).

fmt_diff(undefined) -> "n/a";
fmt_diff(D) -> io_lib:format("~.3g", [D]).

path(faber) -> ?FABER_PATH;
path(P) -> P.

targets(_Rows, {no, _}) -> [];
targets(Rows, {ok, _}) ->
    [bench_common:target(
       [N, ", ", S, ": NIF speedup vs faber-tweann's NIF"], Ratio, ge, Target,
       "faber-tweann / tweann_nif, median over interleaved rounds of one run", ?MODULE)
     || #{name := N, size := S, path := P, ratio := Ratio, faber_target := Target} <- Rows,
        P =:= ?FABER_PATH, Target =/= none].

notes({no, Why}) ->
    [#{kind => note, module => ?MODULE, name => <<"faber-tweann column">>,
       text => iolist_to_binary(["left out: ", Why,
                                 " (set TWEANN_FABER_NIF_DIR to a directory with "
                                 "ebin/faber_nn_nifs.beam and priv/libfaber_nn_nifs.so)"])}];
notes({ok, Dir}) ->
    [#{kind => note, module => ?MODULE, name => <<"faber-tweann column">>,
       text => iolist_to_binary(["faber_nn_nifs loaded from ", Dir,
                                 "; called directly (no wrapper), ours through the public "
                                 "tweann_nif module"])},
     #{kind => note, module => ?MODULE, name => <<"inputs">>,
       text => <<"every timed call works through a list of different inputs; times are per "
                 "call, the loop over the inputs included">>}].

%%%===================================================================
%%% Helpers
%%%===================================================================

faber_net(Nodes, NIn, Outs) ->
    ?FABER:compile_network(Nodes, NIn, Outs).

each(F, [X | T]) -> _ = F(X), each(F, T);
each(_, []) -> ok.

%% Largest |a - b| over pairs of (nested) lists of floats.
max_diff(Pairs) ->
    lists:max([0.0 | [abs(A - B) || {As, Bs} <- Pairs, {A, B} <- zip_flat(As, Bs)]]).

zip_flat(As, Bs) ->
    FA = lists:flatten(As),
    FB = lists:flatten(Bs),
    case length(FA) =:= length(FB) of
        true -> lists:zip(FA, FB);
        false -> error({faber_result_shape, length(FA), length(FB)})
    end.
