//! Evaluates `tweann_core::math` (scalar forms) on arguments read from
//! standard input, one `<function> <x bits hex>` per line, and writes
//! `<function> <x bits hex> <result bits hex>` lines: the Rust side of
//! `tests/search_math.py`, which compares the results with high-precision
//! values over random arguments.
//!
//! `cargo run --release -p tweann_core --example math_eval < args.txt`

use std::io::{BufRead, BufWriter, Write};
use tweann_core::math;

fn main() {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("read a line");
        let mut t = line.split_whitespace();
        let (Some(name), Some(hex)) = (t.next(), t.next()) else {
            continue;
        };
        let x = f64::from_bits(u64::from_str_radix(hex, 16).expect("hex bits"));
        let f = math::scalar_by_name(name).unwrap_or_else(|| panic!("unknown function {name}"));
        writeln!(out, "{name} {hex} {:016x}", f(x).to_bits()).expect("write");
    }
}
