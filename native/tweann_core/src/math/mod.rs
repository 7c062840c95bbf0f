//! Deterministic transcendental functions: the same bits on every host.
//!
//! The C library picks different code paths on different CPUs (FMA variants
//! of `exp`, `expm1`, `sin`, `cos`, `log` on CPUs that have FMA), so its
//! results differ between a developer's machine and a Celeron. The functions
//! here are built from IEEE-754 binary64 `+ - * /` (round to nearest), exact
//! bit manipulations and fixed tables only, in a fixed order, never with
//! `mul_add` or a libm call; `docs/semantics.md` ("Transcendental
//! functions") specifies every step and the pure Erlang `tweann_ref_math`
//! performs the same steps, so both give the same bits.
//!
//! | function | definition | max error (ulp) |
//! |---|---|---|
//! | [`exp`] | `e^x` | 0.60 (0.74 for subnormal results) |
//! | [`sigmoid`] | `1 / (1 + e^-x)` | 1.00 |
//! | [`tanh`] | `tanh x` | 0.75 |
//! | [`gaussian`] | `e^(-x^2)` | 0.75 |
//! | [`sin`], [`cos`] | `sin x`, `cos x`, every finite `x` | 0.75 |
//! | [`log`] | `ln x` | 0.83 |
//! | [`log1p`] | `ln(1 + x)` | 0.78 |
//! | [`softplus`] | `ln(1 + e^x)` | 1.13 |
//! | [`erf`] | the error function | 0.91 |
//!
//! (The largest errors against correctly rounded values found on the
//! reference table `tests/data/math_table.txt`, about 1000 arguments per
//! function including the hard cases, and by random searches of 10^5
//! arguments per function, `tests/search_math.py`; `tests/math_table.rs`
//! requires at most 2.)
//!
//! Each function has these forms, with identical results:
//!
//! * the scalar `f(x: f64) -> f64`;
//! * `f_x2(x: [f64; 2]) -> [f64; 2]`, two values at once: SSE2 `_mm_*_pd`
//!   code on x86_64, the portable [`portable`] form elsewhere;
//! * `f_x4(x: [f64; 4]) -> [f64; 4]`, four values at once: the 2-lane
//!   code on two registers side by side (two independent chains, for
//!   throughput where many values are ready at once);
//! * `f_x8(x: [f64; 8]) -> [f64; 8]`, eight values at once: four 2-lane
//!   chains (the lanes of a batch evaluation; `exp` to `softplus`);
//! * `f_slice(xs: &mut [f64])`, in place, four at a time.
//!
//! The scalar and lane forms are one generic algorithm (branches are
//! selects), so they perform the same IEEE operations on each value. A pair
//! (or quad) with a value outside a function's main range (for example
//! `|x| > 700` for `exp`) is computed by the narrower forms, down to the
//! scalar form value by value.
//!
//! Edge values: results that overflow are `+inf` (`exp(x > 709.78...)`),
//! `log(0) = -inf`, `log(x < 0) = NaN`, `log1p(-1) = -inf`, NaN gives NaN,
//! `sin`/`cos` of an infinity give NaN. Erlang has no infinities or NaN: the
//! Erlang twin raises `badarith` where these give a non-finite value.

mod consts;
mod erf;
mod exp;
mod lanes;
mod log;
mod trig;

pub use erf::erf;
pub use exp::{exp, gaussian, sigmoid, tanh};
pub use log::{log, log1p, softplus};
pub use trig::{cos, sin};

use lanes::{Lanes, Two};

/// Four lanes: two [`Fast2`] side by side.
type Fast4 = Two<Fast2>;
/// Eight lanes: two [`Fast4`] side by side.
type Fast8 = Two<Fast4>;

#[inline(always)]
fn load4(x: [f64; 4]) -> Fast4 {
    Two(load([x[0], x[1]]), load([x[2], x[3]]))
}
#[inline(always)]
fn store4(v: Fast4) -> [f64; 4] {
    let (a, b) = (store(v.0), store(v.1));
    [a[0], a[1], b[0], b[1]]
}

#[cfg(target_arch = "x86_64")]
type Fast2 = lanes::Sse2;
#[cfg(not(target_arch = "x86_64"))]
type Fast2 = lanes::Pair;

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn load(x: [f64; 2]) -> Fast2 {
    Fast2::load(x)
}
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn store(v: Fast2) -> [f64; 2] {
    v.store()
}
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn load(x: [f64; 2]) -> Fast2 {
    lanes::Pair(x)
}
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn store(v: Fast2) -> [f64; 2] {
    v.0
}

/// Not NaN (every ordered lane takes the 2-lane path of `tanh`).
#[inline(always)]
fn ordered<V: Lanes>(x: V) -> V::Mask {
    x.le(x)
}

macro_rules! lane_forms {
    ($(($scalar:ident, $x2:ident, $pair:ident, $x4:ident, $quad:ident, $x8:ident, $slice:ident, $core:path, $fast:path)),* $(,)?) => {
        $(
            #[doc = concat!("Two values of [`", stringify!($scalar), "`] at once (SSE2 on x86_64), with the same bits as the scalar form.")]
            #[inline]
            pub fn $x2(x: [f64; 2]) -> [f64; 2] {
                $pair(x)
            }

            #[doc = concat!("[`", stringify!($x2), "`], always inlined: the network's pairs of nodes call it, so that the values stay in registers across the sums and the activation (measured: about 9.5 % of a 200-node evaluation); the other callers keep the plain hint.")]
            #[inline(always)]
            pub(crate) fn $pair(x: [f64; 2]) -> [f64; 2] {
                let v = load(x);
                if <Fast2 as Lanes>::all($fast(v)) {
                    store($core(v))
                } else {
                    [$scalar(x[0]), $scalar(x[1])]
                }
            }

            #[doc = concat!("Four values of [`", stringify!($scalar), "`] at once (two 2-lane chains side by side), with the same bits as the scalar form.")]
            #[inline]
            pub fn $x4(x: [f64; 4]) -> [f64; 4] {
                $quad(x)
            }

            #[doc = concat!("[`", stringify!($x4), "`], always inlined: the network's groups of four call it (measured: about 10 % of a 1000-node evaluation).")]
            #[inline(always)]
            pub(crate) fn $quad(x: [f64; 4]) -> [f64; 4] {
                let v = load4(x);
                if <Fast4 as Lanes>::all($fast(v)) {
                    store4($core(v))
                } else {
                    let (a, b) = ($x2([x[0], x[1]]), $x2([x[2], x[3]]));
                    [a[0], a[1], b[0], b[1]]
                }
            }

            #[doc = concat!("Eight values of [`", stringify!($scalar), "`] at once (four 2-lane chains side by side), with the same bits as the scalar form.")]
            #[inline]
            pub fn $x8(x: [f64; 8]) -> [f64; 8] {
                let v = Two(load4([x[0], x[1], x[2], x[3]]), load4([x[4], x[5], x[6], x[7]]));
                if <Fast8 as Lanes>::all($fast(v)) {
                    let r = $core(v);
                    let (a, b) = (store4(r.0), store4(r.1));
                    [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
                } else {
                    let (a, b) = ($x4([x[0], x[1], x[2], x[3]]), $x4([x[4], x[5], x[6], x[7]]));
                    [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
                }
            }

            #[doc = concat!("[`", stringify!($scalar), "`] of every element of `xs`, in place, four at a time.")]
            pub fn $slice(xs: &mut [f64]) {
                let mut quads = xs.chunks_exact_mut(4);
                for q in &mut quads {
                    let y = $x4([q[0], q[1], q[2], q[3]]);
                    q.copy_from_slice(&y);
                }
                let mut pairs = quads.into_remainder().chunks_exact_mut(2);
                for p in &mut pairs {
                    let y = $x2([p[0], p[1]]);
                    p[0] = y[0];
                    p[1] = y[1];
                }
                for x in pairs.into_remainder() {
                    *x = $scalar(*x);
                }
            }
        )*

        /// The portable 2-lane forms (plain `[f64; 2]` arithmetic): what the
        /// `_x2` functions use off x86_64, with the same bits as the SSE2
        /// and scalar forms.
        pub mod portable {
            use super::lanes::{Lanes, Pair};
            $(
                #[doc = concat!("Two values of [`super::", stringify!($scalar), "`], portable form.")]
                #[inline]
                pub fn $x2(x: [f64; 2]) -> [f64; 2] {
                    let v = Pair(x);
                    if <Pair as Lanes>::all($fast(v)) {
                        $core(v).0
                    } else {
                        [super::$scalar(x[0]), super::$scalar(x[1])]
                    }
                }
            )*

            /// Two values of [`super::erf`] (value by value).
            #[inline]
            pub fn erf_x2(x: [f64; 2]) -> [f64; 2] {
                super::erf_x2(x)
            }
        }
    };
}

lane_forms!(
    (
        exp,
        exp_x2,
        exp_pair,
        exp_x4,
        exp_quad,
        exp_x8,
        exp_slice,
        crate::math::exp::exp_core,
        crate::math::exp::exp_fast
    ),
    (
        sigmoid,
        sigmoid_x2,
        sigmoid_pair,
        sigmoid_x4,
        sigmoid_quad,
        sigmoid_x8,
        sigmoid_slice,
        crate::math::exp::sigmoid_core,
        crate::math::exp::exp_fast
    ),
    (
        tanh,
        tanh_x2,
        tanh_pair,
        tanh_x4,
        tanh_quad,
        tanh_x8,
        tanh_slice,
        crate::math::exp::tanh_lanes,
        crate::math::ordered
    ),
    (
        gaussian,
        gaussian_x2,
        gaussian_pair,
        gaussian_x4,
        gaussian_quad,
        gaussian_x8,
        gaussian_slice,
        crate::math::exp::gaussian_core,
        crate::math::exp::gaussian_fast
    ),
    (
        sin,
        sin_x2,
        sin_pair,
        sin_x4,
        sin_quad,
        sin_x8,
        sin_slice,
        crate::math::trig::sin_core,
        crate::math::trig::trig_fast
    ),
    (
        cos,
        cos_x2,
        cos_pair,
        cos_x4,
        cos_quad,
        cos_x8,
        cos_slice,
        crate::math::trig::cos_core,
        crate::math::trig::trig_fast
    ),
    (
        log,
        log_x2,
        log_pair,
        log_x4,
        log_quad,
        log_x8,
        log_slice,
        crate::math::log::log_core,
        crate::math::log::log_fast
    ),
    (
        log1p,
        log1p_x2,
        log1p_pair,
        log1p_x4,
        log1p_quad,
        log1p_x8,
        log1p_slice,
        crate::math::log::log1p_core,
        crate::math::log::log1p_fast
    ),
    (
        softplus,
        softplus_x2,
        softplus_pair,
        softplus_x4,
        softplus_quad,
        softplus_x8,
        softplus_slice,
        crate::math::log::softplus_core,
        crate::math::log::softplus_fast
    ),
);

/// The scalar form of the function named `name` (`"exp"`, `"sigmoid"`,
/// `"tanh"`, `"gaussian"`, `"sin"`, `"cos"`, `"log"`, `"log1p"`,
/// `"softplus"`, `"erf"`: the names of the reference table), if any.
pub fn scalar_by_name(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "exp" => exp,
        "sigmoid" => sigmoid,
        "tanh" => tanh,
        "gaussian" => gaussian,
        "sin" => sin,
        "cos" => cos,
        "log" => log,
        "log1p" => log1p,
        "softplus" => softplus,
        "erf" => erf,
        _ => return None,
    })
}

/// Two values of [`erf`], value by value (its four intervals branch).
#[inline]
pub fn erf_x2(x: [f64; 2]) -> [f64; 2] {
    [erf(x[0]), erf(x[1])]
}

/// Four values of [`erf`], value by value.
#[inline]
pub fn erf_x4(x: [f64; 4]) -> [f64; 4] {
    [erf(x[0]), erf(x[1]), erf(x[2]), erf(x[3])]
}

/// [`erf`] of every element of `xs`, in place.
pub fn erf_slice(xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x = erf(*x);
    }
}

/// A running test that values are finite, two lanes wide: it keeps the
/// bitwise or of `x - x` over the values it is given. `x - x` is `+0.0`
/// (all bits clear) for a finite `x` and NaN for an infinity or a NaN, so
/// the or stays zero exactly while every value is finite. Four cheap lane
/// operations per pair of nodes instead of a compare per value, and no
/// result bit depends on it.
#[derive(Clone, Copy)]
pub(crate) struct Finite(Fast2);

// `v - v` is the test itself, not a slip.
#[allow(clippy::eq_op)]
impl Finite {
    /// Nothing seen yet.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Finite(<Fast2 as Lanes>::splat(0.0))
    }

    /// Also test the two values of `x`.
    #[inline(always)]
    pub(crate) fn add2(self, x: [f64; 2]) -> Self {
        Finite(Self::or(self.0, Self::nonfinite(load(x))))
    }

    /// Also test the eight values of `x`.
    #[inline(always)]
    pub(crate) fn add8(self, x: &[f64; 8]) -> Self {
        let half = |i: usize| {
            let a = Self::nonfinite(load([x[i], x[i + 1]]));
            Self::or(a, Self::nonfinite(load([x[i + 2], x[i + 3]])))
        };
        Finite(Self::or(self.0, Self::or(half(0), half(4))))
    }

    /// `v - v`: no bit set in a finite lane, NaN in any other.
    #[inline(always)]
    fn nonfinite(v: Fast2) -> Fast2 {
        v - v
    }

    /// The bitwise or of two lane pairs.
    #[inline(always)]
    fn or(a: Fast2, b: Fast2) -> Fast2 {
        <Fast2 as Lanes>::from_bits(<Fast2 as Lanes>::bor(a.to_bits(), b.to_bits()))
    }

    /// True if every value given was finite.
    #[inline(always)]
    pub(crate) fn all(self) -> bool {
        let b = store(self.0);
        (b[0].to_bits() | b[1].to_bits()) == 0
    }
}

#[cfg(test)]
mod finite_tests {
    use super::Finite;
    use proptest::prelude::*;

    const BAD: [f64; 3] = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN];

    #[test]
    fn finite_values_pass_and_one_bad_value_fails() {
        let good = [0.0, -0.0, 1.5, -f64::MAX, f64::MIN_POSITIVE, 5e-324];
        let mut f = Finite::new();
        for w in good.windows(2) {
            f = f.add2([w[0], w[1]]);
        }
        assert!(f.all());
        for bad in BAD {
            for lane in 0..2 {
                let mut x = [1.0, -2.0];
                x[lane] = bad;
                assert!(!Finite::new().add2(x).all());
                assert!(!f.add2(x).add2([3.0, 4.0]).all());
            }
            for lane in 0..8 {
                let mut x = [0.5; 8];
                x[lane] = bad;
                assert!(!Finite::new().add8(&x).all());
            }
        }
        assert!(Finite::new().add8(&[1.0; 8]).all());
    }

    proptest! {
        #[test]
        fn agrees_with_is_finite(x in proptest::collection::vec(
            prop_oneof![
                12 => any::<u64>().prop_map(f64::from_bits),
                1 => Just(f64::INFINITY),
                1 => Just(f64::NEG_INFINITY),
                1 => Just(f64::NAN),
            ],
            8,
        )) {
            let want = x.iter().all(|v| v.is_finite());
            let mut two = Finite::new();
            for p in x.chunks_exact(2) {
                two = two.add2([p[0], p[1]]);
            }
            let eight: [f64; 8] = x.clone().try_into().unwrap();
            prop_assert_eq!(two.all(), want);
            prop_assert_eq!(Finite::new().add8(&eight).all(), want);
        }
    }
}
