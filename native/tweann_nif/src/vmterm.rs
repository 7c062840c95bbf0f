//! Reading list cells, `[]`, floats, small integers and tuples from the words of
//! the terms themselves, the hot path of every call that decodes lists.
//!
//! Each `enif_get_list_cell`, `enif_get_double`, `enif_get_tuple` or
//! `enif_get_uint64` is a call into the VM that tests the term's tag and
//! copies a word or two out: a few nanoseconds, and two of them per list
//! element, which makes the calls dominated by decoding (a batch of inputs,
//! a network's connections, the fitness lists of the evolution kernels) run
//! at the speed of the API rather than of the kernel. The readers here do
//! the same tests inline on the 64-bit term layout the VM has used since
//! R13 (OTP's `erl_term.h`):
//!
//! * the two low bits of a term are its primary tag: `01` a list cell (the
//!   term with its three low bits cleared points at two words, head and
//!   tail), `10` a boxed term (the same pointer addresses a header word);
//!   the third bit is a tag of its own on emulators that mark pointers into
//!   the literal area (debug builds, and hosts without a reserved literal
//!   range: `TAG_LITERAL_PTR`), so it is cleared too, as the VM's own
//!   `ptr_val` does;
//! * a float is boxed with the header `(1 << 6) | 0x18` followed by the
//!   IEEE double;
//! * a tuple is boxed with the header `arity << 6` (the low six bits zero),
//!   followed by its elements;
//! * a small integer is an immediate with the low four bits `1111` and the
//!   value in the others (an arithmetic shift right by 4);
//! * `[]` is one immediate word, taken from the API's own `[]` at load
//!   time.
//!
//! That layout is not a documented interface, so it is never assumed: the
//! load hook builds terms of every kind through the API (`enif_make_*`),
//! takes the load info (a literal of `tweann_nif_native`, so a term in the
//! literal area, with every kind of term the readers meet) and compares
//! what every reader here answers with what the API answers, on every
//! subterm ([`load`]). Only if all agree are the direct readers switched on;
//! otherwise (another word size, a future VM with another layout) every
//! reader calls the API, as it does when the environment variable
//! `TWEANN_NIF_TERM_READER=api` is set. The answers are the same either
//! way: each reader returns exactly what the API function it stands for
//! returns, and the tests run every decoding path under both
//! ([`set_direct`], `tweann_nif_native:term_reader/1`).
//!
//! Terms handed to a NIF do not move or change while it runs (its process
//! is suspended, normal or dirty), which is what makes reading their words
//! as safe as reading them through the API.

use rustler::sys::{
    enif_get_double, enif_get_int64, enif_get_list_cell, enif_get_tuple, enif_get_uint64,
    enif_is_empty_list, enif_is_list, enif_make_atom_len, enif_make_double, enif_make_int64,
    enif_make_list_from_array, enif_make_map_put, enif_make_new_binary, enif_make_new_map,
    enif_make_tuple_from_array, enif_make_uint64, ErlNifEnv, ErlNifTerm,
};
use rustler::Term;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Whether the direct readers are on (set by [`load`] and [`set_direct`]).
static DIRECT: AtomicBool = AtomicBool::new(false);
/// Whether the load hook's comparison passed (the direct readers may be on).
static VERIFIED: AtomicBool = AtomicBool::new(false);

const PRIMARY: usize = 0b11;
/// The low bits of a pointer term that are tags (the primary tag, and the
/// literal tag where the emulator has one); cleared, the word addresses the
/// term's first word.
const PTR_TAGS: usize = 0b111;
const LIST: usize = 0b01;
const BOXED: usize = 0b10;
const FLOAT_HEADER: usize = (1 << 6) | 0x18;
/// The low bits of a header that are zero for a tuple's (`arity << 6`).
const ARITY_KIND: usize = 0x3f;
const SMALL_MASK: usize = 0xf;
const SMALL: usize = 0xf;
/// The word of `[]`, an immediate (`0x3b` on OTP 25), read from the term
/// the API makes when the library loads.
static NIL: AtomicUsize = AtomicUsize::new(usize::MAX);

#[inline(always)]
fn word(t: ErlNifTerm) -> usize {
    // SAFETY: ErlNifTerm is a transparent wrapper of a machine word.
    unsafe { std::mem::transmute::<ErlNifTerm, usize>(t) }
}

#[inline(always)]
fn term(w: usize) -> ErlNifTerm {
    // SAFETY: as in `word`; only ever applied to a word read from a term.
    unsafe { std::mem::transmute::<usize, ErlNifTerm>(w) }
}

/// Whether the direct readers are in use.
#[inline(always)]
pub fn direct() -> bool {
    DIRECT.load(Ordering::Relaxed)
}

/// As `enif_get_list_cell`: true (and the head and tail written) if `t` is
/// a list cell.
///
/// # Safety
/// `t` must be a live term of the env `env`.
#[inline(always)]
pub unsafe fn list_cell(
    env: *mut ErlNifEnv,
    t: ErlNifTerm,
    head: &mut ErlNifTerm,
    tail: &mut ErlNifTerm,
) -> bool {
    if direct() {
        let w = word(t);
        if w & PRIMARY != LIST {
            return false;
        }
        // SAFETY: a list cell's pointer (tag removed) addresses its two
        // words, live while the term is (the caller's promise).
        let p = (w & !PTR_TAGS) as *const usize;
        unsafe {
            *head = term(*p);
            *tail = term(*p.add(1));
        }
        true
    } else {
        // SAFETY: the caller's promise; the out-pointers are references.
        unsafe { enif_get_list_cell(env, t, head, tail) != 0 }
    }
}

/// As `enif_is_empty_list`: true if `t` is `[]`.
///
/// # Safety
/// `t` must be a live term of the env `env`.
#[inline(always)]
pub unsafe fn is_nil(env: *mut ErlNifEnv, t: ErlNifTerm) -> bool {
    if direct() {
        word(t) == NIL.load(Ordering::Relaxed)
    } else {
        // SAFETY: the caller's promise.
        unsafe { enif_is_empty_list(env, t) != 0 }
    }
}

/// As `enif_is_list`: true if `t` is a list cell or `[]`.
///
/// # Safety
/// `t` must be a live term of the env `env`.
#[inline(always)]
pub unsafe fn is_list(env: *mut ErlNifEnv, t: ErlNifTerm) -> bool {
    if direct() {
        let w = word(t);
        w & PRIMARY == LIST || w == NIL.load(Ordering::Relaxed)
    } else {
        // SAFETY: the caller's promise.
        unsafe { enif_is_list(env, t) != 0 }
    }
}

/// [`is_nil`] of a term (live by construction).
#[inline(always)]
pub fn term_is_nil(t: Term) -> bool {
    // SAFETY: a `Term` is a live term of its env.
    unsafe { is_nil(t.get_env().as_c_arg(), t.as_c_arg()) }
}

/// [`is_list`] of a term (live by construction).
#[inline(always)]
pub fn term_is_list(t: Term) -> bool {
    // SAFETY: a `Term` is a live term of its env.
    unsafe { is_list(t.get_env().as_c_arg(), t.as_c_arg()) }
}

/// The address of the header of `t` if it is a boxed term (tags removed),
/// else `None`. Only the direct readers call it.
#[inline(always)]
fn boxed(t: ErlNifTerm) -> Option<*const usize> {
    let w = word(t);
    (w & PRIMARY == BOXED).then_some((w & !PTR_TAGS) as *const usize)
}

/// As `enif_get_double`: the value if `t` is a float.
///
/// # Safety
/// `t` must be a live term of the env `env`.
#[inline(always)]
pub unsafe fn double(env: *mut ErlNifEnv, t: ErlNifTerm) -> Option<f64> {
    if direct() {
        let p = boxed(t)?;
        // SAFETY: a boxed term's pointer addresses its header; a float's
        // value is the word after it.
        unsafe { (*p == FLOAT_HEADER).then(|| f64::from_bits(*p.add(1) as u64)) }
    } else {
        let mut d = 0.0;
        // SAFETY: the caller's promise; `d` is a local.
        (unsafe { enif_get_double(env, t, &mut d) } != 0).then_some(d)
    }
}

/// As `enif_get_tuple`: the elements if `t` is a tuple.
///
/// # Safety
/// `t` must be a live term of the env `env`; the slice lives as long as it.
#[inline(always)]
pub unsafe fn tuple<'a>(env: *mut ErlNifEnv, t: ErlNifTerm) -> Option<&'a [ErlNifTerm]> {
    if direct() {
        let p = boxed(t)?;
        // SAFETY: as in `double`; a tuple's elements follow its header.
        unsafe {
            let h = *p;
            if h & ARITY_KIND != 0 {
                return None;
            }
            Some(std::slice::from_raw_parts(
                p.add(1).cast::<ErlNifTerm>(),
                h >> 6,
            ))
        }
    } else {
        let mut arity: c_int = 0;
        let mut elems: *const ErlNifTerm = std::ptr::null();
        // SAFETY: the caller's promise; the out-pointers are locals, read
        // only after the call succeeded.
        unsafe {
            if enif_get_tuple(env, t, &mut arity, &mut elems) == 0 {
                return None;
            }
            Some(if arity == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(elems, arity as usize)
            })
        }
    }
}

/// As `enif_get_uint64`: the value if `t` is an integer in `0..2^64`.
///
/// # Safety
/// `t` must be a live term of the env `env`.
#[inline(always)]
pub unsafe fn uint64(env: *mut ErlNifEnv, t: ErlNifTerm) -> Option<u64> {
    if direct() {
        let w = word(t);
        if w & SMALL_MASK == SMALL {
            let v = (w as i64) >> 4;
            return (v >= 0).then_some(v as u64);
        }
    }
    let mut u = 0u64;
    // SAFETY: the caller's promise; `u` is a local.
    (unsafe { enif_get_uint64(env, t, &mut u) } != 0).then_some(u)
}

/// Turn the direct readers on or off; on only if the load hook's
/// comparison passed. Returns whether they are on now.
pub fn set_direct(on: bool) -> bool {
    let on = on && VERIFIED.load(Ordering::Relaxed);
    DIRECT.store(on, Ordering::Relaxed);
    on
}

/// The load hook: compare every direct reader with the API on terms of
/// every kind built through the API and on the load info `info` (a literal,
/// walked down to its leaves), and switch the direct readers on if all
/// agree (and `TWEANN_NIF_TERM_READER` is not `api`).
pub fn load(env: *mut ErlNifEnv, info: ErlNifTerm) {
    // SAFETY: makes `[]` in the load hook's env.
    let nil = unsafe { enif_make_list_from_array(env, std::ptr::null(), 0) };
    NIL.store(word(nil), Ordering::Relaxed);
    let ok = std::mem::size_of::<usize>() == 8 && agrees(env, info);
    VERIFIED.store(ok, Ordering::Relaxed);
    let api = std::env::var("TWEANN_NIF_TERM_READER").is_ok_and(|v| v == "api");
    set_direct(!api);
}

/// What the readers answer for one term: the list cell's words, the
/// float's bits, the tuple's element words, the integer, and whether it is
/// `[]` and whether it is a list.
type Answers = (
    Option<(usize, usize)>,
    Option<u64>,
    Option<Vec<usize>>,
    Option<u64>,
    (bool, bool),
);

/// What every reader answers for `t`, through the readers as they are set.
fn answers(env: *mut ErlNifEnv, t: ErlNifTerm) -> Answers {
    let (mut h, mut tl) = (term(0), term(0));
    // SAFETY: `t` is a live term of `env` (made by the caller).
    unsafe {
        let cell = list_cell(env, t, &mut h, &mut tl).then(|| (word(h), word(tl)));
        let d = double(env, t).map(f64::to_bits);
        let tup = tuple(env, t).map(|s| s.iter().map(|&x| word(x)).collect());
        (
            cell,
            d,
            tup,
            uint64(env, t),
            (is_nil(env, t), is_list(env, t)),
        )
    }
}

/// The terms of the comparison, made through the API.
fn samples(env: *mut ErlNifEnv) -> Vec<ErlNifTerm> {
    // SAFETY: every call makes a term in `env`, a live env of the load hook.
    unsafe {
        let mut v = Vec::new();
        for d in [
            0.0,
            -0.0,
            1.5,
            -2.75,
            1e300,
            -1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
        ] {
            v.push(enif_make_double(env, d));
        }
        for i in [
            0i64,
            1,
            -1,
            7,
            (1 << 59) - 1,
            -(1 << 59),
            1 << 59,
            -(1 << 59) - 1,
            1 << 62,
            i64::MIN,
            i64::MAX,
        ] {
            v.push(enif_make_int64(env, i));
        }
        v.push(enif_make_uint64(env, u64::MAX));
        v.push(enif_make_uint64(env, 1 << 63));
        for name in ["ok", "input", "tanh"] {
            v.push(enif_make_atom_len(env, name.as_ptr().cast(), name.len()));
        }
        let nil = enif_make_list_from_array(env, std::ptr::null(), 0);
        v.push(nil);
        let mut bin = term(0);
        let bytes = enif_make_new_binary(env, 16, &mut bin);
        if !bytes.is_null() {
            std::ptr::write_bytes(bytes, 0, 16);
            v.push(bin);
        }
        let base = v.clone();
        // Tuples of every arity up to 6, and a large one.
        for n in 0..=6usize {
            v.push(enif_make_tuple_from_array(env, base.as_ptr(), n as _));
        }
        v.push(enif_make_tuple_from_array(
            env,
            base.as_ptr(),
            base.len() as _,
        ));
        // Lists: short, long, improper (ending in a float, a tuple).
        v.push(enif_make_list_from_array(env, base.as_ptr(), 1));
        v.push(enif_make_list_from_array(
            env,
            base.as_ptr(),
            base.len() as _,
        ));
        v.push(rustler::sys::enif_make_list_cell(env, base[2], base[3]));
        let pair = enif_make_tuple_from_array(env, base.as_ptr(), 2);
        v.push(rustler::sys::enif_make_list_cell(env, pair, pair));
        v.push(pair);
        let mut map = enif_make_new_map(env);
        let mut with = map;
        if enif_make_map_put(env, map, base[0], base[1], &mut with) != 0 {
            map = with;
        }
        v.push(map);
        v
    }
}

/// `t` and every term inside it (list cells and their heads, tuple
/// elements), read through the API, onto `out`: at most 10 000 terms.
fn subterms(env: *mut ErlNifEnv, t: ErlNifTerm, out: &mut Vec<ErlNifTerm>) {
    let mut todo = vec![t];
    while let Some(t) = todo.pop() {
        if out.len() >= 10_000 {
            return;
        }
        out.push(t);
        let (mut h, mut tl) = (term(0), term(0));
        let (mut arity, mut elems): (c_int, *const ErlNifTerm) = (0, std::ptr::null());
        // SAFETY: `t` is a live term of `env` (the load info or a part of
        // it); the out-pointers are locals, read only after success.
        unsafe {
            if enif_get_list_cell(env, t, &mut h, &mut tl) != 0 {
                todo.push(tl);
                todo.push(h);
            } else if enif_get_tuple(env, t, &mut arity, &mut elems) != 0 {
                for k in 0..arity as usize {
                    todo.push(*elems.add(k));
                }
            }
        }
    }
}

/// True if the direct readers answer as the API on every sample, and the
/// samples of each kind are read as that kind (so the comparison tested
/// something).
fn agrees(env: *mut ErlNifEnv, info: ErlNifTerm) -> bool {
    let mut samples = samples(env);
    subterms(env, info, &mut samples);
    let mut kinds = [0usize; 6];
    for &t in &samples {
        DIRECT.store(false, Ordering::Relaxed);
        let api = answers(env, t);
        DIRECT.store(true, Ordering::Relaxed);
        let ours = answers(env, t);
        DIRECT.store(false, Ordering::Relaxed);
        if api != ours {
            return false;
        }
        // The integer: also as enif_get_int64 sees it, where it is small.
        let mut i = 0i64;
        // SAFETY: a live term of `env`; `i` is a local.
        let is_int = unsafe { enif_get_int64(env, t, &mut i) } != 0;
        if word(t) & SMALL_MASK == SMALL && (!is_int || (word(t) as i64) >> 4 != i) {
            return false;
        }
        kinds[0] += api.0.is_some() as usize;
        kinds[1] += api.1.is_some() as usize;
        kinds[2] += api.2.is_some() as usize;
        kinds[3] += api.3.is_some() as usize;
        let (nil, list) = api.4;
        kinds[4] += nil as usize;
        kinds[5] += list as usize;
    }
    kinds.iter().all(|&k| k > 0)
}
