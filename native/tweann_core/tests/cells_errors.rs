//! CfC / LTC cells: bad input gives errors that name the row and the value,
//! never a panic.

use tweann_core::cells::{self, BackboneActivation, Cell, CellError, Dts, Rows};
use tweann_core::cfc::{CfcCell, CfcConfig, CfcMode};
use tweann_core::ltc::{LtcCell, LtcConfig, Mapping, Positivity};

fn small_cfc() -> (CfcConfig, Vec<f64>) {
    let cfg = CfcConfig {
        backbone_units: 4,
        ..CfcConfig::new(2, 3)
    };
    let p = (0..cfg.param_len())
        .map(|k| (k as f64 * 0.37).sin())
        .collect();
    (cfg, p)
}

fn small_ltc() -> (LtcConfig, Vec<f64>) {
    let cfg = LtcConfig::new(2, 3);
    let p = (0..cfg.param_len())
        .map(|k| (k as f64 * 0.37).sin())
        .collect();
    (cfg, p)
}

#[test]
fn bad_input_is_an_error() {
    let (cfg, p) = small_cfc();
    let e = CfcCell::new(cfg, &p[1..]).unwrap_err();
    assert_eq!(
        e,
        CellError::ParamLength {
            expected: p.len(),
            got: p.len() - 1
        }
    );
    assert!(e.to_string().contains(&format!("expected {}", p.len())));
    let mut q = p.clone();
    q[5] = f64::NAN;
    assert_eq!(
        CfcCell::new(cfg, &q).unwrap_err(),
        CellError::NonFiniteParam { index: 5 }
    );
    assert!(matches!(
        CfcMode::from_name("gated"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        BackboneActivation::from_name("sigmoid"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        CfcCell::new(
            CfcConfig {
                hidden_size: 0,
                ..cfg
            },
            &p
        ),
        Err(CellError::InvalidConfig(_))
    ));
    let huge = CfcConfig {
        backbone_units: usize::MAX / 2,
        ..cfg
    };
    assert!(matches!(
        CfcCell::new(huge, &p),
        Err(CellError::InvalidConfig(_))
    ));

    let cell = CfcCell::new(cfg, &p).unwrap();
    assert!(matches!(
        cell.step_alloc(&[0.1], &[0.0; 3], 1.0),
        Err(CellError::InputLength { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 2], 1.0),
        Err(CellError::StateLength { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], -1.0),
        Err(CellError::BadDt { .. })
    ));
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], f64::NAN),
        Err(CellError::BadDt { .. })
    ));
    assert!(cell.step_alloc(&[0.1, 0.2], &[0.0; 3], 0.0).is_ok());
    assert!(matches!(
        cell.step_alloc(&[f64::INFINITY, 0.2], &[0.0; 3], 1.0),
        Err(CellError::NonFiniteInput { row: 0, index: 0 })
    ));
    // mismatched rows in a batch
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2], vec![0.3]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::InputLength {
            row: 1,
            expected: 2,
            got: 1
        }
    );
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert!(matches!(r, Err(CellError::BatchSize { .. })));
    let r = cells::step_rows(
        Rows::Same(&cell),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3]],
        Dts::Each(&[1.0, 2.0]),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::DtLength {
            expected: 1,
            got: 2
        }
    );
    // population size must equal batch size
    let pop = CfcCell::population(cfg, &[p.clone(), p.clone()]).unwrap();
    let r = cells::step_rows(
        pop.rows(),
        &[vec![0.1, 0.2]],
        &[vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert_eq!(
        r.unwrap_err(),
        CellError::BatchSize {
            expected: 2,
            got: 1
        }
    );
    let e = CfcCell::population(cfg, &[p.clone(), p[1..].to_vec()]).unwrap_err();
    assert!(matches!(e, CellError::Member { member: 1, .. }), "{e}");
    assert!(e.to_string().contains("member 1"));
    assert_eq!(
        CfcCell::population::<Vec<f64>>(cfg, &[]).unwrap_err(),
        CellError::EmptyPopulation
    );
    // sequences of unequal length
    let r = cells::sequence_rows(
        Rows::Same(&cell),
        &[vec![vec![0.1, 0.2]; 2], vec![vec![0.1, 0.2]; 3]],
        &[vec![0.0; 3], vec![0.0; 3]],
        Dts::All(1.0),
    );
    assert!(matches!(r, Err(CellError::SequenceLength { row: 1, .. })));
    // overflow is an error, not inf/NaN
    let mut big = p.clone();
    big.iter_mut().for_each(|x| *x *= 1e300);
    let cell = CfcCell::new(cfg, &big).unwrap();
    assert!(matches!(
        cell.step_alloc(&[1e10, 1e10], &[1e10; 3], 1.0),
        Err(CellError::NonFinite { .. })
    ));

    let (cfg, p) = small_ltc();
    assert_eq!(
        LtcCell::new(cfg, &p[..10]).unwrap_err(),
        CellError::ParamLength {
            expected: p.len(),
            got: 10
        }
    );
    assert!(matches!(
        Positivity::from_name("relu"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        Mapping::from_name("bias"),
        Err(CellError::InvalidConfig(_))
    ));
    assert!(matches!(
        LtcCell::new(
            LtcConfig {
                motor_size: 4,
                ..cfg
            },
            &p
        ),
        Err(CellError::InvalidConfig(_))
    ));
    let cell = LtcCell::new(cfg, &p).unwrap();
    for dt in [0.0, -0.5, f64::INFINITY, f64::NAN] {
        assert!(
            matches!(
                cell.step_alloc(&[0.1, 0.2], &[0.0; 3], dt),
                Err(CellError::BadDt { .. })
            ),
            "{dt}"
        );
    }
    let r = cells::step_rows(
        Rows::Same(&cell),
        &vec![vec![0.1, 0.2]; 2],
        &vec![vec![0.0; 3]; 2],
        Dts::Each(&[1.0, 0.0]),
    );
    assert!(matches!(r, Err(CellError::BadDt { row: 1, .. })));
    // a denominator of exactly zero (identity positivity) is an overflow error
    let zero = LtcConfig {
        positivity: Positivity::Identity,
        epsilon: 0.0,
        ..cfg
    };
    let cell = LtcCell::new(zero, &vec![0.0; zero.param_len()]).unwrap();
    assert!(matches!(
        cell.step_alloc(&[0.1, 0.2], &[0.0; 3], 1.0),
        Err(CellError::NonFinite { .. })
    ));
}
