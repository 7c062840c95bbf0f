//! `log`, `log1p` and `softplus`.

use super::consts::{LN2_HI, LN2_LO, LOG_L};
use super::exp::{exp, exp_parts, EXP_FAST};
use super::lanes::Lanes;

/// Bits of `RN(sqrt(2)/2)`: the reduced mantissa lies in `[OFF, 2 OFF)`.
const OFF: u64 = 0x3fe6_a09e_667f_3bcd;
/// `2^-1022`, the smallest normal number.
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
/// `2^54`, the scale applied to subnormal arguments.
const TWO54: f64 = 18014398509481984.0;
/// Bits of `2^52` (as a float: `4503599627370496.0`).
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
/// `2^52 + 1024`.
const TWO52_1024: f64 = 4503599627371520.0;
/// `log1p` takes its direct path for `-1 < x < LOG1P_BIG`, `log(x)` above.
const LOG1P_BIG: f64 = 1.0715086071862673e301; // 2^1000

/// `log(u + c + cl)` for `u` positive and finite (subnormals included), `c`
/// and `cl` tiny relative to `u`. With `C = false`, `c` is ignored (plain
/// `log`).
#[inline(always)]
fn log_kernel<V: Lanes, const C: bool>(u: V, c: V, cl: Option<V>) -> V {
    // Subnormal u (only possible for plain log) is scaled by 2^54 first.
    let (xs, kadj) = if C {
        (u, V::splat(0.0))
    } else {
        let sub = u.lt(V::splat(MIN_NORMAL));
        (
            V::select(sub, u * V::splat(TWO54), u),
            V::select(sub, V::splat(-54.0), V::splat(0.0)),
        )
    };
    let ix = xs.to_bits();
    let t = V::bsub(ix, V::bits(OFF));
    // k + 1024, k = floor((ix - OFF) / 2^52) as a signed number.
    let kb = V::shr::<52>(V::badd(t, V::bits(1 << 62)));
    let m = V::from_bits(V::bsub(ix, V::band(t, V::bits(0xfff0_0000_0000_0000))));
    let mut kf = V::from_bits(V::bor(kb, V::bits(TWO52_BITS))) - V::splat(TWO52_1024);
    if !C {
        kf = kf + kadj;
    }
    let mut f = m - V::splat(1.0);
    let mut df = V::splat(0.0);
    if C {
        // m + d, d = c * 2^-k (2^-k from the exponent field 2047 - kb; k <= 1000
        // here), as f + df: f = m - 1 + d rounded, df its error (|d| <= |m - 1|
        // unless m = 1, so Fast2Sum is exact).
        let p = V::from_bits(V::shl::<52>(V::bsub(V::bits(2047), kb)));
        let d = c * p;
        let g = f + d;
        df = (f - g) + d;
        if let Some(cl) = cl {
            df = df + cl * p;
        }
        f = g;
    }
    let l = |i: usize| V::splat(LOG_L[i]);
    let s = f / (V::splat(2.0) + f);
    let z = s * s;
    let w = z * z;
    let p01 = l(0) + z * l(1);
    let p23 = l(2) + z * l(3);
    let p45 = l(4) + z * l(5);
    let r = z * (p01 + w * (p23 + w * (p45 + w * l(6))));
    let hfsq = V::splat(0.5) * (f * f);
    let mut lo = kf * V::splat(LN2_LO);
    if C {
        // log(1 + f + df) ~ log(1 + f) + df / (1 + f), and
        // 1 / (1 + f) = (1 - s) / (1 + s) ~ (1 - s)((1 - s) + z).
        let one_s = V::splat(1.0) - s;
        lo = lo + df * (one_s * (one_s + z));
    }
    kf * V::splat(LN2_HI) - ((hfsq - (s * (hfsq + r) + lo)) - f)
}

/// `log(x)` for `0 < x < inf`.
#[inline(always)]
pub(crate) fn log_core<V: Lanes>(x: V) -> V {
    log_kernel::<V, false>(x, x, None)
}

#[inline(always)]
pub(crate) fn log_fast<V: Lanes>(x: V) -> V::Mask {
    // 0 < x <= MAX, as the unsigned bit pattern test 1 <= bits <= MAX bits,
    // written with float compares: x > 0 and x <= MAX.
    V::and(V::splat(0.0).lt(x), x.le(V::splat(f64::MAX)))
}

/// The natural logarithm. `log(0) = -inf`, `log(x < 0) = NaN`,
/// `log(inf) = inf`.
#[inline]
pub fn log(x: f64) -> f64 {
    if x > 0.0 && x <= f64::MAX {
        log_core(x)
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// `log(1 + x)` for `-1 < x < LOG1P_BIG`.
#[inline(always)]
pub(crate) fn log1p_core<V: Lanes>(x: V) -> V {
    let one = V::splat(1.0);
    let u = one + x;
    // 1 + x = u + c exactly below 2^53 (u - 1 and x - (u - 1) are exact).
    let c = x - (u - one);
    log_kernel::<V, true>(u, c, None)
}

/// `log(1 + (x + xl))` for `0 <= x <= 1`, `|xl| <= ulp(x)`.
#[inline(always)]
fn log1p2_core<V: Lanes>(x: V, xl: V) -> V {
    let one = V::splat(1.0);
    let u = one + x;
    let c = (one - u) + x;
    log_kernel::<V, true>(u, c, Some(xl))
}

#[inline(always)]
pub(crate) fn log1p_fast<V: Lanes>(x: V) -> V::Mask {
    V::and(V::splat(-1.0).lt(x), x.lt(V::splat(LOG1P_BIG)))
}

/// `log(1 + x)`. `log1p(-1) = -inf`, `log1p(x < -1) = NaN`; from `2^1000`
/// on it is `log(x)` (the same value once rounded).
#[inline]
pub fn log1p(x: f64) -> f64 {
    if x > -1.0 && x < LOG1P_BIG {
        log1p_core(x)
    } else if x >= LOG1P_BIG {
        log(x)
    } else if x == -1.0 {
        f64::NEG_INFINITY
    } else {
        f64::NAN
    }
}

/// `log(1 + exp(x))` for `|x| <= EXP_FAST`: `max(x, 0) + log1p(exp(-|x|))`.
#[inline(always)]
pub(crate) fn softplus_core<V: Lanes>(x: V) -> V {
    let (scale, tmp) = exp_parts(-x.abs());
    let st = scale * tmp;
    let eh = scale + st;
    let el = (scale - eh) + st;
    let l = log1p2_core(eh, el);
    let zero = V::splat(0.0);
    V::select(zero.lt(x), x, zero) + l
}

/// `log(1 + exp(x))`, computed as `max(x, 0) + log1p(exp(-|x|))`.
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x.abs() <= EXP_FAST {
        softplus_core(x)
    } else {
        let l = log1p(exp(-x.abs()));
        (if x > 0.0 { x } else { 0.0 }) + l
    }
}

pub(crate) use super::exp::exp_fast as softplus_fast;
