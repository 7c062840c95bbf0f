#!/bin/sh
# Puts the tweann_nif native library in priv/tweann_nif.so. Run by rebar3's
# compile pre_hook (cwd = this application's directory, also when it is a
# dependency under _build/default/lib/tweann_nif). See docs/packaging.md.
#
# Two ways to get the library:
#   from source (default)  cargo build --release --locked, x86_64 pinned to
#                          x86-64-v2 (SSE4.2, no AVX).
#   precompiled            TWEANN_NIF_PRECOMPILED=<dir | file:// URL | http(s):// URL>
#                          names a place holding the artifacts `make dist`
#                          writes: libtweann_nif-v<vsn>-nif-<nif>-<target>.so.tar.gz
#                          (and checksums.sha256). The URL may also name the
#                          .tar.gz itself. The artifact's SHA-256 must match
#                          the checksum manifest; no cargo is needed.
#
# The checksum manifest trusted for a precompiled artifact, first found:
#   1. TWEANN_NIF_CHECKSUMS=FILE       a manifest you keep yourself;
#   2. checksums.sha256 in this package (a release ships the manifest of its
#      artifacts): it wins over any manifest found beside the artifacts;
#   3. checksums.sha256 beside the artifact (a build of this source tree,
#      before any release manifest is shipped).
#
# Before anything, the versions must agree: the vsn of src/tweann_nif.app.src
# (the one version source) and the workspace version of Cargo.toml, which
# the crate, build_info/0 and the artifact names carry.
#
# Environment:
#   TWEANN_NIF_PRECOMPILED=...  use a precompiled artifact (above)
#   TWEANN_NIF_CHECKSUMS=FILE   the checksum manifest to trust (above)
#   TWEANN_NIF_FORCE_BUILD=1    always build from source, even if
#                               TWEANN_NIF_PRECOMPILED is set
#   TWEANN_NIF_SKIP_BUILD=1     install nothing (pure Erlang use: set the
#                               application env {tweann_nif, [{backend, erlang}]})
#   TWEANN_NIF_TARGET=<triple>  the target whose artifact to use (default:
#                               this host, e.g. x86_64-unknown-linux-gnu)
#   CARGO                       the cargo binary (default: cargo on PATH)
#   CARGO_TARGET_DIR            cargo's output dir (default: ./target)
set -eu

app_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$app_dir"

say() { printf 'tweann_nif: %s\n' "$*" >&2; }
die() { for line in "$@"; do say "$line"; done; exit 1; }

# Lowercase hex SHA-256 of a file.
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d' ' -f1
    else
        die "no sha256sum, shasum or openssl found: cannot checksum $1"
    fi
}

# The application version (src/tweann_nif.app.src), the crates' version (the
# [workspace.package] version of Cargo.toml) and the NIF version the crate is
# built for (the rustler nif_version_X_Y feature).
app_vsn() { sed -n 's/.*{vsn, *"\([^"]*\)".*/\1/p' src/tweann_nif.app.src | head -n 1; }
cargo_vsn() { awk '/^\[/ { in_ws = ($0 == "[workspace.package]") } in_ws && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml; }
nif_version() { sed -n 's/.*nif_version_\([0-9]*\)_\([0-9]*\).*/\1.\2/p' native/tweann_nif/Cargo.toml | head -n 1; }

# One version: the .app.src vsn. Cargo.toml must carry the same, or
# build_info/0 and the artifact names would disagree with the application.
check_versions() {
    vsn=$(app_vsn) cvsn=$(cargo_vsn)
    [ -n "$vsn" ] || die "cannot read the vsn from src/tweann_nif.app.src"
    [ "$vsn" = "$cvsn" ] || die \
        "version mismatch: src/tweann_nif.app.src has vsn \"$vsn\" but Cargo.toml's" \
        "[workspace.package] version is \"$cvsn\". The .app.src is the version source:" \
        "set the same version in Cargo.toml (and run cargo update -w to refresh Cargo.lock)."
}

# The Rust target triple of this host, without needing rustc.
host_target() {
    if [ -n "${TWEANN_NIF_TARGET:-}" ]; then echo "$TWEANN_NIF_TARGET"; return; fi
    case "$(uname -m)" in
        x86_64|amd64) arch=x86_64 ;;
        aarch64|arm64) arch=aarch64 ;;
        *) arch=$(uname -m) ;;
    esac
    case "$(uname -s)" in
        Linux)
            if ls /lib/ld-musl-* >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); then
                echo "$arch-unknown-linux-musl"
            else
                echo "$arch-unknown-linux-gnu"
            fi ;;
        Darwin) echo "$arch-apple-darwin" ;;
        FreeBSD) echo "$arch-unknown-freebsd" ;;
        *) echo "$arch-unknown-$(uname -s | tr 'A-Z' 'a-z')" ;;
    esac
}

# Install a library file (and its checksum) into priv/ through temporary
# names, so a running node never sees a half-written file.
install_lib() {
    lib=$1
    mkdir -p priv
    # A temporary name unique to this process: two builds may run at once.
    cp "$lib" "priv/tweann_nif.so.tmp.$$"
    chmod 0755 "priv/tweann_nif.so.tmp.$$"
    mv -f "priv/tweann_nif.so.tmp.$$" priv/tweann_nif.so
    # Earlier versions wrote a load-time manifest here; nothing reads it now.
    rm -f priv/tweann_nif.so.sha256
}

install_precompiled() {
    src=$1
    vsn=$(app_vsn) nif=$(nif_version) target=$(host_target)
    [ -n "$vsn" ] && [ -n "$nif" ] || die "cannot read the version from src/tweann_nif.app.src or the NIF version from native/tweann_nif/Cargo.toml"
    name="libtweann_nif-v$vsn-nif-$nif-$target.so"
    tarname="$name.tar.gz"

    work=$(mktemp -d "${TMPDIR:-/tmp}/tweann_nif_precompiled.XXXXXX")
    trap 'rm -rf "$work"' EXIT INT TERM

    # The manifest to trust, when it does not come from beside the artifact.
    if [ -n "${TWEANN_NIF_CHECKSUMS:-}" ]; then
        manifest=$TWEANN_NIF_CHECKSUMS where="TWEANN_NIF_CHECKSUMS=$TWEANN_NIF_CHECKSUMS"
    elif [ -f "$app_dir/checksums.sha256" ]; then
        manifest=$app_dir/checksums.sha256 where="the package's checksums.sha256"
    else
        manifest="" where=""
    fi

    case "$src" in
        http://*|https://*)
            command -v curl >/dev/null 2>&1 || die "curl is needed to fetch $src"
            case "$src" in
                *.tar.gz) base=${src%/*}; tarname_given=${src##*/} ;;
                *) base=${src%/}; tarname_given=$tarname ;;
            esac
            [ "$tarname_given" = "$tarname" ] || die \
                "TWEANN_NIF_PRECOMPILED names $tarname_given," \
                "but this host needs $tarname (version $vsn, NIF $nif, target $target)."
            say "fetching $base/$tarname"
            curl -fsSL -o "$work/$tarname" "$base/$tarname" || die "could not fetch $base/$tarname"
            if [ -z "$manifest" ]; then
                curl -fsSL -o "$work/checksums.sha256" "$base/checksums.sha256" || die "could not fetch $base/checksums.sha256"
                manifest=$work/checksums.sha256 where="checksums.sha256 beside the artifact ($base)"
            fi
            tarball="$work/$tarname"
            ;;
        *)
            path=$src
            case "$path" in
                file://localhost/*) path=${path#file://localhost} ;;
                file:///*) path=${path#file://} ;;
                file://*) die "TWEANN_NIF_PRECOMPILED=$src: only local file:///absolute/path URLs are supported" ;;
            esac
            if [ -d "$path" ]; then
                dir=${path%/} tarball="${path%/}/$tarname"
            elif [ -f "$path" ]; then
                dir=$(dirname "$path") tarball=$path
                [ "$(basename "$path")" = "$tarname" ] || die \
                    "TWEANN_NIF_PRECOMPILED names $(basename "$path")," \
                    "but this host needs $tarname (version $vsn, NIF $nif, target $target)."
            else
                die "TWEANN_NIF_PRECOMPILED=$src: no such directory or file"
            fi
            if [ ! -f "$tarball" ]; then
                set -- "$dir"/libtweann_nif-*.tar.gz
                die "no precompiled artifact $tarname in $dir" \
                    "(this host: version $vsn, NIF $nif, target $target; set TWEANN_NIF_TARGET to choose another target)." \
                    "Artifacts there: $(if [ -e "$1" ]; then for f in "$@"; do printf '%s ' "$(basename "$f")"; done; else echo none; fi)" \
                    "Unset TWEANN_NIF_PRECOMPILED (or set TWEANN_NIF_FORCE_BUILD=1) to build from source with cargo."
            fi
            if [ -z "$manifest" ]; then
                manifest=$dir/checksums.sha256 where="checksums.sha256 beside the artifact ($dir)"
            fi
            ;;
    esac

    [ -f "$manifest" ] || die "no checksum manifest $manifest: refusing an artifact that cannot be verified"
    expected=$(awk -v f="$tarname" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$manifest")
    [ -n "$expected" ] || die "the checksum manifest ($where) has no line for $tarname: refusing an artifact that cannot be verified"
    actual=$(sha256_of "$tarball")
    if [ "$actual" != "$expected" ]; then
        die "checksum mismatch for the precompiled artifact $tarball:" \
            "  expected ($where): $expected" \
            "  actual   (file): $actual" \
            "The artifact is corrupt or is not the one the manifest was made for; refusing it." \
            "Fetch it again, or set TWEANN_NIF_FORCE_BUILD=1 to build from source with cargo."
    fi

    # The archive's bytes are the ones the manifest names; its library is
    # installed as it is.
    mkdir "$work/x"
    tar -xzf "$tarball" -C "$work/x" "$name" || die "$tarball does not hold $name"
    install_lib "$work/x/$name"
    say "installed precompiled $tarname (sha256 $actual, checked against $where) as priv/tweann_nif.so"
}

build_from_source() {
    CARGO=${CARGO:-cargo}
    if ! command -v "$CARGO" >/dev/null 2>&1; then
        die "cargo was not found on PATH, so the NIF cannot be built from source." \
            "Install Rust (https://rustup.rs), or use a precompiled artifact (built by 'make dist'):" \
            "  TWEANN_NIF_PRECOMPILED=<dir or file:// URL holding the .tar.gz and checksums.sha256> rebar3 compile" \
            "or, to run on the pure Erlang reference deliberately:" \
            "  TWEANN_NIF_SKIP_BUILD=1 and {tweann_nif, [{backend, erlang}]}"
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
    say "building the NIF from source with cargo (target dir $target_dir)"
    "$CARGO" build --release --locked -p tweann_nif --target-dir "$target_dir"

    case "$(uname -s)" in
        Darwin) lib="$target_dir/release/libtweann_nif.dylib" ;;
        *) lib="$target_dir/release/libtweann_nif.so" ;;
    esac
    install_lib "$lib"
}

check_versions

if [ "${TWEANN_NIF_SKIP_BUILD:-0}" = "1" ]; then
    say "TWEANN_NIF_SKIP_BUILD=1: not installing the native library."
    exit 0
fi

if [ "${TWEANN_NIF_FORCE_BUILD:-0}" = "1" ]; then
    [ -z "${TWEANN_NIF_PRECOMPILED:-}" ] || say "TWEANN_NIF_FORCE_BUILD=1: ignoring TWEANN_NIF_PRECOMPILED, building from source."
    build_from_source
elif [ -n "${TWEANN_NIF_PRECOMPILED:-}" ]; then
    install_precompiled "$TWEANN_NIF_PRECOMPILED"
else
    build_from_source
fi
