//! Golden determinism test: a fixed corpus (every activation, networks with
//! every activation through `evaluate` and `evaluate_batch`, the scalar CfC
//! and ODE kernels, CfC and LTC cell steps) whose result bits are hashed with
//! CRC-32 (the checksum of `erlang:crc32/1`) over the concatenated
//! little-endian bytes. The expected hash is committed: the results must be
//! the same bits on every host (`make check-celeron` runs this under qemu
//! too). The corpus is the one of `test/tweann_golden_tests.erl`, in the same
//! order, so both hashes are equal.
//!
//! A second corpus, of the evolution kernels (novelty, statistics,
//! selection, rewards; indices and counts as floats), has a hash of its own,
//! equal to `?GOLDEN_EVOLUTION` there; a third, of the seeded weight
//! kernels (uniform and Gaussian draws, mutation, distances) and faber's CfC
//! population, equal to `?GOLDEN_WEIGHTS`.

use tweann_core::activation::{Activation, TABLE};
use tweann_core::cells::{BackboneActivation, Cell};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::cfcpop::{CfcPop, Shape};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};
use tweann_core::network::{NetworkBuilder, NodeKind};
use tweann_core::rng::Rng;
use tweann_core::scalar;
use tweann_core::weights::{distance, uniform_weight, Metric, Mutation};
use tweann_core::{novelty, reward, selection, stats};

const GOLDEN: u32 = 1_809_212_989;
const GOLDEN_EVOLUTION: u32 = 519_823_869;
const GOLDEN_WEIGHTS: u32 = 3_717_570_680;

/// CRC-32 (IEEE 802.3, reflected, as zlib and `erlang:crc32/1`).
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A fixed sequence of arguments in about [-11.6, 11.6].
fn arg(k: i64) -> f64 {
    ((k * 7919) % 4001 - 2000) as f64 / 173.0
}

fn args(from: i64, n: i64) -> Vec<f64> {
    (from..from + n).map(arg).collect()
}

fn activations(out: &mut Vec<f64>) {
    let mut xs = args(1, 64);
    xs.extend([
        0.0, -0.0, 1.0e-300, -1.0e-10, 0.5, 700.0, -700.0, 1.0e6, -3.0e5,
    ]);
    for e in TABLE.iter() {
        out.extend(xs.iter().map(|&x| e.activation.apply(x)));
    }
}

fn networks(out: &mut Vec<f64>) {
    let rows: Vec<Vec<f64>> = (0..8).map(|r| args(100 + 2 * r, 2)).collect();
    for e in TABLE.iter() {
        let a: Activation = e.activation;
        let mut b = NetworkBuilder::new(1 << 20);
        b.node(0, NodeKind::Input, Activation::Linear, 0.0).unwrap();
        b.node(1, NodeKind::Input, Activation::Linear, 0.0).unwrap();
        b.node(2, NodeKind::Ordinary, a, 0.25).unwrap();
        b.connect(0, 0.7).unwrap();
        b.connect(1, -1.3).unwrap();
        b.node(3, NodeKind::Ordinary, a, -0.5).unwrap();
        b.connect(0, 1.9).unwrap();
        b.connect(1, 0.4).unwrap();
        b.connect(2, 0.6).unwrap();
        b.node(4, NodeKind::Ordinary, a, 0.1).unwrap();
        b.connect(2, 1.1).unwrap();
        b.connect(3, -0.8).unwrap();
        b.connect(4, 0.3).unwrap();
        let n = b.finish(2, &[4]).unwrap();
        for row in &rows {
            let mut o = [0.0];
            n.evaluate(row, None, &mut o, None).unwrap();
            out.extend(o);
        }
        let flat: Vec<f64> = rows.concat();
        let mut o = vec![0.0; rows.len()];
        n.evaluate_batch(&flat, rows.len(), &mut o).unwrap();
        out.extend(o);
    }
}

fn scalars(out: &mut Vec<f64>) {
    let ins = args(200, 12);
    let taus = [0.5, 1.0, 2.0, 0.1, 3.0, 0.7, 1.5, 0.2, 4.0, 0.9, 1.1, 0.05];
    for ((&u, s), &t) in ins.iter().zip(args(300, 12)).zip(&taus) {
        let (a, b) = scalar::cfc(u, s, t, 5.0, &[], &[]);
        out.extend([a, b]);
    }
    for &u in &ins {
        let (a, b) = scalar::cfc(u, 0.3, 1.0, 5.0, &[0.5, 0.25, -0.1], &[1.5, -0.2]);
        out.extend([a, b]);
    }
    for &u in &ins {
        let (a, b) = scalar::ode(u, 0.2, 0.8, 5.0, 0.1, &[], &[]);
        out.extend([a, b]);
    }
    for &u in &ins {
        let (a, b) = scalar::ode(u, -0.4, 0.8, 5.0, 0.05, &[0.9, -0.3], &[1.2, 0.1]);
        out.extend([a, b]);
    }
    let mut pairs = Vec::new();
    scalar::cfc_batch(&ins, 0.1, 0.6, 3.0, &mut pairs).unwrap();
    for (a, b) in pairs {
        out.extend([a, b]);
    }
}

/// Two rows of one step (outputs of both rows, then new states of both).
fn step<C: Cell>(cell: &C, ns: i64, out: &mut Vec<f64>) {
    let inputs = [args(1000, 3), args(1003, 3)];
    let states = [
        args(1010, ns).iter().map(|x| x / 5.0).collect::<Vec<_>>(),
        args(1020, ns).iter().map(|x| x / 5.0).collect::<Vec<_>>(),
    ];
    let (o0, n0) = cell.step_alloc(&inputs[0], &states[0], 0.5).unwrap();
    let (o1, n1) = cell.step_alloc(&inputs[1], &states[1], 1.3).unwrap();
    out.extend(o0);
    out.extend(o1);
    out.extend(n0);
    out.extend(n1);
}

fn params(len: usize) -> Vec<f64> {
    args(400, len as i64).iter().map(|x| x / 10.0).collect()
}

fn cells(out: &mut Vec<f64>) {
    for (mode, act) in [
        ("default", "lecun_tanh"),
        ("pure", "tanh"),
        ("no_gate", "silu"),
        ("default", "gelu"),
        ("default", "relu"),
    ] {
        let cfg = CfcConfig {
            backbone_units: 6,
            backbone_layers: 1,
            mode: CfcMode::from_name(mode).unwrap(),
            backbone_activation: BackboneActivation::from_name(act).unwrap(),
            ..CfcConfig::new(3, 4)
        };
        let p = params(cfg.param_len());
        step(&CfcCell::new(cfg, &p).unwrap(), 4, out);
    }
    for pos in ["softplus", "identity"] {
        let cfg = LtcConfig {
            motor_size: 2,
            positivity: Positivity::from_name(pos).unwrap(),
            input_mapping: Mapping::Affine,
            ..LtcConfig::new(3, 5)
        };
        let p = params(cfg.param_len());
        step(&LtcCell::new(cfg, &p).unwrap(), 5, out);
    }
}

/// `n` vectors of dimension `dim`, row-major.
fn vecs(from: i64, n: i64, dim: i64) -> Vec<f64> {
    (0..n).flat_map(|i| args(from + dim * i, dim)).collect()
}

fn novelty(out: &mut Vec<f64>) {
    let pop = vecs(2100, 12, 8);
    // The archive holds a copy of the first behaviour (a distance of 0).
    let mut arch = vecs(2300, 20, 8);
    arch.extend_from_slice(&pop[..8]);
    for d in [1, 2, 3, 8, 13] {
        let (a, b) = (args(2500 + d, d), args(2600 + d, d));
        out.push(novelty::euclidean(&a, &b).unwrap().unwrap());
    }
    let all = [pop.as_slice(), arch.as_slice()].concat();
    for (i, d) in novelty::distance_batch(&args(2000, 8), &all).unwrap() {
        out.extend([i as f64, d]);
    }
    for t in [pop[..8].to_vec(), args(2000, 8)] {
        for k in [1, 3, 15, 100] {
            out.push(novelty::knn_novelty(&t, &pop, 12, &arch, 21, k).unwrap());
        }
    }
    for k in [1, 5, 40] {
        novelty::knn_novelty_batch(&pop, 12, &arch, 8, k, out).unwrap();
    }
}

fn stats_part(out: &mut Vec<f64>) {
    let fs = args(3000, 100);
    let pos: Vec<f64> = args(3100, 50).iter().map(|x| x.abs()).collect();
    for f in [&fs[..], &fs[..7], &pos[..]] {
        out.extend(stats::fitness_stats(f).unwrap());
    }
    for d in [0.9, 0.5, 1.0, 1.05] {
        out.push(stats::weighted_moving_average(&fs, d).unwrap());
    }
    for v in [&fs[..], &pos[..], &pos[..3], &[1.0e-300, 1.0, 2.5][..]] {
        out.push(stats::shannon_entropy(v).unwrap());
    }
    for (n, lo, hi) in [(20, -10.0, 10.0), (7, -3.5, 11.0), (3, 0.0, 1.0)] {
        out.extend(
            stats::histogram(&fs, n, lo, hi)
                .unwrap()
                .iter()
                .map(|&c| c as f64),
        );
    }
}

fn selection_part(out: &mut Vec<f64>) {
    let fs = args(4000, 60);
    let (c, t) = selection::cumulative_fitness(&fs).unwrap();
    let abs: Vec<f64> = fs.iter().map(|x| x.abs()).collect();
    let (c2, t2) = selection::cumulative_fitness(&abs).unwrap();
    let rs: Vec<f64> = (1..=40).map(|k| ((k * 37) % 101) as f64 / 100.0).collect();
    out.extend(&c);
    out.push(t);
    out.extend(&c2);
    out.push(t2);
    selection::check_cumulative(&c).unwrap();
    for &r in &rs[..10] {
        let target = selection::target(r, t).unwrap();
        out.push(selection::roulette(&c, target) as f64);
    }
    let wheel = selection::Roulette::new(&c2);
    for &r in &rs {
        out.push(wheel.pick(selection::target(r, t2).unwrap()) as f64);
    }
    let all: Vec<u64> = (0..60).collect();
    for cs in [&[0][..], &[3, 17, 42], &[59, 1, 2, 3, 4, 5], &[7, 7], &all] {
        out.push(selection::tournament(cs, &fs).unwrap() as f64);
    }
}

fn rewards(out: &mut Vec<f64>) {
    // Histories of 0 to 8 values.
    let hs: Vec<Vec<f64>> = (0..9).map(|i| args(5000 + 10 * i, i)).collect();
    let cs = args(5200, 9);
    let (vs, ms, ss) = (args(5300, 6), args(5310, 6), args(5320, 6));
    for i in 0..6 {
        out.push(reward::z_score(vs[i], ms[i], ss[i]).unwrap());
    }
    for (h, &c) in hs.iter().zip(&cs) {
        out.extend(reward::reward_component(h, c).unwrap());
    }
    let mut acc = reward::WeightedReward::default();
    for ((h, &c), w) in hs.iter().zip(&cs).zip(args(5400, 9)) {
        acc.add(h, c, w).unwrap();
    }
    out.push(acc.finish());
}

#[test]
fn golden_evolution_hash() {
    let mut out = Vec::new();
    novelty(&mut out);
    stats_part(&mut out);
    selection_part(&mut out);
    rewards(&mut out);
    let bytes: Vec<u8> = out.iter().flat_map(|x| x.to_le_bytes()).collect();
    let h = crc32(&bytes);
    println!("golden evolution: {} floats, crc32 {h}", out.len());
    assert_eq!(h, GOLDEN_EVOLUTION, "{} floats", out.len());
}

/// Seeds 0, 1, 42 and 2^64 - 1: 100 uniform weights each; 1000 Gaussian
/// draws each (zeros mutated with rate 1, perturb rate 1, strength 1: `0 +
/// 1 * z`, enough draws to reach the Ziggurat's tail and wedges, so its
/// `log` and `exp`); 50 weights mutated (0.5, 0.8, 0.3); the two distances;
/// one step of a population of three 2-3-2 CfC networks.
fn weights_part(out: &mut Vec<f64>) {
    let seeds = [0u64, 1, 42, u64::MAX];
    for s in seeds {
        let mut r = Rng::seeded(s);
        out.extend((0..100).map(|_| uniform_weight(&mut r)));
    }
    let gauss = Mutation::new(1.0, 1.0, 1.0, [2, 3, 4]).unwrap();
    for s in seeds {
        let mut r = Rng::seeded(s);
        for _ in 0..1000 {
            out.push(gauss.apply(0.0, &mut r).unwrap());
        }
    }
    let w = args(6000, 50);
    let m = Mutation::new(0.5, 0.8, 0.3, [2, 3, 4]).unwrap();
    for s in seeds {
        let mut r = Rng::seeded(s);
        for &x in &w {
            out.push(m.apply(x, &mut r).unwrap());
        }
    }
    let b = args(6050, 50);
    out.push(distance(Metric::L1, &w, &b, 2).unwrap());
    out.push(distance(Metric::L2, &w, &b, 2).unwrap());
    let shape = Shape::new(2, 3, 2).unwrap();
    let weights: Vec<f64> = (0..3).flat_map(|i| args(6100 + 17 * i, 17)).collect();
    let taus: Vec<f64> = (0..3)
        .flat_map(|i| args(6200 + 3 * i, 3))
        .map(|x| x.abs() / 3.0 + 0.1)
        .collect();
    let pop = CfcPop::new(shape, 1.5, weights, taus).unwrap();
    let states: Vec<f64> = (0..3).flat_map(|i| args(6300 + 3 * i, 3)).collect();
    let inputs: Vec<f64> = (0..3).flat_map(|i| args(6400 + 2 * i, 2)).collect();
    let (o, ns) = pop.step_vecs(&states, &inputs).unwrap();
    out.extend(o);
    out.extend(ns);
}

#[test]
fn golden_weights_hash() {
    let mut out = Vec::new();
    weights_part(&mut out);
    let bytes: Vec<u8> = out.iter().flat_map(|x| x.to_le_bytes()).collect();
    let h = crc32(&bytes);
    println!("golden weights: {} floats, crc32 {h}", out.len());
    assert_eq!(h, GOLDEN_WEIGHTS, "{} floats", out.len());
}

#[test]
fn crc32_is_the_zlib_checksum() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

#[test]
fn golden_corpus_hash() {
    let mut out = Vec::new();
    activations(&mut out);
    networks(&mut out);
    scalars(&mut out);
    cells(&mut out);
    let bytes: Vec<u8> = out.iter().flat_map(|x| x.to_le_bytes()).collect();
    let h = crc32(&bytes);
    println!("golden: {} floats, crc32 {h}", out.len());
    assert_eq!(h, GOLDEN, "{} floats", out.len());
}
