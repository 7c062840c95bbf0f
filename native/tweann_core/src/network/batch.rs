//! Batch evaluation of a [`Network`]: [`LANES`] stateless rows per pass over
//! the connection arrays, each bit-identical to [`Network::evaluate`].

use super::eval::{leaky_step, liquid_step};
use super::{Network, LANES, OP_CFC, OP_DELAY, OP_INPUT, OP_LEAKY, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};

impl Network {
    /// Evaluate `rows` stateless inputs laid out back to back in `inputs`
    /// (`rows * input_count` values), writing `rows * output_count` values to
    /// `outputs`. Each row's result is bit-identical to [`Network::evaluate`]:
    /// [`LANES`] rows go through each pass over the connection arrays, every
    /// row with its own accumulator in the same order. A stateless step reads
    /// `0.0` for every delay and every organelle's previous state, and for
    /// every forward reference (whichever the state model); the delays'
    /// captures are computed only for their overflow check.
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
            // Sources of forward references are read before they are written:
            // they must read 0.0 in a stateless evaluation, not the previous
            // rows' values. Delays are never written, so they stay 0.0.
            for &p in &self.fwd_src {
                values[p as usize * LANES..(p as usize + 1) * LANES].fill(0.0);
            }
            for (k, &p) in self.input_pos.iter().enumerate() {
                for l in 0..lanes {
                    values[p as usize * LANES + l] = inputs[(row + l) * ni + k];
                }
            }
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
