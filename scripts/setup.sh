#!/usr/bin/env bash
# Installs what building and testing tweann_nif needs on Debian 12, skipping
# what is already there: Erlang/OTP 25 (erlang-nox, erlang-dev), rebar3,
# binutils (objdump, for the AVX scan), qemu-user (make check-celeron) and
# gnuplot-nox (benchmark charts). Rust (cargo) must already be installed
# (https://rustup.rs); it is only needed to build from source.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have erl || missing+=(erlang-nox erlang-dev)
have rebar3 || missing+=(rebar3)
have objdump || missing+=(binutils)
have make || missing+=(make)
if [ "${TWEANN_SETUP_MINIMAL:-0}" != "1" ]; then
    have qemu-x86_64 || missing+=(qemu-user)
    have gnuplot || missing+=(gnuplot-nox)
fi

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "setup: Erlang, rebar3 and tools already installed"
fi

if ! have cargo; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        echo "setup: cargo is in ~/.cargo/bin; add it to PATH (source ~/.cargo/env)"
    else
        echo "setup: cargo not found: install Rust from https://rustup.rs, or build from a precompiled artifact (docs/packaging.md)" >&2
        exit 1
    fi
fi
erl -noshell -eval 'io:format("setup: OTP ~s, ERTS ~s~n", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().'
