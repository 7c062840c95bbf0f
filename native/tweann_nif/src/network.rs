//! Network NIFs: compile, evaluate (single, batch, stateful), info, benchmark.
//!
//! Each function has a normal-scheduler entry that charges a [`Work`] budget
//! as it decodes and computes, and returns the atom `'$tweann_dirty'` as soon
//! as the work could exceed about 100 µs; the Erlang side then calls the
//! `_dirty` entry (DirtyCpu), which has no budget. Small calls never pay for
//! a dirty-scheduler switch, and no argument, however large, blocks a normal
//! scheduler.

use crate::atoms;
use crate::decode::{self, f64s_into, items, tuple, Work, NUMBER};
use crate::encode::{self, CELL_BYTES, FLOAT_BYTES};
use crate::error::{badarg, OrRaise, Res};
use crate::fast;
use crate::info::{self, Kind, Tracked};
use crate::numlist::{Next, NumList};
use rustler::{Encoder, Env, Term};
use std::time::Instant;
use tweann_core::network::{Network, NetworkBuilder, NodeKind, StateModel, LANES};

/// The largest iteration count `benchmark_evaluate/3` accepts.
pub const MAX_ITERATIONS: u64 = 10_000_000;

/// A compiled network held by an Erlang reference. Read-only, so any number
/// of processes can evaluate it at once without locking.
pub struct NetRes {
    pub net: Network,
    _tracked: Tracked,
}

#[rustler::resource_impl]
impl rustler::Resource for NetRes {}

/// The network behind argument `arg`.
pub fn get_net<'a>(term: Term<'a>, arg: u8) -> Res<&'a Network> {
    term.try_get_resource::<NetRes>()
        .map(|r| &r.net)
        .ok_or_else(|| badarg(arg, "not a compiled network (use compile_network/3)"))
}

// ---------------------------------------------------------------- compile

const KINDS: &str = "input, neuron, hidden, output, bias, delay, {leaky, Tau}, \
                     {cfc, Tau, Bound} or {ltc, Tau, Bound}";

fn node_kind(term: Term, index: u64) -> Res<NodeKind> {
    let bad = || {
        badarg(
            1,
            format!("node {index}: unknown node type (one of {KINDS})"),
        )
    };
    // The plain types by term identity (an atom is equal to one term only).
    let raw = term.as_c_arg();
    if raw == atoms::input().as_c_arg() {
        return Ok(NodeKind::Input);
    }
    if [
        atoms::hidden(),
        atoms::output(),
        atoms::neuron(),
        atoms::bias(),
    ]
    .iter()
    .any(|a| a.as_c_arg() == raw)
    {
        return Ok(NodeKind::Ordinary);
    }
    if let Ok(a) = term.decode::<rustler::Atom>() {
        return if a == atoms::input() {
            Ok(NodeKind::Input)
        } else if a == atoms::neuron()
            || a == atoms::hidden()
            || a == atoms::output()
            || a == atoms::bias()
        {
            Ok(NodeKind::Ordinary)
        } else if a == atoms::delay() {
            Ok(NodeKind::Delay)
        } else {
            Err(bad())
        };
    }
    let Ok(t) = rustler::types::tuple::get_tuple(term) else {
        return Err(bad());
    };
    let tag: rustler::Atom = t.first().and_then(|x| x.decode().ok()).ok_or_else(bad)?;
    let num = |k: usize| t.get(k).and_then(|&x| decode::number(x));
    if t.len() == 2 && tag == atoms::leaky() {
        let Some(tau) = num(1) else {
            return Err(badarg(
                1,
                format!("node {index}: leaky Tau must be a number > 0"),
            ));
        };
        return Ok(NodeKind::Leaky { tau });
    }
    if t.len() != 3 || !(tag == atoms::cfc() || tag == atoms::ltc()) {
        return Err(bad());
    }
    let (Some(tau), Some(bound)) = (num(1), num(2)) else {
        return Err(badarg(
            1,
            format!("node {index}: Tau and Bound must be numbers"),
        ));
    };
    Ok(if tag == atoms::cfc() {
        NodeKind::Cfc { tau, bound }
    } else {
        NodeKind::Ltc { tau, bound }
    })
}

/// The activation an atom names, by term identity (what
/// [`atoms::acts::decode`] finds, without asking whether it is an atom).
#[inline]
fn activation(term: Term) -> Option<tweann_core::activation::Activation> {
    let raw = term.as_c_arg();
    atoms::acts::all()
        .iter()
        .position(|a| a.as_c_arg() == raw)
        .and_then(|k| tweann_core::activation::Activation::from_tag(k as u8))
}

/// The state model argument: `organelles` or `forward_refs`.
fn state_model(term: Term, arg: u8) -> Res<StateModel> {
    match term.decode::<rustler::Atom>() {
        Ok(a) if a == atoms::organelles() => Ok(StateModel::Organelles),
        Ok(a) if a == atoms::forward_refs() => Ok(StateModel::ForwardRefs),
        _ => Err(badarg(
            arg,
            "state_model must be organelles or forward_refs",
        )),
    }
}

/// Work units [`compile`] charges per node (its five elements, and
/// resolving its index) and per connection (its tuple and two numbers).
const NODE_UNITS: usize = 5 * NUMBER + 1;
const CONN_UNITS: usize = 3 * NUMBER;

/// List cells [`shape`] walks between two charges.
const STRIDE: usize = 4096;

/// Samples [`shape`] takes at each spacing before it doubles the spacing.
const SAMPLES: usize = 16;

/// The number of nodes in `Nodes` and an estimate of its connections (exact
/// when the third element is true: every node was sampled), from
/// a walk over the node list that counts the connection lists of a sample
/// of the nodes: the first [`SAMPLES`], then [`SAMPLES`] at every second
/// node, then at every fourth, and so on (about `16 log2(n / 16)` lists),
/// each standing for the nodes up to the next. Nothing is validated (a
/// malformed node counts as far as it goes; decoding reports it), and the
/// walk costs one unit of work per cell. On a normal entry, as soon as the
/// estimate of the decoding passes the budget, the call hands over before
/// decoding anything: a large network costs the normal entry a part of
/// this walk, not a decoding of that part.
fn shape(nodes: Term, work: &mut Work) -> Res<(usize, usize, bool)> {
    let normal = work.is_normal();
    let e = nodes.get_env().as_c_arg();
    let (mut n, mut c, mut cells) = (0usize, 0usize, 0usize);
    // The next node sampled, the spacing, samples taken; the last sample's
    // count and the spacing it stands for.
    let (mut next, mut gap, mut taken) = (0usize, 1usize, 0usize);
    let mut last = (0usize, 0usize);
    let mut rest = nodes.as_c_arg();
    let (mut head, mut tail) = Default::default();
    let mut arity = 0;
    let mut elems: *const rustler::sys::ErlNifTerm = std::ptr::null();
    // Past the budget, hand over.
    let over = |n: usize, c: usize, work: &mut Work| -> Res<()> {
        let est = n
            .saturating_mul(NODE_UNITS)
            .saturating_add(c.saturating_mul(CONN_UNITS));
        if normal && est > decode::NORMAL_WORK_LIMIT {
            work.check(est)?;
        }
        Ok(())
    };
    // SAFETY: every term read is a live term of this call's env (the
    // argument or a part of it); the out-pointers are locals, and `elems`
    // is read only after enif_get_tuple succeeded with 5 elements.
    unsafe {
        while rustler::sys::enif_get_list_cell(e, rest, &mut head, &mut tail) != 0 {
            rest = tail;
            cells += 1;
            if n == next {
                let mut k = 0usize;
                if rustler::sys::enif_get_tuple(e, head, &mut arity, &mut elems) != 0 && arity == 5
                {
                    let mut conns = *elems.add(4);
                    while rustler::sys::enif_get_list_cell(e, conns, &mut head, &mut tail) != 0 {
                        conns = tail;
                        k += 1;
                        cells += 1;
                        if cells == STRIDE {
                            work.take(cells)?;
                            cells = 0;
                            over(n + 1, c.saturating_add(k.saturating_mul(gap)), work)?;
                        }
                    }
                }
                taken += 1;
                if taken % SAMPLES == 0 {
                    gap *= 2;
                }
                c = c.saturating_add(k.saturating_mul(gap));
                last = (k, gap);
                next = n + gap;
            }
            n += 1;
            if normal || cells >= STRIDE {
                work.take(cells)?;
                cells = 0;
                over(n, c, work)?;
            }
        }
    }
    work.take(cells)?;
    // The last sample stands only for the nodes that are there.
    let beyond = next.saturating_sub(n).min(last.1);
    Ok((n, c - last.0 * beyond, taken == n))
}

/// Decode and compile, charging `work` per node and connection.
fn compile(
    nodes: Term,
    input_count: Term,
    outputs: Term,
    (budget, model): (Term, Term),
    work: &mut Work,
) -> Res<Network> {
    let budget = info::budget_arg(budget, 4)?;
    let model = state_model(model, 4)?;
    let input_count = decode::u64_arg(input_count, 2, "InputCount")? as usize;
    items(nodes, 1, "Nodes")?;
    let (n, c, exact) = shape(nodes, work)?;
    let mut b = NetworkBuilder::new(budget).with_state_model(model);
    // Room for the count, or for the estimate and a quarter more (the
    // spare is released).
    b.reserve(
        n,
        if exact {
            c
        } else {
            c.saturating_add(c / 4).saturating_add(16)
        },
    );
    let e = nodes.get_env().as_c_arg();
    // `[]`, an immediate: a list ends properly where its tail is this term.
    // SAFETY: makes a term in this call's env.
    let nil = unsafe { rustler::sys::enif_make_list_from_array(e, std::ptr::null(), 0) };
    let (mut head, mut tail) = Default::default();
    let mut rest = nodes.as_c_arg();
    let mut pos = 0usize;
    // SAFETY (every unsafe block below): the terms read are live terms of
    // this call's env (the argument or parts of it); the out-pointers are
    // locals, read only after the call that writes them succeeded.
    while unsafe { rustler::sys::enif_get_list_cell(e, rest, &mut head, &mut tail) } != 0 {
        rest = tail;
        pos += 1;
        work.take(5 * NUMBER)?;
        // SAFETY: as above.
        let node = unsafe { Term::new(nodes.get_env(), head) };
        let t = tuple(node, 5, 1, || {
            format!(
                "element {pos} of Nodes is not a {{Index, Type, Activation, Bias, Connections}} tuple"
            )
        })?;
        let index = decode::uint(t.at(0)).ok_or_else(|| {
            badarg(
                1,
                format!("element {pos} of Nodes: Index must be a non-negative integer"),
            )
        })?;
        let kind = node_kind(t.at(1), index)?;
        let act = activation(t.at(2)).ok_or_else(|| {
            badarg(
                1,
                format!("node {index}: unknown activation {:?}", atom_text(t.at(2))),
            )
        })?;
        let bias = decode::number(t.at(3))
            .ok_or_else(|| badarg(1, format!("node {index}: Bias is not a number")))?;
        b.node(index, kind, act, bias).or_raise()?;
        connections(t.at(4), index, nil, &mut b, work)?;
    }
    // SAFETY: as above.
    if !unsafe { Term::new(nodes.get_env(), rest) }.is_empty_list() {
        return Err(badarg(1, "Nodes is not a proper list"));
    }
    // The outputs: up to 64 on the stack, more in a vector (counted).
    let (mut few, mut n_few) = ([0u64; 64], 0usize);
    let mut outs = Vec::new();
    for o in items(outputs, 3, "OutputIndices")? {
        work.take(NUMBER)?;
        let index = decode::uint(o?)
            .ok_or_else(|| badarg(3, "OutputIndices must hold non-negative integers"))?;
        if n_few < few.len() {
            few[n_few] = index;
            n_few += 1;
        } else {
            if outs.is_empty() {
                work.extend(&mut outs, &few, "the output indices")?;
            }
            work.push(&mut outs, index, "the output indices")?;
        }
    }
    let outs = if outs.is_empty() {
        &few[..n_few]
    } else {
        &outs[..]
    };
    // Resolving indices touches every connection once more.
    work.take(b.len())?;
    b.finish(input_count, outs).or_raise()
}

/// The connections of node `index` (a list of `{FromIndex, Weight}`) into
/// `b`: the hot loop of `compile_network/3`, four ERTS calls a connection
/// when the weight is a float. The work is charged [`STRIDE`] connections
/// at a time and at the end (on a normal entry, [`shape`] has already
/// checked that it fits); a weight that is not a float charges at once,
/// so that the bignum conversions are collected as often as before. `nil`
/// is the term `[]`, where a proper list ends.
#[inline(always)]
fn connections(
    list: Term,
    index: u64,
    nil: rustler::sys::ErlNifTerm,
    b: &mut NetworkBuilder,
    work: &mut Work,
) -> Res<()> {
    let env = list.get_env();
    let e = env.as_c_arg();
    let (mut head, mut tail) = Default::default();
    let mut rest = list.as_c_arg();
    let mut arity = 0;
    let mut elems: *const rustler::sys::ErlNifTerm = std::ptr::null();
    let (mut from, mut w) = (0u64, 0.0f64);
    let mut k = 0usize;
    // SAFETY: the terms read are live terms of this call's env (parts of
    // the argument); the out-pointers are locals, and `elems` is read only
    // after enif_get_tuple succeeded with 2 elements.
    unsafe {
        while rustler::sys::enif_get_list_cell(e, rest, &mut head, &mut tail) != 0 {
            rest = tail;
            k += 1;
            if k == STRIDE {
                work.take(STRIDE * CONN_UNITS)?;
                k = 0;
            }
            if rustler::sys::enif_get_tuple(e, head, &mut arity, &mut elems) == 0 || arity != 2 {
                work.take(k * CONN_UNITS)?;
                return Err(badarg(
                    1,
                    format!("node {index}: a connection is not a {{FromIndex, Weight}} tuple"),
                ));
            }
            let (f, x) = (*elems, *elems.add(1));
            if rustler::sys::enif_get_uint64(e, f, &mut from) == 0 {
                work.take(k * CONN_UNITS)?;
                return Err(badarg(
                    1,
                    format!("node {index}: FromIndex must be a non-negative integer"),
                ));
            }
            if rustler::sys::enif_get_double(e, x, &mut w) == 0 {
                work.take(k * CONN_UNITS)?;
                k = 0;
                w = decode::number(Term::new(env, x)).ok_or_else(|| {
                    badarg(
                        1,
                        format!("node {index}: connection weight is not a number"),
                    )
                })?;
            }
            b.connect(from, w).or_raise()?;
        }
        work.take(k * CONN_UNITS)?;
        if rest == nil {
            Ok(())
        } else if rest == list.as_c_arg() {
            // No cell was read: not a list at all.
            Err(badarg(1, "a node's Connections is not a list"))
        } else {
            Err(badarg(1, "a node's Connections is not a proper list"))
        }
    }
}

fn compile_term<'a>(
    env: Env<'a>,
    nodes: Term<'a>,
    ic: Term<'a>,
    outs: Term<'a>,
    budget: Term<'a>,
    model: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    Ok(make_net(
        env,
        compile(nodes, ic, outs, (budget, model), work)?,
    ))
}

fn atom_text(t: Term) -> String {
    t.atom_to_string()
        .unwrap_or_else(|_| "(not an atom)".into())
}

pub(crate) fn make_net<'a>(env: Env<'a>, net: Network) -> Term<'a> {
    let tracked = Tracked::new(Kind::Network, net.info().bytes);
    rustler::ResourceArc::new(NetRes {
        net,
        _tracked: tracked,
    })
    .encode(env)
}

// Compiles small networks on the normal scheduler, hands large ones over.
nif_pair!(compile_network / compile_network_dirty (env; nodes, ic, outs, budget, model) => compile_term);

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
    let net = &net.try_get_resource::<NetRes>()?.net;
    let (ni, no) = (net.input_count(), net.output_count());
    // The charges of eval_one: the evaluation, then each number.
    let work = net.cost().checked_add(ni.checked_mul(NUMBER)?)?;
    if work > decode::NORMAL_WORK_LIMIT || ni > fast::SMALL || no > fast::SMALL {
        return None;
    }
    let mut list = NumList::new(inputs)?;
    let mut ins = [0.0f64; fast::SMALL];
    for x in &mut ins[..ni] {
        match list.next_num() {
            Next::Num(v) => *x = v,
            _ => return None,
        }
    }
    if !matches!(list.next_num(), Next::End) {
        return None;
    }
    let mut out = [0.0f64; fast::SMALL];
    net.evaluate(&ins[..ni], None, &mut out[..no], None).ok()?;
    Some(fast::float_list(env, &out[..no]))
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
    let st = if state.is_empty_list() {
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
