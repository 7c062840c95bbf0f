//! NIF entries with a fast path, for calls so small that the shape of the
//! call costs as much as the work.
//!
//! `#[rustler::nif]` copies the argument terms into a new `Vec` on every call
//! and routes every result through its generic return plumbing. For a
//! scalar step or a ten-element dot product that is a large share of the
//! call. [`fast_nif!`] instead defines the C entry point itself and reads the
//! arguments in place from `argv`. Its body is either one expression of type
//! `Res<Term>`, or two parts:
//!
//! * the fast path, an expression of type `Option<Term>`: it decodes only
//!   what the common case needs (plain numbers, well-formed lists) and
//!   answers `None` at the first thing it does not expect;
//! * the detailed path, an expression of type `Res<impl Encoder>`: the
//!   ordinary implementation, which decodes everything again and builds the
//!   precise error (argument position and reason).
//!
//! So results and errors are exactly those of the detailed path; the fast
//! path only skips work when nothing is wrong. A panic in either part becomes
//! an Erlang exception, as with `#[rustler::nif]`; it never reaches the VM
//! (a panic in the fast path hands over to the detailed path, which meets
//! the same input and answers it).
//!
//! The entry holds only the fast path: it returns the fast path's term
//! as it is, with no result plumbing. The detailed path and the mapping of
//! errors to exceptions ([`answer`]) live in a separate cold function, so
//! the common case carries neither their code nor their stack frame (this
//! took about 10 ns off each `evaluate_cfc/4` and `evaluate_ode/5` call, a
//! tenth of the call).
//!
//! The entry is registered in rustler's NIF table (`rustler::Nif`, collected
//! by `rustler::init!`), on the normal scheduler.

use rustler::sys::ErlNifTerm;
use rustler::{Encoder, Env, Error, Term};
use std::mem::MaybeUninit;

/// `fast_nif!(name (env; a, b, ...) => fast_expr, else detailed_expr);` or
/// `fast_nif!(name (env; a, b, ...) => body);` defines the NIF `name/N` (N
/// arguments, bound as `Term`s, with `env` the call's `Env`). See the module
/// documentation.
macro_rules! fast_nif {
    ($name:ident ($env:ident; $($arg:ident),+) => $fast:expr, else $detailed:expr) => {
        const _: () = {
            // The detailed path (and the answer of a panic), out of the
            // entry's way.
            fast_nif!(@answer [cold, inline(never)] $env ($($arg),+)
                      ($detailed).map(|v| rustler::Encoder::encode(&v, $env)));

            unsafe extern "C" fn entry(
                raw_env: *mut rustler::sys::ErlNifEnv,
                argc: std::os::raw::c_int,
                argv: *const rustler::sys::ErlNifTerm,
            ) -> rustler::sys::ErlNifTerm {
                fast_nif!(@enter $name raw_env argc argv => $env args);
                // The fast path; a panic in it is left to the detailed path
                // (which meets it again and answers it).
                let fast = std::panic::AssertUnwindSafe(|| -> Option<rustler::sys::ErlNifTerm> {
                    fast_nif!(@bind $env args ($($arg),+) else None);
                    let t: Option<rustler::Term> = $fast;
                    t.map(|t| t.as_c_arg())
                });
                if let Ok(Some(t)) = std::panic::catch_unwind(fast) {
                    return t;
                }
                answer($env, args)
            }

            fast_nif!(@register $name ($($arg),+));
        };
    };
    ($name:ident ($env:ident; $($arg:ident),+) => $body:expr) => {
        const _: () = {
            fast_nif!(@answer [inline(always)] $env ($($arg),+) $body);

            unsafe extern "C" fn entry(
                raw_env: *mut rustler::sys::ErlNifEnv,
                argc: std::os::raw::c_int,
                argv: *const rustler::sys::ErlNifTerm,
            ) -> rustler::sys::ErlNifTerm {
                fast_nif!(@enter $name raw_env argc argv => $env args);
                answer($env, args)
            }

            fast_nif!(@register $name ($($arg),+));
        };
    };
    // `answer(env, args)`: the term of `$body` (a `Res<Term>` over the
    // arguments bound as terms), or the exception of its error or panic.
    (@answer [$($attr:meta),*] $env:ident ($($arg:ident),+) $body:expr) => {
        $(#[$attr])*
        fn answer<'a>(
            $env: rustler::Env<'a>,
            args: &[rustler::sys::ErlNifTerm],
        ) -> rustler::sys::ErlNifTerm {
            let run = std::panic::AssertUnwindSafe(|| -> $crate::error::Res<rustler::Term> {
                fast_nif!(@bind $env args ($($arg),+) else Err(rustler::Error::BadArg));
                $body
            });
            $crate::fast::answer($env, std::panic::catch_unwind(run))
        }
    };
    // Binds each argument term to its name (`return $fail` if the count
    // differs from the registered arity, which the VM never does).
    (@bind $env:ident $args:ident ($($arg:ident),+) else $fail:expr) => {
        let [$($arg),+] = $args else {
            return $fail;
        };
        // SAFETY: each is a live argument term of this call.
        $(let $arg = unsafe { rustler::Term::new($env, *$arg) };)+
    };
    // The start of an entry: the profile of the call, `$env` and `$args`.
    (@enter $name:ident $raw:ident $argc:ident $argv:ident => $env:ident $args:ident) => {
        let _profile = $crate::work::Profile::start(stringify!($name));
        let marker = ();
        // SAFETY: the VM passes a live env and `argc` argument terms
        // (the registered arity); they outlive this call.
        let $env = unsafe { rustler::Env::new(&marker, $raw) };
        let $args = unsafe { std::slice::from_raw_parts($argv, $argc as usize) };
    };
    (@register $name:ident ($($arg:ident),+)) => {
        rustler::codegen_runtime::inventory::submit!(rustler::Nif {
            name: concat!(stringify!($name), "\0").as_ptr() as *const std::os::raw::c_char,
            arity: [$(stringify!($arg)),+].len() as std::os::raw::c_uint,
            flags: rustler::SchedulerFlags::Normal as std::os::raw::c_uint,
            raw_func: entry,
        });
    };
}

/// The term a [`fast_nif!`] entry returns: its result, or the exception its
/// error (or panic) stands for.
pub fn answer(env: Env, r: std::thread::Result<Result<Term, Error>>) -> ErlNifTerm {
    use rustler::sys::{enif_make_badarg, enif_raise_exception};
    let atom = |name: &str| rustler::Atom::from_str(env, name).map(|a| a.to_term(env));
    // SAFETY: every term below belongs to this call's env.
    unsafe {
        match r {
            Ok(Ok(t)) => t.as_c_arg(),
            Ok(Err(Error::BadArg)) => enif_make_badarg(env.as_c_arg()),
            Ok(Err(Error::Atom(name))) => match atom(name) {
                Ok(a) => a.as_c_arg(),
                Err(_) => enif_make_badarg(env.as_c_arg()),
            },
            Ok(Err(Error::RaiseAtom(name))) => match atom(name) {
                Ok(a) => enif_raise_exception(env.as_c_arg(), a.as_c_arg()),
                Err(_) => enif_make_badarg(env.as_c_arg()),
            },
            Ok(Err(Error::RaiseTerm(t))) => {
                enif_raise_exception(env.as_c_arg(), t.encode(env).as_c_arg())
            }
            Ok(Err(Error::Term(t))) => (rustler::types::atom::error(), t.encode(env))
                .encode(env)
                .as_c_arg(),
            Err(_) => match atom("nif_panicked") {
                Ok(a) => enif_raise_exception(env.as_c_arg(), a.as_c_arg()),
                Err(_) => enif_make_badarg(env.as_c_arg()),
            },
        }
    }
}

/// `{A, B}` of two floats; when they are the same bits (a liquid step's
/// state and output usually are), one float term serves both elements.
#[inline(always)]
pub fn float_pair(env: Env, (a, b): (f64, f64)) -> Term {
    use rustler::sys::{enif_make_double, enif_make_tuple_from_array};
    // SAFETY: builds terms in this call's env from a local array.
    unsafe {
        let ta = enif_make_double(env.as_c_arg(), a);
        let tb = if a.to_bits() == b.to_bits() {
            ta
        } else {
            enif_make_double(env.as_c_arg(), b)
        };
        Term::new(
            env,
            enif_make_tuple_from_array(env.as_c_arg(), [ta, tb].as_ptr(), 2),
        )
    }
}

/// A list of floats built straight from `xs` (no intermediate vector of
/// terms on the heap for up to [`SMALL`] values).
#[inline]
pub fn float_list<'a>(env: Env<'a>, xs: &[f64]) -> Term<'a> {
    use rustler::sys::{enif_make_double, enif_make_list_from_array};
    let mut small = [MaybeUninit::<ErlNifTerm>::uninit(); SMALL];
    let mut big = Vec::new();
    let terms: &mut [ErlNifTerm] = if xs.len() <= SMALL {
        prefix(&mut small, xs.len(), ErlNifTerm::default())
    } else {
        big.resize(xs.len(), ErlNifTerm::default());
        &mut big
    };
    // SAFETY: builds terms in this call's env from local arrays of the
    // right length.
    unsafe {
        for (t, &x) in terms.iter_mut().zip(xs) {
            *t = enif_make_double(env.as_c_arg(), x);
        }
        Term::new(
            env,
            enif_make_list_from_array(env.as_c_arg(), terms.as_ptr(), terms.len() as u32),
        )
    }
}

/// How many values the fast paths keep on the stack.
pub const SMALL: usize = 64;

/// Stack room for up to [`SMALL`] values without writing all of them on
/// every call (three such arrays cost a small network's evaluation about
/// 20 ns when written whole).
pub use tweann_core::stack::prefix;
