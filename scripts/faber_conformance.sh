#!/bin/sh
# Run faber-tweann's own EUnit suite with its NIF replaced by this library,
# the way a faber-tweann user switches to it (the steps below).
#
#   sh scripts/faber_conformance.sh FABER_CHECKOUT [WORK_DIR]
#
# FABER_CHECKOUT is a git checkout of faber-tweann (e.g. tag v2.4.0). It is
# copied into WORK_DIR (default: a new temporary directory) and changed there:
#   1. delete src/tweann_nif.erl, src/faber_nn_nifs.erl and native/;
#   2. drop the pre_hook that builds faber's NIF, add tweann_nif as a dependency
#      (this working tree, through rebar3's _checkouts/);
#   3. add tweann_nif to the applications of faber_tweann.app.src;
#   4. point the two tests that call faber_nn_nifs directly at tweann_nif and
#      drop the two that test faber_nn_nifs internals.
# Then `rebar3 eunit` runs; its exit status is this script's. Nothing of
# faber-tweann is kept in this repository.
set -eu

FABER=${1:?usage: faber_conformance.sh FABER_CHECKOUT [WORK_DIR]}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=${2:-$(mktemp -d /tmp/faber_conformance.XXXXXX)}

rm -rf "$WORK/faber"
mkdir -p "$WORK"
git clone -q "$FABER" "$WORK/faber" 2>/dev/null || cp -R "$FABER" "$WORK/faber"
cd "$WORK/faber"
rm -rf _build priv/*.so native src/tweann_nif.erl src/faber_nn_nifs.erl

# rebar.config: no NIF pre_hook; depend on tweann_nif.
awk '
    /^\{pre_hooks,/ { skip = 1 }
    skip && /^\]\}\./ { skip = 0; next }
    skip { next }
    /^\{deps, *\[\]\}\./ { print "{deps, [tweann_nif]}."; next }
    { print }
' rebar.config > rebar.config.new
mv rebar.config.new rebar.config
grep -q '^{deps, \[tweann_nif\]}' rebar.config || {
    echo "faber_conformance: could not set {deps, [tweann_nif]} in rebar.config" >&2
    exit 2
}
mkdir -p _checkouts
ln -sfn "$HERE" _checkouts/tweann_nif

# faber_tweann.app.src: tweann_nif is an application it needs.
sed -i 's/^\(\s*\)stdlib,$/\1stdlib,\n\1tweann_nif,/' src/faber_tweann.app.src
grep -q 'tweann_nif,' src/faber_tweann.app.src || {
    echo "faber_conformance: could not add tweann_nif to faber_tweann.app.src" >&2
    exit 2
}

# Tests: call the NIF through tweann_nif; drop tests of faber_nn_nifs itself.
sed -i 's/faber_nn_nifs:/tweann_nif:/g' test/unit/cfc_reference_tests.erl \
    test/unit/genotype_to_dag_tests.erl
rm -f test/unit/faber_nn_nifs_tests.erl test/unit/nif_fallback_conformance_tests.erl

echo "faber_conformance: running faber-tweann's suite in $WORK/faber"
rebar3 eunit
