#!/bin/sh
# Packaging test (`make test-packaging`). In a temp dir it:
#   1. copies the package's files -- exactly the `files' list of
#      src/tweann_nif.app.src, from the working state (tracked + untracked,
#      not ignored; TWEANN_PKG_SOURCE=head takes the committed HEAD) -- into
#      a git repo, as a Hex package would carry them;
#   2. builds a consumer project that depends on that package by file:// git
#      URL from source with plain `rebar3 compile` (cargo building in the
#      dep's own target/), calls tweann_nif:evaluate/2 from `rebar3 shell`,
#      an escript and a `rebar3 release` started as a daemon;
#   3. builds the precompiled artifacts with scripts/dist.sh, twice, from two
#      copies of the repository at different paths with fresh cargo target
#      dirs, and requires identical checksums; scans the artifact for AVX
#      (scripts/check_avx.sh); checks that its newest GLIBC_ symbol version
#      is the glibc floor docs/packaging.md states;
#   4. builds a second consumer with no cargo on PATH: without
#      TWEANN_NIF_PRECOMPILED the build fails naming it; with a corrupted
#      artifact the build fails showing both checksums; without a manifest it
#      is refused, with TWEANN_NIF_CHECKSUMS accepted; with the good
#      artifacts (file:// URL, then http:// if python3 and curl exist) it
#      installs the artifact's library and evaluates;
#   5. a package that ships checksums.sha256 (a release): its manifest wins
#      over the one beside the artifacts, both ways;
#   6. TWEANN_NIF_FORCE_BUILD=1 builds from source although
#      TWEANN_NIF_PRECOMPILED is set;
#   7. a file that is not a shared object in place of the library is not
#      loaded, with a clear error, and the node keeps running; in the
#      release the application logs the warning with the reason at boot.
# The loader, configuration, version and README tests are EUnit modules in
# this directory, run by plain `rebar3 eunit'.
# Environment: TWEANN_PKG_KEEP=1 keeps the temp dir; TWEANN_PKG_TMP=DIR uses
# DIR; TWEANN_PKG_REPRO=0 skips the second dist build.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${TWEANN_PKG_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/tweann_pkg.XXXXXX")}
mkdir -p "$tmp/logs"
tmp=$(cd "$tmp" && pwd)
started=$(date +%s)
daemon_bin=""

cleanup() {
    status=$?
    if [ -n "$daemon_bin" ]; then "$daemon_bin" stop >/dev/null 2>&1 || true; fi
    if [ "${TWEANN_PKG_KEEP:-0}" = "1" ] || [ $status -ne 0 ]; then
        echo "packaging: temp dir kept: $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok   %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }
fail() {
    printf 'FAIL %s\n' "$*" >&2
    if [ -n "${last_log:-}" ] && [ -f "$last_log" ]; then
        echo "---- last 40 lines of $last_log" >&2
        tail -n 40 "$last_log" >&2
    fi
    exit 1
}
# run NAME CMD...: run CMD with output to logs/NAME.log; return its status.
run() {
    name=$1; shift
    last_log="$tmp/logs/$name.log"
    "$@" > "$last_log" 2>&1
}
expect_in_log() {
    grep -q -- "$1" "$last_log" || fail "$2: '$1' not in $last_log"
}

# Tools and a PATH without cargo/rustc (for the precompiled path).
for t in git rebar3 erl erlc escript sha256sum tar gzip; do
    command -v $t >/dev/null 2>&1 || fail "needs $t"
done
command -v cargo >/dev/null 2>&1 || fail "needs cargo (for the from-source and dist steps)"
nocargo_path=""
old_ifs=$IFS; IFS=:
for d in $PATH; do
    [ -n "$d" ] || continue
    if [ -x "$d/cargo" ] || [ -x "$d/rustc" ]; then continue; fi
    nocargo_path="${nocargo_path:+$nocargo_path:}$d"
done
IFS=$old_ifs
if env PATH="$nocargo_path" sh -c 'command -v cargo' >/dev/null 2>&1; then
    fail "could not make a PATH without cargo"
fi
command -v rebar3 >/dev/null 2>&1 && env PATH="$nocargo_path" sh -c 'command -v rebar3 && command -v erl' >/dev/null 2>&1 \
    || fail "rebar3/erl live in the same dir as cargo; cannot test the no-cargo path"
# A clean environment for the builds: no inherited switches.
unset TWEANN_NIF_PRECOMPILED TWEANN_NIF_FORCE_BUILD TWEANN_NIF_SKIP_BUILD TWEANN_NIF_TARGET CARGO_TARGET_DIR REBAR_CONFIG 2>/dev/null || true

# ---------------------------------------------------------------- 1. source
# The package's files: the `files' entries of the .app.src that exist.
package_entries() {
    erl -noshell -eval '
        {ok, [{application, _, Props}]} = file:consult("src/tweann_nif.app.src"),
        [io:format("~s~n", [F]) || F <- proplists:get_value(files, Props)],
        halt().'
}
# copy_tree FROM TO [PATHSPEC...]: the working state's files (tracked and
# untracked, not ignored) under the pathspecs, or all of them.
copy_tree() {
    from=$1 to=$2; shift 2
    mkdir -p "$to"
    (cd "$from" && git ls-files -z -c -o --exclude-standard -- "$@") | (cd "$from" && xargs -0 sh -c '
        for f; do [ -e "$f" ] || continue; mkdir -p "$0/$(dirname "$f")"; cp -p "$f" "$0/$f"; done' "$to")
}
git_commit_all() {
    (cd "$1" && git init -q -b main . && git add -A && git -c user.name=pkg -c user.email=pkg@test commit -q -m "$2")
}

step "the package: the .app.src files of $repo (${TWEANN_PKG_SOURCE:-working state})"
src="$tmp/tweann_nif"
entries=$(cd "$repo" && package_entries) || fail "reading the files list of src/tweann_nif.app.src"
[ -n "$entries" ] || fail "src/tweann_nif.app.src has no files list"
set -f
if [ "${TWEANN_PKG_SOURCE:-work}" = "head" ]; then
    present=""
    for e in $entries; do
        if (cd "$repo" && git cat-file -e "HEAD:$e" 2>/dev/null); then present="$present $e"; fi
    done
    mkdir -p "$src"
    (cd "$repo" && git archive HEAD -- $present) | tar -x -C "$src" || fail "git archive of the package files"
else
    copy_tree "$repo" "$src" $entries || fail "copying the package files"
fi
set +f
run snapshot git_commit_all "$src" package || fail "git init of the package"
[ ! -e "$src/scripts/dist.sh" ] && [ ! -e "$src/test" ] && [ ! -e "$src/Makefile" ] \
    || fail "the package holds files outside its files list"
ok "package of $(cd "$src" && git ls-files | wc -l) files in $src: $(echo $entries | tr '\n' ' ')"

# A consumer project: depends on tweann_nif by git URL, has a release.
make_consumer() {
    dir=$1
    mkdir -p "$dir/src"
    cat > "$dir/rebar.config" <<EOF
{erl_opts, [debug_info]}.
{deps, [{tweann_nif, {git, "file://$src", {branch, "main"}}}]}.
{relx, [{release, {pkg_consumer, "0.1.0"}, [pkg_consumer]},
        {dev_mode, false}, {include_erts, false}, {extended_start_script, true}]}.
EOF
    cat > "$dir/src/pkg_consumer.app.src" <<'EOF'
{application, pkg_consumer, [{description, "tweann_nif packaging test consumer"},
    {vsn, "0.1.0"}, {applications, [kernel, stdlib, tweann_nif]}, {env, []}]}.
EOF
    cat > "$dir/src/pkg_consumer.erl" <<'EOF'
-module(pkg_consumer).
-export([check/0]).
%% XOR through the NIF; must equal the pure Erlang reference bit for bit.
check() ->
    case tweann_nif:is_loaded() of
        true -> ok;
        false -> erlang:error({tweann_nif_not_loaded, tweann_nif:build_info()})
    end,
    Nodes = [{0, input, linear, 0.0, []}, {1, input, linear, 0.0, []},
             {2, hidden, sigmoid, -10.0, [{0, 20.0}, {1, 20.0}]},
             {3, hidden, sigmoid, 30.0, [{0, -20.0}, {1, -20.0}]},
             {4, output, sigmoid, -30.0, [{2, 20.0}, {3, 20.0}]}],
    Net = tweann_nif:compile_network(Nodes, 2, [4]),
    true = is_reference(Net),
    Ref = tweann_ref_network:compile_network(Nodes, 2, [4]),
    Cases = [[0, 0], [0, 1], [1, 0], [1, 1]],
    Outs = [tweann_nif:evaluate(Net, In) || In <- Cases],
    Outs = [tweann_ref_network:evaluate(Ref, In) || In <- Cases],
    [0, 1, 1, 0] = [round(Y) || [Y] <- Outs],
    io:format("PKG_OK ~p~n", [Outs]),
    {pkg_ok, maps:get(version, tweann_nif:build_info())}.
EOF
    cat > "$dir/check.escript" <<'EOF'
#!/usr/bin/env escript
%%! -noshell
%% check.escript loaded | check.escript refused Tag
main(Args) ->
    Root = filename:dirname(filename:absname(escript:script_name())),
    [code:add_patha(D) || D <- filelib:wildcard(filename:join(Root, "_build/default/lib/*/ebin"))],
    case Args of
        ["loaded"] ->
            io:format("~p~n", [pkg_consumer:check()]), halt(0);
        ["refused", Tag] ->
            case {tweann_nif:is_loaded(), tweann_nif:build_info()} of
                {false, #{load_error := {T, _} = Why}} ->
                    io:format("PKG_REFUSED ~s: ~ts~n", [T, tweann_nif_loader:format_error(Why)]),
                    case atom_to_list(T) of Tag -> halt(0); _ -> halt(1) end;
                Other ->
                    io:format("PKG_UNEXPECTED ~p~n", [Other]), halt(1)
            end
    end.
EOF
}

# ------------------------------------------------- 2. consumer from source
consumer="$tmp/consumer_src"
make_consumer "$consumer"
dep="$consumer/_build/default/lib/tweann_nif"

step "consumer, from source: rebar3 compile (cargo builds in $dep/target)"
run src_compile sh -c 'cd "$1" && rebar3 compile' sh "$consumer" || fail "rebar3 compile from source"
expect_in_log "building the NIF from source" "from-source build"
[ -f "$dep/priv/tweann_nif.so" ] || fail "no priv/tweann_nif.so in $dep"
ok "rebar3 compile built $dep/priv/tweann_nif.so from the package's files"

step "consumer, from source: rebar3 shell"
# Feed the shell through a fifo once it prompts: input piped in before the
# shell starts is lost.
last_log="$tmp/logs/src_shell.log"
mkfifo "$tmp/shell.in"
(cd "$consumer" && exec rebar3 shell < "$tmp/shell.in" > "$last_log" 2>&1) &
shell_pid=$!
exec 3> "$tmp/shell.in"
i=0
until grep -q '^1> ' "$last_log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 120 ] || ! kill -0 $shell_pid 2>/dev/null; then
        exec 3>&-; kill $shell_pid 2>/dev/null || true; fail "rebar3 shell did not prompt"
    fi
    sleep 0.5
done
printf 'pkg_consumer:check().\nhalt().\n' >&3
exec 3>&-
wait $shell_pid || fail "rebar3 shell"
expect_in_log "PKG_OK" "rebar3 shell"
expect_in_log "{pkg_ok," "rebar3 shell"
ok "rebar3 shell: tweann_nif:evaluate/2 works"

step "consumer, from source: escript"
run src_escript escript "$consumer/check.escript" loaded || fail "escript"
expect_in_log "PKG_OK" "escript"
ok "escript: tweann_nif:evaluate/2 works"

step "consumer, from source: rebar3 release"
run src_release sh -c 'cd "$1" && rebar3 release' sh "$consumer" || fail "rebar3 release"
rel="$consumer/_build/default/rel/pkg_consumer"
rel_priv=$(echo "$rel"/lib/tweann_nif-*/priv)
[ -f "$rel_priv/tweann_nif.so" ] || fail "no tweann_nif.so in $rel_priv"
cmp -s "$rel_priv/tweann_nif.so" "$dep/priv/tweann_nif.so" || fail "the release's library is not the one built"
[ ! -e "$rel_priv/../target" ] || fail "the release carries cargo's target/ dir"
daemon_bin="$rel/bin/pkg_consumer"
run rel_start "$daemon_bin" daemon || fail "release daemon"
i=0
until "$daemon_bin" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 30 ] || fail "release did not answer ping"; sleep 1
done
run rel_eval "$daemon_bin" eval 'pkg_consumer:check().' || fail "release eval"
expect_in_log "{pkg_ok," "release eval"
run rel_stop "$daemon_bin" stop || true
daemon_bin=""
ok "rebar3 release: $rel_priv/tweann_nif.so present, evaluate/2 works in the running release"

# ------------------------------------------------------------- 3. dist
step "dist: precompiled artifacts, built twice from two copies of the repository"
# dist.sh is a maintainer's tool, not part of the package: build from copies
# of the whole working state.
full1="$tmp/repo_a"
copy_tree "$repo" "$full1" || fail "copying the repository"
dist="$tmp/dist"
run dist1 sh "$full1/scripts/dist.sh" "$dist" || fail "dist.sh"
art=$(cd "$dist" && ls libtweann_nif-v*-nif-*-x86_64-unknown-linux-gnu.so.tar.gz 2>/dev/null || true)
[ -n "$art" ] || fail "no x86_64-unknown-linux-gnu artifact in $dist"
(cd "$dist" && sha256sum -c --quiet checksums.sha256) || fail "checksums.sha256 does not verify"
mkdir -p "$tmp/art"
tar -xzf "$dist/$art" -C "$tmp/art"
art_lib="$tmp/art/${art%.tar.gz}"
if command -v objdump >/dev/null 2>&1; then
    run dist_avx sh "$full1/scripts/check_avx.sh" "$art_lib" || fail "the artifact has AVX/FMA/BMI instructions"
    # The glibc floor: the newest GLIBC_x.y the library needs must be the one
    # docs/packaging.md states ("needs **glibc X.Y** or newer").
    floor=$(sed -n 's/.*needs \*\*glibc \([0-9][0-9.]*\)\*\* or newer.*/\1/p' "$repo/docs/packaging.md" | head -n 1)
    [ -n "$floor" ] || fail "docs/packaging.md states no glibc floor (needs **glibc X.Y** or newer)"
    needed=$(objdump -T "$art_lib" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
    [ -n "$needed" ] || fail "objdump -T found no GLIBC_ symbol versions in $art_lib"
    [ "$needed" = "$floor" ] || fail "the artifact needs glibc $needed but docs/packaging.md states $floor"
    ok "artifact: no AVX; needs glibc $needed, as docs/packaging.md states"
fi
if [ "${TWEANN_PKG_REPRO:-1}" = "1" ]; then
    full2="$tmp/elsewhere/repo_b"
    copy_tree "$repo" "$full2" || fail "copying the repository"
    run dist2 env TWEANN_NIF_DIST_TARGET_DIR="$tmp/dist2-target" sh "$full2/scripts/dist.sh" "$tmp/dist2" || fail "dist.sh (second build)"
    cmp -s "$dist/checksums.sha256" "$tmp/dist2/checksums.sha256" \
        || { diff "$dist/checksums.sha256" "$tmp/dist2/checksums.sha256" >&2; fail "dist is not reproducible"; }
    ok "dist: $art; identical checksums from two builds ($(cut -c1-16 "$dist/checksums.sha256" | head -n 1)...)"
else
    ok "dist: $art"
fi

# --------------------------------------------- 4. consumer, precompiled
pre="$tmp/consumer_pre"
make_consumer "$pre"
pdep="$pre/_build/default/lib/tweann_nif"

step "consumer, no cargo on PATH, no TWEANN_NIF_PRECOMPILED: clear failure"
if run pre_nocargo env PATH="$nocargo_path" sh -c 'cd "$1" && rebar3 compile' sh "$pre"; then
    fail "rebar3 compile without cargo succeeded"
fi
expect_in_log "cargo was not found" "no-cargo message"
expect_in_log "TWEANN_NIF_PRECOMPILED=" "no-cargo message"
ok "build without cargo fails and names TWEANN_NIF_PRECOMPILED"

step "consumer, no cargo, corrupted artifact: refused"
bad="$tmp/dist_bad"
cp -r "$dist" "$bad"
size=$(wc -c < "$bad/$art")
printf 'X' | dd of="$bad/$art" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
good_sum=$(awk -v f="$art" '$2 == f { print $1 }' "$dist/checksums.sha256")
bad_sum=$(sha256sum "$bad/$art" | cut -d' ' -f1)
[ "$good_sum" != "$bad_sum" ] || fail "corrupting the artifact did not change it"
if run pre_bad env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="file://$bad" sh -c 'cd "$1" && rebar3 compile' sh "$pre"; then
    fail "a corrupted artifact was accepted"
fi
expect_in_log "checksum mismatch" "corrupted artifact"
expect_in_log "expected (checksums.sha256 beside the artifact ($bad)): $good_sum" "corrupted artifact"
expect_in_log "actual   (file): $bad_sum" "corrupted artifact"
[ ! -e "$pdep/priv/tweann_nif.so" ] || fail "a library was installed from a corrupted artifact"
ok "corrupted artifact refused, both checksums shown"

step "consumer, no cargo, good artifacts (file:// URL): builds and evaluates"
run pre_compile env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="file://$dist" sh -c 'command -v cargo && exit 99; cd "$1" && rebar3 compile' sh "$pre" \
    || fail "rebar3 compile from the precompiled artifact"
expect_in_log "installed precompiled $art" "precompiled install"
[ ! -e "$pdep/target" ] || fail "cargo ran in the precompiled build"
art_so=$(tar -xzOf "$dist/$art" "${art%.tar.gz}" | sha256sum | cut -d' ' -f1)
[ "$(sha256sum < "$pdep/priv/tweann_nif.so" | cut -d' ' -f1)" = "$art_so" ] || fail "priv library is not the artifact's"
run pre_escript env PATH="$nocargo_path" escript "$pre/check.escript" loaded || fail "escript (precompiled)"
expect_in_log "PKG_OK" "escript (precompiled)"
run pre_release env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="$dist" sh -c 'cd "$1" && rebar3 release' sh "$pre" || fail "rebar3 release (precompiled)"
[ -f "$(echo "$pre"/_build/default/rel/pkg_consumer/lib/tweann_nif-*/priv)/tweann_nif.so" ] || fail "no library in the precompiled release"
ok "precompiled artifact installed without cargo; escript evaluates; release has the library"

step "consumer, no cargo, manifest kept apart (TWEANN_NIF_CHECKSUMS)"
mkdir -p "$tmp/dist_nomanifest"
cp "$dist/$art" "$tmp/dist_nomanifest/"
if run pre_nomanifest env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="$tmp/dist_nomanifest" \
        sh -c 'cd "$1" && rebar3 clean -a && rebar3 compile' sh "$pre"; then
    fail "an artifact without a manifest was accepted"
fi
expect_in_log "no checksum manifest" "artifact without manifest"
run pre_pinned env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="$tmp/dist_nomanifest" TWEANN_NIF_CHECKSUMS="$dist/checksums.sha256" \
    sh -c 'cd "$1" && rebar3 compile' sh "$pre" || fail "precompiled with TWEANN_NIF_CHECKSUMS"
expect_in_log "installed precompiled $art" "TWEANN_NIF_CHECKSUMS"
ok "artifact without a manifest refused; accepted against TWEANN_NIF_CHECKSUMS"

if command -v python3 >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
    step "consumer, no cargo, artifacts over http:// (python3 -m http.server)"
    port=$((20000 + $$ % 20000))
    (cd "$dist" && exec python3 -m http.server --bind 127.0.0.1 "$port") > "$tmp/logs/http.log" 2>&1 &
    http_pid=$!
    i=0
    until curl -fs -o /dev/null "http://127.0.0.1:$port/checksums.sha256"; do
        i=$((i + 1)); [ $i -lt 20 ] || { kill $http_pid; fail "http.server did not start"; }; sleep 0.5
    done
    run pre_http env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="http://127.0.0.1:$port/" \
        sh -c 'cd "$1" && rebar3 clean -a && rebar3 compile' sh "$pre" || { kill $http_pid; fail "precompiled over http"; }
    kill $http_pid 2>/dev/null || true
    expect_in_log "installed precompiled $art" "precompiled over http"
    ok "artifact fetched over http, verified and installed"
fi

# ------------------------------------ 5. a release ships its manifest
step "a package with checksums.sha256 (a release): its manifest wins over the one beside the artifacts"
relsrc="$tmp/tweann_nif_release"
cp -r "$src" "$relsrc"
cp "$dist/checksums.sha256" "$relsrc/checksums.sha256"
run rel_commit sh -c 'cd "$1" && git add checksums.sha256 && git -c user.name=pkg -c user.email=pkg@test commit -q -m release' sh "$relsrc" \
    || fail "committing the release manifest"
relc="$tmp/consumer_release"
make_consumer "$relc"
sed -i "s|file://$src\"|file://$relsrc\"|" "$relc/rebar.config"
grep -q "file://$relsrc\"" "$relc/rebar.config" || fail "consumer_release does not depend on the release package"
# An attacker's artifact (the corrupted one) with a manifest made for it.
evil="$tmp/dist_evil"
mkdir -p "$evil"
cp "$bad/$art" "$evil/"
(cd "$evil" && sha256sum "$art" > checksums.sha256)
if run relc_evil env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="$evil" sh -c 'cd "$1" && rebar3 compile' sh "$relc"; then
    fail "an artifact matching only the manifest beside it was accepted although the package ships its own"
fi
expect_in_log "checksum mismatch" "replaced artifact and manifest"
expect_in_log "expected (the package's checksums.sha256): $good_sum" "replaced artifact and manifest"
# The genuine artifact beside a wrong manifest: the package's manifest decides.
wrongm="$tmp/dist_wrong_manifest"
mkdir -p "$wrongm"
cp "$dist/$art" "$wrongm/"
printf '%s  %s\n' "$bad_sum" "$art" > "$wrongm/checksums.sha256"
run relc_good env PATH="$nocargo_path" TWEANN_NIF_PRECOMPILED="$wrongm" sh -c 'cd "$1" && rebar3 clean -a && rebar3 compile' sh "$relc" \
    || fail "the genuine artifact was refused although the package's manifest names it"
expect_in_log "checked against the package's checksums.sha256" "release manifest"
[ "$(sha256sum < "$relc/_build/default/lib/tweann_nif/priv/tweann_nif.so" | cut -d' ' -f1)" = "$art_so" ] \
    || fail "the release consumer's library is not the artifact's"
ok "the package's manifest refuses a replaced artifact and accepts the genuine one whatever lies beside it"

# ------------------------------------------------------ 6. force build
step "TWEANN_NIF_FORCE_BUILD=1 builds from source despite TWEANN_NIF_PRECOMPILED"
# rebar3 builds a dependency (and runs its hook) once; `rebar3 clean -a`
# makes the next compile build it again.
run force env TWEANN_NIF_PRECOMPILED="$dist" TWEANN_NIF_FORCE_BUILD=1 sh -c 'cd "$1" && rebar3 clean -a && rebar3 compile' sh "$consumer" \
    || fail "forced build"
expect_in_log "ignoring TWEANN_NIF_PRECOMPILED" "forced build"
expect_in_log "building the NIF from source" "forced build"
ok "TWEANN_NIF_FORCE_BUILD=1 used cargo"

# ------------------------------------------ 7. a library that does not load
step "a library that is not a valid shared object: not loaded, clear error"
# (Not an ELF file at all. The bytes of an installed library are not checked
# at load; see docs/packaging.md.)
lib="$dep/priv/tweann_nif.so"
cp -p "$lib" "$tmp/good.so"
printf 'this is not a shared object\n' > "$lib"
run notelf escript "$consumer/check.escript" refused load_failed || fail "a non-ELF library did not fail to load"
expect_in_log "PKG_REFUSED load_failed: erlang:load_nif/2 failed (load_failed)" "non-ELF library"
cp -p "$tmp/good.so" "$lib"
run restored escript "$consumer/check.escript" loaded || fail "restored library does not load"
ok "a non-ELF library is not loaded (load_failed, explained); the restored one loads"

step "the same in the release: the node boots, runs and logs why"
cp -p "$rel_priv/tweann_nif.so" "$tmp/rel_good.so"
printf 'this is not a shared object\n' > "$rel_priv/tweann_nif.so"
rm -rf "$rel/log"
daemon_bin="$rel/bin/pkg_consumer"
run rel_bad_start "$daemon_bin" daemon || fail "release daemon (bad library)"
i=0
until "$daemon_bin" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 30 ] || fail "release (bad library) did not answer ping"; sleep 1
done
sleep 1
run rel_bad_eval "$daemon_bin" eval '{tweann_nif:is_loaded(), maps:get(load_error, tweann_nif:build_info(), none)}.' \
    || fail "release eval (bad library)"
expect_in_log "{false," "release with a bad library"
expect_in_log "load_failed" "release with a bad library"
"$daemon_bin" ping >/dev/null 2>&1 || fail "the release node died"
run rel_bad_stop "$daemon_bin" stop || true
daemon_bin=""
last_log=$(ls "$rel"/log/erlang.log.* 2>/dev/null | head -n 1)
[ -n "$last_log" ] || fail "the release wrote no log in $rel/log"
expect_in_log "tweann_nif: the native library is not loaded: erlang:load_nif/2 failed (load_failed)" "release boot log"
expect_in_log "no backend: calls raise" "release boot log"
cp -p "$tmp/rel_good.so" "$rel_priv/tweann_nif.so"
ok "release with a bad library: boots, is_loaded() = false, the boot log has the warning with the reason"

printf '\npackaging: all checks passed in %ss\n' "$(( $(date +%s) - started ))"
