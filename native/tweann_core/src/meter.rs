//! Metering of long kernels.
//!
//! A kernel whose work grows with its arguments (a batch of cell steps, a
//! long sequence, ...) takes a `&mut dyn `[`Meter`] and calls
//! [`Meter::tick`] as it goes, with the work it is about to do in units of
//! about one connection evaluation (a few ns). The caller decides what a
//! tick means: the NIF glue counts the units and, on a dirty scheduler,
//! checks between chunks of about a millisecond that the calling Erlang
//! process is still alive; when it is not, the meter answers
//! [`Interrupted`] and the kernel returns at once. [`Unmetered`] never
//! stops anything (tests, and callers that do not need it).
//!
//! A kernel ticks at least once per unit of bounded size (one row of a
//! batch, one step of a sequence), never inside a step, so results do not
//! depend on where or whether it was metered.

use crate::error::CoreError;

/// The meter said stop: the kernel returns without finishing. The caller
/// that gave the meter knows why (the glue: the calling process is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl From<Interrupted> for CoreError {
    fn from(_: Interrupted) -> Self {
        CoreError::interrupted()
    }
}

/// What a long kernel reports its progress to.
pub trait Meter {
    /// `units` more units of work are about to be done. `Err(Interrupted)`
    /// stops the kernel.
    fn tick(&mut self, units: usize) -> Result<(), Interrupted>;
}

/// A meter that never stops a kernel.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unmetered;

impl Meter for Unmetered {
    #[inline]
    fn tick(&mut self, _units: usize) -> Result<(), Interrupted> {
        Ok(())
    }
}

/// A meter that stops a kernel once `limit` units have been ticked; it
/// counts every tick in `ticked`. For tests of interruption.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limit {
    pub limit: usize,
    pub ticked: usize,
}

impl Limit {
    pub fn new(limit: usize) -> Self {
        Limit { limit, ticked: 0 }
    }
}

impl Meter for Limit {
    fn tick(&mut self, units: usize) -> Result<(), Interrupted> {
        self.ticked = self.ticked.saturating_add(units);
        if self.ticked > self.limit {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_stops_after_its_units() {
        let mut m = Limit::new(10);
        assert_eq!(m.tick(4), Ok(()));
        assert_eq!(m.tick(6), Ok(()));
        assert_eq!(m.tick(1), Err(Interrupted));
        assert_eq!(m.ticked, 11);
        assert_eq!(Unmetered.tick(usize::MAX), Ok(()));
        let e: CoreError = Interrupted.into();
        assert_eq!(e.kind, crate::error::ErrorKind::Interrupted);
    }
}
