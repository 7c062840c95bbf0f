//! One evaluation step of a [`Network`], stateless or with state: pass 2
//! runs in the order of the evaluation plan (`plan.rs`), and again in list
//! order only to name the node of an overflow.

use super::plan::{Conns, Step};
use super::{Liquid, Network, StateModel, OP_CFC, OP_DELAY, OP_INPUT, OP_LEAKY, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::math::Finite;
use crate::scalar;
use std::mem::MaybeUninit;

/// Networks of at most this many nodes keep their values in a stack array,
/// of which a step zeroes only the first `n`: no allocation for a step of
/// a network of a few hundred nodes, and little to clear for a small one.
const STACK_VALUES: usize = 256;
/// Networks with at least this many steps in pass 2 run groups of four
/// nodes with the 4-lane math.
const QUAD_STEPS: usize = 256;

/// `f!(TAG)` for the activation tag `$op` (0 to 16), `$other` for any
/// other op.
macro_rules! by_tag {
    ($op:expr, $f:ident, $other:expr) => {
        match $op {
            0 => $f!(0),
            1 => $f!(1),
            2 => $f!(2),
            3 => $f!(3),
            4 => $f!(4),
            5 => $f!(5),
            6 => $f!(6),
            7 => $f!(7),
            8 => $f!(8),
            9 => $f!(9),
            10 => $f!(10),
            11 => $f!(11),
            12 => $f!(12),
            13 => $f!(13),
            14 => $f!(14),
            15 => $f!(15),
            16 => $f!(16),
            _ => $other,
        }
    };
}
pub(super) use by_tag;

/// `(0.0 + w1 * v1 + w2 * v2 + ...) + bias` over a step's connections, in
/// list order.
#[inline(always)]
fn step_sum(c: Conns, values: &[f64], st: &Step) -> f64 {
    let (a, b) = (st.start as usize, st.end as usize);
    let mut sum = 0.0f64;
    for (&s, &w) in c.src[a..b].iter().zip(&c.w[a..b]) {
        sum += w * values[s as usize];
    }
    sum + st.bias
}

/// The sums of two steps, their connections interleaved (two independent
/// chains of additions), each in its own list order.
#[inline(always)]
fn step_sums(c: Conns, values: &[f64], a: &Step, b: &Step) -> [f64; 2] {
    let (sa, wa) = (
        &c.src[a.start as usize..a.end as usize],
        &c.w[a.start as usize..a.end as usize],
    );
    let (sb, wb) = (
        &c.src[b.start as usize..b.end as usize],
        &c.w[b.start as usize..b.end as usize],
    );
    let n = sa.len().min(sb.len());
    let (mut xa, mut xb) = (0.0f64, 0.0f64);
    for (((&ia, &va), &ib), &vb) in sa[..n].iter().zip(&wa[..n]).zip(&sb[..n]).zip(&wb[..n]) {
        xa += va * values[ia as usize];
        xb += vb * values[ib as usize];
    }
    for (&s, &w) in sa[n..].iter().zip(&wa[n..]) {
        xa += w * values[s as usize];
    }
    for (&s, &w) in sb[n..].iter().zip(&wb[n..]) {
        xb += w * values[s as usize];
    }
    [xa + a.bias, xb + b.bias]
}

/// True for the activations with 4-lane forms in [`crate::math`].
#[inline(always)]
fn lane_math(act: Activation) -> bool {
    matches!(
        act,
        Activation::Tanh
            | Activation::Sigmoid
            | Activation::Sin
            | Activation::Cos
            | Activation::Gaussian
    )
}

impl Network {
    /// Evaluate one step. `inputs.len()` must equal the input count (the
    /// caller handles the "wrong count gives []" contract). `state` is `None`
    /// (all zeros) or exactly `state_size` values; with `next_state` the
    /// slot values after the step are written there (`state_size` values).
    ///
    /// The three passes of the module documentation: delays emit (and, under
    /// [`StateModel::ForwardRefs`], every slot starts at its state), the
    /// other nodes run (in plan order, which gives the list order's bits),
    /// delays capture. Delays capture also in a stateless step, so a step
    /// overflows exactly when it would with a zero state.
    pub fn evaluate(
        &self,
        inputs: &[f64],
        state: Option<&[f64]>,
        outputs: &mut [f64],
        next_state: Option<&mut [f64]>,
    ) -> Result<(), CoreError> {
        debug_assert_eq!(inputs.len(), self.n_inputs);
        let n = self.ops.len();
        let mut stack = [MaybeUninit::<f64>::uninit(); STACK_VALUES];
        let mut heap;
        let values: &mut [f64] = if n <= STACK_VALUES {
            crate::stack::prefix(&mut stack, n, 0.0)
        } else {
            heap = try_vec::<f64>(n, "node values")?;
            heap.resize(n, 0.0);
            &mut heap
        };
        self.emit(values, inputs, state);
        // Big networks have groups wide enough for the 4-lane math; small
        // ones keep the tighter code of pairs.
        let done = if self.plan.steps.len() >= QUAD_STEPS {
            self.run_plan::<true>(values, state)
        } else {
            self.run_plan::<false>(values, state)
        };
        if !done {
            values.fill(0.0);
            self.emit(values, inputs, state);
            self.run_ordered(values, state)?;
        }
        self.capture(values, next_state)?;
        for (o, &p) in outputs.iter_mut().zip(&self.output_pos) {
            *o = values[p as usize];
        }
        Ok(())
    }

    /// [`Network::evaluate`] with pass 2 in list order (the definition).
    #[cfg(test)]
    pub(crate) fn evaluate_ordered(
        &self,
        inputs: &[f64],
        state: Option<&[f64]>,
        outputs: &mut [f64],
        next_state: Option<&mut [f64]>,
    ) -> Result<(), CoreError> {
        let mut values = vec![0.0; self.ops.len()];
        self.emit(&mut values, inputs, state);
        self.run_ordered(&mut values, state)?;
        self.capture(&values, next_state)?;
        for (o, &p) in outputs.iter_mut().zip(&self.output_pos) {
            *o = values[p as usize];
        }
        Ok(())
    }

    /// Pass 1 on zeroed values: delays emit; under forward_refs every slot
    /// starts at its state; the inputs.
    #[inline]
    fn emit(&self, values: &mut [f64], inputs: &[f64], state: Option<&[f64]>) {
        if let Some(st) = state {
            for (k, &p) in self.slots.iter().enumerate() {
                let p = p as usize;
                if self.model == StateModel::ForwardRefs || self.ops[p] == OP_DELAY {
                    values[p] = st.get(k).copied().unwrap_or(0.0);
                }
            }
        }
        for (&p, &v) in self.input_pos.iter().zip(inputs) {
            values[p as usize] = v;
        }
    }

    /// Pass 2 in plan order. False if some value is not finite (the caller
    /// then runs [`Network::run_ordered`] for the error).
    #[inline]
    fn run_plan<const QUAD: bool>(&self, values: &mut [f64], state: Option<&[f64]>) -> bool {
        let plan = &self.plan;
        let mut start = 0usize;
        let mut fin = Finite::new();
        for g in &plan.groups {
            let steps = &plan.steps[start..g.end as usize];
            start = g.end as usize;
            macro_rules! ordinary {
                ($tag:literal) => {
                    self.ordinary_group::<$tag, QUAD>(steps, values, fin)
                };
            }
            fin = by_tag!(
                g.op,
                ordinary,
                self.organelle_group(g.op, steps, values, state, fin)
            );
        }
        fin.all()
    }

    /// The steps of a group of ordinary nodes with activation `TAG`, two at
    /// a time, each `x` and value added to the finiteness test `fin`.
    /// Inlined into the dispatch (a call per group costs more than its
    /// register pressure).
    #[inline(always)]
    fn ordinary_group<const TAG: u8, const QUAD: bool>(
        &self,
        steps: &[Step],
        values: &mut [f64],
        fin: Finite,
    ) -> Finite {
        let act = Activation::ALL[TAG as usize];
        let conns = self.conns();
        let mut fin = fin;
        let mut rest = steps;
        if QUAD && lane_math(act) && steps.len() >= 4 {
            let whole = steps.len() / 4 * 4;
            fin = self.quad_steps::<TAG>(&steps[..whole], values, fin);
            rest = &steps[whole..];
        }
        let mut pairs = rest.chunks_exact(2);
        for p in &mut pairs {
            let x = step_sums(conns, values, &p[0], &p[1]);
            let v = act.apply_x2(x);
            fin = fin.add2(x).add2(v);
            values[p[0].pos as usize] = v[0];
            values[p[1].pos as usize] = v[1];
        }
        for st in pairs.remainder() {
            let x = step_sum(conns, values, st);
            let v = act.apply(x);
            fin = fin.add2([x, v]);
            values[st.pos as usize] = v;
        }
        fin
    }

    /// Steps of a group of ordinary nodes with activation `TAG` (a
    /// multiple of four of them), four at a time: two pairs of sums, one
    /// 4-lane activation. Out of line, so that the common short groups keep
    /// their tight inlined code.
    #[inline(never)]
    fn quad_steps<const TAG: u8>(&self, steps: &[Step], values: &mut [f64], fin: Finite) -> Finite {
        let act = Activation::ALL[TAG as usize];
        let conns = self.conns();
        let mut fin = fin;
        for q in steps.chunks_exact(4) {
            let a = step_sums(conns, values, &q[0], &q[1]);
            let b = step_sums(conns, values, &q[2], &q[3]);
            let x = [a[0], a[1], b[0], b[1]];
            let v = act.apply_x4(x);
            fin = fin.add2(a).add2(b).add2([v[0], v[1]]).add2([v[2], v[3]]);
            for (st, &y) in q.iter().zip(&v) {
                values[st.pos as usize] = y;
            }
        }
        fin
    }

    /// The steps of a group of leaky or liquid nodes (op `op`).
    #[inline(never)]
    fn organelle_group(
        &self,
        op: u8,
        steps: &[Step],
        values: &mut [f64],
        state: Option<&[f64]>,
        fin: Finite,
    ) -> Finite {
        let mut fin = fin;
        for st in steps {
            let x = step_sum(self.conns(), values, st);
            let Some(o) = self.plan.organelles.get(st.aux as usize) else {
                // Not reached (every organelle step has its entry); if it
                // were, failing the test sends the step to the list-order
                // evaluation, which does not use the plan.
                return fin.add2([f64::NAN, f64::NAN]);
            };
            let prev = state
                .and_then(|s| s.get(o.slot as usize))
                .copied()
                .unwrap_or(0.0);
            let v = if op == OP_LEAKY {
                leaky_step(x, prev, self.leaky[o.param as usize])
            } else {
                liquid_step(op, x, prev, self.liquid[o.param as usize])
            };
            fin = fin.add2([x, v]);
            values[st.pos as usize] = v;
        }
        fin
    }

    /// Pass 2 in list order, stopping at the first node whose `x` or value
    /// is not finite.
    #[cold]
    fn run_ordered(&self, values: &mut [f64], state: Option<&[f64]>) -> Result<(), CoreError> {
        let held = |slot: usize| state.and_then(|s| s.get(slot)).copied().unwrap_or(0.0);
        // `slot` follows the slots (ascending positions) to find an
        // organelle's own.
        let (mut next_liquid, mut next_leaky, mut slot) = (0usize, 0usize, 0usize);
        for pos in 0..self.ops.len() {
            let op = self.ops[pos];
            if op == OP_INPUT || op == OP_DELAY {
                continue;
            }
            let x = self.weighted(pos, values);
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
        Ok(())
    }

    /// Pass 3: delays capture, in slot (= list) order; every slot's value to
    /// `next_state`.
    #[inline]
    fn capture(&self, values: &[f64], next_state: Option<&mut [f64]>) -> Result<(), CoreError> {
        let mut next_state = next_state;
        for (k, &p) in self.slots.iter().enumerate() {
            let p = p as usize;
            let v = if self.ops[p] == OP_DELAY {
                let c = self.weighted(p, values);
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
