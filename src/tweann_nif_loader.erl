%% @private
%% @doc Checks run before the native library is loaded.
%%
%% <ul>
%% <li>Integrity: if `priv/tweann_nif.so.sha256' exists (it is written by the
%%     build and by precompiled artifacts), the library's SHA-256 must match
%%     it; a tampered or truncated library is refused, not loaded.</li>
%% <li>CPU: the x86_64 build targets x86-64-v2 (SSE4.2). On a host without
%%     SSE4.2 loading would end in an illegal instruction, so it is refused
%%     with a clear error instead.</li>
%% </ul>
-module(tweann_nif_loader).

-export([verify/1, sha256_file/1, host_cpu_flags/0]).

%% @doc Verify the library at `Path' (without the `.so' extension).
-spec verify(file:filename()) -> ok | {error, term()}.
verify(Path) ->
    Lib = Path ++ ".so",
    case filelib:is_regular(Lib) of
        false -> {error, {library_missing, Lib}};
        true ->
            case check_cpu() of
                ok -> check_checksum(Lib);
                Err -> Err
            end
    end.

check_checksum(Lib) ->
    Manifest = Lib ++ ".sha256",
    case file:read_file(Manifest) of
        {error, enoent} ->
            ok;
        {error, Why} ->
            {error, {checksum_manifest_unreadable, Manifest, Why}};
        {ok, Bin} ->
            case binary:split(string:trim(Bin), [<<" ">>, <<"\t">>], [global, trim_all]) of
                [Expected | _] ->
                    Actual = sha256_file(Lib),
                    case string:lowercase(Expected) =:= Actual of
                        true -> ok;
                        false -> {error, {checksum_mismatch, Lib, [{expected, Expected}, {actual, Actual}]}}
                    end;
                [] ->
                    {error, {checksum_manifest_empty, Manifest}}
            end
    end.

%% @doc Lowercase hex SHA-256 of a file's contents.
-spec sha256_file(file:filename()) -> binary().
sha256_file(File) ->
    {ok, Bin} = file:read_file(File),
    << <<(hex(N))>> || <<N:4>> <= crypto:hash(sha256, Bin) >>.

hex(N) when N < 10 -> $0 + N;
hex(N) -> $a + N - 10.

check_cpu() ->
    case erlang:system_info(system_architecture) of
        "x86_64" ++ _ ->
            case host_cpu_flags() of
                unknown -> ok;
                Flags ->
                    case lists:member("sse4_2", Flags) of
                        true -> ok;
                        false -> {error, {cpu_unsupported,
                                          "this host CPU lacks SSE4.2; the tweann_nif library is "
                                          "built for x86-64-v2 and would die with an illegal instruction. "
                                          "Use {tweann_nif, [{backend, erlang}]} on this host."}}
                    end
            end;
        _ ->
            ok
    end.

%% @doc The host CPU's feature flags from /proc/cpuinfo, or `unknown'.
-spec host_cpu_flags() -> [string()] | unknown.
host_cpu_flags() ->
    case file:read_file("/proc/cpuinfo") of
        {ok, Info} ->
            Lines = binary:split(Info, <<"\n">>, [global]),
            case [L || L <- Lines, binary:match(L, <<"flags">>) =:= {0, 5}] of
                [Line | _] ->
                    [_, Flags] = binary:split(Line, <<":">>),
                    string:lexemes(binary_to_list(Flags), " ");
                [] -> unknown
            end;
        _ -> unknown
    end.
