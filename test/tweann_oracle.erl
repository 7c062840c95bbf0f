%% Test helpers around the pure Erlang reference (the oracle the NIF is
%% checked against): find the reference module of a tweann_nif function,
%% call it, and read errors of either backend the same way.
%%
%% The reference modules raise error:{tweann_error, Class, Pos, Why} (as the
%% NIF does); tweann_nif raises error:Class with EEP 54 error_info.
-module(tweann_oracle).

-include_lib("eunit/include/eunit.hrl").

-export([twin/2, call/2, outcome/1, cause/2, message/1, bits/1]).

%% The tweann_ref_* module that exports F/A (exactly one), discovered from
%% the application's module list.
twin(F, A) ->
    _ = application:load(tweann_nif),
    {ok, Mods} = application:get_key(tweann_nif, modules),
    Twins = [M || M <- Mods, lists:prefix("tweann_ref_", atom_to_list(M)),
                  code:ensure_loaded(M) =:= {module, M}, erlang:function_exported(M, F, A)],
    case Twins of
        [M] -> M;
        _ -> error({no_single_reference_for, F, A, Twins})
    end.

%% The reference's F(Args...).
call(F, Args) ->
    apply(twin(F, length(Args)), F, Args).

%% {ok, Bits} or {error, Class, Position} for a call of either backend.
outcome(F) ->
    try {ok, bits(F())}
    catch
        error:{tweann_error, Class, Pos, _} -> {error, Class, Pos};
        error:Class:St when Class =:= badarg; Class =:= badarith -> {error, Class, position(St)}
    end.

position([{_, _, _, Info} | _]) ->
    case proplists:get_value(error_info, Info) of
        #{cause := {Pos, _}} -> Pos;
        _ -> none
    end.

%% The error of class Class that Fun raises, as the shell would describe it:
%% #{Position => Message}; {no_exception, Result} when it raises nothing.
cause(Class, Fun) ->
    try Fun() of
        Result -> {no_exception, Result}
    catch
        error:{tweann_error, Class, Pos, Why} ->
            tweann_error:format_error(Class, [{m, f, [], [{error_info, #{cause => {Pos, Why}}}]}]);
        error:Class:St ->
            [{_, _, _, Info} | _] = St,
            ?assertMatch(#{module := tweann_error}, proplists:get_value(error_info, Info)),
            tweann_error:format_error(Class, St)
    end.

%% The one message of a badarg raised by Fun.
message(Fun) ->
    case cause(badarg, Fun) of
        #{} = C -> [Msg] = maps:values(C), Msg;
        Other -> error({expected_badarg, Other})
    end.

%% Floats as their IEEE bits, so -0.0 and 0.0 differ and equality is exact.
bits(F) when is_float(F) -> <<F:64/float>>;
bits(L) when is_list(L) -> [bits(X) || X <- L];
bits(T) when is_tuple(T) -> list_to_tuple(bits(tuple_to_list(T)));
bits(X) -> X.
