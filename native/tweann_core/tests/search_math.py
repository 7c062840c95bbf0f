#!/usr/bin/env python3
"""Random search for the largest errors of tweann_core::math.

Draws N arguments per function (seeded), evaluates the Rust functions
through ``cargo run --example math_eval`` and compares each result with the
exact value (mpmath, 160-bit working precision), in ulp of the exact value
as ``tests/math_table.rs`` counts them. Prints the largest error per
function and where it was found: the figures quoted in
``docs/semantics.md`` and ``src/math/mod.rs`` come from this search and the
reference table. An argument worth keeping can go into ``gen_math.py``'s
hard cases.

Usage (from the repository root; N = 100000 takes a few minutes)::

    python3 native/tweann_core/tests/search_math.py [N] [SEED]

Requires Python 3.8+ and mpmath.
"""

import os
import random
import struct
import subprocess
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.abspath(os.path.join(HERE, ".."))

mp.mp.prec = 160

# function: (exact value, smallest and largest argument drawn)
FUNCTIONS = {
    "exp": (mp.exp, -745.0, 709.7),
    "sigmoid": (lambda x: 1 / (1 + mp.exp(-x)), -745.0, 40.0),
    "tanh": (mp.tanh, -20.0, 20.0),
    "gaussian": (lambda x: mp.exp(-x * x), -27.0, 27.0),
    "sin": (mp.sin, -1.0e6, 1.0e6),
    "cos": (mp.cos, -1.0e6, 1.0e6),
    "log": (mp.log, 1.0e-300, 1.0e300),
    "log1p": (mp.log1p, -0.999, 100.0),
    "softplus": (lambda x: mp.log1p(mp.exp(x)), -700.0, 40.0),
    "erf": (mp.erf, -6.0, 6.0),
}


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def unbits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def draw(rng, lo, hi):
    """Mostly moderate arguments (where networks and cells live), some over
    the whole range, some log-uniform toward zero."""
    k = rng.random()
    if k < 0.4:
        x = rng.uniform(max(lo, -12.0), min(hi, 12.0))
    elif k < 0.7:
        x = rng.uniform(lo, hi)
    else:
        x = rng.choice([-1.0, 1.0]) * 10 ** rng.uniform(-8, 1.5)
    return min(max(x, lo), hi)


def ulp_error(y, exact):
    e = int(mp.floor(mp.log(abs(exact), 2)))
    ue = max(e - 52, -1074)
    return float(abs((mp.mpf(y) - exact) / mp.mpf(2) ** ue))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    lines = []
    for name, (_, lo, hi) in FUNCTIONS.items():
        for _ in range(n):
            lines.append(f"{name} {bits(draw(rng, lo, hi)):016x}")
    run = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "math_eval"],
        cwd=CRATE, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    worst = {}
    for line in run.stdout.splitlines():
        name, xb, yb = line.split()
        x, y = unbits(int(xb, 16)), unbits(int(yb, 16))
        exact = FUNCTIONS[name][0](mp.mpf(x))
        if exact == 0 or mp.isinf(exact):
            continue
        err = ulp_error(y, exact)
        if err > worst.get(name, (0.0, 0.0))[0]:
            worst[name] = (err, x)
    for name in FUNCTIONS:
        err, x = worst.get(name, (0.0, 0.0))
        print(f"{name:9} {n} arguments  max error {err:.4f} ulp  (at x = {x!r})")


if __name__ == "__main__":
    main()
