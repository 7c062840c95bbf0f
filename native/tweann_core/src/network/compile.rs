//! [`NetworkBuilder`]: a node list, validated node by node, turned into the
//! CSR arrays of a [`Network`] under a memory budget; and [`derive`], the
//! input positions, state slots and forward references of CSR arrays (shared
//! with the binary format, which stores only the arrays).

use super::index::IndexMap;
use super::{
    is_organelle, Liquid, Network, NodeKind, StateModel, MAX_INDEX, OP_CFC, OP_DELAY, OP_INPUT,
    OP_LEAKY, OP_LTC,
};
use crate::activation::Activation;
use crate::error::{try_vec, CoreError};

/// Builds a [`Network`] node by node, validating as it goes, with every
/// allocation checked against a memory budget (bytes) and made fallibly.
#[derive(Debug)]
pub struct NetworkBuilder {
    budget: usize,
    /// Every node's index; empty while each index so far is its position
    /// (`dense`), the common case, which needs no table.
    index: Vec<u32>,
    dense: bool,
    ops: Vec<u8>,
    bias: Vec<f64>,
    row_start: Vec<u32>,
    from: Vec<u32>,
    weight: Vec<f64>,
    liquid: Vec<Liquid>,
    leaky: Vec<f64>,
    /// Input nodes so far.
    inputs: usize,
    model: StateModel,
    /// The current node takes connections (there is one, not an input).
    open: bool,
}

/// `v.push(x)`, growing `v` (by its capacity, at least 16) only if
/// `used + growth` stays within `budget`.
#[inline(always)]
fn push<T>(v: &mut Vec<T>, x: T, used: usize, budget: usize, what: &str) -> Result<(), CoreError> {
    if v.len() == v.capacity() {
        grow(v, used, budget, what)?;
    }
    v.push(x);
    Ok(())
}

#[cold]
#[inline(never)]
fn grow<T>(v: &mut Vec<T>, used: usize, budget: usize, what: &str) -> Result<(), CoreError> {
    let extra = v.capacity().max(16);
    let grow = extra.saturating_mul(std::mem::size_of::<T>());
    if used.saturating_add(grow) > budget {
        return Err(CoreError::memory(format!(
            "compiling this network needs more than the memory budget of {budget} bytes \
             ({used} bytes in use, {grow} more for {what})"
        )));
    }
    v.try_reserve(extra)
        .map_err(|_| CoreError::memory(format!("cannot allocate {grow} more bytes for {what}")))
}

impl NetworkBuilder {
    /// A builder whose arrays may use at most `budget` bytes in all, for
    /// the default state model ([`StateModel::Organelles`]).
    pub fn new(budget: usize) -> Self {
        NetworkBuilder {
            budget,
            index: Vec::new(),
            dense: true,
            ops: Vec::new(),
            bias: Vec::new(),
            row_start: Vec::new(),
            from: Vec::new(),
            weight: Vec::new(),
            liquid: Vec::new(),
            leaky: Vec::new(),
            inputs: 0,
            model: StateModel::Organelles,
            open: false,
        }
    }

    /// Room for exactly `nodes` nodes and `conns` connections (their
    /// kinds, biases, rows, sources and weights), when it fits in
    /// the budget: then adding them never reallocates and the arrays need
    /// no shrinking. When it does not fit (or cannot be allocated), nothing
    /// is reserved and the arrays grow as the nodes come, so that the
    /// budget error is the one growing would meet. A count that is wrong
    /// only costs growth or spare capacity (released by `finish`).
    pub fn reserve(&mut self, nodes: usize, conns: usize) {
        let bytes = nodes
            .saturating_mul(1 + 8 + 4)
            .saturating_add(4)
            .saturating_add(conns.saturating_mul(4 + 8));
        if self.used().saturating_add(bytes) > self.budget {
            return;
        }
        let _ = self.ops.try_reserve_exact(nodes).is_ok()
            && self.bias.try_reserve_exact(nodes).is_ok()
            && self.row_start.try_reserve_exact(nodes + 1).is_ok()
            && self.from.try_reserve_exact(conns).is_ok()
            && self.weight.try_reserve_exact(conns).is_ok();
    }

    /// The same builder compiling for `model`.
    pub fn with_state_model(mut self, model: StateModel) -> Self {
        self.model = model;
        self
    }

    fn used(&self) -> usize {
        self.index.capacity() * 4
            + self.ops.capacity()
            + self.bias.capacity() * 8
            + self.row_start.capacity() * 4
            + self.from.capacity() * 4
            + self.weight.capacity() * 8
            + self.liquid.capacity() * std::mem::size_of::<Liquid>()
            + self.leaky.capacity() * 8
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
            NodeKind::Delay => OP_DELAY,
            NodeKind::Leaky { tau } => {
                if !(tau > 0.0 && tau.is_finite()) {
                    return Err(CoreError::badarg(
                        1,
                        format!("node {index}: leaky node needs Tau > 0 (a finite number)"),
                    ));
                }
                let used = self.used();
                push(&mut self.leaky, tau, used, self.budget, "leaky nodes")?;
                OP_LEAKY
            }
            NodeKind::Cfc { tau, bound } | NodeKind::Ltc { tau, bound } => {
                if !(tau > 0.0 && tau.is_finite() && bound > 0.0 && bound.is_finite()) {
                    return Err(CoreError::badarg(
                        1,
                        format!("node {index}: liquid node needs Tau > 0 and Bound > 0 (finite numbers)"),
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
        if !(self.dense && index == pos as u64) {
            self.sparse_index(index as u32)?;
        }
        let start = self.from.len() as u32;
        let room = |len: usize, cap: usize| len < cap;
        if room(self.ops.len(), self.ops.capacity())
            && room(self.bias.len(), self.bias.capacity())
            && room(self.row_start.len(), self.row_start.capacity())
        {
            // Room in all three (reserved): no budget to consult.
            self.ops.push(op);
            self.bias.push(bias);
            self.row_start.push(start);
        } else {
            let used = self.used();
            let budget = self.budget;
            push(&mut self.ops, op, used, budget, "node kinds")?;
            push(&mut self.bias, bias, used, budget, "biases")?;
            push(&mut self.row_start, start, used, budget, "node rows")?;
        }
        self.inputs += usize::from(op == OP_INPUT);
        self.open = op != OP_INPUT;
        Ok(())
    }

    /// Add a connection `from` (a node index) with `weight` to the current node.
    #[inline(always)]
    pub fn connect(&mut self, from: u64, weight: f64) -> Result<(), CoreError> {
        // The common case: a node that takes connections, a valid source
        // and weight, room in both arrays (so no budget to consult) and
        // below the connection limit (the capacity check covers it as long
        // as the capacity is below the limit).
        if self.open
            && from <= MAX_INDEX
            && weight.is_finite()
            && self.from.len() < self.from.capacity()
            && self.weight.len() < self.weight.capacity()
            && self.from.len() < u32::MAX as usize - 1
        {
            self.from.push(from as u32);
            self.weight.push(weight);
            return Ok(());
        }
        self.connect_slow(from, weight)
    }

    /// [`NetworkBuilder::connect`] with every check in order: the errors,
    /// and growth within the budget.
    #[cold]
    #[inline(never)]
    fn connect_slow(&mut self, from: u64, weight: f64) -> Result<(), CoreError> {
        let Some(&op) = self.ops.last() else {
            return Err(CoreError::badarg(1, "connection before any node"));
        };
        let node = self.index_of(self.ops.len() - 1);
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
        if self.from.len() < self.from.capacity() && self.weight.len() < self.weight.capacity() {
            // Room in both: no growth, so no budget to consult.
            self.from.push(from as u32);
            self.weight.push(weight);
            return Ok(());
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

    /// Records the index of the node being added when the indices stop
    /// being the positions (the table of the earlier ones is made first).
    #[cold]
    fn sparse_index(&mut self, index: u32) -> Result<(), CoreError> {
        let pos = self.ops.len();
        let budget = self.budget;
        if self.dense {
            self.dense = false;
            for p in 0..pos as u32 {
                let used = self.used();
                push(&mut self.index, p, used, budget, "node indices")?;
            }
        }
        let used = self.used();
        push(&mut self.index, index, used, budget, "node indices")
    }

    /// The index of the node at `pos`.
    fn index_of(&self, pos: usize) -> u32 {
        if self.dense {
            pos as u32
        } else {
            self.index[pos]
        }
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
        if self.inputs != input_count {
            return Err(CoreError::badarg(
                2,
                format!(
                    "InputCount is {input_count} but Nodes has {} input nodes",
                    self.inputs
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
        let lookup = if self.dense {
            IndexMap::identity(self.ops.len())
        } else {
            IndexMap::new(&self.index, budget.saturating_sub(self.used()))?
        };
        if let Some(dup) = lookup.duplicate {
            return Err(CoreError::badarg(1, format!("duplicate node index {dup}")));
        }
        // Resolve sources in place, noting whether any source stands at or
        // after its reader (else there is no forward reference to look for).
        let found = lookup.resolve(&self.row_start, &mut self.from);
        let later = match found {
            Ok(later) => later,
            Err((pos, idx)) => {
                return Err(CoreError::badarg(
                    1,
                    format!(
                        "node {}: connection from missing node {idx}",
                        self.index_of(pos)
                    ),
                ))
            }
        };
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
        let d = derive(&self.ops, &self.row_start, &self.from, self.model, later)?;
        let mut net = Network {
            n_inputs: input_count,
            input_pos: d.input_pos,
            ops: self.ops,
            bias: self.bias,
            row_start: self.row_start,
            src: self.from,
            weight: self.weight,
            liquid: self.liquid,
            leaky: self.leaky,
            output_pos,
            slots: d.slots,
            fwd_src: d.fwd_src,
            forward_refs: d.forward_refs,
            delays: d.delays,
            model: self.model,
            plan: Default::default(),
            bytes: 0,
        };
        net.seal()?;
        Ok(net)
    }
}

/// What [`derive`] finds in the CSR arrays.
pub(super) struct Derived {
    pub input_pos: Vec<u32>,
    pub slots: Vec<u32>,
    pub fwd_src: Vec<u32>,
    pub forward_refs: usize,
    pub delays: usize,
}

/// The input positions, state slots, forward-reference sources and counts
/// of resolved CSR arrays (`src` holds positions below `ops.len()`, rows are
/// monotonic). A connection of a node that is neither an input nor a delay,
/// whose source is neither an input nor a delay and stands at or after the
/// reader, is a forward reference. Slots: every organelle, and under
/// [`StateModel::ForwardRefs`] every forward-reference source, in list order.
/// `later` false says that no source stands at or after its reader (so there
/// is no forward reference to look for).
pub(super) fn derive(
    ops: &[u8],
    row_start: &[u32],
    src: &[u32],
    model: StateModel,
    later: bool,
) -> Result<Derived, CoreError> {
    let n = ops.len();
    let plain = |op: u8| op != OP_INPUT && op != OP_DELAY;
    // Forward-reference sources, marked in a table made at the first one.
    let mut fwd: Vec<bool> = Vec::new();
    let mut forward_refs = 0usize;
    for pos in 0..if later { n } else { 0 } {
        if !plain(ops[pos]) {
            continue;
        }
        let (a, b) = (row_start[pos] as usize, row_start[pos + 1] as usize);
        for &s in &src[a..b] {
            let s = s as usize;
            if s >= pos && plain(ops[s]) {
                if fwd.is_empty() {
                    fwd = try_vec::<bool>(n, "state slots")?;
                    fwd.resize(n, false);
                }
                fwd[s] = true;
                forward_refs += 1;
            }
        }
    }
    let is_fwd = |p: usize| !fwd.is_empty() && fwd[p];
    let is_slot =
        |p: usize| is_organelle(ops[p]) || (model == StateModel::ForwardRefs && is_fwd(p));
    let (mut n_in, mut n_slots, mut n_fwd, mut delays) = (0usize, 0usize, 0usize, 0usize);
    for (p, &op) in ops.iter().enumerate() {
        n_in += usize::from(op == OP_INPUT);
        delays += usize::from(op == OP_DELAY);
        n_slots += usize::from(is_slot(p));
        n_fwd += usize::from(is_fwd(p));
    }
    let mut input_pos = try_vec::<u32>(n_in, "inputs")?;
    let mut slots = try_vec::<u32>(n_slots, "state slots")?;
    let mut fwd_src = try_vec::<u32>(n_fwd, "forward reference sources")?;
    for (p, &op) in ops.iter().enumerate() {
        if op == OP_INPUT {
            input_pos.push(p as u32);
        }
        if is_slot(p) {
            slots.push(p as u32);
        }
        if is_fwd(p) {
            fwd_src.push(p as u32);
        }
    }
    Ok(Derived {
        input_pos,
        slots,
        fwd_src,
        forward_refs,
        delays,
    })
}
