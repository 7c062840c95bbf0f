//! NEAT compatibility distance by sorted merge (no hashing).
//!
//! `d = (c1 * E) / N + (c2 * D) / N + c3 * W` where, over genes
//! `(innovation, weight)`:
//! * matching genes are in both genomes; `W` is the mean `|wa - wb|` over
//!   them, summed in ascending innovation order from `0.0` (`0.0` if none);
//! * a non-matching gene is *excess* if its innovation is above the smaller
//!   of the two genomes' highest innovations (every gene is excess when the
//!   other genome is empty), else *disjoint*;
//! * `N = max(len_a, len_b, 1)`.

use crate::error::CoreError;

/// A gene: innovation number and connection weight.
pub type Gene = (u64, f64);

/// Sort a genome by innovation if it is not sorted yet, and reject duplicate
/// innovations (`arg` is the argument position for the error).
pub fn prepare(genes: &mut [Gene], arg: u8) -> Result<(), CoreError> {
    if !genes.windows(2).all(|w| w[0].0 < w[1].0) {
        genes.sort_by_key(|g| g.0);
        if let Some(w) = genes.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(CoreError::badarg(
                arg,
                format!("duplicate innovation {}", w[0].0),
            ));
        }
    }
    Ok(())
}

/// Compatibility distance of two genomes sorted by strictly increasing
/// innovation (see [`prepare`]).
pub fn distance(a: &[Gene], b: &[Gene], c1: f64, c2: f64, c3: f64) -> Result<f64, CoreError> {
    let limit = match (a.last(), b.last()) {
        (Some(x), Some(y)) => Some(x.0.min(y.0)),
        _ => None,
    };
    let (mut i, mut j) = (0, 0);
    let mut matching = 0u64;
    let mut sum_w = 0.0f64;
    while i < a.len() && j < b.len() {
        let (ia, ib) = (a[i].0, b[j].0);
        if ia == ib {
            sum_w += (a[i].1 - b[j].1).abs();
            matching += 1;
            i += 1;
            j += 1;
        } else if ia < ib {
            i += 1;
        } else {
            j += 1;
        }
    }
    // Every unmatched gene: classify against the limit.
    let unmatched = (a.len() + b.len()) as u64 - 2 * matching;
    let excess = match limit {
        None => unmatched,
        Some(l) => {
            // Only the genome with the higher maximum has genes above the limit;
            // they form a suffix of it (and none of them can match).
            let tail = |g: &[Gene]| (g.len() - g.partition_point(|x| x.0 <= l)) as u64;
            tail(a) + tail(b)
        }
    };
    Tally {
        len_a: a.len() as u64,
        len_b: b.len() as u64,
        matching,
        excess,
        sum_w,
    }
    .distance(c1, c2, c3)
}

/// What the distance needs to know of a pair of genomes: their sizes, the
/// number of matching genes, the number of excess genes and the sum of
/// `|wa - wb|` over the matching genes (in ascending innovation order, from
/// `0.0`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub len_a: u64,
    pub len_b: u64,
    pub matching: u64,
    pub excess: u64,
    pub sum_w: f64,
}

impl Tally {
    /// `(c1 * E) / N + (c2 * D) / N + c3 * W`, or an overflow error if it is
    /// not finite.
    pub fn distance(&self, c1: f64, c2: f64, c3: f64) -> Result<f64, CoreError> {
        let unmatched = self.len_a + self.len_b - 2 * self.matching;
        let disjoint = unmatched - self.excess;
        let n = self.len_a.max(self.len_b).max(1) as f64;
        let wbar = if self.matching == 0 {
            0.0
        } else {
            self.sum_w / self.matching as f64
        };
        let d = (c1 * self.excess as f64) / n + (c2 * disjoint as f64) / n + c3 * wbar;
        if d.is_finite() {
            Ok(d)
        } else {
            Err(CoreError::overflow(
                "arithmetic overflow in compatibility_distance",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn worked_example() {
        // a: 1 2 3 5 8 ; b: 1 2 4 5 ; limit = min(8, 5) = 5
        // matching 1 2 5; disjoint 3 (a), 4 (b); excess 8 (a)
        let a = [(1, 0.5), (2, -0.5), (3, 1.0), (5, 2.0), (8, 0.0)];
        let b = [(1, 0.0), (2, 0.5), (4, 1.0), (5, 1.0)];
        let d = distance(&a, &b, 1.0, 2.0, 0.5).unwrap();
        let wbar = (((0.0 + 0.5f64) + 1.0) + 1.0) / 3.0;
        assert_eq!(d, (1.0 * 1.0) / 5.0 + (2.0 * 2.0) / 5.0 + 0.5 * wbar);
        // c1 != c2 distinguishes excess from disjoint
        assert_ne!(
            distance(&a, &b, 1.0, 0.0, 0.0).unwrap(),
            distance(&a, &b, 0.0, 1.0, 0.0).unwrap()
        );
    }

    #[test]
    fn empty_genomes() {
        assert_eq!(distance(&[], &[], 1.0, 1.0, 1.0).unwrap(), 0.0);
        let a = [(3, 1.0), (9, 1.0)];
        assert_eq!(distance(&a, &[], 1.0, 100.0, 100.0).unwrap(), 2.0 / 2.0);
        assert_eq!(distance(&[], &a, 1.0, 100.0, 100.0).unwrap(), 1.0);
    }

    #[test]
    fn prepare_sorts_and_rejects_duplicates() {
        let mut g = vec![(5, 1.0), (1, 2.0), (3, 3.0)];
        prepare(&mut g, 1).unwrap();
        assert_eq!(g, vec![(1, 2.0), (3, 3.0), (5, 1.0)]);
        let mut d = vec![(5, 1.0), (1, 2.0), (5, 3.0)];
        assert_eq!(
            prepare(&mut d, 2).unwrap_err().position,
            crate::Position::Arg(2)
        );
    }

    fn naive(a: &[Gene], b: &[Gene], c1: f64, c2: f64, c3: f64) -> f64 {
        let ma: BTreeMap<u64, f64> = a.iter().copied().collect();
        let mb: BTreeMap<u64, f64> = b.iter().copied().collect();
        let limit = match (ma.keys().last(), mb.keys().last()) {
            (Some(&x), Some(&y)) => Some(x.min(y)),
            _ => None,
        };
        let (mut e, mut d, mut m, mut s) = (0u64, 0u64, 0u64, 0.0f64);
        let all: std::collections::BTreeSet<u64> = ma.keys().chain(mb.keys()).copied().collect();
        for k in all {
            match (ma.get(&k), mb.get(&k)) {
                (Some(x), Some(y)) => {
                    m += 1;
                    s += (x - y).abs();
                }
                _ => {
                    if limit.is_none_or(|l| k > l) {
                        e += 1
                    } else {
                        d += 1
                    }
                }
            }
        }
        let n = a.len().max(b.len()).max(1) as f64;
        let w = if m == 0 { 0.0 } else { s / m as f64 };
        (c1 * e as f64) / n + (c2 * d as f64) / n + c3 * w
    }

    fn genome() -> impl Strategy<Value = Vec<Gene>> {
        proptest::collection::btree_map(0u64..60, -2.0f64..2.0, 0..40)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #[test]
        fn merge_equals_naive(a in genome(), b in genome(), c1 in 0.0f64..3.0, c2 in 0.0f64..3.0, c3 in 0.0f64..3.0) {
            let got = distance(&a, &b, c1, c2, c3).unwrap();
            prop_assert_eq!(got.to_bits(), naive(&a, &b, c1, c2, c3).to_bits());
        }

        #[test]
        fn symmetric_and_zero_on_self(a in genome(), b in genome()) {
            prop_assert_eq!(distance(&a, &b, 1.0, 1.0, 0.4).unwrap(), distance(&b, &a, 1.0, 1.0, 0.4).unwrap());
            prop_assert_eq!(distance(&a, &a, 1.0, 1.0, 0.4).unwrap(), 0.0);
        }

        #[test]
        fn order_of_input_does_not_matter(a in genome(), b in genome(), seed in any::<u64>()) {
            let mut shuffled = a.clone();
            let len = shuffled.len();
            if len > 1 { for k in 0..len { shuffled.swap(k, (seed as usize).wrapping_add(k * 7) % len); } }
            prepare(&mut shuffled, 1).unwrap();
            prop_assert_eq!(distance(&shuffled, &b, 1.0, 2.0, 0.5).unwrap(), distance(&a, &b, 1.0, 2.0, 0.5).unwrap());
        }
    }
}
