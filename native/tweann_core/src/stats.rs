//! Population statistics (faber-tweann's `fitness_stats/1`,
//! `weighted_moving_average/2`, `shannon_entropy/1`, `histogram/4`).
//!
//! Sums run in list order from `0.0`. A result or intermediate value that
//! is not finite is an arithmetic overflow (the pure Erlang reference raises
//! at the same inputs), except where stated.

use crate::error::{try_vec, CoreError};
use crate::math;
use crate::meter::{Meter, Unmetered};

fn overflow(what: &str) -> CoreError {
    CoreError::overflow(format!("arithmetic overflow in {what}"))
}

/// `(Min, Max, Mean, Variance, StdDev, Sum)` in one pass: `Variance` is the
/// population variance `SumSq / N - Mean * Mean` (it may come out a hair
/// below zero from rounding and is returned as computed),
/// `StdDev = sqrt(max(Variance, 0))`. An empty list gives six zeros.
pub fn fitness_stats(xs: &[f64]) -> Result<[f64; 6], CoreError> {
    let mut s = FitnessStats::default();
    s.push_block(xs);
    s.finish()
}

/// [`fitness_stats`] fed one value at a time.
#[derive(Default)]
pub struct FitnessStats {
    n: usize,
    min: f64,
    max: f64,
    sum: f64,
    sum_sq: f64,
}

impl FitnessStats {
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            (self.min, self.max) = (x, x);
        }
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        self.sum += x;
        self.sum_sq += x * x;
        self.n += 1;
    }

    /// [`FitnessStats::push`] of each value of `xs`, in order, with the
    /// running values in registers.
    #[inline(always)]
    pub fn push_block(&mut self, xs: &[f64]) {
        let Some(&first) = xs.first() else { return };
        if self.n == 0 {
            (self.min, self.max) = (first, first);
        }
        let (mut min, mut max, mut sum, mut sum_sq) = (self.min, self.max, self.sum, self.sum_sq);
        for &x in xs {
            // Branch-free (minsd/maxsd): the values are never NaN.
            min = if x < min { x } else { min };
            max = if x > max { x } else { max };
            sum += x;
            sum_sq += x * x;
        }
        (self.min, self.max, self.sum, self.sum_sq) = (min, max, sum, sum_sq);
        self.n += xs.len();
    }

    pub fn finish(&self) -> Result<[f64; 6], CoreError> {
        if self.n == 0 {
            return Ok([0.0; 6]);
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let mean_sq = mean * mean;
        let variance = self.sum_sq / n - mean_sq;
        let std_dev = variance.max(0.0).sqrt();
        if self.sum.is_finite() && self.sum_sq.is_finite() && mean_sq.is_finite() {
            Ok([self.min, self.max, mean, variance, std_dev, self.sum])
        } else {
            Err(overflow("fitness_stats"))
        }
    }
}

/// `sum(w_i * v_i) / sum(w_i)` with `w_0 = 1`, `w_i = w_(i-1) * Decay` (the
/// first value weighs most); an empty list gives `0.0`. A zero weight sum
/// is an arithmetic error.
pub fn weighted_moving_average(values: &[f64], decay: f64) -> Result<f64, CoreError> {
    let mut w = Wma::new(decay);
    w.push_block(values);
    w.finish()
}

/// [`weighted_moving_average`] fed one value at a time.
pub struct Wma {
    decay: f64,
    w: f64,
    num: f64,
    den: f64,
    n: usize,
}

impl Wma {
    pub fn new(decay: f64) -> Wma {
        Wma {
            decay,
            w: 1.0,
            num: 0.0,
            den: 0.0,
            n: 0,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, v: f64) {
        if self.n > 0 {
            self.w *= self.decay;
        }
        self.num += self.w * v;
        self.den += self.w;
        self.n += 1;
    }

    /// [`Wma::push`] of each value of `vs`, in order, with the running
    /// values in registers.
    #[inline(always)]
    pub fn push_block(&mut self, vs: &[f64]) {
        let Some((&first, rest)) = vs.split_first() else {
            return;
        };
        self.push(first);
        let (decay, mut w, mut num, mut den) = (self.decay, self.w, self.num, self.den);
        for &v in rest {
            w *= decay;
            num += w * v;
            den += w;
        }
        (self.w, self.num, self.den) = (w, num, den);
        self.n += rest.len();
    }

    pub fn finish(&self) -> Result<f64, CoreError> {
        if self.n == 0 {
            return Ok(0.0);
        }
        let r = self.num / self.den;
        if self.num.is_finite() && self.den.is_finite() && r.is_finite() {
            Ok(r)
        } else {
            Err(overflow(
                "weighted_moving_average (or the weights sum to 0)",
            ))
        }
    }
}

/// Shannon entropy in nats of the positive values, normalised by their sum:
/// `H = -sum(p * log p)`, `p = v / Total`, in list order, with the
/// library's own [`math::log`] (not the host's). Values `<= 0` are
/// ignored; no positive value gives `0.0`. A `p` that underflows to `0.0`
/// adds nothing (the limit of `p ln p`).
pub fn shannon_entropy(values: &[f64]) -> Result<f64, CoreError> {
    let mut total = 0.0f64;
    for &v in values {
        if v > 0.0 {
            total += v;
        }
    }
    shannon_entropy_of_total(values, total)
}

/// [`shannon_entropy`] given `total`, the sum (in list order from `0.0`) of
/// the positive values: one pass over the values two at a time (the
/// divisions two per SSE2 instruction, the logarithms by
/// [`crate::math::log_x2`]).
pub fn shannon_entropy_of_total(values: &[f64], total: f64) -> Result<f64, CoreError> {
    shannon_entropy_of_total_metered(values, total, &mut Unmetered)
}

/// Values handled between two ticks of a meter (even, so that the pairs
/// of a block are the pairs of the whole slice).
const BLOCK: usize = 4096;

/// [`shannon_entropy_of_total`] telling `meter` of every block of
/// [`BLOCK`] values (8 units a value: a share and a logarithm): a meter
/// that answers [`Interrupted`](crate::meter::Interrupted) stops it within
/// a block. The same operations in the same order: the same bits.
pub fn shannon_entropy_of_total_metered(
    values: &[f64],
    total: f64,
    meter: &mut dyn Meter,
) -> Result<f64, CoreError> {
    if !total.is_finite() {
        return Err(overflow("shannon_entropy"));
    }
    if total <= 0.0 {
        return Ok(0.0);
    }
    // The share `p` of each positive value, or 1.0 for "no term" (a value
    // <= 0, or a share that underflows to 0): `1.0 * log(1.0)` is `0.0`,
    // and subtracting `0.0` leaves `h` (never `-0.0`) as it is.
    let share = |v: f64| {
        let p = v / total;
        if p > 0.0 {
            p
        } else {
            1.0
        }
    };
    let mut h = 0.0f64;
    for block in values.chunks(BLOCK) {
        meter.tick(block.len().saturating_mul(8))?;
        let mut pairs = block.chunks_exact(2);
        for v in &mut pairs {
            let q = [share(v[0]), share(v[1])];
            let l = math::log_x2(q);
            h -= q[0] * l[0];
            h -= q[1] * l[1];
        }
        for &v in pairs.remainder() {
            let q = share(v);
            h -= q * math::log(q);
        }
    }
    Ok(h)
}

/// The bytes a histogram of `bins` bins needs: the counts and their list.
pub fn histogram_bytes(bins: u64) -> u64 {
    bins.saturating_mul(8 + 16)
}

/// Counts of `values` in `bins` equal-width bins over `[min, max]`:
/// `width = (max - min) / bins`, value `v` goes to bin
/// `min(floor((v - min) / width), bins - 1)` (so `max` is in the last bin);
/// values outside `[min, max]` are ignored. `max <= min` or `bins = 0`
/// gives all-zero counts.
pub fn histogram(values: &[f64], bins: usize, min: f64, max: f64) -> Result<Vec<u64>, CoreError> {
    let mut h = Histogram::new(bins, min, max)?;
    values.iter().for_each(|&v| h.add(v));
    Ok(h.finish())
}

/// [`histogram`] fed one value at a time.
pub struct Histogram {
    counts: Vec<u64>,
    min: f64,
    max: f64,
    width: f64,
    active: bool,
}

impl Histogram {
    /// The bins (allocated here), or the error the arguments make.
    pub fn new(bins: usize, min: f64, max: f64) -> Result<Histogram, CoreError> {
        let mut counts = try_vec::<u64>(bins, "histogram bins")?;
        counts.resize(bins, 0);
        let range = max - min;
        if !range.is_finite() {
            return Err(overflow("histogram (MaxVal - MinVal)"));
        }
        let active = range > 0.0 && bins > 0;
        let width = if active { range / bins as f64 } else { 1.0 };
        if width <= 0.0 {
            return Err(overflow("histogram (the bin width underflows to 0)"));
        }
        Ok(Histogram {
            counts,
            min,
            max,
            width,
            active,
        })
    }

    #[inline(always)]
    pub fn add(&mut self, v: f64) {
        if self.active && v >= self.min && v <= self.max {
            // 0 <= (v - min) / width <= about `bins`: the cast is exact
            // after floor.
            let b = ((v - self.min) / self.width).floor() as usize;
            let last = self.counts.len() - 1;
            self.counts[b.min(last)] += 1;
        }
    }

    pub fn finish(self) -> Vec<u64> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        let s = fitness_stats(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(s, [1.0, 5.0, 3.0, 2.0, 2.0f64.sqrt(), 15.0]);
        assert_eq!(fitness_stats(&[]).unwrap(), [0.0; 6]);
        assert_eq!(
            weighted_moving_average(&[1.0, 2.0, 3.0, 4.0, 5.0], 1.0).unwrap(),
            3.0
        );
        assert_eq!(weighted_moving_average(&[], 0.5).unwrap(), 0.0);
        // 1*2 + 0.5*4 / 1.5
        assert_eq!(
            weighted_moving_average(&[2.0, 4.0], 0.5).unwrap(),
            4.0 / 1.5
        );
        assert!(weighted_moving_average(&[1.0, 1.0], -1.0).is_err());
        let h = shannon_entropy(&[0.25; 4]).unwrap();
        let a = 0.25 * math::log(0.25);
        assert_eq!(h.to_bits(), (((0.0 - a) - a) - a - a).to_bits());
        assert!((h - 4.0f64.ln()).abs() < 1e-15);
        assert_eq!(math::log(1.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(shannon_entropy(&[1.0]).unwrap(), 0.0);
        assert_eq!(shannon_entropy(&[0.0, -1.0]).unwrap(), 0.0);
        assert_eq!(shannon_entropy(&[1e300, 1e-300]).unwrap(), 0.0);
        assert_eq!(
            histogram(&[0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9], 2, 0.0, 1.0).unwrap(),
            vec![3, 4]
        );
        assert_eq!(
            histogram(&[-1.0, 0.5, 2.0, 1.0], 2, 0.0, 1.0).unwrap(),
            vec![0, 2]
        );
        assert_eq!(histogram(&[0.5], 3, 1.0, 1.0).unwrap(), vec![0, 0, 0]);
        assert_eq!(histogram(&[0.5], 0, 0.0, 1.0).unwrap(), Vec::<u64>::new());
        assert!(fitness_stats(&[1e200]).is_err());
        assert!(histogram(&[], 2, -1e308, 1e308).is_err());
    }

    proptest! {
        #[test]
        fn stats_match_definitions(xs in proptest::collection::vec(-1e6f64..1e6, 1..200)) {
            let s = fitness_stats(&xs).unwrap();
            let min = xs.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum = xs.iter().fold(0.0, |a, x| a + x);
            let sq = xs.iter().fold(0.0, |a, x| a + x * x);
            let n = xs.len() as f64;
            let var = sq / n - (sum / n) * (sum / n);
            prop_assert_eq!(s, [min, max, sum / n, var, var.max(0.0).sqrt(), sum]);
        }

        #[test]
        fn stats_blocks_match_pushes(xs in proptest::collection::vec(-1e6f64..1e6, 0..200), cut in 0usize..200) {
            let cut = cut.min(xs.len());
            let mut a = FitnessStats::default();
            xs.iter().for_each(|&x| a.push(x));
            let mut b = FitnessStats::default();
            b.push_block(&xs[..cut]);
            b.push_block(&xs[cut..]);
            prop_assert_eq!(a.finish().unwrap().map(f64::to_bits), b.finish().unwrap().map(f64::to_bits));
        }

        #[test]
        fn wma_blocks_match_pushes(xs in proptest::collection::vec(-10.0f64..10.0, 0..60), cut in 0usize..60, decay in 0.05f64..1.5) {
            let cut = cut.min(xs.len());
            let mut a = Wma::new(decay);
            xs.iter().for_each(|&x| a.push(x));
            let mut b = Wma::new(decay);
            b.push_block(&xs[..cut]);
            b.push_block(&xs[cut..]);
            prop_assert_eq!(a.finish().unwrap().to_bits(), b.finish().unwrap().to_bits());
        }

        #[test]
        fn wma_matches_powers(xs in proptest::collection::vec(-10.0f64..10.0, 1..50), decay in 0.05f64..1.5) {
            let got = weighted_moving_average(&xs, decay).unwrap();
            let (mut num, mut den) = (0.0, 0.0);
            let mut w = 1.0;
            for (i, x) in xs.iter().enumerate() {
                if i > 0 { w *= decay; }
                num += w * x;
                den += w;
            }
            prop_assert_eq!(got.to_bits(), (num / den).to_bits());
        }

        #[test]
        fn entropy_metered_same_bits(xs in proptest::collection::vec(-1.0f64..10.0, 0..10000), limit in 0usize..100000) {
            let want = shannon_entropy(&xs);
            let total = xs.iter().filter(|&&x| x > 0.0).fold(0.0, |a, &x| a + x);
            let mut meter = crate::meter::Limit::new(usize::MAX);
            let got = shannon_entropy_of_total_metered(&xs, total, &mut meter);
            prop_assert_eq!(want.map(f64::to_bits), got.map(f64::to_bits));
            // Eight units a value: with that many, a meter never stops it.
            let mut stop = crate::meter::Limit::new(limit);
            let r = shannon_entropy_of_total_metered(&xs, total, &mut stop);
            if limit >= 8 * xs.len() {
                prop_assert!(r.is_ok());
            }
        }

        #[test]
        fn entropy_bounds(xs in proptest::collection::vec(-1.0f64..10.0, 0..100)) {
            let h = shannon_entropy(&xs).unwrap();
            let pos = xs.iter().filter(|&&x| x > 0.0).count();
            prop_assert!(h >= -1e-12);
            if pos > 0 { prop_assert!(h <= (pos as f64).ln() + 1e-9); }
            // The definition term by term, scalar log.
            let total = xs.iter().filter(|&&x| x > 0.0).fold(0.0, |a, x| a + x);
            let mut want = 0.0f64;
            for &x in xs.iter().filter(|&&x| x > 0.0) {
                let p = x / total;
                if p > 0.0 { want -= p * math::log(p); }
            }
            prop_assert_eq!(h.to_bits(), want.to_bits());
        }

        #[test]
        fn histogram_counts_in_range(xs in proptest::collection::vec(-2.0f64..3.0, 0..200), bins in 1usize..20,
                                     lo in -1.0f64..1.0, w in 0.1f64..2.0) {
            let hi = lo + w;
            let h = histogram(&xs, bins, lo, hi).unwrap();
            prop_assert_eq!(h.len(), bins);
            let inside = xs.iter().filter(|&&x| x >= lo && x <= hi).count() as u64;
            prop_assert_eq!(h.iter().sum::<u64>(), inside);
            // naive bin of each value
            let width = (hi - lo) / bins as f64;
            let mut want = vec![0u64; bins];
            for &x in xs.iter().filter(|&&x| x >= lo && x <= hi) {
                let mut b = 0;
                while b + 1 < bins && ((x - lo) / width) >= (b + 1) as f64 { b += 1; }
                want[b] += 1;
            }
            prop_assert_eq!(h, want);
        }
    }
}
