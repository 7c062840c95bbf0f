//! Live-resource accounting (`memory_stats/0`), the memory budget, and build
//! facts (`build_info/0`, including the activation names in tag order).

use crate::atoms;
use crate::error::{badarg, Res};
use rustler::{Encoder, Env, Term};
use std::sync::atomic::{AtomicUsize, Ordering};

static NETWORKS: AtomicUsize = AtomicUsize::new(0);
static NETWORK_BYTES: AtomicUsize = AtomicUsize::new(0);
static CELLS: AtomicUsize = AtomicUsize::new(0);
static CELL_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Default cap on what one compiled network or one batch may allocate.
pub const DEFAULT_BUDGET: usize = 1 << 30;
static BUDGET: AtomicUsize = AtomicUsize::new(DEFAULT_BUDGET);

/// What kind of resource a [`Tracked`] guard counts.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Network,
    Cell,
}

/// Counts one live resource of `bytes` bytes until dropped.
#[derive(Debug)]
pub struct Tracked {
    kind: Kind,
    bytes: usize,
}

impl Tracked {
    pub fn new(kind: Kind, bytes: usize) -> Self {
        let (n, b) = counters(kind);
        n.fetch_add(1, Ordering::Relaxed);
        b.fetch_add(bytes, Ordering::Relaxed);
        Tracked { kind, bytes }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let (n, b) = counters(self.kind);
        n.fetch_sub(1, Ordering::Relaxed);
        b.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

fn counters(kind: Kind) -> (&'static AtomicUsize, &'static AtomicUsize) {
    match kind {
        Kind::Network => (&NETWORKS, &NETWORK_BYTES),
        Kind::Cell => (&CELLS, &CELL_BYTES),
    }
}

/// The global memory budget in bytes.
pub fn budget() -> usize {
    BUDGET.load(Ordering::Relaxed)
}

/// A per-call budget: the atom `default` (the global budget) or an integer
/// in 1..2^64-1 (bytes).
pub fn budget_arg(term: Term, arg: u8) -> Res<usize> {
    if term.decode::<rustler::Atom>().ok() == Some(atoms::default()) {
        return Ok(budget());
    }
    match term.decode::<u64>() {
        Ok(b) if b > 0 => Ok(usize::try_from(b).unwrap_or(usize::MAX)),
        _ => Err(badarg(
            arg,
            "the memory budget must be a positive integer below 2^64 (bytes) or default",
        )),
    }
}

#[rustler::nif]
fn set_memory_budget(bytes: Term) -> Res<usize> {
    let _profile = crate::work::Profile::start("set_memory_budget");
    let b = budget_arg(bytes, 1)?;
    Ok(BUDGET.swap(b, Ordering::Relaxed))
}

#[rustler::nif]
fn memory_stats(env: Env) -> Res<Term> {
    let _profile = crate::work::Profile::start("memory_stats");
    let pairs = [
        (atoms::networks(), NETWORKS.load(Ordering::Relaxed)),
        (
            atoms::network_bytes(),
            NETWORK_BYTES.load(Ordering::Relaxed),
        ),
        (atoms::cells(), CELLS.load(Ordering::Relaxed)),
        (atoms::cell_bytes(), CELL_BYTES.load(Ordering::Relaxed)),
        (atoms::memory_budget(), budget()),
    ];
    Term::map_from_pairs(env, &pairs)
}

/// The x86-64 micro-architecture level this library was compiled for.
fn cpu_level() -> &'static str {
    if cfg!(target_arch = "x86_64") {
        if cfg!(target_feature = "avx512f") {
            "x86-64-v4"
        } else if cfg!(target_feature = "avx2") {
            "x86-64-v3"
        } else if cfg!(target_feature = "sse4.2") {
            "x86-64-v2"
        } else {
            "x86-64"
        }
    } else {
        std::env::consts::ARCH
    }
}

/// The term reader in use: `direct` or `api` (`vmterm.rs`).
fn reader() -> rustler::Atom {
    if crate::vmterm::direct() {
        atoms::direct()
    } else {
        atoms::api()
    }
}

/// `term_reader/1` (internal, for the tests): `direct` or `api` switches
/// the readers of lists, floats, integers and tuples (`direct` only where
/// the load hook verified them), `query` leaves them; answers the reader in
/// use.
#[rustler::nif]
fn term_reader(mode: Term) -> Res<rustler::Atom> {
    let m: rustler::Atom = mode
        .decode()
        .map_err(|_| crate::error::badarg(1, "the mode must be direct, api or query"))?;
    if m == atoms::direct() || m == atoms::api() {
        crate::vmterm::set_direct(m == atoms::direct());
    } else if m != atoms::query() {
        return Err(crate::error::badarg(
            1,
            "the mode must be direct, api or query",
        ));
    }
    Ok(reader())
}

/// `impl/0`: `native`. Only the loaded library can answer it (the Erlang
/// stub it replaces says what serves the calls otherwise), so the question
/// costs one NIF call and no lookup.
#[rustler::nif(name = "impl")]
fn impl_native() -> rustler::Atom {
    let _profile = crate::work::Profile::start("impl");
    atoms::native()
}

#[rustler::nif]
fn build_info(env: Env) -> Res<Term> {
    let _profile = crate::work::Profile::start("build_info");
    let pairs: Vec<(Term, Term)> = vec![
        (atoms::backend().encode(env), atoms::nif().encode(env)),
        (
            atoms::version().encode(env),
            env!("CARGO_PKG_VERSION").encode(env),
        ),
        (atoms::nif_version().encode(env), "2.16".encode(env)),
        (
            atoms::target_arch().encode(env),
            std::env::consts::ARCH.encode(env),
        ),
        (
            atoms::target_os().encode(env),
            std::env::consts::OS.encode(env),
        ),
        (atoms::target_cpu().encode(env), cpu_level().encode(env)),
        (atoms::term_reader().encode(env), reader().encode(env)),
        (
            atoms::activations().encode(env),
            atoms::acts::all().encode(env),
        ),
        (
            atoms::profile().encode(env),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .encode(env),
        ),
    ];
    Term::map_from_pairs(env, &pairs)
}
