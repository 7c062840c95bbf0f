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

/// Elements sorted, or merged, between two ticks of [`sort_metered`].
const SORT_BLOCK: usize = 4096;

/// Sort `v` by `cmp` in bounded steps, telling `meter` of each: runs of
/// [`SORT_BLOCK`] elements sorted one by one (12 units an element), then
/// merged pairwise, bottom-up, through a scratch copy (1 unit an element
/// merged, ticked every [`SORT_BLOCK`]). Not stable: under a total order
/// (no two elements equal) the result is that of any sort. The scratch
/// copy is allocated fallibly (`v.len()` elements).
pub fn sort_metered<T: Copy>(
    v: &mut Vec<T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
    meter: &mut dyn Meter,
) -> Result<(), CoreError> {
    let n = v.len();
    for run in v.chunks_mut(SORT_BLOCK) {
        meter.tick(run.len().saturating_mul(12))?;
        run.sort_unstable_by(&cmp);
    }
    if n <= SORT_BLOCK {
        return Ok(());
    }
    let mut src = std::mem::take(v);
    let mut dst = crate::error::try_vec::<T>(n, "a sort's scratch copy")?;
    let mut width = SORT_BLOCK;
    while width < n {
        dst.clear();
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            while i < mid || j < hi {
                let step = ((mid - i) + (hi - j)).min(SORT_BLOCK);
                meter.tick(step)?;
                for _ in 0..step {
                    if j >= hi || (i < mid && cmp(&src[i], &src[j]).is_le()) {
                        dst.push(src[i]);
                        i += 1;
                    } else {
                        dst.push(src[j]);
                        j += 1;
                    }
                }
            }
            lo = hi;
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    *v = src;
    Ok(())
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

    #[test]
    fn sort_metered_sorts_and_stops() {
        for n in [0usize, 1, 7, 4096, 4097, 10000, 40000] {
            let mut x = 12345u64;
            let v: Vec<u64> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 40) % 1000
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            let mut got = v.clone();
            let mut m = Limit::new(usize::MAX);
            sort_metered(&mut got, |a, b| a.cmp(b), &mut m).unwrap();
            assert_eq!(got, want);
            if n > 0 {
                let mut got = v.clone();
                let mut stop = Limit::new(0);
                assert_eq!(
                    sort_metered(&mut got, |a, b| a.cmp(b), &mut stop)
                        .unwrap_err()
                        .kind,
                    crate::error::ErrorKind::Interrupted
                );
            }
        }
    }
}
