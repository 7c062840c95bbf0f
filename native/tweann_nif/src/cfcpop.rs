//! faber-tweann's batched CfC population: `compile_cfc_pop/6` makes a
//! read-only resource (counted with the cells in `memory_stats/0`),
//! `cfc_pop_step/3` steps every member once. Arguments are checked in the
//! order the Erlang reference `tweann_ref_cfcpop` checks them.

use crate::decode::{self, items, Work, NUMBER};
use crate::encode::{self, CELL_BYTES, FLOAT_BYTES, PAIR_BYTES};
use crate::error::{badarg, OrRaise, Res};
use crate::info::{Kind, Tracked};
use rustler::{Encoder, Env, Term};
use tweann_core::cfcpop::{self, CfcPop, Shape};

/// A compiled population, held by an Erlang reference.
pub struct CfcPopRes {
    pop: CfcPop,
    _tracked: Tracked,
}

#[rustler::resource_impl]
impl rustler::Resource for CfcPopRes {}

/// Decode rows of exactly `width` numbers into `flat`; returns the count.
fn rows_into(
    term: Term,
    arg: u8,
    what: &'static str,
    width: usize,
    flat: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    let mut n = 0;
    for row in items(term, arg, what)? {
        work.take(1)?;
        let got = decode::f64s_into(row?, arg, what, flat, work)?;
        if got != width {
            return Err(badarg(
                arg,
                format!("{what}: row {} has {got} values, expected {width}", n + 1),
            ));
        }
        n += 1;
    }
    Ok(n)
}

#[allow(clippy::too_many_arguments)] // the six arguments of compile_cfc_pop/6, env and work
fn compile_impl<'a>(
    env: Env<'a>,
    weights: Term<'a>,
    taus: Term<'a>,
    input: Term<'a>,
    hidden: Term<'a>,
    output: Term<'a>,
    bound: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    // A size that is not an integer reads as 0, which the core rejects.
    let size = |t: Term| decode::uint(t).unwrap_or(0);
    let shape = Shape::new(size(input), size(hidden), size(output)).or_raise()?;
    let bound = decode::number(bound).unwrap_or(f64::NAN);
    cfcpop::check_bound(bound).or_raise()?;
    let (wl, h) = (shape.weight_len(), shape.hidden);
    let p = decode::count(weights, 1, "WeightsPop", work)?;
    // The population's weights and time constants, counted from the rows'
    // number (shared rows are as many rows) before they are decoded.
    let mut w = work.vec(p.saturating_mul(wl), "the population's weights")?;
    let mut t = work.vec(p.saturating_mul(h), "the population's time constants")?;
    rows_into(weights, 1, "WeightsPop", wl, &mut w, work)?;
    let pt = rows_into(taus, 2, "TausPop", h, &mut t, work)?;
    if pt != p {
        return Err(badarg(
            2,
            format!("TausPop has {pt} rows for {p} weight vectors"),
        ));
    }
    let pop = CfcPop::new(shape, bound, w, t).or_raise()?;
    let bytes = std::mem::size_of::<CfcPopRes>() + pop.bytes();
    Ok(rustler::ResourceArc::new(CfcPopRes {
        pop,
        _tracked: Tracked::new(Kind::Cell, bytes),
    })
    .encode(env))
}

nif_pair!(compile_cfc_pop / compile_cfc_pop_dirty (env; weights, taus, input, hidden, output, bound) => compile_impl);

/// `flat` as `rows` rows of `width` floats (charged by the caller).
fn encode_rows<'a>(
    env: Env<'a>,
    flat: &[f64],
    width: usize,
    rows: usize,
    work: &mut Work,
) -> Res<Term<'a>> {
    encode::build_rows(env, flat, width, rows, work)
}

fn step_impl<'a>(
    env: Env<'a>,
    pop: Term<'a>,
    states: Term<'a>,
    inputs: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let r = pop
        .try_get_resource::<CfcPopRes>()
        .ok_or_else(|| badarg(1, "not a CfC population (use compile_cfc_pop/6)"))?;
    let (pop, shape) = (&r.pop, r.pop.shape());
    let p = pop.members();
    let values = p.saturating_mul(shape.output + shape.hidden);
    // The step itself and encoding its outputs and states.
    work.take(
        pop.step_cost()
            .saturating_add(values.saturating_mul(NUMBER)),
    )?;
    let mut s = work.vec(p.saturating_mul(shape.hidden), "the states")?;
    let ps = rows_into(states, 2, "StatesPop", shape.hidden, &mut s, work)?;
    if ps != p {
        return Err(badarg(2, format!("{ps} state rows for {p} networks")));
    }
    let mut x = work.vec(p.saturating_mul(shape.input), "the inputs")?;
    let px = rows_into(inputs, 3, "InputsPop", shape.input, &mut x, work)?;
    if px != p {
        return Err(badarg(3, format!("{px} input rows for {p} networks")));
    }
    let mut o = work.zeros(p.saturating_mul(shape.output), "the outputs")?;
    let mut n = work.zeros(p.saturating_mul(shape.hidden), "the states")?;
    pop.step_metered(&s, &x, &mut o, &mut n, work).or_raise()?;
    // The result terms: a float per value, a cell per row, the pair.
    let cells = p.saturating_mul(2).saturating_mul(CELL_BYTES);
    work.reserve(
        values
            .saturating_mul(FLOAT_BYTES)
            .saturating_add(cells)
            .saturating_add(PAIR_BYTES),
        "the result",
    )?;
    let outs = encode_rows(env, &o, shape.output, p, work)?;
    let states = encode_rows(env, &n, shape.hidden, p, work)?;
    Ok(encode::pair(env, outs, states))
}

nif_pair!(cfc_pop_step / cfc_pop_step_dirty (env; pop, states, inputs) => step_impl);
