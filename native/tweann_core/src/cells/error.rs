//! [`CellError`]: what went wrong building or stepping a cell.

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
    /// A buffer of `bytes` bytes could not be allocated.
    OutOfMemory { bytes: usize },
    /// The [`crate::meter::Meter`] given to a driver stopped it.
    Interrupted,
}

impl From<crate::meter::Interrupted> for CellError {
    fn from(_: crate::meter::Interrupted) -> Self {
        CellError::Interrupted
    }
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
            CellError::OutOfMemory { bytes } => write!(f, "cannot allocate {bytes} bytes"),
            CellError::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for CellError {}
