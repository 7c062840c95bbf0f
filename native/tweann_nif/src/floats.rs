//! Fast number-list readers of the evolution kernels (novelty, statistics,
//! selection, rewards), whose calls are mostly decoding. Each cell costs one
//! `enif_get_list_cell` and one `enif_get_double`, in one pass (no separate
//! length pass); integers take a slower path (converted like `float/1`);
//! anything else is a badarg naming the element. A native-endian f64
//! binary is accepted wherever a list is.
//!
//! * [`each`] streams the numbers into a closure, no buffer at all: the
//!   kernels that fold over their input in one pass use it;
//! * [`walk`] hands blocks of them, with the call's [`Work`], to a
//!   closure that may charge, allocate and fail;
//! * [`read_into`] appends them to a buffer (grown fallibly, counted
//!   against the memory budget); [`read_into_with`] also shows each block
//!   to a closure (a running sum taken while decoding);
//! * [`with_slice`] hands all of them as one slice, on the stack when
//!   there are at most 256.
//!
//! Every number is charged ([`NUMBER`] units from a list, 1 from a
//! binary) before it is handed over, so a dirty call reports its progress
//! (and stops if its caller died) every few thousand numbers.

use crate::decode::{self, Work, NUMBER};
use crate::error::{badarg, Res};
use crate::vmterm;
use rustler::sys::ErlNifTerm;
use rustler::{Binary, Env, Term};
use std::mem::MaybeUninit;

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
    walk(term, arg, ctx, work, |b, _| {
        f(b);
        Ok(())
    })
}

/// [`each`] with `f` called inside the reading loop, right after each
/// number is read: for a fold of a few cheap integer steps per number (the
/// roulette's counts), which then run under the next cell's VM calls
/// instead of after the block. `f`'s state lives in memory across those
/// calls, so a fold with a chain of floating-point operations (a running
/// product) is better served by [`each_block`] (measured: the weighted
/// moving average is slower here).
#[inline(always)]
pub fn each_fused(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(f64),
) -> Res<usize> {
    let env = term.get_env().as_c_arg();
    let mut rest = term.as_c_arg();
    let mut n = 0usize;
    loop {
        let mut k = 0;
        let mut slow = false;
        while k < BLOCK {
            let mut d = MaybeUninit::<f64>::uninit();
            // SAFETY: as in `walk`.
            unsafe {
                if !next_number(env, &mut rest, term, arg, ctx, n + k, &mut d, &mut slow)? {
                    break;
                }
                f(d.assume_init());
            }
            k += 1;
        }
        work.take(k * NUMBER)?;
        if slow {
            // The bignums of this block, converted: charged now.
            work.check(0)?;
        }
        n += k;
        if k < BLOCK {
            break;
        }
    }
    if list_end(env, rest, n, term, arg, ctx)? {
        return Ok(n);
    }
    walk_binary(term, arg, ctx, work, |b, _| {
        b.iter().for_each(|&x| f(x));
        Ok(())
    })
}

/// The reader itself: hands whole blocks of numbers (in order) to `f`,
/// with the call's [`Work`] (to charge what `f` does, count what it
/// allocates); an error of `f` stops the walk.
#[inline(always)]
pub fn walk(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(&[f64], &mut Work) -> Res<()>,
) -> Res<usize> {
    let env = term.get_env().as_c_arg();
    let mut rest = term.as_c_arg();
    // Not zeroed: a short list must not pay for clearing the buffer.
    let mut block = [MaybeUninit::<f64>::uninit(); BLOCK];
    let mut n = 0usize;
    loop {
        let mut k = 0;
        // Numbers read by the slow path (integers; bignums are charged).
        let mut slow = false;
        while k < BLOCK {
            // SAFETY: `rest` is a live term of this call's env; `block[k]`
            // is a local, written when a number is read.
            if !unsafe {
                next_number(
                    env,
                    &mut rest,
                    term,
                    arg,
                    ctx,
                    n + k,
                    &mut block[k],
                    &mut slow,
                )?
            } {
                break;
            }
            k += 1;
        }
        work.take(k * NUMBER)?;
        if slow {
            // The bignums of this block, converted: charged now.
            work.check(0)?;
        }
        // SAFETY: the first k numbers were written.
        f(
            unsafe { std::slice::from_raw_parts(block.as_ptr().cast::<f64>(), k) },
            work,
        )?;
        n += k;
        if k < BLOCK {
            break;
        }
    }
    if list_end(env, rest, n, term, arg, ctx)? {
        return Ok(n);
    }
    walk_binary(term, arg, ctx, work, f)
}

/// Reads the next number of a list walk: `Ok(false)` when `rest` is not a
/// list cell (the end, or an improper tail), else `Ok(true)` with the
/// number (element `index`, from 0) in `out` and `rest` moved on; a number
/// that is not a float sets `slow` (the caller charges its bignums).
///
/// # Safety
/// `rest` must be a live term of this call's env.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn next_number(
    env: *mut rustler::sys::ErlNifEnv,
    rest: &mut ErlNifTerm,
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    index: usize,
    out: &mut MaybeUninit<f64>,
    slow: &mut bool,
) -> Res<bool> {
    let (mut h, mut tail) = Default::default();
    // SAFETY: `rest` is live (the caller's promise).
    unsafe {
        if !vmterm::list_cell(env, *rest, &mut h, &mut tail) {
            return Ok(false);
        }
        *rest = tail;
        if let Some(d) = vmterm::double(env, h) {
            out.write(d);
        } else {
            *slow = true;
            out.write(slow_number(term.get_env(), h).ok_or_else(|| {
                badarg(
                    arg,
                    format!("{}: element {} is not a number", ctx(), index + 1),
                )
            })?);
        }
    }
    Ok(true)
}

/// How a list walk that read `n` numbers ended: `Ok(true)` at a proper end,
/// `Ok(false)` when the term is a binary (the caller reads it), else the
/// error naming what the term is.
#[inline(always)]
fn list_end(
    env: *mut rustler::sys::ErlNifEnv,
    rest: ErlNifTerm,
    n: usize,
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
) -> Res<bool> {
    // SAFETY: reads a live term.
    if unsafe { vmterm::is_nil(env, rest) } {
        return Ok(true);
    }
    if n == 0 && term.is_binary() {
        return Ok(false);
    }
    Err(badarg(
        arg,
        if vmterm::term_is_list(term) {
            format!("{} is not a proper list", ctx())
        } else {
            format!("{} is not a list of numbers or an f64 binary", ctx())
        },
    ))
}

/// [`walk`] over a binary of native-endian f64: its size must be a multiple
/// of 8 and every value finite. Blocks of [`BLOCK`] values, each charged
/// before it is read (so a dirty call reports its progress as it goes).
#[cold]
fn walk_binary(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    mut f: impl FnMut(&[f64], &mut Work) -> Res<()>,
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
    let mut block = [0.0f64; BLOCK];
    for (b, chunk) in bytes.chunks(8 * BLOCK).enumerate() {
        work.take(chunk.len() / 8)?;
        for (k, v) in chunk.chunks_exact(8).enumerate() {
            let v = f64::from_ne_bytes(v.try_into().expect("8-byte chunk"));
            if !v.is_finite() {
                return Err(badarg(
                    arg,
                    format!(
                        "{}: value {} of the binary is not finite",
                        ctx(),
                        b * BLOCK + k + 1
                    ),
                ));
            }
            block[k] = v;
        }
        f(&block[..chunk.len() / 8], work)?;
    }
    Ok(bytes.len() / 8)
}

/// Append the numbers of a proper list or f64 binary to `out` (see
/// [`each`]); returns how many were appended. The buffer grows fallibly
/// (amortised doubling), every byte counted against the memory budget of
/// `work` before it is allocated: `what` names it in the error.
#[inline(always)]
pub fn read_into(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    read_into_with(term, arg, ctx, out, work, |_| ())
}

/// [`read_into`], also handing each block of numbers to `f` (in order).
#[inline(always)]
pub fn read_into_with(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    out: &mut Vec<f64>,
    work: &mut Work,
    mut f: impl FnMut(&[f64]),
) -> Res<usize> {
    walk(term, arg, ctx, work, |b, work| {
        f(b);
        work.extend(out, b, "the decoded numbers")
    })
}

/// Numbers a [`with_slice`] call holds on the stack.
const INLINE: usize = 256;

/// Call `f` with the numbers of a proper list or f64 binary (see [`each`])
/// as one slice (and `work` back): on the stack when there are at most 256
/// (no allocation, no zeroing), else in a vector counted against the
/// memory budget.
#[inline(always)]
pub fn with_slice<R>(
    term: Term,
    arg: u8,
    ctx: &dyn Fn() -> String,
    work: &mut Work,
    f: impl FnOnce(&[f64], &mut Work) -> R,
) -> Res<R> {
    let mut buf = [MaybeUninit::<f64>::uninit(); INLINE];
    let mut heap: Vec<f64> = Vec::new();
    let mut n = 0;
    walk(term, arg, ctx, work, |b, work| {
        if heap.is_empty() && n + b.len() <= INLINE {
            for (slot, &x) in buf[n..n + b.len()].iter_mut().zip(b) {
                slot.write(x);
            }
        } else {
            if heap.is_empty() {
                // SAFETY: the first n slots were written.
                let first = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<f64>(), n) };
                work.extend(&mut heap, first, "the decoded numbers")?;
            }
            work.extend(&mut heap, b, "the decoded numbers")?;
        }
        n += b.len();
        Ok(())
    })?;
    Ok(if heap.is_empty() {
        // SAFETY: the first n (at most INLINE) slots were written.
        f(
            unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<f64>(), n) },
            work,
        )
    } else {
        f(&heap, work)
    })
}

/// The numbers of a list or f64 binary argument `what` as a new vector.
#[inline]
pub fn read(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<f64>> {
    let mut v = Vec::new();
    read_into(term, arg, &|| what.to_string(), &mut v, work)?;
    Ok(v)
}
