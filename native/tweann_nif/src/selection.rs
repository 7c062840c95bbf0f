//! Selection NIFs: `build_cumulative_fitness/1`, `roulette_select/3`,
//! `roulette_select_batch/3`, `tournament_select/2` over
//! `tweann_core::selection`.
//!
//! One roulette pick and a tournament stream their lists (no buffer);
//! arguments are still judged in the reference's order: every argument's
//! decoding first, then the checks between them, then overflow.

use crate::decode::{self, items, Work, NUMBER};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::floats;
use rustler::sys::{enif_make_list_from_array, enif_make_uint64, ErlNifTerm};
use rustler::{Encoder, Env, Term};
use tweann_core::selection::{self, RouletteScan};
use tweann_core::CoreError;

fn cumulative_impl<'a>(env: Env<'a>, fitnesses: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let mut c = floats::read(fitnesses, 1, "Fitnesses", work)?;
    // Encoding one float per fitness.
    work.take(NUMBER * c.len())?;
    let total = selection::cumulative_in_place(&mut c).or_raise()?;
    Ok((c, total).encode(env))
}

nif_pair!(build_cumulative_fitness / build_cumulative_fitness_dirty (env; fitnesses) => cumulative_impl);

fn roulette_impl(cumulative: Term, total: Term, r: Term, work: &mut Work) -> Res<u64> {
    let total = decode::f64_arg(total, 2, "Total");
    let r = decode::f64_arg(r, 3, "RandomVal");
    let target = match (&total, &r) {
        (Ok(t), Ok(r)) => Some(selection::target(*r, *t)),
        _ => None,
    };
    let mut scan = RouletteScan::new(target.as_ref().and_then(|t| t.as_ref().ok().copied()));
    floats::each_block(cumulative, 1, &|| "Cumulative".into(), work, |b| {
        scan.push_block(b)
    })?;
    total?;
    r?;
    scan.check().or_raise()?;
    if let Some(t) = target {
        t.or_raise()?;
    }
    Ok(scan.pick() as u64)
}

nif_pair!(roulette_select / roulette_select_dirty (cumulative, total, r) -> Res<u64>,
          |work| roulette_impl(cumulative, total, r, work));

/// The picks are encoded as they are made (one buffer of terms, one list).
fn roulette_batch_impl<'a>(
    env: Env<'a>,
    cumulative: Term<'a>,
    total: Term<'a>,
    rs: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let c = floats::read(cumulative, 1, "Cumulative", work)?;
    let total = decode::f64_arg(total, 2, "Total")?;
    let checked = selection::check_cumulative(&c);
    let wheel = checked.is_ok().then(|| selection::Roulette::new(&c));
    let mut out: Vec<ErlNifTerm> = Vec::new();
    out.try_reserve(c.len())
        .map_err(|_| raise(CoreError::memory("cannot allocate the picks")))?;
    let mut overflow = None;
    let e = env.as_c_arg();
    floats::each(rs, 3, &|| "RandomVals".into(), work, |r| {
        if let (Some(w), None) = (&wheel, &overflow) {
            match selection::target(r, total) {
                // SAFETY: makes an integer term in this call's env.
                Ok(t) => out.push(unsafe { enif_make_uint64(e, w.pick(t) as u64) }),
                Err(err) => overflow = Some(err),
            }
        }
    })?;
    // A search (a few steps, log2(n) at worst) and an encoded integer per
    // selection.
    let depth = (usize::BITS - c.len().leading_zeros()) as usize;
    work.take(out.len().saturating_mul(depth + NUMBER))?;
    checked.or_raise()?;
    if let Some(err) = overflow {
        return Err(raise(err));
    }
    // SAFETY: `out` holds terms of this call's env.
    Ok(unsafe {
        Term::new(
            env,
            enif_make_list_from_array(e, out.as_ptr(), out.len() as std::os::raw::c_uint),
        )
    })
}

nif_pair!(roulette_select_batch / roulette_select_batch_dirty (env; cumulative, total, rs) => roulette_batch_impl);

fn tournament_impl(contestants: Term, fitnesses: Term, work: &mut Work) -> Res<u64> {
    let mut cs = Vec::new();
    for (i, c) in items(contestants, 1, "Contestants")?.enumerate() {
        work.take(NUMBER)?;
        cs.push(decode::uint(c?).ok_or_else(|| {
            badarg(
                1,
                format!(
                    "Contestants: element {} is not a non-negative integer",
                    i + 1
                ),
            )
        })?);
    }
    // The contestants by index: the fitness list is read once, picking
    // their values on the way.
    let mut order: Vec<usize> = (0..cs.len()).collect();
    order.sort_unstable_by_key(|&k| cs[k]);
    let mut picked = vec![None; cs.len()];
    let mut next = 0;
    let mut base = 0u64;
    let len = floats::each_block(fitnesses, 2, &|| "Fitnesses".into(), work, |b| {
        let end = base + b.len() as u64;
        while next < order.len() && cs[order[next]] < end {
            picked[order[next]] = Some(b[(cs[order[next]] - base) as usize]);
            next += 1;
        }
        base = end;
    })?;
    selection::tournament_picked(&cs, &picked, len).or_raise()
}

nif_pair!(tournament_select / tournament_select_dirty (contestants, fitnesses) -> Res<u64>,
          |work| tournament_impl(contestants, fitnesses, work));
