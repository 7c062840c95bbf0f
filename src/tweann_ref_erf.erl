%% @doc Pure Erlang twin of `tweann_core::cells::erf': the error function of
%% the GELU backbone activation, with the same algorithm, the same decimal
%% constants and the same operation order, so results are bit-identical; it
%% is built from IEEE arithmetic and `exp' only.
-module(tweann_ref_erf).

-export([erf/1]).

%% erf coefficients: the same decimal constants as the Rust code (classic
%% SunPro/msun design), so both parse to the same f64 values.
-define(ERX, 8.45062911510467529297e-01).
-define(EFX, 1.28379167095512586316e-01).
-define(EFX8, 1.02703333676410069053e+00).
-define(PP, [1.28379167095512558561e-01, -3.25042107247001499370e-01,
             -2.84817495755985104766e-02, -5.77027029648944159157e-03,
             -2.37630166566501626084e-05]).
-define(QQ, [3.97917223959155352819e-01, 6.50222499887672944485e-02,
             5.08130628187576562776e-03, 1.32494738004321644526e-04,
             -3.96022827877536812320e-06]).
-define(PA, [-2.36211856075265944077e-03, 4.14856118683748331666e-01,
             -3.72207876035701323847e-01, 3.18346619901161753674e-01,
             -1.10894694282396677476e-01, 3.54783043256182359371e-02,
             -2.16637559486879084300e-03]).
-define(QA, [1.06420880400844228286e-01, 5.40397917702171048937e-01,
             7.18286544141962662868e-02, 1.26171219808761642112e-01,
             1.36370839120290507362e-02, 1.19844998467991074170e-02]).
-define(RA, [-9.86494403484714822705e-03, -6.93858572707181764372e-01,
             -1.05586262253232909814e+01, -6.23753324503260060396e+01,
             -1.62396669462573470355e+02, -1.84605092906711035994e+02,
             -8.12874355063065934246e+01, -9.81432934416914548592e+00]).
-define(SA, [1.96512716674392571292e+01, 1.37657754143519042600e+02,
             4.34565877475229228821e+02, 6.45387271733267880336e+02,
             4.29008140027567833386e+02, 1.08635005541779435134e+02,
             6.57024977031928170135e+00, -6.04244152148580987438e-02]).
-define(RB, [-9.86494292470009928597e-03, -7.99283237680523006574e-01,
             -1.77579549177547519889e+01, -1.60636384855821916062e+02,
             -6.37566443368389627722e+02, -1.02509513161107724954e+03,
             -4.83519191608651397019e+02]).
-define(SB, [3.03380607434824582924e+01, 3.25792512996573918826e+02,
             1.53672958608443695994e+03, 3.19985821950859553908e+03,
             2.55305040643316442583e+03, 4.74528541206955367215e+02,
             -2.24409524465858183362e+01]).

%% @doc The error function, with the same algorithm as the native cells
%% (rational approximations on `[0, 0.84375)', `[0.84375, 1.25)',
%% `[1.25, 1/0.35)', `[1/0.35, 6)', then `±1'; within 1 ulp of the true
%% value, and bit-identical to the native `erf').
-spec erf(float()) -> float().
erf(X) when is_float(X) ->
    <<Hi:32, _:32>> = <<X:64/float>>,
    Ix = Hi band 16#7fffffff,
    Neg = Hi bsr 31 =:= 1,
    A = abs(X),
    if
        Ix < 16#3feb0000 ->
            if
                Ix < 16#00800000 -> 0.125 * (8.0 * X + ?EFX8 * X);
                Ix < 16#3e300000 -> X + ?EFX * X;
                true ->
                    Z = X * X,
                    R = horner(Z, ?PP),
                    S = horner1(Z, ?QQ),
                    Y = R / S,
                    X + X * Y
            end;
        Ix < 16#3ff40000 ->
            S = A - 1.0,
            P = horner(S, ?PA),
            Q = horner1(S, ?QA),
            case Neg of
                true -> -?ERX - P / Q;
                false -> ?ERX + P / Q
            end;
        Ix >= 16#40180000 ->
            case Neg of
                true -> -1.0;
                false -> 1.0
            end;
        true ->
            S = 1.0 / (A * A),
            {R, Ss} = if
                          Ix < 16#4006db6e -> {horner(S, ?RA), horner1(S, ?SA)};
                          true -> {horner(S, ?RB), horner1(S, ?SB)}
                      end,
            <<Z:64/float>> = <<Ix:32, 0:32>>,
            E = tweann_ref_math:exp(-Z * Z - 0.5625) * tweann_ref_math:exp((Z - A) * (Z + A) + R / Ss),
            case Neg of
                true -> E / A - 1.0;
                false -> 1.0 - E / A
            end
    end.

%%====================================================================
%% Internal
%%====================================================================

-spec horner(float(), [float(), ...]) -> float().
horner(_X, [C]) -> C;
horner(X, [C | Cs]) -> C + X * horner(X, Cs).

-spec horner1(float(), [float(), ...]) -> float().
horner1(X, Cs) -> 1.0 + X * horner(X, Cs).
