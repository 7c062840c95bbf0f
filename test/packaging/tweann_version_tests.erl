%% One version: the vsn of src/tweann_nif.app.src. Cargo.toml, Cargo.lock,
%% the loaded library's build_info/0 and CHANGELOG.md carry the same one,
%% and scripts/build_nif.sh refuses to build when Cargo.toml differs. Also:
%% the .app.src `files' list names what a build needs and nothing built.
-module(tweann_version_tests).

-include_lib("eunit/include/eunit.hrl").

root() ->
    filename:dirname(filename:dirname(filename:dirname(filename:absname(?FILE)))).

read(Rel) ->
    {ok, B} = file:read_file(filename:join(root(), Rel)),
    B.

app_props() ->
    {ok, [{application, tweann_nif, Props}]} =
        file:consult(filename:join(root(), "src/tweann_nif.app.src")),
    Props.

vsn() ->
    proplists:get_value(vsn, app_props()).

%% [workspace.package] version of Cargo.toml.
cargo_version() ->
    [_, Ws] = string:split(read("Cargo.toml"), "[workspace.package]"),
    Section = hd(string:split(Ws, "\n[")),
    {match, [V]} = re:run(Section, "(?m)^version *= *\"([^\"]+)\"", [{capture, [1], list}]),
    V.

app_and_cargo_agree_test() ->
    ?assertEqual(vsn(), cargo_version()).

crates_inherit_the_workspace_version_test() ->
    [?assertNotEqual(nomatch, string:find(read(F), "version.workspace = true"))
     || F <- ["native/tweann_core/Cargo.toml", "native/tweann_nif/Cargo.toml"]].

cargo_lock_agrees_test() ->
    Lock = read("Cargo.lock"),
    [begin
         {match, [V]} = re:run(Lock, "name = \"" ++ Crate ++ "\"\nversion = \"([^\"]+)\"",
                               [{capture, [1], list}]),
         ?assertEqual(vsn(), V)
     end || Crate <- ["tweann_core", "tweann_nif"]].

build_info_agrees_test() ->
    case tweann_nif:is_loaded() of
        true -> ?assertEqual(vsn(), unicode:characters_to_list(maps:get(version, tweann_nif:build_info())));
        false -> ok
    end.

changelog_has_the_version_test() ->
    Log = read("CHANGELOG.md"),
    ?assertNotEqual(nomatch, string:find(Log, "## [Unreleased]")),
    ?assertNotEqual(nomatch, string:find(Log, "## [" ++ vsn() ++ "]")).

%% scripts/build_nif.sh stops before building anything when Cargo.toml's
%% version differs from the vsn, naming both.
build_refuses_a_version_mismatch_test() ->
    Dir = filename:join(tmp_dir(), "tweann_version_" ++
                            integer_to_list(erlang:unique_integer([positive]))),
    Copy = fun(Rel, Bin) ->
                   F = filename:join(Dir, Rel),
                   ok = filelib:ensure_dir(F),
                   ok = file:write_file(F, Bin)
           end,
    Copy("src/tweann_nif.app.src", read("src/tweann_nif.app.src")),
    Copy("scripts/build_nif.sh", read("scripts/build_nif.sh")),
    Copy("native/tweann_nif/Cargo.toml", read("native/tweann_nif/Cargo.toml")),
    Other = "9.9.9-" ++ vsn(),
    Copy("Cargo.toml", re:replace(read("Cargo.toml"), "(?m)^version *= *\"[^\"]+\"",
                                  "version = \"" ++ Other ++ "\"", [{return, binary}])),
    try
        %% Even an install of nothing checks the versions first.
        Out = os:cmd("cd '" ++ Dir ++ "' && TWEANN_NIF_SKIP_BUILD=1 sh scripts/build_nif.sh 2>&1; echo rc=$?"),
        ?assertNotEqual(nomatch, string:find(Out, "version mismatch")),
        ?assertNotEqual(nomatch, string:find(Out, "vsn \"" ++ vsn() ++ "\"")),
        ?assertNotEqual(nomatch, string:find(Out, "\"" ++ Other ++ "\"")),
        ?assertNotEqual(nomatch, string:find(Out, "rc=1")),
        Copy("Cargo.toml", read("Cargo.toml")),
        Ok = os:cmd("cd '" ++ Dir ++ "' && TWEANN_NIF_SKIP_BUILD=1 sh scripts/build_nif.sh 2>&1; echo rc=$?"),
        ?assertNotEqual(nomatch, string:find(Ok, "rc=0"))
    after
        os:cmd("rm -rf '" ++ Dir ++ "'")
    end.

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        D -> D
    end.

%% The package (`files'): what a build from source needs and the documents;
%% every entry exists (checksums.sha256 exists in a release only); nothing
%% built. test/packaging/run.sh builds consumers from exactly these files.
files_list_test() ->
    Files = proplists:get_value(files, app_props()),
    Needed = ["src", "include", "rebar.config", "Cargo.toml", "Cargo.lock",
              ".cargo/config.toml", "native/tweann_core/Cargo.toml", "native/tweann_core/src",
              "native/tweann_nif/Cargo.toml", "native/tweann_nif/src", "scripts/build_nif.sh",
              "checksums.sha256", "LICENSE", "README.md", "CHANGELOG.md", "docs"],
    ?assertEqual([], Needed -- Files),
    [?assert(filelib:is_file(filename:join(root(), F))) || F <- Files, F =/= "checksums.sha256"],
    [?assertEqual(nomatch, re:run(F, "^(target|_build|priv|dist)(/|$)")) || F <- Files],
    ?assertEqual(["Apache-2.0"], proplists:get_value(licenses, app_props())),
    ?assertMatch([_ | _], proplists:get_value(links, app_props())).

license_is_apache_2_test() ->
    L = read("LICENSE"),
    ?assertNotEqual(nomatch, string:find(L, "Apache License")),
    ?assertNotEqual(nomatch, string:find(L, "Version 2.0, January 2004")),
    ?assertNotEqual(nomatch, string:find(L, "END OF TERMS AND CONDITIONS")).
