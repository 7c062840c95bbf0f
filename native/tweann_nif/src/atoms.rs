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
    neuron,
    delay,
    leaky,
    organelles,
    // network_info / memory_stats / build_info keys
    nodes,
    connections,
    inputs,
    outputs,
    state_size,
    forward_refs,
    liquid_nodes,
    delay_nodes,
    leaky_nodes,
    state_model,
    bytes,
    networks,
    network_bytes,
    cells,
    cell_bytes,
    memory_budget,
    backend,
    nif,
    native,
    version,
    nif_version,
    term_reader,
    direct,
    api,
    query,
    target_arch,
    target_os,
    target_cpu,
    profile,
    activations,
    // work_stats
    dirty_calls,
    dirty_running,
    dirty_stopped,
    dirty_units,
    last_stop_lag_cpu_ns,
    handovers,
    profiled_calls,
    max_normal_cpu_ns,
    max_normal_entry,
}

/// The activation atoms, made once at load time from
/// `tweann_core::activation::TABLE` (so the names live in one place only).
pub mod acts {
    use rustler::{Atom, Env, Term};
    use std::sync::OnceLock;
    use tweann_core::activation::{Activation, TABLE};

    static ATOMS: OnceLock<Vec<Atom>> = OnceLock::new();

    /// Makes the activation atoms; `false` (the library refuses to load) if
    /// the VM cannot make one.
    pub fn load(env: Env) -> bool {
        let made: Result<Vec<Atom>, _> =
            TABLE.iter().map(|e| Atom::from_str(env, e.name)).collect();
        match made {
            Ok(atoms) => {
                ATOMS.get_or_init(|| atoms);
                true
            }
            Err(_) => false,
        }
    }

    /// The activation atoms in tag order.
    pub fn all() -> &'static [Atom] {
        ATOMS.get().map_or(&[], Vec::as_slice)
    }

    /// The activation an atom names, if any.
    pub fn decode(term: Term) -> Option<Activation> {
        let a: Atom = term.decode().ok()?;
        all()
            .iter()
            .position(|&x| x == a)
            .and_then(|k| Activation::from_tag(k as u8))
    }
}

/// The load hook: makes the atoms that are built from core tables and
/// opens the resource types this library registers itself.
pub fn load(env: rustler::Env, info: rustler::Term) -> bool {
    crate::vmterm::load(env.as_c_arg(), info.as_c_arg());
    acts::load(env) && crate::network::NET_TYPE.open(env)
}
