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

-export([verify/1, format_error/1, sha256_file/1, sha256_erl/1, host_cpu_flags/0,
         check_cpu/2, check_checksum/1]).

%% The /proc/cpuinfo flags of the x86-64-v2 level the library is built for.
-define(X86_64_V2_FLAGS, [{"sse4_2", "SSE4.2"}, {"sse4_1", "SSE4.1"}, {"ssse3", "SSSE3"},
                          {"pni", "SSE3"}, {"popcnt", "POPCNT"}, {"cx16", "CMPXCHG16B"},
                          {"lahf_lm", "LAHF/SAHF"}]).

%% @doc Verify the library at `Path' (without the `.so' extension): the host
%% CPU can run it and it matches its checksum manifest.
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
                                    "tweann_nif could not verify its library: ~tp:~tP",
                                    [Class, Reason, 20]))}}}
    end.

verify_lib(Lib) ->
    Result = case filelib:is_regular(Lib) of
                 false ->
                     {error, {library_missing,
                              #{library => Lib,
                                message => "the native library " ++ Lib ++ " does not exist; "
                                           "build it with `rebar3 clean -a && rebar3 compile` "
                                           "(scripts/build_nif.sh)"}}};
                 true ->
                     case check_cpu(erlang:system_info(system_architecture), host_cpu_flags()) of
                         ok -> check_checksum(Lib);
                         Err -> Err
                     end
             end,
    case Result of
        {error, {library_missing, _}} -> ok;    %% e.g. TWEANN_NIF_SKIP_BUILD: not worth a log line
        {error, Why} ->
            try logger:error("tweann_nif: native library not loaded: ~ts", [format_error(Why)])
            catch _:_ -> ok
            end;
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
    Rebuild = "; reinstall it with `rebar3 clean -a && rebar3 compile` (which runs "
              "scripts/build_nif.sh: from source, or with TWEANN_NIF_PRECOMPILED from a "
              "verified precompiled artifact)",
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
                                       expected => binary_to_list(Expected),
                                       actual => binary_to_list(Actual),
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
        {ok, Bin} -> << <<(hex(N))>> || <<N:4>> <= sha256(Bin) >>;
        {error, _} = Err -> Err
    end.

%% crypto when it is usable. In a release (embedded mode) this runs from
%% tweann_nif_native's on_load at boot, possibly before crypto's own on_load
%% has loaded its NIF, when crypto:hash/2 is still undefined: then the pure
%% Erlang SHA-256 below does it (about 0.1 s for a 600 KB library here).
sha256(Bin) ->
    try crypto:hash(sha256, Bin)
    catch error:_ -> sha256_erl(Bin)
    end.

%% @doc SHA-256 (FIPS 180-4) in pure Erlang.
-spec sha256_erl(binary()) -> binary().
sha256_erl(Bin) ->
    Len = byte_size(Bin),
    Zeros = (64 - ((Len + 9) rem 64)) rem 64,
    {A, B, C, D, E, F, G, H} =
        sha256_blocks(<<Bin/binary, 16#80, 0:(Zeros * 8), (Len * 8):64>>,
                      {16#6a09e667, 16#bb67ae85, 16#3c6ef372, 16#a54ff53a,
                       16#510e527f, 16#9b05688c, 16#1f83d9ab, 16#5be0cd19}),
    <<A:32, B:32, C:32, D:32, E:32, F:32, G:32, H:32>>.

-define(M32(X), ((X) band 16#ffffffff)).
-define(ROTR(X, N), ((((X) bsr (N)) bor ((X) bsl (32 - (N)))) band 16#ffffffff)).

sha256_blocks(<<Block:64/binary, Rest/binary>>, {A, B, C, D, E, F, G, H}) ->
    Ws = sha256_schedule(Block),
    {A1, B1, C1, D1, E1, F1, G1, H1} = sha256_rounds(sha256_k(), Ws, {A, B, C, D, E, F, G, H}),
    sha256_blocks(Rest, {?M32(A + A1), ?M32(B + B1), ?M32(C + C1), ?M32(D + D1),
                         ?M32(E + E1), ?M32(F + F1), ?M32(G + G1), ?M32(H + H1)});
sha256_blocks(<<>>, Hs) ->
    Hs.

%% The message schedule: the block's 16 words, then 48 more, each from a
%% sliding window W0..W15 of the previous 16 (W0 oldest).
sha256_schedule(<<W0:32, W1:32, W2:32, W3:32, W4:32, W5:32, W6:32, W7:32,
                  W8:32, W9:32, W10:32, W11:32, W12:32, W13:32, W14:32, W15:32>>) ->
    sha256_schedule(48, W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15,
                    [W15, W14, W13, W12, W11, W10, W9, W8, W7, W6, W5, W4, W3, W2, W1, W0]).

sha256_schedule(0, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, Rev) ->
    lists:reverse(Rev);
sha256_schedule(N, W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15, Rev) ->
    S0 = ?ROTR(W1, 7) bxor ?ROTR(W1, 18) bxor (W1 bsr 3),
    S1 = ?ROTR(W14, 17) bxor ?ROTR(W14, 19) bxor (W14 bsr 10),
    W = ?M32(W0 + S0 + W9 + S1),
    sha256_schedule(N - 1, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15, W,
                    [W | Rev]).

sha256_rounds([K | Ks], [W | Ws], {A, B, C, D, E, F, G, H}) ->
    S1 = ?ROTR(E, 6) bxor ?ROTR(E, 11) bxor ?ROTR(E, 25),
    Ch = (E band F) bxor ((E bxor 16#ffffffff) band G),
    T1 = H + S1 + Ch + K + W,
    S0 = ?ROTR(A, 2) bxor ?ROTR(A, 13) bxor ?ROTR(A, 22),
    Maj = (A band B) bxor (A band C) bxor (B band C),
    sha256_rounds(Ks, Ws, {?M32(T1 + S0 + Maj), A, B, C, ?M32(D + T1), E, F, G});
sha256_rounds([], [], Hs) ->
    Hs.

sha256_k() ->
    [16#428a2f98, 16#71374491, 16#b5c0fbcf, 16#e9b5dba5, 16#3956c25b, 16#59f111f1,
     16#923f82a4, 16#ab1c5ed5, 16#d807aa98, 16#12835b01, 16#243185be, 16#550c7dc3,
     16#72be5d74, 16#80deb1fe, 16#9bdc06a7, 16#c19bf174, 16#e49b69c1, 16#efbe4786,
     16#0fc19dc6, 16#240ca1cc, 16#2de92c6f, 16#4a7484aa, 16#5cb0a9dc, 16#76f988da,
     16#983e5152, 16#a831c66d, 16#b00327c8, 16#bf597fc7, 16#c6e00bf3, 16#d5a79147,
     16#06ca6351, 16#14292967, 16#27b70a85, 16#2e1b2138, 16#4d2c6dfc, 16#53380d13,
     16#650a7354, 16#766a0abb, 16#81c2c92e, 16#92722c85, 16#a2bfe8a1, 16#a81a664b,
     16#c24b8b70, 16#c76c51a3, 16#d192e819, 16#d6990624, 16#f40e3585, 16#106aa070,
     16#19a4c116, 16#1e376c08, 16#2748774c, 16#34b0bcb5, 16#391c0cb3, 16#4ed8aa4a,
     16#5b9cca4f, 16#682e6ff3, 16#748f82ee, 16#78a5636f, 16#84c87814, 16#8cc70208,
     16#90befffa, 16#a4506ceb, 16#bef9a3f7, 16#c67178f2].

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
