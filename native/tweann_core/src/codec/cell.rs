//! The cell format (`TWNC`, version 1): a CfC or LTC cell, or a population
//! of them, as its configuration and the members' flat parameter vectors
//! (the layouts of `docs/cells.md` sections 2.5 and 3.4), from which the
//! constructors rebuild exactly the same cells.
//!
//! ```text
//! header        16 bytes (see the codec module)
//! kind          u8   1 cfc, 2 ltc
//! shape         u8   0 a single cell, 1 a population
//! reserved      u16  0
//! members       u32  1 for a single cell
//! param_len     u64  parameters per member (must match the configuration)
//! config        cfc: input_size u32, hidden_size u32, backbone_units u32,
//!                    backbone_layers u32, mode u8 (0 default, 1 pure,
//!                    2 no_gate), backbone_activation u8 (0 lecun_tanh,
//!                    1 tanh, 2 relu, 3 silu, 4 gelu), reserved u16 = 0
//!               ltc: input_size u32, units u32, motor_size u32,
//!                    ode_unfolds u32, epsilon f64, positivity u8
//!                    (0 softplus, 1 identity), input_mapping u8 and
//!                    output_mapping u8 (0 affine, 1 linear, 2 none),
//!                    reserved u8 = 0
//! params        [members * param_len] f64, member after member
//! trailer       CRC-32
//! ```

use super::wire::{self, open, read_f64s, Writer, CELL_MAGIC, CELL_VERSION, NET_MAGIC};
use crate::cells::BackboneActivation as Activation;
use crate::cfc::{CfcConfig, CfcMode};
use crate::error::{try_vec, CoreError};
use crate::ltc::{LtcConfig, Mapping, Positivity};

/// A cell's configuration, either kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellConfig {
    Cfc(CfcConfig),
    Ltc(LtcConfig),
}

impl CellConfig {
    /// Parameters per member (0 if the sizes overflow).
    pub fn param_len(&self) -> usize {
        match self {
            CellConfig::Cfc(c) => c.param_len(),
            CellConfig::Ltc(c) => c.param_len(),
        }
    }

    fn config_len(&self) -> usize {
        match self {
            CellConfig::Cfc(_) => 20,
            CellConfig::Ltc(_) => 28,
        }
    }
}

/// A decoded cell binary: build the cell (or population) from it with the
/// kind's constructor.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedCell {
    pub config: CellConfig,
    pub population: bool,
    pub members: usize,
    /// `members * config.param_len()` values, member after member.
    pub params: Vec<f64>,
}

const PREFIX_LEN: usize = 16;

fn bad(reason: impl Into<String>) -> CoreError {
    CoreError::badarg(1, reason)
}

/// Bytes of the encoded form of `members` cells of `config`.
pub fn cell_encoded_len(config: &CellConfig, members: usize) -> Result<usize, CoreError> {
    members
        .checked_mul(config.param_len())
        .and_then(|p| p.checked_mul(8))
        .and_then(|p| {
            p.checked_add(wire::HEADER_LEN + PREFIX_LEN + config.config_len() + wire::TRAILER_LEN)
        })
        .ok_or_else(|| CoreError::general("the cell is too large to encode"))
}

fn size32(v: usize, what: &str) -> Result<u32, CoreError> {
    u32::try_from(v).map_err(|_| {
        CoreError::general(format!(
            "{what} {v} does not fit the format (at most 2^32 - 1)"
        ))
    })
}

/// Writes a cell (`population == false`, one member) or a population into
/// `out`, which must be exactly [`cell_encoded_len`] bytes; `params` holds
/// every member's flat parameters, member after member.
pub fn encode_cell(
    config: &CellConfig,
    population: bool,
    params: &[f64],
    out: &mut [u8],
) -> Result<(), CoreError> {
    let len = config.param_len();
    if len == 0 || params.len() % len != 0 || (!population && params.len() != len) {
        return Err(CoreError::general(
            "internal error: parameters do not match the configuration (please report)",
        ));
    }
    let members = params.len() / len;
    let mut w = Writer::new(out, CELL_MAGIC, CELL_VERSION, 0);
    match config {
        CellConfig::Cfc(c) => {
            w.u8(1);
            w.u8(population as u8);
            w.u16(0);
            w.u32(size32(members, "members")?);
            w.u64(len as u64);
            w.u32(size32(c.input_size, "input_size")?);
            w.u32(size32(c.hidden_size, "hidden_size")?);
            w.u32(size32(c.backbone_units, "backbone_units")?);
            w.u32(size32(c.backbone_layers, "backbone_layers")?);
            w.u8(match c.mode {
                CfcMode::Default => 0,
                CfcMode::Pure => 1,
                CfcMode::NoGate => 2,
            });
            w.u8(match c.backbone_activation {
                Activation::LecunTanh => 0,
                Activation::Tanh => 1,
                Activation::Relu => 2,
                Activation::Silu => 3,
                Activation::Gelu => 4,
            });
            w.u16(0);
        }
        CellConfig::Ltc(c) => {
            w.u8(2);
            w.u8(population as u8);
            w.u16(0);
            w.u32(size32(members, "members")?);
            w.u64(len as u64);
            w.u32(size32(c.input_size, "input_size")?);
            w.u32(size32(c.units, "units")?);
            w.u32(size32(c.motor_size, "motor_size")?);
            w.u32(size32(c.ode_unfolds, "ode_unfolds")?);
            w.f64(c.epsilon);
            w.u8(match c.positivity {
                Positivity::Softplus => 0,
                Positivity::Identity => 1,
            });
            w.u8(mapping_tag(c.input_mapping));
            w.u8(mapping_tag(c.output_mapping));
            w.u8(0);
        }
    }
    w.f64s(params);
    w.finish()
}

fn mapping_tag(m: Mapping) -> u8 {
    match m {
        Mapping::Affine => 0,
        Mapping::Linear => 1,
        Mapping::None => 2,
    }
}

fn mapping(tag: u8, what: &str) -> Result<Mapping, CoreError> {
    match tag {
        0 => Ok(Mapping::Affine),
        1 => Ok(Mapping::Linear),
        2 => Ok(Mapping::None),
        t => Err(bad(format!("unknown {what} tag {t}"))),
    }
}

/// Reads a cell binary, validating the configuration, the sizes and every
/// parameter (finite); `budget` caps the bytes the decoded parameters and
/// the cells built from them may hold (counted as three times the
/// parameters' size).
pub fn decode_cell(bin: &[u8], budget: usize) -> Result<DecodedCell, CoreError> {
    let (mut r, _, flags) = open(
        bin,
        CELL_MAGIC,
        "a cell",
        (NET_MAGIC, "a network"),
        &[CELL_VERSION],
    )?;
    if flags != 0 {
        return Err(bad(format!(
            "unknown flags {flags:#06x} (version 1 defines none)"
        )));
    }
    let kind = r.u8()?;
    let shape = r.u8()?;
    let reserved = r.u16()?;
    let members = r.u32()? as usize;
    let param_len = r.u64()?;
    if shape > 1 || reserved != 0 {
        return Err(bad(format!(
            "unknown shape {shape} or reserved bits {reserved}"
        )));
    }
    let population = shape == 1;
    if members == 0 || (!population && members != 1) {
        return Err(bad(format!(
            "{members} members for a {}",
            if population {
                "population"
            } else {
                "single cell"
            }
        )));
    }
    let config = match kind {
        1 => {
            let mut c = CfcConfig::new(r.u32()? as usize, r.u32()? as usize);
            c.backbone_units = r.u32()? as usize;
            c.backbone_layers = r.u32()? as usize;
            c.mode = match r.u8()? {
                0 => CfcMode::Default,
                1 => CfcMode::Pure,
                2 => CfcMode::NoGate,
                t => return Err(bad(format!("unknown CfC mode tag {t}"))),
            };
            c.backbone_activation = match r.u8()? {
                0 => Activation::LecunTanh,
                1 => Activation::Tanh,
                2 => Activation::Relu,
                3 => Activation::Silu,
                4 => Activation::Gelu,
                t => return Err(bad(format!("unknown backbone_activation tag {t}"))),
            };
            if r.u16()? != 0 {
                return Err(bad("reserved bytes of the CfC configuration are not 0"));
            }
            c.validate().map_err(|e| bad(e.to_string()))?;
            CellConfig::Cfc(c)
        }
        2 => {
            let mut c = LtcConfig::new(r.u32()? as usize, r.u32()? as usize);
            c.motor_size = r.u32()? as usize;
            c.ode_unfolds = r.u32()? as usize;
            c.epsilon = r.f64()?;
            c.positivity = match r.u8()? {
                0 => Positivity::Softplus,
                1 => Positivity::Identity,
                t => return Err(bad(format!("unknown positivity tag {t}"))),
            };
            c.input_mapping = mapping(r.u8()?, "input_mapping")?;
            c.output_mapping = mapping(r.u8()?, "output_mapping")?;
            if r.u8()? != 0 {
                return Err(bad("the reserved byte of the LTC configuration is not 0"));
            }
            c.validate().map_err(|e| bad(e.to_string()))?;
            CellConfig::Ltc(c)
        }
        t => return Err(bad(format!("unknown cell kind tag {t} (1 cfc, 2 ltc)"))),
    };
    let len = config.param_len();
    if param_len != len as u64 {
        return Err(bad(format!(
            "the header says {param_len} parameters per member but the configuration needs {len}"
        )));
    }
    let total = members
        .checked_mul(len)
        .filter(|&t| t.saturating_mul(8) == r.remaining());
    let Some(total) = total else {
        return Err(bad(format!(
            "{} bytes of parameters do not hold {members} members of {len} parameters",
            r.remaining()
        )));
    };
    let need = total.saturating_mul(24);
    if need > budget {
        return Err(CoreError::memory(format!(
            "decoding this cell needs about {need} bytes, over the memory budget of {budget} bytes"
        )));
    }
    let mut params = try_vec::<f64>(total, "cell parameters")?;
    read_f64s(r.take(8 * total)?, &mut params);
    if let Some(k) = params.iter().position(|p| !p.is_finite()) {
        return Err(bad(format!(
            "member {}, parameter {} (0-based) is not a finite number",
            k / len,
            k % len
        )));
    }
    Ok(DecodedCell {
        config,
        population,
        members,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::{self, Cell, Dts, Rows};
    use crate::cfc::CfcCell;
    use crate::ltc::LtcCell;
    use proptest::prelude::*;

    fn encode(config: &CellConfig, population: bool, params: &[f64]) -> Vec<u8> {
        let members = params.len() / config.param_len();
        let mut out = vec![0u8; cell_encoded_len(config, members).unwrap()];
        encode_cell(config, population, params, &mut out).unwrap();
        out
    }

    fn params(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s % 2001) as f64 / 2000.0 - 0.5
            })
            .collect()
    }

    fn step<C: Cell>(cell: &C, u: &[f64], s: &[f64]) -> Vec<u64> {
        let mut o = vec![0.0; cell.output_size()];
        let mut ns = vec![0.0; cell.state_size()];
        let mut scratch = vec![0.0; cell.scratch_len()];
        cells::step_batch(
            Rows::Same(cell),
            1,
            u,
            s,
            Dts::All(0.7),
            &mut o,
            &mut ns,
            &mut scratch,
        )
        .unwrap();
        o.iter().chain(&ns).map(|v| v.to_bits()).collect()
    }

    #[test]
    fn cfc_round_trip() {
        for mode in [CfcMode::Default, CfcMode::Pure, CfcMode::NoGate] {
            let mut c = CfcConfig::new(3, 4);
            c.mode = mode;
            c.backbone_units = 5;
            c.backbone_layers = 2;
            c.backbone_activation = Activation::Gelu;
            let cfg = CellConfig::Cfc(c);
            let p = params(c.param_len(), 11);
            let bin = encode(&cfg, false, &p);
            assert_eq!(bin.len(), 16 + 16 + 20 + 8 * p.len() + 4);
            let d = decode_cell(&bin, usize::MAX).unwrap();
            assert_eq!(d.config, cfg);
            assert!(!d.population);
            assert_eq!(d.params, p);
            let a = CfcCell::new(c, &p).unwrap();
            let b = CfcCell::new(c, &d.params).unwrap();
            assert_eq!(
                step(&a, &[0.1, -0.2, 0.3], &[0.5; 4]),
                step(&b, &[0.1, -0.2, 0.3], &[0.5; 4])
            );
        }
    }

    #[test]
    fn ltc_population_round_trip() {
        let mut c = LtcConfig::new(2, 3);
        c.motor_size = 2;
        c.ode_unfolds = 3;
        c.epsilon = 1e-6;
        c.positivity = Positivity::Identity;
        c.input_mapping = Mapping::Linear;
        c.output_mapping = Mapping::None;
        let cfg = CellConfig::Ltc(c);
        let p = params(3 * c.param_len(), 5);
        let bin = encode(&cfg, true, &p);
        let d = decode_cell(&bin, usize::MAX).unwrap();
        assert_eq!((d.config, d.population, d.members), (cfg, true, 3));
        assert_eq!(d.params, p);
        let a = LtcCell::new(c, &p[..c.param_len()]).unwrap();
        let b = LtcCell::new(c, &d.params[..c.param_len()]).unwrap();
        assert_eq!(
            step(&a, &[0.3, 0.1], &[0.0; 3]),
            step(&b, &[0.3, 0.1], &[0.0; 3])
        );
    }

    #[test]
    fn corruption_and_bad_fields() {
        let c = CfcConfig {
            backbone_units: 3,
            ..CfcConfig::new(2, 2)
        };
        let cfg = CellConfig::Cfc(c);
        let bin = encode(&cfg, false, &params(c.param_len(), 3));
        for i in 0..bin.len() {
            let mut b = bin.clone();
            b[i] ^= 0x10;
            assert!(decode_cell(&b, usize::MAX).is_err(), "byte {i}");
        }
        for len in 0..bin.len() {
            assert!(decode_cell(&bin[..len], usize::MAX).is_err());
        }
        let reseal = |mut b: Vec<u8>| {
            let end = b.len() - 4;
            let crc = crate::codec::crc32(&b[..end]);
            b[end..].copy_from_slice(&crc.to_le_bytes());
            decode_cell(&b, usize::MAX).unwrap_err().reason
        };
        let mut x = bin.clone();
        x[16] = 3;
        assert!(reseal(x).contains("kind tag 3"));
        let mut x = bin.clone();
        x[32..36].copy_from_slice(&0u32.to_le_bytes());
        assert!(reseal(x).contains("input_size"));
        let mut x = bin.clone();
        x[48] = 9;
        assert!(reseal(x).contains("mode tag 9"));
        let mut x = bin.clone();
        x[52..60].copy_from_slice(&f64::NAN.to_le_bytes());
        assert!(reseal(x).contains("not a finite number"));
        let mut x = bin.clone();
        x[20..24].copy_from_slice(&2u32.to_le_bytes());
        assert!(reseal(x).contains("single cell"));
        let mut x = bin.clone();
        x[..4].copy_from_slice(b"TWNN");
        assert!(reseal(x).contains("network_from_binary"));
        assert_eq!(
            decode_cell(&bin, 10).unwrap_err().kind,
            crate::error::ErrorKind::Memory
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let mut b = Vec::new();
            b.extend_from_slice(b"TWNC");
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes());
            b.extend_from_slice(&((bytes.len() + 20) as u64).to_le_bytes());
            b.extend_from_slice(&bytes);
            let crc = crate::codec::crc32(&b);
            b.extend_from_slice(&crc.to_le_bytes());
            let _ = decode_cell(&b, 1 << 20);
            let _ = decode_cell(&bytes, 1 << 20);
        }
    }
}
