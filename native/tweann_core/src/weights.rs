//! Weight kernels of faber-tweann's API: mutation, random initial weights
//! and weight distances. The random ones draw from [`crate::rng::Rng`] in
//! the documented order, so a seed gives the same weights here and in the
//! Erlang reference `tweann_ref_weights`.
//!
//! * **Mutation** of one weight `w` with rates `rate`, `perturb_rate` and
//!   deviation `strength`: draw uniform `u1`; if `u1 < rate`, draw uniform
//!   `u2`; if `u2 < perturb_rate` the weight becomes `w + strength * z` (`z`
//!   the next Gaussian draw), else it is replaced by `u3 * 2.0 - 1.0` (`u3`
//!   the next uniform draw, so in `[-1, 1)`). Otherwise `w` is kept and
//!   nothing more is drawn. Weights are processed in order.
//! * **Uniform weights**: `u * 2.0 - 1.0` per weight, in `[-1, 1)`.
//! * **Gaussian weights**: `mean + std_dev * z` per weight.
//! * **Distances** over equal-length vectors, accumulator starting at 0.0,
//!   first element first: L1 `acc + abs(a - b)`; L2 `acc + d * d` with
//!   `d = a - b`, then `sqrt(acc)`.
//!
//! A result that is not finite is an overflow error (Erlang arithmetic
//! raises `badarith` at the same point).

use crate::error::CoreError;
use crate::rng::Rng;

/// Checked mutation parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mutation {
    pub rate: f64,
    pub perturb_rate: f64,
    pub strength: f64,
}

impl Mutation {
    /// `rate` and `perturb_rate` must lie in `[0, 1]` and `strength` be
    /// `>= 0` (checked in this order; the glue passes NaN for an argument
    /// that is not a number); `args` are their argument positions.
    pub fn new(
        rate: f64,
        perturb_rate: f64,
        strength: f64,
        args: [u8; 3],
    ) -> Result<Self, CoreError> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(CoreError::badarg(
                args[0],
                "MutationRate must be a number in [0, 1] (a probability)",
            ));
        }
        if !(0.0..=1.0).contains(&perturb_rate) {
            return Err(CoreError::badarg(
                args[1],
                "PerturbRate must be a number in [0, 1] (a probability)",
            ));
        }
        if !(strength >= 0.0 && strength.is_finite()) {
            return Err(CoreError::badarg(
                args[2],
                "PerturbStrength must be a number >= 0 (a standard deviation)",
            ));
        }
        Ok(Mutation {
            rate,
            perturb_rate,
            strength,
        })
    }

    /// The mutated `w` (see the module documentation). Inlined into the
    /// callers' loops: a call per weight cost a tenth of a 1000-weight
    /// mutation.
    #[inline(always)]
    pub fn apply(&self, w: f64, rng: &mut Rng) -> Result<f64, CoreError> {
        if rng.uniform() < self.rate {
            if rng.uniform() < self.perturb_rate {
                let r = w + self.strength * rng.normal();
                if !r.is_finite() {
                    return Err(CoreError::overflow(
                        "arithmetic overflow: a perturbed weight is not finite",
                    ));
                }
                Ok(r)
            } else {
                Ok(uniform_weight(rng))
            }
        } else {
            Ok(w)
        }
    }
}

/// Mutate `weights` in order into `out` (appended).
pub fn mutate(
    weights: &[f64],
    m: &Mutation,
    rng: &mut Rng,
    out: &mut Vec<f64>,
) -> Result<(), CoreError> {
    for &w in weights {
        out.push(m.apply(w, rng)?);
    }
    Ok(())
}

/// A uniform weight in `[-1, 1)`: `U * 2.0 - 1.0`, computed as
/// `(x >> 11) * 2^-52 - 1.0` (the same bits: scaling by a power of two is
/// exact, so `((x >> 11) * 2^-53) * 2.0 = (x >> 11) * 2^-52`).
#[inline]
pub fn uniform_weight(rng: &mut Rng) -> f64 {
    const HALF_UNIT: f64 = 1.0 / (1u64 << 52) as f64;
    (rng.next_u64() >> 11) as f64 * HALF_UNIT - 1.0
}

/// Checked parameters of Gaussian weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    pub mean: f64,
    pub std_dev: f64,
}

impl Gaussian {
    /// `std_dev` (argument `sd_arg`) must be a number `>= 0` (NaN stands
    /// for an argument that is not a number).
    pub fn new(mean: f64, std_dev: f64, sd_arg: u8) -> Result<Self, CoreError> {
        if !(std_dev >= 0.0 && std_dev.is_finite()) {
            return Err(CoreError::badarg(
                sd_arg,
                "StdDev must be a number >= 0 (a standard deviation)",
            ));
        }
        Ok(Gaussian { mean, std_dev })
    }

    /// `mean + std_dev * z`.
    #[inline]
    pub fn draw(&self, rng: &mut Rng) -> Result<f64, CoreError> {
        let r = self.mean + self.std_dev * rng.normal();
        if r.is_finite() {
            Ok(r)
        } else {
            Err(CoreError::overflow(
                "arithmetic overflow: a Gaussian weight is not finite",
            ))
        }
    }
}

/// The two weight distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    L1,
    L2,
}

/// A running weight distance (pairs added in order).
#[derive(Debug, Clone, Copy)]
pub struct Distance {
    metric: Metric,
    acc: f64,
}

impl Distance {
    pub fn new(metric: Metric) -> Self {
        Distance { metric, acc: 0.0 }
    }

    #[inline]
    pub fn add(&mut self, a: f64, b: f64) {
        let d = a - b;
        match self.metric {
            Metric::L1 => self.acc += d.abs(),
            Metric::L2 => self.acc += d * d,
        }
    }

    /// An overflow error if the sum so far is not finite (Erlang raises at
    /// the first pair whose difference, term or sum overflows; a streaming
    /// caller checks after every pair to stop at the same one).
    #[inline]
    pub fn check(&self) -> Result<(), CoreError> {
        if self.acc.is_finite() {
            Ok(())
        } else {
            Err(CoreError::overflow(
                "arithmetic overflow in the weight distance",
            ))
        }
    }

    /// The distance, or an overflow error if the sum is not finite.
    pub fn finish(self) -> Result<f64, CoreError> {
        self.check()?;
        Ok(match self.metric {
            Metric::L1 => self.acc,
            Metric::L2 => self.acc.sqrt(),
        })
    }
}

/// The distance of two equal-length vectors (`b` is argument `b_arg`).
pub fn distance(metric: Metric, a: &[f64], b: &[f64], b_arg: u8) -> Result<f64, CoreError> {
    if a.len() != b.len() {
        return Err(CoreError::badarg(
            b_arg,
            format!(
                "the weight vectors differ in length ({} and {})",
                a.len(),
                b.len()
            ),
        ));
    }
    let mut d = Distance::new(metric);
    for (&x, &y) in a.iter().zip(b) {
        d.add(x, y);
    }
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream_seed, Rng};
    use proptest::prelude::*;

    /// The mutation of the module documentation, written out with explicit
    /// draws from a second generator.
    fn naive_mutate(ws: &[f64], rate: f64, pr: f64, s: f64, seed: u64) -> Vec<f64> {
        let mut r = Rng::seeded(seed);
        let mut out = Vec::new();
        for &w in ws {
            let u1 = r.uniform();
            if u1 < rate {
                let u2 = r.uniform();
                if u2 < pr {
                    let z = r.normal();
                    out.push(w + s * z);
                } else {
                    let u3 = r.uniform();
                    out.push(u3 * 2.0 - 1.0);
                }
            } else {
                out.push(w);
            }
        }
        out
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn by_hand() {
        let m = Mutation::new(0.0, 1.0, 0.1, [2, 3, 4]).unwrap();
        let mut out = Vec::new();
        mutate(&[0.5, -0.3], &m, &mut Rng::seeded(1), &mut out).unwrap();
        assert_eq!(out, vec![0.5, -0.3]);
        // Replacement only: every weight is a fresh uniform draw pair apart.
        let m = Mutation::new(1.0, 0.0, 0.1, [2, 3, 4]).unwrap();
        let mut out = Vec::new();
        mutate(&[9.0, 9.0], &m, &mut Rng::seeded(3), &mut out).unwrap();
        let mut r = Rng::seeded(3);
        let want: Vec<f64> = (0..2)
            .map(|_| {
                r.uniform();
                r.uniform();
                r.uniform() * 2.0 - 1.0
            })
            .collect();
        assert_eq!(out, want);
        assert!(out.iter().all(|w| (-1.0..1.0).contains(w)));
    }

    #[test]
    fn parameter_checks() {
        assert_eq!(
            Mutation::new(1.5, 0.5, 0.1, [2, 3, 4])
                .unwrap_err()
                .position,
            crate::Position::Arg(2)
        );
        assert_eq!(
            Mutation::new(0.5, -0.1, 0.1, [2, 3, 4])
                .unwrap_err()
                .position,
            crate::Position::Arg(3)
        );
        assert_eq!(
            Mutation::new(0.5, 0.5, -1.0, [2, 3, 4])
                .unwrap_err()
                .position,
            crate::Position::Arg(4)
        );
        assert!(Mutation::new(0.5, 0.5, f64::NAN, [2, 3, 4]).is_err());
        assert!(Gaussian::new(0.0, -1.0, 3).is_err());
        assert!(Gaussian::new(0.0, 0.0, 3).is_ok());
        assert!(distance(Metric::L1, &[1.0], &[], 2).is_err());
    }

    #[test]
    fn overflow_is_an_error() {
        let m = Mutation::new(1.0, 1.0, 1.0e308, [2, 3, 4]).unwrap();
        let mut out = Vec::new();
        let r = mutate(&[1.0e308; 64], &m, &mut Rng::seeded(5), &mut out);
        assert_eq!(r.unwrap_err().kind, crate::error::ErrorKind::Overflow);
        assert!(distance(Metric::L2, &[1e300], &[-1e300], 2).is_err());
        assert!(distance(Metric::L1, &[f64::MAX], &[-f64::MAX], 2).is_err());
    }

    #[test]
    fn distances_by_hand() {
        assert_eq!(
            distance(Metric::L1, &[1.0, 2.0, 3.0], &[1.0, 3.0, 5.0], 2).unwrap(),
            3.0
        );
        assert_eq!(
            distance(Metric::L2, &[0.0, 0.0], &[3.0, 4.0], 2).unwrap(),
            5.0
        );
        assert_eq!(distance(Metric::L2, &[], &[], 2).unwrap(), 0.0);
    }

    #[test]
    fn gaussian_moments() {
        let g = Gaussian::new(0.5, 0.1, 3).unwrap();
        let mut r = Rng::seeded(stream_seed(99, 0));
        let n = 10_000;
        let xs: Vec<f64> = (0..n).map(|_| g.draw(&mut r).unwrap()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64).sqrt();
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        assert!((sd - 0.1).abs() < 0.005, "sd {sd}");
    }

    proptest! {
        #[test]
        fn mutate_equals_naive(ws in proptest::collection::vec(-5.0f64..5.0, 0..200),
                               rate in 0.0f64..=1.0, pr in 0.0f64..=1.0, s in 0.0f64..3.0,
                               seed in any::<u64>()) {
            let m = Mutation::new(rate, pr, s, [2, 3, 4]).unwrap();
            let mut out = Vec::new();
            mutate(&ws, &m, &mut Rng::seeded(seed), &mut out).unwrap();
            prop_assert_eq!(bits(&out), bits(&naive_mutate(&ws, rate, pr, s, seed)));
        }

        #[test]
        fn distances_equal_naive(v in proptest::collection::vec((-1e3f64..1e3, -1e3f64..1e3), 0..100)) {
            let (a, b): (Vec<f64>, Vec<f64>) = v.iter().copied().unzip();
            let l1 = a.iter().zip(&b).fold(0.0, |acc, (x, y)| acc + (x - y).abs());
            let l2 = a.iter().zip(&b).fold(0.0, |acc, (x, y)| acc + (x - y) * (x - y)).sqrt();
            prop_assert_eq!(distance(Metric::L1, &a, &b, 2).unwrap().to_bits(), l1.to_bits());
            prop_assert_eq!(distance(Metric::L2, &a, &b, 2).unwrap().to_bits(), l2.to_bits());
        }

        #[test]
        fn uniform_weights_in_range(seed in any::<u64>()) {
            let (mut r, mut c) = (Rng::seeded(seed), Rng::seeded(seed));
            for _ in 0..100 {
                let w = uniform_weight(&mut r);
                prop_assert!((-1.0..1.0).contains(&w));
                prop_assert_eq!(w.to_bits(), (c.uniform() * 2.0 - 1.0).to_bits());
            }
        }
    }
}
