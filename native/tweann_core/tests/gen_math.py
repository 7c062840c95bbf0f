#!/usr/bin/env python3
"""Constants and reference table of the deterministic math functions.

Requirements: Python 3.8+ and mpmath (``pip install mpmath``; gmpy2 makes it
faster but is optional).

Usage (from the repository root)::

    python3 native/tweann_core/tests/gen_math.py consts   # ~3 minutes
    python3 native/tweann_core/tests/gen_math.py table    # ~1 minute

``consts`` derives every constant of ``tweann_core::math`` and rewrites:

* ``native/tweann_core/src/math/consts.rs`` (the Rust constants),
* the generated block of ``src/tweann_ref_math.erl`` (the Erlang ones),
* the generated block of ``docs/semantics.md`` (the specification).

Tables are defined exactly (``T[j] = RN(2^(j/32))`` ...). Polynomial
coefficients come from a Remez exchange (minimax, weighted by the relative
error of the function the polynomial serves) whose coefficients are rounded
to binary64 one at a time, lowest degree first, refitting the remaining ones
after each rounding.

``table`` writes ``native/tweann_core/tests/data/math_table.txt``: for each
function a fixed, seeded set of arguments (dense near 0, around reduction
boundaries and branch thresholds, the hardest known cases of the ``sin`` /
``cos`` reduction, large values) with the correctly rounded result, one line
per argument::

    <function> <x bits hex> <RN(f(x)) bits hex> <frac> <ue>

where ``2^ue`` is the ulp of the exact value ``f(x)`` (``ue >= -1074``) and
``frac = (f(x) - RN(f(x))) / 2^ue`` to 4 decimals, so the error of a computed
``c`` is ``|(c - RN(f(x))) / 2^ue - frac|`` ulp. Results too large for a
double are written as ``7ff0000000000000`` (infinity) with ``frac = 0``.
Values are computed with 256-bit (and for huge ``sin``/``cos`` arguments
larger) working precision, then rounded once.
"""

import os
import random
import re
import struct
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CONSTS_RS = os.path.join(ROOT, "native", "tweann_core", "src", "math", "consts.rs")
ERL = os.path.join(ROOT, "src", "tweann_ref_math.erl")
DOC = os.path.join(ROOT, "docs", "semantics.md")
TABLE = os.path.join(HERE, "data", "math_table.txt")


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def unbits(b):
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def lit(x):
    """Shortest round-trip decimal form (parsed exactly by Rust and Erlang)."""
    r = repr(float(x))
    if "e" in r and "." not in r.split("e")[0]:
        m, e = r.split("e")
        r = m + ".0e" + e
    return r


# ---------------------------------------------------------------------------
# Remez exchange (weighted polynomial minimax)
# ---------------------------------------------------------------------------


def remez(f, w, nb, a, b, off=0, iters=40, grid=3000):
    """p(x) = sum_{i<nb} c_i x^(off+i) minimizing max |w(x) (f(x) - p(x))|."""
    a = mp.mpf(a)
    b = mp.mpf(b)
    n = nb
    xs = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * (j + 0.5) / (n + 1)) for j in range(n + 1)]
    pts = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * j / (grid - 1)) for j in range(grid)]
    fv = [f(x) for x in pts]
    wv = [w(x) for x in pts]
    c = None
    for _ in range(iters):
        A = mp.matrix(n + 1, n + 1)
        B = mp.matrix(n + 1, 1)
        for j, x in enumerate(xs):
            wx = w(x)
            for i in range(n):
                A[j, i] = wx * x ** (off + i)
            A[j, n] = (-1) ** j
            B[j] = wx * f(x)
        sol = mp.lu_solve(A, B)
        c = [sol[i] for i in range(n)]
        E = sol[n]

        def err(x, fx, wx):
            p = mp.mpf(0)
            for ci in reversed(c):
                p = p * x + ci
            return wx * (fx - p * x ** off)

        ev = [err(x, fx, wx) for x, fx, wx in zip(pts, fv, wv)]
        alt = []
        for i in range(len(pts)):
            e = ev[i]
            if e == 0:
                continue
            left = ev[i - 1] if i > 0 else 0
            right = ev[i + 1] if i + 1 < len(pts) else 0
            if (abs(e) >= abs(left) and abs(e) >= abs(right)) or i == 0 or i == len(pts) - 1:
                if alt and mp.sign(alt[-1][1]) == mp.sign(e):
                    if abs(e) > abs(alt[-1][1]):
                        alt[-1] = (pts[i], e)
                else:
                    alt.append((pts[i], e))
        while len(alt) > n + 1:
            if abs(alt[0][1]) < abs(alt[-1][1]):
                alt.pop(0)
            else:
                alt.pop()
        maxe = max(abs(e) for e in ev)
        if len(alt) < n + 1:
            break
        xs = [x for x, _ in alt]
        if abs(maxe - abs(E)) / maxe < mp.mpf("1e-5"):
            break
    return c


def fit_rounded(f, w, nb, a, b):
    """Coefficients rounded to binary64 one by one, refitting the rest."""
    fixed = []
    for i in range(nb):
        def fr(x, fixed=tuple(fixed)):
            p = mp.mpf(0)
            for j, cj in enumerate(fixed):
                p += mp.mpf(cj) * x ** j
            return f(x) - p

        c = remez(fr, w, nb - i, a, b, off=i)
        fixed.append(float(c[0]))
    grid = 4000
    m = 0
    for j in range(grid):
        x = mp.mpf(a) + (mp.mpf(b) - mp.mpf(a)) * j / (grid - 1)
        p = mp.mpf(0)
        for ci in reversed(fixed):
            p = p * x + mp.mpf(ci)
        m = max(m, abs(w(x) * (f(x) - p)))
    print("  max weighted error 2^%.2f" % float(mp.log(m, 2)), file=sys.stderr)
    return fixed


def round_sig(x, nbits):
    """x rounded to nbits significant bits."""
    x = mp.mpf(x)
    e = mp.floor(mp.log(abs(x), 2))
    q = mp.mpf(2) ** (e - nbits + 1)
    return float(mp.nint(x / q) * q)


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------


def derive():
    mp.mp.prec = 300
    ln2 = mp.log(2)
    pi = mp.pi
    c = {}
    n = 32
    c["T"] = [float(mp.mpf(2) ** (mp.mpf(j) / n)) for j in range(n)]
    c["TAIL"] = [float(mp.mpf(2) ** (mp.mpf(j) / n) / mp.mpf(c["T"][j]) - 1) for j in range(n)]
    c["INV_L2N"] = float(n / ln2)
    c["L2N_HI"] = round_sig(ln2 / n, 37)
    c["L2N_LO"] = float(ln2 / n - mp.mpf(c["L2N_HI"]))

    def fexp(r):
        return mp.mpf(1) / 2 if r == 0 else (mp.exp(r) - 1 - r) / r ** 2

    print("exp", file=sys.stderr)
    R = ln2 / (2 * n) * mp.mpf("1.001")
    c["EXP_C"] = fit_rounded(fexp, lambda r: r ** 2 / mp.exp(r), 5, -R, R)

    print("tanh", file=sys.stderr)

    def ftanh(z):
        if z == 0:
            return -mp.mpf(1) / 3
        x = mp.sqrt(z)
        return (mp.tanh(x) / x - 1) / z

    def wtanh(z):
        if z == 0:
            return mp.mpf(0)
        x = mp.sqrt(z)
        return z * x / mp.tanh(x)

    c["TANH_T"] = fit_rounded(ftanh, wtanh, 11, 0, (mp.mpf("0.55") * mp.mpf("1.0001")) ** 2)

    print("log", file=sys.stderr)
    mo = mp.mpf(unbits(0x3FE6A09E667F3BCD))
    smax = max(abs((mo - 1) / (mo + 1)), abs((2 * mo - 1) / (2 * mo + 1))) * mp.mpf("1.0001")

    def glog(z):
        if z == 0:
            return mp.mpf(2) / 3
        s = mp.sqrt(z)
        return (mp.log((1 + s) / (1 - s)) - 2 * s) / s / z

    c["LOG_L"] = fit_rounded(glog, lambda z: z, 7, 0, smax ** 2)
    c["LN2_HI"] = round_sig(ln2, 42)
    c["LN2_LO"] = float(ln2 - mp.mpf(c["LN2_HI"]))

    print("sin, cos", file=sys.stderr)
    zm = (pi / 4 * mp.mpf("1.0001")) ** 2

    def fsin(z):
        if z == 0:
            return -mp.mpf(1) / 6
        r = mp.sqrt(z)
        return (mp.sin(r) - r) / r ** 3

    def wsin(z):
        if z == 0:
            return mp.mpf(0)
        r = mp.sqrt(z)
        return r ** 3 / mp.sin(r)

    def fcos(z):
        if z == 0:
            return mp.mpf(1) / 24
        r = mp.sqrt(z)
        return (mp.cos(r) - 1 + z / 2) / z ** 2

    c["SIN_S"] = fit_rounded(fsin, wsin, 6, 0, zm)
    c["COS_C"] = fit_rounded(fcos, lambda z: z ** 2 / mp.cos(mp.sqrt(z)), 6, 0, zm)
    pio2 = pi / 2
    p1 = round_sig(pio2, 32)
    rem = pio2 - mp.mpf(p1)
    p2 = round_sig(rem, 32)
    rem -= mp.mpf(p2)
    p3 = round_sig(rem, 32)
    rem -= mp.mpf(p3)
    c["PIO2"] = [p1, p2, p3, float(rem)]
    c["INV_PIO2"] = float(2 / pi)
    c["PIO2_DD"] = [float(pio2), float(pio2 - mp.mpf(float(pio2)))]
    mp.mp.prec = 1400
    g = int(mp.floor(2 / mp.pi * mp.mpf(2) ** 1216))
    c["TWO_OVER_PI"] = g
    mp.mp.prec = 300
    return c


def rust_consts(c):
    out = [
        "//! Constants of the `math` algorithms, generated by `tests/gen_math.py consts`",
        "//! (do not edit). Decimal literals are the shortest round-trip forms.",
        "#![allow(clippy::approx_constant, clippy::unreadable_literal)]",
        "",
    ]

    def one(name, v, doc):
        out.append("/// %s" % doc)
        out.append("pub(crate) const %s: f64 = %s;" % (name, lit(v)))

    def arr(name, vs, doc):
        out.append("/// %s" % doc)
        line = "pub(crate) const %s: [f64; %d] = [%s];" % (name, len(vs), ", ".join(lit(v) for v in vs))
        if len(line) <= 100:
            out.append(line)
            return
        out.append("pub(crate) const %s: [f64; %d] = [" % (name, len(vs)))
        out.extend("    %s," % lit(v) for v in vs)
        out.append("];")

    one("INV_L2N", c["INV_L2N"], "`RN(32 / ln 2)`.")
    one("L2N_HI", c["L2N_HI"], "`ln 2 / 32` rounded to 37 significant bits.")
    one("L2N_LO", c["L2N_LO"], "`RN(ln 2 / 32 - L2N_HI)`.")
    arr("EXP_C", c["EXP_C"], "`exp(r) ~ 1 + r + r^2 (C[0] + C[1] r + C[2] r^2 + C[3] r^3 + C[4] r^4)`.")
    out.append("/// Bits of `T[j] = RN(2^(j/32))` minus `j << 47`, `j = 0..32`.")
    out.append("pub(crate) const EXP_TADJ: [u64; 32] = [")
    out.extend("    0x%016x," % (bits(t) - (j << 47)) for j, t in enumerate(c["T"]))
    out.append("];")
    arr("EXP_TAIL", c["TAIL"], "`RN(2^(j/32) / T[j] - 1)`, `j = 0..32`.")
    arr("TANH_T", c["TANH_T"], "`tanh(a) ~ a + (a z) (T[0] + T[1] z + ... + T[10] z^10)`, `z = a^2`, `a < 0.55`.")
    one("LN2_HI", c["LN2_HI"], "`ln 2` rounded to 42 significant bits.")
    one("LN2_LO", c["LN2_LO"], "`RN(ln 2 - LN2_HI)`.")
    arr("LOG_L", c["LOG_L"], "`ln((1+s)/(1-s)) ~ 2s + s z (L[0] + L[1] z + ... + L[6] z^6)`, `z = s^2`.")
    one("INV_PIO2", c["INV_PIO2"], "`RN(2 / pi)`.")
    arr("PIO2", c["PIO2"], "`pi / 2 = PIO2[0] + PIO2[1] + PIO2[2] + PIO2[3]`: 32, 32, 32, 53 significant bits.")
    arr("SIN_S", c["SIN_S"], "`sin(r) ~ r + r^3 (S[0] + S[1] z + ... + S[5] z^5)`, `z = r^2`.")
    arr("COS_C", c["COS_C"], "`cos(r) ~ 1 - z/2 + z^2 (C[0] + C[1] z + ... + C[5] z^5)`, `z = r^2`.")
    arr("PIO2_DD", c["PIO2_DD"], "`RN(pi / 2)` and `RN(pi / 2 - RN(pi / 2))`.")
    g = c["TWO_OVER_PI"]
    out.append("/// The first 1216 bits of `2 / pi` after the binary point, most significant first.")
    out.append("pub(crate) const TWO_OVER_PI: [u64; 19] = [")
    out.extend("    0x%016x," % ((g >> (1216 - 64 * (i + 1))) & (2 ** 64 - 1)) for i in range(19))
    out.append("];")
    return "\n".join(out) + "\n"


def erl_consts(c):
    out = []

    def d(name, v):
        out.append("-define(%s, %s)." % (name, lit(v)))

    d("INV_L2N", c["INV_L2N"])
    d("L2N_HI", c["L2N_HI"])
    d("L2N_LO", c["L2N_LO"])
    for i, v in enumerate(c["EXP_C"]):
        d("EC%d" % i, v)
    out.append("%% Mantissa fields (low 52 bits) of T[j] = RN(2^(j/32)).")
    def tup(name, items, per):
        rows = [", ".join(items[i:i + per]) for i in range(0, len(items), per)]
        out.append("-define(%s,\n        {%s})." % (name, ",\n         ".join(rows)))

    tup("EXP_TM", ["16#%013x" % (bits(t) & (2 ** 52 - 1)) for t in c["T"]], 4)
    out.append("%% RN(2^(j/32) / T[j] - 1).")
    tup("EXP_TAIL", [lit(t) for t in c["TAIL"]], 3)
    for i, v in enumerate(c["TANH_T"]):
        d("TT%d" % i, v)
    d("LN2_HI", c["LN2_HI"])
    d("LN2_LO", c["LN2_LO"])
    for i, v in enumerate(c["LOG_L"]):
        d("LL%d" % i, v)
    d("INV_PIO2", c["INV_PIO2"])
    for i, v in enumerate(c["PIO2"]):
        d("PIO2_%d" % (i + 1), v)
    for i, v in enumerate(c["SIN_S"]):
        d("SS%d" % i, v)
    for i, v in enumerate(c["COS_C"]):
        d("CC%d" % i, v)
    d("PIO2_HI", c["PIO2_DD"][0])
    d("PIO2_LO", c["PIO2_DD"][1])
    out.append("%% floor(2/pi * 2^1216).")
    g = c["TWO_OVER_PI"]
    chunks = ["16#%064x" % ((g >> (1216 - 256 * (i + 1))) & (2 ** 256 - 1)) for i in range(4)]
    chunks.append("16#%048x" % (g & (2 ** 192 - 1)))
    expr = "(%s bsl 256)" % chunks[0]
    for ch in chunks[1:3]:
        expr = "((%s bor\n         %s) bsl 256)" % (expr, ch)
    expr = "((%s bor\n         %s) bsl 192)" % (expr, chunks[3])
    out.append("-define(TWO_OVER_PI,\n        (%s bor\n         %s))." % (expr, chunks[4]))
    return "\n".join(out) + "\n"


def hexf(x):
    return "`%s` (`0x%016x`)" % (lit(x), bits(x))


def doc_consts(c):
    out = ["| constant | value (decimal, bits) |", "|---|---|"]

    def row(name, v):
        out.append("| %s | %s |" % (name, hexf(v)))

    row("INV_L2N", c["INV_L2N"])
    row("L2N_HI", c["L2N_HI"])
    row("L2N_LO", c["L2N_LO"])
    for i, v in enumerate(c["EXP_C"]):
        row("EC%d" % i, v)
    for i, v in enumerate(c["TANH_T"]):
        row("TT%d" % i, v)
    row("LN2_HI", c["LN2_HI"])
    row("LN2_LO", c["LN2_LO"])
    for i, v in enumerate(c["LOG_L"]):
        row("LL%d" % i, v)
    row("INV_PIO2", c["INV_PIO2"])
    for i, v in enumerate(c["PIO2"]):
        row("PIO2_%d" % (i + 1), v)
    for i, v in enumerate(c["SIN_S"]):
        row("SS%d" % i, v)
    for i, v in enumerate(c["COS_C"]):
        row("CC%d" % i, v)
    row("PIO2_HI", c["PIO2_DD"][0])
    row("PIO2_LO", c["PIO2_DD"][1])
    out.append("")
    out.append("Table of `exp` (`T[j] = RN(2^(j/32))`, `TAIL[j] = RN(2^(j/32) / T[j] - 1)`):")
    out.append("")
    out.append("| j | bits of T[j] | TAIL[j] |")
    out.append("|---|---|---|")
    for j in range(32):
        out.append("| %d | `0x%016x` | %s |" % (j, bits(c["T"][j]), hexf(c["TAIL"][j])))
    return "\n".join(out) + "\n"


def patch(path, begin, end, text):
    src = open(path).read()
    i = src.index(begin) + len(begin)
    j = src.index(end)
    open(path, "w").write(src[:i] + "\n" + text + src[j:])


def cmd_consts():
    c = derive()
    open(CONSTS_RS, "w").write(rust_consts(c))
    patch(ERL, "%% BEGIN GENERATED CONSTANTS (tests/gen_math.py)", "%% END GENERATED CONSTANTS", erl_consts(c))
    patch(DOC, "<!-- BEGIN GENERATED MATH CONSTANTS (gen_math.py) -->", "<!-- END GENERATED MATH CONSTANTS -->",
          doc_consts(c))


# ---------------------------------------------------------------------------
# Reference table
# ---------------------------------------------------------------------------

PREC = 256


def ref(name, x):
    """f(x) as an mpf with at least PREC bits (None: undefined)."""
    X = mp.mpf(x)
    if name == "exp":
        return mp.exp(X)
    if name == "sigmoid":
        return 1 / (1 + mp.exp(-X))
    if name == "tanh":
        return mp.tanh(X)
    if name == "gaussian":
        return mp.exp(-X * X)
    if name in ("sin", "cos"):
        # Enough working precision for the reduction of huge arguments.
        with mp.workprec(PREC + max(0, int(mp.log(abs(X) + 1, 2))) + 64):
            v = mp.sin(X) if name == "sin" else mp.cos(X)
        return v
    if name == "log":
        return mp.log(X)
    if name == "log1p":
        return mp.log1p(X)
    if name == "softplus":
        return mp.log1p(mp.exp(X))
    if name == "erf":
        return mp.erf(X)
    raise ValueError(name)


def ulp_exp(v):
    """log2 of the ulp of the real v (binary64), at least -1074."""
    if v == 0:
        return -1074
    _, e = mp.frexp(v)  # |v| = m 2^e, 1/2 <= m < 1
    return max(int(e) - 1 - 52, -1074)


def row(name, x):
    v = ref(name, x)
    if v == 0:
        y = x if name in ("sin", "tanh", "erf") else 0.0  # odd functions keep the sign of 0
        return "%s %016x %016x 0.0000 -1074" % (name, bits(x), bits(y))
    y = float(v)  # round to nearest (overflow gives inf)
    if y in (float("inf"), float("-inf")):
        return "%s %016x %016x 0.0000 0" % (name, bits(x), bits(y))
    ue = ulp_exp(v)
    frac = (v - mp.mpf(y)) / mp.mpf(2) ** ue
    return "%s %016x %016x %.4f %d" % (name, bits(x), bits(y), float(frac), ue)


def nb(x, k):
    """The k-th double after x (k may be negative; x > 0)."""
    return unbits(bits(x) + k)


def around(xs, k=2):
    out = []
    for x in xs:
        s = -1.0 if x < 0 else 1.0
        a = abs(x)
        out.extend(s * nb(a, d) for d in range(-k, k + 1) if bits(a) + d >= 0)
    return out


def loguni(rng, lo, hi, n, signs=(1.0,)):
    out = []
    for _ in range(n):
        e = rng.uniform(mp.log(lo, 2), mp.log(hi, 2))
        out.append(rng.choice(signs) * float(mp.mpf(2) ** e))
    return out


def uni(rng, lo, hi, n):
    return [rng.uniform(lo, hi) for _ in range(n)]


_HARD = []


def trig_hard():
    """The 40 doubles below 2^20 closest to a multiple of pi/2, and the hardest known double overall,
    6381956970095103 * 2^797. Exact integer arithmetic, computed once."""
    if _HARD:
        return _HARD
    with mp.workprec(300):
        p = int(mp.floor(mp.pi / 2 * mp.mpf(2) ** 240))  # pi/2 * 2^240
    best = []
    for k in range(1, int(2 ** 20 / 1.5707963267948966) + 2):
        v = k * p
        e = v.bit_length() - 53
        m = v >> e
        rest = v - (m << e)
        half = 1 << (e - 1)
        if rest > half or (rest == half and m & 1):
            m += 1
        x = m * 2.0 ** (e - 240)
        if x >= 2 ** 20:
            break
        best.append((abs((m << e) - v), x))
    best.sort()
    _HARD.extend(x for _, x in best[:40])
    _HARD.append(6381956970095103 * 2.0 ** 797)
    return _HARD


def arguments(name, rng):
    tiny = loguni(rng, 2.0 ** -1074, 2.0 ** -20, 60, (1.0, -1.0))
    small = loguni(rng, 2.0 ** -20, 1.0, 120, (1.0, -1.0))
    zeros = [0.0, -0.0]
    if name == "exp":
        ln2n = float(mp.log(2) / 32)
        bounds = around([(k + 0.5) * ln2n for k in rng.sample(range(-34000, 32700), 120)], 1)
        return (zeros + tiny + small + uni(rng, -745.2, 709.8, 500) + uni(rng, -2, 2, 200) + bounds
                + around([700.0, -700.0, 708.0, -708.0, 709.782712893384, -745.1332191019411,
                          -744.4400719213812, -708.3964185322641, 709.78], 2)
                + uni(rng, -745.2, -700, 150) + uni(rng, 700, 709.78, 60) + [709.8, 710.0, 1000.0])
    if name == "sigmoid":
        return (zeros + tiny + small + uni(rng, -40, 40, 700) + uni(rng, -745.2, -40, 200)
                + uni(rng, 40, 800, 80) + around([700.0, -700.0, -745.1332191019411, 36.7368005696771], 2)
                + uni(rng, -745.5, -700, 60) + [-1e300, 1e300])
    if name == "tanh":
        return (zeros + tiny + small + uni(rng, -0.55, 0.55, 400) + around([0.55, -0.55, 20.0, 19.06], 3)
                + uni(rng, -3, 3, 400) + uni(rng, -22, 22, 250) + [-1e300, 1e300, 1e10])
    if name == "gaussian":
        return (zeros + tiny + small + uni(rng, -6, 6, 500) + uni(rng, -28.5, 28.5, 400)
                + around([26.5, -26.5, 27.2983, 27.297128403953796, 28.0, 1.0], 2) + [1e200, -1e300])
    if name in ("sin", "cos"):
        hard = trig_hard()
        return (zeros + tiny + small + uni(rng, -7, 7, 400) + uni(rng, -200, 200, 200)
                + uni(rng, -2.0 ** 20, 2.0 ** 20, 150) + around(hard, 1) + [-x for x in hard[:10]]
                + around([2.0 ** 20, float(mp.pi / 4), float(mp.pi / 2), float(mp.pi)], 2)
                + loguni(rng, 2.0 ** 20, 1.7e308, 250, (1.0, -1.0)) + [1.7976931348623157e308])
    if name == "log":
        return (loguni(rng, 2.0 ** -1074, 1.7976931348623157e308, 500) + uni(rng, 0.5, 2, 300)
                + uni(rng, 0.999, 1.001, 120) + around([1.0, 0.7071067811865476, 1.4142135623730951, 2.0,
                                                         2.0 ** -1022, 2.0 ** -1074 * 3], 2)
                + loguni(rng, 2.0 ** -1074, 2.0 ** -1022, 80) + [1.7976931348623157e308, 5e-324])
    if name == "log1p":
        return (zeros + tiny + small + uni(rng, -0.999, 3, 400) + loguni(rng, 1.0, 1e300, 200)
                + [-1.0 + v for v in loguni(rng, 2.0 ** -53, 0.5, 80)]
                + around([1.0, -0.5, 0.41421356237309515, -0.2928932188134524, 2.0 ** 53, 2.0 ** 1000], 2)
                + loguni(rng, 1e300, 1.7e308, 30) + [1.7976931348623157e308])
    if name == "softplus":
        return (zeros + tiny + small + uni(rng, -40, 40, 600) + uni(rng, -745.5, -40, 200)
                + uni(rng, 40, 1000, 60) + around([-700.0, 700.0, -36.7368005696771, 36.7368005696771], 2)
                + [1e300, -1e300])
    if name == "erf":
        return (zeros + tiny + small + uni(rng, -6.5, 6.5, 700) + uni(rng, -1.3, 1.3, 200)
                + around([0.84375, 1.25, 2.857142857142857, 6.0, 2.0 ** -28, 2.0 ** -1016], 2)
                + [-x for x in around([0.84375, 1.25, 2.857142857142857, 6.0], 1)] + [10.0, -1e300])
    raise ValueError(name)


# Arguments where random searches (about 10^5 samples per function against
# mpmath) found the largest errors of the implementation.
FOUND = {
    "exp": [-708.4880982950218, 0.6393703597631306, -203.12325913350008],
    "sigmoid": [-12.340644455523666, -10.15856641343025, -33.90414142078689, -1.9594276917047513],
    "tanh": [0.6995394349691263, 0.5813408577720479, 0.6219790486762236],
    "gaussian": [26.62636159761672, 26.625510096393974, -0.4293617244238619],
    "sin": [-5.420831695035451, -2.3458520828021174, -520050.63231690496],
    "cos": [-8.677320688359032, -2.419218877208127, -514920.37696256855],
    "log": [1.4069384376392107, 1.4117871043334531, 0.6257361611295222],
    "log1p": [0.40166029995808483, -0.29599324140010996, 0.59940338879308],
    "softplus": [-0.9056234936721665, -36.842881045145084, 0.0016266966631467976, -0.5783191589833256],
    "erf": [0.027032243232106623, 0.8285856082787846, 0.8395355329309757],
}

FUNCTIONS = ["exp", "sigmoid", "tanh", "gaussian", "sin", "cos", "log", "log1p", "softplus", "erf"]


def cmd_table():
    mp.mp.prec = PREC
    rng = random.Random(20250612)
    lines = []
    for name in FUNCTIONS:
        xs = arguments(name, rng) + FOUND[name]
        print("%s: %d arguments" % (name, len(xs)), file=sys.stderr)
        lines.extend(row(name, x) for x in xs)
    with open(TABLE, "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "consts":
        cmd_consts()
    elif what == "table":
        cmd_table()
    else:
        sys.exit("usage: gen_math.py consts | table")
