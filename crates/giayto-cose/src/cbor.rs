//! Strict CBOR: core deterministic encoding (RFC 8949 §4.2.1) on the way out, and on the way in a
//! decoder that accepts exactly that encoding and nothing else.
//!
//! The decoder reads an item in one pass that checks as it builds: a size limit, a depth limit,
//! an item-count limit, no trailing bytes, every head in its shortest form, no indefinite
//! lengths, valid UTF-8, map keys strictly ascending in bytewise order (which also rules out
//! duplicate keys). Floats and bignums are handed to `ciborium` and must equal their
//! re-encoding (shortest float). A credential has exactly one encoding, so a signature can
//! never be replayed over a re-encoded variant. Encoding is `ciborium`'s.

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
    /// More data items than the size cap allows ([`max_items`]).
    TooManyItems {
        /// The cap.
        max: usize,
    },
    /// The input is larger than [`MAX_ITEM_BYTES`] (or the cap given to [`decode_bounded`]).
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
            CborError::TooManyItems { max } => write!(f, "CBOR holds more than {max} items"),
            CborError::TooLarge { len } => {
                write!(f, "CBOR item of {len} bytes exceeds the size limit")
            }
            CborError::TrailingBytes { count } => write!(f, "{count} bytes after the CBOR item"),
            CborError::DuplicateMapKey => write!(f, "duplicate CBOR map key"),
            CborError::MapKeysOutOfOrder => write!(f, "CBOR map keys not in deterministic order"),
            CborError::NotDeterministic => write!(f, "CBOR not in core deterministic encoding"),
        }
    }
}

impl std::error::Error for CborError {}

/// Decode exactly one CBOR item that uses core deterministic encoding, with nothing after it,
/// of at most [`MAX_ITEM_BYTES`].
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    decode_bounded(bytes, MAX_ITEM_BYTES)
}

/// Like [`decode`], with another size cap: for signed lists (trust list, status lists) that
/// may be larger than a credential. The depth cap is the same; the item cap scales with the
/// size cap ([`max_items`]).
pub fn decode_bounded(bytes: &[u8], max_len: usize) -> Result<Value, CborError> {
    if bytes.len() > max_len {
        return Err(CborError::TooLarge { len: bytes.len() });
    }
    // One pass over the bytes checks shape, limits and deterministic encoding while it builds
    // the tree; nothing is allocated for a length before the bytes it announces are there.
    let mut scan = Scan {
        bytes,
        pos: 0,
        items: 0,
        max_items: max_items(max_len),
        reencode: false,
    };
    let value = scan.item(0)?;
    if scan.pos != bytes.len() {
        return Err(CborError::TrailingBytes {
            count: bytes.len() - scan.pos,
        });
    }
    if !scan.reencode {
        return Ok(value);
    }
    // A float or a bignum: ciborium reads those (as numbers), and the item must be exactly its
    // re-encoding.
    let value = read_whole(bytes)?;
    if encode(&value) != bytes {
        return Err(CborError::NotDeterministic);
    }
    Ok(value)
}

/// Read one CBOR item of at most `max` bytes, nested at most [`MAX_DEPTH`] deep, with nothing
/// after it, but not held to deterministic encoding: for codes of other formats, whose
/// encoders differ (a Claim 169 code, docs/format.md §16).
pub fn decode_lenient(bytes: &[u8], max: usize) -> Result<Value, CborError> {
    if bytes.len() > max {
        return Err(CborError::TooLarge { len: bytes.len() });
    }
    read_whole(bytes)
}

/// ciborium's reader over exactly one item (depth-limited; the caller has bounded the size).
fn read_whole(bytes: &[u8]) -> Result<Value, CborError> {
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
    Ok(value)
}

/// Check that `bytes` is one strictly encoded item of at most `max_len` bytes (when the caller
/// has it parsed already, as coset has a protected header).
pub fn check_bounded(bytes: &[u8], max_len: usize) -> Result<(), CborError> {
    decode_bounded(bytes, max_len).map(drop)
}

/// Most data items (each integer, string, array, map, key, value, tag...) an item of at most
/// `max_len` bytes may hold: one per 16 bytes, so 4,096 in a credential. A credential has about
/// a hundred; the cap keeps a small zlib bomb of tiny items from costing milliseconds and
/// megabytes of tree (docs/decisions.md D35).
pub fn max_items(max_len: usize) -> usize {
    max_len / 16
}

/// The one pass of [`decode_bounded`], which builds the value as it checks: well-formed heads
/// within the input, text strings in UTF-8, nesting at
/// most [`MAX_DEPTH`] (counted as ciborium counts it: arrays, maps and tags, except a bignum
/// tag on a short byte string), at most `max_items` items, and the rules of core deterministic
/// encoding: every head in its shortest form, no indefinite lengths, map keys strictly
/// ascending in bytewise order of their encodings, only `false`, `true` and `null` among the
/// simple values. Floats and bignum tags (2, 3), whose canonical form is a matter of value
/// rather than of bytes, set `reencode`: the caller then compares against a re-encoding.
///
/// Hand-written because no CBOR crate checks core deterministic encoding: the first version
/// decoded with ciborium, re-encoded the whole item and every map key and compared, which cost
/// more than all the rest of a verification outside the signature, and built a tree of any
/// size before any check could run (docs/decisions.md D34). ciborium remains the encoder, the
/// reader of floats and bignums, and the reference the property and fuzz tests hold this to.
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
    items: usize,
    max_items: usize,
    reencode: bool,
}

impl Scan<'_> {
    /// The head at `at`: (major type, additional info, argument, head length).
    fn head(&self, at: usize) -> Result<(u8, u8, u64, usize), CborError> {
        let initial = *self.bytes.get(at).ok_or(CborError::Truncated)?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let argument_len = match info {
            0..=23 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Ok((major, info, 0, 1)),
            _ => return Err(CborError::Syntax { offset: Some(at) }),
        };
        let raw = self
            .bytes
            .get(at + 1..at + 1 + argument_len)
            .ok_or(CborError::Truncated)?;
        let argument = if argument_len == 0 {
            u64::from(info)
        } else {
            raw.iter().fold(0u64, |a, b| a << 8 | u64::from(*b))
        };
        Ok((major, info, argument, 1 + argument_len))
    }

    /// Room to reserve for `count` announced items: never more than the bytes left could hold,
    /// nor than the item cap still allows.
    fn capacity(&self, count: u64) -> usize {
        let left = self
            .bytes
            .len()
            .saturating_sub(self.pos)
            .min(self.max_items.saturating_sub(self.items));
        usize::try_from(count).map_or(left, |c| c.min(left))
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        self.items += 1;
        if self.items > self.max_items {
            return Err(CborError::TooManyItems {
                max: self.max_items,
            });
        }
        let (major, info, argument, head_len) = self.head(self.pos)?;
        self.pos += head_len;
        if info == 31 {
            // Indefinite length, or a break outside one: never deterministic.
            return Err(CborError::NotDeterministic);
        }
        if major == 7 {
            return match info {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
                25..=27 => {
                    // Read by ciborium afterwards (see `decode_bounded`).
                    self.reencode = true;
                    Ok(Value::Null)
                }
                _ => Err(CborError::NotDeterministic),
            };
        }
        let shortest = match argument {
            0..=23 => 1,
            24..=0xff => 2,
            0x100..=0xffff => 3,
            0x1_0000..=0xffff_ffff => 5,
            _ => 9,
        };
        if head_len != shortest {
            return Err(CborError::NotDeterministic);
        }
        match major {
            0 => Ok(Value::Integer(argument.into())),
            1 => Ok(Value::Integer(
                ciborium::value::Integer::try_from(-1 - i128::from(argument))
                    .map_err(|_| CborError::Syntax { offset: None })?,
            )),
            2 | 3 => {
                let start = self.pos;
                let end = usize::try_from(argument)
                    .ok()
                    .and_then(|len| start.checked_add(len))
                    .filter(|end| *end <= self.bytes.len())
                    .ok_or(CborError::Truncated)?;
                self.pos = end;
                let content = self.bytes.get(start..end).ok_or(CborError::Truncated)?;
                if major == 2 {
                    Ok(Value::Bytes(content.to_vec()))
                } else {
                    std::str::from_utf8(content)
                        .map(|t| Value::Text(t.to_owned()))
                        .map_err(|_| CborError::Syntax {
                            offset: Some(start),
                        })
                }
            }
            4 => {
                if depth >= MAX_DEPTH {
                    return Err(CborError::TooDeep);
                }
                let mut items = Vec::with_capacity(self.capacity(argument));
                for _ in 0..argument {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                if depth >= MAX_DEPTH {
                    return Err(CborError::TooDeep);
                }
                let mut entries = Vec::with_capacity(self.capacity(argument) / 2);
                let mut previous: Option<(usize, usize)> = None;
                for _ in 0..argument {
                    let start = self.pos;
                    let key = self.item(depth + 1)?;
                    let span = (start, self.pos);
                    if let Some((p0, p1)) = previous {
                        let ordering = self.bytes.get(p0..p1).cmp(&self.bytes.get(span.0..span.1));
                        match ordering {
                            std::cmp::Ordering::Less => {}
                            std::cmp::Ordering::Equal => return Err(CborError::DuplicateMapKey),
                            std::cmp::Ordering::Greater => {
                                return Err(CborError::MapKeysOutOfOrder)
                            }
                        }
                    }
                    previous = Some(span);
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            _ => {
                if argument == 2 || argument == 3 {
                    // A bignum: read by ciborium afterwards, as a number (see `decode_bounded`).
                    self.reencode = true;
                    // ciborium reads a bignum on a definite byte string of up to 16 bytes as
                    // one integer, without nesting: count and nest it the same way.
                    if let Ok((2, info, len, _)) = self.head(self.pos) {
                        if info != 31 && len <= 16 {
                            self.items -= 1;
                            return self.item(depth);
                        }
                    }
                }
                if depth >= MAX_DEPTH {
                    return Err(CborError::TooDeep);
                }
                Ok(Value::Tag(argument, Box::new(self.item(depth + 1)?)))
            }
        }
    }
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

/// The latest time any giayto structure may carry: 9999-12-31T23:59:59Z (docs/format.md §1).
/// Later times (and times before 1970) are refused when decoded, so no front end ever has to
/// format a date past year 9999.
pub const MAX_TIME: i64 = 253_402_300_799;

/// The value as a time in seconds, if it is an integer in `0..=MAX_TIME`.
pub fn as_time(value: &Value) -> Option<i64> {
    as_i64(value).filter(|t| (0..=MAX_TIME).contains(t))
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
