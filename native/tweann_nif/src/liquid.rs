//! Scalar liquid-neuron NIFs (`cfc_ltc.md` section 5). Layer-level cells
//! live in their own module.

use crate::atoms;
use crate::decode::{self, f64_arg, NORMAL_WORK_LIMIT};
use crate::error::{OrRaise, Res};
use rustler::{Encoder, Env, Term};
use tweann_core::scalar;

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

#[rustler::nif]
fn evaluate_cfc(input: Term, state: Term, tau: Term, bound: Term) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    scalar::check_finite(scalar::cfc(a.input, a.state, a.tau, a.bound, &[], &[])).or_raise()
}

#[rustler::nif]
#[allow(clippy::too_many_arguments)]
fn evaluate_cfc_with_weights(
    input: Term,
    state: Term,
    tau: Term,
    bound: Term,
    bw: Term,
    hw: Term,
) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    let bw = decode::f64s(bw, 5, "BackboneWeights")?;
    let hw = decode::f64s(hw, 6, "HeadWeights")?;
    scalar::check_finite(scalar::cfc(a.input, a.state, a.tau, a.bound, &bw, &hw)).or_raise()
}

#[rustler::nif]
fn evaluate_ode(input: Term, state: Term, tau: Term, bound: Term, dt: Term) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    let dt = f64_arg(dt, 5, "Dt")?;
    scalar::check_finite(scalar::ode(a.input, a.state, a.tau, a.bound, dt, &[], &[])).or_raise()
}

#[rustler::nif]
#[allow(clippy::too_many_arguments)]
fn evaluate_ode_with_weights(
    input: Term,
    state: Term,
    tau: Term,
    bound: Term,
    dt: Term,
    bw: Term,
    hw: Term,
) -> Res<(f64, f64)> {
    let a = scalar_args(input, state, tau, bound)?;
    let dt = f64_arg(dt, 5, "Dt")?;
    let bw = decode::f64s(bw, 6, "BackboneWeights")?;
    let hw = decode::f64s(hw, 7, "HeadWeights")?;
    scalar::check_finite(scalar::ode(a.input, a.state, a.tau, a.bound, dt, &bw, &hw)).or_raise()
}

fn cfc_batch_impl<'a>(
    env: Env<'a>,
    inputs: Term<'a>,
    s0: Term<'a>,
    tau: Term<'a>,
    bound: Term<'a>,
    limit: usize,
) -> Res<Term<'a>> {
    if decode::f64s_len(inputs, 1, "Inputs")? > limit {
        return Ok(atoms::tweann_dirty().encode(env));
    }
    let xs = decode::f64s(inputs, 1, "Inputs")?;
    let (state, tau, bound) = params(s0, tau, bound)?;
    let mut out = Vec::with_capacity(xs.len());
    scalar::cfc_batch(&xs, state, tau, bound, &mut out).or_raise()?;
    Ok(out.encode(env))
}

#[rustler::nif]
fn evaluate_cfc_batch<'a>(
    env: Env<'a>,
    inputs: Term<'a>,
    s0: Term<'a>,
    tau: Term<'a>,
    bound: Term<'a>,
) -> Res<Term<'a>> {
    cfc_batch_impl(env, inputs, s0, tau, bound, NORMAL_WORK_LIMIT / 2)
}

#[rustler::nif(schedule = "DirtyCpu")]
fn evaluate_cfc_batch_dirty<'a>(
    env: Env<'a>,
    inputs: Term<'a>,
    s0: Term<'a>,
    tau: Term<'a>,
    bound: Term<'a>,
) -> Res<Term<'a>> {
    cfc_batch_impl(env, inputs, s0, tau, bound, usize::MAX)
}
