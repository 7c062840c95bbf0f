//! # tweann_core — numeric kernels of tweann_nif
//!
//! Plain Rust over slices, no Erlang types: every kernel here is tested with
//! `cargo test` and `proptest` without a BEAM and can run under CPU
//! emulation. The Rustler crate `tweann_nif` only decodes terms, calls these
//! functions and encodes the results.
//!
//! ## Data layout of a compiled network ([`network::Network`])
//!
//! Compressed sparse rows (CSR): nodes are stored in the caller's topological
//! order, each with a bias (`f64`), an activation tag (`u8`), a kind tag
//! and a range `row_start[i]..row_start[i + 1]` into two parallel arrays of
//! connections: source node positions (`u32`) and weights (`f64`), i.e. 12
//! bytes per connection and no per-node heap objects.
//!
//! ## Arithmetic
//!
//! Every reduction runs in a fixed order (first element first, accumulator
//! starting at `0.0`) and never uses fused multiply-add, so results are
//! bit-identical to the pure Erlang reference (the `tweann_ref_*` modules),
//! which computes the same expressions in the same order. `docs/semantics.md` in the
//! repository is the contract. The code is built for x86-64-v2 (SSE4.2, the
//! Intel Celeron J4105 level) and contains no AVX, FMA or BMI code paths.
//!
//! ## Modules
//!
//! * [`activation`]: the 17 activation functions and [`activation::TABLE`],
//!   the one list of their names and tags.
//! * [`network`]: compile a node list into CSR form (`network/compile.rs`);
//!   evaluate one input, stateless or with state (`network/eval.rs`), or a
//!   batch, several inputs per pass over the connections (`network/batch.rs`).
//! * [`dot`]: dot products in the signal-aggregator shapes.
//! * [`neat`]: NEAT compatibility distance by sorted merge.
//! * [`scalar`]: the single-neuron CfC/ODE forms kept for API compatibility.
//! * [`cells`]: what the layer-level liquid cells share: their error type,
//!   elementwise functions (with [`cells::erf`]), dense products, the
//!   [`cells::Cell`] trait and the drivers over batches, populations and
//!   sequences; one file per concern under `cells/`.
//! * [`cfc`] and [`ltc`]: the closed-form continuous-time (CfC) and liquid
//!   time-constant (LTC) cells.
//! * [`novelty`], [`stats`], [`selection`], [`reward`]: faber-tweann's
//!   evolution kernels (kNN novelty, population statistics, roulette and
//!   tournament selection, reward shaping).
//! * [`rng`]: the seeded generator (SplitMix64 seeding, xoshiro256**,
//!   Ziggurat Gaussian) behind the random weight kernels.
//! * [`weights`]: weight mutation, random weights, weight distances.
//! * [`cfcpop`]: faber-tweann's batched population of CfC networks.
//! * [`error`]: the error type shared by all kernels.
//! * [`meter`]: [`meter::Meter`], what a long kernel reports its progress
//!   to, so that its caller can stop it between steps.
//! * [`stack`]: stack buffers of which a call uses only a prefix (shared
//!   with the glue's fast paths).

pub mod activation;
pub mod cells;
pub mod cfc;
pub mod cfcpop;
pub mod codec;
pub mod dot;
pub mod error;
pub mod ltc;
pub mod math;
pub mod meter;
pub mod neat;
pub mod network;
pub mod novelty;
pub mod reward;
pub mod rng;
pub mod scalar;
pub mod selection;
pub mod stack;
pub mod stats;
pub mod weights;

pub use error::{CoreError, Position};
