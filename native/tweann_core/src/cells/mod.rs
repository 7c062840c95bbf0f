//! Shared machinery of the liquid cells ([`crate::cfc`] and [`crate::ltc`]).
//!
//! This module holds what both cells use: the error type [`CellError`], the
//! elementwise functions (with a self-contained [`erf`] and [`log1p`], so that
//! the pure Erlang reference `tweann_ref_cells` can run the very same
//! algorithms and agree bit for bit), the [`Cell`] trait, and the drivers that
//! run a cell over a batch, a population or a sequence.
//!
//! # Data layout
//!
//! Every buffer is a flat, row-major `&[f64]`:
//!
//! * a batch of `B` inputs is `B * input_size` values, row `r` at
//!   `r * input_size ..`; states (`B * state_size`) and outputs
//!   (`B * output_size`) alike;
//! * a batch of sequences of length `L` is batch-first: inputs
//!   `B * L * input_size` (row `r`, step `t` at `(r * L + t) * input_size`),
//!   elapsed times `B * L` (at `r * L + t`), outputs `B * L * output_size`.
//!
//! Batch rows never interact: row `r` of any driver equals [`Cell::step`] on
//! that row alone, bit for bit.
//!
//! # Elapsed times
//!
//! [`Dts::All`] gives one elapsed time to every row (and every step), and
//! [`Dts::Each`] gives one per row (`B` values) or, for sequences, one per
//! row and step (`B * L` values). A CfC cell accepts `dt >= 0` (finite), an
//! LTC cell `dt > 0` (finite): `dt = 0` makes the LTC solver divide by zero.
//!
//! # Non-finite values
//!
//! Parameters, inputs, states and elapsed times must be finite. If a finite
//! computation overflows (an intermediate value that is not finite, e.g. a
//! dense pre-activation beyond `f64::MAX`), the step fails with
//! [`CellError::NonFinite`]; Erlang float arithmetic raises `badarith` at the
//! same points, so the native and the Erlang reference fail alike.
//!
//! # Elementwise functions (float64)
//!
//! | name | definition |
//! |---|---|
//! | [`sigmoid`] | `1 / (1 + exp(-x))` |
//! | [`lecun_tanh`] | `1.7159 * tanh(0.666 * x)` |
//! | [`relu`] | `x` if `x > 0`, else `0` |
//! | [`silu`] | `x / (1 + exp(-x))` (torch's CPU formula) |
//! | [`gelu`] | `(x * 0.5) * (1 + erf(x * (1/sqrt 2)))` (torch's exact form) |
//! | [`softplus`] | `x` if `x > 20`, else `log1p(exp(x))` |
//!
//! `exp`, `tanh` and `ln` are the C library's (as Erlang's `math` module
//! uses); [`erf`] and [`log1p`] are implemented here.
//!
//! # Files
//!
//! * `error.rs`: [`CellError`];
//! * `elementwise.rs`: the functions of the table above, and [`log1p`];
//! * `erf.rs`: [`erf`] with its coefficient tables;
//! * `backbone.rs`: [`BackboneActivation`], the CfC backbone's choice among them;
//! * `dense.rs`: the dense products [`dense_t`] and [`transpose`];
//! * this file: the [`Cell`] trait and the checks every cell makes;
//! * `drivers.rs`: [`step_batch`], [`sequence`] (and their `_metered`
//!   forms, which tick a [`crate::meter::Meter`] once per row step), [`Rows`],
//!   [`Dts`], [`Population`];
//! * `nested.rs`: [`step_rows`] and [`sequence_rows`] over nested `Vec`s.

mod backbone;
mod dense;
mod drivers;
mod elementwise;
mod erf;
mod error;
mod nested;

pub use backbone::BackboneActivation;
pub(crate) use dense::try_transpose;
pub use dense::{all_finite, dense_t, transpose};
pub use drivers::{
    batch_lengths, sequence, sequence_metered, step_batch, step_batch_metered, Dts, Population,
    Rows,
};
pub use elementwise::{gelu, lecun_tanh, log1p, relu, sigmoid, silu, softplus};
pub use erf::erf;
pub use error::CellError;
pub use nested::{sequence_rows, step_rows, NestedSequence, NestedStep};

/// One recurrent cell with validated parameters: `(u, state, dt) -> (y, state')`.
pub trait Cell {
    /// Length of one input row.
    fn input_size(&self) -> usize;
    /// Length of one state row.
    fn state_size(&self) -> usize;
    /// Length of one output row.
    fn output_size(&self) -> usize;
    /// Length of the scratch buffer [`Cell::step`] needs.
    fn scratch_len(&self) -> usize;
    /// The work of one [`Cell::step_row`] in units of about one
    /// multiply-add (what the drivers tick their [`crate::meter::Meter`]
    /// with, and what the NIF glue charges before it steps a cell).
    fn work(&self) -> usize;
    /// `Ok` if `dt` is a legal elapsed time for this cell (row is for the message).
    fn check_dt(&self, row: usize, dt: f64) -> Result<(), CellError>;
    /// One step of one row. `input`, `state`, `output`, `new_state` and
    /// `scratch` must have the lengths the other methods state (else
    /// [`CellError::BufferLength`] etc.); `state` and `new_state` must not
    /// alias (Rust's borrow rules already forbid it). The inputs and the state
    /// are assumed finite (the drivers check), `dt` is checked. `row` only
    /// labels errors. Allocates nothing.
    #[allow(clippy::too_many_arguments)]
    fn step_row(
        &self,
        row: usize,
        input: &[f64],
        state: &[f64],
        dt: f64,
        output: &mut [f64],
        new_state: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<(), CellError>;

    /// [`Cell::step_row`] for row 0 that also checks the lengths and that
    /// the input and state are finite.
    fn step(
        &self,
        input: &[f64],
        state: &[f64],
        dt: f64,
        output: &mut [f64],
        new_state: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<(), CellError> {
        check_row(self, 0, input, state)?;
        self.step_row(0, input, state, dt, output, new_state, scratch)
    }

    /// Convenience: one step of one row, allocating the results
    /// `(output, new_state)`.
    fn step_alloc(
        &self,
        input: &[f64],
        state: &[f64],
        dt: f64,
    ) -> Result<(Vec<f64>, Vec<f64>), CellError> {
        let mut out = vec![0.0; self.output_size()];
        let mut ns = vec![0.0; self.state_size()];
        let mut scratch = vec![0.0; self.scratch_len()];
        self.step(input, state, dt, &mut out, &mut ns, &mut scratch)?;
        Ok((out, ns))
    }
}

/// The length checks every [`Cell::step_row`] makes: input and state rows,
/// and the output, new-state and scratch buffers.
pub(crate) fn check_lengths<C: Cell + ?Sized>(
    cell: &C,
    row: usize,
    (input, state): (&[f64], &[f64]),
    (output, new_state, scratch): (&[f64], &[f64], &[f64]),
) -> Result<(), CellError> {
    check_row_lengths(cell, row, input, state)?;
    check_buf("output", output.len(), cell.output_size())?;
    check_buf("new state", new_state.len(), cell.state_size())?;
    check_buf("scratch", scratch.len(), cell.scratch_len())
}

fn check_buf(what: &'static str, got: usize, expected: usize) -> Result<(), CellError> {
    if got == expected {
        Ok(())
    } else {
        Err(CellError::BufferLength {
            what,
            expected,
            got,
        })
    }
}

fn check_row_lengths<C: Cell + ?Sized>(
    cell: &C,
    row: usize,
    input: &[f64],
    state: &[f64],
) -> Result<(), CellError> {
    if input.len() != cell.input_size() {
        return Err(CellError::InputLength {
            row,
            expected: cell.input_size(),
            got: input.len(),
        });
    }
    if state.len() != cell.state_size() {
        return Err(CellError::StateLength {
            row,
            expected: cell.state_size(),
            got: state.len(),
        });
    }
    Ok(())
}

fn check_row<C: Cell + ?Sized>(
    cell: &C,
    row: usize,
    input: &[f64],
    state: &[f64],
) -> Result<(), CellError> {
    check_row_lengths(cell, row, input, state)?;
    check_finite_row(row, input, state)
}

fn check_finite_row(row: usize, input: &[f64], state: &[f64]) -> Result<(), CellError> {
    if let Some(index) = input.iter().position(|x| !x.is_finite()) {
        return Err(CellError::NonFiniteInput { row, index });
    }
    if let Some(index) = state.iter().position(|x| !x.is_finite()) {
        return Err(CellError::NonFiniteState { row, index });
    }
    Ok(())
}

/// A copy of `xs`, allocated fallibly.
pub(crate) fn try_copy(xs: &[f64]) -> Result<Vec<f64>, CellError> {
    let mut v = try_zeros(0, xs.len())?;
    v.extend_from_slice(xs);
    Ok(v)
}

/// `n` zeros (with room for `extra` more values), allocated fallibly.
pub(crate) fn try_zeros(n: usize, extra: usize) -> Result<Vec<f64>, CellError> {
    let want = n.saturating_add(extra);
    let mut v = Vec::new();
    v.try_reserve_exact(want)
        .map_err(|_| CellError::OutOfMemory {
            bytes: want.saturating_mul(8),
        })?;
    v.resize(n, 0.0);
    Ok(v)
}

/// `f` applied to every value of `xs`, into a fallibly allocated vector.
pub(crate) fn try_map(xs: &[f64], f: impl Fn(f64) -> f64) -> Result<Vec<f64>, CellError> {
    let mut v = try_zeros(0, xs.len())?;
    v.extend(xs.iter().map(|&x| f(x)));
    Ok(v)
}

pub(crate) fn check_params(params: &[f64], expected: usize) -> Result<(), CellError> {
    if params.len() != expected {
        return Err(CellError::ParamLength {
            expected,
            got: params.len(),
        });
    }
    match params.iter().position(|p| !p.is_finite()) {
        Some(index) => Err(CellError::NonFiniteParam { index }),
        None => Ok(()),
    }
}
