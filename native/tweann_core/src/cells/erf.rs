//! The error function [`erf`], written out with its coefficient tables so that
//! the Erlang reference (`tweann_ref_cells`) evaluates the same polynomials in
//! the same order and agrees bit for bit.

// The erf coefficients are written with all the digits of their published
// decimal form; they round to the intended f64 values.
#![allow(clippy::excessive_precision)]

use crate::math;

// erf: rational approximations on four intervals, after the classic
// SunPro/msun design (Sun Microsystems 1993, freely redistributable);
// written anew here. Error below 1 ulp.
const ERX: f64 = 8.45062911510467529297e-01;
const EFX: f64 = 1.28379167095512586316e-01;
const EFX8: f64 = 1.02703333676410069053e+00;
// [0, 0.84375]: erf(x) = x + x * P(x^2)/Q(x^2)
const PP: [f64; 5] = [
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05,
];
const QQ: [f64; 5] = [
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06,
];
// [0.84375, 1.25]: erf(x) = erx + P(s)/Q(s), s = |x| - 1
const PA: [f64; 7] = [
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
];
const QA: [f64; 6] = [
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02,
];
// [1.25, 1/0.35]: erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x
const RA: [f64; 8] = [
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e+01,
    -6.23753324503260060396e+01,
    -1.62396669462573470355e+02,
    -1.84605092906711035994e+02,
    -8.12874355063065934246e+01,
    -9.81432934416914548592e+00,
];
const SA: [f64; 8] = [
    1.96512716674392571292e+01,
    1.37657754143519042600e+02,
    4.34565877475229228821e+02,
    6.45387271733267880336e+02,
    4.29008140027567833386e+02,
    1.08635005541779435134e+02,
    6.57024977031928170135e+00,
    -6.04244152148580987438e-02,
];
// [1/0.35, 6]
const RB: [f64; 7] = [
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e+01,
    -1.60636384855821916062e+02,
    -6.37566443368389627722e+02,
    -1.02509513161107724954e+03,
    -4.83519191608651397019e+02,
];
const SB: [f64; 7] = [
    3.03380607434824582924e+01,
    3.25792512996573918826e+02,
    1.53672958608443695994e+03,
    3.19985821950859553908e+03,
    2.55305040643316442583e+03,
    4.74528541206955367215e+02,
    -2.24409524465858183362e+01,
];

/// Horner: `c[0] + x*(c[1] + x*(... + x*c[n-1]))`.
#[inline]
fn horner(x: f64, c: &[f64]) -> f64 {
    let mut acc = c[c.len() - 1];
    for k in (0..c.len() - 1).rev() {
        acc = c[k] + x * acc;
    }
    acc
}

/// `1 + x*(c[0] + x*(c[1] + ...))`.
#[inline]
fn horner1(x: f64, c: &[f64]) -> f64 {
    1.0 + x * horner(x, c)
}

/// The error function, `2/sqrt(pi) * integral_0^x exp(-t^2) dt`, to within
/// 1 ulp. NaN gives NaN, `±inf` gives `±1`.
///
/// Method (by `|x|`): below `2^-28`, `x + x*efx`; below 0.84375,
/// `x + x*P(x²)/Q(x²)`; below 1.25, `±(erx + P(s)/Q(s))` with `s = |x| - 1`;
/// below 6, `±(1 - exp(-z² - 0.5625) * exp((z - a)(z + a) + R/S) / a)` with
/// `a = |x|`, `z` = `a` with the low 32 bits of its representation cleared,
/// and `R/S` a rational function of `1/a²` (two sets of coefficients, split
/// at `1/0.35`); from 6 on, `±1`. Polynomials are evaluated by Horner's rule.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let neg = x.is_sign_negative();
    if a.is_infinite() {
        return if neg { -1.0 } else { 1.0 };
    }
    let ix = (a.to_bits() >> 32) as u32;
    if ix < 0x3feb_0000 {
        // |x| < 0.84375
        if ix < 0x3e30_0000 {
            // |x| < 2^-28
            if ix < 0x0080_0000 {
                // avoid underflow
                return 0.125 * (8.0 * x + EFX8 * x);
            }
            return x + EFX * x;
        }
        let z = x * x;
        let r = horner(z, &PP);
        let s = horner1(z, &QQ);
        let y = r / s;
        return x + x * y;
    }
    if ix < 0x3ff4_0000 {
        // 0.84375 <= |x| < 1.25
        let s = a - 1.0;
        let p = horner(s, &PA);
        let q = horner1(s, &QA);
        return if neg { -ERX - p / q } else { ERX + p / q };
    }
    if ix >= 0x4018_0000 {
        // |x| >= 6
        return if neg { -1.0 } else { 1.0 };
    }
    let s = 1.0 / (a * a);
    let (r, ss) = if ix < 0x4006_db6e {
        // |x| < 1/0.35
        (horner(s, &RA), horner1(s, &SA))
    } else {
        (horner(s, &RB), horner1(s, &SB))
    };
    let z = f64::from_bits(a.to_bits() & 0xffff_ffff_0000_0000);
    let e = math::exp(-z * z - 0.5625) * math::exp((z - a) * (z + a) + r / ss);
    if neg {
        e / a - 1.0
    } else {
        1.0 - e / a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_basics() {
        assert_eq!(erf(0.0), 0.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert_eq!(erf(f64::NEG_INFINITY), -1.0);
        assert!(erf(f64::NAN).is_nan());
        // erf(1) = 0.8427007929497148693...
        assert!((erf(1.0) - 0.842_700_792_949_714_9).abs() < 2e-16);
        assert!((erf(-0.5) + 0.520_499_877_813_046_5).abs() < 2e-16);
        assert!((erf(2.0) - 0.995_322_265_018_952_7).abs() < 2e-16);
        assert!((erf(3.5) - 0.999_999_256_901_627_7).abs() < 2e-16);
        assert_eq!(erf(7.0), 1.0);
        assert_eq!(erf(1e-300), 1e-300 + EFX * 1e-300);
    }
}
