%% Shared helpers of the tests of faber-tweann's evolution kernels
%% (tweann_novelty_tests, tweann_stats_tests, tweann_selection_tests,
%% tweann_reward_tests): NIF vs reference outcomes bit for bit, tolerance
%% checks against faber's own NIF, error_info positions.
-module(tweann_kernel_checks).

-include_lib("eunit/include/eunit.hrl").

-export([same/3, nif_outcome/2, ref_outcome/3, bits/1, close/2, badarg_pos/1, reason/1,
         pick/1, f64s/1, break/1, faber_tests/2]).

-define(N, tweann_nif).

%% Assert that tweann_nif:F(Args) and Ref:F(Args) have the same outcome:
%% the same bits, or the same error class and argument position.
same(Ref, F, Args) ->
    Nif = nif_outcome(F, Args),
    R = ref_outcome(Ref, F, Args),
    case bits(Nif) =:= bits(R) of
        true -> ok;
        false -> ?assertEqual({F, Args, R}, {F, Args, Nif})
    end.

%% {ok, Value} or {error, Class, Position} (from the error_info).
nif_outcome(F, Args) ->
    try {ok, apply(?N, F, Args)}
    catch error:Class:St when Class =:= badarg; Class =:= badarith ->
            [{?N, F, _, Info} | _] = St,
            #{cause := {Pos, _}} = proplists:get_value(error_info, Info),
            {error, Class, Pos}
    end.

%% The same for a reference module (which raises tweann_error terms).
ref_outcome(Ref, F, Args) ->
    try {ok, apply(Ref, F, Args)}
    catch error:{tweann_error, Class, Pos, _Why} ->
            {error, Class, Pos}
    end.

%% Floats by their bits (so 0.0 and -0.0 differ).
bits(X) when is_float(X) -> {float, <<X:64/float>>};
bits(L) when is_list(L) -> [bits(X) || X <- L];
bits(T) when is_tuple(T) -> list_to_tuple(bits(tuple_to_list(T)));
bits(X) -> X.

%% Equal within 1e-9 relative or 1e-12 absolute (integers and atoms exactly),
%% elementwise through lists and tuples.
close(A, B) when is_list(A), is_list(B) ->
    ?assertEqual(length(B), length(A)),
    lists:foreach(fun({X, Y}) -> close(X, Y) end, lists:zip(A, B));
close(A, B) when is_tuple(A), is_tuple(B) ->
    close(tuple_to_list(A), tuple_to_list(B));
close(A, B) when is_float(A), is_float(B) ->
    case abs(A - B) =< 1.0e-12 orelse abs(A - B) =< 1.0e-9 * max(abs(A), abs(B)) of
        true -> ok;
        false -> ?assertEqual(B, A)
    end;
close(A, B) ->
    ?assertEqual(B, A).

%% The argument position a badarg of tweann_nif names.
badarg_pos(Fun) ->
    try Fun() of
        V -> {no_error, V}
    catch error:badarg:St ->
            [{?N, _, _, Info} | _] = St,
            #{cause := {Pos, _}} = proplists:get_value(error_info, Info),
            Pos
    end.

%% The text the shell prints for a badarg of tweann_nif.
reason(Fun) ->
    try Fun() of
        V -> {no_error, V}
    catch error:badarg:St ->
            [Msg] = maps:values(tweann_error:format_error(badarg, St)),
            Msg
    end.

pick(L) -> lists:nth(rand:uniform(length(L)), L).

f64s(L) -> << <<X:64/float-native>> || X <- L >>.

%% Break one argument: a bad element somewhere, a bad tail, a wrong type.
break(Args) ->
    K = rand:uniform(length(Args)),
    {Before, [X | After]} = lists:split(K - 1, Args),
    Before ++ [break_term(X) | After].

break_term(L) when is_list(L), L =/= [] ->
    case rand:uniform(4) of
        1 -> L ++ [bad];
        2 -> lists:foldr(fun(E, Acc) -> [E | Acc] end, tail, L);
        3 -> I = rand:uniform(length(L)),
             {A, [E | B]} = lists:split(I - 1, L),
             A ++ [break_term(E) | B];
        4 -> {L}
    end;
break_term(T) when is_tuple(T), tuple_size(T) > 0 ->
    I = rand:uniform(tuple_size(T)),
    setelement(I, T, break_term(element(I, T)));
break_term(B) when is_binary(B) -> <<B/binary, 1>>;
break_term(N) when is_integer(N) -> pick([-N - 1, 1.5, x]);
break_term(_) -> pick([x, [x], {}, <<1>>]).

%% An EUnit test running Fun() when faber-tweann's NIF is available
%% (TWEANN_FABER_NIF_DIR, see bench_faber_nif), else a skip note.
faber_tests(Title, Fun) ->
    case bench_faber_nif:why_not() of
        ok -> {Title, {timeout, 120, Fun}};
        Why -> {lists:flatten(io_lib:format("~s: skipped (~p)", [Title, Why])), fun() -> ok end}
    end.
