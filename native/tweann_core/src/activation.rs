//! The activation functions of DXNN2/faber-tweann networks.
//!
//! Each is a pure `f64 -> f64` function; the table in `docs/semantics.md`
//! states them and the pure Erlang reference computes the same expressions.
//! [`TABLE`] is the single list of their names and tags: everything that
//! names an activation (the NIF's atom decoding, `build_info/0`) reads it.

use crate::math;

/// An activation function. The discriminant is the compact tag stored per
/// node in a compiled network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Activation {
    Tanh = 0,
    Sigmoid,
    Sigmoid1,
    Sin,
    Cos,
    Gaussian,
    Linear,
    Relu,
    Sgn,
    Bin,
    Trinary,
    Multiquadric,
    Quadratic,
    Cubic,
    Absolute,
    Sqrt,
    Log,
}

/// One row of the activation table: the Erlang atom name, the compact tag
/// stored per node in a compiled network, and the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub name: &'static str,
    pub tag: u8,
    pub activation: Activation,
}

const fn entry(name: &'static str, activation: Activation) -> Entry {
    Entry {
        name,
        tag: activation as u8,
        activation,
    }
}

/// The activation table, in tag order (row `k` has tag `k`). This is the one
/// list of activation names: the NIF glue decodes atoms through it and
/// `build_info/0` reports its names, so the Erlang reference can check that it
/// agrees.
pub const TABLE: [Entry; 17] = [
    entry("tanh", Activation::Tanh),
    entry("sigmoid", Activation::Sigmoid),
    entry("sigmoid1", Activation::Sigmoid1),
    entry("sin", Activation::Sin),
    entry("cos", Activation::Cos),
    entry("gaussian", Activation::Gaussian),
    entry("linear", Activation::Linear),
    entry("relu", Activation::Relu),
    entry("sgn", Activation::Sgn),
    entry("bin", Activation::Bin),
    entry("trinary", Activation::Trinary),
    entry("multiquadric", Activation::Multiquadric),
    entry("quadratic", Activation::Quadratic),
    entry("cubic", Activation::Cubic),
    entry("absolute", Activation::Absolute),
    entry("sqrt", Activation::Sqrt),
    entry("log", Activation::Log),
];

// The table is in tag order: checked when the crate is compiled.
const _: () = {
    let mut k = 0;
    while k < TABLE.len() {
        assert!(TABLE[k].tag as usize == k);
        k += 1;
    }
};

impl Activation {
    /// Every activation, in tag order (drawn from [`TABLE`]).
    pub const ALL: [Activation; 17] = {
        let mut all = [Activation::Tanh; 17];
        let mut k = 0;
        while k < TABLE.len() {
            all[k] = TABLE[k].activation;
            k += 1;
        }
        all
    };

    /// The compact tag of this activation (its row in [`TABLE`]).
    #[inline]
    pub fn tag(self) -> u8 {
        self as u8
    }

    /// The activation with tag `tag`, if any.
    #[inline]
    pub fn from_tag(tag: u8) -> Option<Activation> {
        TABLE.get(tag as usize).map(|e| e.activation)
    }

    /// The Erlang atom name of this activation.
    pub fn name(self) -> &'static str {
        TABLE[self as usize].name
    }

    /// Look an activation up by its atom name.
    pub fn from_name(name: &str) -> Option<Activation> {
        TABLE.iter().find(|e| e.name == name).map(|e| e.activation)
    }

    /// Apply the function to every element of `xs`, writing `out` (the
    /// dispatch happens once, not per element), four elements at a time with
    /// [`Activation::apply_x4`], then two, then one: the same bits as
    /// [`Activation::apply`].
    #[inline]
    pub fn apply_slice(self, xs: &[f64], out: &mut [f64]) {
        macro_rules! each {
            ($a:expr) => {{
                let mut o4 = out.chunks_exact_mut(4);
                let mut x4 = xs.chunks_exact(4);
                for (o, x) in (&mut o4).zip(&mut x4) {
                    o.copy_from_slice(&$a.apply_x4([x[0], x[1], x[2], x[3]]));
                }
                let mut o2 = o4.into_remainder().chunks_exact_mut(2);
                let mut x2 = x4.remainder().chunks_exact(2);
                for (o, x) in (&mut o2).zip(&mut x2) {
                    let y = $a.apply_x2([x[0], x[1]]);
                    o[0] = y[0];
                    o[1] = y[1];
                }
                for (o, &x) in o2.into_remainder().iter_mut().zip(x2.remainder()) {
                    *o = $a.apply(x);
                }
            }};
        }
        match self {
            Activation::Tanh => each!(Activation::Tanh),
            Activation::Sigmoid => each!(Activation::Sigmoid),
            Activation::Sigmoid1 => each!(Activation::Sigmoid1),
            Activation::Sin => each!(Activation::Sin),
            Activation::Cos => each!(Activation::Cos),
            Activation::Gaussian => each!(Activation::Gaussian),
            Activation::Linear => each!(Activation::Linear),
            Activation::Relu => each!(Activation::Relu),
            Activation::Sgn => each!(Activation::Sgn),
            Activation::Bin => each!(Activation::Bin),
            Activation::Trinary => each!(Activation::Trinary),
            Activation::Multiquadric => each!(Activation::Multiquadric),
            Activation::Quadratic => each!(Activation::Quadratic),
            Activation::Cubic => each!(Activation::Cubic),
            Activation::Absolute => each!(Activation::Absolute),
            Activation::Sqrt => each!(Activation::Sqrt),
            Activation::Log => each!(Activation::Log),
        }
    }

    /// Apply the function to two values at once: the transcendental ones
    /// through the 2-lane forms of [`crate::math`] (same bits as the scalar
    /// forms), the others value by value. Always the bits of
    /// [`Activation::apply`] on each value.
    #[inline(always)]
    pub fn apply_x2(self, x: [f64; 2]) -> [f64; 2] {
        let clamped = |x: [f64; 2]| [clamp(x[0], -10.0, 10.0), clamp(x[1], -10.0, 10.0)];
        match self {
            Activation::Tanh => math::tanh_pair(x),
            Activation::Sigmoid => math::sigmoid_pair(clamped(x)),
            Activation::Sin => math::sin_pair(x),
            Activation::Cos => math::cos_pair(x),
            Activation::Gaussian => math::gaussian_pair(clamped(x)),
            a => [a.apply(x[0]), a.apply(x[1])],
        }
    }

    /// Apply the function to eight values at once (the 8-lane math), with
    /// the same bits as [`Activation::apply`] on each.
    #[inline(always)]
    pub fn apply_x8(self, x: [f64; 8]) -> [f64; 8] {
        let clamped = |x: [f64; 8]| x.map(|v| clamp(v, -10.0, 10.0));
        match self {
            Activation::Tanh => math::tanh_x8(x),
            Activation::Sigmoid => math::sigmoid_x8(clamped(x)),
            Activation::Sin => math::sin_x8(x),
            Activation::Cos => math::cos_x8(x),
            Activation::Gaussian => math::gaussian_x8(clamped(x)),
            a => x.map(|v| a.apply(v)),
        }
    }

    /// Apply the function to four values at once: the transcendental ones
    /// through the 4-lane forms of [`crate::math`] (two 2-lane chains side
    /// by side, same bits as the scalar forms), the others value by value.
    /// Always the bits of [`Activation::apply`] on each value.
    #[inline(always)]
    pub fn apply_x4(self, x: [f64; 4]) -> [f64; 4] {
        let clamped = |x: [f64; 4]| x.map(|v| clamp(v, -10.0, 10.0));
        match self {
            Activation::Tanh => math::tanh_quad(x),
            Activation::Sigmoid => math::sigmoid_quad(clamped(x)),
            Activation::Sin => math::sin_quad(x),
            Activation::Cos => math::cos_quad(x),
            Activation::Gaussian => math::gaussian_quad(clamped(x)),
            a => x.map(|v| a.apply(v)),
        }
    }

    /// True if the function of a finite argument is always finite (bounded
    /// or the identity on part of its domain), so that only the argument
    /// needs a finiteness check.
    #[inline(always)]
    pub fn finite_on_finite(self) -> bool {
        matches!(
            self,
            Activation::Tanh
                | Activation::Sigmoid
                | Activation::Sigmoid1
                | Activation::Sin
                | Activation::Cos
                | Activation::Gaussian
                | Activation::Linear
                | Activation::Relu
                | Activation::Sgn
                | Activation::Bin
                | Activation::Trinary
                | Activation::Absolute
        )
    }

    /// Apply the function.
    #[inline(always)]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Tanh => math::tanh(x),
            Activation::Sigmoid => math::sigmoid(clamp(x, -10.0, 10.0)),
            Activation::Sigmoid1 => x / (1.0 + x.abs()),
            Activation::Sin => math::sin(x),
            Activation::Cos => math::cos(x),
            Activation::Gaussian => math::gaussian(clamp(x, -10.0, 10.0)),
            Activation::Linear => x,
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::Sgn => sgn(x),
            Activation::Bin => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Trinary => {
                if x >= 0.33 {
                    1.0
                } else if x <= -0.33 {
                    -1.0
                } else {
                    0.0
                }
            }
            Activation::Multiquadric => (x * x + 0.01).sqrt(),
            Activation::Quadratic => sgn(x) * (x * x),
            Activation::Cubic => (x * x) * x,
            Activation::Absolute => x.abs(),
            Activation::Sqrt => sgn(x) * x.abs().sqrt(),
            Activation::Log => {
                if x == 0.0 {
                    0.0
                } else {
                    sgn(x) * math::log(x.abs())
                }
            }
        }
    }
}

/// `1.0`, `-1.0` or `0.0` (also for `-0.0`).
#[inline]
pub fn sgn(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// `lo` if `x < lo`, `hi` if `x > hi`, else `x` (as `f64::clamp`, but never
/// panics when `lo > hi`: then `lo` wins for `x < lo`).
#[inline]
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for a in Activation::ALL {
            assert_eq!(Activation::from_name(a.name()), Some(a));
            assert_eq!(Activation::from_tag(a.tag()), Some(a));
            assert_eq!(Activation::ALL[a as usize], a);
        }
        assert_eq!(Activation::from_name("softmax"), None);
        assert_eq!(Activation::from_tag(TABLE.len() as u8), None);
    }

    #[test]
    fn table_rows_are_distinct_and_in_tag_order() {
        for (k, e) in TABLE.iter().enumerate() {
            assert_eq!(e.tag as usize, k);
            assert_eq!(e.activation.tag(), e.tag);
            assert!(TABLE[..k]
                .iter()
                .all(|f| f.name != e.name && f.activation != e.activation));
        }
    }

    #[test]
    fn known_values() {
        use Activation::*;
        assert_eq!(Sigmoid.apply(0.0), 0.5);
        assert_eq!(Sigmoid.apply(50.0), Sigmoid.apply(10.0));
        assert_eq!(Sigmoid1.apply(1.0), 0.5);
        assert_eq!(Gaussian.apply(0.0), 1.0);
        assert_eq!(Gaussian.apply(-30.0), math::gaussian(-10.0));
        assert_eq!(Relu.apply(-2.0), 0.0);
        assert_eq!(Relu.apply(2.5), 2.5);
        assert_eq!(Sgn.apply(-0.0), 0.0);
        assert_eq!(Bin.apply(0.0), 0.0);
        assert_eq!(Trinary.apply(0.33), 1.0);
        assert_eq!(Trinary.apply(-0.33), -1.0);
        assert_eq!(Trinary.apply(0.3299), 0.0);
        assert_eq!(Multiquadric.apply(0.0), 0.1);
        assert_eq!(Quadratic.apply(-3.0), -9.0);
        assert_eq!(Cubic.apply(-2.0), -8.0);
        assert_eq!(Absolute.apply(-4.0), 4.0);
        assert_eq!(Sqrt.apply(-4.0), -2.0);
        assert_eq!(Log.apply(0.0), 0.0);
        assert_eq!(Log.apply(-1.0), 0.0);
        assert_eq!(Log.apply(std::f64::consts::E), 1.0);
        assert_eq!(Linear.apply(-7.25), -7.25);
    }

    #[test]
    fn apply_slice_equals_apply() {
        let xs: Vec<f64> = (0..40).map(|k| k as f64 / 4.0 - 5.0).collect();
        for a in Activation::ALL {
            let mut out = vec![0.0; xs.len()];
            a.apply_slice(&xs, &mut out);
            for (o, &x) in out.iter().zip(&xs) {
                assert_eq!(o.to_bits(), a.apply(x).to_bits(), "{a:?} at {x}");
            }
        }
    }

    #[test]
    fn clamp_never_panics() {
        assert_eq!(clamp(5.0, 1.0, -1.0), -1.0);
        assert_eq!(clamp(-5.0, 1.0, -1.0), 1.0);
        assert_eq!(clamp(-0.3, -0.0, 0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(clamp(0.5, -1.0, 1.0), 0.5);
        assert_eq!(clamp(-5.0, -1.0, 1.0), -1.0);
    }

    proptest! {
        #[test]
        fn lane_and_slice_forms_give_the_scalar_bits(
            a in -1e6f64..1e6, b in -30.0f64..30.0, xs in proptest::collection::vec(-50.0f64..50.0, 0..9)
        ) {
            for act in Activation::ALL {
                let y = act.apply_x2([a, b]);
                prop_assert_eq!(y[0].to_bits(), act.apply(a).to_bits());
                prop_assert_eq!(y[1].to_bits(), act.apply(b).to_bits());
                let y4 = act.apply_x4([b, a, -b, a * 1e-3]);
                for (y, x) in y4.iter().zip([b, a, -b, a * 1e-3]) {
                    prop_assert_eq!(y.to_bits(), act.apply(x).to_bits());
                }
                let x8 = [b, a, -b, a * 1e-3, -a, b * 0.5, a * 1e-6, 0.0];
                for (y, x) in act.apply_x8(x8).iter().zip(x8) {
                    prop_assert_eq!(y.to_bits(), act.apply(x).to_bits());
                }
                let mut out = vec![0.0; xs.len()];
                act.apply_slice(&xs, &mut out);
                for (o, &x) in out.iter().zip(&xs) {
                    prop_assert_eq!(o.to_bits(), act.apply(x).to_bits());
                }
            }
        }

        #[test]
        fn bounded_activations_stay_bounded(x in -1e6f64..1e6) {
            use Activation::*;
            for a in [Tanh, Sigmoid, Sigmoid1, Sin, Cos, Gaussian, Sgn, Bin, Trinary] {
                let y = a.apply(x);
                prop_assert!((-1.0..=1.0).contains(&y), "{:?}({}) = {}", a, x, y);
            }
        }

        #[test]
        fn finite_on_finite_holds(x in prop_oneof![-1e6f64..1e6, any::<u64>().prop_map(f64::from_bits)]) {
            prop_assume!(x.is_finite());
            for a in Activation::ALL {
                if a.finite_on_finite() {
                    prop_assert!(a.apply(x).is_finite(), "{:?}({})", a, x);
                }
            }
        }

        #[test]
        fn odd_activations_are_odd(x in -1e3f64..1e3) {
            use Activation::*;
            for a in [Tanh, Sigmoid1, Sin, Linear, Sgn, Trinary, Quadratic, Cubic, Sqrt, Log] {
                prop_assert_eq!(a.apply(-x), -a.apply(x), "{:?} at {}", a, x);
            }
        }

        #[test]
        fn finite_on_moderate_inputs(x in -1e3f64..1e3) {
            for a in Activation::ALL {
                prop_assert!(a.apply(x).is_finite());
            }
        }
    }
}
