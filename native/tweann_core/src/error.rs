//! Errors of the kernels. No kernel panics on bad input: it returns a
//! [`CoreError`] that says which argument was wrong and why, so the NIF glue
//! can raise `badarg` with EEP 54 error_info naming that argument.

use std::fmt;

/// Which argument of the calling API function an error is about
/// (1-based, as Erlang's error_info counts), or the call in general.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Arg(u8),
    General,
}

/// The kind of failure, mapped to the Erlang error class by the glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A malformed or out-of-range argument: `error:badarg`.
    BadArg,
    /// Arithmetic overflow (a non-finite intermediate value): `error:badarith`.
    Overflow,
    /// A memory reservation that would exceed the budget or failed: `error:badarg`
    /// naming the budget.
    Memory,
    /// A [`crate::meter::Meter`] stopped the kernel (the glue's meter does so
    /// when the calling process has died): nobody waits for the result.
    Interrupted,
}

/// An error with the argument it concerns and a human-readable reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreError {
    pub kind: ErrorKind,
    pub position: Position,
    pub reason: String,
}

impl CoreError {
    pub fn badarg(arg: u8, reason: impl Into<String>) -> Self {
        CoreError {
            kind: ErrorKind::BadArg,
            position: Position::Arg(arg),
            reason: reason.into(),
        }
    }
    pub fn general(reason: impl Into<String>) -> Self {
        CoreError {
            kind: ErrorKind::BadArg,
            position: Position::General,
            reason: reason.into(),
        }
    }
    pub fn overflow(reason: impl Into<String>) -> Self {
        CoreError {
            kind: ErrorKind::Overflow,
            position: Position::General,
            reason: reason.into(),
        }
    }
    pub fn memory(reason: impl Into<String>) -> Self {
        CoreError {
            kind: ErrorKind::Memory,
            position: Position::General,
            reason: reason.into(),
        }
    }
    /// The kernel was stopped by its [`crate::meter::Meter`].
    pub fn interrupted() -> Self {
        CoreError {
            kind: ErrorKind::Interrupted,
            position: Position::General,
            reason: "interrupted".into(),
        }
    }
    /// The same error about another argument position (used when a kernel is
    /// reached through an API whose argument order differs).
    pub fn at(mut self, arg: u8) -> Self {
        if let Position::Arg(_) = self.position {
            self.position = Position::Arg(arg);
        }
        self
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Arg(n) => write!(f, "argument {n}: {}", self.reason),
            Position::General => write!(f, "{}", self.reason),
        }
    }
}

impl std::error::Error for CoreError {}

/// Reserve capacity for `n` more elements without aborting on failure.
pub fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>, CoreError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        CoreError::memory(format!(
            "cannot allocate {} bytes for {what}",
            n.saturating_mul(std::mem::size_of::<T>())
        ))
    })?;
    Ok(v)
}
