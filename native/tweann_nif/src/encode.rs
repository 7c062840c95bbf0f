//! Results as terms, charged like everything else (`work.rs`).
//!
//! A result term is built on the calling process's heap, where an
//! allocation cannot fail gracefully: so its size is counted against the
//! call's memory budget, and its building against the time budget, before
//! the first word is written. A number in a list takes [`FLOAT_BYTES`]:
//! the boxed float and its list cell.

use crate::error::Res;
use crate::work::{Work, NUMBER};
use rustler::sys::{enif_make_double, enif_make_list_cell, enif_make_list_from_array};
use rustler::sys::{enif_make_tuple_from_array, enif_make_uint64, ErlNifEnv, ErlNifTerm};
use rustler::{Env, Term};

/// Heap bytes of one float in a list: a boxed float (2 words) and a list
/// cell (2 words).
pub const FLOAT_BYTES: usize = 32;

/// Heap bytes of one list cell.
pub const CELL_BYTES: usize = 16;

/// Heap bytes of a 2-tuple (header and two elements).
pub const PAIR_BYTES: usize = 24;

/// `[]`.
///
/// # Safety
/// `e` must be the environment of the running NIF call.
unsafe fn nil(e: *mut ErlNifEnv) -> ErlNifTerm {
    enif_make_list_from_array(e, std::ptr::null(), 0)
}

/// Values between two liveness reports while building a long list.
const STRIDE: usize = 4096;

/// Charge the building of a result of `values` numbers plus `extra` bytes
/// of structure (list cells of the rows, tuples): time and memory.
pub fn charge(work: &mut Work, values: usize, extra: usize) -> Res<()> {
    work.take(values.saturating_mul(NUMBER))?;
    let bytes = values.saturating_mul(FLOAT_BYTES).saturating_add(extra);
    work.reserve(bytes, "the result")
}

/// Work units of building a result of `values` numbers (for
/// [`Work::check`] before the work that produces it).
pub fn cost(values: usize) -> usize {
    values.saturating_mul(NUMBER)
}

/// `xs` as a list of floats, charged.
pub fn floats<'a>(env: Env<'a>, xs: &[f64], work: &mut Work) -> Res<Term<'a>> {
    charge(work, xs.len(), 0)?;
    build_floats(env, xs, work)
}

/// `flat` (`rows` rows of `width` values) as a list of lists of floats,
/// not charged: the caller charged the whole result (of which these rows
/// may be a part) with [`charge`], counting [`CELL_BYTES`] per row.
pub fn build_rows<'a>(
    env: Env<'a>,
    flat: &[f64],
    width: usize,
    rows: usize,
    work: &mut Work,
) -> Res<Term<'a>> {
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env.
    let mut list = unsafe { nil(e) };
    for r in (0..rows).rev() {
        let row = build_floats(env, &flat[r * width..(r + 1) * width], work)?;
        // SAFETY: as above.
        list = unsafe { enif_make_list_cell(e, row.as_c_arg(), list) };
    }
    // SAFETY: `list` was made in `env`.
    Ok(unsafe { Term::new(env, list) })
}

/// `xs` as a list of floats, not charged (the caller charged it).
pub fn build_floats<'a>(env: Env<'a>, xs: &[f64], work: &mut Work) -> Res<Term<'a>> {
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env; the values are finite (the
    // kernels check), so enif_make_double makes floats.
    let mut list: ErlNifTerm = unsafe { nil(e) };
    for (k, &x) in xs.iter().enumerate().rev() {
        // SAFETY: as above.
        list = unsafe { enif_make_list_cell(e, enif_make_double(e, x), list) };
        if k % STRIDE == 0 {
            work.progress(STRIDE * NUMBER)?;
        }
    }
    // SAFETY: `list` was made in `env`.
    Ok(unsafe { Term::new(env, list) })
}

/// `xs` as a list of 2-tuples of floats, charged.
pub fn pairs<'a>(env: Env<'a>, xs: &[(f64, f64)], work: &mut Work) -> Res<Term<'a>> {
    let n = xs.len();
    charge(work, n.saturating_mul(2), n.saturating_mul(PAIR_BYTES))?;
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env from finite values.
    let mut list = unsafe { nil(e) };
    for (k, &(a, b)) in xs.iter().enumerate().rev() {
        // SAFETY: as above; the array outlives the call that copies it.
        let t = unsafe {
            let elems = [enif_make_double(e, a), enif_make_double(e, b)];
            enif_make_tuple_from_array(e, elems.as_ptr(), 2)
        };
        // SAFETY: as above.
        list = unsafe { enif_make_list_cell(e, t, list) };
        if k % STRIDE == 0 {
            work.progress(2 * STRIDE * NUMBER)?;
        }
    }
    // SAFETY: `list` was made in `env`.
    Ok(unsafe { Term::new(env, list) })
}

/// `xs` as a list of `{Index, Float}` tuples, charged: a cell, a 2-tuple
/// and a boxed float each (an index below 2^59 is an immediate).
pub fn indexed<'a>(env: Env<'a>, xs: &[(usize, f64)], work: &mut Work) -> Res<Term<'a>> {
    let n = xs.len();
    charge(work, n.saturating_mul(2), n.saturating_mul(PAIR_BYTES))?;
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env from finite values.
    let mut list = unsafe { nil(e) };
    for (k, &(i, x)) in xs.iter().enumerate().rev() {
        // SAFETY: as above; the array outlives the call that copies it.
        let t = unsafe {
            let elems = [enif_make_uint64(e, i as u64), enif_make_double(e, x)];
            enif_make_tuple_from_array(e, elems.as_ptr(), 2)
        };
        // SAFETY: as above.
        list = unsafe { enif_make_list_cell(e, t, list) };
        if k % STRIDE == 0 {
            work.progress(2 * STRIDE * NUMBER)?;
        }
    }
    // SAFETY: `list` was made in `env`.
    Ok(unsafe { Term::new(env, list) })
}

/// `xs` as a list of non-negative integers, charged.
pub fn u64s<'a>(env: Env<'a>, xs: &[u64], work: &mut Work) -> Res<Term<'a>> {
    charge(work, xs.len(), 0)?;
    build_u64s(env, xs, work)
}

/// `xs` as a list of non-negative integers, not charged (the caller
/// charged it).
pub fn build_u64s<'a>(env: Env<'a>, xs: &[u64], work: &mut Work) -> Res<Term<'a>> {
    let e = env.as_c_arg();
    // SAFETY: builds terms in this call's env.
    let mut list = unsafe { nil(e) };
    for (k, &x) in xs.iter().enumerate().rev() {
        // SAFETY: as above.
        list = unsafe { enif_make_list_cell(e, enif_make_uint64(e, x), list) };
        if k % STRIDE == 0 {
            work.progress(STRIDE * NUMBER)?;
        }
    }
    // SAFETY: `list` was made in `env`.
    Ok(unsafe { Term::new(env, list) })
}

/// A 2-tuple of terms (no charge: two words).
pub fn pair<'a>(env: Env<'a>, a: Term<'a>, b: Term<'a>) -> Term<'a> {
    let elems = [a.as_c_arg(), b.as_c_arg()];
    // SAFETY: both terms belong to `env`; the array outlives the call.
    unsafe {
        Term::new(
            env,
            enif_make_tuple_from_array(env.as_c_arg(), elems.as_ptr(), 2),
        )
    }
}
