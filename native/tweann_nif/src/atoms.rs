rustler::atoms! {
    tweann_error,
    badarg,
    badarith,
    general,
    default,
    input,
    hidden,
    output,
    bias,
    cfc,
    ltc,
    // network_info / memory_stats / build_info keys
    nodes,
    connections,
    inputs,
    outputs,
    state_size,
    forward_refs,
    liquid_nodes,
    bytes,
    networks,
    network_bytes,
    cells,
    cell_bytes,
    memory_budget,
    backend,
    nif,
    version,
    nif_version,
    target_arch,
    target_os,
    target_cpu,
    profile,
}

/// The activation atoms, in `tweann_core::activation::Activation` tag order.
pub mod acts {
    rustler::atoms! {
        tanh, sigmoid, sigmoid1, sin, cos, gaussian, linear, relu, sgn, bin,
        trinary, multiquadric, quadratic, cubic, absolute, sqrt, log,
    }

    use rustler::{Atom, Term};
    use tweann_core::activation::Activation;

    /// The activation an atom names, if any.
    pub fn decode(term: Term) -> Option<Activation> {
        let a: Atom = term.decode().ok()?;
        let table = [
            tanh(),
            sigmoid(),
            sigmoid1(),
            sin(),
            cos(),
            gaussian(),
            linear(),
            relu(),
            sgn(),
            bin(),
            trinary(),
            multiquadric(),
            quadratic(),
            cubic(),
            absolute(),
            sqrt(),
            log(),
        ];
        table
            .iter()
            .position(|&x| x == a)
            .map(|k| Activation::ALL[k])
    }
}
