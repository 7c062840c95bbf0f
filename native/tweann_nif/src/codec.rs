//! Serialization NIFs: `network_to_binary/1`, `network_from_binary/1`,
//! `cell_to_binary/1`, `cell_from_binary/1` (the formats are
//! `tweann_core::codec`'s, specified in `docs/semantics.md`).
//!
//! The work is proportional to the binary's size (a copy and a CRC-32 pass):
//! binaries up to a few tens of kilobytes are handled on the normal
//! scheduler, larger ones on a dirty one. Output binaries are allocated at
//! their exact size and checked against the memory budget first.

use crate::cells::{get_cell, make, Cells};
use crate::decode::Work;
use crate::error::{badarg, raise, OrRaise, Res};
use crate::info;
use crate::network::{get_net, make_net};
use rustler::{Binary, Encoder, Env, OwnedBinary, Term};
use tweann_core::codec::{self, CellConfig};
use tweann_core::CoreError;
use tweann_core::{cfc::CfcCell, ltc::LtcCell};

/// Work units per byte encoded or decoded (the CRC-32 and the copy run at
/// well over 1 byte/ns; a unit is a few ns).
fn charge(work: &mut Work, bytes: usize) -> Res<()> {
    work.take(bytes / 2)
}

/// An exact-size binary filled by `fill`, counted against the memory
/// budget first, or a memory error.
fn new_binary<'a>(
    env: Env<'a>,
    len: usize,
    work: &mut Work,
    fill: impl FnOnce(&mut [u8]) -> Result<(), CoreError>,
) -> Res<Term<'a>> {
    work.reserve(len, "the binary")?;
    // OwnedBinary::new aborts the VM when the allocation fails: allocate
    // fallibly instead.
    let mut raw = std::mem::MaybeUninit::<rustler::sys::ErlNifBinary>::uninit();
    // SAFETY: enif_alloc_binary initializes `raw` when it returns non-zero.
    if unsafe { rustler::sys::enif_alloc_binary(len, raw.as_mut_ptr()) } == 0 {
        return Err(raise(CoreError::memory(format!(
            "cannot allocate a binary of {len} bytes"
        ))));
    }
    // SAFETY: `raw` was initialized above and is owned by the wrapper from here.
    let mut bin = unsafe { OwnedBinary::from_raw(raw.assume_init()) };
    fill(bin.as_mut_slice()).or_raise()?;
    Ok(bin.release(env).encode(env))
}

fn binary_arg<'a>(term: Term<'a>) -> Res<Binary<'a>> {
    Binary::from_term(term).map_err(|_| badarg(1, "not a binary"))
}

// ---------------------------------------------------------------- networks

fn net_to_bin<'a>(env: Env<'a>, net: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let net = get_net(net, 1)?;
    let len = codec::network_encoded_len(net);
    charge(work, len)?;
    new_binary(env, len, work, |out| codec::encode_network(net, out))
}

nif_pair!(network_to_binary / network_to_binary_dirty (env; net) => net_to_bin);

fn net_from_bin<'a>(env: Env<'a>, bin: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let bin = binary_arg(bin)?;
    charge(work, bin.len())?;
    let net = codec::decode_network(bin.as_slice(), info::budget()).or_raise()?;
    make_net(env, net)
}

nif_pair!(network_from_binary / network_from_binary_dirty (env; bin) => net_from_bin);

// ---------------------------------------------------------------- cells

fn cell_to_bin<'a>(env: Env<'a>, cell: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let c = get_cell(cell)?;
    let (config, population) = match &c.cells {
        Cells::Cfc(x) => (CellConfig::Cfc(*x.config()), false),
        Cells::Ltc(x) => (CellConfig::Ltc(*x.config()), false),
        Cells::CfcPop(p) => (CellConfig::Cfc(*p.members()[0].config()), true),
        Cells::LtcPop(p) => (CellConfig::Ltc(*p.members()[0].config()), true),
    };
    let members = c.params.len() / config.param_len().max(1);
    let len = codec::cell_encoded_len(&config, members).or_raise()?;
    charge(work, len)?;
    new_binary(env, len, work, |out| {
        codec::encode_cell(&config, population, &c.params, out)
    })
}

nif_pair!(cell_to_binary / cell_to_binary_dirty (env; cell) => cell_to_bin);

fn built<T>(r: Result<T, tweann_core::cells::CellError>) -> Res<T> {
    r.map_err(|e| badarg(1, format!("the cell cannot be rebuilt: {e}")))
}

fn cell_from_bin<'a>(env: Env<'a>, bin: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let bin = binary_arg(bin)?;
    // Building the cells costs about as much again as reading the binary.
    charge(work, bin.len().saturating_mul(2))?;
    let d = codec::decode_cell(bin.as_slice(), info::budget()).or_raise()?;
    let len = d.config.param_len();
    work.reserve(d.params.len().saturating_mul(8), "the parameters")?;
    let cell_bytes = match d.config {
        CellConfig::Cfc(c) => c.cell_bytes(),
        CellConfig::Ltc(c) => c.cell_bytes(),
    };
    work.reserve(d.members.saturating_mul(cell_bytes), "the cells")?;
    let mut members = work.vec::<&[f64]>(d.members, "the members")?;
    members.extend(d.params.chunks(len.max(1)));
    let cells = match (d.config, d.population) {
        (CellConfig::Cfc(c), false) => Cells::Cfc(Box::new(built(CfcCell::new(c, &d.params))?)),
        (CellConfig::Ltc(c), false) => Cells::Ltc(Box::new(built(LtcCell::new(c, &d.params))?)),
        (CellConfig::Cfc(c), true) => Cells::CfcPop(built(CfcCell::population(c, &members))?),
        (CellConfig::Ltc(c), true) => Cells::LtcPop(built(LtcCell::population(c, &members))?),
    };
    let n = d.members;
    Ok(make(env, cells, d.params, len, n))
}

nif_pair!(cell_from_binary / cell_from_binary_dirty (env; bin) => cell_from_bin);
