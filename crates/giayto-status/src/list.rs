//! The status array: 2 bits per entry, in the draft's bit order.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use giayto_cose::text::{self, TextError};

use crate::token::StatusError;

/// Bits per entry. giayto lists always use 2: valid, revoked, suspended and held (the value the
/// draft leaves to applications, docs/format.md §9.3).
pub const BITS: u8 = 2;

/// Fewest entries a list may have: a list this large hides which credential a verifier asks
/// about among at least 131,072 others (herd privacy, `docs/format.md` §9.4).
pub const MIN_ENTRIES: u64 = 131_072;

/// Most entries a list may have: 2^27 (134 million), 32 MiB unpacked. A national deployment
/// of 100 million credentials fits in one list, though issuers normally partition by uri.
pub const MAX_ENTRIES: u64 = 1 << 27;

/// The status of one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `0`: valid.
    Valid,
    /// `1`: revoked, for good.
    Revoked,
    /// `2`: suspended (the temporary lock); may be reinstated.
    Suspended,
    /// `3`: held (tạm giữ, docs/format.md §9.3): the document exists but may not be used until
    /// the issuer releases it — the value the draft leaves to applications. Verifiers from
    /// before the hold read it as suspended, never as valid.
    Held,
}

impl Status {
    /// The 2-bit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Revoked => 1,
            Status::Suspended => 2,
            Status::Held => 3,
        }
    }

    /// The status of a 2-bit code (only the low two bits are read).
    pub fn from_code(code: u8) -> Status {
        match code & 3 {
            0 => Status::Valid,
            1 => Status::Revoked,
            2 => Status::Suspended,
            _ => Status::Held,
        }
    }

    /// Stable lower-case name: `valid`, `revoked`, `suspended`, `held`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Revoked => "revoked",
            Status::Suspended => "suspended",
            Status::Held => "held",
        }
    }
}

/// A status list: `len` entries of 2 bits, all valid when created.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusList")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

const PER_BYTE: u64 = 8 / BITS as u64;

impl StatusList {
    /// A list of `len` valid entries. `len` must be a multiple of 4 (whole bytes) between
    /// [`MIN_ENTRIES`] and [`MAX_ENTRIES`].
    pub fn new(len: u64) -> Result<StatusList, StatusError> {
        if !(MIN_ENTRIES..=MAX_ENTRIES).contains(&len) || len % PER_BYTE != 0 {
            return Err(StatusError::BadLength { entries: len });
        }
        Ok(StatusList {
            bytes: vec![0; (len / PER_BYTE) as usize],
        })
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * PER_BYTE
    }

    /// Whether the list has no entries (never true for a list built by this crate).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status at `index`, or `None` past the end.
    #[inline]
    pub fn get(&self, index: u64) -> Option<Status> {
        let byte = *self.bytes.get(usize::try_from(index / PER_BYTE).ok()?)?;
        let shift = (index % PER_BYTE) as u8 * BITS;
        Some(Status::from_code(byte >> shift))
    }

    /// Set the status at `index`.
    pub fn set(&mut self, index: u64, status: Status) -> Result<(), StatusError> {
        let len = self.len();
        let byte = usize::try_from(index / PER_BYTE)
            .ok()
            .and_then(|i| self.bytes.get_mut(i))
            .ok_or(StatusError::IndexOutOfRange { index, len })?;
        let shift = (index % PER_BYTE) as u8 * BITS;
        *byte = (*byte & !(3 << shift)) | (status.code() << shift);
        Ok(())
    }

    /// How many entries are not valid.
    pub fn count_not_valid(&self) -> u64 {
        self.bytes
            .iter()
            .map(|b| {
                // Each 2-bit pair that is non-zero.
                let pairs = (b | (b >> 1)) & 0b0101_0101;
                u64::from(pairs.count_ones())
            })
            .sum()
    }

    /// The packed bytes (the draft's uncompressed byte array).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The packed bytes as a list. The length must satisfy [`StatusList::new`]'s bounds.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<StatusList, StatusError> {
        let entries = bytes.len() as u64 * PER_BYTE;
        if !(MIN_ENTRIES..=MAX_ENTRIES).contains(&entries) {
            return Err(StatusError::BadLength { entries });
        }
        Ok(StatusList { bytes })
    }

    /// The draft's `lst`: the packed bytes compressed as a zlib (RFC 1950) stream. Fails
    /// with [`StatusError::Deflate`] if the compressor does (never an empty or partial
    /// stream in its place: a list that reads as "all valid" would undo every revocation).
    pub fn compress(&self) -> Result<Vec<u8>, StatusError> {
        deflate_into(&self.bytes, Vec::with_capacity(self.bytes.len() / 64 + 64))
    }

    /// Inflate an `lst`, refusing to produce more than [`MAX_ENTRIES`] entries.
    pub fn decompress(lst: &[u8]) -> Result<StatusList, StatusError> {
        let cap = (MAX_ENTRIES / PER_BYTE) as usize;
        let bytes = text::inflate_bounded(lst, &[], cap).map_err(|e| match e {
            TextError::TooLarge => StatusError::BadLength {
                entries: MAX_ENTRIES + 1,
            },
            _ => StatusError::Compression,
        })?;
        StatusList::from_bytes(bytes)
    }
}

/// Compress `bytes` as a zlib stream into `sink`; any failure of the compressor or the sink
/// is [`StatusError::Deflate`].
fn deflate_into<W: Write>(bytes: &[u8], sink: W) -> Result<W, StatusError> {
    // Level 6: the lists are mostly zero bytes, which every level squeezes alike; higher
    // levels only cost time on a 25 MB national list.
    let mut encoder = ZlibEncoder::new(sink, Compression::new(6));
    encoder.write_all(bytes).map_err(|_| StatusError::Deflate)?;
    encoder.finish().map_err(|_| StatusError::Deflate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_order_matches_the_draft_example() {
        // The draft's 2-bit example: statuses 1,2,0,3, 0,1,0,1, 1,2,3,3 pack to C9 44 F9.
        let statuses = [1u8, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
        let mut list = StatusList::new(MIN_ENTRIES).unwrap();
        for (i, s) in statuses.iter().enumerate() {
            list.set(i as u64, Status::from_code(*s)).unwrap();
        }
        assert_eq!(&list.as_bytes()[..3], &[0xC9, 0x44, 0xF9]);
        for (i, s) in statuses.iter().enumerate() {
            assert_eq!(list.get(i as u64).unwrap().code(), *s);
        }
        assert_eq!(list.count_not_valid(), 9);
    }

    #[test]
    fn three_is_held() {
        assert_eq!(Status::from_code(3), Status::Held);
        assert_eq!(Status::Held.code(), 3);
        assert_eq!(Status::Held.as_str(), "held");
        // Only the low two bits are read.
        assert_eq!(Status::from_code(0b111), Status::Held);
        assert_eq!(Status::from_code(0b110), Status::Suspended);
    }

    #[test]
    fn set_overwrites_only_its_own_bits() {
        let mut list = StatusList::new(MIN_ENTRIES).unwrap();
        list.set(5, Status::Suspended).unwrap();
        list.set(4, Status::Revoked).unwrap();
        list.set(6, Status::Revoked).unwrap();
        list.set(5, Status::Valid).unwrap();
        assert_eq!(list.get(4), Some(Status::Revoked));
        assert_eq!(list.get(5), Some(Status::Valid));
        assert_eq!(list.get(6), Some(Status::Revoked));
        assert_eq!(list.get(MIN_ENTRIES - 1), Some(Status::Valid));
        assert_eq!(list.get(MIN_ENTRIES), None);
        assert_eq!(list.get(u64::MAX), None);
        assert!(matches!(
            list.set(MIN_ENTRIES, Status::Revoked),
            Err(StatusError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn lengths_are_bounded() {
        for bad in [0, 4, MIN_ENTRIES - 4, MIN_ENTRIES + 1, MAX_ENTRIES + 4] {
            assert!(StatusList::new(bad).is_err(), "{bad}");
        }
        assert!(StatusList::new(MAX_ENTRIES).is_ok());
    }

    /// Regression: a failed compression used to turn silently into an empty `lst`.
    #[test]
    fn a_failing_compressor_is_an_error_not_an_empty_list() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut list = StatusList::new(MIN_ENTRIES).unwrap();
        list.set(9, Status::Revoked).unwrap();
        assert!(matches!(
            deflate_into(list.as_bytes(), Broken),
            Err(StatusError::Deflate)
        ));
        // The working path gives a stream that reads back, never an empty one.
        let lst = list.compress().unwrap();
        assert!(!lst.is_empty());
        assert_eq!(
            StatusList::decompress(&lst).unwrap().get(9),
            Some(Status::Revoked)
        );
        assert!(StatusError::Deflate.to_string().contains("compress"));
    }

    #[test]
    fn compress_round_trip_and_caps() {
        let mut list = StatusList::new(1 << 20).unwrap();
        for i in (0..1u64 << 20).step_by(997) {
            list.set(i, Status::from_code((i % 3) as u8)).unwrap();
        }
        let lst = list.compress().unwrap();
        assert!(lst.len() < list.as_bytes().len());
        assert_eq!(StatusList::decompress(&lst).unwrap(), list);
        // A stream that inflates past the cap is refused without inflating all of it.
        let mut big = ZlibEncoder::new(Vec::new(), Compression::new(9));
        big.write_all(&vec![0u8; (MAX_ENTRIES / 4) as usize + 1])
            .unwrap();
        let bomb = big.finish().unwrap();
        assert!(matches!(
            StatusList::decompress(&bomb),
            Err(StatusError::BadLength { .. })
        ));
        // Too short, corrupt and truncated streams.
        let mut small = ZlibEncoder::new(Vec::new(), Compression::new(6));
        small.write_all(&[0u8; 16]).unwrap();
        assert!(StatusList::decompress(&small.finish().unwrap()).is_err());
        assert!(StatusList::decompress(&lst[..lst.len() / 2]).is_err());
        assert!(StatusList::decompress(b"not zlib").is_err());
    }
}
