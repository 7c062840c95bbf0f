//! A tight reader for lists of numbers, the hot path of every call that takes
//! Erlang lists (inputs, signals, weights). One `enif_get_list_cell` and one
//! `enif_get_double` per element, no `Result` plumbing in the loop: this is
//! what lets a NIF beat JIT-compiled Erlang on short lists. Integers are
//! converted as `float/1` converts them ([`crate::decode::number`]).

use crate::vmterm;
use rustler::sys::{ErlNifEnv, ErlNifTerm as ERL_NIF_TERM};
use rustler::Term;
use std::marker::PhantomData;

/// What the next element of a list is.
pub enum Next {
    Num(f64),
    End,
    /// The list ended in a non-list tail.
    Improper,
    /// The element is not a number (or an integer beyond the float range).
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
        vmterm::term_is_list(term).then(|| NumList {
            env: term.get_env().as_c_arg(),
            rest: term.as_c_arg(),
            _env: PhantomData,
        })
    }

    /// The next element. Inlined into the callers' loops: a list element
    /// costs two ERTS calls (`enif_get_list_cell`, `enif_get_double`) and
    /// nothing else when it is a float.
    #[inline(always)]
    pub fn next_num(&mut self) -> Next {
        let (mut head, mut tail) = Default::default();
        // SAFETY: env and rest come from a live Term of this NIF call (the
        // lifetime 'a ties the reader to it).
        unsafe {
            if !vmterm::list_cell(self.env, self.rest, &mut head, &mut tail) {
                return self.end();
            }
            self.rest = tail;
            if let Some(d) = vmterm::double(self.env, head) {
                return Next::Num(d);
            }
            self.integer(head)
        }
    }

    /// As [`NumList::next_num`], also giving the element's term when it is a
    /// float (`None` for an integer or a non-number): a caller whose result
    /// is that same float can return the term instead of making a new one.
    #[inline(always)]
    pub fn next_num_term(&mut self) -> (Next, Option<ERL_NIF_TERM>) {
        let (mut head, mut tail) = Default::default();
        // SAFETY: as in next_num.
        unsafe {
            if !vmterm::list_cell(self.env, self.rest, &mut head, &mut tail) {
                return (self.end(), None);
            }
            self.rest = tail;
            if let Some(d) = vmterm::double(self.env, head) {
                return (Next::Num(d), Some(head));
            }
            (self.integer(head), None)
        }
    }

    /// The list has no next cell: its end or an improper tail.
    #[cold]
    #[inline(never)]
    fn end(&self) -> Next {
        // SAFETY: reads a live term of this call's env.
        if unsafe { vmterm::is_nil(self.env, self.rest) } {
            Next::End
        } else {
            Next::Improper
        }
    }

    /// An element that is not a float: an integer (converted as `float/1`
    /// does), or not a number.
    #[cold]
    #[inline(never)]
    fn integer(&self, head: ERL_NIF_TERM) -> Next {
        // SAFETY: reads a live term of this call's env.
        unsafe { crate::decode::integer_number(self.env, head) }.map_or(Next::NotNumber, Next::Num)
    }
}
