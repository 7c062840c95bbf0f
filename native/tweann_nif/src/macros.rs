//! The one shape every heavy NIF has: a normal-scheduler entry with a
//! bounded [`crate::decode::Work`] budget (it returns `'$tweann_dirty'` when
//! the budget is spent) and a `_dirty` DirtyCpu entry with no budget, both
//! running the same code.

/// Defines a NIF pair `name` / `name_dirty` over the term arguments given:
///
/// * `nif_pair!(name / name_dirty (a, b) -> Ret, |work| body)`: `body` runs
///   with `work` bound to the entry's budget;
/// * `nif_pair!(name / name_dirty (env; a, b) -> Ret => imp)`: calls
///   `imp(env, a, b, work)` (for results that are encoded by hand).
macro_rules! nif_pair {
    ($normal:ident / $dirty:ident ($($arg:ident),*) -> $ret:ty, |$work:ident| $body:expr) => {
        #[rustler::nif]
        fn $normal<'a>($($arg: rustler::Term<'a>),*) -> $ret {
            let $work = &mut $crate::decode::Work::normal();
            $body
        }

        #[rustler::nif(schedule = "DirtyCpu")]
        fn $dirty<'a>($($arg: rustler::Term<'a>),*) -> $ret {
            let $work = &mut $crate::decode::Work::unlimited();
            $body
        }
    };
    ($normal:ident / $dirty:ident (env; $($arg:ident),*) => $imp:path) => {
        #[rustler::nif]
        fn $normal<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $crate::error::Res<rustler::Term<'a>> {
            $imp(env, $($arg,)* &mut $crate::decode::Work::normal())
        }

        #[rustler::nif(schedule = "DirtyCpu")]
        fn $dirty<'a>(env: rustler::Env<'a>, $($arg: rustler::Term<'a>),*) -> $crate::error::Res<rustler::Term<'a>> {
            $imp(env, $($arg,)* &mut $crate::decode::Work::unlimited())
        }
    };
}
