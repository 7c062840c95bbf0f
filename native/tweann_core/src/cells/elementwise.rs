//! The elementwise functions of the liquid cells (the table in the
//! [module docs](super)), with a self-contained [`log1p`] so that the Erlang
//! reference runs the very same algorithm.

use super::erf::erf;
use crate::math;

/// `1 / (1 + exp(-x))` ([`math::sigmoid`]); `0.0` far below zero.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    math::sigmoid(x)
}

/// `1.7159 * tanh(0.666 * x)` (ncps's `LeCun`).
#[inline]
pub fn lecun_tanh(x: f64) -> f64 {
    1.7159 * math::tanh(0.666 * x)
}

/// `x` if `x > 0`, else `0.0`.
#[inline]
pub fn relu(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `x / (1 + exp(-x))`, torch's CPU SiLU.
#[inline]
pub fn silu(x: f64) -> f64 {
    x / (1.0 + math::exp(-x))
}

/// `(x * 0.5) * (1 + erf(x * FRAC_1_SQRT_2))`, torch's exact GELU.
#[inline]
pub fn gelu(x: f64) -> f64 {
    x * 0.5 * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2))
}

/// `ln(1 + x)` for `x > -1`, accurate to a few ulp.
///
/// Algorithm (Goldberg's): `u = 1 + x`; if `u == 1` the result is `x`,
/// otherwise `(ln(u) * x) / (u - 1)`. The division corrects the rounding
/// error committed in forming `u`.
#[inline]
pub fn log1p(x: f64) -> f64 {
    let u = 1.0 + x;
    if u == 1.0 {
        x
    } else {
        math::log(u) * x / (u - 1.0)
    }
}

/// `nn.Softplus(beta=1, threshold=20)`: `x` if `x > 20`, else `ln(1 + exp(x))`
/// ([`math::softplus`]).
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 20.0 {
        x
    } else {
        math::softplus(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log1p_is_accurate() {
        for &x in &[1e-20f64, 1e-10, 1e-5, 0.1, 1.0, 10.0, 1e10, 4.85e8] {
            let want = (1.0 + x).ln();
            let got = log1p(x);
            if x > 1e-3 {
                assert!((got - want).abs() <= 4.0 * f64::EPSILON * want.abs(), "{x}");
            }
        }
        assert_eq!(log1p(1e-20), 1e-20);
        assert!((log1p(1e-10) - 9.999_999_999_5e-11).abs() < 1e-25);
    }
}
