//! Batch evaluation of a [`Network`]: [`LANES`] stateless rows per pass over
//! the connection arrays, each bit-identical to [`Network::evaluate`]. Pass 2
//! runs in plan order (`plan.rs`), each activation applied across all the
//! lanes at once (four 2-lane chains side by side); a batch that meets a non-finite value runs again in list
//! order to name the node.

use super::eval::{by_tag, leaky_step, liquid_step};
use super::plan::{Conns, Step};
use super::{Network, LANES, OP_CFC, OP_DELAY, OP_INPUT, OP_LEAKY, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::math::Finite;

/// [`LANES`] sums `(0.0 + w1 * v1 + ...) + bias` of a step, one per lane.
#[inline(always)]
fn step_lanes(c: Conns, values: &[f64], st: &Step) -> [f64; LANES] {
    let mut acc = [0.0f64; LANES];
    let (a, b) = (st.start as usize, st.end as usize);
    for (&src, &w) in c.src[a..b].iter().zip(&c.w[a..b]) {
        let src = src as usize;
        let v: &[f64; LANES] = values[src * LANES..(src + 1) * LANES]
            .try_into()
            .expect("lane row");
        for l in 0..LANES {
            acc[l] += w * v[l];
        }
    }
    for a in &mut acc {
        *a += st.bias;
    }
    acc
}

impl Network {
    /// Evaluate `rows` stateless inputs laid out back to back in `inputs`
    /// (`rows * input_count` values), writing `rows * output_count` values to
    /// `outputs`. Each row's result is bit-identical to [`Network::evaluate`]:
    /// [`LANES`] rows go through each pass over the connections, every row
    /// with its own accumulator in the same order, every activation applied
    /// across the lanes with the 2-lane math. A stateless step reads `0.0`
    /// for every delay and every organelle's previous state, and for every
    /// forward reference (whichever the state model); the delays' captures
    /// are computed only for their overflow check.
    pub fn evaluate_batch(
        &self,
        inputs: &[f64],
        rows: usize,
        outputs: &mut [f64],
    ) -> Result<(), CoreError> {
        let (ni, no, n) = (self.n_inputs, self.output_pos.len(), self.ops.len());
        debug_assert_eq!(inputs.len(), rows * ni);
        debug_assert_eq!(outputs.len(), rows * no);
        let mut values = try_vec::<f64>(n.saturating_mul(LANES), "batch node values")?;
        values.resize(n * LANES, 0.0);
        let mut row = 0;
        while row < rows {
            let lanes = LANES.min(rows - row);
            self.load_pass(&mut values, inputs, row, lanes);
            let mut start = 0usize;
            let mut ok = true;
            for g in &self.plan.groups {
                let steps = &self.plan.steps[start..g.end as usize];
                start = g.end as usize;
                macro_rules! ordinary {
                    ($tag:literal) => {
                        self.ordinary_lanes::<$tag>(steps, &mut values)
                    };
                }
                ok &= by_tag!(
                    g.op,
                    ordinary,
                    self.organelle_lanes(g.op, steps, &mut values, lanes)
                );
            }
            for &p in &self.slots {
                let p = p as usize;
                if self.ops[p] == OP_DELAY {
                    let cs = self.weighted_lanes(p, &values);
                    ok &= cs[..lanes].iter().all(|c| c.is_finite());
                }
            }
            if !ok {
                return self.evaluate_batch_ordered(inputs, rows, outputs);
            }
            for l in 0..lanes {
                let out = &mut outputs[(row + l) * no..(row + l + 1) * no];
                for (o, &p) in out.iter_mut().zip(&self.output_pos) {
                    *o = values[p as usize * LANES + l];
                }
            }
            row += lanes;
        }
        Ok(())
    }

    /// A group of ordinary nodes with activation `TAG`, every lane, all
    /// eight at once through [`Activation::apply_x8`]. False if a value is
    /// not finite (every lane holds a row of the batch: the unused lanes of
    /// the last pass repeat its first row).
    #[inline(never)]
    fn ordinary_lanes<const TAG: u8>(&self, steps: &[Step], values: &mut [f64]) -> bool {
        let act = Activation::ALL[TAG as usize];
        let mut fin = Finite::new();
        for st in steps {
            let xs = step_lanes(self.conns(), values, st);
            let p = st.pos as usize;
            let dst: &mut [f64; LANES] = (&mut values[p * LANES..(p + 1) * LANES])
                .try_into()
                .expect("lane row");
            *dst = act.apply_x8(xs);
            fin = fin.add8(&xs);
            if !act.finite_on_finite() {
                fin = fin.add8(dst);
            }
        }
        fin.all()
    }

    /// A group of leaky or liquid nodes (op `op`), every lane, from a zero
    /// state.
    #[inline(never)]
    fn organelle_lanes(&self, op: u8, steps: &[Step], values: &mut [f64], lanes: usize) -> bool {
        let mut ok = true;
        for st in steps {
            let xs = step_lanes(self.conns(), values, st);
            let Some(o) = self.plan.organelles.get(st.aux as usize) else {
                return false;
            };
            let p = st.pos as usize;
            let dst = &mut values[p * LANES..(p + 1) * LANES];
            for (d, &x) in dst.iter_mut().zip(&xs) {
                *d = if op == OP_LEAKY {
                    leaky_step(x, 0.0, self.leaky[o.param as usize])
                } else {
                    liquid_step(op, x, 0.0, self.liquid[o.param as usize])
                };
            }
            ok &= xs[..lanes]
                .iter()
                .chain(&dst[..lanes])
                .all(|v| v.is_finite());
        }
        ok
    }

    /// [`Network::evaluate_batch`] with pass 2 in list order: the
    /// definition, run for the error when a value is not finite.
    #[cold]
    pub(crate) fn evaluate_batch_ordered(
        &self,
        inputs: &[f64],
        rows: usize,
        outputs: &mut [f64],
    ) -> Result<(), CoreError> {
        let (ni, no, n) = (self.n_inputs, self.output_pos.len(), self.ops.len());
        debug_assert_eq!(inputs.len(), rows * ni);
        debug_assert_eq!(outputs.len(), rows * no);
        let mut values = try_vec::<f64>(n.saturating_mul(LANES), "batch node values")?;
        values.resize(n * LANES, 0.0);
        let mut row = 0;
        while row < rows {
            let lanes = LANES.min(rows - row);
            self.load_pass(&mut values, inputs, row, lanes);
            let (mut next_liquid, mut next_leaky) = (0usize, 0usize);
            for pos in 0..n {
                let op = self.ops[pos];
                let vrow = pos * LANES;
                if op == OP_INPUT || op == OP_DELAY {
                    continue;
                }
                let xs = self.weighted_lanes(pos, &values);
                let dst = &mut values[vrow..vrow + lanes];
                if op == OP_CFC || op == OP_LTC {
                    let q = self.liquid[next_liquid];
                    next_liquid += 1;
                    for (d, &x) in dst.iter_mut().zip(&xs) {
                        *d = liquid_step(op, x, 0.0, q);
                    }
                } else if op == OP_LEAKY {
                    let tau = self.leaky[next_leaky];
                    next_leaky += 1;
                    for (d, &x) in dst.iter_mut().zip(&xs) {
                        *d = leaky_step(x, 0.0, tau);
                    }
                } else {
                    Activation::ALL[op as usize].apply_slice(&xs[..lanes], dst);
                }
                let finite = xs[..lanes].iter().chain(dst.iter()).all(|v| v.is_finite());
                if !finite {
                    return Err(self.overflow(pos));
                }
            }
            // The delays' captures: only their overflow matters here.
            for &p in &self.slots {
                let p = p as usize;
                if self.ops[p] == OP_DELAY {
                    let cs = self.weighted_lanes(p, &values);
                    if !cs[..lanes].iter().all(|c| c.is_finite()) {
                        return Err(self.overflow(p));
                    }
                }
            }
            for l in 0..lanes {
                let out = &mut outputs[(row + l) * no..(row + l + 1) * no];
                for (o, &p) in out.iter_mut().zip(&self.output_pos) {
                    *o = values[p as usize * LANES + l];
                }
            }
            row += lanes;
        }
        Ok(())
    }

    /// The start of a pass over rows `row..row + lanes`: the sources of
    /// forward references read 0.0 (they are read before they are written,
    /// and a stateless step must not see the previous rows' values; delays
    /// are never written, so they stay 0.0), and the inputs of the rows are
    /// laid out lane by lane. The unused lanes of a last, partial pass
    /// repeat its first row: they compute exactly its values, so every lane
    /// can be checked.
    #[inline]
    fn load_pass(&self, values: &mut [f64], inputs: &[f64], row: usize, lanes: usize) {
        let ni = self.n_inputs;
        for &p in &self.fwd_src {
            values[p as usize * LANES..(p as usize + 1) * LANES].fill(0.0);
        }
        for (k, &p) in self.input_pos.iter().enumerate() {
            let dst = &mut values[p as usize * LANES..(p as usize + 1) * LANES];
            for (l, d) in dst.iter_mut().enumerate() {
                let r = if l < lanes { row + l } else { row };
                *d = inputs[r * ni + k];
            }
        }
    }

    /// [`LANES`] weighted sums plus bias of node `pos`, in the order of the
    /// single-row step.
    #[inline]
    fn weighted_lanes(&self, pos: usize, values: &[f64]) -> [f64; LANES] {
        let (a, b) = (
            self.row_start[pos] as usize,
            self.row_start[pos + 1] as usize,
        );
        let mut acc = [0.0f64; LANES];
        for (&s, &w) in self.src[a..b].iter().zip(&self.weight[a..b]) {
            let base = s as usize * LANES;
            let src: &[f64; LANES] = values[base..base + LANES].try_into().expect("lane row");
            for l in 0..LANES {
                acc[l] += w * src[l];
            }
        }
        let bias = self.bias[pos];
        for a in &mut acc {
            *a += bias;
        }
        acc
    }
}
