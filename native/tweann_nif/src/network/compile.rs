//! `compile_network/3,4`: the node list decoded (node kinds, activations,
//! connections in a tight loop) into a [`NetworkBuilder`], after a walk that
//! estimates the network's size, so that a large network hands over to the
//! dirty entry before anything is decoded (`docs/architecture.md`).

use super::make_net;
use crate::atoms;
use crate::decode::{self, items, tuple, Work, NUMBER};
use crate::error::{badarg, OrRaise, Res};
use crate::info;
use crate::work::StackFirst;
use rustler::{Env, Term};
use tweann_core::network::{Network, NetworkBuilder, NodeKind, StateModel};

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
    // argument or a part of it); the out-pointers are locals.
    unsafe {
        while crate::vmterm::list_cell(e, rest, &mut head, &mut tail) {
            rest = tail;
            cells += 1;
            if n == next {
                let mut k = 0usize;
                if let Some(&[_, _, _, _, mut conns]) = crate::vmterm::tuple(e, head) {
                    while crate::vmterm::list_cell(e, conns, &mut head, &mut tail) {
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
    let (mut head, mut tail) = Default::default();
    let mut rest = nodes.as_c_arg();
    let mut pos = 0usize;
    // SAFETY (every unsafe block below): the terms read are live terms of
    // this call's env (the argument or parts of it); the out-pointers are
    // locals, read only after the call that writes them succeeded.
    while unsafe { crate::vmterm::list_cell(e, rest, &mut head, &mut tail) } {
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
        connections(t.at(4), index, &mut b, work)?;
    }
    // SAFETY: as above.
    if !unsafe { crate::vmterm::is_nil(e, rest) } {
        return Err(badarg(1, "Nodes is not a proper list"));
    }
    // The outputs: up to 64 on the stack, more in a vector (counted).
    let mut outs = StackFirst::<u64, 64>::new();
    for o in items(outputs, 3, "OutputIndices")? {
        work.take(NUMBER)?;
        let index = decode::uint(o?)
            .ok_or_else(|| badarg(3, "OutputIndices must hold non-negative integers"))?;
        outs.push(index, "the output indices", work)?;
    }
    // Resolving indices touches every connection once more.
    work.take(b.len())?;
    b.finish(input_count, outs.as_slice()).or_raise()
}

/// The connections of node `index` (a list of `{FromIndex, Weight}`) into
/// `b`: the hot loop of `compile_network/3`, four ERTS calls a connection
/// when the weight is a float. The work is charged [`STRIDE`] connections
/// at a time and at the end (on a normal entry, [`shape`] has already
/// checked that it fits); a weight that is not a float charges at once,
/// so that the bignum conversions are collected as often as before.
#[inline(always)]
fn connections(list: Term, index: u64, b: &mut NetworkBuilder, work: &mut Work) -> Res<()> {
    let env = list.get_env();
    let e = env.as_c_arg();
    let (mut head, mut tail) = Default::default();
    let mut rest = list.as_c_arg();
    let mut k = 0usize;
    // SAFETY: the terms read are live terms of this call's env (parts of
    // the argument); the out-pointers are locals.
    unsafe {
        while crate::vmterm::list_cell(e, rest, &mut head, &mut tail) {
            rest = tail;
            k += 1;
            if k == STRIDE {
                work.take(STRIDE * CONN_UNITS)?;
                k = 0;
            }
            let Some(&[f, x]) = crate::vmterm::tuple(e, head) else {
                work.take(k * CONN_UNITS)?;
                return Err(badarg(
                    1,
                    format!("node {index}: a connection is not a {{FromIndex, Weight}} tuple"),
                ));
            };
            let Some(from) = crate::vmterm::uint64(e, f) else {
                work.take(k * CONN_UNITS)?;
                return Err(badarg(
                    1,
                    format!("node {index}: FromIndex must be a non-negative integer"),
                ));
            };
            let w = match crate::vmterm::double(e, x) {
                Some(w) => w,
                None => {
                    work.take(k * CONN_UNITS)?;
                    k = 0;
                    decode::number(Term::new(env, x)).ok_or_else(|| {
                        badarg(
                            1,
                            format!("node {index}: connection weight is not a number"),
                        )
                    })?
                }
            };
            b.connect(from, w).or_raise()?;
        }
        work.take(k * CONN_UNITS)?;
        if crate::vmterm::is_nil(e, rest) {
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
    make_net(env, compile(nodes, ic, outs, (budget, model), work)?)
}

fn atom_text(t: Term) -> String {
    t.atom_to_string()
        .unwrap_or_else(|_| "(not an atom)".into())
}

// Compiles small networks on the normal scheduler, hands large ones over.
nif_pair!(compile_network / compile_network_dirty (env; nodes, ic, outs, budget, model) => compile_term);
