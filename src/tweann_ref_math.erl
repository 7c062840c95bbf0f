%% @doc Deterministic transcendental functions in pure Erlang: the twin of
%% `tweann_core::math' (Rust), bit for bit.
%%
%% Every function is built from IEEE-754 binary64 `+ - * /' (which Erlang
%% performs exactly as the hardware does, rounding to nearest), exact integer
%% and bit-pattern manipulations and fixed tables, in the order that
%% `docs/semantics.md' ("Transcendental functions") specifies and the Rust
%% code follows, so both give the same bits on every host. Never `math:'
%% (the C library, whose results differ between CPUs).
%%
%% Erlang floats are finite: where the Rust function returns an infinity
%% (`exp' of a number above 709.78..., `log(0)') or NaN (`log' of a
%% negative number, `log1p' below -1) these raise `error:badarith', as
%% Erlang arithmetic does. Arguments must be floats (the `is_float' guards
%% keep them unboxed in the JIT); anything else is a `function_clause'.
%%
%% == Functions ==
%% {@link exp/1}, {@link sigmoid/1}, {@link tanh/1}, {@link gaussian/1},
%% {@link sin/1}, {@link cos/1}, {@link log/1}, {@link log1p/1},
%% {@link softplus/1}, {@link erf/1}.
-module(tweann_ref_math).

-export([exp/1, sigmoid/1, tanh/1, gaussian/1, sin/1, cos/1, log/1, log1p/1,
         softplus/1, erf/1]).

%% Exact negation (Erlang's unary minus turns -0.0 into 0.0; the Rust code
%% negates by flipping the sign bit, so zeros keep their sign here too).
-define(NEG(X), ((X) * -1.0)).

%% 1.5 * 2^52: adding it rounds to an integer (ties to even).
-define(SHIFT, 6755399441055744.0).
-define(EXP_FAST, 700.0).
-define(TANH_POLY, 0.55).
-define(GAUSS_FAST, 26.5).
-define(TRIG_CW, 1048576.0).
-define(TWO_1000, 1.0715086071862673e301).

%% BEGIN GENERATED CONSTANTS (tests/gen_math.py)
-define(INV_L2N, 46.16624130844683).
-define(L2N_HI, 0.021660849392446835).
-define(L2N_LO, 5.145609244655338e-14).
-define(EC0, 0.49999999999999994).
-define(EC1, 0.16666666666525473).
-define(EC2, 0.04166666666806005).
-define(EC3, 0.008333368059989688).
-define(EC4, 0.0013888837006963356).
%% Mantissa fields (low 52 bits) of T[j] = RN(2^(j/32)).
-define(EXP_TM,
        {16#0000000000000, 16#059b0d3158574, 16#0b5586cf9890f, 16#11301d0125b51,
         16#172b83c7d517b, 16#1d4873168b9aa, 16#2387a6e756238, 16#29e9df51fdee1,
         16#306fe0a31b715, 16#371a7373aa9cb, 16#3dea64c123422, 16#44e086061892d,
         16#4bfdad5362a27, 16#5342b569d4f82, 16#5ab07dd485429, 16#6247eb03a5585,
         16#6a09e667f3bcd, 16#71f75e8ec5f74, 16#7a11473eb0187, 16#82589994cce13,
         16#8ace5422aa0db, 16#93737b0cdc5e5, 16#9c49182a3f090, 16#a5503b23e255d,
         16#ae89f995ad3ad, 16#b7f76f2fb5e47, 16#c199bdd85529c, 16#cb720dcef9069,
         16#d5818dcfba487, 16#dfc97337b9b5f, 16#ea4afa2a490da, 16#f50765b6e4540}).
%% RN(2^(j/32) / T[j] - 1).
-define(EXP_TAIL,
        {0.0, 4.9997448722726326e-17, 8.189317638195515e-17,
         -7.402825309426177e-17, -2.7939114859515733e-17, 9.341710609905046e-17,
         7.826573258636076e-17, 3.2904726646008416e-17, 3.3484623336251524e-17,
         -6.346552106729483e-17, 3.750854201303127e-17, 2.1023049675215714e-18,
         1.9572585293112036e-17, -2.1571477251208752e-17, 5.68648095791174e-17,
         -4.8923067513522756e-17, -6.835808657661922e-17, -2.092304381843353e-17,
         -2.3591094770850053e-17, -6.735219232374683e-17, 5.1548301170786783e-17,
         -6.432131775424189e-18, 1.5341410053603723e-17, -6.152602891550265e-17,
         4.875160526227062e-17, -1.0772487078934056e-17, 1.685487290628973e-17,
         1.01562190116415e-17, 1.790126907604513e-17, -3.266924100901318e-17,
         -5.545065618639427e-17, 4.5784915277060095e-17}).
-define(TT0, -0.333333333333333).
-define(TT1, 0.1333333333332658).
-define(TT2, -0.05396825396373662).
-define(TT3, 0.021869488385139673).
-define(TT4, -0.008863232589082887).
-define(TT5, 0.0035920918987537177).
-define(TT6, -0.001455541953006369).
-define(TT7, 0.0005884406307272776).
-define(TT8, -0.00023337130165662905).
-define(TT9, 8.330110397631066e-05).
-define(TT10, -1.9484836019655144e-05).
-define(LN2_HI, 0.6931471805598903).
-define(LN2_LO, 5.497923018708371e-14).
-define(LL0, 0.6666666666666734).
-define(LL1, 0.3999999999941641).
-define(LL2, 0.2857142874211453).
-define(LL3, 0.22222198593477127).
-define(LL4, 0.18183563570084252).
-define(LL5, 0.15314063846409579).
-define(LL6, 0.14795866782761852).
-define(INV_PIO2, 0.6366197723675814).
-define(PIO2_1, 1.5707963267341256).
-define(PIO2_2, 6.077100506303966e-11).
-define(PIO2_3, 2.0222662487111665e-21).
-define(PIO2_4, 8.4784276603689e-32).
-define(SS0, -0.1666666666666663).
-define(SS1, 0.00833333333332184).
-define(SS2, -0.00019841269829358528).
-define(SS3, 2.7557313538514187e-06).
-define(SS4, -2.5050734389234094e-08).
-define(SS5, 1.589543328643947e-10).
-define(CC0, 0.041666666666666595).
-define(CC1, -0.0013888888888873338).
-define(CC2, 2.480158728899748e-05).
-define(CC3, -2.755731421529912e-07).
-define(CC4, 2.0875705114994436e-09).
-define(CC5, -1.1358732776056912e-11).
-define(PIO2_HI, 1.5707963267948966).
-define(PIO2_LO, 6.123233995736766e-17).
%% floor(2/pi * 2^1216).
-define(TWO_OVER_PI,
        ((((((((16#a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebbc561 bsl 256) bor
         16#b7246e3a424dd2e006492eea09d1921cfe1deb1cb129a73ee88235f52ebb4484) bsl 256) bor
         16#e99c7026b45f7e413991d639835339f49c845f8bbdf9283b1ff897ffde05980f) bsl 256) bor
         16#ef2f118b5a0a6d1f6d367ecf27cb09b74f463f669e5fea2d7527bac7ebe5f17b) bsl 192) bor
         16#3d0739f78a5292ea6bfb5fb11f8d5d0856033046fc7b6bab)).
%% END GENERATED CONSTANTS

%% erf coefficients (the classic SunPro set, as native/tweann_core/src/math/erf.rs).
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

%%====================================================================
%% exp and the functions built on it
%%====================================================================

%% @doc `e^X'. Raises `badarith' above 709.78... (where the Rust `exp' is
%% `+inf'); `0.0' below -745.13....
-spec exp(float()) -> float().
exp(X) when is_float(X), X =< ?EXP_FAST, X >= -?EXP_FAST ->
    {Scale, Tmp} = exp_parts(X),
    Scale + Scale * Tmp;
exp(X) when is_float(X) ->
    exp2_special(X, 0.0).

%% @doc `1 / (1 + e^-X)'.
-spec sigmoid(float()) -> float().
sigmoid(X) when is_float(X), X =< ?EXP_FAST, X >= -?EXP_FAST ->
    {Scale, Tmp} = exp_parts(?NEG(X)),
    St = Scale * Tmp,
    S1 = 1.0 + Scale,
    Bv = S1 - 1.0,
    S1l = (1.0 - (S1 - Bv)) + (Scale - Bv),
    Dh = S1 + St,
    Dl = ((S1 - Dh) + St) + S1l,
    Q0 = 1.0 / Dh,
    Q0 - Q0 * (Q0 * Dl);
sigmoid(X) when is_float(X), X > 0.0 ->
    1.0;
sigmoid(X) when is_float(X) ->
    exp(X).

%% @doc The hyperbolic tangent.
-spec tanh(float()) -> float().
tanh(X) when is_float(X), X == 0.0 ->
    X;
tanh(X) when is_float(X) ->
    A = abs(X),
    T = if
            A < ?TANH_POLY -> tanh_poly(A);
            true -> tanh_exp(A)
        end,
    if
        X < 0.0 -> ?NEG(T);
        true -> T
    end.

-spec tanh_poly(float()) -> float().
tanh_poly(A) ->
    Z = A * A,
    Z2 = Z * Z,
    Z4 = Z2 * Z2,
    Z8 = Z4 * Z4,
    Q0 = (?TT0 + Z * ?TT1) + Z2 * (?TT2 + Z * ?TT3),
    Q1 = (?TT4 + Z * ?TT5) + Z2 * (?TT6 + Z * ?TT7),
    Q2 = (?TT8 + Z * ?TT9) + Z2 * ?TT10,
    P = (Q0 + Z4 * Q1) + Z8 * Q2,
    A + (A * Z) * P.

-spec tanh_exp(float()) -> float().
tanh_exp(A0) ->
    A = if
            20.0 < A0 -> 20.0;
            true -> A0
        end,
    {Scale, Tmp} = exp_parts(A + A),
    St = Scale * Tmp,
    S1 = Scale + 1.0,
    S1l = (Scale - S1) + 1.0,
    Dh = S1 + St,
    Dl = ((S1 - Dh) + St) + S1l,
    Q0 = 2.0 / Dh,
    Corr = (Q0 * Dl) * (0.5 * Q0),
    T1 = 1.0 - Q0,
    Tl = (1.0 - T1) - Q0,
    T1 + (Tl + Corr).

%% @doc `e^(-X^2)'.
-spec gaussian(float()) -> float().
gaussian(X) when is_float(X) ->
    A = abs(X),
    if
        A =< ?GAUSS_FAST ->
            {Hi, Lo} = neg_square(A),
            exp2_core(Hi, Lo);
        A > 28.0 ->
            0.0;
        true ->
            {Hi, Lo} = neg_square(A),
            exp2_special(Hi, Lo)
    end.

%% -A^2 as Hi + Lo: AH is A with the low 27 bits of its pattern cleared.
-spec neg_square(float()) -> {float(), float()}.
neg_square(A) ->
    <<H:37, _:27>> = <<A/float>>,
    <<Ah/float>> = <<H:37, 0:27>>,
    Al = A - Ah,
    {?NEG(Ah * Ah), ?NEG(Al * (A + Ah))}.

%% {Scale, Tmp} with e^X ~ Scale + Scale * Tmp, for |X| =< 700.
-spec exp_parts(float()) -> {float(), float()}.
exp_parts(X) ->
    Kf = X * ?INV_L2N + ?SHIFT,
    Kd = Kf - ?SHIFT,
    R = (X - Kd * ?L2N_HI) - Kd * ?L2N_LO,
    K = trunc(Kd),
    J = K band 31,
    {scale(K bsr 5, J), exp_tmp(R, element(J + 1, ?EXP_TAIL))}.

%% e^(Hi + Lo) for |Hi| =< 700, |Lo| small.
-spec exp2_core(float(), float()) -> float().
exp2_core(Hi, Lo) ->
    Kf = (Hi + Lo) * ?INV_L2N + ?SHIFT,
    Kd = Kf - ?SHIFT,
    R = ((Hi - Kd * ?L2N_HI) + Lo) - Kd * ?L2N_LO,
    K = trunc(Kd),
    J = K band 31,
    Scale = scale(K bsr 5, J),
    Scale + Scale * exp_tmp(R, element(J + 1, ?EXP_TAIL)).

%% The edges of e^(Hi + Lo): |Hi| > 700.
-spec exp2_special(float(), float()) -> float().
exp2_special(Hi, _Lo) when Hi > 709.8 ->
    erlang:error(badarith);
exp2_special(Hi, _Lo) when Hi < -745.2 ->
    0.0;
exp2_special(Hi, Lo) ->
    Kf = (Hi + Lo) * ?INV_L2N + ?SHIFT,
    Kd = Kf - ?SHIFT,
    R = ((Hi - Kd * ?L2N_HI) + Lo) - Kd * ?L2N_LO,
    K = trunc(Kd),
    J = K band 31,
    Tmp = exp_tmp(R, element(J + 1, ?EXP_TAIL)),
    E = K bsr 5,
    if
        Hi > 0.0 ->
            S = scale(E - 1, J),
            (S + S * Tmp) * 2.0;
        true ->
            S = scale(E + 1022, J),
            (S + S * Tmp) * 2.2250738585072014e-308
    end.

%% T[J] * 2^E (E + 1023 in 1..2046).
-spec scale(integer(), 0..31) -> float().
scale(E, J) ->
    <<S/float>> = <<(E + 1023):12, (element(J + 1, ?EXP_TM)):52>>,
    S.

-spec exp_tmp(float(), float()) -> float().
exp_tmp(R, Tail) ->
    R2 = R * R,
    R4 = R2 * R2,
    Q1 = ?EC0 + R * ?EC1,
    Q2 = (?EC2 + R * ?EC3) + R2 * ?EC4,
    ((Tail + R) + R2 * Q1) + R4 * Q2.

%%====================================================================
%% log, log1p, softplus
%%====================================================================

%% @doc The natural logarithm of `X > 0' (`badarith' for `X =< 0').
-spec log(float()) -> float().
log(X) when is_float(X), X > 0.0 ->
    {U, Kadj} = if
                    X < 2.2250738585072014e-308 -> {X * 18014398509481984.0, -54.0};
                    true -> {X, 0.0}
                end,
    {K, M} = split(U),
    Kf = float(K) + Kadj,
    F = M - 1.0,
    log_finish(Kf, F, Kf * ?LN2_LO);
log(X) when is_float(X) ->
    erlang:error(badarith).

%% @doc `log(1 + X)' for `X > -1' (`badarith' for `X =< -1').
-spec log1p(float()) -> float().
log1p(X) when is_float(X), X > -1.0, X < ?TWO_1000 ->
    U = 1.0 + X,
    log1p_kernel(U, X - (U - 1.0), 0.0, false);
log1p(X) when is_float(X), X >= ?TWO_1000 ->
    log(X);
log1p(X) when is_float(X) ->
    erlang:error(badarith).

%% @doc `log(1 + e^X)', as `max(X, 0) + log1p(e^-|X|)'.
-spec softplus(float()) -> float().
softplus(X) when is_float(X), X =< ?EXP_FAST, X >= -?EXP_FAST ->
    {Scale, Tmp} = exp_parts(?NEG(abs(X))),
    St = Scale * Tmp,
    Eh = Scale + St,
    El = (Scale - Eh) + St,
    U = 1.0 + Eh,
    L = log1p_kernel(U, (1.0 - U) + Eh, El, true),
    pos(X) + L;
softplus(X) when is_float(X) ->
    pos(X) + log1p(exp(?NEG(abs(X)))).

-spec pos(float()) -> float().
pos(X) when 0.0 < X -> X;
pos(_) -> 0.0.

%% log(U + C + Cl) for normal U, C and Cl tiny relative to U.
-spec log1p_kernel(float(), float(), float(), boolean()) -> float().
log1p_kernel(U, C, Cl, HasCl) ->
    {K, M} = split(U),
    Kf = float(K),
    F0 = M - 1.0,
    <<P/float>> = <<(1023 - K):12, 0:52>>,
    D = C * P,
    F = F0 + D,
    Df0 = (F0 - F) + D,
    Df = case HasCl of
             true -> Df0 + Cl * P;
             false -> Df0
         end,
    log_finish(Kf, F, {Kf * ?LN2_LO, Df}).

%% U = 2^K * M with M in [RN(sqrt(2)/2), 2 RN(sqrt(2)/2)), U normal.
-spec split(float()) -> {integer(), float()}.
split(U) ->
    <<0:1, Be:11, Mant:52>> = <<U/float>>,
    if
        Mant >= 16#6a09e667f3bcd ->
            <<M/float>> = <<0:1, 1022:11, Mant:52>>,
            {Be - 1022, M};
        true ->
            <<M/float>> = <<0:1, 1023:11, Mant:52>>,
            {Be - 1023, M}
    end.

%% Kf * ln2 + log(1 + F) (+ the correction of log1p).
-spec log_finish(float(), float(), float() | {float(), float()}) -> float().
log_finish(Kf, F, Lo0) ->
    S = F / (2.0 + F),
    Z = S * S,
    W = Z * Z,
    P01 = ?LL0 + Z * ?LL1,
    P23 = ?LL2 + Z * ?LL3,
    P45 = ?LL4 + Z * ?LL5,
    R = Z * (P01 + W * (P23 + W * (P45 + W * ?LL6))),
    Hfsq = 0.5 * (F * F),
    Lo = case Lo0 of
             {L0, Df} ->
                 OneS = 1.0 - S,
                 L0 + Df * (OneS * (OneS + Z));
             L0 ->
                 L0
         end,
    Kf * ?LN2_HI - ((Hfsq - (S * (Hfsq + R) + Lo)) - F).

%%====================================================================
%% sin, cos
%%====================================================================

%% @doc The sine (of any float; exact reduction modulo `pi/2').
-spec sin(float()) -> float().
sin(X) when is_float(X), X == 0.0 ->
    X;
sin(X) when is_float(X) ->
    A = abs(X),
    {Q, Rh, Rl} = reduce(A),
    Z = Rh * Rh,
    V = quadrant(Q, Rh, Rl, Z),
    if
        X < 0.0 -> ?NEG(V);
        true -> V
    end.

%% @doc The cosine (of any float; exact reduction modulo `pi/2').
-spec cos(float()) -> float().
cos(X) when is_float(X) ->
    {Q, Rh, Rl} = reduce(abs(X)),
    quadrant(Q + 1, Rh, Rl, Rh * Rh).

-spec reduce(float()) -> {integer(), float(), float()}.
reduce(A) when A < ?TRIG_CW ->
    Kf = A * ?INV_PIO2 + ?SHIFT,
    Kd = Kf - ?SHIFT,
    A1 = A - Kd * ?PIO2_1,
    B = ?NEG(Kd * ?PIO2_2),
    S = A1 + B,
    E1 = B - (S - A1),
    C = ?NEG(Kd * ?PIO2_3),
    H = S + C,
    Bb = H - S,
    E2 = (S - (H - Bb)) + (C - Bb),
    Lo = (E1 + E2) - Kd * ?PIO2_4,
    Rh = H + Lo,
    {trunc(Kd), Rh, (H - Rh) + Lo};
reduce(A) ->
    reduce_big(A).

%% [S, C, -S, -C][Q mod 4].
-spec quadrant(integer(), float(), float(), float()) -> float().
quadrant(Q, Rh, Rl, Z) ->
    case Q band 3 of
        0 -> sin_kernel(Rh, Rl, Z);
        1 -> cos_kernel(Rh, Rl, Z);
        2 -> ?NEG(sin_kernel(Rh, Rl, Z));
        3 -> ?NEG(cos_kernel(Rh, Rl, Z))
    end.

-spec sin_kernel(float(), float(), float()) -> float().
sin_kernel(Rh, Rl, Z) ->
    W = Z * Z,
    P = (?SS0 + Z * ?SS1) + W * ((?SS2 + Z * ?SS3) + W * (?SS4 + Z * ?SS5)),
    Rh + (((Z * Rh) * P) + (Rl - (0.5 * Z) * Rl)).

-spec cos_kernel(float(), float(), float()) -> float().
cos_kernel(Rh, Rl, Z) ->
    W = Z * Z,
    P = (?CC0 + Z * ?CC1) + W * ((?CC2 + Z * ?CC3) + W * (?CC4 + Z * ?CC5)),
    Hz = 0.5 * Z,
    V = 1.0 - Hz,
    V + ((((1.0 - V) - Hz) + W * P) - Rh * Rl).

%% Payne-Hanek: A = M * 2^E, Y = M * (bits E-1 .. E+180 of 2/pi) holds
%% A * 2/pi mod 4 with 180 fraction bits.
-spec reduce_big(float()) -> {integer(), float(), float()}.
reduce_big(A) ->
    <<0:1, Be:11, Mant:52>> = <<A/float>>,
    M = Mant bor (1 bsl 52),
    E = Be - 1075,
    I0 = max(1, E - 1),
    I1 = E + 180,
    W = (?TWO_OVER_PI bsr (1216 - I1)) band ((1 bsl (I1 - I0 + 1)) - 1),
    Y = M * W,
    Q0 = (Y bsr 180) band 3,
    Frac = Y band ((1 bsl 180) - 1),
    {Q, Neg, Mag} = if
                        Frac >= (1 bsl 179) -> {(Q0 + 1) band 3, true, (1 bsl 180) - Frac};
                        true -> {Q0, false, Frac}
                    end,
    Mask = (1 bsl 53) - 1,
    Af = float(Mag bsr 127) * 1.1102230246251565e-16,
    Bf = float((Mag bsr 74) band Mask) * 1.232595164407831e-32,
    Cf = float((Mag bsr 21) band Mask) * 1.3684555315672042e-48,
    Hi = Af + Bf,
    Lo = ((Af - Hi) + Bf) + Cf,
    {Ph, Pl} = two_prod(Hi, ?PIO2_HI),
    T = Pl + (Hi * ?PIO2_LO + Lo * ?PIO2_HI),
    Rh = Ph + T,
    Rl = (Ph - Rh) + T,
    case Neg of
        true -> {Q, ?NEG(Rh), ?NEG(Rl)};
        false -> {Q, Rh, Rl}
    end.

%% A * B exactly as {P, E} (Dekker; no overflow here).
-spec two_prod(float(), float()) -> {float(), float()}.
two_prod(A, B) ->
    {Ah, Al} = dekker_split(A),
    {Bh, Bl} = dekker_split(B),
    P = A * B,
    {P, (((Ah * Bh - P) + Ah * Bl) + Al * Bh) + Al * Bl}.

-spec dekker_split(float()) -> {float(), float()}.
dekker_split(V) ->
    G = V * 134217729.0,
    H = G - (G - V),
    {H, V - H}.

%%====================================================================
%% erf
%%====================================================================

%% @doc The error function.
-spec erf(float()) -> float().
erf(X) when is_float(X) ->
    <<Sign:1, Ix:31, _:32>> = <<X/float>>,
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
                    X + X * (R / S)
            end;
        Ix < 16#3ff40000 ->
            S = A - 1.0,
            P = horner(S, ?PA),
            Q = horner1(S, ?QA),
            case Sign of
                1 -> -?ERX - P / Q;
                0 -> ?ERX + P / Q
            end;
        Ix >= 16#40180000 ->
            case Sign of
                1 -> -1.0;
                0 -> 1.0
            end;
        true ->
            S = 1.0 / (A * A),
            {R, Ss} = if
                          Ix < 16#4006db6e -> {horner(S, ?RA), horner1(S, ?SA)};
                          true -> {horner(S, ?RB), horner1(S, ?SB)}
                      end,
            <<Z/float>> = <<0:1, Ix:31, 0:32>>,
            E = exp2_core(-Z * Z - 0.5625, (Z - A) * (Z + A) + R / Ss),
            case Sign of
                1 -> E / A - 1.0;
                0 -> 1.0 - E / A
            end
    end.

-spec horner(float(), [float(), ...]) -> float().
horner(_X, [C]) -> C;
horner(X, [C | Cs]) -> C + X * horner(X, Cs).

-spec horner1(float(), [float(), ...]) -> float().
horner1(X, Cs) -> 1.0 + X * horner(X, Cs).
