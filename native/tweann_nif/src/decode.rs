//! Term decoding that never panics and says what was wrong.

use crate::error::{badarg, Res};
use crate::numlist::{Next, NumList};
use rustler::{Binary, Term};

/// Work a normal-scheduler call may do before it hands over to the dirty
/// entry point, in units of about one connection evaluation (a few ns):
/// roughly 100 µs on a Celeron J4105.
pub const NORMAL_WORK_LIMIT: usize = 40_000;

/// Work units charged for decoding one number from a list (two NIF API
/// calls); a number from a binary costs 1.
pub const NUMBER: usize = 4;

/// The result a normal-scheduler NIF returns when its work budget is spent:
/// the atom `'$tweann_dirty'`, upon which `tweann_nif` calls the dirty entry.
pub fn dirty() -> rustler::Error {
    rustler::Error::Atom("$tweann_dirty")
}

/// The work budget of one NIF call. Decoders charge it per element, so no
/// normal-scheduler call ever does more than [`NORMAL_WORK_LIMIT`] units of
/// work, however large its arguments: past the budget it returns
/// [`dirty`] and the same call is redone on a dirty scheduler.
pub struct Work {
    left: usize,
}

impl Work {
    /// The budget of a normal-scheduler entry point.
    pub fn normal() -> Self {
        Work {
            left: NORMAL_WORK_LIMIT,
        }
    }

    /// No limit: dirty-scheduler entry points.
    pub fn unlimited() -> Self {
        Work { left: usize::MAX }
    }

    /// Charge `n` units; `Err(dirty())` when the budget is spent.
    #[inline]
    pub fn take(&mut self, n: usize) -> Res<()> {
        if n > self.left {
            Err(dirty())
        } else {
            self.left -= n;
            Ok(())
        }
    }
}

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
            if rustler::sys::enif_get_list_cell(
                env.as_c_arg(),
                self.rest.as_c_arg(),
                &mut head,
                &mut tail,
            ) != 0
            {
                self.rest = Term::new(env, tail);
                return Some(Ok(Term::new(env, head)));
            }
        }
        if self.rest.is_empty_list() {
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
    if term.is_list() {
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

/// A number as f64 (integers are converted, like `float/1`).
#[inline]
pub fn number(term: Term) -> Option<f64> {
    let (env, t) = (term.get_env().as_c_arg(), term.as_c_arg());
    let (mut d, mut i) = (0.0f64, 0i64);
    // SAFETY: reads a live term; the out-pointers are locals.
    unsafe {
        if rustler::sys::enif_get_double(env, t, &mut d) != 0 {
            return Some(d);
        }
        if rustler::sys::enif_get_int64(env, t, &mut i) != 0 {
            return Some(i as f64);
        }
    }
    uint(term).map(|u| u as f64)
}

/// A number argument.
#[inline]
pub fn f64_arg(term: Term, arg: u8, what: &str) -> Res<f64> {
    number(term).ok_or_else(|| badarg(arg, format!("{what} is not a number")))
}

/// A non-negative integer that fits in 64 bits, or `None`.
#[inline]
pub fn uint(term: Term) -> Option<u64> {
    let mut u = 0u64;
    // SAFETY: reads a live term; the out-pointer is a local.
    (unsafe { rustler::sys::enif_get_uint64(term.get_env().as_c_arg(), term.as_c_arg(), &mut u) }
        != 0)
        .then_some(u)
}

/// A non-negative integer that fits in 64 bits.
pub fn u64_arg(term: Term, arg: u8, what: &str) -> Res<u64> {
    term.decode::<u64>()
        .map_err(|_| badarg(arg, format!("{what} is not a non-negative integer")))
}

/// Append the numbers of a list, or of a native-endian f64 binary, to `out`,
/// one unit of work per number. Returns how many were appended.
pub fn f64s_into(
    term: Term,
    arg: u8,
    what: &'static str,
    out: &mut Vec<f64>,
    work: &mut Work,
) -> Res<usize> {
    if term.is_binary() {
        let bin =
            Binary::from_term(term).map_err(|_| badarg(arg, format!("{what} is not a binary")))?;
        work.take(bin.len() / 8)?;
        return binary_f64s_into(bin.as_slice(), arg, what, out);
    }
    let start = out.len();
    let mut list = NumList::new(term)
        .ok_or_else(|| badarg(arg, format!("{what} is not a list or an f64 binary")))?;
    loop {
        match list.next_num() {
            Next::Num(v) => {
                work.take(NUMBER)?;
                out.push(v)
            }
            Next::End => return Ok(out.len() - start),
            Next::Improper => return Err(badarg(arg, format!("{what} is not a proper list"))),
            Next::NotNumber => {
                return Err(badarg(
                    arg,
                    format!("{what}: element {} is not a number", out.len() - start + 1),
                ))
            }
        }
    }
}

/// Decode a native-endian f64 binary, rejecting odd sizes and non-finite values.
pub fn binary_f64s_into(bytes: &[u8], arg: u8, what: &str, out: &mut Vec<f64>) -> Res<usize> {
    if bytes.len() % 8 != 0 {
        return Err(badarg(
            arg,
            format!(
                "{what}: a binary of f64 values must have a size divisible by 8, not {}",
                bytes.len()
            ),
        ));
    }
    out.try_reserve(bytes.len() / 8)
        .map_err(|_| badarg(arg, format!("{what}: too large to allocate")))?;
    for (k, chunk) in bytes.chunks_exact(8).enumerate() {
        let v = f64::from_ne_bytes(chunk.try_into().expect("8-byte chunk"));
        if !v.is_finite() {
            return Err(badarg(
                arg,
                format!("{what}: value {} of the binary is not finite", k + 1),
            ));
        }
        out.push(v);
    }
    Ok(bytes.len() / 8)
}

/// A list (or binary) of numbers as a new vector.
pub fn f64s(term: Term, arg: u8, what: &'static str, work: &mut Work) -> Res<Vec<f64>> {
    let mut v = Vec::new();
    f64s_into(term, arg, what, &mut v, work)?;
    Ok(v)
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
    let mut arity: std::os::raw::c_int = 0;
    let mut array: *const rustler::sys::ErlNifTerm = std::ptr::null();
    // SAFETY: enif_get_tuple only reads the term; on success `array` points
    // at `arity` terms owned by the tuple, valid as long as the term is.
    unsafe {
        if rustler::sys::enif_get_tuple(env.as_c_arg(), term.as_c_arg(), &mut arity, &mut array)
            == 0
        {
            return None;
        }
        let elems = if arity == 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(array, arity as usize)
        };
        Some(Tuple { env, elems })
    }
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
