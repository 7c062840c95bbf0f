//! `tweann_core::math` against the correctly rounded reference table
//! (`tests/data/math_table.txt`, written by `tests/gen_math.py table`):
//!
//! * every function within 2 ulp of the exact value on every argument (the
//!   maximum per function is printed: `cargo test --test math_table --
//!   --nocapture`);
//! * the scalar results are exactly the committed bits of
//!   `tests/data/math_bits.txt` (written by `cargo run --example math_bits`),
//!   the bits the Erlang twin `tweann_ref_math` must reproduce;
//! * the 2-lane forms (SSE2 and portable) and the slice helpers give the
//!   scalar bits.

use std::collections::BTreeMap;
use tweann_core::math;

const TABLE: &str = include_str!("data/math_table.txt");
const BITS: &str = include_str!("data/math_bits.txt");

struct Row {
    func: String,
    x: f64,
    y: f64,
    frac: f64,
    ue: i32,
}

fn rows() -> Vec<Row> {
    TABLE
        .lines()
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(t.len(), 5, "bad table line {l:?}");
            let hex = |s: &str| f64::from_bits(u64::from_str_radix(s, 16).unwrap());
            Row {
                func: t[0].to_string(),
                x: hex(t[1]),
                y: hex(t[2]),
                frac: t[3].parse().unwrap(),
                ue: t[4].parse().unwrap(),
            }
        })
        .collect()
}

type Scalar = fn(f64) -> f64;
type Lanes = fn([f64; 2]) -> [f64; 2];
type Slice = fn(&mut [f64]);

fn forms(name: &str) -> (Scalar, Lanes, Lanes, Slice) {
    use math::portable as p;
    match name {
        "exp" => (math::exp, math::exp_x2, p::exp_x2, math::exp_slice),
        "sigmoid" => (
            math::sigmoid,
            math::sigmoid_x2,
            p::sigmoid_x2,
            math::sigmoid_slice,
        ),
        "tanh" => (math::tanh, math::tanh_x2, p::tanh_x2, math::tanh_slice),
        "gaussian" => (
            math::gaussian,
            math::gaussian_x2,
            p::gaussian_x2,
            math::gaussian_slice,
        ),
        "sin" => (math::sin, math::sin_x2, p::sin_x2, math::sin_slice),
        "cos" => (math::cos, math::cos_x2, p::cos_x2, math::cos_slice),
        "log" => (math::log, math::log_x2, p::log_x2, math::log_slice),
        "log1p" => (math::log1p, math::log1p_x2, p::log1p_x2, math::log1p_slice),
        "softplus" => (
            math::softplus,
            math::softplus_x2,
            p::softplus_x2,
            math::softplus_slice,
        ),
        "erf" => (math::erf, math::erf_x2, p::erf_x2, math::erf_slice),
        other => panic!("unknown function {other}"),
    }
}

/// `2^e` for `-1074 <= e <= 1023`.
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// Error of `c` in ulp of the exact value described by `r`.
fn ulp_error(r: &Row, c: f64) -> f64 {
    if r.y.is_infinite() {
        return if c == r.y { 0.0 } else { f64::INFINITY };
    }
    if !c.is_finite() {
        return f64::INFINITY;
    }
    // c - y is exact for nearby values; dividing by a power of two is exact.
    ((c - r.y) / pow2(r.ue) - r.frac).abs()
}

#[test]
fn within_two_ulp_of_the_exact_values() {
    let mut worst: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    for r in rows() {
        let (f, ..) = forms(&r.func);
        let e = ulp_error(&r, f(r.x));
        let w = worst.entry(r.func.clone()).or_insert((0.0, 0.0, 0));
        w.2 += 1;
        if e > w.0 {
            *w = (e, r.x, w.2);
        }
    }
    for (name, (e, x, n)) in &worst {
        println!("math_table {name:<9} {n:>5} arguments  max error {e:.4} ulp  (at x = {x:e})");
    }
    for (name, (e, x, _)) in &worst {
        assert!(*e <= 2.0, "{name}({x:e}) is {e} ulp off");
    }
    assert_eq!(worst.len(), 10, "every function is in the table");
}

#[test]
fn scalar_results_are_the_committed_bits() {
    let rows = rows();
    let bits: Vec<&str> = BITS.lines().collect();
    assert_eq!(
        bits.len(),
        rows.len(),
        "math_bits.txt has one line per table line"
    );
    for (r, b) in rows.iter().zip(bits) {
        let (f, ..) = forms(&r.func);
        let got = format!("{:016x}", f(r.x).to_bits());
        assert_eq!(
            got,
            b,
            "{}({:e}) (bits {:016x})",
            r.func,
            r.x,
            r.x.to_bits()
        );
    }
}

#[test]
fn lane_forms_and_slices_give_the_scalar_bits() {
    let rows = rows();
    let mut by_func: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &rows {
        by_func.entry(r.func.clone()).or_default().push(r.x);
    }
    for (name, xs) in by_func {
        let (f, x2, portable, slice) = forms(&name);
        let want: Vec<u64> = xs.iter().map(|&x| f(x).to_bits()).collect();
        // Pairs at two offsets, so every argument meets two partners.
        for off in 0..2 {
            for i in (off..xs.len().saturating_sub(1)).step_by(2) {
                let pair = [xs[i], xs[i + 1]];
                for (form, g) in [("x2", x2), ("portable", portable)] {
                    let y = g(pair);
                    assert_eq!(
                        [y[0].to_bits(), y[1].to_bits()],
                        [want[i], want[i + 1]],
                        "{name} {form} at {pair:?}"
                    );
                }
            }
        }
        let mut buf = xs.clone();
        slice(&mut buf);
        let got: Vec<u64> = buf.iter().map(|y| y.to_bits()).collect();
        assert_eq!(got, want, "{name}_slice");
        let mut odd = xs[1..].to_vec();
        slice(&mut odd);
        let got: Vec<u64> = odd.iter().map(|y| y.to_bits()).collect();
        assert_eq!(got, want[1..].to_vec(), "{name}_slice (other parity)");
    }
}

#[test]
fn scalar_by_name_names_every_function() {
    for name in [
        "exp", "sigmoid", "tanh", "gaussian", "sin", "cos", "log", "log1p", "softplus", "erf",
    ] {
        let f = math::scalar_by_name(name).expect(name);
        let (g, ..) = forms(name);
        for x in [0.3, -1.7, 2.5] {
            assert_eq!(f(x).to_bits(), g(x).to_bits(), "{name}({x})");
        }
    }
    assert!(math::scalar_by_name("tan").is_none());
}
