//! Strict CBOR: core deterministic encoding (RFC 8949 §4.2.1) on the way out, and on the way in a
//! decoder that accepts exactly that encoding and nothing else.
//!
//! The decoder leans on `ciborium` for the parsing itself and adds what it leaves out: a depth
//! limit, a size limit, no trailing bytes, map keys strictly ascending in bytewise order (which
//! also rules out duplicate keys), and a byte-for-byte re-encoding check that rejects every
//! non-minimal length or integer, indefinite-length item and non-shortest float. A credential has
//! exactly one encoding, so a signature can never be replayed over a re-encoded variant.

use ciborium::value::Value;

/// Deepest nesting a credential structure may have. The deepest legitimate path is
/// COSE_Sign1 → claims → document → fields → licence classes → class entry → date tag (7).
pub const MAX_DEPTH: usize = 16;

/// Largest CBOR item the strict decoder accepts, in bytes (the inflated-size cap of the QR text).
pub const MAX_ITEM_BYTES: usize = 64 * 1024;

/// Why a byte string is not a strictly encoded CBOR item.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CborError {
    /// The input ended inside an item.
    Truncated,
    /// The bytes are not well-formed CBOR (or hold invalid UTF-8 in a text string).
    Syntax {
        /// Byte offset where the decoder gave up, when known.
        offset: Option<usize>,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The input is larger than [`MAX_ITEM_BYTES`].
    TooLarge {
        /// Size of the input.
        len: usize,
    },
    /// Bytes follow the first complete item.
    TrailingBytes {
        /// How many bytes are left over.
        count: usize,
    },
    /// A map holds the same key twice.
    DuplicateMapKey,
    /// Map keys are not in bytewise ascending order of their encodings.
    MapKeysOutOfOrder,
    /// Well-formed, but not in the one deterministic encoding (non-minimal length or integer,
    /// indefinite length, non-shortest float, bignum where an integer fits).
    NotDeterministic,
}

impl std::fmt::Display for CborError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CborError::Truncated => write!(f, "CBOR input ends inside an item"),
            CborError::Syntax { offset: Some(o) } => write!(f, "malformed CBOR at byte {o}"),
            CborError::Syntax { offset: None } => write!(f, "malformed CBOR"),
            CborError::TooDeep => write!(f, "CBOR nested deeper than {MAX_DEPTH} levels"),
            CborError::TooLarge { len } => {
                write!(f, "CBOR item of {len} bytes exceeds {MAX_ITEM_BYTES}")
            }
            CborError::TrailingBytes { count } => write!(f, "{count} bytes after the CBOR item"),
            CborError::DuplicateMapKey => write!(f, "duplicate CBOR map key"),
            CborError::MapKeysOutOfOrder => write!(f, "CBOR map keys not in deterministic order"),
            CborError::NotDeterministic => write!(f, "CBOR not in core deterministic encoding"),
        }
    }
}

impl std::error::Error for CborError {}

/// Decode exactly one CBOR item that uses core deterministic encoding, with nothing after it.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    if bytes.len() > MAX_ITEM_BYTES {
        return Err(CborError::TooLarge { len: bytes.len() });
    }
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|e| match e {
            ciborium::de::Error::Io(_) => CborError::Truncated,
            ciborium::de::Error::Syntax(o) => CborError::Syntax { offset: Some(o) },
            ciborium::de::Error::Semantic(o, _) => CborError::Syntax { offset: o },
            ciborium::de::Error::RecursionLimitExceeded => CborError::TooDeep,
        })?;
    if !rest.is_empty() {
        return Err(CborError::TrailingBytes { count: rest.len() });
    }
    check_map_order(&value)?;
    if encode(&value) != bytes {
        return Err(CborError::NotDeterministic);
    }
    Ok(value)
}

/// Encode a value. Maps are written in the order they hold; build them with [`map`] to get the
/// deterministic order.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    // Writing into a Vec cannot fail, and a `Value` always serialises.
    if ciborium::ser::into_writer(value, &mut out).is_err() {
        out.clear();
    }
    out
}

/// Build a map with its entries sorted into deterministic order (bytewise order of the encoded
/// keys). Callers never pass duplicate keys; if they did, both entries would be kept and the
/// result would fail [`decode`].
pub fn map(mut entries: Vec<(Value, Value)>) -> Value {
    entries.sort_by_cached_key(|(k, _)| encode(k));
    Value::Map(entries)
}

fn check_map_order(value: &Value) -> Result<(), CborError> {
    match value {
        Value::Map(entries) => {
            let mut previous: Option<Vec<u8>> = None;
            for (k, v) in entries {
                let key = encode(k);
                if let Some(p) = &previous {
                    match p.as_slice().cmp(key.as_slice()) {
                        std::cmp::Ordering::Less => {}
                        std::cmp::Ordering::Equal => return Err(CborError::DuplicateMapKey),
                        std::cmp::Ordering::Greater => return Err(CborError::MapKeysOutOfOrder),
                    }
                }
                check_map_order(k)?;
                check_map_order(v)?;
                previous = Some(key);
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_map_order),
        Value::Tag(_, inner) => check_map_order(inner),
        _ => Ok(()),
    }
}

/// Look up an integer key in a decoded map.
pub fn get_int(entries: &[(Value, Value)], key: i64) -> Option<&Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

/// Look up a text key in a decoded map.
pub fn get_text<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
}

/// The value as an `i64`, if it is an integer in range.
pub fn as_i64(value: &Value) -> Option<i64> {
    value.as_integer().and_then(|i| i64::try_from(i).ok())
}

/// The value as a `u64`, if it is a non-negative integer in range.
pub fn as_u64(value: &Value) -> Option<u64> {
    value.as_integer().and_then(|i| u64::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn accepts_deterministic_items() {
        for h in [
            "00",
            "17",
            "1818",
            "190100",
            "20",
            "3818",
            "a201020304",
            "820102",
            "4401020304",
        ] {
            let bytes = hex(h);
            let v = decode(&bytes).unwrap_or_else(|e| panic!("{h}: {e}"));
            assert_eq!(encode(&v), bytes);
        }
    }

    #[test]
    fn rejects_non_minimal_integer_and_length() {
        assert_eq!(decode(&hex("1801")), Err(CborError::NotDeterministic));
        assert_eq!(decode(&hex("190017")), Err(CborError::NotDeterministic));
        assert_eq!(decode(&hex("5801ff")), Err(CborError::NotDeterministic));
    }

    #[test]
    fn rejects_indefinite_length() {
        assert_eq!(decode(&hex("9f0102ff")), Err(CborError::NotDeterministic));
    }

    #[test]
    fn rejects_duplicate_and_unsorted_keys() {
        assert_eq!(decode(&hex("a201020103")), Err(CborError::DuplicateMapKey));
        assert_eq!(
            decode(&hex("a203040102")),
            Err(CborError::MapKeysOutOfOrder)
        );
        // Nested map inside an array is checked too.
        assert_eq!(
            decode(&hex("81a203040102")),
            Err(CborError::MapKeysOutOfOrder)
        );
    }

    #[test]
    fn negative_keys_order() {
        assert!(decode(&hex("a201002000")).is_ok());
        assert_eq!(
            decode(&hex("a220000100")),
            Err(CborError::MapKeysOutOfOrder)
        );
    }

    #[test]
    fn rejects_trailing_and_truncated() {
        assert_eq!(
            decode(&hex("0000")),
            Err(CborError::TrailingBytes { count: 1 })
        );
        assert_eq!(decode(&hex("82")), Err(CborError::Truncated));
        assert_eq!(decode(&hex("5aFFFFFFFF00")), Err(CborError::Truncated));
        assert_eq!(decode(&[]), Err(CborError::Truncated));
    }

    #[test]
    fn rejects_deep_nesting() {
        let bytes = vec![0x81u8; 40]
            .into_iter()
            .chain([0x00])
            .collect::<Vec<_>>();
        assert_eq!(decode(&bytes), Err(CborError::TooDeep));
    }

    #[test]
    fn map_builder_sorts() {
        let m = map(vec![
            (Value::from(-70001), Value::from(1)),
            (Value::from(65535), Value::from(1)),
            (Value::from(4), Value::from(1)),
            (Value::from(1), Value::from(1)),
        ]);
        let bytes = encode(&m);
        assert_eq!(decode(&bytes).unwrap(), m);
        let keys: Vec<i64> = match &m {
            Value::Map(e) => e.iter().map(|(k, _)| as_i64(k).unwrap()).collect(),
            _ => unreachable!(),
        };
        assert_eq!(keys, vec![1, 4, 65535, -70001]);
    }
}
