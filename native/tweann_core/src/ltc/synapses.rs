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
//! front to back, its `W` sums stay in registers, and each `i` takes two
//! independent 2-lane sigmoids ([`math::sigmoid_x2`], the same bits as the
//! scalar one) that the processor overlaps. The last block is padded with
//! zeros; its padding lanes are computed and dropped.
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
                for l in 0..W.min(cols - b * W) {
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
                    gm[l] = mask[k];
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
        let x_max = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let check = !(x_max.is_finite() && (self.sigma_max * (x_max + self.mu_max)).is_finite());
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
        for l in 0..W {
            a[l] = g.sigma[l] * (xk - g.mu[l]);
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
