//! `compatibility_distance/5`: NEAT compatibility distance over
//! [`tweann_core::neat`].

use crate::decode::{self, items, tuple, Work, NUMBER};
use crate::error::{badarg, OrRaise, Res};
use rustler::Term;
use tweann_core::neat;

fn genes(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<neat::Gene>> {
    let mut g = Vec::new();
    for (k, item) in items(term, arg, what)?.enumerate() {
        work.take(3 * NUMBER)?;
        let t = tuple(item?, 2, arg, || {
            format!(
                "{what}: element {} is not an {{Innovation, Weight}} tuple",
                k + 1
            )
        })?;
        let inn = decode::uint(t.at(0)).ok_or_else(|| {
            badarg(
                arg,
                format!(
                    "{what}: element {}: Innovation must be a non-negative integer",
                    k + 1
                ),
            )
        })?;
        let w = decode::number(t.at(1)).ok_or_else(|| {
            badarg(
                arg,
                format!("{what}: element {}: Weight is not a number", k + 1),
            )
        })?;
        work.push(&mut g, (inn, w), what)?;
    }
    Ok(g)
}

fn distance_impl(a: Term, b: Term, c1: Term, c2: Term, c3: Term, work: &mut Work) -> Res<f64> {
    let c1 = decode::f64_arg(c1, 3, "C1")?;
    let c2 = decode::f64_arg(c2, 4, "C2")?;
    let c3 = decode::f64_arg(c3, 5, "C3")?;
    let mut ga = genes(a, 1, "GenesA", work)?;
    let mut gb = genes(b, 2, "GenesB", work)?;
    // Sorting an unsorted genome costs more than the merge.
    let unsorted = |g: &[neat::Gene]| !g.windows(2).all(|w| w[0].0 < w[1].0);
    if unsorted(&ga) || unsorted(&gb) {
        work.take(NUMBER * (ga.len() + gb.len()))?;
    }
    neat::prepare(&mut ga, 1).or_raise()?;
    neat::prepare(&mut gb, 2).or_raise()?;
    neat::distance(&ga, &gb, c1, c2, c3).or_raise()
}

nif_pair!(compatibility_distance / compatibility_distance_dirty (a, b, c1, c2, c3) -> Res<f64>, |work| distance_impl(a, b, c1, c2, c3, work));
