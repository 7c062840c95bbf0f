//! Native GFLOP/s probe of `tweann_core::cells::dense_t`, the dense kernel of
//! the CfC cell, with no BEAM in the way. A cross-check for
//! `test/benchmark/bench_cells.erl`, which measures its peak through the NIF.
//!
//! `cargo run --release -p tweann_core --example dense_peak [seconds]`
//!
//! For each `in x out` product it repeats `dense_t` (one input vector, the
//! transposed `[in, out]` weights, like the cell) for about `seconds` (default
//! 0.3) per trial, 5 trials, and prints one line per size:
//! `dense_peak in=.. out=.. weights_bytes=.. gflops_median=.. gflops_best=..`
//! counting 2 * in * out flops per product (bias adds not counted), then
//! `dense_peak best_median_gflops=..`.

use std::hint::black_box;
use std::time::Instant;
use tweann_core::cells::dense_t;

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.3);
    let sizes = [
        (40, 64),
        (64, 128),
        (128, 256),
        (256, 512),
        (512, 512),
        (1024, 1024),
        (2048, 2048),
    ];
    let mut best = 0.0f64;
    for &(inp, out) in &sizes {
        let wt: Vec<f64> = (0..inp * out)
            .map(|k| ((k as f64) * 0.754_877).sin() * 0.2)
            .collect();
        let b: Vec<f64> = (0..out).map(|k| (k as f64) * 1e-3).collect();
        let z: Vec<f64> = (0..inp).map(|k| ((k as f64) * 0.37).cos()).collect();
        let mut y = vec![0.0; out];
        let flops = 2.0 * (inp * out) as f64;
        // Calibrate: reps for about `secs`.
        let mut reps = 1usize;
        loop {
            let t = Instant::now();
            for _ in 0..reps {
                dense_t(
                    black_box(&wt),
                    black_box(&b),
                    black_box(&z),
                    black_box(&mut y),
                );
            }
            let e = t.elapsed().as_secs_f64();
            if e >= secs / 4.0 {
                reps = ((reps as f64) * secs / e).ceil().max(1.0) as usize;
                break;
            }
            reps *= 4;
        }
        let mut rates: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..reps {
                    dense_t(
                        black_box(&wt),
                        black_box(&b),
                        black_box(&z),
                        black_box(&mut y),
                    );
                }
                flops * reps as f64 / t.elapsed().as_secs_f64() / 1e9
            })
            .collect();
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let med = rates[rates.len() / 2];
        best = best.max(med);
        println!(
            "dense_peak in={inp} out={out} weights_bytes={} gflops_median={med:.3} gflops_best={:.3}",
            inp * out * 8,
            rates[rates.len() - 1]
        );
    }
    println!("dense_peak best_median_gflops={best:.3}");
}
