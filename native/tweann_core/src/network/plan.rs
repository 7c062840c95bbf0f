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
//! # Filling pairs
//!
//! The smallest levels are not the only ones that work: a node may sit at
//! any level above its sources' and below its readers'. In networks without
//! forward references and of at most [`PAIRED`] nodes in pass 2 (where
//! groups are small and a lone node costs a whole activation call), the
//! levels are chosen to fill pairs:
//!
//! * each node's *height* is the longest chain of readers above it (0 for a
//!   node that no node of pass 2 reads), found in one pass in reverse list
//!   order; the depth is the largest height, and a node must sit at
//!   `depth - height` or below, so that its readers still fit;
//! * in list order, each node sits at the lowest level of
//!   `lowest..=depth - height` (`lowest` is one above its sources' levels,
//!   already placed) whose group of its op has an odd number of nodes so
//!   far, which it makes even; if there is none, at `lowest`.
//!
//! On a random network of the benchmarks' 50-node shape (10 inputs, 40
//! evaluated nodes of four activations, 250 connections) this turns 24 lone
//! nodes of 31 groups into 18 of 28, for a few percent less time per
//! evaluation and about 1 µs more per compilation. The rules of the levels
//! above hold for any choice, so the bits do not depend on it.
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

/// Networks of at most this many nodes in pass 2 (and no forward
/// reference) get their levels chosen to fill pairs (module docs).
pub(super) const PAIRED: usize = 512;

/// The first set bit of `bits` in `lo..=hi`, if any.
fn first_set(bits: &[u64], lo: usize, hi: usize) -> Option<usize> {
    let mut w = lo / 64;
    let mut word = bits[w] & (!0u64 << (lo % 64));
    loop {
        if word != 0 {
            let l = w * 64 + word.trailing_zeros() as usize;
            return (l <= hi).then_some(l);
        }
        w += 1;
        if w * 64 > hi {
            return None;
        }
        word = bits[w];
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

    /// The levels of a network without forward references, chosen to fill
    /// pairs (module docs, "Filling pairs"), as `level + 1` for the nodes
    /// pass 2 runs and 0 for the others.
    fn paired_levels(&self, level: &mut [u32]) -> Result<(), CoreError> {
        let n = self.ops.len();
        let ops = &self.ops;
        let row = |p: usize| &self.src[self.row_start[p] as usize..self.row_start[p + 1] as usize];
        // Heights, in reverse list order (every reader comes after what it
        // reads); inputs and delays get one too, never used. Each op that
        // runs gets a number, for its row of `odd`.
        let mut height = try_vec::<u32>(n, "the evaluation plan")?;
        height.resize(n, 0);
        let mut kind = [u8::MAX; 256];
        let (mut kinds, mut depth) = (0usize, 0u32);
        for p in (0..n).rev() {
            let op = ops[p];
            if !runs(op) {
                continue;
            }
            if kind[op as usize] == u8::MAX {
                kind[op as usize] = kinds as u8;
                kinds += 1;
            }
            let h = height[p];
            depth = depth.max(h);
            for &s in row(p) {
                height[s as usize] = height[s as usize].max(h + 1);
            }
        }
        // One bit per level and op: the group has an odd number of nodes.
        let words = depth as usize / 64 + 1;
        let mut odd = try_vec::<u64>(words * kinds, "the evaluation plan")?;
        odd.resize(words * kinds, 0);
        for p in 0..n {
            if !runs(ops[p]) {
                continue;
            }
            let lowest = row(p).iter().fold(0, |lo, &s| lo.max(level[s as usize])) as usize;
            // `lowest <= depth - height[p]`: every source of pass 2 comes
            // before this node (no forward reference) and sits at most at its
            // own bound, which is below this node's.
            let highest = ((depth - height[p]) as usize).max(lowest);
            let bits = &mut odd[kind[ops[p] as usize] as usize * words..][..words];
            let l = first_set(bits, lowest, highest).unwrap_or(lowest);
            bits[l / 64] ^= 1 << (l % 64);
            level[p] = l as u32 + 1;
        }
        Ok(())
    }

    /// Builds `self.plan` from the compiled arrays (module docs).
    pub(super) fn build_plan(&mut self) -> Result<(), CoreError> {
        let n = self.ops.len();
        let ops = &self.ops;
        let mut level = try_vec::<u32>(n, "the evaluation plan")?;
        level.resize(n, 0);
        let mut m = 0usize;
        let running = ops.iter().filter(|&&op| runs(op)).count();
        if self.forward_refs == 0 && running <= PAIRED {
            self.paired_levels(&mut level)?;
            m = running;
            for l in level.iter_mut() {
                *l = l.saturating_sub(1);
            }
        } else if self.forward_refs == 0 {
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

#[cfg(test)]
impl Network {
    /// The plan's invariants: every node of pass 2 has one step, and each of
    /// its sources that pass 2 also runs is in an earlier group (a later
    /// one for a forward reference, unless it is the node itself).
    pub(super) fn check_plan(&self) -> Result<(), String> {
        let n = self.ops.len();
        let mut group = vec![usize::MAX; n];
        let mut start = 0usize;
        for (k, g) in self.plan.groups.iter().enumerate() {
            for st in &self.plan.steps[start..g.end as usize] {
                let p = st.pos as usize;
                if group[p] != usize::MAX || self.ops[p] != g.op {
                    return Err(format!("node at {p}: twice, or in a group of another op"));
                }
                group[p] = k;
            }
            start = g.end as usize;
        }
        if start != self.plan.steps.len() {
            return Err("steps after the last group".into());
        }
        for p in (0..n).filter(|&p| runs(self.ops[p])) {
            if group[p] == usize::MAX {
                return Err(format!("node at {p} has no step"));
            }
            let row = &self.src[self.row_start[p] as usize..self.row_start[p + 1] as usize];
            for s in row
                .iter()
                .map(|&s| s as usize)
                .filter(|&s| runs(self.ops[s]))
            {
                let ok = match s.cmp(&p) {
                    std::cmp::Ordering::Less => group[s] < group[p],
                    std::cmp::Ordering::Greater => group[s] > group[p],
                    std::cmp::Ordering::Equal => true,
                };
                if !ok {
                    return Err(format!("node at {p} reads node at {s} out of order"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Network, NetworkBuilder, NodeKind};
    use crate::activation::Activation::{self, *};

    fn build(nodes: &[(NodeKind, Activation, &[u64])], outs: &[u64]) -> Network {
        let mut b = NetworkBuilder::new(usize::MAX);
        let mut inputs = 0;
        for (i, &(kind, act, srcs)) in nodes.iter().enumerate() {
            inputs += usize::from(kind == NodeKind::Input);
            b.node(i as u64, kind, act, 0.1).unwrap();
            for &s in srcs {
                b.connect(s, 0.5).unwrap();
            }
        }
        b.finish(inputs, outs).unwrap()
    }

    /// The groups as (op, positions).
    fn groups(net: &Network) -> Vec<(u8, Vec<u32>)> {
        let mut start = 0usize;
        net.plan
            .groups
            .iter()
            .map(|g| {
                let ps = net.plan.steps[start..g.end as usize]
                    .iter()
                    .map(|s| s.pos)
                    .collect();
                start = g.end as usize;
                (g.op, ps)
            })
            .collect()
    }

    #[test]
    fn a_node_with_slack_joins_a_group_of_one() {
        use NodeKind::{Input, Ordinary};
        // a -> b -> c is a chain of three levels; d reads only an input, so
        // it may sit at any of them: it joins b, the other sigmoid, at 1.
        let net = build(
            &[
                (Input, Linear, &[]),
                (Input, Linear, &[]),
                (Ordinary, Tanh, &[0]),    // a
                (Ordinary, Sigmoid, &[2]), // b
                (Ordinary, Tanh, &[3]),    // c
                (Ordinary, Sigmoid, &[1]), // d
            ],
            &[4, 5],
        );
        net.check_plan().unwrap();
        let (t, s) = (Tanh as u8, Sigmoid as u8);
        assert_eq!(
            groups(&net),
            vec![(t, vec![2]), (s, vec![3, 5]), (t, vec![4])]
        );
        let mut a = [0.0; 2];
        let mut b = [0.0; 2];
        net.evaluate(&[0.3, -0.7], None, &mut a, None).unwrap();
        net.evaluate_ordered(&[0.3, -0.7], None, &mut b, None)
            .unwrap();
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    }

    #[test]
    fn a_node_never_rises_past_its_bound() {
        use NodeKind::{Input, Ordinary};
        // a -> b -> s makes three levels. d is read by e, so d must stay
        // at 0 or 1 for e to fit below the top: the lone sigmoid s at 2 is
        // out of its reach (joining it would add a level).
        let net = build(
            &[
                (Input, Linear, &[]),
                (Ordinary, Tanh, &[0]),    // a, level 0
                (Ordinary, Tanh, &[1]),    // b, level 1
                (Ordinary, Sigmoid, &[2]), // s, level 2
                (Ordinary, Sigmoid, &[0]), // d, 0 or 1: at 0
                (Ordinary, Relu, &[4]),    // e, 1 or 2: at 1
            ],
            &[3, 5],
        );
        net.check_plan().unwrap();
        let (t, s, r) = (Tanh as u8, Sigmoid as u8, Relu as u8);
        assert_eq!(
            groups(&net),
            vec![
                (t, vec![1]),
                (s, vec![4]),
                (t, vec![2]),
                (r, vec![5]),
                (s, vec![3])
            ]
        );
    }

    #[test]
    fn forward_references_keep_the_lowest_levels() {
        use NodeKind::{Input, Ordinary};
        // b reads c, a later node: no pairing, the levels of the rules.
        let net = build(
            &[
                (Input, Linear, &[]),
                (Ordinary, Sigmoid, &[0]), // a, level 0
                (Ordinary, Tanh, &[1, 3]), // b, level 0 (c must be above it)
                (Ordinary, Sigmoid, &[2]), // c, level 1
            ],
            &[3],
        );
        net.check_plan().unwrap();
        let (t, s) = (Tanh as u8, Sigmoid as u8);
        assert_eq!(groups(&net), vec![(s, vec![1]), (t, vec![2]), (s, vec![3])]);
    }
}
