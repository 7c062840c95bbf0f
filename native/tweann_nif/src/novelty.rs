//! Novelty search NIFs: `euclidean_distance/2`, `euclidean_distance_batch/2`,
//! `knn_novelty/4`, `knn_novelty_batch/3` over `tweann_core::novelty`.
//!
//! Vectors are lists of numbers or native-endian f64 binaries; lists of
//! vectors are decoded row by row into one flat buffer, each row checked
//! against the dimension. The list lengths are counted first, so a call
//! whose distance work exceeds the normal-scheduler budget hands over to
//! its dirty entry before decoding any row.

use crate::decode::{self, items, Work, NUMBER};
use crate::encode;
use crate::error::{badarg, OrRaise, Res};
use crate::floats;
use rustler::{Binary, Encoder, Env, Term};
use tweann_core::novelty;

/// The number of values of a vector term without decoding its numbers
/// (`None` when it is neither a proper list nor a binary). Walking a list's
/// cells is charged like counting them.
fn peek_len(term: Term, work: &mut Work) -> Res<Option<usize>> {
    if term.is_binary() {
        return Ok(Binary::from_term(term).ok().map(|b| b.len() / 8));
    }
    let Ok(cells) = items(term, 0, "") else {
        return Ok(None);
    };
    let mut n = 0;
    for c in cells {
        if c.is_err() {
            return Ok(None);
        }
        work.take(NUMBER)?;
        n += 1;
    }
    Ok(Some(n))
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

/// Count, against the call's memory budget, what the kernels allocate
/// besides the decoded vectors: the transposed copy of `values` f64 and
/// `scratch` f64 of distances.
fn reserve_scratch(values: usize, scratch: usize, work: &mut Work) -> Res<()> {
    let bytes = values.saturating_add(scratch).saturating_mul(8);
    work.reserve(bytes, "the distance columns and scratch")
}

/// Work units of `targets x candidates` distances of dimension `dim` (the
/// inner loop handles two values per instruction) plus their selection.
fn distance_work(targets: usize, candidates: usize, dim: usize) -> usize {
    targets
        .saturating_mul(candidates)
        .saturating_mul(dim / 2 + 1)
}

/// Work units of transposing `values` numbers: a copy with a strided
/// store, about half a unit (a unit is about 2.5 ns) each.
fn transpose_work(values: usize) -> usize {
    values / 2
}

// ---------------------------------------------------------------- euclidean

/// A distance, or the atom `error` for vectors of different lengths. V1 is
/// decoded (into a stack buffer when short), V2 streamed against it a block
/// at a time.
fn euclidean_impl<'a>(env: Env<'a>, v1: Term<'a>, v2: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let d = floats::with_slice(v1, 1, &|| "V1".into(), work, |a, work| {
        let mut e = novelty::Euclidean::new(a);
        floats::each_block(v2, 2, &|| "V2".into(), work, |b| e.push_block(b))?;
        e.finish().or_raise()
    })??;
    Ok(match d {
        Some(d) => d.encode(env),
        None => rustler::types::atom::error().encode(env),
    })
}

nif_pair!(euclidean_distance / euclidean_distance_dirty (env; v1, v2) => euclidean_impl);

fn batch_impl<'a>(
    env: Env<'a>,
    target: Term<'a>,
    others: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let t = vector(target, 1, "Target", work)?;
    let n = decode::count(others, 2, "Others", work)?;
    let dim = t.len();
    let values = n.saturating_mul(dim);
    // The distances, their sort, and the result (n {Index, Distance}).
    let log = (usize::BITS - n.leading_zeros()) as usize;
    let compute = distance_work(1, n, dim)
        .saturating_add(transpose_work(values))
        .saturating_add(n.saturating_mul(log / 2 + 1));
    work.check(compute.saturating_add(encode::cost(n.saturating_mul(2))))?;
    work.take(compute)?;
    // The rows, their columns, the squared distances, the pairs and the
    // sort's scratch copy of them.
    let mut flat = work.vec(values, "the vectors of Others")?;
    reserve_scratch(values, n.saturating_mul(5), work)?;
    rows_into(others, 2, "Others", dim, "Target", &mut flat, work)?;
    let d = if dim == 0 {
        novelty::distance_batch_empty(n)
    } else {
        novelty::distance_batch_metered(&t, &flat, work)
    }
    .or_raise()?;
    drop(flat);
    encode::indexed(env, &d, work)
}

nif_pair!(euclidean_distance_batch / euclidean_distance_batch_dirty (env; target, others) => batch_impl);

// ---------------------------------------------------------------- kNN

fn k_arg(term: Term, arg: u8) -> Res<u64> {
    decode::uint(term).ok_or_else(|| badarg(arg, "K is not a positive integer"))
}

fn knn_impl(target: Term, pop: Term, arch: Term, k: Term, work: &mut Work) -> Res<f64> {
    let t = vector(target, 1, "Target", work)?;
    let np = decode::count(pop, 2, "Population", work)?;
    let na = decode::count(arch, 3, "Archive", work)?;
    let dim = t.len();
    let n = np.saturating_add(na);
    let values = n.saturating_mul(dim);
    let compute = distance_work(1, n, dim).saturating_add(transpose_work(values));
    work.check(compute)?;
    work.take(compute)?;
    let mut p = work.vec(np.saturating_mul(dim), "the vectors of Population")?;
    let mut a = work.vec(na.saturating_mul(dim), "the vectors of Archive")?;
    // The columns, the squared distances and the k smallest.
    reserve_scratch(values, n.saturating_mul(2), work)?;
    rows_into(pop, 2, "Population", dim, "Target", &mut p, work)?;
    rows_into(arch, 3, "Archive", dim, "Target", &mut a, work)?;
    let k = k_arg(k, 4)?;
    novelty::knn_novelty_metered(&t, &p, np, &a, na, k, work).or_raise()
}

nif_pair!(knn_novelty / knn_novelty_dirty (target, pop, arch, k) -> Res<f64>,
          |work| knn_impl(target, pop, arch, k, work));

/// The first element of a list, if any.
fn first_item(list: Term) -> Option<Term> {
    items(list, 0, "").ok()?.next()?.ok()
}

/// The novelty of every behaviour: `nb` targets against `nb + na`
/// candidates, metered per target (a dirty call stops within a target of
/// its caller's death).
fn knn_batch_impl<'a>(
    env: Env<'a>,
    behaviors: Term<'a>,
    arch: Term<'a>,
    k: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let nb = decode::count(behaviors, 1, "Behaviors", work)?;
    let na = decode::count(arch, 2, "Archive", work)?;
    // The dimension is the first behaviour's (or the first archive entry's).
    let (dim, dim_of) = match (first_item(behaviors), first_item(arch)) {
        (Some(b), _) => (peek_len(b, work)?, "vector 1 of Behaviors"),
        (None, Some(a)) => (peek_len(a, work)?, "vector 1 of Archive"),
        (None, None) => (Some(0), ""),
    };
    let dim = dim.unwrap_or(0);
    let n = nb.saturating_add(na);
    let values = n.saturating_mul(dim);
    let compute = distance_work(nb, n, dim).saturating_add(transpose_work(values));
    work.check(compute.saturating_add(encode::cost(nb)))?;
    work.take(compute)?;
    let mut b = work.vec(nb.saturating_mul(dim), "the vectors of Behaviors")?;
    let mut a = work.vec(na.saturating_mul(dim), "the vectors of Archive")?;
    // The columns, the squared distances and the k smallest.
    reserve_scratch(values, n.saturating_mul(2), work)?;
    rows_into(behaviors, 1, "Behaviors", dim, dim_of, &mut b, work)?;
    rows_into(arch, 2, "Archive", dim, dim_of, &mut a, work)?;
    let k = k_arg(k, 3)?;
    let mut out = work.vec(nb, "the novelty scores")?;
    let per_target = distance_work(1, n, dim);
    novelty::knn_novelty_batch_metered(&b, nb, &a, dim, k, &mut out, work, per_target)
        .or_raise()?;
    drop((a, b));
    encode::floats(env, &out, work)
}

nif_pair!(knn_novelty_batch / knn_novelty_batch_dirty (env; behaviors, arch, k) => knn_batch_impl);
