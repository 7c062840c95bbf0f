//! Statistics NIFs: `fitness_stats/1`, `weighted_moving_average/2`,
//! `shannon_entropy/1`, `histogram/4` over `tweann_core::stats`.
//!
//! The values are streamed from the list into the kernels' accumulators
//! (no buffer). Arguments are still judged in order: a bad value list is
//! reported before a bad later argument, as the reference does.

use crate::decode::{self, Work, NUMBER};
use crate::encode;
use crate::error::{badarg, raise, OrRaise, Res};
use crate::floats;
use crate::info;
use rustler::{Encoder, Env, Term};
use tweann_core::stats::{self, FitnessStats, Histogram, Wma};
use tweann_core::CoreError;

fn stats_impl<'a>(env: Env<'a>, values: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let mut s = FitnessStats::default();
    floats::each_block(values, 1, &|| "Fitnesses".into(), work, |b| s.push_block(b))?;
    let r = s.finish().or_raise()?;
    let terms: Vec<Term> = r.iter().map(|x| x.encode(env)).collect();
    Ok(rustler::types::tuple::make_tuple(env, &terms))
}

nif_pair!(fitness_stats / fitness_stats_dirty (env; values) => stats_impl);

fn wma_impl(values: Term, decay: Term, work: &mut Work) -> Res<f64> {
    let d = decode::f64_arg(decay, 2, "Decay");
    let mut w = Wma::new(*d.as_ref().unwrap_or(&0.0));
    floats::each_block(values, 1, &|| "Values".into(), work, |b| w.push_block(b))?;
    d?;
    w.finish().or_raise()
}

nif_pair!(weighted_moving_average / weighted_moving_average_dirty (values, decay) -> Res<f64>,
          |work| wma_impl(values, decay, work));

fn entropy_impl(values: Term, work: &mut Work) -> Res<f64> {
    // Two passes (the total, then the shares): over a buffer, not the list.
    // The total is summed as the values are decoded.
    let mut v = Vec::new();
    let mut total = 0.0f64;
    floats::read_into_with(values, 1, &|| "Values".into(), &mut v, work, |b| {
        // A block's sum in a register, stored once.
        let mut t = total;
        for &x in b {
            if x > 0.0 {
                t += x;
            }
        }
        total = t;
    })?;
    // A logarithm per value.
    work.take(2 * NUMBER * v.len())?;
    stats::shannon_entropy_of_total_metered(&v, total, work).or_raise()
}

nif_pair!(shannon_entropy / shannon_entropy_dirty (values) -> Res<f64>,
          |work| entropy_impl(values, work));

/// The bins, or the first error among NumBins, MinVal, MaxVal, the memory
/// budget and the range (in that order).
fn histogram_setup(bins: Term, min: Term, max: Term) -> Res<Histogram> {
    let nb =
        decode::uint(bins).ok_or_else(|| badarg(2, "NumBins is not a non-negative integer"))?;
    let lo = decode::f64_arg(min, 3, "MinVal")?;
    let hi = decode::f64_arg(max, 4, "MaxVal")?;
    let need = stats::histogram_bytes(nb);
    if need > info::budget() as u64 {
        return Err(raise(CoreError::memory(format!(
            "{nb} bins need {need} bytes, over the memory budget of {} bytes",
            info::budget()
        ))));
    }
    Histogram::new(nb as usize, lo, hi).or_raise()
}

fn histogram_impl<'a>(
    env: Env<'a>,
    values: Term<'a>,
    bins: Term<'a>,
    min: Term<'a>,
    max: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    // Zeroing and encoding the bins.
    if let Some(nb) = decode::uint(bins) {
        work.take((nb.min(usize::MAX as u64) as usize).saturating_mul(NUMBER))?;
    }
    let values_ctx = || "Values".to_string();
    match histogram_setup(bins, min, max) {
        Ok(mut h) => {
            floats::each(values, 1, &values_ctx, work, |v| h.add(v))?;
            let counts = h.finish();
            // The counts and their list were checked against the budget
            // (histogram_setup), and their building charged above.
            let need = stats::histogram_bytes(counts.len() as u64);
            work.reserve(need as usize, "the histogram")?;
            encode::build_u64s(env, &counts, work)
        }
        Err(e) => {
            // The values are argument 1: their errors come first.
            floats::each(values, 1, &values_ctx, work, |_| ())?;
            Err(e)
        }
    }
}

nif_pair!(histogram / histogram_dirty (env; values, bins, min, max) => histogram_impl);
