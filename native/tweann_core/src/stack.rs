//! Stack buffers of which a call uses only a prefix.

use std::mem::MaybeUninit;

/// The first `n` (at most `N`) slots of `buf`, each set to `fill`: room on
/// the stack for up to `N` values without writing all of them on every
/// call (a small network's evaluation clears only its own node count).
#[inline(always)]
pub fn prefix<T: Copy, const N: usize>(
    buf: &mut [MaybeUninit<T>; N],
    n: usize,
    fill: T,
) -> &mut [T] {
    let part = &mut buf[..n];
    for x in part.iter_mut() {
        x.write(fill);
    }
    // SAFETY: every element of `part` was initialised just above, and
    // `MaybeUninit<T>` has the size and alignment of `T`.
    unsafe { &mut *(part as *mut [MaybeUninit<T>] as *mut [T]) }
}

#[cfg(test)]
mod tests {
    use super::prefix;
    use std::mem::MaybeUninit;

    #[test]
    fn the_prefix_holds_the_fill() {
        let mut buf = [MaybeUninit::<f64>::uninit(); 8];
        assert_eq!(prefix(&mut buf, 3, 1.5), &[1.5, 1.5, 1.5]);
        assert!(prefix(&mut buf, 0, 2.0).is_empty());
        assert_eq!(prefix(&mut buf, 8, -0.0).len(), 8);
    }
}
