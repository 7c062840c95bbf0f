//! Reward shaping for meta-controllers (faber-tweann's `z_score/3`,
//! `compute_reward_component/2`, `compute_weighted_reward/1`).
//!
//! * `z(v, mean, sd) = 0` when `|sd| < 1e-10`, else `(v - mean) / sd`.
//! * A history's baseline: `mean = sum(h) / n`,
//!   `sd = sqrt(max(sum((h - mean)^2) / n, 0))` (population form; sums in
//!   list order from `0.0`), `z = z(current, mean, sd)`.
//! * `compute_reward_component`: `{Current, sigmoid(z), z}`; with no
//!   history `{Current, tanh(Current), 0.0}`.
//! * `compute_weighted_reward`: `sum(weight * s)` over the components in
//!   order from `0.0`, where `s = sigmoid(clamp(z, -10, 10))`, and with no
//!   history `s` is the same clamped sigmoid of `Current`.
//!
//! (These are the conventions of faber-tweann 2.4's NIF, which differ
//! between the two functions.) `sigmoid` (`1 / (1 + e^-x)`) and `tanh` are
//! the library's own [`crate::math`] functions, the same bits on every
//! host; the sigmoid never overflows (it is `exp(x)`, down to `0.0`, for
//! very negative `x`). Any other non-finite intermediate value is an
//! arithmetic overflow.

use crate::activation::clamp;
use crate::error::CoreError;
use crate::math;
use crate::meter::{Meter, Unmetered};

/// Standard deviations below this give a z-score of 0.
pub const TINY_SD: f64 = 1.0e-10;

fn overflow(what: &str) -> CoreError {
    CoreError::overflow(format!("arithmetic overflow in {what}"))
}

/// `z_score(Value, Mean, StdDev)`.
pub fn z_score(v: f64, mean: f64, sd: f64) -> Result<f64, CoreError> {
    if sd.abs() < TINY_SD {
        return Ok(0.0);
    }
    let z = (v - mean) / sd;
    if z.is_finite() {
        Ok(z)
    } else {
        Err(overflow("z_score"))
    }
}

/// Values handled between two ticks of a meter.
const BLOCK: usize = 4096;

/// The z-score of `current` against a non-empty history, telling `meter`
/// of every block of [`BLOCK`] values of its two passes (1 unit a value).
fn history_z(history: &[f64], current: f64, meter: &mut dyn Meter) -> Result<f64, CoreError> {
    let n = history.len() as f64;
    let mut sum = 0.0f64;
    for block in history.chunks(BLOCK) {
        meter.tick(block.len())?;
        for &h in block {
            sum += h;
        }
    }
    let mean = sum / n;
    let mut ss = 0.0f64;
    for block in history.chunks(BLOCK) {
        meter.tick(block.len())?;
        for &h in block {
            let d = h - mean;
            ss += d * d;
        }
    }
    if !(sum.is_finite() && ss.is_finite()) {
        return Err(overflow("the history's mean or variance"));
    }
    let sd = (ss / n).max(0.0).sqrt();
    z_score(current, mean, sd)
}

/// The sigmoid with its argument clamped to `[-10, 10]`.
#[inline]
fn sigmoid_clamped(x: f64) -> f64 {
    math::sigmoid(clamp(x, -10.0, 10.0))
}

/// `compute_reward_component(History, Current)`: `[Current, Normalized, Z]`.
pub fn reward_component(history: &[f64], current: f64) -> Result<[f64; 3], CoreError> {
    reward_component_metered(history, current, &mut Unmetered)
}

/// [`reward_component`] telling `meter` of its passes over the history, a
/// block at a time: a meter that answers
/// [`Interrupted`](crate::meter::Interrupted) stops it within a block.
pub fn reward_component_metered(
    history: &[f64],
    current: f64,
    meter: &mut dyn Meter,
) -> Result<[f64; 3], CoreError> {
    if history.is_empty() {
        return Ok([current, math::tanh(current), 0.0]);
    }
    let z = history_z(history, current, meter)?;
    Ok([current, math::sigmoid(z), z])
}

/// One term `weight * s` of `compute_weighted_reward`.
pub fn weighted_term(history: &[f64], current: f64, weight: f64) -> Result<f64, CoreError> {
    weighted_term_metered(history, current, weight, &mut Unmetered)
}

/// [`weighted_term`] telling `meter` of its passes over the history.
fn weighted_term_metered(
    history: &[f64],
    current: f64,
    weight: f64,
    meter: &mut dyn Meter,
) -> Result<f64, CoreError> {
    let s = if history.is_empty() {
        sigmoid_clamped(current)
    } else {
        sigmoid_clamped(history_z(history, current, meter)?)
    };
    Ok(weight * s)
}

/// Accumulates `compute_weighted_reward` term by term.
#[derive(Default)]
pub struct WeightedReward {
    sum: f64,
}

impl WeightedReward {
    /// Add one component; an overflow is reported at once (before any
    /// later component is looked at, as the reference does).
    pub fn add(&mut self, history: &[f64], current: f64, weight: f64) -> Result<(), CoreError> {
        self.add_metered(history, current, weight, &mut Unmetered)
    }

    /// [`WeightedReward::add`] telling `meter` of its passes over the
    /// history (see [`reward_component_metered`]).
    pub fn add_metered(
        &mut self,
        history: &[f64],
        current: f64,
        weight: f64,
        meter: &mut dyn Meter,
    ) -> Result<(), CoreError> {
        self.sum += weighted_term_metered(history, current, weight, meter)?;
        if self.sum.is_finite() {
            Ok(())
        } else {
            Err(overflow("compute_weighted_reward"))
        }
    }

    pub fn finish(self) -> f64 {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        assert_eq!(z_score(10.0, 5.0, 2.0).unwrap(), 2.5);
        assert_eq!(z_score(0.0, 5.0, 2.5).unwrap(), -2.0);
        assert_eq!(z_score(10.0, 5.0, 0.0).unwrap(), 0.0);
        assert_eq!(z_score(10.0, 5.0, -5e-11).unwrap(), 0.0);
        // history 1..5: mean 3, sd sqrt(2)
        let [raw, norm, z] = reward_component(&[1.0, 2.0, 3.0, 4.0, 5.0], 6.0).unwrap();
        assert_eq!(raw, 6.0);
        assert_eq!(z, 3.0 / 2.0f64.sqrt());
        assert_eq!(norm, math::sigmoid(z));
        assert!((norm - 1.0 / (1.0 + (-z).exp())).abs() < 1e-15);
        assert_eq!(
            reward_component(&[], 0.5).unwrap(),
            [0.5, math::tanh(0.5), 0.0]
        );
        // constant history: z = 0, s = 0.5
        assert_eq!(weighted_term(&[1.0, 1.0, 1.0], 1.0, 0.2).unwrap(), 0.1);
        // the unclamped sigmoid reaches 0 far out; the weighted one clamps
        let [_, n, _] = reward_component(&[0.0, 1.0], -1e300).unwrap();
        assert_eq!(n, 0.0);
        let [_, n, _] = reward_component(&[0.0, 1.0], -359.5).unwrap();
        assert_eq!(n, math::exp(-720.0));
        assert!(n > 0.0);
        assert!(reward_component(&[0.0, 1.0], -1e308).is_err());
        assert_eq!(
            weighted_term(&[0.0, 1.0], -1000.0, 1.0).unwrap(),
            math::sigmoid(-10.0)
        );
        assert_eq!(
            weighted_term(&[], 50.0, 2.0).unwrap(),
            2.0 * math::sigmoid(10.0)
        );
        assert!(z_score(1e308, -1e308, 1.0).is_err());
    }

    proptest! {
        #[test]
        fn component_matches_definition(h in proptest::collection::vec(-100.0f64..100.0, 1..40), c in -200.0f64..200.0) {
            let [raw, norm, z] = reward_component(&h, c).unwrap();
            let n = h.len() as f64;
            let mean = h.iter().fold(0.0, |a, x| a + x) / n;
            let var = h.iter().fold(0.0, |a, x| a + (x - mean) * (x - mean)) / n;
            let sd = var.max(0.0).sqrt();
            let want_z = if sd.abs() < 1e-10 { 0.0 } else { (c - mean) / sd };
            prop_assert_eq!(raw, c);
            prop_assert_eq!(z.to_bits(), want_z.to_bits());
            prop_assert_eq!(norm.to_bits(), math::sigmoid(want_z).to_bits());
            prop_assert!((norm - 1.0 / (1.0 + (-want_z).exp())).abs() <= 1e-15);
            prop_assert!((0.0..=1.0).contains(&norm));
        }

        #[test]
        fn weighted_is_sum_of_terms(parts in proptest::collection::vec((proptest::collection::vec(-5.0f64..5.0, 0..6), -9.0f64..9.0, -1.0f64..1.0), 0..8)) {
            let mut acc = WeightedReward::default();
            let mut want = 0.0;
            for (h, c, w) in &parts {
                acc.add(h, *c, *w).unwrap();
                let z = if h.is_empty() { *c } else { reward_component(h, *c).unwrap()[2] };
                want += w * math::sigmoid(z.clamp(-10.0, 10.0));
            }
            prop_assert_eq!(acc.finish().to_bits(), want.to_bits());
        }

        #[test]
        fn metered_same_bits_or_stops(h in proptest::collection::vec(-100.0f64..100.0, 0..10000), c in -200.0f64..200.0,
                                      w in -1.0f64..1.0, limit in 0usize..20000) {
            let mut all = crate::meter::Limit::new(usize::MAX);
            let got = reward_component_metered(&h, c, &mut all).unwrap();
            let want = reward_component(&h, c).unwrap();
            prop_assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
            let mut acc = WeightedReward::default();
            acc.add_metered(&h, c, w, &mut all).unwrap();
            prop_assert_eq!(acc.finish().to_bits(), weighted_term(&h, c, w).unwrap().to_bits());
            // Two units a value: a smaller limit stops it.
            let r = reward_component_metered(&h, c, &mut crate::meter::Limit::new(limit));
            prop_assert_eq!(r.is_ok(), limit >= 2 * h.len());
        }
    }
}
