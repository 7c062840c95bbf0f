//! Compiled networks: a node list in topological order turned into flat CSR
//! arrays, and their evaluation.
//!
//! # Layout
//!
//! For `n` nodes and `c` connections a [`Network`] holds
//!
//! * `ops: [u8; n]`: what the node does (an [`Activation`] tag, input,
//!   CfC or LTC),
//! * `bias: [f64; n]`,
//! * `row_start: [u32; n + 1]`: node `i`'s connections are
//!   `row_start[i]..row_start[i + 1]`,
//! * `src: [u32; c]` (the source node's position) and `weight: [f64; c]`,
//!
//! plus the positions of the inputs, the outputs and the state slots, and the
//! `tau`/`bound` of each liquid (CfC/LTC) node. That is 12 bytes per
//! connection and 13 per node.
//!
//! # Semantics (see `docs/semantics.md`)
//!
//! One step first places the inputs (the k-th input node takes the k-th
//! value), then processes the other nodes in list order. Each computes
//! `sum = 0.0; sum = sum + w * value[src]` connection by connection, then
//! `x = sum + bias` and its value `act(x)` (or the scalar CfC / ODE step for a
//! liquid node, whose previous state is its previous value). A connection
//! whose source is a non-input node at or after the reading node is a
//! forward reference: it
//! reads the source's value from the previous step (its *state slot*), `0.0`
//! in a stateless evaluation. A non-finite `x` or value is an overflow error.

use crate::activation::Activation;
use crate::error::{try_vec, CoreError};
use crate::scalar;

pub(crate) const OP_INPUT: u8 = 200;
pub(crate) const OP_CFC: u8 = 201;
pub(crate) const OP_LTC: u8 = 202;

/// Rows evaluated together in one pass over the connection arrays by
/// [`Network::evaluate_batch`].
pub const LANES: usize = 8;

/// Largest accepted node index (indices are stored as `u32`).
pub const MAX_INDEX: u64 = u32::MAX as u64 - 1;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NodeKind {
    /// Takes the next input value; has no connections.
    Input,
    /// `hidden`, `output` and `bias` nodes: `act(sum + bias)`.
    Ordinary,
    /// A closed-form continuous-time neuron driven by `sum + bias`.
    Cfc { tau: f64, bound: f64 },
    /// A liquid time-constant neuron (one explicit Euler step, dt = 1.0).
    Ltc { tau: f64, bound: f64 },
}

#[derive(Debug, Clone, Copy)]
struct Liquid {
    tau: f64,
    bound: f64,
}

/// Builds a [`Network`] node by node, validating as it goes, with every
/// allocation checked against a memory budget (bytes) and made fallibly.
#[derive(Debug)]
pub struct NetworkBuilder {
    budget: usize,
    index: Vec<u32>,
    ops: Vec<u8>,
    bias: Vec<f64>,
    row_start: Vec<u32>,
    from: Vec<u32>,
    weight: Vec<f64>,
    liquid: Vec<Liquid>,
    inputs: Vec<u32>,
}

fn push<T>(v: &mut Vec<T>, x: T, used: usize, budget: usize, what: &str) -> Result<(), CoreError> {
    if v.len() == v.capacity() {
        let extra = v.capacity().max(16);
        let grow = extra.saturating_mul(std::mem::size_of::<T>());
        if used.saturating_add(grow) > budget {
            return Err(CoreError::memory(format!(
                "compiling this network needs more than the memory budget of {budget} bytes \
                 ({used} bytes in use, {grow} more for {what})"
            )));
        }
        v.try_reserve(extra).map_err(|_| {
            CoreError::memory(format!("cannot allocate {grow} more bytes for {what}"))
        })?;
    }
    v.push(x);
    Ok(())
}

impl NetworkBuilder {
    /// A builder whose arrays may use at most `budget` bytes in all.
    pub fn new(budget: usize) -> Self {
        NetworkBuilder {
            budget,
            index: Vec::new(),
            ops: Vec::new(),
            bias: Vec::new(),
            row_start: Vec::new(),
            from: Vec::new(),
            weight: Vec::new(),
            liquid: Vec::new(),
            inputs: Vec::new(),
        }
    }

    fn used(&self) -> usize {
        self.index.capacity() * 4
            + self.ops.capacity()
            + self.bias.capacity() * 8
            + self.row_start.capacity() * 4
            + self.from.capacity() * 4
            + self.weight.capacity() * 8
            + self.liquid.capacity() * std::mem::size_of::<Liquid>()
            + self.inputs.capacity() * 4
    }

    /// Start the next node (in list order). Its connections follow with
    /// [`NetworkBuilder::connect`].
    pub fn node(
        &mut self,
        index: u64,
        kind: NodeKind,
        act: Activation,
        bias: f64,
    ) -> Result<(), CoreError> {
        let pos = self.ops.len();
        if index > MAX_INDEX {
            return Err(CoreError::badarg(
                1,
                format!("node {pos}: index {index} is larger than {MAX_INDEX}"),
            ));
        }
        if !bias.is_finite() {
            return Err(CoreError::badarg(
                1,
                format!("node {index}: bias is not a finite number"),
            ));
        }
        let op = match kind {
            NodeKind::Input => OP_INPUT,
            NodeKind::Ordinary => act as u8,
            NodeKind::Cfc { tau, bound } | NodeKind::Ltc { tau, bound } => {
                if !(tau > 0.0 && tau.is_finite() && bound > 0.0 && bound.is_finite()) {
                    return Err(CoreError::badarg(
                        1,
                        format!("node {index}: liquid node needs Tau > 0 and Bound > 0"),
                    ));
                }
                let used = self.used();
                push(
                    &mut self.liquid,
                    Liquid { tau, bound },
                    used,
                    self.budget,
                    "liquid nodes",
                )?;
                if matches!(kind, NodeKind::Cfc { .. }) {
                    OP_CFC
                } else {
                    OP_LTC
                }
            }
        };
        if self.ops.len() >= u32::MAX as usize - 1 {
            return Err(CoreError::badarg(1, "too many nodes"));
        }
        let used = self.used();
        let budget = self.budget;
        let start = self.from.len() as u32;
        push(&mut self.index, index as u32, used, budget, "node indices")?;
        push(&mut self.ops, op, used, budget, "node kinds")?;
        push(&mut self.bias, bias, used, budget, "biases")?;
        push(&mut self.row_start, start, used, budget, "node rows")?;
        if op == OP_INPUT {
            push(&mut self.inputs, pos as u32, used, budget, "inputs")?;
        }
        Ok(())
    }

    /// Add a connection `from` (a node index) with `weight` to the current node.
    pub fn connect(&mut self, from: u64, weight: f64) -> Result<(), CoreError> {
        let Some(&op) = self.ops.last() else {
            return Err(CoreError::badarg(1, "connection before any node"));
        };
        let node = *self.index.last().unwrap_or(&0);
        if op == OP_INPUT {
            return Err(CoreError::badarg(
                1,
                format!("input node {node} must have no connections"),
            ));
        }
        if from > MAX_INDEX {
            return Err(CoreError::badarg(
                1,
                format!("node {node}: connection from index {from} is out of range"),
            ));
        }
        if !weight.is_finite() {
            return Err(CoreError::badarg(
                1,
                format!("node {node}: connection weight is not a finite number"),
            ));
        }
        if self.from.len() >= u32::MAX as usize - 1 {
            return Err(CoreError::badarg(
                1,
                "too many connections (at most 2^32 - 2)",
            ));
        }
        let used = self.used();
        let budget = self.budget;
        push(
            &mut self.from,
            from as u32,
            used,
            budget,
            "connection sources",
        )?;
        push(&mut self.weight, weight, used, budget, "connection weights")?;
        Ok(())
    }

    /// Number of nodes added so far.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True if no node was added.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Resolve indices to positions, find forward references and state slots,
    /// and check the input count (argument 2) and the outputs (argument 3).
    pub fn finish(mut self, input_count: usize, outputs: &[u64]) -> Result<Network, CoreError> {
        let n = self.ops.len();
        if self.inputs.len() != input_count {
            return Err(CoreError::badarg(
                2,
                format!(
                    "InputCount is {input_count} but Nodes has {} input nodes",
                    self.inputs.len()
                ),
            ));
        }
        let used = self.used();
        let budget = self.budget;
        push(
            &mut self.row_start,
            self.from.len() as u32,
            used,
            budget,
            "node rows",
        )?;
        let lookup = IndexMap::new(&self.index, budget.saturating_sub(self.used()))?;
        if let Some(dup) = lookup.duplicate {
            return Err(CoreError::badarg(1, format!("duplicate node index {dup}")));
        }
        // Resolve sources in place; mark forward references.
        let mut slot = try_vec::<bool>(n, "state slots")?;
        slot.resize(n, false);
        let mut forward_refs = 0usize;
        for pos in 0..n {
            let (a, b) = (
                self.row_start[pos] as usize,
                self.row_start[pos + 1] as usize,
            );
            for k in a..b {
                let idx = self.from[k];
                let Some(src) = lookup.get(idx) else {
                    return Err(CoreError::badarg(
                        1,
                        format!(
                            "node {}: connection from missing node {idx}",
                            self.index[pos]
                        ),
                    ));
                };
                if src as usize >= pos && self.ops[src as usize] != OP_INPUT {
                    slot[src as usize] = true;
                    forward_refs += 1;
                }
                self.from[k] = src;
            }
            if self.ops[pos] == OP_CFC || self.ops[pos] == OP_LTC {
                slot[pos] = true;
            }
        }
        let mut output_pos = try_vec::<u32>(outputs.len(), "outputs")?;
        for &o in outputs {
            match (o <= MAX_INDEX).then(|| lookup.get(o as u32)).flatten() {
                Some(p) => output_pos.push(p),
                None => {
                    return Err(CoreError::badarg(
                        3,
                        format!("output index {o} is not a node"),
                    ))
                }
            }
        }
        let slots: Vec<u32> = (0..n as u32).filter(|&p| slot[p as usize]).collect();
        let mut net = Network {
            n_inputs: input_count,
            input_pos: self.inputs,
            ops: self.ops,
            bias: self.bias,
            row_start: self.row_start,
            src: self.from,
            weight: self.weight,
            liquid: self.liquid,
            output_pos,
            slots,
            forward_refs,
            bytes: 0,
        };
        net.shrink();
        Ok(net)
    }
}

/// External node index -> position: a direct table when the indices are
/// dense enough, else a sorted list searched by bisection.
struct IndexMap {
    direct: Vec<u32>,
    sorted: Vec<(u32, u32)>,
    duplicate: Option<u32>,
}

impl IndexMap {
    fn new(index: &[u32], budget: usize) -> Result<Self, CoreError> {
        let n = index.len();
        let max = index.iter().copied().max().unwrap_or(0) as usize;
        let mut duplicate = None;
        if max < 4 * n + 1024 && (max + 1) * 4 <= budget.max(64 * 1024) {
            let mut direct = try_vec::<u32>(max + 1, "the node index table")?;
            direct.resize(max + 1, u32::MAX);
            for (pos, &i) in index.iter().enumerate() {
                if direct[i as usize] != u32::MAX {
                    duplicate.get_or_insert(i);
                }
                direct[i as usize] = pos as u32;
            }
            Ok(IndexMap {
                direct,
                sorted: Vec::new(),
                duplicate,
            })
        } else {
            let mut sorted = try_vec::<(u32, u32)>(n, "the node index table")?;
            sorted.extend(index.iter().enumerate().map(|(p, &i)| (i, p as u32)));
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
                duplicate = Some(w[0].0);
            }
            Ok(IndexMap {
                direct: Vec::new(),
                sorted,
                duplicate,
            })
        }
    }

    #[inline]
    fn get(&self, idx: u32) -> Option<u32> {
        if !self.direct.is_empty() {
            self.direct
                .get(idx as usize)
                .copied()
                .filter(|&p| p != u32::MAX)
        } else {
            self.sorted
                .binary_search_by_key(&idx, |e| e.0)
                .ok()
                .map(|k| self.sorted[k].1)
        }
    }
}

/// A compiled network. Read-only after compilation, so one network can be
/// evaluated by any number of threads at once.
#[derive(Debug, Clone)]
pub struct Network {
    n_inputs: usize,
    input_pos: Vec<u32>,
    ops: Vec<u8>,
    bias: Vec<f64>,
    row_start: Vec<u32>,
    src: Vec<u32>,
    weight: Vec<f64>,
    liquid: Vec<Liquid>,
    output_pos: Vec<u32>,
    slots: Vec<u32>,
    forward_refs: usize,
    bytes: usize,
}

/// Facts about a compiled network, as `network_info/1` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkInfo {
    pub nodes: usize,
    pub connections: usize,
    pub inputs: usize,
    pub outputs: usize,
    pub state_size: usize,
    pub forward_refs: usize,
    pub liquid_nodes: usize,
    /// Heap bytes held by the compiled form.
    pub bytes: usize,
}

impl Network {
    fn shrink(&mut self) {
        self.input_pos.shrink_to_fit();
        self.ops.shrink_to_fit();
        self.bias.shrink_to_fit();
        self.row_start.shrink_to_fit();
        self.src.shrink_to_fit();
        self.weight.shrink_to_fit();
        self.liquid.shrink_to_fit();
        self.output_pos.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.bytes = std::mem::size_of::<Network>()
            + self.input_pos.capacity() * 4
            + self.ops.capacity()
            + self.bias.capacity() * 8
            + self.row_start.capacity() * 4
            + self.src.capacity() * 4
            + self.weight.capacity() * 8
            + self.liquid.capacity() * std::mem::size_of::<Liquid>()
            + self.output_pos.capacity() * 4
            + self.slots.capacity() * 4;
    }

    /// Assembles a network from parts that [`crate::codec`] has already
    /// validated (every index in range, rows monotonic, tags known) and whose
    /// input positions, state slots and forward-reference count it derived
    /// exactly as [`NetworkBuilder::finish`] does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        ops: Vec<u8>,
        bias: Vec<f64>,
        row_start: Vec<u32>,
        src: Vec<u32>,
        weight: Vec<f64>,
        liquid: &[(f64, f64)],
        output_pos: Vec<u32>,
        (input_pos, slots, forward_refs): (Vec<u32>, Vec<u32>, usize),
    ) -> Result<Network, CoreError> {
        let mut l = try_vec::<Liquid>(liquid.len(), "liquid nodes")?;
        l.extend(liquid.iter().map(|&(tau, bound)| Liquid { tau, bound }));
        let mut net = Network {
            n_inputs: input_pos.len(),
            input_pos,
            ops,
            bias,
            row_start,
            src,
            weight,
            liquid: l,
            output_pos,
            slots,
            forward_refs,
            bytes: 0,
        };
        net.shrink();
        Ok(net)
    }

    /// Per node: an [`Activation`] tag, or `OP_INPUT`, `OP_CFC`, `OP_LTC`.
    pub(crate) fn ops(&self) -> &[u8] {
        &self.ops
    }
    pub(crate) fn biases(&self) -> &[f64] {
        &self.bias
    }
    pub(crate) fn row_starts(&self) -> &[u32] {
        &self.row_start
    }
    pub(crate) fn sources(&self) -> &[u32] {
        &self.src
    }
    pub(crate) fn weights(&self) -> &[f64] {
        &self.weight
    }
    /// `(tau, bound)` of each liquid node, in node order.
    pub(crate) fn liquid_params(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.liquid.iter().map(|l| (l.tau, l.bound))
    }
    pub(crate) fn output_positions(&self) -> &[u32] {
        &self.output_pos
    }

    pub fn info(&self) -> NetworkInfo {
        NetworkInfo {
            nodes: self.ops.len(),
            connections: self.src.len(),
            inputs: self.n_inputs,
            outputs: self.output_pos.len(),
            state_size: self.slots.len(),
            forward_refs: self.forward_refs,
            liquid_nodes: self.liquid.len(),
            bytes: self.bytes,
        }
    }

    pub fn input_count(&self) -> usize {
        self.n_inputs
    }
    pub fn output_count(&self) -> usize {
        self.output_pos.len()
    }
    pub fn state_size(&self) -> usize {
        self.slots.len()
    }
    pub fn node_count(&self) -> usize {
        self.ops.len()
    }

    /// Work units of one evaluation, for scheduling: one per connection and
    /// eight per node (an activation is a libm call of ~10-20 ns).
    pub fn cost(&self) -> usize {
        self.src.len() + 8 * self.ops.len()
    }

    /// Evaluate one step. `inputs.len()` must equal the input count (the
    /// caller handles the "wrong count gives []" contract). `state` is `None`
    /// (all zeros) or exactly `state_size` values; with `next_state` the
    /// slot values after the step are written there (`state_size` values).
    pub fn evaluate(
        &self,
        inputs: &[f64],
        state: Option<&[f64]>,
        outputs: &mut [f64],
        next_state: Option<&mut [f64]>,
    ) -> Result<(), CoreError> {
        debug_assert_eq!(inputs.len(), self.n_inputs);
        let mut values = try_vec::<f64>(self.ops.len(), "node values")?;
        values.resize(self.ops.len(), 0.0);
        if let Some(st) = state {
            for (&p, &v) in self.slots.iter().zip(st) {
                values[p as usize] = v;
            }
        }
        for (&p, &v) in self.input_pos.iter().zip(inputs) {
            values[p as usize] = v;
        }
        let mut next_liquid = 0usize;
        for pos in 0..self.ops.len() {
            let op = self.ops[pos];
            if op == OP_INPUT {
                continue;
            }
            let (a, b) = (
                self.row_start[pos] as usize,
                self.row_start[pos + 1] as usize,
            );
            let mut sum = 0.0f64;
            for (&s, &w) in self.src[a..b].iter().zip(&self.weight[a..b]) {
                sum += w * values[s as usize];
            }
            let x = sum + self.bias[pos];
            let v = match op {
                OP_CFC | OP_LTC => {
                    let l = self.liquid[next_liquid];
                    next_liquid += 1;
                    liquid_step(op, x, values[pos], l)
                }
                _ => Activation::ALL[op as usize].apply(x),
            };
            if !(x.is_finite() && v.is_finite()) {
                return Err(self.overflow(pos));
            }
            values[pos] = v;
        }
        for (o, &p) in outputs.iter_mut().zip(&self.output_pos) {
            *o = values[p as usize];
        }
        if let Some(ns) = next_state {
            for (d, &p) in ns.iter_mut().zip(&self.slots) {
                *d = values[p as usize];
            }
        }
        Ok(())
    }

    /// Evaluate `rows` stateless inputs laid out back to back in `inputs`
    /// (`rows * input_count` values), writing `rows * output_count` values to
    /// `outputs`. Each row's result is bit-identical to [`Network::evaluate`]:
    /// [`LANES`] rows go through each pass over the connection arrays, every
    /// row with its own accumulator in the same order.
    pub fn evaluate_batch(
        &self,
        inputs: &[f64],
        rows: usize,
        outputs: &mut [f64],
    ) -> Result<(), CoreError> {
        let (ni, no, n) = (self.n_inputs, self.output_pos.len(), self.ops.len());
        debug_assert_eq!(inputs.len(), rows * ni);
        debug_assert_eq!(outputs.len(), rows * no);
        let mut values = try_vec::<f64>(n.saturating_mul(LANES), "batch node values")?;
        values.resize(n * LANES, 0.0);
        let mut row = 0;
        while row < rows {
            let lanes = LANES.min(rows - row);
            // Only state-slot nodes are read before they are written (forward
            // references): they must read 0.0 in a stateless evaluation.
            for &p in &self.slots {
                values[p as usize * LANES..(p as usize + 1) * LANES].fill(0.0);
            }
            for (k, &p) in self.input_pos.iter().enumerate() {
                for l in 0..lanes {
                    values[p as usize * LANES + l] = inputs[(row + l) * ni + k];
                }
            }
            let mut next_liquid = 0usize;
            for pos in 0..n {
                let op = self.ops[pos];
                let vrow = pos * LANES;
                if op == OP_INPUT {
                    continue;
                }
                let (a, b) = (
                    self.row_start[pos] as usize,
                    self.row_start[pos + 1] as usize,
                );
                let mut acc = [0.0f64; LANES];
                for (&s, &w) in self.src[a..b].iter().zip(&self.weight[a..b]) {
                    let base = s as usize * LANES;
                    let src: &[f64; LANES] =
                        values[base..base + LANES].try_into().expect("lane row");
                    for l in 0..LANES {
                        acc[l] += w * src[l];
                    }
                }
                let bias = self.bias[pos];
                let mut xs = [0.0f64; LANES];
                for l in 0..LANES {
                    xs[l] = acc[l] + bias;
                }
                let dst = &mut values[vrow..vrow + lanes];
                if op == OP_CFC || op == OP_LTC {
                    let q = self.liquid[next_liquid];
                    next_liquid += 1;
                    for (d, &x) in dst.iter_mut().zip(&xs) {
                        *d = liquid_step(op, x, *d, q);
                    }
                } else {
                    Activation::ALL[op as usize].apply_slice(&xs[..lanes], dst);
                }
                let finite = xs[..lanes].iter().chain(dst.iter()).all(|v| v.is_finite());
                if !finite {
                    return Err(self.overflow(pos));
                }
            }
            for l in 0..lanes {
                let out = &mut outputs[(row + l) * no..(row + l + 1) * no];
                for (o, &p) in out.iter_mut().zip(&self.output_pos) {
                    *o = values[p as usize * LANES + l];
                }
            }
            row += lanes;
        }
        Ok(())
    }

    fn overflow(&self, pos: usize) -> CoreError {
        CoreError::overflow(format!(
            "arithmetic overflow: node at position {pos} produced a non-finite value"
        ))
    }
}

#[inline]
fn liquid_step(op: u8, x: f64, prev: f64, l: Liquid) -> f64 {
    if op == OP_CFC {
        scalar::cfc(x, prev, l.tau, l.bound, &[], &[]).0
    } else {
        scalar::ode(x, prev, l.tau, l.bound, 1.0, &[], &[]).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BIG: usize = usize::MAX;

    /// A test node: index, kind, activation, bias, connections.
    type Spec<'a> = (u64, NodeKind, Activation, f64, &'a [(u64, f64)]);
    /// A naive evaluator's node: index, activation, bias, (source position, weight).
    type NaiveNode = (u64, Activation, f64, Vec<(usize, f64)>);

    fn build(nodes: &[Spec], ni: usize, outs: &[u64]) -> Result<Network, CoreError> {
        let mut b = NetworkBuilder::new(BIG);
        for &(i, k, a, bias, conns) in nodes {
            b.node(i, k, a, bias)?;
            for &(f, w) in conns {
                b.connect(f, w)?;
            }
        }
        b.finish(ni, outs)
    }

    fn eval(net: &Network, inputs: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; net.output_count()];
        net.evaluate(inputs, None, &mut out, None).unwrap();
        out
    }

    use Activation::*;
    use NodeKind::*;

    #[test]
    fn xor_network_by_hand() {
        // Classic 2-2-1 XOR with step-like sigmoids.
        let net = build(
            &[
                (0, Input, Linear, 0.0, &[]),
                (1, Input, Linear, 0.0, &[]),
                (10, Ordinary, Sigmoid, -10.0, &[(0, 20.0), (1, 20.0)]),
                (11, Ordinary, Sigmoid, 30.0, &[(0, -20.0), (1, -20.0)]),
                (20, Ordinary, Sigmoid, -30.0, &[(10, 20.0), (11, 20.0)]),
            ],
            2,
            &[20],
        )
        .unwrap();
        let xor = |a: f64, b: f64| eval(&net, &[a, b])[0];
        assert!(xor(0.0, 0.0) < 0.01);
        assert!(xor(1.0, 0.0) > 0.99);
        assert!(xor(0.0, 1.0) > 0.99);
        assert!(xor(1.0, 1.0) < 0.01);
    }

    #[test]
    fn sum_order_and_bias() {
        let net = build(
            &[
                (5, Input, Tanh, 0.0, &[]),
                (7, Ordinary, Linear, 0.25, &[(5, 2.0), (5, -0.5)]),
            ],
            1,
            &[7, 5, 7],
        )
        .unwrap();
        let out = eval(&net, &[3.0]);
        assert_eq!(out, vec![(0.0 + 2.0 * 3.0 + -0.5 * 3.0) + 0.25, 3.0, 4.75]);
        let i = net.info();
        assert_eq!(
            (i.nodes, i.connections, i.inputs, i.outputs, i.state_size),
            (2, 2, 1, 3, 0)
        );
    }

    #[test]
    fn forward_reference_reads_zero_then_state() {
        // node 1 reads node 2 (later): forward ref -> slot for node 2.
        let net = build(
            &[
                (0, Input, Linear, 0.0, &[]),
                (1, Ordinary, Linear, 0.0, &[(0, 1.0), (2, 1.0)]),
                (2, Ordinary, Linear, 1.0, &[(1, 2.0)]),
            ],
            1,
            &[1, 2],
        )
        .unwrap();
        assert_eq!(net.state_size(), 1);
        assert_eq!(eval(&net, &[1.0]), vec![1.0, 3.0]);
        let mut out = [0.0; 2];
        let mut next = [0.0; 1];
        net.evaluate(&[1.0], Some(&[3.0]), &mut out, Some(&mut next))
            .unwrap();
        assert_eq!(out, [4.0, 9.0]);
        assert_eq!(next, [9.0]);
    }

    #[test]
    fn inputs_are_placed_first_and_never_slots() {
        // node 1 reads input 2, which stands later in the list: current value.
        let net = build(
            &[
                (1, Ordinary, Linear, 0.0, &[(2, 2.0)]),
                (2, Input, Linear, 0.0, &[]),
            ],
            1,
            &[1],
        )
        .unwrap();
        assert_eq!(net.state_size(), 0);
        assert_eq!(net.info().forward_refs, 0);
        assert_eq!(eval(&net, &[1.5]), vec![3.0]);
    }

    #[test]
    fn liquid_nodes_thread_state() {
        let net = build(
            &[
                (0, Input, Linear, 0.0, &[]),
                (
                    1,
                    Cfc {
                        tau: 1.0,
                        bound: 1.0,
                    },
                    Tanh,
                    0.0,
                    &[(0, 1.0)],
                ),
            ],
            1,
            &[1],
        )
        .unwrap();
        assert_eq!(net.state_size(), 1);
        let mut out = [0.0];
        let mut next = [0.0];
        net.evaluate(&[0.5], Some(&[0.2]), &mut out, Some(&mut next))
            .unwrap();
        let (want, _) = scalar::cfc(0.5, 0.2, 1.0, 1.0, &[], &[]);
        assert_eq!(out[0], want);
        assert_eq!(next[0], want);
    }

    #[test]
    fn errors_name_the_argument() {
        let dup = build(
            &[(0, Input, Tanh, 0.0, &[]), (0, Ordinary, Tanh, 0.0, &[])],
            1,
            &[],
        );
        assert_eq!(dup.unwrap_err().position, crate::Position::Arg(1));
        let missing = build(&[(0, Ordinary, Tanh, 0.0, &[(9, 1.0)])], 0, &[]);
        assert!(missing.unwrap_err().reason.contains("missing node 9"));
        let count = build(&[(0, Input, Tanh, 0.0, &[])], 2, &[]);
        assert_eq!(count.unwrap_err().position, crate::Position::Arg(2));
        let out = build(&[(0, Input, Tanh, 0.0, &[])], 1, &[3]);
        assert_eq!(out.unwrap_err().position, crate::Position::Arg(3));
        let mut b = NetworkBuilder::new(BIG);
        b.node(0, Input, Tanh, 0.0).unwrap();
        assert!(b.connect(0, 1.0).is_err());
        assert!(b.node(1, Ordinary, Tanh, f64::NAN).is_err());
        assert!(b
            .node(
                1,
                Cfc {
                    tau: 0.0,
                    bound: 1.0
                },
                Tanh,
                0.0
            )
            .is_err());
        assert!(b.node(MAX_INDEX + 1, Ordinary, Tanh, 0.0).is_err());
    }

    #[test]
    fn overflow_is_an_error() {
        let net = build(
            &[
                (0, Input, Linear, 0.0, &[]),
                (1, Ordinary, Cubic, 0.0, &[(0, 1e200)]),
            ],
            1,
            &[1],
        )
        .unwrap();
        let mut out = [0.0];
        let e = net.evaluate(&[1.0], None, &mut out, None).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Overflow);
        let mut outs = [0.0; 3];
        assert!(net.evaluate_batch(&[0.0, 1.0, 0.0], 3, &mut outs).is_err());
    }

    #[test]
    fn memory_budget_is_enforced() {
        let mut b = NetworkBuilder::new(4096);
        b.node(0, Input, Tanh, 0.0).unwrap();
        b.node(1, Ordinary, Tanh, 0.0).unwrap();
        let mut err = None;
        for _ in 0..10_000 {
            if let Err(e) = b.connect(0, 1.0) {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("budget must stop the builder");
        assert_eq!(e.kind, crate::error::ErrorKind::Memory);
        assert!(e.reason.contains("4096"));
    }

    #[test]
    fn empty_network() {
        let net = build(&[], 0, &[]).unwrap();
        assert_eq!(eval(&net, &[]), Vec::<f64>::new());
        let mut out = [];
        net.evaluate_batch(&[], 5, &mut out).unwrap();
    }

    #[test]
    fn sparse_indices_use_the_sorted_map() {
        let net = build(
            &[
                (4_000_000_000, Input, Tanh, 0.0, &[]),
                (3, Ordinary, Linear, 0.5, &[(4_000_000_000, 2.0)]),
            ],
            1,
            &[3],
        )
        .unwrap();
        assert_eq!(eval(&net, &[2.0]), vec![4.5]);
    }

    /// A random network: inputs first or interleaved, random connections
    /// (including forward and self references), random activations and kinds.
    fn arb_network() -> impl Strategy<Value = (Network, usize)> {
        (1usize..30, 0usize..5, any::<u64>()).prop_map(|(n, ni, seed)| {
            let mut rng = seed | 1;
            let mut next = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let total = n + ni;
            let mut b = NetworkBuilder::new(BIG);
            let mut inputs_left = ni;
            for pos in 0..total {
                let idx = (pos as u64) * 3 + 1;
                let must_input = total - pos <= inputs_left;
                if inputs_left > 0 && (must_input || next() % 3 == 0) {
                    b.node(idx, Input, Tanh, 0.0).unwrap();
                    inputs_left -= 1;
                    continue;
                }
                let act = Activation::ALL[(next() % 17) as usize];
                let kind = match next() % 10 {
                    0 => Cfc {
                        tau: 0.5 + (next() % 100) as f64 / 50.0,
                        bound: 1.0,
                    },
                    1 => Ltc {
                        tau: 0.5 + (next() % 100) as f64 / 50.0,
                        bound: 2.0,
                    },
                    _ => Ordinary,
                };
                let bias = (next() % 2001) as f64 / 1000.0 - 1.0;
                b.node(idx, kind, act, bias).unwrap();
                for _ in 0..(next() % 6) {
                    let from = (next() % total as u64) * 3 + 1;
                    let w = (next() % 2001) as f64 / 1000.0 - 1.0;
                    b.connect(from, w).unwrap();
                }
            }
            let outs: Vec<u64> = (0..3).map(|k| ((k * 7) % total) as u64 * 3 + 1).collect();
            (b.finish(ni, &outs).unwrap(), ni)
        })
    }

    proptest! {
        #[test]
        fn batch_equals_single_bit_for_bit((net, ni) in arb_network(), rows in 0usize..20, seed in any::<u32>()) {
            let inputs: Vec<f64> = (0..rows * ni).map(|k| ((k as u32 ^ seed) % 1000) as f64 / 250.0 - 2.0).collect();
            let no = net.output_count();
            let mut batch = vec![0.0; rows * no];
            net.evaluate_batch(&inputs, rows, &mut batch).unwrap();
            for r in 0..rows {
                let mut one = vec![0.0; no];
                net.evaluate(&inputs[r * ni..(r + 1) * ni], None, &mut one, None).unwrap();
                for (a, b) in one.iter().zip(&batch[r * no..(r + 1) * no]) {
                    prop_assert_eq!(a.to_bits(), b.to_bits());
                }
            }
        }

        #[test]
        fn zero_state_equals_stateless((net, ni) in arb_network()) {
            let inputs = vec![0.5; ni];
            let no = net.output_count();
            let (mut a, mut b) = (vec![0.0; no], vec![0.0; no]);
            let zeros = vec![0.0; net.state_size()];
            let mut next = vec![0.0; net.state_size()];
            net.evaluate(&inputs, None, &mut a, None).unwrap();
            net.evaluate(&inputs, Some(&zeros), &mut b, Some(&mut next)).unwrap();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn evaluation_is_deterministic((net, ni) in arb_network()) {
            let inputs = vec![-0.25; ni];
            let st = vec![0.1; net.state_size()];
            let no = net.output_count();
            let (mut a, mut b) = (vec![0.0; no], vec![0.0; no]);
            let (mut sa, mut sb) = (st.clone(), st.clone());
            net.evaluate(&inputs, Some(&st), &mut a, Some(&mut sa)).unwrap();
            net.evaluate(&inputs, Some(&st), &mut b, Some(&mut sb)).unwrap();
            prop_assert_eq!(a, b);
            prop_assert_eq!(sa, sb);
        }

        /// Against a naive evaluator over the node list (no CSR, no lanes).
        #[test]
        fn matches_naive_evaluator(n in 1usize..20, seed in any::<u64>()) {
            let mut rng = seed | 1;
            let mut next = move || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
            let mut spec: Vec<NaiveNode> = Vec::new();
            for pos in 0..n {
                let act = Activation::ALL[(next() % 17) as usize];
                let conns = (0..next() % 4).map(|_| ((next() % n as u64) as usize, (next() % 200) as f64 / 100.0 - 1.0)).collect();
                spec.push((pos as u64 + 100, act, (next() % 200) as f64 / 100.0 - 1.0, conns));
            }
            let mut b = NetworkBuilder::new(BIG);
            b.node(0, Input, Linear, 0.0).unwrap();
            for (i, a, bias, conns) in &spec {
                b.node(*i, Ordinary, *a, *bias).unwrap();
                for &(f, w) in conns { b.connect(f as u64 + 100, w).unwrap(); }
            }
            let outs: Vec<u64> = (0..n as u64).map(|k| k + 100).collect();
            let net = b.finish(1, &outs).unwrap();
            let got = eval(&net, &[0.75]);
            let mut vals = vec![0.0f64; n];
            for (p, (_, a, bias, conns)) in spec.iter().enumerate() {
                let mut s = 0.0;
                for &(f, w) in conns { s += w * vals[f]; }
                vals[p] = a.apply(s + bias);
            }
            for (g, w) in got.iter().zip(&vals) { prop_assert_eq!(g.to_bits(), w.to_bits()); }
        }
    }
}
