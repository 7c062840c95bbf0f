#!/bin/sh
# Static scan: fails if a built library (or binary) contains instructions an
# Intel Celeron J4105 (Goldmont Plus: SSE4.2, no AVX/FMA/BMI/LZCNT/ADX) cannot
# run. Run by `make check-avx` (in `make test`) and by scripts/check_celeron.sh;
# see docs/reliability.md, "No AVX on the target". Usage: check_avx.sh FILE...
set -eu
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
command -v objdump >/dev/null 2>&1 || { echo "check_avx: objdump not found (apt-get install binutils)" >&2; exit 2; }
status=0
for f in "$@"; do
    [ -f "$f" ] || { echo "check_avx: $f: no such file" >&2; exit 2; }
    bad=$(objdump -d --no-show-raw-insn "$f" | awk '
        /^[0-9a-f]+ <.*>:$/ { fn = $2 }
        /\t/ {
            line = $0
            if (line ~ /%[yz]mm[0-9]/ || line ~ /%k[0-7]/ ||
                line ~ /\t(v[a-z0-9]+|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|adcx|adox|clwb|movdiri|movdir64b|gf2p8[a-z0-9]*)[ \t]/)
                print fn ": " line
        }')
    n=$(printf '%s' "$bad" | grep -c . || true)
    total=$(objdump -d --no-show-raw-insn "$f" | grep -c '	' || true)
    if [ "$n" -gt 0 ]; then
        echo "check_avx: FAIL: $f has $n instructions a Celeron J4105 cannot run:" >&2
        printf '%s\n' "$bad" | head -20 >&2
        status=1
    else
        echo "check_avx: ok: $f: $total instructions scanned, none needs AVX/AVX2/AVX-512/FMA/BMI/LZCNT/ADX"
    fi
done
exit $status
