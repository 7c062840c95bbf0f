//! Fast number-list readers of the evolution kernels (novelty, statistics,
//! selection, rewards), whose calls are mostly decoding. Each cell costs one
//! `enif_get_list_cell` and one `enif_get_double`, in one pass (no separate
//! length pass); integers take a slower path (converted like `float/1`);
//! anything else is a badarg naming the element. A native-endian f64
//! binary is accepted wherever a list is.
//!
//! * [`each`] streams the numbers into a closure, no buffer at all: the
//!   kernels that fold over their input in one pass use it;
//! * [`read_into`] appends them to a buffer (grown fallibly).

use crate::decode::{self, Work, NUMBER};
use crate::error::{badarg, raise, Res};
use rustler::sys::{enif_get_double, enif_get_list_cell, enif_is_empty_list, ErlNifTerm};
use rustler::{Binary, Env, Term};
use tweann_core::CoreError;

/// Cells read into the stack buffer of [`each`] at a time.
const BLOCK: usize = 64;

/// A number that is not a float (an integer) as f64, or `None`.
#[cold]
fn slow_number(env: Env, head: ErlNifTerm) -> Option<f64> {
    // SAFETY: `head` is a live term of this call's env.
    decode::number(unsafe { Term::new(env, head) })
}

/// Call `f` with each number of a proper list or f64 binary (argument
/// `arg`; `ctx()` names it in messages), in order, charging `work`; returns
/// how many there were. On an error `f` may have seen a prefix.
///
/// The cells are read in blocks into a stack buffer, and `f` runs over a
/// whole block between two reads: the reading loop does nothing but the
/// two VM calls per cell, and `f`'s state stays in registers.
#[inline(always)]
pub fn each(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(f64),
) -> Res<usize> {
    each_block(term, arg, ctx, work, |b| b.iter().for_each(|&d| f(d)))
}

/// [`each`] handing over whole blocks of numbers (in order).
#[inline(always)]
pub fn each_block(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(&[f64]),
) -> Res<usize> {
    let env = term.get_env().as_c_arg();
    let mut rest = term.as_c_arg();
    let mut block = [0.0f64; BLOCK];
    let mut n = 0usize;
    loop {
        let mut k = 0;
        while k < BLOCK {
            let (mut head, mut tail) = (ErlNifTerm::default(), ErlNifTerm::default());
            // SAFETY: `rest` is a live term of this call's env; out-pointers
            // are locals.
            unsafe {
                if enif_get_list_cell(env, rest, &mut head, &mut tail) == 0 {
                    break;
                }
                if enif_get_double(env, head, &mut block[k]) == 0 {
                    block[k] = slow_number(term.get_env(), head).ok_or_else(|| {
                        badarg(
                            arg,
                            format!("{}: element {} is not a number", ctx(), n + k + 1),
                        )
                    })?;
                }
            }
            rest = tail;
            k += 1;
        }
        work.take(k * NUMBER)?;
        f(&block[..k]);
        n += k;
        if k < BLOCK {
            break;
        }
    }
    // SAFETY: reads a live term.
    if unsafe { enif_is_empty_list(env, rest) } != 0 {
        return Ok(n);
    }
    if n == 0 && term.is_binary() {
        return each_binary(term, arg, ctx, work, |d| f(&[d]));
    }
    Err(badarg(
        arg,
        if term.is_list() {
            format!("{} is not a proper list", ctx())
        } else {
            format!("{} is not a list of numbers or an f64 binary", ctx())
        },
    ))
}

/// [`each`] over a binary of native-endian f64: its size must be a multiple
/// of 8 and every value finite.
#[cold]
fn each_binary(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(f64),
) -> Res<usize> {
    let bin = Binary::from_term(term).map_err(|_| badarg(arg, "not a binary"))?;
    let bytes = bin.as_slice();
    if bytes.len() % 8 != 0 {
        return Err(badarg(
            arg,
            format!(
                "{}: a binary of f64 values must have a size divisible by 8, not {}",
                ctx(),
                bytes.len()
            ),
        ));
    }
    work.take(bytes.len() / 8)?;
    for (k, chunk) in bytes.chunks_exact(8).enumerate() {
        let v = f64::from_ne_bytes(chunk.try_into().expect("8-byte chunk"));
        if !v.is_finite() {
            return Err(badarg(
                arg,
                format!("{}: value {} of the binary is not finite", ctx(), k + 1),
            ));
        }
        f(v);
    }
    Ok(bytes.len() / 8)
}

/// Append the numbers of a proper list or f64 binary to `out` (see
/// [`each`]); returns how many were appended. The buffer grows fallibly
/// (amortised doubling).
#[inline(always)]
pub fn read_into(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    let mut failed = false;
    let n = each_block(term, arg, ctx, work, |b| {
        if failed || out.try_reserve(b.len()).is_err() {
            failed = true;
        } else {
            out.extend_from_slice(b);
        }
    })?;
    if failed {
        return Err(raise(CoreError::memory(format!(
            "{}: too long to decode",
            ctx()
        ))));
    }
    Ok(n)
}

/// The numbers of a list or f64 binary argument `what` as a new vector.
#[inline]
pub fn read(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<f64>> {
    let mut v = Vec::new();
    read_into(term, arg, &|| what.to_string(), &mut v, work)?;
    Ok(v)
}
