//! Scalar liquid-neuron NIFs over [`tweann_core::scalar`] (`docs/cells.md`
//! section 5). Layer-level cells live in `cells.rs`.

use crate::decode::{self, f64_arg, number, Work, NUMBER};
use crate::encode;
use crate::error::{OrRaise, Res};
use crate::fast;
use rustler::{Env, Term};
use tweann_core::scalar;

/// Steps between two liveness reports of a dirty call.
const STRIDE: usize = 4096;

struct Args {
    input: f64,
    state: f64,
    tau: f64,
    bound: f64,
}

/// State, Tau and Bound: arguments 2, 3 and 4 of every scalar function.
fn params(state: Term, tau: Term, bound: Term) -> Res<(f64, f64, f64)> {
    let p = (
        f64_arg(state, 2, "State")?,
        f64_arg(tau, 3, "Tau")?,
        f64_arg(bound, 4, "Bound")?,
    );
    scalar::check_bound(p.2, 4).or_raise()?;
    Ok(p)
}

fn scalar_args(input: Term, state: Term, tau: Term, bound: Term) -> Res<Args> {
    let input = f64_arg(input, 1, "Input")?;
    let (state, tau, bound) = params(state, tau, bound)?;
    Ok(Args {
        input,
        state,
        tau,
        bound,
    })
}

fn cfc_detailed(input: Term, state: Term, tau: Term, bound: Term) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    scalar::check_finite(scalar::cfc(a.input, a.state, a.tau, a.bound, &[], &[])).or_raise()
}

/// The common case of `evaluate_cfc/4`: four numbers, a valid bound, a
/// finite result. Anything else goes to [`cfc_detailed`].
#[inline]
fn cfc_fast<'a>(
    env: Env<'a>,
    input: Term,
    state: Term,
    tau: Term,
    bound: Term,
) -> Option<Term<'a>> {
    let (u, s, t, b) = (number(input)?, number(state)?, number(tau)?, number(bound)?);
    if !scalar::bound_ok(b) {
        return None;
    }
    let r = scalar::cfc(u, s, t, b, &[], &[]);
    scalar::finite_pair(r).then(|| fast::float_pair(env, r))
}

fast_nif!(evaluate_cfc (env; input, state, tau, bound) =>
          cfc_fast(env, input, state, tau, bound),
          else cfc_detailed(input, state, tau, bound));

fn cfc_weights_impl(args: [Term<'_>; 6], work: &mut Work) -> Res<(f64, f64)> {
    let [input, state, tau, bound, bw, hw] = args;
    let a = scalar_args(input, state, tau, bound)?;
    let bw = decode::f64s(bw, 5, "BackboneWeights", work)?;
    let hw = decode::f64s(hw, 6, "HeadWeights", work)?;
    scalar::check_finite(scalar::cfc(a.input, a.state, a.tau, a.bound, &bw, &hw)).or_raise()
}

nif_pair!(evaluate_cfc_with_weights / evaluate_cfc_with_weights_dirty (input, state, tau, bound, bw, hw) -> Res<(f64, f64)>,
          |work| cfc_weights_impl([input, state, tau, bound, bw, hw], work));

fn ode_detailed(input: Term, state: Term, tau: Term, bound: Term, dt: Term) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    let dt = f64_arg(dt, 5, "Dt")?;
    scalar::check_finite(scalar::ode(a.input, a.state, a.tau, a.bound, dt, &[], &[])).or_raise()
}

/// The common case of `evaluate_ode/5` (see [`cfc_fast`]).
#[inline]
fn ode_fast<'a>(
    env: Env<'a>,
    input: Term,
    state: Term,
    tau: Term,
    bound: Term,
    dt: Term,
) -> Option<Term<'a>> {
    let (u, s, t, b) = (number(input)?, number(state)?, number(tau)?, number(bound)?);
    if !scalar::bound_ok(b) {
        return None;
    }
    let dt = number(dt)?;
    let r = scalar::ode(u, s, t, b, dt, &[], &[]);
    scalar::finite_pair(r).then(|| fast::float_pair(env, r))
}

fast_nif!(evaluate_ode (env; input, state, tau, bound, dt) =>
          ode_fast(env, input, state, tau, bound, dt),
          else ode_detailed(input, state, tau, bound, dt));

fn ode_weights_impl(args: [Term; 7], work: &mut Work) -> Res<(f64, f64)> {
    let [input, state, tau, bound, dt, bw, hw] = args;
    let a = scalar_args(input, state, tau, bound)?;
    let dt = f64_arg(dt, 5, "Dt")?;
    let bw = decode::f64s(bw, 6, "BackboneWeights", work)?;
    let hw = decode::f64s(hw, 7, "HeadWeights", work)?;
    scalar::check_finite(scalar::ode(a.input, a.state, a.tau, a.bound, dt, &bw, &hw)).or_raise()
}

nif_pair!(evaluate_ode_with_weights / evaluate_ode_with_weights_dirty (input, state, tau, bound, dt, bw, hw) -> Res<(f64, f64)>,
          |work| ode_weights_impl([input, state, tau, bound, dt, bw, hw], work));

fn cfc_batch_impl<'a>(
    env: Env<'a>,
    inputs: Term<'a>,
    s0: Term<'a>,
    tau: Term<'a>,
    bound: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let xs = decode::f64s(inputs, 1, "Inputs", work)?;
    // Each step is a few libm calls; hand over before computing what could
    // not be encoded here.
    let steps = 2 * NUMBER * xs.len();
    work.check(steps.saturating_add(encode::cost(2 * xs.len())))?;
    work.take(steps)?;
    let (state, tau, bound) = params(s0, tau, bound)?;
    let mut out = work.vec::<(f64, f64)>(xs.len(), "the steps")?;
    // The fold in strides (each continues from the last state), so that a
    // dirty call can stop; the same operations in the same order.
    let mut s = state;
    for chunk in xs.chunks(STRIDE) {
        scalar::cfc_batch(chunk, s, tau, bound, &mut out).or_raise()?;
        s = out.last().map_or(s, |r| r.0);
        work.progress(2 * NUMBER * chunk.len())?;
    }
    encode::pairs(env, &out, work)
}

nif_pair!(evaluate_cfc_batch / evaluate_cfc_batch_dirty (env; inputs, s0, tau, bound) => cfc_batch_impl);
