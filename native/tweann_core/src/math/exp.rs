//! `exp` and the functions built on it: `sigmoid`, `tanh`, `gaussian`.

use super::consts::{EXP_C, EXP_TADJ, INV_L2N, L2N_HI, L2N_LO, TANH_T};
use super::lanes::Lanes;

/// `1.5 * 2^52`: adding it rounds a float of magnitude below `2^51` to an
/// integer (ties to even) and leaves that integer in the low bits.
pub(crate) const SHIFT: f64 = 6755399441055744.0;
/// Bit pattern of `SHIFT`.
const SHIFT_BITS: u64 = 0x4338_0000_0000_0000;
/// `|x| <= EXP_FAST` takes the direct table path of `exp`.
pub(crate) const EXP_FAST: f64 = 700.0;
/// Above this `exp` overflows.
const EXP_OVER: f64 = 709.8;
/// Below this `exp` underflows to `0.0`.
const EXP_UNDER: f64 = -745.2;
/// `tanh` uses the odd polynomial below this `|x|`.
pub(crate) const TANH_POLY: f64 = 0.55;
/// `tanh(x)` rounds to `1.0` from here on; larger `|x|` are clamped to it.
const TANH_CLAMP: f64 = 20.0;
/// `gaussian(x)` takes the fast path for `|x| <= GAUSS_FAST` (`x^2 <= 702.25`).
pub(crate) const GAUSS_FAST: f64 = 26.5;
/// `gaussian(x)` is `0.0` for `|x| > GAUSS_ZERO` (`x^2 > 784 > 745.2`).
const GAUSS_ZERO: f64 = 28.0;

/// `r^2 (C0 + C1 r + ... + C4 r^4) + r + tail`, the correction of `exp` on
/// the reduced argument.
#[inline(always)]
fn exp_tmp<V: Lanes>(r: V, tail: V) -> V {
    let c = |i: usize| V::splat(EXP_C[i]);
    let r2 = r * r;
    let r4 = r2 * r2;
    let q1 = c(0) + r * c(1);
    let q2 = (c(2) + r * c(3)) + r2 * c(4);
    ((tail + r) + r2 * q1) + r4 * q2
}

/// The reduction of `exp(x)`: `(kf, r)` with `kf = x * 32/ln2 + SHIFT`
/// (so `k = round(x * 32 / ln2)` sits in its low bits) and
/// `r = (x - k * L2N_HI) - k * L2N_LO`.
#[inline(always)]
fn exp_reduce<V: Lanes>(x: V) -> (V, V) {
    let (kf, kd) = V::shift_round(x * V::splat(INV_L2N));
    let r = (x - kd * V::splat(L2N_HI)) - kd * V::splat(L2N_LO);
    (kf, r)
}

/// The reduction of `exp(hi + lo)` (`|lo|` small): as [`exp_reduce`] with
/// `k = round((hi + lo) * 32/ln2)` and `r = ((hi - k * L2N_HI) + lo) - k * L2N_LO`.
#[inline(always)]
fn exp2_reduce<V: Lanes>(hi: V, lo: V) -> (V, V) {
    let (kf, kd) = V::shift_round((hi + lo) * V::splat(INV_L2N));
    let r = ((hi - kd * V::splat(L2N_HI)) + lo) - kd * V::splat(L2N_LO);
    (kf, r)
}

/// `(scale, tmp)` with `exp(x) ~ scale + scale * tmp`, for `|x| <= 708`.
#[inline(always)]
pub(crate) fn exp_parts<V: Lanes>(x: V) -> (V, V) {
    let (kf, r) = exp_reduce(x);
    let (scale, tail) = V::exp_table(kf);
    (scale, exp_tmp(r, tail))
}

/// `exp(x)` for `|x| <= 708` (no range checks).
#[inline(always)]
pub(crate) fn exp_core<V: Lanes>(x: V) -> V {
    let (scale, tmp) = exp_parts(x);
    scale + scale * tmp
}

/// `exp(hi + lo)` for `|hi| <= 708`, `|lo|` small (no range checks).
#[inline(always)]
pub(crate) fn exp2_core<V: Lanes>(hi: V, lo: V) -> V {
    let (kf, r) = exp2_reduce(hi, lo);
    let (scale, tail) = V::exp_table(kf);
    let tmp = exp_tmp(r, tail);
    scale + scale * tmp
}

/// The edges of `exp(hi + lo)`: `|hi| > 708` or NaN.
#[cold]
#[inline(never)]
pub(crate) fn exp2_special(hi: f64, lo: f64) -> f64 {
    if hi.is_nan() || lo.is_nan() {
        return hi + lo;
    }
    if hi > EXP_OVER {
        return f64::INFINITY;
    }
    if hi < EXP_UNDER {
        return 0.0;
    }
    let (kf, r) = exp2_reduce(hi, lo);
    let kbits = kf.to_bits();
    let k = kbits.wrapping_sub(SHIFT_BITS) as i64;
    let j = (kbits & 31) as usize;
    let tbits = EXP_TADJ[j].wrapping_add((j as u64) << 47);
    let tail = super::consts::EXP_TAIL[j];
    let tmp = exp_tmp(r, tail);
    let e = k >> 5;
    if hi > 0.0 {
        let s = f64::from_bits(tbits.wrapping_add(((e - 1) as u64) << 52));
        (s + s * tmp) * 2.0
    } else {
        let s = f64::from_bits(tbits.wrapping_add(((e + 1022) as u64) << 52));
        (s + s * tmp) * f64::MIN_POSITIVE
    }
}

/// `exp(x)`.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.abs() <= EXP_FAST {
        exp_core(x)
    } else {
        exp2_special(x, 0.0)
    }
}

#[inline(always)]
pub(crate) fn exp_fast<V: Lanes>(x: V) -> V::Mask {
    x.abs().le(V::splat(EXP_FAST))
}

/// `1 / (1 + exp(-x))` for `|x| <= EXP_FAST`.
///
/// `1 + exp(-x)` is carried as `dh + dl` (`exp(-x) = scale + scale * tmp`,
/// the error of `1 + scale` kept exactly whichever side of 1 `scale` is on),
/// and the result is `q0 - q0 * (q0 * dl)` with `q0 = 1 / dh`: one formula
/// for both signs, the division as early as possible.
#[inline(always)]
pub(crate) fn sigmoid_core<V: Lanes>(x: V) -> V {
    let one = V::splat(1.0);
    let (scale, tmp) = exp_parts(-x);
    let st = scale * tmp;
    let s1 = one + scale;
    let bv = s1 - one;
    let s1l = (one - (s1 - bv)) + (scale - bv);
    let dh = s1 + st;
    let dl = ((s1 - dh) + st) + s1l;
    let q0 = one / dh;
    q0 - q0 * (q0 * dl)
}

/// `1 / (1 + exp(-x))`.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    if x.abs() <= EXP_FAST {
        sigmoid_core(x)
    } else if x > 0.0 {
        1.0
    } else {
        // exp(x) for x < -700 (0.0 below -745.2); NaN stays NaN.
        exp(x)
    }
}

/// `tanh` for `|x| < TANH_POLY` on `a = |x|`.
#[inline(always)]
fn tanh_poly<V: Lanes>(a: V) -> V {
    let t = |i: usize| V::splat(TANH_T[i]);
    let z = a * a;
    let z2 = z * z;
    let z4 = z2 * z2;
    let z8 = z4 * z4;
    let q0 = (t(0) + z * t(1)) + z2 * (t(2) + z * t(3));
    let q1 = (t(4) + z * t(5)) + z2 * (t(6) + z * t(7));
    let q2 = (t(8) + z * t(9)) + z2 * t(10);
    let p = (q0 + z4 * q1) + z8 * q2;
    a + (a * z) * p
}

/// `tanh` for `|x| >= TANH_POLY` on `a = |x|`: `1 - 2 / (exp(2a) + 1)`,
/// with `exp(2a) + 1` carried as `dh + dl` and `1 - q` as `t1 + tl`.
#[inline(always)]
fn tanh_exp<V: Lanes>(a: V) -> V {
    let one = V::splat(1.0);
    let lim = V::splat(TANH_CLAMP);
    let a = V::select(lim.lt(a), lim, a);
    let (scale, tmp) = exp_parts(a + a);
    let st = scale * tmp;
    let s1 = scale + one;
    let s1l = (scale - s1) + one;
    let dh = s1 + st;
    let dl = ((s1 - dh) + st) + s1l;
    let q0 = V::splat(2.0) / dh;
    let corr = (q0 * dl) * (V::splat(0.5) * q0);
    let t1 = one - q0;
    let tl = (one - t1) - q0;
    t1 + (tl + corr)
}

#[inline(always)]
fn with_sign_of<V: Lanes>(t: V, x: V) -> V {
    let sign = V::band(x.to_bits(), V::bits(1 << 63));
    V::from_bits(V::bor(t.to_bits(), sign))
}

/// `tanh(x)`, every lane.
#[inline(always)]
pub(crate) fn tanh_lanes<V: Lanes>(x: V) -> V {
    let a = x.abs();
    let small = a.lt(V::splat(TANH_POLY));
    let t = if V::all(small) {
        tanh_poly(a)
    } else if !V::any(small) {
        tanh_exp(a)
    } else {
        V::select(small, tanh_poly(a), tanh_exp(a))
    };
    with_sign_of(t, x)
}

/// `tanh(x)`.
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs();
    let t = if a < TANH_POLY {
        tanh_poly(a)
    } else {
        tanh_exp(a)
    };
    with_sign_of(t, x)
}

/// `x^2` as `hi + lo` for `a = |x| <= 28`: `ah` is `a` with the low 27
/// bits of its pattern cleared (26 significant bits), `al = a - ah`,
/// `hi = ah * ah` (exact) and `lo = al * (a + ah)` (its rounding error is
/// below `2^-78 x^2`).
#[inline(always)]
fn square<V: Lanes>(a: V) -> (V, V) {
    let ah = V::from_bits(V::band(a.to_bits(), V::bits(0xffff_ffff_f800_0000)));
    let al = a - ah;
    (ah * ah, al * (a + ah))
}

/// `exp(-(hi + lo))` for `hi <= 700`: [`exp2_core`] of `(-hi, -lo)` with the
/// negations folded into the constants (the same operations up to exact
/// sign changes, so the same bits).
#[inline(always)]
fn exp2_neg_core<V: Lanes>(hi: V, lo: V) -> V {
    let (kf, kd) = V::shift_round((hi + lo) * V::splat(-INV_L2N));
    let r = ((kd * V::splat(-L2N_HI) - hi) - lo) - kd * V::splat(L2N_LO);
    let (scale, tail) = V::exp_table(kf);
    let tmp = exp_tmp(r, tail);
    scale + scale * tmp
}

/// `exp(-x^2)` for `|x| <= GAUSS_FAST`.
#[inline(always)]
pub(crate) fn gaussian_core<V: Lanes>(x: V) -> V {
    let (hi, lo) = square(x.abs());
    exp2_neg_core(hi, lo)
}

#[inline(always)]
pub(crate) fn gaussian_fast<V: Lanes>(x: V) -> V::Mask {
    x.abs().le(V::splat(GAUSS_FAST))
}

/// `exp(-x^2)`.
#[inline]
pub fn gaussian(x: f64) -> f64 {
    let a = x.abs();
    if a <= GAUSS_FAST {
        gaussian_core(x)
    } else if a > GAUSS_ZERO {
        0.0
    } else if a.is_nan() {
        x
    } else {
        let (hi, lo) = square(a);
        exp2_special(-hi, -lo)
    }
}
