//! Reward NIFs: `z_score/3`, `compute_reward_component/2`,
//! `compute_weighted_reward/1` over `tweann_core::reward`.

use crate::decode::{self, items, tuple, Work};
use crate::error::{OrRaise, Res};
use crate::floats;
use rustler::Term;
use tweann_core::reward;

#[rustler::nif]
fn z_score(value: Term, mean: Term, sd: Term) -> Res<f64> {
    let _profile = crate::work::Profile::start("z_score");
    let v = decode::f64_arg(value, 1, "Value")?;
    let m = decode::f64_arg(mean, 2, "Mean")?;
    let s = decode::f64_arg(sd, 3, "StdDev")?;
    reward::z_score(v, m, s).or_raise()
}

/// The history is decoded into a stack buffer when short.
fn component_impl(history: Term, current: Term, work: &mut Work) -> Res<(f64, f64, f64)> {
    floats::with_slice(history, 1, &|| "History".into(), work, |h, work| {
        let c = decode::f64_arg(current, 2, "Current")?;
        // Two passes over the history (mean, then variance).
        work.take(h.len().saturating_mul(2))?;
        let [a, b, z] = reward::reward_component_metered(h, c, work).or_raise()?;
        Ok((a, b, z))
    })?
}

nif_pair!(compute_reward_component / compute_reward_component_dirty (history, current) -> Res<(f64, f64, f64)>,
          |work| component_impl(history, current, work));

fn weighted_impl(components: Term, work: &mut Work) -> Res<f64> {
    let mut acc = reward::WeightedReward::default();
    let mut h = Vec::new();
    for (i, item) in items(components, 1, "Components")?.enumerate() {
        work.take(1)?;
        let t = tuple(item?, 3, 1, || {
            format!(
                "Components: element {} is not a {{History, Current, Weight}} tuple",
                i + 1
            )
        })?;
        h.clear();
        floats::read_into(
            t.at(0),
            1,
            &|| format!("Components: the History of element {}", i + 1),
            &mut h,
            work,
        )?;
        let c = decode::f64_arg(t.at(1), 1, "the Current of a component")?;
        let w = decode::f64_arg(t.at(2), 1, "the Weight of a component")?;
        work.take(h.len().saturating_mul(2))?;
        acc.add_metered(&h, c, w, work).or_raise()?;
    }
    Ok(acc.finish())
}

nif_pair!(compute_weighted_reward / compute_weighted_reward_dirty (components) -> Res<f64>,
          |work| weighted_impl(components, work));
