//! Properties of the cell drivers: rows never interact, a population member
//! equals the single cell, a sequence equals repeated steps, and a wrong
//! parameter length is an error.
//!
//! Configurations, parameters, inputs, states and elapsed times all come
//! from proptest strategies. Numbers are drawn as fixed-size pools that a
//! case reads a prefix of, so they can be drawn independently of the
//! configuration: a failing case first shrinks its configuration, then its
//! numbers.

use proptest::collection::vec;
use proptest::prelude::*;
use tweann_core::cells::{self, BackboneActivation, Cell, CellError, Dts, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};

const MODES: [CfcMode; 3] = [CfcMode::Default, CfcMode::Pure, CfcMode::NoGate];
const MAPPINGS: [Mapping; 3] = [Mapping::Affine, Mapping::Linear, Mapping::None];
const POSITIVITIES: [Positivity; 2] = [Positivity::Softplus, Positivity::Identity];

/// Largest batch (rows), sequence length, input and state row the
/// strategies below produce.
const MAX_BATCH: usize = 4;
const MAX_LEN: usize = 4;
const MAX_IO: usize = 4;

fn cfc_strategy() -> impl Strategy<Value = CfcConfig> {
    (
        1usize..4,
        1usize..5,
        0usize..3,
        1usize..6,
        0usize..3,
        0usize..5,
    )
        .prop_map(|(i, h, m, u, nl, a)| CfcConfig {
            input_size: i,
            hidden_size: h,
            mode: MODES[m],
            backbone_units: u,
            backbone_layers: nl,
            backbone_activation: BackboneActivation::ALL[a],
        })
}

fn ltc_strategy() -> impl Strategy<Value = LtcConfig> {
    (
        1usize..4,
        1usize..5,
        1usize..5,
        1usize..4,
        0usize..2,
        0usize..3,
        0usize..3,
    )
        .prop_map(|(i, n, m, k, pos, im, om)| LtcConfig {
            input_size: i,
            units: n,
            motor_size: m.min(n),
            ode_unfolds: k,
            epsilon: 1e-8,
            positivity: POSITIVITIES[pos],
            input_mapping: MAPPINGS[im],
            output_mapping: MAPPINGS[om],
        })
}

/// The longest parameter vector of any configuration the strategies make.
fn max_params() -> usize {
    let mut max = 0;
    for mode in MODES {
        let cfg = CfcConfig {
            input_size: 3,
            hidden_size: 4,
            mode,
            backbone_units: 5,
            backbone_layers: 2,
            backbone_activation: BackboneActivation::LecunTanh,
        };
        max = max.max(cfg.param_len());
    }
    // The LTC length does not depend on the mappings or the positivity.
    max.max(LtcConfig::new(3, 4).param_len())
}

/// A pool of values in [-1, 1): a case uses its first `n`.
fn pool(len: usize) -> impl Strategy<Value = Vec<f64>> {
    vec(-1.0f64..1.0, len)
}

fn params() -> impl Strategy<Value = Vec<f64>> {
    pool(max_params())
}

fn take(pool: &[f64], n: usize) -> Vec<f64> {
    assert!(n <= pool.len(), "pool of {} values, {n} needed", pool.len());
    pool[..n].to_vec()
}

/// LTC params from a pool, mapped so that the denominator stays positive
/// with either positivity: conductances and capacitances in (0.001, 1),
/// sigma in ~[3, 8], masks 0 or 1.
fn ltc_params(cfg: &LtcConfig, pool: &[f64]) -> Vec<f64> {
    let (i, n) = (cfg.input_size, cfg.units);
    let mut p = take(pool, cfg.param_len());
    let ranges = [
        (0, n),
        (2 * n, 3 * n),
        (3 * n + 2 * n * n, 3 * n + 3 * n * n),
        (3 * n + 5 * n * n + 2 * i * n, 3 * n + 5 * n * n + 3 * i * n),
    ];
    for (a, b) in ranges {
        for x in &mut p[a..b] {
            *x = 0.5 * x.abs() + 0.001;
        }
    }
    for x in &mut p[3 * n..3 * n + n * n] {
        *x = 5.5 + 2.5 * *x;
    }
    let m0 = 3 * n + 4 * n * n + 4 * i * n;
    for x in &mut p[m0..m0 + n * n + i * n] {
        *x = if *x > -0.3 { 1.0 } else { 0.0 };
    }
    p
}

/// Inputs and states for up to [`MAX_BATCH`] rows of [`MAX_LEN`] steps.
fn inputs() -> impl Strategy<Value = Vec<f64>> {
    pool(MAX_BATCH * MAX_LEN * MAX_IO)
}

fn states() -> impl Strategy<Value = Vec<f64>> {
    pool(MAX_BATCH * MAX_IO)
}

fn dt_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), 1e-6f64..1e-3, 0.01f64..10.0, 10.0f64..200.0]
}

fn check_rows_independent<C: Cell>(cell: &C, inputs: &[f64], states: &[f64], dts: &[f64]) {
    let batch = dts.len();
    let (ni, ns, no) = (cell.input_size(), cell.state_size(), cell.output_size());
    let inputs = take(inputs, batch * ni);
    let states = take(states, batch * ns);
    let rows = Rows::Same(cell);
    let (_, ls, lo, lsc) = cells::batch_lengths(&rows, batch);
    let (mut o, mut s, mut sc) = (vec![0.0; lo], vec![0.0; ls], vec![0.0; lsc]);
    cells::step_batch(
        rows,
        batch,
        &inputs,
        &states,
        Dts::Each(dts),
        &mut o,
        &mut s,
        &mut sc,
    )
    .unwrap();
    for r in 0..batch {
        let (o1, s1) = cell
            .step_alloc(
                &inputs[r * ni..(r + 1) * ni],
                &states[r * ns..(r + 1) * ns],
                dts[r],
            )
            .unwrap();
        assert_eq!(&o[r * no..(r + 1) * no], &o1[..], "row {r} output");
        assert_eq!(&s[r * ns..(r + 1) * ns], &s1[..], "row {r} state");
    }
}

fn check_population<C: Cell>(members: &[C], inputs: &[f64], states: &[f64], dt: f64) {
    let batch = members.len();
    let c0 = &members[0];
    let (ni, ns, no) = (c0.input_size(), c0.state_size(), c0.output_size());
    let inputs = take(inputs, batch * ni);
    let states = take(states, batch * ns);
    let rows = Rows::Each(members);
    let (_, ls, lo, lsc) = cells::batch_lengths(&rows, batch);
    let (mut o, mut s, mut sc) = (vec![0.0; lo], vec![0.0; ls], vec![0.0; lsc]);
    cells::step_batch(
        rows,
        batch,
        &inputs,
        &states,
        Dts::All(dt),
        &mut o,
        &mut s,
        &mut sc,
    )
    .unwrap();
    for (r, m) in members.iter().enumerate() {
        let (o1, s1) = m
            .step_alloc(
                &inputs[r * ni..(r + 1) * ni],
                &states[r * ns..(r + 1) * ns],
                dt,
            )
            .unwrap();
        assert_eq!(&o[r * no..(r + 1) * no], &o1[..], "member {r} output");
        assert_eq!(&s[r * ns..(r + 1) * ns], &s1[..], "member {r} state");
    }
}

fn check_sequence<C: Cell>(
    cell: &C,
    (batch, len): (usize, usize),
    inputs: &[f64],
    states0: &[f64],
    dts: &[f64],
) {
    let (ni, ns, no) = (cell.input_size(), cell.state_size(), cell.output_size());
    let inputs = take(inputs, batch * len * ni);
    let states0 = take(states0, batch * ns);
    let rows = Rows::Same(cell);
    let (mut o, mut fin) = (vec![0.0; batch * len * no], vec![0.0; batch * ns]);
    let mut sc = vec![0.0; ns + cell.scratch_len()];
    cells::sequence(
        rows,
        batch,
        len,
        &inputs,
        &states0,
        Dts::Each(dts),
        &mut o,
        &mut fin,
        &mut sc,
    )
    .unwrap();
    for r in 0..batch {
        let mut st = states0[r * ns..(r + 1) * ns].to_vec();
        for t in 0..len {
            let k = r * len + t;
            let (y, s1) = cell
                .step_alloc(&inputs[k * ni..(k + 1) * ni], &st, dts[k])
                .unwrap();
            assert_eq!(&o[k * no..(k + 1) * no], &y[..], "row {r} step {t}");
            st = s1;
        }
        assert_eq!(&fin[r * ns..(r + 1) * ns], &st[..], "row {r} final state");
    }
}

proptest! {
    // Shrinking runs only when a case fails; give it room to simplify the
    // configuration and then the numbers.
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn cfc_rows_never_interact(cfg in cfc_strategy(), p in params(), u in inputs(), s in states(), dts in vec(dt_strategy(), 1..=MAX_BATCH)) {
        let cell = CfcCell::new(cfg, &take(&p, cfg.param_len())).unwrap();
        check_rows_independent(&cell, &u, &s, &dts);
    }

    #[test]
    fn ltc_rows_never_interact(cfg in ltc_strategy(), p in params(), u in inputs(), s in states(), dts in vec(dt_strategy(), 1..=MAX_BATCH)) {
        let cell = LtcCell::new(cfg, &ltc_params(&cfg, &p)).unwrap();
        check_rows_independent(&cell, &u, &s, &dts);
    }

    #[test]
    fn cfc_population_member_equals_single_cell(cfg in cfc_strategy(), ps in vec(params(), 1..=MAX_BATCH), u in inputs(), s in states(), dt in dt_strategy()) {
        let params: Vec<Vec<f64>> = ps.iter().map(|p| take(p, cfg.param_len())).collect();
        let pop = CfcCell::population(cfg, &params).unwrap();
        let singles: Vec<CfcCell> = params.iter().map(|q| CfcCell::new(cfg, q).unwrap()).collect();
        prop_assert_eq!(pop.members(), &singles[..]);
        check_population(pop.members(), &u, &s, dt);
    }

    #[test]
    fn ltc_population_member_equals_single_cell(cfg in ltc_strategy(), ps in vec(params(), 1..=MAX_BATCH), u in inputs(), s in states(), dt in dt_strategy()) {
        let params: Vec<Vec<f64>> = ps.iter().map(|p| ltc_params(&cfg, p)).collect();
        let pop = LtcCell::population(cfg, &params).unwrap();
        let singles: Vec<LtcCell> = params.iter().map(|q| LtcCell::new(cfg, q).unwrap()).collect();
        prop_assert_eq!(pop.members(), &singles[..]);
        check_population(pop.members(), &u, &s, dt);
    }

    #[test]
    fn cfc_sequence_equals_repeated_steps(cfg in cfc_strategy(), p in params(), b in 1usize..=MAX_BATCH, l in 0usize..=MAX_LEN, u in inputs(), s in states(), dts in vec(dt_strategy(), MAX_BATCH * MAX_LEN)) {
        let cell = CfcCell::new(cfg, &take(&p, cfg.param_len())).unwrap();
        check_sequence(&cell, (b, l), &u, &s, &dts[..b * l]);
    }

    #[test]
    fn ltc_sequence_equals_repeated_steps(cfg in ltc_strategy(), p in params(), b in 1usize..=MAX_BATCH, l in 0usize..=MAX_LEN, u in inputs(), s in states(), dts in vec(dt_strategy(), MAX_BATCH * MAX_LEN)) {
        let cell = LtcCell::new(cfg, &ltc_params(&cfg, &p)).unwrap();
        check_sequence(&cell, (b, l), &u, &s, &dts[..b * l]);
    }

    #[test]
    fn wrong_param_length_never_panics(cfg in cfc_strategy(), lcfg in ltc_strategy(), delta in 1usize..4, longer in any::<bool>()) {
        let n = if longer { cfg.param_len() + delta } else { cfg.param_len().saturating_sub(delta) };
        prop_assert_eq!(CfcCell::new(cfg, &vec![0.1; n]).unwrap_err(), CellError::ParamLength { expected: cfg.param_len(), got: n });
        let n = if longer { lcfg.param_len() + delta } else { lcfg.param_len() - delta };
        prop_assert_eq!(LtcCell::new(lcfg, &vec![0.1; n]).unwrap_err(), CellError::ParamLength { expected: lcfg.param_len(), got: n });
    }
}
