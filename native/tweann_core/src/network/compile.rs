//! [`NetworkBuilder`]: a node list, validated node by node, turned into the
//! CSR arrays of a [`Network`] under a memory budget.

use super::{Liquid, Network, NodeKind, MAX_INDEX, OP_CFC, OP_INPUT, OP_LTC};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};

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
