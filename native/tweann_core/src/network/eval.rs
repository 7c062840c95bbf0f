//! One evaluation step of a [`Network`], stateless or with state.

use super::{Liquid, Network, StateModel, OP_CFC, OP_DELAY, OP_INPUT, OP_LEAKY, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::scalar;

impl Network {
    /// Evaluate one step. `inputs.len()` must equal the input count (the
    /// caller handles the "wrong count gives []" contract). `state` is `None`
    /// (all zeros) or exactly `state_size` values; with `next_state` the
    /// slot values after the step are written there (`state_size` values).
    ///
    /// The three passes of the module documentation: delays emit (and, under
    /// [`StateModel::ForwardRefs`], every slot starts at its state), the
    /// other nodes run in list order, delays capture. Delays capture also in
    /// a stateless step, so a step overflows exactly when it would with a
    /// zero state.
    pub fn evaluate(
        &self,
        inputs: &[f64],
        state: Option<&[f64]>,
        outputs: &mut [f64],
        next_state: Option<&mut [f64]>,
    ) -> Result<(), CoreError> {
        debug_assert_eq!(inputs.len(), self.n_inputs);
        let held = |slot: usize| state.and_then(|s| s.get(slot)).copied().unwrap_or(0.0);
        let mut values = try_vec::<f64>(self.ops.len(), "node values")?;
        values.resize(self.ops.len(), 0.0);
        // Pass 1: delays emit; under forward_refs every slot starts at its state.
        if state.is_some() {
            for (k, &p) in self.slots.iter().enumerate() {
                let p = p as usize;
                if self.model == StateModel::ForwardRefs || self.ops[p] == OP_DELAY {
                    values[p] = held(k);
                }
            }
        }
        for (&p, &v) in self.input_pos.iter().zip(inputs) {
            values[p as usize] = v;
        }
        // Pass 2: every other node in list order. `slot` follows the slots
        // (ascending positions) to find an organelle's own.
        let (mut next_liquid, mut next_leaky, mut slot) = (0usize, 0usize, 0usize);
        for pos in 0..self.ops.len() {
            let op = self.ops[pos];
            if op == OP_INPUT || op == OP_DELAY {
                continue;
            }
            let x = self.weighted(pos, &values);
            let v = match op {
                OP_CFC | OP_LTC | OP_LEAKY => {
                    while self.slots.get(slot).is_some_and(|&p| (p as usize) < pos) {
                        slot += 1;
                    }
                    let prev = held(slot);
                    if op == OP_LEAKY {
                        let tau = self.leaky[next_leaky];
                        next_leaky += 1;
                        leaky_step(x, prev, tau)
                    } else {
                        let l = self.liquid[next_liquid];
                        next_liquid += 1;
                        liquid_step(op, x, prev, l)
                    }
                }
                _ => Activation::ALL[op as usize].apply(x),
            };
            if !(x.is_finite() && v.is_finite()) {
                return Err(self.overflow(pos));
            }
            values[pos] = v;
        }
        // Pass 3: delays capture, in slot (= list) order.
        let mut next_state = next_state;
        for (k, &p) in self.slots.iter().enumerate() {
            let p = p as usize;
            let v = if self.ops[p] == OP_DELAY {
                let c = self.weighted(p, &values);
                if !c.is_finite() {
                    return Err(self.overflow(p));
                }
                c
            } else {
                values[p]
            };
            if let Some(d) = next_state.as_deref_mut().and_then(|ns| ns.get_mut(k)) {
                *d = v;
            }
        }
        for (o, &p) in outputs.iter_mut().zip(&self.output_pos) {
            *o = values[p as usize];
        }
        Ok(())
    }

    /// `(0.0 + w1 * v1 + w2 * v2 + ...) + bias` over node `pos`'s connections.
    #[inline]
    fn weighted(&self, pos: usize, values: &[f64]) -> f64 {
        let (a, b) = (
            self.row_start[pos] as usize,
            self.row_start[pos + 1] as usize,
        );
        let mut sum = 0.0f64;
        for (&s, &w) in self.src[a..b].iter().zip(&self.weight[a..b]) {
            sum += w * values[s as usize];
        }
        sum + self.bias[pos]
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

/// The leaky integrator: the state moves toward `x` by `1 / tau`.
#[inline]
pub(super) fn leaky_step(x: f64, prev: f64, tau: f64) -> f64 {
    prev + (x - prev) / tau
}
