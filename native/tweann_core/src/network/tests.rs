//! Hand-made networks with known results, and the errors of bad node lists.

use super::*;
use crate::activation::Activation;
use crate::error::CoreError;
use crate::scalar;

const BIG: usize = usize::MAX;

/// A test node: index, kind, activation, bias, connections.
type Spec<'a> = (u64, NodeKind, Activation, f64, &'a [(u64, f64)]);

fn build(nodes: &[Spec], ni: usize, outs: &[u64]) -> Result<Network, CoreError> {
    build_in(StateModel::Organelles, nodes, ni, outs)
}

fn build_in(
    model: StateModel,
    nodes: &[Spec],
    ni: usize,
    outs: &[u64],
) -> Result<Network, CoreError> {
    let mut b = NetworkBuilder::new(BIG).with_state_model(model);
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

/// One stateful step: `(outputs, next state)`.
fn step(net: &Network, inputs: &[f64], state: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; net.output_count()];
    let mut next = vec![0.0; net.state_size()];
    let st = (!state.is_empty()).then_some(state);
    net.evaluate(inputs, st, &mut out, Some(&mut next)).unwrap();
    (out, next)
}

/// Feeds one input per step from an empty state; the outputs of each step.
fn trace(net: &Network, xs: &[f64]) -> Vec<Vec<f64>> {
    let mut state = Vec::new();
    xs.iter()
        .map(|&x| {
            let (out, next) = step(net, &[x], &state);
            state = next;
            out
        })
        .collect()
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
    let net = build_in(
        StateModel::ForwardRefs,
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
fn forward_reference_reads_zero_under_organelles() {
    // The same list under the default model: no slot, the reference reads 0.0.
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
    let i = net.info();
    assert_eq!((i.state_size, i.forward_refs), (0, 1));
    assert_eq!(i.state_model, StateModel::Organelles);
    assert_eq!(step(&net, &[1.0], &[]), (vec![1.0, 3.0], vec![]));
    assert_eq!(trace(&net, &[1.0, 1.0]), vec![vec![1.0, 3.0]; 2]);
}

/// input -> delay -> linear output: a unit delay.
#[test]
fn a_delay_emits_last_steps_capture() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Tanh, 0.0, &[(0, 1.0)]),
            (2, Ordinary, Linear, 0.0, &[(1, 1.0)]),
        ],
        1,
        &[2],
    )
    .unwrap();
    assert_eq!(net.state_size(), 1);
    assert_eq!(net.info().delay_nodes, 1);
    let (o1, s1) = step(&net, &[5.0], &[]);
    let (o2, s2) = step(&net, &[7.0], &s1);
    let (o3, s3) = step(&net, &[9.0], &s2);
    assert_eq!((o1, o2, o3), (vec![0.0], vec![5.0], vec![7.0]));
    assert_eq!((s1, s2, s3), (vec![5.0], vec![7.0], vec![9.0]));
    // Stateless: the delay emits 0.0.
    assert_eq!(eval(&net, &[5.0]), vec![0.0]);
}

#[test]
fn two_delays_make_a_delay_of_two() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Linear, 0.0, &[(0, 1.0)]),
            (2, Delay, Linear, 0.0, &[(1, 1.0)]),
            (3, Ordinary, Linear, 0.0, &[(2, 1.0)]),
        ],
        1,
        &[3],
    )
    .unwrap();
    let outs = trace(&net, &[1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(
        outs,
        vec![vec![0.0], vec![0.0], vec![1.0], vec![2.0], vec![3.0]]
    );
}

/// A node feeding a delay that feeds the node back: a running sum, whichever
/// of the two comes first in the list.
#[test]
fn feedback_through_a_delay_is_a_running_sum() {
    let delay_first = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Linear, 0.0, &[(2, 1.0)]),
            (2, Ordinary, Linear, 0.0, &[(0, 1.0), (1, 1.0)]),
        ],
        1,
        &[2],
    )
    .unwrap();
    let delay_last = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (2, Ordinary, Linear, 0.0, &[(0, 1.0), (1, 1.0)]),
            (1, Delay, Linear, 0.0, &[(2, 1.0)]),
        ],
        1,
        &[2],
    )
    .unwrap();
    for net in [&delay_first, &delay_last] {
        // A delay's connections and a read of a delay are never forward
        // references.
        assert_eq!((net.state_size(), net.info().forward_refs), (1, 0));
        let outs = trace(net, &[1.0; 4]);
        assert_eq!(outs, vec![vec![1.0], vec![2.0], vec![3.0], vec![4.0]]);
    }
}

/// A delay captures the weighted sum plus its bias, with no activation, and
/// reads other delays' emitted values.
#[test]
fn a_delay_captures_sum_plus_bias() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Sigmoid, 0.5, &[(0, 2.0), (2, 10.0)]),
            (2, Delay, Tanh, -1.0, &[(0, 1.0)]),
        ],
        1,
        &[1, 2],
    )
    .unwrap();
    // Emit [3, 4]; capture 1: (0 + 2*x + 10*4) + 0.5; capture 2: (0 + x) - 1.
    assert_eq!(
        step(&net, &[1.5], &[3.0, 4.0]),
        (vec![3.0, 4.0], vec![43.5, 0.5])
    );
}

/// State slots: one per organelle in list order; a plain network has none.
#[test]
fn one_slot_per_organelle_in_list_order() {
    let plain = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Ordinary, Tanh, 0.0, &[(0, 1.0)]),
        ],
        1,
        &[1],
    )
    .unwrap();
    assert_eq!(step(&plain, &[1.0], &[]).1, Vec::<f64>::new());
    let cfc = Cfc {
        tau: 1.0,
        bound: 1.0,
    };
    let ltc = Ltc {
        tau: 1.0,
        bound: 1.0,
    };
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (5, Ordinary, Tanh, 0.0, &[(0, 1.0)]),
            (1, ltc, Tanh, 0.0, &[]),
            (4, Leaky { tau: 2.0 }, Tanh, 0.0, &[]),
            (2, Delay, Tanh, 0.0, &[]),
            (3, cfc, Tanh, 0.0, &[]),
        ],
        1,
        &[],
    )
    .unwrap();
    let i = net.info();
    assert_eq!(
        (i.state_size, i.delay_nodes, i.leaky_nodes, i.liquid_nodes),
        (4, 1, 1, 2)
    );
    // Slot order is list order: ltc, leaky, delay, cfc. With no inputs a
    // leaky node halves its state, a delay captures 0.0 + bias = 0.0.
    let (_, next) = step(&net, &[0.0], &[0.0, 8.0, 6.0, 0.0]);
    assert_eq!(next[1..3], [4.0, 0.0]);
}

/// Tau = 2 halves the distance to the input each step: 0.5, 0.75, 0.875.
#[test]
fn a_leaky_integrator_approaches_its_input() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Leaky { tau: 2.0 }, Tanh, 0.0, &[(0, 1.0)]),
        ],
        1,
        &[1],
    )
    .unwrap();
    assert_eq!(
        trace(&net, &[1.0, 1.0, 1.0]),
        vec![vec![0.5], vec![0.75], vec![0.875]]
    );
    // No activation on top, and the formula is prev + (x - prev) / tau.
    let (out, next) = step(&net, &[0.3], &[0.7]);
    assert_eq!(out, vec![0.7 + (0.3 - 0.7) / 2.0]);
    assert_eq!(next, out);
}

/// A CfC node is the scalar kernel threaded over the steps, no activation.
#[test]
fn a_cfc_node_is_the_scalar_kernel() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (
                1,
                Cfc {
                    tau: 1.3,
                    bound: 1.0,
                },
                Sin,
                0.0,
                &[(0, 1.0)],
            ),
        ],
        1,
        &[1],
    )
    .unwrap();
    let xs = [0.7, -0.4, 1.1];
    let mut s = 0.0;
    let by_hand: Vec<Vec<f64>> = xs
        .iter()
        .map(|&x| {
            let (next, out) = scalar::cfc(x, s, 1.3, 1.0, &[], &[]);
            s = next;
            vec![out]
        })
        .collect();
    assert_eq!(trace(&net, &xs), by_hand);
}

/// Delay and leaky sharing one state vector, by hand (exact arithmetic).
#[test]
fn a_mixed_state_vector() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Linear, 0.0, &[(3, 1.0)]),
            (2, Leaky { tau: 2.0 }, Linear, 0.0, &[(0, 1.0)]),
            (3, Ordinary, Linear, 0.0, &[(0, 0.5), (1, 0.25), (2, 0.5)]),
        ],
        1,
        &[3],
    )
    .unwrap();
    // Step 1 (x = 1): delay 0, leaky 0.5, out 0.5 + 0 + 0.25 = 0.75.
    // Step 2 (x = 1): delay 0.75, leaky 0.75, out 0.5 + 0.1875 + 0.375.
    let (o1, s1) = step(&net, &[1.0], &[]);
    assert_eq!((o1, s1.clone()), (vec![0.75], vec![0.75, 0.5]));
    let (o2, s2) = step(&net, &[1.0], &s1);
    assert_eq!((o2, s2), (vec![1.0625], vec![1.0625, 0.75]));
}

/// Under organelles a leaky or CfC node reads 0.0 for itself (it has not run
/// yet in this step); its previous state comes from its slot. Under
/// forward_refs the self-reference reads the previous value.
#[test]
fn an_organelle_reading_itself() {
    let nodes: &[Spec] = &[
        (0, Input, Linear, 0.0, &[]),
        (1, Leaky { tau: 4.0 }, Linear, 0.0, &[(0, 1.0), (1, 1.0)]),
    ];
    let org = build(nodes, 1, &[1]).unwrap();
    let fwd = build_in(StateModel::ForwardRefs, nodes, 1, &[1]).unwrap();
    assert_eq!((org.state_size(), fwd.state_size()), (1, 1));
    // organelles: x = 2 + 1 * 0.0; 8 + (2 - 8) / 4.
    assert_eq!(step(&org, &[2.0], &[8.0]).0, vec![6.5]);
    // forward_refs: x = 2 + 1 * 8; 8 + (10 - 8) / 4.
    assert_eq!(step(&fwd, &[2.0], &[8.0]).0, vec![8.5]);
}

#[test]
fn leaky_tau_must_be_positive() {
    let mut b = NetworkBuilder::new(BIG);
    for tau in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = b.node(3, Leaky { tau }, Tanh, 0.0).unwrap_err();
        assert!(e.reason.contains("node 3: leaky node needs Tau > 0"), "{e}");
    }
    assert!(b.node(3, Leaky { tau: 1e-9 }, Tanh, 0.0).is_ok());
}

/// A delay's capture that overflows is an error, also in a stateless step
/// and in a batch, where the capture itself is not used.
#[test]
fn a_capture_overflow_is_an_error() {
    let net = build(
        &[
            (0, Input, Linear, 0.0, &[]),
            (1, Delay, Linear, 0.0, &[(0, 1e300), (0, 1e300)]),
        ],
        1,
        &[1],
    )
    .unwrap();
    let mut out = [0.0];
    assert!(net.evaluate(&[1e10], None, &mut out, None).is_err());
    assert!(net.evaluate(&[1.0], None, &mut out, None).is_ok());
    let mut outs = [0.0; 3];
    assert!(net.evaluate_batch(&[1.0, 1e10, 1.0], 3, &mut outs).is_err());
    assert!(net.evaluate_batch(&[1.0, 2.0, 1.0], 3, &mut outs).is_ok());
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
