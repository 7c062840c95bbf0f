//! Layer-level liquid cells (CfC and LTC, `docs/cells.md` sections 2-3) and
//! populations of them: `cfc_cell/2`, `ltc_cell/2`, `cfc_population/2`,
//! `ltc_population/2`, `cell_step/4`, `cell_sequence/4`, `cell_info/1`.
//!
//! A cell or population is a read-only resource; steps decode the rows into
//! flat buffers, run the `tweann_core` drivers and encode nested lists.
//! Large steps (populations, long sequences) run on a dirty scheduler.

use crate::atoms;
use crate::decode::{self, items, Work};
use crate::error::{badarg, Res};
use crate::info::{Kind, Tracked};
use rustler::{Atom, Encoder, Env, Term};
use tweann_core::cells::{self, Cell, CellError, Dts, Population, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};
use tweann_core::CoreError;

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
    };
    crate::error::raise(core)
}

// ---------------------------------------------------------------- config

/// Reads a config map, rejecting keys not in `known`.
struct ConfigMap<'a> {
    map: Term<'a>,
}

impl<'a> ConfigMap<'a> {
    fn new(term: Term<'a>, known: &[Atom]) -> Res<Self> {
        let iter = rustler::types::map::MapIterator::new(term)
            .ok_or_else(|| badarg(1, "the configuration must be a map"))?;
        for (k, _) in iter {
            let ok = k
                .decode::<Atom>()
                .map(|a| known.contains(&a))
                .unwrap_or(false);
            if !ok {
                return Err(badarg(1, format!("unknown configuration key {}", show(k))));
            }
        }
        Ok(ConfigMap { map: term })
    }

    fn get(&self, key: Atom) -> Option<Term<'a>> {
        self.map.map_get(key).ok()
    }

    fn size(&self, key: Atom, name: &str, default: Option<usize>, min: usize) -> Res<usize> {
        match (self.get(key), default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(badarg(1, format!("missing required key {name}"))),
            (Some(t), _) => match t.decode::<u64>() {
                Ok(v) if v as usize >= min && v <= u32::MAX as u64 => Ok(v as usize),
                _ => Err(badarg(
                    1,
                    format!("{name} must be an integer >= {min}, got {}", show(t)),
                )),
            },
        }
    }

    fn name<T>(
        &self,
        key: Atom,
        name: &str,
        default: T,
        parse: impl Fn(&str) -> Result<T, CellError>,
    ) -> Res<T> {
        match self.get(key) {
            None => Ok(default),
            Some(t) => {
                let s = t
                    .atom_to_string()
                    .map_err(|_| badarg(1, format!("{name} must be an atom")))?;
                parse(&s).map_err(|e| badarg(1, format!("{name}: {e}")))
            }
        }
    }
}

fn show(t: Term) -> String {
    if let Ok(s) = t.atom_to_string() {
        return s;
    }
    if let Ok(i) = t.decode::<i64>() {
        return i.to_string();
    }
    "(a term)".into()
}

fn cfc_config(term: Term) -> Res<CfcConfig> {
    use keys::*;
    let m = ConfigMap::new(
        term,
        &[
            input_size(),
            hidden_size(),
            mode(),
            backbone_units(),
            backbone_layers(),
            backbone_activation(),
        ],
    )?;
    let mut c = CfcConfig::new(
        m.size(input_size(), "input_size", None, 1)?,
        m.size(hidden_size(), "hidden_size", None, 1)?,
    );
    c.mode = m.name(mode(), "mode", CfcMode::Default, CfcMode::from_name)?;
    c.backbone_units = m.size(backbone_units(), "backbone_units", Some(128), 1)?;
    c.backbone_layers = m.size(backbone_layers(), "backbone_layers", Some(1), 0)?;
    c.backbone_activation = m.name(
        backbone_activation(),
        "backbone_activation",
        c.backbone_activation,
        cells::BackboneActivation::from_name,
    )?;
    c.validate().map_err(|e| cell_error(e, 2))?;
    Ok(c)
}

fn ltc_config(term: Term) -> Res<LtcConfig> {
    use keys::*;
    let m = ConfigMap::new(
        term,
        &[
            input_size(),
            units(),
            motor_size(),
            ode_unfolds(),
            epsilon(),
            positivity(),
            input_mapping(),
            output_mapping(),
        ],
    )?;
    let mut c = LtcConfig::new(
        m.size(input_size(), "input_size", None, 1)?,
        m.size(units(), "units", None, 1)?,
    );
    c.motor_size = m.size(motor_size(), "motor_size", Some(c.units), 1)?;
    c.ode_unfolds = m.size(ode_unfolds(), "ode_unfolds", Some(6), 1)?;
    if let Some(t) = m.get(epsilon()) {
        c.epsilon = decode::number(t).ok_or_else(|| badarg(1, "epsilon must be a number"))?;
    }
    c.positivity = m.name(
        positivity(),
        "positivity",
        Positivity::Softplus,
        Positivity::from_name,
    )?;
    c.input_mapping = m.name(
        input_mapping(),
        "input_mapping",
        Mapping::Affine,
        Mapping::from_name,
    )?;
    c.output_mapping = m.name(
        output_mapping(),
        "output_mapping",
        Mapping::Affine,
        Mapping::from_name,
    )?;
    c.validate().map_err(|e| cell_error(e, 2))?;
    Ok(c)
}

// ---------------------------------------------------------------- constructors

fn params(term: Term) -> Res<Vec<f64>> {
    decode::f64s(term, 2, "Params", &mut Work::unlimited())
}

fn params_list(term: Term) -> Res<Vec<Vec<f64>>> {
    let mut all = Vec::new();
    for p in items(term, 2, "the list of parameter vectors")? {
        all.push(params(p?)?);
    }
    Ok(all)
}

pub(crate) fn make<'a>(
    env: Env<'a>,
    cells: Cells,
    params: Vec<f64>,
    param_len: usize,
    members: usize,
) -> Term<'a> {
    let bytes = std::mem::size_of::<CellRes>() + 16 * param_len * members;
    let tracked = Tracked::new(Kind::Cell, bytes);
    rustler::ResourceArc::new(CellRes {
        cells,
        params,
        param_len,
        members,
        _tracked: tracked,
    })
    .encode(env)
}

#[rustler::nif(schedule = "DirtyCpu")]
fn cfc_cell<'a>(env: Env<'a>, config: Term<'a>, p: Term<'a>) -> Res<Term<'a>> {
    let c = cfc_config(config)?;
    let p = params(p)?;
    let cell = CfcCell::new(c, &p).map_err(|e| cell_error(e, 2))?;
    Ok(make(env, Cells::Cfc(Box::new(cell)), p, c.param_len(), 1))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn ltc_cell<'a>(env: Env<'a>, config: Term<'a>, p: Term<'a>) -> Res<Term<'a>> {
    let c = ltc_config(config)?;
    let p = params(p)?;
    let cell = LtcCell::new(c, &p).map_err(|e| cell_error(e, 2))?;
    Ok(make(env, Cells::Ltc(Box::new(cell)), p, c.param_len(), 1))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn cfc_population<'a>(env: Env<'a>, config: Term<'a>, ps: Term<'a>) -> Res<Term<'a>> {
    let c = cfc_config(config)?;
    let ps = params_list(ps)?;
    let pop = CfcCell::population(c, &ps).map_err(|e| cell_error(e, 2))?;
    let n = pop.len();
    Ok(make(env, Cells::CfcPop(pop), ps.concat(), c.param_len(), n))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn ltc_population<'a>(env: Env<'a>, config: Term<'a>, ps: Term<'a>) -> Res<Term<'a>> {
    let c = ltc_config(config)?;
    let ps = params_list(ps)?;
    let pop = LtcCell::population(c, &ps).map_err(|e| cell_error(e, 2))?;
    let n = pop.len();
    Ok(make(env, Cells::LtcPop(pop), ps.concat(), c.param_len(), n))
}

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
        work.take(1)?;
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
        out.push(d);
        return Ok(true);
    }
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

/// Work units of one row-step.
fn row_cost(c: &CellRes) -> usize {
    match &c.cells {
        Cells::Ltc(x) => c.param_len * x.config().ode_unfolds,
        Cells::LtcPop(p) => c.param_len * p.members()[0].config().ode_unfolds,
        _ => c.param_len,
    }
}

fn encode_rows<'a>(env: Env<'a>, flat: &[f64], width: usize, rows: usize) -> Term<'a> {
    let v: Vec<Term> = (0..rows)
        .map(|r| flat[r * width..(r + 1) * width].encode(env))
        .collect();
    v.encode(env)
}

fn run_step<C: Cell>(
    rows: Rows<C>,
    b: usize,
    u: &[f64],
    s: &[f64],
    dts: Dts,
    o: &mut [f64],
    ns: &mut [f64],
) -> Res<()> {
    let mut scratch = vec![0.0; rows.scratch_len()];
    cells::step_batch(rows, b, u, s, dts, o, ns, &mut scratch).map_err(|e| cell_error(e, 2))
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
    work.take(b.saturating_mul(row_cost(c)))?;
    let (ni, ns, no) = sizes(c);
    let mut u = Vec::with_capacity(b * ni);
    flat_rows(inputs, 2, "Inputs", ni, &mut u, work)?;
    let mut s = Vec::with_capacity(b * ns);
    let sb = flat_rows(states, 3, "States", ns, &mut s, work)?;
    if sb != b {
        return Err(badarg(3, format!("{sb} state rows for {b} input rows")));
    }
    let mut d = Vec::new();
    let all = dts_arg(dts, b, &mut d, work)?;
    let dts = if all { Dts::All(d[0]) } else { Dts::Each(&d) };
    let (mut o, mut n) = (vec![0.0; b * no], vec![0.0; b * ns]);
    match &c.cells {
        Cells::Cfc(x) => run_step(Rows::Same(&**x), b, &u, &s, dts, &mut o, &mut n)?,
        Cells::Ltc(x) => run_step(Rows::Same(&**x), b, &u, &s, dts, &mut o, &mut n)?,
        Cells::CfcPop(p) => run_step(p.rows(), b, &u, &s, dts, &mut o, &mut n)?,
        Cells::LtcPop(p) => run_step(p.rows(), b, &u, &s, dts, &mut o, &mut n)?,
    }
    Ok((encode_rows(env, &o, no, b), encode_rows(env, &n, ns, b)).encode(env))
}

nif_pair!(cell_step / cell_step_dirty (env; cell, inputs, states, dts) => step_impl);

#[allow(clippy::too_many_arguments)]
fn run_seq<C: Cell>(
    rows: Rows<C>,
    b: usize,
    l: usize,
    u: &[f64],
    s: &[f64],
    dts: Dts,
    o: &mut [f64],
    f: &mut [f64],
    ns: usize,
) -> Res<()> {
    let mut scratch = vec![0.0; ns + rows.scratch_len()];
    cells::sequence(rows, b, l, u, s, dts, o, f, &mut scratch).map_err(|e| cell_error(e, 2))
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
    // Count rows and steps first (cheap) to choose the scheduler.
    let b = decode::count(seqs, 2, "InputSeqs", work)?;
    let l = match seqs.list_get_cell() {
        Ok((first, _)) => decode::count(first, 2, "an input sequence", work)?,
        Err(_) => 0,
    };
    work.take(b.saturating_mul(l).saturating_mul(row_cost(c)))?;
    let mut u = Vec::with_capacity(b * l * ni);
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
    let mut s = Vec::with_capacity(b * ns);
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
    let (mut o, mut f) = (vec![0.0; b * l * no], vec![0.0; b * ns]);
    match &c.cells {
        Cells::Cfc(x) => run_seq(Rows::Same(&**x), b, l, &u, &s, dts, &mut o, &mut f, ns)?,
        Cells::Ltc(x) => run_seq(Rows::Same(&**x), b, l, &u, &s, dts, &mut o, &mut f, ns)?,
        Cells::CfcPop(p) => run_seq(p.rows(), b, l, &u, &s, dts, &mut o, &mut f, ns)?,
        Cells::LtcPop(p) => run_seq(p.rows(), b, l, &u, &s, dts, &mut o, &mut f, ns)?,
    }
    let outs: Vec<Term> = (0..b)
        .map(|r| encode_rows(env, &o[r * l * no..(r + 1) * l * no], no, l))
        .collect();
    Ok((outs, encode_rows(env, &f, ns, b)).encode(env))
}

nif_pair!(cell_sequence / cell_sequence_dirty (env; cell, seqs, states, dts) => sequence_impl);

#[rustler::nif]
fn cell_info<'a>(env: Env<'a>, cell: Term<'a>) -> Res<Term<'a>> {
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
