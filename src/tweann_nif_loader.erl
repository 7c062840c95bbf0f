%% @private
%% @doc Checks run before the native library is loaded.
%%
%% <ul>
%% <li>CPU: the x86_64 build targets x86-64-v2 (SSE4.2 and the rest of that
%%     level: SSE3, SSSE3, SSE4.1, POPCNT, CMPXCHG16B, LAHF/SAHF). On a host
%%     that lacks any of them loading would end in an illegal instruction, so
%%     it is refused with a clear error instead.</li>
%% <li>Integrity: the library's SHA-256 must match the manifest beside it,
%%     `priv/tweann_nif.so.sha256' (one line, `<hex>  tweann_nif.so'), which
%%     `scripts/build_nif.sh' writes for builds from source and for
%%     precompiled artifacts alike. A tampered or truncated library, or one
%%     without its manifest, is refused, not loaded.</li>
%% </ul>
%%
%% Errors are `{error, {Tag, Details}}' where Details is a map with the files
%% involved and a `message' string saying what is wrong and what to do;
%% {@link format_error/1} gives that message. `tweann_nif:build_info()'
%% reports the error as `load_error', and it is also logged.
-module(tweann_nif_loader).

-export([verify/1, format_error/1, sha256_file/1, host_cpu_flags/0,
         check_cpu/2, check_checksum/1]).

%% The /proc/cpuinfo flags of the x86-64-v2 level the library is built for.
-define(X86_64_V2_FLAGS, [{"sse4_2", "SSE4.2"}, {"sse4_1", "SSE4.1"}, {"ssse3", "SSSE3"},
                          {"pni", "SSE3"}, {"popcnt", "POPCNT"}, {"cx16", "CMPXCHG16B"},
                          {"lahf_lm", "LAHF/SAHF"}]).

%% @doc Verify the library at `Path' (without the `.so' extension): the host
%% CPU can run it and it matches its checksum manifest.
-spec verify(file:filename()) -> ok | {error, term()}.
verify(Path) ->
    Lib = unicode:characters_to_list([Path, ".so"]),
    Result = case filelib:is_regular(Lib) of
                 false ->
                     {error, {library_missing,
                              #{library => Lib,
                                message => "the native library " ++ Lib ++ " does not exist; "
                                           "build it with rebar3 compile (scripts/build_nif.sh)"}}};
                 true ->
                     case check_cpu(erlang:system_info(system_architecture), host_cpu_flags()) of
                         ok -> check_checksum(Lib);
                         Err -> Err
                     end
             end,
    case Result of
        {error, {library_missing, _}} -> ok;    %% e.g. TWEANN_NIF_SKIP_BUILD: not worth a log line
        {error, Why} -> logger:error("tweann_nif: native library not loaded: ~ts", [format_error(Why)]);
        ok -> ok
    end,
    Result.

%% @doc A readable sentence for an error reason of {@link verify/1}.
-spec format_error(term()) -> string().
format_error({_Tag, #{message := Message}}) -> Message;
format_error(Other) -> lists:flatten(io_lib:format("~tp", [Other])).

%% @doc Check `Lib' against its manifest `Lib ++ ".sha256"'.
-spec check_checksum(file:filename()) -> ok | {error, term()}.
check_checksum(Lib) ->
    Manifest = Lib ++ ".sha256",
    Rebuild = "; rebuild it with rebar3 compile (scripts/build_nif.sh), or reinstall the "
              "precompiled artifact (TWEANN_NIF_PRECOMPILED)",
    case file:read_file(Manifest) of
        {error, enoent} ->
            {error, {checksum_manifest_missing,
                     #{library => Lib, manifest => Manifest,
                       message => "refusing to load " ++ Lib ++ ": its checksum manifest "
                                  ++ Manifest ++ " is missing, so the library cannot be verified"
                                  ++ Rebuild}}};
        {error, Why} ->
            {error, {checksum_manifest_unreadable,
                     #{library => Lib, manifest => Manifest, reason => Why,
                       message => "refusing to load " ++ Lib ++ ": cannot read its checksum manifest "
                                  ++ Manifest ++ " (" ++ file:format_error(Why) ++ ")"}}};
        {ok, Bin} ->
            case binary:split(string:trim(Bin), [<<" ">>, <<"\t">>, <<"\n">>], [global, trim_all]) of
                [Expected0 | _] ->
                    Expected = string:lowercase(Expected0),
                    case sha256_file(Lib) of
                        Expected ->
                            ok;
                        {error, Why} ->
                            {error, {library_unreadable,
                                     #{library => Lib, reason => Why,
                                       message => "cannot read " ++ Lib ++ " ("
                                                  ++ file:format_error(Why) ++ ")"}}};
                        Actual ->
                            {error, {checksum_mismatch,
                                     #{library => Lib, manifest => Manifest,
                                       expected => Expected, actual => Actual,
                                       size => filelib:file_size(Lib),
                                       message => "refusing to load " ++ Lib ++ ": its SHA-256 is "
                                                  ++ binary_to_list(Actual) ++ " but "
                                                  ++ Manifest ++ " expects "
                                                  ++ binary_to_list(Expected)
                                                  ++ " (the file is corrupt, truncated or was replaced)"
                                                  ++ Rebuild}}}
                    end;
                [] ->
                    {error, {checksum_manifest_empty,
                             #{library => Lib, manifest => Manifest,
                               message => "refusing to load " ++ Lib ++ ": its checksum manifest "
                                          ++ Manifest ++ " is empty" ++ Rebuild}}}
            end
    end.

%% @doc Lowercase hex SHA-256 of a file's contents.
-spec sha256_file(file:filename()) -> binary() | {error, file:posix() | badarg}.
sha256_file(File) ->
    case file:read_file(File) of
        {ok, Bin} -> << <<(hex(N))>> || <<N:4>> <= crypto:hash(sha256, Bin) >>;
        {error, _} = Err -> Err
    end.

hex(N) when N < 10 -> $0 + N;
hex(N) -> $a + N - 10.

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
