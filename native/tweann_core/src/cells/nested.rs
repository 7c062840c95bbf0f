//! The drivers over nested `Vec` rows, for tests and simple callers: they
//! flatten the rows, call [`step_batch`] or [`sequence`], and split the results.

use super::drivers::sizes;
use super::{batch_lengths, check_row, sequence, step_batch, Cell, CellError, Dts, Rows};

/// `(outputs[r], new_states[r])` of [`step_rows`].
pub type NestedStep = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// `(outputs[r][t], final_states[r])` of [`sequence_rows`].
pub type NestedSequence = (Vec<Vec<Vec<f64>>>, Vec<Vec<f64>>);

/// Convenience for tests and simple callers: one step of a batch given as
/// nested rows; returns `(outputs, new_states)`, one `Vec` per row. Each row
/// is checked (its index is in the error).
pub fn step_rows<C: Cell>(
    rows: Rows<'_, C>,
    inputs: &[Vec<f64>],
    states: &[Vec<f64>],
    dts: Dts<'_>,
) -> Result<NestedStep, CellError> {
    let batch = inputs.len();
    if states.len() != batch {
        return Err(CellError::BatchSize {
            expected: batch,
            got: states.len(),
        });
    }
    rows.check_batch(batch)?;
    dts.check_len(batch)?;
    for r in 0..batch {
        check_row(rows.cell(r), r, &inputs[r], &states[r])?;
    }
    let fi: Vec<f64> = inputs.concat();
    let fs: Vec<f64> = states.concat();
    let (_, ls, lo, lsc) = batch_lengths(&rows, batch);
    let (mut o, mut s, mut sc) = (vec![0.0; lo], vec![0.0; ls], vec![0.0; lsc]);
    step_batch(rows, batch, &fi, &fs, dts, &mut o, &mut s, &mut sc)?;
    let (_, ns, no) = sizes(&rows);
    Ok((split(&o, no, batch), split(&s, ns, batch)))
}

/// Convenience: a batch of sequences given as nested rows
/// (`inputs[r][t]` is one input row); returns `(outputs[r][t], final_states[r])`.
/// Every row must have the same number of steps.
pub fn sequence_rows<C: Cell>(
    rows: Rows<'_, C>,
    inputs: &[Vec<Vec<f64>>],
    states0: &[Vec<f64>],
    dts: Dts<'_>,
) -> Result<NestedSequence, CellError> {
    let batch = inputs.len();
    if states0.len() != batch {
        return Err(CellError::BatchSize {
            expected: batch,
            got: states0.len(),
        });
    }
    rows.check_batch(batch)?;
    let len = inputs.first().map_or(0, |s| s.len());
    for (r, seq) in inputs.iter().enumerate() {
        if seq.len() != len {
            return Err(CellError::SequenceLength {
                row: r,
                expected: len,
                got: seq.len(),
            });
        }
        let cell = rows.cell(r);
        if states0[r].len() != cell.state_size() {
            return Err(CellError::StateLength {
                row: r,
                expected: cell.state_size(),
                got: states0[r].len(),
            });
        }
        for u in seq {
            if u.len() != cell.input_size() {
                return Err(CellError::InputLength {
                    row: r,
                    expected: cell.input_size(),
                    got: u.len(),
                });
            }
        }
    }
    let fi: Vec<f64> = inputs
        .iter()
        .flat_map(|s| s.iter().flatten().copied())
        .collect();
    let fs: Vec<f64> = states0.concat();
    let (_, ls, lo, lsc) = batch_lengths(&rows, batch);
    let (_, ns, no) = sizes(&rows);
    let mut o = vec![0.0; lo * len];
    let mut s = vec![0.0; ls];
    let mut sc = vec![0.0; lsc + ns];
    sequence(rows, batch, len, &fi, &fs, dts, &mut o, &mut s, &mut sc)?;
    let outs = split(&o, no * len, batch)
        .into_iter()
        .map(|row| split(&row, no, len))
        .collect();
    Ok((outs, split(&s, ns, batch)))
}

fn split(flat: &[f64], width: usize, n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|r| flat[r * width..(r + 1) * width].to_vec())
        .collect()
}
