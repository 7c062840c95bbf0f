%% @private
%% @doc Argument checks and errors shared by the pure Erlang reference
%% modules (`tweann_ref_*').
%%
%% A reference module reports a bad argument only through this module, by
%% raising the same internal term the native library raises:
%% `error:{tweann_error, badarg | badarith, Position, Why}', where Position
%% is the 1-based argument or `general' and Why a string. The public module
%% {@link tweann_nif} turns that term into `error:badarg' (or `badarith')
%% with EEP 54 error_info, so both backends fail the same way.
%%
%% The readers convert Erlang numbers to floats the way the native decoders
%% do: a float, or an integer converted with `float/1' (bignums included;
%% beyond the float range it is not a number); a binary is read as
%% native-endian f64 values, every one of which must be finite.
%%
%% Error messages are bounded: a message is at most ?MAX_REASON characters
%% whatever the arguments it shows (terms are printed with a character
%% limit, integers too large to print cheaply are named by their size), so
%% formatting an error never costs more than the bad argument's first few
%% hundred characters.
-module(tweann_ref_args).

-export([fail/2, fail/3, overflow/2, overflow/3, finite/1,
         to_float/2, to_float/3, int_float/1, float_list/2, float_list/3,
         non_neg_int/2, pos_int/2, proper_list/2, map_list/4]).
%% The readers and the overflow rule of the evolution kernels' twins
%% (statistics, selection, rewards), worded as their glue words errors.
-export([numbers/3, number/3, arith/2]).

-export_type([position/0, text/0]).

%% The longest error message, in characters.
-define(MAX_REASON, 400).
%% Integers up to this many bits are printed (about 300 digits); larger
%% ones are described by their size.
-define(MAX_PRINTED_INT_BITS, 1024).

-type position() :: pos_integer() | general.
%% The argument an error is about (1-based), or `general'.
-type text() :: unicode:chardata() | {io:format(), [term()]}.
%% A message part: characters, or a format and its arguments (formatted
%% only when an error is raised).

%%====================================================================
%% Errors
%%====================================================================

%% @doc Raise `{tweann_error, badarg, Pos, Why}'. `Why' is a string (a deep
%% character list such as an io_lib:format/2 result is flattened), a
%% `{Format, Args}' pair (formatted), a binary or any other term.
-spec fail(position(), unicode:chardata() | term()) -> no_return().
fail(Pos, Why) ->
    erlang:error({tweann_error, badarg, Pos, reason(Why)}).

%% @doc {@link fail/2} with `io_lib:format(Format, Args)', bounded: terms
%% in `Args' are printed with a character limit and the message is at most
%% ?MAX_REASON characters.
-spec fail(position(), io:format(), [term()]) -> no_return().
fail(Pos, Format, Args) ->
    fail(Pos, {Format, Args}).

%% @doc Raise `{tweann_error, badarith, Pos, Why}': an arithmetic overflow
%% (a result that would not be finite).
-spec overflow(position(), unicode:chardata() | term()) -> no_return().
overflow(Pos, Why) ->
    erlang:error({tweann_error, badarith, Pos, reason(Why)}).

%% @doc {@link overflow/2} with `io_lib:format(Format, Args)', bounded as
%% {@link fail/3} is.
-spec overflow(position(), io:format(), [term()]) -> no_return().
overflow(Pos, Format, Args) ->
    overflow(Pos, {Format, Args}).

%% @doc Run `Fun'; an arithmetic error inside it (Erlang floats cannot hold
%% infinities or NaN, so a non-finite result raises `badarith') becomes
%% {@link overflow/2} about `general'.
-spec finite(fun(() -> T)) -> T.
finite(Fun) ->
    try Fun()
    catch error:badarith -> overflow(general, "arithmetic overflow: a result is not finite")
    end.

-spec reason(term()) -> term().
reason({Format, Args}) when is_list(Format), is_list(Args) ->
    reason(bounded_format(Format, Args));
reason(Why) when is_list(Why) ->
    try unicode:characters_to_list(Why) of
        Chars when is_list(Chars) -> truncate(Chars);
        _ -> Why
    catch error:_ -> Why
    end;
reason(Why) when is_binary(Why) ->
    Part = binary:part(Why, 0, min(byte_size(Why), 4 * ?MAX_REASON)),
    case unicode:characters_to_list(Part) of
        Chars when is_list(Chars) -> truncate(Chars);
        _ -> Part
    end;
reason(Why) ->
    Why.

%% io_lib:format/2 with a character limit on every term printed, and large
%% integers (whose digits alone would cost time and memory) named by size.
-spec bounded_format(io:format(), [term()]) -> string().
bounded_format(Format, Args) ->
    Shown = [printable_arg(A) || A <- Args],
    try io_lib:format(Format, Shown, [{chars_limit, ?MAX_REASON}]) of
        Chars -> lists:flatten(Chars)
    catch error:_ ->
            %% An argument replaced by its description no longer fits its
            %% control sequence (~b of a huge integer, say).
            lists:flatten(io_lib:format("~ts (the arguments are too large to show)",
                                        [string:slice(Format, 0, ?MAX_REASON)]))
    end.

-spec printable_arg(term()) -> term().
printable_arg(I) when is_integer(I), I > 1 bsl ?MAX_PRINTED_INT_BITS;
                      is_integer(I), I < -(1 bsl ?MAX_PRINTED_INT_BITS) ->
    list_to_atom(lists:flatten(io_lib:format("<an integer of more than ~b bits>",
                                             [?MAX_PRINTED_INT_BITS])));
printable_arg(X) ->
    X.

%% At most ?MAX_REASON characters, "..." marking a cut.
-spec truncate(string()) -> string().
truncate(Chars) ->
    case string:length(Chars) > ?MAX_REASON of
        true -> string:slice(Chars, 0, ?MAX_REASON - 3) ++ "...";
        false -> Chars
    end.

%%====================================================================
%% Readers
%%====================================================================

%% @doc An integer as `float/1' converts it (bignums included), or
%% `error' beyond the float range: the one rule for integers.
-spec int_float(integer()) -> float() | error.
int_float(X) ->
    try float(X)
    catch error:badarg -> error
    end.

%% @doc A number as a float: any integer in float range or float.
-spec to_float(position(), term()) -> float().
to_float(_Pos, X) when is_float(X) -> X;
to_float(Pos, X) when is_integer(X) ->
    try float(X)
    catch error:badarg -> fail(Pos, "integer out of float range")
    end;
to_float(Pos, _) ->
    fail(Pos, "not a number").

%% @doc {@link to_float/2}, the error naming `What' (e.g. `"epsilon"').
-spec to_float(position(), unicode:chardata(), term()) -> float().
to_float(_Pos, _What, X) when is_float(X) -> X;
to_float(Pos, What, X) when is_integer(X) ->
    try float(X)
    catch error:badarg -> fail(Pos, "~ts is an integer out of float range", [What])
    end;
to_float(Pos, What, X) ->
    fail(Pos, "~ts is not a number: ~tP", [What, X, 8]).

%% @doc A proper list of numbers, or a binary of native-endian finite f64
%% values, as floats. An error names the element (1-based).
-spec float_list(position(), term()) -> [float()].
float_list(Pos, Term) ->
    float_list(Pos, "", Term).

%% @doc {@link float_list/2} for a part of an argument: `Ctx' (such as
%% `"row 3"' or `{"row ~b", [3]}') prefixes every error message; `""' for
%% the whole argument.
-spec float_list(position(), text(), term()) -> [float()].
float_list(Pos, Ctx, L) when is_list(L) ->
    list_floats(L, Pos, Ctx, 1);
float_list(Pos, Ctx, B) when is_binary(B) ->
    byte_size(B) rem 8 =:= 0 orelse
        fail(Pos, "~tsbinary size ~b is not a multiple of 8", [prefix(Ctx), byte_size(B)]),
    bin_floats(B, Pos, Ctx, 1);
float_list(Pos, Ctx, _) ->
    case is_empty(Ctx) of
        true -> fail(Pos, "not a list of numbers or a binary");
        false -> fail(Pos, "~ts is not a list of numbers or a binary", [text(Ctx)])
    end.

-spec list_floats(term(), position(), text(), pos_integer()) -> [float()].
list_floats([X | Rest], Pos, Ctx, I) when is_float(X) ->
    [X | list_floats(Rest, Pos, Ctx, I + 1)];
list_floats([X | Rest], Pos, Ctx, I) when is_integer(X) ->
    F = try float(X)
        catch error:badarg ->
                fail(Pos, "~tselement ~b is an integer out of float range", [prefix(Ctx), I])
        end,
    [F | list_floats(Rest, Pos, Ctx, I + 1)];
list_floats([_ | _], Pos, Ctx, I) ->
    fail(Pos, "~tselement ~b is not a number", [prefix(Ctx), I]);
list_floats([], _Pos, _Ctx, _I) ->
    [];
list_floats(_, Pos, Ctx, _I) ->
    fail(Pos, "~tsnot a proper list", [prefix(Ctx)]).

-spec bin_floats(binary(), position(), text(), pos_integer()) -> [float()].
bin_floats(<<X:64/float-native, Rest/binary>>, Pos, Ctx, I) ->
    [X | bin_floats(Rest, Pos, Ctx, I + 1)];
bin_floats(<<>>, _Pos, _Ctx, _I) ->
    [];
bin_floats(_, Pos, Ctx, I) ->
    fail(Pos, "~tselement ~b is not finite (NaN or infinity)", [prefix(Ctx), I]).

-spec prefix(text()) -> unicode:chardata().
prefix(Ctx) ->
    case is_empty(Ctx) of
        true -> "";
        false -> [text(Ctx), " "]
    end.

-spec is_empty(text()) -> boolean().
is_empty(Ctx) -> unicode:characters_to_binary(text(Ctx)) =:= <<>>.

-spec text(text()) -> unicode:chardata().
text({Format, Args}) -> io_lib:format(Format, Args);
text(Chars) -> Chars.

%% @doc A non-negative integer.
-spec non_neg_int(position(), term()) -> non_neg_integer().
non_neg_int(_Pos, N) when is_integer(N), N >= 0 -> N;
non_neg_int(Pos, _) -> fail(Pos, "not a non-negative integer").

%% @doc A positive integer.
-spec pos_int(position(), term()) -> pos_integer().
pos_int(_Pos, N) when is_integer(N), N > 0 -> N;
pos_int(Pos, _) -> fail(Pos, "not a positive integer").

%% @doc A proper list, returned as is.
-spec proper_list(position(), term()) -> list().
proper_list(Pos, L) when is_list(L) ->
    try length(L) of
        _ -> L
    catch error:badarg -> fail(Pos, "not a proper list")
    end;
proper_list(Pos, _) ->
    fail(Pos, "not a proper list").

%% @doc Map `F(Element, K)' (K the 1-based index) over a proper list; an
%% improper list or a non-list fails with `Why' about argument `Pos'.
-spec map_list(fun((term(), pos_integer()) -> T), term(), position(), text()) -> [T].
map_list(F, L, Pos, Why) ->
    map_list(F, L, 1, Pos, Why).

-spec map_list(fun((term(), pos_integer()) -> T), term(), pos_integer(), position(),
               text()) -> [T].
map_list(F, [X | Rest], K, Pos, Why) -> [F(X, K) | map_list(F, Rest, K + 1, Pos, Why)];
map_list(_F, [], _K, _Pos, _Why) -> [];
map_list(_F, _, _K, Pos, Why) -> fail(Pos, text(Why)).

%%--------------------------------------------------------------------
%% The evolution kernels' readers (tweann_ref_stats, _selection, _reward)
%%--------------------------------------------------------------------

%% @doc A list of numbers or a native-endian f64 binary, as floats; errors
%% name `What' and the element as the evolution kernels' glue does.
-spec numbers(term(), position(), iodata()) -> [float()].
numbers(L, Pos, What) when is_list(L) ->
    evo_floats(L, Pos, What, 1);
numbers(B, Pos, What) when is_binary(B) ->
    byte_size(B) rem 8 =:= 0 orelse
        fail(Pos, io_lib:format("~ts: a binary of f64 values must have a size divisible by 8, not ~b",
                                [What, byte_size(B)])),
    evo_bin_floats(B, Pos, What, 1);
numbers(_, Pos, What) ->
    fail(Pos, [What, " is not a list or an f64 binary"]).

evo_floats([X | Xs], Pos, What, I) when is_float(X) ->
    [X | evo_floats(Xs, Pos, What, I + 1)];
evo_floats([X | Xs], Pos, What, I) when is_integer(X) ->
    case int_float(X) of
        error -> fail(Pos, io_lib:format("~ts: element ~b is not a number", [What, I]));
        F -> [F | evo_floats(Xs, Pos, What, I + 1)]
    end;
evo_floats([], _Pos, _What, _I) ->
    [];
evo_floats([_ | _], Pos, What, I) ->
    fail(Pos, io_lib:format("~ts: element ~b is not a number", [What, I]));
evo_floats(_, Pos, What, _I) ->
    fail(Pos, [What, " is not a proper list"]).

evo_bin_floats(<<X:64/float-native, Rest/binary>>, Pos, What, I) ->
    [X | evo_bin_floats(Rest, Pos, What, I + 1)];
evo_bin_floats(<<>>, _Pos, _What, _I) ->
    [];
evo_bin_floats(_, Pos, What, I) ->
    fail(Pos, io_lib:format("~ts: value ~b of the binary is not finite", [What, I])).

%% @doc A number as a float (integers as `float/1' converts them).
-spec number(term(), position(), iodata()) -> float().
number(X, _Pos, _What) when is_float(X) -> X;
number(X, Pos, What) when is_integer(X) ->
    case int_float(X) of
        error -> fail(Pos, [What, " is not a number"]);
        F -> F
    end;
number(_, Pos, What) -> fail(Pos, [What, " is not a number"]).

%% @doc Run `F'; an arithmetic overflow becomes the NIF's badarith naming
%% `Where'.
-spec arith(iodata(), fun(() -> T)) -> T.
arith(Where, F) ->
    try F()
    catch error:badarith ->
            erlang:error({tweann_error, badarith, general,
                          iolist_to_binary(["arithmetic overflow in ", Where])})
    end.
