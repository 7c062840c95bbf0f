%% The load-time check of tweann_nif_loader: a missing library, CPUs with and
%% without x86-64-v2, and the text of load errors. Run by `rebar3 eunit'.
-module(tweann_nif_loader_tests).

-include_lib("eunit/include/eunit.hrl").

-define(V2, ["fpu", "sse2", "pni", "ssse3", "sse4_1", "sse4_2", "popcnt", "cx16", "lahf_lm"]).

host_ok() ->
    tweann_nif_loader:check_cpu(erlang:system_info(system_architecture),
                                tweann_nif_loader:host_cpu_flags()) =:= ok.

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        D -> D
    end.

%% verify/1 checks the CPU, not the bytes: any file that exists passes on a
%% host that can run x86-64-v2 code (the integrity check is at install).
present_library_test() ->
    Base = filename:join(tmp_dir(), "tweann_nif_loader_tests_" ++
                             integer_to_list(erlang:unique_integer([positive]))),
    ok = file:write_file(Base ++ ".so", <<"not a library">>),
    try
        case host_ok() of
            true -> ?assertEqual(ok, tweann_nif_loader:verify(Base));
            false -> ?assertMatch({error, {cpu_unsupported, _}}, tweann_nif_loader:verify(Base))
        end
    after
        file:delete(Base ++ ".so")
    end.

missing_library_test() ->
    {error, {library_missing, D}} = tweann_nif_loader:verify("/nonexistent/dir/tweann_nif"),
    ?assertEqual("/nonexistent/dir/tweann_nif.so", maps:get(library, D)),
    Msg = tweann_nif_loader:format_error({library_missing, D}),
    ?assertNotEqual(nomatch, string:find(Msg, "/nonexistent/dir/tweann_nif.so does not exist")).

%% verify/1 never raises, whatever it is given.
verify_never_raises_test() ->
    ?assertMatch({error, {verify_failed, #{message := _}}}, tweann_nif_loader:verify(self())).

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

%% The errors of erlang:load_nif/2 read as sentences.
load_nif_error_text_test() ->
    ?assertEqual("erlang:load_nif/2 failed (load_failed): Failed to load NIF library x: 'bad'",
                 tweann_nif_loader:format_error({load_failed, "Failed to load NIF library x: 'bad'"})),
    ?assertEqual("{bad_lib,<<\"x\">>}", tweann_nif_loader:format_error({bad_lib, <<"x">>})),
    ?assertEqual("not_attempted", tweann_nif_loader:format_error(not_attempted)).

%% A real load of a file that is not a shared object fails with a reason
%% that format_error/1 turns into text naming the file.
load_nif_of_garbage_test() ->
    Base = filename:join(tmp_dir(), "tweann_nif_loader_garbage_" ++
                             integer_to_list(erlang:unique_integer([positive]))),
    ok = file:write_file(Base ++ ".so", <<"not a library">>),
    try
        {error, Why} = erlang:load_nif(Base, 0),
        Msg = tweann_nif_loader:format_error(Why),
        ?assertNotEqual(nomatch, string:find(Msg, "erlang:load_nif/2 failed")),
        ?assertNotEqual(nomatch, string:find(Msg, filename:basename(Base)))
    after
        file:delete(Base ++ ".so")
    end.
