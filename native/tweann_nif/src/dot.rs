//! Signal-aggregator NIFs over [`tweann_core::dot`]: the dot products
//! (`dot_product/2`, `dot_product_flat/3`, `dot_product_batch/1`) and
//! `flatten_weights/1`, which reads the same weight format.
//!
//! The dot products stream pairs straight from the Erlang lists into one
//! [`Dot`] accumulator: no vectors are built, which is what makes a NIF call
//! pay off even at 10 elements. Every element charges the call's [`Work`]
//! budget, so a normal-scheduler call hands large inputs over to its dirty
//! entry point instead of blocking the scheduler. The source ids of the two
//! lists are compared with [`decode::same`], which charges per subterm: two
//! equal but distinct large ids cost what comparing them costs.

use crate::atoms;
use crate::decode::{self, items, tuple, Items, Work, NUMBER};
use crate::encode;
use crate::error::{badarg, OrRaise, Res};
use crate::numlist::{Next, NumList};
use rustler::{Binary, Encoder, Env, Term};
use tweann_core::dot::Dot;

/// Pairs added between two liveness reports of a dirty call.
const STRIDE: usize = 4096;

/// The number in a weight spec: a number, or a tuple whose first element is one.
fn weight_spec(term: Term, arg: u8, what: &dyn Fn() -> String) -> Res<f64> {
    if let Some(w) = decode::number(term) {
        return Ok(w);
    }
    match decode::any_tuple(term) {
        Some(t) if !t.is_empty() => decode::number(t.at(0)),
        _ => None,
    }
    .ok_or_else(|| {
        badarg(
            arg,
            format!(
                "{}: a weight must be a number or a tuple {{W, ...}} with a numeric W",
                what()
            ),
        )
    })
}

// ---------------------------------------------------------------- dot_product/2

fn dot_product_impl<'a>(signals: Term<'a>, weighted: Term<'a>, work: &mut Work) -> Res<f64> {
    let mut wts = items(weighted, 2, "WeightedInputs")?;
    let mut d = Dot::new();
    for (k, s) in items(signals, 1, "InputSignals")?.enumerate() {
        let entry = k + 1;
        // Two tuples, two list heads and the comparison's first pair.
        work.take(3 * NUMBER)?;
        let st = tuple(s?, 2, 1, || {
            format!("entry {entry} of InputSignals is not a {{SourceId, Signals}} tuple")
        })?;
        let w = wts.next().ok_or_else(|| {
            badarg(
                2,
                format!("WeightedInputs has fewer entries than InputSignals ({entry} needed)"),
            )
        })??;
        let wt = tuple(w, 2, 2, || {
            format!("entry {entry} of WeightedInputs is not a {{SourceId, Weights}} tuple")
        })?;
        if !decode::same(st.at(0), wt.at(0), work)? {
            return Err(badarg(
                2,
                format!("entry {entry}: the source ids of InputSignals and WeightedInputs differ"),
            ));
        }
        let mut ws = items(wt.at(1), 2, "a Weights list")?;
        let what = || format!("entry {entry} of WeightedInputs");
        let mut sigs = NumList::new(st.at(1)).ok_or_else(|| {
            badarg(
                1,
                format!("entry {entry} of InputSignals: the signals are not a list"),
            )
        })?;
        loop {
            let sv = match sigs.next_num() {
                Next::Num(v) => v,
                Next::End => break,
                Next::Improper => {
                    return Err(badarg(
                        1,
                        format!("entry {entry} of InputSignals: not a proper list"),
                    ))
                }
                Next::NotNumber => {
                    return Err(badarg(
                        1,
                        format!("entry {entry} of InputSignals: a signal is not a number"),
                    ))
                }
            };
            let wv = match ws.next() {
                Some(w) => weight_spec(w?, 2, &what)?,
                None => {
                    return Err(badarg(
                        2,
                        format!("entry {entry}: fewer weights than signals"),
                    ))
                }
            };
            work.take(2 * NUMBER)?;
            d.add(sv, wv);
        }
        if ws.next().is_some() {
            return Err(badarg(
                2,
                format!("entry {entry}: more weights than signals"),
            ));
        }
    }
    let bias = trailing_bias(wts)?;
    d.finish(bias).or_raise()
}

/// What remains of WeightedInputs after the paired entries: nothing, or one
/// `{bias, [Spec]}`.
fn trailing_bias(mut rest: Items) -> Res<f64> {
    let Some(entry) = rest.next() else {
        return Ok(0.0);
    };
    let t = tuple(entry?, 2, 2, || {
        "WeightedInputs has more entries than InputSignals".into()
    })?;
    if t.at(0).decode::<rustler::Atom>().ok() != Some(atoms::bias()) {
        return Err(badarg(
            2,
            "WeightedInputs has more entries than InputSignals (only a last {bias, [B]} may follow)",
        ));
    }
    let mut specs = items(t.at(1), 2, "the bias entry")?;
    let what = || "the bias entry".to_string();
    let b = match specs.next() {
        Some(s) => weight_spec(s?, 2, &what)?,
        None => return Err(badarg(2, "the bias entry must hold exactly one weight")),
    };
    if specs.next().is_some() {
        return Err(badarg(2, "the bias entry must hold exactly one weight"));
    }
    if rest.next().is_some() {
        return Err(badarg(
            2,
            "nothing may follow the bias entry of WeightedInputs",
        ));
    }
    Ok(b)
}

nif_pair!(dot_product / dot_product_dirty (signals, weighted) -> Res<f64>, |work| dot_product_impl(signals, weighted, work));

// ---------------------------------------------------------------- flat / batch

/// `sum(S * W) + Bias` streamed from two lists (or decoded from binaries).
/// `pos` are the argument positions of Signals, Weights and Bias.
fn dot_flat_impl(
    signals: Term,
    weights: Term,
    bias: Term,
    pos: [u8; 3],
    work: &mut Work,
) -> Res<f64> {
    let bias = decode::f64_arg(bias, pos[2], "Bias")?;
    if signals.is_binary() || weights.is_binary() {
        let s = decode::f64s(signals, pos[0], "Signals", work)?;
        let w = decode::f64s(weights, pos[1], "Weights", work)?;
        if s.len() != w.len() {
            return tweann_core::dot::dot_flat(&s, &w, bias)
                .map_err(|e| e.at(pos[1]))
                .or_raise();
        }
        // dot_flat's loop, in strides so that a dirty call can stop.
        work.take(s.len())?;
        let mut d = Dot::new();
        for (sc, wc) in s.chunks(STRIDE).zip(w.chunks(STRIDE)) {
            for (&sv, &wv) in sc.iter().zip(wc) {
                d.add(sv, wv);
            }
            work.progress(sc.len())?;
        }
        return d.finish(bias).or_raise();
    }
    let mut ss = NumList::new(signals).ok_or_else(|| badarg(pos[0], "Signals is not a list"))?;
    let mut ws = NumList::new(weights).ok_or_else(|| badarg(pos[1], "Weights is not a list"))?;
    let mut d = Dot::new();
    let mut n = 0usize;
    loop {
        n += 1;
        let sv = match ss.next_num() {
            Next::Num(v) => v,
            Next::End => break,
            Next::Improper => return Err(badarg(pos[0], "Signals is not a proper list")),
            Next::NotNumber => {
                return Err(badarg(
                    pos[0],
                    format!("Signals: element {n} is not a number"),
                ))
            }
        };
        let wv = match ws.next_num() {
            Next::Num(v) => v,
            Next::End => {
                return Err(badarg(
                    pos[1],
                    format!("Weights is shorter than Signals ({n} needed)"),
                ))
            }
            Next::Improper => return Err(badarg(pos[1], "Weights is not a proper list")),
            Next::NotNumber => {
                return Err(badarg(
                    pos[1],
                    format!("Weights: element {n} is not a number"),
                ))
            }
        };
        work.take(2 * NUMBER)?;
        d.add(sv, wv);
    }
    match ws.next_num() {
        Next::End => d.finish(bias).or_raise(),
        Next::Improper => Err(badarg(pos[1], "Weights is not a proper list")),
        _ => Err(badarg(
            pos[1],
            format!("Weights is longer than Signals ({})", n - 1),
        )),
    }
}

/// The common case of [`dot_flat_impl`]: a numeric bias, two lists of
/// numbers of the same length (or two f64 binaries of the same size, finite
/// values), a finite result. `Ok(None)` at anything else; `Err` only when
/// the budget is spent, after the same charges as [`dot_flat_impl`].
#[inline]
fn dot_flat_fast(signals: Term, weights: Term, bias: Term, work: &mut Work) -> Res<Option<f64>> {
    let Some(bias) = decode::number(bias) else {
        return Ok(None);
    };
    let mut d = Dot::new();
    if let (Some(mut ss), Some(mut ws)) = (NumList::new(signals), NumList::new(weights)) {
        loop {
            match (ss.next_num(), ws.next_num()) {
                (Next::Num(s), Next::Num(w)) => {
                    work.take(2 * NUMBER)?;
                    d.add(s, w);
                }
                (Next::End, Next::End) => return Ok(d.finish(bias).ok()),
                _ => return Ok(None),
            }
        }
    }
    let (Ok(sb), Ok(wb)) = (Binary::from_term(signals), Binary::from_term(weights)) else {
        return Ok(None);
    };
    work.take(sb.len() / 8)?;
    work.take(wb.len() / 8)?;
    if sb.len() != wb.len() || sb.len() % 8 != 0 {
        return Ok(None);
    }
    for (s, w) in sb.chunks_exact(8).zip(wb.chunks_exact(8)) {
        let s = f64::from_ne_bytes(s.try_into().expect("8-byte chunk"));
        let w = f64::from_ne_bytes(w.try_into().expect("8-byte chunk"));
        if !(s.is_finite() && w.is_finite()) {
            return Ok(None);
        }
        d.add(s, w);
    }
    Ok(d.finish(bias).ok())
}

/// The normal entry: [`dot_flat_fast`], else (with what is left of the same
/// budget) [`dot_flat_impl`] for the detailed error.
fn dot_flat_normal<'a>(env: Env<'a>, s: Term<'a>, w: Term<'a>, b: Term<'a>) -> Res<Term<'a>> {
    let work = &mut Work::normal();
    match dot_flat_fast(s, w, b, work)? {
        Some(v) => Ok(v.encode(env)),
        None => dot_flat_impl(s, w, b, [1, 2, 3], work).map(|v| v.encode(env)),
    }
}

fast_nif!(dot_product_flat (env; s, w, b) => dot_flat_normal(env, s, w, b));

#[rustler::nif(schedule = "DirtyCpu")]
fn dot_product_flat_dirty<'a>(env: Env<'a>, s: Term<'a>, w: Term<'a>, b: Term<'a>) -> Res<f64> {
    dot_flat_impl(s, w, b, [1, 2, 3], &mut Work::dirty(env))
}

fn dot_batch_impl<'a>(env: Env<'a>, batch: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let mut out = Vec::new();
    for (k, item) in items(batch, 1, "Batch")?.enumerate() {
        work.take(2 * NUMBER)?;
        let t = tuple(item?, 3, 1, || {
            format!(
                "element {} of Batch is not a {{Signals, Weights, Bias}} tuple",
                k + 1
            )
        })?;
        let v = dot_flat_impl(t.at(0), t.at(1), t.at(2), [1, 1, 1], work)?;
        work.push(&mut out, v, "the results")?;
    }
    encode::floats(env, &out, work)
}

nif_pair!(dot_product_batch / dot_product_batch_dirty (env; batch) => dot_batch_impl);

// ---------------------------------------------------------------- flatten_weights/1

fn flatten_impl<'a>(env: Env<'a>, weighted: Term<'a>, work: &mut Work) -> Res<Term<'a>> {
    let (mut ws, mut counts) = (Vec::new(), Vec::new());
    for (k, entry) in items(weighted, 1, "WeightedInputs")?.enumerate() {
        let entry_no = k + 1;
        work.take(2 * NUMBER)?;
        let t = tuple(entry?, 2, 1, || {
            format!("entry {entry_no} of WeightedInputs is not a {{SourceId, Weights}} tuple")
        })?;
        let before = ws.len();
        let what = || format!("entry {entry_no} of WeightedInputs");
        for w in items(t.at(1), 1, "a Weights list")? {
            work.take(NUMBER)?;
            let v = weight_spec(w?, 1, &what)?;
            work.push(&mut ws, v, "the weights")?;
        }
        work.push(&mut counts, (ws.len() - before) as u64, "the counts")?;
    }
    let w = encode::floats(env, &ws, work)?;
    let c = encode::u64s(env, &counts, work)?;
    Ok(encode::pair(env, w, c))
}

nif_pair!(flatten_weights / flatten_weights_dirty (env; weighted) => flatten_impl);
