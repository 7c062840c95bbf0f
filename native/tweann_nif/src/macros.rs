//! The one shape every heavy NIF has: a normal-scheduler entry with a
//! bounded [`crate::work::Work`] budget (it returns `'$tweann_dirty'` when
//! the budget is spent) and a `_dirty` DirtyCpu entry with no time limit
//! that stops when its caller dies, both running the same code with the
//! same memory budget. The normal entry is profiled (`work.rs`, [`Profile`]
//! (crate::work::Profile)) when profiling is on.

/// Defines a NIF pair `name` / `name_dirty` over the term arguments given:
///
/// * `nif_pair!(name / name_dirty (a, b) -> Ret, |work| body)`: `body` runs
///   with `work` bound to the entry's [`crate::work::Work`];
/// * `nif_pair!(name / name_dirty (env; a, b) => imp)`: calls
///   `imp(env, a, b, work)` (for results encoded by the glue, which must
///   charge them: `encode.rs`).
macro_rules! nif_pair {
    ($normal:ident / $dirty:ident ($($arg:ident),*) -> $ret:ty, |$work:ident| $body:expr) => {
        #[rustler::nif]
        fn $normal<'a>($($arg: rustler::Term<'a>),*) -> $ret {
            let _profile = $crate::work::Profile::start(stringify!($normal));
            let $work = &mut $crate::work::Work::normal();
            $body
        }

        #[rustler::nif(schedule = "DirtyCpu")]
        #[allow(clippy::too_many_arguments)]
        fn $dirty<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $ret {
            let $work = &mut $crate::work::Work::dirty(env);
            $body
        }
    };
    ($normal:ident / $dirty:ident (env; $($arg:ident),*) => $imp:path) => {
        #[rustler::nif]
        fn $normal<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $crate::error::Res<rustler::Term<'a>> {
            let _profile = $crate::work::Profile::start(stringify!($normal));
            $imp(env, $($arg,)* &mut $crate::work::Work::normal())
        }

        #[rustler::nif(schedule = "DirtyCpu")]
        fn $dirty<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $crate::error::Res<rustler::Term<'a>> {
            $imp(env, $($arg,)* &mut $crate::work::Work::dirty(env))
        }
    };
}

/// A NIF that only has a DirtyCpu entry (its work is always large, or
/// cannot be estimated before it is done):
/// `dirty_nif!(name (env; a, b) => imp)` calls `imp(env, a, b, work)` with a
/// [`crate::work::Work::dirty`] budget.
macro_rules! dirty_nif {
    ($name:ident (env; $($arg:ident),*) => $imp:path) => {
        #[rustler::nif(schedule = "DirtyCpu")]
        fn $name<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $crate::error::Res<rustler::Term<'a>> {
            $imp(env, $($arg,)* &mut $crate::work::Work::dirty(env))
        }
    };
}
