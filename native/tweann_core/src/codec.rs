//! The portable binary formats of compiled networks and liquid cells, so
//! that they can be saved to disk and sent to other nodes.
//!
//! Both formats are specified in `docs/semantics.md` ("Binary formats");
//! this is a summary. Every integer and float is little-endian, whatever the
//! host. A binary is
//!
//! ```text
//! header   magic [4]  b"TWNN" (network) or b"TWNC" (cell / population)
//!          version u16 = 2 (network; 1 is read too) or 1 (cell)
//!          flags   u16 network version 2: bit 0 = the forward_refs state
//!                      model; 0 otherwise
//!          length  u64 = the whole binary's size in bytes, trailer included
//! body     (network: net.rs; cell: cell.rs)
//! trailer  crc32   u32 = CRC-32 (IEEE 802.3, zlib's and erlang:crc32/1's)
//!                        of every byte before it
//! ```
//!
//! Decoding checks, in order: the size, the magic, the version, the length
//! field against the real size (truncated or padded binaries), the CRC-32,
//! then every field of the body (counts against the size, indices in range,
//! rows monotonic, tags known, numbers finite). No allocation is made before
//! the exact size has been checked, so a hostile header cannot ask for more
//! memory than the binary itself holds, and every allocation is checked
//! against the memory budget first. A failure is a [`CoreError`] about
//! argument 1; decoding never panics.
//!
//! The pure Erlang reference (`tweann_ref_codec`) writes and reads the very
//! same bytes.

mod cell;
mod net;
mod wire;

pub use cell::{cell_encoded_len, decode_cell, encode_cell, CellConfig, DecodedCell};
pub use net::{decode_network, encode_network, network_encoded_len};
pub use wire::{crc32, CELL_MAGIC, CELL_VERSION, NET_MAGIC, NET_VERSION};
