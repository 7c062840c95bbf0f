//! `activate_batch/2`: one activation from [`tweann_core::activation`]
//! applied to a list of values.

use crate::atoms;
use crate::decode::{self, Work, NUMBER};
use crate::error::{badarg, raise, Res};
use rustler::Term;
use tweann_core::CoreError;

fn activate_impl(values: Term, act: Term, work: &mut Work) -> Res<Vec<f64>> {
    let a = atoms::acts::decode(act).ok_or_else(|| badarg(2, "unknown activation"))?;
    let mut v = decode::f64s(values, 1, "Values", work)?;
    // Applying an activation costs about as much as decoding the value.
    work.take(NUMBER * v.len())?;
    for x in v.iter_mut() {
        *x = a.apply(*x);
        if !x.is_finite() {
            return Err(raise(CoreError::overflow(
                "arithmetic overflow in the activation",
            )));
        }
    }
    Ok(v)
}

nif_pair!(activate_batch / activate_batch_dirty (values, act) -> Res<Vec<f64>>, |work| activate_impl(values, act, work));
