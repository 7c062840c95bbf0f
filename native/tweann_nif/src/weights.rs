//! faber-tweann's weight NIFs: seeded mutation (single and batches), seeded
//! random weights (uniform, Gaussian, batches) and weight distances.
//!
//! The unseeded public functions live in Erlang (`tweann_nif`): they draw a
//! seed from the caller's `rand` state and call the seeded NIFs here, so a
//! call that is redone on a dirty scheduler gives the same numbers.
//!
//! Every argument is decoded and checked, in argument order, before anything
//! is computed (the Erlang reference `tweann_ref_weights` does the same, so
//! both report the same argument). Work is charged per number decoded,
//! drawn and encoded.

use crate::decode::{self, items, Work, NUMBER};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::info;
use rustler::sys::{enif_make_double, enif_make_list_from_array, ErlNifTerm as ERL_NIF_TERM};
use rustler::{Encoder, Env, Term};
use tweann_core::error::try_vec;
use tweann_core::rng::{stream_seed, Rng};
use tweann_core::weights::{uniform_weight, Distance, Gaussian, Metric, Mutation};
use tweann_core::CoreError;

mod metric {
    rustler::atoms! { l1, l2 }
}

/// Work units of one uniform draw.
const DRAW: usize = 1;
/// Work units of one Gaussian draw (half a polar pair: a logarithm, a
/// square root and a division, with rejections).
const GAUSS: usize = 8;
/// Work units of encoding one float.
const ENCODE: usize = NUMBER;
/// Worst-case work units of mutating one weight.
const MUTATE: usize = 2 * DRAW + GAUSS;
/// Bytes a float of a result list costs: its term handle while the list is
/// built, its cons cell and its boxed float.
const RESULT_FLOAT: usize = 8 + 32;

fn seed_arg(term: Term, arg: u8) -> Res<u64> {
    decode::uint(term).ok_or_else(|| badarg(arg, "Seed must be an integer in 0..2^64-1"))
}

fn count_arg(term: Term, arg: u8, what: &str) -> Res<usize> {
    decode::uint(term)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| badarg(arg, format!("{what} must be a non-negative integer")))
}

/// A number, or NaN (which the core checks reject) for anything else.
fn num_or_nan(term: Term) -> f64 {
    decode::number(term).unwrap_or(f64::NAN)
}

fn mutation(rate: Term, perturb: Term, strength: Term, args: [u8; 3]) -> Res<Mutation> {
    Mutation::new(
        num_or_nan(rate),
        num_or_nan(perturb),
        num_or_nan(strength),
        args,
    )
    .or_raise()
}

/// Refuse a result of `floats` floats over the memory budget.
fn check_budget(floats: usize) -> Res<()> {
    let need = floats.saturating_mul(RESULT_FLOAT);
    if need > info::budget() {
        return Err(raise(CoreError::memory(format!(
            "{floats} weights need {need} bytes, over the memory budget of {} bytes",
            info::budget()
        ))));
    }
    Ok(())
}

/// A list of `n` floats made by `f`, built from an array of terms.
fn float_list<'a>(
    env: Env<'a>,
    n: usize,
    mut f: impl FnMut() -> Result<f64, CoreError>,
) -> Res<Term<'a>> {
    let mut terms: Vec<ERL_NIF_TERM> = try_vec(n, "the result").or_raise()?;
    for _ in 0..n {
        let x = f().or_raise()?;
        // SAFETY: makes a float term in this call's env.
        terms.push(unsafe { enif_make_double(env.as_c_arg(), x) });
    }
    // SAFETY: every term belongs to this env; the array outlives the call.
    Ok(unsafe {
        Term::new(
            env,
            enif_make_list_from_array(env.as_c_arg(), terms.as_ptr(), terms.len() as u32),
        )
    })
}

/// Decode a list of rows (lists or f64 binaries) into one flat vector;
/// returns each row's end offset.
fn rows_into(
    term: Term,
    arg: u8,
    what: &'static str,
    row_what: &'static str,
    flat: &mut Vec<f64>,
    work: &mut Work,
) -> Res<Vec<usize>> {
    let mut ends = Vec::new();
    for row in items(term, arg, what)? {
        work.take(1)?;
        decode::f64s_into(row?, arg, row_what, flat, work)?;
        ends.push(flat.len());
    }
    Ok(ends)
}

/// Rows of `flat` (ends as returned by [`rows_into`]) as a list of lists.
fn encode_rows<'a>(env: Env<'a>, flat: &[f64], ends: &[usize]) -> Term<'a> {
    let mut start = 0;
    let rows: Vec<Term> = ends
        .iter()
        .map(|&end| {
            let t = flat[start..end].encode(env);
            start = end;
            t
        })
        .collect();
    rows.encode(env)
}

// ---------------------------------------------------------------- mutation

fn mutate_impl<'a>(
    env: Env<'a>,
    weights: Term<'a>,
    rate: Term<'a>,
    perturb: Term<'a>,
    strength: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let mut ws = decode::f64s(weights, 1, "Weights", work)?;
    let m = mutation(rate, perturb, strength, [2, 3, 4])?;
    let mut rng = Rng::seeded(seed_arg(seed, 5)?);
    work.take(ws.len().saturating_mul(MUTATE + ENCODE))?;
    for w in ws.iter_mut() {
        *w = m.apply(*w, &mut rng).or_raise()?;
    }
    Ok(ws.encode(env))
}

nif_pair!(mutate_weights_seeded / mutate_weights_seeded_dirty (env; weights, rate, perturb, strength, seed) => mutate_impl);

fn batch_impl<'a>(
    env: Env<'a>,
    genomes: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let mut flat = Vec::new();
    let mut ends = Vec::new();
    let mut params = Vec::new();
    for (k, g) in items(genomes, 1, "Genomes")?.enumerate() {
        work.take(1)?;
        let t = decode::tuple(g?, 4, 1, || {
            format!(
                "genome {} is not a {{Weights, MutationRate, PerturbRate, PerturbStrength}} tuple",
                k + 1
            )
        })?;
        decode::f64s_into(t.at(0), 1, "the weights of a genome", &mut flat, work)?;
        ends.push(flat.len());
        params.push(
            mutation(t.at(1), t.at(2), t.at(3), [1, 1, 1])
                .map_err(|_| badarg(1, format!("genome {}: {}", k + 1, "MutationRate and PerturbRate must be numbers in [0, 1], PerturbStrength a number >= 0")))?,
        );
    }
    let seed = seed_arg(seed, 2)?;
    work.take(flat.len().saturating_mul(MUTATE + ENCODE))?;
    let mut start = 0;
    for (i, (&end, m)) in ends.iter().zip(&params).enumerate() {
        let mut rng = Rng::seeded(stream_seed(seed, i as u64));
        for w in &mut flat[start..end] {
            *w = m.apply(*w, &mut rng).or_raise()?;
        }
        start = end;
    }
    Ok(encode_rows(env, &flat, &ends))
}

nif_pair!(mutate_weights_batch_seeded / mutate_weights_batch_seeded_dirty (env; genomes, seed) => batch_impl);

fn batch_uniform_impl<'a>(
    env: Env<'a>,
    genomes: Term<'a>,
    rate: Term<'a>,
    perturb: Term<'a>,
    strength: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let mut flat = Vec::new();
    let ends = rows_into(genomes, 1, "Genomes", "a genome's weights", &mut flat, work)?;
    let m = mutation(rate, perturb, strength, [2, 3, 4])?;
    let seed = seed_arg(seed, 5)?;
    work.take(flat.len().saturating_mul(MUTATE + ENCODE))?;
    let mut start = 0;
    for (i, &end) in ends.iter().enumerate() {
        let mut rng = Rng::seeded(stream_seed(seed, i as u64));
        for w in &mut flat[start..end] {
            *w = m.apply(*w, &mut rng).or_raise()?;
        }
        start = end;
    }
    Ok(encode_rows(env, &flat, &ends))
}

nif_pair!(mutate_weights_batch_uniform_seeded / mutate_weights_batch_uniform_seeded_dirty
          (env; genomes, rate, perturb, strength, seed) => batch_uniform_impl);

// ---------------------------------------------------------------- random weights

fn random_impl<'a>(env: Env<'a>, n: Term<'a>, seed: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let n = count_arg(n, 1, "N")?;
    let mut rng = Rng::seeded(seed_arg(seed, 2)?);
    check_budget(n)?;
    work.take(n.saturating_mul(DRAW + ENCODE))?;
    float_list(env, n, || Ok(uniform_weight(&mut rng)))
}

nif_pair!(random_weights_seeded / random_weights_seeded_dirty (env; n, seed) => random_impl);

fn gaussian_impl<'a>(
    env: Env<'a>,
    n: Term<'a>,
    mean: Term<'a>,
    sd: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let n = count_arg(n, 1, "N")?;
    let mean = decode::f64_arg(mean, 2, "Mean")?;
    let g = Gaussian::new(mean, num_or_nan(sd), 3).or_raise()?;
    let mut rng = Rng::seeded(seed_arg(seed, 4)?);
    check_budget(n)?;
    work.take(n.saturating_mul(GAUSS + ENCODE))?;
    float_list(env, n, || g.draw(&mut rng))
}

nif_pair!(random_weights_gaussian_seeded / random_weights_gaussian_seeded_dirty (env; n, mean, sd, seed) => gaussian_impl);

fn random_batch_impl<'a>(
    env: Env<'a>,
    specs: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let mut gs = Vec::new();
    let mut total = 0usize;
    for (k, s) in items(specs, 1, "Specs")?.enumerate() {
        work.take(1)?;
        let bad = || {
            format!(
                "spec {} is not a {{N, Mean, StdDev}} tuple with N >= 0 and StdDev >= 0",
                k + 1
            )
        };
        let t = decode::tuple(s?, 3, 1, bad)?;
        let n = decode::uint(t.at(0))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| badarg(1, bad()))?;
        let mean = decode::number(t.at(1)).ok_or_else(|| badarg(1, bad()))?;
        let g = Gaussian::new(mean, num_or_nan(t.at(2)), 1).map_err(|_| badarg(1, bad()))?;
        total = total.saturating_add(n);
        gs.push((n, g));
    }
    let seed = seed_arg(seed, 2)?;
    check_budget(total)?;
    work.take(total.saturating_mul(GAUSS + ENCODE))?;
    let mut rows = try_vec::<Term>(gs.len(), "the result").or_raise()?;
    for (i, (n, g)) in gs.iter().enumerate() {
        let mut rng = Rng::seeded(stream_seed(seed, i as u64));
        rows.push(float_list(env, *n, || g.draw(&mut rng))?);
    }
    Ok(rows.encode(env))
}

nif_pair!(random_weights_batch_seeded / random_weights_batch_seeded_dirty (env; specs, seed) => random_batch_impl);

// ---------------------------------------------------------------- distances

fn distance_impl(metric: Metric, w1: Term, w2: Term, work: &mut Work) -> Res<f64> {
    let a = decode::f64s(w1, 1, "Weights1", work)?;
    let b = decode::f64s(w2, 2, "Weights2", work)?;
    tweann_core::weights::distance(metric, &a, &b, 2).or_raise()
}

nif_pair!(weight_distance_l1 / weight_distance_l1_dirty (w1, w2) -> Res<f64>,
          |work| distance_impl(Metric::L1, w1, w2, work));
nif_pair!(weight_distance_l2 / weight_distance_l2_dirty (w1, w2) -> Res<f64>,
          |work| distance_impl(Metric::L2, w1, w2, work));

fn distance_batch_impl<'a>(
    env: Env<'a>,
    target: Term<'a>,
    others: Term<'a>,
    metric_term: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let t = decode::f64s(target, 1, "Target", work)?;
    let mut flat = Vec::new();
    let ends = rows_into(others, 2, "Others", "a vector of Others", &mut flat, work)?;
    let mut start = 0;
    for (k, &end) in ends.iter().enumerate() {
        if end - start != t.len() {
            return Err(badarg(
                2,
                format!(
                    "vector {} of Others has {} values, Target {}",
                    k + 1,
                    end - start,
                    t.len()
                ),
            ));
        }
        start = end;
    }
    let metric = match metric_term.decode::<rustler::Atom>() {
        Ok(a) if a == metric::l1() => Metric::L1,
        Ok(a) if a == metric::l2() => Metric::L2,
        _ => return Err(badarg(3, "Metric must be l1 or l2")),
    };
    work.take(flat.len().saturating_add(ends.len() * ENCODE))?;
    let mut start = 0;
    float_list(env, ends.len(), || {
        let end = start + t.len();
        let mut d = Distance::new(metric);
        for (&x, &y) in t.iter().zip(&flat[start..end]) {
            d.add(x, y);
        }
        start = end;
        d.finish()
    })
}

nif_pair!(weight_distance_batch / weight_distance_batch_dirty (env; target, others, metric_term) => distance_batch_impl);
