//! The seeded random number generator of the weight kernels, implemented
//! identically (same bits) by the Erlang reference `tweann_ref_rng`.
//!
//! * **Seeding**: SplitMix64 expands a 64-bit seed into the 256-bit state of
//!   xoshiro256**: `s0..s3` are the first four SplitMix64 outputs started at
//!   the seed. SplitMix64 is a bijection over distinct counter values, so the
//!   four outputs are never all zero.
//! * **Generator**: xoshiro256** (Blackman and Vigna, 2018), one 64-bit
//!   output per step.
//! * **Uniform double** in `[0, 1)`: the top 53 bits of one output times
//!   `2^-53` (both conversions are exact).
//! * **Gaussian** (mean 0, deviation 1): Marsaglia's polar method. Draw
//!   uniforms `a`, `b`; `u = a * 2.0 - 1.0`, `v = b * 2.0 - 1.0`,
//!   `q = u * u + v * v`; retry while `q >= 1.0` or `q == 0.0`; then
//!   `f = sqrt((-2.0 * ln(q)) / q)`, return `u * f` and keep `v * f` as the
//!   spare, which the next Gaussian draw returns without touching the
//!   generator. A uniform draw leaves the spare alone.
//! * **Streams** of a batch: item `i` (0-based, in list order) of a batch
//!   called with seed `S` uses a generator seeded with the `i + 1`-th
//!   SplitMix64 output started at `S` ([`stream_seed`]), so an item's
//!   numbers do not depend on the sizes of the items before it.
//!
//! Every operation is an IEEE-754 add, multiply, divide or square root in the
//! order written, except the logarithm, which goes through the one private
//! function [`ln`].

/// SplitMix64's increment (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// `2^-53`.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// The natural logarithm used by [`Rng::normal`]: the only transcendental
/// call of this module.
// TODO(merge): switch to `crate::math::log` (our own deterministic log) when
// the math module lands; until then this is the host libm's log.
#[inline]
fn ln(x: f64) -> f64 {
    x.ln()
}

/// SplitMix64's output function applied to a counter value.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea and Flood, 2014): used for seeding only.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }
}

/// The seed of item `index` (0-based) of a batch called with `seed`: the
/// `index + 1`-th output of SplitMix64 started at `seed`.
#[inline]
pub fn stream_seed(seed: u64, index: u64) -> u64 {
    mix(seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GAMMA)))
}

/// xoshiro256** seeded through SplitMix64, with the polar method's spare
/// Gaussian.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    /// The generator of `seed` (see the module documentation).
    pub fn seeded(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Rng { s, spare: None }
    }

    /// One xoshiro256** step.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform double in `[0, 1)`: `(x >> 11) * 2^-53`.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * UNIT
    }

    /// A standard normal deviate (polar method, spare kept).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = self.uniform() * 2.0 - 1.0;
            let v = self.uniform() * 2.0 - 1.0;
            let q = u * u + v * v;
            if q < 1.0 && q != 0.0 {
                let f = ((-2.0 * ln(q)) / q).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;
    use super::*;
    use proptest::prelude::*;

    /// xoshiro256** written out from the published reference code, over a
    /// plain array, as the naive twin of [`Rng::next_u64`].
    fn naive_next(s: &mut [u64; 4]) -> u64 {
        // Written out on purpose: the naive twin must not share rotate_left.
        #[allow(clippy::manual_rotate)]
        fn rotl(x: u64, k: u32) -> u64 {
            (x << k) | (x >> (64 - k))
        }
        let result = rotl(s[1].wrapping_mul(5), 7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        result
    }

    #[test]
    fn splitmix64_known_answers() {
        // The published first outputs of SplitMix64 from seed 0.
        let mut sm = SplitMix64::new(0);
        let want = [
            0xE220_A839_7B1D_CDAF,
            0x6E78_9E6A_A1B9_65F4,
            0x06C4_5D18_8009_454F,
            0xF88B_B8A8_724C_81EC,
        ];
        for w in want {
            assert_eq!(sm.next_u64(), w);
        }
    }

    #[test]
    fn xoshiro_known_answers() {
        // State = the four SplitMix64 outputs above; outputs computed
        // independently (Python, arbitrary-precision integers masked to 64 bits).
        let mut r = Rng::seeded(0);
        let want = [
            0x99EC_5F36_CB75_F2B4u64,
            0xBF6E_1F78_4956_452A,
            0x1A5F_849D_4933_E6E0,
            0x6AA5_94F1_262D_2D2C,
        ];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn stream_seeds_are_splitmix_outputs() {
        for seed in [0u64, 1, 42, u64::MAX] {
            let mut sm = SplitMix64::new(seed);
            for i in 0..10 {
                assert_eq!(stream_seed(seed, i), sm.next_u64());
            }
        }
    }

    #[test]
    fn normal_uses_spare_then_two_uniforms() {
        let mut a = Rng::seeded(7);
        let mut b = Rng::seeded(7);
        let z1 = a.normal();
        let z2 = a.normal();
        // By hand: accepted pair -> (u*f, v*f).
        let (z1b, z2b) = loop {
            let u = b.uniform() * 2.0 - 1.0;
            let v = b.uniform() * 2.0 - 1.0;
            let q = u * u + v * v;
            if q < 1.0 && q != 0.0 {
                let f = ((-2.0 * q.ln()) / q).sqrt();
                break (u * f, v * f);
            }
        };
        assert_eq!((z1.to_bits(), z2.to_bits()), (z1b.to_bits(), z2b.to_bits()));
        // After the spare the streams are in step again.
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn normal_moments() {
        let mut r = Rng::seeded(12345);
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = r.normal();
            s1 += z;
            s2 += z * z;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }

    proptest! {
        #[test]
        fn matches_naive_xoshiro(seed in any::<u64>(), steps in 1usize..64) {
            let mut r = Rng::seeded(seed);
            let mut sm = SplitMix64::new(seed);
            let mut s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
            for _ in 0..steps {
                prop_assert_eq!(r.next_u64(), naive_next(&mut s));
            }
        }

        #[test]
        fn uniform_in_unit_interval(seed in any::<u64>()) {
            let mut r = Rng::seeded(seed);
            for _ in 0..100 {
                let mut c = r.clone();
                let u = r.uniform();
                prop_assert!((0.0..1.0).contains(&u));
                prop_assert_eq!(u, (c.next_u64() >> 11) as f64 / 9007199254740992.0);
            }
        }
    }
}
