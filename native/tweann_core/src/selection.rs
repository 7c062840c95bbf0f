//! Selection (faber-tweann's `build_cumulative_fitness/1`,
//! `roulette_select/3`, `roulette_select_batch/3`, `tournament_select/2`).
//!
//! * Cumulative fitness: `shift = 1 - min` when the smallest fitness is
//!   negative, else `0`; entry `i` is `c_(i-1) + (f_i + shift)` from
//!   `c_(-1) = 0.0`; the total is the last entry (`0.0` for no fitness).
//! * Roulette: `target = R * Total`; the selected index is the first `i`
//!   with `Cumulative[i] >= target`, or the last index when there is none
//!   (so `R` outside `[0, 1]` selects an end). `Cumulative` must be
//!   non-empty and non-decreasing (as built above).
//! * Tournament: the contestant with the highest fitness; among equal
//!   fitnesses the one listed last wins. Every contestant must index
//!   `Fitnesses` (0-based) and there must be at least one.

use crate::error::{try_vec, CoreError};

/// `(Cumulative, Total)`.
pub fn cumulative_fitness(fitnesses: &[f64]) -> Result<(Vec<f64>, f64), CoreError> {
    let mut out = try_vec::<f64>(fitnesses.len(), "cumulative fitness")?;
    out.extend_from_slice(fitnesses);
    let total = cumulative_in_place(&mut out)?;
    Ok((out, total))
}

/// Replace fitnesses by their cumulative entries; returns the total.
pub fn cumulative_in_place(values: &mut [f64]) -> Result<f64, CoreError> {
    let mut min = f64::INFINITY;
    for &f in values.iter() {
        if f < min {
            min = f;
        }
    }
    let mut running = Running::new(min);
    for f in values.iter_mut() {
        *f = running.next(*f);
    }
    running.total()
}

/// The cumulative entries, one fitness at a time, once the smallest
/// fitness is known.
pub struct Running {
    shift: f64,
    sum: f64,
}

impl Running {
    /// `min`: the smallest fitness (`f64::INFINITY` for none).
    pub fn new(min: f64) -> Running {
        Running {
            shift: if min < 0.0 { -min + 1.0 } else { 0.0 },
            sum: 0.0,
        }
    }

    /// The entry of the next fitness.
    #[inline(always)]
    pub fn next(&mut self, f: f64) -> f64 {
        self.sum += f + self.shift;
        self.sum
    }

    /// The total (the last entry), or the overflow error.
    pub fn total(&self) -> Result<f64, CoreError> {
        if self.sum.is_finite() {
            Ok(self.sum)
        } else {
            Err(CoreError::overflow(
                "arithmetic overflow: the cumulative fitness is not finite",
            ))
        }
    }
}

/// A cumulative array seen entry by entry: it checks the entries and finds
/// the roulette pick of one target on the way (one pass, no buffer).
pub struct RouletteScan {
    target: f64,
    n: usize,
    prev: f64,
    drop_at: Option<usize>,
    below: usize,
}

impl RouletteScan {
    /// `target`: `R * Total`, if known.
    pub fn new(target: Option<f64>) -> RouletteScan {
        RouletteScan {
            // No target: count nothing.
            target: target.unwrap_or(f64::NEG_INFINITY),
            n: 0,
            prev: f64::NEG_INFINITY,
            drop_at: None,
            below: 0,
        }
    }

    /// The next entries, in order.
    #[inline]
    pub fn push_block(&mut self, block: &[f64]) {
        let Some(&last) = block.last() else { return };
        let t = self.target;
        // Branch-free counts (they vectorise): entries below the target
        // (for non-decreasing entries, the first one >= target is at that
        // count) and decreasing steps.
        let below: usize = block.iter().map(|&c| (c < t) as usize).sum();
        let drops = (block[0] < self.prev) as usize
            + block
                .windows(2)
                .map(|w| (w[1] < w[0]) as usize)
                .sum::<usize>();
        if drops > 0 && self.drop_at.is_none() {
            let mut prev = self.prev;
            for (k, &c) in block.iter().enumerate() {
                if c < prev {
                    self.drop_at = Some(self.n + k);
                    break;
                }
                prev = c;
            }
        }
        self.below += below;
        self.prev = last;
        self.n += block.len();
    }

    /// The next entry: the same counts as [`RouletteScan::push_block`],
    /// one entry at a time (for a caller that reads entries one by one).
    #[inline(always)]
    pub fn push(&mut self, c: f64) {
        self.below += (c < self.target) as usize;
        if c < self.prev && self.drop_at.is_none() {
            self.drop_at = Some(self.n);
        }
        self.prev = c;
        self.n += 1;
    }

    /// The entries are non-empty and non-decreasing (argument 1).
    pub fn check(&self) -> Result<(), CoreError> {
        if self.n == 0 {
            return Err(CoreError::badarg(
                1,
                "Cumulative is empty: there is nobody to select",
            ));
        }
        if let Some(i) = self.drop_at {
            return Err(CoreError::badarg(
                1,
                format!(
                    "Cumulative must be non-decreasing, but element {} is below element {}",
                    i + 1,
                    i
                ),
            ));
        }
        Ok(())
    }

    /// The pick of the target (after [`RouletteScan::check`]).
    pub fn pick(&self) -> usize {
        self.below.min(self.n.saturating_sub(1))
    }
}

/// Check a cumulative array (argument 1 of the roulette functions).
pub fn check_cumulative(cumulative: &[f64]) -> Result<(), CoreError> {
    let mut scan = RouletteScan::new(None);
    cumulative.iter().for_each(|&c| scan.push(c));
    scan.check()
}

/// The roulette target `R * Total`.
#[inline]
pub fn target(r: f64, total: f64) -> Result<f64, CoreError> {
    let t = r * total;
    if t.is_finite() {
        Ok(t)
    } else {
        Err(CoreError::overflow(
            "arithmetic overflow: RandomVal * Total is not finite",
        ))
    }
}

/// One roulette selection over a checked cumulative array.
#[inline]
pub fn roulette(cumulative: &[f64], target: f64) -> usize {
    cumulative
        .partition_point(|&c| c < target)
        .min(cumulative.len() - 1)
}

/// Many roulette selections over one checked cumulative array: the same
/// index as [`roulette`], found from an interpolated guess (cumulative
/// fitness grows about linearly) by galloping to a bracket and a binary
/// search inside it, so a pick costs a few steps instead of `log2(n)`
/// dependent ones.
pub struct Roulette<'a> {
    c: &'a [f64],
    lo: f64,
    scale: f64,
}

impl<'a> Roulette<'a> {
    /// `cumulative` must be non-empty and non-decreasing.
    pub fn new(cumulative: &'a [f64]) -> Roulette<'a> {
        let (lo, hi) = (cumulative[0], cumulative[cumulative.len() - 1]);
        let span = hi - lo;
        let scale = (cumulative.len() - 1) as f64 / span;
        Roulette {
            c: cumulative,
            lo,
            scale: if span > 0.0 && scale.is_finite() {
                scale
            } else {
                0.0
            },
        }
    }

    #[inline]
    pub fn pick(&self, t: f64) -> usize {
        let c = self.c;
        let n = c.len();
        let g = (t - self.lo) * self.scale;
        // `as` saturates; a NaN guess (never, with finite inputs) gives 0.
        let h = if g > 0.0 { (g as usize).min(n - 1) } else { 0 };
        // [a, b): the first entry >= t lies in it (b = n: maybe none).
        let (a, b) = if c[h] < t {
            let (mut lo, mut step) = (h + 1, 1);
            loop {
                let hi = lo + step - 1;
                if hi >= n {
                    break (lo, n);
                }
                if c[hi] >= t {
                    break (lo, hi + 1);
                }
                lo = hi + 1;
                step *= 2;
            }
        } else {
            let (mut hi, mut step) = (h, 1);
            loop {
                if hi < step {
                    break (0, hi + 1);
                }
                let lo = hi - step;
                if c[lo] < t {
                    break (lo + 1, hi + 1);
                }
                hi = lo;
                step *= 2;
            }
        };
        (a + c[a..b].partition_point(|&x| x < t)).min(n - 1)
    }
}

/// The tournament winner. Contestants are argument 1 of the errors.
pub fn tournament(contestants: &[u64], fitnesses: &[f64]) -> Result<u64, CoreError> {
    let picked: Vec<Option<f64>> = contestants
        .iter()
        .map(|&c| {
            usize::try_from(c)
                .ok()
                .and_then(|i| fitnesses.get(i).copied())
        })
        .collect();
    tournament_picked(contestants, &picked, fitnesses.len())
}

/// [`tournament`] given each contestant's fitness (`None`: beyond the
/// `len` fitnesses).
pub fn tournament_picked(
    contestants: &[u64],
    fitness: &[Option<f64>],
    len: usize,
) -> Result<u64, CoreError> {
    if contestants.is_empty() {
        return Err(CoreError::badarg(
            1,
            "Contestants is empty: a tournament needs a contestant",
        ));
    }
    let mut best: Option<(u64, f64)> = None;
    for (&c, f) in contestants.iter().zip(fitness) {
        let f = f.ok_or_else(|| {
            CoreError::badarg(
                1,
                format!(
                    "contestant {c} has no fitness (Fitnesses has {len} elements, indexed from 0)"
                ),
            )
        })?;
        match best {
            Some((_, bf)) if f < bf => {}
            _ => best = Some((c, f)),
        }
    }
    Ok(best.map_or(0, |b| b.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        assert_eq!(
            cumulative_fitness(&[1.0, 2.0, 3.0, 4.0]).unwrap(),
            (vec![1.0, 3.0, 6.0, 10.0], 10.0)
        );
        // min -2: shift 3
        assert_eq!(
            cumulative_fitness(&[-2.0, 0.0]).unwrap(),
            (vec![1.0, 4.0], 4.0)
        );
        assert_eq!(cumulative_fitness(&[]).unwrap(), (vec![], 0.0));
        let c = [1.0, 3.0, 6.0, 10.0];
        let pick = |r: f64| roulette(&c, target(r, 10.0).unwrap());
        assert_eq!(
            [pick(0.05), pick(0.15), pick(0.45), pick(0.95)],
            [0, 1, 2, 3]
        );
        assert_eq!([pick(0.1), pick(0.0), pick(-1.0), pick(2.0)], [0, 0, 0, 3]);
        // equal entries (a zero fitness): the first reaching the target
        assert_eq!(roulette(&[1.0, 1.0, 3.0], 1.0), 0);
        assert!(check_cumulative(&[]).is_err());
        assert!(check_cumulative(&[2.0, 1.0]).is_err());
        assert_eq!(
            tournament(&[0, 2, 4], &[10.0, 5.0, 20.0, 3.0, 15.0]).unwrap(),
            2
        );
        assert_eq!(tournament(&[1], &[5.0, 10.0, 15.0]).unwrap(), 1);
        assert_eq!(tournament(&[0, 1, 2], &[1.0, 5.0, 5.0]).unwrap(), 2);
        assert!(tournament(&[], &[1.0]).is_err());
        assert!(tournament(&[0, 3], &[1.0, 2.0]).is_err());
    }

    proptest! {
        #[test]
        fn roulette_equals_linear_scan(fs in proptest::collection::vec(-5.0f64..5.0, 1..60), r in -0.2f64..1.2) {
            let (c, total) = cumulative_fitness(&fs).unwrap();
            check_cumulative(&c).unwrap();
            let t = target(r, total).unwrap();
            let want = c.iter().position(|&x| x >= t).unwrap_or(c.len() - 1);
            prop_assert_eq!(roulette(&c, t), want);
        }

        #[test]
        fn interpolated_pick_equals_binary_search(fs in proptest::collection::vec(prop_oneof![Just(0.0), -5.0f64..5.0, Just(1e6)], 1..80),
                                                   rs in proptest::collection::vec(-0.3f64..1.3, 1..40)) {
            let (c, total) = cumulative_fitness(&fs).unwrap();
            let r = Roulette::new(&c);
            let on_entries = c.iter().filter(|_| total > 0.0).map(|&v| v / total);
            for x in rs.iter().copied().chain(on_entries) {
                let t = target(x, total).unwrap();
                prop_assert_eq!(r.pick(t), roulette(&c, t));
                // exactly on an entry, and just around it
                for &e in &c {
                    prop_assert_eq!(r.pick(e), roulette(&c, e));
                }
            }
        }

        #[test]
        fn scan_equals_checks_and_search(cs in proptest::collection::vec(prop_oneof![-3i32..6, Just(2)], 0..70),
                                         t in -4.0f64..7.0, cut in 1usize..70) {
            let cs: Vec<f64> = cs.into_iter().map(f64::from).collect();
            // fed in blocks of `cut` entries
            let mut scan = RouletteScan::new(Some(t));
            cs.chunks(cut).for_each(|b| scan.push_block(b));
            let sorted = cs.windows(2).all(|w| w[0] <= w[1]);
            match scan.check() {
                Ok(()) => {
                    prop_assert!(sorted && !cs.is_empty());
                    prop_assert_eq!(scan.pick(), roulette(&cs, t));
                }
                Err(e) => {
                    prop_assert!(!sorted || cs.is_empty());
                    prop_assert_eq!(e, check_cumulative(&cs).unwrap_err());
                    if let Some(i) = cs.windows(2).position(|w| w[1] < w[0]) {
                        prop_assert_eq!(scan.drop_at, Some(i + 1));
                    }
                }
            }
        }

        #[test]
        fn tournament_is_last_maximum(fs in proptest::collection::vec(-3i32..3, 1..30), picks in proptest::collection::vec(0usize..100, 1..10)) {
            let fs: Vec<f64> = fs.into_iter().map(f64::from).collect();
            let cs: Vec<u64> = picks.iter().map(|p| (p % fs.len()) as u64).collect();
            let w = tournament(&cs, &fs).unwrap();
            let best = cs.iter().map(|&c| fs[c as usize]).fold(f64::NEG_INFINITY, f64::max);
            let last = *cs.iter().rev().find(|&&c| fs[c as usize] == best).unwrap();
            prop_assert_eq!(w, last);
        }
    }
}
