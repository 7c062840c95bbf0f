//! Rustler glue of tweann_nif: decodes Erlang terms, calls `tweann_core`,
//! encodes results, picks normal or dirty scheduling by cost, and maps core
//! errors to `{tweann_error, Class, Position, Reason}` exceptions that the
//! Erlang module `tweann_nif` turns into badarg with EEP 54 error_info.
//!
//! The NIFs bind to the Erlang module `tweann_nif_native` (stubs only); the
//! public, documented API is `tweann_nif`.

#[macro_use]
mod macros;

mod atoms;
mod cells;
mod cfcpop;
mod decode;
mod error;
mod info;
mod liquid;
mod network;
mod numlist;
mod signal;
mod weights;

rustler::init!("tweann_nif_native", load = load);

fn load(_env: rustler::Env, _info: rustler::Term) -> bool {
    true
}
