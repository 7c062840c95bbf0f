//! The budget of one NIF call: [`Work`].
//!
//! Every NIF that does work proportional to its arguments carries a `Work`
//! and charges it for everything it does:
//!
//! * **time**, in units of about one connection evaluation (a few ns; see
//!   [`NUMBER`] for a decoded number): [`Work::take`] charges before the work
//!   is done, [`Work::check`] asks whether some work would still fit. A
//!   normal-scheduler entry has [`NORMAL_WORK_LIMIT`] units (about 100 µs);
//!   past them `take` answers `Err(`[`dirty`]`())`, the NIF returns
//!   `'$tweann_dirty'` at once and `tweann_nif` redoes the call on the dirty
//!   entry, which has no time limit.
//! * **memory**: every allocation sized from the input goes through
//!   [`Work::vec`], [`Work::zeros`], [`Work::push`] or, for memory that is
//!   not a `Vec` (result terms, cells), [`Work::reserve`]. They count the
//!   bytes against the call's memory budget (the global budget of
//!   `set_memory_budget/1`, or a per-call one) *before* allocating, and
//!   allocate fallibly: over the budget, or out of memory, is a `badarg`
//!   naming the budget, never an abort. Because the decoders charge while
//!   they walk the term, a subterm shared many times is counted as many
//!   times: sharing buys nothing.
//! * **liveness**, on a dirty scheduler ([`Work::dirty`]): after every
//!   [`CHUNK`] units reported through `take` or [`Work::progress`] (about a
//!   millisecond of work), the call checks that the calling process is
//!   still alive (`enif_is_current_process_alive`) and stops if it is not.
//!   A caller killed during a long call thus stops costing CPU within one
//!   chunk. Long kernels of `tweann_core` report their progress through the
//!   [`Meter`] trait, which `Work` implements.
//!
//! [`work_stats`] reports what the tests assert on: dirty calls running and
//! stopped, and, when profiling is on (`set_work_profile/1`), the largest
//! thread CPU time a normal-scheduler entry took.

use crate::atoms;
use crate::error::{raise, Res};
use rustler::{Encoder, Env, Term};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use tweann_core::meter::{Interrupted, Meter};
use tweann_core::CoreError;

/// Work a normal-scheduler call may do before it hands over to the dirty
/// entry point, in units of about one connection evaluation (a few ns):
/// roughly 100 µs on a Celeron J4105.
pub const NORMAL_WORK_LIMIT: usize = 40_000;

/// Work units charged for decoding one number from a list (two NIF API
/// calls) or encoding one into a result; a number from a binary costs 1.
pub const NUMBER: usize = 4;

/// Work units between two liveness checks of a dirty call: about 1 ms.
pub const CHUNK: usize = 10 * NORMAL_WORK_LIMIT;

/// Work units of converting one integer beyond 64 bits to a float (a term
/// comparison and an external-format round trip, about a microsecond):
/// charged by the next [`Work::take`] of the call (see [`charge_bignum`]).
pub const BIGNUM: usize = 400;

thread_local! {
    /// Bignum conversions not yet charged, on this scheduler thread.
    static BIGNUMS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Calls of [`Work::take`] between two collections of [`BIGNUMS`].
const BIGNUM_CHECK: usize = 32;

/// The bignum conversions not charged yet on this thread (and resets them).
fn pending_bignums() -> usize {
    BIGNUMS.with(|c| c.replace(0))
}

/// Records the conversion of a bignum ([`crate::decode::number`] and the
/// list readers do it wherever a number is read, without a `Work` at hand):
/// the next [`Work::take`] on this thread charges [`BIGNUM`] units for it.
pub fn charge_bignum() {
    BIGNUMS.with(|c| c.set(c.get() + 1));
}

/// The result a normal-scheduler NIF returns when its work budget is spent:
/// the atom `'$tweann_dirty'`, upon which `tweann_nif` calls the dirty entry.
pub fn dirty() -> rustler::Error {
    rustler::Error::Atom("$tweann_dirty")
}

static DIRTY_CALLS: AtomicU64 = AtomicU64::new(0);
static DIRTY_RUNNING: AtomicU64 = AtomicU64::new(0);
static DIRTY_STOPPED: AtomicU64 = AtomicU64::new(0);
static DIRTY_UNITS: AtomicU64 = AtomicU64::new(0);
static LAST_STOP_LAG_NS: AtomicU64 = AtomicU64::new(0);
static HANDOVERS: AtomicU64 = AtomicU64::new(0);
static PROFILE: AtomicBool = AtomicBool::new(false);
static PROFILED_CALLS: AtomicU64 = AtomicU64::new(0);
static MAX_CPU_NS: AtomicU64 = AtomicU64::new(0);
static MAX_NAME: Mutex<&'static str> = Mutex::new("");

/// The time, memory and liveness budget of one NIF call (module docs).
pub struct Work {
    /// Time units left before the call must hand over (`usize::MAX`: none).
    left: usize,
    /// Units until the next liveness check (dirty calls only).
    until_check: usize,
    /// The call's environment, for liveness checks; null for none.
    env: *mut rustler::sys::ErlNifEnv,
    mem_budget: usize,
    mem_left: usize,
    /// Made by [`Work::dirty`]: counted in `dirty_running`.
    dirty: bool,
    /// Calls of [`Work::take`], for the bignum collection.
    calls: usize,
    /// Thread CPU time (ns) when the caller was last seen alive (dirty
    /// calls only): at the start, then at each liveness check.
    alive_cpu: u64,
}

impl Work {
    fn base(left: usize, env: *mut rustler::sys::ErlNifEnv, dirty: bool) -> Self {
        BIGNUMS.with(|c| c.set(0));
        let budget = crate::info::budget();
        Work {
            left,
            until_check: CHUNK,
            env,
            mem_budget: budget,
            mem_left: budget,
            dirty,
            calls: 0,
            alive_cpu: if dirty { thread_cpu_ns() } else { 0 },
        }
    }

    /// The budget of a normal-scheduler entry point: [`NORMAL_WORK_LIMIT`]
    /// units and the global memory budget.
    pub fn normal() -> Self {
        Work::base(NORMAL_WORK_LIMIT, std::ptr::null_mut(), false)
    }

    /// A dirty-scheduler entry point: no time limit, the global memory
    /// budget, and a liveness check of the caller every [`CHUNK`] units.
    pub fn dirty(env: Env) -> Self {
        DIRTY_CALLS.fetch_add(1, Ordering::Relaxed);
        DIRTY_RUNNING.fetch_add(1, Ordering::Relaxed);
        Work::base(usize::MAX, env.as_c_arg(), true)
    }

    /// No time limit and no liveness checks, the global memory budget: for
    /// code that has no environment at hand (prefer [`Work::dirty`]).
    #[allow(dead_code)]
    pub fn unlimited() -> Self {
        Work::base(usize::MAX, std::ptr::null_mut(), false)
    }

    /// The same budget with a memory budget of `bytes` for this call (a
    /// per-call `memory_budget` option).
    #[allow(dead_code)]
    pub fn with_memory_budget(mut self, bytes: usize) -> Self {
        let used = self.mem_budget - self.mem_left;
        self.mem_budget = bytes;
        self.mem_left = bytes.saturating_sub(used);
        self
    }

    /// True on a normal-scheduler entry (a time limit applies).
    pub fn is_normal(&self) -> bool {
        !self.dirty && self.left != usize::MAX
    }

    // ------------------------------------------------------------ time

    /// Charge `n` units; `Err(dirty())` when the budget is spent. On a dirty
    /// call this also reports progress (see [`Work::progress`]).
    #[inline(always)]
    pub fn take(&mut self, n: usize) -> Res<()> {
        // Bignum conversions are collected from the thread-local counter
        // every BIGNUM_CHECK calls (a thread-local read costs about as much
        // as decoding a number): a few conversions go uncharged for a while.
        self.calls = self.calls.wrapping_add(1);
        // The common case inline (it is on every decoder's path): no bignum
        // collection due, the units fit, no liveness check due.
        if self.calls % BIGNUM_CHECK != 0
            && n <= self.left
            && (self.env.is_null() || n < self.until_check)
        {
            if self.left != usize::MAX {
                self.left -= n;
            }
            if !self.env.is_null() {
                self.until_check -= n;
            }
            return Ok(());
        }
        self.take_slow(n)
    }

    /// [`Work::take`] when something is due: the bignum collection, a
    /// hand-over or a liveness check.
    #[cold]
    #[inline(never)]
    fn take_slow(&mut self, n: usize) -> Res<()> {
        if self.calls % BIGNUM_CHECK == 0 {
            self.charge(pending_bignums().saturating_mul(BIGNUM))?;
        }
        self.charge(n)
    }

    #[inline]
    fn charge(&mut self, n: usize) -> Res<()> {
        if n > self.left {
            HANDOVERS.fetch_add(1, Ordering::Relaxed);
            return Err(dirty());
        }
        if self.left != usize::MAX {
            self.left -= n;
        }
        self.progress(n)
    }

    /// `Err(dirty())` if `n` more units would not fit, without charging
    /// them: lets a call hand over before it starts work it cannot finish.
    /// (Pending bignum conversions are charged first.)
    pub fn check(&mut self, n: usize) -> Res<()> {
        self.charge(pending_bignums().saturating_mul(BIGNUM))?;
        if n > self.left {
            HANDOVERS.fetch_add(1, Ordering::Relaxed);
            Err(dirty())
        } else {
            Ok(())
        }
    }

    /// Work whose cost cannot be bounded before it is done (the VM
    /// comparing two bignums, say): `Err(dirty())` on a normal entry, free
    /// on a dirty one.
    pub fn unknown(&mut self) -> Res<()> {
        if self.is_normal() {
            HANDOVERS.fetch_add(1, Ordering::Relaxed);
            self.left = 0;
            return Err(dirty());
        }
        Ok(())
    }

    /// Report `n` units of work already charged (with [`Work::take`] up
    /// front) as being done. On a dirty call, every [`CHUNK`] units, checks
    /// that the caller is alive; if it is not, the call must stop: the error
    /// is returned to nobody. Free on normal entries.
    #[inline]
    pub fn progress(&mut self, n: usize) -> Res<()> {
        if self.env.is_null() {
            return Ok(());
        }
        if n < self.until_check {
            self.until_check -= n;
            return Ok(());
        }
        self.checkpoint(n)
    }

    #[cold]
    fn checkpoint(&mut self, n: usize) -> Res<()> {
        let done = (CHUNK - self.until_check).saturating_add(n);
        DIRTY_UNITS.fetch_add(done as u64, Ordering::Relaxed);
        self.until_check = CHUNK;
        // SAFETY: `env` is the environment of the running dirty NIF call
        // that owns this Work (it never outlives the call).
        if unsafe { rustler::sys::enif_is_current_process_alive(self.env) } == 0 {
            DIRTY_STOPPED.fetch_add(1, Ordering::Relaxed);
            // The CPU time spent since the caller was last seen alive: what
            // the call may have done for nobody (a chunk, if every long
            // loop reports its progress).
            let lag = thread_cpu_ns().saturating_sub(self.alive_cpu);
            LAST_STOP_LAG_NS.store(lag, Ordering::Relaxed);
            // Nobody will read the result; keep the call from doing more.
            self.env = std::ptr::null_mut();
            self.left = 0;
            return Err(raise(CoreError::interrupted()));
        }
        self.alive_cpu = thread_cpu_ns();
        Ok(())
    }

    // ------------------------------------------------------------ memory

    /// Count `bytes` against the memory budget (for memory that is not a
    /// `Vec` made here: result terms, cells); badarg naming the budget if
    /// they do not fit.
    #[inline]
    pub fn reserve(&mut self, bytes: usize, what: &str) -> Res<()> {
        if bytes > self.mem_left {
            return Err(self.over_budget(bytes, what));
        }
        self.mem_left -= bytes;
        Ok(())
    }

    /// The error of a [`Work::reserve`] of `bytes` past the budget.
    #[cold]
    #[inline(never)]
    fn over_budget(&self, bytes: usize, what: &str) -> rustler::Error {
        let need = (self.mem_budget - self.mem_left).saturating_add(bytes);
        raise(CoreError::memory(format!(
            "{what}: this call needs {need} bytes, over the memory budget of {} bytes",
            self.mem_budget
        )))
    }

    /// An empty vector with room for `n` values, counted against the memory
    /// budget and allocated fallibly.
    pub fn vec<T>(&mut self, n: usize, what: &str) -> Res<Vec<T>> {
        let mut v = Vec::new();
        self.reserve_more(&mut v, n, what)?;
        Ok(v)
    }

    /// `n` zeros, counted against the memory budget and allocated fallibly.
    pub fn zeros(&mut self, n: usize, what: &str) -> Res<Vec<f64>> {
        let mut v = self.vec(n, what)?;
        v.resize(n, 0.0);
        Ok(v)
    }

    /// Room for `n` more values in `v`, counted and allocated fallibly.
    pub fn reserve_more<T>(&mut self, v: &mut Vec<T>, n: usize, what: &str) -> Res<()> {
        let free = v.capacity() - v.len();
        if n <= free {
            return Ok(());
        }
        let bytes = (n - free).saturating_mul(std::mem::size_of::<T>());
        self.reserve(bytes, what)?;
        v.try_reserve_exact(n)
            .map_err(|_| out_of_memory(bytes, what))
    }

    /// `v.extend_from_slice(xs)`, growing `v` (doubling, within the
    /// budget) fallibly.
    #[inline]
    pub fn extend<T: Copy>(&mut self, v: &mut Vec<T>, xs: &[T], what: &str) -> Res<()> {
        let free = v.capacity() - v.len();
        if free < xs.len() {
            // Double, or take just what is needed when doubling would not
            // fit in the budget.
            let size = std::mem::size_of::<T>().max(1);
            let mut want = xs.len().max(v.capacity()).max(8);
            if (want - free).saturating_mul(size) > self.mem_left {
                want = xs.len();
            }
            self.reserve_more(v, want, what)?;
        }
        v.extend_from_slice(xs);
        Ok(())
    }

    /// `v.push(x)`, growing `v` (doubling, within the budget) fallibly.
    #[inline]
    pub fn push<T>(&mut self, v: &mut Vec<T>, x: T, what: &str) -> Res<()> {
        if v.len() == v.capacity() {
            self.grow(v, what)?;
        }
        v.push(x);
        Ok(())
    }

    #[cold]
    fn grow<T>(&mut self, v: &mut Vec<T>, what: &str) -> Res<()> {
        let size = std::mem::size_of::<T>().max(1);
        let add = v.capacity().max(8).min(self.mem_left / size).max(1);
        self.reserve_more(v, add, what)
    }
}

/// Values kept on the stack up to `N`, then all of them on the heap (grown
/// within the budget by [`Work::extend`] and [`Work::push`]): for the
/// arguments that are small in the common case (a genome, a list of output
/// indices), no allocation unless they are large.
pub struct StackFirst<T: Copy, const N: usize> {
    stack: [MaybeUninit<T>; N],
    len: usize,
    heap: Vec<T>,
}

impl<T: Copy, const N: usize> StackFirst<T, N> {
    pub fn new() -> Self {
        StackFirst {
            stack: [MaybeUninit::uninit(); N],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Appends `x`; past `N` values the heap holds them all, charged to
    /// `work` (`what` names them in an out-of-memory error).
    #[inline(always)]
    pub fn push(&mut self, x: T, what: &str, work: &mut Work) -> Res<()> {
        if self.len < N {
            self.stack[self.len].write(x);
            self.len += 1;
            return Ok(());
        }
        if self.heap.is_empty() {
            work.extend(&mut self.heap, written(&self.stack, self.len), what)?;
        }
        work.push(&mut self.heap, x, what)
    }

    pub fn as_slice(&self) -> &[T] {
        if self.heap.is_empty() {
            written(&self.stack, self.len)
        } else {
            &self.heap
        }
    }
}

/// The first `len` entries of `stack`, all written by [`StackFirst::push`].
fn written<T>(stack: &[MaybeUninit<T>], len: usize) -> &[T] {
    let part = &stack[..len];
    // SAFETY: the entries below `len` were written, and `MaybeUninit<T>`
    // has the layout of `T`.
    unsafe { &*(part as *const [MaybeUninit<T>] as *const [T]) }
}

fn out_of_memory(bytes: usize, what: &str) -> rustler::Error {
    raise(CoreError::memory(format!(
        "{what}: cannot allocate {bytes} bytes (out of memory)"
    )))
}

impl Drop for Work {
    fn drop(&mut self) {
        if self.dirty {
            let done = CHUNK - self.until_check;
            DIRTY_UNITS.fetch_add(done as u64, Ordering::Relaxed);
            DIRTY_RUNNING.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Meter for Work {
    /// Kernels of `tweann_core` tick with work already charged up front.
    #[inline]
    fn tick(&mut self, units: usize) -> Result<(), Interrupted> {
        self.progress(units).map_err(|_| Interrupted)
    }
}

// ---------------------------------------------------------------- profile

/// The CPU time of the calling thread, in ns (0 where unsupported).
fn thread_cpu_ns() -> u64 {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: writes the local struct only.
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return (ts.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec as u64);
        }
        0
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Measures a normal-scheduler entry's thread CPU time while profiling is
/// on (`set_work_profile/1`); one relaxed load otherwise. Made by
/// `nif_pair!` and by the NIFs that only have a normal entry.
pub struct Profile {
    start: u64,
    name: &'static str,
}

impl Profile {
    /// Profiling on: the thread's CPU time now. Off (the default): one
    /// relaxed load, and the `Drop` does nothing but test `start`.
    #[inline(always)]
    pub fn start(name: &'static str) -> Self {
        let start = if PROFILE.load(Ordering::Relaxed) {
            profile_start()
        } else {
            0
        };
        Profile { start, name }
    }
}

#[cold]
#[inline(never)]
fn profile_start() -> u64 {
    thread_cpu_ns().max(1)
}

impl Drop for Profile {
    #[inline(always)]
    fn drop(&mut self) {
        if self.start != 0 {
            profile_end(self.start, self.name);
        }
    }
}

/// Record a profiled call that started at `start` (thread CPU ns).
#[cold]
#[inline(never)]
fn profile_end(start: u64, name: &'static str) {
    let ns = thread_cpu_ns().saturating_sub(start);
    PROFILED_CALLS.fetch_add(1, Ordering::Relaxed);
    if MAX_CPU_NS.fetch_max(ns, Ordering::Relaxed) < ns {
        if let Ok(mut slot) = MAX_NAME.lock() {
            *slot = name;
        }
    }
}

/// `set_work_profile(Bool)`: turns the profiling of normal entries on or
/// off and resets its figures. Returns the previous setting.
#[rustler::nif]
fn set_work_profile(on: bool) -> bool {
    MAX_CPU_NS.store(0, Ordering::Relaxed);
    PROFILED_CALLS.store(0, Ordering::Relaxed);
    if let Ok(mut name) = MAX_NAME.lock() {
        *name = "";
    }
    PROFILE.swap(on, Ordering::Relaxed)
}

/// `work_stats()`: `dirty_calls` (dirty entries started), `dirty_running`,
/// `dirty_stopped` (stopped because their caller died), `dirty_units`
/// (units reported by dirty calls at their liveness checks),
/// `last_stop_lag_cpu_ns` (of the last dirty call stopped: the thread CPU
/// time between the last check that found its caller alive and the one
/// that found it dead), `handovers`
/// (normal entries that answered `'$tweann_dirty'`), and the profile:
/// `profiled_calls`, `max_normal_cpu_ns` and `max_normal_entry`.
#[rustler::nif]
fn work_stats(env: Env) -> Res<Term> {
    let name = MAX_NAME.lock().map(|n| *n).unwrap_or("");
    let pairs: Vec<(Term, Term)> = vec![
        (
            atoms::dirty_calls().encode(env),
            DIRTY_CALLS.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::dirty_running().encode(env),
            DIRTY_RUNNING.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::dirty_stopped().encode(env),
            DIRTY_STOPPED.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::dirty_units().encode(env),
            DIRTY_UNITS.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::last_stop_lag_cpu_ns().encode(env),
            LAST_STOP_LAG_NS.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::handovers().encode(env),
            HANDOVERS.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::profiled_calls().encode(env),
            PROFILED_CALLS.load(Ordering::Relaxed).encode(env),
        ),
        (
            atoms::max_normal_cpu_ns().encode(env),
            MAX_CPU_NS.load(Ordering::Relaxed).encode(env),
        ),
        (atoms::max_normal_entry().encode(env), name.encode(env)),
    ];
    Term::map_from_pairs(env, &pairs)
}
