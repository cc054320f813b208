//! The file an issuer hands a holder with the selective-disclosure form of a credential
//! (docs/wallet.md, "Selective-disclosure files"): either one copy that shares the full
//! credential's serial and holder key (docs/decisions.md D98), or a set of one-time copies,
//! each with its own serial, holder key, salts and status entry (D110), that a wallet presents
//! once each so that two verifiers cannot link what they saw.
//!
//! ```text
//! one copy       = HolderCopy                      (a CBOR map, sd::HolderCopy::to_bytes)
//! one-time copies = [ + bstr .cbor HolderCopy ]    (a CBOR array, 1 to MAX_COPIES entries)
//! ```
//!
//! Both are strict deterministic CBOR; the first byte tells them apart.

use ciborium::value::Value;

use crate::cbor::{self, MAX_ITEM_BYTES};
use crate::sd::{HolderCopy, HolderCopyError};

/// Most one-time copies in one file (and signed in one issuance).
pub const MAX_COPIES: usize = 100;

/// What a selective-disclosure file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CopyFile {
    /// One copy bound to the full credential's own serial and holder key (D98): every
    /// presentation of it can be linked to the others (D101).
    Shared(Box<HolderCopy>),
    /// One-time copies, each with its own serial and holder key (D110).
    OneTime(Vec<HolderCopy>),
}

/// The bytes of a set of one-time copies (at most [`MAX_COPIES`]; the caller keeps to it).
pub fn encode_one_time(copies: &[HolderCopy]) -> Vec<u8> {
    cbor::encode(&Value::Array(
        copies.iter().map(|c| Value::Bytes(c.to_bytes())).collect(),
    ))
}

/// Read a selective-disclosure file: one copy (a map) or one-time copies (an array of 1 to
/// [`MAX_COPIES`] copies, no two alike).
pub fn decode(bytes: &[u8]) -> Result<CopyFile, HolderCopyError> {
    if bytes.first().is_some_and(|b| b >> 5 == 5) {
        return HolderCopy::from_bytes(bytes).map(|c| CopyFile::Shared(Box::new(c)));
    }
    // Every copy is at most one strict CBOR item, plus its byte string header.
    let cap = MAX_COPIES * (MAX_ITEM_BYTES + 9) + 9;
    let value = cbor::decode_bounded(bytes, cap).map_err(HolderCopyError::Cbor)?;
    let items = value.as_array().ok_or(HolderCopyError::Invalid)?;
    if items.is_empty() || items.len() > MAX_COPIES {
        return Err(HolderCopyError::Invalid);
    }
    let mut copies = Vec::with_capacity(items.len());
    for item in items {
        let raw = item.as_bytes().ok_or(HolderCopyError::Invalid)?;
        let copy = HolderCopy::from_bytes(raw)?;
        if copies
            .iter()
            .any(|c: &HolderCopy| c.credential == copy.credential)
        {
            return Err(HolderCopyError::Invalid);
        }
        copies.push(copy);
    }
    Ok(CopyFile::OneTime(copies))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sd::{Disclosure, HASH_LEN, LEAVES, SALT_LEN};

    fn copy(n: u8) -> HolderCopy {
        let e = Disclosure {
            index: 3,
            salt: [n; SALT_LEN],
            value: Value::Text("Trần Thị Mai".into()),
        };
        let mut leaves = [[n; HASH_LEN]; LEAVES];
        leaves[3] = e.leaf_hash();
        HolderCopy {
            credential: vec![0x80 | n, n],
            entries: vec![e],
            leaves,
        }
    }

    #[test]
    fn one_copy_and_one_time_copies_round_trip_and_are_told_apart() {
        let one = copy(1);
        assert_eq!(
            decode(&one.to_bytes()),
            Ok(CopyFile::Shared(Box::new(one.clone())))
        );
        let set = vec![copy(1), copy(2), copy(3)];
        assert_eq!(
            decode(&encode_one_time(&set)),
            Ok(CopyFile::OneTime(set.clone()))
        );
    }

    #[test]
    fn empty_repeated_oversized_or_foreign_sets_are_refused() {
        let invalid = Err(HolderCopyError::Invalid);
        assert_eq!(decode(&encode_one_time(&[])), invalid);
        assert_eq!(decode(&encode_one_time(&[copy(1), copy(1)])), invalid);
        let many: Vec<HolderCopy> = (0..=MAX_COPIES as u8).map(copy).collect();
        assert_eq!(decode(&encode_one_time(&many)), invalid);
        // An array of something else, a damaged copy, not CBOR at all.
        assert_eq!(
            decode(&cbor::encode(&Value::Array(vec![1.into()]))),
            invalid
        );
        let mut damaged = copy(1).to_bytes();
        damaged.truncate(damaged.len() - 1);
        assert!(decode(&cbor::encode(&Value::Array(vec![Value::Bytes(damaged)]))).is_err());
        assert!(decode(b"").is_err());
        assert!(decode(b"VN1:ABC").is_err());
    }
}
