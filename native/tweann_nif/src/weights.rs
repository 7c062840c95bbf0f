//! faber-tweann's weight NIFs: seeded mutation (single and batches), seeded
//! random weights (uniform, Gaussian, batches) and weight distances.
//!
//! The unseeded public functions live in Erlang (`tweann_nif`): they draw a
//! seed from the caller's `rand` state and call the seeded NIFs here, so a
//! call that is redone on a dirty scheduler gives the same numbers.
//!
//! Weight lists are streamed: each number is read, used and (for mutation)
//! turned into its result term in one pass, with no intermediate vector.
//! The scalar arguments are checked first, then the lists in order, element
//! by element, exactly as the Erlang reference `tweann_ref_weights` does, so
//! both report the same argument (or overflow) for any input. A binary, and
//! a batch whose lists are all proper, are charged to the work budget
//! before any work, so a large call goes to the dirty scheduler at once; a
//! single weight list is charged as it is read (a long one leaves the
//! normal scheduler after one budget's worth of weights).

use crate::decode::{self, items, Work, NORMAL_WORK_LIMIT, NUMBER};
use crate::encode::{self, CELL_BYTES, FLOAT_BYTES};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::numlist::{Next, NumList};
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
/// Work units of one Gaussian draw (a Ziggurat step; rarely an exp or log).
/// These weights were calibrated against `dot_product_flat/3`: each
/// function's largest normal-scheduler call takes about as long as its.
const GAUSS: usize = 4;
/// Work units of encoding one float.
const ENCODE: usize = NUMBER;
/// Work units of reading, mutating (worst case) and encoding one weight.
const MUTATE: usize = NUMBER + 2 * DRAW + GAUSS + ENCODE;
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

/// The length of `term` when it is a proper list (`None` for anything
/// else), counted element by element with `per` work units charged for
/// each: a list too long for the budget stops the count, and the normal
/// entry, early (a whole walk of a long list is itself too much work for a
/// normal scheduler). The elements of an improper list stay charged.
fn charged_len(term: Term, per: usize, work: &mut Work) -> Res<Option<usize>> {
    let Ok(cells) = items(term, 0, "") else {
        return Ok(None);
    };
    let mut n = 0usize;
    for cell in cells {
        if cell.is_err() {
            return Ok(None);
        }
        work.take(per)?;
        n += 1;
    }
    Ok(Some(n))
}

/// Count a result of `floats` floats against the call's memory budget
/// (refused over it, before any of it is made).
fn check_budget(floats: usize, work: &mut Work) -> Res<()> {
    work.reserve(floats.saturating_mul(RESULT_FLOAT), "the weights")
}

/// Builds lists of floats from an array of terms (the array is reused from
/// one list to the next).
struct Floats<'a> {
    env: Env<'a>,
    terms: Vec<ERL_NIF_TERM>,
}

impl<'a> Floats<'a> {
    fn new(env: Env<'a>, capacity: usize) -> Res<Self> {
        Ok(Floats {
            env,
            terms: try_vec(capacity, "the result").or_raise()?,
        })
    }

    /// Room for `n` more floats.
    fn reserve(&mut self, n: usize) -> Res<()> {
        self.terms
            .try_reserve(n)
            .map_err(|_| raise(CoreError::memory("cannot allocate the result")))
    }

    /// Push `term` itself: a float term of this call (an input element).
    #[inline]
    fn push_term(&mut self, term: ERL_NIF_TERM) {
        self.terms.push(term);
    }

    #[inline]
    fn push(&mut self, x: f64) {
        // SAFETY: makes a float term in this call's env.
        self.terms
            .push(unsafe { enif_make_double(self.env.as_c_arg(), x) });
    }

    /// The floats pushed so far as a list; the array is emptied.
    fn take_list(&mut self) -> Term<'a> {
        // SAFETY: every term belongs to this env; the array outlives the call.
        let list = unsafe {
            Term::new(
                self.env,
                enif_make_list_from_array(
                    self.env.as_c_arg(),
                    self.terms.as_ptr(),
                    self.terms.len() as u32,
                ),
            )
        };
        self.terms.clear();
        list
    }
}

/// `n` floats made by `f` (`per` work units each, charged by the caller and
/// reported as progress: a dirty call stops when its caller dies), as a
/// list built in `out`.
fn float_list<'a>(
    out: &mut Floats<'a>,
    n: usize,
    per: usize,
    work: &mut Work,
    mut f: impl FnMut() -> Result<f64, CoreError>,
) -> Res<Term<'a>> {
    out.reserve(n)?;
    let e = out.env.as_c_arg();
    for start in (0..n).step_by(STRIDE) {
        work.progress(STRIDE.saturating_mul(per))?;
        let k = (n - start).min(STRIDE);
        // Written in place (room for n was reserved): no capacity check
        // per float.
        for slot in &mut out.terms.spare_capacity_mut()[..k] {
            // SAFETY: makes a float term in this call's env.
            slot.write(unsafe { enif_make_double(e, f().or_raise()?) });
        }
        // SAFETY: the k slots after the length were just written.
        unsafe { out.terms.set_len(out.terms.len() + k) };
    }
    Ok(out.take_list())
}

/// Elements between two progress reports of a loop whose work was charged
/// up front.
const STRIDE: usize = 4096;

// ---------------------------------------------------------------- mutation

/// Mutate the weights of `term` (a list or an f64 binary, argument `arg`)
/// into a list of floats built in `out`. When `charged` is false, charges
/// the work of every weight first if the length is known, else as it goes.
#[allow(clippy::too_many_arguments)]
fn mutate_list<'a>(
    out: &mut Floats<'a>,
    term: Term<'a>,
    arg: u8,
    m: &Mutation,
    rng: &mut Rng,
    charged: bool,
    work: &mut Work,
) -> Res<Term<'a>> {
    if term.is_binary() {
        let ws = decode::f64s(term, arg, "Weights", work)?;
        if !charged {
            work.take(ws.len().saturating_mul(MUTATE))?;
        }
        check_budget(ws.len(), work)?;
        out.reserve(ws.len())?;
        for (i, &w) in ws.iter().enumerate() {
            if i % STRIDE == 0 {
                work.progress(STRIDE * MUTATE)?;
            }
            out.push(m.apply(w, rng).or_raise()?);
        }
        return Ok(out.take_list());
    }
    // `per` units charged per weight as it is read (0: charged up front by
    // the caller, then only reported as progress); the result's memory is
    // counted weight by weight. No counting pass first: it would cost a
    // third VM call per weight, and a list too long for a normal scheduler
    // still leaves it after one budget's worth of weights.
    let per = if charged { 0 } else { MUTATE };
    let mut list =
        NumList::new(term).ok_or_else(|| badarg(arg, "Weights is not a list or an f64 binary"))?;
    let first = out.terms.len();
    loop {
        match list.next_num_term() {
            (Next::Num(w), float_term) => {
                if per > 0 {
                    work.take(per)?;
                } else {
                    work.progress(MUTATE)?;
                }
                work.reserve(RESULT_FLOAT, "the weights")?;
                if out.terms.len() == out.terms.capacity() {
                    out.reserve(out.terms.len().max(64))?;
                }
                let r = m.apply(w, rng).or_raise()?;
                // A weight left as it was (same bits) that came as a float is
                // returned as the same term: no new float on the heap.
                match float_term {
                    Some(t) if r.to_bits() == w.to_bits() => out.push_term(t),
                    _ => out.push(r),
                }
            }
            (Next::End, _) => return Ok(out.take_list()),
            (Next::Improper, _) => return Err(badarg(arg, "Weights is not a proper list")),
            (Next::NotNumber, _) => {
                return Err(badarg(
                    arg,
                    format!(
                        "Weights: element {} is not a number",
                        out.terms.len() - first + 1
                    ),
                ))
            }
        }
    }
}

fn mutate_impl<'a>(
    env: Env<'a>,
    weights: Term<'a>,
    rate: Term<'a>,
    perturb: Term<'a>,
    strength: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let m = mutation(rate, perturb, strength, [2, 3, 4])?;
    let mut rng = Rng::seeded(seed_arg(seed, 5)?);
    mutate_list(
        &mut Floats::new(env, 0)?,
        weights,
        1,
        &m,
        &mut rng,
        false,
        work,
    )
}

nif_pair!(mutate_weights_seeded / mutate_weights_seeded_dirty (env; weights, rate, perturb, strength, seed) => mutate_impl);

/// Work of mutating every weight of `genomes` (weight lists found by
/// `weights`) when every list is proper, counted genome by genome against
/// a normal-scheduler budget of its own: past it the answer is
/// `NORMAL_WORK_LIMIT + 1` (enough to decide, and a long list is never
/// walked whole); 0 if a genome or a list is malformed (then its weights are
/// charged as they are met).
fn batch_cost<'a>(genomes: Term<'a>, weights: impl Fn(Term<'a>) -> Option<Term<'a>>) -> usize {
    const OVER: usize = NORMAL_WORK_LIMIT + 1;
    let mut probe = Work::normal();
    let mut total = 0usize;
    let Ok(it) = items(genomes, 1, "Genomes") else {
        return 0;
    };
    for g in it {
        let Some(w) = g.ok().and_then(&weights) else {
            return 0;
        };
        let n = if w.is_binary() {
            let Ok(b) = rustler::Binary::from_term(w) else {
                return 0;
            };
            let n = b.len() / 8;
            match probe.take(n.saturating_mul(MUTATE)) {
                Ok(()) => Some(n),
                Err(_) => return OVER,
            }
        } else {
            match charged_len(w, MUTATE, &mut probe) {
                Ok(n) => n,
                Err(_) => return OVER,
            }
        };
        let Some(n) = n else {
            return 0;
        };
        if probe.take(MUTATE).is_err() {
            return OVER;
        }
        total = total.saturating_add(n.saturating_add(1).saturating_mul(MUTATE));
    }
    total
}

fn batch_impl<'a>(
    env: Env<'a>,
    genomes: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let seed = seed_arg(seed, 2)?;
    let cost = batch_cost(genomes, |g| {
        decode::any_tuple(g)
            .filter(|t| t.len() == 4)
            .map(|t| t.at(0))
    });
    work.take(cost)?;
    let mut rows = Vec::new();
    let mut out = Floats::new(env, 0)?;
    for (k, g) in items(genomes, 1, "Genomes")?.enumerate() {
        let t = decode::tuple(g?, 4, 1, || {
            format!(
                "genome {} is not a {{Weights, MutationRate, PerturbRate, PerturbStrength}} tuple",
                k + 1
            )
        })?;
        let m = mutation(t.at(1), t.at(2), t.at(3), [1, 1, 1]).map_err(|_| {
            badarg(
                1,
                format!(
                    "genome {}: MutationRate and PerturbRate must be numbers in [0, 1], \
                     PerturbStrength a number >= 0",
                    k + 1
                ),
            )
        })?;
        let mut rng = Rng::seeded(stream_seed(seed, k as u64));
        let row = mutate_list(&mut out, t.at(0), 1, &m, &mut rng, cost > 0, work)?;
        work.reserve(CELL_BYTES, "the weights")?;
        work.push(&mut rows, row, "the weights")?;
    }
    Ok(rows.encode(env))
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
    let m = mutation(rate, perturb, strength, [2, 3, 4])?;
    let seed = seed_arg(seed, 5)?;
    let cost = batch_cost(genomes, Some);
    work.take(cost)?;
    let mut rows = Vec::new();
    let mut out = Floats::new(env, 0)?;
    for (k, g) in items(genomes, 1, "Genomes")?.enumerate() {
        let mut rng = Rng::seeded(stream_seed(seed, k as u64));
        let row = mutate_list(&mut out, g?, 1, &m, &mut rng, cost > 0, work)?;
        work.reserve(CELL_BYTES, "the weights")?;
        work.push(&mut rows, row, "the weights")?;
    }
    Ok(rows.encode(env))
}

nif_pair!(mutate_weights_batch_uniform_seeded / mutate_weights_batch_uniform_seeded_dirty
          (env; genomes, rate, perturb, strength, seed) => batch_uniform_impl);

// ---------------------------------------------------------------- random weights

fn random_impl<'a>(env: Env<'a>, n: Term<'a>, seed: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let n = count_arg(n, 1, "N")?;
    let mut rng = Rng::seeded(seed_arg(seed, 2)?);
    check_budget(n, work)?;
    work.take(n.saturating_mul(DRAW + ENCODE))?;
    float_list(&mut Floats::new(env, 0)?, n, DRAW + ENCODE, work, || {
        Ok(uniform_weight(&mut rng))
    })
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
    check_budget(n, work)?;
    work.take(n.saturating_mul(GAUSS + ENCODE))?;
    float_list(&mut Floats::new(env, 0)?, n, GAUSS + ENCODE, work, || {
        g.draw(&mut rng)
    })
}

nif_pair!(random_weights_gaussian_seeded / random_weights_gaussian_seeded_dirty (env; n, mean, sd, seed) => gaussian_impl);

fn random_batch_impl<'a>(
    env: Env<'a>,
    specs: Term<'a>,
    seed: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let seed = seed_arg(seed, 2)?;
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
        work.push(&mut gs, (n, g), "the specs")?;
        // Charged as the specs are read, so a large batch leaves the normal
        // scheduler before reading them all.
        work.take(n.saturating_mul(GAUSS + ENCODE))?;
    }
    check_budget(total, work)?;
    work.reserve(gs.len().saturating_mul(CELL_BYTES), "the weights")?;
    let mut rows = work.vec::<Term>(gs.len(), "the weights")?;
    let mut out = Floats::new(env, 0)?;
    for (i, (n, g)) in gs.iter().enumerate() {
        let mut rng = Rng::seeded(stream_seed(seed, i as u64));
        rows.push(float_list(&mut out, *n, GAUSS + ENCODE, work, || {
            g.draw(&mut rng)
        })?);
    }
    Ok(rows.encode(env))
}

nif_pair!(random_weights_batch_seeded / random_weights_batch_seeded_dirty (env; specs, seed) => random_batch_impl);

// ---------------------------------------------------------------- distances

/// The distance of `w2` (argument `arg2`, a list or binary) to `a`, a
/// decoded first vector. A list is streamed; a binary is decoded first.
/// `per` work units are charged per pair (0 when the caller charged).
fn distance_to(
    metric: Metric,
    a: &[f64],
    w2: Term,
    arg2: u8,
    per: usize,
    work: &mut Work,
) -> Res<f64> {
    let mut d = Distance::new(metric);
    if w2.is_binary() {
        let b = decode::f64s(w2, arg2, "a weight vector", work)?;
        return tweann_core::weights::distance(metric, a, &b, arg2).or_raise();
    }
    let mut list = NumList::new(w2)
        .ok_or_else(|| badarg(arg2, "a weight vector is not a list or an f64 binary"))?;
    for &x in a {
        match list.next_num() {
            Next::Num(y) => {
                if per > 0 {
                    work.take(per)?;
                } else {
                    work.progress(NUMBER)?;
                }
                d.add(x, y);
                d.check().or_raise()?;
            }
            Next::End => return Err(badarg(arg2, "the weight vectors differ in length")),
            Next::Improper => return Err(badarg(arg2, "a weight vector is not a proper list")),
            Next::NotNumber => return Err(badarg(arg2, "a weight is not a number")),
        }
    }
    match list.next_num() {
        Next::End => d.finish().or_raise(),
        _ => Err(badarg(arg2, "the weight vectors differ in length")),
    }
}

/// Two lists are streamed pair by pair; with a binary, the first vector is
/// decoded whole, then the second compared with it.
fn distance_impl(metric: Metric, w1: Term, w2: Term, work: &mut Work) -> Res<f64> {
    if w1.is_binary() || w2.is_binary() {
        let a = decode::f64s(w1, 1, "Weights1", work)?;
        return distance_to(metric, &a, w2, 2, NUMBER, work);
    }
    let mut l1 =
        NumList::new(w1).ok_or_else(|| badarg(1, "Weights1 is not a list or an f64 binary"))?;
    let mut l2 =
        NumList::new(w2).ok_or_else(|| badarg(2, "Weights2 is not a list or an f64 binary"))?;
    let mut d = Distance::new(metric);
    loop {
        let x = match l1.next_num() {
            Next::Num(x) => x,
            Next::End => {
                return match l2.next_num() {
                    Next::End => d.finish().or_raise(),
                    _ => Err(badarg(2, "Weights2 is longer than Weights1")),
                }
            }
            Next::Improper => return Err(badarg(1, "Weights1 is not a proper list")),
            Next::NotNumber => return Err(badarg(1, "Weights1: an element is not a number")),
        };
        let y = match l2.next_num() {
            Next::Num(y) => y,
            Next::End => return Err(badarg(2, "Weights2 is shorter than Weights1")),
            Next::Improper => return Err(badarg(2, "Weights2 is not a proper list")),
            Next::NotNumber => return Err(badarg(2, "Weights2: an element is not a number")),
        };
        work.take(2 * NUMBER)?;
        d.add(x, y);
        d.check().or_raise()?;
    }
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
    let metric = match metric_term.decode::<rustler::Atom>() {
        Ok(a) if a == metric::l1() => Metric::L1,
        Ok(a) if a == metric::l2() => Metric::L2,
        _ => return Err(badarg(3, "Metric must be l1 or l2")),
    };
    let t = decode::f64s(target, 1, "Target", work)?;
    // Charged up front, vector by vector as Others is counted, when it is
    // a proper list (binaries are charged as they are decoded).
    let per_vector = t.len().saturating_add(1).saturating_mul(NUMBER);
    let per = match charged_len(others, per_vector, work)? {
        Some(_) => 0,
        None => NUMBER,
    };
    let mut out = Vec::new();
    for o in items(others, 2, "Others")? {
        let d = distance_to(metric, &t, o?, 2, per, work)?;
        work.push(&mut out, d, "the distances")?;
    }
    // The result list (its building is part of the work charged above).
    work.reserve(out.len().saturating_mul(FLOAT_BYTES), "the distances")?;
    encode::build_floats(env, &out, work)
}

nif_pair!(weight_distance_batch / weight_distance_batch_dirty (env; target, others, metric_term) => distance_batch_impl);
