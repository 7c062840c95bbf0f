//! Tests of the TWNN network format.

use super::*;
use crate::network::{NetworkBuilder, NodeKind};
use proptest::prelude::*;

fn encode(net: &Network) -> Vec<u8> {
    let mut out = vec![0u8; network_encoded_len(net)];
    encode_network(net, &mut out).unwrap();
    out
}

/// A random network like network.rs's tests build: interleaved inputs,
/// forward and self references, liquid nodes, sparse indices.
fn random_network(seed: u64, n: usize, ni: usize) -> Network {
    random_network_in(seed, n, ni, StateModel::Organelles)
}

fn random_network_in(seed: u64, n: usize, ni: usize, model: StateModel) -> Network {
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let total = n + ni;
    let mut b = NetworkBuilder::new(usize::MAX).with_state_model(model);
    let mut inputs_left = ni;
    for pos in 0..total {
        let idx = (pos as u64) * 5 + 2;
        if inputs_left > 0 && (total - pos <= inputs_left || next() % 3 == 0) {
            b.node(idx, NodeKind::Input, Activation::Tanh, 0.5).unwrap();
            inputs_left -= 1;
            continue;
        }
        let act = Activation::ALL[(next() % 17) as usize];
        let kind = match next() % 10 {
            0 => NodeKind::Cfc {
                tau: 0.0001 + (next() % 100) as f64 / 40.0,
                bound: 1.5,
            },
            1 => NodeKind::Ltc {
                tau: 0.5 + (next() % 100) as f64 / 50.0,
                bound: 2.0,
            },
            2 => NodeKind::Delay,
            3 => NodeKind::Leaky {
                tau: 0.25 + (next() % 100) as f64 / 20.0,
            },
            _ => NodeKind::Ordinary,
        };
        let bias = (next() % 2001) as f64 / 1000.0 - 1.0;
        b.node(idx, kind, act, bias).unwrap();
        for _ in 0..(next() % 6) {
            let from = (next() % total as u64) * 5 + 2;
            let w = (next() % 2001) as f64 / 1000.0 - 1.0;
            b.connect(from, w).unwrap();
        }
    }
    let outs: Vec<u64> = (0..4).map(|k| ((k * 7) % total) as u64 * 5 + 2).collect();
    b.finish(ni, &outs).unwrap()
}

fn run(net: &Network, inputs: &[f64], state: &[f64]) -> (Vec<u64>, Vec<u64>) {
    let mut out = vec![0.0; net.output_count()];
    let mut next = vec![0.0; net.state_size()];
    match net.evaluate(inputs, Some(state), &mut out, Some(&mut next)) {
        Ok(()) => (
            out.iter().map(|v| v.to_bits()).collect(),
            next.iter().map(|v| v.to_bits()).collect(),
        ),
        Err(_) => (vec![u64::MAX], vec![]),
    }
}

#[test]
fn empty_network_round_trips() {
    let net = NetworkBuilder::new(usize::MAX).finish(0, &[]).unwrap();
    let bin = encode(&net);
    assert_eq!(bin.len(), 44);
    assert_eq!(&bin[..4], b"TWNN");
    let back = decode_network(&bin, usize::MAX).unwrap();
    assert_eq!(back.info(), net.info());
    assert_eq!(encode(&back), bin);
}

/// The header and body of a version 2 binary, field by field.
fn v2(flags: u16, counts: [u32; 5], body: &[u8]) -> Vec<u8> {
    let mut want = Vec::new();
    want.extend_from_slice(b"TWNN");
    want.extend_from_slice(&2u16.to_le_bytes());
    want.extend_from_slice(&flags.to_le_bytes());
    let len = 16 + 20 + body.len() as u64 + 4;
    want.extend_from_slice(&len.to_le_bytes());
    for v in counts {
        want.extend_from_slice(&v.to_le_bytes());
    }
    want.extend_from_slice(body);
    let crc = crate::codec::crc32(&want);
    want.extend_from_slice(&crc.to_le_bytes());
    want
}

fn le(u32s: &[u32], f64s: &[f64]) -> Vec<u8> {
    let mut b = Vec::new();
    for v in u32s {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for v in f64s {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

#[test]
fn layout_is_as_documented() {
    let mut b = NetworkBuilder::new(usize::MAX);
    b.node(7, NodeKind::Input, Activation::Sin, 3.0).unwrap();
    b.node(
        9,
        NodeKind::Cfc {
            tau: 0.0001,
            bound: 2.0,
        },
        Activation::Tanh,
        0.25,
    )
    .unwrap();
    b.connect(7, -1.5).unwrap();
    b.connect(9, 0.5).unwrap();
    b.node(4, NodeKind::Delay, Activation::Cos, -1.0).unwrap();
    b.connect(9, 2.0).unwrap();
    b.node(5, NodeKind::Leaky { tau: 3.0 }, Activation::Sin, 0.0)
        .unwrap();
    b.connect(4, 1.0).unwrap();
    let net = b.finish(1, &[9, 5]).unwrap();
    let bin = encode(&net);
    let mut body = vec![128, 129, 131, 132];
    body.extend(le(&[], &[0.0, 0.25, -1.0, 0.0]));
    body.extend(le(&[0, 0, 2, 3, 4], &[]));
    body.extend(le(&[0, 1, 1, 2], &[]));
    body.extend(le(&[], &[-1.5, 0.5, 2.0, 1.0]));
    body.extend(le(&[], &[0.001, 2.0, 3.0]));
    body.extend(le(&[1, 3], &[]));
    assert_eq!(bin, v2(0, [4, 4, 2, 1, 1], &body));
    assert_eq!(bin.len(), 44 + 4 * 13 + 4 * 12 + 16 + 8 + 2 * 4);
    // The forward_refs model sets flags bit 0 and nothing else.
    let mut b = NetworkBuilder::new(usize::MAX).with_state_model(StateModel::ForwardRefs);
    b.node(0, NodeKind::Ordinary, Activation::Linear, 0.5)
        .unwrap();
    b.connect(0, 1.0).unwrap();
    let net = b.finish(0, &[0]).unwrap();
    let mut body = vec![6];
    body.extend(le(&[], &[0.5]));
    body.extend(le(&[0, 1, 0], &[1.0]));
    body.extend(le(&[0], &[]));
    assert_eq!(encode(&net), v2(1, [1, 1, 1, 0, 0], &body));
    let back = decode_network(&encode(&net), usize::MAX).unwrap();
    assert_eq!(back.info(), net.info());
    assert_eq!(back.info().state_size, 1);
}

/// A version 1 binary (no leaky fields, no flags) is read as the
/// forward_refs model it was written under.
#[test]
fn version_1_is_read_as_forward_refs() {
    let mut want = Vec::new();
    want.extend_from_slice(b"TWNN");
    want.extend_from_slice(&1u16.to_le_bytes());
    want.extend_from_slice(&0u16.to_le_bytes());
    want.extend_from_slice(&0u64.to_le_bytes());
    want.extend(le(&[2, 2, 1, 1], &[]));
    want.extend_from_slice(&[128, 129]);
    want.extend(le(&[], &[0.0, 0.25]));
    want.extend(le(&[0, 0, 2, 0, 1], &[-1.5, 0.5, 0.001, 2.0]));
    want.extend(le(&[1], &[]));
    want.extend_from_slice(&[0, 0, 0, 0]);
    let want = reseal(want);
    assert_eq!(want.len(), 16 + 16 + 2 * 13 + 4 + 2 * 12 + 16 + 4 + 4);
    let net = decode_network(&want, usize::MAX).unwrap();
    let i = net.info();
    assert_eq!(i.state_model, StateModel::ForwardRefs);
    assert_eq!(
        (i.nodes, i.connections, i.state_size, i.liquid_nodes),
        (2, 2, 1, 1)
    );
    // Written back as version 2 with the forward_refs flag.
    let bin = encode(&net);
    assert_eq!(&bin[4..8], &[2, 0, 1, 0]);
    assert_eq!(decode_network(&bin, usize::MAX).unwrap().info(), i);
    // Version 1 knows neither the new kinds nor any flag.
    let mut x = want.clone();
    x[32] = 131;
    let e = decode_network(&reseal(x), usize::MAX).unwrap_err();
    assert!(e.reason.contains("unknown kind tag 131"), "{}", e.reason);
    let mut x = want.clone();
    x[6] = 1;
    let e = decode_network(&reseal(x), usize::MAX).unwrap_err();
    assert!(e.reason.contains("version 1 defines none"), "{}", e.reason);
}

#[test]
fn every_corruption_is_an_error() {
    let net = random_network(42, 12, 3);
    let bin = encode(&net);
    for i in 0..bin.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = bin.clone();
            b[i] ^= bit;
            let e = decode_network(&b, usize::MAX).unwrap_err();
            assert_eq!(e.position, crate::Position::Arg(1));
        }
    }
    for len in 0..bin.len() {
        assert!(decode_network(&bin[..len], usize::MAX).is_err());
    }
    let mut longer = bin.clone();
    longer.push(0);
    assert!(decode_network(&longer, usize::MAX).is_err());
}

/// Re-seals a modified body with a correct length and CRC, so that the
/// field validation itself is exercised.
fn reseal(mut b: Vec<u8>) -> Vec<u8> {
    let len = b.len() as u64;
    b[8..16].copy_from_slice(&len.to_le_bytes());
    let end = b.len() - 4;
    let crc = crate::codec::crc32(&b[..end]);
    b[end..].copy_from_slice(&crc.to_le_bytes());
    b
}

#[test]
fn resealed_bad_fields_are_rejected() {
    let mut b = NetworkBuilder::new(usize::MAX);
    b.node(0, NodeKind::Input, Activation::Tanh, 0.0).unwrap();
    b.node(1, NodeKind::Ordinary, Activation::Tanh, 0.0)
        .unwrap();
    b.connect(0, 1.0).unwrap();
    let net = b.finish(1, &[1]).unwrap();
    let bin = encode(&net);
    let msg = |b: Vec<u8>| decode_network(&reseal(b), usize::MAX).unwrap_err().reason;
    // Layout: counts at 16, kinds at 36, biases at 38, rows at 54,
    // sources at 66, weights at 70, outputs at 78.
    let mut x = bin.clone();
    x[37] = 17;
    assert!(msg(x).contains("unknown kind tag 17"));
    let mut x = bin.clone();
    x[37] = 133;
    assert!(msg(x).contains("unknown kind tag 133"));
    let mut x = bin.clone();
    x[37] = 132;
    assert!(msg(x).contains("counts 0 leaky nodes but the kinds hold 1"));
    let mut x = bin.clone();
    x[46..54].copy_from_slice(&f64::NAN.to_le_bytes());
    assert!(msg(x).contains("bias"));
    let mut x = bin.clone();
    x[58..62].copy_from_slice(&1u32.to_le_bytes());
    assert!(msg(x).contains("input node"));
    let mut x = bin.clone();
    x[66..70].copy_from_slice(&2u32.to_le_bytes());
    assert!(msg(x).contains("source position 2"));
    let mut x = bin.clone();
    x[70..78].copy_from_slice(&f64::INFINITY.to_le_bytes());
    assert!(msg(x).contains("weight"));
    let mut x = bin.clone();
    x[78..82].copy_from_slice(&5u32.to_le_bytes());
    assert!(msg(x).contains("output 0"));
    let mut x = bin.clone();
    x[6] = 2;
    assert!(msg(x).contains("flags"));
    let mut x = bin.clone();
    x[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(msg(x).contains("counts"));
    let mut x = bin.clone();
    x[16..20].copy_from_slice(&3u32.to_le_bytes());
    assert!(msg(x).contains("do not match"));
    let mut x = bin.clone();
    x[32..36].copy_from_slice(&3u32.to_le_bytes());
    assert!(msg(x).contains("impossible counts"));
    let mut x = bin.clone();
    x[4] = 3;
    assert!(msg(x).contains("version 3"));
    let mut x = bin.clone();
    x[0] = b'X';
    assert!(msg(x).contains("magic"));
    let mut x = bin.clone();
    x[..4].copy_from_slice(b"TWNC");
    assert!(msg(x).contains("cell_from_binary"));
    // A leaky node's Tau must be finite and > 0.
    let mut b = NetworkBuilder::new(usize::MAX);
    b.node(0, NodeKind::Leaky { tau: 2.0 }, Activation::Tanh, 0.0)
        .unwrap();
    let bin = encode(&b.finish(0, &[]).unwrap());
    // counts 20, kinds 1, bias 8, rows 8: tau at 36 + 17.
    for bad_tau in [0.0, -1.0, f64::NAN] {
        let mut x = bin.clone();
        x[53..61].copy_from_slice(&bad_tau.to_le_bytes());
        assert!(msg(x).contains("leaky node 0: Tau"));
    }
}

#[test]
fn budget_is_checked_before_allocating() {
    let net = random_network(7, 50, 2);
    let bin = encode(&net);
    let e = decode_network(&bin, 100).unwrap_err();
    assert_eq!(e.kind, crate::error::ErrorKind::Memory);
    assert!(decode_network(&bin, bin.len() * 4).is_ok());
}

proptest! {
    #[test]
    fn round_trip_is_bit_identical(seed in any::<u64>(), n in 1usize..40, ni in 0usize..5,
                                   x in -3.0f64..3.0, fwd in any::<bool>()) {
        let model = if fwd { StateModel::ForwardRefs } else { StateModel::Organelles };
        let net = random_network_in(seed, n, ni, model);
        let bin = encode(&net);
        let back = decode_network(&bin, usize::MAX).unwrap();
        prop_assert_eq!(back.info(), net.info());
        prop_assert_eq!(back.input_count(), net.input_count());
        prop_assert_eq!(encode(&back), bin.clone());
        let inputs: Vec<f64> = (0..ni).map(|k| x + k as f64 * 0.37).collect();
        let state: Vec<f64> = (0..net.state_size()).map(|k| x * 0.5 - k as f64 * 0.1).collect();
        let zeros = vec![0.0; net.state_size()];
        prop_assert_eq!(run(&net, &inputs, &state), run(&back, &inputs, &state));
        prop_assert_eq!(run(&net, &inputs, &zeros), run(&back, &inputs, &zeros));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_network(&bytes, 1 << 20);
        // And with a valid header, length and CRC around random bytes.
        let mut b = Vec::new();
        for version in [1u16, 2] {
            b.clear();
            b.extend_from_slice(b"TWNN");
            b.extend_from_slice(&version.to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes());
            b.extend_from_slice(&0u64.to_le_bytes());
            b.extend_from_slice(&bytes);
            b.extend_from_slice(&[0, 0, 0, 0]);
            let _ = decode_network(&reseal(b.clone()), 1 << 20);
        }
    }
}
