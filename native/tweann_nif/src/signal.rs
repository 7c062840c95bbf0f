//! Signal-aggregator NIFs (dot products, flatten_weights, activate_batch)
//! and NEAT compatibility distance.
//!
//! The dot products stream pairs straight from the Erlang lists into one
//! [`Dot`] accumulator: no vectors are built, which is what makes a NIF call
//! pay off even at 10 elements.

use crate::atoms;
use crate::decode::{self, items, tuple, Items, NORMAL_WORK_LIMIT};
use crate::error::{badarg, OrRaise, Res};
use crate::numlist::{Next, NumList};
use rustler::{Encoder, Env, Term};
use tweann_core::dot::Dot;
use tweann_core::neat;

/// `Ok(None)` means: too much work for a normal scheduler.
type Maybe<T> = Res<Option<T>>;

fn dirty(env: Env) -> Res<Term> {
    Ok(atoms::tweann_dirty().encode(env))
}

fn finish<'a, T: Encoder>(env: Env<'a>, r: Maybe<T>) -> Res<Term<'a>> {
    match r? {
        Some(v) => Ok(v.encode(env)),
        None => dirty(env),
    }
}

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

fn dot_product_impl<'a>(signals: Term<'a>, weighted: Term<'a>, limit: usize) -> Maybe<f64> {
    let mut wts = items(weighted, 2, "WeightedInputs")?;
    let mut d = Dot::new();
    let mut work = 0usize;
    for (k, s) in items(signals, 1, "InputSignals")?.enumerate() {
        let entry = k + 1;
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
        if st.at(0) != wt.at(0) {
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
            d.add(sv, wv);
            work += 1;
        }
        if ws.next().is_some() {
            return Err(badarg(
                2,
                format!("entry {entry}: more weights than signals"),
            ));
        }
        if work > limit {
            return Ok(None);
        }
    }
    let bias = trailing_bias(wts)?;
    d.finish(bias).or_raise().map(Some)
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
        return Err(badarg(2, "WeightedInputs has more entries than InputSignals (only a last {bias, [B]} may follow)"));
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

#[rustler::nif]
fn dot_product<'a>(env: Env<'a>, signals: Term<'a>, weighted: Term<'a>) -> Res<Term<'a>> {
    finish(env, dot_product_impl(signals, weighted, NORMAL_WORK_LIMIT))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn dot_product_dirty<'a>(env: Env<'a>, signals: Term<'a>, weighted: Term<'a>) -> Res<Term<'a>> {
    finish(env, dot_product_impl(signals, weighted, usize::MAX))
}

// ---------------------------------------------------------------- flat / batch

/// `sum(S * W) + Bias` streamed from two lists. `base` offsets argument
/// positions (0 for dot_product_flat/3; batch items report argument 1).
fn dot_flat_impl<'a>(
    signals: Term<'a>,
    weights: Term<'a>,
    bias: Term<'a>,
    pos: [u8; 3],
    limit: usize,
) -> Maybe<f64> {
    let bias = decode::f64_arg(bias, pos[2], "Bias")?;
    let mut d = Dot::new();
    if signals.is_binary() || weights.is_binary() {
        let s = decode::f64s(signals, pos[0], "Signals")?;
        let w = decode::f64s(weights, pos[1], "Weights")?;
        return tweann_core::dot::dot_flat(&s, &w, bias)
            .map_err(|e| e.at(pos[1]))
            .or_raise()
            .map(Some);
    }
    let mut ss = NumList::new(signals).ok_or_else(|| badarg(pos[0], "Signals is not a list"))?;
    let mut ws = NumList::new(weights).ok_or_else(|| badarg(pos[1], "Weights is not a list"))?;
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
        d.add(sv, wv);
        if n > limit {
            return Ok(None);
        }
    }
    match ws.next_num() {
        Next::End => d.finish(bias).or_raise().map(Some),
        Next::Improper => Err(badarg(pos[1], "Weights is not a proper list")),
        _ => Err(badarg(
            pos[1],
            format!("Weights is longer than Signals ({})", n - 1),
        )),
    }
}

#[rustler::nif]
fn dot_product_flat<'a>(env: Env<'a>, s: Term<'a>, w: Term<'a>, b: Term<'a>) -> Res<Term<'a>> {
    finish(env, dot_flat_impl(s, w, b, [1, 2, 3], NORMAL_WORK_LIMIT))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn dot_product_flat_dirty<'a>(
    env: Env<'a>,
    s: Term<'a>,
    w: Term<'a>,
    b: Term<'a>,
) -> Res<Term<'a>> {
    finish(env, dot_flat_impl(s, w, b, [1, 2, 3], usize::MAX))
}

fn dot_batch_impl(batch: Term, limit: usize) -> Maybe<Vec<f64>> {
    let mut out = Vec::new();
    let mut work = 0usize;
    for (k, item) in items(batch, 1, "Batch")?.enumerate() {
        let t = tuple(item?, 3, 1, || {
            format!(
                "element {} of Batch is not a {{Signals, Weights, Bias}} tuple",
                k + 1
            )
        })?;
        match dot_flat_impl(
            t.at(0),
            t.at(1),
            t.at(2),
            [1, 1, 1],
            limit.saturating_sub(work),
        )? {
            Some(v) => out.push(v),
            None => return Ok(None),
        }
        work += 1 + decode::list_len(t.at(0), 1, "Signals").unwrap_or(0);
        if work > limit {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

#[rustler::nif]
fn dot_product_batch<'a>(env: Env<'a>, batch: Term<'a>) -> Res<Term<'a>> {
    finish(env, dot_batch_impl(batch, NORMAL_WORK_LIMIT))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn dot_product_batch_dirty<'a>(env: Env<'a>, batch: Term<'a>) -> Res<Term<'a>> {
    finish(env, dot_batch_impl(batch, usize::MAX))
}

// ---------------------------------------------------------------- flatten, activate

fn flatten_impl(weighted: Term, limit: usize) -> Maybe<(Vec<f64>, Vec<u64>)> {
    let (mut ws, mut counts) = (Vec::new(), Vec::new());
    for (k, entry) in items(weighted, 1, "WeightedInputs")?.enumerate() {
        let entry_no = k + 1;
        let t = tuple(entry?, 2, 1, || {
            format!("entry {entry_no} of WeightedInputs is not a {{SourceId, Weights}} tuple")
        })?;
        let before = ws.len();
        let what = || format!("entry {entry_no} of WeightedInputs");
        for w in items(t.at(1), 1, "a Weights list")? {
            ws.push(weight_spec(w?, 1, &what)?);
        }
        counts.push((ws.len() - before) as u64);
        if ws.len() + counts.len() > limit {
            return Ok(None);
        }
    }
    Ok(Some((ws, counts)))
}

#[rustler::nif]
fn flatten_weights<'a>(env: Env<'a>, weighted: Term<'a>) -> Res<Term<'a>> {
    finish(env, flatten_impl(weighted, NORMAL_WORK_LIMIT))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn flatten_weights_dirty<'a>(env: Env<'a>, weighted: Term<'a>) -> Res<Term<'a>> {
    finish(env, flatten_impl(weighted, usize::MAX))
}

fn activate_impl(values: Term, act: Term, limit: usize) -> Maybe<Vec<f64>> {
    let a = atoms::acts::decode(act).ok_or_else(|| badarg(2, "unknown activation"))?;
    if decode::f64s_len(values, 1, "Values")? > limit {
        return Ok(None);
    }
    let mut v = decode::f64s(values, 1, "Values")?;
    for x in v.iter_mut() {
        *x = a.apply(*x);
        if !x.is_finite() {
            return Err(crate::error::raise(tweann_core::CoreError::overflow(
                "arithmetic overflow in the activation",
            )));
        }
    }
    Ok(Some(v))
}

#[rustler::nif]
fn activate_batch<'a>(env: Env<'a>, values: Term<'a>, act: Term<'a>) -> Res<Term<'a>> {
    finish(env, activate_impl(values, act, NORMAL_WORK_LIMIT / 2))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn activate_batch_dirty<'a>(env: Env<'a>, values: Term<'a>, act: Term<'a>) -> Res<Term<'a>> {
    finish(env, activate_impl(values, act, usize::MAX))
}

// ---------------------------------------------------------------- NEAT distance

fn genes(term: Term, arg: u8, what: &'static str, limit: usize) -> Maybe<Vec<neat::Gene>> {
    let mut g = Vec::new();
    for (k, item) in items(term, arg, what)?.enumerate() {
        let t = tuple(item?, 2, arg, || {
            format!(
                "{what}: element {} is not an {{Innovation, Weight}} tuple",
                k + 1
            )
        })?;
        let inn = decode::uint(t.at(0)).ok_or_else(|| {
            badarg(
                arg,
                format!(
                    "{what}: element {}: Innovation must be a non-negative integer",
                    k + 1
                ),
            )
        })?;
        let w = decode::number(t.at(1)).ok_or_else(|| {
            badarg(
                arg,
                format!("{what}: element {}: Weight is not a number", k + 1),
            )
        })?;
        g.push((inn, w));
        if g.len() > limit {
            return Ok(None);
        }
    }
    Ok(Some(g))
}

fn distance_impl(a: Term, b: Term, c1: Term, c2: Term, c3: Term, limit: usize) -> Maybe<f64> {
    let c1 = decode::f64_arg(c1, 3, "C1")?;
    let c2 = decode::f64_arg(c2, 4, "C2")?;
    let c3 = decode::f64_arg(c3, 5, "C3")?;
    let Some(mut ga) = genes(a, 1, "GenesA", limit)? else {
        return Ok(None);
    };
    let Some(mut gb) = genes(b, 2, "GenesB", limit.saturating_sub(ga.len()))? else {
        return Ok(None);
    };
    neat::prepare(&mut ga, 1).or_raise()?;
    neat::prepare(&mut gb, 2).or_raise()?;
    neat::distance(&ga, &gb, c1, c2, c3).or_raise().map(Some)
}

#[rustler::nif]
fn compatibility_distance<'a>(
    env: Env<'a>,
    a: Term<'a>,
    b: Term<'a>,
    c1: Term<'a>,
    c2: Term<'a>,
    c3: Term<'a>,
) -> Res<Term<'a>> {
    finish(env, distance_impl(a, b, c1, c2, c3, NORMAL_WORK_LIMIT / 4))
}

#[rustler::nif(schedule = "DirtyCpu")]
fn compatibility_distance_dirty<'a>(
    env: Env<'a>,
    a: Term<'a>,
    b: Term<'a>,
    c1: Term<'a>,
    c2: Term<'a>,
    c3: Term<'a>,
) -> Res<Term<'a>> {
    finish(env, distance_impl(a, b, c1, c2, c3, usize::MAX))
}
