//! Compiled networks: a node list in topological order turned into flat CSR
//! arrays, and their evaluation.
//!
//! # Layout
//!
//! For `n` nodes and `c` connections a [`Network`] holds
//!
//! * `ops: [u8; n]`: what the node does (an
//!   [`Activation`](crate::activation::Activation) tag, input, delay, leaky,
//!   CfC or LTC),
//! * `bias: [f64; n]`,
//! * `row_start: [u32; n + 1]`: node `i`'s connections are
//!   `row_start[i]..row_start[i + 1]`,
//! * `src: [u32; c]` (the source node's position) and `weight: [f64; c]`,
//!
//! plus the positions of the inputs, the outputs and the state slots, the
//! `tau`/`bound` of each liquid (CfC/LTC) node and the `tau` of each leaky
//! node. That is 12 bytes per connection and 13 per node.
//!
//! # Semantics (see `docs/semantics.md`)
//!
//! State lives in *organelles*: `delay`, `{leaky, Tau}`, `{cfc, Tau, Bound}`
//! and `{ltc, Tau, Bound}` nodes, one state slot each in node order. A step
//! runs in three passes:
//!
//! 1. every delay emits what it captured last step (its slot), and the k-th
//!    input node takes the k-th input;
//! 2. every other node, in list order, computes `sum = 0.0; sum = sum + w *
//!    value[src]` connection by connection, `x = sum + bias`, and its value:
//!    `act(x)` for an ordinary node, `prev + (x - prev) / tau` for a leaky
//!    node, the scalar CfC / ODE step for a liquid node (`prev` is the
//!    node's slot);
//! 3. every delay captures `sum + bias` over its connections (no activation),
//!    reading the values the step ended with.
//!
//! A connection of a non-delay node whose source is an ordinary or organelle
//! node (not an input, not a delay) at or after the reader is a *forward
//! reference*. Under [`StateModel::Organelles`] (the default) it reads `0.0`.
//! Under [`StateModel::ForwardRefs`] (DXNN2-style recurrence) it reads the
//! source's value from the previous step: the source owns a state slot too,
//! and every slot's value starts the step at its state. A non-finite `x`,
//! value or capture is an overflow error.
//!
//! # Files
//!
//! * this file: the node kinds, the compiled [`Network`] and its facts;
//! * `compile.rs`: [`NetworkBuilder`], node list to CSR, and the derivation
//!   of inputs, slots and forward references shared with the codec;
//! * `eval.rs`: [`Network::evaluate`], one step (stateless or with state);
//! * `plan.rs`: the evaluation plan, the order pass 2 runs in (nodes by
//!   level, then by activation, so that the 2-lane math applies);
//! * `batch.rs`: [`Network::evaluate_batch`], [`LANES`] rows per pass;
//! * `parts.rs`: the arrays as the binary format reads and writes them.

mod batch;
mod compile;
mod eval;
mod index;
mod parts;
mod plan;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use compile::NetworkBuilder;

use crate::error::CoreError;

pub(crate) const OP_INPUT: u8 = 200;
pub(crate) const OP_CFC: u8 = 201;
pub(crate) const OP_LTC: u8 = 202;
pub(crate) const OP_DELAY: u8 = 203;
pub(crate) const OP_LEAKY: u8 = 204;

/// True for the ops that own a state slot in every state model.
#[inline]
pub(crate) fn is_organelle(op: u8) -> bool {
    matches!(op, OP_DELAY | OP_LEAKY | OP_CFC | OP_LTC)
}

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
    /// `neuron`, `hidden`, `output` and `bias` nodes: `act(sum + bias)`.
    Ordinary,
    /// A memory organelle: emits what it captured last step, captures
    /// `sum + bias` after the other nodes have run.
    Delay,
    /// A leaky integrator: `prev + (sum + bias - prev) / tau`.
    Leaky { tau: f64 },
    /// A closed-form continuous-time neuron driven by `sum + bias`.
    Cfc { tau: f64, bound: f64 },
    /// A liquid time-constant neuron (one explicit Euler step, dt = 1.0).
    Ltc { tau: f64, bound: f64 },
}

/// What owns a state slot, and what a forward reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateModel {
    /// One slot per organelle (delay, leaky, cfc, ltc); a forward reference
    /// reads `0.0`.
    #[default]
    Organelles,
    /// As `Organelles`, and the source of every forward reference owns a
    /// slot too: a forward reference reads the previous step's value.
    ForwardRefs,
}

#[derive(Debug, Clone, Copy)]
struct Liquid {
    tau: f64,
    bound: f64,
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
    leaky: Vec<f64>,
    output_pos: Vec<u32>,
    slots: Vec<u32>,
    /// Positions read before they are written in a step (sources of
    /// forward references): the batch path zeroes their lanes.
    fwd_src: Vec<u32>,
    forward_refs: usize,
    delays: usize,
    model: StateModel,
    /// The order pass 2 runs in (`plan.rs`).
    plan: plan::Plan,
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
    /// CfC and LTC nodes.
    pub liquid_nodes: usize,
    pub delay_nodes: usize,
    pub leaky_nodes: usize,
    pub state_model: StateModel,
    /// Heap bytes held by the compiled form.
    pub bytes: usize,
}

impl Network {
    /// Builds the evaluation plan and releases spare capacity: the last
    /// step of compiling or decoding a network.
    fn seal(&mut self) -> Result<(), CoreError> {
        self.build_plan()?;
        self.shrink();
        Ok(())
    }

    fn shrink(&mut self) {
        self.input_pos.shrink_to_fit();
        self.ops.shrink_to_fit();
        self.bias.shrink_to_fit();
        self.row_start.shrink_to_fit();
        self.src.shrink_to_fit();
        self.weight.shrink_to_fit();
        self.liquid.shrink_to_fit();
        self.leaky.shrink_to_fit();
        self.output_pos.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.fwd_src.shrink_to_fit();
        self.bytes = std::mem::size_of::<Network>()
            + self.input_pos.capacity() * 4
            + self.ops.capacity()
            + self.bias.capacity() * 8
            + self.row_start.capacity() * 4
            + self.src.capacity() * 4
            + self.weight.capacity() * 8
            + self.liquid.capacity() * std::mem::size_of::<Liquid>()
            + self.leaky.capacity() * 8
            + self.output_pos.capacity() * 4
            + self.slots.capacity() * 4
            + self.fwd_src.capacity() * 4
            + self.plan.bytes();
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
            delay_nodes: self.delays,
            leaky_nodes: self.leaky.len(),
            state_model: self.model,
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
    pub fn state_model(&self) -> StateModel {
        self.model
    }

    /// Work units of one evaluation, for scheduling: one per connection and
    /// eight per node (an activation is a libm call of ~10-20 ns).
    pub fn cost(&self) -> usize {
        self.src.len() + 8 * self.ops.len()
    }

    fn overflow(&self, pos: usize) -> CoreError {
        CoreError::overflow(format!(
            "arithmetic overflow: node at position {pos} produced a non-finite value"
        ))
    }
}
