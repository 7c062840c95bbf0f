//! Novelty search NIFs: `euclidean_distance/2`, `euclidean_distance_batch/2`,
//! `knn_novelty/4`, `knn_novelty_batch/3` over `tweann_core::novelty`.
//!
//! Vectors are lists of numbers or native-endian f64 binaries; lists of
//! vectors are decoded row by row into one flat buffer, each row checked
//! against the dimension. The list lengths are counted first, so a call
//! whose distance work exceeds the normal-scheduler budget hands over to
//! its dirty entry before decoding any row.

use crate::decode::{self, items, Work};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::floats;
use crate::info;
use rustler::{Binary, Encoder, Env, Term};
use tweann_core::novelty;
use tweann_core::CoreError;

/// The number of values of a vector term without decoding it (`None` when
/// it is neither a list nor a binary).
fn peek_len(term: Term) -> Option<usize> {
    if term.is_binary() {
        return Binary::from_term(term).ok().map(|b| b.len() / 8);
    }
    let mut n: std::os::raw::c_uint = 0;
    // SAFETY: reads a live term; the out-pointer is a local.
    (unsafe {
        rustler::sys::enif_get_list_length(term.get_env().as_c_arg(), term.as_c_arg(), &mut n)
    } != 0)
        .then_some(n as usize)
}

/// A single vector argument.
fn vector(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<f64>> {
    floats::read(term, arg, what, work)
}

/// Append the vectors of a list argument, each of `dim` values (`dim_of`
/// names where the dimension comes from); returns how many.
fn rows_into(
    term: Term,
    arg: u8,
    what: &'static str,
    dim: usize,
    dim_of: &str,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    let mut n = 0;
    for item in items(term, arg, what)? {
        n += 1;
        let got = floats::read_into(item?, arg, &|| format!("{what}: vector {n}"), out, work)?;
        if got != dim {
            return Err(badarg(
                arg,
                format!("{what}: vector {n} has {got} values, {dim_of} has {dim}"),
            ));
        }
    }
    Ok(n)
}

/// Refuse buffers over the memory budget: `values` f64 of decoded vectors
/// plus `scratch` f64 of distances.
fn check_budget(values: usize, scratch: usize) -> Res<()> {
    // The rows and their transposed copy.
    let need = values
        .saturating_mul(2)
        .saturating_add(scratch)
        .saturating_mul(8);
    if need > info::budget() {
        return Err(raise(CoreError::memory(format!(
            "these vectors need {need} bytes, over the memory budget of {} bytes",
            info::budget()
        ))));
    }
    Ok(())
}

/// Work units of `targets x candidates` distances of dimension `dim` (the
/// inner loop handles two values per instruction) plus their selection.
fn distance_work(targets: usize, candidates: usize, dim: usize) -> usize {
    targets
        .saturating_mul(candidates)
        .saturating_mul(dim / 2 + 1)
}

// ---------------------------------------------------------------- euclidean

/// A distance, or the atom `error` for vectors of different lengths. V1 is
/// decoded (into a stack buffer when short), V2 streamed against it.
fn euclidean_impl<'a>(env: Env<'a>, v1: Term<'a>, v2: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    const INLINE: usize = 256;
    // Not zeroed: a short vector must not pay for clearing 2 KiB.
    let mut buf = [std::mem::MaybeUninit::<f64>::uninit(); INLINE];
    let mut heap = Vec::new();
    let mut n = 0;
    floats::each(v1, 1, &|| "V1".into(), work, |d| {
        if n < INLINE {
            buf[n].write(d);
        } else {
            if n == INLINE {
                // SAFETY: all INLINE slots were written.
                heap.extend_from_slice(unsafe {
                    std::slice::from_raw_parts(buf.as_ptr().cast::<f64>(), INLINE)
                });
            }
            heap.push(d);
        }
        n += 1;
    })?;
    let a: &[f64] = if n <= INLINE {
        // SAFETY: the first n slots were written.
        unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<f64>(), n) }
    } else {
        &heap[..]
    };
    let mut e = novelty::Euclidean::new(a);
    floats::each(v2, 2, &|| "V2".into(), work, |y| e.push(y))?;
    Ok(match e.finish().or_raise()? {
        Some(d) => d.encode(env),
        None => rustler::types::atom::error().encode(env),
    })
}

nif_pair!(euclidean_distance / euclidean_distance_dirty (env; v1, v2) => euclidean_impl);

fn batch_impl(target: Term, others: Term, work: &mut Work) -> Res<Vec<(u64, f64)>> {
    let t = vector(target, 1, "Target", work)?;
    let n = decode::count(others, 2, "Others", work)?;
    let dim = t.len();
    check_budget(n.saturating_mul(dim), n.saturating_mul(3))?;
    work.take(distance_work(1, n, dim).saturating_add(n.saturating_mul(8)))?;
    let mut flat = Vec::new();
    flat.try_reserve(n * dim)
        .map_err(|_| raise(CoreError::memory("cannot allocate the vectors")))?;
    rows_into(others, 2, "Others", dim, "Target", &mut flat, work)?;
    let d = if dim == 0 {
        novelty::distance_batch_empty(n)
    } else {
        novelty::distance_batch(&t, &flat)
    }
    .or_raise()?;
    Ok(d.into_iter().map(|(j, x)| (j as u64, x)).collect())
}

nif_pair!(euclidean_distance_batch / euclidean_distance_batch_dirty (target, others) -> Res<Vec<(u64, f64)>>,
          |work| batch_impl(target, others, work));

// ---------------------------------------------------------------- kNN

fn k_arg(term: Term, arg: u8) -> Res<u64> {
    decode::uint(term).ok_or_else(|| badarg(arg, "K is not a positive integer"))
}

fn knn_impl(target: Term, pop: Term, arch: Term, k: Term, work: &mut Work) -> Res<f64> {
    let t = vector(target, 1, "Target", work)?;
    let np = decode::count(pop, 2, "Population", work)?;
    let na = decode::count(arch, 3, "Archive", work)?;
    let dim = t.len();
    let n = np + na;
    check_budget(n.saturating_mul(dim), n)?;
    work.take(distance_work(1, n, dim))?;
    let mut p = Vec::new();
    let mut a = Vec::new();
    p.try_reserve(np * dim)
        .and_then(|_| a.try_reserve(na * dim))
        .map_err(|_| raise(CoreError::memory("cannot allocate the vectors")))?;
    rows_into(pop, 2, "Population", dim, "Target", &mut p, work)?;
    rows_into(arch, 3, "Archive", dim, "Target", &mut a, work)?;
    let k = k_arg(k, 4)?;
    novelty::knn_novelty(&t, &p, np, &a, na, k).or_raise()
}

nif_pair!(knn_novelty / knn_novelty_dirty (target, pop, arch, k) -> Res<f64>,
          |work| knn_impl(target, pop, arch, k, work));

/// The first element of a list, if any.
fn first_item(list: Term) -> Option<Term> {
    items(list, 0, "").ok()?.next()?.ok()
}

fn knn_batch_impl(behaviors: Term, arch: Term, k: Term, work: &mut Work) -> Res<Vec<f64>> {
    let nb = decode::count(behaviors, 1, "Behaviors", work)?;
    let na = decode::count(arch, 2, "Archive", work)?;
    // The dimension is the first behaviour's (or the first archive entry's).
    let (dim, dim_of) = match (first_item(behaviors), first_item(arch)) {
        (Some(b), _) => (peek_len(b), "vector 1 of Behaviors"),
        (None, Some(a)) => (peek_len(a), "vector 1 of Archive"),
        (None, None) => (Some(0), ""),
    };
    let dim = dim.unwrap_or(0);
    let n = nb + na;
    check_budget(n.saturating_mul(dim), n.saturating_add(nb))?;
    work.take(distance_work(nb, n, dim))?;
    let mut b = Vec::new();
    let mut a = Vec::new();
    b.try_reserve(nb * dim)
        .and_then(|_| a.try_reserve(na * dim))
        .map_err(|_| raise(CoreError::memory("cannot allocate the vectors")))?;
    rows_into(behaviors, 1, "Behaviors", dim, dim_of, &mut b, work)?;
    rows_into(arch, 2, "Archive", dim, dim_of, &mut a, work)?;
    let k = k_arg(k, 3)?;
    let mut out = Vec::with_capacity(nb);
    novelty::knn_novelty_batch(&b, nb, &a, dim, k, &mut out).or_raise()?;
    Ok(out)
}

nif_pair!(knn_novelty_batch / knn_novelty_batch_dirty (behaviors, arch, k) -> Res<Vec<f64>>,
          |work| knn_batch_impl(behaviors, arch, k, work));
