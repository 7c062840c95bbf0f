//! Dot products in the shapes DXNN2's signal aggregator uses.
//!
//! [`Dot`] is the one accumulator all of them share: it starts at `0.0`, adds
//! `signal * weight` pair by pair in the order given, and adds the bias last,
//! so the NIF (which feeds it straight from Erlang lists, without building
//! vectors) and the Erlang reference compute the same bits.

use crate::error::CoreError;

/// A running dot product.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dot {
    acc: f64,
}

impl Dot {
    pub fn new() -> Self {
        Dot { acc: 0.0 }
    }

    #[inline]
    pub fn add(&mut self, signal: f64, weight: f64) {
        self.acc += signal * weight;
    }

    /// The sum plus `bias`, or an overflow error if it is not finite.
    #[inline]
    pub fn finish(self, bias: f64) -> Result<f64, CoreError> {
        let r = self.acc + bias;
        if r.is_finite() {
            Ok(r)
        } else {
            Err(CoreError::overflow(
                "arithmetic overflow in the dot product",
            ))
        }
    }
}

/// `sum(signals[i] * weights[i]) + bias` over equal-length slices.
pub fn dot_flat(signals: &[f64], weights: &[f64], bias: f64) -> Result<f64, CoreError> {
    if signals.len() != weights.len() {
        return Err(CoreError::badarg(
            2,
            format!(
                "Weights has {} elements but Signals has {}",
                weights.len(),
                signals.len()
            ),
        ));
    }
    let mut d = Dot::new();
    for (&s, &w) in signals.iter().zip(weights) {
        d.add(s, w);
    }
    d.finish(bias)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn by_hand() {
        assert_eq!(
            dot_flat(&[1.0, 2.0, 3.0], &[0.5, -1.0, 2.0], 0.25).unwrap(),
            0.5 - 2.0 + 6.0 + 0.25
        );
        assert_eq!(dot_flat(&[], &[], 1.5).unwrap(), 1.5);
        assert!(dot_flat(&[1.0], &[], 0.0).is_err());
        assert!(dot_flat(&[1e300], &[1e300], 0.0).is_err());
    }

    proptest! {
        #[test]
        fn equals_naive_fold(v in proptest::collection::vec((-1e3f64..1e3, -1e3f64..1e3), 0..200), b in -10.0f64..10.0) {
            let (s, w): (Vec<f64>, Vec<f64>) = v.iter().copied().unzip();
            let naive = s.iter().zip(&w).fold(0.0, |a, (x, y)| a + x * y) + b;
            prop_assert_eq!(dot_flat(&s, &w, b).unwrap().to_bits(), naive.to_bits());
        }
    }
}
