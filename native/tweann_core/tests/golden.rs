//! Golden determinism test: a fixed corpus (every activation, networks with
//! every activation through `evaluate` and `evaluate_batch`, the scalar CfC
//! and ODE kernels, CfC and LTC cell steps) whose result bits are hashed with
//! CRC-32 (the checksum of `erlang:crc32/1`) over the concatenated
//! little-endian bytes. The expected hash is committed: the results must be
//! the same bits on every host (`make check-celeron` runs this under qemu
//! too). The corpus is the one of `test/tweann_golden_tests.erl`, in the same
//! order, so both hashes are equal.

use tweann_core::activation::{Activation, TABLE};
use tweann_core::cells::{BackboneActivation, Cell};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};
use tweann_core::network::{NetworkBuilder, NodeKind};
use tweann_core::scalar;

const GOLDEN: u32 = 307_729_324;

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
