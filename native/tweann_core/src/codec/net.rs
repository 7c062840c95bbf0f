//! The network format (`TWNN`, version 1).
//!
//! ```text
//! header                       16 bytes (see the codec module)
//! node_count        u32        n
//! connection_count  u32        c
//! output_count      u32        o
//! liquid_count      u32        l  (nodes whose kind is cfc or ltc)
//! kinds             [n] u8     0..=16 an ordinary node with that activation
//!                              (Activation tag order), 128 input, 129 cfc,
//!                              130 ltc
//! biases            [n] f64    (0.0 for input nodes)
//! row_starts        [n+1] u32  node i's connections are
//!                              row_starts[i] .. row_starts[i+1]
//! sources           [c] u32    the source's position in the node list
//! weights           [c] f64
//! liquid            [l] (tau f64, bound f64), in node order; tau is written
//!                              as max(tau, 0.001), the value the step uses
//! outputs           [o] u32    positions of the output nodes
//! trailer           CRC-32
//! ```
//!
//! Everything else (input positions, state slots, forward references) is
//! derived from these fields exactly as compilation derives it. Node
//! indices are not kept: a decoded network names nodes by position.

use super::wire::{self, open, read_f64s, read_u32s, Writer, CELL_MAGIC, NET_MAGIC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::network::{Network, MAX_INDEX, OP_CFC, OP_INPUT, OP_LTC};

const TAG_INPUT: u8 = 128;
const TAG_CFC: u8 = 129;
const TAG_LTC: u8 = 130;
const COUNTS_LEN: usize = 16;

fn bad(reason: impl Into<String>) -> CoreError {
    CoreError::badarg(1, reason)
}

/// Bytes of the encoded form of `net` (about its compiled size: 13 bytes
/// per node, 12 per connection, 16 per liquid node, 4 per output, plus 40).
pub fn network_encoded_len(net: &Network) -> usize {
    let (n, c) = (net.ops().len(), net.sources().len());
    let l = net.ops().iter().filter(|&&op| is_liquid(op)).count();
    let o = net.output_positions().len();
    body_len(n as u64, c as u64, l as u64, o as u64) as usize
}

fn is_liquid(op: u8) -> bool {
    op == OP_CFC || op == OP_LTC
}

/// The whole binary's size for the given counts (cannot overflow u64 for
/// u32 counts).
fn body_len(n: u64, c: u64, l: u64, o: u64) -> u64 {
    (wire::HEADER_LEN + COUNTS_LEN + wire::TRAILER_LEN) as u64
        + n * 13
        + 4
        + c * 12
        + l * 16
        + o * 4
}

/// The smallest tau a liquid step uses (`scalar::cfc`, `scalar::ode`).
fn floor_tau(tau: f64) -> f64 {
    if tau > 0.001 {
        tau
    } else {
        0.001
    }
}

/// Writes `net` into `out`, which must be exactly
/// [`network_encoded_len`]`(net)` bytes.
pub fn encode_network(net: &Network, out: &mut [u8]) -> Result<(), CoreError> {
    let ops = net.ops();
    let n = ops.len();
    let liquid: Vec<(f64, f64)> = net.liquid_params().collect();
    let mut w = Writer::new(out, NET_MAGIC);
    w.u32(n as u32);
    w.u32(net.sources().len() as u32);
    w.u32(net.output_positions().len() as u32);
    w.u32(liquid.len() as u32);
    for &op in ops {
        w.u8(match op {
            OP_INPUT => TAG_INPUT,
            OP_CFC => TAG_CFC,
            OP_LTC => TAG_LTC,
            act => act,
        });
    }
    for (&op, &b) in ops.iter().zip(net.biases()) {
        w.f64(if op == OP_INPUT { 0.0 } else { b });
    }
    w.u32s(net.row_starts());
    w.u32s(net.sources());
    w.f64s(net.weights());
    for &(tau, bound) in &liquid {
        w.f64(floor_tau(tau));
        w.f64(bound);
    }
    w.u32s(net.output_positions());
    w.finish()
}

/// Reads a network binary, validating every field; `budget` caps the bytes
/// the decoded network may hold.
pub fn decode_network(bin: &[u8], budget: usize) -> Result<Network, CoreError> {
    let (mut r, flags) = open(bin, NET_MAGIC, "a network", (CELL_MAGIC, "a cell"))?;
    if flags != 0 {
        return Err(bad(format!(
            "unknown flags {flags:#06x} (version 1 defines none)"
        )));
    }
    let n = r.u32()? as u64;
    let c = r.u32()? as u64;
    let o = r.u32()? as u64;
    let l = r.u32()? as u64;
    if n > MAX_INDEX + 1 || c > MAX_INDEX || o > MAX_INDEX || l > n {
        return Err(bad(format!(
            "impossible counts: {n} nodes, {c} connections, {o} outputs, {l} liquid nodes"
        )));
    }
    if body_len(n, c, l, o) != bin.len() as u64 {
        return Err(bad(format!(
            "{} bytes do not match the counts in the header \
             ({n} nodes, {c} connections, {o} outputs, {l} liquid nodes need {} bytes)",
            bin.len(),
            body_len(n, c, l, o)
        )));
    }
    // From here every count is bounded by the binary's own size.
    let (n, c, o, l) = (n as usize, c as usize, o as usize, l as usize);
    // What the decoded network holds: ops, bias, rows, sources, weights,
    // liquid, outputs, plus at most n input positions, n slots, n flags.
    let need = n * (1 + 8 + 4 + 4 + 4 + 1) + 4 + c * 12 + l * 16 + o * 4;
    if need > budget {
        return Err(CoreError::memory(format!(
            "decoding this network needs {need} bytes, over the memory budget of {budget} bytes"
        )));
    }
    let tags = r.take(n)?;
    let mut ops = try_vec::<u8>(n, "node kinds")?;
    let mut liquid_seen = 0usize;
    for (pos, &t) in tags.iter().enumerate() {
        let op = match t {
            TAG_INPUT => OP_INPUT,
            TAG_CFC => OP_CFC,
            TAG_LTC => OP_LTC,
            a if (a as usize) < Activation::ALL.len() => a,
            other => {
                return Err(bad(format!(
                    "node at position {pos}: unknown kind tag {other}"
                )))
            }
        };
        if is_liquid(op) {
            liquid_seen += 1;
        }
        ops.push(op);
    }
    if liquid_seen != l {
        return Err(bad(format!(
            "the header counts {l} liquid nodes but the kinds hold {liquid_seen}"
        )));
    }
    let mut bias = try_vec::<f64>(n, "biases")?;
    read_f64s(r.take(8 * n)?, &mut bias);
    if let Some(pos) = bias.iter().position(|b| !b.is_finite()) {
        return Err(bad(format!(
            "node at position {pos}: bias is not a finite number"
        )));
    }
    let mut row_start = try_vec::<u32>(n + 1, "node rows")?;
    read_u32s(r.take(4 * (n + 1))?, &mut row_start);
    if row_start[0] != 0 || row_start[n] as usize != c {
        return Err(bad(format!(
            "rows must start at 0 and end at the connection count {c}"
        )));
    }
    for pos in 0..n {
        let (a, b) = (row_start[pos], row_start[pos + 1]);
        if b < a {
            return Err(bad(format!(
                "node at position {pos}: rows are not monotonic ({a} then {b})"
            )));
        }
        if ops[pos] == OP_INPUT && b != a {
            return Err(bad(format!("input node at position {pos} has connections")));
        }
    }
    let mut src = try_vec::<u32>(c, "connection sources")?;
    read_u32s(r.take(4 * c)?, &mut src);
    if let Some(k) = src.iter().position(|&s| s as usize >= n) {
        return Err(bad(format!(
            "connection {k}: source position {} is not a node (there are {n})",
            src[k]
        )));
    }
    let mut weight = try_vec::<f64>(c, "connection weights")?;
    read_f64s(r.take(8 * c)?, &mut weight);
    if let Some(k) = weight.iter().position(|w| !w.is_finite()) {
        return Err(bad(format!(
            "connection {k}: weight is not a finite number"
        )));
    }
    let mut liquid = try_vec::<(f64, f64)>(l, "liquid nodes")?;
    for k in 0..l {
        let (tau, bound) = (r.f64()?, r.f64()?);
        if !(tau > 0.0 && tau.is_finite() && bound > 0.0 && bound.is_finite()) {
            return Err(bad(format!(
                "liquid node {k}: Tau and Bound must be finite numbers > 0"
            )));
        }
        liquid.push((tau, bound));
    }
    let mut outputs = try_vec::<u32>(o, "outputs")?;
    read_u32s(r.take(4 * o)?, &mut outputs);
    if let Some(k) = outputs.iter().position(|&p| p as usize >= n) {
        return Err(bad(format!(
            "output {k}: position {} is not a node (there are {n})",
            outputs[k]
        )));
    }
    if r.remaining() != 0 {
        return Err(bad("bytes left over after the body"));
    }
    let derived = derive(&ops, &row_start, &src)?;
    Network::from_parts(ops, bias, row_start, src, weight, &liquid, outputs, derived)
}

/// Input positions, state slots and the forward-reference count, exactly as
/// `NetworkBuilder::finish` derives them: a connection whose source is a
/// non-input node at or after the reader makes the source a slot; every
/// liquid node is a slot.
fn derive(
    ops: &[u8],
    row_start: &[u32],
    src: &[u32],
) -> Result<(Vec<u32>, Vec<u32>, usize), CoreError> {
    let n = ops.len();
    let mut slot = try_vec::<bool>(n, "state slots")?;
    slot.resize(n, false);
    let mut forward_refs = 0usize;
    for pos in 0..n {
        let (a, b) = (row_start[pos] as usize, row_start[pos + 1] as usize);
        for &s in &src[a..b] {
            let s = s as usize;
            if s >= pos && ops[s] != OP_INPUT {
                slot[s] = true;
                forward_refs += 1;
            }
        }
        if is_liquid(ops[pos]) {
            slot[pos] = true;
        }
    }
    let n_in = ops.iter().filter(|&&op| op == OP_INPUT).count();
    let mut inputs = try_vec::<u32>(n_in, "inputs")?;
    inputs.extend((0..n as u32).filter(|&p| ops[p as usize] == OP_INPUT));
    let n_slots = slot.iter().filter(|&&s| s).count();
    let mut slots = try_vec::<u32>(n_slots, "state slots")?;
    slots.extend((0..n as u32).filter(|&p| slot[p as usize]));
    Ok((inputs, slots, forward_refs))
}

#[cfg(test)]
mod tests {
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
        let mut rng = seed | 1;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let total = n + ni;
        let mut b = NetworkBuilder::new(usize::MAX);
        let mut inputs_left = ni;
        for pos in 0..total {
            let idx = (pos as u64) * 5 + 2;
            if inputs_left > 0 && (total - pos <= inputs_left || next() % 3 == 0) {
                b.node(idx, NodeKind::Input, Activation::Tanh, 0.5).unwrap();
                inputs_left -= 1;
                continue;
            }
            let act = Activation::ALL[(next() % 17) as usize];
            let kind = match next() % 8 {
                0 => NodeKind::Cfc {
                    tau: 0.0001 + (next() % 100) as f64 / 40.0,
                    bound: 1.5,
                },
                1 => NodeKind::Ltc {
                    tau: 0.5 + (next() % 100) as f64 / 50.0,
                    bound: 2.0,
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
        assert_eq!(bin.len(), 40);
        assert_eq!(&bin[..4], b"TWNN");
        let back = decode_network(&bin, usize::MAX).unwrap();
        assert_eq!(back.info(), net.info());
        assert_eq!(encode(&back), bin);
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
        let net = b.finish(1, &[9]).unwrap();
        let bin = encode(&net);
        let mut want = Vec::new();
        want.extend_from_slice(b"TWNN");
        want.extend_from_slice(&1u16.to_le_bytes());
        want.extend_from_slice(&0u16.to_le_bytes());
        want.extend_from_slice(&(bin.len() as u64).to_le_bytes());
        for v in [2u32, 2, 1, 1] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        want.extend_from_slice(&[128, 129]);
        for v in [0.0f64, 0.25] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        for v in [0u32, 0, 2, 0, 1] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        for v in [-1.5f64, 0.5, 0.001, 2.0] {
            want.extend_from_slice(&v.to_le_bytes());
        }
        want.extend_from_slice(&1u32.to_le_bytes());
        let crc = crate::codec::crc32(&want);
        want.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(bin, want);
        assert_eq!(bin.len(), 16 + 16 + 2 * 13 + 4 + 2 * 12 + 16 + 4 + 4);
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
        // Layout: counts at 16, kinds at 32, biases at 34, rows at 50,
        // sources at 62, weights at 66, outputs at 74.
        let mut x = bin.clone();
        x[33] = 17;
        assert!(msg(x).contains("unknown kind tag 17"));
        let mut x = bin.clone();
        x[42..50].copy_from_slice(&f64::NAN.to_le_bytes());
        assert!(msg(x).contains("bias"));
        let mut x = bin.clone();
        x[54..58].copy_from_slice(&1u32.to_le_bytes());
        assert!(msg(x).contains("input node"));
        let mut x = bin.clone();
        x[62..66].copy_from_slice(&2u32.to_le_bytes());
        assert!(msg(x).contains("source position 2"));
        let mut x = bin.clone();
        x[66..74].copy_from_slice(&f64::INFINITY.to_le_bytes());
        assert!(msg(x).contains("weight"));
        let mut x = bin.clone();
        x[74..78].copy_from_slice(&5u32.to_le_bytes());
        assert!(msg(x).contains("output 0"));
        let mut x = bin.clone();
        x[6] = 1;
        assert!(msg(x).contains("flags"));
        let mut x = bin.clone();
        x[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(msg(x).contains("counts"));
        let mut x = bin.clone();
        x[16..20].copy_from_slice(&3u32.to_le_bytes());
        assert!(msg(x).contains("do not match"));
        let mut x = bin.clone();
        x[4] = 2;
        assert!(msg(x).contains("version 2"));
        let mut x = bin.clone();
        x[0] = b'X';
        assert!(msg(x).contains("magic"));
        let mut x = bin.clone();
        x[..4].copy_from_slice(b"TWNC");
        assert!(msg(x).contains("cell_from_binary"));
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
                                       x in -3.0f64..3.0) {
            let net = random_network(seed, n, ni);
            let bin = encode(&net);
            let back = decode_network(&bin, usize::MAX).unwrap();
            prop_assert_eq!(back.info().nodes, net.info().nodes);
            prop_assert_eq!(back.info().connections, net.info().connections);
            prop_assert_eq!(back.info().state_size, net.info().state_size);
            prop_assert_eq!(back.info().forward_refs, net.info().forward_refs);
            prop_assert_eq!(back.info().liquid_nodes, net.info().liquid_nodes);
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
            b.extend_from_slice(b"TWNN");
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes());
            b.extend_from_slice(&0u64.to_le_bytes());
            b.extend_from_slice(&bytes);
            b.extend_from_slice(&[0, 0, 0, 0]);
            let _ = decode_network(&reseal(b), 1 << 20);
        }
    }
}
