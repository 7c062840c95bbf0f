//! Single-neuron liquid forms kept for API compatibility
//! (`evaluate_cfc/4`, `evaluate_cfc_with_weights/6`, `evaluate_ode/5`,
//! `evaluate_ode_with_weights/7`, `evaluate_cfc_batch/4`), exactly as
//! `docs/cells.md` section 5 states them:
//!
//! * `sig(x) = 1 / (1 + exp(-clamp(x, -10, 10)))`, `T = max(tau, 0.001)`
//! * backbone `f(u)`: `u / T` without weights, else
//!   `tanh(w0 * u + w1 + w2 + ...)` (left to right)
//! * head `g(x)`: `tanh(x)` without weights, else `tanh(w0 * x + w1 + ...)`
//! * CfC: `s = sig(-f(u))`, `x' = clampB(s * state + (1 - s) * g(u))`;
//!   returns `(x', x')`
//! * ODE: `F = f(u)`, `dx = -(1/T + F) * state + F * bound`,
//!   `x' = clampB(state + dt * dx)`; returns `(x', x')` without head weights,
//!   else `(x', g(x'))`.

use crate::activation::clamp;
use crate::error::CoreError;
use crate::math;

#[inline]
fn sig(x: f64) -> f64 {
    math::sigmoid(clamp(x, -10.0, 10.0))
}

#[inline]
fn affine_tanh(x: f64, w: &[f64]) -> f64 {
    let mut acc = w[0] * x;
    for &wk in &w[1..] {
        acc += wk;
    }
    math::tanh(acc)
}

#[inline]
fn backbone(u: f64, tau: f64, w: &[f64]) -> f64 {
    if w.is_empty() {
        u / tau.max(0.001)
    } else {
        affine_tanh(u, w)
    }
}

#[inline]
fn head(x: f64, w: &[f64]) -> f64 {
    if w.is_empty() {
        math::tanh(x)
    } else {
        affine_tanh(x, w)
    }
}

/// One CfC step: returns `(new_state, output)` (equal).
#[inline]
pub fn cfc(
    input: f64,
    state: f64,
    tau: f64,
    bound: f64,
    backbone_w: &[f64],
    head_w: &[f64],
) -> (f64, f64) {
    let s = sig(-backbone(input, tau, backbone_w));
    let h = head(input, head_w);
    let x = clamp(s * state + (1.0 - s) * h, -bound, bound);
    (x, x)
}

/// One explicit Euler step of the ODE: returns `(new_state, output)`.
#[inline]
pub fn ode(
    input: f64,
    state: f64,
    tau: f64,
    bound: f64,
    dt: f64,
    backbone_w: &[f64],
    head_w: &[f64],
) -> (f64, f64) {
    let f = backbone(input, tau, backbone_w);
    let t = if tau > 0.001 { tau } else { 0.001 };
    let dxdt = -(1.0 / t + f) * state + f * bound;
    let x = clamp(state + dt * dxdt, -bound, bound);
    let out = if head_w.is_empty() {
        x
    } else {
        head(x, head_w)
    };
    (x, out)
}

/// True for a valid `Bound`: a finite number `>= 0`.
#[inline(always)]
pub fn bound_ok(bound: f64) -> bool {
    bound >= 0.0 && bound.is_finite()
}

/// True if both values of a scalar result are finite.
#[inline(always)]
pub fn finite_pair(pair: (f64, f64)) -> bool {
    pair.0.is_finite() && pair.1.is_finite()
}

/// Check the shared scalar arguments; `bound` is argument `bound_arg`.
#[inline]
pub fn check_bound(bound: f64, bound_arg: u8) -> Result<(), CoreError> {
    if bound_ok(bound) {
        Ok(())
    } else {
        Err(CoreError::badarg(bound_arg, "Bound must be a number >= 0"))
    }
}

/// Check that a scalar result is finite.
#[inline]
pub fn check_finite(pair: (f64, f64)) -> Result<(f64, f64), CoreError> {
    if finite_pair(pair) {
        Ok(pair)
    } else {
        Err(CoreError::overflow(
            "arithmetic overflow in the liquid neuron step",
        ))
    }
}

/// `evaluate_cfc_batch`: fold [`cfc`] (no weights) over `inputs`, writing
/// `(state, output)` pairs to `out`.
pub fn cfc_batch(
    inputs: &[f64],
    state0: f64,
    tau: f64,
    bound: f64,
    out: &mut Vec<(f64, f64)>,
) -> Result<(), CoreError> {
    let mut s = state0;
    for &u in inputs {
        let r = check_finite(cfc(u, s, tau, bound, &[], &[]))?;
        s = r.0;
        out.push(r);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cfc_by_hand() {
        // f = 1.0 / 2.0 = 0.5; s = sig(-0.5); h = tanh(1.0)
        let s = math::sigmoid(-0.5);
        let want = s * 0.3 + (1.0 - s) * math::tanh(1.0);
        assert_eq!(cfc(1.0, 0.3, 2.0, 5.0, &[], &[]), (want, want));
        // the bound clamps
        assert_eq!(cfc(1.0, 100.0, 2.0, 0.5, &[], &[]).0, 0.5);
        // weights: f = tanh(0.5 * 1.0 + 0.25 + 0.25), g = tanh(2 * 1.0 - 1)
        let f = math::tanh(0.5f64 * 1.0 + 0.25 + 0.25);
        let s = math::sigmoid(-f);
        let h = math::tanh(2.0f64 * 1.0 + -1.0);
        let want = s * 0.0 + (1.0 - s) * h;
        assert_eq!(
            cfc(1.0, 0.0, 9.0, 5.0, &[0.5, 0.25, 0.25], &[2.0, -1.0]).0,
            want
        );
    }

    #[test]
    fn ode_by_hand() {
        // f = 1/0.5 = 2; dx = -(2 + 2) * 0.1 + 2 * 1.0 = 1.6; x = 0.1 + 0.1 * 1.6
        let (x, o) = ode(1.0, 0.1, 0.5, 1.0, 0.1, &[], &[]);
        let want = 0.1 + 0.1 * (-(1.0 / 0.5 + 2.0) * 0.1 + 2.0 * 1.0);
        assert_eq!((x, o), (want, want));
        let (x2, o2) = ode(1.0, 0.1, 0.5, 1.0, 0.1, &[], &[3.0]);
        assert_eq!(x2, want);
        assert_eq!(o2, math::tanh(3.0 * want));
        // tiny tau is floored at 0.001
        assert_eq!(
            ode(0.0, 1.0, 0.0, 1000.0, 0.001, &[], &[]).0,
            1.0 + 0.001 * (-(1000.0) * 1.0)
        );
    }

    #[test]
    fn batch_threads_state() {
        let mut out = Vec::new();
        cfc_batch(&[0.1, -0.2, 0.3], 0.05, 1.5, 1.0, &mut out).unwrap();
        let a = cfc(0.1, 0.05, 1.5, 1.0, &[], &[]);
        let b = cfc(-0.2, a.0, 1.5, 1.0, &[], &[]);
        let c = cfc(0.3, b.0, 1.5, 1.0, &[], &[]);
        assert_eq!(out, vec![a, b, c]);
    }

    proptest! {
        #[test]
        fn results_stay_within_bound(u in -1e3f64..1e3, s in -10.0f64..10.0, tau in 0.0f64..10.0,
                                     bound in 0.0f64..5.0, dt in 0.0f64..2.0) {
            let (x, o) = cfc(u, s, tau, bound, &[], &[]);
            prop_assert!(x.abs() <= bound && o == x);
            let (x, _) = ode(u, s, tau, bound, dt, &[], &[]);
            prop_assert!(x.abs() <= bound);
        }

        #[test]
        fn zero_weights_tail_is_neutral(u in -10.0f64..10.0, w0 in -2.0f64..2.0) {
            prop_assert_eq!(cfc(u, 0.2, 1.0, 1.0, &[w0], &[w0]), cfc(u, 0.2, 1.0, 1.0, &[w0, 0.0], &[w0, 0.0]));
        }
    }
}
