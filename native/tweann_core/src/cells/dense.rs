//! Dense products of the liquid cells: `W z + b` with the weights stored
//! transposed, in a fixed summation order.

/// `y[o] = (sum_i w[o, i] * z[i]) + b[o]` for a row-major `w` stored
/// **transposed**: `wt[i * out + o] = w[o, i]`.
///
/// The sum for each `o` starts at `0.0` and adds the terms in increasing `i`,
/// then the bias — exactly the order of a naive loop over a row of `w`, so
/// the result is bit-identical to it. Looping `i` outside and `o` inside keeps
/// the inner loop over contiguous memory with independent accumulators, which
/// the compiler vectorises (two lanes with SSE2) without reordering any sum.
///
/// Lengths: `wt.len() == z.len() * y.len()`, `b.len() == y.len()`.
#[inline]
pub fn dense_t(wt: &[f64], b: &[f64], z: &[f64], y: &mut [f64]) {
    let out = y.len();
    debug_assert_eq!(wt.len(), z.len() * out);
    debug_assert_eq!(b.len(), out);
    y.iter_mut().for_each(|v| *v = 0.0);
    for (zi, wrow) in z.iter().zip(wt.chunks_exact(out)) {
        let zi = *zi;
        for (acc, w) in y.iter_mut().zip(wrow) {
            *acc += w * zi;
        }
    }
    for (acc, bo) in y.iter_mut().zip(b) {
        *acc += bo;
    }
}

/// Transposes a row-major `[rows, cols]` matrix into `[cols, rows]`.
pub fn transpose(m: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut t = vec![0.0; m.len()];
    transpose_into(m, rows, cols, &mut t);
    t
}

/// [`transpose`] into a fallibly allocated vector.
pub(crate) fn try_transpose(
    m: &[f64],
    rows: usize,
    cols: usize,
) -> Result<Vec<f64>, super::CellError> {
    let mut t = super::try_zeros(m.len(), 0)?;
    transpose_into(m, rows, cols, &mut t);
    Ok(t)
}

fn transpose_into(m: &[f64], rows: usize, cols: usize, t: &mut [f64]) {
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
}

/// `true` if every value is finite.
#[inline]
pub fn all_finite(xs: &[f64]) -> bool {
    // Branch-free fold so the loop vectorises.
    xs.iter().fold(true, |ok, x| ok & x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_t_matches_naive() {
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
        let b = [0.5, -0.5];
        let z = [0.1, 0.2, 0.3];
        let wt = transpose(&w, 2, 3);
        let mut y = [0.0; 2];
        dense_t(&wt, &b, &z, &mut y);
        for o in 0..2 {
            let mut acc = 0.0;
            for i in 0..3 {
                acc += w[o * 3 + i] * z[i];
            }
            assert_eq!(y[o], acc + b[o]);
        }
    }
}
