//! Unit tests and proptests of [`super`] against naive versions.

use super::*;
use proptest::prelude::*;

fn naive_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0, |acc, (x, y)| acc + (x - y) * (x - y))
        .sqrt()
}

/// kNN as faber-tweann states it: every distance, drop those <= 1e-10,
/// sort, mean of the first k.
fn naive_knn(target: &[f64], others: &[&[f64]], k: usize) -> f64 {
    let mut d: Vec<f64> = others
        .iter()
        .map(|o| naive_dist(target, o))
        .filter(|&d| d > SAME)
        .collect();
    d.sort_by(f64::total_cmp);
    d.truncate(k);
    if d.is_empty() {
        0.0
    } else {
        d.iter().fold(0.0, |a, x| a + x) / d.len() as f64
    }
}

#[test]
fn worked_examples() {
    assert_eq!(euclidean(&[0.0, 0.0], &[3.0, 4.0]).unwrap(), Some(5.0));
    assert_eq!(euclidean(&[], &[]).unwrap(), Some(0.0));
    assert_eq!(euclidean(&[1.0, 2.0], &[1.0]).unwrap(), None);
    assert_eq!(
        distance_batch(&[0.0, 0.0], &[3.0, 4.0, 1.0, 0.0, 0.0, 2.0]).unwrap(),
        vec![(1, 1.0), (2, 2.0), (0, 5.0)]
    );
    // population [1,0] [0,1] [2,0], archive [5,5]; k = 2: (1 + 1) / 2
    let pop = [1.0, 0.0, 0.0, 1.0, 2.0, 0.0];
    assert_eq!(
        knn_novelty(&[0.0, 0.0], &pop, 3, &[5.0, 5.0], 1, 2).unwrap(),
        1.0
    );
    // k larger than the pool: mean of all; an exact copy is left out
    assert_eq!(
        knn_novelty(&[0.0, 0.0], &[1.0, 0.0, 0.0, 0.0], 2, &[], 0, 10).unwrap(),
        1.0
    );
    assert_eq!(knn_novelty(&[0.0], &[0.0], 1, &[], 0, 3).unwrap(), 0.0);
    assert!(knn_novelty(&[0.0], &[], 0, &[], 0, 0).is_err());
    // ties keep index order
    assert_eq!(
        distance_batch(&[0.0], &[1.0, -1.0, 0.5]).unwrap(),
        vec![(2, 0.5), (0, 1.0), (1, 1.0)]
    );
}

#[test]
fn batch_skips_self_and_copies() {
    // behaviours 0 and 1 identical: neither counts the other
    let b = [0.0, 0.0, 0.0, 0.0, 3.0, 4.0];
    let mut out = Vec::new();
    knn_novelty_batch(&b, 3, &[], 2, 1, &mut out).unwrap();
    assert_eq!(out, vec![5.0, 5.0, 5.0]);
}

#[test]
fn overflow_is_an_error() {
    assert!(euclidean(&[1e200], &[-1e200]).is_err());
    assert!(knn_novelty(&[0.0], &[1.0, 1e300], 2, &[], 0, 1).is_err());
}

fn rows(dim: usize, max: usize) -> impl Strategy<Value = Vec<f64>> {
    // small integer-ish grid so that duplicates and ties happen
    proptest::collection::vec(
        prop_oneof![(-3i32..4).prop_map(f64::from), -3.0f64..3.0],
        0..=max * dim,
    )
    .prop_map(move |mut v| {
        v.truncate(v.len() / dim * dim);
        v
    })
}

proptest! {
    #[test]
    fn euclidean_blocks_match_pushes(a in proptest::collection::vec(-3.0f64..3.0, 0..20),
                                     b in proptest::collection::vec(-3.0f64..3.0, 0..20),
                                     cut in 0usize..20) {
        let cut = cut.min(b.len());
        let mut one = Euclidean::new(&a);
        b.iter().for_each(|&y| one.push(y));
        let mut two = Euclidean::new(&a);
        two.push_block(&b[..cut]);
        two.push_block(&b[cut..]);
        let bits = |r: Option<f64>| r.map(f64::to_bits);
        prop_assert_eq!(bits(one.finish().unwrap()), bits(two.finish().unwrap()));
        prop_assert_eq!(one.finish().unwrap().is_some(), a.len() == b.len());
    }

    #[test]
    fn distances_equal_naive(dim in 1usize..6, t in proptest::collection::vec(-3.0f64..3.0, 6), others in rows(3, 20)) {
        let dim = dim.min(3);
        let t = &t[..dim];
        let others: Vec<f64> = others.chunks_exact(3).flat_map(|r| r[..dim].to_vec()).collect();
        let got = distance_batch(t, &others).unwrap();
        let mut want: Vec<(usize, f64)> = others.chunks_exact(dim).map(|o| naive_dist(t, o)).enumerate().collect();
        want.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
        prop_assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            prop_assert_eq!(g.0, w.0);
            prop_assert_eq!(g.1.to_bits(), w.1.to_bits());
        }
    }

    #[test]
    fn knn_equals_naive(dim in 1usize..4, pop in rows(3, 30), arch in rows(3, 30), k in 1u64..70, ti in 0usize..30) {
        let cut = |v: &[f64]| -> Vec<f64> { v.chunks_exact(3).flat_map(|r| r[..dim].to_vec()).collect() };
        let (pop, arch) = (cut(&pop), cut(&arch));
        let target: Vec<f64> = pop.chunks_exact(dim).nth(ti).map(|r| r.to_vec()).unwrap_or(vec![0.5; dim]);
        let all: Vec<&[f64]> = pop.chunks_exact(dim).chain(arch.chunks_exact(dim)).collect();
        let want = naive_knn(&target, &all, k as usize);
        let got = knn_novelty(&target, &pop, pop.len() / dim, &arch, arch.len() / dim, k).unwrap();
        prop_assert_eq!(got.to_bits(), want.to_bits());
    }

    #[test]
    fn knn_batch_equals_naive(dim in 1usize..4, beh in rows(3, 25), arch in rows(3, 25), k in 1u64..60) {
        let cut = |v: &[f64]| -> Vec<f64> { v.chunks_exact(3).flat_map(|r| r[..dim].to_vec()).collect() };
        let (beh, arch) = (cut(&beh), cut(&arch));
        let n = beh.len() / dim;
        let mut got = Vec::new();
        knn_novelty_batch(&beh, n, &arch, dim, k, &mut got).unwrap();
        prop_assert_eq!(got.len(), n);
        for (i, t) in beh.chunks_exact(dim).enumerate() {
            let others: Vec<&[f64]> = beh.chunks_exact(dim).enumerate().filter(|(j, _)| *j != i).map(|(_, o)| o)
                .chain(arch.chunks_exact(dim)).collect();
            prop_assert_eq!(got[i].to_bits(), naive_knn(t, &others, k as usize).to_bits());
        }
    }

    #[test]
    fn metered_kernels_same_bits(n in 0usize..20000, dim in 1usize..3, seed in 0u64..1000, k in 1u64..5) {
        // Rows with repeated values (ties in distance), several sort
        // runs and merge passes.
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 33) % 64) as f64 / 8.0
        };
        let others: Vec<f64> = (0..n * dim).map(|_| next()).collect();
        let target: Vec<f64> = (0..dim).map(|_| next()).collect();
        let mut want: Vec<(usize, f64)> = others.chunks_exact(dim).map(|o| naive_dist(&target, o)).enumerate().collect();
        want.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut meter = crate::meter::Limit::new(usize::MAX);
        let got = distance_batch_metered(&target, &others, &mut meter).unwrap();
        prop_assert!(got.iter().zip(&want).all(|(g, w)| g.0 == w.0 && g.1.to_bits() == w.1.to_bits()));
        prop_assert_eq!(got.len(), want.len());
        let one = knn_novelty_metered(&target, &others, n, &[], 0, k, &mut meter).unwrap();
        prop_assert_eq!(one.to_bits(), knn_novelty(&target, &others, n, &[], 0, k).unwrap().to_bits());
        // A meter that stops at once stops them (when there is work).
        if n > 0 {
            let mut stop = crate::meter::Limit::new(0);
            prop_assert!(distance_batch_metered(&target, &others, &mut stop).is_err());
            let mut stop = crate::meter::Limit::new(0);
            prop_assert!(knn_novelty_metered(&target, &others, n, &[], 0, k, &mut stop).is_err());
        }
    }

    #[test]
    fn knn_batch_metered_same_bits_or_stops(dim in 1usize..4, beh in rows(3, 25), arch in rows(3, 25),
                                            k in 1u64..60, limit in 0usize..40) {
        let cut = |v: &[f64]| -> Vec<f64> { v.chunks_exact(3).flat_map(|r| r[..dim].to_vec()).collect() };
        let (beh, arch) = (cut(&beh), cut(&arch));
        let n = beh.len() / dim;
        let mut want = Vec::new();
        knn_novelty_batch(&beh, n, &arch, dim, k, &mut want).unwrap();
        // The transposition's tick (one block of rows), then one unit
        // per target: the meter stops it after `limit` targets.
        let rows = n + arch.len() / dim;
        let pre = if rows > 0 { BLOCK * dim } else { 0 };
        let mut meter = crate::meter::Limit::new(limit + pre);
        let mut got = Vec::new();
        let r = knn_novelty_batch_metered(&beh, n, &arch, dim, k, &mut got, &mut meter, 1);
        if n <= limit {
            prop_assert!(r.is_ok());
            prop_assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                            want.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        } else {
            prop_assert_eq!(r.unwrap_err().kind, crate::error::ErrorKind::Interrupted);
            prop_assert_eq!(got.len(), limit);
            prop_assert_eq!(&got[..], &want[..limit]);
        }
    }
}
