%% The generators of tweann_hostile_tests: hostile leaves and terms (every
%% boundary number, odd binaries, improper and deep terms), half-valid
%% arguments for each exported function of tweann_nif (valid/3, which
%% answers no_generator for a function it does not know), one random
%% argument replaced by a hostile term (args/3); the large arguments are
%% tweann_hostile_large's.
%% Arguments may stand for huge terms through shared subterms, equal but
%% distinct large ids, repeated indices and huge counts.
-module(tweann_hostile_gen).

-export([valid/3, args/3, sanitize/2, improper/2, nan/0, f64/1, pool/0]).

-define(ACTS, [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin,
               trinary, multiquadric, quadratic, cubic, absolute, sqrt, log]).

%%--------------------------------------------------------------------
%% Hostile leaves and terms
%%--------------------------------------------------------------------

pick(L) -> lists:nth(rand:uniform(length(L)), L).

f64(X) -> <<X:64/float-native>>.

nan() -> <<16#7FF8000000000001:64/native>>.
pos_inf() -> <<16#7FF0000000000000:64/native>>.
neg_inf() -> <<16#FFF0000000000000:64/native>>.

%% Numbers at every boundary the decoders care about.
int() ->
    pick([0, 1, -1, 2, 7, 255, 256, 65535, 1 bsl 31, (1 bsl 32) - 2, (1 bsl 32) - 1, 1 bsl 32,
          (1 bsl 53) + 1, (1 bsl 63) - 1, 1 bsl 63, (1 bsl 64) - 1, 1 bsl 64, 1 bsl 1000,
          -(1 bsl 63), -(1 bsl 64), -(1 bsl 1000), rand:uniform(100), -rand:uniform(100),
          rand:uniform(1 bsl 40)]).

float() ->
    pick([0.0, -0.0, 1.0, -1.0, 0.5, 1.0e308, -1.0e308, 1.7976931348623157e308, 5.0e-324,
          -5.0e-324, 2.2250738585072014e-308, 1.0e-300, 1.0e300, 3.0e154, 0.33, -0.33, 10.0,
          rand:uniform() * 4 - 2, rand:normal() * 1.0e6]).

atom() ->
    pick([a, undefined, true, false, nil, nan, infinity, '-infinity', default, input, hidden,
          output, bias, cfc, ltc, neuron, delay, leaky, organelles, forward_refs, '', 'ünïcødé',
          '$tweann_dirty', error, badarg | ?ACTS]).

odd_binary() ->
    pick([<<>>, <<1>>, <<1, 2, 3>>, <<0:56>>, <<0:72>>, crypto_free_bytes(rand:uniform(40)),
          f64(1.0), nan(), pos_inf(), neg_inf(), <<(f64(1.0))/binary, (nan())/binary>>,
          <<(f64(0.5))/binary, (pos_inf())/binary, (f64(2.0))/binary>>,
          <<(f64(1.0))/binary, 7>>, <<1:3>>, <<0:67>>,
          %% a sub-binary at an odd offset
          begin <<_:8, Sub:16/binary, _/binary>> = crypto_free_bytes(40), Sub end,
          binary:copy(f64(0.25), rand:uniform(20))]).

crypto_free_bytes(N) -> << <<(rand:uniform(256) - 1)>> || _ <- lists:seq(1, N) >>.

leaf() ->
    case rand:uniform(12) of
        1 -> int();
        2 -> int();
        3 -> float();
        4 -> float();
        5 -> atom();
        6 -> odd_binary();
        7 -> pick([self(), make_ref(), fun() -> ok end, fun lists:map/2, #{}, #{a => 1}, {}, [], "str"]);
        8 -> pick([hd(erlang:ports()), list_to_pid("<0.0.0>"), node()]);
        9 -> pick([nan(), pos_inf(), neg_inf()]);
        10 -> f64(float());
        11 -> [float() || _ <- lists:seq(1, rand:uniform(6))];
        12 -> [int() || _ <- lists:seq(1, rand:uniform(6))]
    end.

%% A random term of bounded depth.
term(0) -> leaf();
term(D) ->
    case rand:uniform(12) of
        1 -> [term(D - 1) || _ <- lists:seq(1, rand:uniform(5) - 1)];
        2 -> improper([term(D - 1) || _ <- lists:seq(1, rand:uniform(4))], term(0));
        3 -> list_to_tuple([term(D - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)]);
        4 -> deep(rand:uniform(5000), pick([list, tuple, cons]));
        5 -> #{term(0) => term(D - 1)};
        6 -> [{int(), term(D - 1)} || _ <- lists:seq(1, rand:uniform(4))];
        7 -> {atom(), term(D - 1)};
        _ -> leaf()
    end.

is_proper([_ | T]) -> is_proper(T);
is_proper([]) -> true;
is_proper(_) -> false.

improper(L, Tail) -> lists:foldr(fun(X, Acc) -> [X | Acc] end, Tail, L).

%% Deeply nested terms: [[[...]]], {{{...}}}, [1 | [2 | ...]] with a bad tail.
deep(0, _) -> 1.0;
deep(N, list) -> [deep(N - 1, list)];
deep(N, tuple) -> {deep(N - 1, tuple)};
deep(N, cons) -> lists:foldl(fun(X, Acc) -> [X | Acc] end, bad_tail, lists:seq(1, N)).

%%--------------------------------------------------------------------
%% Half-valid arguments (to reach the deep decoding paths), then mutation
%%--------------------------------------------------------------------

num() -> case rand:uniform(3) of 1 -> rand:uniform(5) - 3; _ -> rand:uniform() * 4 - 2 end.

nums(N) -> [num() || _ <- lists:seq(1, N)].

%% A small term that stands for a huge one: many references to one large
%% subterm (the decoders must count every reference).
shared(Elem) -> lists:duplicate(pick([1000, 30000, 300000]), Elem).

%% Usually L; one time in 20, many copies of Elem.
some_shared(L, Elem) ->
    case rand:uniform(20) of
        1 -> lists:duplicate(pick([1000, 30000]), Elem);
        _ -> L
    end.

%% Two equal but distinct large terms (=:= must compare them in full).
twin_ids() ->
    N = pick([1000, 10000, 100000]),
    {lists:seq(1, N), lists:seq(1, N)}.

%% Integers far outside every range an argument has.
huge_count() -> pick([4294967295, 1 bsl 32, 10000001, 1 bsl 64, 1 bsl 100]).

index() ->
    case rand:uniform(10) of
        1 -> int();
        _ -> rand:uniform(12) - 1
    end.

node_type() ->
    case rand:uniform(11) of
        1 -> {cfc, num(), num()};
        2 -> {ltc, num(), num()};
        3 -> input;
        4 -> pick([output, bias, neuron]);
        5 -> delay;
        6 -> {leaky, num()};
        7 -> pick([{leaky, num(), num()}, {delay, num()}, standard]);
        _ -> hidden
    end.

%% A network spec that may be valid or subtly wrong: indices from a small
%% range (duplicates happen), connections to anything (forward references,
%% self loops and cycles claimed as topological order), boundary indices,
%% inputs with connections, a claimed InputCount that may not match.
spec() ->
    N = rand:uniform(10) - 1,
    Idx = case rand:uniform(6) of
              1 -> [index() || _ <- lists:seq(1, N)];
              2 -> [(1 bsl 32) - 2 - K || K <- lists:seq(0, N - 1)];   %% at the index ceiling
              _ -> lists:seq(0, N - 1)
          end,
    Nodes = [{I, node_type(), pick(?ACTS), num(),
              [{case rand:uniform(8) of 1 -> index(); _ -> pick(Idx) end, num()}
               || _ <- lists:seq(1, rand:uniform(5) - 1), Idx =/= []]}
             || I <- Idx],
    NIn = length([x || {_, input, _, _, _} <- Nodes]) + pick([0, 0, 0, 1, -1]),
    Outs = case rand:uniform(20) of
               %% Repeated output indices: the outputs of one row are many.
               1 when Idx =/= [] -> lists:duplicate(pick([1000, 20000]), pick(Idx));
               _ -> [case rand:uniform(6) of 1 -> index(); _ -> pick(Idx) end
                     || _ <- lists:seq(1, rand:uniform(3)), Idx =/= []]
           end,
    case rand:uniform(40) of
        %% Nodes sharing one long connection list.
        1 when Idx =/= [] ->
            Conns = [{pick(Idx), num()} || _ <- lists:seq(1, 5000)],
            [[{I, hidden, tanh, 0.0, Conns} || I <- lists:seq(100, 199)] ++ Nodes, NIn, Outs];
        _ ->
            [Nodes, NIn, Outs]
    end.

%% A pool of compiled networks (and some non-networks) to evaluate.
net({Nets, _Cells}) ->
    case rand:uniform(6) of
        1 -> term(1);
        _ -> pick(Nets)
    end.

inputs() ->
    case rand:uniform(4) of
        1 -> << <<(f64(X))/binary>> || X <- [float(num()) || _ <- lists:seq(1, rand:uniform(5) - 1)] >>;
        _ -> nums(rand:uniform(5) - 1)
    end.

genes() -> [{case rand:uniform(10) of 1 -> int(); _ -> rand:uniform(30) end, num()}
            || _ <- lists:seq(1, rand:uniform(8) - 1)].

wspec() -> case rand:uniform(3) of 1 -> num(); 2 -> {num(), 0.0, 0.1, []}; 3 -> {num()} end.

weighted(Ids) -> [{Id, [wspec() || _ <- lists:seq(1, rand:uniform(3))]} || Id <- Ids]
                 ++ case rand:uniform(2) of 1 -> [{bias, [wspec()]}]; 2 -> [] end.

%% Plausible arguments for each exported function.
valid(compile_network, 3, _) -> spec();
valid(compile_network, 4, _) -> spec() ++ [pick([#{}, #{memory_budget => int()}, #{memory_budget => 64},
                                                  #{memory_budget => default}, #{other => 1},
                                                  #{memory_budget => (1 bsl 64) - 1},
                                                  #{memory_budget => huge_count()},
                                                  #{state_model => pick([organelles, forward_refs,
                                                                         atom()])},
                                                  #{state_model => forward_refs,
                                                    memory_budget => 1 bsl 20}])];
valid(evaluate, 2, P) -> [net(P), inputs()];
valid(evaluate_batch, 2, P) ->
    [net(P), case rand:uniform(20) of
                 1 -> shared(pick([[0.5], [0.5, 0.5], f64(0.5)]));
                 N when N =< 7 -> << <<(f64(float(num())))/binary>> || _ <- lists:seq(1, rand:uniform(12) - 1) >>;
                 _ -> [inputs() || _ <- lists:seq(1, rand:uniform(4) - 1)]
             end];
valid(evaluate_with_state, 3, P) -> [net(P), inputs(), pick([[], nums(rand:uniform(4)), inputs()])];
valid(network_info, 1, P) -> [net(P)];
valid(benchmark_evaluate, 3, P) -> [net(P), inputs(), pick([1, 2, 10, 0, -1, huge_count()])];
valid(dot_product, 2, _) ->
    case rand:uniform(20) of
        1 ->
            %% Equal but distinct large ids, in entries that share them.
            {A, B} = twin_ids(),
            K = pick([1, 3]),
            [lists:duplicate(K, {A, [0.5]}), lists:duplicate(K, {B, [wspec()]})];
        2 ->
            %% Entries sharing one signal list (streamed: no memory to
            %% count, but time to charge).
            L = nums(100),
            N = pick([1000, 10000]),
            [lists:duplicate(N, {a, L}), lists:duplicate(N, {a, L})];
        _ ->
            Ids = [pick([a, b, 1, {x}]) || _ <- lists:seq(1, rand:uniform(3))],
            [[{Id, nums(rand:uniform(3))} || Id <- Ids], weighted(Ids)]
    end;
valid(dot_product_flat, 3, _) -> N = rand:uniform(5) - 1, [nums(N), nums(N + pick([0, 0, 1])), num()];
valid(dot_product_batch, 1, _) ->
    case rand:uniform(20) of
        1 -> L = nums(100), [lists:duplicate(pick([1000, 10000]), {L, L, num()})];
        _ -> [[begin N = rand:uniform(4) - 1, {nums(N), nums(N), num()} end
               || _ <- lists:seq(1, rand:uniform(3))]]
    end;
valid(flatten_weights, 1, _) ->
    case rand:uniform(20) of
        1 -> [shared({a, [wspec() || _ <- lists:seq(1, 1000)]})];
        _ -> [weighted([a, b])]
    end;
valid(activate_batch, 2, _) ->
    case rand:uniform(20) of
        %% Many bignums (each converted as float/1 does, or refused).
        1 -> [lists:duplicate(pick([1000, 100000]), pick([1 bsl 64, 1 bsl 1000, 1 bsl 1024, -(1 bsl 100)])),
              pick(?ACTS)];
        _ -> [inputs(), pick(?ACTS)]
    end;
valid(compatibility_distance, 5, _) -> [genes(), genes(), num(), num(), num()];
valid(evaluate_cfc, 4, _) -> [num(), num(), num(), num()];
valid(evaluate_cfc_with_weights, 6, _) -> [num(), num(), num(), num(), nums(rand:uniform(4) - 1), nums(rand:uniform(4) - 1)];
valid(evaluate_ode, 5, _) -> [num(), num(), num(), num(), num()];
valid(evaluate_ode_with_weights, 7, _) ->
    [num(), num(), num(), num(), num(), nums(rand:uniform(4) - 1), nums(rand:uniform(4) - 1)];
valid(evaluate_cfc_batch, 4, _) -> [inputs(), num(), num(), num()];
valid(cfc_cell, 2, _) -> [cfc_config(), params(84)];
valid(ltc_cell, 2, _) -> [ltc_config(), params(94)];
valid(cfc_population, 2, _) -> [cfc_config(), population(84)];
valid(ltc_population, 2, _) -> [ltc_config(), population(94)];
valid(cell_step, 4, P) ->
    case rand:uniform(20) of
        1 -> [cell(P), shared(pick([nums(2), f64s(2)])), shared(nums(3)), dts()];
        _ -> [cell(P), rows(2), rows(3), dts()]
    end;
valid(cell_sequence, 4, P) ->
    case rand:uniform(20) of
        1 ->
            Seq = shared(nums(2)),
            B = pick([1, 1000]),
            [cell(P), lists:duplicate(B, Seq), lists:duplicate(B, nums(3)), dts()];
        _ ->
            B = rand:uniform(2), L = rand:uniform(3),
            [cell(P), [rows(2, L) || _ <- lists:seq(1, B)], rows(3, B),
             pick([dts(), [nums(L) || _ <- lists:seq(1, B)]])]
    end;
valid(cell_info, 1, P) -> [cell(P)];
valid(network_to_binary, 1, P) -> [pick([net(P), cell(P)])];
valid(network_from_binary, 1, P) -> [blob(P)];
valid(cell_to_binary, 1, P) -> [pick([cell(P), net(P)])];
valid(cell_from_binary, 1, P) -> [blob(P)];
valid(set_memory_budget, 1, _) -> [pick([default, 1 bsl 30, 1, 4096, (1 bsl 64) - 1, huge_count()])];
valid(memory_stats, 0, _) -> [];
valid(build_info, 0, _) -> [];
valid(is_loaded, 0, _) -> [];
%% faber-tweann's evolution kernels (novelty, statistics, selection, rewards).
valid(euclidean_distance, 2, _) -> N = rand:uniform(4) - 1, [nums(N), nums(N + pick([0, 0, 1]))];
valid(euclidean_distance_batch, 2, _) -> D = rand:uniform(3), [nums(D), some_shared(vecs(D), nums(D))];
valid(knn_novelty, 4, _) ->
    D = rand:uniform(3), [nums(D), some_shared(vecs(D), nums(D)), vecs(D), pick([1, 2, 5, 0, -1, huge_count()])];
%% (shared behaviours: 1000 at most, the work is quadratic)
valid(knn_novelty_batch, 3, _) ->
    D = rand:uniform(3),
    [case rand:uniform(20) of 1 -> lists:duplicate(1000, nums(D)); _ -> vecs(D) end, vecs(D),
     pick([1, 2, 5, 0, huge_count()])];
valid(fitness_stats, 1, _) -> [inputs()];
valid(weighted_moving_average, 2, _) -> [inputs(), num()];
valid(shannon_entropy, 1, _) -> [inputs()];
valid(histogram, 4, _) -> [inputs(), pick([0, 1, 3, 10, -1, 1 bsl 40, huge_count()]), num(), num()];
valid(build_cumulative_fitness, 1, _) -> [inputs()];
valid(roulette_select, 3, _) -> [cumulative(), num(), num()];
valid(roulette_select_batch, 3, _) -> [cumulative(), num(), inputs()];
valid(tournament_select, 2, _) -> [[rand:uniform(6) - 1 || _ <- lists:seq(1, rand:uniform(4) - 1)], nums(rand:uniform(6) - 1)];
valid(z_score, 3, _) -> [num(), num(), pick([num(), 0.0, 1.0e-11])];
valid(compute_reward_component, 2, _) -> [inputs(), num()];
valid(compute_weighted_reward, 1, _) ->
    [some_shared([{inputs(), num(), num()} || _ <- lists:seq(1, rand:uniform(3) - 1)], {nums(100), num(), num()})];

%% faber-tweann's weight kernels and CfC population.
valid(mutate_weights, 4, _) -> [inputs(), prob(), prob(), num()];
valid(mutate_weights_seeded, 5, _) -> [inputs(), prob(), prob(), num(), seed()];
valid(mutate_weights_batch, 1, _) ->
    [some_shared([{inputs(), prob(), prob(), num()} || _ <- lists:seq(1, rand:uniform(3) - 1)],
                 {nums(100), prob(), prob(), num()})];
valid(mutate_weights_batch_uniform, 4, _) ->
    [some_shared([inputs() || _ <- lists:seq(1, rand:uniform(3) - 1)], nums(100)), prob(), prob(), num()];
valid(random_weights, 1, _) -> [pick([0, 1, 10, 100, -1, 1.0, huge_count()])];
valid(random_weights_seeded, 2, _) -> [pick([0, 1, 10, -1, huge_count()]), seed()];
valid(random_weights_gaussian, 3, _) -> [pick([0, 1, 10, -1, huge_count()]), num(), num()];
valid(random_weights_batch, 1, _) ->
    [some_shared([{pick([0, 1, 5]), num(), num()} || _ <- lists:seq(1, rand:uniform(3) - 1)],
                 {pick([1000, huge_count()]), num(), num()})];
valid(F, 2, _) when F =:= weight_distance_l1; F =:= weight_distance_l2 ->
    N = rand:uniform(5) - 1, [nums(N), pick([nums(N), nums(N + 1), inputs()])];
valid(weight_distance_batch, 3, _) ->
    N = rand:uniform(4) - 1,
    [nums(N), some_shared([nums(N) || _ <- lists:seq(1, rand:uniform(3) - 1)], nums(N)), pick([l1, l2, l3])];
valid(dot_product_preflattened, 3, _) -> N = rand:uniform(5) - 1, [nums(N), nums(N + pick([0, 0, 1])), num()];
valid(compile_cfc_pop, 6, _) ->
    case rand:uniform(20) of
        1 ->
            %% Many networks sharing one row of weights and one of taus.
            Row = nums(17), Taus = nums(3),
            N = pick([1000, 30000]),
            [lists:duplicate(N, Row), lists:duplicate(N, Taus), 2, 3, 2, num()];
        2 ->
            [[], [], huge_count(), huge_count(), huge_count(), num()];
        _ ->
            P = rand:uniform(3) - 1,
            [[nums(pick([17, 17, 16])) || _ <- lists:seq(1, P)], [nums(pick([3, 3, 2])) || _ <- lists:seq(1, P)],
             2, 3, 2, num()]
    end;
valid(cfc_pop_step, 3, P) -> [cell(P), rows(3, 2), rows(2, 2)];
valid(impl, 0, _) -> [];
%% A function added later must get its generator here (generators_test).
valid(_, _, _) -> no_generator.

%% A binary of either format, intact, corrupted (one byte changed),
%% truncated or extended, or a term that is not a binary.
blob(P) ->
    Bin = try tweann_nif:network_to_binary(net(P))
          catch error:badarg -> try tweann_nif:cell_to_binary(cell(P))
                                catch error:badarg -> <<"TWNN">> end
          end,
    case rand:uniform(5) of
        1 -> Bin;
        2 -> K = rand:uniform(byte_size(Bin)) - 1,
             <<H:K/binary, B, T/binary>> = Bin,
             <<H/binary, (B bxor (1 bsl (rand:uniform(8) - 1))), T/binary>>;
        3 -> binary:part(Bin, 0, rand:uniform(byte_size(Bin)) - 1);
        4 -> <<Bin/binary, 0>>;
        5 -> pick([foo, [], 1.0, <<>>])
    end.

vecs(D) -> [nums(D) || _ <- lists:seq(1, rand:uniform(4) - 1)].

cumulative() ->
    {C, _} = tweann_ref_selection:build_cumulative_fitness([abs(X) || X <- nums(rand:uniform(5) - 1)]),
    C.
prob() -> pick([0, 1, 0.5, rand:uniform(), 1.5, -0.1]).

seed() -> pick([0, 1, 42, (1 bsl 64) - 1, -1, 1 bsl 64, 1.0]).

cfc_config() ->
    maps:from_list([{input_size, pick([2, 2, 2, 0, 1 bsl 40, 1 bsl 31])}, {hidden_size, pick([3, 3, 0, -1])},
                    {backbone_units, pick([4, 4, 0])}]
                   ++ [{backbone_layers, pick([1, 0, 1 bsl 32, 4294967295])} || rand:uniform(6) =:= 1]
                   ++ [{mode, pick([default, pure, no_gate, bogus])} || rand:uniform(3) =:= 1]
                   ++ [{backbone_activation, pick([lecun_tanh, tanh, relu, silu, gelu, nope])} || rand:uniform(3) =:= 1]).

ltc_config() ->
    maps:from_list([{input_size, pick([2, 2, 2, 0])}, {units, pick([3, 3, 0, 1 bsl 40])}]
                   ++ [{positivity, pick([softplus, identity, nope])} || rand:uniform(3) =:= 1]
                   ++ [{ode_unfolds, pick([6, 1, 0, -1, 10000, 10001, 4294967295, 1 bsl 64])}
                       || rand:uniform(3) =:= 1]).

params(N) ->
    Len = pick([N, N, N, N - 1, N + 1, 0]),
    case rand:uniform(3) of
        1 -> << <<(f64(float(num()) / 10))/binary>> || _ <- lists:seq(1, Len) >>;
        _ -> [num() / 10 || _ <- lists:seq(1, Len)]
    end.

%% The members' parameters: a few, or many sharing one binary.
population(Len) ->
    case rand:uniform(20) of
        1 -> shared(f64s(Len));
        _ -> [params(Len) || _ <- lists:seq(1, rand:uniform(3) - 1)]
    end.

f64s(N) -> << <<(f64(float(num()) / 10))/binary>> || _ <- lists:seq(1, N) >>.

cell({_Nets, Cells}) -> case rand:uniform(6) of 1 -> term(1); _ -> pick(Cells) end.

rows(W) -> rows(W, rand:uniform(3) - 1).
rows(W, B) -> [nums(W) || _ <- lists:seq(1, B)].

dts() -> pick([1.0, 0.5, 0, -1.0, [1.0], [1.0, 0.5], f64(1.0)]).

%% Replace one random subterm of T with a hostile term.
mutate(T) ->
    case rand:uniform(4) of
        1 -> term(3);
        _ -> mutate_inside(T)
    end.

mutate_inside(L) when is_list(L), L =/= [] ->
    case is_proper(L) andalso rand:uniform(5) of
        false -> term(2);
        1 -> improper(L, term(1));
        _ ->
            K = rand:uniform(length(L)),
            {A, [X | B]} = lists:split(K - 1, L),
            A ++ [mutate(X) | B]
    end;
mutate_inside(T) when is_tuple(T), tuple_size(T) > 0 ->
    K = rand:uniform(tuple_size(T)),
    setelement(K, T, mutate(element(K, T)));
mutate_inside(_) -> term(2).

%% The valid networks and cells the generators pick from ({Nets, Cells},
%% the Pool argument of valid/3 and args/3): small, empty, sparse indices
%% with a liquid node and a delay of overflow, 2000 repeated outputs.
pool() ->
    Pool0 = [[{0, input, linear, 0, []}, {1, output, tanh, 0.1, [{0, 0.5}, {1, 0.25}]}], 1, [1]],
    Nets = [apply(tweann_nif, compile_network, Pool0),
            tweann_nif:compile_network([], 0, []),
            tweann_nif:compile_network([{5, input, linear, 0, []}, {3, input, linear, 0, []},
                                        {9, {cfc, 1.0, 1.0}, tanh, 0.0, [{5, 1.0}, {3, -1.0}, {9, 0.5}]},
                                        {2, output, cubic, 0.0, [{9, 1.0e100}, {2, 1.0}]}], 2, [9, 2, 2]),
            %% 2000 repeated output indices.
            tweann_nif:compile_network([{0, input, linear, 0, []}, {1, output, tanh, 0.1, [{0, 0.5}]}],
                                       1, lists:duplicate(2000, 1))],
    Cells = [tweann_nif:cfc_cell(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                                 [0.01 * (I rem 7) || I <- lists:seq(1, 84)]),
             tweann_nif:ltc_cell(#{input_size => 2, units => 3}, [0.01 * (I rem 5) || I <- lists:seq(1, 94)]),
             tweann_nif:cfc_population(#{input_size => 2, hidden_size => 3, backbone_units => 4},
                                       [[0.02 * (I rem 3) || I <- lists:seq(1, 84)] || _ <- [1, 2]]),
             %% faber-tweann's CfC population: 2 networks 2 -> [3] -> 2.
             tweann_nif:compile_cfc_pop([[0.1 * (I rem 5) || I <- lists:seq(1, 17)] || _ <- [1, 2]],
                                        [[1.0, 0.5, 2.0], [0.1, 1.0, 3.0]], 2, 3, 2, 1.0)],
    {Nets, Cells}.

args(F, Arity, Pool) ->
    Valid = valid(F, Arity, Pool),
    case rand:uniform(10) of
        1 -> [term(3) || _ <- lists:seq(1, Arity)];            %% all random
        N when N =< 3 -> Valid;                                 %% as generated
        _ when Arity =:= 0 -> [];
        _ ->                                                    %% one argument (sub)term replaced
            K = rand:uniform(Arity),
            {A, [X | B]} = lists:split(K - 1, Valid),
            A ++ [mutate(X) | B]
    end.

%% benchmark_evaluate/3 with a valid network and a large valid iteration
%% count legitimately runs for a long time: cap a valid count at 10 (counts
%% beyond the valid range pass through: they must be refused).
sanitize(benchmark_evaluate, [N, I, It]) when is_integer(It), It > 10, It =< 10000000 ->
    [N, I, 10];
sanitize(_, Args) -> Args.
