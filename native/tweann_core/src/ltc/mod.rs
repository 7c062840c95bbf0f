//! The liquid time-constant (LTC) cell of `ncps` (torch backend,
//! `ncps.torch.LTCCell`) with its fused semi-implicit ODE solver, in float64.
//!
//! # Hyperparameters ([`LtcConfig`])
//!
//! `I = input_size` (sensory inputs), `N = units` (the state size),
//! `M = motor_size` (outputs, `1 <= M <= N`, default `N`: the first `M`
//! neurons are the motor neurons), `K = ode_unfolds` (default 6),
//! `eps = epsilon` (default 1e-8), `pos` = [`Positivity`] (softplus, the
//! default, as the `LTC` wrapper uses; or identity, as a bare `LTCCell`
//! uses), `input_mapping` / `output_mapping` ([`Mapping`]: affine, the
//! default; linear; none).
//!
//! # Flat parameter layout (`docs/cells.md` section 3.4)
//!
//! Synapse matrices are indexed `[pre, post]`, row-major:
//!
//! ```text
//! gleak[N], vleak[N], cm[N],
//! sigma[N,N], mu[N,N], w[N,N], erev[N,N],
//! sensory_sigma[I,N], sensory_mu[I,N], sensory_w[I,N], sensory_erev[I,N],
//! sparsity_mask[N,N], sensory_sparsity_mask[I,N],
//! input_w[I], input_b[I], output_w[M], output_b[M]
//! ```
//!
//! Length ([`LtcConfig::param_len`]): `3N + 5N² + 5IN + 2I + 2M` (528 for
//! `I=4, N=8, M=8`). Raw (pre-`pos`) values are stored. The mapping slots are
//! always present; slots the chosen mapping does not use (`b` for linear,
//! both for none) are ignored — store `w = 1`, `b = 0` there. Masks are
//! usually 0/1 but any finite multiplier is accepted.
//!
//! # One step `(u [I], v [N], dt) -> (y [M], v' [N])`
//!
//! 1. `u[i] = u[i] * input_w[i] + input_b[i]` (affine; linear: `* w` only).
//! 2. Sensory synapses, once per step: for `i < I, j < N` with
//!    `smask[i,j] != 0`:
//!    `sa = (pos(sw[i,j]) * sigmoid(ssigma[i,j] * (u[i] - smu[i,j]))) * smask[i,j]`,
//!    `Sn[j] = Σ_i sa * serev[i,j]`, `Sd[j] = Σ_i sa`.
//! 3. `cmt[j] = pos(cm[j]) / (dt / K)`.
//! 4. `K` times, all `j` from the previous `v`: for `i` with `mask[i,j] != 0`,
//!    `ra = (pos(w[i,j]) * sigmoid(sigma[i,j] * (v[i] - mu[i,j]))) * mask[i,j]`;
//!    `num[j] = (cmt[j] * v[j] + pos(gleak[j]) * vleak[j]) + (Σ_i ra * erev[i,j] + Sn[j])`,
//!    `den[j] = (cmt[j] + pos(gleak[j])) + (Σ_i ra + Sd[j])`,
//!    `v[j] = num[j] / (den[j] + eps)`.
//! 5. `v' = v`; `y[m] = v'[m] * output_w[m] + output_b[m]` for `m < M`.
//!
//! Every sum `Σ_i` starts from `0.0` and adds the terms in increasing `i`.
//! A synapse whose mask is exactly 0 contributes nothing: its term is ±0, and
//! adding ±0 never changes such an accumulator (it starts at +0.0 and can
//! never become -0.0), so adding it is bit-identical to skipping it. The
//! kernel computes such a synapse's sigmoid at 0 (its own argument may not
//! be finite, and must not fail the step) and adds the ±0, which lets it
//! take every sigmoid two at a time with no branch. The synapse constants
//! are copied at construction into the layout of the kernel
//! (`ltc/synapses.rs`), which gives these bits and spends almost all of a
//! step in the sigmoids.
//!
//! `dt` must be finite and `> 0` (`dt = 0` divides by zero in step 3).
//! `pos` is applied once at construction. A step allocates nothing: it works
//! in a caller-provided scratch slice of [`LtcCell::scratch_len`] values.
//!
//! Batches, populations and sequences are run by the drivers in
//! [`crate::cells`].

use crate::cells::{
    check_lengths, check_params, softplus, try_copy, try_map, try_zeros, Cell, CellError,
    Population,
};

mod synapses;

use synapses::Synapses;

/// The largest `ode_unfolds` a configuration may ask for. ncps uses 6; each
/// unfold costs about `N²` synapse evaluations per step, so a count in the
/// billions would keep a scheduler busy for hours on one step.
pub const MAX_ODE_UNFOLDS: usize = 10_000;

/// The positivity function applied to `w`, `sensory_w`, `cm` and `gleak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Positivity {
    /// `nn.Softplus()`: ncps `LTC`'s default (`implicit_param_constraints=True`).
    Softplus,
    /// No transform (`implicit_param_constraints=False`).
    Identity,
}

impl Positivity {
    /// Parses `softplus` or `identity`.
    pub fn from_name(name: &str) -> Result<Self, CellError> {
        match name {
            "softplus" => Ok(Positivity::Softplus),
            "identity" => Ok(Positivity::Identity),
            other => Err(CellError::InvalidConfig(format!(
                "unknown positivity {other:?} (expected softplus or identity)"
            ))),
        }
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            Positivity::Softplus => "softplus",
            Positivity::Identity => "identity",
        }
    }

    #[inline]
    fn apply(self, x: f64) -> f64 {
        match self {
            Positivity::Softplus => softplus(x),
            Positivity::Identity => x,
        }
    }
}

/// An input or output mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mapping {
    /// `x * w + b`.
    Affine,
    /// `x * w`.
    Linear,
    /// `x`.
    None,
}

impl Mapping {
    /// Parses `affine`, `linear` or `none`.
    pub fn from_name(name: &str) -> Result<Self, CellError> {
        match name {
            "affine" => Ok(Mapping::Affine),
            "linear" => Ok(Mapping::Linear),
            "none" => Ok(Mapping::None),
            other => Err(CellError::InvalidConfig(format!(
                "unknown mapping {other:?} (expected affine, linear or none)"
            ))),
        }
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            Mapping::Affine => "affine",
            Mapping::Linear => "linear",
            Mapping::None => "none",
        }
    }

    #[inline]
    fn apply(self, x: f64, w: f64, b: f64) -> f64 {
        match self {
            Mapping::Affine => x * w + b,
            Mapping::Linear => x * w,
            Mapping::None => x,
        }
    }
}

/// The hyperparameters of an LTC cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LtcConfig {
    pub input_size: usize,
    pub units: usize,
    pub motor_size: usize,
    pub ode_unfolds: usize,
    pub epsilon: f64,
    pub positivity: Positivity,
    pub input_mapping: Mapping,
    pub output_mapping: Mapping,
}

impl LtcConfig {
    /// ncps `LTC`'s defaults: `motor_size = units`, 6 unfolds, eps 1e-8,
    /// softplus, affine mappings.
    pub fn new(input_size: usize, units: usize) -> Self {
        LtcConfig {
            input_size,
            units,
            motor_size: units,
            ode_unfolds: 6,
            epsilon: 1.0e-8,
            positivity: Positivity::Softplus,
            input_mapping: Mapping::Affine,
            output_mapping: Mapping::Affine,
        }
    }

    /// Checks `input_size >= 1`, `units >= 1`, `1 <= motor_size <= units`,
    /// `1 <= ode_unfolds <= `[`MAX_ODE_UNFOLDS`], `epsilon` finite, and that
    /// the sizes fit.
    pub fn validate(&self) -> Result<(), CellError> {
        let bad = |m: &str| Err(CellError::InvalidConfig(m.to_string()));
        if self.input_size == 0 {
            return bad("input_size must be at least 1");
        }
        if self.units == 0 {
            return bad("units must be at least 1");
        }
        if self.motor_size == 0 || self.motor_size > self.units {
            return bad("motor_size must be between 1 and units");
        }
        if self.ode_unfolds == 0 || self.ode_unfolds > MAX_ODE_UNFOLDS {
            return Err(CellError::InvalidConfig(format!(
                "ode_unfolds must be between 1 and {MAX_ODE_UNFOLDS}"
            )));
        }
        if !self.epsilon.is_finite() {
            return bad("epsilon must be a finite number");
        }
        if self.checked_param_len().is_none() {
            return bad("sizes too large");
        }
        Ok(())
    }

    fn checked_param_len(&self) -> Option<usize> {
        let (i, n, m) = (self.input_size, self.units, self.motor_size);
        let nn = n.checked_mul(n)?.checked_mul(5)?;
        let inn = i.checked_mul(n)?.checked_mul(5)?;
        n.checked_mul(3)?
            .checked_add(nn)?
            .checked_add(inn)?
            .checked_add(i.checked_mul(2)?)?
            .checked_add(m.checked_mul(2)?)
    }

    /// An upper bound of the heap bytes of an [`LtcCell`] of this
    /// configuration (one `f64` per parameter, plus `N` precomputed
    /// values, plus the padding of the synapse layout: the synapse
    /// matrices are stored in whole groups of postsynaptic neurons),
    /// checked against a memory budget before a cell is built. Saturates
    /// instead of overflowing.
    pub fn cell_bytes(&self) -> usize {
        let (i, n) = (self.input_size, self.units);
        let layout = Synapses::max_values(n, n).saturating_add(Synapses::max_values(i, n));
        let unpadded = n.saturating_mul(n).saturating_add(i.saturating_mul(n));
        self.param_len()
            .saturating_add(self.units)
            .saturating_add(layout.saturating_sub(unpadded.saturating_mul(5)))
            .saturating_mul(8)
            .saturating_add(std::mem::size_of::<LtcCell>())
    }

    /// `3N + 5N² + 5IN + 2I + 2M` (0 if that overflows, which
    /// [`LtcConfig::validate`] rejects).
    pub fn param_len(&self) -> usize {
        self.checked_param_len().unwrap_or(0)
    }
}

/// An LTC cell with validated parameters (`pos` already applied). Read-only
/// after construction.
#[derive(Debug, Clone, PartialEq)]
pub struct LtcCell {
    config: LtcConfig,
    gleak: Vec<f64>,
    /// `pos(gleak[j]) * vleak[j]`, loop invariant.
    gleak_vleak: Vec<f64>,
    cm: Vec<f64>,
    /// The `[N, N]` synapses.
    recurrent: Synapses,
    /// The `[I, N]` sensory synapses.
    sensory: Synapses,
    input_w: Vec<f64>,
    input_b: Vec<f64>,
    output_w: Vec<f64>,
    output_b: Vec<f64>,
}

impl LtcCell {
    /// The length of the flat parameter vector for `config`.
    pub fn param_len(config: &LtcConfig) -> usize {
        config.param_len()
    }

    /// Builds a cell from the flat parameters (module docs). Errors: an
    /// invalid config, a wrong length (the message states the expected
    /// length), a non-finite parameter.
    pub fn new(config: LtcConfig, params: &[f64]) -> Result<Self, CellError> {
        config.validate()?;
        check_params(params, config.param_len())?;
        let (i, n, m) = (config.input_size, config.units, config.motor_size);
        let pos = config.positivity;
        let mut rest = params;
        let mut take = |k: usize| {
            let (a, b) = rest.split_at(k);
            rest = b;
            a
        };
        let p = |x: f64| pos.apply(x);
        let gleak = try_map(take(n), p)?;
        let vleak = take(n);
        let cm = try_map(take(n), p)?;
        let sigma = take(n * n);
        let mu = take(n * n);
        let w = try_map(take(n * n), p)?;
        let erev = take(n * n);
        let s_sigma = take(i * n);
        let s_mu = take(i * n);
        let s_w = try_map(take(i * n), p)?;
        let s_erev = take(i * n);
        let mask = take(n * n);
        let s_mask = take(i * n);
        let input_w = try_copy(take(i))?;
        let input_b = try_copy(take(i))?;
        let output_w = try_copy(take(m))?;
        let output_b = try_copy(take(m))?;
        let mut gleak_vleak = try_zeros(0, n)?;
        gleak_vleak.extend(gleak.iter().zip(vleak).map(|(g, v)| g * v));
        Ok(LtcCell {
            config,
            gleak,
            gleak_vleak,
            cm,
            recurrent: Synapses::new(n, n, [sigma, mu, &w, erev, mask])?,
            sensory: Synapses::new(i, n, [s_sigma, s_mu, &s_w, s_erev, s_mask])?,
            input_w,
            input_b,
            output_w,
            output_b,
        })
    }

    /// A population of cells sharing `config`, member `i` built from
    /// `params[i]` (errors name the member).
    pub fn population<P: AsRef<[f64]>>(
        config: LtcConfig,
        params: &[P],
    ) -> Result<Population<LtcCell>, CellError> {
        config.validate()?;
        Population::build(params, |p| LtcCell::new(config, p))
    }

    /// The configuration.
    pub fn config(&self) -> &LtcConfig {
        &self.config
    }
}

impl Cell for LtcCell {
    fn input_size(&self) -> usize {
        self.config.input_size
    }

    fn state_size(&self) -> usize {
        self.config.units
    }

    fn output_size(&self) -> usize {
        self.config.motor_size
    }

    /// `mapped u [I] | Sn [N] | Sd [N] | cmt [N] | num [N] | den [N]`.
    fn scratch_len(&self) -> usize {
        self.config.input_size + 5 * self.config.units
    }

    /// The sensory synapses once, then every synapse per unfold (each an
    /// `exp`, counted as 4 units).
    fn work(&self) -> usize {
        let c = &self.config;
        let sensory = c.input_size.saturating_mul(c.units);
        let per_unfold = c
            .units
            .saturating_mul(c.units)
            .saturating_mul(4)
            .saturating_add(c.units);
        sensory
            .saturating_mul(4)
            .saturating_add(per_unfold.saturating_mul(c.ode_unfolds))
    }

    fn check_dt(&self, row: usize, dt: f64) -> Result<(), CellError> {
        if !dt.is_finite() {
            Err(CellError::BadDt {
                row,
                dt,
                reason: "is not finite",
            })
        } else if dt <= 0.0 {
            Err(CellError::BadDt {
                row,
                dt,
                reason: "is not positive (an LTC cell needs dt > 0)",
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
        let (ni, n, m) = (cfg.input_size, cfg.units, cfg.motor_size);
        check_lengths(self, row, (input, state), (output, new_state, scratch))?;
        let overflow = |what| CellError::NonFinite { row, what };
        let (u, rest) = scratch.split_at_mut(ni);
        let (sn, rest) = rest.split_at_mut(n);
        let (sd, rest) = rest.split_at_mut(n);
        let (cmt, rest) = rest.split_at_mut(n);
        let (num, den) = rest.split_at_mut(n);

        // 1. input mapping
        let mut ok = true;
        for k in 0..ni {
            u[k] = cfg
                .input_mapping
                .apply(input[k], self.input_w[k], self.input_b[k]);
            ok &= u[k].is_finite();
        }
        if !ok {
            return Err(overflow("a mapped input"));
        }
        // 2. sensory synapses
        if !self.sensory.sums(u, sn, sd) {
            return Err(overflow("a sensory synapse's sigmoid argument"));
        }
        if !(sn.iter().chain(sd.iter()).all(|x| x.is_finite())) {
            return Err(overflow("a sensory synapse sum"));
        }
        // 3. capacitance over the sub-step
        let sub = dt / cfg.ode_unfolds as f64;
        for (c, cm) in cmt.iter_mut().zip(&self.cm) {
            *c = cm / sub;
        }
        if !cmt.iter().all(|x| x.is_finite()) {
            return Err(overflow("cm / (dt / ode_unfolds)"));
        }
        // 4. unfolds, in place in new_state
        new_state.copy_from_slice(state);
        let eps = cfg.epsilon;
        for _ in 0..cfg.ode_unfolds {
            if !self.recurrent.sums(new_state, num, den) {
                return Err(overflow("a synapse's sigmoid argument"));
            }
            let mut ok = true;
            for j in 0..n {
                let nu = cmt[j] * new_state[j] + self.gleak_vleak[j] + (num[j] + sn[j]);
                let de = cmt[j] + self.gleak[j] + (den[j] + sd[j]) + eps;
                let v = nu / de;
                ok &= nu.is_finite() & de.is_finite() & v.is_finite();
                new_state[j] = v;
            }
            if !ok {
                return Err(overflow("the solver's numerator, denominator or new state"));
            }
        }
        // 5. output mapping
        let mut ok = true;
        for k in 0..m {
            output[k] = cfg
                .output_mapping
                .apply(new_state[k], self.output_w[k], self.output_b[k]);
            ok &= output[k].is_finite();
        }
        if !ok {
            return Err(overflow("a mapped output"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_length_matches_the_spec() {
        assert_eq!(LtcConfig::new(4, 8).param_len(), 528);
        let e = LtcCell::new(LtcConfig::new(4, 8), &[1.0; 10]).unwrap_err();
        assert_eq!(
            e,
            CellError::ParamLength {
                expected: 528,
                got: 10
            }
        );
    }

    #[test]
    fn dt_must_be_positive() {
        let c = LtcConfig::new(1, 1);
        let cell = LtcCell::new(c, &vec![0.5; c.param_len()]).unwrap();
        assert!(matches!(
            cell.step_alloc(&[0.1], &[0.0], 0.0),
            Err(CellError::BadDt { .. })
        ));
        assert!(matches!(
            cell.step_alloc(&[0.1], &[0.0], -1.0),
            Err(CellError::BadDt { .. })
        ));
        assert!(cell.step_alloc(&[0.1], &[0.0], 1.0).is_ok());
    }
}
