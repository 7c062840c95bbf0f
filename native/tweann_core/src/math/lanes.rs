//! The arithmetic the algorithms are written in: one trait, [`Lanes`],
//! implemented for a single `f64` (the scalar forms), for two `f64` in an
//! SSE2 register ([`Sse2`], x86_64 only) and for two `f64` in an array
//! ([`Pair`], every target). Each algorithm is written once, generic over
//! `Lanes`, so the scalar and the 2-lane forms perform the same IEEE
//! operations on every lane and give the same bits.
//!
//! Every float operation is a single IEEE-754 binary64 operation rounded to
//! nearest (ties to even): `+ - * /` only (no `mul_add`, no fused forms;
//! x86-64-v2 has no FMA). Selections are exact, integer operations act on
//! the bit patterns with wrapping two's-complement arithmetic.

use core::ops::{Add, Div, Mul, Neg, Sub};

/// Arithmetic over one or two `f64` lanes (see the module docs).
pub(crate) trait Lanes:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A per-lane condition.
    type Mask: Copy;
    /// The bit patterns of the lanes (`u64` each).
    type Bits: Copy;

    fn splat(c: f64) -> Self;
    /// `self < o` per lane (false if either is NaN).
    fn lt(self, o: Self) -> Self::Mask;
    /// `self <= o` per lane (false if either is NaN).
    fn le(self, o: Self) -> Self::Mask;
    /// `m ? a : b` per lane.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;
    /// `a && b` per lane.
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// True if `m` holds in every lane.
    fn all(m: Self::Mask) -> bool;
    /// True if `m` holds in some lane.
    fn any(m: Self::Mask) -> bool;

    fn to_bits(self) -> Self::Bits;
    fn from_bits(b: Self::Bits) -> Self;
    fn bits(c: u64) -> Self::Bits;
    fn band(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn bor(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn bxor(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    /// Wrapping `a + b`.
    fn badd(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    /// Wrapping `a - b`.
    fn bsub(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    /// Logical shift left by `S` (0 < S < 64).
    fn shl<const S: i32>(a: Self::Bits) -> Self::Bits;
    /// Logical shift right by `S` (0 < S < 64).
    fn shr<const S: i32>(a: Self::Bits) -> Self::Bits;
    /// The mask of the lanes whose bits are all ones (lanes must be all
    /// zeros or all ones).
    fn bits_mask(a: Self::Bits) -> Self::Mask;

    /// `|self|` (clears the sign bit).
    #[inline(always)]
    fn abs(self) -> Self {
        Self::from_bits(Self::band(self.to_bits(), Self::bits(!(1u64 << 63))))
    }

    /// For each lane: the table entries selected by the low bits of the bit
    /// pattern of `kf`, see [`super::exp`]. Returns `(scale, tail)`.
    fn exp_table(kf: Self) -> (Self, Self);

    /// `(kf, kd)` for `|y| < 2^51`: `kf = y + SHIFT` (the integer `k`,
    /// `y` rounded to nearest, ties to even, in the low bits of its
    /// pattern) and `kd = kf - SHIFT` (`k` as a float, exact). Forms with a
    /// rounding instruction take `kd` from `y` directly, one dependent step
    /// earlier; it is the same number, except that a `y` in `[-0.5, -0.0]`
    /// gives `kd = -0.0` instead of `+0.0`, which changes no result (`kd`
    /// only ever meets products that stay zero and sums with a nonzero or
    /// positive-zero term; the golden and committed-bits tests check it).
    #[inline(always)]
    fn shift_round(y: Self) -> (Self, Self) {
        let kf = y + Self::splat(super::exp::SHIFT);
        (kf, kf - Self::splat(super::exp::SHIFT))
    }
}

/// `y` rounded to an integer, ties to even, by the SSE4.1 instruction
/// (x86-64-v2 has it): one `roundsd`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse4.1"))]
#[inline(always)]
fn round_even(y: f64) -> f64 {
    y.round_ties_even()
}

/// Table lookup of `exp` for one lane: `kbits` is the bit pattern of
/// `z + SHIFT`, whose low bits hold `k` (two's complement).
#[inline(always)]
pub(crate) fn exp_table_1(kbits: u64) -> (u64, f64) {
    let j = (kbits & 31) as usize;
    (
        super::consts::EXP_TADJ[j].wrapping_add(kbits << 47),
        super::consts::EXP_TAIL[j],
    )
}

impl Lanes for f64 {
    type Mask = bool;
    type Bits = u64;

    #[inline(always)]
    fn splat(c: f64) -> Self {
        c
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        self < o
    }
    #[inline(always)]
    fn le(self, o: Self) -> bool {
        self <= o
    }
    #[inline(always)]
    fn select(m: bool, a: Self, b: Self) -> Self {
        if m {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn and(a: bool, b: bool) -> bool {
        a & b
    }
    #[inline(always)]
    fn all(m: bool) -> bool {
        m
    }
    #[inline(always)]
    fn any(m: bool) -> bool {
        m
    }
    #[inline(always)]
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
    #[inline(always)]
    fn from_bits(b: u64) -> Self {
        f64::from_bits(b)
    }
    #[inline(always)]
    fn bits(c: u64) -> u64 {
        c
    }
    #[inline(always)]
    fn band(a: u64, b: u64) -> u64 {
        a & b
    }
    #[inline(always)]
    fn bor(a: u64, b: u64) -> u64 {
        a | b
    }
    #[inline(always)]
    fn bxor(a: u64, b: u64) -> u64 {
        a ^ b
    }
    #[inline(always)]
    fn badd(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn bsub(a: u64, b: u64) -> u64 {
        a.wrapping_sub(b)
    }
    #[inline(always)]
    fn shl<const S: i32>(a: u64) -> u64 {
        a << S
    }
    #[inline(always)]
    fn shr<const S: i32>(a: u64) -> u64 {
        a >> S
    }
    #[inline(always)]
    fn bits_mask(a: u64) -> bool {
        a != 0
    }
    #[inline(always)]
    fn exp_table(kf: Self) -> (Self, Self) {
        let (s, t) = exp_table_1(kf.to_bits());
        (f64::from_bits(s), t)
    }
    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1"))]
    #[inline(always)]
    fn shift_round(y: Self) -> (Self, Self) {
        (y + super::exp::SHIFT, round_even(y))
    }
}

/// Two lanes in an array: the portable 2-lane form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair(pub [f64; 2]);

macro_rules! pair_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for Pair {
            type Output = Pair;
            #[inline(always)]
            fn $f(self, o: Pair) -> Pair {
                Pair([self.0[0] $op o.0[0], self.0[1] $op o.0[1]])
            }
        }
    };
}
pair_op!(Add, add, +);
pair_op!(Sub, sub, -);
pair_op!(Mul, mul, *);
pair_op!(Div, div, /);

impl Neg for Pair {
    type Output = Pair;
    #[inline(always)]
    fn neg(self) -> Pair {
        Pair([-self.0[0], -self.0[1]])
    }
}

impl Lanes for Pair {
    type Mask = [bool; 2];
    type Bits = [u64; 2];

    #[inline(always)]
    fn splat(c: f64) -> Self {
        Pair([c, c])
    }
    #[inline(always)]
    fn lt(self, o: Self) -> [bool; 2] {
        [self.0[0] < o.0[0], self.0[1] < o.0[1]]
    }
    #[inline(always)]
    fn le(self, o: Self) -> [bool; 2] {
        [self.0[0] <= o.0[0], self.0[1] <= o.0[1]]
    }
    #[inline(always)]
    fn select(m: [bool; 2], a: Self, b: Self) -> Self {
        Pair([
            if m[0] { a.0[0] } else { b.0[0] },
            if m[1] { a.0[1] } else { b.0[1] },
        ])
    }
    #[inline(always)]
    fn and(a: [bool; 2], b: [bool; 2]) -> [bool; 2] {
        [a[0] & b[0], a[1] & b[1]]
    }
    #[inline(always)]
    fn all(m: [bool; 2]) -> bool {
        m[0] & m[1]
    }
    #[inline(always)]
    fn any(m: [bool; 2]) -> bool {
        m[0] | m[1]
    }
    #[inline(always)]
    fn to_bits(self) -> [u64; 2] {
        [self.0[0].to_bits(), self.0[1].to_bits()]
    }
    #[inline(always)]
    fn from_bits(b: [u64; 2]) -> Self {
        Pair([f64::from_bits(b[0]), f64::from_bits(b[1])])
    }
    #[inline(always)]
    fn bits(c: u64) -> [u64; 2] {
        [c, c]
    }
    #[inline(always)]
    fn band(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
        [a[0] & b[0], a[1] & b[1]]
    }
    #[inline(always)]
    fn bor(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
        [a[0] | b[0], a[1] | b[1]]
    }
    #[inline(always)]
    fn bxor(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
        [a[0] ^ b[0], a[1] ^ b[1]]
    }
    #[inline(always)]
    fn badd(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
        [a[0].wrapping_add(b[0]), a[1].wrapping_add(b[1])]
    }
    #[inline(always)]
    fn bsub(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
        [a[0].wrapping_sub(b[0]), a[1].wrapping_sub(b[1])]
    }
    #[inline(always)]
    fn shl<const S: i32>(a: [u64; 2]) -> [u64; 2] {
        [a[0] << S, a[1] << S]
    }
    #[inline(always)]
    fn shr<const S: i32>(a: [u64; 2]) -> [u64; 2] {
        [a[0] >> S, a[1] >> S]
    }
    #[inline(always)]
    fn bits_mask(a: [u64; 2]) -> [bool; 2] {
        [a[0] != 0, a[1] != 0]
    }
    #[inline(always)]
    fn shift_round(y: Self) -> (Self, Self) {
        let (a, b) = (f64::shift_round(y.0[0]), f64::shift_round(y.0[1]));
        (Pair([a.0, b.0]), Pair([a.1, b.1]))
    }
    #[inline(always)]
    fn exp_table(kf: Self) -> (Self, Self) {
        let (s0, t0) = exp_table_1(kf.0[0].to_bits());
        let (s1, t1) = exp_table_1(kf.0[1].to_bits());
        (
            Pair([f64::from_bits(s0), f64::from_bits(s1)]),
            Pair([t0, t1]),
        )
    }
}

#[cfg(target_arch = "x86_64")]
pub use sse2::Sse2;

#[cfg(target_arch = "x86_64")]
mod sse2;

/// Twice the lanes of `V` (two `V` side by side, every operation applied to
/// both halves): four lanes from two [`Sse2`] registers. The two halves are
/// independent chains of the same operations, so a 4-lane form of an
/// algorithm performs, on each lane, exactly the operations of its scalar
/// form, with twice the instruction-level parallelism of the 2-lane form.
#[derive(Clone, Copy, Debug)]
pub struct Two<V>(pub V, pub V);

macro_rules! two_op {
    ($tr:ident, $f:ident) => {
        impl<V: Lanes> $tr for Two<V> {
            type Output = Two<V>;
            #[inline(always)]
            fn $f(self, o: Two<V>) -> Two<V> {
                Two($tr::$f(self.0, o.0), $tr::$f(self.1, o.1))
            }
        }
    };
}
two_op!(Add, add);
two_op!(Sub, sub);
two_op!(Mul, mul);
two_op!(Div, div);

impl<V: Lanes> Neg for Two<V> {
    type Output = Two<V>;
    #[inline(always)]
    fn neg(self) -> Two<V> {
        Two(-self.0, -self.1)
    }
}

impl<V: Lanes> Lanes for Two<V> {
    type Mask = (V::Mask, V::Mask);
    type Bits = (V::Bits, V::Bits);

    #[inline(always)]
    fn splat(c: f64) -> Self {
        Two(V::splat(c), V::splat(c))
    }
    #[inline(always)]
    fn lt(self, o: Self) -> Self::Mask {
        (self.0.lt(o.0), self.1.lt(o.1))
    }
    #[inline(always)]
    fn le(self, o: Self) -> Self::Mask {
        (self.0.le(o.0), self.1.le(o.1))
    }
    #[inline(always)]
    fn select(m: Self::Mask, a: Self, b: Self) -> Self {
        Two(V::select(m.0, a.0, b.0), V::select(m.1, a.1, b.1))
    }
    #[inline(always)]
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        (V::and(a.0, b.0), V::and(a.1, b.1))
    }
    #[inline(always)]
    fn all(m: Self::Mask) -> bool {
        V::all(m.0) & V::all(m.1)
    }
    #[inline(always)]
    fn any(m: Self::Mask) -> bool {
        V::any(m.0) | V::any(m.1)
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        (self.0.to_bits(), self.1.to_bits())
    }
    #[inline(always)]
    fn from_bits(b: Self::Bits) -> Self {
        Two(V::from_bits(b.0), V::from_bits(b.1))
    }
    #[inline(always)]
    fn bits(c: u64) -> Self::Bits {
        (V::bits(c), V::bits(c))
    }
    #[inline(always)]
    fn band(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        (V::band(a.0, b.0), V::band(a.1, b.1))
    }
    #[inline(always)]
    fn bor(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        (V::bor(a.0, b.0), V::bor(a.1, b.1))
    }
    #[inline(always)]
    fn bxor(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        (V::bxor(a.0, b.0), V::bxor(a.1, b.1))
    }
    #[inline(always)]
    fn badd(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        (V::badd(a.0, b.0), V::badd(a.1, b.1))
    }
    #[inline(always)]
    fn bsub(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        (V::bsub(a.0, b.0), V::bsub(a.1, b.1))
    }
    #[inline(always)]
    fn shl<const S: i32>(a: Self::Bits) -> Self::Bits {
        (V::shl::<S>(a.0), V::shl::<S>(a.1))
    }
    #[inline(always)]
    fn shr<const S: i32>(a: Self::Bits) -> Self::Bits {
        (V::shr::<S>(a.0), V::shr::<S>(a.1))
    }
    #[inline(always)]
    fn bits_mask(a: Self::Bits) -> Self::Mask {
        (V::bits_mask(a.0), V::bits_mask(a.1))
    }
    #[inline(always)]
    fn shift_round(y: Self) -> (Self, Self) {
        let (a, b) = (V::shift_round(y.0), V::shift_round(y.1));
        (Two(a.0, b.0), Two(a.1, b.1))
    }
    #[inline(always)]
    fn exp_table(kf: Self) -> (Self, Self) {
        let (s0, t0) = V::exp_table(kf.0);
        let (s1, t1) = V::exp_table(kf.1);
        (Two(s0, s1), Two(t0, t1))
    }
}
