//! Term decoding that never panics, says what was wrong, and charges the
//! call's [`Work`] for time and memory as it goes (`work.rs`): a subterm
//! shared many times is walked, charged and counted as many times, so the
//! allocations sized from a term follow its real expanded size.
//!
//! Numbers follow one rule (`docs/semantics.md`): a float, or an integer
//! converted exactly as Erlang's `float/1` converts it, bignums included;
//! an integer beyond the float range is not a number.

use crate::error::{badarg, Res};
use crate::numlist::{Next, NumList};
use rustler::sys::{ErlNifEnv, ErlNifTerm};
use rustler::{Binary, Term, TermType};

// `Work` and its constants live in `work.rs`; they are re-exported here,
// where glue code has always found them.
#[allow(unused_imports)]
pub use crate::work::{dirty, Work, NORMAL_WORK_LIMIT, NUMBER};

/// Values decoded between two liveness reports (`Work::progress`).
const STRIDE: usize = 4096;

/// Iterator over a proper list; an improper tail yields an error.
pub struct Items<'a> {
    rest: Term<'a>,
    arg: u8,
    what: &'static str,
}

impl<'a> Iterator for Items<'a> {
    type Item = Res<Term<'a>>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let env = self.rest.get_env();
        let (mut head, mut tail) = (
            rustler::sys::ErlNifTerm::default(),
            rustler::sys::ErlNifTerm::default(),
        );
        // SAFETY: `rest` is a live term of this call's env; the out-pointers are locals.
        unsafe {
            if crate::vmterm::list_cell(env.as_c_arg(), self.rest.as_c_arg(), &mut head, &mut tail)
            {
                self.rest = Term::new(env, tail);
                return Some(Ok(Term::new(env, head)));
            }
        }
        if crate::vmterm::term_is_nil(self.rest) {
            None
        } else {
            Some(Err(badarg(
                self.arg,
                format!("{} is not a proper list", self.what),
            )))
        }
    }
}

/// The elements of a proper list (argument `arg`, described as `what`).
pub fn items<'a>(term: Term<'a>, arg: u8, what: &'static str) -> Res<Items<'a>> {
    if crate::vmterm::term_is_list(term) {
        Ok(Items {
            rest: term,
            arg,
            what,
        })
    } else {
        Err(badarg(arg, format!("{what} is not a list")))
    }
}

/// Length of a proper list (one unit of work per element), or an error for
/// anything else.
pub fn count(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<usize> {
    let mut n = 0;
    for item in items(term, arg, what)? {
        item?;
        work.take(NUMBER)?;
        n += 1;
    }
    Ok(n)
}

/// A number as f64: a float, or an integer converted as `float/1` does
/// (`None` for anything else, and for an integer beyond the float range).
/// The float case inline, the others out of line.
#[inline(always)]
pub fn number(term: Term) -> Option<f64> {
    let (env, t) = (term.get_env().as_c_arg(), term.as_c_arg());
    // SAFETY: reads a live term of its env.
    unsafe {
        match crate::vmterm::double(env, t) {
            Some(d) => Some(d),
            None => integer_number(env, t),
        }
    }
}

/// An integer as `float/1` converts it (`None` for anything else, and
/// beyond the float range): what [`number`] and the list readers do with a
/// term that is not a float.
///
/// # Safety
/// `env` and `t` must belong to the running NIF call.
#[inline(never)]
pub unsafe fn integer_number(env: *mut ErlNifEnv, t: ErlNifTerm) -> Option<f64> {
    let mut i = 0i64;
    // SAFETY: the caller's promise; the out-pointer is a local.
    unsafe {
        if rustler::sys::enif_get_int64(env, t, &mut i) != 0 {
            return Some(i as f64);
        }
        match crate::vmterm::uint64(env, t) {
            Some(u) => Some(u as f64),
            None => big_float(env, t),
        }
    }
}

/// An integer beyond 64 bits as `float/1` converts it: the ERTS digits
/// (64 bits each) from the most significant, `d = d * 2^64 + digit` in
/// double precision, failing as soon as `d` is not finite; then the sign.
/// `None` for anything else, or beyond the float range. O(1): a bignum of
/// 2^1024 or more is refused by one comparison (which looks at its size
/// only) before it is read.
///
/// # Safety
/// `env` and `t` must belong to the running NIF call.
pub unsafe fn big_float(env: *mut ErlNifEnv, t: ErlNifTerm) -> Option<f64> {
    use rustler::sys::{enif_compare, enif_release_binary, enif_term_to_binary, ErlNifBinary};
    if !matches!(
        rustler::sys::enif_term_type(env, t),
        rustler::sys::ErlNifTermType::ERL_NIF_TERM_TYPE_INTEGER
    ) {
        return None;
    }
    let (lo, hi) = (bound_term(env, 1)?, bound_term(env, 0)?);
    if enif_compare(t, hi) >= 0 || enif_compare(t, lo) <= 0 {
        return None;
    }
    let mut bin = std::mem::MaybeUninit::<ErlNifBinary>::uninit();
    if enif_term_to_binary(env, t, bin.as_mut_ptr()) == 0 {
        return None;
    }
    let mut bin = bin.assume_init();
    let bytes = std::slice::from_raw_parts(bin.data, bin.size);
    let d = ext_big_to_f64(bytes);
    enif_release_binary(&mut bin);
    crate::work::charge_bignum();
    d
}

/// `(sign ? -1 : 1) * 2^1024` as a term of `env` (external format
/// SMALL_BIG_EXT: 129 little-endian bytes, the last one 1).
unsafe fn bound_term(env: *mut ErlNifEnv, sign: u8) -> Option<ErlNifTerm> {
    let mut ext = [0u8; 4 + 129];
    ext[..4].copy_from_slice(&[131, 110, 129, sign]);
    ext[4 + 128] = 1;
    let mut t = ErlNifTerm::default();
    (rustler::sys::enif_binary_to_term(env, ext.as_ptr(), ext.len(), &mut t, 0) != 0).then_some(t)
}

/// The float of an integer in external term format (SMALL_BIG_EXT), as
/// ERTS's `big_to_double` computes it (see [`big_float`]).
fn ext_big_to_f64(ext: &[u8]) -> Option<f64> {
    let (&[131, 110, n, sign], digits) = (ext.split_first_chunk::<4>()?.0, &ext[4..]) else {
        return None;
    };
    let digits = digits.get(..n as usize)?;
    let base = 18_446_744_073_709_551_616.0f64; // 2^64
    let mut d = 0.0f64;
    let words = digits.len().div_ceil(8);
    for k in (0..words).rev() {
        let mut w = [0u8; 8];
        let part = &digits[k * 8..(k * 8 + 8).min(digits.len())];
        w[..part.len()].copy_from_slice(part);
        d = d * base + u64::from_le_bytes(w) as f64;
        if !d.is_finite() {
            return None;
        }
    }
    Some(if sign == 0 { d } else { -d })
}

/// A number argument.
#[inline]
pub fn f64_arg(term: Term, arg: u8, what: &str) -> Res<f64> {
    number(term).ok_or_else(|| badarg(arg, format!("{what} is not a number")))
}

/// A non-negative integer that fits in 64 bits, or `None`.
#[inline]
pub fn uint(term: Term) -> Option<u64> {
    // SAFETY: reads a live term of this call's env.
    unsafe { crate::vmterm::uint64(term.get_env().as_c_arg(), term.as_c_arg()) }
}

/// A non-negative integer that fits in 64 bits.
pub fn u64_arg(term: Term, arg: u8, what: &str) -> Res<u64> {
    term.decode::<u64>()
        .map_err(|_| badarg(arg, format!("{what} is not a non-negative integer")))
}

/// Append the numbers of a list, or of a native-endian f64 binary, to `out`,
/// charging `work` (time per number, memory as `out` grows). Returns how
/// many were appended.
pub fn f64s_into(
    term: Term,
    arg: u8,
    what: &'static str,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    // A list first: the list test is a word compare, the binary test a
    // call into the VM.
    let Some(mut list) = NumList::new(term) else {
        if term.is_binary() {
            let bin = Binary::from_term(term)
                .map_err(|_| badarg(arg, format!("{what} is not a binary")))?;
            work.take(bin.len() / 8)?;
            return binary_f64s_into(bin.as_slice(), arg, what, out, work);
        }
        return Err(badarg(
            arg,
            format!("{what} is not a list or an f64 binary"),
        ));
    };
    let start = out.len();
    // Floats are charged a run at a time; an integer at once, with the
    // floats before it (its conversion may be a bignum's, which `take`
    // collects).
    let mut floats = 0usize;
    loop {
        match list.next_num_term() {
            (Next::Num(v), Some(_)) => {
                floats += 1;
                if floats == FLOAT_RUN {
                    work.take(FLOAT_RUN * NUMBER)?;
                    floats = 0;
                }
                work.push(out, v, what)?;
            }
            (Next::Num(v), None) => {
                work.take((floats + 1) * NUMBER)?;
                floats = 0;
                work.push(out, v, what)?;
            }
            (Next::End, _) => {
                work.take(floats * NUMBER)?;
                return Ok(out.len() - start);
            }
            (Next::Improper, _) => return Err(badarg(arg, format!("{what} is not a proper list"))),
            (Next::NotNumber, _) => {
                return Err(badarg(
                    arg,
                    format!("{what}: element {} is not a number", out.len() - start + 1),
                ))
            }
        }
    }
}

/// Floats [`f64s_into`] reads between two charges.
const FLOAT_RUN: usize = 64;

/// Decode a native-endian f64 binary, rejecting odd sizes and non-finite
/// values; `out` grows within the memory budget of `work`, and a dirty call
/// reports its progress. The time is charged by the caller (1 unit per
/// value, before the call).
pub fn binary_f64s_into(
    bytes: &[u8],
    arg: u8,
    what: &str,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    if bytes.len() % 8 != 0 {
        return Err(badarg(
            arg,
            format!(
                "{what}: a binary of f64 values must have a size divisible by 8, not {}",
                bytes.len()
            ),
        ));
    }
    work.reserve_more(out, bytes.len() / 8, what)?;
    for (k, chunk) in bytes.chunks_exact(8).enumerate() {
        let v = f64::from_ne_bytes(chunk.try_into().expect("8-byte chunk"));
        if !v.is_finite() {
            return Err(badarg(
                arg,
                format!("{what}: value {} of the binary is not finite", k + 1),
            ));
        }
        out.push(v);
        if k % STRIDE == STRIDE - 1 {
            work.progress(STRIDE)?;
        }
    }
    Ok(bytes.len() / 8)
}

/// A list (or binary) of numbers as a new vector.
pub fn f64s(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<f64>> {
    let mut v = Vec::new();
    f64s_into(term, arg, what, &mut v, work)?;
    Ok(v)
}

/// `a =:= b`, Erlang's exact equality, charging `work` for every pair of
/// subterms compared (so comparing two equal but distinct large terms
/// hands a normal-scheduler call over to the dirty entry). Walks the terms
/// with an explicit stack (charged to the memory budget), so deep nesting
/// cannot overflow the scheduler's stack. A pair whose cost cannot be
/// bounded here (two bignums, maps, funs, bitstrings that are not
/// binaries) is compared by the VM, on a dirty scheduler only.
pub fn same(a: Term, b: Term, work: &mut Work) -> Res<bool> {
    use rustler::sys::enif_is_identical;
    let env = a.get_env();
    let mut stack: Vec<(ErlNifTerm, ErlNifTerm)> = Vec::new();
    work.push(
        &mut stack,
        (a.as_c_arg(), b.as_c_arg()),
        "a term comparison",
    )?;
    while let Some((x, y)) = stack.pop() {
        work.take(2 * NUMBER)?;
        if x == y {
            continue;
        }
        // SAFETY: both come from live terms of this call's env.
        let (tx, ty) = unsafe { (Term::new(env, x), Term::new(env, y)) };
        let kind = tx.get_type();
        if kind != ty.get_type() {
            return Ok(false);
        }
        match kind {
            TermType::Tuple => {
                let (Some(p), Some(q)) = (any_tuple(tx), any_tuple(ty)) else {
                    return Ok(false);
                };
                if p.len() != q.len() {
                    return Ok(false);
                }
                for i in (0..p.len()).rev() {
                    let pair = (p.at(i).as_c_arg(), q.at(i).as_c_arg());
                    work.push(&mut stack, pair, "a term comparison")?;
                }
            }
            TermType::List => {
                // Walk both spines here; heads that are not the same word
                // are compared later, from the stack.
                let (mut p, mut q) = (tx, ty);
                loop {
                    match (p.list_get_cell(), q.list_get_cell()) {
                        (Ok((hp, rp)), Ok((hq, rq))) => {
                            // Two list cells, often two cache misses.
                            work.take(2 * NUMBER)?;
                            if hp.as_c_arg() != hq.as_c_arg() {
                                let pair = (hp.as_c_arg(), hq.as_c_arg());
                                work.push(&mut stack, pair, "a term comparison")?;
                            }
                            (p, q) = (rp, rq);
                            if p.as_c_arg() == q.as_c_arg() {
                                break;
                            }
                        }
                        (Err(_), Err(_)) => {
                            // Two different tails that are not cells: two
                            // improper tails, or [] against another term.
                            let pair = (p.as_c_arg(), q.as_c_arg());
                            work.push(&mut stack, pair, "a term comparison")?;
                            break;
                        }
                        // A cell against the end of the other list.
                        _ => return Ok(false),
                    }
                }
            }
            TermType::Binary => match (Binary::from_term(tx), Binary::from_term(ty)) {
                (Ok(p), Ok(q)) => {
                    if p.len() != q.len() {
                        return Ok(false);
                    }
                    work.take(p.len() / 32)?;
                    if p.as_slice() != q.as_slice() {
                        return Ok(false);
                    }
                }
                _ => {
                    work.unknown()?;
                    // SAFETY: live terms.
                    if unsafe { enif_is_identical(x, y) } == 0 {
                        return Ok(false);
                    }
                }
            },
            TermType::Integer if small(tx) || small(ty) => {
                // SAFETY: live terms; at least one fits a word: O(1).
                if unsafe { enif_is_identical(x, y) } == 0 {
                    return Ok(false);
                }
            }
            TermType::Atom | TermType::Float | TermType::Pid | TermType::Port | TermType::Ref => {
                // SAFETY: live terms of a bounded size.
                if unsafe { enif_is_identical(x, y) } == 0 {
                    return Ok(false);
                }
            }
            _ => {
                work.unknown()?;
                // SAFETY: live terms.
                if unsafe { enif_is_identical(x, y) } == 0 {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// An integer that fits in 64 bits (signed or unsigned).
fn small(t: Term) -> bool {
    let mut i = 0i64;
    // SAFETY: reads a live term into a local.
    (unsafe { rustler::sys::enif_get_int64(t.get_env().as_c_arg(), t.as_c_arg(), &mut i) } != 0)
        || uint(t).is_some()
}

/// The elements of a tuple, read in place (no copy, no allocation).
#[derive(Clone, Copy)]
pub struct Tuple<'a> {
    env: rustler::Env<'a>,
    elems: &'a [rustler::sys::ErlNifTerm],
}

impl<'a> Tuple<'a> {
    /// Element `i` (0-based); `i` must be below [`Tuple::len`].
    #[inline]
    pub fn at(&self, i: usize) -> Term<'a> {
        // SAFETY: the element belongs to a live tuple of this call's env.
        unsafe { Term::new(self.env, self.elems[i]) }
    }

    pub fn len(&self) -> usize {
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }
}

/// `term` as a tuple of any size, or `None`.
#[inline]
pub fn any_tuple(term: Term) -> Option<Tuple> {
    let env = term.get_env();
    // SAFETY: only reads the term; the elements are owned by the tuple,
    // valid as long as the term is.
    let elems = unsafe { crate::vmterm::tuple(env.as_c_arg(), term.as_c_arg()) }?;
    Some(Tuple { env, elems })
}

/// Elements of a tuple of exactly `n` elements.
#[inline]
pub fn tuple<'a>(
    term: Term<'a>,
    n: usize,
    arg: u8,
    what: impl FnOnce() -> String,
) -> Res<Tuple<'a>> {
    match any_tuple(term) {
        Some(t) if t.len() == n => Ok(t),
        _ => Err(badarg(arg, what())),
    }
}
