%% @doc Pure Erlang twin of `tweann_core::scalar': the single-neuron liquid
%% forms (`docs/cells.md' section 5), with the same operations in the same order
%% as the Rust kernel:
%%
%% <ul>
%% <li>`sig(x) = 1 / (1 + exp(-clamp(x, -10, 10)))', `T = max(Tau, 0.001)';</li>
%% <li>backbone `f(u)': `u / T' without weights, else
%%     `tanh(w0 * u + w1 + w2 + ...)' (left to right);</li>
%% <li>head `g(x)': `tanh(x)' without weights, else `tanh(w0 * x + w1 + ...)';</li>
%% <li>CfC: `s = sig(-f(u))', `x = clampB(s * state + (1 - s) * g(u))';
%%     returns `{x, x}';</li>
%% <li>ODE: `F = f(u)', `dx = -(1/T + F) * state + F * Bound',
%%     `x = clampB(state + Dt * dx)'; returns `{x, x}' without head weights,
%%     else `{x, g(x)}'.</li>
%% </ul>
%%
%% Bad arguments raise `{tweann_error, badarg, Pos, Why}' and a non-finite
%% result `{tweann_error, badarith, general, Why}' through
%% `tweann_ref_args'.
-module(tweann_ref_scalar).

-export([evaluate_cfc/4, evaluate_cfc_with_weights/6, evaluate_ode/5,
         evaluate_ode_with_weights/7, evaluate_cfc_batch/4]).
%% Used by the network reference (liquid nodes).
-export([cfc/6, ode/7, tau/1]).

%% @doc One closed-form continuous-time (CfC) step of a single neuron:
%% returns `{NewState, Output}' (equal). `Bound' must be >= 0.
-spec evaluate_cfc(number(), number(), number(), number()) -> {float(), float()}.
evaluate_cfc(Input, State, Tau, Bound) ->
    {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
    X = tweann_ref_args:finite(fun() -> cfc(In, S, T, Bd, [], []) end),
    {X, X}.

%% @doc {@link evaluate_cfc/4} with backbone and head weights (`[]' means
%% none).
-spec evaluate_cfc_with_weights(number(), number(), number(), number(),
                                [number()] | binary(), [number()] | binary()) ->
          {float(), float()}.
evaluate_cfc_with_weights(Input, State, Tau, Bound, BackboneWeights, HeadWeights) ->
    {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
    BW = tweann_ref_args:float_list(5, BackboneWeights),
    HW = tweann_ref_args:float_list(6, HeadWeights),
    X = tweann_ref_args:finite(fun() -> cfc(In, S, T, Bd, BW, HW) end),
    {X, X}.

%% @doc One explicit Euler step (of size `Dt') of the liquid time-constant
%% ODE of a single neuron: returns `{NewState, Output}'.
-spec evaluate_ode(number(), number(), number(), number(), number()) -> {float(), float()}.
evaluate_ode(Input, State, Tau, Bound, Dt) ->
    {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
    DtF = tweann_ref_args:to_float(5, Dt),
    tweann_ref_args:finite(fun() -> ode(In, S, T, Bd, DtF, [], []) end).

%% @doc {@link evaluate_ode/5} with backbone and head weights; with head
%% weights the output is the head applied to the new state.
-spec evaluate_ode_with_weights(number(), number(), number(), number(), number(),
                                [number()] | binary(), [number()] | binary()) ->
          {float(), float()}.
evaluate_ode_with_weights(Input, State, Tau, Bound, Dt, BackboneWeights, HeadWeights) ->
    {In, S, T, Bd} = scalar_args(Input, State, Tau, Bound),
    DtF = tweann_ref_args:to_float(5, Dt),
    BW = tweann_ref_args:float_list(6, BackboneWeights),
    HW = tweann_ref_args:float_list(7, HeadWeights),
    tweann_ref_args:finite(fun() -> ode(In, S, T, Bd, DtF, BW, HW) end).

%% @doc Fold {@link evaluate_cfc/4} over `Inputs', threading the state from
%% `State0'; returns `[{State, Output}]', one per input, in order.
-spec evaluate_cfc_batch([number()] | binary(), number(), number(), number()) ->
          [{float(), float()}].
evaluate_cfc_batch(Inputs, State0, Tau, Bound) ->
    Xs = tweann_ref_args:float_list(1, Inputs),
    S0 = tweann_ref_args:to_float(2, State0),
    T = tau(tweann_ref_args:to_float(3, Tau)),
    Bd = bound(Bound, 4),
    tweann_ref_args:finite(fun() -> cfc_fold(Xs, S0, T, Bd) end).

%% @doc The CfC step: `clampB(s * S + (1 - s) * g(In))' with
%% `s = sig(-f(In))'. `T' is already `max(Tau, 0.001)'.
-spec cfc(float(), float(), float(), float(), [float()], [float()]) -> float().
cfc(In, S, T, Bound, BW, HW) ->
    F = backbone(In, T, BW),
    Sg = tweann_ref_activation:sigmoid(-F),
    H = head(In, HW),
    tweann_ref_activation:clamp(Sg * S + (1.0 - Sg) * H, -Bound, Bound).

%% @doc The ODE step: `{X, Output}'. `T' is already `max(Tau, 0.001)'.
-spec ode(float(), float(), float(), float(), float(), [float()], [float()]) ->
          {float(), float()}.
ode(In, S, T, Bound, Dt, BW, HW) ->
    F = backbone(In, T, BW),
    DxDt = (-(1.0 / T + F)) * S + F * Bound,
    X = tweann_ref_activation:clamp(S + Dt * DxDt, -Bound, Bound),
    case HW of
        [] -> {X, X};
        _ -> {X, head(X, HW)}
    end.

%% @doc `max(Tau, 0.001)'.
-spec tau(float()) -> float().
tau(Tau) -> max(Tau, 0.001).

%%====================================================================
%% Internal
%%====================================================================

-spec scalar_args(term(), term(), term(), term()) -> {float(), float(), float(), float()}.
scalar_args(Input, State, Tau, Bound) ->
    In = tweann_ref_args:to_float(1, Input),
    S = tweann_ref_args:to_float(2, State),
    T = tau(tweann_ref_args:to_float(3, Tau)),
    {In, S, T, bound(Bound, 4)}.

-spec bound(term(), pos_integer()) -> float().
bound(Bound, Pos) ->
    case is_number(Bound) andalso tweann_ref_args:to_float(Pos, Bound) of
        B when is_float(B), B >= 0.0 -> B;
        _ -> tweann_ref_args:fail(Pos, "not a number >= 0")
    end.

-spec cfc_fold([float()], float(), float(), float()) -> [{float(), float()}].
cfc_fold([], _S, _T, _Bd) ->
    [];
cfc_fold([In | Rest], S, T, Bd) ->
    X = cfc(In, S, T, Bd, [], []),
    [{X, X} | cfc_fold(Rest, X, T, Bd)].

%% Backbone f: T is max(Tau, 0.001).
-spec backbone(float(), float(), [float()]) -> float().
backbone(In, T, []) -> In / T;
backbone(In, _T, [W0 | Ws]) -> tweann_ref_math:tanh(add_all(Ws, W0 * In)).

-spec head(float(), [float()]) -> float().
head(X, []) -> tweann_ref_math:tanh(X);
head(X, [W0 | Ws]) -> tweann_ref_math:tanh(add_all(Ws, W0 * X)).

-spec add_all([float()], float()) -> float().
add_all([], Acc) -> Acc;
add_all([W | Ws], Acc) -> add_all(Ws, Acc + W).
