//! Properties of `tweann_core::math`: the scalar, SSE2 and portable 2-lane,
//! the 4-lane and the 8-lane forms agree bit for bit on arbitrary inputs (every bit pattern, NaN
//! aside); symmetries, ranges and monotonicity hold; edge values are as
//! documented.

use proptest::prelude::*;
use tweann_core::math;

type Scalar = fn(f64) -> f64;
type Lanes = fn([f64; 2]) -> [f64; 2];
type Slice = fn(&mut [f64]);
type Quad = fn([f64; 4]) -> [f64; 4];
type Oct = fn([f64; 8]) -> [f64; 8];

const QUADS: [(&str, Scalar, Quad); 10] = [
    ("exp", math::exp, math::exp_x4),
    ("sigmoid", math::sigmoid, math::sigmoid_x4),
    ("tanh", math::tanh, math::tanh_x4),
    ("gaussian", math::gaussian, math::gaussian_x4),
    ("sin", math::sin, math::sin_x4),
    ("cos", math::cos, math::cos_x4),
    ("log", math::log, math::log_x4),
    ("log1p", math::log1p, math::log1p_x4),
    ("softplus", math::softplus, math::softplus_x4),
    ("erf", math::erf, math::erf_x4),
];

const OCTS: [(&str, Scalar, Oct); 9] = [
    ("exp", math::exp, math::exp_x8),
    ("sigmoid", math::sigmoid, math::sigmoid_x8),
    ("tanh", math::tanh, math::tanh_x8),
    ("gaussian", math::gaussian, math::gaussian_x8),
    ("sin", math::sin, math::sin_x8),
    ("cos", math::cos, math::cos_x8),
    ("log", math::log, math::log_x8),
    ("log1p", math::log1p, math::log1p_x8),
    ("softplus", math::softplus, math::softplus_x8),
];

const FORMS: [(&str, Scalar, Lanes, Lanes); 10] = [
    ("exp", math::exp, math::exp_x2, math::portable::exp_x2),
    (
        "sigmoid",
        math::sigmoid,
        math::sigmoid_x2,
        math::portable::sigmoid_x2,
    ),
    ("tanh", math::tanh, math::tanh_x2, math::portable::tanh_x2),
    (
        "gaussian",
        math::gaussian,
        math::gaussian_x2,
        math::portable::gaussian_x2,
    ),
    ("sin", math::sin, math::sin_x2, math::portable::sin_x2),
    ("cos", math::cos, math::cos_x2, math::portable::cos_x2),
    ("log", math::log, math::log_x2, math::portable::log_x2),
    (
        "log1p",
        math::log1p,
        math::log1p_x2,
        math::portable::log1p_x2,
    ),
    (
        "softplus",
        math::softplus,
        math::softplus_x2,
        math::portable::softplus_x2,
    ),
    ("erf", math::erf, math::erf_x2, math::portable::erf_x2),
];

/// Same bits, or both NaN (NaN payloads are not specified).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Arguments: any bit pattern, or a value in a range where the functions
/// change most.
fn arg() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        -1.0f64..1.0,
        -30.0f64..30.0,
        -750.0f64..750.0,
        -2.0e6f64..2.0e6,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn lane_forms_equal_the_scalar_form(a in arg(), b in arg()) {
        for (name, f, x2, portable) in FORMS {
            let want = [f(a), f(b)];
            for (form, g) in [("x2", x2), ("portable", portable)] {
                let got = g([a, b]);
                prop_assert!(
                    same(got[0], want[0]) && same(got[1], want[1]),
                    "{} {} at [{:e}, {:e}]: {:?} vs {:?}", name, form, a, b, got, want
                );
            }
        }
    }

    #[test]
    fn four_lane_forms_equal_the_scalar_form(
        x in prop_oneof![prop::array::uniform4(arg()), prop::array::uniform4(-40.0f64..40.0)]
    ) {
        for (name, f, x4) in QUADS {
            let got = x4(x);
            for (k, (&g, &a)) in got.iter().zip(&x).enumerate() {
                prop_assert!(same(g, f(a)), "{} x4 lane {} at {:?}: {:e} vs {:e}", name, k, x, g, f(a));
            }
        }
    }

    #[test]
    fn eight_lane_forms_equal_the_scalar_form(
        x in prop_oneof![prop::array::uniform8(arg()), prop::array::uniform8(-40.0f64..40.0)]
    ) {
        for (name, f, x8) in OCTS {
            let got = x8(x);
            for (k, (&g, &a)) in got.iter().zip(&x).enumerate() {
                prop_assert!(same(g, f(a)), "{} x8 lane {} at {:?}: {:e} vs {:e}", name, k, x, g, f(a));
            }
        }
    }

    #[test]
    fn slices_equal_the_scalar_form(xs in prop::collection::vec(arg(), 0..13)) {
        let slices: [(Scalar, Slice); 10] = [
            (math::exp, math::exp_slice),
            (math::sigmoid, math::sigmoid_slice),
            (math::tanh, math::tanh_slice),
            (math::gaussian, math::gaussian_slice),
            (math::sin, math::sin_slice),
            (math::cos, math::cos_slice),
            (math::log, math::log_slice),
            (math::log1p, math::log1p_slice),
            (math::softplus, math::softplus_slice),
            (math::erf, math::erf_slice),
        ];
        for (f, slice) in slices {
            let mut buf = xs.clone();
            slice(&mut buf);
            for (y, &x) in buf.iter().zip(&xs) {
                prop_assert!(same(*y, f(x)));
            }
        }
    }

    #[test]
    fn symmetries(x in arg()) {
        prop_assume!(!x.is_nan());
        prop_assert_eq!(math::tanh(-x).to_bits(), (-math::tanh(x)).to_bits());
        prop_assert!(same(math::sin(-x), -math::sin(x)));
        prop_assert!(same(math::cos(-x), math::cos(x)));
        prop_assert_eq!(math::erf(-x).to_bits(), (-math::erf(x)).to_bits());
        prop_assert_eq!(math::gaussian(-x).to_bits(), math::gaussian(x).to_bits());
    }

    #[test]
    fn ranges(x in arg()) {
        prop_assume!(x.is_finite());
        let unit = -1.0..=1.0;
        prop_assert!((0.0..=1.0).contains(&math::sigmoid(x)));
        prop_assert!(unit.contains(&math::tanh(x)));
        prop_assert!(unit.contains(&math::sin(x)));
        prop_assert!(unit.contains(&math::cos(x)));
        prop_assert!((0.0..=1.0).contains(&math::gaussian(x)));
        prop_assert!(unit.contains(&math::erf(x)));
        prop_assert!(math::softplus(x) >= 0.0);
        prop_assert!(math::exp(x) >= 0.0);
    }

    /// Increasing functions do not decrease between two arguments a little
    /// apart (errors below 1 ulp cannot reorder values that far apart).
    #[test]
    fn monotonic(x in -800.0f64..800.0, rel in 1e-12f64..1e-3) {
        let y = x + x.abs().max(1e-300) * rel;
        let inc: [(&str, Scalar); 4] = [
            ("exp", math::exp),
            ("sigmoid", math::sigmoid),
            ("tanh", math::tanh),
            ("softplus", math::softplus),
        ];
        for (name, f) in inc {
            prop_assert!(f(x) <= f(y), "{} at {:e} < {:e}", name, x, y);
        }
        prop_assert!(math::erf(x) <= math::erf(y));
        if x > -1.0 {
            prop_assert!(math::log1p(x) <= math::log1p(y));
        }
        if x > 0.0 {
            prop_assert!(math::log(x) <= math::log(y));
            prop_assert!(math::gaussian(x) >= math::gaussian(y));
        }
    }
}

/// No jump at the branch and table boundaries: walking neighbour by
/// neighbour across each, an increasing function never drops by more than
/// one ulp (errors below 1 ulp allow that much, only correct rounding would
/// make every step monotonic), a decreasing one never rises by more.
/// The spacing of doubles at `v` (finite).
fn ulp(v: f64) -> f64 {
    let a = v.abs();
    if a < f64::MIN_POSITIVE {
        f64::from_bits(1)
    } else {
        f64::from_bits(a.to_bits() & 0x7ff0_0000_0000_0000) * f64::EPSILON
    }
}

#[test]
fn no_jump_at_boundaries() {
    let next = |x: f64| f64::from_bits(x.to_bits() + 1);
    let prev = |x: f64| f64::from_bits(x.to_bits() - 1);
    let check = |name: &str, f: Scalar, at: f64, up: bool| {
        let mut x = at;
        for _ in 0..200 {
            x = prev(x);
        }
        let mut last = f(x);
        for _ in 0..400 {
            x = next(x);
            let y = f(x);
            let ok = if up {
                y >= last - ulp(last)
            } else {
                y <= last + ulp(last)
            };
            assert!(ok, "{name} at {x:e}: {last:e} then {y:e}");
            last = y;
        }
    };
    check("tanh", math::tanh, 0.55, true);
    check("tanh", math::tanh, 20.0, true);
    for at in [700.0, 708.0, 1.0] {
        check("exp", math::exp, at, true);
        check("sigmoid", math::sigmoid, at, true);
        check("softplus", math::softplus, at, true);
    }
    check("gaussian", math::gaussian, 26.5, false);
    check("log", math::log, std::f64::consts::FRAC_1_SQRT_2, true);
    check("log", math::log, 1.0, true);
    check("log1p", math::log1p, 0.4142135623730951, true);
    for at in [0.84375, 1.25, 2.857142857142857, 6.0] {
        check("erf", math::erf, at, true);
    }
}

#[test]
fn edge_values() {
    use math::*;
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(-0.0), 1.0);
    assert_eq!(exp(709.78), 1.7928227943945155e308);
    assert_eq!(exp(709.8), f64::INFINITY);
    assert_eq!(exp(f64::INFINITY), f64::INFINITY);
    assert_eq!(exp(-745.2), 0.0);
    assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    assert_eq!(exp(-745.0), 5e-324);
    assert!(exp(f64::NAN).is_nan());
    assert_eq!(sigmoid(0.0), 0.5);
    assert_eq!(sigmoid(800.0), 1.0);
    assert_eq!(sigmoid(-800.0), 0.0);
    assert_eq!(sigmoid(f64::INFINITY), 1.0);
    assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
    assert!(sigmoid(f64::NAN).is_nan());
    assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(tanh(f64::INFINITY), 1.0);
    assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
    assert!(tanh(f64::NAN).is_nan());
    assert_eq!(gaussian(0.0), 1.0);
    assert_eq!(gaussian(f64::INFINITY), 0.0);
    assert!(gaussian(f64::NAN).is_nan());
    assert_eq!(sin(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(cos(0.0), 1.0);
    assert!(sin(f64::INFINITY).is_nan());
    assert!(cos(f64::NEG_INFINITY).is_nan());
    assert!(sin(f64::NAN).is_nan());
    assert_eq!(log(1.0), 0.0);
    assert_eq!(log(0.0), f64::NEG_INFINITY);
    assert_eq!(log(-0.0), f64::NEG_INFINITY);
    assert!(log(-1.0).is_nan());
    assert_eq!(log(f64::INFINITY), f64::INFINITY);
    assert_eq!(log(5e-324), -744.4400719213812);
    assert_eq!(log1p(0.0), 0.0);
    assert_eq!(log1p(-1.0), f64::NEG_INFINITY);
    assert!(log1p(-2.0).is_nan());
    assert_eq!(log1p(f64::INFINITY), f64::INFINITY);
    assert_eq!(log1p(1e300), log(1e300));
    assert_eq!(softplus(1e300), 1e300);
    assert_eq!(softplus(-1e300), 0.0);
    assert_eq!(softplus(f64::INFINITY), f64::INFINITY);
    assert_eq!(erf(f64::INFINITY), 1.0);
    assert_eq!(erf(f64::NEG_INFINITY), -1.0);
    assert!(erf(f64::NAN).is_nan());
    assert_eq!(erf(-0.0).to_bits(), (-0.0f64).to_bits());
}
