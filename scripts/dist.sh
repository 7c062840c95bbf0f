#!/bin/sh
# Builds the precompiled artifacts (`make dist`), the way rustler_precompiled
# does for Elixir. For each target it writes
#   OUT_DIR/libtweann_nif-v<vsn>-nif-<nif_version>-<target>.so.tar.gz
# (holding that .so and its one-line .so.sha256) and then rewrites
#   OUT_DIR/checksums.sha256
# ("<sha256>  <file>" per artifact in OUT_DIR; `sha256sum -c` reads it).
# scripts/build_nif.sh installs an artifact with TWEANN_NIF_PRECOMPILED=OUT_DIR.
# A release ships OUT_DIR/checksums.sha256 in the package as ./checksums.sha256
# (`make release-checksums`), which then wins over any manifest beside the
# artifacts. See docs/packaging.md, also for what is and isn't reproducible.
#
# Usage: scripts/dist.sh [OUT_DIR]          (default: dist/)
# Environment:
#   TWEANN_NIF_DIST_TARGETS  space-separated Rust target triples (default: the
#                            host's; others need `rustup target add` and a linker)
#   TWEANN_NIF_DIST_TARGET_DIR  cargo target dir (default: target/dist, kept
#                            apart from target/ because the flags differ)
#   CARGO                    the cargo binary (default: cargo)
set -eu

app_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$app_dir"

say() { printf 'dist: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

CARGO=${CARGO:-cargo}
command -v "$CARGO" >/dev/null 2>&1 || die "cargo not found on PATH"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is needed (--sort=name, --mtime)"

out=${1:-$app_dir/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

vsn=$(sed -n 's/.*{vsn, *"\([^"]*\)".*/\1/p' src/tweann_nif.app.src | head -n 1)
nif=$(sed -n 's/.*nif_version_\([0-9]*\)_\([0-9]*\).*/\1.\2/p' native/tweann_nif/Cargo.toml | head -n 1)
[ -n "$vsn" ] && [ -n "$nif" ] || die "cannot read the version (src/tweann_nif.app.src) or NIF version (native/tweann_nif/Cargo.toml)"
# The .app.src vsn is the one version source; the crate must carry it too.
cvsn=$(awk '/^\[/ { in_ws = ($0 == "[workspace.package]") } in_ws && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
[ "$vsn" = "$cvsn" ] || die "version mismatch: src/tweann_nif.app.src has vsn $vsn, Cargo.toml [workspace.package] has $cvsn"

host=$(rustc -vV | sed -n 's/^host: //p')
targets=${TWEANN_NIF_DIST_TARGETS:-$host}
target_dir=${TWEANN_NIF_DIST_TARGET_DIR:-$app_dir/target/dist}
mkdir -p "$target_dir"
target_dir=$(cd "$target_dir" && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}

# No timestamps anywhere; tar and gzip are told the same below.
SOURCE_DATE_EPOCH=0; export SOURCE_DATE_EPOCH
unset CARGO_ENCODED_RUSTFLAGS
export CARGO_INCREMENTAL=0

for target in $targets; do
    case "$target" in
        x86_64-*) cpu="-C target-cpu=x86-64-v2" ;;   # the Celeron pin (SSE4.2, no AVX)
        *) cpu="" ;;
    esac
    # Absolute build paths would end up in panic messages (file!() in rustler
    # and our crates); map them to fixed names so the bytes do not depend on
    # where the source or the cargo registry lives. rustc applies the last
    # matching mapping, so the more specific directories come later.
    RUSTFLAGS="--remap-path-prefix=$app_dir=/tweann_nif --remap-path-prefix=$target_dir=/tweann_nif/target --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$rustup_home=/rustup $cpu ${TWEANN_NIF_DIST_RUSTFLAGS:-}"
    export RUSTFLAGS
    say "building $target (RUSTFLAGS: $RUSTFLAGS)"
    "$CARGO" build --release --locked -p tweann_nif --target "$target" --target-dir "$target_dir"

    case "$target" in
        *-apple-darwin) lib="$target_dir/$target/release/libtweann_nif.dylib" ;;
        *) lib="$target_dir/$target/release/libtweann_nif.so" ;;
    esac
    name="libtweann_nif-v$vsn-nif-$nif-$target.so"
    stage=$(mktemp -d "${TMPDIR:-/tmp}/tweann_nif_dist.XXXXXX")
    cp "$lib" "$stage/$name"
    chmod 0755 "$stage/$name"
    (cd "$stage" && sha256sum "$name" > "$name.sha256" && chmod 0644 "$name.sha256")
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
        -C "$stage" -cf - "$name" "$name.sha256" | gzip -n -9 > "$out/$name.tar.gz.tmp"
    mv -f "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
    rm -rf "$stage"
    say "wrote $out/$name.tar.gz"
done

(cd "$out" && ls libtweann_nif-*.tar.gz | LC_ALL=C sort | xargs sha256sum) > "$out/checksums.sha256.tmp"
mv -f "$out/checksums.sha256.tmp" "$out/checksums.sha256"
say "wrote $out/checksums.sha256:"
cat "$out/checksums.sha256"
say "for a release, ship it in the package: cp $out/checksums.sha256 checksums.sha256 (make release-checksums)"
