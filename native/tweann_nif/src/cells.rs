//! Layer-level liquid cells (CfC and LTC, `docs/cells.md` sections 2-3) and
//! populations of them: `cfc_cell/2`, `ltc_cell/2`, `cfc_population/2`,
//! `ltc_population/2`, `cell_step/4`, `cell_sequence/4`, `cell_info/1`.
//!
//! A cell or population is a read-only resource; steps decode the rows into
//! flat buffers, run the `tweann_core` drivers and encode nested lists.
//! Large steps (populations, long sequences) run on a dirty scheduler, which
//! the drivers tick ([`tweann_core::meter::Meter`]) so that the call stops
//! when its caller dies. Every buffer, the cells themselves and the result
//! terms are counted against the call's memory budget first (`work.rs`).

use crate::atoms;
use crate::decode::{self, items, Work, NUMBER};
use crate::encode::{self, CELL_BYTES};
use crate::error::{badarg, Res};
use crate::info::{Kind, Tracked};
use crate::work::Profile;
use rustler::{Encoder, Env, Term};
use tweann_core::cells::{self, Cell, CellError, Dts, Population, Rows};
use tweann_core::cfc::CfcCell;
use tweann_core::ltc::LtcCell;
use tweann_core::CoreError;

mod config;

use config::{cfc_config, ltc_config};

mod keys {
    rustler::atoms! {
        input_size, hidden_size, mode, backbone_units, backbone_layers, backbone_activation,
        units, motor_size, ode_unfolds, epsilon, positivity, input_mapping, output_mapping,
        kind, state_size, output_size, param_len, members, bytes,
    }
}

pub(crate) enum Cells {
    Cfc(Box<CfcCell>),
    Ltc(Box<LtcCell>),
    CfcPop(Population<CfcCell>),
    LtcPop(Population<LtcCell>),
}

/// A cell or a population, held by an Erlang reference.
pub struct CellRes {
    pub(crate) cells: Cells,
    /// Every member's flat parameters as given (the cells hold transformed
    /// copies), kept so that `cell_to_binary/1` can write them.
    pub(crate) params: Vec<f64>,
    param_len: usize,
    members: usize,
    _tracked: Tracked,
}

#[rustler::resource_impl]
impl rustler::Resource for CellRes {}

fn cell_error(e: CellError, param_arg: u8) -> rustler::Error {
    use CellError::*;
    let reason = e.to_string();
    let core = match &e {
        InvalidConfig(_) => CoreError::badarg(1, reason),
        ParamLength { .. } | NonFiniteParam { .. } | EmptyPopulation | Member { .. } => {
            CoreError::badarg(param_arg, reason)
        }
        InputLength { .. } | NonFiniteInput { .. } | SequenceLength { .. } => {
            CoreError::badarg(2, reason)
        }
        StateLength { .. } | NonFiniteState { .. } => CoreError::badarg(3, reason),
        DtLength { .. } | BadDt { .. } => CoreError::badarg(4, reason),
        BatchSize { .. } => CoreError::badarg(2, reason),
        BufferLength { .. } => CoreError::general(reason),
        NonFinite { .. } => CoreError::overflow(format!("arithmetic overflow: {reason}")),
        OutOfMemory { .. } => CoreError::memory(format!("the cell: {reason} (out of memory)")),
        Interrupted => CoreError::interrupted(),
    };
    crate::error::raise(core)
}

// ---------------------------------------------------------------- constructors

/// Bytes counted for a cell resource: its parameters as given and the
/// cell's own (transformed) copy, 16 per parameter.
fn resource_bytes(param_len: usize, members: usize) -> usize {
    std::mem::size_of::<CellRes>()
        .saturating_add(param_len.saturating_mul(members).saturating_mul(16))
}

pub(crate) fn make<'a>(
    env: Env<'a>,
    cells: Cells,
    params: Vec<f64>,
    param_len: usize,
    members: usize,
) -> Term<'a> {
    let tracked = Tracked::new(Kind::Cell, resource_bytes(param_len, members));
    rustler::ResourceArc::new(CellRes {
        cells,
        params,
        param_len,
        members,
        _tracked: tracked,
    })
    .encode(env)
}

/// The parameters of one cell (argument 2), decoded within the memory
/// budget; when they have the right length, the cell's own bytes
/// (`cell_bytes`) are counted too, before it is built. (A wrong length is
/// left to the cell's constructor, which names the expected length.)
fn cell_params(term: Term, param_len: usize, cell_bytes: usize, work: &mut Work) -> Res<Vec<f64>> {
    let p = decode::f64s(term, 2, "Params", work)?;
    if p.len() == param_len {
        work.reserve(cell_bytes, "the cell")?;
    }
    Ok(p)
}

fn cfc_cell_impl<'a>(
    env: Env<'a>,
    config: Term<'a>,
    p: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = cfc_config(config)?;
    let p = cell_params(p, c.param_len(), c.cell_bytes(), work)?;
    let cell = CfcCell::new(c, &p).map_err(|e| cell_error(e, 2))?;
    Ok(make(env, Cells::Cfc(Box::new(cell)), p, c.param_len(), 1))
}

dirty_nif!(cfc_cell (env; config, p) => cfc_cell_impl);

fn ltc_cell_impl<'a>(
    env: Env<'a>,
    config: Term<'a>,
    p: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = ltc_config(config)?;
    let p = cell_params(p, c.param_len(), c.cell_bytes(), work)?;
    let cell = LtcCell::new(c, &p).map_err(|e| cell_error(e, 2))?;
    Ok(make(env, Cells::Ltc(Box::new(cell)), p, c.param_len(), 1))
}

dirty_nif!(ltc_cell (env; config, p) => ltc_cell_impl);

/// The members' parameters (argument 2) decoded into one flat vector,
/// within the memory budget (a parameter binary shared by a million members
/// is counted a million times). A member of the wrong length is the error
/// `Population::build` gives; then the cells (`members * cell_bytes`) are
/// counted against the budget before any is built.
fn population_params(
    term: Term,
    param_len: usize,
    cell_bytes: usize,
    work: &mut Work,
) -> Res<Vec<f64>> {
    let members = decode::count(term, 2, "the list of parameter vectors", work)?;
    let mut flat = Vec::new();
    let mut lens = work.vec::<usize>(members, "the parameters")?;
    for p in items(term, 2, "the list of parameter vectors")? {
        work.take(NUMBER)?;
        let n = decode::f64s_into(p?, 2, "Params", &mut flat, work)?;
        lens.push(n);
    }
    if let Some(member) = lens.iter().position(|&n| n != param_len) {
        let e = CellError::Member {
            member,
            error: Box::new(CellError::ParamLength {
                expected: param_len,
                got: lens[member],
            }),
        };
        return Err(cell_error(e, 2));
    }
    if members == 0 {
        return Err(cell_error(CellError::EmptyPopulation, 2));
    }
    work.reserve(members.saturating_mul(cell_bytes), "the cells")?;
    Ok(flat)
}

/// `flat` cut into `param_len` slices, the vector counted against the budget.
fn member_slices<'p>(flat: &'p [f64], param_len: usize, work: &mut Work) -> Res<Vec<&'p [f64]>> {
    let n = flat.len().checked_div(param_len).unwrap_or(0);
    let mut v = work.vec(n, "the members")?;
    v.extend(flat.chunks(param_len.max(1)));
    Ok(v)
}

fn cfc_population_impl<'a>(
    env: Env<'a>,
    config: Term<'a>,
    ps: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = cfc_config(config)?;
    let flat = population_params(ps, c.param_len(), c.cell_bytes(), work)?;
    let members = member_slices(&flat, c.param_len(), work)?;
    let pop = CfcCell::population(c, &members).map_err(|e| cell_error(e, 2))?;
    let n = pop.len();
    drop(members);
    Ok(make(env, Cells::CfcPop(pop), flat, c.param_len(), n))
}

dirty_nif!(cfc_population (env; config, ps) => cfc_population_impl);

fn ltc_population_impl<'a>(
    env: Env<'a>,
    config: Term<'a>,
    ps: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = ltc_config(config)?;
    let flat = population_params(ps, c.param_len(), c.cell_bytes(), work)?;
    let members = member_slices(&flat, c.param_len(), work)?;
    let pop = LtcCell::population(c, &members).map_err(|e| cell_error(e, 2))?;
    let n = pop.len();
    drop(members);
    Ok(make(env, Cells::LtcPop(pop), flat, c.param_len(), n))
}

dirty_nif!(ltc_population (env; config, ps) => ltc_population_impl);

pub(crate) fn get_cell<'a>(term: Term<'a>) -> Res<&'a CellRes> {
    term.try_get_resource::<CellRes>()
        .ok_or_else(|| badarg(1, "not a cell or population (use cfc_cell/2, ltc_cell/2, cfc_population/2 or ltc_population/2)"))
}

// ---------------------------------------------------------------- stepping

/// Decode `rows` (a list of rows, each a list or f64 binary of `width`
/// numbers) into `out`; returns the row count.
fn flat_rows(
    term: Term,
    arg: u8,
    what: &'static str,
    width: usize,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    let mut n = 0;
    for row in items(term, arg, what)? {
        work.take(NUMBER)?;
        let got = decode::f64s_into(row?, arg, what, out, work)?;
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

/// Elapsed times: one number for all, or a list (or binary) of `expected`.
fn dts_arg(term: Term, expected: usize, out: &mut Vec<f64>, work: &mut Work) -> Res<bool> {
    if let Some(d) = decode::number(term) {
        work.push(out, d, "the elapsed times")?;
        return Ok(true);
    }
    work.reserve_more(out, expected, "the elapsed times")?;
    let n = decode::f64s_into(term, 4, "Dts", out, work)?;
    if n != expected {
        return Err(badarg(4, format!("{n} elapsed times for {expected} rows")));
    }
    Ok(false)
}

fn sizes(c: &CellRes) -> (usize, usize, usize) {
    match &c.cells {
        Cells::Cfc(x) => (x.input_size(), x.state_size(), x.output_size()),
        Cells::Ltc(x) => (x.input_size(), x.state_size(), x.output_size()),
        Cells::CfcPop(p) => (
            p.members()[0].input_size(),
            p.members()[0].state_size(),
            p.members()[0].output_size(),
        ),
        Cells::LtcPop(p) => (
            p.members()[0].input_size(),
            p.members()[0].state_size(),
            p.members()[0].output_size(),
        ),
    }
}

/// Work units of one row-step ([`Cell::work`]).
fn row_cost(c: &CellRes) -> usize {
    match &c.cells {
        Cells::Cfc(x) => x.work(),
        Cells::Ltc(x) => x.work(),
        Cells::CfcPop(p) => p.members()[0].work(),
        Cells::LtcPop(p) => p.members()[0].work(),
    }
}

fn run_step<C: Cell>(
    rows: Rows<C>,
    (b, u, s, dts): (usize, &[f64], &[f64], Dts),
    o: &mut [f64],
    ns: &mut [f64],
    work: &mut Work,
) -> Res<()> {
    let mut scratch = work.zeros(rows.scratch_len(), "the scratch buffer")?;
    cells::step_batch_metered(rows, b, u, s, dts, (o, ns, &mut scratch), work)
        .map_err(|e| cell_error(e, 2))
}

fn step_impl<'a>(
    env: Env<'a>,
    cell: Term<'a>,
    inputs: Term<'a>,
    states: Term<'a>,
    dts: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = get_cell(cell)?;
    let b = decode::count(inputs, 2, "Inputs", work)?;
    let (ni, ns, no) = sizes(c);
    // Hand over before decoding what could not be stepped and encoded here.
    let compute = b.saturating_mul(row_cost(c));
    work.check(compute.saturating_add(encode::cost(b.saturating_mul(ns + no))))?;
    work.take(compute)?;
    let mut u = work.vec(b.saturating_mul(ni), "the inputs")?;
    flat_rows(inputs, 2, "Inputs", ni, &mut u, work)?;
    let mut s = work.vec(b.saturating_mul(ns), "the states")?;
    let sb = flat_rows(states, 3, "States", ns, &mut s, work)?;
    if sb != b {
        return Err(badarg(3, format!("{sb} state rows for {b} input rows")));
    }
    let mut d = Vec::new();
    let all = dts_arg(dts, b, &mut d, work)?;
    let dts = if all { Dts::All(d[0]) } else { Dts::Each(&d) };
    let mut o = work.zeros(b.saturating_mul(no), "the outputs")?;
    let mut n = work.zeros(b.saturating_mul(ns), "the new states")?;
    let args = (b, &u[..], &s[..], dts);
    match &c.cells {
        Cells::Cfc(x) => run_step(Rows::Same(&**x), args, &mut o, &mut n, work)?,
        Cells::Ltc(x) => run_step(Rows::Same(&**x), args, &mut o, &mut n, work)?,
        Cells::CfcPop(p) => run_step(p.rows(), args, &mut o, &mut n, work)?,
        Cells::LtcPop(p) => run_step(p.rows(), args, &mut o, &mut n, work)?,
    }
    encode::charge(work, o.len() + n.len(), 2 * b * CELL_BYTES)?;
    let outs = encode::build_rows(env, &o, no, b, work)?;
    let news = encode::build_rows(env, &n, ns, b, work)?;
    Ok(encode::pair(env, outs, news))
}

nif_pair!(cell_step / cell_step_dirty (env; cell, inputs, states, dts) => step_impl);

fn run_seq<C: Cell>(
    rows: Rows<C>,
    (b, l, u, s, dts): (usize, usize, &[f64], &[f64], Dts),
    o: &mut [f64],
    f: &mut [f64],
    ns: usize,
    work: &mut Work,
) -> Res<()> {
    let mut scratch = work.zeros(ns + rows.scratch_len(), "the scratch buffer")?;
    cells::sequence_metered(rows, (b, l), u, s, dts, (o, f, &mut scratch), work)
        .map_err(|e| cell_error(e, 2))
}

fn sequence_impl<'a>(
    env: Env<'a>,
    cell: Term<'a>,
    seqs: Term<'a>,
    states: Term<'a>,
    dts: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = get_cell(cell)?;
    let (ni, ns, no) = sizes(c);
    // Count rows and steps first (cheap) to choose the scheduler and to
    // check the memory the decoded sequences need before decoding them.
    let b = decode::count(seqs, 2, "InputSeqs", work)?;
    let l = match seqs.list_get_cell() {
        Ok((first, _)) => decode::count(first, 2, "an input sequence", work)?,
        Err(_) => 0,
    };
    let bl = b.saturating_mul(l);
    let compute = bl.saturating_mul(row_cost(c));
    let results = bl.saturating_mul(no).saturating_add(b.saturating_mul(ns));
    work.check(compute.saturating_add(encode::cost(results)))?;
    work.take(compute)?;
    let mut u = work.vec(bl.saturating_mul(ni), "the input sequences")?;
    for (r, seq) in items(seqs, 2, "InputSeqs")?.enumerate() {
        let steps = flat_rows(seq?, 2, "an input sequence", ni, &mut u, work)?;
        if steps != l {
            return Err(badarg(
                2,
                format!(
                    "row {} has {steps} steps, row 1 has {l} (all rows need the same length)",
                    r + 1
                ),
            ));
        }
    }
    let mut s = work.vec(b.saturating_mul(ns), "the states")?;
    let sb = flat_rows(states, 3, "States0", ns, &mut s, work)?;
    if sb != b {
        return Err(badarg(
            3,
            format!("{sb} state rows for {b} input sequences"),
        ));
    }
    let mut d = Vec::new();
    let all = if let Some(x) = decode::number(dts) {
        d.push(x);
        true
    } else {
        d = work.vec(bl, "the elapsed times")?;
        let rows = flat_rows(dts, 4, "DtSeqs", l, &mut d, work)?;
        if rows != b {
            return Err(badarg(
                4,
                format!("{rows} rows of elapsed times for {b} input sequences"),
            ));
        }
        false
    };
    let dts = if all { Dts::All(d[0]) } else { Dts::Each(&d) };
    let mut o = work.zeros(bl.saturating_mul(no), "the outputs")?;
    let mut f = work.zeros(b.saturating_mul(ns), "the final states")?;
    let args = (b, l, &u[..], &s[..], dts);
    match &c.cells {
        Cells::Cfc(x) => run_seq(Rows::Same(&**x), args, &mut o, &mut f, ns, work)?,
        Cells::Ltc(x) => run_seq(Rows::Same(&**x), args, &mut o, &mut f, ns, work)?,
        Cells::CfcPop(p) => run_seq(p.rows(), args, &mut o, &mut f, ns, work)?,
        Cells::LtcPop(p) => run_seq(p.rows(), args, &mut o, &mut f, ns, work)?,
    }
    // Outputs: b lists of l rows of no values; final states: b rows.
    let cells = bl.saturating_add(3 * b).saturating_mul(CELL_BYTES);
    encode::charge(work, o.len() + f.len(), cells)?;
    let step_len = l * no;
    let e = env.as_c_arg();
    // SAFETY: builds [] in this call's env.
    let mut outs = unsafe { rustler::sys::enif_make_list_from_array(e, std::ptr::null(), 0) };
    for r in (0..b).rev() {
        let row = encode::build_rows(env, &o[r * step_len..(r + 1) * step_len], no, l, work)?;
        // SAFETY: both terms belong to this call's env.
        outs = unsafe { rustler::sys::enif_make_list_cell(e, row.as_c_arg(), outs) };
    }
    // SAFETY: made in this call's env.
    let outs = unsafe { Term::new(env, outs) };
    let fin = encode::build_rows(env, &f, ns, b, work)?;
    Ok(encode::pair(env, outs, fin))
}

nif_pair!(cell_sequence / cell_sequence_dirty (env; cell, seqs, states, dts) => sequence_impl);

#[rustler::nif]
fn cell_info<'a>(env: Env<'a>, cell: Term<'a>) -> Res<Term<'a>> {
    let _profile = Profile::start("cell_info");
    let c = get_cell(cell)?;
    let (ni, ns, no) = sizes(c);
    let kind = match c.cells {
        Cells::Cfc(_) | Cells::CfcPop(_) => atoms::cfc(),
        Cells::Ltc(_) | Cells::LtcPop(_) => atoms::ltc(),
    };
    let mut pairs: Vec<(Term, Term)> = vec![
        (keys::kind().encode(env), kind.encode(env)),
        (keys::input_size().encode(env), ni.encode(env)),
        (keys::state_size().encode(env), ns.encode(env)),
        (keys::output_size().encode(env), no.encode(env)),
        (keys::param_len().encode(env), c.param_len.encode(env)),
    ];
    if matches!(c.cells, Cells::CfcPop(_) | Cells::LtcPop(_)) {
        pairs.push((keys::members().encode(env), c.members.encode(env)));
    }
    Term::map_from_pairs(env, &pairs)
}
