%% EUnit tests of tweann_ref_math against the reference table of
%% native/tweann_core/tests/data (math_table.txt: correctly rounded values,
%% written by tests/gen_math.py; math_bits.txt: the bits the Rust functions
%% of tweann_core::math produce on the same arguments, checked by
%% tests/math_table.rs):
%%
%% - the Erlang functions give exactly the Rust bits on every argument
%%   (badarith where Rust gives an infinity);
%% - every result is within 2 ulp of the exact value (the maximum per
%%   function is printed);
%% - symmetries, ranges and the is_float guards.
-module(tweann_ref_math_tests).

-include_lib("eunit/include/eunit.hrl").

-define(M, tweann_ref_math).
-define(NEG(X), ((X) * -1.0)).
-define(FUNCTIONS, [exp, sigmoid, tanh, gaussian, sin, cos, log, log1p, softplus, erf]).

%%--------------------------------------------------------------------
%% Data
%%--------------------------------------------------------------------

data_file(Name) ->
    Rel = filename:join(["native", "tweann_core", "tests", "data", Name]),
    Ebin = filename:dirname(code:which(?M)),
    Candidates = [Rel | [filename:join(up(Ebin, N), Rel) || N <- [1, 2, 3, 4, 5, 6]]],
    case [F || F <- Candidates, filelib:is_regular(F)] of
        [F | _] -> F;
        [] -> error({data_not_found, Candidates})
    end.

up(Dir, 0) -> Dir;
up(Dir, N) -> up(filename:dirname(Dir), N - 1).

lines(Name) ->
    {ok, Bin} = file:read_file(data_file(Name)),
    [L || L <- binary:split(Bin, <<"\n">>, [global]), L =/= <<>>].

%% [{Function, X, YBits, Frac, Ue, RustBits}]
rows() ->
    Table = lines("math_table.txt"),
    Bits = lines("math_bits.txt"),
    ?assertEqual(length(Table), length(Bits)),
    lists:zipwith(fun(T, B) ->
                          [F, X, Y, Frac, Ue] = binary:split(T, <<" ">>, [global]),
                          {binary_to_atom(F), hex_float(X), hex(Y), binary_to_float(Frac),
                           binary_to_integer(Ue), hex(B)}
                  end, Table, Bits).

hex(H) -> binary_to_integer(H, 16).

hex_float(H) ->
    <<X/float>> = <<(hex(H)):64>>,
    X.

-define(INF_BITS, 16#7ff0000000000000).

%% Result bits of F(X), or badarith.
eval(F, X) ->
    try ?M:F(X) of
        Y -> <<B:64>> = <<Y/float>>, B
    catch
        error:badarith -> badarith
    end.

%%--------------------------------------------------------------------
%% Tests
%%--------------------------------------------------------------------

table_test_() ->
    {timeout, 120, fun check_table/0}.

check_table() ->
    Rows = rows(),
    Worst = lists:foldl(fun(Row, Acc) -> check_row(Row, Acc) end, #{}, Rows),
    [io:format(user, "~ntweann_ref_math ~-9s ~5b arguments  max error ~.4f ulp",
               [F, N, E]) || F <- ?FUNCTIONS, {E, N} <- [maps:get(F, Worst)]],
    io:format(user, "~n", []),
    ?assertEqual(lists:sort(?FUNCTIONS), lists:sort(maps:keys(Worst))).

check_row({F, X, Y, Frac, Ue, RustBits}, Acc) ->
    Got = eval(F, X),
    Want = case RustBits of
               ?INF_BITS -> badarith;
               _ -> RustBits
           end,
    case Got =:= Want of
        true -> ok;
        false -> ?assertEqual({F, X, Want}, {F, X, Got})
    end,
    {E0, N0} = maps:get(F, Acc, {0.0, 0}),
    E = case Got of
            badarith ->
                ?assertEqual(?INF_BITS, Y),
                0.0;
            _ ->
                <<C/float>> = <<Got:64>>,
                <<Yf/float>> = <<Y:64>>,
                Err = abs((C - Yf) / pow2(Ue) - Frac),
                ?assert(Err =< 2.0),
                Err
        end,
    Acc#{F => {max(E, E0), N0 + 1}}.

%% 2^E for -1074 =< E =< 1023.
pow2(E) when E >= -1022 ->
    <<P/float>> = <<(E + 1023):12, 0:52>>,
    P;
pow2(E) ->
    <<P/float>> = <<(1 bsl (E + 1074)):64>>,
    P.

symmetry_test() ->
    Xs = [1.0e-300, 3.0e-9, 0.25, 0.55, 1.0, 2.5, 7.75, 19.5, 33.0, 700.5, 1.0e6, 1.0e22],
    [begin
         ?assertEqual(bits(?NEG(?M:tanh(X))), bits(?M:tanh(-X))),
         ?assertEqual(bits(?NEG(?M:sin(X))), bits(?M:sin(-X))),
         ?assertEqual(bits(?M:cos(X)), bits(?M:cos(-X))),
         ?assertEqual(bits(?M:gaussian(X)), bits(?M:gaussian(-X))),
         ?assertEqual(bits(?NEG(?M:erf(X))), bits(?M:erf(-X)))
     end || X <- Xs],
    ?assertEqual(bits(-0.0), bits(?M:tanh(-0.0))),
    ?assertEqual(bits(-0.0), bits(?M:sin(-0.0))),
    ?assertEqual(bits(-0.0), bits(?M:erf(-0.0))).

bits(X) -> <<B:64>> = <<X/float>>, B.

values_test() ->
    ?assertEqual(1.0, ?M:exp(0.0)),
    ?assertEqual(0.0, ?M:exp(-800.0)),
    ?assertEqual(0.5, ?M:sigmoid(0.0)),
    ?assertEqual(1.0, ?M:sigmoid(40.0)),
    ?assertEqual(0.0, ?M:log(1.0)),
    ?assertEqual(1.0, ?M:gaussian(0.0)),
    ?assertEqual(0.0, ?M:gaussian(30.0)),
    ?assertEqual(1.0, ?M:cos(0.0)),
    ?assertEqual(1.0, ?M:tanh(25.0)),
    ?assertEqual(1.0, ?M:erf(7.0)),
    ?assertEqual(1000.0, ?M:softplus(1000.0)),
    ?assertEqual(?M:log(1.0e300), ?M:log1p(1.0e300)).

edges_raise_badarith_test() ->
    ?assertError(badarith, ?M:exp(709.8)),
    ?assertError(badarith, ?M:exp(1.0e300)),
    ?assertError(badarith, ?M:log(0.0)),
    ?assertError(badarith, ?M:log(-1.0)),
    ?assertError(badarith, ?M:log1p(-1.0)),
    ?assertError(badarith, ?M:log1p(-2.0)).

floats_only_test() ->
    [?assertError(function_clause, ?M:F(1)) || F <- ?FUNCTIONS].

ranges_test() ->
    Xs = [float(I) / 7.0 || I <- lists:seq(-300, 300)],
    [begin
         ?assert(?M:sigmoid(X) >= 0.0 andalso ?M:sigmoid(X) =< 1.0),
         ?assert(abs(?M:tanh(X)) =< 1.0),
         ?assert(abs(?M:sin(X)) =< 1.0),
         ?assert(abs(?M:cos(X)) =< 1.0),
         ?assert(?M:gaussian(X) >= 0.0 andalso ?M:gaussian(X) =< 1.0),
         ?assert(abs(?M:erf(X)) =< 1.0),
         ?assert(?M:softplus(X) >= 0.0)
     end || X <- Xs].
