%% @private
%% @doc The check run before the native library is loaded, and the text of
%% load errors.
%%
%% The x86_64 library is built for x86-64-v2 (SSE4.2 and the rest of that
%% level: SSE3, SSSE3, SSE4.1, POPCNT, CMPXCHG16B, LAHF/SAHF). On a host that
%% lacks any of them the first call would end the VM with an illegal
%% instruction, so the library is not loaded and the error says why. The
%% check reads `/proc/cpuinfo' once per load and costs well under a
%% millisecond.
%%
%% The library's integrity is checked where it enters the application, not
%% here: `scripts/build_nif.sh' verifies a precompiled artifact's SHA-256
%% against the checksum manifest before installing it (docs/packaging.md);
%% a build from source is cargo's own output.
%%
%% Errors are `{error, {Tag, Details}}' where Details is a map with a
%% `message' string saying what is wrong and what to do; {@link
%% format_error/1} gives that message, and also a sentence for the errors of
%% `erlang:load_nif/2'. `tweann_nif:build_info()' reports the error as
%% `load_error', and the application logs it when it starts
%% (tweann_nif_app).
-module(tweann_nif_loader).

-export([verify/1, format_error/1, host_cpu_flags/0, check_cpu/2]).

%% The /proc/cpuinfo flags of the x86-64-v2 level the library is built for.
-define(X86_64_V2_FLAGS, [{"sse4_2", "SSE4.2"}, {"sse4_1", "SSE4.1"}, {"ssse3", "SSSE3"},
                          {"pni", "SSE3"}, {"popcnt", "POPCNT"}, {"cx16", "CMPXCHG16B"},
                          {"lahf_lm", "LAHF/SAHF"}]).

%% @doc Check that the library at `Path' (without the `.so' extension)
%% exists and that the host CPU can run it.
-spec verify(file:filename()) -> ok | {error, term()}.
verify(Path) ->
    %% Runs inside an on_load function: it must never raise (an exception
    %% there fails the load of tweann_nif_native, and at boot of a release
    %% that stops the node).
    try verify_lib(unicode:characters_to_list([Path, ".so"]))
    catch Class:Reason:Stack ->
            {error, {verify_failed,
                     #{exception => {Class, Reason, lists:sublist(Stack, 3)},
                       message => lists:flatten(io_lib:format(
                                    "tweann_nif could not check its library: ~tp:~tP",
                                    [Class, Reason, 20]))}}}
    end.

verify_lib(Lib) ->
    case filelib:is_regular(Lib) of
        false ->
            {error, {library_missing,
                     #{library => Lib,
                       message => "the native library " ++ Lib ++ " does not exist; "
                                  "build it with `rebar3 clean -a && rebar3 compile` "
                                  "(scripts/build_nif.sh)"}}};
        true ->
            check_cpu(erlang:system_info(system_architecture), host_cpu_flags())
    end.

%% @doc A readable sentence for a load error: one of {@link verify/1}, or an
%% `{Reason, Text}' error of `erlang:load_nif/2'.
-spec format_error(term()) -> string().
format_error({_Tag, #{message := Message}}) ->
    Message;
format_error({Reason, Text}) when is_atom(Reason), is_list(Text) ->
    case io_lib:printable_unicode_list(Text) of
        true -> lists:flatten(io_lib:format("erlang:load_nif/2 failed (~tp): ~ts", [Reason, Text]));
        false -> lists:flatten(io_lib:format("~tp", [{Reason, Text}]))
    end;
format_error(Other) ->
    lists:flatten(io_lib:format("~tp", [Other])).

%% @doc `ok' if a host of architecture `Arch' (as in
%% `erlang:system_info(system_architecture)') with CPU feature `Flags' (as
%% in /proc/cpuinfo, or `unknown') can run the library.
-spec check_cpu(string(), [string()] | unknown) -> ok | {error, term()}.
check_cpu("x86_64" ++ _, Flags) when is_list(Flags) ->
    case [Name || {Flag, Name} <- ?X86_64_V2_FLAGS, not lists:member(Flag, Flags)] of
        [] ->
            ok;
        Missing ->
            {error, {cpu_unsupported,
                     #{missing => Missing, required => "x86-64-v2",
                       message => "this host CPU lacks " ++ lists:append(lists:join(", ", Missing))
                                  ++ "; the tweann_nif library is built for x86-64-v2 (SSE4.2) "
                                     "and would die with an illegal instruction, so it is not loaded. "
                                     "Use {tweann_nif, [{backend, erlang}]} on this host."}}}
    end;
check_cpu(_Arch, _Flags) ->
    ok.

%% @doc The host CPU's feature flags from /proc/cpuinfo, or `unknown'.
-spec host_cpu_flags() -> [string()] | unknown.
host_cpu_flags() ->
    case file:read_file("/proc/cpuinfo") of
        {ok, Info} ->
            Lines = binary:split(Info, <<"\n">>, [global]),
            case [L || L <- Lines, binary:match(L, <<"flags">>) =:= {0, 5}] of
                [Line | _] ->
                    [_, Flags] = binary:split(Line, <<":">>),
                    string:lexemes(binary_to_list(Flags), " \t");
                [] -> unknown
            end;
        _ -> unknown
    end.
