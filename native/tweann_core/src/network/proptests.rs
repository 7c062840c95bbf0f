//! Properties of compiled networks over generated node lists.
//!
//! Everything about a generated network comes from proptest strategies: the
//! node count, each node's kind, activation, bias and connections, the
//! outputs, and the inputs and state it is evaluated with. A connection names
//! its source by an [`Index`] into the node list, so it stays valid while the
//! list shrinks, and a failing case shrinks to a small network.

use super::*;
use crate::activation::Activation;
use crate::scalar;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};

/// One generated node.
#[derive(Debug, Clone)]
struct GenNode {
    kind: NodeKind,
    act: Activation,
    bias: f64,
    /// Ignored for input nodes, which take no connections.
    conns: Vec<(Index, f64)>,
}

/// A generated network: node `p` of the list has index `3p + 1`.
#[derive(Debug, Clone)]
struct GenNet {
    nodes: Vec<GenNode>,
    outputs: Vec<Index>,
}

fn index_of(pos: usize) -> u64 {
    pos as u64 * 3 + 1
}

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

impl GenNet {
    fn is_input(&self, p: usize) -> bool {
        self.nodes[p].kind == NodeKind::Input
    }

    fn inputs(&self) -> usize {
        (0..self.nodes.len()).filter(|&p| self.is_input(p)).count()
    }

    /// Node `p`'s connections as (source position, weight).
    fn conns(&self, p: usize) -> Vec<(usize, f64)> {
        if self.is_input(p) {
            return Vec::new();
        }
        let n = self.nodes.len();
        self.nodes[p]
            .conns
            .iter()
            .map(|(s, w)| (s.index(n), *w))
            .collect()
    }

    fn output_positions(&self) -> Vec<usize> {
        let n = self.nodes.len();
        self.outputs.iter().map(|o| o.index(n)).collect()
    }

    /// Connections whose source is a non-input node at or after the reader.
    fn forward_refs(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .flat_map(|p| self.conns(p).into_iter().map(move |(s, _)| (p, s)))
            .filter(|&(p, s)| s >= p && !self.is_input(s))
            .map(|(_, s)| s)
            .collect()
    }

    /// The state slots as `docs/semantics.md` defines them: every source of a
    /// forward reference and every liquid node, in list order.
    fn slots(&self) -> Vec<usize> {
        let fwd = self.forward_refs();
        (0..self.nodes.len())
            .filter(|&p| {
                fwd.contains(&p)
                    || matches!(
                        self.nodes[p].kind,
                        NodeKind::Cfc { .. } | NodeKind::Ltc { .. }
                    )
            })
            .collect()
    }

    fn compile(&self) -> Network {
        let mut b = NetworkBuilder::new(usize::MAX);
        for (p, node) in self.nodes.iter().enumerate() {
            b.node(index_of(p), node.kind, node.act, node.bias).unwrap();
            for (s, w) in self.conns(p) {
                b.connect(index_of(s), w).unwrap();
            }
        }
        let outs: Vec<u64> = self.output_positions().into_iter().map(index_of).collect();
        b.finish(self.inputs(), &outs).unwrap()
    }

    /// A naive evaluator over the node list (no CSR, no lanes, no compiled
    /// form): `(outputs, next state)`, or `None` where the step overflows.
    fn naive(&self, inputs: &[f64], state: Option<&[f64]>) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = self.nodes.len();
        let slots = self.slots();
        let mut values = vec![0.0f64; n];
        if let Some(st) = state {
            for (&p, &v) in slots.iter().zip(st) {
                values[p] = v;
            }
        }
        let input_pos = (0..n).filter(|&p| self.is_input(p));
        for (p, &v) in input_pos.zip(inputs) {
            values[p] = v;
        }
        for (p, node) in self.nodes.iter().enumerate() {
            if self.is_input(p) {
                continue;
            }
            let mut sum = 0.0;
            for (s, w) in self.conns(p) {
                sum += w * values[s];
            }
            let x = sum + node.bias;
            let v = match node.kind {
                NodeKind::Cfc { tau, bound } => scalar::cfc(x, values[p], tau, bound, &[], &[]).0,
                NodeKind::Ltc { tau, bound } => {
                    scalar::ode(x, values[p], tau, bound, 1.0, &[], &[]).0
                }
                _ => node.act.apply(x),
            };
            if !(x.is_finite() && v.is_finite()) {
                return None;
            }
            values[p] = v;
        }
        let outs = self.output_positions().iter().map(|&p| values[p]).collect();
        let next = slots.iter().map(|&p| values[p]).collect();
        Some((outs, next))
    }
}

/// `(outputs, next state)` of [`Network::evaluate`], `None` on overflow.
fn run(net: &Network, inputs: &[f64], state: Option<&[f64]>) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut out = vec![0.0; net.output_count()];
    let mut next = vec![0.0; net.state_size()];
    match net.evaluate(inputs, state, &mut out, Some(&mut next)) {
        Ok(()) => Some((out, next)),
        Err(e) => {
            assert_eq!(e.kind, crate::error::ErrorKind::Overflow, "{e}");
            None
        }
    }
}

fn bits_of(r: &Option<(Vec<f64>, Vec<f64>)>) -> Option<(Vec<u64>, Vec<u64>)> {
    r.as_ref().map(|(o, s)| (bits(o), bits(s)))
}

/// Ordinary nodes first, so a failing case shrinks towards plain neurons.
fn kind() -> impl Strategy<Value = NodeKind> {
    prop_oneof![
        8 => Just(NodeKind::Ordinary),
        1 => (0.5f64..2.5, 0.5f64..3.0).prop_map(|(tau, bound)| NodeKind::Cfc { tau, bound }),
        1 => (0.5f64..2.5, 0.5f64..3.0).prop_map(|(tau, bound)| NodeKind::Ltc { tau, bound }),
    ]
}

fn node() -> impl Strategy<Value = GenNode> {
    (
        kind(),
        select(Activation::ALL.to_vec()),
        -1.0f64..1.0,
        vec((any::<Index>(), -1.0f64..1.0), 0..6),
    )
        .prop_map(|(kind, act, bias, conns)| GenNode {
            kind,
            act,
            bias,
            conns,
        })
}

/// At most this many input nodes, so input rows can be drawn independently
/// of the network (a row uses its first `inputs()` values).
const MAX_INPUTS: usize = 4;
/// More than the largest number of nodes a generated network has.
const MAX_STATE: usize = 40;

/// Up to 29 other nodes with up to [`MAX_INPUTS`] input nodes inserted
/// anywhere among them; connections from any node (earlier, later, itself,
/// inputs); outputs may repeat.
fn network() -> impl Strategy<Value = GenNet> {
    (
        vec(node(), 1..30),
        vec(any::<Index>(), 0..=MAX_INPUTS),
        vec(any::<Index>(), 0..4),
    )
        .prop_map(|(mut nodes, inputs, outputs)| {
            for at in inputs {
                let input = GenNode {
                    kind: NodeKind::Input,
                    act: Activation::Linear,
                    bias: 0.0,
                    conns: Vec::new(),
                };
                nodes.insert(at.index(nodes.len() + 1), input);
            }
            GenNet { nodes, outputs }
        })
}

fn input_row() -> impl Strategy<Value = Vec<f64>> {
    vec(-2.0f64..2.0, MAX_INPUTS)
}

fn state() -> impl Strategy<Value = Vec<f64>> {
    vec(-1.0f64..1.0, MAX_STATE)
}

proptest! {
    // Shrinking runs only when a case fails; give it room to remove nodes,
    // connections and inputs before it simplifies numbers.
    #![proptest_config(ProptestConfig { max_shrink_iters: 50_000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_facts_match_the_node_list(g in network()) {
        let i = g.compile().info();
        let conns: usize = (0..g.nodes.len()).map(|p| g.conns(p).len()).sum();
        let liquid = g.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Cfc { .. } | NodeKind::Ltc { .. })).count();
        prop_assert_eq!(
            (i.nodes, i.connections, i.inputs, i.outputs, i.state_size, i.forward_refs, i.liquid_nodes),
            (g.nodes.len(), conns, g.inputs(), g.outputs.len(), g.slots().len(), g.forward_refs().len(), liquid)
        );
    }

    #[test]
    fn batch_equals_single_bit_for_bit(g in network(), rows in vec(input_row(), 0..20)) {
        let net = g.compile();
        let ni = net.input_count();
        let rows: Vec<&[f64]> = rows.iter().map(|r| &r[..ni]).collect();
        let no = net.output_count();
        let flat: Vec<f64> = rows.concat();
        let mut batch = vec![0.0; rows.len() * no];
        let batch_ok = net.evaluate_batch(&flat, rows.len(), &mut batch).is_ok();
        let singles: Vec<_> = rows.iter().map(|r| run(&net, r, None)).collect();
        prop_assert_eq!(batch_ok, singles.iter().all(Option::is_some));
        if batch_ok {
            for (r, one) in singles.iter().enumerate() {
                let (one, _) = one.as_ref().unwrap();
                prop_assert_eq!(bits(one), bits(&batch[r * no..(r + 1) * no]), "row {}", r);
            }
        }
    }

    #[test]
    fn matches_naive_evaluator(g in network(), inputs in input_row(), state in state()) {
        let net = g.compile();
        let (inputs, state) = (&inputs[..net.input_count()], &state[..net.state_size()]);
        prop_assert_eq!(bits_of(&run(&net, inputs, None)), bits_of(&g.naive(inputs, None)));
        prop_assert_eq!(
            bits_of(&run(&net, inputs, Some(state))),
            bits_of(&g.naive(inputs, Some(state)))
        );
    }

    #[test]
    fn zero_state_equals_stateless(g in network(), inputs in input_row()) {
        let net = g.compile();
        let inputs = &inputs[..net.input_count()];
        let zeros = vec![0.0; net.state_size()];
        prop_assert_eq!(
            bits_of(&run(&net, inputs, None)),
            bits_of(&run(&net, inputs, Some(&zeros)))
        );
    }

    #[test]
    fn evaluation_is_deterministic(g in network(), inputs in input_row(), state in state()) {
        let net = g.compile();
        let (inputs, state) = (&inputs[..net.input_count()], &state[..net.state_size()]);
        let a = run(&net, inputs, Some(state));
        let b = run(&net, inputs, Some(state));
        prop_assert_eq!(bits_of(&a), bits_of(&b));
    }
}
