//! CfC / LTC cells against reference vectors produced by ncps itself
//! (torch, float64; `tests/gen_vectors.py`). `cells_errors.rs` checks bad
//! input, `cells_props.rs` the properties of the drivers.

use tweann_core::cells::{self, BackboneActivation, Cell, Dts, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};

const VECTORS: &str = include_str!("data/cells_vectors.txt");

/// `|got - want| <= 1e-12 * |want| + 1e-14` (docs/cells.md section 6).
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
