//! Selection NIFs: `build_cumulative_fitness/1`, `roulette_select/3`,
//! `roulette_select_batch/3`, `tournament_select/2` over
//! `tweann_core::selection`.

use crate::decode::{self, items, Work, NUMBER};
use crate::error::{badarg, OrRaise, Res};
use rustler::{Encoder, Env, Term};
use tweann_core::selection;

fn cumulative_impl<'a>(env: Env<'a>, fitnesses: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let f = decode::f64s(fitnesses, 1, "Fitnesses", work)?;
    // Encoding one float per fitness.
    work.take(NUMBER * f.len())?;
    let (c, total) = selection::cumulative_fitness(&f).or_raise()?;
    Ok((c, total).encode(env))
}

nif_pair!(build_cumulative_fitness / build_cumulative_fitness_dirty (env; fitnesses) => cumulative_impl);

fn roulette_impl(cumulative: Term, total: Term, r: Term, work: &mut Work) -> Res<u64> {
    let c = decode::f64s(cumulative, 1, "Cumulative", work)?;
    let total = decode::f64_arg(total, 2, "Total")?;
    let r = decode::f64_arg(r, 3, "RandomVal")?;
    selection::check_cumulative(&c).or_raise()?;
    let t = selection::target(r, total).or_raise()?;
    Ok(selection::roulette(&c, t) as u64)
}

nif_pair!(roulette_select / roulette_select_dirty (cumulative, total, r) -> Res<u64>,
          |work| roulette_impl(cumulative, total, r, work));

fn roulette_batch_impl(cumulative: Term, total: Term, rs: Term, work: &mut Work) -> Res<Vec<u64>> {
    let c = decode::f64s(cumulative, 1, "Cumulative", work)?;
    let total = decode::f64_arg(total, 2, "Total")?;
    let rs = decode::f64s(rs, 3, "RandomVals", work)?;
    selection::check_cumulative(&c).or_raise()?;
    // A binary search and an encoded integer per selection.
    let depth = usize::BITS - c.len().leading_zeros();
    work.take(rs.len().saturating_mul(depth as usize + NUMBER))?;
    let mut out = Vec::with_capacity(rs.len());
    for r in rs {
        let t = selection::target(r, total).or_raise()?;
        out.push(selection::roulette(&c, t) as u64);
    }
    Ok(out)
}

nif_pair!(roulette_select_batch / roulette_select_batch_dirty (cumulative, total, rs) -> Res<Vec<u64>>,
          |work| roulette_batch_impl(cumulative, total, rs, work));

fn tournament_impl(contestants: Term, fitnesses: Term, work: &mut Work) -> Res<u64> {
    let mut cs = Vec::new();
    for (i, c) in items(contestants, 1, "Contestants")?.enumerate() {
        work.take(NUMBER)?;
        cs.push(decode::uint(c?).ok_or_else(|| {
            badarg(
                1,
                format!("Contestants: element {} is not a non-negative integer", i + 1),
            )
        })?);
    }
    let f = decode::f64s(fitnesses, 2, "Fitnesses", work)?;
    selection::tournament(&cs, &f).or_raise()
}

nif_pair!(tournament_select / tournament_select_dirty (contestants, fitnesses) -> Res<u64>,
          |work| tournament_impl(contestants, fitnesses, work));
