%% @doc EEP 54 error formatting for the tweann_nif API.
%%
%% Every public function of {@link tweann_nif}, {@link tweann_store} and
%% {@link tweann_innovation} reports a bad argument by raising
%% `error:badarg' (or `error:badarith' for an arithmetic overflow) with
%% `erlang:error(Class, Args, [{error_info, #{module => tweann_error, cause
%% => {Position, Why}}}])' from the public function itself (the macros of
%% `tweann_error.hrl'), so the top stack frame is the public call, once. The
%% shell then calls {@link format_error/2}, which names the argument and the
%% reason:
%%
%% ```
%% 1> tweann_nif:evaluate(make_ref(), [1.0]).
%% ** exception error: bad argument
%%      in function  tweann_nif:evaluate/2
%%         called as tweann_nif:evaluate(#Ref<0.1.2.3>,[1.0])
%%         *** argument 1: not a compiled network
%% '''
-module(tweann_error).

-export([format_error/2]).

-type position() :: pos_integer() | general.
%% The argument an error is about (1-based), or `general' for the call as a
%% whole.
-export_type([position/0]).

%% The longest description format_error/2 returns, in characters.
-define(MAX_CHARS, 1000).

%% @doc EEP 54 callback: turns the cause `{Position, Why}' of the error_info
%% into the map `#{Position => Description}' that `erl_error' prints.
-spec format_error(term(), erlang:stacktrace()) -> #{pos_integer() | general => string()}.
format_error(_Reason, [{_M, _F, _As, Info} | _]) ->
    case proplists:get_value(error_info, Info, #{}) of
        #{cause := {Position, Why}} -> #{Position => describe(Why)};
        _ -> #{}
    end;
format_error(_Reason, _Stacktrace) ->
    #{}.

%% The text of a reason, at most ?MAX_CHARS characters whatever the term
%% (both backends already bound their messages; this bounds anything else).
describe(Why) when is_binary(Why) ->
    case unicode:characters_to_list(binary:part(Why, 0, min(byte_size(Why), 4 * ?MAX_CHARS))) of
        Chars when is_list(Chars) -> truncate(Chars);
        _ -> show(Why)
    end;
describe(Why) when is_list(Why) ->
    %% Reasons are often io_lib:format/2 results: deep character lists.
    case catch unicode:characters_to_list(Why) of
        Chars when is_list(Chars) ->
            case io_lib:printable_unicode_list(Chars) of
                true -> truncate(Chars);
                false -> show(Why)
            end;
        _ -> show(Why)
    end;
describe(Why) -> show(Why).

show(Term) ->
    truncate(lists:flatten(io_lib:format("~tP", [Term, 20], [{chars_limit, ?MAX_CHARS}]))).

truncate(Chars) ->
    case length(Chars) > ?MAX_CHARS of
        true -> lists:sublist(Chars, ?MAX_CHARS - 3) ++ "...";
        false -> Chars
    end.
