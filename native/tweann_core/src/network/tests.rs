//! Hand-made networks with known results, and the errors of bad node lists.

use super::*;
use crate::activation::Activation;
use crate::error::CoreError;
use crate::scalar;

const BIG: usize = usize::MAX;

/// A test node: index, kind, activation, bias, connections.
type Spec<'a> = (u64, NodeKind, Activation, f64, &'a [(u64, f64)]);

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
