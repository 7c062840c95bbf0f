%% faber-tweann's batched CfC population (compile_cfc_pop/6,
%% cfc_pop_step/3) through the NIF: faber-tweann's numbers (vectors
%% recorded from its 2.4 NIF, tolerance 1e-9 relative / 1e-12 absolute),
%% bit-identical agreement with the Erlang reference (tweann_ref_cfcpop) over
%% generated populations and steps, a lockstep run in the shape of their
%% validation test, resource accounting, and the strict checks where their
%% NIF panics or truncates.
-module(tweann_cfcpop_tests).

-include_lib("eunit/include/eunit.hrl").

%% outcome/1: {ok, Bits} | {error, Class, Position}, from tweann_nif's
%% public errors or the reference twin's internal
%% error:{tweann_error, Class, Position, Why}.
-import(tweann_oracle, [bits/1, outcome/1]).

close(Got, Want) -> abs(Got - Want) =< 1.0e-9 * abs(Want) + 1.0e-12.

%%--------------------------------------------------------------------
%% faber-tweann's numbers
%%--------------------------------------------------------------------

%% Two networks 2 -> [3 CfC] -> 2, Bound 0.8 (states saturate), one tau
%% below the 0.001 floor; three steps from S0 with the same inputs. The
%% expected values are faber-tweann 2.4's faber_nn_nifs:cfc_pop_step/3
%% results on these arguments.
faber_vector() ->
    W = fun(P) -> [((K * 7 + P * 3) rem 11 - 5) / 4 || K <- lists:seq(1, 17)] end,
    {[W(1), W(2)], [[0.5, 0.0005, 2.0], [1.0, 3.0, 0.05]],
     [[0.1, -0.2, 0.3], [0.0, 0.5, -0.7]], [[1.0, -2.0], [0.25, 4.0]],
     [{[[0.8087163154355821, -0.15019637737823432], [0.9805278616715747, 0.8482857392445533]],
       [[0.8, -0.2000360937913191, 0.49863159008954194], [0.8, 0.14424563032483173, -0.7000074864089794]]},
      {[[0.8409655120200054, -0.07028889040898116], [0.977730923464966, 0.848287838409629]],
       [[0.8, -0.20007218594405696, 0.5795408710372445], [0.8, -0.12703200815254326, -0.7000149724780917]]},
      {[[0.8526215342335846, -0.03740341181176788], [0.9753344967506096, 0.848289937452748]],
       [[0.8, -0.20010827645828802, 0.6124979235409436], [0.8, -0.3338925934632908, -0.7000224582073525]]}]}.

faber_numbers_test() ->
    {Ws, Ts, S0, X, Want} = faber_vector(),
    [begin
         Pop = M:compile_cfc_pop(Ws, Ts, 2, 3, 2, 0.8),
         {_, Got} = lists:foldl(fun(_, {S, Acc}) ->
                                        {O, S1} = M:cfc_pop_step(Pop, S, X),
                                        {S1, Acc ++ [{O, S1}]}
                                end, {S0, []}, [1, 2, 3]),
         Flat = fun(L) -> lists:flatten([[O, S] || {O, S} <- L]) end,
         ?assertEqual(length(Flat(Want)), length(Flat(Got))),
         [?assert(close(G, E)) || {G, E} <- lists:zip(Flat(Got), Flat(Want))]
     end || M <- [tweann_nif, tweann_ref_api]].

%% By hand, from their formulas: 1 input, 1 hidden, 1 output,
%% weights [w, b, v, c] = [2.0, 0.5, 3.0, -0.25], tau 0.5, bound 1.
by_hand_test() ->
    Pop = tweann_nif:compile_cfc_pop([[2.0, 0.5, 3.0, -0.25]], [[0.5]], 1, 1, 1, 1.0),
    ?assert(is_reference(Pop)),
    {[[O]], [[H]]} = tweann_nif:cfc_pop_step(Pop, [[0.2]], [[0.1]]),
    Sum = 0.0 + 2.0 * 0.1 + 0.5,
    G = 1.0 / (1.0 + math:exp(Sum / 0.5)),
    WantH = G * 0.2 + (1.0 - G) * math:tanh(Sum),
    ?assert(close(H, WantH)),
    ?assert(close(O, math:tanh(0.0 + 3.0 * WantH - 0.25))).

%%--------------------------------------------------------------------
%% NIF = reference
%%--------------------------------------------------------------------

rand_vec(N) -> [rand:uniform() * 4 - 2 || _ <- lists:seq(1, N)].

maybe_binary(L) ->
    case rand:uniform(4) of
        1 -> << <<X:64/float-native>> || X <- L >>;
        _ -> L
    end.

agree_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {3, 1, 4}),
        [begin
             In = rand:uniform(5), H = rand:uniform(8), Out = rand:uniform(3), P = rand:uniform(7) - 1,
             WL = H * In + H + Out * H + Out,
             Ws = [maybe_binary(rand_vec(WL)) || _ <- lists:seq(1, P)],
             Ts = [maybe_binary([case rand:uniform(6) of 1 -> 0.0001; 2 -> 0; _ -> rand:uniform() * 3 end
                                 || _ <- lists:seq(1, H)]) || _ <- lists:seq(1, P)],
             B = lists:nth(rand:uniform(4), [0.0, 0.5, 1, 3.0]),
             NPop = tweann_nif:compile_cfc_pop(Ws, Ts, In, H, Out, B),
             RPop = tweann_ref_cfcpop:compile_cfc_pop(Ws, Ts, In, H, Out, B),
             lists:foldl(
               fun(_, S) ->
                       X = [maybe_binary(rand_vec(In)) || _ <- lists:seq(1, P)],
                       {ok, R} = outcome(fun() -> tweann_ref_cfcpop:cfc_pop_step(RPop, S, X) end),
                       ?assertEqual({ok, R}, outcome(fun() -> tweann_nif:cfc_pop_step(NPop, S, X) end)),
                       {Os, Ss} = tweann_nif:cfc_pop_step(NPop, S, X),
                       ?assertEqual({P, P}, {length(Os), length(Ss)}),
                       ?assert(lists:all(fun(Row) -> length(Row) =:= Out end, Os)),
                       Ss
               end, [rand_vec(H) || _ <- lists:seq(1, P)], lists:seq(1, 5))
         end || _ <- lists:seq(1, 150)],
        ok
    end}.

%% faber-tweann's validation shape (3 inputs, 12 hidden, 1 output, tau
%% from softplus) in lockstep for 200 steps: the states thread through and
%% the outputs stay in (-1, 1), bit-identical to the reference.
lockstep_test_() ->
    {timeout, 120, fun() ->
        rand:seed(exsss, {99, 1, 1}),
        WL = 12 * 3 + 12 + 12 + 1,
        Pop = [{[rand:normal() || _ <- lists:seq(1, WL)],
                [0.05 + math:log(1.0 + math:exp(min(rand:normal(), 30.0))) || _ <- lists:seq(1, 12)]}
               || _ <- lists:seq(1, 6)],
        Ws = [W || {W, _} <- Pop], Ts = [T || {_, T} <- Pop],
        N = tweann_nif:compile_cfc_pop(Ws, Ts, 3, 12, 1, 1.0),
        R = tweann_ref_cfcpop:compile_cfc_pop(Ws, Ts, 3, 12, 1, 1.0),
        S0 = [lists:duplicate(12, 0.0) || _ <- Pop],
        {SN, SR} = lists:foldl(
                     fun(K, {Sn, Sr}) ->
                             X = [[math:sin(K * 0.1 + I), math:cos(K * 0.07 * I), 0.5] || I <- lists:seq(1, 6)],
                             {On, Sn1} = tweann_nif:cfc_pop_step(N, Sn, X),
                             {Or, Sr1} = tweann_ref_cfcpop:cfc_pop_step(R, Sr, X),
                             ?assertEqual(bits(Or), bits(On)),
                             ?assert(lists:all(fun([O]) -> O > -1.0 andalso O < 1.0 end, On)),
                             {Sn1, Sr1}
                     end, {S0, S0}, lists:seq(1, 200)),
        ?assertEqual(bits(SR), bits(SN)),
        ?assert(lists:all(fun(Row) -> lists:all(fun(V) -> abs(V) =< 1.0 end, Row) end, SN))
    end}.

%% A large population steps on a dirty scheduler, with the same result.
large_population_test() ->
    rand:seed(exsss, {8, 8, 8}),
    P = 400, WL = 32 * 8 + 32 + 4 * 32 + 4,
    Ws = [rand_vec(WL) || _ <- lists:seq(1, P)],
    Ts = [[rand:uniform() + 0.1 || _ <- lists:seq(1, 32)] || _ <- lists:seq(1, P)],
    S = [rand_vec(32) || _ <- lists:seq(1, P)],
    X = [rand_vec(8) || _ <- lists:seq(1, P)],
    Pop = tweann_nif:compile_cfc_pop(Ws, Ts, 8, 32, 4, 1.0),
    ?assertEqual('$tweann_dirty', tweann_nif_native:cfc_pop_step(Pop, S, X)),
    ?assertEqual(bits(tweann_ref_cfcpop:cfc_pop_step(tweann_ref_cfcpop:compile_cfc_pop(Ws, Ts, 8, 32, 4, 1.0), S, X)),
                 bits(tweann_nif:cfc_pop_step(Pop, S, X))).

%%--------------------------------------------------------------------
%% Resources
%%--------------------------------------------------------------------

%% A population is counted with the cells while it lives and released
%% with its holder. The counts are global, so garbage of earlier tests
%% released in the middle (seen in full `make test' runs) changes them too:
%% the observation is repeated, at most 5 times, until nothing else moved
%% during it. A population that is not counted ({0, 0}) or never released
%% ({1, 1}) fails every attempt.
accounting_test() ->
    ?assertEqual({1, 0}, accounting(5)).

accounting(Tries) ->
    C0 = cells(),
    Self = self(),
    {Pid, Mon} = spawn_monitor(
                   fun() ->
                           Pop = tweann_nif:compile_cfc_pop([[0.0, 0.0, 0.0, 0.0]], [[1.0]], 1, 1, 1, 1.0),
                           Self ! {made, self()},
                           %% Pop stays live until stop arrives.
                           receive stop -> tweann_nif:cfc_pop_step(Pop, [[0.0]], [[0.0]]) end
                   end),
    receive {made, Pid} -> ok end,
    C1 = cells(),
    Pid ! stop,
    receive {'DOWN', Mon, process, Pid, _} -> ok end,
    %% The exit may release the heap just after the 'DOWN': wait (bounded)
    %% for the count to come back.
    C2 = settle(C0, 1000),
    case {C1 - C0, C2 - C0} of
        {1, 0} -> {1, 0};
        _ when Tries > 1 -> accounting(Tries - 1);
        Other -> Other
    end.

cells() ->
    [erlang:garbage_collect(P) || P <- processes()],
    maps:get(cells, tweann_nif:memory_stats()).

settle(Want, Polls) ->
    case cells() of
        Want -> Want;
        _ when Polls > 0 -> timer:sleep(1), settle(Want, Polls - 1);
        Got -> Got
    end.

%%--------------------------------------------------------------------
%% Strict where faber-tweann's NIF panics or truncates
%%--------------------------------------------------------------------

errors_test() ->
    W = [[0.1, 0.2, 0.3, 0.4]],
    T = [[1.0]],
    Pop = tweann_nif:compile_cfc_pop(W, T, 1, 1, 1, 1.0),
    RPop = tweann_ref_cfcpop:compile_cfc_pop(W, T, 1, 1, 1, 1.0),
    Compile = [{[[0.1, 0.2, 0.3]], T, 1, 1, 1, 1.0, 1},          %% short weights (their panic)
               {[[0.1, 0.2, 0.3, 0.4, 0.5]], T, 1, 1, 1, 1.0, 1},%% long weights (their silent cut)
               {[[0.1, 0.2, 0.3, x]], T, 1, 1, 1, 1.0, 1},
               {[[0.1, 0.2, 0.3, 0.4] | x], T, 1, 1, 1, 1.0, 1},
               {x, T, 1, 1, 1, 1.0, 1},
               {W, [[]], 1, 1, 1, 1.0, 2},                         %% short taus (their panic)
               {W, [[1.0], [1.0]], 1, 1, 1, 1.0, 2},               %% more taus than nets (their silent zip)
               {W, [], 1, 1, 1, 1.0, 2},
               {W ++ W, T, 1, 1, 1, 1.0, 2},
               {W, T, 0, 1, 1, 1.0, 3},
               {W, T, 1, -1, 1, 1.0, 4},
               {W, T, 1, 1, 1.5, 1.0, 5},
               {W, T, 1, 1, 1 bsl 32, 1.0, 5},
               {W, T, 1, 1, 1, -0.5, 6},                           %% their clamp panics
               {W, T, 1, 1, 1, x, 6},
               {[[0.1, x]], T, 1, 1, 1, -0.5, 6}],
    [?assertEqual({Args, {error, badarg, Pos}},
                  {Args, outcome(fun() -> apply(tweann_nif, compile_cfc_pop, Args) end)})
     || {A, B, C, D, E, F, Pos} <- Compile, Args <- [[A, B, C, D, E, F]]],
    [?assertEqual(outcome(fun() -> apply(tweann_ref_cfcpop, compile_cfc_pop, [A, B, C, D, E, F]) end),
                  outcome(fun() -> apply(tweann_nif, compile_cfc_pop, [A, B, C, D, E, F]) end))
     || {A, B, C, D, E, F, _} <- Compile],
    Step = [{make_ref(), [[0.0]], [[1.0]], 1},
            {RPop, [[0.0]], [[1.0]], 1},
            {Pop, [[]], [[1.0]], 2},                                %% short state (their panic)
            {Pop, [[0.0, 0.0]], [[1.0]], 2},
            {Pop, [], [[1.0]], 2},                                  %% fewer states than nets (their panic)
            {Pop, [[0.0], [0.0]], [[1.0]], 2},
            {Pop, [[0.0]], [[]], 3},                                %% short inputs (their silent zip)
            {Pop, [[0.0]], [[1.0], [1.0]], 3},
            {Pop, [[0.0]], [[x]], 3},
            {Pop, [[0.0]], x, 3},
            {Pop, [[0.0]], [<<1, 2>>], 3}],
    [?assertEqual({P, {error, badarg, Pos}}, {P, outcome(fun() -> tweann_nif:cfc_pop_step(P, S, X) end)})
     || {P, S, X, Pos} <- Step],
    [?assertEqual({error, badarg, Pos}, outcome(fun() -> tweann_ref_cfcpop:cfc_pop_step(RP, S, X) end))
     || {P, S, X, Pos} <- Step, RP <- [case P of Pop -> RPop; _ -> P end], Pos > 1 orelse not is_tuple(RP)],
    %% Overflow: badarith in both.
    Big = [[1.0e300, 0.0, 1.0, 0.0]],
    [?assertEqual({error, badarith, general},
                  outcome(fun() -> M:cfc_pop_step(M:compile_cfc_pop(Big, T, 1, 1, 1, 1.0), [[0.0]], [[1.0e10]]) end))
     || M <- [tweann_nif, tweann_ref_api]],
    %% An empty population is valid.
    ?assertEqual({[], []}, tweann_nif:cfc_pop_step(tweann_nif:compile_cfc_pop([], [], 2, 3, 1, 1.0), [], [])).

%%--------------------------------------------------------------------
%% Against faber-tweann's NIF itself (when TWEANN_FABER_NIF_DIR names a
%% directory holding ebin/faber_nn_nifs.beam and priv/libfaber_nn_nifs.so)
%%--------------------------------------------------------------------

faber_live_test_() ->
    case tweann_faber_nif:available() of
        false ->
            {"faber-tweann's NIF not available (TWEANN_FABER_NIF_DIR), skipped", fun() -> ok end};
        true ->
            {timeout, 120, fun() ->
                rand:seed(exsss, {2, 7, 1}),
                [begin
                     In = rand:uniform(5), H = rand:uniform(15), Out = rand:uniform(4), P = rand:uniform(8),
                     WL = H * In + H + Out * H + Out,
                     Ws = [[rand:normal() * 2 || _ <- lists:seq(1, WL)] || _ <- lists:seq(1, P)],
                     Ts = [[0.05 + rand:uniform() * 3 || _ <- lists:seq(1, H)] || _ <- lists:seq(1, P)],
                     B = rand:uniform() * 2,
                     F = faber_nn_nifs:compile_cfc_pop(Ws, Ts, In, H, Out, B),
                     N = tweann_nif:compile_cfc_pop(Ws, Ts, In, H, Out, B),
                     lists:foldl(
                       fun(_, S) ->
                               X = [[rand:normal() * 3 || _ <- lists:seq(1, In)] || _ <- lists:seq(1, P)],
                               {Fo, Fs} = faber_nn_nifs:cfc_pop_step(F, S, X),
                               {No, Ns} = tweann_nif:cfc_pop_step(N, S, X),
                               [?assert(close(G, E)) || {G, E} <- lists:zip(lists:flatten([No, Ns]),
                                                                            lists:flatten([Fo, Fs]))],
                               Ns
                       end, [lists:duplicate(H, 0.0) || _ <- lists:seq(1, P)], lists:seq(1, 10))
                 end || _ <- lists:seq(1, 100)],
                ok
            end}
    end.
