//! [`BackboneActivation`]: the activation of a CfC cell's backbone layers.

use super::elementwise::{gelu, lecun_tanh, relu, silu};
use super::CellError;

/// The backbone activation of a CfC cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackboneActivation {
    /// `1.7159 * tanh(0.666 x)`, ncps's default.
    LecunTanh,
    Tanh,
    Relu,
    Silu,
    Gelu,
}

impl BackboneActivation {
    /// All activations, in documentation order.
    pub const ALL: [BackboneActivation; 5] = [
        BackboneActivation::LecunTanh,
        BackboneActivation::Tanh,
        BackboneActivation::Relu,
        BackboneActivation::Silu,
        BackboneActivation::Gelu,
    ];

    /// Parses ncps's name: `lecun_tanh`, `tanh`, `relu`, `silu` or `gelu`.
    pub fn from_name(name: &str) -> Result<Self, CellError> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                CellError::InvalidConfig(format!(
                    "unknown backbone_activation {name:?} (expected lecun_tanh, tanh, relu, silu or gelu)"
                ))
            })
    }

    /// ncps's name of the activation.
    pub fn name(self) -> &'static str {
        match self {
            BackboneActivation::LecunTanh => "lecun_tanh",
            BackboneActivation::Tanh => "tanh",
            BackboneActivation::Relu => "relu",
            BackboneActivation::Silu => "silu",
            BackboneActivation::Gelu => "gelu",
        }
    }

    /// Applies the activation to one value.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            BackboneActivation::LecunTanh => lecun_tanh(x),
            BackboneActivation::Tanh => crate::math::tanh(x),
            BackboneActivation::Relu => relu(x),
            BackboneActivation::Silu => silu(x),
            BackboneActivation::Gelu => gelu(x),
        }
    }

    /// Applies the activation in place.
    #[inline]
    pub fn apply_slice(self, xs: &mut [f64]) {
        match self {
            BackboneActivation::LecunTanh => xs.iter_mut().for_each(|x| *x = lecun_tanh(*x)),
            BackboneActivation::Tanh => crate::math::tanh_slice(xs),
            BackboneActivation::Relu => xs.iter_mut().for_each(|x| *x = relu(*x)),
            BackboneActivation::Silu => xs.iter_mut().for_each(|x| *x = silu(*x)),
            BackboneActivation::Gelu => xs.iter_mut().for_each(|x| *x = gelu(*x)),
        }
    }
}
