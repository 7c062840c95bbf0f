//! The configuration maps of `cfc_cell/2` and `ltc_cell/2` (and of the
//! populations): known keys only, each checked and named in the error.

use super::{cell_error, keys};
use crate::decode;
use crate::error::{badarg, Res};
use rustler::{Atom, Term};
use tweann_core::cells::{self, CellError};
use tweann_core::cfc::{CfcConfig, CfcMode};
use tweann_core::ltc::{LtcConfig, Mapping, Positivity};

/// Reads a config map, rejecting keys not in `known`.
struct ConfigMap<'a> {
    map: Term<'a>,
}

impl<'a> ConfigMap<'a> {
    fn new(term: Term<'a>, known: &[Atom]) -> Res<Self> {
        let iter = rustler::types::map::MapIterator::new(term)
            .ok_or_else(|| badarg(1, "the configuration must be a map"))?;
        for (k, _) in iter {
            let ok = k
                .decode::<Atom>()
                .map(|a| known.contains(&a))
                .unwrap_or(false);
            if !ok {
                return Err(badarg(1, format!("unknown configuration key {}", show(k))));
            }
        }
        Ok(ConfigMap { map: term })
    }

    fn get(&self, key: Atom) -> Option<Term<'a>> {
        self.map.map_get(key).ok()
    }

    /// A size in `min..=2^32-1`.
    fn size(&self, key: Atom, name: &str, default: Option<usize>, min: usize) -> Res<usize> {
        self.int(key, name, default, (min, u32::MAX as usize))
    }

    /// An integer in `min..=max`.
    fn int(
        &self,
        key: Atom,
        name: &str,
        default: Option<usize>,
        (min, max): (usize, usize),
    ) -> Res<usize> {
        match (self.get(key), default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(badarg(1, format!("missing required key {name}"))),
            (Some(t), _) => match t.decode::<u64>() {
                Ok(v) if v as usize >= min && v as usize <= max => Ok(v as usize),
                _ => Err(badarg(
                    1,
                    format!("{name} must be an integer in {min}..{max}, got {}", show(t)),
                )),
            },
        }
    }

    fn name<T>(
        &self,
        key: Atom,
        name: &str,
        default: T,
        parse: impl Fn(&str) -> Result<T, CellError>,
    ) -> Res<T> {
        match self.get(key) {
            None => Ok(default),
            Some(t) => {
                let s = t
                    .atom_to_string()
                    .map_err(|_| badarg(1, format!("{name} must be an atom")))?;
                parse(&s).map_err(|e| badarg(1, format!("{name}: {e}")))
            }
        }
    }
}

fn show(t: Term) -> String {
    if let Ok(s) = t.atom_to_string() {
        return s;
    }
    if let Ok(i) = t.decode::<i64>() {
        return i.to_string();
    }
    "(a term)".into()
}

pub(super) fn cfc_config(term: Term) -> Res<CfcConfig> {
    use keys::*;
    let m = ConfigMap::new(
        term,
        &[
            input_size(),
            hidden_size(),
            mode(),
            backbone_units(),
            backbone_layers(),
            backbone_activation(),
        ],
    )?;
    let mut c = CfcConfig::new(
        m.size(input_size(), "input_size", None, 1)?,
        m.size(hidden_size(), "hidden_size", None, 1)?,
    );
    c.mode = m.name(mode(), "mode", CfcMode::Default, CfcMode::from_name)?;
    c.backbone_units = m.size(backbone_units(), "backbone_units", Some(128), 1)?;
    c.backbone_layers = m.size(backbone_layers(), "backbone_layers", Some(1), 0)?;
    c.backbone_activation = m.name(
        backbone_activation(),
        "backbone_activation",
        c.backbone_activation,
        cells::BackboneActivation::from_name,
    )?;
    c.validate().map_err(|e| cell_error(e, 2))?;
    Ok(c)
}

pub(super) fn ltc_config(term: Term) -> Res<LtcConfig> {
    use keys::*;
    let m = ConfigMap::new(
        term,
        &[
            input_size(),
            units(),
            motor_size(),
            ode_unfolds(),
            epsilon(),
            positivity(),
            input_mapping(),
            output_mapping(),
        ],
    )?;
    let mut c = LtcConfig::new(
        m.size(input_size(), "input_size", None, 1)?,
        m.size(units(), "units", None, 1)?,
    );
    c.motor_size = m.size(motor_size(), "motor_size", Some(c.units), 1)?;
    c.ode_unfolds = m.int(
        ode_unfolds(),
        "ode_unfolds",
        Some(6),
        (1, tweann_core::ltc::MAX_ODE_UNFOLDS),
    )?;
    if let Some(t) = m.get(epsilon()) {
        c.epsilon = decode::number(t).ok_or_else(|| badarg(1, "epsilon must be a number"))?;
    }
    c.positivity = m.name(
        positivity(),
        "positivity",
        Positivity::Softplus,
        Positivity::from_name,
    )?;
    c.input_mapping = m.name(
        input_mapping(),
        "input_mapping",
        Mapping::Affine,
        Mapping::from_name,
    )?;
    c.output_mapping = m.name(
        output_mapping(),
        "output_mapping",
        Mapping::Affine,
        Mapping::from_name,
    )?;
    c.validate().map_err(|e| cell_error(e, 2))?;
    Ok(c)
}
