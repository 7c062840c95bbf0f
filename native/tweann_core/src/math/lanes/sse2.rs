//! Two lanes in an SSE2 register (`_mm_*_pd` / `_mm_*_epi64`). SSE2 is
//! part of every x86_64 CPU, so these intrinsics are always available.

use super::{exp_table_1, Lanes};
use core::arch::x86_64::*;
use core::ops::{Add, Div, Mul, Neg, Sub};

/// Two `f64` lanes in an SSE2 register.
#[derive(Clone, Copy, Debug)]
pub struct Sse2(pub __m128d);

impl Sse2 {
    /// Load two values.
    #[inline(always)]
    pub fn load(x: [f64; 2]) -> Sse2 {
        // SAFETY: SSE2 is baseline on x86_64; the pointer is to 2 f64.
        Sse2(unsafe { _mm_loadu_pd(x.as_ptr()) })
    }
    /// Store two values.
    #[inline(always)]
    pub fn store(self) -> [f64; 2] {
        let mut out = [0.0; 2];
        // SAFETY: SSE2 is baseline on x86_64; the pointer is to 2 f64.
        unsafe { _mm_storeu_pd(out.as_mut_ptr(), self.0) };
        out
    }
}

macro_rules! sse_op {
    ($tr:ident, $f:ident, $intr:ident) => {
        impl $tr for Sse2 {
            type Output = Sse2;
            #[inline(always)]
            fn $f(self, o: Sse2) -> Sse2 {
                // SAFETY: SSE2 is baseline on x86_64.
                Sse2(unsafe { $intr(self.0, o.0) })
            }
        }
    };
}
sse_op!(Add, add, _mm_add_pd);
sse_op!(Sub, sub, _mm_sub_pd);
sse_op!(Mul, mul, _mm_mul_pd);
sse_op!(Div, div, _mm_div_pd);

impl Neg for Sse2 {
    type Output = Sse2;
    #[inline(always)]
    fn neg(self) -> Sse2 {
        // SAFETY: SSE2 is baseline on x86_64.
        Sse2(unsafe { _mm_xor_pd(self.0, _mm_set1_pd(-0.0)) })
    }
}

impl Lanes for Sse2 {
    type Mask = __m128d;
    type Bits = __m128i;

    #[inline(always)]
    fn splat(c: f64) -> Self {
        // SAFETY: SSE2 is baseline on x86_64.
        Sse2(unsafe { _mm_set1_pd(c) })
    }
    #[inline(always)]
    fn lt(self, o: Self) -> __m128d {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_cmplt_pd(self.0, o.0) }
    }
    #[inline(always)]
    fn le(self, o: Self) -> __m128d {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_cmple_pd(self.0, o.0) }
    }
    #[inline(always)]
    fn select(m: __m128d, a: Self, b: Self) -> Self {
        // SAFETY: SSE2 is baseline on x86_64.
        Sse2(unsafe { _mm_or_pd(_mm_and_pd(m, a.0), _mm_andnot_pd(m, b.0)) })
    }
    #[inline(always)]
    fn and(a: __m128d, b: __m128d) -> __m128d {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_and_pd(a, b) }
    }
    #[inline(always)]
    fn all(m: __m128d) -> bool {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_movemask_pd(m) == 3 }
    }
    #[inline(always)]
    fn any(m: __m128d) -> bool {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_movemask_pd(m) != 0 }
    }
    #[inline(always)]
    fn to_bits(self) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_castpd_si128(self.0) }
    }
    #[inline(always)]
    fn from_bits(b: __m128i) -> Self {
        // SAFETY: SSE2 is baseline on x86_64.
        Sse2(unsafe { _mm_castsi128_pd(b) })
    }
    #[inline(always)]
    fn bits(c: u64) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_set1_epi64x(c as i64) }
    }
    #[inline(always)]
    fn band(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_and_si128(a, b) }
    }
    #[inline(always)]
    fn bor(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_or_si128(a, b) }
    }
    #[inline(always)]
    fn bxor(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_xor_si128(a, b) }
    }
    #[inline(always)]
    fn badd(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_add_epi64(a, b) }
    }
    #[inline(always)]
    fn bsub(a: __m128i, b: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_sub_epi64(a, b) }
    }
    #[inline(always)]
    fn shl<const S: i32>(a: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_slli_epi64::<S>(a) }
    }
    #[inline(always)]
    fn shr<const S: i32>(a: __m128i) -> __m128i {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_srli_epi64::<S>(a) }
    }
    #[inline(always)]
    fn bits_mask(a: __m128i) -> __m128d {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe { _mm_castsi128_pd(a) }
    }
    #[inline(always)]
    fn exp_table(kf: Self) -> (Self, Self) {
        // SAFETY: SSE2 is baseline on x86_64.
        unsafe {
            let b = _mm_castpd_si128(kf.0);
            let k0 = _mm_cvtsi128_si64(b) as u64;
            let k1 = _mm_cvtsi128_si64(_mm_unpackhi_epi64(b, b)) as u64;
            let (s0, t0) = exp_table_1(k0);
            let (s1, t1) = exp_table_1(k1);
            (
                Sse2(_mm_castsi128_pd(_mm_set_epi64x(s1 as i64, s0 as i64))),
                Sse2(_mm_set_pd(t1, t0)),
            )
        }
    }
    #[cfg(target_feature = "sse4.1")]
    #[inline(always)]
    fn shift_round(y: Self) -> (Self, Self) {
        // SAFETY: SSE4.1 is enabled at compile time (x86-64-v2).
        let kd = unsafe { _mm_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(y.0) };
        (y + Self::splat(crate::math::exp::SHIFT), Sse2(kd))
    }
}
