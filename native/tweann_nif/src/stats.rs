//! Statistics NIFs: `fitness_stats/1`, `weighted_moving_average/2`,
//! `shannon_entropy/1`, `histogram/4` over `tweann_core::stats`.

use crate::decode::{self, Work, NUMBER};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::info;
use rustler::{Encoder, Env, Term};
use tweann_core::stats;
use tweann_core::CoreError;

fn stats_impl<'a>(env: Env<'a>, values: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let v = decode::f64s(values, 1, "Fitnesses", work)?;
    let s = stats::fitness_stats(&v).or_raise()?;
    let terms: Vec<Term> = s.iter().map(|x| x.encode(env)).collect();
    Ok(rustler::types::tuple::make_tuple(env, &terms))
}

nif_pair!(fitness_stats / fitness_stats_dirty (env; values) => stats_impl);

fn wma_impl(values: Term, decay: Term, work: &mut Work) -> Res<f64> {
    let v = decode::f64s(values, 1, "Values", work)?;
    let d = decode::f64_arg(decay, 2, "Decay")?;
    stats::weighted_moving_average(&v, d).or_raise()
}

nif_pair!(weighted_moving_average / weighted_moving_average_dirty (values, decay) -> Res<f64>,
          |work| wma_impl(values, decay, work));

fn entropy_impl(values: Term, work: &mut Work) -> Res<f64> {
    let v = decode::f64s(values, 1, "Values", work)?;
    // A logarithm per positive value.
    work.take(NUMBER * v.len())?;
    stats::shannon_entropy(&v).or_raise()
}

nif_pair!(shannon_entropy / shannon_entropy_dirty (values) -> Res<f64>,
          |work| entropy_impl(values, work));

fn histogram_impl(
    values: Term,
    bins: Term,
    min: Term,
    max: Term,
    work: &mut Work,
) -> Res<Vec<u64>> {
    let v = decode::f64s(values, 1, "Values", work)?;
    let nb = decode::uint(bins)
        .ok_or_else(|| badarg(2, "NumBins is not a non-negative integer"))?;
    let lo = decode::f64_arg(min, 3, "MinVal")?;
    let hi = decode::f64_arg(max, 4, "MaxVal")?;
    let need = stats::histogram_bytes(nb);
    if need > info::budget() as u64 {
        return Err(raise(CoreError::memory(format!(
            "{nb} bins need {need} bytes, over the memory budget of {} bytes",
            info::budget()
        ))));
    }
    // Zeroing and encoding the bins.
    work.take((nb as usize).saturating_mul(NUMBER))?;
    stats::histogram(&v, nb as usize, lo, hi).or_raise()
}

nif_pair!(histogram / histogram_dirty (values, bins, min, max) -> Res<Vec<u64>>,
          |work| histogram_impl(values, bins, min, max, work));
