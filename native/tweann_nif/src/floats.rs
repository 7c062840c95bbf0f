//! Fast number-list readers of the evolution kernels (novelty, statistics,
//! selection, rewards), whose calls are mostly decoding. The list is read in
//! one pass (no separate length pass), a block of 64 numbers at a time into
//! an unzeroed stack buffer. List cells and floats are read in place when
//! the VM's representation of them was learnt and checked at load (module
//! [`layout`]), else with one `enif_get_list_cell` and one `enif_get_double`
//! per cell; integers take a slower path (converted like `float/1`);
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
use std::mem::MaybeUninit;
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
    // Not zeroed: a short list must not pay for clearing the buffer.
    let mut block = [MaybeUninit::<f64>::uninit(); BLOCK];
    let mut n = 0usize;
    let raw = layout::get(term.get_env());
    loop {
        let mut k = 0;
        while k < BLOCK {
            let (h, tail) = match raw {
                // SAFETY: `rest` is a live term of this call's env, read
                // with the layout checked on this VM (module `layout`).
                Some(l) => match unsafe { l.cell(rest) } {
                    Some(c) => c,
                    None => break,
                },
                None => {
                    let mut head = MaybeUninit::<ErlNifTerm>::uninit();
                    let mut tail = MaybeUninit::<ErlNifTerm>::uninit();
                    // SAFETY: `rest` is a live term of this call's env;
                    // out-pointers are locals, written when the call
                    // succeeds.
                    unsafe {
                        if enif_get_list_cell(env, rest, head.as_mut_ptr(), tail.as_mut_ptr()) == 0
                        {
                            break;
                        }
                        (head.assume_init(), tail.assume_init())
                    }
                }
            };
            rest = tail;
            // SAFETY: as above (`h` is a live term of this call's env).
            let fast = match raw {
                Some(l) => unsafe { l.float(h) },
                None => None,
            };
            match fast {
                Some(d) => {
                    block[k].write(d);
                }
                None => {
                    // SAFETY: `h` is a live term of this call's env; the
                    // out-pointer is a local.
                    if unsafe { enif_get_double(env, h, block[k].as_mut_ptr()) } == 0 {
                        block[k].write(slow_number(term.get_env(), h).ok_or_else(|| {
                            badarg(
                                arg,
                                format!("{}: element {} is not a number", ctx(), n + k + 1),
                            )
                        })?);
                    }
                }
            }
            k += 1;
        }
        work.take(k * NUMBER)?;
        // SAFETY: the first k numbers were written.
        f(unsafe { std::slice::from_raw_parts(block.as_ptr().cast::<f64>(), k) });
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
    let mut failed = false;
    let n = each_block(term, arg, ctx, work, |b| {
        f(b);
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

/// Numbers a [`with_slice`] call holds on the stack.
const INLINE: usize = 256;

/// Call `f` with the numbers of a proper list or f64 binary (see [`each`])
/// as one slice (and `work` back): on the stack when there are at most 256
/// (no allocation, no zeroing), else in a vector.
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
    let mut failed = false;
    each_block(term, arg, ctx, work, |b| {
        if n + b.len() <= INLINE {
            for (slot, &x) in buf[n..n + b.len()].iter_mut().zip(b) {
                slot.write(x);
            }
        } else if failed || heap.try_reserve(n.max(INLINE) + b.len()).is_err() {
            failed = true;
        } else {
            if heap.is_empty() {
                // SAFETY: the first n slots were written.
                heap.extend_from_slice(unsafe {
                    std::slice::from_raw_parts(buf.as_ptr().cast::<f64>(), n)
                });
            }
            heap.extend_from_slice(b);
        }
        n += b.len();
    })?;
    if failed {
        return Err(raise(CoreError::memory(format!(
            "{}: too long to decode",
            ctx()
        ))));
    }
    Ok(if n <= INLINE {
        // SAFETY: the first n slots were written.
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

/// Reading list cells and floats in place, without a VM call per value.
///
/// `erl_nif` offers one call per list cell and one per float; at a few
/// nanoseconds each they are most of the cost of these kernels. The VM's
/// own representation is simple and has been stable for decades: a list
/// cell term is a tagged pointer to two words (head, tail), a float term a
/// tagged pointer to a header word followed by the IEEE bits. This module
/// learns the tags and the header word from terms the
/// VM itself makes (`enif_make_double`, `enif_make_list_from_array`, ...)
/// and checks the in-place reading against the `erl_nif` calls on them,
/// once per load of the library (on the first call that reads a list).
/// Only when every check agrees is the in-place reading used; otherwise
/// (another VM, another word size, a changed representation) the readers
/// keep to the `erl_nif` calls. Anything that is not a list cell or a float
/// with the learnt header (integers, other terms, an improper tail) also
/// takes the `erl_nif` path, so results and errors do not depend on which
/// path read a value.
mod layout {
    use rustler::sys::{
        enif_get_double, enif_get_list_cell, enif_is_empty_list, enif_make_double, enif_make_int64,
        enif_make_list_from_array, enif_make_tuple_from_array, ErlNifEnv, ErlNifTerm,
    };
    use rustler::Env;
    use std::sync::OnceLock;

    /// The learnt representation.
    #[derive(Clone, Copy)]
    pub struct Layout {
        /// The low bits of a list cell term and of a boxed term.
        cons_tag: usize,
        boxed_tag: usize,
        /// The header word of a float.
        float_header: u64,
    }

    const TAG_MASK: usize = 0b11;

    /// The word of a term (`ErlNifTerm` is a transparent wrapper of it).
    #[inline(always)]
    fn word(t: ErlNifTerm) -> usize {
        // SAFETY: `ErlNifTerm` is `#[repr(transparent)]` over a `usize`.
        unsafe { std::mem::transmute::<ErlNifTerm, usize>(t) }
    }

    static LAYOUT: OnceLock<Option<Layout>> = OnceLock::new();

    /// The checked layout, learnt on the first call (with `env`, the
    /// calling process's environment, for the probe terms).
    #[inline(always)]
    pub fn get(env: Env) -> Option<Layout> {
        *LAYOUT.get_or_init(|| probe(env.as_c_arg()))
    }

    impl Layout {
        /// `(head, tail)` of a list cell term; `None` for any other term.
        ///
        /// # Safety
        /// `t` must be a live term of the current call.
        #[inline(always)]
        pub unsafe fn cell(self, t: ErlNifTerm) -> Option<(ErlNifTerm, ErlNifTerm)> {
            if word(t) & TAG_MASK != self.cons_tag {
                return None;
            }
            let p = (word(t) - self.cons_tag) as *const ErlNifTerm;
            Some((*p, *p.add(1)))
        }

        /// The value of a float term; `None` for any other term.
        ///
        /// # Safety
        /// `t` must be a live term of the current call.
        #[inline(always)]
        pub unsafe fn float(self, t: ErlNifTerm) -> Option<f64> {
            if word(t) & TAG_MASK != self.boxed_tag {
                return None;
            }
            let p = (word(t) - self.boxed_tag) as *const u64;
            if *p != self.float_header {
                return None;
            }
            Some(f64::from_bits(*p.add(1)))
        }
    }

    /// Floats of the probe: signs, zeros, a subnormal, the extremes.
    const PROBE: [f64; 7] = [1.5, -0.0, 0.0, -2.5e-310, f64::MAX, f64::MIN_POSITIVE, -0.1];

    /// Learn the layout from terms made by the VM and check it against the
    /// `erl_nif` calls; `None` at the first disagreement.
    fn probe(env: *mut ErlNifEnv) -> Option<Layout> {
        if std::mem::size_of::<ErlNifTerm>() != 8 || std::mem::size_of::<usize>() != 8 {
            return None;
        }
        // SAFETY: every term is made in `env` (the calling process's) and
        // read during this call; reads through a term are made only after
        // its tag agreed with the VM's answer for the same term (a list
        // cell with a list tag, a float with a boxed tag), at offsets of
        // the VM's own two-word cells and float boxes.
        unsafe {
            let floats: Vec<ErlNifTerm> = PROBE.iter().map(|&x| enif_make_double(env, x)).collect();
            let list = enif_make_list_from_array(env, floats.as_ptr(), floats.len() as u32);
            let cons_tag = word(list) & TAG_MASK;
            let boxed_tag = word(floats[0]) & TAG_MASK;
            if cons_tag == boxed_tag || cons_tag == 0 || boxed_tag == 0 {
                return None;
            }
            let header = *((word(floats[0]) - boxed_tag) as *const u64);
            let l = Layout {
                cons_tag,
                boxed_tag,
                float_header: header,
            };
            // Every cell and float read in place as the VM reads it.
            let mut rest = list;
            for (&x, &ft) in PROBE.iter().zip(&floats) {
                let (mut h, mut t) = (ErlNifTerm::default(), ErlNifTerm::default());
                if enif_get_list_cell(env, rest, &mut h, &mut t) == 0 {
                    return None;
                }
                if l.cell(rest) != Some((h, t)) || h != ft {
                    return None;
                }
                let mut d = 0.0;
                if enif_get_double(env, h, &mut d) == 0 || d.to_bits() != x.to_bits() {
                    return None;
                }
                if l.float(h).map(f64::to_bits) != Some(x.to_bits()) {
                    return None;
                }
                rest = t;
            }
            if enif_is_empty_list(env, rest) == 0
                || l.cell(rest).is_some()
                || l.float(rest).is_some()
            {
                return None;
            }
            // Terms that are not floats are not taken for floats: a boxed
            // integer, a one-element tuple (both boxed), a small integer,
            // and not for list cells: a float, the empty list.
            let big = enif_make_int64(env, i64::MAX);
            let tuple = enif_make_tuple_from_array(env, floats.as_ptr(), 1);
            let small = enif_make_int64(env, 7);
            for t in [big, tuple, small, list] {
                let mut d = 0.0;
                if enif_get_double(env, t, &mut d) != 0 || l.float(t).is_some() {
                    return None;
                }
            }
            for t in [floats[0], big, tuple, small] {
                let (mut h, mut tl) = (ErlNifTerm::default(), ErlNifTerm::default());
                if enif_get_list_cell(env, t, &mut h, &mut tl) != 0 || l.cell(t).is_some() {
                    return None;
                }
            }
            Some(l)
        }
    }
}
