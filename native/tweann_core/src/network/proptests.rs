//! Properties of compiled networks over generated node lists.
//!
//! Everything about a generated network comes from proptest strategies: the
//! state model, the node count, each node's kind (ordinary, delay, leaky,
//! cfc, ltc, input), activation, bias and connections, the outputs, and the
//! inputs and state it is evaluated with. A connection names
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
    model: StateModel,
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

    fn is_delay(&self, p: usize) -> bool {
        self.nodes[p].kind == NodeKind::Delay
    }

    fn is_organelle(&self, p: usize) -> bool {
        matches!(
            self.nodes[p].kind,
            NodeKind::Delay | NodeKind::Leaky { .. } | NodeKind::Cfc { .. } | NodeKind::Ltc { .. }
        )
    }

    /// The sources of the forward references: connections of a node that is
    /// neither an input nor a delay, from a node that is neither an input nor
    /// a delay, at or after the reader.
    fn forward_refs(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&p| !self.is_delay(p))
            .flat_map(|p| self.conns(p).into_iter().map(move |(s, _)| (p, s)))
            .filter(|&(p, s)| s >= p && !self.is_input(s) && !self.is_delay(s))
            .map(|(_, s)| s)
            .collect()
    }

    /// The state slots as `docs/semantics.md` defines them: every organelle
    /// and, under forward_refs, every source of a forward reference, in list
    /// order.
    fn slots(&self) -> Vec<usize> {
        let fwd = self.forward_refs();
        (0..self.nodes.len())
            .filter(|&p| {
                self.is_organelle(p) || (self.model == StateModel::ForwardRefs && fwd.contains(&p))
            })
            .collect()
    }

    fn compile(&self) -> Network {
        let mut b = NetworkBuilder::new(usize::MAX).with_state_model(self.model);
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
    /// form), written from the three passes of `docs/semantics.md`:
    /// `(outputs, next state)`, or `None` where the step overflows.
    fn naive(&self, inputs: &[f64], state: Option<&[f64]>) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = self.nodes.len();
        let slots = self.slots();
        let held = |p: usize| {
            let k = slots.iter().position(|&q| q == p)?;
            Some(state.map_or(0.0, |s| s[k]))
        };
        let mut values = vec![0.0f64; n];
        for (p, v) in values.iter_mut().enumerate() {
            if self.is_delay(p) || self.model == StateModel::ForwardRefs {
                *v = held(p).unwrap_or(0.0);
            }
        }
        let input_pos = (0..n).filter(|&p| self.is_input(p));
        for (p, &v) in input_pos.zip(inputs) {
            values[p] = v;
        }
        let weighted = |p: usize, values: &[f64]| {
            let mut sum = 0.0;
            for (s, w) in self.conns(p) {
                sum += w * values[s];
            }
            sum + self.nodes[p].bias
        };
        for (p, node) in self.nodes.iter().enumerate() {
            if self.is_input(p) || self.is_delay(p) {
                continue;
            }
            let x = weighted(p, &values);
            let prev = held(p).unwrap_or(0.0);
            let v = match node.kind {
                NodeKind::Leaky { tau } => prev + (x - prev) / tau,
                NodeKind::Cfc { tau, bound } => scalar::cfc(x, prev, tau, bound, &[], &[]).0,
                NodeKind::Ltc { tau, bound } => scalar::ode(x, prev, tau, bound, 1.0, &[], &[]).0,
                _ => node.act.apply(x),
            };
            if !(x.is_finite() && v.is_finite()) {
                return None;
            }
            values[p] = v;
        }
        let mut next = Vec::new();
        for &p in &slots {
            if self.is_delay(p) {
                let c = weighted(p, &values);
                if !c.is_finite() {
                    return None;
                }
                next.push(c);
            } else {
                next.push(values[p]);
            }
        }
        let outs = self.output_positions().iter().map(|&p| values[p]).collect();
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
        1 => Just(NodeKind::Delay),
        1 => (0.25f64..4.0).prop_map(|tau| NodeKind::Leaky { tau }),
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
        prop_oneof![Just(StateModel::Organelles), Just(StateModel::ForwardRefs)],
        vec(node(), 1..30),
        vec(any::<Index>(), 0..=MAX_INPUTS),
        vec(any::<Index>(), 0..4),
    )
        .prop_map(|(model, mut nodes, inputs, outputs)| {
            for at in inputs {
                let input = GenNode {
                    kind: NodeKind::Input,
                    act: Activation::Linear,
                    bias: 0.0,
                    conns: Vec::new(),
                };
                nodes.insert(at.index(nodes.len() + 1), input);
            }
            GenNet {
                model,
                nodes,
                outputs,
            }
        })
}

fn input_row() -> impl Strategy<Value = Vec<f64>> {
    vec(-2.0f64..2.0, MAX_INPUTS)
}

fn state() -> impl Strategy<Value = Vec<f64>> {
    vec(-1.0f64..1.0, MAX_STATE)
}

/// [`Network::evaluate`] and [`Network::evaluate_batch`] against their
/// list-order definitions: the same bits, or the same error.
fn plan_order_holds(
    g: &GenNet,
    inputs: &[f64],
    rows: &[Vec<f64>],
    state: &[f64],
) -> Result<(), TestCaseError> {
    let net = g.compile();
    prop_assert_eq!(net.check_plan(), Ok(()));
    let (ni, no, ns) = (net.input_count(), net.output_count(), net.state_size());
    let inputs = &inputs[..ni];
    for st in [None, Some(&state[..ns])] {
        let (mut o1, mut s1) = (vec![0.0; no], vec![0.0; ns]);
        let (mut o2, mut s2) = (vec![0.0; no], vec![0.0; ns]);
        let r1 = net
            .evaluate(inputs, st, &mut o1, Some(&mut s1))
            .map_err(|e| e.to_string());
        let r2 = net
            .evaluate_ordered(inputs, st, &mut o2, Some(&mut s2))
            .map_err(|e| e.to_string());
        prop_assert_eq!(&r1, &r2);
        if r1.is_ok() {
            prop_assert_eq!((bits(&o1), bits(&s1)), (bits(&o2), bits(&s2)));
        }
    }
    let flat: Vec<f64> = rows.iter().flat_map(|r| r[..ni].to_vec()).collect();
    let (mut b1, mut b2) = (vec![0.0; rows.len() * no], vec![0.0; rows.len() * no]);
    let r1 = net
        .evaluate_batch(&flat, rows.len(), &mut b1)
        .map_err(|e| e.to_string());
    let r2 = net
        .evaluate_batch_ordered(&flat, rows.len(), &mut b2)
        .map_err(|e| e.to_string());
    prop_assert_eq!(&r1, &r2);
    if r1.is_ok() {
        prop_assert_eq!(bits(&b1), bits(&b2));
    }
    Ok(())
}

/// A node of a wide network: mostly ordinary, with the activations that
/// have lane forms (and relu), few connections.
fn wide_node() -> impl Strategy<Value = GenNode> {
    use Activation::*;
    (
        prop_oneof![9 => Just(NodeKind::Ordinary), 1 => kind()],
        select(vec![Tanh, Sigmoid, Sin, Cos, Gaussian, Relu]),
        -1.0f64..1.0,
        vec((any::<Index>(), -1.0f64..1.0), 0..4),
    )
        .prop_map(|(kind, act, bias, conns)| GenNode {
            kind,
            act,
            bias,
            conns,
        })
}

/// `nodes` nodes of [`wide_node`] and [`MAX_INPUTS`] inputs at the front:
/// 264 to 300 reach the path that runs four nodes at a time, 70 to 250 the
/// larger stack array of the node values.
fn wide_network(nodes: std::ops::Range<usize>) -> impl Strategy<Value = GenNet> {
    (
        prop_oneof![Just(StateModel::Organelles), Just(StateModel::ForwardRefs)],
        vec(wide_node(), nodes),
        vec(any::<Index>(), 1..8),
    )
        .prop_map(|(model, mut nodes, outputs)| {
            for _ in 0..MAX_INPUTS {
                let input = GenNode {
                    kind: NodeKind::Input,
                    act: Activation::Linear,
                    bias: 0.0,
                    conns: Vec::new(),
                };
                nodes.insert(0, input);
            }
            GenNet {
                model,
                nodes,
                outputs,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// As `plan_order_equals_list_order`, on wide networks.
    #[test]
    fn plan_order_equals_list_order_wide(
        g in wide_network(264..300),
        inputs in vec(prop_oneof![-2.0f64..2.0, -1e300f64..1e300], MAX_INPUTS),
        rows in vec(vec(prop_oneof![3 => -2.0f64..2.0, 1 => -1e300f64..1e300], MAX_INPUTS), 0..20),
        state in vec(-1.0f64..1.0, 310),
    ) {
        prop_assume!(g.compile().plan.steps.len() >= 256);
        plan_order_holds(&g, &inputs, &rows, &state)?;
    }

    /// As `plan_order_equals_list_order`, on networks of 74 to 254 nodes
    /// (their values in the larger stack array).
    #[test]
    fn plan_order_equals_list_order_medium(
        g in wide_network(70..250),
        inputs in vec(prop_oneof![-2.0f64..2.0, -1e300f64..1e300], MAX_INPUTS),
        rows in vec(vec(prop_oneof![3 => -2.0f64..2.0, 1 => -1e300f64..1e300], MAX_INPUTS), 0..20),
        state in vec(-1.0f64..1.0, 310),
    ) {
        plan_order_holds(&g, &inputs, &rows, &state)?;
    }
}

proptest! {
    // Shrinking runs only when a case fails; give it room to remove nodes,
    // connections and inputs before it simplifies numbers.
    #![proptest_config(ProptestConfig { max_shrink_iters: 50_000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_facts_match_the_node_list(g in network()) {
        let i = g.compile().info();
        let conns: usize = (0..g.nodes.len()).map(|p| g.conns(p).len()).sum();
        let count = |f: &dyn Fn(&NodeKind) -> bool| g.nodes.iter().filter(|n| f(&n.kind)).count();
        let liquid = count(&|k| matches!(k, NodeKind::Cfc { .. } | NodeKind::Ltc { .. }));
        let delays = count(&|k| *k == NodeKind::Delay);
        let leaky = count(&|k| matches!(k, NodeKind::Leaky { .. }));
        prop_assert_eq!(
            (i.nodes, i.connections, i.inputs, i.outputs, i.state_size, i.forward_refs),
            (g.nodes.len(), conns, g.inputs(), g.outputs.len(), g.slots().len(), g.forward_refs().len())
        );
        prop_assert_eq!(
            (i.liquid_nodes, i.delay_nodes, i.leaky_nodes, i.state_model),
            (liquid, delays, leaky, g.model)
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

    /// The two models differ only through forward references: without any,
    /// they compile to the same slots and compute the same bits.
    #[test]
    fn models_agree_without_forward_references(g in network(), inputs in input_row(), state in state()) {
        let mut other = g.clone();
        other.model = match g.model {
            StateModel::Organelles => StateModel::ForwardRefs,
            StateModel::ForwardRefs => StateModel::Organelles,
        };
        let (a, b) = (g.compile(), other.compile());
        prop_assert_eq!(a.info().forward_refs, b.info().forward_refs);
        if a.info().forward_refs == 0 {
            let (inputs, state) = (&inputs[..a.input_count()], &state[..a.state_size()]);
            prop_assert_eq!(a.state_size(), b.state_size());
            prop_assert_eq!(bits_of(&run(&a, inputs, Some(state))), bits_of(&run(&b, inputs, Some(state))));
        }
    }

    /// The plan order gives the list order's bits, and names the same node
    /// when a value overflows (inputs up to 1e300 make overflows common).
    #[test]
    fn plan_order_equals_list_order(
        g in network(),
        inputs in vec(prop_oneof![-2.0f64..2.0, -1e300f64..1e300], MAX_INPUTS),
        rows in vec(vec(prop_oneof![-2.0f64..2.0, -1e300f64..1e300], MAX_INPUTS), 0..12),
        state in state(),
    ) {
        plan_order_holds(&g, &inputs, &rows, &state)?;
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
