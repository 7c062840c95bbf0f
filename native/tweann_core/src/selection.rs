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
    let mut min = f64::INFINITY;
    for &f in fitnesses {
        if f < min {
            min = f;
        }
    }
    let shift = if min < 0.0 { -min + 1.0 } else { 0.0 };
    let mut running = 0.0f64;
    for &f in fitnesses {
        running += f + shift;
        out.push(running);
    }
    if running.is_finite() {
        Ok((out, running))
    } else {
        Err(CoreError::overflow(
            "arithmetic overflow: the cumulative fitness is not finite",
        ))
    }
}

/// Check a cumulative array (argument 1 of the roulette functions).
pub fn check_cumulative(cumulative: &[f64]) -> Result<(), CoreError> {
    if cumulative.is_empty() {
        return Err(CoreError::badarg(
            1,
            "Cumulative is empty: there is nobody to select",
        ));
    }
    if let Some(i) = cumulative.windows(2).position(|w| w[1] < w[0]) {
        return Err(CoreError::badarg(
            1,
            format!(
                "Cumulative must be non-decreasing, but element {} is below element {}",
                i + 2,
                i + 1
            ),
        ));
    }
    Ok(())
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

/// The tournament winner. `arg` of the errors: contestants are argument 1.
pub fn tournament(contestants: &[u64], fitnesses: &[f64]) -> Result<u64, CoreError> {
    let fit = |c: u64| -> Result<f64, CoreError> {
        usize::try_from(c)
            .ok()
            .and_then(|i| fitnesses.get(i).copied())
            .ok_or_else(|| {
                CoreError::badarg(
                    1,
                    format!(
                        "contestant {c} has no fitness (Fitnesses has {} elements, indexed from 0)",
                        fitnesses.len()
                    ),
                )
            })
    };
    let (&first, rest) = contestants.split_first().ok_or_else(|| {
        CoreError::badarg(1, "Contestants is empty: a tournament needs a contestant")
    })?;
    let (mut best, mut best_f) = (first, fit(first)?);
    for &c in rest {
        let f = fit(c)?;
        if f >= best_f {
            best = c;
            best_f = f;
        }
    }
    Ok(best)
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
