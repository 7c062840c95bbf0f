%% Golden determinism test: a fixed corpus (networks with every activation,
%% evaluate and evaluate_batch, CfC and LTC cell steps, the scalar kernels,
%% activate_batch) whose result bits are hashed, and a second corpus of the
%% evolution kernels (novelty, statistics, selection, rewards; indices and
%% counts as floats) with a hash of its own, and a third of the seeded
%% weight kernels and the CfC population. The expected hashes are
%% committed here: the NIF and the pure Erlang reference must both give
%% them, on every host (the transcendental functions are the library's own,
%% never the C library's). A deliberate change of results changes a hash.
-module(tweann_golden_tests).

-include_lib("eunit/include/eunit.hrl").

%% erlang:crc32 of the concatenated <<X:64/float-little>> of every result.
-define(GOLDEN, 1809212989).
%% The same over the evolution kernels' corpus.
-define(GOLDEN_EVOLUTION, 519823869).
%% The same over the seeded weight kernels and the CfC population.
-define(GOLDEN_WEIGHTS, 3717570680).

nif_golden_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN, hash(tweann_nif)) end}.

ref_golden_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN, hash(ref)) end}.

nif_golden_evolution_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN_EVOLUTION, evolution_hash(tweann_nif)) end}.

ref_golden_evolution_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN_EVOLUTION, evolution_hash(ref)) end}.

nif_golden_weights_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN_WEIGHTS, crc(tweann_nif, "golden weights", weights(tweann_nif))) end}.

ref_golden_weights_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN_WEIGHTS, crc(ref, "golden weights", weights(ref))) end}.

%% The hash of backend B's corpus results (printed, to update ?GOLDEN).
hash(B) ->
    crc(B, "golden", corpus(B)).

%% The hash of backend B's evolution corpus (printed, to update
%% ?GOLDEN_EVOLUTION).
evolution_hash(B) ->
    crc(B, "golden evolution", evolution(B)).

crc(B, What, Floats) ->
    true = lists:all(fun is_float/1, Floats),
    H = erlang:crc32(<< <<X:64/float-little>> || X <- Floats >>),
    io:format(user, "~s ~p: ~b floats, crc32 ~b~n", [What, B, length(Floats), H]),
    H.

call(tweann_nif, F, Args) -> apply(tweann_nif, F, Args);
call(ref, F, Args) -> tweann_oracle:call(F, Args).

%% A fixed sequence of arguments in about [-11.6, 11.6].
arg(K) -> ((K * 7919) rem 4001 - 2000) / 173.0.

args(From, N) -> [arg(K) || K <- lists:seq(From, From + N - 1)].

activations() ->
    [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin, trinary,
     multiquadric, quadratic, cubic, absolute, sqrt, log].

corpus(B) ->
    lists:flatten([activations(B), networks(B), scalars(B), cells(B)]).

activations(B) ->
    Xs = args(1, 64) ++ [0.0, -0.0, 1.0e-300, -1.0e-10, 0.5, 700.0, -700.0, 1.0e6, -3.0e5],
    [call(B, activate_batch, [Xs, A]) || A <- activations()].

%% Per activation: 2 inputs, 2 hidden nodes, 1 output with a self-loop.
networks(B) ->
    Rows = [args(100 + 2 * R, 2) || R <- lists:seq(0, 7)],
    [begin
         Nodes = [{0, input, linear, 0.0, []}, {1, input, linear, 0.0, []},
                  {2, hidden, A, 0.25, [{0, 0.7}, {1, -1.3}]},
                  {3, hidden, A, -0.5, [{0, 1.9}, {1, 0.4}, {2, 0.6}]},
                  {4, output, A, 0.1, [{2, 1.1}, {3, -0.8}, {4, 0.3}]}],
         N = call(B, compile_network, [Nodes, 2, [4]]),
         [[call(B, evaluate, [N, Row]) || Row <- Rows], call(B, evaluate_batch, [N, Rows])]
     end || A <- activations()].

scalars(B) ->
    Ins = args(200, 12),
    [[tuple_to_list(call(B, evaluate_cfc, [In, S, T, 5.0]))
      || {In, S, T} <- lists:zip3(Ins, args(300, 12), [0.5, 1.0, 2.0, 0.1, 3.0, 0.7,
                                                         1.5, 0.2, 4.0, 0.9, 1.1, 0.05])],
     [tuple_to_list(call(B, evaluate_cfc_with_weights, [In, 0.3, 1.0, 5.0, [0.5, 0.25, -0.1],
                                                        [1.5, -0.2]])) || In <- Ins],
     [tuple_to_list(call(B, evaluate_ode, [In, 0.2, 0.8, 5.0, 0.1])) || In <- Ins],
     [tuple_to_list(call(B, evaluate_ode_with_weights, [In, -0.4, 0.8, 5.0, 0.05,
                                                        [0.9, -0.3], [1.2, 0.1]])) || In <- Ins],
     [[tuple_to_list(P) || P <- call(B, evaluate_cfc_batch, [Ins, 0.1, 0.6, 3.0])]]].

cells(B) ->
    Cfc = [#{input_size => 3, hidden_size => 4, backbone_units => 6, mode => M,
             backbone_layers => 1, backbone_activation => Act}
           || {M, Act} <- [{default, lecun_tanh}, {pure, tanh}, {no_gate, silu},
                           {default, gelu}, {default, relu}]],
    Ltc = [#{input_size => 3, units => 5, motor_size => 2, positivity => P, input_mapping => affine}
           || P <- [softplus, identity]],
    [[step(B, cfc_cell, Cfg, tweann_ref_cfc:param_len(Cfg), 4) || Cfg <- Cfc],
     [step(B, ltc_cell, Cfg, tweann_ref_ltc:param_len(Cfg), 5) || Cfg <- Ltc]].

%% Two rows of one step: params scaled to about [-1.2, 1.2].
step(B, New, Cfg, Len, NS) ->
    Cell = call(B, New, [Cfg, [X / 10.0 || X <- args(400, Len)]]),
    Inputs = [args(1000, 3), args(1003, 3)],
    States = [[X / 5.0 || X <- args(1010, NS)], [X / 5.0 || X <- args(1020, NS)]],
    {Outs, News} = call(B, cell_step, [Cell, Inputs, States, [0.5, 1.3]]),
    [Outs, News].

%%--------------------------------------------------------------------
%% The evolution kernels (native/tweann_core/tests/golden.rs builds the
%% same corpus in the same order). Indices and counts count as floats.
%%--------------------------------------------------------------------

evolution(B) ->
    lists:flatten([novelty(B), stats(B), selection(B), rewards(B)]).

%% N vectors of dimension Dim.
vecs(From, N, Dim) -> [args(From + Dim * I, Dim) || I <- lists:seq(0, N - 1)].

novelty(B) ->
    Pop = vecs(2100, 12, 8),
    %% the archive holds a copy of the first behaviour (a distance of 0)
    Arch = vecs(2300, 20, 8) ++ [hd(Pop)],
    Pairs = [{args(2500 + D, D), args(2600 + D, D)} || D <- [1, 2, 3, 8, 13]],
    [[call(B, euclidean_distance, [V1, V2]) || {V1, V2} <- Pairs],
     [[float(I), D] || {I, D} <- call(B, euclidean_distance_batch, [args(2000, 8), Pop ++ Arch])],
     [call(B, knn_novelty, [T, Pop, Arch, K]) || T <- [hd(Pop), args(2000, 8)], K <- [1, 3, 15, 100]],
     [call(B, knn_novelty_batch, [Pop, Arch, K]) || K <- [1, 5, 40]]].

stats(B) ->
    Fs = args(3000, 100),
    Pos = [abs(X) || X <- args(3100, 50)],
    [[tuple_to_list(call(B, fitness_stats, [F])) || F <- [Fs, lists:sublist(Fs, 7), Pos]],
     [call(B, weighted_moving_average, [Fs, D]) || D <- [0.9, 0.5, 1.0, 1.05]],
     [call(B, shannon_entropy, [V]) || V <- [Fs, Pos, lists:sublist(Pos, 3), [1.0e-300, 1.0, 2.5]]],
     [[float(C) || C <- call(B, histogram, [Fs, N, Lo, Hi])]
      || {N, Lo, Hi} <- [{20, -10.0, 10.0}, {7, -3.5, 11.0}, {3, 0.0, 1.0}]]].

selection(B) ->
    Fs = args(4000, 60),
    {C, T} = call(B, build_cumulative_fitness, [Fs]),
    {C2, T2} = call(B, build_cumulative_fitness, [[abs(X) || X <- Fs]]),
    Rs = [(K * 37 rem 101) / 100.0 || K <- lists:seq(1, 40)],
    [C, T, C2, T2,
     [float(call(B, roulette_select, [C, T, R])) || R <- lists:sublist(Rs, 10)],
     [float(I) || I <- call(B, roulette_select_batch, [C2, T2, Rs])],
     [float(call(B, tournament_select, [Cs, Fs]))
      || Cs <- [[0], [3, 17, 42], [59, 1, 2, 3, 4, 5], [7, 7], lists:seq(0, 59)]]].

rewards(B) ->
    %% histories of 0 to 8 values
    Hs = [args(5000 + 10 * I, I) || I <- lists:seq(0, 8)],
    Cs = args(5200, 9),
    [[call(B, z_score, [V, M, S])
      || {V, M, S} <- lists:zip3(args(5300, 6), args(5310, 6), args(5320, 6))],
     [tuple_to_list(call(B, compute_reward_component, [H, C])) || {H, C} <- lists:zip(Hs, Cs)],
     call(B, compute_weighted_reward, [lists:zip3(Hs, Cs, args(5400, 9))])].

%%--------------------------------------------------------------------
%% The seeded weight kernels and faber-tweann's CfC population
%% (native/tweann_core/tests/golden.rs, weights_part, in the same order):
%% for seeds 0, 1, 42 and 2^64 - 1, 100 uniform weights; 1000 Gaussian
%% draws (zeros mutated with rates 1 and strength 1, enough to reach the
%% Ziggurat's tail and wedges); 50 weights mutated; then two distances and
%% one step of three 2-3-2 CfC networks.
%%--------------------------------------------------------------------

weights(B) ->
    Seeds = [0, 1, 42, 16#FFFFFFFFFFFFFFFF],
    Zeros = lists:duplicate(1000, 0.0),
    W = args(6000, 50),
    Pop = call(B, compile_cfc_pop,
               [[args(6100 + 17 * I, 17) || I <- lists:seq(0, 2)],
                [[abs(X) / 3.0 + 0.1 || X <- args(6200 + 3 * I, 3)] || I <- lists:seq(0, 2)],
                2, 3, 2, 1.5]),
    {Outs, News} = call(B, cfc_pop_step,
                        [Pop, [args(6300 + 3 * I, 3) || I <- lists:seq(0, 2)],
                         [args(6400 + 2 * I, 2) || I <- lists:seq(0, 2)]]),
    lists:flatten(
      [[call(B, random_weights_seeded, [100, S]) || S <- Seeds],
       [call(B, mutate_weights_seeded, [Zeros, 1.0, 1.0, 1.0, S]) || S <- Seeds],
       [call(B, mutate_weights_seeded, [W, 0.5, 0.8, 0.3, S]) || S <- Seeds],
       call(B, weight_distance_l1, [W, args(6050, 50)]),
       call(B, weight_distance_l2, [W, args(6050, 50)]),
       Outs, News]).
