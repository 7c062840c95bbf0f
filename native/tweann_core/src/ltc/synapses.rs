//! The synapse sums of the LTC cell, over a layout made for them.
//!
//! For a synapse matrix (`rows` presynaptic neurons or inputs `i`, `cols`
//! postsynaptic neurons `j`) and presynaptic values `x`, [`Synapses::sums`]
//! computes, for every `j`,
//!
//! ```text
//! ra[i,j]  = (w[i,j] * sigmoid(sigma[i,j] * (x[i] - mu[i,j]))) * mask[i,j]
//! num[j]   = sum over i of ra[i,j] * erev[i,j]
//! den[j]   = sum over i of ra[i,j]
//! ```
//!
//! every sum from `0.0`, adding the terms in increasing `i` (`w` is stored
//! with `pos` applied). Almost all of an LTC step is spent here: one
//! `sigmoid` per synapse and sub-step.
//!
//! # Layout
//!
//! The constants are copied at construction into groups of [`W`]
//! consecutive postsynaptic neurons: group `(b, i)` holds `sigma`, `mu`, `w`,
//! `erev` of the synapses from `i` to `j = b*W .. b*W + W`. The groups of
//! block `b` follow each other in increasing `i`, so a block is read
//! front to back and its `W` sums stay in registers. The last block is
//! padded with zeros; its padding lanes are computed and dropped.
//!
//! A block is taken [`R`] rows at a time, in three passes over a buffer on
//! the stack: the arguments, then the sigmoids, then the sums. The sigmoid
//! pass is a loop of nothing but 2-lane sigmoids (loads and stores aside):
//! a sigmoid is a long chain of dependent operations, and the processor
//! overlaps the most of them when nothing else (and nothing waiting for
//! their results) sits between them; adding each result to the sums right
//! away (one pass) measured 5 to 9 % slower, computing the arguments in the
//! sigmoid loop about 6 % slower (on AMD Zen 3).
//!
//! The sigmoids are [`math::portable::sigmoid_x2`]: the same bits as the
//! scalar and SSE2 forms (the math module's contract), and in this loop
//! on x86-64-v2 (AMD Zen 3) about 7 % faster than [`math::sigmoid_x2`]:
//! the compiler selects its lanes with one `blendvpd` and tests its range
//! with scalar compares. (It stays inlined only with one call site.)
//!
//! # Masks
//!
//! A synapse whose mask is 0 adds `ra = ±0` to its sums, which leaves them
//! unchanged (a sum starts at `+0.0` and never becomes `-0.0` in round to
//! nearest), so it is the same as leaving it out. Its `sigma` and `mu` are
//! stored as 0: its argument is then `0 * x[i] = ±0` (its own argument need
//! not be finite and must not fail the step; `x` is finite) and it costs
//! one sigmoid like any other, with no branch.
//!
//! When every mask is 0 or 1 (ncps's wirings), the masks are folded into
//! the constants: a mask-1 synapse keeps its `w` (`(w * s) * 1 = w * s`
//! exactly) and a mask-0 one gets `w = erev = 0`, so the kernel multiplies
//! by no mask. Other masks are kept beside the groups and multiplied in
//! (`(w * s) * mask`, the order of the formula).

use crate::cells::CellError;
use crate::math;

/// Postsynaptic neurons per group (an even number: the sigmoids are taken
/// two at a time).
pub(super) const W: usize = 4;

/// Presynaptic rows per round of a block: their arguments, then their
/// sigmoids, then their sums (a small buffer on the stack).
const R: usize = 8;

/// The constants of the `W` synapses from one presynaptic `i` to `W`
/// consecutive postsynaptic neurons.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Group {
    sigma: [f64; W],
    mu: [f64; W],
    w: [f64; W],
    erev: [f64; W],
}

const ZERO: Group = Group {
    sigma: [0.0; W],
    mu: [0.0; W],
    w: [0.0; W],
    erev: [0.0; W],
};

/// The synapses of one matrix, in the layout of the module docs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Synapses {
    rows: usize,
    cols: usize,
    /// `ceil(cols / W)` blocks of `rows` groups: block `b`, row `i` at
    /// `b * rows + i`.
    groups: Vec<Group>,
    /// The masks of the groups (same index), empty when every mask is 0 or
    /// 1 (then folded into `groups`).
    masks: Vec<[f64; W]>,
    /// The largest `|sigma|` and `|mu|` of the layout.
    sigma_max: f64,
    mu_max: f64,
}

/// A vector with room for `n` values, allocated fallibly.
fn try_vec<T>(n: usize) -> Result<Vec<T>, CellError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| CellError::OutOfMemory {
        bytes: n.saturating_mul(std::mem::size_of::<T>()),
    })?;
    Ok(v)
}

impl Synapses {
    /// The `f64` values the layout holds for a `rows x cols` matrix, at
    /// most (with general masks): `5 * rows * cols` rounded up to whole
    /// groups.
    pub(super) fn max_values(rows: usize, cols: usize) -> usize {
        cols.div_ceil(W)
            .saturating_mul(W)
            .saturating_mul(rows)
            .saturating_mul(5)
    }

    /// Builds the layout from row-major `[rows, cols]` matrices (`w` with
    /// `pos` applied), each `rows * cols` long.
    pub(super) fn new(
        rows: usize,
        cols: usize,
        [sigma, mu, w, erev, mask]: [&[f64]; 5],
    ) -> Result<Self, CellError> {
        let blocks = cols.div_ceil(W);
        let unit = mask.iter().all(|&m| m == 0.0 || m == 1.0);
        let mut groups = try_vec(blocks.saturating_mul(rows))?;
        let mut masks = try_vec(if unit { 0 } else { blocks * rows })?;
        for b in 0..blocks {
            for i in 0..rows {
                let mut g = ZERO;
                let mut gm = [0.0; W];
                let lanes = W.min(cols - b * W);
                for (l, gm) in gm.iter_mut().enumerate().take(lanes) {
                    let k = i * cols + b * W + l;
                    if mask[k] != 0.0 {
                        g.sigma[l] = sigma[k];
                        g.mu[l] = mu[k];
                        g.w[l] = w[k];
                        g.erev[l] = erev[k];
                    } else if !unit {
                        g.w[l] = w[k];
                        g.erev[l] = erev[k];
                    }
                    *gm = mask[k];
                }
                groups.push(g);
                if !unit {
                    masks.push(gm);
                }
            }
        }
        let amax = |f: fn(&Group) -> [f64; W]| {
            groups
                .iter()
                .flat_map(f)
                .fold(0.0f64, |m, v| m.max(v.abs()))
        };
        let (sigma_max, mu_max) = (amax(|g| g.sigma), amax(|g| g.mu));
        Ok(Synapses {
            rows,
            cols,
            groups,
            masks,
            sigma_max,
            mu_max,
        })
    }

    /// Writes the sums of the module docs into `num` and `den` (`cols`
    /// values each) for the presynaptic values `x` (`rows` values, finite).
    /// Returns false if the sigmoid argument of a synapse with a nonzero
    /// mask is not finite.
    pub(super) fn sums(&self, x: &[f64], num: &mut [f64], den: &mut [f64]) -> bool {
        let (rows, cols) = (self.rows, self.cols);
        let x = &x[..rows];
        let (num, den) = (&mut num[..cols], &mut den[..cols]);
        // Every argument is at most sigma_max * (x_max + mu_max) in
        // magnitude (rounding is monotonic): if that is finite, none needs
        // checking.
        // (`x` is finite; if it were not, every argument is checked.)
        let x_max = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let bound = self.sigma_max * (x_max + self.mu_max);
        let check = !(bound.is_finite() && x.iter().all(|v| v.is_finite()));
        let masks = (!self.masks.is_empty()).then_some(&self.masks[..]);
        let mut ok = true;
        let mut buf = [[0.0f64; W]; R];
        for b in 0..cols.div_ceil(W) {
            let first = b * rows;
            let mut nu = [0.0f64; W];
            let mut de = [0.0f64; W];
            for c in (0..rows).step_by(R) {
                let len = R.min(rows - c);
                let groups = &self.groups[first + c..first + c + len];
                let buf = &mut buf[..len];
                arguments(groups, &x[c..c + len], buf);
                if check {
                    ok &= buf.iter().flatten().all(|a| a.is_finite());
                }
                for p in buf.as_flattened_mut().chunks_exact_mut(2) {
                    let y = math::portable::sigmoid_x2([p[0], p[1]]);
                    p[0] = y[0];
                    p[1] = y[1];
                }
                match masks {
                    None => accumulate(groups, buf, &mut nu, &mut de),
                    Some(m) => {
                        let m = &m[first + c..first + c + len];
                        accumulate_masked(groups, m, buf, &mut nu, &mut de);
                    }
                }
            }
            let j0 = b * W;
            let len = W.min(cols - j0);
            num[j0..j0 + len].copy_from_slice(&nu[..len]);
            den[j0..j0 + len].copy_from_slice(&de[..len]);
        }
        ok
    }
}

/// `a[k][l] = sigma * (x[k] - mu)` of group `k`, lane `l`.
#[inline(always)]
fn arguments(groups: &[Group], x: &[f64], a: &mut [[f64; W]]) {
    for ((a, g), &xk) in a.iter_mut().zip(groups).zip(x) {
        for (l, a) in a.iter_mut().enumerate() {
            *a = g.sigma[l] * (xk - g.mu[l]);
        }
    }
}

/// Adds `ra = w * s` (the sigmoids `s`) of the groups in order.
#[inline(always)]
fn accumulate(groups: &[Group], s: &[[f64; W]], nu: &mut [f64; W], de: &mut [f64; W]) {
    for (g, s) in groups.iter().zip(s) {
        for l in 0..W {
            let r = g.w[l] * s[l];
            nu[l] += r * g.erev[l];
            de[l] += r;
        }
    }
}

/// Adds `ra = (w * s) * mask` of the groups in order.
#[inline(always)]
fn accumulate_masked(
    groups: &[Group],
    masks: &[[f64; W]],
    s: &[[f64; W]],
    nu: &mut [f64; W],
    de: &mut [f64; W],
) {
    for ((g, m), s) in groups.iter().zip(masks).zip(s) {
        for l in 0..W {
            let r = (g.w[l] * s[l]) * m[l];
            nu[l] += r * g.erev[l];
            de[l] += r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The sums of the module docs, synapse by synapse with the scalar
    /// sigmoid, leaving out the synapses whose mask is 0.
    fn reference(
        rows: usize,
        cols: usize,
        [sigma, mu, w, erev, mask]: [&[f64]; 5],
        x: &[f64],
    ) -> (Vec<f64>, Vec<f64>, bool) {
        let (mut num, mut den, mut ok) = (vec![0.0; cols], vec![0.0; cols], true);
        for (i, &xi) in x.iter().enumerate().take(rows) {
            for j in 0..cols {
                let k = i * cols + j;
                if mask[k] == 0.0 {
                    continue;
                }
                let arg = sigma[k] * (xi - mu[k]);
                ok &= arg.is_finite();
                let ra = (w[k] * math::sigmoid(arg)) * mask[k];
                num[j] += ra * erev[k];
                den[j] += ra;
            }
        }
        (num, den, ok)
    }

    fn kernel(rows: usize, cols: usize, m: [&[f64]; 5], x: &[f64]) -> (Vec<f64>, Vec<f64>, bool) {
        let s = Synapses::new(rows, cols, m).unwrap();
        // Stale values in the outputs must not leak into the sums.
        let (mut num, mut den) = (vec![f64::NAN; cols], vec![7.0; cols]);
        let ok = s.sums(x, &mut num, &mut den);
        (num, den, ok)
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Matrices of `rows x cols` synapses from a pool of values in
    /// `[-1, 1)`; masks 0 or 1 (`unit`) or any value, a third of them 0.
    fn matrices(rows: usize, cols: usize, pool: &[f64], unit: bool) -> [Vec<f64>; 5] {
        let len = rows * cols;
        let at = |k: usize| pool[k % pool.len()];
        let m = |off: usize, f: &dyn Fn(f64) -> f64| (0..len).map(|k| f(at(k * 5 + off))).collect();
        [
            m(0, &|v| v * 8.0),
            m(1, &|v| v),
            m(2, &|v| v * 2.0),
            m(3, &|v| v),
            m(4, &|v| match (v < -1.0 / 3.0, unit) {
                (true, _) => 0.0,
                (false, true) => 1.0,
                (false, false) => v * 3.0,
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn sums_equal_the_reference(
            rows in 1usize..20,
            cols in 1usize..12,
            unit in any::<bool>(),
            pool in proptest::collection::vec(-1.0f64..1.0, 1..400),
            x in proptest::collection::vec(-3.0f64..3.0, 20),
        ) {
            let m = matrices(rows, cols, &pool, unit);
            let m = [&m[0][..], &m[1], &m[2], &m[3], &m[4]];
            let (num, den, ok) = kernel(rows, cols, m, &x[..rows]);
            let (rnum, rden, rok) = reference(rows, cols, m, &x[..rows]);
            prop_assert!(ok && rok);
            prop_assert_eq!(bits(&num), bits(&rnum));
            prop_assert_eq!(bits(&den), bits(&rden));
        }
    }

    #[test]
    fn an_overflowing_argument_fails_only_on_a_live_synapse() {
        // rows 2, cols 5: synapse (1, 3) has sigma 1e308 and x[1] = -4,
        // an argument of -inf (beyond the bound, so every argument is
        // checked).
        let (rows, cols) = (2, 5);
        let mut sigma = vec![2.0; rows * cols];
        sigma[cols + 3] = 1.0e308;
        let mu = vec![0.5; rows * cols];
        let w = vec![0.75; rows * cols];
        let erev = vec![-0.25; rows * cols];
        let x = [0.3, -4.0];
        for (m13, want_ok) in [(1.0, false), (0.5, false), (0.0, true)] {
            let mut mask = vec![1.0; rows * cols];
            mask[cols + 3] = m13;
            let m = [&sigma[..], &mu, &w, &erev, &mask];
            let (num, den, ok) = kernel(rows, cols, m, &x);
            let (rnum, rden, rok) = reference(rows, cols, m, &x);
            assert_eq!((ok, rok), (want_ok, want_ok), "mask {m13}");
            if ok {
                assert_eq!(bits(&num), bits(&rnum));
                assert_eq!(bits(&den), bits(&rden));
            }
        }
    }

    #[test]
    fn huge_but_finite_arguments_take_the_checked_path_and_agree() {
        // The bound sigma_max * (x_max + mu_max) overflows, the arguments
        // do not: every argument is checked and none fails.
        let (rows, cols) = (3, 6);
        let sigma: Vec<f64> = (0..rows * cols).map(|k| 1.0e300 * (k % 3) as f64).collect();
        let mu = vec![1.0e10; rows * cols];
        let w = vec![1.5; rows * cols];
        let erev: Vec<f64> = (0..rows * cols).map(|k| k as f64 - 7.0).collect();
        let mask: Vec<f64> = (0..rows * cols).map(|k| (k % 4) as f64 * 0.5).collect();
        let x = [1.0e10, 1.0e10 + 1.0e-6 * 1.0e10, 1.0e10 - 1.0];
        let m = [&sigma[..], &mu, &w, &erev, &mask];
        let (num, den, ok) = kernel(rows, cols, m, &x);
        let (rnum, rden, rok) = reference(rows, cols, m, &x);
        assert!(ok && rok);
        assert_eq!(bits(&num), bits(&rnum));
        assert_eq!(bits(&den), bits(&rden));
    }
}
