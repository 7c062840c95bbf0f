%% @doc The seeded random number generator of the weight kernels, in pure
%% Erlang: the twin of `native/tweann_core/src/rng.rs', giving the same bits.
%%
%% <ul>
%% <li>Seeding: SplitMix64 expands a 64-bit seed into the four 64-bit words
%%     of xoshiro256**'s state (its first four outputs started at the
%%     seed).</li>
%% <li>Generator: xoshiro256**, one 64-bit output per step. 64-bit wrapping
%%     arithmetic is Erlang integer arithmetic masked with
%%     `band 16#FFFFFFFFFFFFFFFF'.</li>
%% <li>{@link uniform/1}: `(X bsr 11) * 2^-53' in `[0, 1)'.</li>
%% <li>{@link normal/1}: Marsaglia's polar method; of each accepted pair the
%%     second deviate is kept as a spare and returned by the next call.</li>
%% <li>{@link stream_seed/2}: the seed of item I (0-based) of a batch: the
%%     (I + 1)-th SplitMix64 output started at the batch's seed.</li>
%% </ul>
%%
%% `docs/semantics.md' ("Random numbers") is the contract.
-module(tweann_ref_rng).

-export([seed/1, next/1, uniform/1, normal/1, stream_seed/2, splitmix/1]).

-export_type([state/0]).

-define(M64, 16#FFFFFFFFFFFFFFFF).
-define(GAMMA, 16#9E3779B97F4A7C15).
%% 2^-53
-define(UNIT, 1.1102230246251565e-16).

-opaque state() :: {non_neg_integer(), non_neg_integer(), non_neg_integer(),
                    non_neg_integer(), none | float()}.
%% xoshiro256**'s four words and the polar method's spare deviate.

%% @doc The generator of `Seed' (an integer in `0..2^64-1').
-spec seed(non_neg_integer()) -> state().
seed(Seed) ->
    {A, S1} = splitmix(Seed),
    {B, S2} = splitmix(S1),
    {C, S3} = splitmix(S2),
    {D, _} = splitmix(S3),
    {A, B, C, D, none}.

%% @doc One SplitMix64 step: `{Output, NextCounter}'.
-spec splitmix(non_neg_integer()) -> {non_neg_integer(), non_neg_integer()}.
splitmix(S0) ->
    S = (S0 + ?GAMMA) band ?M64,
    {mix(S), S}.

%% @doc The seed of item `Index' (0-based) of a batch called with `Seed'.
-spec stream_seed(non_neg_integer(), non_neg_integer()) -> non_neg_integer().
stream_seed(Seed, Index) ->
    mix((Seed + (Index + 1) * ?GAMMA) band ?M64).

mix(Z0) ->
    Z1 = ((Z0 bxor (Z0 bsr 30)) * 16#BF58476D1CE4E5B9) band ?M64,
    Z2 = ((Z1 bxor (Z1 bsr 27)) * 16#94D049BB133111EB) band ?M64,
    Z2 bxor (Z2 bsr 31).

%% @doc One xoshiro256** step: `{Output, State}'.
-spec next(state()) -> {non_neg_integer(), state()}.
next({S0, S1, S2, S3, Spare}) ->
    R = (rotl((S1 * 5) band ?M64, 7) * 9) band ?M64,
    T = (S1 bsl 17) band ?M64,
    S2a = S2 bxor S0,
    S3a = S3 bxor S1,
    S1a = S1 bxor S2a,
    S0a = S0 bxor S3a,
    {R, {S0a, S1a, S2a bxor T, rotl(S3a, 45), Spare}}.

rotl(X, K) ->
    ((X bsl K) band ?M64) bor (X bsr (64 - K)).

%% @doc A uniform float in `[0, 1)'.
-spec uniform(state()) -> {float(), state()}.
uniform(State) ->
    {X, State1} = next(State),
    {(X bsr 11) * ?UNIT, State1}.

%% @doc A standard normal deviate.
-spec normal(state()) -> {float(), state()}.
normal({S0, S1, S2, S3, Spare}) when is_float(Spare) ->
    {Spare, {S0, S1, S2, S3, none}};
normal(State) ->
    {A, State1} = uniform(State),
    {B, {S0, S1, S2, S3, none}} = uniform(State1),
    U = A * 2.0 - 1.0,
    V = B * 2.0 - 1.0,
    Q = U * U + V * V,
    if
        Q < 1.0, Q /= 0.0 ->
            F = math:sqrt((-2.0 * ln(Q)) / Q),
            {U * F, {S0, S1, S2, S3, V * F}};
        true ->
            normal({S0, S1, S2, S3, none})
    end.

%% The natural logarithm: the only transcendental call of this module.
%% TODO(merge): switch to tweann_ref_math:log/1 (our own deterministic log)
%% when it lands; until then this is the host libm's log, like rng.rs.
ln(X) -> math:log(X).
