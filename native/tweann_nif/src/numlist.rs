//! A tight reader for lists of numbers, the hot path of every call that takes
//! Erlang lists (inputs, signals, weights). One `enif_get_list_cell` and one
//! `enif_get_double` per element, no `Result` plumbing in the loop: this is
//! what lets a NIF beat JIT-compiled Erlang on short lists.

use rustler::sys::{
    enif_get_double, enif_get_int64, enif_get_list_cell, enif_get_uint64, enif_is_empty_list,
};
use rustler::sys::{ErlNifEnv, ErlNifTerm as ERL_NIF_TERM};
use rustler::Term;
use std::marker::PhantomData;

/// What the next element of a list is.
pub enum Next {
    Num(f64),
    End,
    /// The list ended in a non-list tail.
    Improper,
    /// The element is not a number (or an integer beyond 64 bits).
    NotNumber,
}

/// Streams the numbers of a list term.
pub struct NumList<'a> {
    env: *mut ErlNifEnv,
    rest: ERL_NIF_TERM,
    _env: PhantomData<Term<'a>>,
}

impl<'a> NumList<'a> {
    /// `None` if `term` is not a list.
    #[inline]
    pub fn new(term: Term<'a>) -> Option<Self> {
        term.is_list().then(|| NumList {
            env: term.get_env().as_c_arg(),
            rest: term.as_c_arg(),
            _env: PhantomData,
        })
    }

    #[inline(always)]
    pub fn next_num(&mut self) -> Next {
        let (mut head, mut tail) = (ERL_NIF_TERM::default(), ERL_NIF_TERM::default());
        // SAFETY: env and rest come from a live Term of this NIF call (the
        // lifetime 'a ties the reader to it); the out-pointers are locals.
        unsafe {
            if enif_get_list_cell(self.env, self.rest, &mut head, &mut tail) == 0 {
                return if enif_is_empty_list(self.env, self.rest) != 0 {
                    Next::End
                } else {
                    Next::Improper
                };
            }
            self.rest = tail;
            let mut d = 0.0f64;
            if enif_get_double(self.env, head, &mut d) != 0 {
                return Next::Num(d);
            }
            let mut i = 0i64;
            if enif_get_int64(self.env, head, &mut i) != 0 {
                return Next::Num(i as f64);
            }
            let mut u = 0u64;
            if enif_get_uint64(self.env, head, &mut u) != 0 {
                return Next::Num(u as f64);
            }
        }
        Next::NotNumber
    }
}
