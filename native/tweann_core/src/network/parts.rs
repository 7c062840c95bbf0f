//! The compiled arrays, read and reassembled by the portable binary format
//! ([`crate::codec`]), which validates everything before it rebuilds.

use super::compile::derive;
use super::{Liquid, Network, StateModel};
use crate::error::{try_vec, CoreError};

impl Network {
    /// Assembles a network from parts that [`crate::codec`] has already
    /// validated (every index in range, rows monotonic, tags known, `liquid`
    /// and `leaky` holding the parameters of the cfc/ltc and the leaky nodes
    /// in node order); input positions, state slots and forward references
    /// are derived exactly as [`super::NetworkBuilder::finish`] derives them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        ops: Vec<u8>,
        bias: Vec<f64>,
        row_start: Vec<u32>,
        src: Vec<u32>,
        weight: Vec<f64>,
        liquid: &[(f64, f64)],
        leaky: Vec<f64>,
        output_pos: Vec<u32>,
        model: StateModel,
    ) -> Result<Network, CoreError> {
        let mut l = try_vec::<Liquid>(liquid.len(), "liquid nodes")?;
        l.extend(liquid.iter().map(|&(tau, bound)| Liquid { tau, bound }));
        let d = derive(&ops, &row_start, &src, model, true)?;
        let mut net = Network {
            n_inputs: d.input_pos.len(),
            input_pos: d.input_pos,
            ops,
            bias,
            row_start,
            src,
            weight,
            liquid: l,
            leaky,
            output_pos,
            slots: d.slots,
            fwd_src: d.fwd_src,
            forward_refs: d.forward_refs,
            delays: d.delays,
            model,
            plan: Default::default(),
            bytes: 0,
        };
        net.seal()?;
        Ok(net)
    }

    /// Per node: an activation tag, or `OP_INPUT`, `OP_DELAY`, `OP_LEAKY`,
    /// `OP_CFC`, `OP_LTC`.
    pub(crate) fn ops(&self) -> &[u8] {
        &self.ops
    }
    pub(crate) fn biases(&self) -> &[f64] {
        &self.bias
    }
    pub(crate) fn row_starts(&self) -> &[u32] {
        &self.row_start
    }
    pub(crate) fn sources(&self) -> &[u32] {
        &self.src
    }
    pub(crate) fn weights(&self) -> &[f64] {
        &self.weight
    }
    /// `(tau, bound)` of each liquid node, in node order.
    pub(crate) fn liquid_params(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.liquid.iter().map(|l| (l.tau, l.bound))
    }
    /// `tau` of each leaky node, in node order.
    pub(crate) fn leaky_taus(&self) -> &[f64] {
        &self.leaky
    }
    pub(crate) fn output_positions(&self) -> &[u32] {
        &self.output_pos
    }
}
