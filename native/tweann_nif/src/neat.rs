//! `compatibility_distance/5`: NEAT compatibility distance over
//! [`tweann_core::neat`].

use crate::decode::{self, items, tuple, Work, NUMBER};
use crate::error::{badarg, OrRaise, Res};
use rustler::sys::{enif_get_list_cell, ErlNifTerm};
use rustler::Term;
use tweann_core::neat::{self, GeneSource, MergeStop, Side};

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

/// Reads `{Innovation, Weight}` genes off a list, one at a time.
struct GeneList<'a> {
    rest: Term<'a>,
}

impl<'a> GeneList<'a> {
    /// The next gene, `Ok(None)` at the end of the list, `Err(())` if the list
    /// or the gene is malformed (the detailed path says how).
    #[inline(always)]
    fn next(&mut self) -> Result<Option<neat::Gene>, ()> {
        let env = self.rest.get_env();
        let (mut head, mut tail) = (ErlNifTerm::default(), ErlNifTerm::default());
        // SAFETY: `rest` is a live term of this call; the out-pointers are locals.
        if unsafe { enif_get_list_cell(env.as_c_arg(), self.rest.as_c_arg(), &mut head, &mut tail) }
            == 0
        {
            return if self.rest.is_empty_list() {
                Ok(None)
            } else {
                Err(())
            };
        }
        // SAFETY: both are live terms of this call.
        let (head, tail) = unsafe { (Term::new(env, head), Term::new(env, tail)) };
        self.rest = tail;
        let t = decode::any_tuple(head).filter(|t| t.len() == 2).ok_or(())?;
        let inn = decode::uint(t.at(0)).ok_or(())?;
        let w = decode::number(t.at(1)).ok_or(())?;
        Ok(Some((inn, w)))
    }
}

/// Why [`distance_fast`] gave up.
enum Stop {
    /// Malformed input: the detailed path will say what.
    Malformed,
    /// The budget is spent.
    Dirty(rustler::Error),
}

/// Both genomes' lists, charging the budget per gene as [`genes`] does.
struct Genomes<'a, 'w> {
    a: GeneList<'a>,
    b: GeneList<'a>,
    work: &'w mut Work,
}

impl GeneSource for Genomes<'_, '_> {
    type Error = Stop;

    #[inline(always)]
    fn next_gene(&mut self, side: Side) -> Result<Option<neat::Gene>, Stop> {
        let list = match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        };
        let gene = list.next().map_err(|()| Stop::Malformed)?;
        if gene.is_some() {
            self.work.take(3 * NUMBER).map_err(Stop::Dirty)?;
        }
        Ok(gene)
    }
}

/// The common case of [`distance_impl`]: numeric coefficients and two
/// well-formed genomes in strictly increasing innovation order, merged
/// straight from the lists (no vectors), with the same charges.
/// `Ok(None)` when the detailed path must run.
fn distance_fast<'a>(
    a: Term<'a>,
    b: Term<'a>,
    c: [Term<'a>; 3],
    work: &mut Work,
) -> Res<Option<f64>> {
    let (Some(c1), Some(c2), Some(c3)) = (
        decode::number(c[0]),
        decode::number(c[1]),
        decode::number(c[2]),
    ) else {
        return Ok(None);
    };
    if !(a.is_list() && b.is_list()) {
        return Ok(None);
    }
    let tally = neat::merge_sorted(Genomes {
        a: GeneList { rest: a },
        b: GeneList { rest: b },
        work,
    });
    match tally {
        Ok(t) => Ok(t.distance(c1, c2, c3).ok()),
        Err(MergeStop::Source(Stop::Dirty(e))) => Err(e),
        Err(MergeStop::Source(Stop::Malformed) | MergeStop::Unsorted) => Ok(None),
    }
}

fn distance_impl<'a>(
    a: Term<'a>,
    b: Term<'a>,
    c1: Term<'a>,
    c2: Term<'a>,
    c3: Term<'a>,
    work: &mut Work,
) -> Res<f64> {
    // What the fast path charged stays charged: a normal-scheduler call
    // never works past its budget, whichever path it takes.
    if let Some(d) = distance_fast(a, b, [c1, c2, c3], work)? {
        return Ok(d);
    }
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
