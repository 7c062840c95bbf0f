//! The drivers: a cell (or a population of cells) over a batch of rows, once
//! ([`step_batch`]) or over sequences ([`sequence`]). Row `r` of any driver
//! equals [`Cell::step`] on that row alone, bit for bit.

use super::{check_buf, check_finite_row, Cell, CellError};
use crate::meter::{Meter, Unmetered};

/// Elapsed times for a batch: one for all, or one per row (per row and step
/// for sequences).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dts<'a> {
    /// The same elapsed time everywhere.
    All(f64),
    /// One per row (`B`), or per row and step (`B * L`, row-major) for sequences.
    Each(&'a [f64]),
}

impl Dts<'_> {
    #[inline]
    fn get(&self, k: usize) -> f64 {
        match self {
            Dts::All(d) => *d,
            Dts::Each(ds) => ds[k],
        }
    }

    pub(super) fn check_len(&self, expected: usize) -> Result<(), CellError> {
        match self {
            Dts::All(_) => Ok(()),
            Dts::Each(ds) if ds.len() == expected => Ok(()),
            Dts::Each(ds) => Err(CellError::DtLength {
                expected,
                got: ds.len(),
            }),
        }
    }
}

/// Which cell serves which batch row.
#[derive(Debug)]
pub enum Rows<'a, C> {
    /// One cell for every row (any batch size).
    Same(&'a C),
    /// A population: row `r` uses member `r`; the batch size must equal the
    /// number of members.
    Each(&'a [C]),
}

impl<C> Clone for Rows<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Rows<'_, C> {}

impl<'a, C: Cell> Rows<'a, C> {
    #[inline]
    pub(super) fn cell(&self, r: usize) -> &'a C {
        match self {
            Rows::Same(c) => c,
            Rows::Each(cs) => &cs[r],
        }
    }

    fn first(&self) -> Option<&'a C> {
        match self {
            Rows::Same(c) => Some(c),
            Rows::Each(cs) => cs.first(),
        }
    }

    pub(super) fn check_batch(&self, batch: usize) -> Result<(), CellError> {
        match self {
            Rows::Each(cs) if cs.len() != batch => Err(CellError::BatchSize {
                expected: cs.len(),
                got: batch,
            }),
            _ => Ok(()),
        }
    }

    /// The scratch length that serves every row.
    pub fn scratch_len(&self) -> usize {
        match self {
            Rows::Same(c) => c.scratch_len(),
            Rows::Each(cs) => cs.iter().map(|c| c.scratch_len()).max().unwrap_or(0),
        }
    }
}

pub(super) fn sizes<C: Cell>(rows: &Rows<'_, C>) -> (usize, usize, usize) {
    match rows.first() {
        Some(c) => (c.input_size(), c.state_size(), c.output_size()),
        None => (0, 0, 0),
    }
}

/// Steps a batch of `batch` rows once.
///
/// `inputs` is `batch * I`, `states` and `new_states` `batch * S`, `outputs`
/// `batch * M`, `scratch` at least [`Rows::scratch_len`] (only that prefix is
/// used). Row `r` gets `dts` entry `r`. All lengths, finiteness and elapsed
/// times are checked before anything is computed, so an argument error leaves
/// the output buffers untouched; a [`CellError::NonFinite`] may leave them
/// partly written. Allocates nothing.
#[allow(clippy::too_many_arguments)]
pub fn step_batch<C: Cell>(
    rows: Rows<'_, C>,
    batch: usize,
    inputs: &[f64],
    states: &[f64],
    dts: Dts<'_>,
    outputs: &mut [f64],
    new_states: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), CellError> {
    let bufs = (outputs, new_states, scratch);
    step_batch_metered(rows, batch, inputs, states, dts, bufs, &mut Unmetered)
}

/// [`step_batch`] that ticks `meter` with [`Cell::work`] before each row
/// and stops with [`CellError::Interrupted`] when the meter says so (the
/// buffers are then partly written). `bufs` are `(outputs, new_states,
/// scratch)`. The results are those of [`step_batch`], bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn step_batch_metered<C: Cell>(
    rows: Rows<'_, C>,
    batch: usize,
    inputs: &[f64],
    states: &[f64],
    dts: Dts<'_>,
    (outputs, new_states, scratch): (&mut [f64], &mut [f64], &mut [f64]),
    meter: &mut dyn Meter,
) -> Result<(), CellError> {
    rows.check_batch(batch)?;
    let (ni, ns, no) = sizes(&rows);
    check_flat(batch, 1, ni, ns, no, inputs, states, outputs, new_states)?;
    dts.check_len(batch)?;
    let need = rows.scratch_len();
    if scratch.len() < need {
        return Err(CellError::BufferLength {
            what: "scratch",
            expected: need,
            got: scratch.len(),
        });
    }
    for r in 0..batch {
        rows.cell(r).check_dt(r, dts.get(r))?;
        check_finite_row(
            r,
            &inputs[r * ni..(r + 1) * ni],
            &states[r * ns..(r + 1) * ns],
        )?;
    }
    for r in 0..batch {
        let cell = rows.cell(r);
        meter.tick(cell.work())?;
        cell.step_row(
            r,
            &inputs[r * ni..(r + 1) * ni],
            &states[r * ns..(r + 1) * ns],
            dts.get(r),
            &mut outputs[r * no..(r + 1) * no],
            &mut new_states[r * ns..(r + 1) * ns],
            &mut scratch[..cell.scratch_len()],
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn check_flat(
    batch: usize,
    len: usize,
    ni: usize,
    ns: usize,
    no: usize,
    inputs: &[f64],
    states: &[f64],
    outputs: &[f64],
    new_states: &[f64],
) -> Result<(), CellError> {
    if inputs.len() != batch * len * ni {
        return Err(CellError::InputLength {
            row: 0,
            expected: batch * len * ni,
            got: inputs.len(),
        });
    }
    if states.len() != batch * ns {
        return Err(CellError::StateLength {
            row: 0,
            expected: batch * ns,
            got: states.len(),
        });
    }
    check_buf("output", outputs.len(), batch * len * no)?;
    check_buf("new state", new_states.len(), batch * ns)
}

/// Runs a batch of sequences (section 1 of `docs/cells.md`):
/// `state_0 = states0[r]`, then for `t = 0..len`:
/// `(out[r, t], state_{t+1}) = cell(u[r, t], state_t, dt[r, t])`.
///
/// `inputs` is `batch * len * I`, `dts` is [`Dts::All`] or `batch * len`
/// values, `outputs` is `batch * len * M`, `final_states` (and `states0`)
/// `batch * S`. `scratch` must hold at least `S + `[`Rows::scratch_len`]
/// values (the extra `S` is the ping-pong state buffer). Identical, bit for
/// bit, to calling [`step_batch`] `len` times. Allocates nothing.
#[allow(clippy::too_many_arguments)]
pub fn sequence<C: Cell>(
    rows: Rows<'_, C>,
    batch: usize,
    len: usize,
    inputs: &[f64],
    states0: &[f64],
    dts: Dts<'_>,
    outputs: &mut [f64],
    final_states: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), CellError> {
    let bufs = (outputs, final_states, scratch);
    sequence_metered(
        rows,
        (batch, len),
        inputs,
        states0,
        dts,
        bufs,
        &mut Unmetered,
    )
}

/// [`sequence`] that ticks `meter` with [`Cell::work`] before each step of
/// each row and stops with [`CellError::Interrupted`] when the meter says
/// so (the buffers are then partly written). `(batch, len)` and `bufs =
/// (outputs, final_states, scratch)` are [`sequence`]'s arguments. The
/// results are those of [`sequence`], bit for bit.
pub fn sequence_metered<C: Cell>(
    rows: Rows<'_, C>,
    (batch, len): (usize, usize),
    inputs: &[f64],
    states0: &[f64],
    dts: Dts<'_>,
    (outputs, final_states, scratch): (&mut [f64], &mut [f64], &mut [f64]),
    meter: &mut dyn Meter,
) -> Result<(), CellError> {
    rows.check_batch(batch)?;
    let (ni, ns, no) = sizes(&rows);
    check_flat(
        batch,
        len,
        ni,
        ns,
        no,
        inputs,
        states0,
        outputs,
        final_states,
    )?;
    dts.check_len(batch * len)?;
    let need = ns + rows.scratch_len();
    if scratch.len() < need {
        return Err(CellError::BufferLength {
            what: "scratch",
            expected: need,
            got: scratch.len(),
        });
    }
    for r in 0..batch {
        let cell = rows.cell(r);
        // The checks cost about one unit per value.
        meter.tick(len.saturating_mul(ni + 1))?;
        check_finite_row(r, &[], &states0[r * ns..(r + 1) * ns])?;
        for t in 0..len {
            cell.check_dt(r, dts.get(r * len + t))?;
            let k = r * len + t;
            check_finite_row(r, &inputs[k * ni..(k + 1) * ni], &[])?;
        }
    }
    let (tmp, rest) = scratch.split_at_mut(ns);
    for r in 0..batch {
        let cell = rows.cell(r);
        let fin = &mut final_states[r * ns..(r + 1) * ns];
        fin.copy_from_slice(&states0[r * ns..(r + 1) * ns]);
        let sc = &mut rest[..cell.scratch_len()];
        for t in 0..len {
            let k = r * len + t;
            meter.tick(cell.work())?;
            cell.step_row(
                r,
                &inputs[k * ni..(k + 1) * ni],
                fin,
                dts.get(k),
                &mut outputs[k * no..(k + 1) * no],
                tmp,
                sc,
            )?;
            fin.copy_from_slice(tmp);
        }
    }
    Ok(())
}

/// The lengths of the flat buffers of a batch of `batch` rows:
/// `(inputs, states, outputs, scratch)`.
pub fn batch_lengths<C: Cell>(rows: &Rows<'_, C>, batch: usize) -> (usize, usize, usize, usize) {
    let (ni, ns, no) = sizes(rows);
    (batch * ni, batch * ns, batch * no, rows.scratch_len())
}

/// A population: `P` cells of one configuration, member `i` serving batch
/// row `i` (see [`Rows::Each`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Population<C> {
    members: Vec<C>,
}

impl<C: Cell> Population<C> {
    /// Builds each member with `build(params_i)`; errors name the member.
    pub fn build<P: AsRef<[f64]>>(
        params: &[P],
        mut build: impl FnMut(&[f64]) -> Result<C, CellError>,
    ) -> Result<Self, CellError> {
        if params.is_empty() {
            return Err(CellError::EmptyPopulation);
        }
        let mut members = Vec::new();
        members
            .try_reserve_exact(params.len())
            .map_err(|_| CellError::OutOfMemory {
                bytes: params.len().saturating_mul(std::mem::size_of::<C>()),
            })?;
        for (member, p) in params.iter().enumerate() {
            members.push(build(p.as_ref()).map_err(|e| match e {
                CellError::OutOfMemory { .. } => e,
                _ => CellError::Member {
                    member,
                    error: Box::new(e),
                },
            })?);
        }
        Ok(Population { members })
    }

    /// The members, in order.
    pub fn members(&self) -> &[C] {
        &self.members
    }

    /// The number of members `P`.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Never true for a built population.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The row mapping to pass to the drivers.
    pub fn rows(&self) -> Rows<'_, C> {
        Rows::Each(&self.members)
    }
}
