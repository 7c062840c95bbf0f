//! The network format (`TWNN`, version 2; version 1 is read too).
//!
//! ```text
//! header                       16 bytes (see the codec module); flags bit 0
//!                              set: the forward_refs state model
//! node_count        u32        n
//! connection_count  u32        c
//! output_count      u32        o
//! liquid_count      u32        l  (nodes whose kind is cfc or ltc)
//! leaky_count       u32        k  (leaky nodes; absent in version 1)
//! kinds             [n] u8     0..=16 an ordinary node with that activation
//!                              (Activation tag order), 128 input, 129 cfc,
//!                              130 ltc, 131 delay, 132 leaky (131 and 132
//!                              are version 2 only)
//! biases            [n] f64    (0.0 for input nodes)
//! row_starts        [n+1] u32  node i's connections are
//!                              row_starts[i] .. row_starts[i+1]
//! sources           [c] u32    the source's position in the node list
//! weights           [c] f64
//! liquid            [l] (tau f64, bound f64), in node order; tau is written
//!                              as max(tau, 0.001), the value the step uses
//! leaky             [k] tau f64, in node order (absent in version 1)
//! outputs           [o] u32    positions of the output nodes
//! trailer           CRC-32
//! ```
//!
//! A version 1 binary (written before the node kinds delay and leaky and the
//! state models existed) has no leaky fields and means the forward_refs
//! model, the only one there was. Everything else (input positions, state
//! slots, forward references) is derived from these fields exactly as
//! compilation derives it. Node indices are not kept: a decoded network
//! names nodes by position.

use super::wire::{self, open, read_f64s, read_u32s, Writer, CELL_MAGIC, NET_MAGIC, NET_VERSION};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::network::{
    Network, StateModel, MAX_INDEX, OP_CFC, OP_DELAY, OP_INPUT, OP_LEAKY, OP_LTC,
};

const TAG_INPUT: u8 = 128;
const TAG_CFC: u8 = 129;
const TAG_LTC: u8 = 130;
const TAG_DELAY: u8 = 131;
const TAG_LEAKY: u8 = 132;
/// Flags bit 0 (version 2): the forward_refs state model.
const FLAG_FORWARD_REFS: u16 = 1;

fn bad(reason: impl Into<String>) -> CoreError {
    CoreError::badarg(1, reason)
}

/// Bytes of the encoded form of `net` (about its compiled size: 13 bytes
/// per node, 12 per connection, 16 per liquid node, 8 per leaky node, 4 per
/// output, plus 44).
pub fn network_encoded_len(net: &Network) -> usize {
    let (n, c) = (net.ops().len(), net.sources().len());
    let l = net.ops().iter().filter(|&&op| is_liquid(op)).count();
    let k = net.leaky_taus().len();
    let o = net.output_positions().len();
    body_len(
        NET_VERSION,
        n as u64,
        c as u64,
        l as u64,
        k as u64,
        o as u64,
    ) as usize
}

fn is_liquid(op: u8) -> bool {
    op == OP_CFC || op == OP_LTC
}

/// The whole binary's size for the given version and counts (cannot
/// overflow u64 for u32 counts).
fn body_len(version: u16, n: u64, c: u64, l: u64, k: u64, o: u64) -> u64 {
    let counts = if version == 1 { 16 } else { 20 };
    (wire::HEADER_LEN + counts + wire::TRAILER_LEN) as u64
        + n * 13
        + 4
        + c * 12
        + l * 16
        + k * 8
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
    let flags = match net.state_model() {
        StateModel::Organelles => 0,
        StateModel::ForwardRefs => FLAG_FORWARD_REFS,
    };
    let mut w = Writer::new(out, NET_MAGIC, NET_VERSION, flags);
    w.u32(n as u32);
    w.u32(net.sources().len() as u32);
    w.u32(net.output_positions().len() as u32);
    w.u32(liquid.len() as u32);
    w.u32(net.leaky_taus().len() as u32);
    for &op in ops {
        w.u8(match op {
            OP_INPUT => TAG_INPUT,
            OP_CFC => TAG_CFC,
            OP_LTC => TAG_LTC,
            OP_DELAY => TAG_DELAY,
            OP_LEAKY => TAG_LEAKY,
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
    w.f64s(net.leaky_taus());
    w.u32s(net.output_positions());
    w.finish()
}

/// Reads a network binary (version 2, or version 1), validating every
/// field; `budget` caps the bytes the decoded network may hold.
pub fn decode_network(bin: &[u8], budget: usize) -> Result<Network, CoreError> {
    let (mut r, version, flags) = open(
        bin,
        NET_MAGIC,
        "a network",
        (CELL_MAGIC, "a cell"),
        &[1, NET_VERSION],
    )?;
    let model = match (version, flags) {
        (1, 0) => StateModel::ForwardRefs,
        (2, 0) => StateModel::Organelles,
        (2, FLAG_FORWARD_REFS) => StateModel::ForwardRefs,
        _ => {
            return Err(bad(format!(
                "unknown flags {flags:#06x} ({})",
                if version == 1 {
                    "version 1 defines none"
                } else {
                    "version 2 defines only bit 0, the forward_refs state model"
                }
            )))
        }
    };
    let n = r.u32()? as u64;
    let c = r.u32()? as u64;
    let o = r.u32()? as u64;
    let l = r.u32()? as u64;
    let k = if version == 1 { 0 } else { r.u32()? as u64 };
    if n > MAX_INDEX + 1 || c > MAX_INDEX || o > MAX_INDEX || l > n || k > n {
        return Err(bad(format!(
            "impossible counts: {n} nodes, {c} connections, {o} outputs, {l} liquid nodes, \
             {k} leaky nodes"
        )));
    }
    let want = body_len(version, n, c, l, k, o);
    if want != bin.len() as u64 {
        return Err(bad(format!(
            "{} bytes do not match the counts in the header \
             ({n} nodes, {c} connections, {o} outputs, {l} liquid nodes, {k} leaky nodes \
             need {want} bytes)",
            bin.len(),
        )));
    }
    // From here every count is bounded by the binary's own size.
    let (n, c, o, l, k) = (n as usize, c as usize, o as usize, l as usize, k as usize);
    // What the decoded network holds: ops, bias, rows, sources, weights,
    // liquid, leaky, outputs, plus at most n input positions, n slots, n
    // forward sources and n flags.
    let need = n * (1 + 8 + 4 + 4 + 4 + 4 + 1) + 4 + c * 12 + l * 16 + k * 8 + o * 4;
    if need > budget {
        return Err(CoreError::memory(format!(
            "decoding this network needs {need} bytes, over the memory budget of {budget} bytes"
        )));
    }
    let tags = r.take(n)?;
    let mut ops = try_vec::<u8>(n, "node kinds")?;
    let (mut liquid_seen, mut leaky_seen) = (0usize, 0usize);
    for (pos, &t) in tags.iter().enumerate() {
        let op = match t {
            TAG_INPUT => OP_INPUT,
            TAG_CFC => OP_CFC,
            TAG_LTC => OP_LTC,
            TAG_DELAY if version > 1 => OP_DELAY,
            TAG_LEAKY if version > 1 => OP_LEAKY,
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
        if op == OP_LEAKY {
            leaky_seen += 1;
        }
        ops.push(op);
    }
    if liquid_seen != l {
        return Err(bad(format!(
            "the header counts {l} liquid nodes but the kinds hold {liquid_seen}"
        )));
    }
    if leaky_seen != k {
        return Err(bad(format!(
            "the header counts {k} leaky nodes but the kinds hold {leaky_seen}"
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
    for j in 0..l {
        let (tau, bound) = (r.f64()?, r.f64()?);
        if !(tau > 0.0 && tau.is_finite() && bound > 0.0 && bound.is_finite()) {
            return Err(bad(format!(
                "liquid node {j}: Tau and Bound must be finite numbers > 0"
            )));
        }
        liquid.push((tau, bound));
    }
    let mut leaky = try_vec::<f64>(k, "leaky nodes")?;
    read_f64s(r.take(8 * k)?, &mut leaky);
    if let Some(j) = leaky.iter().position(|&t| !(t > 0.0 && t.is_finite())) {
        return Err(bad(format!(
            "leaky node {j}: Tau must be a finite number > 0"
        )));
    }
    let mut outputs = try_vec::<u32>(o, "outputs")?;
    read_u32s(r.take(4 * o)?, &mut outputs);
    if let Some(j) = outputs.iter().position(|&p| p as usize >= n) {
        return Err(bad(format!(
            "output {j}: position {} is not a node (there are {n})",
            outputs[j]
        )));
    }
    if r.remaining() != 0 {
        return Err(bad("bytes left over after the body"));
    }
    Network::from_parts(
        ops, bias, row_start, src, weight, &liquid, leaky, outputs, model,
    )
}

#[cfg(test)]
mod tests;
