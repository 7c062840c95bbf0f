//! Selection NIFs: `build_cumulative_fitness/1`, `roulette_select/3`,
//! `roulette_select_batch/3`, `tournament_select/2` over
//! `tweann_core::selection`.
//!
//! One roulette pick and a tournament stream their lists (no buffer);
//! arguments are still judged in the reference's order: every argument's
//! decoding first, then the checks between them, then overflow.

use crate::decode::{self, items, Work, NUMBER};
use crate::encode::{self, CELL_BYTES};
use crate::error::{badarg, raise, OrRaise, Res};
use crate::floats;
use rustler::sys::{enif_make_double, enif_make_list_from_array, enif_make_uint64, ErlNifTerm};
use rustler::{Encoder, Env, Term};
use tweann_core::selection::{self, RouletteScan};

/// Values between two liveness reports while building a long result.
const STRIDE: usize = 4096;

/// The smallest fitness is found while decoding; the entries are made into
/// terms as they are summed (one buffer of terms, one list).
fn cumulative_impl<'a>(env: Env<'a>, fitnesses: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let mut min = f64::INFINITY;
    let mut f = Vec::new();
    floats::read_into_with(fitnesses, 1, &|| "Fitnesses".into(), &mut f, work, |b| {
        // A block's minimum in a register, stored once.
        let mut m = min;
        for &x in b {
            m = if x < m { x } else { m };
        }
        min = m;
    })?;
    // Encoding one float per fitness: its time and its heap bytes, and the
    // array of terms, counted before anything is made.
    encode::charge(work, f.len(), 0)?;
    let mut terms: Vec<ErlNifTerm> = work.vec(f.len(), "the cumulative fitness")?;
    let e = env.as_c_arg();
    let mut running = selection::Running::new(min);
    for chunk in f.chunks(STRIDE) {
        // SAFETY: makes floats in this call's env.
        terms.extend(
            chunk
                .iter()
                .map(|&x| unsafe { enif_make_double(e, running.next(x)) }),
        );
        work.progress(chunk.len() * NUMBER)?;
    }
    let total = running.total().or_raise()?;
    // SAFETY: `terms` holds terms of this call's env.
    let list = unsafe {
        Term::new(
            env,
            enif_make_list_from_array(e, terms.as_ptr(), terms.len() as std::os::raw::c_uint),
        )
    };
    Ok((list, total).encode(env))
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
    floats::each_fused(cumulative, 1, &|| "Cumulative".into(), work, |c| {
        scan.push(c)
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

/// The picks are encoded as they are made (one buffer of terms, one list),
/// each charged (its search and its list cell) before it is made.
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
    // A search (a few steps, log2(n) at worst) and an encoded integer per
    // selection.
    let depth = (usize::BITS - c.len().leading_zeros()) as usize;
    let mut out: Vec<ErlNifTerm> = Vec::new();
    let mut overflow = None;
    let e = env.as_c_arg();
    floats::walk(rs, 3, &|| "RandomVals".into(), work, |block, work| {
        if let (Some(w), None) = (&wheel, &overflow) {
            work.take(block.len().saturating_mul(depth + NUMBER))?;
            // The list cell of each pick in the result.
            work.reserve(block.len().saturating_mul(CELL_BYTES), "the picks")?;
            for &r in block {
                match selection::target(r, total) {
                    // SAFETY: makes an integer term in this call's env.
                    Ok(t) => work.push(
                        &mut out,
                        unsafe { enif_make_uint64(e, w.pick(t) as u64) },
                        "the picks",
                    )?,
                    Err(err) => {
                        overflow = Some(err);
                        break;
                    }
                }
            }
        }
        Ok(())
    })?;
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

/// Contestants a tournament holds on the stack (the common case: a
/// handful), each fitness block then checked against all of them.
const FEW: usize = 16;

fn contestant(c: Res<Term>, i: usize, work: &mut Work) -> Res<u64> {
    work.take(NUMBER)?;
    decode::uint(c?).ok_or_else(|| {
        badarg(
            1,
            format!(
                "Contestants: element {} is not a non-negative integer",
                i + 1
            ),
        )
    })
}

fn tournament_impl(contestants: Term, fitnesses: Term, work: &mut Work) -> Res<u64> {
    if let Some((cs, n)) = few_contestants(contestants, work)? {
        return tournament_few(&cs[..n], fitnesses, work);
    }
    let mut cs = Vec::new();
    for (i, c) in items(contestants, 1, "Contestants")?.enumerate() {
        let c = contestant(c, i, work)?;
        work.push(&mut cs, c, "the contestants")?;
    }
    // The contestants by index: the fitness list is read once, picking
    // their values on the way. A sort (n log n) and two arrays of n.
    let n = cs.len();
    let log = (usize::BITS - n.leading_zeros()) as usize;
    work.take(n.saturating_mul(log + 1))?;
    // The order and the sort's scratch copy of it.
    let mut order: Vec<usize> = work.vec(n, "the contestants")?;
    work.reserve(n.saturating_mul(8), "the contestants")?;
    order.extend(0..n);
    tweann_core::meter::sort_metered(&mut order, |&a, &b| cs[a].cmp(&cs[b]), work).or_raise()?;
    let mut picked: Vec<Option<f64>> = work.vec(n, "the contestants")?;
    picked.resize(n, None);
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

/// The contestants when there are at most [`FEW`] (`None` if there are
/// more: the caller reads them again, charged again), each charged and
/// checked in order as [`contestant`] does; the list is read cell by cell.
#[allow(clippy::type_complexity)]
fn few_contestants(contestants: Term, work: &mut Work) -> Res<Option<([u64; FEW], usize)>> {
    if !crate::vmterm::term_is_list(contestants) {
        return Err(badarg(1, "Contestants is not a list"));
    }
    let env = contestants.get_env().as_c_arg();
    let mut rest = contestants.as_c_arg();
    let mut cs = [0u64; FEW];
    let mut n = 0;
    loop {
        let (mut head, mut tail) = (ErlNifTerm::default(), ErlNifTerm::default());
        // SAFETY: `rest` is a live term of this call's env; the
        // out-pointers are locals.
        if !unsafe { crate::vmterm::list_cell(env, rest, &mut head, &mut tail) } {
            // SAFETY: reads a live term.
            if unsafe { crate::vmterm::is_nil(env, rest) } {
                return Ok(Some((cs, n)));
            }
            return Err(badarg(1, "Contestants is not a proper list"));
        }
        if n == FEW {
            return Ok(None);
        }
        rest = tail;
        // SAFETY: `head` is a live term of this call's env.
        cs[n] = contestant(
            Ok(unsafe { Term::new(contestants.get_env(), head) }),
            n,
            work,
        )?;
        n += 1;
    }
}

/// [`tournament_impl`] for at most [`FEW`] contestants: on the stack, each
/// block of fitnesses checked against every contestant.
fn tournament_few(cs: &[u64], fitnesses: Term, work: &mut Work) -> Res<u64> {
    let n = cs.len();
    let mut picked = [None; FEW];
    let mut base = 0u64;
    let len = floats::each_block(fitnesses, 2, &|| "Fitnesses".into(), work, |b| {
        let end = base + b.len() as u64;
        for (p, &c) in picked.iter_mut().zip(cs) {
            if c >= base && c < end {
                *p = Some(b[(c - base) as usize]);
            }
        }
        base = end;
    })?;
    selection::tournament_picked(cs, &picked[..n], len).or_raise()
}

nif_pair!(tournament_select / tournament_select_dirty (contestants, fitnesses) -> Res<u64>,
          |work| tournament_impl(contestants, fitnesses, work));
