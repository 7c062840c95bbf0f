//! What both formats share: the header and trailer, a bounds-checked
//! little-endian reader and writer, and CRC-32.

use crate::error::CoreError;

/// Magic of a compiled network.
pub const NET_MAGIC: [u8; 4] = *b"TWNN";
/// Magic of a cell or population.
pub const CELL_MAGIC: [u8; 4] = *b"TWNC";
/// The network format version this library writes (it also reads 1).
pub const NET_VERSION: u16 = 2;
/// The cell format version this library writes and reads.
pub const CELL_VERSION: u16 = 1;
/// magic + version + flags + length.
pub const HEADER_LEN: usize = 16;
/// The CRC-32.
pub const TRAILER_LEN: usize = 4;

// ---------------------------------------------------------------- CRC-32

/// The reflected CRC-32 polynomial of IEEE 802.3 (zlib, PNG, gzip).
const POLY: u32 = 0xEDB8_8320;

/// Slicing-by-8 tables: `T[0]` is the classic byte table, `T[k][b]` the CRC
/// of byte `b` followed by `k` zero bytes.
const fn make_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut b = 0;
    while b < 256 {
        let mut c = b as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[0][b] = c;
        b += 1;
    }
    let mut s = 1;
    while s < 8 {
        let mut b = 0;
        while b < 256 {
            let prev = t[s - 1][b];
            t[s][b] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            b += 1;
        }
        s += 1;
    }
    t
}

static TABLES: [[u32; 256]; 8] = make_tables();

/// CRC-32 of `bytes` (IEEE 802.3: reflected, initial value and final XOR
/// `0xFFFFFFFF`), the value of Erlang's `erlang:crc32/1` and zlib's `crc32`.
/// `crc32(b"123456789") == 0xCBF43926`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let t = &TABLES;
    let mut c = !0u32;
    let mut chunks = bytes.chunks_exact(8);
    for ch in &mut chunks {
        let lo = c ^ u32::from_le_bytes([ch[0], ch[1], ch[2], ch[3]]);
        let hi = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]);
        c = t[7][(lo & 0xFF) as usize]
            ^ t[6][((lo >> 8) & 0xFF) as usize]
            ^ t[5][((lo >> 16) & 0xFF) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xFF) as usize]
            ^ t[2][((hi >> 8) & 0xFF) as usize]
            ^ t[1][((hi >> 16) & 0xFF) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = (c >> 8) ^ t[0][((c ^ b as u32) & 0xFF) as usize];
    }
    !c
}

// ---------------------------------------------------------------- writing

/// Writes into a buffer of exactly the encoded size. Running past the end
/// (a size computation bug, never an input) is reported, not a panic.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
    overrun: bool,
}

impl<'a> Writer<'a> {
    /// A writer that starts with the header (`magic`, `version`, `flags`) of
    /// a binary of `buf.len()` bytes.
    pub fn new(buf: &'a mut [u8], magic: [u8; 4], version: u16, flags: u16) -> Self {
        let len = buf.len() as u64;
        let mut w = Writer {
            buf,
            pos: 0,
            overrun: false,
        };
        w.bytes(&magic);
        w.u16(version);
        w.u16(flags);
        w.u64(len);
        w
    }

    pub fn bytes(&mut self, b: &[u8]) {
        match self.buf.get_mut(self.pos..self.pos + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.pos += b.len();
            }
            None => self.overrun = true,
        }
    }
    pub fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    pub fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.bytes(&v.to_bits().to_le_bytes());
    }
    pub fn u32s(&mut self, vs: &[u32]) {
        for &v in vs {
            self.u32(v);
        }
    }
    pub fn f64s(&mut self, vs: &[f64]) {
        for &v in vs {
            self.f64(v);
        }
    }

    /// Appends the CRC-32 of everything written; the buffer must then be full.
    pub fn finish(mut self) -> Result<(), CoreError> {
        if !self.overrun && self.pos + TRAILER_LEN == self.buf.len() {
            let crc = crc32(&self.buf[..self.pos]);
            self.u32(crc);
        } else {
            self.overrun = true;
        }
        if self.overrun || self.pos != self.buf.len() {
            return Err(CoreError::general(
                "internal error: encoded size mismatch (please report)",
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- reading

fn bad(reason: impl Into<String>) -> CoreError {
    CoreError::badarg(1, reason)
}

/// Checks the header, the length and the CRC-32 of `bin` as a binary of
/// `what` with `magic` (`other` names the other format, for a clearer
/// message) in one of `versions` (ascending), and returns a reader over the
/// body, the version and the header's flags.
pub fn open<'a>(
    bin: &'a [u8],
    magic: [u8; 4],
    what: &str,
    other: ([u8; 4], &str),
    versions: &[u16],
) -> Result<(Reader<'a>, u16, u16), CoreError> {
    if bin.len() >= 4 && bin[..4] != magic {
        if bin[..4] == other.0 {
            return Err(bad(format!(
                "this is a binary of {} (use {})",
                other.1,
                if other.0 == CELL_MAGIC {
                    "cell_from_binary/1"
                } else {
                    "network_from_binary/1"
                }
            )));
        }
        return Err(bad(format!(
            "not a binary of {what} written by network_to_binary/1 or cell_to_binary/1 (bad magic)"
        )));
    }
    if bin.len() < HEADER_LEN + TRAILER_LEN {
        return Err(bad(format!(
            "truncated: {} bytes is shorter than any binary of {what}",
            bin.len()
        )));
    }
    let version = u16::from_le_bytes([bin[4], bin[5]]);
    if !versions.contains(&version) {
        let known: Vec<String> = versions.iter().map(u16::to_string).collect();
        return Err(bad(format!(
            "unsupported format version {version} (this library reads {} {} of {what})",
            if known.len() == 1 {
                "version"
            } else {
                "versions"
            },
            known.join(" and ")
        )));
    }
    let flags = u16::from_le_bytes([bin[6], bin[7]]);
    let mut len = [0u8; 8];
    len.copy_from_slice(&bin[8..16]);
    let len = u64::from_le_bytes(len);
    if len != bin.len() as u64 {
        return Err(bad(if len > bin.len() as u64 {
            format!(
                "truncated: the header says {len} bytes but the binary has {}",
                bin.len()
            )
        } else {
            format!(
                "{} bytes after the end: the header says {len} bytes but the binary has {}",
                bin.len() as u64 - len,
                bin.len()
            )
        }));
    }
    let body_end = bin.len() - TRAILER_LEN;
    let stored = u32::from_le_bytes([
        bin[body_end],
        bin[body_end + 1],
        bin[body_end + 2],
        bin[body_end + 3],
    ]);
    let actual = crc32(&bin[..body_end]);
    if stored != actual {
        return Err(bad(format!(
            "checksum mismatch (stored CRC-32 {stored:#010x}, computed {actual:#010x}): the binary is corrupted"
        )));
    }
    Ok((
        Reader {
            buf: &bin[HEADER_LEN..body_end],
            pos: 0,
        },
        version,
        flags,
    ))
}

/// A bounds-checked little-endian reader over a body.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CoreError> {
        match self.buf.get(self.pos..self.pos.saturating_add(n)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(bad("truncated body")),
        }
    }
    pub fn u8(&mut self) -> Result<u8, CoreError> {
        Ok(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> Result<u16, CoreError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    pub fn u32(&mut self) -> Result<u32, CoreError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64(&mut self) -> Result<u64, CoreError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    pub fn f64(&mut self) -> Result<f64, CoreError> {
        Ok(f64::from_bits(self.u64()?))
    }
}

/// `n` little-endian u32 values starting at `bytes` (exactly `4 * n` bytes).
pub fn read_u32s(bytes: &[u8], out: &mut Vec<u32>) {
    out.extend(
        bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
    );
}

/// Little-endian f64 values of `bytes` (a multiple of 8 bytes).
pub fn read_f64s(bytes: &[u8], out: &mut Vec<f64>) {
    out.extend(bytes.chunks_exact(8).map(|b| {
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        f64::from_bits(u64::from_le_bytes(a))
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit by bit, straight from the definition.
    fn crc32_slow(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn crc32_check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    proptest::proptest! {
        #[test]
        fn crc32_equals_bitwise(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            proptest::prop_assert_eq!(crc32(&bytes), crc32_slow(&bytes));
        }
    }
}
