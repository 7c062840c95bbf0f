//! `activate_batch/2`: one activation from [`tweann_core::activation`]
//! applied to a list of values.

use crate::atoms;
use crate::decode::{self, Work, NUMBER};
use crate::encode;
use crate::error::{badarg, raise, Res};
use rustler::{Env, Term};
use tweann_core::CoreError;

/// Values activated between two liveness reports of a dirty call.
const STRIDE: usize = 4096;

fn activate_impl<'a>(
    env: Env<'a>,
    values: Term<'a>,
    act: Term<'a>,
    work: &mut Work,
) -> Res<Term<'a>> {
    let a = atoms::acts::decode(act).ok_or_else(|| badarg(2, "unknown activation"))?;
    let mut v = decode::f64s(values, 1, "Values", work)?;
    // Applying an activation costs about as much as decoding the value;
    // hand over before computing what could not be encoded here.
    work.check(NUMBER * v.len() + encode::cost(v.len()))?;
    work.take(NUMBER * v.len())?;
    for chunk in v.chunks_mut(STRIDE) {
        for x in chunk.iter_mut() {
            *x = a.apply(*x);
            if !x.is_finite() {
                return Err(raise(CoreError::overflow(
                    "arithmetic overflow in the activation",
                )));
            }
        }
        work.progress(NUMBER * chunk.len())?;
    }
    encode::floats(env, &v, work)
}

nif_pair!(activate_batch / activate_batch_dirty (env; values, act) => activate_impl);
