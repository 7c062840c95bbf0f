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

// The erf coefficients are written with all the digits of their published
// decimal form; they round to the intended f64 values.
#![allow(clippy::excessive_precision)]

use std::fmt;

/// What went wrong building or stepping a cell. Never a panic.
#[derive(Debug, Clone, PartialEq)]
pub enum CellError {
    /// A configuration value is out of range or unknown.
    InvalidConfig(String),
    /// The flat parameter vector has the wrong length.
    ParamLength { expected: usize, got: usize },
    /// A parameter is NaN or infinite.
    NonFiniteParam { index: usize },
    /// A population needs at least one member.
    EmptyPopulation,
    /// Building population member `member` failed.
    Member {
        member: usize,
        error: Box<CellError>,
    },
    /// An input row (or the flat input buffer) has the wrong length.
    InputLength {
        row: usize,
        expected: usize,
        got: usize,
    },
    /// A state row (or the flat state buffer) has the wrong length.
    StateLength {
        row: usize,
        expected: usize,
        got: usize,
    },
    /// The number of elapsed times is wrong.
    DtLength { expected: usize, got: usize },
    /// A caller-provided output, new-state or scratch buffer has the wrong length.
    BufferLength {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// The batch size does not match (rows of inputs vs states, or a population's size).
    BatchSize { expected: usize, got: usize },
    /// Sequences of one batch must all have the same length.
    SequenceLength {
        row: usize,
        expected: usize,
        got: usize,
    },
    /// An input value is NaN or infinite.
    NonFiniteInput { row: usize, index: usize },
    /// A state value is NaN or infinite.
    NonFiniteState { row: usize, index: usize },
    /// An elapsed time is not allowed (not finite, negative, or zero for LTC).
    BadDt {
        row: usize,
        dt: f64,
        reason: &'static str,
    },
    /// The computation of a row overflowed (see the module docs).
    NonFinite { row: usize, what: &'static str },
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellError::InvalidConfig(m) => write!(f, "invalid cell configuration: {m}"),
            CellError::ParamLength { expected, got } => write!(
                f,
                "wrong parameter length: expected {expected} numbers, got {got}"
            ),
            CellError::NonFiniteParam { index } => {
                write!(f, "parameter {index} (0-based) is not a finite number")
            }
            CellError::EmptyPopulation => write!(f, "a population needs at least one member"),
            CellError::Member { member, error } => {
                write!(f, "population member {member} (0-based): {error}")
            }
            CellError::InputLength { row, expected, got } => write!(
                f,
                "input row {row} (0-based) has {got} values, expected {expected}"
            ),
            CellError::StateLength { row, expected, got } => write!(
                f,
                "state row {row} (0-based) has {got} values, expected {expected}"
            ),
            CellError::DtLength { expected, got } => {
                write!(f, "expected {expected} elapsed times, got {got}")
            }
            CellError::BufferLength {
                what,
                expected,
                got,
            } => {
                write!(f, "{what} buffer has length {got}, expected {expected}")
            }
            CellError::BatchSize { expected, got } => {
                write!(
                    f,
                    "batch size mismatch: expected {expected} rows, got {got}"
                )
            }
            CellError::SequenceLength { row, expected, got } => write!(
                f,
                "sequence of row {row} (0-based) has {got} steps, expected {expected}"
            ),
            CellError::NonFiniteInput { row, index } => {
                write!(f, "input row {row}, value {index} (0-based) is not finite")
            }
            CellError::NonFiniteState { row, index } => {
                write!(f, "state row {row}, value {index} (0-based) is not finite")
            }
            CellError::BadDt { row, dt, reason } => {
                write!(f, "elapsed time {dt} of row {row} (0-based) {reason}")
            }
            CellError::NonFinite { row, what } => {
                write!(f, "row {row} (0-based) overflowed: {what} is not finite")
            }
        }
    }
}

impl std::error::Error for CellError {}

// ---------------------------------------------------------------------------
// Elementwise functions
// ---------------------------------------------------------------------------

/// `1 / (1 + exp(-x))`. Saturates to exactly `0.0` where `exp(-x)` overflows.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `1.7159 * tanh(0.666 * x)` (ncps's `LeCun`).
#[inline]
pub fn lecun_tanh(x: f64) -> f64 {
    1.7159 * (0.666 * x).tanh()
}

/// `x` if `x > 0`, else `0.0`.
#[inline]
pub fn relu(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `x / (1 + exp(-x))`, torch's CPU SiLU.
#[inline]
pub fn silu(x: f64) -> f64 {
    x / (1.0 + (-x).exp())
}

/// `(x * 0.5) * (1 + erf(x * FRAC_1_SQRT_2))`, torch's exact GELU.
#[inline]
pub fn gelu(x: f64) -> f64 {
    x * 0.5 * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2))
}

/// `ln(1 + x)` for `x > -1`, accurate to a few ulp.
///
/// Algorithm (Goldberg's): `u = 1 + x`; if `u == 1` the result is `x`,
/// otherwise `(ln(u) * x) / (u - 1)`. The division corrects the rounding
/// error committed in forming `u`.
#[inline]
pub fn log1p(x: f64) -> f64 {
    let u = 1.0 + x;
    if u == 1.0 {
        x
    } else {
        u.ln() * x / (u - 1.0)
    }
}

/// `nn.Softplus(beta=1, threshold=20)`: `x` if `x > 20`, else `log1p(exp(x))`.
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 20.0 {
        x
    } else {
        log1p(x.exp())
    }
}

// erf: rational approximations on four intervals, after the classic
// SunPro/msun design (Sun Microsystems 1993, freely redistributable);
// written anew here. Error below 1 ulp.
const ERX: f64 = 8.45062911510467529297e-01;
const EFX: f64 = 1.28379167095512586316e-01;
const EFX8: f64 = 1.02703333676410069053e+00;
// [0, 0.84375]: erf(x) = x + x * P(x^2)/Q(x^2)
const PP: [f64; 5] = [
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05,
];
const QQ: [f64; 5] = [
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06,
];
// [0.84375, 1.25]: erf(x) = erx + P(s)/Q(s), s = |x| - 1
const PA: [f64; 7] = [
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
];
const QA: [f64; 6] = [
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02,
];
// [1.25, 1/0.35]: erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x
const RA: [f64; 8] = [
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e+01,
    -6.23753324503260060396e+01,
    -1.62396669462573470355e+02,
    -1.84605092906711035994e+02,
    -8.12874355063065934246e+01,
    -9.81432934416914548592e+00,
];
const SA: [f64; 8] = [
    1.96512716674392571292e+01,
    1.37657754143519042600e+02,
    4.34565877475229228821e+02,
    6.45387271733267880336e+02,
    4.29008140027567833386e+02,
    1.08635005541779435134e+02,
    6.57024977031928170135e+00,
    -6.04244152148580987438e-02,
];
// [1/0.35, 6]
const RB: [f64; 7] = [
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e+01,
    -1.60636384855821916062e+02,
    -6.37566443368389627722e+02,
    -1.02509513161107724954e+03,
    -4.83519191608651397019e+02,
];
const SB: [f64; 7] = [
    3.03380607434824582924e+01,
    3.25792512996573918826e+02,
    1.53672958608443695994e+03,
    3.19985821950859553908e+03,
    2.55305040643316442583e+03,
    4.74528541206955367215e+02,
    -2.24409524465858183362e+01,
];

/// Horner: `c[0] + x*(c[1] + x*(... + x*c[n-1]))`.
#[inline]
fn horner(x: f64, c: &[f64]) -> f64 {
    let mut acc = c[c.len() - 1];
    for k in (0..c.len() - 1).rev() {
        acc = c[k] + x * acc;
    }
    acc
}

/// `1 + x*(c[0] + x*(c[1] + ...))`.
#[inline]
fn horner1(x: f64, c: &[f64]) -> f64 {
    1.0 + x * horner(x, c)
}

/// The error function, `2/sqrt(pi) * integral_0^x exp(-t^2) dt`, to within
/// 1 ulp. NaN gives NaN, `±inf` gives `±1`.
///
/// Method (by `|x|`): below `2^-28`, `x + x*efx`; below 0.84375,
/// `x + x*P(x²)/Q(x²)`; below 1.25, `±(erx + P(s)/Q(s))` with `s = |x| - 1`;
/// below 6, `±(1 - exp(-z² - 0.5625) * exp((z - a)(z + a) + R/S) / a)` with
/// `a = |x|`, `z` = `a` with the low 32 bits of its representation cleared,
/// and `R/S` a rational function of `1/a²` (two sets of coefficients, split
/// at `1/0.35`); from 6 on, `±1`. Polynomials are evaluated by Horner's rule.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let neg = x.is_sign_negative();
    if a.is_infinite() {
        return if neg { -1.0 } else { 1.0 };
    }
    let ix = (a.to_bits() >> 32) as u32;
    if ix < 0x3feb_0000 {
        // |x| < 0.84375
        if ix < 0x3e30_0000 {
            // |x| < 2^-28
            if ix < 0x0080_0000 {
                // avoid underflow
                return 0.125 * (8.0 * x + EFX8 * x);
            }
            return x + EFX * x;
        }
        let z = x * x;
        let r = horner(z, &PP);
        let s = horner1(z, &QQ);
        let y = r / s;
        return x + x * y;
    }
    if ix < 0x3ff4_0000 {
        // 0.84375 <= |x| < 1.25
        let s = a - 1.0;
        let p = horner(s, &PA);
        let q = horner1(s, &QA);
        return if neg { -ERX - p / q } else { ERX + p / q };
    }
    if ix >= 0x4018_0000 {
        // |x| >= 6
        return if neg { -1.0 } else { 1.0 };
    }
    let s = 1.0 / (a * a);
    let (r, ss) = if ix < 0x4006_db6e {
        // |x| < 1/0.35
        (horner(s, &RA), horner1(s, &SA))
    } else {
        (horner(s, &RB), horner1(s, &SB))
    };
    let z = f64::from_bits(a.to_bits() & 0xffff_ffff_0000_0000);
    let e = (-z * z - 0.5625).exp() * ((z - a) * (z + a) + r / ss).exp();
    if neg {
        e / a - 1.0
    } else {
        1.0 - e / a
    }
}

/// The backbone activation of a CfC cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `1.7159 * tanh(0.666 x)`, ncps's default.
    LecunTanh,
    Tanh,
    Relu,
    Silu,
    Gelu,
}

impl Activation {
    /// All activations, in documentation order.
    pub const ALL: [Activation; 5] = [
        Activation::LecunTanh,
        Activation::Tanh,
        Activation::Relu,
        Activation::Silu,
        Activation::Gelu,
    ];

    /// Parses ncps's name: `lecun_tanh`, `tanh`, `relu`, `silu` or `gelu`.
    pub fn from_name(name: &str) -> Result<Self, CellError> {
        match name {
            "lecun_tanh" => Ok(Activation::LecunTanh),
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "silu" => Ok(Activation::Silu),
            "gelu" => Ok(Activation::Gelu),
            other => Err(CellError::InvalidConfig(format!(
                "unknown backbone_activation {other:?} (expected lecun_tanh, tanh, relu, silu or gelu)"
            ))),
        }
    }

    /// ncps's name of the activation.
    pub fn name(self) -> &'static str {
        match self {
            Activation::LecunTanh => "lecun_tanh",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Silu => "silu",
            Activation::Gelu => "gelu",
        }
    }

    /// Applies the activation to one value.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::LecunTanh => lecun_tanh(x),
            Activation::Tanh => x.tanh(),
            Activation::Relu => relu(x),
            Activation::Silu => silu(x),
            Activation::Gelu => gelu(x),
        }
    }

    /// Applies the activation in place.
    #[inline]
    pub fn apply_slice(self, xs: &mut [f64]) {
        match self {
            Activation::LecunTanh => xs.iter_mut().for_each(|x| *x = lecun_tanh(*x)),
            Activation::Tanh => xs.iter_mut().for_each(|x| *x = x.tanh()),
            Activation::Relu => xs.iter_mut().for_each(|x| *x = relu(*x)),
            Activation::Silu => xs.iter_mut().for_each(|x| *x = silu(*x)),
            Activation::Gelu => xs.iter_mut().for_each(|x| *x = gelu(*x)),
        }
    }
}

// ---------------------------------------------------------------------------
// Dense products
// ---------------------------------------------------------------------------

/// `y[o] = (sum_i w[o, i] * z[i]) + b[o]` for a row-major `w` stored
/// **transposed**: `wt[i * out + o] = w[o, i]`.
///
/// The sum for each `o` starts at `0.0` and adds the terms in increasing `i`,
/// then the bias — exactly the order of a naive loop over a row of `w`, so
/// the result is bit-identical to it. Looping `i` outside and `o` inside keeps
/// the inner loop over contiguous memory with independent accumulators, which
/// the compiler vectorises (two lanes with SSE2) without reordering any sum.
///
/// Lengths: `wt.len() == z.len() * y.len()`, `b.len() == y.len()`.
#[inline]
pub fn dense_t(wt: &[f64], b: &[f64], z: &[f64], y: &mut [f64]) {
    let out = y.len();
    debug_assert_eq!(wt.len(), z.len() * out);
    debug_assert_eq!(b.len(), out);
    y.iter_mut().for_each(|v| *v = 0.0);
    for (zi, wrow) in z.iter().zip(wt.chunks_exact(out)) {
        let zi = *zi;
        for (acc, w) in y.iter_mut().zip(wrow) {
            *acc += w * zi;
        }
    }
    for (acc, bo) in y.iter_mut().zip(b) {
        *acc += bo;
    }
}

/// Transposes a row-major `[rows, cols]` matrix into `[cols, rows]`.
pub fn transpose(m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut t = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

/// `true` if every value is finite.
#[inline]
pub fn all_finite(xs: &[f64]) -> bool {
    // Branch-free fold so the loop vectorises.
    xs.iter().fold(true, |ok, x| ok & x.is_finite())
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

// ---------------------------------------------------------------------------
// The Cell trait and the drivers
// ---------------------------------------------------------------------------

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

    fn check_len(&self, expected: usize) -> Result<(), CellError> {
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
    fn cell(&self, r: usize) -> &'a C {
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

    fn check_batch(&self, batch: usize) -> Result<(), CellError> {
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

fn sizes<C: Cell>(rows: &Rows<'_, C>) -> (usize, usize, usize) {
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

/// Runs a batch of sequences (section 1 of `cfc_ltc.md`):
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

/// `(outputs[r], new_states[r])` of [`step_rows`].
pub type NestedStep = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// `(outputs[r][t], final_states[r])` of [`sequence_rows`].
pub type NestedSequence = (Vec<Vec<Vec<f64>>>, Vec<Vec<f64>>);

/// Convenience for tests and simple callers: one step of a batch given as
/// nested rows; returns `(outputs, new_states)`, one `Vec` per row. Each row
/// is checked (its index is in the error).
pub fn step_rows<C: Cell>(
    rows: Rows<'_, C>,
    inputs: &[Vec<f64>],
    states: &[Vec<f64>],
    dts: Dts<'_>,
) -> Result<NestedStep, CellError> {
    let batch = inputs.len();
    if states.len() != batch {
        return Err(CellError::BatchSize {
            expected: batch,
            got: states.len(),
        });
    }
    rows.check_batch(batch)?;
    dts.check_len(batch)?;
    for r in 0..batch {
        check_row(rows.cell(r), r, &inputs[r], &states[r])?;
    }
    let fi: Vec<f64> = inputs.concat();
    let fs: Vec<f64> = states.concat();
    let (_, ls, lo, lsc) = batch_lengths(&rows, batch);
    let (mut o, mut s, mut sc) = (vec![0.0; lo], vec![0.0; ls], vec![0.0; lsc]);
    step_batch(rows, batch, &fi, &fs, dts, &mut o, &mut s, &mut sc)?;
    let (_, ns, no) = sizes(&rows);
    Ok((split(&o, no, batch), split(&s, ns, batch)))
}

/// Convenience: a batch of sequences given as nested rows
/// (`inputs[r][t]` is one input row); returns `(outputs[r][t], final_states[r])`.
/// Every row must have the same number of steps.
pub fn sequence_rows<C: Cell>(
    rows: Rows<'_, C>,
    inputs: &[Vec<Vec<f64>>],
    states0: &[Vec<f64>],
    dts: Dts<'_>,
) -> Result<NestedSequence, CellError> {
    let batch = inputs.len();
    if states0.len() != batch {
        return Err(CellError::BatchSize {
            expected: batch,
            got: states0.len(),
        });
    }
    rows.check_batch(batch)?;
    let len = inputs.first().map_or(0, |s| s.len());
    for (r, seq) in inputs.iter().enumerate() {
        if seq.len() != len {
            return Err(CellError::SequenceLength {
                row: r,
                expected: len,
                got: seq.len(),
            });
        }
        let cell = rows.cell(r);
        if states0[r].len() != cell.state_size() {
            return Err(CellError::StateLength {
                row: r,
                expected: cell.state_size(),
                got: states0[r].len(),
            });
        }
        for u in seq {
            if u.len() != cell.input_size() {
                return Err(CellError::InputLength {
                    row: r,
                    expected: cell.input_size(),
                    got: u.len(),
                });
            }
        }
    }
    let fi: Vec<f64> = inputs
        .iter()
        .flat_map(|s| s.iter().flatten().copied())
        .collect();
    let fs: Vec<f64> = states0.concat();
    let (_, ls, lo, lsc) = batch_lengths(&rows, batch);
    let (_, ns, no) = sizes(&rows);
    let mut o = vec![0.0; lo * len];
    let mut s = vec![0.0; ls];
    let mut sc = vec![0.0; lsc + ns];
    sequence(rows, batch, len, &fi, &fs, dts, &mut o, &mut s, &mut sc)?;
    let outs = split(&o, no * len, batch)
        .into_iter()
        .map(|row| split(&row, no, len))
        .collect();
    Ok((outs, split(&s, ns, batch)))
}

fn split(flat: &[f64], width: usize, n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|r| flat[r * width..(r + 1) * width].to_vec())
        .collect()
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
        let members = params
            .iter()
            .enumerate()
            .map(|(member, p)| {
                build(p.as_ref()).map_err(|e| CellError::Member {
                    member,
                    error: Box::new(e),
                })
            })
            .collect::<Result<Vec<C>, CellError>>()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_basics() {
        assert_eq!(erf(0.0), 0.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert_eq!(erf(f64::NEG_INFINITY), -1.0);
        assert!(erf(f64::NAN).is_nan());
        // erf(1) = 0.8427007929497148693...
        assert!((erf(1.0) - 0.842_700_792_949_714_9).abs() < 2e-16);
        assert!((erf(-0.5) + 0.520_499_877_813_046_5).abs() < 2e-16);
        assert!((erf(2.0) - 0.995_322_265_018_952_7).abs() < 2e-16);
        assert!((erf(3.5) - 0.999_999_256_901_627_7).abs() < 2e-16);
        assert_eq!(erf(7.0), 1.0);
        assert_eq!(erf(1e-300), 1e-300 + EFX * 1e-300);
    }

    #[test]
    fn log1p_is_accurate() {
        for &x in &[1e-20f64, 1e-10, 1e-5, 0.1, 1.0, 10.0, 1e10, 4.85e8] {
            let want = (1.0 + x).ln();
            let got = log1p(x);
            if x > 1e-3 {
                assert!((got - want).abs() <= 4.0 * f64::EPSILON * want.abs(), "{x}");
            }
        }
        assert_eq!(log1p(1e-20), 1e-20);
        assert!((log1p(1e-10) - 9.999_999_999_5e-11).abs() < 1e-25);
    }

    #[test]
    fn dense_t_matches_naive() {
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
        let b = [0.5, -0.5];
        let z = [0.1, 0.2, 0.3];
        let wt = transpose(&w, 2, 3);
        let mut y = [0.0; 2];
        dense_t(&wt, &b, &z, &mut y);
        for o in 0..2 {
            let mut acc = 0.0;
            for i in 0..3 {
                acc += w[o * 3 + i] * z[i];
            }
            assert_eq!(y[o], acc + b[o]);
        }
    }
}
