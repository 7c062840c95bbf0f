//! The compiled arrays, read and reassembled by the portable binary format
//! ([`crate::codec`]), which validates everything before it rebuilds.

use super::{Liquid, Network};
use crate::error::{try_vec, CoreError};

impl Network {
    /// Assembles a network from parts that [`crate::codec`] has already
    /// validated (every index in range, rows monotonic, tags known) and whose
    /// input positions, state slots and forward-reference count it derived
    /// exactly as [`super::NetworkBuilder::finish`] does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        ops: Vec<u8>,
        bias: Vec<f64>,
        row_start: Vec<u32>,
        src: Vec<u32>,
        weight: Vec<f64>,
        liquid: &[(f64, f64)],
        output_pos: Vec<u32>,
        (input_pos, slots, forward_refs): (Vec<u32>, Vec<u32>, usize),
    ) -> Result<Network, CoreError> {
        let mut l = try_vec::<Liquid>(liquid.len(), "liquid nodes")?;
        l.extend(liquid.iter().map(|&(tau, bound)| Liquid { tau, bound }));
        let mut net = Network {
            n_inputs: input_pos.len(),
            input_pos,
            ops,
            bias,
            row_start,
            src,
            weight,
            liquid: l,
            output_pos,
            slots,
            forward_refs,
            bytes: 0,
        };
        net.shrink();
        Ok(net)
    }

    /// Per node: an activation tag, or `OP_INPUT`, `OP_CFC`, `OP_LTC`.
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
    pub(crate) fn output_positions(&self) -> &[u32] {
        &self.output_pos
    }
}
