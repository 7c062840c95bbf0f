//! The evaluation plan of a compiled network: the order in which
//! [`Network::evaluate`](super::Network::evaluate) and
//! [`Network::evaluate_batch`](super::Network::evaluate_batch) run the nodes
//! of pass 2.
//!
//! # Levels and groups
//!
//! Pass 2 runs every node that is neither an input nor a delay. Each such
//! node gets a *level*, the smallest that satisfies, for each of its
//! connections from a node `s` that pass 2 also runs (inputs and delays are
//! set before pass 2 and never change during it):
//!
//! * `s` before the node in the list (an ordinary read of this step's value):
//!   the node's level is above `s`'s;
//! * `s` at or after the node (a forward reference, which reads the value `s`
//!   held before the step): `s`'s level is above the node's, unless `s` is
//!   the node itself.
//!
//! Levels are assigned in list order (every constraint goes from a lower
//! position to a higher one, so one pass suffices). No node reads another
//! node of its own level, so within a level the nodes can run in any order,
//! and running the levels in increasing order gives every node exactly the
//! values the list order gives it. The plan sorts the nodes by level, then
//! by op (activation tag or organelle kind), then by position, and cuts the
//! sequence into *groups*: maximal runs of one level and one op. A group of
//! ordinary nodes applies its activation two nodes at a time with the 2-lane
//! forms of [`crate::math`] (the same bits as the scalar forms).
//!
//! Every node still computes `sum = 0.0; sum += w * value[src]` over its own
//! connections in list order, then `x = sum + bias`: the results are the bits
//! of the list-order evaluation. Only the overflow error needs the list
//! order (the *first* failing node is named), so a step that meets a
//! non-finite value is run again in list order to report it.
//!
//! # Layout
//!
//! * `steps`: one [`Step`] per node of pass 2 (24 bytes: bias, connection
//!   range in the CSR arrays, position, organelle index), in plan order (the
//!   connections stay where they are: a step reads its range of `src` and
//!   `weight`, so the plan costs nothing per connection);
//! * `groups`: one [`Group`] per group (its op and where its steps end);
//! * `organelles`: per leaky or liquid node, its parameter index and state
//!   slot.

use super::{Network, OP_DELAY, OP_INPUT};
use crate::error::{try_vec, CoreError};

/// The connections of the CSR arrays: source positions and weights.
#[derive(Debug, Clone, Copy)]
pub(super) struct Conns<'a> {
    pub src: &'a [u32],
    pub w: &'a [f64],
}

/// A node of pass 2 in plan order.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(super) struct Step {
    pub bias: f64,
    /// Its connections: `src[start..end]`, `weight[start..end]`.
    pub start: u32,
    pub end: u32,
    /// Its position in the node list.
    pub pos: u32,
    /// For a leaky or liquid node, its entry in `organelles`.
    pub aux: u32,
}

/// A run of steps of one level and one op, ending at `steps[end]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    pub op: u8,
    pub end: u32,
}

/// A leaky or liquid node's parameter index (into `leaky` or `liquid`) and
/// state slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Organelle {
    pub param: u32,
    pub slot: u32,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    pub steps: Vec<Step>,
    pub groups: Vec<Group>,
    pub organelles: Vec<Organelle>,
}

impl Plan {
    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.steps.capacity() * std::mem::size_of::<Step>()
            + self.groups.capacity() * std::mem::size_of::<Group>()
            + self.organelles.capacity() * std::mem::size_of::<Organelle>()
    }
}

/// True for the nodes pass 2 runs.
#[inline]
fn runs(op: u8) -> bool {
    op != OP_INPUT && op != OP_DELAY
}

impl Network {
    /// The CSR connections, as the plan's steps read them.
    #[inline]
    pub(super) fn conns(&self) -> Conns<'_> {
        Conns {
            src: &self.src,
            w: &self.weight,
        }
    }

    /// Builds `self.plan` from the compiled arrays (module docs).
    pub(super) fn build_plan(&mut self) -> Result<(), CoreError> {
        let n = self.ops.len();
        let ops = &self.ops;
        let mut level = try_vec::<u32>(n, "the evaluation plan")?;
        level.resize(n, 0);
        let mut m = 0usize;
        if self.forward_refs == 0 {
            // No forward reference: a running node reads only nodes before
            // it, inputs and delays (at any place). `level` holds level + 1
            // of the running nodes already placed, 0 for inputs and delays
            // (and for nodes not reached yet, which no row reads), so a
            // node's level is the largest entry of its row.
            for p in 0..n {
                if !runs(ops[p]) {
                    continue;
                }
                let (a, b) = (self.row_start[p] as usize, self.row_start[p + 1] as usize);
                let lv = self.src[a..b]
                    .iter()
                    .fold(0, |lv, &s| lv.max(level[s as usize]));
                level[p] = lv + 1;
                m += 1;
            }
            for l in level.iter_mut() {
                *l = l.saturating_sub(1);
            }
        } else {
            for p in 0..n {
                if !runs(ops[p]) {
                    continue;
                }
                let (a, b) = (self.row_start[p] as usize, self.row_start[p + 1] as usize);
                let row = &self.src[a..b];
                let mut lv = level[p];
                for &s in row {
                    let s = s as usize;
                    if s < p && runs(ops[s]) {
                        lv = lv.max(level[s] + 1);
                    }
                }
                level[p] = lv;
                for &s in row {
                    let s = s as usize;
                    if s > p && runs(ops[s]) {
                        level[s] = level[s].max(lv + 1);
                    }
                }
                m += 1;
            }
        }
        // The nodes pass 2 runs, sorted by (level, op, position); `order`
        // ends up holding their positions in the low 32 bits. A level is
        // below the number of nodes (each one is a longest path in the
        // order of positions), so below 2^24 nodes the key fits in a u64.
        let mut order = try_vec::<u64>(m, "the evaluation plan")?;
        if n < 1 << 24 {
            order.extend(
                (0..n)
                    .filter(|&p| runs(ops[p]))
                    .map(|p| ((level[p] as u64) << 40) | ((ops[p] as u64) << 32) | p as u64),
            );
            order.sort_unstable();
        } else {
            let mut keys = try_vec::<(u32, u64)>(m, "the evaluation plan")?;
            keys.extend(
                (0..n)
                    .filter(|&p| runs(ops[p]))
                    .map(|p| (level[p], ((ops[p] as u64) << 32) | p as u64)),
            );
            keys.sort_unstable();
            order.extend(keys.iter().map(|&(_, k)| k & 0xffff_ffff));
        }

        // Organelle parameters by position (only when there are organelles:
        // the parameter index of a leaky or liquid node is its rank among
        // the nodes of its kind).
        let mut param_of = Vec::new();
        if !self.leaky.is_empty() || !self.liquid.is_empty() {
            param_of = try_vec::<u32>(n, "the evaluation plan")?;
            let (mut nl, mut nk) = (0u32, 0u32);
            param_of.extend(self.ops.iter().map(|&op| match op {
                super::OP_LEAKY => {
                    nk += 1;
                    nk - 1
                }
                super::OP_CFC | super::OP_LTC => {
                    nl += 1;
                    nl - 1
                }
                _ => u32::MAX,
            }));
        }
        // Exact capacities (at most one group per step), so that the size
        // of a network is a formula of its counts (`docs/semantics.md`).
        let mut steps = try_vec::<Step>(m, "the evaluation plan")?;
        let mut groups = try_vec::<Group>(m, "the evaluation plan")?;
        let mut organelles =
            try_vec::<Organelle>(self.leaky.len() + self.liquid.len(), "the evaluation plan")?;
        for (k, &key) in order.iter().enumerate() {
            let p = (key & 0xffff_ffff) as usize;
            let (a, b) = (self.row_start[p], self.row_start[p + 1]);
            let mut aux = u32::MAX;
            if let Some(&param) = param_of.get(p).filter(|&&x| x != u32::MAX) {
                aux = organelles.len() as u32;
                // Every organelle owns a slot; slots are in list order.
                let slot = self
                    .slots
                    .binary_search(&(p as u32))
                    .map_or(u32::MAX, |i| i as u32);
                organelles.push(Organelle { param, slot });
            }
            steps.push(Step {
                bias: self.bias[p],
                start: a,
                end: b,
                pos: p as u32,
                aux,
            });
            let last = match order.get(k + 1) {
                Some(&next) => {
                    let q = (next & 0xffff_ffff) as usize;
                    level[q] != level[p] || ops[q] != ops[p]
                }
                None => true,
            };
            if last {
                groups.push(Group {
                    op: ops[p],
                    end: steps.len() as u32,
                });
            }
        }
        self.plan = Plan {
            steps,
            groups,
            organelles,
        };
        Ok(())
    }
}
