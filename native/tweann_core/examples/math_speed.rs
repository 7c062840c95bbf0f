//! ns per value of the `math` functions: scalar, 2-lane (slice helper) and
//! the Rust standard library (the host's libm: `f64::exp` etc., and for
//! `sigmoid`, `gaussian`, `softplus` the usual formulas on it; `erf` against
//! the C library's `erf` and `cells::erf`, which uses libm's `exp`) on the same 4096 varying inputs.
//! The time of the buffer reset is measured and subtracted.
//!
//! `cargo run --release -p tweann_core --example math_speed [rounds]`
//!
//! On an x86-64 host with FMA, glibc picks its FMA code paths; to time the
//! paths an x86-64-v2 CPU (no FMA/AVX) gets, run with
//! `GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX`.

use std::hint::black_box;
use std::time::Instant;
use tweann_core::math;

const N: usize = 4096;

/// A small xorshift generator: deterministic inputs without dependencies.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn inputs(lo: f64, hi: f64) -> Vec<f64> {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    (0..N).map(|_| lo + (hi - lo) * r.next()).collect()
}

/// A function applied in place to a buffer.
type Apply<'a> = &'a dyn Fn(&mut [f64]);

/// ns per value of each of `fs` applied in place to a copy of `xs`: the
/// best of `rounds` rounds, the functions taking turns within a round so
/// that a busy host slows them alike.
fn time(rounds: usize, xs: &[f64], fs: &[Apply]) -> Vec<f64> {
    let mut buf = xs.to_vec();
    let mut best = vec![f64::INFINITY; fs.len()];
    let reps = 4;
    for _ in 0..rounds {
        for (f, b) in fs.iter().zip(best.iter_mut()) {
            let t = Instant::now();
            for _ in 0..reps {
                buf.copy_from_slice(xs);
                f(black_box(&mut buf));
                black_box(&buf);
            }
            let ns = t.elapsed().as_nanos() as f64 / (reps * xs.len()) as f64;
            *b = b.min(ns);
        }
    }
    best
}

macro_rules! row {
    ($rounds:expr, $name:literal, $lo:expr, $hi:expr, $ours:path, $slice:path, $std:expr) => {{
        let xs = inputs($lo, $hi);
        let t = time(
            $rounds,
            &xs,
            &[
                &|_b: &mut [f64]| {},
                &|b: &mut [f64]| b.iter_mut().for_each(|x| *x = $ours(*x)),
                &|b: &mut [f64]| $slice(b),
                &|b: &mut [f64]| b.iter_mut().for_each(|x| *x = $std(*x)),
            ],
        );
        let net = |v: f64| v - t[0];
        println!(
            "{:<9} [{:>8}, {:>8}]  scalar {:6.2}  x2 {:6.2}  std {:6.2}  ns/value  \
             (scalar/std {:4.2}, x2/std {:4.2}; copy {:4.2} ns subtracted)",
            $name,
            $lo,
            $hi,
            net(t[1]),
            net(t[2]),
            net(t[3]),
            net(t[1]) / net(t[3]),
            net(t[2]) / net(t[3]),
            t[0]
        );
    }};
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    row!(
        rounds,
        "exp",
        -20.0,
        20.0,
        math::exp,
        math::exp_slice,
        f64::exp
    );
    row!(
        rounds,
        "exp",
        -700.0,
        700.0,
        math::exp,
        math::exp_slice,
        f64::exp
    );
    row!(
        rounds,
        "sigmoid",
        -20.0,
        20.0,
        math::sigmoid,
        math::sigmoid_slice,
        std_sigmoid
    );
    row!(
        rounds,
        "tanh",
        -3.0,
        3.0,
        math::tanh,
        math::tanh_slice,
        f64::tanh
    );
    row!(
        rounds,
        "tanh",
        -0.5,
        0.5,
        math::tanh,
        math::tanh_slice,
        f64::tanh
    );
    row!(
        rounds,
        "tanh",
        0.6,
        10.0,
        math::tanh,
        math::tanh_slice,
        f64::tanh
    );
    row!(
        rounds,
        "gaussian",
        -5.0,
        5.0,
        math::gaussian,
        math::gaussian_slice,
        std_gaussian
    );
    row!(
        rounds,
        "sin",
        -10.0,
        10.0,
        math::sin,
        math::sin_slice,
        f64::sin
    );
    row!(
        rounds,
        "cos",
        -10.0,
        10.0,
        math::cos,
        math::cos_slice,
        f64::cos
    );
    row!(
        rounds,
        "sin",
        -1e5,
        1e5,
        math::sin,
        math::sin_slice,
        f64::sin
    );
    row!(
        rounds,
        "log",
        1e-3,
        1e3,
        math::log,
        math::log_slice,
        f64::ln
    );
    row!(
        rounds,
        "log1p",
        -0.5,
        10.0,
        math::log1p,
        math::log1p_slice,
        f64::ln_1p
    );
    row!(
        rounds,
        "softplus",
        -20.0,
        20.0,
        math::softplus,
        math::softplus_slice,
        std_softplus
    );
    row!(
        rounds,
        "erf",
        -3.0,
        3.0,
        math::erf,
        math::erf_slice,
        libm_erf
    );
    row!(
        rounds,
        "erf/cells",
        -3.0,
        3.0,
        math::erf,
        math::erf_slice,
        tweann_core::cells::erf
    );
}

extern "C" {
    /// The C library's `erf` (Rust's standard library has none).
    fn erf(x: f64) -> f64;
}

fn libm_erf(x: f64) -> f64 {
    // SAFETY: `erf` is a pure C function of one double.
    unsafe { erf(x) }
}

fn std_sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn std_gaussian(x: f64) -> f64 {
    (-(x * x)).exp()
}

fn std_softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}
