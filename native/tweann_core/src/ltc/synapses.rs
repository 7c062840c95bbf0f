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

/// The sigmoids of a group's arguments, two at a time.
#[inline(always)]
fn sigmoids(a: [f64; W]) -> [f64; W] {
    if W == 2 {
        let y = math::portable::sigmoid_x2([a[0], a[1 % W]]);
        let mut s = [0.0; W];
        s[0] = y[0];
        s[1 % W] = y[1];
        s
    } else {
        let lo = math::portable::sigmoid_x2([a[0], a[1 % W]]);
        let hi = math::portable::sigmoid_x2([a[2 % W], a[3 % W]]);
        let mut s = [0.0; W];
        s[0] = lo[0];
        s[1 % W] = lo[1];
        s[2 % W] = hi[0];
        s[3 % W] = hi[1];
        s
    }
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
        let x_max = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let bounded = (self.sigma_max * (x_max + self.mu_max)).is_finite() && x_max.is_finite();
        match (self.masks.is_empty(), bounded) {
            (true, true) => self.sums_with::<false>(x, num, den, |_| None),
            (false, true) => self.sums_with::<false>(x, num, den, |k| Some(&self.masks[k])),
            (true, false) => self.sums_with::<true>(x, num, den, |_| None),
            (false, false) => self.sums_with::<true>(x, num, den, |k| Some(&self.masks[k])),
        }
    }

    #[inline(always)]
    fn sums_with<'a, const CHECK: bool>(
        &self,
        x: &[f64],
        num: &mut [f64],
        den: &mut [f64],
        mask: impl Fn(usize) -> Option<&'a [f64; W]>,
    ) -> bool {
        let (rows, cols) = (self.rows, self.cols);
        let x = &x[..rows];
        let (num, den) = (&mut num[..cols], &mut den[..cols]);
        num.fill(0.0);
        den.fill(0.0);
        let mut ok = true;
        for b in 0..cols.div_ceil(W) {
            let block = &self.groups[b * rows..(b + 1) * rows];
            let mut nu = [0.0f64; W];
            let mut de = [0.0f64; W];
            for (i, (g, &xi)) in block.iter().zip(x).enumerate() {
                let mut a = [0.0f64; W];
                for l in 0..W {
                    a[l] = g.sigma[l] * (xi - g.mu[l]);
                }
                if CHECK {
                    ok &= a.iter().all(|v| v.is_finite());
                }
                let s = sigmoids(a);
                let m = mask(b * rows + i);
                for l in 0..W {
                    let mut r = g.w[l] * s[l];
                    if let Some(m) = m {
                        r *= m[l];
                    }
                    nu[l] += r * g.erev[l];
                    de[l] += r;
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
