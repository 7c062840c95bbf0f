//! Novelty search: Euclidean distances between behaviour vectors and the
//! k-nearest-neighbour novelty score (faber-tweann's `euclidean_distance/2`,
//! `euclidean_distance_batch/2`, `knn_novelty/4`, `knn_novelty_batch/3`).
//!
//! * The squared distance of `a` and `b` is `acc = 0.0; acc += (a[i] - b[i])^2`
//!   for `i` in order; the distance is its square root.
//! * Novelty of a target: the mean of its `k` smallest distances to the
//!   other behaviours, leaving out every distance `<= 1e-10` (the same
//!   behaviour, or an exact copy of it). The kept distances are summed in
//!   ascending order from `0.0` and divided by how many were summed
//!   (`min(k, kept)`); no kept distance gives `0.0`. `k` must be at least 1.
//! * Any squared distance that is not finite is an arithmetic overflow.
//!
//! Vectors are given row-major (`rows * dim` values). The kernels transpose
//! the candidates to one column per dimension and accumulate the squared
//! distances of all candidates dimension by dimension, which keeps each
//! candidate's summation order (dimension 0 first) while the inner loop runs
//! over contiguous memory.

use crate::error::{try_vec, CoreError};
use crate::meter::{Meter, Unmetered};

/// Distances at or below this are the same behaviour: left out of kNN.
pub const SAME: f64 = 1.0e-10;

/// A squared distance above this certainly has a square root above [`SAME`]
/// (sqrt(1e-19) > 3e-10); at or below it the root is compared exactly.
const SURELY_APART: f64 = 1.0e-19;

/// Above this `k`, the k smallest are found by selection instead of an
/// insertion-sorted buffer.
const INSERTION_K: usize = 48;

/// Squared distance, summed in dimension order from `0.0`.
#[inline]
pub fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (x, y) in a.iter().zip(b) {
        let d = x - y;
        acc += d * d;
    }
    acc
}

fn overflow() -> CoreError {
    CoreError::overflow("arithmetic overflow: a squared distance is not finite")
}

/// `euclidean_distance(V1, V2)`. Vectors of different lengths have no
/// distance: `None` (faber-tweann's NIF silently truncated the longer one;
/// its test suite accepts a float or the atom `error`, which the glue
/// returns for `None`).
pub fn euclidean(a: &[f64], b: &[f64]) -> Result<Option<f64>, CoreError> {
    let mut e = Euclidean::new(a);
    e.push_block(b);
    e.finish()
}

/// [`euclidean`] with the second vector fed one value at a time.
pub struct Euclidean<'a> {
    a: &'a [f64],
    i: usize,
    acc: f64,
}

impl<'a> Euclidean<'a> {
    pub fn new(a: &'a [f64]) -> Euclidean<'a> {
        Euclidean { a, i: 0, acc: 0.0 }
    }

    #[inline(always)]
    pub fn push(&mut self, y: f64) {
        if let Some(&x) = self.a.get(self.i) {
            let d = x - y;
            self.acc += d * d;
        }
        self.i += 1;
    }

    /// [`Euclidean::push`] of each value of `ys`, in order.
    #[inline(always)]
    pub fn push_block(&mut self, ys: &[f64]) {
        match self.a.get(self.i..self.i + ys.len()) {
            Some(xs) => {
                let mut acc = self.acc;
                for (x, y) in xs.iter().zip(ys) {
                    let d = x - y;
                    acc += d * d;
                }
                self.acc = acc;
                self.i += ys.len();
            }
            None => ys.iter().for_each(|&y| self.push(y)),
        }
    }

    pub fn finish(&self) -> Result<Option<f64>, CoreError> {
        if self.i != self.a.len() {
            Ok(None)
        } else if self.acc.is_finite() {
            Ok(Some(self.acc.sqrt()))
        } else {
            Err(overflow())
        }
    }
}

/// Candidates handled between two ticks of a meter (transposing, distances,
/// sorting): a few hundred microseconds of work at most.
const BLOCK: usize = 4096;

/// Candidates transposed to one column per dimension.
struct Columns {
    cols: Vec<f64>,
    n: usize,
    dim: usize,
}

impl Columns {
    /// `parts` are row-major blocks of `dim`-vectors, taken in order;
    /// `meter` hears of every [`BLOCK`] rows (`dim` units each).
    fn new(parts: &[&[f64]], dim: usize, meter: &mut dyn Meter) -> Result<Columns, CoreError> {
        let n = if dim == 0 {
            0
        } else {
            parts.iter().map(|p| p.len() / dim).sum()
        };
        let mut cols = try_vec::<f64>(n * dim, "distance columns")?;
        cols.resize(n * dim, 0.0);
        let mut j = 0;
        for part in parts {
            if dim == 0 {
                break;
            }
            for row in part.chunks_exact(dim) {
                if j % BLOCK == 0 {
                    meter.tick(BLOCK.saturating_mul(dim))?;
                }
                for (k, &v) in row.iter().enumerate() {
                    cols[k * n + j] = v;
                }
                j += 1;
            }
        }
        Ok(Columns { cols, n, dim })
    }

    /// Squared distances of `target` to every candidate, into `out` (len n).
    /// Candidates go eight at a time with their accumulators in registers
    /// (four independent SSE2 add chains hide the add latency), every
    /// candidate's sum in dimension order.
    #[inline]
    fn sq_dists(&self, target: &[f64], out: &mut [f64]) {
        self.sq_dists_range(target, out, 0, self.n);
    }

    /// [`Columns::sq_dists`] with `meter` told of every [`BLOCK`]
    /// candidates (`dim / 2 + 1` units each, as the glue charges them).
    fn sq_dists_metered(
        &self,
        target: &[f64],
        out: &mut [f64],
        meter: &mut dyn Meter,
    ) -> Result<(), CoreError> {
        let mut j = 0;
        while j < self.n {
            let end = (j + BLOCK).min(self.n);
            meter.tick((end - j).saturating_mul(self.dim / 2 + 1))?;
            self.sq_dists_range(target, out, j, end);
            j = end;
        }
        Ok(())
    }

    /// Squared distances of candidates `from..to` (`from` a multiple of 8,
    /// or `to`): each candidate's own sum, whatever the range.
    #[inline]
    fn sq_dists_range(&self, target: &[f64], out: &mut [f64], from: usize, to: usize) {
        const W: usize = 8;
        let n = self.n;
        let target = &target[..self.dim];
        let full = from + (to - from) / W * W;
        for j in (from..full).step_by(W) {
            let mut acc = [0.0f64; W];
            for (k, &t) in target.iter().enumerate() {
                let col = &self.cols[k * n + j..k * n + j + W];
                for l in 0..W {
                    let d = t - col[l];
                    acc[l] += d * d;
                }
            }
            out[j..j + W].copy_from_slice(&acc);
        }
        for (j, o) in out.iter_mut().enumerate().take(to).skip(full) {
            let mut acc = 0.0;
            for (k, &t) in target.iter().enumerate() {
                let d = t - self.cols[k * n + j];
                acc += d * d;
            }
            *o = acc;
        }
    }
}

/// Is a squared distance kept by kNN (its root above [`SAME`])?
#[inline]
fn kept(s: f64) -> bool {
    s > SURELY_APART || s.sqrt() > SAME
}

/// Mean of the `k` smallest kept distances among the squared distances `sq`
/// (skipping position `skip`), as the module doc states. `best` is scratch.
fn knn_mean(sq: &[f64], skip: usize, k: usize, best: &mut Vec<f64>) -> Result<f64, CoreError> {
    // Any non-finite squared distance is an overflow (as in the reference,
    // which raises computing it). A sum of squares of differences of finite
    // numbers is never NaN, and infinite only as +inf. A branch-free pass.
    if sq.iter().filter(|&&s| s == f64::INFINITY).count() > 0 {
        return Err(overflow());
    }
    best.clear();
    if k <= INSERTION_K {
        // Sorted stack buffer of the k smallest so far; once full, a
        // candidate not below its largest is rejected with one comparison.
        let mut buf = [0.0f64; INSERTION_K];
        let mut len = 0;
        let mut bar = f64::INFINITY;
        for (j, &s) in sq.iter().enumerate() {
            if s < bar && j != skip && kept(s) {
                if len == k {
                    len -= 1;
                }
                let mut pos = len;
                while pos > 0 && buf[pos - 1] > s {
                    buf[pos] = buf[pos - 1];
                    pos -= 1;
                }
                buf[pos] = s;
                len += 1;
                if len == k {
                    bar = buf[k - 1];
                }
            }
        }
        best.extend_from_slice(&buf[..len]);
    } else {
        for (j, &s) in sq.iter().enumerate() {
            if j != skip && kept(s) {
                best.push(s);
            }
        }
        if best.len() > k {
            best.select_nth_unstable_by(k - 1, f64::total_cmp);
            best.truncate(k);
        }
        best.sort_unstable_by(f64::total_cmp);
    }
    if best.is_empty() {
        return Ok(0.0);
    }
    let mut sum = 0.0;
    for &s in best.iter() {
        sum += s.sqrt();
    }
    Ok(sum / best.len() as f64)
}

fn check_k(k: u64, arg: u8) -> Result<usize, CoreError> {
    if k == 0 {
        Err(CoreError::badarg(arg, "K must be at least 1"))
    } else {
        Ok(usize::try_from(k).unwrap_or(usize::MAX))
    }
}

/// `euclidean_distance_batch(Target, Others)`: `(index, distance)` of every
/// row of `others` (row-major, `target.len()` values each), sorted by
/// distance, ties in index order.
pub fn distance_batch(target: &[f64], others: &[f64]) -> Result<Vec<(usize, f64)>, CoreError> {
    distance_batch_metered(target, others, &mut Unmetered)
}

/// [`distance_batch`] telling `meter` of its work block by block (the
/// transposition, the distances, the sort): a meter that answers
/// [`Interrupted`](crate::meter::Interrupted) stops it within a block.
/// Metering never changes the result.
pub fn distance_batch_metered(
    target: &[f64],
    others: &[f64],
    meter: &mut dyn Meter,
) -> Result<Vec<(usize, f64)>, CoreError> {
    let dim = target.len();
    let n = others.len().checked_div(dim).unwrap_or(0);
    let mut out = try_vec::<(usize, f64)>(n, "distances")?;
    if dim == 0 {
        // Every vector is empty: `n` is unknowable from a flat slice, so
        // the caller handles dimension 0 with `distance_batch_empty`.
        return Ok(out);
    }
    let cols = Columns::new(&[others], dim, meter)?;
    let mut sq = try_vec::<f64>(n, "distances")?;
    sq.resize(n, 0.0);
    cols.sq_dists_metered(target, &mut sq, meter)?;
    drop(cols);
    for (j, &s) in sq.iter().enumerate() {
        if !s.is_finite() {
            return Err(overflow());
        }
        out.push((j, s.sqrt()));
    }
    drop(sq);
    crate::meter::sort_metered(&mut out, by_distance, meter)?;
    Ok(out)
}

/// `(distance, index)` order: a total order (indices differ), so every
/// correct sort gives the same sequence.
fn by_distance(a: &(usize, f64), b: &(usize, f64)) -> std::cmp::Ordering {
    a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))
}

/// [`distance_batch`] when every vector is empty: `n` zero distances.
pub fn distance_batch_empty(n: usize) -> Result<Vec<(usize, f64)>, CoreError> {
    let mut out = try_vec::<(usize, f64)>(n, "distances")?;
    out.extend((0..n).map(|j| (j, 0.0)));
    Ok(out)
}

/// `knn_novelty(Target, Population, Archive, K)`: `population` and `archive`
/// are row-major with `target.len()` values per row (`pop_n` and `arch_n`
/// rows, needed when the dimension is 0).
pub fn knn_novelty(
    target: &[f64],
    population: &[f64],
    pop_n: usize,
    archive: &[f64],
    arch_n: usize,
    k: u64,
) -> Result<f64, CoreError> {
    knn_novelty_metered(
        target,
        population,
        pop_n,
        archive,
        arch_n,
        k,
        &mut Unmetered,
    )
}

/// [`knn_novelty`] telling `meter` of its work block by block (the
/// transposition, the distances).
pub fn knn_novelty_metered(
    target: &[f64],
    population: &[f64],
    pop_n: usize,
    archive: &[f64],
    arch_n: usize,
    k: u64,
    meter: &mut dyn Meter,
) -> Result<f64, CoreError> {
    let k = check_k(k, 4)?;
    let dim = target.len();
    let n = pop_n + arch_n;
    if dim == 0 {
        // Every distance is 0: none is kept.
        return Ok(0.0);
    }
    let cols = Columns::new(&[population, archive], dim, meter)?;
    let mut sq = try_vec::<f64>(n, "distances")?;
    sq.resize(n, 0.0);
    cols.sq_dists_metered(target, &mut sq, meter)?;
    let mut best = try_vec::<f64>(k.min(n), "kNN scratch")?;
    knn_mean(&sq, usize::MAX, k, &mut best)
}

/// `knn_novelty_batch(Behaviors, Archive, K)`: the novelty of each of the
/// `n` behaviours (row-major, `dim` values each) against the other
/// behaviours (never itself) and the archive, appended to `out`.
pub fn knn_novelty_batch(
    behaviors: &[f64],
    n: usize,
    archive: &[f64],
    dim: usize,
    k: u64,
    out: &mut Vec<f64>,
) -> Result<(), CoreError> {
    knn_novelty_batch_metered(behaviors, n, archive, dim, k, out, &mut Unmetered, 0)
}

/// [`knn_novelty_batch`] reporting `per_target` units to `meter` before
/// each behaviour's novelty (work of `n + archive rows` distances): a meter
/// that answers [`Interrupted`](crate::meter::Interrupted) stops it
/// between two behaviours. Metering never changes the scores.
#[allow(clippy::too_many_arguments)]
pub fn knn_novelty_batch_metered(
    behaviors: &[f64],
    n: usize,
    archive: &[f64],
    dim: usize,
    k: u64,
    out: &mut Vec<f64>,
    meter: &mut dyn Meter,
    per_target: usize,
) -> Result<(), CoreError> {
    let k = check_k(k, 3)?;
    if dim == 0 {
        out.resize(out.len() + n, 0.0);
        return Ok(());
    }
    let cols = Columns::new(&[behaviors, archive], dim, meter)?;
    let total = cols.n;
    let mut sq = try_vec::<f64>(total, "distances")?;
    sq.resize(total, 0.0);
    let mut best = try_vec::<f64>(k.min(total), "kNN scratch")?;
    for (i, target) in behaviors.chunks_exact(dim).enumerate().take(n) {
        meter.tick(per_target)?;
        cols.sq_dists(target, &mut sq);
        out.push(knn_mean(&sq, i, k, &mut best)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
