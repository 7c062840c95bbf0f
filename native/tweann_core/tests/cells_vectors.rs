//! CfC / LTC cells against reference vectors produced by ncps itself
//! (torch, float64; `tests/gen_vectors.py`), plus property tests of the
//! drivers: rows never interact, a population member equals the single cell,
//! a sequence equals repeated steps; and bad input gives errors.

use proptest::prelude::*;
use tweann_core::cells::{self, BackboneActivation, Cell, CellError, Dts, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};

const VECTORS: &str = include_str!("data/cells_vectors.txt");

/// `|got - want| <= 1e-12 * |want| + 1e-14` (cfc_ltc.md section 6).
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-12 * want.abs() + 1e-14
}

#[derive(Default, Debug)]
struct Case {
    name: String,
    kind: String,
    ty: String,
    cfg: Vec<(String, String)>,
    batch: usize,
    len: usize,
    params: Vec<f64>,
    inputs: Vec<f64>,
    states: Vec<f64>,
    dts: Vec<f64>,
    outputs: Vec<f64>,
    new_states: Vec<f64>,
}

impl Case {
    fn cfg(&self, key: &str) -> &str {
        &self
            .cfg
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{}: no cfg key {key}", self.name))
            .1
    }

    fn usize(&self, key: &str) -> usize {
        self.cfg(key).parse().unwrap()
    }
}

fn parse_vectors() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut cur = Case::default();
    for line in VECTORS.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut toks = line.split_whitespace();
        let key = toks.next().unwrap();
        let nums = |toks: std::str::SplitWhitespace<'_>| -> Vec<f64> {
            let mut toks = toks;
            let n: usize = toks.next().unwrap().parse().unwrap();
            let v: Vec<f64> = toks.map(|t| t.parse::<f64>().unwrap()).collect();
            assert_eq!(v.len(), n, "count mismatch in {key}");
            v
        };
        match key {
            "case" => cur.name = toks.next().unwrap().to_string(),
            "kind" => cur.kind = toks.next().unwrap().to_string(),
            "type" => cur.ty = toks.next().unwrap().to_string(),
            "cfg" => {
                cur.cfg = toks
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap();
                        (k.to_string(), v.to_string())
                    })
                    .collect()
            }
            "batch" => cur.batch = toks.next().unwrap().parse().unwrap(),
            "len" => cur.len = toks.next().unwrap().parse().unwrap(),
            "params" => cur.params = nums(toks),
            "inputs" => cur.inputs = nums(toks),
            "states" => cur.states = nums(toks),
            "dts" => cur.dts = nums(toks),
            "outputs" => cur.outputs = nums(toks),
            "new_states" => cur.new_states = nums(toks),
            "end" => cases.push(std::mem::take(&mut cur)),
            other => panic!("unknown line {other}"),
        }
    }
    cases
}

fn cfc_config(c: &Case) -> CfcConfig {
    CfcConfig {
        input_size: c.usize("input_size"),
        hidden_size: c.usize("hidden_size"),
        mode: CfcMode::from_name(c.cfg("mode")).unwrap(),
        backbone_units: c.usize("backbone_units"),
        backbone_layers: c.usize("backbone_layers"),
        backbone_activation: BackboneActivation::from_name(c.cfg("backbone_activation")).unwrap(),
    }
}

fn ltc_config(c: &Case) -> LtcConfig {
    LtcConfig {
        input_size: c.usize("input_size"),
        units: c.usize("units"),
        motor_size: c.usize("motor_size"),
        ode_unfolds: c.usize("ode_unfolds"),
        epsilon: c.cfg("epsilon").parse().unwrap(),
        positivity: Positivity::from_name(c.cfg("positivity")).unwrap(),
        input_mapping: Mapping::from_name(c.cfg("input_mapping")).unwrap(),
        output_mapping: Mapping::from_name(c.cfg("output_mapping")).unwrap(),
    }
}

/// Runs the case through the flat drivers; returns (outputs, new_states).
fn run<C: Cell>(cell: &C, c: &Case) -> (Vec<f64>, Vec<f64>) {
    let rows = Rows::Same(cell);
    let (_, ls, lo, lsc) = cells::batch_lengths(&rows, c.batch);
    let mut ns = vec![0.0; ls];
    if c.ty == "step" {
        let mut out = vec![0.0; lo];
        let mut sc = vec![0.0; lsc];
        cells::step_batch(
            rows,
            c.batch,
            &c.inputs,
            &c.states,
            Dts::Each(&c.dts),
            &mut out,
            &mut ns,
            &mut sc,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        (out, ns)
    } else {
        let mut out = vec![0.0; lo * c.len];
        let mut sc = vec![0.0; lsc + cell.state_size()];
        cells::sequence(
            rows,
            c.batch,
            c.len,
            &c.inputs,
            &c.states,
            Dts::Each(&c.dts),
            &mut out,
            &mut ns,
            &mut sc,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        (out, ns)
    }
}

fn compare(name: &str, what: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "{name}: {what} length");
    let mut worst = 0.0f64;
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(*g, *w),
            "{name}: {what}[{k}] = {g:e}, ncps says {w:e} (diff {:e})",
            g - w
        );
        worst = worst.max((g - w).abs());
    }
    worst
}

#[test]
fn vectors_match_ncps() {
    let cases = parse_vectors();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let (mut n_cfc, mut n_ltc, mut worst) = (0, 0, 0.0f64);
    let mut modes = std::collections::HashSet::new();
    for c in &cases {
        let (out, ns) = match c.kind.as_str() {
            "cfc" => {
                n_cfc += 1;
                let cfg = cfc_config(c);
                modes.insert((
                    cfg.mode.name(),
                    cfg.backbone_layers,
                    cfg.backbone_activation.name(),
                ));
                let cell = CfcCell::new(cfg, &c.params).unwrap();
                run(&cell, c)
            }
            "ltc" => {
                n_ltc += 1;
                let cell = LtcCell::new(ltc_config(c), &c.params).unwrap();
                run(&cell, c)
            }
            k => panic!("kind {k}"),
        };
        worst = worst.max(compare(&c.name, "outputs", &out, &c.outputs));
        worst = worst.max(compare(&c.name, "new_states", &ns, &c.new_states));
    }
    assert!(n_cfc >= 20 && n_ltc >= 12, "{n_cfc} cfc, {n_ltc} ltc");
    for mode in ["default", "pure", "no_gate"] {
        for nl in 0..3 {
            assert!(
                modes.iter().any(|m| m.0 == mode && m.1 == nl),
                "missing {mode} nl={nl}"
            );
        }
    }
    for a in BackboneActivation::ALL {
        assert!(
            modes.iter().any(|m| m.2 == a.name()),
            "missing activation {}",
            a.name()
        );
    }
    eprintln!("{n_cfc} CfC + {n_ltc} LTC cases, worst |diff| {worst:e}");
}

#[test]
fn vectors_population_and_nested_api() {
    // The same cases through a population of identical members (step cases)
    // and through the nested convenience API.
    for c in parse_vectors().iter().filter(|c| c.ty == "step") {
        let per = |flat: &[f64], w: usize| -> Vec<Vec<f64>> {
            flat.chunks(w).map(|r| r.to_vec()).collect()
        };
        if c.kind == "cfc" {
            let cfg = cfc_config(c);
            let pop = CfcCell::population(cfg, &vec![c.params.clone(); c.batch]).unwrap();
            let (o, s) = cells::step_rows(
                pop.rows(),
                &per(&c.inputs, cfg.input_size),
                &per(&c.states, cfg.hidden_size),
                Dts::Each(&c.dts),
            )
            .unwrap();
            compare(&c.name, "pop outputs", &o.concat(), &c.outputs);
            compare(&c.name, "pop states", &s.concat(), &c.new_states);
        } else {
            let cfg = ltc_config(c);
            let pop = LtcCell::population(cfg, &vec![c.params.clone(); c.batch]).unwrap();
            let (o, s) = cells::step_rows(
                pop.rows(),
                &per(&c.inputs, cfg.input_size),
                &per(&c.states, cfg.units),
                Dts::Each(&c.dts),
            )
            .unwrap();
            compare(&c.name, "pop outputs", &o.concat(), &c.outputs);
            compare(&c.name, "pop states", &s.concat(), &c.new_states);
        }
    }
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

fn small_cfc() -> (CfcConfig, Vec<f64>) {
    let cfg = CfcConfig {
        backbone_units: 4,
        ..CfcConfig::new(2, 3)
    };
    let p = (0..cfg.param_len())
        .map(|k| (k as f64 * 0.37).sin())
        .collect();
    (cfg, p)
}

fn small_ltc() -> (LtcConfig, Vec<f64>) {
    let cfg = LtcConfig::new(2, 3);
    let p = (0..cfg.param_len())
        .map(|k| (k as f64 * 0.37).sin())
        .collect();
    (cfg, p)
}

#[test]
fn bad_input_is_an_error() {
    let (cfg, p) = small_cfc();
    let e = CfcCell::new(cfg, &p[1..]).unwrap_err();
    assert_eq!(
        e,
        CellError::ParamLength {
            expected: p.len(),
            got: p.len() - 1
        }
    );
    assert!(e.to_string().contains(&format!("expected {}", p.len())));
    let mut q = p.clone();
    q[5] = f64::NAN;
    assert_eq!(
        CfcCell::new(cfg, &q).unwrap_err(),
        CellError::NonFiniteParam { index: 5 }
    );
    assert!(matches!(
        CfcMode::from_name("gated"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        BackboneActivation::from_name("sigmoid"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        CfcCell::new(
            CfcConfig {
                hidden_size: 0,
                ..cfg
            },
            &p
        ),
        Err(CellError::InvalidConfig(_))
    ));
    let huge = CfcConfig {
        backbone_units: usize::MAX / 2,
        ..cfg
    };
    assert!(matches!(
        CfcCell::new(huge, &p),
        Err(CellError::InvalidConfig(_))
    ));

    let cell = CfcCell::new(cfg, &p).unwrap();
    assert!(matches!(
        cell.step_alloc(&[0.1], &[0.0; 3], 1.0),
        Err(CellError::InputLength { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 2], 1.0),
        Err(CellError::StateLength { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], -1.0),
        Err(CellError::BadDt { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], f64::NAN),
        Err(CellError::BadDt { .. })
    ));
    assert!(cell.step_alloc(&[0.1, 0.2], &[0.0; 3], 0.0).is_ok());
    assert!(matches!(
        cell.step_alloc(&[f64::INFINITY, 0.2], &[0.0; 3], 1.0),
        Err(CellError::NonFiniteInput { row: 0, index: 0 })
    ));
    // mismatched rows in a batch
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2], vec![0.3]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::InputLength {
            row: 1,
            expected: 2,
            got: 1
        }
    );
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert!(matches!(r, Err(CellError::BatchSize { .. })));
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3]],
        Dts::Each(&[1.0, 2.0]),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::DtLength {
            expected: 1,
            got: 2
        }
    );
    // population size must equal batch size
    let pop = CfcCell::population(cfg, &[p.clone(), p.clone()]).unwrap();
    let r = cells::step_rows(
        pop.rows(),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::BatchSize {
            expected: 2,
            got: 1
        }
    );
    let e = CfcCell::population(cfg, &[p.clone(), p[1..].to_vec()]).unwrap_err();
    assert!(matches!(e, CellError::Member { member: 1, .. }), "{e}");
    assert!(e.to_string().contains("member 1"));
    assert_eq!(
        CfcCell::population::<Vec<f64>>(cfg, &[]).unwrap_err(),
        CellError::EmptyPopulation
    );
    // sequences of unequal length
    let r = cells::sequence_rows(
        Rows::Same(&cell),
        &[vec![vec![0.1, 0.2]; 2], vec![vec![0.1, 0.2]; 3]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert!(matches!(r, Err(CellError::SequenceLength { row: 1, .. })));
    // overflow is an error, not inf/NaN
    let mut big = p.clone();
    big.iter_mut().for_each(|x| *x *= 1e300);
    let cell = CfcCell::new(cfg, &big).unwrap();
    assert!(matches!(
        cell.step_alloc(&[1e10, 1e10], &[1e10; 3], 1.0),
        Err(CellError::NonFinite { .. })
    ));

    let (cfg, p) = small_ltc();
    assert_eq!(
        LtcCell::new(cfg, &p[..10]).unwrap_err(),
        CellError::ParamLength {
            expected: p.len(),
            got: 10
        }
    );
    assert!(matches!(
        Positivity::from_name("relu"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        Mapping::from_name("bias"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        LtcCell::new(
            LtcConfig {
                motor_size: 4,
                ..cfg
            },
            &p
        ),
        Err(CellError::InvalidConfig(_))
    ));
    let cell = LtcCell::new(cfg, &p).unwrap();
    for dt in [0.0, -0.5, f64::INFINITY, f64::NAN] {
        assert!(
            matches!(
                cell.step_alloc(&[0.1, 0.2], &[0.0; 3], dt),
                Err(CellError::BadDt { .. })
            ),
            "{dt}"
        );
    }
    let r = cells::step_rows(
        Rows::Same(&cell),
        &vec![vec![0.1, 0.2]; 2],
        &vec![vec![0.0; 3]; 2],
        Dts::Each(&[1.0, 0.0]),
    );
    assert!(matches!(r, Err(CellError::BadDt { row: 1, .. })));
    // a denominator of exactly zero (identity positivity) is an overflow error
    let zero = LtcConfig {
        positivity: Positivity::Identity,
        epsilon: 0.0,
        ..cfg
    };
    let cell = LtcCell::new(zero, &vec![0.0; zero.param_len()]).unwrap();
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], 1.0),
        Err(CellError::NonFinite { .. })
    ));
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

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
            mode: [CfcMode::Default, CfcMode::Pure, CfcMode::NoGate][m],
            backbone_units: u,
            backbone_layers: nl,
            backbone_activation: BackboneActivation::ALL[a],
        })
}

fn ltc_strategy() -> impl Strategy<Value = LtcConfig> {
    (
        1usize..4,
        1usize..5,
        1usize..4,
        0usize..2,
        0usize..3,
        0usize..3,
    )
        .prop_flat_map(|(i, n, k, pos, im, om)| {
            (1..=n).prop_map(move |m| LtcConfig {
                input_size: i,
                units: n,
                motor_size: m,
                ode_unfolds: k,
                epsilon: 1e-8,
                positivity: [Positivity::Softplus, Positivity::Identity][pos],
                input_mapping: [Mapping::Affine, Mapping::Linear, Mapping::None][im],
                output_mapping: [Mapping::Affine, Mapping::Linear, Mapping::None][om],
            })
        })
}

/// Deterministic pseudo-random values in [-1, 1) from a seed.
fn values(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

/// LTC params that keep the denominator positive with either positivity:
/// conductances and capacitances in (0.001, 1).
fn ltc_params(cfg: &LtcConfig, seed: u64) -> Vec<f64> {
    let (i, n) = (cfg.input_size, cfg.units);
    let mut p = values(seed, cfg.param_len());
    let pos = |x: f64| 0.5 * x.abs() + 0.001;
    let ranges = [
        (0, n, true),
        (2 * n, 3 * n, true),
        (3 * n + 2 * n * n, 3 * n + 3 * n * n, true),
        (
            3 * n + 5 * n * n + 2 * i * n,
            3 * n + 5 * n * n + 3 * i * n,
            true,
        ),
    ];
    for (a, b, _) in ranges {
        for x in &mut p[a..b] {
            *x = pos(*x);
        }
    }
    // sigma in ~[3, 8]
    for x in &mut p[3 * n..3 * n + n * n] {
        *x = 5.5 + 2.5 * *x;
    }
    // masks: 0/1
    let m0 = 3 * n + 4 * n * n + 4 * i * n;
    for x in &mut p[m0..m0 + n * n + i * n] {
        *x = if *x > -0.3 { 1.0 } else { 0.0 };
    }
    p
}

fn check_rows_independent<C: Cell>(cell: &C, batch: usize, seed: u64, dts: &[f64]) {
    let inputs = values(seed ^ 1, batch * cell.input_size());
    let states = values(seed ^ 2, batch * cell.state_size());
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
    let (ni, ns, no) = (cell.input_size(), cell.state_size(), cell.output_size());
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

fn check_population<C: Cell + Clone>(members: &[C], seed: u64, dt: f64) {
    let batch = members.len();
    let c0 = &members[0];
    let inputs = values(seed ^ 3, batch * c0.input_size());
    let states = values(seed ^ 4, batch * c0.state_size());
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
    let (ni, ns, no) = (c0.input_size(), c0.state_size(), c0.output_size());
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

fn check_sequence<C: Cell>(cell: &C, batch: usize, len: usize, seed: u64, dts: &[f64]) {
    let (ni, ns, no) = (cell.input_size(), cell.state_size(), cell.output_size());
    let inputs = values(seed ^ 5, batch * len * ni);
    let states0 = values(seed ^ 6, batch * ns);
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

fn dt_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), 1e-6f64..1e-3, 0.01f64..10.0, 10.0f64..200.0]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn cfc_rows_never_interact(cfg in cfc_strategy(), seed in any::<u64>(), dts in prop::collection::vec(dt_strategy(), 1..5)) {
        let cell = CfcCell::new(cfg, &values(seed, cfg.param_len())).unwrap();
        check_rows_independent(&cell, dts.len(), seed, &dts);
    }

    #[test]
    fn ltc_rows_never_interact(cfg in ltc_strategy(), seed in any::<u64>(), dts in prop::collection::vec(dt_strategy(), 1..5)) {
        let cell = LtcCell::new(cfg, &ltc_params(&cfg, seed)).unwrap();
        check_rows_independent(&cell, dts.len(), seed, &dts);
    }

    #[test]
    fn cfc_population_member_equals_single_cell(cfg in cfc_strategy(), seed in any::<u64>(), p in 1usize..5, dt in dt_strategy()) {
        let params: Vec<Vec<f64>> = (0..p as u64).map(|k| values(seed.wrapping_add(k), cfg.param_len())).collect();
        let pop = CfcCell::population(cfg, &params).unwrap();
        let singles: Vec<CfcCell> = params.iter().map(|q| CfcCell::new(cfg, q).unwrap()).collect();
        prop_assert_eq!(pop.members(), &singles[..]);
        check_population(pop.members(), seed, dt);
    }

    #[test]
    fn ltc_population_member_equals_single_cell(cfg in ltc_strategy(), seed in any::<u64>(), p in 1usize..5, dt in dt_strategy()) {
        let params: Vec<Vec<f64>> = (0..p as u64).map(|k| ltc_params(&cfg, seed.wrapping_add(k))).collect();
        let pop = LtcCell::population(cfg, &params).unwrap();
        check_population(pop.members(), seed, dt);
    }

    #[test]
    fn cfc_sequence_equals_repeated_steps(cfg in cfc_strategy(), seed in any::<u64>(), b in 1usize..4, l in 0usize..5, dt in dt_strategy()) {
        let cell = CfcCell::new(cfg, &values(seed, cfg.param_len())).unwrap();
        let dts: Vec<f64> = (0..b * l).map(|k| dt * (1.0 + k as f64 * 0.5)).collect();
        check_sequence(&cell, b, l, seed, &dts);
    }

    #[test]
    fn ltc_sequence_equals_repeated_steps(cfg in ltc_strategy(), seed in any::<u64>(), b in 1usize..4, l in 0usize..5, dt in dt_strategy()) {
        let cell = LtcCell::new(cfg, &ltc_params(&cfg, seed)).unwrap();
        let dts: Vec<f64> = (0..b * l).map(|k| dt * (1.0 + k as f64 * 0.5)).collect();
        check_sequence(&cell, b, l, seed, &dts);
    }

    #[test]
    fn wrong_param_length_never_panics(cfg in cfc_strategy(), lcfg in ltc_strategy(), delta in 1usize..4, longer in any::<bool>()) {
        let n = if longer { cfg.param_len() + delta } else { cfg.param_len().saturating_sub(delta) };
        prop_assert_eq!(CfcCell::new(cfg, &vec![0.1; n]).unwrap_err(), CellError::ParamLength { expected: cfg.param_len(), got: n });
        let n = if longer { lcfg.param_len() + delta } else { lcfg.param_len() - delta };
        prop_assert_eq!(LtcCell::new(lcfg, &vec![0.1; n]).unwrap_err(), CellError::ParamLength { expected: lcfg.param_len(), got: n });
    }
}
