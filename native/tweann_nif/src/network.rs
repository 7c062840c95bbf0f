//! Network NIFs: evaluate (single, batch, stateful), info, benchmark; the
//! compile entries are `compile.rs`'s.
//!
//! Each function has a normal-scheduler entry that charges a [`Work`] budget
//! as it decodes and computes, and returns the atom `'$tweann_dirty'` as soon
//! as the work could exceed about 100 µs; the Erlang side then calls the
//! `_dirty` entry (DirtyCpu), which has no budget. Small calls never pay for
//! a dirty-scheduler switch, and no argument, however large, blocks a normal
//! scheduler.

mod compile;

use crate::atoms;
use crate::decode::{self, f64s_into, items, Work, NUMBER};
use crate::encode::{self, CELL_BYTES, FLOAT_BYTES};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::fast;
use crate::info::{Kind, Tracked};
use crate::numlist::{Next, NumList};
use crate::ownres::OwnType;
use rustler::{Encoder, Env, Term};
use std::mem::MaybeUninit;
use std::time::Instant;
use tweann_core::error::CoreError;
use tweann_core::network::{Network, StateModel, LANES};

/// The largest iteration count `benchmark_evaluate/3` accepts.
pub const MAX_ITERATIONS: u64 = 10_000_000;

/// A compiled network held by an Erlang reference. Read-only, so any number
/// of processes can evaluate it at once without locking.
pub struct NetRes {
    pub net: Network,
    _tracked: Tracked,
}

/// The resource type of compiled networks: read on every evaluation, so
/// opened by this library (see `ownres`), not through rustler's registry.
pub static NET_TYPE: OwnType<NetRes> = OwnType::new(c"tweann_network");

/// The network behind `term`, if it is one.
#[inline]
pub fn net_of(term: Term<'_>) -> Option<&Network> {
    NET_TYPE.get(term).map(|r| &r.net)
}

/// The network behind argument `arg`.
pub fn get_net<'a>(term: Term<'a>, arg: u8) -> Res<&'a Network> {
    net_of(term).ok_or_else(|| badarg(arg, "not a compiled network (use compile_network/3)"))
}

/// `net` in a new resource term.
pub(crate) fn make_net<'a>(env: Env<'a>, net: Network) -> Res<Term<'a>> {
    let bytes = net.info().bytes;
    let tracked = Tracked::new(Kind::Network, bytes);
    NET_TYPE
        .make(
            env,
            NetRes {
                net,
                _tracked: tracked,
            },
        )
        .ok_or_else(|| {
            raise(CoreError::memory(format!(
                "cannot allocate the resource of a network of {bytes} bytes"
            )))
        })
}

// ---------------------------------------------------------------- evaluate

fn eval_one<'a>(env: Env<'a>, net: Term<'a>, inputs: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let net = get_net(net, 1)?;
    work.check(net.cost().saturating_add(encode::cost(net.output_count())))?;
    work.take(net.cost())?;
    let mut v = Vec::with_capacity(net.input_count());
    let n = f64s_into(inputs, 2, "Inputs", &mut v, work)?;
    if n != net.input_count() {
        return Ok(Vec::<f64>::new().encode(env));
    }
    let mut out = work.zeros(net.output_count(), "the outputs")?;
    net.evaluate(&v, None, &mut out, None).or_raise()?;
    encode::floats(env, &out, work)
}

/// The common case of `evaluate/2` on the normal scheduler: a network whose
/// evaluation and inputs fit the budget, a list of exactly `input_count`
/// numbers, at most [`fast::SMALL`] inputs and outputs, a finite result.
/// Inputs and outputs stay on the stack. `None` at anything else: then
/// [`eval_one`] runs (the dirty hand-over, `[]` for a wrong count, the
/// detailed errors).
#[inline]
fn eval_fast<'a>(env: Env<'a>, net: Term<'a>, inputs: Term<'a>) -> Option<Term<'a>> {
    let net = net_of(net)?;
    let (ni, no) = (net.input_count(), net.output_count());
    // The charges of eval_one: the evaluation, then each number.
    let work = net.cost().checked_add(ni.checked_mul(NUMBER)?)?;
    if work > decode::NORMAL_WORK_LIMIT || ni > fast::SMALL || no > fast::SMALL {
        return None;
    }
    let mut list = NumList::new(inputs)?;
    let mut ins_buf = [MaybeUninit::<f64>::uninit(); fast::SMALL];
    let ins = fast::prefix(&mut ins_buf, ni, 0.0);
    for x in ins.iter_mut() {
        match list.next_num() {
            Next::Num(v) => *x = v,
            _ => return None,
        }
    }
    if !matches!(list.next_num(), Next::End) {
        return None;
    }
    let mut out_buf = [MaybeUninit::<f64>::uninit(); fast::SMALL];
    let out = fast::prefix(&mut out_buf, no, 0.0);
    net.evaluate(ins, None, out, None).ok()?;
    Some(fast::float_list(env, out))
}

fast_nif!(evaluate (env; net, inputs) =>
          eval_fast(env, net, inputs),
          else eval_one(env, net, inputs, &mut Work::normal()));

#[rustler::nif(schedule = "DirtyCpu")]
fn evaluate_dirty<'a>(env: Env<'a>, net: Term<'a>, inputs: Term<'a>) -> Res<Term<'a>> {
    eval_one(env, net, inputs, &mut Work::dirty(env))
}

/// `evaluate_batch/2`. `normal` is true on the normal scheduler: there the
/// call hands over to the dirty entry as soon as the batch's size says the
/// work would pass the budget, before any row is decoded.
fn eval_batch<'a>(
    env: Env<'a>,
    net: Term<'a>,
    batch: Term<'a>,
    work: &mut Work,
    normal: bool,
) -> Res<Term<'a>> {
    let net = get_net(net, 1)?;
    let (ni, no) = (net.input_count(), net.output_count());
    let bin = if batch.is_binary() {
        Some(rustler::Binary::from_term(batch).map_err(|_| badarg(2, "Batch is not a binary"))?)
    } else {
        None
    };
    let rows = match &bin {
        Some(b) => (b.len() / 8).checked_div(ni).unwrap_or(0),
        None => decode::count(batch, 2, "Batch", work)?,
    };
    // What decoding full rows and evaluating them will charge.
    let per_number = if bin.is_some() { 1 } else { NUMBER };
    let estimate = rows
        .saturating_mul(ni.saturating_mul(per_number))
        .saturating_add(rows.saturating_mul(net.cost()) / 3);
    if normal && estimate > decode::NORMAL_WORK_LIMIT {
        return Err(decode::dirty());
    }
    // The result terms and the lanes' node values, then the decoded rows
    // and the outputs: all counted against the memory budget first.
    let terms = rows
        .saturating_mul(no)
        .saturating_mul(FLOAT_BYTES)
        .saturating_add(rows.saturating_mul(CELL_BYTES))
        .saturating_add(net.node_count().saturating_mul(LANES).saturating_mul(8));
    work.reserve(terms, &format!("this batch of {rows} rows"))?;
    let mut flat = work.vec(rows.saturating_mul(ni), "the batch")?;
    // Which rows have the right length (the others give []).
    let mut valid: Vec<bool> = work.vec(rows, "the batch")?;
    if let Some(bin) = &bin {
        let bytes = bin.as_slice();
        if ni == 0 && !bytes.is_empty() {
            return Err(badarg(
                2,
                "the network has no inputs, so a binary Batch must be empty",
            ));
        }
        if ni > 0 && bytes.len() % (8 * ni) != 0 {
            return Err(badarg(
                2,
                format!(
                    "a binary Batch must hold whole rows of {ni} f64 values ({} bytes each)",
                    8 * ni
                ),
            ));
        }
        work.take(bytes.len() / 8)?;
        decode::binary_f64s_into(bytes, 2, "Batch", &mut flat, work)?;
        valid.resize(rows, true);
    } else {
        for row in items(batch, 2, "Batch")? {
            let before = flat.len();
            let n = f64s_into(row?, 2, "a row of Batch", &mut flat, work)?;
            if n == ni {
                valid.push(true);
            } else {
                flat.truncate(before);
                valid.push(false);
            }
        }
    }
    let good = valid.iter().filter(|&&v| v).count();
    // Rows share each pass over the connections: about 1/3 the cost each.
    let per_row = (net.cost() / 3).max(1);
    let compute = good.saturating_mul(per_row);
    let results = encode::cost(good.saturating_mul(no));
    work.check(compute.saturating_add(results))?;
    work.take(compute)?;
    let mut out = work.zeros(good.saturating_mul(no), "the batch outputs")?;
    // In chunks of about a millisecond (whole lane groups), so that a dirty
    // call can stop; rows are independent, so the bits are the same.
    let chunk = (crate::work::CHUNK / per_row / LANES).max(1) * LANES;
    let mut r = 0;
    while r < good {
        let k = chunk.min(good - r);
        let (i, o) = (&flat[r * ni..(r + k) * ni], &mut out[r * no..(r + k) * no]);
        net.evaluate_batch(i, k, o).or_raise()?;
        work.progress(k.saturating_mul(per_row))?;
        r += k;
    }
    // The result terms were counted above.
    work.take(results)?;
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env.
    let mut list = unsafe { rustler::sys::enif_make_list_from_array(e, std::ptr::null(), 0) };
    let mut next = good;
    for &ok in valid.iter().rev() {
        let row = if ok {
            next -= 1;
            // One list per row from an array (one ERTS call for the cells).
            work.progress(no.saturating_mul(NUMBER))?;
            fast::float_list(env, &out[next * no..(next + 1) * no])
        } else {
            Vec::<f64>::new().encode(env)
        };
        // SAFETY: both terms belong to this call's env.
        list = unsafe { rustler::sys::enif_make_list_cell(e, row.as_c_arg(), list) };
    }
    // SAFETY: made in this call's env.
    Ok(unsafe { Term::new(env, list) })
}

#[rustler::nif]
fn evaluate_batch<'a>(env: Env<'a>, net: Term<'a>, batch: Term<'a>) -> Res<Term<'a>> {
    let _profile = crate::work::Profile::start("evaluate_batch");
    eval_batch(env, net, batch, &mut Work::normal(), true)
}

#[rustler::nif(schedule = "DirtyCpu")]
fn evaluate_batch_dirty<'a>(env: Env<'a>, net: Term<'a>, batch: Term<'a>) -> Res<Term<'a>> {
    eval_batch(env, net, batch, &mut Work::dirty(env), false)
}

fn eval_state<'a>(
    env: Env<'a>,
    net: Term<'a>,
    inputs: Term<'a>,
    state: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let net = get_net(net, 1)?;
    let results = encode::cost(net.output_count() + net.state_size());
    work.check(net.cost().saturating_add(results))?;
    work.take(net.cost())?;
    let mut v = Vec::with_capacity(net.input_count());
    let n = f64s_into(inputs, 2, "Inputs", &mut v, work)?;
    let st = if crate::vmterm::term_is_nil(state) {
        None
    } else {
        Some(decode::f64s(state, 3, "State", work)?)
    };
    // A wrong input count or state length: {[], []} (well-formed data only).
    if n != net.input_count() || st.as_ref().is_some_and(|s| s.len() != net.state_size()) {
        let empty: Vec<f64> = Vec::new();
        return Ok((&empty, &empty).encode(env));
    }
    let mut out = work.zeros(net.output_count(), "the outputs")?;
    let mut next = work.zeros(net.state_size(), "the state")?;
    net.evaluate(&v, st.as_deref(), &mut out, Some(&mut next))
        .or_raise()?;
    let (o, s) = (
        encode::floats(env, &out, work)?,
        encode::floats(env, &next, work)?,
    );
    Ok(encode::pair(env, o, s))
}

nif_pair!(evaluate_with_state / evaluate_with_state_dirty (env; net, inputs, state) => eval_state);

// ---------------------------------------------------------------- info, bench

#[rustler::nif]
fn network_info<'a>(env: Env<'a>, net: Term<'a>) -> Res<Term<'a>> {
    let _profile = crate::work::Profile::start("network_info");
    let i = get_net(net, 1)?.info();
    let model = match i.state_model {
        StateModel::Organelles => atoms::organelles(),
        StateModel::ForwardRefs => atoms::forward_refs(),
    };
    let pairs = [
        (atoms::nodes(), i.nodes.encode(env)),
        (atoms::connections(), i.connections.encode(env)),
        (atoms::inputs(), i.inputs.encode(env)),
        (atoms::outputs(), i.outputs.encode(env)),
        (atoms::state_size(), i.state_size.encode(env)),
        (atoms::forward_refs(), i.forward_refs.encode(env)),
        (atoms::delay_nodes(), i.delay_nodes.encode(env)),
        (atoms::leaky_nodes(), i.leaky_nodes.encode(env)),
        (atoms::liquid_nodes(), i.liquid_nodes.encode(env)),
        (atoms::state_model(), model.encode(env)),
        (atoms::bytes(), i.bytes.encode(env)),
    ];
    Term::map_from_pairs(env, &pairs)
}

/// Evaluates natively `Iterations` times (inputs decoded once) and returns
/// the mean microseconds per evaluation. Always on a dirty scheduler; each
/// iteration reports its work, so the loop stops when the caller dies.
fn benchmark_impl<'a>(
    env: Env<'a>,
    net: Term<'a>,
    inputs: Term<'a>,
    iterations: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let n = get_net(net, 1)?;
    let v = decode::f64s(inputs, 2, "Inputs", work)?;
    if v.len() != n.input_count() {
        return Err(badarg(
            2,
            format!(
                "Inputs has {} values but the network takes {}",
                v.len(),
                n.input_count()
            ),
        ));
    }
    let iters = match iterations.decode::<u64>() {
        Ok(i) if (1..=MAX_ITERATIONS).contains(&i) => i,
        _ => {
            return Err(badarg(
                3,
                format!("Iterations must be a positive integer up to {MAX_ITERATIONS}"),
            ))
        }
    };
    let mut out = work.zeros(n.output_count(), "the outputs")?;
    let cost = n.cost().max(1);
    let start = Instant::now();
    for _ in 0..iters {
        work.take(cost)?;
        n.evaluate(std::hint::black_box(&v), None, &mut out, None)
            .or_raise()?;
        std::hint::black_box(&out);
    }
    Ok((start.elapsed().as_secs_f64() * 1e6 / iters as f64).encode(env))
}

dirty_nif!(benchmark_evaluate (env; net, inputs, iterations) => benchmark_impl);
