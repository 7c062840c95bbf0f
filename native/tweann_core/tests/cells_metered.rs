//! The metered drivers (`step_batch_metered`, `sequence_metered`): metering
//! never changes a result, a meter that stops a driver stops it before the
//! step that would exceed its limit (the steps done until then are those of
//! the unmetered run, bit for bit), and the ranges `LtcConfig::validate`
//! enforces (`ode_unfolds` up to `MAX_ODE_UNFOLDS`).

use proptest::collection::vec;
use proptest::prelude::*;
use tweann_core::cells::{self, Cell, CellError, Dts, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig};
use tweann_core::ltc::{LtcCell, LtcConfig, MAX_ODE_UNFOLDS};
use tweann_core::meter::{Limit, Unmetered};

const MAX_BATCH: usize = 3;
const MAX_LEN: usize = 5;

fn cfc(i: usize, h: usize, u: usize, pool: &[f64]) -> CfcCell {
    let mut c = CfcConfig::new(i, h);
    c.backbone_units = u;
    let p: Vec<f64> = (0..c.param_len()).map(|k| pool[k % pool.len()]).collect();
    CfcCell::new(c, &p).expect("valid cell")
}

fn ltc(i: usize, n: usize, unfolds: usize, pool: &[f64]) -> LtcCell {
    let mut c = LtcConfig::new(i, n);
    c.ode_unfolds = unfolds;
    let p: Vec<f64> = (0..c.param_len()).map(|k| pool[k % pool.len()]).collect();
    LtcCell::new(c, &p).expect("valid cell")
}

/// Runs `sequence_metered` with a meter of `limit` units; returns the
/// result, the outputs and the final states.
fn run_seq<C: Cell>(
    cell: &C,
    (b, l): (usize, usize),
    u: &[f64],
    s: &[f64],
    limit: Option<usize>,
) -> (Result<(), CellError>, Vec<f64>, Vec<f64>) {
    let (ni, ns, no) = (cell.input_size(), cell.state_size(), cell.output_size());
    let u = &u[..b * l * ni];
    let s = &s[..b * ns];
    let mut o = vec![0.0; b * l * no];
    let mut f = vec![0.0; b * ns];
    let mut sc = vec![0.0; ns + cell.scratch_len()];
    let bufs = (&mut o[..], &mut f[..], &mut sc[..]);
    let r = match limit {
        None => cells::sequence_metered(
            Rows::Same(cell),
            (b, l),
            u,
            s,
            Dts::All(0.5),
            bufs,
            &mut Unmetered,
        ),
        Some(lim) => {
            let mut m = Limit::new(lim);
            cells::sequence_metered(Rows::Same(cell), (b, l), u, s, Dts::All(0.5), bufs, &mut m)
        }
    };
    (r, o, f)
}

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A meter that never stops gives the unmetered bits; one that stops
    /// after `k` steps' worth of units says Interrupted, and the outputs of
    /// those `k` steps are the unmetered run's.
    #[test]
    fn metering_never_changes_results(
        i in 1usize..4, h in 1usize..4, u in 1usize..5, n in 1usize..4, unfolds in 1usize..4,
        b in 1usize..=MAX_BATCH, l in 1usize..=MAX_LEN,
        pool in vec(-1.0f64..1.0, 8..32),
        xs in vec(-2.0f64..2.0, MAX_BATCH * MAX_LEN * 4),
        ss in vec(-1.0f64..1.0, MAX_BATCH * 4),
        stop_frac in 0.0f64..1.0,
    ) {
        let c = cfc(i, h, u, &pool);
        let t = ltc(i, n, unfolds, &pool);
        check_cell(&c, (b, l), &xs, &ss, stop_frac)?;
        check_cell(&t, (b, l), &xs, &ss, stop_frac)?;
    }

    /// step_batch_metered: the same for one step of a batch.
    #[test]
    fn metered_step_equals_step(
        i in 1usize..4, h in 1usize..4, u in 1usize..5,
        b in 1usize..=MAX_BATCH,
        pool in vec(-1.0f64..1.0, 8..32),
        xs in vec(-2.0f64..2.0, MAX_BATCH * 4),
        ss in vec(-1.0f64..1.0, MAX_BATCH * 4),
    ) {
        let c = cfc(i, h, u, &pool);
        let (ni, ns, no) = (c.input_size(), c.state_size(), c.output_size());
        let (x, s) = (&xs[..b * ni], &ss[..b * ns]);
        let mut sc = vec![0.0; c.scratch_len()];
        let (mut o1, mut n1) = (vec![0.0; b * no], vec![0.0; b * ns]);
        cells::step_batch(Rows::Same(&c), b, x, s, Dts::All(0.25), &mut o1, &mut n1, &mut sc).unwrap();
        let (mut o2, mut n2) = (vec![0.0; b * no], vec![0.0; b * ns]);
        let mut m = Limit::new(b * c.work());
        cells::step_batch_metered(Rows::Same(&c), b, x, s, Dts::All(0.25), (&mut o2, &mut n2, &mut sc), &mut m).unwrap();
        prop_assert_eq!(bits(&o1), bits(&o2));
        prop_assert_eq!(bits(&n1), bits(&n2));
        prop_assert_eq!(m.ticked, b * c.work());
        let mut short = Limit::new(b * c.work() - 1);
        let r = cells::step_batch_metered(Rows::Same(&c), b, x, s, Dts::All(0.25), (&mut o2, &mut n2, &mut sc), &mut short);
        prop_assert_eq!(r, Err(CellError::Interrupted));
    }
}

fn check_cell<C: Cell>(
    cell: &C,
    (b, l): (usize, usize),
    xs: &[f64],
    ss: &[f64],
    stop_frac: f64,
) -> Result<(), TestCaseError> {
    let (r0, o0, f0) = run_seq(cell, (b, l), xs, ss, None);
    prop_assert!(r0.is_ok());
    // The validation ticks one unit per input value and state row first.
    let checks = b * l * (cell.input_size() + 1);
    let all = checks + b * l * cell.work();
    let (r1, o1, f1) = run_seq(cell, (b, l), xs, ss, Some(all));
    prop_assert!(r1.is_ok());
    prop_assert_eq!(bits(&o0), bits(&o1));
    prop_assert_eq!(bits(&f0), bits(&f1));
    // Stop after `k` whole steps (row-major: row 0's steps first).
    let k = ((b * l) as f64 * stop_frac) as usize;
    let (r2, o2, _) = run_seq(cell, (b, l), xs, ss, Some(checks + k * cell.work()));
    prop_assert_eq!(r2, Err(CellError::Interrupted));
    let no = cell.output_size();
    prop_assert_eq!(bits(&o0[..k * no]), bits(&o2[..k * no]));
    Ok(())
}

#[test]
fn ode_unfolds_range() {
    let pool = [0.1, -0.2, 0.3];
    assert_eq!(
        ltc(2, 3, MAX_ODE_UNFOLDS, &pool).config().ode_unfolds,
        MAX_ODE_UNFOLDS
    );
    for bad in [0, MAX_ODE_UNFOLDS + 1, u32::MAX as usize] {
        let mut c = LtcConfig::new(2, 3);
        c.ode_unfolds = bad;
        assert!(
            matches!(c.validate(), Err(CellError::InvalidConfig(_))),
            "{bad}"
        );
    }
}

#[test]
fn cell_bytes_cover_the_parameters() {
    let mut c = CfcConfig::new(4, 8);
    c.backbone_units = 16;
    assert!(c.cell_bytes() >= 8 * c.param_len());
    let l = LtcConfig::new(4, 8);
    assert!(l.cell_bytes() >= 8 * (l.param_len() + l.units));
    // Sizes whose parameter count overflows are refused before any
    // allocation is sized from them.
    let big = CfcConfig::new(usize::MAX / 2, usize::MAX / 2);
    assert!(big.validate().is_err());
}
