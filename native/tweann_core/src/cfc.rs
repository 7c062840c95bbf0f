//! The closed-form continuous-time (CfC) cell of `ncps` (torch backend,
//! `ncps.torch.CfCCell`), in float64.
//!
//! # Hyperparameters ([`CfcConfig`])
//!
//! `I = input_size`, `H = hidden_size`, `mode` ([`CfcMode`]: default, pure,
//! no_gate), `U = backbone_units` (default 128), `NL = backbone_layers`
//! (default 1, may be 0), `act = backbone_activation`
//! ([`BackboneActivation`], default lecun_tanh). The head input width is
//! `C = U` if `NL > 0`, else `C = I + H`. The state and the output are both
//! `H` long.
//!
//! # Flat parameter layout (`docs/cells.md` section 2.5)
//!
//! All matrices row-major `[out, in]` (torch's `nn.Linear` weight), concatenated:
//!
//! ```text
//! for l in 0..NL:  backbone.l.weight [U, fan_in_l], backbone.l.bias [U]
//!                  (fan_in_0 = I+H, fan_in_l = U for l >= 1)
//! ff1.weight [H, C], ff1.bias [H]
//! if mode == pure: w_tau [H], A [H]
//! else:            ff2.weight [H, C], ff2.bias [H],
//!                  time_a.weight [H, C], time_a.bias [H],
//!                  time_b.weight [H, C], time_b.bias [H]
//! ```
//!
//! Length ([`CfcConfig::param_len`]):
//! `(NL > 0 ? U(I+H) + U + (NL-1)(U² + U) : 0) + (CH + H) + (pure ? 2H : 3(CH + H))`;
//! 752 for `I=4, H=8, U=16, NL=1` (360 in pure mode).
//!
//! # One step `(u [I], h [H], dt) -> h' [H]` (output = `h'`)
//!
//! 1. `z = [u ; h]`.
//! 2. For each backbone layer: `z = act(W_l z + b_l)`.
//! 3. `a1 = ff1 z` (every dense product is `y[o] = (Σ_i W[o,i] z[i]) + b[o]`,
//!    the sum starting from `0.0` and adding terms in increasing `i`, then the
//!    bias; see [`crate::cells::dense_t`]).
//! 4. pure: `h'[j] = ((-A[j]) * exp((-dt) * (|w_tau[j]| + |a1[j]|))) * a1[j] + A[j]`.
//!    default / no_gate: `g1 = tanh(a1)`, `g2 = tanh(ff2 z)`,
//!    `gate = sigmoid((time_a z) * dt + (time_b z))`;
//!    default: `h' = g1 * (1 - gate) + gate * g2`; no_gate: `h' = g1 + gate * g2`.
//!
//! `dt` must be finite and `>= 0` (`dt = 0` is legal). The cell keeps the
//! weights transposed internally so each dense product runs over contiguous
//! memory (see [`crate::cells::dense_t`]); the four heads are fused into one
//! product. A step allocates nothing: it works in a caller-provided scratch
//! slice of [`CfcCell::scratch_len`] values.
//!
//! Batches, populations and sequences are run by the drivers in
//! [`crate::cells`] ([`crate::cells::step_batch`], [`crate::cells::sequence`]).

use crate::cells::{
    all_finite, check_lengths, check_params, dense_t, sigmoid, try_copy, try_map, try_transpose,
    try_zeros, BackboneActivation, Cell, CellError, Population,
};
use crate::math;

/// How a CfC cell turns the head outputs into the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CfcMode {
    /// Gated interpolation `g1 (1 - gate) + gate g2` (ncps's default).
    Default,
    /// The closed-form solution with `w_tau` and `A`; no ff2/time heads.
    Pure,
    /// `g1 + gate g2`.
    NoGate,
}

impl CfcMode {
    /// Parses ncps's name: `default`, `pure` or `no_gate`.
    pub fn from_name(name: &str) -> Result<Self, CellError> {
        match name {
            "default" => Ok(CfcMode::Default),
            "pure" => Ok(CfcMode::Pure),
            "no_gate" => Ok(CfcMode::NoGate),
            other => Err(CellError::InvalidConfig(format!(
                "unknown mode {other:?} (expected default, pure or no_gate)"
            ))),
        }
    }

    /// ncps's name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            CfcMode::Default => "default",
            CfcMode::Pure => "pure",
            CfcMode::NoGate => "no_gate",
        }
    }
}

/// The hyperparameters of a CfC cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CfcConfig {
    pub input_size: usize,
    pub hidden_size: usize,
    pub mode: CfcMode,
    pub backbone_units: usize,
    pub backbone_layers: usize,
    pub backbone_activation: BackboneActivation,
}

impl CfcConfig {
    /// ncps's defaults: mode default, 128 backbone units, 1 layer, lecun_tanh.
    pub fn new(input_size: usize, hidden_size: usize) -> Self {
        CfcConfig {
            input_size,
            hidden_size,
            mode: CfcMode::Default,
            backbone_units: 128,
            backbone_layers: 1,
            backbone_activation: BackboneActivation::LecunTanh,
        }
    }

    /// Checks the sizes: `input_size`, `hidden_size` and `backbone_units` at
    /// least 1, and the parameter count representable.
    pub fn validate(&self) -> Result<(), CellError> {
        if self.input_size == 0 {
            return Err(CellError::InvalidConfig(
                "input_size must be at least 1".into(),
            ));
        }
        if self.hidden_size == 0 {
            return Err(CellError::InvalidConfig(
                "hidden_size must be at least 1".into(),
            ));
        }
        if self.backbone_units == 0 {
            return Err(CellError::InvalidConfig(
                "backbone_units must be at least 1".into(),
            ));
        }
        self.checked_param_len()
            .map(|_| ())
            .ok_or_else(|| CellError::InvalidConfig("sizes too large".into()))
    }

    /// `C`: the width of the head input.
    pub fn head_width(&self) -> usize {
        if self.backbone_layers > 0 {
            self.backbone_units
        } else {
            self.input_size + self.hidden_size
        }
    }

    fn checked_param_len(&self) -> Option<usize> {
        let (i, h, u, nl) = (
            self.input_size,
            self.hidden_size,
            self.backbone_units,
            self.backbone_layers,
        );
        let ih = i.checked_add(h)?;
        let c = if nl > 0 { u } else { ih };
        let backbone = if nl > 0 {
            let first = u.checked_mul(ih)?.checked_add(u)?;
            let rest = u.checked_mul(u)?.checked_add(u)?.checked_mul(nl - 1)?;
            first.checked_add(rest)?
        } else {
            0
        };
        let head = c.checked_mul(h)?.checked_add(h)?;
        let tail = match self.mode {
            CfcMode::Pure => h.checked_mul(2)?,
            _ => head.checked_mul(3)?,
        };
        backbone.checked_add(head)?.checked_add(tail)
    }

    /// The length of the flat parameter vector (module docs); 0 if the sizes
    /// overflow (which [`CfcConfig::validate`] rejects).
    pub fn param_len(&self) -> usize {
        self.checked_param_len().unwrap_or(0)
    }

    /// An upper bound of the heap bytes of a [`CfcCell`] of this
    /// configuration (its transformed weights: one `f64` per parameter,
    /// plus the per-layer vectors), checked against a memory budget before
    /// a cell is built. Saturates instead of overflowing.
    pub fn cell_bytes(&self) -> usize {
        self.param_len()
            .saturating_mul(8)
            .saturating_add(self.backbone_layers.saturating_mul(64))
            .saturating_add(std::mem::size_of::<CfcCell>())
    }

    fn heads(&self) -> usize {
        match self.mode {
            CfcMode::Pure => 1,
            _ => 4,
        }
    }
}

/// A CfC cell with validated parameters. Read-only after construction, so
/// it can be shared between threads.
#[derive(Debug, Clone, PartialEq)]
pub struct CfcCell {
    config: CfcConfig,
    /// Per backbone layer: (transposed weight `[fan_in, U]`, bias `[U]`).
    backbone: Vec<(Vec<f64>, Vec<f64>)>,
    /// The heads fused: transposed `[C, k*H]` with k = 1 (pure: ff1) or 4
    /// (ff1, ff2, time_a, time_b, in that order of output blocks).
    head_wt: Vec<f64>,
    head_b: Vec<f64>,
    /// pure: |w_tau| and A.
    w_tau_abs: Vec<f64>,
    a: Vec<f64>,
}

impl CfcCell {
    /// The length of the flat parameter vector for `config`.
    pub fn param_len(config: &CfcConfig) -> usize {
        config.param_len()
    }

    /// Builds a cell from the flat parameters (module docs). Errors: an
    /// invalid config, a wrong length (the message states the expected
    /// length), a non-finite parameter.
    pub fn new(config: CfcConfig, params: &[f64]) -> Result<Self, CellError> {
        config.validate()?;
        check_params(params, config.param_len())?;
        let (i, h, u) = (config.input_size, config.hidden_size, config.backbone_units);
        let c = config.head_width();
        let mut rest = params;
        let mut take = |n: usize| {
            let (a, b) = rest.split_at(n);
            rest = b;
            a
        };
        let mut backbone = Vec::new();
        backbone
            .try_reserve_exact(config.backbone_layers)
            .map_err(|_| CellError::OutOfMemory {
                bytes: config.backbone_layers.saturating_mul(48),
            })?;
        for l in 0..config.backbone_layers {
            let fan_in = if l == 0 { i + h } else { u };
            let w = take(u * fan_in);
            let b = take(u);
            backbone.push((try_transpose(w, u, fan_in)?, try_copy(b)?));
        }
        let k = config.heads();
        // Fused heads: output block q (0..k) holds head q.
        let mut head_wt = try_zeros(c * k * h, 0)?;
        let mut head_b = try_zeros(k * h, 0)?;
        let mut w_tau_abs = Vec::new();
        let mut a = Vec::new();
        for q in 0..k {
            let w = take(h * c);
            let b = take(h);
            for o in 0..h {
                for col in 0..c {
                    head_wt[col * (k * h) + q * h + o] = w[o * c + col];
                }
            }
            head_b[q * h..(q + 1) * h].copy_from_slice(b);
            if q == 0 && config.mode == CfcMode::Pure {
                w_tau_abs = try_map(take(h), f64::abs)?;
                a = try_copy(take(h))?;
            }
        }
        debug_assert!(rest.is_empty());
        Ok(CfcCell {
            config,
            backbone,
            head_wt,
            head_b,
            w_tau_abs,
            a,
        })
    }

    /// A population of cells sharing `config`, member `i` built from
    /// `params[i]` (errors name the member).
    pub fn population<P: AsRef<[f64]>>(
        config: CfcConfig,
        params: &[P],
    ) -> Result<Population<CfcCell>, CellError> {
        config.validate()?;
        Population::build(params, |p| CfcCell::new(config, p))
    }

    /// The configuration.
    pub fn config(&self) -> &CfcConfig {
        &self.config
    }

    /// Scratch layout: `z [I+H] | ping [U] | pong [U] | heads [k*H]`.
    fn scratch_parts(&self) -> (usize, usize, usize) {
        let c = &self.config;
        let ih = c.input_size + c.hidden_size;
        let u = if c.backbone_layers > 0 {
            c.backbone_units
        } else {
            0
        };
        (ih, u, c.heads() * c.hidden_size)
    }
}

impl Cell for CfcCell {
    fn input_size(&self) -> usize {
        self.config.input_size
    }

    fn state_size(&self) -> usize {
        self.config.hidden_size
    }

    fn output_size(&self) -> usize {
        self.config.hidden_size
    }

    fn scratch_len(&self) -> usize {
        let (ih, u, hk) = self.scratch_parts();
        ih + 2 * u + hk
    }

    /// One multiply-add per weight, plus one unit per activation.
    fn work(&self) -> usize {
        let (ih, u, hk) = self.scratch_parts();
        let acts = u.saturating_mul(self.config.backbone_layers);
        self.config
            .param_len()
            .saturating_add(ih)
            .saturating_add(acts)
            .saturating_add(hk)
    }

    fn check_dt(&self, row: usize, dt: f64) -> Result<(), CellError> {
        if !dt.is_finite() {
            Err(CellError::BadDt {
                row,
                dt,
                reason: "is not finite",
            })
        } else if dt < 0.0 {
            Err(CellError::BadDt {
                row,
                dt,
                reason: "is negative (a CfC cell needs dt >= 0)",
            })
        } else {
            Ok(())
        }
    }

    fn step_row(
        &self,
        row: usize,
        input: &[f64],
        state: &[f64],
        dt: f64,
        output: &mut [f64],
        new_state: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<(), CellError> {
        self.check_dt(row, dt)?;
        let cfg = &self.config;
        let (ni, h) = (cfg.input_size, cfg.hidden_size);
        check_lengths(self, row, (input, state), (output, new_state, scratch))?;
        let (ih, u, hk) = self.scratch_parts();
        let (z, rest) = scratch.split_at_mut(ih);
        let (ping, rest) = rest.split_at_mut(u);
        let (pong, heads) = rest.split_at_mut(u);
        debug_assert_eq!(heads.len(), hk);
        z[..ni].copy_from_slice(input);
        z[ni..].copy_from_slice(state);

        let overflow = |what| CellError::NonFinite { row, what };
        // Backbone, ping-ponging between the two U buffers.
        let mut cur_is_z = true;
        let mut cur_is_ping = false;
        for (wt, b) in &self.backbone {
            let (src, dst): (&[f64], &mut [f64]) = if cur_is_z {
                (&*z, &mut *ping)
            } else if cur_is_ping {
                (&*ping, &mut *pong)
            } else {
                (&*pong, &mut *ping)
            };
            dense_t(wt, b, src, dst);
            if !all_finite(dst) {
                return Err(overflow("a backbone pre-activation"));
            }
            cfg.backbone_activation.apply_slice(dst);
            cur_is_ping = if cur_is_z { true } else { !cur_is_ping };
            cur_is_z = false;
        }
        let x: &[f64] = if cur_is_z {
            z
        } else if cur_is_ping {
            ping
        } else {
            pong
        };
        dense_t(&self.head_wt, &self.head_b, x, heads);
        if !all_finite(heads) {
            return Err(overflow("a head pre-activation"));
        }
        match cfg.mode {
            CfcMode::Pure => {
                for j in 0..h {
                    let a1 = heads[j];
                    let arg = (-dt) * (self.w_tau_abs[j] + a1.abs());
                    if !arg.is_finite() {
                        return Err(overflow("the decay exponent dt * (|w_tau| + |ff1|)"));
                    }
                    let aj = self.a[j];
                    new_state[j] = (-aj) * math::exp(arg) * a1 + aj;
                }
            }
            mode => {
                let (ff1, rest) = heads.split_at(h);
                let (ff2, rest) = rest.split_at(h);
                let (ta, tb) = rest.split_at(h);
                for j in 0..h {
                    let g1 = math::tanh(ff1[j]);
                    let g2 = math::tanh(ff2[j]);
                    let garg = ta[j] * dt + tb[j];
                    if !garg.is_finite() {
                        return Err(overflow("the gate argument time_a * dt + time_b"));
                    }
                    let gate = sigmoid(garg);
                    new_state[j] = if mode == CfcMode::NoGate {
                        g1 + gate * g2
                    } else {
                        g1 * (1.0 - gate) + gate * g2
                    };
                }
            }
        }
        if !all_finite(new_state) {
            return Err(overflow("the new state"));
        }
        output.copy_from_slice(new_state);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: CfcMode, u: usize, nl: usize) -> CfcConfig {
        CfcConfig {
            mode,
            backbone_units: u,
            backbone_layers: nl,
            ..CfcConfig::new(4, 8)
        }
    }

    #[test]
    fn param_lengths_match_the_spec() {
        assert_eq!(cfg(CfcMode::Default, 16, 1).param_len(), 752);
        assert_eq!(cfg(CfcMode::NoGate, 16, 1).param_len(), 752);
        assert_eq!(cfg(CfcMode::Pure, 16, 1).param_len(), 360);
        assert_eq!(cfg(CfcMode::Default, 16, 2).param_len(), 1024);
        assert_eq!(cfg(CfcMode::Default, 16, 0).param_len(), 416);
    }

    #[test]
    fn wrong_length_states_expected() {
        let c = cfg(CfcMode::Default, 16, 1);
        let e = CfcCell::new(c, &[0.0; 3]).unwrap_err();
        assert_eq!(
            e,
            CellError::ParamLength {
                expected: 752,
                got: 3
            }
        );
        assert!(e.to_string().contains("expected 752"));
    }

    #[test]
    fn naive_reference_agrees_bitwise() {
        // A naive, untransposed evaluation of the spec for one config.
        let c = cfg(CfcMode::Default, 5, 2);
        let n = c.param_len();
        let p: Vec<f64> = (0..n)
            .map(|k| ((k * 7919 % 1000) as f64 / 500.0) - 1.0)
            .collect();
        let cell = CfcCell::new(c, &p).unwrap();
        let u = [0.3, -0.2, 0.9, 0.1];
        let h = [0.5, -0.5, 0.25, 0.0, 0.1, 0.2, -0.3, 0.4];
        let (out, ns) = cell.step_alloc(&u, &h, 0.7).unwrap();
        assert_eq!(out, ns);
        let lin = |w: &[f64], b: &[f64], z: &[f64]| -> Vec<f64> {
            (0..b.len())
                .map(|o| {
                    let mut acc = 0.0;
                    for i in 0..z.len() {
                        acc += w[o * z.len() + i] * z[i];
                    }
                    acc + b[o]
                })
                .collect()
        };
        let mut off = 0;
        let mut take = |k: usize| {
            let s = &p[off..off + k];
            off += k;
            s
        };
        let mut z: Vec<f64> = u.iter().chain(h.iter()).copied().collect();
        for l in 0..2 {
            let fan = if l == 0 { 12 } else { 5 };
            let w = take(5 * fan);
            let b = take(5);
            z = lin(w, b, &z)
                .into_iter()
                .map(crate::cells::lecun_tanh)
                .collect();
        }
        let mut heads = Vec::new();
        for _ in 0..4 {
            let w = take(8 * 5);
            let b = take(8);
            heads.push(lin(w, b, &z));
        }
        for j in 0..8 {
            let g1 = math::tanh(heads[0][j]);
            let g2 = math::tanh(heads[1][j]);
            let gate = sigmoid(heads[2][j] * 0.7 + heads[3][j]);
            assert_eq!(ns[j], g1 * (1.0 - gate) + gate * g2);
        }
    }
}
