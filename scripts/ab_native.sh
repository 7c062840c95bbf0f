#!/bin/sh
# A/B timing of builds of the NIF, side by side in one VM.
#
# Two runs of the benchmark suite on a shared machine can differ by 10-20 %
# (the VM's fast and slow phases), more than most changes are worth. This
# script builds each variant's library as a module of its own,
# tweann_nif_native_<NAME>, so that several builds load into one VM and are
# timed round by round, interleaved (test/benchmark/bench_ab.erl).
#
#   sh scripts/ab_native.sh build NAME [REV]
#       Build git revision REV (default: the working tree, uncommitted
#       changes included) as tweann_nif_native_NAME in _build/ab/NAME.
#   sh scripts/ab_native.sh run WORKLOAD ROUNDS NAME...
#       Time the named builds; the first is the baseline. WORKLOAD:
#       evaluate:tiny|50|200|1000, batch:50|200, compile:50|200|1000,
#       scalar (evaluate_ode/5 and evaluate_cfc/4).
#
# Ratios between two builds of the same code (an A/A run) show the noise
# left: here 0.98-1.05 for medians of 5-10 rounds. Use 20-30 rounds, and
# repeat, before trusting a few percent.
#
# Example: the working tree against the last commit, on evaluate/2 50/250:
#   sh scripts/ab_native.sh build head HEAD
#   sh scripts/ab_native.sh build wip
#   sh scripts/ab_native.sh run evaluate:50 30 head wip
#
# Only for measuring: the variant modules skip the loader's checks and are
# never part of a release. Needs git, cargo, erlc, python3, and the bench
# profile compiled once (rebar3 as bench compile).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
AB="$ROOT/_build/ab"

build() {
    name=$1
    rev=${2:-}
    case $name in
        *[!a-z0-9_]*|'') echo "ab_native: NAME must be lowercase letters, digits or _" >&2; exit 2 ;;
    esac
    dir="$AB/$name"
    rm -rf "$dir/src"
    mkdir -p "$dir/src"
    if [ -n "$rev" ]; then
        git -C "$ROOT" archive "$rev" native Cargo.toml Cargo.lock .cargo src include \
            | tar -x -C "$dir/src"
    else
        (cd "$ROOT" && tar -c native Cargo.toml Cargo.lock .cargo src include) \
            | tar -x -C "$dir/src"
    fi
    mod="tweann_nif_native_$name"
    sed -i "s/rustler::init!(\"tweann_nif_native\"/rustler::init!(\"$mod\"/" \
        "$dir/src/native/tweann_nif/src/lib.rs"
    grep -q "rustler::init!(\"$mod\"" "$dir/src/native/tweann_nif/src/lib.rs" || {
        echo "ab_native: no rustler::init! to rename in lib.rs" >&2; exit 1; }
    (cd "$dir/src" && CARGO_TARGET_DIR="$dir/target" cargo build --release --locked -p tweann_nif)
    # The loader module under the new name, loading this build's library.
    python3 - "$dir/src/src/tweann_nif_native.erl" "$dir/$mod.erl" "$mod" \
        "$dir/target/release/libtweann_nif" <<'PY'
import re, sys
src, dst, mod, lib = sys.argv[1:]
s = open(src).read()
s = s.replace("-module(tweann_nif_native).", "-module(%s)." % mod, 1)
s, n = re.subn(r"\nlib_path\(\) ->.*?\n\n", '\nlib_path() -> {ok, "%s"}.\n\n' % lib, s, count=1, flags=re.S)
if n != 1 or ("-module(%s)." % mod) not in s:
    sys.exit("ab_native: tweann_nif_native.erl no longer has the expected shape")
s = s.replace("case tweann_nif_loader:verify(Path) of", "case ok of", 1)
open(dst, "w").write(s)
PY
    erlc -I "$dir/src/include" -I "$dir/src/src" -o "$dir" "$dir/$mod.erl"
    echo "ab_native: built $mod in $dir"
}

run() {
    workload=$1
    rounds=$2
    shift 2
    names=$(echo "$@" | sed 's/ /,/g')
    paths=""
    for n in "$@"; do paths="$paths -pa $AB/$n"; done
    bench="$ROOT/_build/bench/lib/tweann_nif"
    [ -d "$bench/test/benchmark" ] || { echo "ab_native: run 'rebar3 as bench compile' first" >&2; exit 1; }
    # shellcheck disable=SC2086
    erl -noshell $paths -pa "$bench/ebin" -pa "$bench/test/benchmark" \
        -eval "bench_ab:main(\"$workload\", $rounds, [$names]), halt()."
}

case ${1:-} in
    build) shift; build "$@" ;;
    run) shift; run "$@" ;;
    *) sed -n '2,29p' "$0"; exit 2 ;;
esac
