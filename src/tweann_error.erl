%% @doc Error raising and EEP 54 error formatting for the tweann_nif API.
%%
%% Every public function of {@link tweann_nif} and {@link tweann_ref} reports
%% a bad argument by raising `error:badarg' (or `error:badarith' for an
%% arithmetic overflow) whose top stack frame is the public call itself,
%% carrying `error_info' with `module => tweann_error'. The shell then calls
%% {@link format_error/2}, which names the argument and the reason:
%%
%% ```
%% 1> tweann_nif:evaluate(make_ref(), [1.0]).
%% ** exception error: bad argument
%%      in function  tweann_nif:evaluate/2
%%         called as tweann_nif:evaluate(#Ref<0.1.2.3>,[1.0])
%%         *** argument 1: not a compiled network
%% '''
-module(tweann_error).

-export([raise/5, raise/6, format_error/2]).

-type position() :: pos_integer() | general.
-export_type([position/0]).

%% @doc Raise `error:badarg' as if from `Module:Function(Args...)', explaining
%% that the argument at `Position' (1-based, or `general') is wrong because of
%% `Reason' (a string, binary or any term).
-spec raise(module(), atom(), [term()], position(), unicode:chardata() | term()) -> no_return().
raise(Module, Function, Args, Position, Reason) ->
    raise(badarg, Module, Function, Args, Position, Reason).

%% @doc Raise `error:Class' (`badarg' or `badarith') with error_info, as if
%% from `Module:Function(Args...)'.
-spec raise(badarg | badarith, module(), atom(), [term()], position(),
            unicode:chardata() | term()) -> no_return().
raise(Class, Module, Function, Args, Position, Reason) ->
    {current_stacktrace, [_Self | Caller]} = erlang:process_info(self(), current_stacktrace),
    Info = [{error_info, #{module => ?MODULE, cause => {Position, Reason}}}],
    erlang:raise(error, Class, [{Module, Function, Args, Info} | Caller]).

%% @doc EEP 54 callback: turns the cause stored by {@link raise/5} into the
%% map `#{Position => Description}' that `erl_error' prints.
-spec format_error(term(), erlang:stacktrace()) -> #{pos_integer() | general => string()}.
format_error(_Reason, [{_M, _F, _As, Info} | _]) ->
    case proplists:get_value(error_info, Info, #{}) of
        #{cause := {Position, Why}} -> #{Position => describe(Why)};
        _ -> #{}
    end;
format_error(_Reason, _Stacktrace) ->
    #{}.

describe(Why) when is_binary(Why) -> unicode:characters_to_list(Why);
describe(Why) when is_list(Why) ->
    %% Reasons are often io_lib:format/2 results: deep character lists.
    case catch unicode:characters_to_list(Why) of
        Chars when is_list(Chars) ->
            case io_lib:printable_unicode_list(Chars) of
                true -> Chars;
                false -> lists:flatten(io_lib:format("~tp", [Why]))
            end;
        _ -> lists:flatten(io_lib:format("~tp", [Why]))
    end;
describe(Why) -> lists:flatten(io_lib:format("~tp", [Why])).
