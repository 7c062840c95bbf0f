#!/bin/sh
# Builds the tweann_nif native library and copies it to priv/tweann_nif.so.
# Run by rebar3's compile pre_hook (cwd = this application's directory, also
# when it is a dependency under _build/).
#
# Environment:
#   TWEANN_NIF_SKIP_BUILD=1   build nothing (pure Erlang use: set the
#                             application env {tweann_nif, [{backend, erlang}]})
#   CARGO                     the cargo binary (default: cargo on PATH)
set -eu

app_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$app_dir"

say() { printf 'tweann_nif: %s\n' "$*" >&2; }

if [ "${TWEANN_NIF_SKIP_BUILD:-0}" = "1" ]; then
    say "TWEANN_NIF_SKIP_BUILD=1: not building the native library."
    exit 0
fi

CARGO=${CARGO:-cargo}
if ! command -v "$CARGO" >/dev/null 2>&1; then
    say "cargo was not found on PATH, so the NIF cannot be built from source."
    say "Install Rust (https://rustup.rs) or use a precompiled artifact:"
    say "  TWEANN_NIF_PRECOMPILED=<dir or file:// URL with the .tar.gz and checksums.sha256> rebar3 compile"
    say "or, to run on the pure Erlang reference deliberately:"
    say "  TWEANN_NIF_SKIP_BUILD=1 and {tweann_nif, [{backend, erlang}]}"
    exit 1
fi

# .cargo/config.toml pins x86_64 code to x86-64-v2. A RUSTFLAGS from the
# caller would replace that setting, so append the pin to it (the last
# target-cpu wins).
case "$(uname -m)" in
    x86_64|amd64)
        if [ -n "${RUSTFLAGS:-}" ]; then
            RUSTFLAGS="$RUSTFLAGS -C target-cpu=x86-64-v2"; export RUSTFLAGS
        fi
        if [ -n "${CARGO_ENCODED_RUSTFLAGS:-}" ]; then
            CARGO_ENCODED_RUSTFLAGS="$CARGO_ENCODED_RUSTFLAGS$(printf '\037')-C$(printf '\037')target-cpu=x86-64-v2"
            export CARGO_ENCODED_RUSTFLAGS
        fi
        ;;
esac

target_dir=${CARGO_TARGET_DIR:-$app_dir/target}
"$CARGO" build --release --locked -p tweann_nif --target-dir "$target_dir"

case "$(uname -s)" in
    Darwin) lib="$target_dir/release/libtweann_nif.dylib" ;;
    *) lib="$target_dir/release/libtweann_nif.so" ;;
esac
mkdir -p priv
# Copy through a temporary name so a running node never sees a half-written file.
cp "$lib" priv/tweann_nif.so.tmp
mv -f priv/tweann_nif.so.tmp priv/tweann_nif.so
