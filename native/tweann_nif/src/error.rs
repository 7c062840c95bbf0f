//! Core errors -> Erlang exceptions.
//!
//! A NIF raises `{tweann_error, badarg | badarith, Position, Reason}` where
//! Position is the 1-based argument or `general` and Reason a binary. The
//! Erlang side (`tweann_nif`) re-raises it as `error:badarg` (or `badarith`)
//! with error_info whose top frame is the public call.
//!
//! Reasons are built by the glue from numbers and fixed text, never from an
//! argument's contents, so an error message is short whatever the argument.

use crate::atoms;
use rustler::{Encoder, Env, Error, Term};
use tweann_core::error::ErrorKind;
use tweann_core::{CoreError, Position};

struct Raised {
    kind: ErrorKind,
    position: Position,
    reason: String,
}

impl Encoder for Raised {
    fn encode<'a>(&self, env: Env<'a>) -> Term<'a> {
        let class = match self.kind {
            ErrorKind::Overflow => atoms::badarith(),
            ErrorKind::BadArg | ErrorKind::Memory | ErrorKind::Interrupted => atoms::badarg(),
        };
        let pos = match self.position {
            Position::Arg(n) => n.encode(env),
            Position::General => atoms::general().encode(env),
        };
        (atoms::tweann_error(), class, pos, self.reason.as_str()).encode(env)
    }
}

/// Convert a core error into the exception a NIF returns. An interrupted
/// kernel (its dirty call's caller died, see `work.rs`) returns
/// `'$tweann_dirty'` instead: nobody reads it.
pub fn raise(e: CoreError) -> Error {
    if e.kind == ErrorKind::Interrupted {
        return crate::work::dirty();
    }
    Error::RaiseTerm(Box::new(Raised {
        kind: e.kind,
        position: e.position,
        reason: e.reason,
    }))
}

/// A badarg about argument `arg`.
pub fn badarg(arg: u8, reason: impl Into<String>) -> Error {
    raise(CoreError::badarg(arg, reason))
}

/// Result alias for the glue.
pub type Res<T> = Result<T, Error>;

/// Lift a core result.
pub trait OrRaise<T> {
    fn or_raise(self) -> Res<T>;
}

impl<T> OrRaise<T> for Result<T, CoreError> {
    fn or_raise(self) -> Res<T> {
        self.map_err(raise)
    }
}
