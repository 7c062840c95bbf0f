//! One evaluation step of a [`Network`], stateless or with state.

use super::{Liquid, Network, OP_CFC, OP_INPUT, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::scalar;

impl Network {
    /// Evaluate one step. `inputs.len()` must equal the input count (the
    /// caller handles the "wrong count gives []" contract). `state` is `None`
    /// (all zeros) or exactly `state_size` values; with `next_state` the
    /// slot values after the step are written there (`state_size` values).
    pub fn evaluate(
        &self,
        inputs: &[f64],
        state: Option<&[f64]>,
        outputs: &mut [f64],
        next_state: Option<&mut [f64]>,
    ) -> Result<(), CoreError> {
        debug_assert_eq!(inputs.len(), self.n_inputs);
        let mut values = try_vec::<f64>(self.ops.len(), "node values")?;
        values.resize(self.ops.len(), 0.0);
        if let Some(st) = state {
            for (&p, &v) in self.slots.iter().zip(st) {
                values[p as usize] = v;
            }
        }
        for (&p, &v) in self.input_pos.iter().zip(inputs) {
            values[p as usize] = v;
        }
        let mut next_liquid = 0usize;
        for pos in 0..self.ops.len() {
            let op = self.ops[pos];
            if op == OP_INPUT {
                continue;
            }
            let (a, b) = (
                self.row_start[pos] as usize,
                self.row_start[pos + 1] as usize,
            );
            let mut sum = 0.0f64;
            for (&s, &w) in self.src[a..b].iter().zip(&self.weight[a..b]) {
                sum += w * values[s as usize];
            }
            let x = sum + self.bias[pos];
            let v = match op {
                OP_CFC | OP_LTC => {
                    let l = self.liquid[next_liquid];
                    next_liquid += 1;
                    liquid_step(op, x, values[pos], l)
                }
                _ => Activation::ALL[op as usize].apply(x),
            };
            if !(x.is_finite() && v.is_finite()) {
                return Err(self.overflow(pos));
            }
            values[pos] = v;
        }
        for (o, &p) in outputs.iter_mut().zip(&self.output_pos) {
            *o = values[p as usize];
        }
        if let Some(ns) = next_state {
            for (d, &p) in ns.iter_mut().zip(&self.slots) {
                *d = values[p as usize];
            }
        }
        Ok(())
    }
}

#[inline]
pub(super) fn liquid_step(op: u8, x: f64, prev: f64, l: Liquid) -> f64 {
    if op == OP_CFC {
        scalar::cfc(x, prev, l.tau, l.bound, &[], &[]).0
    } else {
        scalar::ode(x, prev, l.tau, l.bound, 1.0, &[], &[]).0
    }
}
