#!/usr/bin/env python3
"""Regenerate the Ziggurat tables of the Gaussian sampler (rng.rs and
tweann_ref_rng.erl hold them as literals; this script is a development tool,
not part of the build). Needs Python 3 with mpmath.

256 layers of equal area V under f(x) = exp(-x^2/2) (Marsaglia and Tsang,
2000): X[1] = R, X[i+1] = sqrt(-2 ln(V / X[i] + f(X[i]))), X[256] = 0, with
R solved (60 digits) so that the top layer X[255] * (1 - f(X[255])) has area
V = R f(R) + sqrt(pi/2) erfc(R / sqrt(2)) too; X[0] = V / f(R) is the base
layer's virtual width. F[i] = f(X[i]). Values are rounded once to doubles.

Usage: scripts/ziggurat_tables.py rust|erlang
"""
import sys
import mpmath as mp

mp.mp.dps = 60
N = 256


def f(x):
    return mp.exp(-x * x / 2)


def layers(r):
    v = r * f(r) + mp.sqrt(mp.pi / 2) * mp.erfc(r / mp.sqrt(2))
    x = [v / f(r), r]
    for i in range(1, N - 1):
        x.append(mp.sqrt(-2 * mp.log(v / x[i] + f(x[i]))))
    return v, x, x[N - 1] * (1 - f(x[N - 1])) - v


r = mp.findroot(lambda r: layers(r)[2], mp.mpf("3.6541528853610088"))
_, xs, _ = layers(r)
xs.append(mp.mpf(0))
X = [float(t) for t in xs]
F = [float(f(t)) for t in xs]


def rows(vals, per, fmt):
    out = []
    for i in range(0, len(vals), per):
        out.append(", ".join(fmt(v) for v in vals[i:i + per]))
    return out


if sys.argv[1:] == ["rust"]:
    for name, vals in (("ZIG_X", X), ("ZIG_F", F)):
        print("#[rustfmt::skip]")
        print(f"const {name}: [f64; {N + 1}] = [")
        for line in rows(vals, 4, lambda v: repr(v) if "e" in repr(v) or "." in repr(v) else repr(v) + ".0"):
            print(f"    {line},")
        print("];")
elif sys.argv[1:] == ["erlang"]:
    for name, vals in (("ZIG_X", X), ("ZIG_F", F)):
        lines = rows(vals, 4, lambda v: repr(v) if "." in repr(v) else repr(v).replace("e", ".0e"))
        print(f"-define({name}, {{" + (",\n" + " " * (10 + len(name))).join(lines) + "}).")
else:
    sys.exit(__doc__)
