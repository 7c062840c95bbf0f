//! Writes `tests/data/math_bits.txt`: the bits of each function of
//! `tweann_core::math` (scalar form) at each argument of
//! `tests/data/math_table.txt`, one hex line per table line. The file is
//! committed; `tests/math_table.rs` checks that the Rust code still produces
//! it and `test/tweann_ref_math_tests.erl` that the Erlang twin does.
//!
//! `cargo run --release -p tweann_core --example math_bits`

use std::fmt::Write as _;
use tweann_core::math;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let table = std::fs::read_to_string(format!("{dir}/math_table.txt")).expect("math_table.txt");
    let mut out = String::new();
    for line in table.lines() {
        let mut t = line.split_whitespace();
        let name = t.next().expect("function");
        let x = f64::from_bits(u64::from_str_radix(t.next().expect("x"), 16).expect("hex"));
        let f = math::scalar_by_name(name).unwrap_or_else(|| panic!("unknown function {name}"));
        writeln!(out, "{:016x}", f(x).to_bits()).expect("write");
    }
    std::fs::write(format!("{dir}/math_bits.txt"), out).expect("write math_bits.txt");
}
