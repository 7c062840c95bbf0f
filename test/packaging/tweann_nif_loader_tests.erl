%% Load-time checks of tweann_nif_loader on files in a temp dir: the checksum
%% manifest (good, tampered, truncated, missing, empty) and the CPU check
%% (a host without SSE4.2). Run by test/packaging/run.sh:
%%   rebar3 eunit --module=tweann_nif_loader_tests
-module(tweann_nif_loader_tests).

-include_lib("eunit/include/eunit.hrl").

-define(V2, ["fpu", "sse2", "pni", "ssse3", "sse4_1", "sse4_2", "popcnt", "cx16", "lahf_lm"]).

with_lib(Fun) ->
    Dir = filename:join(tmp_dir(), "tweann_nif_loader_tests_" ++ integer_to_list(erlang:unique_integer([positive]))),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Base = filename:join(Dir, "tweann_nif"),
    Lib = Base ++ ".so",
    ok = file:write_file(Lib, crypto:strong_rand_bytes(4096)),
    Sum = tweann_nif_loader:sha256_file(Lib),
    ok = file:write_file(Lib ++ ".sha256", [Sum, "  tweann_nif.so\n"]),
    try Fun(Base, Lib, Sum)
    after
        [file:delete(F) || F <- filelib:wildcard(filename:join(Dir, "*"))],
        file:del_dir(Dir)
    end.

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        D -> D
    end.

host_ok() ->
    tweann_nif_loader:check_cpu(erlang:system_info(system_architecture),
                                tweann_nif_loader:host_cpu_flags()) =:= ok.

good_library_test() ->
    with_lib(fun(_Base, Lib, _Sum) ->
                     ?assertEqual(ok, tweann_nif_loader:check_checksum(Lib))
             end).

verify_good_library_test() ->
    case host_ok() of
        true -> with_lib(fun(Base, _, _) -> ?assertEqual(ok, tweann_nif_loader:verify(Base)) end);
        false -> ok
    end.

uppercase_manifest_test() ->
    with_lib(fun(_Base, Lib, Sum) ->
                     ok = file:write_file(Lib ++ ".sha256", [string:uppercase(Sum), "\n"]),
                     ?assertEqual(ok, tweann_nif_loader:check_checksum(Lib))
             end).

tampered_library_test() ->
    with_lib(fun(_Base, Lib, Sum) ->
                     {ok, <<B, Rest/binary>>} = file:read_file(Lib),
                     ok = file:write_file(Lib, <<(B bxor 1), Rest/binary>>),
                     {error, {checksum_mismatch, D}} = tweann_nif_loader:check_checksum(Lib),
                     ?assertEqual(binary_to_list(Sum), maps:get(expected, D)),
                     ?assertNotEqual(binary_to_list(Sum), maps:get(actual, D)),
                     Msg = tweann_nif_loader:format_error({checksum_mismatch, D}),
                     ?assertNotEqual(nomatch, string:find(Msg, binary_to_list(Sum))),
                     ?assertNotEqual(nomatch, string:find(Msg, "refusing to load"))
             end).

truncated_library_test() ->
    with_lib(fun(_Base, Lib, _Sum) ->
                     {ok, Bin} = file:read_file(Lib),
                     ok = file:write_file(Lib, binary:part(Bin, 0, 1000)),
                     ?assertMatch({error, {checksum_mismatch, #{size := 1000}}},
                                  tweann_nif_loader:check_checksum(Lib))
             end).

missing_manifest_test() ->
    with_lib(fun(_Base, Lib, _Sum) ->
                     ok = file:delete(Lib ++ ".sha256"),
                     ?assertMatch({error, {checksum_manifest_missing, #{message := _}}},
                                  tweann_nif_loader:check_checksum(Lib))
             end).

empty_manifest_test() ->
    with_lib(fun(_Base, Lib, _Sum) ->
                     ok = file:write_file(Lib ++ ".sha256", <<"\n">>),
                     ?assertMatch({error, {checksum_manifest_empty, _}},
                                  tweann_nif_loader:check_checksum(Lib))
             end).

missing_library_test() ->
    ?assertMatch({error, {library_missing, _}},
                 tweann_nif_loader:verify("/nonexistent/dir/tweann_nif")).

cpu_with_v2_test() ->
    ?assertEqual(ok, tweann_nif_loader:check_cpu("x86_64-pc-linux-gnu", ?V2)).

cpu_without_sse42_test() ->
    {error, {cpu_unsupported, D}} =
        tweann_nif_loader:check_cpu("x86_64-pc-linux-gnu", ?V2 -- ["sse4_2"]),
    ?assertEqual(["SSE4.2"], maps:get(missing, D)),
    Msg = tweann_nif_loader:format_error({cpu_unsupported, D}),
    ?assertNotEqual(nomatch, string:find(Msg, "lacks SSE4.2")),
    ?assertNotEqual(nomatch, string:find(Msg, "illegal instruction")),
    ?assertNotEqual(nomatch, string:find(Msg, "{backend, erlang}")).

cpu_core2_test() ->
    %% A Core 2 (x86-64 v1 + SSSE3): no SSE4.1/4.2/POPCNT.
    {error, {cpu_unsupported, #{missing := Missing}}} =
        tweann_nif_loader:check_cpu("x86_64-pc-linux-gnu",
                                    ["fpu", "sse2", "pni", "ssse3", "cx16", "lahf_lm"]),
    ?assertEqual(["SSE4.2", "SSE4.1", "POPCNT"], Missing).

cpu_unknown_or_other_arch_test() ->
    ?assertEqual(ok, tweann_nif_loader:check_cpu("x86_64-pc-linux-gnu", unknown)),
    ?assertEqual(ok, tweann_nif_loader:check_cpu("aarch64-unknown-linux-gnu", [])).

host_flags_test() ->
    case tweann_nif_loader:host_cpu_flags() of
        unknown -> ok;
        Flags -> ?assert(is_list(Flags) andalso Flags =/= [])
    end.

%% The pure Erlang SHA-256 (used at release boot, before crypto is up)
%% agrees with crypto on every padding case and on a library-sized input.
sha256_erl_test() ->
    [?assertEqual(crypto:hash(sha256, B), tweann_nif_loader:sha256_erl(B))
     || N <- lists:seq(0, 200) ++ [1000, 4095, 4096, 65537],
        B <- [crypto:strong_rand_bytes(N)]],
    ?assertEqual(<<16#e3b0c442:32, 16#98fc1c14:32, 16#9afbf4c8:32, 16#996fb924:32,
                   16#27ae41e4:32, 16#649b934c:32, 16#a495991b:32, 16#7852b855:32>>,
                 tweann_nif_loader:sha256_erl(<<>>)).

sha256_erl_speed_test() ->
    B = crypto:strong_rand_bytes(600 * 1024),
    {T, H} = timer:tc(tweann_nif_loader, sha256_erl, [B]),
    ?assertEqual(crypto:hash(sha256, B), H),
    ?debugFmt("pure Erlang SHA-256 of 600 KiB: ~p ms", [T div 1000]).
