#!/usr/bin/env escript
%% -*- erlang -*-
%% `make docs': checks that the documentation points only at things that
%% exist. Run from the repository root after `rebar3 edoc'.
%%
%%   1. Every link of the generated edoc (doc/*.html) names a file in doc/
%%      and, after a `#', an anchor of that file (edoc does not check
%%      links to modules it did not document, such as private ones).
%%   2. Every relative Markdown link of README.md, CHANGELOG.md and
%%      docs/**/*.md names a file or directory of the repository and, after
%%      a `#', a heading of that Markdown file (GitHub's heading anchors).
%%   3. Every repository path those Markdown files quote (`src/tweann_nif.erl',
%%      `scripts/check_avx.sh', ...) exists, and so does every document
%%      (`docs/...') cited in src/, include/, test/, scripts/ and native/:
%%      nothing cites a document that is not shipped. (Other paths in
%%      source comments may name files of other projects.)
%%
%% Prints every problem and exits 1 if there is any.
-mode(compile).

main(_) ->
    Problems = html_links() ++ markdown_links() ++ quoted_paths(),
    [io:format(standard_error, "check_docs: ~ts~n", [P]) || P <- Problems],
    case Problems of
        [] ->
            io:format("check_docs: ok: edoc links, Markdown links and quoted paths resolve~n");
        _ ->
            io:format(standard_error, "check_docs: ~b problem(s)~n", [length(Problems)]),
            halt(1)
    end.

%% 1. doc/*.html

html_links() ->
    case filelib:wildcard("doc/*.html") of
        [] -> ["doc/*.html: no generated documentation (run rebar3 edoc first)"];
        Files -> lists:append([html_file_links(F) || F <- Files])
    end.

html_file_links(File) ->
    Html = read(File),
    Hrefs = [H || [H] <- matches(Html, "(?<![\\w-])href=\"([^\"]*)\"")],
    [Problem || Href <- lists:usort(Hrefs), not external(Href),
                Problem <- check_html_href(File, Href)].

check_html_href(File, Href) ->
    {Path, Anchor} = split_anchor(Href),
    Target = case Path of
                 "" -> File;
                 _ -> filename:join(filename:dirname(File), Path)
             end,
    case {filelib:is_regular(Target), Anchor} of
        {false, _} ->
            [io_lib:format("~ts: link ~ts: no file ~ts", [File, Href, Target])];
        {true, none} ->
            [];
        {true, _} ->
            Escaped = re_escape(html_escape(Anchor)),
            case matches(read(Target), "(?:name|id)=\"" ++ Escaped ++ "\"") of
                [] -> [io_lib:format("~ts: link ~ts: no anchor ~ts in ~ts",
                                     [File, Href, Anchor, Target])];
                _ -> []
            end
    end.

%% 2. Markdown links

markdown_files() ->
    ["README.md", "CHANGELOG.md"] ++ filelib:wildcard("docs/**/*.md").

markdown_links() ->
    lists:append([md_file_links(F) || F <- markdown_files(), filelib:is_regular(F)]).

md_file_links(File) ->
    Text = strip_code_blocks(read(File)),
    Targets = [T || [T] <- matches(Text, "\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)")],
    [Problem || T <- lists:usort(Targets), not external(T),
                Problem <- check_md_target(File, T)].

check_md_target(File, Target) ->
    {Path, Anchor} = split_anchor(Target),
    Resolved = case Path of
                   "" -> File;
                   _ -> filename:join(filename:dirname(File), Path)
               end,
    Exists = filelib:is_regular(Resolved) orelse filelib:is_dir(Resolved),
    case {Exists, Anchor} of
        {false, _} ->
            [io_lib:format("~ts: link ~ts: no file ~ts", [File, Target, Resolved])];
        {true, none} ->
            [];
        {true, _} ->
            case filename:extension(Resolved) =:= ".md"
                andalso not lists:member(Anchor, md_anchors(Resolved)) of
                true -> [io_lib:format("~ts: link ~ts: no heading ~ts in ~ts",
                                       [File, Target, Anchor, Resolved])];
                false -> []
            end
    end.

%% GitHub's heading anchors: lower case, punctuation other than `-' and
%% `_' dropped, spaces turned into `-'.
md_anchors(File) ->
    Text = strip_code_blocks(read(File)),
    [slug(H) || [H] <- matches(Text, "(?m)^#{1,6}[ \\t]+(.*?)[ \\t#]*$")].

slug(Heading) ->
    Lower = string:lowercase(Heading),
    Kept = re:replace(Lower, "[^\\w\\- ]", "", [global, unicode, {return, list}]),
    re:replace(Kept, " ", "-", [global, {return, list}]).

%% 3. Quoted repository paths

-define(PATH_RE(Dirs),
        "(?<![\\w./-])((?:" Dirs ")/[\\w./-]*\\w\\.(?:md|erl|hrl|rs|sh|escript|py|txt|svg|gp|toml|src))").

quoted_paths() ->
    Sources = filelib:wildcard("src/*.{erl,hrl,src}") ++
        filelib:wildcard("include/*.hrl") ++
        filelib:wildcard("test/**/*.{erl,hrl}") ++
        filelib:wildcard("scripts/*") ++
        filelib:wildcard("native/*/src/**/*.rs") ++
        filelib:wildcard("native/*/tests/*.{rs,py}") ++
        ["Makefile", "rebar.config"],
    lists:append([file_paths(F, ?PATH_RE("docs")) || F <- lists:usort(Sources),
                                                     filelib:is_regular(F)] ++
                 [file_paths(F, ?PATH_RE("docs|src|include|test|scripts|native"))
                  || F <- markdown_files(), filelib:is_regular(F)]).

file_paths(File, Re) ->
    Paths = [P || [P] <- matches(read(File), Re)],
    [io_lib:format("~ts: cites ~ts, which does not exist", [File, P])
     || P <- lists:usort(Paths), not filelib:is_regular(P), not filelib:is_dir(P)].

%% Helpers

read(File) ->
    {ok, Bin} = file:read_file(File),
    unicode:characters_to_list(Bin).

matches(Text, Re) ->
    case re:run(Text, Re, [global, unicode, {capture, all_but_first, list}]) of
        {match, Ms} -> Ms;
        nomatch -> []
    end.

external(Link) ->
    lists:any(fun(P) -> lists:prefix(P, Link) end,
              ["http://", "https://", "mailto:", "javascript:", "ftp://"]).

split_anchor(Link) ->
    case string:split(Link, "#") of
        [Path, Anchor] -> {Path, Anchor};
        [Path] -> {Path, none}
    end.

strip_code_blocks(Text) ->
    re:replace(Text, "(?ms)^```.*?^```", "", [global, unicode, {return, list}]).

html_escape(S) ->
    lists:flatmap(fun($&) -> "&amp;"; ($<) -> "&lt;"; ($>) -> "&gt;";
                     (C) -> [C] end, S).

re_escape(S) ->
    lists:flatmap(fun(C) ->
                          case lists:member(C, "\\^$.|?*+()[]{}") of
                              true -> [$\\, C];
                              false -> [C]
                          end
                  end, S).
