//! `sin` and `cos`: reduction modulo `pi/2` (Cody-Waite below `2^20`,
//! Payne-Hanek above), then two polynomial kernels and a quadrant select.

use super::consts::{COS_C, INV_PIO2, PIO2, PIO2_DD, SIN_S, TWO_OVER_PI};
use super::lanes::Lanes;

/// The Cody-Waite reduction is used for `|x| < TRIG_CW`.
pub(crate) const TRIG_CW: f64 = 1048576.0; // 2^20
/// Below this `|x|` the reduction gives `k = 0`, `rh = |x|`, `rl = +0`
/// exactly (`|x| * 2/pi < 0.4966` rounds to 0), so `sin` and `cos` skip it
/// and call their kernel directly: the same operations on the same values
/// as the full path, so the same bits, at half the latency.
pub(crate) const TRIG_SMALL: f64 = 0.78;
/// Dekker's splitting constant `2^27 + 1`.
const SPLIT: f64 = 134217729.0;

/// `(kf, rh, rl)` for `a = |x| < 2^20`: `k = round(a * 2/pi)` in the low bits
/// of `kf`, and `a - k pi/2 = rh + rl`.
#[inline(always)]
fn reduce_cw<V: Lanes>(a: V) -> (V, V, V) {
    let (kf, kd) = V::shift_round(a * V::splat(INV_PIO2));
    // k * PIO2[0..3] are exact (32-bit constants, k < 2^21).
    let a1 = a - kd * V::splat(PIO2[0]);
    let b = -(kd * V::splat(PIO2[1]));
    let s = a1 + b;
    let e1 = b - (s - a1);
    let c = -(kd * V::splat(PIO2[2]));
    let h = s + c;
    let bb = h - s;
    let e2 = (s - (h - bb)) + (c - bb);
    let lo = (e1 + e2) - kd * V::splat(PIO2[3]);
    let rh = h + lo;
    let rl = (h - rh) + lo;
    (kf, rh, rl)
}

/// `sin(rh + rl)` for `|rh| <= ~pi/4`.
#[inline(always)]
fn sin_kernel<V: Lanes>(rh: V, rl: V, z: V) -> V {
    let s = |i: usize| V::splat(SIN_S[i]);
    let w = z * z;
    let p = (s(0) + z * s(1)) + w * ((s(2) + z * s(3)) + w * (s(4) + z * s(5)));
    rh + (((z * rh) * p) + (rl - (V::splat(0.5) * z) * rl))
}

/// `cos(rh + rl)` for `|rh| <= ~pi/4`.
#[inline(always)]
fn cos_kernel<V: Lanes>(rh: V, rl: V, z: V) -> V {
    let c = |i: usize| V::splat(COS_C[i]);
    let w = z * z;
    let p = (c(0) + z * c(1)) + w * ((c(2) + z * c(3)) + w * (c(4) + z * c(5)));
    let hz = V::splat(0.5) * z;
    let one = V::splat(1.0);
    let v = one - hz;
    v + ((((one - v) - hz) + w * p) - rh * rl)
}

/// The quadrant select: `q = bits(kf) mod 4`, result
/// `[s, c, -s, -c][q]`.
#[inline(always)]
fn quadrant<V: Lanes>(kbits: V::Bits, s: V, c: V) -> V {
    let swap = V::bits_mask(V::bsub(V::bits(0), V::band(kbits, V::bits(1))));
    let v = V::select(swap, c, s);
    let neg = V::shl::<62>(V::band(kbits, V::bits(2)));
    V::from_bits(V::bxor(v.to_bits(), neg))
}

/// `sin(x)` for `|x| < 2^20` (every lane).
#[inline(always)]
pub(crate) fn sin_core<V: Lanes>(x: V) -> V {
    let a = x.abs();
    let sign = V::band(x.to_bits(), V::bits(1 << 63));
    let v = if V::all(a.lt(V::splat(TRIG_SMALL))) {
        sin_kernel(a, V::splat(0.0), a * a)
    } else {
        sin_reduced(a)
    };
    V::from_bits(V::bxor(v.to_bits(), sign))
}

/// `sin(a)` for `0 <= a < 2^20` through the reduction.
#[inline(always)]
fn sin_reduced<V: Lanes>(a: V) -> V {
    let (kf, rh, rl) = reduce_cw(a);
    let z = rh * rh;
    quadrant(kf.to_bits(), sin_kernel(rh, rl, z), cos_kernel(rh, rl, z))
}

/// `cos(x)` for `|x| < 2^20` (every lane).
#[inline(always)]
pub(crate) fn cos_core<V: Lanes>(x: V) -> V {
    let a = x.abs();
    if V::all(a.lt(V::splat(TRIG_SMALL))) {
        cos_kernel(a, V::splat(0.0), a * a)
    } else {
        cos_reduced(a)
    }
}

/// `cos(a)` for `0 <= a < 2^20` through the reduction.
#[inline(always)]
fn cos_reduced<V: Lanes>(a: V) -> V {
    let (kf, rh, rl) = reduce_cw(a);
    let z = rh * rh;
    let q = V::badd(kf.to_bits(), V::bits(1));
    quadrant(q, sin_kernel(rh, rl, z), cos_kernel(rh, rl, z))
}

#[inline(always)]
pub(crate) fn trig_fast<V: Lanes>(x: V) -> V::Mask {
    x.abs().lt(V::splat(TRIG_CW))
}

/// `sin(x)`. NaN and infinities give NaN.
#[inline]
pub fn sin(x: f64) -> f64 {
    if x.abs() < TRIG_CW {
        sin_core(x)
    } else if x.is_finite() {
        let (q, rh, rl) = reduce_big(x.abs());
        let z = rh * rh;
        let v = quadrant::<f64>(q, sin_kernel(rh, rl, z), cos_kernel(rh, rl, z));
        if x < 0.0 {
            -v
        } else {
            v
        }
    } else {
        f64::NAN
    }
}

/// `cos(x)`. NaN and infinities give NaN.
#[inline]
pub fn cos(x: f64) -> f64 {
    if x.abs() < TRIG_CW {
        cos_core(x)
    } else if x.is_finite() {
        let (q, rh, rl) = reduce_big(x.abs());
        let z = rh * rh;
        quadrant::<f64>(q + 1, sin_kernel(rh, rl, z), cos_kernel(rh, rl, z))
    } else {
        f64::NAN
    }
}

/// `n` (< 2^53) as an exact `f64`.
#[inline]
fn exact(n: u64) -> f64 {
    n as f64
}

/// `a * b` exactly as `hi + lo` (Dekker, no FMA; no overflow here).
#[inline]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let split = |v: f64| {
        let g = v * SPLIT;
        let h = g - (g - v);
        (h, v - h)
    };
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let p = a * b;
    let e = (((ah * bh - p) + ah * bl) + al * bh) + al * bl;
    (p, e)
}

/// Payne-Hanek reduction of a finite `a >= 2^20`: `(q, rh, rl)` with
/// `a = (4n + q) pi/2 + rh + rl`, `|rh + rl| <= pi/4`, `q` in `0..4`.
///
/// `a = M 2^E` (`M` the 53-bit integer significand). With `b_i` the bits of
/// `2/pi = 0.b_1 b_2 ...`, `W` is the integer of bits `b_i0 ..= b_i1`,
/// `i0 = max(1, E - 1)`, `i1 = E + 180`, and `Y = M W` holds
/// `a 2/pi mod 4` with 180 fraction bits (the bits before `i0` only add
/// multiples of 4, those after `i1` less than `2^-127`).
#[cold]
#[inline(never)]
fn reduce_big(a: f64) -> (u64, f64, f64) {
    let bits = a.to_bits();
    let m = (bits & ((1 << 52) - 1)) | (1 << 52);
    let e = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let i0 = (e - 1).max(1) as usize;
    let i1 = (e + 180) as usize;
    let w = window(i0, i1);
    // Y = M * W, little-endian 64-bit limbs.
    let mut y = [0u64; 4];
    let mut carry: u128 = 0;
    for (k, &limb) in w.iter().enumerate() {
        let t = (m as u128) * (limb as u128) + carry;
        y[k] = t as u64;
        carry = t >> 64;
    }
    y[3] = carry as u64;
    let mut q = (y[2] >> 52) & 3;
    // frac = Y mod 2^180 (limbs y0, y1, low 52 bits of y2).
    let mut f = [y[0], y[1], y[2] & ((1 << 52) - 1)];
    let neg = (f[2] >> 51) & 1 == 1;
    if neg {
        // frac >= 1/2: use frac - 1, magnitude 2^180 - frac.
        q = (q + 1) & 3;
        let (l0, b0) = 0u64.overflowing_sub(f[0]);
        let (l1a, b1a) = 0u64.overflowing_sub(f[1]);
        let (l1, b1b) = l1a.overflowing_sub(b0 as u64);
        let l2 = (1u64 << 52)
            .wrapping_sub(f[2])
            .wrapping_sub((b1a | b1b) as u64);
        f = [l0, l1, l2];
    }
    // |frac| = A 2^127 + B 2^74 + C 2^21 + (< 2^21), A, B, C < 2^53.
    let mask53 = (1u64 << 53) - 1;
    let a_ = (f[2] << 1 | f[1] >> 63) & mask53; // bits 127..179
    let b_ = (f[1] >> 10 | f[2] << 54) & mask53; // bits 74..126
    let c_ = (f[0] >> 21 | f[1] << 43) & mask53; // bits 21..73
    let af = exact(a_) * 1.1102230246251565e-16; // 2^-53
    let bf = exact(b_) * 1.232595164407831e-32; // 2^-106
    let cf = exact(c_) * 1.3684555315672042e-48; // 2^-159
    let hi = af + bf;
    let lo = ((af - hi) + bf) + cf;
    let (ph, pl) = two_prod(hi, PIO2_DD[0]);
    let t = pl + (hi * PIO2_DD[1] + lo * PIO2_DD[0]);
    let mut rh = ph + t;
    let mut rl = (ph - rh) + t;
    if neg {
        rh = -rh;
        rl = -rl;
    }
    (q, rh, rl)
}

/// Bits `i0 ..= i1` (1-based, `1 <= i0 <= i1`, at most 182 of them) of
/// `2/pi` after the binary point, as an integer in three little-endian
/// limbs.
fn window(i0: usize, i1: usize) -> [u64; 3] {
    let word = |i: isize| -> u64 {
        if i < 0 {
            0
        } else {
            TWO_OVER_PI[i as usize]
        }
    };
    let we = ((i1 - 1) / 64) as isize;
    let shift = 63 - ((i1 - 1) % 64) as u32;
    // The four words ending with the one holding bit i1, little-endian.
    let v = [word(we), word(we - 1), word(we - 2), word(we - 3)];
    let mut out = [0u64; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let lo = v[k] >> shift;
        let hi = if shift == 0 {
            0
        } else {
            v[k + 1] << (64 - shift)
        };
        *o = lo | hi;
    }
    let width = i1 - i0 + 1;
    if width < 192 {
        let limb = width / 64;
        let rem = width % 64;
        out[limb] &= (1u64 << rem) - 1;
        for o in out.iter_mut().skip(limb + 1) {
            *o = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The small-argument path gives the bits of the reduction it skips.
    #[test]
    fn small_path_is_the_reduction() {
        let mut xs = vec![0.0, 5e-324, 1e-300, 1e-160, 1e-8, 0.5, TRIG_SMALL];
        // Just below TRIG_SMALL, and a sweep of the whole small range.
        let mut b = TRIG_SMALL.to_bits();
        for _ in 0..64 {
            b -= 1;
            xs.push(f64::from_bits(b));
        }
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            xs.push((s >> 11) as f64 / (1u64 << 53) as f64 * TRIG_SMALL);
        }
        for a in xs.into_iter().filter(|&a| a < TRIG_SMALL) {
            let fast_sin = sin_kernel(a, 0.0, a * a);
            let fast_cos = cos_kernel(a, 0.0, a * a);
            assert_eq!(fast_sin.to_bits(), sin_reduced(a).to_bits(), "sin {a:e}");
            assert_eq!(fast_cos.to_bits(), cos_reduced(a).to_bits(), "cos {a:e}");
        }
    }
}
