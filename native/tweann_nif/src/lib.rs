//! Rustler glue of tweann_nif: decodes Erlang terms, calls `tweann_core`,
//! encodes results, picks normal or dirty scheduling by cost, and maps core
//! errors to `{tweann_error, Class, Position, Reason}` exceptions that the
//! Erlang module `tweann_nif` turns into badarg with EEP 54 error_info.
//!
//! The NIFs bind to the Erlang module `tweann_nif_native` (stubs only); the
//! public, documented API is `tweann_nif`.
//!
//! Each file of NIFs is named after the `tweann_core` module it serves
//! (`activation`, `cells`, `dot`, `neat`, `network`, `scalar`); `work`
//! (the per-call budget of time and memory, and the liveness checks of
//! dirty calls), `decode`, `numlist`, `encode` (charged results), `error`,
//! `atoms`, `macros` (`nif_pair!`, `dirty_nif!`), `fast` (`fast_nif!`,
//! entries without rustler's per-call argument vector) and `info` (resource
//! accounting, memory budget, build facts) are shared.

#[macro_use]
mod macros;
#[macro_use]
mod fast;

mod activation;
mod atoms;
mod cells;
mod cfcpop;
mod codec;
mod decode;
mod dot;
mod encode;
mod error;
mod floats;
mod info;
mod neat;
mod network;
mod novelty;
mod numlist;
mod ownres;
mod reward;

mod scalar;
mod selection;
mod stats;
mod vmterm;
mod weights;
mod work;

rustler::init!("tweann_nif_native", load = atoms::load);
