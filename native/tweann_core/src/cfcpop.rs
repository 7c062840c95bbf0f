//! faber-tweann's batched CfC population (`compile_cfc_pop/6`,
//! `cfc_pop_step/3`): P feed-forward networks of one shape,
//! `In -> [Hidden CfC] -> Out` with tanh outputs, stepped together.
//!
//! Member `m` has one flat weight vector in faber-tweann's layout
//! (`network_evaluator:get_weights/1`): the hidden weights row by row
//! (`Hidden` rows of `In`), the hidden biases (`Hidden`), the output
//! weights row by row (`Out` rows of `Hidden`), the output biases (`Out`):
//! `Hidden*In + Hidden + Out*Hidden + Out` numbers; and `Hidden` time
//! constants. One step, for each member in order:
//!
//! * hidden neuron `j`: `sum = (0.0 + w[j][0]*x[0] + w[j][1]*x[1] + ...) + b[j]`
//!   (left to right); its new state is the scalar CfC step
//!   [`crate::scalar::cfc`]`(sum, state[j], tau[j], Bound)` without weights:
//!   `s = sig(-(sum / max(tau, 0.001)))`,
//!   `clamp(s * state + (1 - s) * tanh(sum), -Bound, Bound)`;
//! * output `k`: `tanh((0.0 + v[k][0]*h[0] + ...) + c[k])` over the new
//!   hidden states `h`.
//!
//! A sum, or `sum / max(tau, 0.001)`, that is not finite is an overflow
//! error (Erlang raises `badarith` at that point).

use crate::error::{try_vec, CoreError};
use crate::meter::{Meter, Unmetered};
use crate::scalar;

/// The layer sizes of every member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub input: usize,
    pub hidden: usize,
    pub output: usize,
}

impl Shape {
    /// Sizes must be integers from 1 to 2^32 - 1 (the glue passes 0 for an
    /// argument that is not an integer), checked in argument order, and
    /// small enough that a member's weight count fits; arguments 3, 4 and 5
    /// of `compile_cfc_pop/6`.
    pub fn new(input: u64, hidden: u64, output: u64) -> Result<Self, CoreError> {
        let size = |v: u64, arg: u8, name: &str| -> Result<usize, CoreError> {
            if v == 0 || v > u32::MAX as u64 {
                Err(CoreError::badarg(
                    arg,
                    format!("{name} must be an integer from 1 to 4294967295"),
                ))
            } else {
                Ok(v as usize)
            }
        };
        let s = Shape {
            input: size(input, 3, "InputSize")?,
            hidden: size(hidden, 4, "HiddenSize")?,
            output: size(output, 5, "OutputSize")?,
        };
        if s.checked_weight_len().is_none() {
            return Err(CoreError::badarg(
                4,
                "the layer sizes give more weights than memory can hold",
            ));
        }
        Ok(s)
    }

    fn checked_weight_len(&self) -> Option<usize> {
        let (i, h, o) = (self.input, self.hidden, self.output);
        h.checked_mul(i)?
            .checked_add(h)?
            .checked_add(o.checked_mul(h)?)?
            .checked_add(o)
    }

    /// Weights per member: `Hidden*In + Hidden + Out*Hidden + Out`.
    pub fn weight_len(&self) -> usize {
        self.checked_weight_len().unwrap_or(usize::MAX)
    }
}

/// A compiled population (read-only; steps share it).
#[derive(Debug, Clone)]
pub struct CfcPop {
    shape: Shape,
    bound: f64,
    members: usize,
    weights: Vec<f64>,
    taus: Vec<f64>,
}

/// `Bound` (argument 6) must be a number `>= 0`.
pub fn check_bound(bound: f64) -> Result<(), CoreError> {
    scalar::check_bound(bound, 6)
}

impl CfcPop {
    /// A population from `members` flat weight vectors back to back and
    /// `members` tau vectors back to back.
    pub fn new(
        shape: Shape,
        bound: f64,
        weights: Vec<f64>,
        taus: Vec<f64>,
    ) -> Result<Self, CoreError> {
        check_bound(bound)?;
        let wl = shape.weight_len();
        if weights.len() % wl != 0 {
            return Err(CoreError::badarg(
                1,
                format!("every weight vector must hold {wl} numbers"),
            ));
        }
        let members = weights.len() / wl;
        if taus.len() != members * shape.hidden {
            return Err(CoreError::badarg(
                2,
                format!(
                    "{} networks need {} time constants ({} each), got {}",
                    members,
                    members * shape.hidden,
                    shape.hidden,
                    taus.len()
                ),
            ));
        }
        Ok(CfcPop {
            shape,
            bound,
            members,
            weights,
            taus,
        })
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn members(&self) -> usize {
        self.members
    }

    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// Bytes held by the weights and time constants.
    pub fn bytes(&self) -> usize {
        8 * (self.weights.len() + self.taus.len())
    }

    /// Work of one step of the whole population, in multiply-adds (a CfC
    /// neuron's exp, tanh and division count as 16), for scheduling.
    pub fn step_cost(&self) -> usize {
        let s = self.shape;
        self.members.saturating_mul(
            self.shape
                .weight_len()
                .saturating_add(s.hidden.saturating_mul(16)),
        )
    }

    /// One step: `states` and `new_states` hold `members * Hidden` values,
    /// `inputs` `members * In`, `out` `members * Out`, member after member.
    pub fn step(
        &self,
        states: &[f64],
        inputs: &[f64],
        out: &mut [f64],
        new_states: &mut [f64],
    ) -> Result<(), CoreError> {
        self.step_metered(states, inputs, out, new_states, &mut Unmetered)
    }

    /// Work units of one member's step ([`CfcPop::step_cost`] per member).
    pub fn member_cost(&self) -> usize {
        self.shape
            .weight_len()
            .saturating_add(self.shape.hidden.saturating_mul(16))
    }

    /// [`CfcPop::step`] telling `meter` of each member's work
    /// ([`CfcPop::member_cost`]) before it is done: a meter that answers
    /// [`Interrupted`](crate::meter::Interrupted) stops it between two
    /// members. Members are independent: metering never changes a result.
    pub fn step_metered(
        &self,
        states: &[f64],
        inputs: &[f64],
        out: &mut [f64],
        new_states: &mut [f64],
        meter: &mut dyn Meter,
    ) -> Result<(), CoreError> {
        let Shape {
            input: ni,
            hidden: nh,
            output: no,
        } = self.shape;
        let p = self.members;
        if states.len() != p * nh {
            return Err(CoreError::badarg(
                2,
                format!("the states must be {p} rows of {nh} values"),
            ));
        }
        if inputs.len() != p * ni {
            return Err(CoreError::badarg(
                3,
                format!("the inputs must be {p} rows of {ni} values"),
            ));
        }
        if out.len() != p * no || new_states.len() != p * nh {
            return Err(CoreError::general("output buffers of the wrong size"));
        }
        let wl = self.shape.weight_len();
        let cost = self.member_cost();
        for m in 0..p {
            meter.tick(cost)?;
            let w = &self.weights[m * wl..(m + 1) * wl];
            let (w1, rest) = w.split_at(nh * ni);
            let (b1, rest) = rest.split_at(nh);
            let (w2, b2) = rest.split_at(no * nh);
            let x = &inputs[m * ni..(m + 1) * ni];
            let s = &states[m * nh..(m + 1) * nh];
            let tau = &self.taus[m * nh..(m + 1) * nh];
            let h = &mut new_states[m * nh..(m + 1) * nh];
            for j in 0..nh {
                let mut acc = 0.0;
                for (&wk, &xk) in w1[j * ni..(j + 1) * ni].iter().zip(x) {
                    acc += wk * xk;
                }
                let sum = acc + b1[j];
                if !(sum.is_finite() && (sum / tau[j].max(0.001)).is_finite()) {
                    return Err(overflow(m, "hidden"));
                }
                h[j] = scalar::cfc(sum, s[j], tau[j], self.bound, &[], &[]).0;
            }
            let o = &mut out[m * no..(m + 1) * no];
            for k in 0..no {
                let mut acc = 0.0;
                for (&vk, &hk) in w2[k * nh..(k + 1) * nh].iter().zip(h.iter()) {
                    acc += vk * hk;
                }
                let sum = acc + b2[k];
                if !sum.is_finite() {
                    return Err(overflow(m, "output"));
                }
                o[k] = crate::math::tanh(sum);
            }
        }
        Ok(())
    }

    /// [`CfcPop::step`] into new vectors `(outputs, new_states)`.
    pub fn step_vecs(
        &self,
        states: &[f64],
        inputs: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>), CoreError> {
        let (p, s) = (self.members, self.shape);
        let mut out = try_vec::<f64>(p * s.output, "population outputs")?;
        out.resize(p * s.output, 0.0);
        let mut ns = try_vec::<f64>(p * s.hidden, "population states")?;
        ns.resize(p * s.hidden, 0.0);
        self.step(states, inputs, &mut out, &mut ns)?;
        Ok((out, ns))
    }
}

fn overflow(member: usize, layer: &str) -> CoreError {
    CoreError::overflow(format!(
        "arithmetic overflow in the {layer} layer of network {}",
        member + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// faber-tweann's formulas written out over nested vectors, the layout
    /// reshaped row by row as their compile step does.
    fn naive(
        flat: &[f64],
        taus: &[f64],
        s: Shape,
        bound: f64,
        state: &[f64],
        x: &[f64],
    ) -> (Vec<f64>, Vec<f64>) {
        let (ni, nh, no) = (s.input, s.hidden, s.output);
        let mut idx = 0;
        let mut w1 = Vec::new();
        for _ in 0..nh {
            w1.push(flat[idx..idx + ni].to_vec());
            idx += ni;
        }
        let b1 = flat[idx..idx + nh].to_vec();
        idx += nh;
        let mut w2 = Vec::new();
        for _ in 0..no {
            w2.push(flat[idx..idx + nh].to_vec());
            idx += nh;
        }
        let b2 = flat[idx..idx + no].to_vec();
        let sig = |v: f64| crate::math::sigmoid(v.clamp(-10.0, 10.0));
        let mut hidden = Vec::new();
        for j in 0..nh {
            let sum = w1[j].iter().zip(x).fold(0.0, |a, (w, v)| a + w * v) + b1[j];
            let f = sum / taus[j].max(0.001);
            let g = sig(-f);
            hidden.push((g * state[j] + (1.0 - g) * crate::math::tanh(sum)).clamp(-bound, bound));
        }
        let out = (0..no)
            .map(|k| {
                crate::math::tanh(
                    w2[k].iter().zip(&hidden).fold(0.0, |a, (w, v)| a + w * v) + b2[k],
                )
            })
            .collect();
        (out, hidden)
    }

    #[test]
    fn by_hand() {
        // 1 input, 1 hidden, 1 output: weights [w, b, v, c].
        let s = Shape::new(1, 1, 1).unwrap();
        let pop = CfcPop::new(s, 1.0, vec![2.0, 0.5, 3.0, -0.25], vec![0.5]).unwrap();
        let (o, h) = pop.step_vecs(&[0.2], &[0.1]).unwrap();
        let sum: f64 = 0.0 + 2.0 * 0.1 + 0.5;
        let g = crate::math::sigmoid(-(sum / 0.5));
        let want_h = g * 0.2 + (1.0 - g) * crate::math::tanh(sum);
        assert_eq!(h, vec![want_h]);
        assert_eq!(o, vec![crate::math::tanh(0.0 + 3.0 * want_h - 0.25)]);
    }

    #[test]
    fn checks() {
        assert!(Shape::new(0, 1, 1).is_err());
        assert_eq!(
            Shape::new(1, 0, 1).unwrap_err().position,
            crate::Position::Arg(4)
        );
        assert!(Shape::new(1, 1, 1 << 33).is_err());
        let s = Shape::new(2, 3, 1).unwrap();
        assert_eq!(s.weight_len(), 6 + 3 + 3 + 1);
        assert!(CfcPop::new(s, 1.0, vec![0.0; 12], vec![1.0; 3]).is_err());
        assert!(CfcPop::new(s, 1.0, vec![0.0; 13], vec![1.0; 2]).is_err());
        assert!(CfcPop::new(s, -1.0, vec![0.0; 13], vec![1.0; 3]).is_err());
        let pop = CfcPop::new(s, 1.0, vec![0.0; 26], vec![1.0; 6]).unwrap();
        assert_eq!(pop.members(), 2);
        assert_eq!(
            pop.step_vecs(&[0.0; 5], &[0.0; 4]).unwrap_err().position,
            crate::Position::Arg(2)
        );
        assert_eq!(
            pop.step_vecs(&[0.0; 6], &[0.0; 5]).unwrap_err().position,
            crate::Position::Arg(3)
        );
        let empty = CfcPop::new(s, 1.0, vec![], vec![]).unwrap();
        assert_eq!(empty.step_vecs(&[], &[]).unwrap(), (vec![], vec![]));
    }

    #[test]
    fn overflow_is_an_error() {
        let s = Shape::new(1, 1, 1).unwrap();
        let pop = CfcPop::new(s, 1.0, vec![1e300, 0.0, 1.0, 0.0], vec![1.0]).unwrap();
        assert!(pop.step_vecs(&[0.0], &[1e10]).is_err());
        // sum finite, sum / 0.001 not.
        let pop = CfcPop::new(s, 1.0, vec![1.0, 0.0, 1.0, 0.0], vec![0.0]).unwrap();
        assert!(pop.step_vecs(&[0.0], &[1e306]).is_err());
        let pop = CfcPop::new(s, 1.0, vec![1.0, 0.0, f64::MAX, f64::MAX], vec![1.0]).unwrap();
        assert!(pop.step_vecs(&[0.0], &[1.0]).is_err());
    }

    /// Shape, members, weights, taus, states, inputs, bound.
    type Case = (Shape, usize, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, f64);

    fn case() -> impl Strategy<Value = Case> {
        (1usize..5, 1usize..6, 1usize..4, 0usize..5, 0.0f64..3.0).prop_flat_map(
            |(i, h, o, p, bound)| {
                let s = Shape::new(i as u64, h as u64, o as u64).unwrap();
                let wl = s.weight_len();
                (
                    Just(s),
                    Just(p),
                    proptest::collection::vec(-3.0f64..3.0, p * wl),
                    proptest::collection::vec(-0.5f64..5.0, p * h),
                    proptest::collection::vec(-2.0f64..2.0, p * h),
                    proptest::collection::vec(-5.0f64..5.0, p * i),
                    Just(bound),
                )
            },
        )
    }

    proptest! {
        #[test]
        fn equals_naive((s, p, w, taus, st, x, bound) in case()) {
            let pop = CfcPop::new(s, bound, w.clone(), taus.clone()).unwrap();
            let (o, h) = pop.step_vecs(&st, &x).unwrap();
            let wl = s.weight_len();
            for m in 0..p {
                let (no, nh) = naive(&w[m * wl..(m + 1) * wl], &taus[m * s.hidden..(m + 1) * s.hidden], s, bound,
                                     &st[m * s.hidden..(m + 1) * s.hidden], &x[m * s.input..(m + 1) * s.input]);
                let ob: Vec<u64> = o[m * s.output..(m + 1) * s.output].iter().map(|v| v.to_bits()).collect();
                let hb: Vec<u64> = h[m * s.hidden..(m + 1) * s.hidden].iter().map(|v| v.to_bits()).collect();
                prop_assert_eq!(ob, no.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
                prop_assert_eq!(hb, nh.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            }
        }

        #[test]
        fn metered_same_bits_or_stops((s, p, w, taus, st, x, bound) in case(), limit in 0usize..6) {
            let pop = CfcPop::new(s, bound, w, taus).unwrap();
            let (o, h) = pop.step_vecs(&st, &x).unwrap();
            let (mut o2, mut h2) = (vec![0.0; o.len()], vec![0.0; h.len()]);
            // The meter lets `limit` members through.
            let mut meter = crate::meter::Limit::new(limit * pop.member_cost());
            let r = pop.step_metered(&st, &x, &mut o2, &mut h2, &mut meter);
            let done = p.min(limit);
            if p <= limit {
                prop_assert!(r.is_ok());
            } else {
                prop_assert_eq!(r.unwrap_err().kind, crate::error::ErrorKind::Interrupted);
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&o2[..done * s.output]), bits(&o[..done * s.output]));
            prop_assert_eq!(bits(&h2[..done * s.hidden]), bits(&h[..done * s.hidden]));
        }
    }
}
