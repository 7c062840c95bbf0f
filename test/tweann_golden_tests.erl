%% Golden determinism test: a fixed corpus (networks with every activation,
%% evaluate and evaluate_batch, CfC and LTC cell steps, the scalar kernels,
%% activate_batch) whose result bits are hashed. The expected hash is
%% committed here: the NIF and the pure Erlang reference must both give it,
%% on every host (the transcendental functions are the library's own, never
%% the C library's). A deliberate change of results changes the hash.
-module(tweann_golden_tests).

-include_lib("eunit/include/eunit.hrl").

%% erlang:crc32 of the concatenated <<X:64/float-little>> of every result.
-define(GOLDEN, 307729324).

nif_golden_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN, hash(tweann_nif)) end}.

ref_golden_test_() ->
    {timeout, 120, fun() -> ?assertEqual(?GOLDEN, hash(ref)) end}.

%% The hash of backend B's corpus results (printed, to update ?GOLDEN).
hash(B) ->
    Floats = corpus(B),
    H = erlang:crc32(<< <<X:64/float-little>> || X <- Floats >>),
    io:format(user, "golden ~p: ~b floats, crc32 ~b~n", [B, length(Floats), H]),
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
