%% @doc Pure Erlang twin of `tweann_core::activation': the activation
%% functions of DXNN2/faber-tweann networks, computed with the same
%% expressions in the same order as the Rust kernel (the table in
%% `docs/semantics.md'), so results are bit-identical.
%%
%% {@link activations/0} lists the activation atoms in the native library's
%% tag order. Bad arguments raise `{tweann_error, badarg, Pos, Why}' through
%% `tweann_ref_args' (the public module {@link tweann_nif} turns it
%% into `badarg' with error_info).
-module(tweann_ref_activation).

-export([activations/0, is_activation/1, activate/2, activate_batch/2]).
%% Used by the other reference modules.
-export([act/2, sgn/1, fabs/1, clamp/3, sigmoid/1]).

-export_type([activation/0]).

-type activation() :: tanh | sigmoid | sigmoid1 | sin | cos | gaussian
                    | linear | relu | sgn | bin | trinary | multiquadric
                    | quadratic | cubic | absolute | sqrt | log.
%% The activation functions, the same as {@link tweann_nif:activation()}.

%% @doc Every activation, in the tag order of the native library
%% (`tweann_nif:build_info()' reports the same list as `activations').
-spec activations() -> [activation(), ...].
activations() ->
    [tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin,
     trinary, multiquadric, quadratic, cubic, absolute, sqrt, log].

%% @doc True for an activation atom.
-spec is_activation(term()) -> boolean().
is_activation(A) ->
    lists:member(A, activations()).

%% @doc Apply one activation function to one number.
-spec activate(activation(), number()) -> float().
activate(Activation, X) ->
    is_activation(Activation) orelse
        tweann_ref_args:fail(1, "unknown activation ~tp", [Activation]),
    F = tweann_ref_args:to_float(2, X),
    tweann_ref_args:finite(fun() -> act(Activation, F) end).

%% @doc Apply `Activation' to every value (a list of numbers or a binary).
-spec activate_batch([number()] | binary(), activation()) -> [float()].
activate_batch(Values, Activation) ->
    Xs = tweann_ref_args:float_list(1, Values),
    is_activation(Activation) orelse
        tweann_ref_args:fail(2, "unknown activation ~tp", [Activation]),
    tweann_ref_args:finite(fun() -> [act(Activation, X) || X <- Xs] end).

%% @doc The activation of a float, unchecked (raises `badarith' on a
%% non-finite result).
-spec act(activation(), float()) -> float().
act(tanh, X) -> tweann_ref_math:tanh(X);
act(sigmoid, X) -> sigmoid(X);
act(sigmoid1, X) -> X / (1.0 + fabs(X));
act(sin, X) -> tweann_ref_math:sin(X);
act(cos, X) -> tweann_ref_math:cos(X);
act(gaussian, X) -> tweann_ref_math:gaussian(clamp(X, -10.0, 10.0));
act(linear, X) -> X;
act(relu, X) when X > 0.0 -> X;
act(relu, _X) -> 0.0;
act(sgn, X) -> sgn(X);
act(bin, X) when X > 0.0 -> 1.0;
act(bin, _X) -> 0.0;
act(trinary, X) when X >= 0.33 -> 1.0;
act(trinary, X) when X =< -0.33 -> -1.0;
act(trinary, _X) -> 0.0;
act(multiquadric, X) -> math:sqrt(X * X + 0.01);
act(quadratic, X) -> sgn(X) * (X * X);
act(cubic, X) -> (X * X) * X;
act(absolute, X) -> fabs(X);
act(sqrt, X) -> sgn(X) * math:sqrt(fabs(X));
act(log, X) when X == 0.0 -> 0.0;
act(log, X) -> sgn(X) * tweann_ref_math:log(fabs(X)).

%% @doc The sign: 1.0, -1.0 or 0.0.
-spec sgn(float()) -> float().
sgn(X) when X > 0.0 -> 1.0;
sgn(X) when X < 0.0 -> -1.0;
sgn(_X) -> 0.0.

%% @doc Rust's `f64::abs': clears the sign bit (`fabs(-0.0)' is `0.0').
-spec fabs(float()) -> float().
fabs(X) when X < 0.0 -> -X;
fabs(X) when X == 0.0 -> 0.0;
fabs(X) -> X.

%% @doc Rust's `f64::clamp'.
-spec clamp(float(), float(), float()) -> float().
clamp(X, Lo, _Hi) when X < Lo -> Lo;
clamp(X, _Lo, Hi) when X > Hi -> Hi;
clamp(X, _Lo, _Hi) -> X.

%% @doc The network sigmoid: `1 / (1 + exp(-clamp(X, -10, 10)))'.
-spec sigmoid(float()) -> float().
sigmoid(X) -> tweann_ref_math:sigmoid(clamp(X, -10.0, 10.0)).
