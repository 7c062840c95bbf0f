//! `compatibility_distance/5`: NEAT compatibility distance over
//! [`tweann_core::neat`].

use crate::decode::{self, items, tuple, Work, NUMBER};
use crate::error::{badarg, OrRaise, Res};
use crate::work::StackFirst;
use rustler::sys::ErlNifTerm;
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
        if !unsafe {
            crate::vmterm::list_cell(env.as_c_arg(), self.rest.as_c_arg(), &mut head, &mut tail)
        } {
            return if crate::vmterm::term_is_nil(self.rest) {
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

/// Genes kept on the stack before the rest goes to the heap.
const STACK_GENES: usize = 256;

/// A genome's genes (see [`StackFirst`]).
type Genome = StackFirst<neat::Gene, STACK_GENES>;

/// Reads the genome `list` into `out`, charging the budget per gene as
/// [`genes`] does. False if the list or a gene is malformed (the detailed
/// path then says how).
fn read_genome(list: Term, out: &mut Genome, what: &str, work: &mut Work) -> Res<bool> {
    let mut l = GeneList { rest: list };
    loop {
        match l.next() {
            Ok(Some(g)) => {
                work.take(3 * NUMBER)?;
                out.push(g, what, work)?;
            }
            Ok(None) => return Ok(true),
            Err(()) => return Ok(false),
        }
    }
}

/// The common case of [`distance_impl`]: numeric coefficients and two
/// well-formed genomes in strictly increasing innovation order, each
/// read whole (on the stack up to [`STACK_GENES`] genes), with the same
/// charges.
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
    if !(crate::vmterm::term_is_list(a) && crate::vmterm::term_is_list(b)) {
        return Ok(None);
    }
    // Each genome is read whole before the merge: the list walk has no
    // branch that depends on the genes, so the processor overlaps the
    // cache misses of many genes. Merging straight from the lists waited
    // for each gene's innovation to pick the side to advance (measured:
    // 2.3x slower once a genome's terms were spread by a GC).
    let mut ga = Genome::new();
    let mut gb = Genome::new();
    if !(read_genome(a, &mut ga, "GenesA", work)? && read_genome(b, &mut gb, "GenesB", work)?) {
        return Ok(None);
    }
    let (ga, gb) = (ga.as_slice(), gb.as_slice());
    let sorted = |g: &[neat::Gene]| g.windows(2).all(|w| w[0].0 < w[1].0);
    if !(sorted(ga) && sorted(gb)) {
        return Ok(None);
    }
    Ok(neat::distance(ga, gb, c1, c2, c3).ok())
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
